package scm.accel.tornado;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import scm.accel.backend.Backend;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/**
 * The {@link Backend} on TornadoVM (OpenCL, PTX or SPIR-V device, whatever the TornadoVM runtime offers;
 * choose with {@code -Dscm.tornado.device=BACKEND:DEVICE}, default TornadoVM's default device). Each
 * operation runs {@link TornadoKernels} as a one-task graph; its execution plan is compiled once per
 * (operation, arrays, sizes) and cached, so a model with stable buffers compiles each kernel once.
 * Every array is copied to the device and the outputs back on every call: correct and simple, but
 * transfer-bound; whole-network graphs that keep weights and activations on the device are
 * {@link TornadoMlpForward}. The U-Net operations run {@link TornadoUNetKernels} the same way. An output array that
 * a kernel only writes is copied back whole but not copied in (TornadoVM's access analysis overrides the listed
 * transfer), so its elements past the range an operation writes come back undefined (TornadoUNetKernelsGuardTest).
 * Built only with the Maven profile {@code -Ptornado}.
 */
public final class TornadoBackend implements Backend {
    /**
     * Plans kept before all are dropped. Must exceed one training step's working set, else every step recompiles every
     * kernel: counted with a recording backend, a U-Net forward + JVP + backward + weight head uses 615 distinct
     * (operation, arrays) plans for the tiny 8x8 preset and 796 for the 28x28 one (a teacher network as many again).
     */
    private static final int MAX_PLANS = 4096;
    private static final float[] NONE = new float[1];
    /** The device-memory cap set when the user gives none (see {@link #strict()}). */
    static final String DEVICE_MEMORY = "32GB";

    private final Map<Key, TornadoExecutionPlan> plans = new LinkedHashMap<>();
    private final int[] device;

    /**
     * TornadoVM's default on a kernel that fails to compile is to run the Java code sequentially on the host
     * ("bailout") with only a console message. We turn that off (unless the user set it) so a failed
     * kernel is an error, never a silent switch to the host. Must run before the TornadoVM runtime starts.
     */
    static void strict() {
        if (System.getProperty("tornado.recover.bailout") == null) System.setProperty("tornado.recover.bailout", "False");
        // TornadoVM's per-graph bytecode buffer defaults to 4096 bytes; the 55-task forward graph
        // (TornadoMlpForward) overflows it, and the overflow surfaces only as a bailout.
        if (System.getProperty("tornado.tvm.maxbytecodesize") == null) System.setProperty("tornado.tvm.maxbytecodesize", "65536");
        // TornadoVM caps the device memory all plans may hold at 4 GB unless told otherwise, and every per-operation plan
        // keeps its own device copy of its arrays: the 28x28 U-Net at batch 128 passes that cap (measured on the H200:
        // TornadoOutOfMemoryException). The cap is bookkeeping, not a reservation; -Dtornado.device.memory overrides it.
        if (System.getProperty("tornado.device.memory") == null) System.setProperty("tornado.device.memory", DEVICE_MEMORY);
    }

    public TornadoBackend() {
        strict();
        try {
            TornadoRuntimeProvider.getTornadoRuntime().getBackend(0).getDevice(0);
        } catch (Throwable e) {
            throw new IllegalStateException("TornadoVM runtime is not usable (run java with @$TORNADOVM_HOME/tornado-argfile): " + e, e);
        }
        String dev = System.getProperty("scm.tornado.device");
        device = dev == null ? null : Arrays.stream(dev.split(":")).mapToInt(Integer::parseInt).toArray();
    }

    @Override public String name() { return "tornado"; }

    /** The device the plans run on, in TornadoVM's words. */
    public String deviceDescription() {
        var d = device == null ? TornadoExecutionPlan.getDevice(0, 0) : TornadoExecutionPlan.getDevice(device[0], device[1]);
        return d.getPhysicalDevice().getDeviceName() + " (" + d.getTornadoVMBackend() + ")";
    }

    private record Key(String op, Object[] arrays, int[] ints) {
        @Override public boolean equals(Object o) {
            if (!(o instanceof Key k) || !k.op.equals(op) || !Arrays.equals(k.ints, ints) || k.arrays.length != arrays.length) return false;
            for (int i = 0; i < arrays.length; i++) if (k.arrays[i] != arrays[i]) return false;
            return true;
        }

