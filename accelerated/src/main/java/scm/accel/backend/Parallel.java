package scm.accel.backend;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits an index range [0, n) into contiguous chunks run by the calling thread and {@code threads − 1} helper
 * threads. The chunk boundaries depend only on n, the cost hint and the thread count (chunk k is
 * [k·size, (k+1)·size)), never on timing, and each kernel's result for an index does not depend on which chunk or
 * thread computes it, so results are the same in every run.
 *
 * <p>Why not a ForkJoinPool (the earlier form): a training step issues a few hundred backend calls, most of them
 * tens of microseconds of work. Handing each to pool workers and parking the caller until they finish cost two
 * thread wake-ups per call, and on this machine's virtual CPUs a wake-up is tens of microseconds: the sCT step of
 * the digits MLP took 14 ms at batch 128 and 64 ms at batch 1024 on two threads against 8.3 and 48 ms on one
 * (EngineBench, docs/benchmarks.md). Here the caller works on its own chunks and the helpers poll for a short while
 * ({@link #SPIN_NANOS}) after each call before they park, so back-to-back calls find them awake. They poll with
 * {@code Thread.yield()} rather than a busy {@code onSpinWait()} loop, so that on two cores the JIT compiler and GC
 * threads still get a core while a helper waits. (That change was made while chasing runs that sampled 2.2x
 * slower at random; those turned out to be C2 boxing vectors passed to methods it had not inlined, see
 * VectorActivations#sigmoidChunk, and the yield alone did not remove them.)
 *
 * <p>A call made while another is running (from a chunk body, or from a second thread sharing the backend) runs
 * its whole range on the calling thread: same results, no deadlock.
 */
public final class Parallel implements AutoCloseable {

    /** A body over a sub-range [from, to). */
    @FunctionalInterface public interface Range { void run(int from, int to); }

    /** Below about this many scalar operations per chunk, threads cost more than they save. */
    static final long MIN_WORK = 1 << 15;

    /** How long an idle helper polls for the next call before parking (the gap between a step's backend calls). */
    static final long SPIN_NANOS = 200_000;

    private final int threads;
    private final Thread[] helpers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Job job;
    private volatile boolean closed;

    /** One call: its body, its chunking, the next chunk to take and the count of chunks finished. */
    private static final class Job {
        final Range body;
        final int n, size, chunks;
        final AtomicInteger next = new AtomicInteger(), finished = new AtomicInteger();
        volatile Throwable failure;

        Job(Range body, int n, int size, int chunks) { this.body = body; this.n = n; this.size = size; this.chunks = chunks; }

        /** Takes and runs chunks until none is left. */
        void work() {
            for (int k; (k = next.getAndIncrement()) < chunks; ) {
                try {
                    if (failure == null) body.run(k * size, Math.min(n, (k + 1) * size));
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    finished.incrementAndGet();
                }
            }
        }
    }

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
        this.threads = threads;
        this.helpers = new Thread[threads - 1];
        for (int i = 0; i < helpers.length; i++) {
            helpers[i] = new Thread(this::helperLoop, "scm-parallel-" + (i + 1));
            helpers[i].setDaemon(true);
            helpers[i].start();
        }
    }

    public int threads() { return threads; }

    /** Runs body over [0, n) where one index costs about {@code costPerIndex} operations. */
    public void forRange(int n, long costPerIndex, Range body) {
        if (n <= 0) return;
        long grain = Math.max(1, MIN_WORK / Math.max(1, costPerIndex));
        if (helpers.length == 0 || n <= grain || closed || !busy.compareAndSet(false, true)) { body.run(0, n); return; }
        try {
            int chunks = (int) Math.min(threads * 4L, (n + grain - 1) / grain);
            int size = (n + chunks - 1) / chunks;
            chunks = (n + size - 1) / size;
            Job j = new Job(body, n, size, chunks);
            job = j;
            for (Thread h : helpers) LockSupport.unpark(h);
            j.work();
            while (j.finished.get() < j.chunks) Thread.yield();
            job = null;
            Throwable t = j.failure;
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error e) throw e;
            if (t != null) throw new IllegalStateException(t);
        } finally {
            busy.set(false);
        }
    }

    private void helperLoop() {
        Job last = null;
        while (!closed) {
            Job j = job;
            if (j != null && j != last) {
                j.work();
                last = j;
                continue;
            }
            long idleSince = System.nanoTime();
            while (!closed && ((j = job) == null || j == last)) {
                if (System.nanoTime() - idleSince < SPIN_NANOS) Thread.yield();
                else LockSupport.park(this);           // woken by the next call (forRange) or by close()
            }
        }
    }

    @Override public void close() {
        closed = true;
        for (Thread h : helpers) LockSupport.unpark(h);
    }
}
