package scm.accel.tornado;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.ToIntFunction;
import scm.accel.tornado.ArenaRecorder.Launch;
import scm.accel.tornado.ArenaRecorder.Op;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;

/**
 * PyTorch's multi_tensor_apply ("foreach") for the device arena: a run of consecutive per-tensor operations of one kind
 * — {@code adam} (AdamF32#step: one per parameter tensor), {@code ema} (EmaF32#update) and {@code fill}
 * (NetworkF32#zeroGrad) — becomes ONE task over the concatenated tensors ({@link ArenaKernels#adamFamilyMulti},
 * {@link ArenaKernels#emaMulti}, {@link ArenaKernels#fillMulti}) instead of one tiny task each. Why: every TornadoVM task
 * launch costs ~60 µs on the H200, and these were 493 of the U-Net step's 1,379 tasks (issue 12: fewer, larger kernels).
 * The same pass merges runs of the small kernels of {@link ArenaMultiKernels} (Linear maps and their tangents, their
 * input and parameter gradients, PixelNorm and its projection, add, accumulate, the convolution gradients' chunk
 * reductions, which ArenaRecorder defers to the end of the backward pass): UNetF32 issues every block's
 * time conditioning phase by phase, so each phase is such a run (about 380 of the 28x28 step's tasks become 9).
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
 * which tensor, and at which offsets), so the optimizer kinds' results are bit-identical to the per-tensor tasks; the
 * kinds of {@link ArenaMultiKernels} that sum products may differ in the last bits where the device compiler contracts
 * a·b + c differently (ArenaMultiKernelsTest bounds them).
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
            if (end - q >= 2) {
                r.add(merge(ops.subList(q, end)));
            } else {
                end = chainEnd(ops, q);
                r.add(end - q >= 2 ? mergeChain(ops.subList(q, end)) : ops.get(q));
            }
            q = end;
        }
        return r;
    }

    /** The end (exclusive) of the mergeable run starting at q (q + 1 if none). */
    static int runEnd(List<Op> ops, int q) {
        Op first = ops.get(q);
        String kind = group(first.name());
        if (kind == null) return q + 1;
        boolean perTensor = arity(kind) > 0;
        Set<Object> read = identitySet(), written = identitySet();
        int end = q;
        while (end < ops.size()) {
            Op o = ops.get(end);
            if (!kind.equals(group(o.name())) || !Arrays.equals(o.scalars(), first.scalars()) || (perTensor && o.ints().length != 1)) break;
            if (!independent(o, read, written)) break;
            end++;
        }
        return Math.max(end, q + 1);
    }

    /**
     * The end (exclusive) of a chain of {@code accumulate}s into one array starting at q (q + 1 if none): the same
     * accumulator and length, no source being the accumulator. Such a run is not independent (each reads the sum the one
     * before wrote), so {@link #runEnd} stops it; as a chain it is one task adding the sources in order
     * ({@link ArenaMultiKernels#accumulateChain}).
     */
    static int chainEnd(List<Op> ops, int q) {
        Op first = ops.get(q);
        if (!MERGE_KERNELS || !first.name().equals("accumulate")) return q + 1;
        Object acc = first.inout()[0];
        int end = q;
        while (end < ops.size()) {
            Op o = ops.get(end);
            if (!o.name().equals("accumulate") || o.inout()[0] != acc || o.in()[0] == acc || o.ints()[0] != first.ints()[0]) break;
            end++;
        }
        return Math.max(end, q + 1);
    }

    /** One operation doing the chain {@code run} (see {@link #chainEnd}). */
    private static Op mergeChain(List<Op> run) {
        Op first = run.get(0);
        Object acc = first.inout()[0];
        int count = run.size(), len = first.ints()[0];
        Object[] sources = new Object[count];
        int[] ints = new int[count];
        for (int t = 0; t < count; t++) { sources[t] = run.get(t).in()[0]; ints[t] = len; }
        ArenaRecorder.ArenaTask task = (g, p, A, offset) -> {
            int[] tab = new int[count];
            for (int t = 0; t < count; t++) tab[t] = offset.applyAsInt(sources[t]);
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, tab);
            return g.task(p, ArenaMultiKernels::accumulateChain, ArenaKernels.CONTEXT, A, tab, offset.applyAsInt(acc), count, len);
        };
        return new Op("accumulateChain", sources, new Object[0], new Object[] {acc}, ints, null, Launch.one(len), task);
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

    /**
     * The merge group of an operation, or null if this pass does not merge it: the per-tensor optimizer kinds (adam, ema,
     * fill) and the small kernels of {@link ArenaMultiKernels} (a Linear map and its tangent form are one group: the same
     * kernel with and without bias).
     */
    static String group(String name) {
        return switch (name) {
            case "adam", "ema", "fill" -> name;
            case "inputGrad", "paramGrad", "pixelNorm", "pixelNormProject", "accumulate", "add", "conv2dParamGradReduce", "concat", "upsample2", "avgPool2" ->
                    MERGE_KERNELS ? name : null;
            case "linear", "linearTangent" -> MERGE_KERNELS ? "linear" : null;
            default -> null;
        };
    }

    /** The ArenaMultiKernels kinds merge unless {@code -Dscm.arena.mergeKernels=false} (for side-by-side timing). */
    static final boolean MERGE_KERNELS = !"false".equals(System.getProperty("scm.arena.mergeKernels"));

    /** Offsets per tensor in the multi-tensor kernel's order for the per-tensor kinds; 0 for the others. */
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
        if (arity(group(kind)) == 0) return mergeKernels(run, group(kind));
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

    // ---- the small kernels of ArenaMultiKernels (linear maps, their gradients, PixelNorm, sums)

    /** Work items of one operation of {@code kind} (of its first task; paramGrad: the weight task). */
    private static int items(String kind, Op o) {
        int[] n = o.ints();
        return switch (kind) {
            case "linear" -> n[0] * n[2];
            case "inputGrad" -> n[0] * n[1];
            case "paramGrad" -> n[2] * n[1];
            case "pixelNorm", "pixelNormProject" -> n[0];
            case "conv2dParamGradReduce" -> n[0] * n[1];   // cout · cols
            case "concat" -> n[0] * (n[1] + n[2]);            // n · (sa + sb)
            case "upsample2" -> n[0] * 4 * n[1] * n[2];       // planes · 2h · 2w
            case "avgPool2" -> n[0] * (n[1] / 2) * (n[2] / 2);
            default -> n[0];   // accumulate, add: len
        };
    }

    /** Table fields per operation (ArenaMultiKernels' order). */
    private static int fields(String kind) {
        return switch (kind) {
            case "linear" -> 7;
            case "inputGrad", "pixelNormProject", "conv2dParamGradReduce", "concat" -> 5;
            case "paramGrad" -> 6;
            case "pixelNorm", "upsample2", "avgPool2" -> 4;
            case "add" -> 3;
            default -> 2;   // accumulate
        };
    }

    /** Writes operation o's fields at tab[at...] (see ArenaMultiKernels). */
    private static void fill(String kind, Op o, int[] tab, int at, ToIntFunction<Object> off) {
        int[] n = o.ints();
        int[] f = switch (kind) {
            case "linear" -> new int[] {off.applyAsInt(o.in()[0]), off.applyAsInt(o.in()[1]), off.applyAsInt(o.in()[2]), off.applyAsInt(o.out()[0]), n[1], n[2],
                    o.name().equals("linear") ? 1 : 0};
            case "inputGrad" -> new int[] {off.applyAsInt(o.in()[0]), off.applyAsInt(o.in()[1]), off.applyAsInt(o.out()[0]), n[1], n[2]};
            case "paramGrad" -> new int[] {off.applyAsInt(o.in()[0]), off.applyAsInt(o.in()[1]), off.applyAsInt(o.inout()[0]), n[0], n[1], n[2]};
            case "pixelNorm" -> new int[] {off.applyAsInt(o.in()[0]), off.applyAsInt(o.out()[0]), off.applyAsInt(o.out()[1]), n[1]};
            case "pixelNormProject" -> new int[] {off.applyAsInt(o.in()[0]), off.applyAsInt(o.in()[1]), off.applyAsInt(o.in()[2]), off.applyAsInt(o.out()[0]), n[1]};
            case "add" -> new int[] {off.applyAsInt(o.in()[0]), off.applyAsInt(o.in()[1]), off.applyAsInt(o.out()[0])};
            case "conv2dParamGradReduce" -> new int[] {off.applyAsInt(o.in()[0]), off.applyAsInt(o.inout()[0]), off.applyAsInt(o.inout()[1]), n[1], n[2]};
            case "concat" -> new int[] {off.applyAsInt(o.in()[0]), off.applyAsInt(o.in()[1]), off.applyAsInt(o.out()[0]), n[1], n[2]};
            case "upsample2", "avgPool2" -> new int[] {off.applyAsInt(o.in()[0]), off.applyAsInt(o.out()[0]), n[1], n[2]};
            default -> new int[] {off.applyAsInt(o.inout()[0]), off.applyAsInt(o.in()[0])};   // accumulate: acc, x
        };
        System.arraycopy(f, 0, tab, at, f.length);
    }

    /** Cumulative starts then fields of {@code run} (the weight task's for paramGrad). */
    private static int[] table(String kind, List<Op> run, ToIntFunction<Object> off) {
        int count = run.size(), k = fields(kind);
        int[] tab = new int[count + 1 + k * count];
        for (int t = 0; t < count; t++) {
            tab[t + 1] = tab[t] + items(kind, run.get(t));
            fill(kind, run.get(t), tab, count + 1 + k * t, off);
        }
        return tab;
    }

    /** paramGrad's bias task: starts over the bias lengths, fields dyO, dbO, n, out. */
    private static int[] biasTable(List<Op> run, ToIntFunction<Object> off) {
        int count = run.size();
        int[] tab = new int[count + 1 + 4 * count];
        for (int t = 0; t < count; t++) {
            Op o = run.get(t);
            int[] n = o.ints();
            tab[t + 1] = tab[t] + n[2];
            int at = count + 1 + 4 * t;
            tab[at] = off.applyAsInt(o.in()[0]);
            tab[at + 1] = off.applyAsInt(o.inout()[1]);
            tab[at + 2] = n[0];
            tab[at + 3] = n[2];
        }
        return tab;
    }

    /** One operation doing all of {@code run} through ArenaMultiKernels (same group, same scalars, independent: {@link #runEnd}). */
    private static Op mergeKernels(List<Op> run, String kind) {
        Op first = run.get(0);
        int count = run.size();
        List<Object> in = new ArrayList<>(), out = new ArrayList<>(), inout = new ArrayList<>();
        List<Integer> ints = new ArrayList<>();
        long total = 0, totalB = 0;
        for (Op o : run) {
            Collections.addAll(in, o.in());
            Collections.addAll(out, o.out());
            Collections.addAll(inout, o.inout());
            for (int v : o.ints()) ints.add(v);
            ints.add(o.name().equals("linearTangent") ? 0 : 1);
            total += items(kind, o);
            if (kind.equals("paramGrad")) totalB += o.ints()[2];
        }
        if (total > Integer.MAX_VALUE) throw new IllegalArgumentException("a merged " + kind + " over more than 2^31 work items");
        int n = (int) total, nb = (int) totalB;
        float[] s = first.scalars();
        List<Op> ops = List.copyOf(run);
        ArenaRecorder.ArenaTask task = (g, p, A, offset) -> {
            int[] tab = table(kind, ops, offset);
            if (kind.equals("paramGrad")) {
                int[] tabB = biasTable(ops, offset);
                g.transferToDevice(DataTransferMode.FIRST_EXECUTION, tab, tabB);
                return g.task(p + "w", ArenaMultiKernels::weightGradMulti, ArenaKernels.CONTEXT, A, tab, count, n)
                        .task(p + "b", ArenaMultiKernels::biasGradMulti, ArenaKernels.CONTEXT, A, tabB, count, nb);
            }
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, tab);
            return switch (kind) {
                case "linear" -> g.task(p, ArenaMultiKernels::linearMulti, ArenaKernels.CONTEXT, A, tab, count, n);
                case "inputGrad" -> g.task(p, ArenaMultiKernels::inputGradMulti, ArenaKernels.CONTEXT, A, tab, count, n);
                case "pixelNorm" -> g.task(p, ArenaMultiKernels::pixelNormMulti, ArenaKernels.CONTEXT, A, tab, offset.applyAsInt(s), count, n);
                case "pixelNormProject" -> g.task(p, ArenaMultiKernels::pixelNormProjectMulti, ArenaKernels.CONTEXT, A, tab, count, n);
                case "add" -> g.task(p, ArenaMultiKernels::addMulti, ArenaKernels.CONTEXT, A, tab, count, n);
                case "conv2dParamGradReduce" -> g.task(p, ArenaMultiKernels::convReduceMulti, ArenaKernels.CONTEXT, A, tab, count, n);
                case "concat" -> g.task(p, ArenaMultiKernels::concatMulti, ArenaKernels.CONTEXT, A, tab, count, n);
                case "upsample2" -> g.task(p, ArenaMultiKernels::upsample2Multi, ArenaKernels.CONTEXT, A, tab, count, n);
                case "avgPool2" -> g.task(p, ArenaMultiKernels::avgPool2Multi, ArenaKernels.CONTEXT, A, tab, count, n);
                default -> g.task(p, ArenaMultiKernels::accumulateMulti, ArenaKernels.CONTEXT, A, tab, count, n);
            };
        };
        Launch launch = kind.equals("paramGrad") ? new Launch(new String[] {"w", "b"}, new int[] {n, nb}) : Launch.one(n);
        return new Op(mergedName(kind), in.toArray(), out.toArray(), inout.toArray(), ints.stream().mapToInt(Integer::intValue).toArray(), s, launch, task);
    }
}