        @Override public int hashCode() {
            int h = op.hashCode() * 31 + Arrays.hashCode(ints);
            for (Object a : arrays) h = h * 31 + System.identityHashCode(a);
            return h;
        }
    }

    /** How an operation becomes task(s) of a graph: tasks named {@code prefix} (+ suffix), scalars from {@code s}. */
    @FunctionalInterface
    interface Tasks { TaskGraph add(TaskGraph g, String prefix, float[] s); }

    /**
     * One backend operation: the arrays it only reads ({@code in}), only writes ({@code out}) and reads and writes
     * ({@code inout}: the accumulating gradients, the optimizer's and EMA's state), its integer arguments, its float
     * scalars (passed to the kernel as a small array, so a recorded graph can take new values every execution), its
     * launch (null: TornadoVM's) and its task(s).
     */
    record Op(String name, Object[] in, Object[] out, Object[] inout, int[] ints, float[] scalars, Launch launch, Tasks tasks) {
        /** Same operation on the same arrays with the same integer arguments (scalar values may differ). */
        boolean sameAs(Op o) {
            return name.equals(o.name) && Arrays.equals(ints, o.ints) && same(in, o.in) && same(out, o.out) && same(inout, o.inout)
                    && (scalars == null ? o.scalars == null : o.scalars != null && scalars.length == o.scalars.length);
        }

        private static boolean same(Object[] a, Object[] b) {
            if (a.length != b.length) return false;
            for (int q = 0; q < a.length; q++) if (a[q] != b[q]) return false;
            return true;
        }
    }

    /**
     * Work items per work group for the U-Net operations. Left to itself, TornadoVM's PTX scheduler launches a
     * one-dimensional {@code @Parallel} loop with the largest divisor of its trip count up to 1024 threads per block,
     * whatever the kernel's register count; the U-Net's heavier kernels then fail to launch on the H200 with
     * CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES (701, measured). 128 threads fit any kernel's registers (65,536 per
     * multiprocessor / 128 = 512 per thread, above the 255 a thread can have) and are a multiple of the warp size.
     */
    static final int LOCAL = 128;

    private static final Object[] NO = new Object[0];
    /** Shared scalar arrays of the per-operation plans, by length (part of each plan's key, refilled per call). */
    private final Map<Integer, float[]> scalarArrays = new HashMap<>();
    /** Operations of the recording in progress ({@link #record}), or null: every operation runs at once. */
    private List<Op> recording;

    private void run(String op, Object[] in, Object[] out, Object[] inout, int[] ints, float[] scalars, Launch launch, Tasks tasks) {
        Op o = new Op(op, in, out, inout, ints, scalars, launch, tasks);
        if (recording != null) recording.add(o);
        else runNow(o);
    }

    /**
     * Runs one operation as a one-task graph with a cached plan: every array goes to the device, the written ones come
     * back. A task {@code names[q]} with a launch gets exactly {@code threads[q]} work items (its {@code @Parallel} trip
     * count: under a GridScheduler TornadoVM takes the loop bounds from the grid and drops the bound check, so extra
     * work items would write past the arrays; seen as heap corruption on PoCL) in groups of {@link #groupSize}.
     */
    private void runNow(Op o) {
        float[] s = NONE;
        if (o.scalars != null) {
            s = scalarArrays.computeIfAbsent(o.scalars.length, float[]::new);
            System.arraycopy(o.scalars, 0, s, 0, s.length);
        }
        Object[] all = concat(o.in, o.inout, o.out, new Object[] {s});
        Key key = new Key(o.name, all, o.ints);
        TornadoExecutionPlan plan = plans.get(key);
        if (plan == null) {
            if (plans.size() >= MAX_PLANS) clear();
            TaskGraph g = new TaskGraph(o.name + plans.size()).transferToDevice(DataTransferMode.EVERY_EXECUTION, distinct(all));
            g = o.tasks.add(g, "t", s).transferToHost(DataTransferMode.EVERY_EXECUTION, distinct(concat(o.inout, o.out)));
            plan = new TornadoExecutionPlan(g.snapshot());
            GridScheduler grid = new GridScheduler();
            if (launch(grid, g.getTaskGraphName(), "t", o.launch)) plan.withGridScheduler(grid);
            if (device != null) plan.withDevice(TornadoExecutionPlan.getDevice(device[0], device[1]));
            plans.put(key, plan);
        }
        plan.execute();
    }

