package scm.props.accel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import scm.accel.backend.Backend;
import scm.accel.backend.JvmBackend;

/**
 * A test double of a recording device backend: every {@link Backend} operation is appended, as a closure over the
 * same array references and argument values, to a list instead of running; {@link #flush()} runs the list in order on
 * the wrapped {@link JvmBackend} and clears it. It models the recorded-graph design of issue 12 (docs/gpu.md, "Why
 * the U-Net has no resident training graph yet"): the host code of a training step or sampler call runs once and
 * issues operations, which become one task graph that runs later, on the device, with parameters, optimiser state and
 * EMAs resident there across calls. Two ways host code can break that, and what catches each here:
 * <ul>
 *   <li>a host read or write of a float array <em>between</em> two operations sees, or is overwritten by, the values
 *       of the wrong moment: the results differ from an eager run ({@link DeferredBackendTest} compares bit for bit);
 *   <li>a host write, at any time, to an array that operations write (a gradient, a parameter, a moment, an EMA shadow,
 *       a layer's output buffer) would not reach that array's device-resident copy, even when it comes before the
 *       call's first operation (where the eager comparison cannot see it): {@link #flush()} fails when such an array
 *       changed on the host since the end of the previous flush. Arrays that operations only read (the batch, the
 *       times, dropout masks and cos t·sin t drawn on the host) are inputs a device graph copies in, and may be
 *       written by the host before the call.
 * </ul>
 * Every method of the interface is overridden here, its default methods ({@link #linearDual}, the fused pairs and
 * norm chains) included, and each
 * defers exactly the call it received, declaring the arrays it reads and the arrays it writes (outputs and accumulators,
 * from the kernels' contracts in {@link Backend}); {@link #flush()} checks each declaration as the operation runs (a
 * declared read must come out unchanged), and {@link DeferredBackendTest#everyBackendOperationIsDeferred} checks by
 * reflection that nothing is left to an interface default, so a new {@link Backend} operation fails the suite until it
 * is deferred here too.
 */
final class DeferredBackend implements Backend {
    private record Op(String name, Runnable run, float[][] reads, float[][] writes) {}

    /** An array some operation wrote: its contents at the end of the last flush, and the last operation that wrote it. */
    private record Resident(float[] atFlush, String writer) {}

    private final JvmBackend inner;
    private final List<Op> pending = new ArrayList<>();
    private final Map<float[], Resident> resident = new IdentityHashMap<>();
    private List<Op> previous = List.of();
    private String changeFromPrevious;

    DeferredBackend(JvmBackend inner) { this.inner = inner; }

    private void defer(String name, Runnable run, float[][] reads, float[][] writes) {
        pending.add(new Op(name, run, reads, writes));
    }

    private static float[][] reads(float[]... a) { return a; }

    private static float[][] writes(float[]... a) { return a; }

    /** Runs one operation; fails if it changed an array it declares as read only (a wrong declaration in this double). */
    private static void run(Op op) {
        List<float[]> before = new ArrayList<>();
        for (float[] r : op.reads()) before.add(r == null || written(op, r) ? null : r.clone());
        op.run().run();
        for (int q = 0; q < op.reads().length; q++)
            if (before.get(q) != null && !Arrays.equals(before.get(q), op.reads()[q]))
                throw new IllegalStateException("operation " + op.name() + " changed its read-only argument " + q
                        + ": fix its declaration");
    }

    private static boolean written(Op op, float[] a) {
        for (float[] w : op.writes()) if (w == a) return true;
        return false;
    }

    /**
     * Runs every recorded operation in the order it was issued on the wrapped backend, then forgets them. Fails first,
     * running nothing, if the host changed an array that operations write since the end of the previous flush.
     */
    void flush() {
        for (Map.Entry<float[], Resident> e : resident.entrySet()) {
            float[] now = e.getKey(), then = e.getValue().atFlush();
            for (int i = 0; i < now.length; i++)
                if (Float.floatToIntBits(now[i]) != Float.floatToIntBits(then[i]))
                    throw new IllegalStateException("the host wrote element " + i + " of an array written by backend operation "
                            + e.getValue().writer() + " (length " + now.length + ", " + then[i] + " -> " + now[i]
                            + ") since the last flush: on a device that array is resident and the write would be lost");
        }
        for (Op op : pending) run(op);
        Map<float[], String> written = new IdentityHashMap<>();
        for (Op op : pending) for (float[] a : op.writes()) if (a != null) written.put(a, op.name());
        changeFromPrevious = change(previous, pending);
        previous = List.copyOf(pending);
        pending.clear();
        for (Map.Entry<float[], String> e : written.entrySet())
            resident.put(e.getKey(), new Resident(e.getKey().clone(), e.getValue()));
    }

