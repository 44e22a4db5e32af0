package scm.accel.tornado;

import java.util.HashMap;
import java.util.Map;
import scm.accel.model.MlpModelF32;
import scm.accel.nn.ParamF32;
import scm.ref.model.MlpConfig;
import scm.ref.nn.LayerNorm;
import scm.ref.nn.PixelNorm;
import scm.ref.nn.PositionalEmbedding;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.WorkerGrid2D;
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
    private final String graphName;
    private final GridScheduler grid = new GridScheduler();
    private int tasks;

    public TornadoMlpForward(MlpModelF32 model, int n, double sigmaD, int[] device) {
        TornadoBackend.strict();
        MlpConfig cfg = model.config();
        if (cfg.embedding() != MlpConfig.Embedding.POSITIONAL)
            throw new IllegalArgumentException("TornadoMlpForward supports the positional time embedding only, got " + cfg.embedding());
        this.n = n;
        this.graphName = "mlpForward" + n;
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
        int depth = cfg.depth(), mod = 2 * w * depth;
        // the 2·depth adaptive scale/shift Linears all read c: one batched product with the weights stacked as
        // [block0 scale; block0 shift; block1 scale; ...] (rows of width e), then one PixelNorm over its n·2·depth rows of width w
        float[] wMod = new float[mod * e], bMod = new float[mod];
        for (int i = 0; i < depth; i++) {
            String bn = "blocks." + i;
            System.arraycopy(p.get(bn + ".adn.scale.weight"), 0, wMod, (2 * i) * w * e, w * e);
            System.arraycopy(p.get(bn + ".adn.shift.weight"), 0, wMod, (2 * i + 1) * w * e, w * e);
            System.arraycopy(p.get(bn + ".adn.scale.bias"), 0, bMod, (2 * i) * w, w);
            System.arraycopy(p.get(bn + ".adn.shift.bias"), 0, bMod, (2 * i + 1) * w, w);
        }
        float[] emb = new float[n * e], c = new float[n * e], stLin = new float[n * mod], st = new float[n * mod];
        float[] hA = new float[n * w], hB = new float[n * w], u = new float[n * w], f = new float[n * d];

        TaskGraph g = new TaskGraph(graphName);
        g.transferToDevice(DataTransferMode.EVERY_EXECUTION, x, t);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, NONE, freq, sLN, sPN, sInv, sSig, wMod, bMod, emb, c, stLin, st, hA, hB, u, f);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, p.values().toArray());
        g.task(id(), TornadoKernels::positional, t, NONE, freq, emb, NONE, n, half, 0);
        linear(g, emb, p.get("time.linear.weight"), p.get("time.linear.bias"), NONE, NONE, c, n, e, e, TornadoKernels.SILU);
        linear(g, x, p.get("input.weight"), p.get("input.bias"), NONE, sInv, hA, n, d, w, TornadoKernels.SCALE_INPUT);
        linear(g, c, wMod, bMod, NONE, NONE, stLin, n, e, mod, 0);
        String pn = id();
        g.task(pn, TornadoKernels::pixelNormGroup, new KernelContext(), stLin, st, sPN, w);
        group(pn, n * 2 * depth);
        float[] h = hA, hNext = hB;
        for (int i = 0; i < depth; i++) {
            String bn = "blocks." + i;
            normSilu(g, n, h, st, st, sLN, u, w, mod, 2 * i * w, mod, 2 * i * w + w);
            linear(g, u, p.get(bn + ".linear.weight"), p.get(bn + ".linear.bias"), h, NONE, hNext, n, w, w, TornadoKernels.RESIDUAL);
            float[] tmp = h; h = hNext; hNext = tmp;
        }
        normSilu(g, n, h, p.get("out.norm.weight"), p.get("out.norm.bias"), sLN, u, w, 0, 0, 0, 0);
        linear(g, u, p.get("out.linear.weight"), p.get("out.linear.bias"), NONE, NONE, f, n, w, d, 0);
        g.task(id(), TornadoKernels::consistency, x, f, t, sSig, out, n, d);
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        plan = new TornadoExecutionPlan(g.snapshot());
        plan.withGridScheduler(grid);
        if (device != null) plan.withDevice(TornadoExecutionPlan.getDevice(device[0], device[1]));
    }

    /** A {@link TornadoKernels#linearTiled} task with its TILE×TILE work groups over (out, n) rounded up. */
    private void linear(TaskGraph g, float[] in, float[] wt, float[] bias, float[] res, float[] s, float[] y, int rows, int k, int o, int flags) {
        String name = id();
        g.task(name, TornadoKernels::linearTiled, new KernelContext(), in, wt, bias, res, s, y, rows, k, o, flags);
        int tile = TornadoKernels.TILE;
        WorkerGrid2D wg = new WorkerGrid2D(roundUp(o, tile), roundUp(rows, tile));
        wg.setLocalWork(tile, tile, 1);
        grid.addWorkerGrid(graphName + "." + name, wg);
    }

    /** A {@link TornadoKernels#normModulateSilu} task: one work group of ROW threads per row. */
    private void normSilu(TaskGraph g, int rows, float[] h, float[] sArr, float[] bArr, float[] eps, float[] u, int w, int ss, int so, int bs, int bo) {
        String name = id();
        g.task(name, TornadoKernels::normModulateSilu, new KernelContext(), h, sArr, bArr, eps, u, w, ss, so, bs, bo);
        group(name, rows);
    }

    private void group(String name, int rows) {
        WorkerGrid1D wg = new WorkerGrid1D(rows * TornadoKernels.ROW);
        wg.setLocalWork(TornadoKernels.ROW, 1, 1);
        grid.addWorkerGrid(graphName + "." + name, wg);
    }

    private static int roundUp(int v, int m) { return (v + m - 1) / m * m; }

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