    /** Adds the work grids of {@code launch} (if any) for the tasks named {@code prefix} + suffix; whether it added any. */
    private static boolean launch(GridScheduler grid, String graph, String prefix, Launch launch) {
        if (launch == null) return false;
        for (int q = 0; q < launch.suffixes.length; q++) {
            int threads = Math.max(1, launch.threads[q]);
            WorkerGrid1D wg = new WorkerGrid1D(threads);
            wg.setLocalWork(groupSize(threads), 1, 1);
            grid.addWorkerGrid(graph + "." + prefix + launch.suffixes[q], wg);
        }
        return true;
    }

    /** The largest divisor of {@code threads} up to {@link #LOCAL} (a work group size must divide the global size). */
    static int groupSize(int threads) {
        for (int l = Math.min(LOCAL, threads); l > 1; l--) if (threads % l == 0) return l;
        return 1;
    }

    /** Task-name suffixes of an operation's tasks and the work items each needs (its {@code @Parallel} trip count). */
    record Launch(String[] suffixes, int[] threads) {
        static Launch one(int threads) { return new Launch(new String[] {""}, new int[] {threads}); }
    }

    private static Object[] concat(Object[]... parts) {
        return Arrays.stream(parts).flatMap(Arrays::stream).toArray();
    }

    private static Object[] distinct(Object[] a) {
        return Arrays.stream(a).filter(java.util.Objects::nonNull).map(IdentityBox::new).distinct().map(IdentityBox::o).toArray();
    }

    private record IdentityBox(Object o) {
        @Override public boolean equals(Object x) { return x instanceof IdentityBox b && b.o == o; }
        @Override public int hashCode() { return System.identityHashCode(o); }
    }

    private void clear() {
        for (TornadoExecutionPlan p : plans.values()) {
            try { p.close(); } catch (Exception ignored) { /* freeing device memory only */ }
        }
        plans.clear();
    }

    private static Object[] a(Object... xs) { return xs; }

    private static int[] i(int... xs) { return xs; }

    private static float[] f(float... xs) { return xs; }

    /** The placeholder passed where an operation has no scalars. */
    static float[] noScalars() { return NONE; }

    // ---- recording: a whole call (e.g. one training step) as one resident task graph

    /**
     * Collects the operations {@code body} issues instead of running them: the caller then runs them as one graph
     * ({@link RecordedGraph#execute}). {@code body} must touch its arrays only through this backend (the networks and
     * objectives of scm.accel do: Backend#fill/#copy replace host fills and copies), since the host code runs once per
     * call but the operations run later, on the device.
     */
    public List<Op> record(Runnable body) {
        if (recording != null) throw new IllegalStateException("already recording");
        recording = new ArrayList<>();
        try {
            body.run();
            return recording;
        } finally {
            recording = null;
        }
    }

    int[] device() { return device; }

    @Override public void linear(float[] x, float[] w, float[] b, float[] y, int n, int in, int out) {
        run("linear", a(x, w, b), a(y), NO, i(n, in, out), null, null, (g, p, s) -> g.task(p, TornadoKernels::linear, x, w, b, y, n, in, out, 1));
    }

    @Override public void linearTangent(float[] dx, float[] w, float[] dy, int n, int in, int out) {
        run("linearTangent", a(dx, w, NONE), a(dy), NO, i(n, in, out), null, null, (g, p, s) -> g.task(p, TornadoKernels::linear, dx, w, NONE, dy, n, in, out, 0));
    }

    @Override public void linearInputGrad(float[] dy, float[] w, float[] dx, int n, int in, int out) {
        run("inputGrad", a(dy, w), a(dx), NO, i(n, in, out), null, null, (g, p, s) -> g.task(p, TornadoKernels::inputGrad, dy, w, dx, n, in, out));
    }

    @Override public void linearParamGrad(float[] dy, float[] x, float[] dw, float[] db, int n, int in, int out) {
        run("paramGrad", a(dy, x), NO, a(dw, db), i(n, in, out), null, null, (g, p, s) -> g.task(p + "w", TornadoKernels::weightGrad, dy, x, dw, n, in, out)
                .task(p + "b", TornadoKernels::biasGrad, dy, db, n, out));
    }

