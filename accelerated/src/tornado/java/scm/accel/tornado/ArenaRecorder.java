package scm.accel.tornado;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import scm.accel.backend.Backend;
import uk.ac.manchester.tornado.api.TaskGraph;

/**
 * A {@link Backend} that runs nothing: it lists every operation the host code issues, each with the arrays it reads,
 * writes and accumulates, its integer arguments, its float scalars, its launch and how it becomes a task of
 * {@link ArenaKernels} once every array has an arena offset ({@link ArenaGraph}). The networks and objectives of
 * scm.accel touch their arrays only through backend operations (Backend#fill/#copy replace host fills and copies), so
 * the list is the whole computation; {@link #take} hands it over and starts a new one.
 */
public final class ArenaRecorder implements Backend {
    /** How a recorded operation becomes task(s) named {@code prefix} (+ suffix) of a graph on arena {@code a}. */
    @FunctionalInterface
    interface ArenaTask { TaskGraph add(TaskGraph g, String prefix, float[] a, ToIntFunction<Object> offset); }

    /**
     * Task-name suffixes of an operation's tasks and the work items each must get (its exact trip count); {@code local}
     * is the work-group size the kernels need (0: any, TornadoBackend.groupSize picks one).
     */
    record Launch(String[] suffixes, int[] threads, int local) {
        Launch(String[] suffixes, int[] threads) { this(suffixes, threads, 0); }

        static Launch one(int threads) { return new Launch(new String[] {""}, new int[] {threads}); }

        /** One task of {@code groups} work-groups of exactly {@link ArenaKernels#RG} items (the reduction kernels). */
        static Launch groups(int groups) { return groups(new String[] {""}, groups); }

        /** Tasks of {@code groups[s]} work-groups of exactly {@link ArenaKernels#RG} items each. */
        static Launch groups(String[] suffixes, int... groups) {
            int[] threads = new int[groups.length];
            for (int s = 0; s < groups.length; s++) threads[s] = groups[s] * ArenaKernels.RG;
            return new Launch(suffixes, threads, ArenaKernels.RG);
        }
    }

    /** One recorded operation (see the class comment); {@code scalars} may be null. */
    record Op(String name, Object[] in, Object[] out, Object[] inout, int[] ints, float[] scalars, Launch launch, ArenaTask task) {
        Op {
            if (launch == null) throw new IllegalStateException("operation " + name + " has no launch (every arena task needs its exact grid)");
        }

        /** Same operation on the same arrays with the same integer arguments (scalar values may differ). */
        boolean sameAs(Op o) {
            return name.equals(o.name) && Arrays.equals(ints, o.ints) && same(in, o.in) && same(out, o.out) && same(inout, o.inout)
                    && (scalars == null ? o.scalars == null : o.scalars != null && scalars.length == o.scalars.length);
        }

        int tasks() { return launch.suffixes.length; }

        private static boolean same(Object[] a, Object[] b) {
            if (a.length != b.length) return false;
            for (int q = 0; q < a.length; q++) if (a[q] != b[q]) return false;
            return true;
        }
    }

    private static final Object[] NO = new Object[0];
    /** Stand for an absent input (no bias, no tangent) and an absent output (no tangent): one float each, never used. */
    private final float[] none = new float[1], noneOut = new float[1];
    /** Attention scratch arrays by size (see {@link #attentionScratch}). */
    private final Map<Integer, float[]> attentionScratch = new HashMap<>();
    private List<Op> ops = new ArrayList<>();

    @Override public String name() { return "tornado-arena"; }

    /** The operations recorded since the last call, in order. */
    public List<Op> take() {
        flushDeferred();
        List<Op> r = ops;
        ops = new ArrayList<>();
        return r;
    }

    private void op(String name, Object[] in, Object[] out, Object[] inout, int[] ints, float[] scalars, Launch launch, ArenaTask task) {
        Op o = new Op(name, in, out, inout, ints, scalars, launch, task);
        if (!deferred.isEmpty() && touchesDeferred(o)) flushDeferred();
        ops.add(o);
    }

    /**
     * Operations held back (the convolution gradients' chunk reductions): each is recorded just before the first later
     * operation that touches an array it writes or reads, or at {@link #take}, so that the reductions of a whole backward
     * pass, which nothing reads until the optimizer, come out consecutive and independent, and the multi-operation pass
     * ({@link MultiTensorApply}) runs them as one task instead of one per convolution. Any operation touching their
     * arrays still sees them done: the order of dependent operations is kept.
     */
    private final List<Op> deferred = new ArrayList<>();
    private final java.util.Set<Object> deferredArrays = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    private void defer(String name, Object[] in, Object[] out, Object[] inout, int[] ints, Launch launch, ArenaTask task) {
        Op o = new Op(name, in, out, inout, ints, null, launch, task);
        if (touchesDeferred(o)) flushDeferred();
        deferred.add(o);
        for (Object[] arr : new Object[][] {in, out, inout}) java.util.Collections.addAll(deferredArrays, arr);
    }

    private boolean touchesDeferred(Op o) {
        for (Object[] arr : new Object[][] {o.in(), o.out(), o.inout()})
            for (Object a : arr) if (deferredArrays.contains(a) && a != none) return true;
        return false;
    }

    private void flushDeferred() {
        ops.addAll(deferred);
        deferred.clear();
        deferredArrays.clear();
    }

    private static Object[] a(Object... xs) { return xs; }

    private static int[] i(int... xs) { return xs; }

    private static float[] f(float... xs) { return xs; }

    private float[] or(float[] x) { return x == null ? none : x; }

    private float[] orOut(float[] x) { return x == null ? noneOut : x; }

    @Override public void linear(float[] x, float[] w, float[] b, float[] y, int n, int in, int out) {
        op("linear", a(x, w, b), a(y), NO, i(n, in, out), null, Launch.one(n * out),
                (g, p, A, o) -> g.task(p, ArenaKernels::linear, ArenaKernels.CONTEXT, A, o.applyAsInt(x), o.applyAsInt(w), o.applyAsInt(b), o.applyAsInt(y), n, in, out, 1));
    }

