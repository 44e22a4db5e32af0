package scm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The --out directory of a command. {@link #check} runs before any work: it refuses (IllegalArgumentException)
 * a path that is a file, and a directory that already holds one of the files the command would write unless
 * {@code force}; so bad input and accidental re-runs never overwrite results. {@link #create} makes it.
 */
public record OutputDir(Path dir) {

    public static OutputDir check(Path dir, List<String> files, boolean force) {
        if (dir == null) throw new IllegalArgumentException("--out is required");
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IllegalArgumentException("--out " + dir + " exists and is not a directory");
        if (!force)
            for (String f : files)
                if (Files.exists(dir.resolve(f)))
                    throw new IllegalArgumentException("--out " + dir + " already holds " + f + " (pass --force to overwrite)");
        return new OutputDir(dir);
    }

    public Path create() throws IOException {
        Files.createDirectories(dir);
        return dir;
    }

    public Path file(String name) { return dir.resolve(name); }
}