    @Override public void silu(float[] x, float[] y, float[] slope, int len) {
        run("silu", a(x), a(y, slope), NO, i(len), null, null, (g, p, s) -> g.task(p, TornadoKernels::silu, x, y, slope, len));
    }

    @Override public void mul(float[] x, float[] y, float[] out, int len) {
        run("mul", a(x, y), a(out), NO, i(len), null, null, (g, p, s) -> g.task(p, TornadoKernels::mul, x, y, out, len));
    }

    @Override public void add(float[] x, float[] y, float[] out, int len) {
        run("add", a(x, y), a(out), NO, i(len), null, null, (g, p, s) -> g.task(p, TornadoKernels::add, x, y, out, len));
    }

    @Override public void accumulate(float[] acc, float[] x, int len) {
        run("accumulate", a(x), NO, a(acc), i(len), null, null, (g, p, s) -> g.task(p, TornadoKernels::accumulate, acc, x, len));
    }

    @Override public void fill(float[] x, float value, int len) {
        run("fill", NO, a(x), NO, i(len), f(value), null, (g, p, s) -> g.task(p, TornadoKernels::fill, x, s, len));
    }

    @Override public void copy(float[] src, float[] dst, int len) {
        run("copy", a(src), a(dst), NO, i(len), null, null, (g, p, s) -> g.task(p, TornadoKernels::copy, src, dst, len));
    }

    @Override public void scaleShift(float[] h, float[] sc, float[] b, float[] y, int len) {
        run("scaleShift", a(h, sc, b), a(y), NO, i(len), null, null, (g, p, s) -> g.task(p, TornadoKernels::scaleShift, h, sc, b, y, len));
    }

    @Override public void scaleShiftTangent(float[] h, float[] dh, float[] sc, float[] ds, float[] db, float[] dy, int len) {
        run("scaleShiftTangent", a(h, dh, sc, ds, db), a(dy), NO, i(len), null, null, (g, p, s) -> g.task(p, TornadoKernels::scaleShiftTangent, h, dh, sc, ds, db, dy, len));
    }

    @Override public void layerNorm(float[] x, float[] xhat, float[] r, int n, int d, float eps) {
        run("layerNorm", a(x), a(xhat, r), NO, i(n, d), f(eps), null, (g, p, s) -> g.task(p, TornadoKernels::layerNorm, x, xhat, r, s, n, d));
    }

    @Override public void layerNormProject(float[] xhat, float[] r, float[] v, float[] out, int n, int d) {
        run("layerNormProject", a(xhat, r, v), a(out), NO, i(n, d), null, null, (g, p, s) -> g.task(p, TornadoKernels::layerNormProject, xhat, r, v, out, n, d));
    }

    @Override public void affine(float[] v, float[] gamma, float[] beta, boolean withShift, float[] y, int n, int d) {
        float[] b = beta == null ? NONE : beta;
        int ws = withShift ? 1 : 0;
        run("affine", a(v, gamma, b), a(y), NO, i(n, d, ws), null, null, (g, p, s) -> g.task(p, TornadoKernels::affine, v, gamma, b, y, n, d, ws));
    }

    @Override public void affineGrad(float[] dy, float[] xhat, float[] dgamma, float[] dbeta, int n, int d) {
        run("affineGrad", a(dy, xhat), NO, a(dgamma, dbeta), i(n, d), null, null, (g, p, s) -> g.task(p, TornadoKernels::affineGrad, dy, xhat, dgamma, dbeta, n, d));
    }

    @Override public void pixelNorm(float[] x, float[] y, float[] r, int n, int d, float eps) {
        run("pixelNorm", a(x), a(y, r), NO, i(n, d), f(eps), null, (g, p, s) -> g.task(p, TornadoKernels::pixelNorm, x, y, r, s, n, d));
    }

    @Override public void pixelNormProject(float[] y, float[] r, float[] v, float[] out, int n, int d) {
        run("pixelNormProject", a(y, r, v), a(out), NO, i(n, d), null, null, (g, p, s) -> g.task(p, TornadoKernels::pixelNormProject, y, r, v, out, n, d));
    }