    @Override public void linearTangent(float[] dx, float[] w, float[] dy, int n, int in, int out) {
        op("linearTangent", a(dx, w, none), a(dy), NO, i(n, in, out), null, Launch.one(n * out),
                (g, p, A, o) -> g.task(p, ArenaKernels::linear, ArenaKernels.CONTEXT, A, o.applyAsInt(dx), o.applyAsInt(w), o.applyAsInt(none), o.applyAsInt(dy), n, in, out, 0));
    }

    @Override public void linearInputGrad(float[] dy, float[] w, float[] dx, int n, int in, int out) {
        op("inputGrad", a(dy, w), a(dx), NO, i(n, in, out), null, Launch.one(n * in),
                (g, p, A, o) -> g.task(p, ArenaKernels::inputGrad, ArenaKernels.CONTEXT, A, o.applyAsInt(dy), o.applyAsInt(w), o.applyAsInt(dx), n, in, out));
    }

    @Override public void linearParamGrad(float[] dy, float[] x, float[] dw, float[] db, int n, int in, int out) {
        op("paramGrad", a(dy, x), NO, a(dw, db), i(n, in, out), null, new Launch(new String[] {"w", "b"}, new int[] {out * in, out}),
                (g, p, A, o) -> g.task(p + "w", ArenaKernels::weightGrad, ArenaKernels.CONTEXT, A, o.applyAsInt(dy), o.applyAsInt(x), o.applyAsInt(dw), n, in, out)
                        .task(p + "b", ArenaKernels::biasGrad, ArenaKernels.CONTEXT, A, o.applyAsInt(dy), o.applyAsInt(db), n, out));
    }

    @Override public void silu(float[] x, float[] y, float[] slope, int len) {
        op("silu", a(x), a(y, slope), NO, i(len), null, Launch.one(len),
                (g, p, A, o) -> g.task(p, ArenaKernels::silu, ArenaKernels.CONTEXT, A, o.applyAsInt(x), o.applyAsInt(y), o.applyAsInt(slope), len));
    }

    /** One task: SiLU and the tangent slope ⊙ t_x per element (ArenaKernels#siluDual). */
    @Override public void siluDual(float[] x, float[] tx, float[] y, float[] slope, float[] ty, int len) {
        if (!DUALS) {
            Backend.super.siluDual(x, tx, y, slope, ty, len);
            return;
        }
        op("siluDual", a(x, tx), a(y, slope, ty), NO, i(len), null, Launch.one(len),
                (g, p, A, o) -> g.task(p, ArenaKernels::siluDual, ArenaKernels.CONTEXT, A, o.applyAsInt(x), o.applyAsInt(tx), o.applyAsInt(y), o.applyAsInt(slope),
                        o.applyAsInt(ty), len));
    }

    @Override public void mul(float[] x, float[] y, float[] out, int len) {
        op("mul", a(x, y), a(out), NO, i(len), null, Launch.one(len),
                (g, p, A, o) -> g.task(p, ArenaKernels::mul, ArenaKernels.CONTEXT, A, o.applyAsInt(x), o.applyAsInt(y), o.applyAsInt(out), len));
    }

    @Override public void add(float[] x, float[] y, float[] out, int len) {
        op("add", a(x, y), a(out), NO, i(len), null, Launch.one(len),
                (g, p, A, o) -> g.task(p, ArenaKernels::add, ArenaKernels.CONTEXT, A, o.applyAsInt(x), o.applyAsInt(y), o.applyAsInt(out), len));
    }

    @Override public void accumulate(float[] acc, float[] x, int len) {
        op("accumulate", a(x), NO, a(acc), i(len), null, Launch.one(len),
                (g, p, A, o) -> g.task(p, ArenaKernels::accumulate, ArenaKernels.CONTEXT, A, o.applyAsInt(acc), o.applyAsInt(x), len));
    }

    @Override public void fill(float[] x, float value, int len) {
        float[] s = f(value);
        op("fill", NO, a(x), NO, i(len), s, Launch.one(len), (g, p, A, o) -> g.task(p, ArenaKernels::fill, ArenaKernels.CONTEXT, A, o.applyAsInt(x), o.applyAsInt(s), len));
    }

    @Override public void copy(float[] src, float[] dst, int len) {
        op("copy", a(src), a(dst), NO, i(len), null, Launch.one(len),
                (g, p, A, o) -> g.task(p, ArenaKernels::copy, ArenaKernels.CONTEXT, A, o.applyAsInt(src), o.applyAsInt(dst), len));
    }

    @Override public void scaleShift(float[] h, float[] sc, float[] b, float[] y, int len) {
        op("scaleShift", a(h, sc, b), a(y), NO, i(len), null, Launch.one(len),
                (g, p, A, o) -> g.task(p, ArenaKernels::scaleShift, ArenaKernels.CONTEXT, A, o.applyAsInt(h), o.applyAsInt(sc), o.applyAsInt(b), o.applyAsInt(y), len));
    }

    @Override public void scaleShiftTangent(float[] h, float[] dh, float[] sc, float[] ds, float[] db, float[] dy, int len) {
        op("scaleShiftTangent", a(h, dh, sc, ds, db), a(dy), NO, i(len), null, Launch.one(len),
                (g, p, A, o) -> g.task(p, ArenaKernels::scaleShiftTangent, ArenaKernels.CONTEXT, A, o.applyAsInt(h), o.applyAsInt(dh), o.applyAsInt(sc), o.applyAsInt(ds),
                        o.applyAsInt(db), o.applyAsInt(dy), len));
    }

    /** ArenaKernels#groupNormRows, mode 0 (statistics and x̂ only), one work-group per row. */
    @Override public void layerNorm(float[] x, float[] xhat, float[] r, int n, int d, float eps) {
        float[] s = f(eps);
        op("layerNorm", a(x, none), a(xhat, r), NO, i(n, d), s, Launch.groups(n),
                (g, p, A, o) -> g.task(p, ArenaKernels::groupNormRows, ArenaKernels.CONTEXT, A, o.applyAsInt(x), o.applyAsInt(none), o.applyAsInt(xhat),
                        o.applyAsInt(r), o.applyAsInt(none), o.applyAsInt(none), o.applyAsInt(none), o.applyAsInt(none), o.applyAsInt(none), o.applyAsInt(none),
                        o.applyAsInt(none), o.applyAsInt(none), o.applyAsInt(none), o.applyAsInt(none), o.applyAsInt(s), d, d, 0));
    }

