package scm.accel.tornado;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import scm.accel.tornado.ArenaRecorder.Op;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * A recorded computation ({@link ArenaRecorder}: e.g. a whole training step) resident on the device in llm.c's layout:
 * every array it uses is a range of ONE float array, the <i>arena</i>, and its {@link ArenaKernels} tasks run as a chain
 * of task graphs of at most {@link #maxTasks} tasks each, each graph handing the arena's device buffer to the next
 * ({@code persistOnDevice} / {@code consumeFromDevice}). Why a chain of graphs over one array: TornadoVM 5.2 holds at
 * most ~100 tasks and 1,024 nodes in one graph and passes device buffers only between consecutive graphs, only for
 * arrays their tasks touch (docs/gpu.md).
 *
 * <p>The chain: an upload graph (the arena, once), then c0 … c(k−1); c0 takes the arena from the upload graph at the
 * first step and from c(k−1) after that. Arrays are placed by their first use in the operation list: read first and {@code resident} (parameters,
 * optimizer moments, EMA, a teacher's weights) → the state region, uploaded once and read back on demand
 * ({@link #readBack}); read first and not resident (the batch, the times, host-computed per-sample factors, constants,
 * every operation's scalars) → the input region, copied in before every execution (one array, {@code in}); written
 * first (activations, tangents, gradients zeroed on the device) → the work region, device-only. {@code outputs} (e.g.
 * the per-sample losses) come back after every execution (one array, {@code out}). A later call may reuse the graphs if
 * it issued the same operations on the same arrays ({@link #matches}); its scalar values are what changes.
 */
public final class ArenaGraph implements AutoCloseable {
    /**
     * Operations per graph unless {@code -Dscm.arena.maxTasks} says otherwise: 60, below TornadoVM's 8 KB task buffer
     * (~100 tasks) and its 1,024-node graph (docs/gpu.md: per-graph limits). (Until the kernels became KernelContext
     * kernels, PTX needed 1: see {@link ArenaKernels} for the fault and its cause.)
     */
    static int maxTasks() {
        Integer asked = Integer.getInteger("scm.arena.maxTasks");
        if (asked == null) return 60;
        if (asked < 1) throw new IllegalArgumentException("-Dscm.arena.maxTasks must be >= 1, got " + asked);
        return asked;
    }

    /** Each tensor starts at a multiple of this many floats (128 bytes: aligned, coalesced rows). */
    private static final int ALIGN = Integer.getInteger("scm.arena.align", 32);

    private final List<Op> ops;
    private final float[] arena;
    /**
     * The per-step input and output regions: off-heap arrays written in place, so that the chain may be captured as
     * CUDA graphs (on PTX a per-execution copy of an on-heap {@code float[]} breaks a capture silently, docs/gpu.md).
     */
    private final FloatArray in, out;
    private final boolean captured;
    private final Map<Object, Integer> offset = new IdentityHashMap<>();
    private final List<Object> stateArrays = new ArrayList<>(), inputArrays = new ArrayList<>();
    private final int[] scalarOps;   // op index of each op with scalars, in input order
    private final Object[] outputs;
    private final int[] outputOffsets;
    private final TornadoExecutionPlan plan;
    private final int chunks, tasks, inBase;
    private final List<List<Integer>> parts;
    private final boolean foreach;
    private boolean uploaded, pulled = true;
    private TornadoExecutionResult last;

    private ArenaGraph(List<Op> ops, Set<Object> resident, Object[] outputs, int[] device, String name, boolean foreach) {
        this.foreach = foreach;
        this.ops = List.copyOf(ops);
        this.outputs = outputs.clone();
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Object> work = new ArrayList<>();
        List<Integer> withScalars = new ArrayList<>();
        for (int q = 0; q < ops.size(); q++) {
            Op o = ops.get(q);
            for (Object[] reads : new Object[][] {o.in(), o.inout()})
                for (Object a : reads)
                    if (seen.add(a)) (resident.contains(a) ? stateArrays : inputArrays).add(a);
            if (o.scalars() != null) { seen.add(o.scalars()); withScalars.add(q); }
            for (Object a : o.out())
                if (seen.add(a)) (resident.contains(a) ? stateArrays : work).add(a);
        }
        Set<Object> inputSet = Collections.newSetFromMap(new IdentityHashMap<>());
        inputSet.addAll(inputArrays);
        for (Op o : ops)
            for (Object[] writes : new Object[][] {o.out(), o.inout()})
                for (Object a : writes)
                    if (inputSet.contains(a))
                        throw new IllegalArgumentException("operation " + o.name() + " writes an array the host provides (read before any operation "
                                + "writes it): zero it on the device (Backend#fill) or declare it resident");
        scalarOps = withScalars.stream().mapToInt(Integer::intValue).toArray();
        long pos = 0;
        for (Object a : stateArrays) pos = place(a, pos);
        for (Object a : work) pos = place(a, pos);
        inBase = (int) pos;
        long inLen = 0;
        for (Object a : inputArrays) { offset.put(a, (int) (pos + inLen)); inLen += len(a); }
        for (int q : scalarOps) { offset.put(ops.get(q).scalars(), (int) (pos + inLen)); inLen += ops.get(q).scalars().length; }
        long total = pos + inLen;
        if (total > Integer.MAX_VALUE - 16)
            throw new IllegalArgumentException("the step needs " + total + " floats of device memory, more than one Java array holds (2^31): use a smaller batch");
        arena = new float[(int) total];
        in = new FloatArray((int) Math.max(1, inLen));
        for (Object a : stateArrays) System.arraycopy((float[]) a, 0, arena, offset.get(a), len(a));
        outputOffsets = new int[outputs.length];
        int outLen = 0;
        for (int k = 0; k < outputs.length; k++) {
            if (!offset.containsKey(outputs[k]) || inputSet.contains(outputs[k]))
                throw new IllegalArgumentException("output " + k + " is not computed by the recorded operations");
            outputOffsets[k] = outLen;
            outLen += len(outputs[k]);
        }
        out = new FloatArray(Math.max(1, outLen));

        // the chain: "up" (upload), c0 .. c(k-1) (the operations)
        parts = new ArrayList<>();
        List<Integer> cur = new ArrayList<>();
        int inCur = 0, taskCount = 0, perGraph = maxTasks();
        for (int q = 0; q < ops.size(); q++) {
            int t = ops.get(q).tasks();
            if (inCur + t > perGraph && !cur.isEmpty()) { parts.add(cur); cur = new ArrayList<>(); inCur = 0; }
            cur.add(q);
            inCur += t;
            taskCount += t;
        }
        if (!cur.isEmpty()) parts.add(cur);
        chunks = parts.size();
        tasks = taskCount;
        String up = name + "Up";
        List<ImmutableTaskGraph> graphs = new ArrayList<>();
        graphs.add(new TaskGraph(up).transferToDevice(DataTransferMode.FIRST_EXECUTION, arena).task("t", ArenaKernels::touch, ArenaKernels.CONTEXT, arena)
                .persistOnDevice(arena).snapshot());
        GridScheduler grid = new GridScheduler();
        grid(grid, up + ".t", 1);
        String last = name + "C" + (chunks - 1);
        for (int c = 0; c < chunks; c++) {
            String gname = name + "C" + c;
            TaskGraph g = new TaskGraph(gname);
            if (c == 0) {
                g.consumeFromDevice(up, arena);
                if (chunks > 1) g.consumeFromDevice(last, arena);
                g.transferToDevice(DataTransferMode.EVERY_EXECUTION, in).task("in", ArenaKernels::ingest, ArenaKernels.CONTEXT, in, arena, inBase, in.getSize());
                grid(grid, gname + ".in", in.getSize());
            } else {
                g.consumeFromDevice(name + "C" + (c - 1), arena);
            }
            for (int q : parts.get(c)) {
                Op o = ops.get(q);
                String prefix = "o" + q;
                g = o.task().add(g, prefix, arena, a -> offset.get(a));
                for (int s = 0; s < o.launch().suffixes().length; s++)
                    grid(grid, gname + "." + prefix + o.launch().suffixes()[s], o.launch().threads()[s], o.launch().local());
            }
            if (c == chunks - 1) {
                for (int k = 0; k < outputs.length; k++) {
                    g.task("out" + k, ArenaKernels::egest, ArenaKernels.CONTEXT, arena, out, offset.get(outputs[k]), outputOffsets[k], len(outputs[k]));
                    grid(grid, gname + ".out" + k, len(outputs[k]));
                }
                g.transferToHost(DataTransferMode.EVERY_EXECUTION, out);
            }
            g.persistOnDevice(arena);
            graphs.add(g.snapshot());
        }
        plan = new TornadoExecutionPlan(graphs.toArray(new ImmutableTaskGraph[0]));
        plan.withGridScheduler(grid);
        if (device != null) plan.withDevice(TornadoExecutionPlan.getDevice(device[0], device[1]));
        // on PTX/CUDA devices unless -Dscm.tornado.cudaGraph=false: each graph of the chain is captured at its first
        // execution and replayed after that (the arena's upload and hand-over stay outside the capture, TornadoVM's
        // TornadoVMGraphCompiler). H200, 28x28 U-Net sCT step at batch 128: the same losses and parameters as the
        // uncaptured chain to every printed digit, 73.8 vs 83.2 ms per step (docs/gpu.md §4, 2026-12-01)
        captured = TornadoResidentScmStep.capture(device, true);
        if (captured) plan.withCUDAGraph();
    }

    /** Task {@code task} gets exactly {@code threads} work items (TornadoBackend.workerGrid): every task of the chain has its grid. */
    private static void grid(GridScheduler grid, String task, int threads) { grid(grid, task, threads, 0); }

    /** … in work-groups of {@code local} items when the kernel needs that size (its local-memory reduction), else any. */
    private static void grid(GridScheduler grid, String task, int threads, int local) {
        grid.addWorkerGrid(task, local == 0 ? TornadoBackend.workerGrid(threads) : TornadoBackend.workerGrid(threads, local));
    }

    private long place(Object a, long pos) {
        offset.put(a, (int) pos);
        return (pos + len(a) + ALIGN - 1) / ALIGN * ALIGN;
    }

    private static int len(Object a) { return ((float[]) a).length; }

    /**
     * The chain for {@code ops}; {@code resident} arrays (identity) live on the device between executions, {@code outputs}
     * come back after each. The host arrays of resident state are copied into the arena now (upload at the first execution).
     */
    public static ArenaGraph build(String name, List<Op> ops, Set<Object> resident, Object[] outputs, int[] device) {
        return build(name, ops, resident, outputs, device, foreachDefault());
    }

    /** {@link #build}, with runs of per-tensor adam / ema / fill operations merged ({@link MultiTensorApply}) or not. */
    static ArenaGraph build(String name, List<Op> ops, Set<Object> resident, Object[] outputs, int[] device, boolean foreach) {
        return new ArenaGraph(foreach ? MultiTensorApply.coalesce(ops) : ops, resident, outputs, device, name, foreach);
    }

    // ---- multi-tensor pass: the graph holds the coalesced operations; every step's recorded list is coalesced the same way

    /** Merging unless {@code -Dscm.arena.foreach=false} (one task per tensor, as before: for comparison). */
    static boolean foreachDefault() { return !"false".equals(System.getProperty("scm.arena.foreach")); }

    /** A step's recorded operations as this graph runs them (coalesced on this step's scalar values if merging). */
    private List<Op> view(List<Op> calls) {
        if (!foreach) return calls;
        // A step asks twice for the same recorded list (matches, then execute): merge it once. Keyed by identity: the
        // recorder hands out a new list every step and no one changes one after that.
        if (calls != viewedCalls) { viewed = MultiTensorApply.coalesce(calls); viewedCalls = calls; }
        return viewed;
    }

    private List<Op> viewedCalls, viewed;

    /** {@link #view} for running: a list of another shape (e.g. a run that did not merge this step) would misplace scalars. */
    private List<Op> runnable(List<Op> calls) {
        List<Op> v = view(calls);
        if (v.size() != ops.size())
            throw new IllegalStateException("the step issued " + v.size() + " operations after merging, the chain runs " + ops.size() + ": check ArenaGraph#matches first");
        return v;
    }

    // ---- end of the multi-tensor pass

    /**
     * Whether {@code calls} are this graph's operations on the same arrays with the same integer arguments (after the
     * multi-tensor pass: a run whose scalar values differ within it this step does not merge, so it does not match).
     */
    public boolean matches(List<Op> recorded) {
        List<Op> calls = view(recorded);
        if (calls.size() != ops.size()) return false;
        for (int q = 0; q < ops.size(); q++) if (!ops.get(q).sameAs(calls.get(q))) return false;
        return true;
    }

    /** The host inputs' current contents and {@code calls}' scalars into the input array; the arena uploaded if not yet. */
    private void prepare(List<Op> calls) {
        int p = 0;
        MemorySegment seg = in.getSegment();
        for (Object a : inputArrays) { float[] f = (float[]) a; MemorySegment.copy(f, 0, seg, ValueLayout.JAVA_FLOAT, (long) p * Float.BYTES, f.length); p += f.length; }
        for (int q : scalarOps) { float[] s = calls.get(q).scalars(); MemorySegment.copy(s, 0, seg, ValueLayout.JAVA_FLOAT, (long) p * Float.BYTES, s.length); p += s.length; }
        if (!uploaded) { last = plan.withGraph(0).execute(); uploaded = true; }
    }

    /** Runs the chain with the host inputs' current contents and {@code calls}' scalar values; outputs are then on the host. */
    public void execute(List<Op> calls) {
        prepare(runnable(calls));
        for (int c = 0; c < chunks; c++) last = plan.withGraph(1 + c).execute();
        pulled = false;
        MemorySegment seg = out.getSegment();
        for (int k = 0; k < outputs.length; k++)
            MemorySegment.copy(seg, ValueLayout.JAVA_FLOAT, (long) outputOffsets[k] * Float.BYTES, (float[]) outputs[k], 0, len(outputs[k]));
    }

    /**
     * Diagnosis (built with one operation per graph, {@code -Dscm.arena.maxTasks=1}): runs the chain once, reading the
     * arena back after every graph, and returns a description of the first operation that changed arena values outside
     * the tensors it declares as written (an out-of-bounds write), or null if none did.
     */
    public String firstStrayWrite(List<Op> calls) {
        prepare(runnable(calls));
        last.transferToHost(arena);
        float[] before = arena.clone();
        String found = null;
        for (int c = 0; c < chunks; c++) {
            last = plan.withGraph(1 + c).execute();
            last.transferToHost(arena);
            boolean[] allowed = new boolean[arena.length];
            if (c == 0) java.util.Arrays.fill(allowed, inBase, inBase + in.getSize(), true);
            for (int q : parts.get(c))
                for (Object[] w : new Object[][] {ops.get(q).out(), ops.get(q).inout()})
                    for (Object a : w) java.util.Arrays.fill(allowed, offset.get(a), offset.get(a) + len(a), true);
            for (int j = 0; j < arena.length && found == null; j++)
                if (!allowed[j] && Float.floatToRawIntBits(arena[j]) != Float.floatToRawIntBits(before[j]))
                    found = "graph " + c + " (" + describeOps(parts.get(c)) + ") wrote arena[" + j + "] = " + arena[j] + " (was " + before[j] + "), inside "
                            + owner(j);
            if (found != null) return found;
            before = arena.clone();
        }
        pulled = false;
        return null;
    }

    private String describeOps(List<Integer> qs) {
        StringBuilder b = new StringBuilder();
        for (int q : qs) b.append(b.isEmpty() ? "" : ", ").append(ops.get(q).name()).append(java.util.Arrays.toString(ops.get(q).ints()));
        return b.toString();
    }

    /** Which tensor (by first-use operation) holds arena index j. */
    private String owner(int j) {
        for (var e : offset.entrySet()) {
            int o = e.getValue(), l = len(e.getKey());
            if (j >= o && j < o + l) {
                for (int q = 0; q < ops.size(); q++) {
                    Op op = ops.get(q);
                    for (Object[] arr : new Object[][] {op.in(), op.out(), op.inout()})
                        for (Object a : arr) if (a == e.getKey()) return "a tensor of " + l + " floats at " + o + " first used by op " + q + " " + op.name();
                }
                return "a tensor of " + l + " floats at " + o;
            }
        }
        return "padding";
    }

    /**
     * Copies the device's resident state back into its host arrays: the whole arena comes back once, through the last
     * graph's on-demand transfer (its {@code persistOnDevice}), as the fused graphs read their state back.
     */
    public void readBack() {
        if (pulled) return;
        last.transferToHost(arena);
        for (Object a : stateArrays) System.arraycopy(arena, offset.get(a), (float[]) a, 0, len(a));
        pulled = true;
    }

    public int tasks() { return tasks; }

    public int graphs() { return chunks; }

    /** e.g. "one 2,140 MB device arena, 1,090 tasks in 19 TornadoVM graphs, 412 KB copied in per step". */
    public String describe() {
        return String.format("one %.1f MB device arena, %d tasks in %d chained TornadoVM graphs%s, %d KB copied in and %d KB out per step",
                arena.length * 4.0 / (1 << 20), tasks, chunks, captured ? " (captured as CUDA graphs)" : "", (in.getSize() * 4L + 1023) / 1024, (out.getSize() * 4L + 1023) / 1024);
    }

    @Override public void close() {
        try { plan.close(); } catch (Exception ignored) { /* freeing device memory only */ }
    }
}
