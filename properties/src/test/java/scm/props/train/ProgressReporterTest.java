package scm.props.train;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import scm.ref.train.PlainLineProgress;

/** The plain-line reporter's cadence and content, and the trainer's reporting sequence. */
class ProgressReporterTest {

    @Test
    void plainLinesEveryNStepsWithRateAndEta() {
        var bytes = new ByteArrayOutputStream();
        long[] now = {0};
        var p = new PlainLineProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), 4, () -> now[0]);
        p.start(0, 10);
        for (long s = 0; s < 10; s++) { now[0] += 500_000_000L; p.step(s, 0.25, Map.of("w", 2.0)); }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(List.of(
                "training steps 0..9 of 10",
                "step 4/10 loss 0.250000 it/s 2.00 eta 00:00:03 w=2.000",
                "step 8/10 loss 0.250000 it/s 2.00 eta 00:00:01 w=2.000",
                "step 10/10 loss 0.250000 it/s 2.00 eta 00:00:00 w=2.000"), lines);
    }

    @Test
    void trainerReportsEveryStepInOrderThenCloses() {
        var progress = new RecordingProgress();
        var fx = new TrainFixture(TrainFixture.config(12, 4), new LeastSquaresObjective(TrainFixture.D, 0.5, 7), null, null, progress);
        fx.trainer.run();
        assertEquals(0, progress.started);
        assertEquals(12, progress.total);
        assertEquals(LongStream.range(0, 12).boxed().toList(), progress.steps);
        assertTrue(progress.losses.stream().allMatch(Double::isFinite));
        assertTrue(progress.closed);
        assertTrue(progress.checkpointSteps.isEmpty(), "no store configured, no checkpoints");
    }
}