    /** ArenaKernels#groupNormRowsBackward, mode 4 (the projection of v only), one work-group per row. */
    @Override public void layerNormProject(float[] xhat, float[] r, float[] v, float[] out, int n, int d) {
        op("layerNormProject", a(xhat, r, v, none), a(out), NO, i(n, d), null, Launch.groups(n),
                (g, p, A, o) -> g.task(p, ArenaKernels::groupNormRowsBackward, ArenaKernels.CONTEXT, A, o.applyAsInt(v), o.applyAsInt(none), o.applyAsInt(none),
                        o.applyAsInt(xhat), o.applyAsInt(none), o.applyAsInt(none), o.applyAsInt(none), o.applyAsInt(none), o.applyAsInt(r), o.applyAsInt(out), d, d, 4));
    }

    /** One task (ArenaKernels#groupNormRowsBackward): one work-group per GroupNorm row. */
    @Override public void siluModulateGroupNormGrad(float[] g, float[] slope, float[] gAct, float[] xhat, float[] sc, float[] dxhat, float[] ds, float[] db, float[] r,
                                               float[] dx, int rows, int d, int planes, int plane) {
        if (!DUALS) {
            Backend.super.siluModulateGroupNormGrad(g, slope, gAct, xhat, sc, dxhat, ds, db, r, dx, rows, d, planes, plane);
            return;
        }
        if (rows * d != planes * plane || d % plane != 0) throw new IllegalArgumentException("GroupNorm rows of " + d + " values must hold whole planes of " + plane);
        op("siluModulateGroupNormGrad", a(g, slope, xhat, sc, r), a(gAct, dxhat, ds, db, dx), NO, i(rows, d, planes, plane), null, Launch.groups(rows),
                (gr, p, A, o) -> gr.task(p, ArenaKernels::groupNormRowsBackward, ArenaKernels.CONTEXT, A, o.applyAsInt(g), o.applyAsInt(slope), o.applyAsInt(gAct),
                        o.applyAsInt(xhat), o.applyAsInt(sc), o.applyAsInt(dxhat), o.applyAsInt(ds), o.applyAsInt(db), o.applyAsInt(r), o.applyAsInt(dx), d, plane, 7));
    }

    /** One task (ArenaKernels#groupNormRows without tangents): one work-group per GroupNorm row. */
    @Override public void groupNormModulateSilu(float[] x, float[] xhat, float[] r, float[] sc, float[] b, float[] y, float[] act, float[] slope, int rows, int d,
                                           float eps, int planes, int plane) {
        if (!DUALS) {
            Backend.super.groupNormModulateSilu(x, xhat, r, sc, b, y, act, slope, rows, d, eps, planes, plane);
            return;
        }
        if (rows * d != planes * plane || d % plane != 0) throw new IllegalArgumentException("GroupNorm rows of " + d + " values must hold whole planes of " + plane);
        float[] s = f(eps);
        op("groupNormModulateSilu", a(x, sc, b, none), a(xhat, r, y, act, slope), NO, i(rows, d, planes, plane), s, Launch.groups(rows),
                (g, p, A, o) -> g.task(p, ArenaKernels::groupNormRows, ArenaKernels.CONTEXT, A, o.applyAsInt(x), o.applyAsInt(none), o.applyAsInt(xhat),
                        o.applyAsInt(r), o.applyAsInt(none), o.applyAsInt(sc), o.applyAsInt(b), o.applyAsInt(none), o.applyAsInt(none), o.applyAsInt(y),
                        o.applyAsInt(none), o.applyAsInt(act), o.applyAsInt(slope), o.applyAsInt(none), o.applyAsInt(s), d, plane, 2));
    }

    /** One task (ArenaKernels#groupNormRows): one work-group per GroupNorm row. */
    @Override public void groupNormModulateSiluDual(float[] x, float[] tx, float[] xhat, float[] r, float[] txhat, float[] sc, float[] b, float[] ts, float[] tb,
                                               float[] y, float[] ty, float[] act, float[] slope, float[] tact, int rows, int d, float eps, int planes, int plane) {
        if (!DUALS) {
            Backend.super.groupNormModulateSiluDual(x, tx, xhat, r, txhat, sc, b, ts, tb, y, ty, act, slope, tact, rows, d, eps, planes, plane);
            return;
        }
        if (rows * d != planes * plane || d % plane != 0) throw new IllegalArgumentException("GroupNorm rows of " + d + " values must hold whole planes of " + plane);
        float[] s = f(eps);
        op("groupNormModulateSiluDual", a(x, tx, sc, b, ts, tb), a(xhat, r, txhat, y, ty, act, slope, tact), NO, i(rows, d, planes, plane), s, Launch.groups(rows),
                (g, p, A, o) -> g.task(p, ArenaKernels::groupNormRows, ArenaKernels.CONTEXT, A, o.applyAsInt(x), o.applyAsInt(tx), o.applyAsInt(xhat),
                        o.applyAsInt(r), o.applyAsInt(txhat), o.applyAsInt(sc), o.applyAsInt(b), o.applyAsInt(ts), o.applyAsInt(tb), o.applyAsInt(y), o.applyAsInt(ty),
                        o.applyAsInt(act), o.applyAsInt(slope), o.applyAsInt(tact), o.applyAsInt(s), d, plane, 3));
    }

    /** One task (ArenaKernels#groupNormRows without its chain): each row's statistics, x̂ and the tangent's projection by one work-group. */
    @Override public void layerNormDual(float[] x, float[] tx, float[] xhat, float[] r, float[] txhat, int n, int d, float eps) {
        if (!DUALS) {
            Backend.super.layerNormDual(x, tx, xhat, r, txhat, n, d, eps);
            return;
        }
        float[] s = f(eps);
        op("layerNormDual", a(x, tx, none), a(xhat, r, txhat), NO, i(n, d), s, Launch.groups(n),
                (g, p, A, o) -> g.task(p, ArenaKernels::groupNormRows, ArenaKernels.CONTEXT, A, o.applyAsInt(x), o.applyAsInt(tx), o.applyAsInt(xhat),
                        o.applyAsInt(r), o.applyAsInt(txhat), o.applyAsInt(none), o.applyAsInt(none), o.applyAsInt(none), o.applyAsInt(none), o.applyAsInt(none),
                        o.applyAsInt(none), o.applyAsInt(none), o.applyAsInt(none), o.applyAsInt(none), o.applyAsInt(s), d, d, 1));
    }

