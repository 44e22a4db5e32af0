package scm.props.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import scm.ref.train.ProgressReporter;

/** Records every callback; on each checkpoint also records the file's bytes as just written. */
final class RecordingProgress implements ProgressReporter {
    final List<Long> steps = new ArrayList<>();
    final List<Double> losses = new ArrayList<>();
    final List<String> messages = new ArrayList<>();
    final List<Long> checkpointSteps = new ArrayList<>();
    byte[] lastCheckpointBytes;
    long started = -1, total = -1;
    boolean closed;
    LongConsumer onCheckpoint = s -> {};

    @Override public void start(long firstStep, long totalSteps) { started = firstStep; total = totalSteps; }

    @Override public void step(long step, double loss, Map<String, Double> diagnostics) { steps.add(step); losses.add(loss); }

    @Override public void checkpoint(long step, Path file) {
        checkpointSteps.add(step);
        try { lastCheckpointBytes = Files.readAllBytes(file); } catch (IOException e) { throw new UncheckedIOException(e); }
        onCheckpoint.accept(step);
    }

    @Override public void message(String line) { messages.add(line); }

    @Override public void close() { closed = true; }
}
