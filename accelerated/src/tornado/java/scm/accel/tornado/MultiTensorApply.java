package scm.accel.tornado;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import scm.accel.tornado.ArenaRecorder.Launch;
import scm.accel.tornado.ArenaRecorder.Op;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;

/**
 * PyTorch's multi_tensor_apply ("foreach") for the device arena: a run of consecutive per-tensor operations of one kind
 * — {@code adam} (AdamF32#step: one per parameter tensor), {@code ema} (EmaF32#update) and {@code fill}
 * (NetworkF32#zeroGrad) — becomes ONE task over the concatenated tensors ({@link ArenaKernels#adamFamilyMulti},
 * {@link ArenaKernels#emaMulti}, {@link ArenaKernels#fillMulti}) instead of one tiny task each. Why: every TornadoVM task
 * launch costs ~60 µs on the H200, and these were 493 of the U-Net step's 1,379 tasks (issue 12: fewer, larger kernels).
 *
 * <p>When operations merge: same kind, bit-identical scalar values (Adam's β₁, β₂, step size, bias correction, ε and the
 * RAdam branch flag; the EMA decay; the fill value) and no hazard between them (no operation of the run reads or writes
 * an array another one writes: they then commute, so running them as one parallel task is the sequence's result). The
 * scalars are per-step values: {@link #coalesce} decides on each step's values, so a merged task never applies one
 * operation's scalars to another's tensors — if a later step's values differed within a run, its coalesced list would
 * differ and {@link ArenaGraph#matches} would refuse it (the caller rebuilds the chain) rather than run the wrong merge.
 * AdamF32 and EmaF32 issue one set of values for all tensors of a step, so in practice the U-Net step builds once.
 *
 * <p>Exactness: every element gets the per-tensor kernel's own expression with the same operands (the table only says
 * which tensor, and at which offsets), so the results are bit-identical to the per-tensor tasks.
 *
 * <p>The table (cumulative starts and offsets) is an {@code int[]} of its own, copied to the device once
 * ({@link DataTransferMode#FIRST_EXECUTION}) by the graph that holds the task, not floats in the arena: arena offsets of
 * a U-Net step pass 2^24, beyond which a float no longer holds every integer. Its lengths and offsets are fixed for the
 * chain's life ({@link ArenaGraph#matches} requires the same arrays and lengths), so one copy is right.
 */
final class MultiTensorApply {
    private MultiTensorApply() {}

    /** Name of a merged operation of kind {@code kind} (its ints, the tensors' lengths, tell the runs apart). */
    static String mergedName(String kind) { return "foreach-" + kind; }

    /** {@code ops} with every mergeable run of two or more operations replaced by one operation; others unchanged, order kept. */
    static List<Op> coalesce(List<Op> ops) {
        List<Op> r = new ArrayList<>(ops.size());
        int q = 0;
        while (q < ops.size()) {
            int end = runEnd(ops, q);
            r.add(end - q >= 2 ? merge(ops.subList(q, end)) : ops.get(q));
            q = end;
        }
        return r;
    }

    /** The end (exclusive) of the mergeable run starting at q (q + 1 if none). */
    static int runEnd(List<Op> ops, int q) {
        Op first = ops.get(q);
        if (arity(first.name()) == 0) return q + 1;
        Set<Object> read = identitySet(), written = identitySet();
        int end = q;
        while (end < ops.size()) {
            Op o = ops.get(end);
            if (!o.name().equals(first.name()) || !Arrays.equals(o.scalars(), first.scalars()) || o.ints().length != 1) break;
            if (!independent(o, read, written)) break;
            end++;
        }
        return Math.max(end, q + 1);
    }

    /** Whether o neither reads nor writes an array the run so far writes, nor writes one it reads; if so, o joins the run. */
    private static boolean independent(Op o, Set<Object> read, Set<Object> written) {
        for (Object a : o.in()) if (written.contains(a)) return false;
        for (Object[] w : new Object[][] {o.out(), o.inout()})
            for (Object a : w) if (written.contains(a) || read.contains(a)) return false;
        Collections.addAll(read, o.in());
        Collections.addAll(read, o.inout());
        Collections.addAll(written, o.out());
        Collections.addAll(written, o.inout());
        return true;
    }

    private static Set<Object> identitySet() { return Collections.newSetFromMap(new IdentityHashMap<>()); }

    /** Offsets per tensor in the multi-tensor kernel's order; 0 for an operation this pass does not merge. */
    static int arity(String kind) {
        return switch (kind) {
            case "adam" -> 4;
            case "ema" -> 2;
            case "fill" -> 1;
            default -> 0;
        };
    }

    /** The tensors of one per-tensor operation in the kernel's order (see ArenaRecorder#adamFamily, #ema, #fill). */
    private static Object[] tensors(Op o) {
        return switch (o.name()) {
            case "adam" -> new Object[] {o.inout()[0], o.in()[0], o.inout()[1], o.inout()[2]};   // p, g, m, v
            case "ema" -> new Object[] {o.inout()[0], o.in()[0]};                                // e, p
            case "fill" -> new Object[] {o.out()[0]};                                            // x
            default -> throw new IllegalArgumentException("no multi-tensor form of " + o.name());
        };
    }

    /** One operation doing all of {@code run} (same kind, same scalar values, independent: see {@link #runEnd}). */
    static Op merge(List<Op> run) {
        Op first = run.get(0);
        String kind = first.name();
        int count = run.size(), k = arity(kind);
        List<Object> in = new ArrayList<>(), out = new ArrayList<>(), inout = new ArrayList<>();
        int[] lens = new int[count];
        Object[][] tensors = new Object[count][];
        long total = 0;
        for (int t = 0; t < count; t++) {
            Op o = run.get(t);
            Collections.addAll(in, o.in());
            Collections.addAll(out, o.out());
            Collections.addAll(inout, o.inout());
            lens[t] = o.ints()[0];
            tensors[t] = tensors(o);
            total += lens[t];
        }
        if (total > Integer.MAX_VALUE) throw new IllegalArgumentException("a multi-tensor " + kind + " over more than 2^31 values");
        int n = (int) total;
        float[] s = first.scalars();
        ArenaRecorder.ArenaTask task = (g, p, A, offset) -> {
            int[] tab = new int[count + 1 + k * count];
            for (int t = 0; t < count; t++) {
                tab[t + 1] = tab[t] + lens[t];
                for (int c = 0; c < k; c++) tab[count + 1 + k * t + c] = offset.applyAsInt(tensors[t][c]);
            }
            int sO = offset.applyAsInt(s);
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, tab);
            return switch (kind) {
                case "adam" -> g.task(p, ArenaKernels::adamFamilyMulti, ArenaKernels.CONTEXT, A, tab, sO, count, n);
                case "ema" -> g.task(p, ArenaKernels::emaMulti, ArenaKernels.CONTEXT, A, tab, sO, count, n);
                default -> g.task(p, ArenaKernels::fillMulti, ArenaKernels.CONTEXT, A, tab, sO, count, n);
            };
        };
        return new Op(mergedName(kind), in.toArray(), out.toArray(), inout.toArray(), lens, s, Launch.one(n), task);
    }
}