    @Override public void affine(float[] v, float[] gamma, float[] beta, boolean withShift, float[] y, int n, int d) {
        float[] b = or(beta);
        int ws = withShift ? 1 : 0;
        op("affine", a(v, gamma, b), a(y), NO, i(n, d, ws), null, Launch.one(n * d),
                (g, p, A, o) -> g.task(p, ArenaKernels::affine, ArenaKernels.CONTEXT, A, o.applyAsInt(v), o.applyAsInt(gamma), o.applyAsInt(b), o.applyAsInt(y), n, d, ws));
    }

    @Override public void affineGrad(float[] dy, float[] xhat, float[] dgamma, float[] dbeta, int n, int d) {
        op("affineGrad", a(dy, xhat), NO, a(dgamma, dbeta), i(n, d), null, Launch.one(d),
                (g, p, A, o) -> g.task(p, ArenaKernels::affineGrad, ArenaKernels.CONTEXT, A, o.applyAsInt(dy), o.applyAsInt(xhat), o.applyAsInt(dgamma), o.applyAsInt(dbeta), n, d));
    }

    @Override public void pixelNorm(float[] x, float[] y, float[] r, int n, int d, float eps) {
        float[] s = f(eps);
        op("pixelNorm", a(x), a(y, r), NO, i(n, d), s, Launch.one(n),
                (g, p, A, o) -> g.task(p, ArenaKernels::pixelNorm, ArenaKernels.CONTEXT, A, o.applyAsInt(x), o.applyAsInt(y), o.applyAsInt(r), o.applyAsInt(s), n, d));
    }

    @Override public void pixelNormProject(float[] y, float[] r, float[] v, float[] out, int n, int d) {
        op("pixelNormProject", a(y, r, v), a(out), NO, i(n, d), null, Launch.one(n),
                (g, p, A, o) -> g.task(p, ArenaKernels::pixelNormProject, ArenaKernels.CONTEXT, A, o.applyAsInt(y), o.applyAsInt(r), o.applyAsInt(v), o.applyAsInt(out), n, d));
    }

    @Override public void positional(float[] t, float[] dt, boolean tangent, float[] freq, float[] e, float[] de, int n, int half) {
        float[] dtx = or(dt), dex = orOut(de);
        int tg = tangent ? 1 : 0;
        op("positional", a(t, dtx, freq), a(e, dex), NO, i(n, half, tg), null, Launch.one(n),
                (g, p, A, o) -> g.task(p, ArenaKernels::positional, ArenaKernels.CONTEXT, A, o.applyAsInt(t), o.applyAsInt(dtx), o.applyAsInt(freq), o.applyAsInt(e),
                        o.applyAsInt(dex), n, half, tg));
    }

    @Override public void positionalBackward(float[] t, float[] freq, float[] gr, float[] dtOut, int n, int half) {
        op("positionalBackward", a(t, freq, gr), a(dtOut), NO, i(n, half), null, Launch.one(n),
                (g, p, A, o) -> g.task(p, ArenaKernels::positionalBackward, ArenaKernels.CONTEXT, A, o.applyAsInt(t), o.applyAsInt(freq), o.applyAsInt(gr), o.applyAsInt(dtOut), n, half));
    }

    @Override public void fourier(float[] t, float[] dt, boolean tangent, float[] fa, float[] fp, float[] e, float[] de, int n, int dim) {
        float[] dtx = or(dt), dex = orOut(de);
        int tg = tangent ? 1 : 0;
        op("fourier", a(t, dtx, fa, fp), a(e, dex), NO, i(n, dim, tg), null, Launch.one(n),
                (g, p, A, o) -> g.task(p, ArenaKernels::fourier, ArenaKernels.CONTEXT, A, o.applyAsInt(t), o.applyAsInt(dtx), o.applyAsInt(fa), o.applyAsInt(fp), o.applyAsInt(e),
                        o.applyAsInt(dex), n, dim, tg));
    }

    @Override public void fourierBackward(float[] t, float[] fa, float[] fp, float[] gr, float[] dtOut, int n, int dim) {
        op("fourierBackward", a(t, fa, fp, gr), a(dtOut), NO, i(n, dim), null, Launch.one(n),
                (g, p, A, o) -> g.task(p, ArenaKernels::fourierBackward, ArenaKernels.CONTEXT, A, o.applyAsInt(t), o.applyAsInt(fa), o.applyAsInt(fp), o.applyAsInt(gr),
                        o.applyAsInt(dtOut), n, dim));
    }

    @Override public void noisy(float[] x0, float[] z, float[] t, float[] xt, float[] dxdt, int n, int d) {
        op("noisy", a(x0, z, t), a(xt, dxdt), NO, i(n, d), null, Launch.one(n * d),
                (g, p, A, o) -> g.task(p, ArenaKernels::noisy, ArenaKernels.CONTEXT, A, o.applyAsInt(x0), o.applyAsInt(z), o.applyAsInt(t), o.applyAsInt(xt), o.applyAsInt(dxdt), n, d));
    }

    @Override public void scale(float[] x, float factor, float[] out, int len) {
        float[] s = f(factor);
        op("scale", a(x), a(out), NO, i(len), s, Launch.one(len),
                (g, p, A, o) -> g.task(p, ArenaKernels::scale, ArenaKernels.CONTEXT, A, o.applyAsInt(x), o.applyAsInt(s), o.applyAsInt(out), len));
    }

    @Override public void rowScale(float[] x, float[] sc, float[] out, int n, int d) {
        op("rowScale", a(x, sc), a(out), NO, i(n, d), null, Launch.one(n * d),
                (g, p, A, o) -> g.task(p, ArenaKernels::rowScale, ArenaKernels.CONTEXT, A, o.applyAsInt(x), o.applyAsInt(sc), o.applyAsInt(out), n, d));
    }

    @Override public void consistency(float[] x, float[] fx, float[] t, float sigmaD, float[] out, int n, int d) {
        float[] s = f(sigmaD);
        op("consistency", a(x, fx, t), a(out), NO, i(n, d), s, Launch.one(n),
                (g, p, A, o) -> g.task(p, ArenaKernels::consistency, ArenaKernels.CONTEXT, A, o.applyAsInt(x), o.applyAsInt(fx), o.applyAsInt(t), o.applyAsInt(s), o.applyAsInt(out), n, d));
    }

