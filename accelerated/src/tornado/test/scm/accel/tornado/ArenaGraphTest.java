package scm.accel.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.accel.tornado.TornadoTestSupport.assumeTornado;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scm.accel.tornado.ArenaRecorder.Op;

/**
 * {@link ArenaGraph} on small hand-made operation lists: the arena layout (resident state uploaded once and updated in
 * place, host inputs refreshed per execution, outputs copied back), the chain over several graphs (one operation per
 * graph, {@code -Dscm.arena.maxTasks=1}), and {@link ArenaGraph#firstStrayWrite}, the diagnosis of writes outside the
 * declared tensors, with a negative control (an operation that writes past its tensor is reported). Exact values: every
 * operation here is a copy, a fill or a float sum of small integers, exact in float32.
 */
class ArenaGraphTest {
    @BeforeAll
    static void tornado() { assumeTornado(); }

    /** state += input each execution (accumulate); out = state (copy); three executions over a chain of graphs. */
    @Test
    void residentStateAccumulatesAcrossExecutionsAndGraphs() {
        String before = System.getProperty("scm.arena.maxTasks");
        System.setProperty("scm.arena.maxTasks", "1");
        try {
            ArenaRecorder rec = new ArenaRecorder();
            float[] state = {1, 2, 3, 4, 5}, input = new float[5], work = new float[5], out = new float[5];
            Set<Object> resident = Collections.newSetFromMap(new IdentityHashMap<>());
            resident.add(state);
            ArenaGraph g = null;
            try {
                for (int e = 1; e <= 3; e++) {
                    for (int j = 0; j < 5; j++) input[j] = 10 * e + j;
                    rec.fill(work, 0f, 5);
                    rec.accumulate(work, input, 5);
                    rec.accumulate(state, work, 5);
                    rec.copy(state, out, 5);
                    List<Op> ops = rec.take();
                    if (g == null) g = ArenaGraph.build("acc", ops, resident, new Object[] {out}, TornadoResidentScmStep.device());
                    assertTrue(g.matches(ops));
                    g.execute(ops);
                }
                float[] want = new float[5];
                for (int j = 0; j < 5; j++) want[j] = (j + 1) + (10 + j) + (20 + j) + (30 + j);
                assertArrayEquals(want, out, 0f, "outputs after three executions");
                assertEquals(4, g.graphs(), "one operation per graph: " + g.describe());
                g.readBack();
                assertArrayEquals(want, state, 0f, "resident state read back");
            } finally {
                if (g != null) g.close();
            }
        } finally {
            if (before == null) System.clearProperty("scm.arena.maxTasks"); else System.setProperty("scm.arena.maxTasks", before);
        }
    }

    /** A well-formed list has no stray write; a copy of 6 values into a 4-value tensor is reported (negative control). */
    @Test
    void strayWritesAreFoundAndOnlyThey() {
        ArenaRecorder rec = new ArenaRecorder();
        float[] src = {1, 2, 3, 4, 5, 6}, dst = new float[6], small = new float[4], after = new float[8];
        Set<Object> none = Collections.newSetFromMap(new IdentityHashMap<>());
        rec.copy(src, dst, 6);
        rec.fill(after, 0f, 8);
        List<Op> ok = rec.take();
        try (ArenaGraph g = ArenaGraph.build("ok", ok, none, new Object[] {dst}, TornadoResidentScmStep.device())) {
            assertNull(g.firstStrayWrite(ok), "a copy within its tensor");
        }
        rec.fill(small, 0f, 4);
        rec.fill(after, 0f, 8);
        rec.copy(src, small, 6);   // declared tensor of 4 values, 6 written: 2 land in the padding after it
        List<Op> bad = rec.take();
        try (ArenaGraph g = ArenaGraph.build("bad", bad, none, new Object[] {small}, TornadoResidentScmStep.device())) {
            String w = g.firstStrayWrite(bad);
            System.out.println("ArenaGraphTest negative control: " + w);
            assertNotNull(w, "a copy past the end of its tensor must be reported");
            assertTrue(w.contains("copy"), w);
        }
    }

    /** An operation that writes an array the host provides is refused with a message saying what to do. */
    @Test
    void aWrittenHostInputIsRefused() {
        ArenaRecorder rec = new ArenaRecorder();
        float[] in = {1, 2}, acc = {0, 0};
        rec.accumulate(acc, in, 2);   // acc is read first (accumulated into): a host input, then written
        var e = assertThrows(IllegalArgumentException.class,
                () -> ArenaGraph.build("w", rec.take(), Collections.newSetFromMap(new IdentityHashMap<>()), new Object[0], null));
        assertTrue(e.getMessage().contains("zero it on the device"), e.getMessage());
    }
}
