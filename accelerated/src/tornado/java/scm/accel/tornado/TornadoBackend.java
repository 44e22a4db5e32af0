package scm.accel.tornado;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
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
    /** The length of each of TornadoVM's per-graph event wait lists set when the user gives none (see {@link #strict()}). */
    static final String MAX_EVENTS = "512";
    /** The OpenCL compiler flags set when the user gives none (see {@link #strict()}): warnings off, nothing relaxed. */
    static final String OPENCL_FLAGS = "-w";

    private final Map<Key, TornadoExecutionPlan> plans = new LinkedHashMap<>();
    private final int[] device;
    private final float[] s1 = new float[1], s3 = new float[3], s5 = new float[5];

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
        // TornadoVM's interpreter keeps one wait list of tornado.max.events ints (default 32,768) per event slot of a graph
        // and refills every list with -1 on every execution (TornadoVMInterpreter.initWaitEventList), whether or not
        // dependencies are in use: a 60-task graph has ~140 slots, so each execution first writes ~18 MB on the host
        // while the device waits. Stack samples on the H200 put a third of the U-Net step there (docs/gpu.md, section 4).
        // With dependencies off (TornadoVM's default, tornado.vm.deps) no list ever holds an event; with them on, a list
        // holds at most one event per earlier operation of its graph, and our graphs have at most ~100 tasks (TornadoVM's
        // task buffer) and a few transfers, so 512 bounds it; a longer list is TornadoVM's clean "event list is too small".
        if (System.getProperty("tornado.max.events") == null) System.setProperty("tornado.max.events", MAX_EVENTS);
        // TornadoVM builds OpenCL kernels with "-cl-mad-enable -cl-fast-relaxed-math" by default, which lets the OpenCL
        // compiler reassociate floating-point arithmetic: on PoCL it folded IeeeMath's three-part reduction x − k·π/2 into
        // one product with a rounded π/2 (sin off by 2^−34 at x ≈ 10^6, IeeeMathDeviceTest), and it relaxes the builtins
        // the agreement bounds take from the OpenCL spec. "-w" alone keeps IEEE semantics (the PTX backend has no such flag).
        if (System.getProperty("tornado.opencl.compiler.flags") == null) System.setProperty("tornado.opencl.compiler.flags", OPENCL_FLAGS);
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

    /**
     * {@link #run} for an element-wise operation over {@code len} elements. Length 0 is a no-op (the Backend
     * contract) and returns before any graph is built: a zero-trip kernel still copied its output arrays back from
     * the device, and on PoCL they came back as uninitialised device memory (AccelElementwiseProperties
     * #emptyInputIsANoOp with -Dscm.backend=tornado: 2.7e20 where 7 had been; docs/gpu.md).
     */
    private void elementwise(String op, Object[] in, Object[] out, int len, UnaryOperator<TaskGraph> task) {
        if (len == 0) return;
        run(op, in, out, i(len), task);
    }

    /** Runs {@code task} on the device; all of {@code in} and {@code out} go to the device, {@code out} comes back. */
    private void run(String op, Object[] in, Object[] out, int[] ints, UnaryOperator<TaskGraph> task) {
        run(op, in, out, ints, null, task);
    }

    /**
     * Work items per work group for the U-Net operations. Left to itself, TornadoVM's PTX scheduler launches a
     * one-dimensional {@code @Parallel} loop with the largest divisor of its trip count up to 1024 threads per block,
     * whatever the kernel's register count; the U-Net's heavier kernels then fail to launch on the H200 with
     * CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES (701, measured). 128 threads fit any kernel's registers (65,536 per
     * multiprocessor / 128 = 512 per thread, above the 255 a thread can have) and are a multiple of the warp size.
     */
    static final int LOCAL = 128;

    /**
     * {@link #run} with an explicit launch for the graph's tasks: task {@code names[q]} gets exactly {@code threads[q]}
     * work items (its {@code @Parallel} trip count: under a GridScheduler TornadoVM takes the loop bounds from the grid
     * and drops the bound check, so extra work items would write past the arrays; seen as heap corruption on PoCL) in
     * groups of {@link #groupSize}.
     */
    private void run(String op, Object[] in, Object[] out, int[] ints, Launch launch, UnaryOperator<TaskGraph> task) {
        Object[] all = new Object[in.length + out.length];
        System.arraycopy(in, 0, all, 0, in.length);
        System.arraycopy(out, 0, all, in.length, out.length);
        Key key = new Key(op, all, ints);
        TornadoExecutionPlan plan = plans.get(key);
        if (plan == null) {
            if (plans.size() >= MAX_PLANS) clear();
            TaskGraph g = new TaskGraph(op + plans.size()).transferToDevice(DataTransferMode.EVERY_EXECUTION, distinct(all));
            g = task.apply(g).transferToHost(DataTransferMode.EVERY_EXECUTION, distinct(out));
            plan = new TornadoExecutionPlan(g.snapshot());
            if (launch != null) {
                GridScheduler grid = new GridScheduler();
                for (int q = 0; q < launch.names.length; q++)
                    grid.addWorkerGrid(g.getTaskGraphName() + "." + launch.names[q], workerGrid(launch.threads[q]));
                plan.withGridScheduler(grid);
            }
            if (device != null) plan.withDevice(TornadoExecutionPlan.getDevice(device[0], device[1]));
            plans.put(key, plan);
        }
        plan.execute();
    }

    /** The largest divisor of {@code threads} up to {@link #LOCAL} (a work group size must divide the global size). */
    /**
     * Exactly {@code threads} work items (at least one) in groups of {@link #groupSize}: under a GridScheduler TornadoVM
     * takes a loop's bound from the grid and drops its bound check, so the grid must be the trip count.
     */
    static WorkerGrid1D workerGrid(int threads) {
        int t = Math.max(1, threads);
        WorkerGrid1D wg = new WorkerGrid1D(t);
        wg.setLocalWork(groupSize(t), 1, 1);
        return wg;
    }

    /** Exactly {@code threads} work items in groups of exactly {@code local} (a kernel's local-memory size); threads % local == 0. */
    static WorkerGrid1D workerGrid(int threads, int local) {
        if (threads < local || threads % local != 0)
            throw new IllegalArgumentException(threads + " work items do not make whole work-groups of " + local);
        WorkerGrid1D wg = new WorkerGrid1D(threads);
        wg.setLocalWork(local, 1, 1);
        return wg;
    }

    static int groupSize(int threads) {
        for (int l = Math.min(LOCAL, threads); l > 1; l--) if (threads % l == 0) return l;
        return 1;
    }

    /** Task names of a per-operation graph and the work items each needs (its {@code @Parallel} trip count). */
    private record Launch(String[] names, int[] threads) {
        static Launch one(int threads) { return new Launch(new String[] {"t"}, new int[] {threads}); }
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

    @Override public void linear(float[] x, float[] w, float[] b, float[] y, int n, int in, int out) {
        run("linear", a(x, w, b), a(y), i(n, in, out), g -> g.task("t", TornadoKernels::linear, x, w, b, y, n, in, out, 1));
    }

    @Override public void linearTangent(float[] dx, float[] w, float[] dy, int n, int in, int out) {
        run("linearTangent", a(dx, w, NONE), a(dy), i(n, in, out), g -> g.task("t", TornadoKernels::linear, dx, w, NONE, dy, n, in, out, 0));
    }

    @Override public void linearInputGrad(float[] dy, float[] w, float[] dx, int n, int in, int out) {
        run("inputGrad", a(dy, w), a(dx), i(n, in, out), g -> g.task("t", TornadoKernels::inputGrad, dy, w, dx, n, in, out));
    }

    @Override public void linearParamGrad(float[] dy, float[] x, float[] dw, float[] db, int n, int in, int out) {
        run("paramGrad", a(dy, x), a(dw, db), i(n, in, out), g -> g.task("w", TornadoKernels::weightGrad, dy, x, dw, n, in, out)
                .task("b", TornadoKernels::biasGrad, dy, db, n, out));
    }

    @Override public void silu(float[] x, float[] y, float[] slope, int len) {
        elementwise("silu", a(x), a(y, slope), len, g -> g.task("t", TornadoKernels::silu, x, y, slope, len));
    }

    @Override public void mul(float[] x, float[] y, float[] out, int len) {
        elementwise("mul", a(x, y), a(out), len, g -> g.task("t", TornadoKernels::mul, x, y, out, len));
    }

    @Override public void add(float[] x, float[] y, float[] out, int len) {
        elementwise("add", a(x, y), a(out), len, g -> g.task("t", TornadoKernels::add, x, y, out, len));
    }

    @Override public void accumulate(float[] acc, float[] x, int len) {
        elementwise("accumulate", a(x), a(acc), len, g -> g.task("t", TornadoKernels::accumulate, acc, x, len));
    }

    @Override public void fill(float[] x, float value, int len) {
        s1[0] = value;
        elementwise("fill", a(s1), a(x), len, g -> g.task("t", TornadoKernels::fill, x, s1, len));
    }

    @Override public void copy(float[] src, float[] dst, int len) {
        elementwise("copy", a(src), a(dst), len, g -> g.task("t", TornadoKernels::copy, src, dst, len));
    }

    @Override public void scaleShift(float[] h, float[] s, float[] b, float[] y, int len) {
        elementwise("scaleShift", a(h, s, b), a(y), len, g -> g.task("t", TornadoKernels::scaleShift, h, s, b, y, len));
    }

    @Override public void scaleShiftTangent(float[] h, float[] dh, float[] s, float[] ds, float[] db, float[] dy, int len) {
        elementwise("scaleShiftTangent", a(h, dh, s, ds, db), a(dy), len, g -> g.task("t", TornadoKernels::scaleShiftTangent, h, dh, s, ds, db, dy, len));
    }

    @Override public void layerNorm(float[] x, float[] xhat, float[] r, int n, int d, float eps) {
        s1[0] = eps;
        run("layerNorm", a(x, s1), a(xhat, r), i(n, d), g -> g.task("t", TornadoKernels::layerNorm, x, xhat, r, s1, n, d));
    }

    @Override public void layerNormProject(float[] xhat, float[] r, float[] v, float[] out, int n, int d) {
        run("layerNormProject", a(xhat, r, v), a(out), i(n, d), g -> g.task("t", TornadoKernels::layerNormProject, xhat, r, v, out, n, d));
    }

    @Override public void affine(float[] v, float[] gamma, float[] beta, boolean withShift, float[] y, int n, int d) {
        float[] b = beta == null ? NONE : beta;
        int ws = withShift ? 1 : 0;
        run("affine", a(v, gamma, b), a(y), i(n, d, ws), g -> g.task("t", TornadoKernels::affine, v, gamma, b, y, n, d, ws));
    }

    @Override public void affineGrad(float[] dy, float[] xhat, float[] dgamma, float[] dbeta, int n, int d) {
        run("affineGrad", a(dy, xhat), a(dgamma, dbeta), i(n, d), g -> g.task("t", TornadoKernels::affineGrad, dy, xhat, dgamma, dbeta, n, d));
    }

    @Override public void pixelNorm(float[] x, float[] y, float[] r, int n, int d, float eps) {
        s1[0] = eps;
        run("pixelNorm", a(x, s1), a(y, r), i(n, d), g -> g.task("t", TornadoKernels::pixelNorm, x, y, r, s1, n, d));
    }

    @Override public void pixelNormProject(float[] y, float[] r, float[] v, float[] out, int n, int d) {
        run("pixelNormProject", a(y, r, v), a(out), i(n, d), g -> g.task("t", TornadoKernels::pixelNormProject, y, r, v, out, n, d));
    }

    @Override public void positional(float[] t, float[] dt, boolean tangent, float[] freq, float[] e, float[] de, int n, int half) {
        float[] dtx = dt == null ? NONE : dt, dex = de == null ? NONE : de;
        int tg = tangent ? 1 : 0;
        run("positional", a(t, dtx, freq), a(e, dex), i(n, half, tg), g -> g.task("t", TornadoKernels::positional, t, dtx, freq, e, dex, n, half, tg));
    }

    @Override public void positionalBackward(float[] t, float[] freq, float[] gr, float[] dtOut, int n, int half) {
        run("positionalBackward", a(t, freq, gr), a(dtOut), i(n, half), g -> g.task("t", TornadoKernels::positionalBackward, t, freq, gr, dtOut, n, half));
    }

    @Override public void fourier(float[] t, float[] dt, boolean tangent, float[] fa, float[] p, float[] e, float[] de, int n, int dim) {
        float[] dtx = dt == null ? NONE : dt, dex = de == null ? NONE : de;
        int tg = tangent ? 1 : 0;
        run("fourier", a(t, dtx, fa, p), a(e, dex), i(n, dim, tg), g -> g.task("t", TornadoKernels::fourier, t, dtx, fa, p, e, dex, n, dim, tg));
    }

    @Override public void fourierBackward(float[] t, float[] fa, float[] p, float[] gr, float[] dtOut, int n, int dim) {
        run("fourierBackward", a(t, fa, p, gr), a(dtOut), i(n, dim), g -> g.task("t", TornadoKernels::fourierBackward, t, fa, p, gr, dtOut, n, dim));
    }

    @Override public void noisy(float[] x0, float[] z, float[] t, float[] xt, float[] dxdt, int n, int d) {
        run("noisy", a(x0, z, t), a(xt, dxdt), i(n, d), g -> g.task("t", TornadoKernels::noisy, x0, z, t, xt, dxdt, n, d));
    }

    @Override public void scale(float[] x, float factor, float[] out, int len) {
        s1[0] = factor;
        elementwise("scale", a(x, s1), a(out), len, g -> g.task("t", TornadoKernels::scale, x, s1, out, len));
    }

    @Override public void rowScale(float[] x, float[] s, float[] out, int n, int d) {
        run("rowScale", a(x, s), a(out), i(n, d), g -> g.task("t", TornadoKernels::rowScale, x, s, out, n, d));
    }

    @Override public void consistency(float[] x, float[] f, float[] t, float sigmaD, float[] out, int n, int d) {
        s1[0] = sigmaD;
        run("consistency", a(x, f, t, s1), a(out), i(n, d), g -> g.task("t", TornadoKernels::consistency, x, f, t, s1, out, n, d));
    }

    @Override public void tangent(float[] fMinus, float[] jvp, float[] xt, float[] dxdt, float[] t, float sigmaD, float r, float c,
                                  float[] gOut, int n, int d) {
        s3[0] = sigmaD; s3[1] = r; s3[2] = c;
        run("tangent", a(fMinus, jvp, xt, dxdt, t, s3), a(gOut), i(n, d),
                g -> g.task("t", TornadoKernels::tangent, fMinus, jvp, xt, dxdt, t, s3, gOut, n, d));
    }

    @Override public void loss(float[] f, float[] fMinus, float[] gr, float[] w, float[] loss, float[] dF, float[] dw, int n, int d) {
        run("loss", a(f, fMinus, gr, w), a(loss, dF, dw), i(n, d), g -> g.task("t", TornadoKernels::loss, f, fMinus, gr, w, loss, dF, dw, n, d));
    }

    @Override public void adamFamily(float[] p, float[] gr, float[] m, float[] v, float beta1, float beta2, float a, float s, float eps,
                                     boolean adaptive, int len) {
        s5[0] = beta1; s5[1] = beta2; s5[2] = a; s5[3] = s; s5[4] = eps;
        int ad = adaptive ? 1 : 0;
        run("adam", a(gr, s5), a(p, m, v), i(len, ad), g -> g.task("t", TornadoKernels::adamFamily, p, gr, m, v, s5, len, ad));
    }

    @Override public void ema(float[] e, float[] p, float beta, int len) {
        s1[0] = beta;
        elementwise("ema", a(p, s1), a(e), len, g -> g.task("t", TornadoKernels::ema, e, p, s1, len));
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
        run("conv2d", a(x, w, bx), a(y), i(n, cin, h, wd, cout, k, hb), Launch.one(total),
                g -> g.task("t", TornadoUNetKernels::conv2d, x, w, bx, y, cin, h, wd, cout, k, hb, total));
    }

    @Override public void conv2dInputGrad(float[] dy, float[] w, float[] dx, int n, int cin, int h, int wd, int cout, int k) {
        int total = n * cin * h * wd;
        run("conv2dInputGrad", a(dy, w), a(dx), i(n, cin, h, wd, cout, k), Launch.one(total),
                g -> g.task("t", TornadoUNetKernels::conv2dInputGrad, dy, w, dx, cin, h, wd, cout, k, total));
    }

    @Override public void conv2dParamGrad(float[] dy, float[] x, float[] dw, float[] db, int n, int cin, int h, int wd, int cout, int k) {
        int total = cout * cin * k * k, plane = h * wd;
        run("conv2dParamGrad", a(dy, x), a(dw, db), i(n, cin, h, wd, cout, k), new Launch(new String[] {"w", "b"}, new int[] {total, cout}),
                g -> g.task("w", TornadoUNetKernels::conv2dWeightGrad, dy, x, dw, n, cin, h, wd, cout, k, total)
                        .task("b", TornadoUNetKernels::conv2dBiasGrad, dy, db, n, cout, plane));
    }

    @Override public void channelAffine(float[] v, float[] gamma, float[] beta, boolean withShift, float[] y, int n, int c, int plane) {
        float[] bx = withShift ? beta : NONE;
        int ws = withShift ? 1 : 0, total = n * c * plane;
        run("channelAffine", a(v, gamma, bx), a(y), i(n, c, plane, ws), Launch.one(total),
                g -> g.task("t", TornadoUNetKernels::channelAffine, v, gamma, bx, y, c, plane, ws, total));
    }

    @Override public void channelAffineGrad(float[] dy, float[] xhat, float[] dgamma, float[] dbeta, int n, int c, int plane) {
        run("channelAffineGrad", a(dy, xhat), a(dgamma, dbeta), i(n, c, plane), Launch.one(c),
                g -> g.task("t", TornadoUNetKernels::channelAffineGrad, dy, xhat, dgamma, dbeta, n, c, plane));
    }

    @Override public void modulate(float[] xhat, float[] s, float[] b, float[] y, int planes, int plane) {
        int total = planes * plane;
        run("modulate", a(xhat, s, b), a(y), i(planes, plane), Launch.one(total), g -> g.task("t", TornadoUNetKernels::modulate, xhat, s, b, y, plane, total));
    }

    @Override public void modulateTangent(float[] xhat, float[] dxhat, float[] s, float[] ds, float[] db, float[] dy, int planes, int plane) {
        int total = planes * plane;
        run("modulateTangent", a(xhat, dxhat, s, ds, db), a(dy), i(planes, plane), Launch.one(total),
                g -> g.task("t", TornadoUNetKernels::modulateTangent, xhat, dxhat, s, ds, db, dy, plane, total));
    }

    @Override public void modulateGrad(float[] dy, float[] xhat, float[] s, float[] dxhat, float[] ds, float[] db, int planes, int plane) {
        run("modulateGrad", a(dy, xhat, s), a(dxhat, ds, db), i(planes, plane), Launch.one(planes),
                g -> g.task("t", TornadoUNetKernels::modulateGrad, dy, xhat, s, dxhat, ds, db, planes, plane));
    }

    @Override public void avgPool2(float[] x, float[] y, int planes, int h, int wd) {
        int total = planes * (h / 2) * (wd / 2);
        run("avgPool2", a(x), a(y), i(planes, h, wd), Launch.one(total), g -> g.task("t", TornadoUNetKernels::avgPool2, x, y, h, wd, total));
    }

    @Override public void avgPool2Backward(float[] dy, float[] dx, int planes, int h, int wd) {
        int total = planes * (h / 2) * (wd / 2);
        run("avgPool2Backward", a(dy), a(dx), i(planes, h, wd), Launch.one(total), g -> g.task("t", TornadoUNetKernels::avgPool2Backward, dy, dx, h, wd, total));
    }

    @Override public void upsample2(float[] x, float[] y, int planes, int h, int wd) {
        int total = planes * 4 * h * wd;
        run("upsample2", a(x), a(y), i(planes, h, wd), Launch.one(total), g -> g.task("t", TornadoUNetKernels::upsample2, x, y, h, wd, total));
    }

    @Override public void upsample2Backward(float[] dy, float[] dx, int planes, int h, int wd) {
        int total = planes * h * wd;
        run("upsample2Backward", a(dy), a(dx), i(planes, h, wd), Launch.one(total), g -> g.task("t", TornadoUNetKernels::upsample2Backward, dy, dx, h, wd, total));
    }

    @Override public void concat(float[] xa, float[] xb, float[] y, int n, int sa, int sb) {
        int total = n * (sa + sb);
        run("concat", a(xa, xb), a(y), i(n, sa, sb), Launch.one(total), g -> g.task("t", TornadoUNetKernels::concat, xa, xb, y, sa, sb, total));
    }

    @Override public void split(float[] gr, float[] ga, float[] gb, int n, int sa, int sb) {
        int total = n * (sa + sb);
        run("split", a(gr), a(ga, gb), i(n, sa, sb), Launch.one(total), g -> g.task("t", TornadoUNetKernels::split, gr, ga, gb, sa, sb, total));
    }

    @Override public void attention(float[] qkv, float[] tqkv, boolean tangent, float[] o, float[] to, int n, int heads, int c, int len, int block) {
        int rows = n * heads * len;
        float[] sc = attentionScratch(rows * 2 * block);
        if (tangent)
            run("flashJvp", a(qkv, tqkv, sc), a(o, to), i(n, heads, c, len, block), Launch.one(rows),
                    g -> g.task("t", TornadoUNetKernels::flashJvp, qkv, tqkv, o, to, sc, c, heads, len, block, rows));
        else
            run("flash", a(qkv, sc), a(o), i(n, heads, c, len, block), Launch.one(rows),
                    g -> g.task("t", TornadoUNetKernels::flash, qkv, o, sc, c, heads, len, block, rows));
    }

    @Override public void attentionBackward(float[] qkv, float[] o, float[] dO, float[] dqkv, int n, int heads, int c, int len) {
        int sampleHeads = n * heads;
        float[] p = attentionScratch(sampleHeads * len);
        run("attentionBackward", a(qkv, o, dO, p), a(dqkv), i(n, heads, c, len), Launch.one(sampleHeads),
                g -> g.task("t", TornadoUNetKernels::attentionBackward, qkv, o, dO, dqkv, p, c, heads, len, sampleHeads));
    }

    @Override public void close() { clear(); }
}
