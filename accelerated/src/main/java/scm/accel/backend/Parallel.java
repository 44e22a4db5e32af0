package scm.accel.backend;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/** Splits an index range [0, n) into contiguous chunks run on a fixed ForkJoinPool. */
public final class Parallel implements AutoCloseable {

    /** A body over a sub-range [from, to). */
    @FunctionalInterface public interface Range { void run(int from, int to); }

    /** Below about this many scalar operations per chunk, threads cost more than they save. */
    static final long MIN_WORK = 1 << 15;

    private final ForkJoinPool pool;
    private final int threads;

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
    }

    public int threads() { return threads; }

    /** Runs body over [0, n) where one index costs about {@code costPerIndex} operations. */
    public void forRange(int n, long costPerIndex, Range body) {
        if (n <= 0) return;
        long grain = Math.max(1, MIN_WORK / Math.max(1, costPerIndex));
        if (pool == null || n <= grain) { body.run(0, n); return; }
        int chunks = (int) Math.min(threads * 4L, (n + grain - 1) / grain);
        int size = (n + chunks - 1) / chunks;
        pool.invoke(new Split(body, 0, n, size));
    }

    private static final class Split extends RecursiveAction {
        private final Range body;
        private final int from, to, size;

        Split(Range body, int from, int to, int size) { this.body = body; this.from = from; this.to = to; this.size = size; }

        @Override protected void compute() {
            if (to - from <= size) { body.run(from, to); return; }
            int mid = from + ((to - from) / size / 2) * size;
            if (mid == from) mid = from + size;
            invokeAll(new Split(body, from, mid, size), new Split(body, mid, to, size));
        }
    }

    @Override public void close() { if (pool != null) pool.shutdown(); }
}
