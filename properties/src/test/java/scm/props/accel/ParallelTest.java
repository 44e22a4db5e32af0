package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import scm.accel.backend.Parallel;

/**
 * {@link Parallel}: every index is run exactly once, the chunk boundaries depend only on n, the cost hint and the
 * thread count (never on timing), a failing body's exception reaches the caller and leaves the pool usable, and a
 * call made from inside a body or from a second thread at the same time completes (on the calling thread).
 */
class ParallelTest {

    static List<String> chunks(Parallel par, int n, long cost) {
        ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        AtomicIntegerArray count = new AtomicIntegerArray(n);
        par.forRange(n, cost, (f, t) -> {
            seen.add(f + ".." + t);
            for (int i = f; i < t; i++) count.incrementAndGet(i);
        });
        for (int i = 0; i < n; i++) assertEquals(1, count.get(i), "index " + i + " of " + n + " run once");
        return seen.stream().sorted().toList();
    }

    @Test
    void everyIndexOnceAndFixedChunks() {
        try (Parallel par = new Parallel(3)) {
            for (int n : new int[] {1, 2, 7, 100, 1000, 4097})
                for (long cost : new long[] {1, 64, 4096, 1 << 20}) {
                    List<String> first = chunks(par, n, cost);
                    for (int rep = 0; rep < 20; rep++) assertEquals(first, chunks(par, n, cost), "chunks of n=" + n + ", cost " + cost);
                }
        }
    }

    @Test
    void failureReachesTheCallerAndThePoolStaysUsable() {
        try (Parallel par = new Parallel(2)) {
            var e = assertThrows(IllegalStateException.class, () -> par.forRange(1000, 1 << 12, (f, t) -> {
                if (f == 0) throw new IllegalStateException("boom");
            }));
            assertEquals("boom", e.getMessage());
            chunks(par, 1000, 1 << 12);
        }
    }

    @Test
    void nestedAndConcurrentCallsComplete() throws Exception {
        try (Parallel par = new Parallel(2)) {
            AtomicIntegerArray inner = new AtomicIntegerArray(64 * 64);
            par.forRange(64, 1 << 14, (f, t) -> {
                for (int i = f; i < t; i++) {
                    int row = i;
                    par.forRange(64, 1 << 14, (g, u) -> { for (int j = g; j < u; j++) inner.incrementAndGet(row * 64 + j); });
                }
            });
            for (int k = 0; k < inner.length(); k++) assertEquals(1, inner.get(k), "nested index " + k);
            java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
            Thread other = new Thread(() -> {
                try { for (int r = 0; r < 200; r++) chunks(par, 513, 1 << 10); } catch (Throwable t) { failed.set(t); }
            });
            other.start();
            for (int r = 0; r < 200; r++) chunks(par, 777, 1 << 10);
            other.join(60_000);
            assertTrue(!other.isAlive(), "the second thread's calls completed");
            assertEquals(null, failed.get(), "the second thread's calls ran every index once");
        }
    }
}