    @Override public void positional(float[] t, float[] dt, boolean tangent, float[] freq, float[] e, float[] de, int n, int half) {
        float[] dtx = dt == null ? NONE : dt, dex = de == null ? NONE : de;
        int tg = tangent ? 1 : 0;
        run("positional", a(t, dtx, freq), a(e, dex), NO, i(n, half, tg), null, null,
                (g, p, s) -> g.task(p, TornadoKernels::positional, t, dtx, freq, e, dex, n, half, tg));
    }

    @Override public void positionalBackward(float[] t, float[] freq, float[] gr, float[] dtOut, int n, int half) {
        run("positionalBackward", a(t, freq, gr), a(dtOut), NO, i(n, half), null, null,
                (g, p, s) -> g.task(p, TornadoKernels::positionalBackward, t, freq, gr, dtOut, n, half));
    }

    @Override public void fourier(float[] t, float[] dt, boolean tangent, float[] fa, float[] fp, float[] e, float[] de, int n, int dim) {
        float[] dtx = dt == null ? NONE : dt, dex = de == null ? NONE : de;
        int tg = tangent ? 1 : 0;
        run("fourier", a(t, dtx, fa, fp), a(e, dex), NO, i(n, dim, tg), null, null,
                (g, p, s) -> g.task(p, TornadoKernels::fourier, t, dtx, fa, fp, e, dex, n, dim, tg));
    }

    @Override public void fourierBackward(float[] t, float[] fa, float[] fp, float[] gr, float[] dtOut, int n, int dim) {
        run("fourierBackward", a(t, fa, fp, gr), a(dtOut), NO, i(n, dim), null, null,
                (g, p, s) -> g.task(p, TornadoKernels::fourierBackward, t, fa, fp, gr, dtOut, n, dim));
    }

    @Override public void noisy(float[] x0, float[] z, float[] t, float[] xt, float[] dxdt, int n, int d) {
        run("noisy", a(x0, z, t), a(xt, dxdt), NO, i(n, d), null, null, (g, p, s) -> g.task(p, TornadoKernels::noisy, x0, z, t, xt, dxdt, n, d));
    }

    @Override public void scale(float[] x, float factor, float[] out, int len) {
        run("scale", a(x), a(out), NO, i(len), f(factor), null, (g, p, s) -> g.task(p, TornadoKernels::scale, x, s, out, len));
    }

    @Override public void rowScale(float[] x, float[] sc, float[] out, int n, int d) {
        run("rowScale", a(x, sc), a(out), NO, i(n, d), null, null, (g, p, s) -> g.task(p, TornadoKernels::rowScale, x, sc, out, n, d));
    }

    @Override public void consistency(float[] x, float[] fx, float[] t, float sigmaD, float[] out, int n, int d) {
        run("consistency", a(x, fx, t), a(out), NO, i(n, d), f(sigmaD), null, (g, p, s) -> g.task(p, TornadoKernels::consistency, x, fx, t, s, out, n, d));
    }

    @Override public void tangent(float[] fMinus, float[] jvp, float[] xt, float[] dxdt, float[] t, float sigmaD, float r, float c,
                                  float[] gOut, int n, int d) {
        run("tangent", a(fMinus, jvp, xt, dxdt, t), a(gOut), NO, i(n, d), f(sigmaD, r, c), null,
                (g, p, s) -> g.task(p, TornadoKernels::tangent, fMinus, jvp, xt, dxdt, t, s, gOut, n, d));
    }

    @Override public void loss(float[] fx, float[] fMinus, float[] gr, float[] w, float[] loss, float[] dF, float[] dw, int n, int d) {
        run("loss", a(fx, fMinus, gr, w), a(loss, dF, dw), NO, i(n, d), null, null,
                (g, p, s) -> g.task(p, TornadoKernels::loss, fx, fMinus, gr, w, loss, dF, dw, n, d));
    }

    @Override public void adamFamily(float[] pr, float[] gr, float[] m, float[] v, float beta1, float beta2, float a, float sc, float eps,
                                     boolean adaptive, int len) {
        run("adam", a(gr), NO, a(pr, m, v), i(len), f(beta1, beta2, a, sc, eps, adaptive ? 1f : 0f), null,
                (g, p, s) -> g.task(p, TornadoKernels::adamFamily, pr, gr, m, v, s, len));
    }