    /**
     * Null when the last flush ran the same operations on the same arrays (by identity) as the flush before it (then a
     * device backend can record such a call once and replay that graph, with new scalars and new input values, for
     * every later call); else the first difference.
     */
    String changeFromPrevious() { return changeFromPrevious; }

    private static String change(List<Op> a, List<Op> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            Op x = a.get(i), y = b.get(i);
            if (!x.name().equals(y.name())) return "operation " + i + ": " + x.name() + " then " + y.name();
            if (!sameArrays(x.reads(), y.reads()) || !sameArrays(x.writes(), y.writes()))
                return "operation " + i + " (" + x.name() + ") on other arrays";
        }
        return a.size() == b.size() ? null : a.size() + " operations then " + b.size();
    }

    private static boolean sameArrays(float[][] a, float[][] b) {
        if (a.length != b.length) return false;
        for (int q = 0; q < a.length; q++) if (a[q] != b[q]) return false;
        return true;
    }

    /** The number of operations recorded since the last {@link #flush()}. */
    int pending() { return pending.size(); }

    @Override public String name() { return "deferred"; }

    /** Not an operation: closes the wrapped backend (operations never flushed are dropped). */
    @Override public void close() {
        pending.clear();
        inner.close();
    }

    @Override public void linear(float[] x, float[] w, float[] b, float[] y, int n, int in, int out) {
        defer("linear", () -> inner.linear(x, w, b, y, n, in, out), reads(x, w, b), writes(y));
    }

    @Override public void linearTangent(float[] dx, float[] w, float[] dy, int n, int in, int out) {
        defer("linearTangent", () -> inner.linearTangent(dx, w, dy, n, in, out), reads(dx, w), writes(dy));
    }

    @Override public void linearDual(float[] x, float[] dx, float[] w, float[] b, float[] y, float[] dy, int n,
            int in, int out) {
        defer("linearDual", () -> inner.linearDual(x, dx, w, b, y, dy, n, in, out), reads(x, dx, w, b), writes(y, dy));
    }

    @Override public void siluDual(float[] x, float[] tx, float[] y, float[] slope, float[] ty, int len) {
        defer("siluDual", () -> inner.siluDual(x, tx, y, slope, ty, len), reads(x, tx), writes(y, slope, ty));
    }

    @Override public void conv2dDual(float[] x, float[] tx, float[] w, float[] b, float[] y, float[] ty, int n, int cin, int h, int wd, int cout,
            int k) {
        defer("conv2dDual", () -> inner.conv2dDual(x, tx, w, b, y, ty, n, cin, h, wd, cout, k), reads(x, tx, w, b), writes(y, ty));
    }

    @Override public void conv2dPlus(float[] x, float[] w, float[] b, float[] y, float[] r, int n, int cin, int h, int wd, int cout, int k) {
        defer("conv2dPlus", () -> inner.conv2dPlus(x, w, b, y, r, n, cin, h, wd, cout, k), reads(x, w, b, r), writes(y));
    }

    @Override public void conv2dDualPlus(float[] x, float[] tx, float[] w, float[] b, float[] y, float[] ty, float[] r, float[] tr, int n, int cin, int h, int wd,
            int cout, int k) {
        defer("conv2dDualPlus", () -> inner.conv2dDualPlus(x, tx, w, b, y, ty, r, tr, n, cin, h, wd, cout, k), reads(x, tx, w, b, r, tr), writes(y, ty));
    }

    @Override public void modulateDual(float[] xhat, float[] dxhat, float[] s, float[] b, float[] ds, float[] db, float[] y, float[] dy, int planes,
            int plane) {
        defer("modulateDual", () -> inner.modulateDual(xhat, dxhat, s, b, ds, db, y, dy, planes, plane), reads(xhat, dxhat, s, b, ds, db), writes(y, dy));
    }

    @Override public void layerNormDual(float[] x, float[] tx, float[] xhat, float[] r, float[] txhat, int n, int d, float eps) {
        defer("layerNormDual", () -> inner.layerNormDual(x, tx, xhat, r, txhat, n, d, eps), reads(x, tx), writes(xhat, r, txhat));
    }

    @Override public void groupNormModulateSilu(float[] x, float[] xhat, float[] r, float[] s, float[] b, float[] y, float[] act, float[] slope, int rows,
            int d, float eps, int planes, int plane) {
        defer("groupNormModulateSilu", () -> inner.groupNormModulateSilu(x, xhat, r, s, b, y, act, slope, rows, d, eps, planes, plane), reads(x, s, b),
                writes(xhat, r, y, act, slope));
    }

    @Override public void groupNormModulateSiluDual(float[] x, float[] tx, float[] xhat, float[] r, float[] txhat, float[] s, float[] b, float[] ts,
            float[] tb, float[] y, float[] ty, float[] act, float[] slope, float[] tact, int rows, int d, float eps, int planes, int plane) {
        defer("groupNormModulateSiluDual", () -> inner.groupNormModulateSiluDual(x, tx, xhat, r, txhat, s, b, ts, tb, y, ty, act, slope, tact, rows, d, eps, planes,
                plane), reads(x, tx, s, b, ts, tb), writes(xhat, r, txhat, y, ty, act, slope, tact));
    }

    @Override public void siluModulateGroupNormGrad(float[] g, float[] slope, float[] gAct, float[] xhat, float[] s, float[] dxhat, float[] ds, float[] db,
            float[] r, float[] dx, int rows, int d, int planes, int plane) {
        defer("siluModulateGroupNormGrad", () -> inner.siluModulateGroupNormGrad(g, slope, gAct, xhat, s, dxhat, ds, db, r, dx, rows, d, planes, plane),
                reads(g, slope, xhat, s, r), writes(gAct, dxhat, ds, db, dx));
    }

    @Override public void linearInputGrad(float[] dy, float[] w, float[] dx, int n, int in, int out) {
        defer("linearInputGrad", () -> inner.linearInputGrad(dy, w, dx, n, in, out), reads(dy, w), writes(dx));
    }

    @Override public void linearParamGrad(float[] dy, float[] x, float[] dw, float[] db, int n, int in, int out) {
        defer("linearParamGrad", () -> inner.linearParamGrad(dy, x, dw, db, n, in, out), reads(dy, x), writes(dw, db));
    }

    @Override public void silu(float[] x, float[] y, float[] slope, int len) {
        defer("silu", () -> inner.silu(x, y, slope, len), reads(x), writes(y, slope));
    }

    @Override public void mul(float[] a, float[] b, float[] out, int len) {
        defer("mul", () -> inner.mul(a, b, out, len), reads(a, b), writes(out));
    }

    @Override public void add(float[] a, float[] b, float[] out, int len) {
        defer("add", () -> inner.add(a, b, out, len), reads(a, b), writes(out));
    }

    @Override public void accumulate(float[] acc, float[] a, int len) {
        defer("accumulate", () -> inner.accumulate(acc, a, len), reads(a), writes(acc));
    }

    @Override public void fill(float[] a, float value, int len) {
        defer("fill", () -> inner.fill(a, value, len), reads(), writes(a));
    }

    @Override public void copy(float[] src, float[] dst, int len) {
        defer("copy", () -> inner.copy(src, dst, len), reads(src), writes(dst));
    }

    @Override public void scaleShift(float[] h, float[] s, float[] b, float[] y, int len) {
        defer("scaleShift", () -> inner.scaleShift(h, s, b, y, len), reads(h, s, b), writes(y));
    }

    @Override public void scaleShiftTangent(float[] h, float[] dh, float[] s, float[] ds, float[] db,
            float[] dy, int len) {
        defer("scaleShiftTangent", () -> inner.scaleShiftTangent(h, dh, s, ds, db, dy, len),
                reads(h, dh, s, ds, db), writes(dy));
    }

    @Override public void layerNorm(float[] x, float[] xhat, float[] r, int n, int d, float eps) {
        defer("layerNorm", () -> inner.layerNorm(x, xhat, r, n, d, eps), reads(x), writes(xhat, r));
    }

    @Override public void layerNormProject(float[] xhat, float[] r, float[] v, float[] out, int n, int d) {
        defer("layerNormProject", () -> inner.layerNormProject(xhat, r, v, out, n, d), reads(xhat, r, v), writes(out));
    }

    @Override public void affine(float[] v, float[] gamma, float[] beta, boolean withShift, float[] y, int n, int d) {
        defer("affine", () -> inner.affine(v, gamma, beta, withShift, y, n, d), reads(v, gamma, beta), writes(y));
    }

    @Override public void affineGrad(float[] dy, float[] xhat, float[] dgamma, float[] dbeta, int n, int d) {
        defer("affineGrad", () -> inner.affineGrad(dy, xhat, dgamma, dbeta, n, d),
                reads(dy, xhat), writes(dgamma, dbeta));
    }

    @Override public void pixelNorm(float[] x, float[] y, float[] r, int n, int d, float eps) {
        defer("pixelNorm", () -> inner.pixelNorm(x, y, r, n, d, eps), reads(x), writes(y, r));
    }

    @Override public void pixelNormProject(float[] y, float[] r, float[] v, float[] out, int n, int d) {
        defer("pixelNormProject", () -> inner.pixelNormProject(y, r, v, out, n, d), reads(y, r, v), writes(out));
    }

    @Override public void positional(float[] t, float[] dt, boolean tangent, float[] freq, float[] e,
            float[] de, int n, int half) {
        defer("positional", () -> inner.positional(t, dt, tangent, freq, e, de, n, half),
                reads(t, dt, freq), writes(e, de));
    }

    @Override public void positionalBackward(float[] t, float[] freq, float[] g, float[] dtOut, int n, int half) {
        defer("positionalBackward", () -> inner.positionalBackward(t, freq, g, dtOut, n, half),
                reads(t, freq, g), writes(dtOut));
    }

    @Override public void fourier(float[] t, float[] dt, boolean tangent, float[] a, float[] p, float[] e,
            float[] de, int n, int dim) {
        defer("fourier", () -> inner.fourier(t, dt, tangent, a, p, e, de, n, dim), reads(t, dt, a, p), writes(e, de));
    }

    @Override public void fourierBackward(float[] t, float[] a, float[] p, float[] g, float[] dtOut, int n, int dim) {
        defer("fourierBackward", () -> inner.fourierBackward(t, a, p, g, dtOut, n, dim),
                reads(t, a, p, g), writes(dtOut));
    }

    @Override public void noisy(float[] x0, float[] z, float[] t, float[] xt, float[] dxdt, int n, int d) {
        defer("noisy", () -> inner.noisy(x0, z, t, xt, dxdt, n, d), reads(x0, z, t), writes(xt, dxdt));
    }

    @Override public void scale(float[] x, float factor, float[] out, int len) {
        defer("scale", () -> inner.scale(x, factor, out, len), reads(x), writes(out));
    }

    @Override public void rowScale(float[] x, float[] s, float[] out, int n, int d) {
        defer("rowScale", () -> inner.rowScale(x, s, out, n, d), reads(x, s), writes(out));
    }

    @Override public void consistency(float[] x, float[] f, float[] t, float sigmaD, float[] out, int n, int d) {
        defer("consistency", () -> inner.consistency(x, f, t, sigmaD, out, n, d), reads(x, f, t), writes(out));
    }

    @Override public void tangent(float[] fMinus, float[] jvp, float[] xt, float[] dxdt, float[] t,
            float sigmaD, float r, float c, float[] g, int n, int d) {
        defer("tangent", () -> inner.tangent(fMinus, jvp, xt, dxdt, t, sigmaD, r, c, g, n, d),
                reads(fMinus, jvp, xt, dxdt, t), writes(g));
    }

    @Override public void loss(float[] f, float[] fMinus, float[] g, float[] w, float[] loss, float[] dF,
            float[] dw, int n, int d) {
        defer("loss", () -> inner.loss(f, fMinus, g, w, loss, dF, dw, n, d),
                reads(f, fMinus, g, w), writes(loss, dF, dw));
    }

    @Override public void adamFamily(float[] p, float[] g, float[] m, float[] v, float beta1, float beta2,
            float a, float s, float eps, boolean adaptive, int len) {
        defer("adamFamily", () -> inner.adamFamily(p, g, m, v, beta1, beta2, a, s, eps, adaptive, len),
                reads(g), writes(p, m, v));
    }

    @Override public void ema(float[] e, float[] p, float beta, int len) {
        defer("ema", () -> inner.ema(e, p, beta, len), reads(p), writes(e));
    }

    @Override public void conv2d(float[] x, float[] w, float[] b, boolean hasBias, float[] y, int n, int cin,
            int h, int wd, int cout, int k) {
        defer("conv2d", () -> inner.conv2d(x, w, b, hasBias, y, n, cin, h, wd, cout, k), reads(x, w, b), writes(y));
    }

    @Override public void conv2dInputGrad(float[] dy, float[] w, float[] dx, int n, int cin, int h, int wd,
            int cout, int k) {
        defer("conv2dInputGrad", () -> inner.conv2dInputGrad(dy, w, dx, n, cin, h, wd, cout, k),
                reads(dy, w), writes(dx));
    }

    @Override public void conv2dParamGrad(float[] dy, float[] x, float[] dw, float[] db, int n, int cin, int h,
            int wd, int cout, int k) {
        defer("conv2dParamGrad", () -> inner.conv2dParamGrad(dy, x, dw, db, n, cin, h, wd, cout, k),
                reads(dy, x), writes(dw, db));
    }

    @Override public void conv2dBackward(float[] dy, float[] x, float[] w, float[] dx, float[] r, float[] dw, float[] db, int n, int cin, int h, int wd, int cout,
            int k) {
        defer("conv2dBackward", () -> inner.conv2dBackward(dy, x, w, dx, r, dw, db, n, cin, h, wd, cout, k),
                r == null ? reads(dy, x, w) : reads(dy, x, w, r), writes(dx, dw, db));
    }

    @Override public void channelAffine(float[] v, float[] gamma, float[] beta, boolean withShift, float[] y,
            int n, int c, int plane) {
        defer("channelAffine", () -> inner.channelAffine(v, gamma, beta, withShift, y, n, c, plane),
                reads(v, gamma, beta), writes(y));
    }

    @Override public void channelAffineGrad(float[] dy, float[] xhat, float[] dgamma, float[] dbeta, int n,
            int c, int plane) {
        defer("channelAffineGrad", () -> inner.channelAffineGrad(dy, xhat, dgamma, dbeta, n, c, plane),
                reads(dy, xhat), writes(dgamma, dbeta));
    }

    @Override public void modulate(float[] xhat, float[] s, float[] b, float[] y, int planes, int plane) {
        defer("modulate", () -> inner.modulate(xhat, s, b, y, planes, plane), reads(xhat, s, b), writes(y));
    }

    @Override public void modulateTangent(float[] xhat, float[] dxhat, float[] s, float[] ds, float[] db,
            float[] dy, int planes, int plane) {
        defer("modulateTangent", () -> inner.modulateTangent(xhat, dxhat, s, ds, db, dy, planes, plane),
                reads(xhat, dxhat, s, ds, db), writes(dy));
    }

    @Override public void modulateGrad(float[] dy, float[] xhat, float[] s, float[] dxhat, float[] ds,
            float[] db, int planes, int plane) {
        defer("modulateGrad", () -> inner.modulateGrad(dy, xhat, s, dxhat, ds, db, planes, plane),
                reads(dy, xhat, s), writes(dxhat, ds, db));
    }

    @Override public void avgPool2(float[] x, float[] y, int planes, int h, int wd) {
        defer("avgPool2", () -> inner.avgPool2(x, y, planes, h, wd), reads(x), writes(y));
    }

    @Override public void avgPool2Backward(float[] dy, float[] dx, int planes, int h, int wd) {
        defer("avgPool2Backward", () -> inner.avgPool2Backward(dy, dx, planes, h, wd), reads(dy), writes(dx));
    }

    @Override public void upsample2(float[] x, float[] y, int planes, int h, int wd) {
        defer("upsample2", () -> inner.upsample2(x, y, planes, h, wd), reads(x), writes(y));
    }

    @Override public void upsample2Backward(float[] dy, float[] dx, int planes, int h, int wd) {
        defer("upsample2Backward", () -> inner.upsample2Backward(dy, dx, planes, h, wd), reads(dy), writes(dx));
    }

    @Override public void concat(float[] a, float[] b, float[] y, int n, int sa, int sb) {
        defer("concat", () -> inner.concat(a, b, y, n, sa, sb), reads(a, b), writes(y));
    }

    @Override public void split(float[] g, float[] ga, float[] gb, int n, int sa, int sb) {
        defer("split", () -> inner.split(g, ga, gb, n, sa, sb), reads(g), writes(ga, gb));
    }

    @Override public void attention(float[] qkv, float[] tqkv, boolean tangent, float[] o, float[] to, int n,
            int heads, int c, int len, int block) {
        defer("attention", () -> inner.attention(qkv, tqkv, tangent, o, to, n, heads, c, len, block),
                reads(qkv, tqkv), writes(o, to));
    }

    @Override public void attentionBackward(float[] qkv, float[] o, float[] dO, float[] dqkv, int n, int heads,
            int c, int len) {
        defer("attentionBackward", () -> inner.attentionBackward(qkv, o, dO, dqkv, n, heads, c, len),
                reads(qkv, o, dO), writes(dqkv));
    }
}
