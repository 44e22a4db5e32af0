package scm.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the shipped checkpoints were trained: the exact {@code scm train} arguments (with the run directory {@code WORK}),
 * the two --config files, and where each run's export goes. {@code scm demo --from-scratch} replays this list.
 *
 * @param name    shipped file name without extension, under {@code checkpoints/<data>/}
 * @param teacher the run whose checkpoint is {@code --teacher}, or null
 */
record DemoRecipe(String name, String data, String objective, String teacher, String config, String... args) {

    static final String TEACHER_PROPERTIES = "eval.steps=2,4,8,16,32\ncheckpointEvery=2000\nlogEvery=1000\n";
    static final String STUDENT_PROPERTIES = "optimizer=radam\ncheckpointEvery=1000\nlogEvery=500\n";

    /** The five digits models of the demo table, teacher first. */
    static final List<DemoRecipe> DIGITS = List.of(
            new DemoRecipe("teacher", "digits", "teacher", null, "teacher.properties",
                    "--model", "small", "--steps", "12000", "--batch", "128", "--lr", "1e-3", "--seed", "1"),
            new DemoRecipe("scd", "digits", "scd", "teacher", "student.properties",
                    "--model", "small", "--steps", "8000", "--batch", "128", "--lr", "2e-4", "--seed", "2"),
            new DemoRecipe("sct", "digits", "sct", "teacher", "student.properties",
                    "--model", "small", "--steps", "8000", "--batch", "128", "--lr", "2e-4", "--seed", "2"),
            new DemoRecipe("cd", "digits", "cd", "teacher", "student.properties",
                    "--model", "small", "--steps", "6000", "--batch", "128", "--lr", "2e-4", "--seed", "4"),
            new DemoRecipe("ict", "digits", "ict", null, "student.properties",
                    "--model", "small", "--steps", "8000", "--batch", "128", "--lr", "2e-4", "--seed", "3"));

    /** The 2-D mixture pair shipped for scm sample (not part of the digits table). */
    static final List<DemoRecipe> RING8 = List.of(
            new DemoRecipe("teacher", "ring8", "teacher", null, "teacher.properties",
                    "--model", "toy", "--steps", "4000", "--batch", "256", "--lr", "1e-3", "--seed", "1"),
            new DemoRecipe("scd", "ring8", "scd", "teacher", "student.properties",
                    "--model", "toy", "--steps", "3000", "--batch", "256", "--lr", "2e-4", "--seed", "2"));

    /** The run directory of this recipe under {@code work}. */
    Path runDir(Path work) { return work.resolve(dirName(name)); }

    private String dirName(String run) { return data.equals("digits") ? run : data + "-" + run; }

    /** The {@code scm train} arguments, with run directories under {@code work}. */
    List<String> trainArgs(Path work) {
        List<String> a = new ArrayList<>(List.of("train", "--objective", objective, "--data", data));
        if (teacher != null) a.addAll(List.of("--teacher", work.resolve(dirName(teacher)).resolve(ModelCheckpoint.FILE_NAME).toString()));
        a.addAll(List.of(args));
        a.addAll(List.of("--config", work.resolve(config).toString(), "--out", runDir(work).toString()));
        return a;
    }

    /** The command line as recorded in the model card ({@code WORK} = the run directory's parent). */
    String commandText(Path work) { return "bin/scm " + String.join(" ", trainArgs(work)); }
}