    @Override public void tangent(float[] fMinus, float[] jvp, float[] xt, float[] dxdt, float[] t, float sigmaD, float r, float c,
                                  float[] gOut, int n, int d) {
        float[] s = f(sigmaD, r, c);
        op("tangent", a(fMinus, jvp, xt, dxdt, t), a(gOut), NO, i(n, d), s, Launch.groups(n),
                (g, p, A, o) -> g.task(p, ArenaKernels::tangent, ArenaKernels.CONTEXT, A, o.applyAsInt(fMinus), o.applyAsInt(jvp), o.applyAsInt(xt), o.applyAsInt(dxdt),
                        o.applyAsInt(t), o.applyAsInt(s), o.applyAsInt(gOut), n, d));
    }

    @Override public void loss(float[] fx, float[] fMinus, float[] gr, float[] w, float[] loss, float[] dF, float[] dw, int n, int d) {
        op("loss", a(fx, fMinus, gr, w), a(loss, dF, dw), NO, i(n, d), null, Launch.groups(n),
                (g, p, A, o) -> g.task(p, ArenaKernels::loss, ArenaKernels.CONTEXT, A, o.applyAsInt(fx), o.applyAsInt(fMinus), o.applyAsInt(gr), o.applyAsInt(w),
                        o.applyAsInt(loss), o.applyAsInt(dF), o.applyAsInt(dw), n, d));
    }

    @Override public void adamFamily(float[] pr, float[] gr, float[] m, float[] v, float beta1, float beta2, float a, float sc, float eps,
                                     boolean adaptive, int len) {
        float[] s = f(beta1, beta2, a, sc, eps, adaptive ? 1f : 0f);
        op("adam", a(gr), NO, a(pr, m, v), i(len), s, Launch.one(len),
                (g, p, A, o) -> g.task(p, ArenaKernels::adamFamily, ArenaKernels.CONTEXT, A, o.applyAsInt(pr), o.applyAsInt(gr), o.applyAsInt(m), o.applyAsInt(v), o.applyAsInt(s), len));
    }

    @Override public void ema(float[] e, float[] pr, float beta, int len) {
        float[] s = f(beta);
        op("ema", a(pr), NO, a(e), i(len), s, Launch.one(len),
                (g, p, A, o) -> g.task(p, ArenaKernels::ema, ArenaKernels.CONTEXT, A, o.applyAsInt(e), o.applyAsInt(pr), o.applyAsInt(s), len));
    }

    // ---- U-Net

    /**
     * The scratch of {@code size} floats, one array per size kept across steps: an operation's scratch then depends only
     * on its own sizes, so the next step records the same arrays ({@link ArenaGraph#matches}). (One array grown to the
     * largest size met would hand a later step's first attention a different array than the first step's whenever a
     * larger call came after it, e.g. a backward scratch of 2·n·heads·L² after a flash scratch of 2·n·heads·L·B, B < L:
     * a rebuild of the whole chain.)
     */
    private float[] attentionScratch(int size) {
        return attentionScratch.computeIfAbsent(size, float[]::new);
    }

    /**
     * Convolutions as tiled implicit products ({@link ArenaConvKernels}) unless {@code -Dscm.arena.tiledConv=false},
     * which restores the direct loops of {@link ArenaKernels} (one work item per output; per-channel-pair reductions for
     * the weight gradient) for side-by-side timing.
     */
    static boolean tiledConv() { return !"false".equals(System.getProperty("scm.arena.tiledConv")); }

    private final boolean tiled = tiledConv();
    /**
     * A JVP's pair of operations (conv2dDual, siluDual, modulateDual, layerNormDual) and the adaptive norm + SiLU chains
     * (groupNormModulateSiluDual, siluModulateGroupNormGrad) as one task each unless
     * {@code -Dscm.arena.duals=false}, which records the two operations (for side-by-side timing).
     */
    static final boolean DUALS = !"false".equals(System.getProperty("scm.arena.duals"));
    /** Scratch arrays of the convolution weight gradients' per-chunk partial sums, one per weight gradient (identity). */
    private final Map<float[], float[]> convScratch = new java.util.IdentityHashMap<>();

    @Override public void conv2d(float[] x, float[] w, float[] b, boolean hasBias, float[] y, int n, int cin, int h, int wd, int cout, int k) {
        float[] bx = hasBias ? b : none;
        int hb = hasBias ? 1 : 0, total = n * cout * h * wd;
        if (tiled)
            convForward("conv2d", x, null, w, bx, hasBias, y, null, null, null, i(n, cin, h, wd, cout, k, hb), n, cin, h, wd, cout, k);
        else
            op("conv2d", a(x, w, bx), a(y), NO, i(n, cin, h, wd, cout, k, hb), null, Launch.one(total),
                    (g, p, A, o) -> g.task(p, ArenaKernels::conv2d, ArenaKernels.CONTEXT, A, o.applyAsInt(x), o.applyAsInt(w), o.applyAsInt(bx), o.applyAsInt(y), cin, h, wd, cout, k, hb, total));
    }

    /** Tiled: one task of twice the groups (ArenaConvKernels#conv2dTiled's pair form); direct loops: the two operations. */
    @Override public void conv2dDual(float[] x, float[] tx, float[] w, float[] b, float[] y, float[] ty, int n, int cin, int h, int wd, int cout, int k) {
        if (!tiled || !DUALS) {
            Backend.super.conv2dDual(x, tx, w, b, y, ty, n, cin, h, wd, cout, k);
            return;
        }
        convForward("conv2dDual", x, tx, w, b, true, y, ty, null, null, i(n, cin, h, wd, cout, k), n, cin, h, wd, cout, k);
    }

    /** Tiled: one task, the addend r added in the convolution's epilogue; direct loops: the two operations. */
    @Override public void conv2dPlus(float[] x, float[] w, float[] b, float[] y, float[] r, int n, int cin, int h, int wd, int cout, int k) {
        if (!tiled || !DUALS) {
            Backend.super.conv2dPlus(x, w, b, y, r, n, cin, h, wd, cout, k);
            return;
        }
        convForward("conv2dPlus", x, null, w, b, true, y, null, r, null, i(n, cin, h, wd, cout, k), n, cin, h, wd, cout, k);
    }