    @Override public void ema(float[] e, float[] pr, float beta, int len) {
        run("ema", a(pr), NO, a(e), i(len), f(beta), null, (g, p, s) -> g.task(p, TornadoKernels::ema, e, pr, s, len));
    }

    // ---- U-Net ops: TornadoUNetKernels, one task per operation (two for the parameter gradient), wired like the MLP ops.

    private float[] attentionScratch = NONE;

    /** The attention kernels' per-row scratch (global memory, never read back), grown on demand. */
    private float[] attentionScratch(int size) {
        if (attentionScratch.length < size) attentionScratch = new float[size];
        return attentionScratch;
    }

    @Override public void conv2d(float[] x, float[] w, float[] b, boolean hasBias, float[] y, int n, int cin, int h, int wd, int cout, int k) {
        float[] bx = hasBias ? b : NONE;
        int hb = hasBias ? 1 : 0, total = n * cout * h * wd;
        run("conv2d", a(x, w, bx), a(y), NO, i(n, cin, h, wd, cout, k, hb), null, Launch.one(total),
                (g, p, s) -> g.task(p, TornadoUNetKernels::conv2d, x, w, bx, y, cin, h, wd, cout, k, hb, total));
    }

    @Override public void conv2dInputGrad(float[] dy, float[] w, float[] dx, int n, int cin, int h, int wd, int cout, int k) {
        int total = n * cin * h * wd;
        run("conv2dInputGrad", a(dy, w), a(dx), NO, i(n, cin, h, wd, cout, k), null, Launch.one(total),
                (g, p, s) -> g.task(p, TornadoUNetKernels::conv2dInputGrad, dy, w, dx, cin, h, wd, cout, k, total));
    }

    @Override public void conv2dParamGrad(float[] dy, float[] x, float[] dw, float[] db, int n, int cin, int h, int wd, int cout, int k) {
        int total = cout * cin * k * k, plane = h * wd;
        run("conv2dParamGrad", a(dy, x), NO, a(dw, db), i(n, cin, h, wd, cout, k), null, new Launch(new String[] {"w", "b"}, new int[] {total, cout}),
                (g, p, s) -> g.task(p + "w", TornadoUNetKernels::conv2dWeightGrad, dy, x, dw, n, cin, h, wd, cout, k, total)
                        .task(p + "b", TornadoUNetKernels::conv2dBiasGrad, dy, db, n, cout, plane));
    }

    @Override public void channelAffine(float[] v, float[] gamma, float[] beta, boolean withShift, float[] y, int n, int c, int plane) {
        float[] bx = withShift ? beta : NONE;
        int ws = withShift ? 1 : 0, total = n * c * plane;
        run("channelAffine", a(v, gamma, bx), a(y), NO, i(n, c, plane, ws), null, Launch.one(total),
                (g, p, s) -> g.task(p, TornadoUNetKernels::channelAffine, v, gamma, bx, y, c, plane, ws, total));
    }

    @Override public void channelAffineGrad(float[] dy, float[] xhat, float[] dgamma, float[] dbeta, int n, int c, int plane) {
        run("channelAffineGrad", a(dy, xhat), NO, a(dgamma, dbeta), i(n, c, plane), null, Launch.one(c),
                (g, p, s) -> g.task(p, TornadoUNetKernels::channelAffineGrad, dy, xhat, dgamma, dbeta, n, c, plane));
    }

    @Override public void modulate(float[] xhat, float[] sc, float[] b, float[] y, int planes, int plane) {
        int total = planes * plane;
        run("modulate", a(xhat, sc, b), a(y), NO, i(planes, plane), null, Launch.one(total),
                (g, p, s) -> g.task(p, TornadoUNetKernels::modulate, xhat, sc, b, y, plane, total));
    }

    @Override public void modulateTangent(float[] xhat, float[] dxhat, float[] sc, float[] ds, float[] db, float[] dy, int planes, int plane) {
        int total = planes * plane;
        run("modulateTangent", a(xhat, dxhat, sc, ds, db), a(dy), NO, i(planes, plane), null, Launch.one(total),
                (g, p, s) -> g.task(p, TornadoUNetKernels::modulateTangent, xhat, dxhat, sc, ds, db, dy, plane, total));
    }

