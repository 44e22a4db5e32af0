package scm.accel.tornado;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * A poor man's sampling profiler for the device machine (no profiler installed there): a daemon thread reads one
 * thread's stack every {@code periodMicros} and counts, per method, the samples where it is the innermost frame (self)
 * and the samples where it is anywhere on the stack (total). It answers one question the GPU-side profiler cannot:
 * where the host thread spends a step, in TornadoVM's Java code, in a native call into the CUDA driver, or waiting on
 * the device. {@code Thread.getStackTrace} stops the thread at a safepoint, so the counts are biased toward safepoint
 * polls and the sampled thread runs a little slower while sampled; read them as shares, not exact times.
 */
final class StackSampler implements AutoCloseable {
    private final Thread target;
    private final Thread sampler;
    private final Map<String, Integer> self = new HashMap<>(), total = new HashMap<>();
    private volatile boolean running = true;
    private int samples;

    StackSampler(Thread target, long periodMicros) {
        this.target = target;
        this.sampler = new Thread(() -> {
            while (running) {
                StackTraceElement[] st = target.getStackTrace();
                if (st.length > 0) record(st);
                LockSupport.parkNanos(periodMicros * 1000);
            }
        }, "stack-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    private synchronized void record(StackTraceElement[] st) {
        samples++;
        self.merge(name(st[0]), 1, Integer::sum);
        Set<String> seen = new HashSet<>();
        for (StackTraceElement e : st) if (seen.add(name(e))) total.merge(name(e), 1, Integer::sum);
    }

    private static String name(StackTraceElement e) {
        String c = e.getClassName();
        return c.substring(c.lastIndexOf('.') + 1) + "." + e.getMethodName() + (e.isNativeMethod() ? " (native)" : "");
    }

    /** Stops sampling and returns the top {@code rows} methods by self and by total samples, as percentages. */
    synchronized String report(int rows) {
        close();
        StringBuilder b = new StringBuilder("stack samples: " + samples + "\n  self:\n");
        top(b, self, rows);
        b.append("  total (anywhere on the stack):\n");
        top(b, total, rows);
        return b.toString();
    }

    private void top(StringBuilder b, Map<String, Integer> m, int rows) {
        m.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(rows)
                .forEach(e -> b.append(String.format("    %5.1f%%  %s%n", 100.0 * e.getValue() / Math.max(1, samples), e.getKey())));
    }

    @Override
    public void close() {
        running = false;
    }
}