    /** Tiled: one task of twice the groups, each half adding its addend (r, tr) in the epilogue; direct loops: the parts. */
    @Override public void conv2dDualPlus(float[] x, float[] tx, float[] w, float[] b, float[] y, float[] ty, float[] r, float[] tr, int n, int cin, int h, int wd,
                                         int cout, int k) {
        if (!tiled || !DUALS) {
            Backend.super.conv2dDualPlus(x, tx, w, b, y, ty, r, tr, n, cin, h, wd, cout, k);
            return;
        }
        convForward("conv2dDualPlus", x, tx, w, b, true, y, ty, r, tr, i(n, cin, h, wd, cout, k), n, cin, h, wd, cout, k);
    }

    /**
     * The tiled forward of {@link #conv2d}, {@link #conv2dDual}, {@link #conv2dPlus} and {@link #conv2dDualPlus}: one
     * ArenaConvKernels#conv2dTiled task, of twice the groups when tx (the tangent's input) is given; the addend r (and tr)
     * when given; b the bias when {@code hasBias} (the array {@code none} otherwise).
     */
    private void convForward(String name, float[] x, float[] tx, float[] w, float[] b, boolean hasBias, float[] y, float[] ty, float[] r, float[] tr, int[] ints,
                             int n, int cin, int h, int wd, int cout, int k) {
        boolean pair = tx != null, plus = r != null;
        float[] x2 = pair ? tx : x, y2 = pair ? ty : y, r1 = or(r), r2 = pair && plus ? tr : r1;
        int pixels = n * h * wd, groups = ArenaConvKernels.tiledGroups(pixels, cout);
        Object[] in = pair ? (plus ? a(x, tx, w, b, r, tr) : a(x, tx, w, b, none)) : (plus ? a(x, w, b, r) : a(x, w, b, none));
        op(name, in, pair ? a(y, ty) : a(y), NO, ints, null, Launch.groups(pair ? 2 * groups : groups),
                (g, p, A, o) -> g.task(p, ArenaConvKernels::conv2dTiled, ArenaKernels.CONTEXT, A, o.applyAsInt(x), o.applyAsInt(x2), o.applyAsInt(w), o.applyAsInt(b),
                        o.applyAsInt(y), o.applyAsInt(y2), o.applyAsInt(r1), o.applyAsInt(r2), groups, pixels, cin, h, wd, cout, k,
                        ArenaConvKernels.mode(cout, false, hasBias, plus), 0));
    }

    @Override public void conv2dInputGrad(float[] dy, float[] w, float[] dx, int n, int cin, int h, int wd, int cout, int k) {
        int total = n * cin * h * wd, pixels = n * h * wd;
        int groups = ArenaConvKernels.tiledGroups(pixels, cin);
        if (tiled)
            op("conv2dInputGrad", a(dy, w, none), a(dx), NO, i(n, cin, h, wd, cout, k), null, Launch.groups(groups),
                    (g, p, A, o) -> g.task(p, ArenaConvKernels::conv2dTiled, ArenaKernels.CONTEXT, A, o.applyAsInt(dy), o.applyAsInt(dy), o.applyAsInt(w), o.applyAsInt(none),
                            o.applyAsInt(dx), o.applyAsInt(dx), o.applyAsInt(none), o.applyAsInt(none), groups, pixels, cout, h, wd, cin, k,
                            ArenaConvKernels.mode(cin, true, false, false), 0));
        else
            op("conv2dInputGrad", a(dy, w), a(dx), NO, i(n, cin, h, wd, cout, k), null, Launch.one(total),
                    (g, p, A, o) -> g.task(p, ArenaKernels::conv2dInputGrad, ArenaKernels.CONTEXT, A, o.applyAsInt(dy), o.applyAsInt(w), o.applyAsInt(dx), cin, h, wd, cout, k, total));
    }

    /**
     * The weight and bias gradients alone: the direct kernels (a work-group per (output, input) channel pair holding the
     * k² taps, and per output channel). No model issues this alone (Conv2dF32 issues {@link #conv2dBackward}, whose tiled
     * form holds the fast weight gradient); the tiled partials as a launch of their own, without the input gradient's
     * groups, failed to compile on PoCL for some sizes (TornadoVM 5.2: "logic node (class=LogicConstantNode)", e.g.
     * 57 → 50 channels at 5x6; 2026-12-01).
     */
    @Override public void conv2dParamGrad(float[] dy, float[] x, float[] dw, float[] db, int n, int cin, int h, int wd, int cout, int k) {
        if (k > 3) throw new IllegalArgumentException("the device arena's convolution weight gradient takes kernels up to 3x3, got " + k + "x" + k);
        int plane = h * wd;
        op("conv2dParamGrad", a(dy, x), NO, a(dw, db), i(n, cin, h, wd, cout, k), null,
                Launch.groups(new String[] {"w", "b"}, cout * cin, cout),
                (g, p, A, o) -> g.task(p + "w", ArenaKernels::conv2dWeightGradTaps, ArenaKernels.CONTEXT, A, o.applyAsInt(dy), o.applyAsInt(x), o.applyAsInt(dw), n, cin, h, wd, cout, k)
                        .task(p + "b", ArenaKernels::conv2dBiasGrad, ArenaKernels.CONTEXT, A, o.applyAsInt(dy), o.applyAsInt(db), n, cout, plane));
    }