    @Override public void modulateGrad(float[] dy, float[] xhat, float[] sc, float[] dxhat, float[] ds, float[] db, int planes, int plane) {
        run("modulateGrad", a(dy, xhat, sc), a(dxhat, ds, db), NO, i(planes, plane), null, Launch.one(planes),
                (g, p, s) -> g.task(p, TornadoUNetKernels::modulateGrad, dy, xhat, sc, dxhat, ds, db, planes, plane));
    }

    @Override public void avgPool2(float[] x, float[] y, int planes, int h, int wd) {
        int total = planes * (h / 2) * (wd / 2);
        run("avgPool2", a(x), a(y), NO, i(planes, h, wd), null, Launch.one(total), (g, p, s) -> g.task(p, TornadoUNetKernels::avgPool2, x, y, h, wd, total));
    }

    @Override public void avgPool2Backward(float[] dy, float[] dx, int planes, int h, int wd) {
        int total = planes * (h / 2) * (wd / 2);
        run("avgPool2Backward", a(dy), a(dx), NO, i(planes, h, wd), null, Launch.one(total),
                (g, p, s) -> g.task(p, TornadoUNetKernels::avgPool2Backward, dy, dx, h, wd, total));
    }

    @Override public void upsample2(float[] x, float[] y, int planes, int h, int wd) {
        int total = planes * 4 * h * wd;
        run("upsample2", a(x), a(y), NO, i(planes, h, wd), null, Launch.one(total), (g, p, s) -> g.task(p, TornadoUNetKernels::upsample2, x, y, h, wd, total));
    }

    @Override public void upsample2Backward(float[] dy, float[] dx, int planes, int h, int wd) {
        int total = planes * h * wd;
        run("upsample2Backward", a(dy), a(dx), NO, i(planes, h, wd), null, Launch.one(total),
                (g, p, s) -> g.task(p, TornadoUNetKernels::upsample2Backward, dy, dx, h, wd, total));
    }

    @Override public void concat(float[] xa, float[] xb, float[] y, int n, int sa, int sb) {
        int total = n * (sa + sb);
        run("concat", a(xa, xb), a(y), NO, i(n, sa, sb), null, Launch.one(total), (g, p, s) -> g.task(p, TornadoUNetKernels::concat, xa, xb, y, sa, sb, total));
    }

    @Override public void split(float[] gr, float[] ga, float[] gb, int n, int sa, int sb) {
        int total = n * (sa + sb);
        run("split", a(gr), a(ga, gb), NO, i(n, sa, sb), null, Launch.one(total), (g, p, s) -> g.task(p, TornadoUNetKernels::split, gr, ga, gb, sa, sb, total));
    }

    @Override public void attention(float[] qkv, float[] tqkv, boolean tangent, float[] o, float[] to, int n, int heads, int c, int len, int block) {
        int rows = n * heads * len;
        float[] sc = attentionScratch(rows * 2 * block);
        if (tangent)
            run("flashJvp", a(qkv, tqkv), a(o, to, sc), NO, i(n, heads, c, len, block), null, Launch.one(rows),
                    (g, p, s) -> g.task(p, TornadoUNetKernels::flashJvp, qkv, tqkv, o, to, sc, c, heads, len, block, rows));
        else
            run("flash", a(qkv), a(o, sc), NO, i(n, heads, c, len, block), null, Launch.one(rows),
                    (g, p, s) -> g.task(p, TornadoUNetKernels::flash, qkv, o, sc, c, heads, len, block, rows));
    }

    @Override public void attentionBackward(float[] qkv, float[] o, float[] dO, float[] dqkv, int n, int heads, int c, int len) {
        int sampleHeads = n * heads;
        float[] pr = attentionScratch(sampleHeads * len);
        run("attentionBackward", a(qkv, o, dO), a(dqkv, pr), NO, i(n, heads, c, len), null, Launch.one(sampleHeads),
                (g, p, s) -> g.task(p, TornadoUNetKernels::attentionBackward, qkv, o, dO, dqkv, pr, c, heads, len, sampleHeads));
    }

    @Override public void close() { clear(); }
}
