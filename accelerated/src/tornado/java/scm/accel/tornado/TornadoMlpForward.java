package scm.accel.tornado;

import java.util.HashMap;
import java.util.Map;
import scm.accel.model.MlpModelF32;
import scm.accel.nn.ParamF32;
import scm.ref.model.MlpConfig;
import scm.ref.nn.LayerNorm;
import scm.ref.nn.PixelNorm;
import scm.ref.nn.PositionalEmbedding;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;

/**
 * The consistency function f(x, t) = cos t·x − sin t·σ_d·F(x/σ_d, t) of a {@link MlpModelF32} (evaluation
 * mode, positional embedding) as ONE TornadoVM task graph of {@link TornadoKernels} tasks, mirroring
 * {@link MlpModelF32#forward} layer by layer. Weights and activations are copied to the device once
 * (first execution) and stay there; each {@link #apply} moves only x and t in and f out. Weights are a
 * snapshot taken at construction. Built only with {@code -Ptornado}.
 */
public final class TornadoMlpForward implements AutoCloseable {
    private static final float[] NONE = new float[1];

    private final int n, dim;
    private final float[] x, t, out;
    private final TornadoExecutionPlan plan;
    private int tasks;

    public TornadoMlpForward(MlpModelF32 model, int n, double sigmaD, int[] device) {
        TornadoBackend.strict();
        MlpConfig cfg = model.config();
        if (cfg.embedding() != MlpConfig.Embedding.POSITIONAL)
            throw new IllegalArgumentException("TornadoMlpForward supports the positional time embedding only, got " + cfg.embedding());
        this.n = n;
        this.dim = cfg.dim();
        int d = cfg.dim(), w = cfg.width(), e = cfg.embDim(), half = e / 2;
        Map<String, float[]> p = new HashMap<>();
        for (ParamF32 q : model.params()) if (!q.name.startsWith("weight_head.")) p.put(q.name, q.value.clone());
        double[] fd = new PositionalEmbedding("time.embedding", e).frequencies();
        float[] freq = new float[half];
        for (int k = 0; k < half; k++) freq[k] = (float) fd[k];
        float[] sLN = {(float) LayerNorm.EPS}, sPN = {(float) PixelNorm.EPS}, sInv = {(float) (1 / sigmaD)}, sSig = {(float) sigmaD};

        x = new float[n * d];
        t = new float[n];
        out = new float[n * d];
        float[] xs = new float[n * d], emb = new float[n * e], tl = new float[n * e], c = new float[n * e], cSlope = new float[n * e];
        float[] hA = new float[n * w], hB = new float[n * w], xhat = new float[n * w], r = new float[n], sl = new float[n * w], s = new float[n * w];
        float[] rs = new float[n], bl = new float[n * w], b = new float[n * w], rb = new float[n], a = new float[n * w], u = new float[n * w];
        float[] uSlope = new float[n * w], rr = new float[n * w], y = new float[n * w], f = new float[n * d];

        TaskGraph g = new TaskGraph("mlpForward" + n);
        g.transferToDevice(DataTransferMode.EVERY_EXECUTION, x, t);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, NONE, freq, sLN, sPN, sInv, sSig, xs, emb, tl, c, cSlope, hA, hB, xhat, r, sl,
                s, rs, bl, b, rb, a, u, uSlope, rr, y, f);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, p.values().toArray());
        g.task(id(), TornadoKernels::scale, x, sInv, xs, n * d);
        g.task(id(), TornadoKernels::positional, t, NONE, freq, emb, NONE, n, half, 0);
        g.task(id(), TornadoKernels::linear, emb, p.get("time.linear.weight"), p.get("time.linear.bias"), tl, n, e, e, 1);
        g.task(id(), TornadoKernels::silu, tl, c, cSlope, n * e);
        g.task(id(), TornadoKernels::linear, xs, p.get("input.weight"), p.get("input.bias"), hA, n, d, w, 1);
        float[] h = hA, hNext = hB;
        for (int i = 0; i < cfg.depth(); i++) {
            String bn = "blocks." + i;
            g.task(id(), TornadoKernels::layerNorm, h, xhat, r, sLN, n, w);
            g.task(id(), TornadoKernels::linear, c, p.get(bn + ".adn.scale.weight"), p.get(bn + ".adn.scale.bias"), sl, n, e, w, 1);
            g.task(id(), TornadoKernels::pixelNorm, sl, s, rs, sPN, n, w);
            g.task(id(), TornadoKernels::linear, c, p.get(bn + ".adn.shift.weight"), p.get(bn + ".adn.shift.bias"), bl, n, e, w, 1);
            g.task(id(), TornadoKernels::pixelNorm, bl, b, rb, sPN, n, w);
            g.task(id(), TornadoKernels::scaleShift, xhat, s, b, a, n * w);
            g.task(id(), TornadoKernels::silu, a, u, uSlope, n * w);
            g.task(id(), TornadoKernels::linear, u, p.get(bn + ".linear.weight"), p.get(bn + ".linear.bias"), rr, n, w, w, 1);
            g.task(id(), TornadoKernels::add, h, rr, hNext, n * w);
            float[] tmp = h; h = hNext; hNext = tmp;
        }
        g.task(id(), TornadoKernels::layerNorm, h, xhat, r, sLN, n, w);
        g.task(id(), TornadoKernels::affine, xhat, p.get("out.norm.weight"), p.get("out.norm.bias"), y, n, w, 1);
        g.task(id(), TornadoKernels::silu, y, a, uSlope, n * w);
        g.task(id(), TornadoKernels::linear, a, p.get("out.linear.weight"), p.get("out.linear.bias"), f, n, w, d, 1);
        g.task(id(), TornadoKernels::consistency, x, f, t, sSig, out, n, d);
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        plan = new TornadoExecutionPlan(g.snapshot());
        if (device != null) plan.withDevice(TornadoExecutionPlan.getDevice(device[0], device[1]));
    }

    private String id() { return "t" + (tasks++); }

    public int taskCount() { return tasks; }

    /** f(xIn, tIn) for the n samples; returns a live buffer (valid until the next call). */
    public float[] apply(float[] xIn, float[] tIn) {
        System.arraycopy(xIn, 0, x, 0, n * dim);
        System.arraycopy(tIn, 0, t, 0, n);
        plan.execute();
        return out;
    }

    @Override public void close() throws Exception { plan.close(); }
}