    /**
     * Tiled: the weight-gradient partials and the input gradient as ONE task (ArenaConvKernels#conv2dTiled, sign −1 with
     * partial groups: per-chunk partial sums of the weight and bias gradients, one product with the bias as its last
     * column, into a scratch array of this gradient's own), then the reduction, one work item per entry adding the chunks
     * in order into dW and dB, deferred ({@link #defer}) so that a backward pass's reductions run as one task; with the
     * direct loops (or {@code -Dscm.arena.duals=false}), the separate operations.
     */
    @Override public void conv2dBackward(float[] dy, float[] x, float[] w, float[] dx, float[] r, float[] dw, float[] db, int n, int cin, int h, int wd, int cout,
                                         int k) {
        if (!tiled || !DUALS) {
            Backend.super.conv2dBackward(dy, x, w, dx, r, dw, db, n, cin, h, wd, cout, k);
            return;
        }
        int pixels = n * h * wd, cols = cin * k * k + 1;
        int len = ArenaConvKernels.chunkLength(pixels, cout, cin, k), chunks = ArenaConvKernels.chunks(pixels, cout, cin, k);
        int dxGroups = ArenaConvKernels.tiledGroups(pixels, cin), groups = dxGroups + ArenaConvKernels.partialGroups(pixels, cout, cin, k);
        // one scratch per weight gradient (the reductions are deferred, so several are live at once)
        float[] part = convScratch.computeIfAbsent(dw, d -> new float[chunks * cout * cols]);
        op("conv2dBackward", a(dy, x, w, none, or(r)), a(dx, part), NO, i(n, cin, h, wd, cout, k, r == null ? 0 : 1), null, Launch.groups(groups),
                (g, p, A, o) -> g.task(p, ArenaConvKernels::conv2dTiled, ArenaKernels.CONTEXT, A, o.applyAsInt(dy), o.applyAsInt(x), o.applyAsInt(w), o.applyAsInt(none),
                        o.applyAsInt(dx), o.applyAsInt(part), o.applyAsInt(or(r)), o.applyAsInt(or(r)), dxGroups, pixels, cout, h, wd, cin, k,
                        ArenaConvKernels.mode(cin, true, false, r != null), len));
        deferChunkSums(part, dw, db, cout, cols, chunks);
    }

    /**
     * Deferred ({@link #defer}): dW[o, κ] += Σ_chunk part[chunk, o, κ] for κ &lt; cols − 1 and dB[o] += Σ_chunk part[chunk, o,
     * cols − 1] (ArenaConvKernels#conv2dParamGradReduce, the chunks in order), for a convolution's weight and bias
     * gradients and for the channel-affine gradient (cols = 2: γ's one column, then β's).
     */
    private void deferChunkSums(float[] part, float[] dw, float[] db, int rows, int cols, int chunks) {
        defer("conv2dParamGradReduce", a(part), NO, a(dw, db), i(rows, cols, chunks),
                new Launch(new String[] {""}, new int[] {(rows * cols + ArenaKernels.RG - 1) / ArenaKernels.RG * ArenaKernels.RG}, ArenaKernels.RG),
                (g, p, A, o) -> g.task(p, ArenaConvKernels::conv2dParamGradReduce, ArenaKernels.CONTEXT, A, o.applyAsInt(part), o.applyAsInt(dw), o.applyAsInt(db),
                        rows, cols, chunks, rows * cols));
    }

    @Override public void channelAffine(float[] v, float[] gamma, float[] beta, boolean withShift, float[] y, int n, int c, int plane) {
        float[] bx = withShift ? beta : none;
        int ws = withShift ? 1 : 0, total = n * c * plane;
        op("channelAffine", a(v, gamma, bx), a(y), NO, i(n, c, plane, ws), null, Launch.one(total),
                (g, p, A, o) -> g.task(p, ArenaKernels::channelAffine, ArenaKernels.CONTEXT, A, o.applyAsInt(v), o.applyAsInt(gamma), o.applyAsInt(bx), o.applyAsInt(y), c, plane, ws, total));
    }

    /**
     * Per-chunk sums (chunks of samples, about 1,024 work-groups in all) into a scratch array, then the chunks added in
     * order into dγ and dβ by the convolutions' reduction, deferred with theirs ({@link #defer}: one merged task).
     */
    @Override public void channelAffineGrad(float[] dy, float[] xhat, float[] dgamma, float[] dbeta, int n, int c, int plane) {
        int chunks = Math.max(1, Math.min(n, 1024 / c)), len = (n + chunks - 1) / chunks, used = (n + len - 1) / len;
        float[] part = convScratch.computeIfAbsent(dgamma, d -> new float[used * c * 2]);
        op("channelAffineGradPartials", a(dy, xhat), a(part), NO, i(n, c, plane), null, Launch.groups(used * c),
                (g, p, A, o) -> g.task(p, ArenaKernels::channelAffineGrad, ArenaKernels.CONTEXT, A, o.applyAsInt(dy), o.applyAsInt(xhat), o.applyAsInt(part), n, c, plane, len));
        deferChunkSums(part, dgamma, dbeta, c, 2, used);
    }

    @Override public void modulate(float[] xhat, float[] sc, float[] b, float[] y, int planes, int plane) {
        int total = planes * plane;
        op("modulate", a(xhat, sc, b), a(y), NO, i(planes, plane), null, Launch.one(total),
                (g, p, A, o) -> g.task(p, ArenaKernels::modulate, ArenaKernels.CONTEXT, A, o.applyAsInt(xhat), o.applyAsInt(sc), o.applyAsInt(b), o.applyAsInt(y), plane, total));
    }

    @Override public void modulateTangent(float[] xhat, float[] dxhat, float[] sc, float[] ds, float[] db, float[] dy, int planes, int plane) {
        int total = planes * plane;
        op("modulateTangent", a(xhat, dxhat, sc, ds, db), a(dy), NO, i(planes, plane), null, Launch.one(total),
                (g, p, A, o) -> g.task(p, ArenaKernels::modulateTangent, ArenaKernels.CONTEXT, A, o.applyAsInt(xhat), o.applyAsInt(dxhat), o.applyAsInt(sc), o.applyAsInt(ds),
                        o.applyAsInt(db), o.applyAsInt(dy), plane, total));
    }

    /** One task: the modulated value and its tangent per element (ArenaKernels#modulateDual). */
    @Override public void modulateDual(float[] xhat, float[] dxhat, float[] sc, float[] b, float[] ds, float[] db, float[] y, float[] dy, int planes, int plane) {
        if (!DUALS) {
            Backend.super.modulateDual(xhat, dxhat, sc, b, ds, db, y, dy, planes, plane);
            return;
        }
        int total = planes * plane;
        op("modulateDual", a(xhat, dxhat, sc, b, ds, db), a(y, dy), NO, i(planes, plane), null, Launch.one(total),
                (g, p, A, o) -> g.task(p, ArenaKernels::modulateDual, ArenaKernels.CONTEXT, A, o.applyAsInt(xhat), o.applyAsInt(dxhat), o.applyAsInt(sc), o.applyAsInt(b),
                        o.applyAsInt(ds), o.applyAsInt(db), o.applyAsInt(y), o.applyAsInt(dy), plane, total));
    }

    /** ArenaKernels#groupNormRowsBackward, mode 2 (the modulation's gradients only), one work-group per plane. */
    @Override public void modulateGrad(float[] dy, float[] xhat, float[] sc, float[] dxhat, float[] ds, float[] db, int planes, int plane) {
        op("modulateGrad", a(dy, xhat, sc, none), a(dxhat, ds, db), NO, i(planes, plane), null, Launch.groups(planes),
                (g, p, A, o) -> g.task(p, ArenaKernels::groupNormRowsBackward, ArenaKernels.CONTEXT, A, o.applyAsInt(dy), o.applyAsInt(none), o.applyAsInt(none),
                        o.applyAsInt(xhat), o.applyAsInt(sc), o.applyAsInt(dxhat), o.applyAsInt(ds), o.applyAsInt(db), o.applyAsInt(none), o.applyAsInt(none), plane,
                        plane, 2));
    }

    @Override public void avgPool2(float[] x, float[] y, int planes, int h, int wd) {
        int total = planes * (h / 2) * (wd / 2);
        op("avgPool2", a(x), a(y), NO, i(planes, h, wd), null, Launch.one(total),
                (g, p, A, o) -> g.task(p, ArenaKernels::avgPool2, ArenaKernels.CONTEXT, A, o.applyAsInt(x), o.applyAsInt(y), h, wd, total));
    }

    @Override public void avgPool2Backward(float[] dy, float[] dx, int planes, int h, int wd) {
        int total = planes * (h / 2) * (wd / 2);
        op("avgPool2Backward", a(dy), a(dx), NO, i(planes, h, wd), null, Launch.one(total),
                (g, p, A, o) -> g.task(p, ArenaKernels::avgPool2Backward, ArenaKernels.CONTEXT, A, o.applyAsInt(dy), o.applyAsInt(dx), h, wd, total));
    }

    @Override public void upsample2(float[] x, float[] y, int planes, int h, int wd) {
        int total = planes * 4 * h * wd;
        op("upsample2", a(x), a(y), NO, i(planes, h, wd), null, Launch.one(total),
                (g, p, A, o) -> g.task(p, ArenaKernels::upsample2, ArenaKernels.CONTEXT, A, o.applyAsInt(x), o.applyAsInt(y), h, wd, total));
    }

    @Override public void upsample2Backward(float[] dy, float[] dx, int planes, int h, int wd) {
        int total = planes * h * wd;
        op("upsample2Backward", a(dy), a(dx), NO, i(planes, h, wd), null, Launch.one(total),
                (g, p, A, o) -> g.task(p, ArenaKernels::upsample2Backward, ArenaKernels.CONTEXT, A, o.applyAsInt(dy), o.applyAsInt(dx), h, wd, total));
    }

    @Override public void concat(float[] xa, float[] xb, float[] y, int n, int sa, int sb) {
        int total = n * (sa + sb);
        op("concat", a(xa, xb), a(y), NO, i(n, sa, sb), null, Launch.one(total),
                (g, p, A, o) -> g.task(p, ArenaKernels::concat, ArenaKernels.CONTEXT, A, o.applyAsInt(xa), o.applyAsInt(xb), o.applyAsInt(y), sa, sb, total));
    }

    @Override public void split(float[] gr, float[] ga, float[] gb, int n, int sa, int sb) {
        int total = n * (sa + sb);
        op("split", a(gr), a(ga, gb), NO, i(n, sa, sb), null, Launch.one(total),
                (g, p, A, o) -> g.task(p, ArenaKernels::split, ArenaKernels.CONTEXT, A, o.applyAsInt(gr), o.applyAsInt(ga), o.applyAsInt(gb), sa, sb, total));
    }

    @Override public void attention(float[] qkv, float[] tqkv, boolean tangent, float[] o, float[] to, int n, int heads, int c, int len, int block) {
        int rows = n * heads * len;
        float[] sc = attentionScratch(rows * 2 * block);
        if (tangent)
            op("flashJvp", a(qkv, tqkv), a(o, to, sc), NO, i(n, heads, c, len, block), null, Launch.one(rows),
                    (g, p, A, f) -> g.task(p, ArenaKernels::flashJvp, ArenaKernels.CONTEXT, A, f.applyAsInt(qkv), f.applyAsInt(tqkv), f.applyAsInt(o), f.applyAsInt(to),
                            f.applyAsInt(sc), c, heads, len, block, rows));
        else
            op("flash", a(qkv), a(o, sc), NO, i(n, heads, c, len, block), null, Launch.one(rows),
                    (g, p, A, f) -> g.task(p, ArenaKernels::flash, ArenaKernels.CONTEXT, A, f.applyAsInt(qkv), f.applyAsInt(o), f.applyAsInt(sc), c, heads, len, block, rows));
    }

    /**
     * Two tasks (AttentionKernels' two-pass backward): "r", one work item per query row, writes p and ds into the scratch
     * (2·n·heads·L² floats: p, then ds) and dQ; "k", one per (sample·head, d, key), reads them and writes dK, dV. The
     * JVM backend's one-item-per-head form gave the H200 only n·heads threads (256 at batch 128).
     */
    @Override public void attentionBackward(float[] qkv, float[] o, float[] dO, float[] dqkv, int n, int heads, int c, int len) {
        int sampleHeads = n * heads, rows = sampleHeads * len, keys = sampleHeads * (c / heads) * len, square = sampleHeads * len * len;
        float[] pr = attentionScratch(2 * square);
        op("attentionBackward", a(qkv, o, dO), a(dqkv, pr), NO, i(n, heads, c, len), null, new Launch(new String[] {"r", "k"}, new int[] {rows, keys}),
                (g, p, A, f) -> g.task(p + "r", ArenaKernels::attentionBackwardRows, ArenaKernels.CONTEXT, A, f.applyAsInt(qkv), f.applyAsInt(o), f.applyAsInt(dO),
                                f.applyAsInt(dqkv), f.applyAsInt(pr), f.applyAsInt(pr) + square, c, heads, len, rows)
                        .task(p + "k", ArenaKernels::attentionBackwardKeys, ArenaKernels.CONTEXT, A, f.applyAsInt(qkv), f.applyAsInt(dO), f.applyAsInt(dqkv),
                                f.applyAsInt(pr), f.applyAsInt(pr) + square, c, heads, len, keys));
    }
}
