package scm.accel.tornado;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import scm.accel.model.MlpModelF32;
import scm.accel.nn.ParamF32;
import scm.accel.optim.AdamF32;
import scm.ref.model.MlpConfig;
import scm.ref.nn.AdaptiveWeightHead;
import scm.ref.nn.LayerNorm;
import scm.ref.nn.PixelNorm;
import scm.ref.nn.PositionalEmbedding;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.WorkerGrid3D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * One sCT or sCD training step of a {@link MlpModelF32} (positional time embedding, dropout 0) as ONE resident TornadoVM
 * task graph, executed once per step: the same step as {@link scm.accel.train.ScmObjectiveF32#sct} (or
 * {@link scm.accel.train.ScmObjectiveF32#scd} with a teacher) followed by {@link AdamF32#step()} (Adam or RAdam) and an
 * EMA update ({@link scm.accel.optim.EmaF32#update}) [docs/math.md §11 L3]:
 * <ol>
 * <li>x_t = cos t·x0 + sin t·z and dx_t/dt: sCT cos t·z − sin t·x0; sCD σ_d·F_teacher(x_t/σ_d, t), the teacher's plain
 *     forward in evaluation mode (no dropout) on the same per-sample times, its parameters a separate flat array copied
 *     to the device once;</li>
 * <li>the JVP of F at (x_t/σ_d, t) along (cos t sin t·dx_t/dt, cos t sin t·σ_d) on stacked primal/tangent rows
 *     ({@link FusedTrainKernels}): time embedding, time Linear + SiLU, all 2·depth adaptive scale/shift Linears in one
 *     product + PixelNorm, input Linear, per block LayerNorm·modulation·SiLU and the Linear with the residual, output norm
 *     and Linear → F⁻ and J;</li>
 * <li>the tangent g = −cos²t(σ_d F⁻ − dx_t/dt) − r(cos t sin t·x_t + J), g/(‖g‖ + c), the adaptive weight w_φ(t) and the
 *     loss e^w/D‖F − F⁻ − g‖² − w with its gradients (F = F⁻);</li>
 * <li>the backward through the plain forward (the primal activations saved by the JVP), all weight gradients
 *     (bias gradients fused into the weight-gradient products), then Adam/RAdam and the EMA over the flat arrays; the
 *     update task also writes per-work-group sums of g² ({@link #lastGradNorm()}, for the trainer's divergence guard).</li>
 * </ol>
 * Tasks for the digits MLP (depth 5): sCT 40 = 6 + 2·depth + 3 for the forward, JVP and loss, 4 + 2·depth + 7 for the
 * backward and the update (the depth block weight gradients are one batched product after the chain; the conditioning
 * gradient is a split-K product plus a task that adds its partial sums and applies the SiLU slope). sCD adds the teacher's
 * forward, 6 + 2·depth = 16 tasks: 56. Parameters, gradients, Adam moments and the EMA are four flat off-heap arrays that
 * stay on the device (copied in once, FIRST_EXECUTION; read back only by {@link #params()}/{@link #ema()}/{@link #grads()}/
 * {@link #firstMoments()}/{@link #secondMoments()}, UNDER_DEMAND). Per step the host writes the batch (x0, z, t) and 11
 * step scalars in place into off-heap arrays and reads back the n per-sample losses, the gradient-norm partial sums and a
 * status word, so the plan can be captured as a CUDA graph ({@link #CUDA_GRAPH}).
 *
 * <p>Not supported (refused at construction): dropout &gt; 0 in the student (the digits runs use 0; the teacher's rate
 * does not matter, it runs in evaluation mode), the Fourier time embedding, a teacher of another shape.
 * Built only with {@code -Ptornado}.
 */
public final class TornadoSctStepGraph implements AutoCloseable {
    /**
     * Options: capture as a CUDA graph (PTX/CUDA devices); TornadoVM's profiler (not together with the capture); for
     * benchmarks, the conditioning-gradient product unsplit with its SiLU slope fused (the layout before the split-K
     * change, one task fewer), so both can be timed side by side.
     */
    public static final int CUDA_GRAPH = 1, PROFILE = 2, UNSPLIT_DC = 4;

    private final int n, dim, total, copies, targetGroups;
    private final double lr, beta1, beta2, eps;
    private final boolean rectified;
    private final float sigmaD, c;
    private final List<ParamF32> layoutParams;
    private final Map<String, Integer> offsets = new LinkedHashMap<>();
    private final FloatArray x0, z, tin, hyper, loss, theta, ema, m, v, grad, gsq;
    private final IntArray status;
    /** A placeholder for the array arguments a task does not use. */
    private final FloatArray none = new FloatArray(1);
    /** The integer arguments of all the graph's products (CFG_LEN each; 21 products at depth 5). */
    private final IntArray cfgs;
    private int gemms;
    private final TornadoExecutionPlan plan;
    private final GridScheduler grid = new GridScheduler();
    private final String graphName;
    private int tasks;
    private long step;
    private TornadoExecutionResult last;

    /**
     * A graph for batches of n samples, starting from {@code model}'s parameters (the EMA starts there too, Adam's
     * moments at zero).
     *
     * @param rectified RAdam (the sCM students' optimiser) when true, Adam otherwise
     * @param device    TornadoVM {backend, device} indices, or null for the default device
     */
    public TornadoSctStepGraph(MlpModelF32 model, int n, double sigmaD, double c, double lr, double beta1, double beta2, double eps,
                               boolean rectified, int[] device, int options) {
        this(model, null, n, sigmaD, c, lr, beta1, beta2, eps, rectified, device, options);
    }

    /**
     * As {@link #TornadoSctStepGraph(MlpModelF32, int, double, double, double, double, double, double, boolean, int[], int)},
     * for sCD when {@code teacher} is not null: dx_t/dt = σ_d·F_teacher(x_t/σ_d, t), the teacher evaluated in eval mode
     * (as {@link scm.accel.train.ScmObjectiveF32#scd}); its parameters are copied to the device once.
     */
    public TornadoSctStepGraph(MlpModelF32 model, MlpModelF32 teacher, int n, double sigmaD, double c, double lr, double beta1, double beta2,
                               double eps, boolean rectified, int[] device, int options) {
        if (System.getProperty("tornado.tvm.maxbytecodesize") == null) System.setProperty("tornado.tvm.maxbytecodesize", "262144");
        TornadoBackend.strict();
        MlpConfig cfg = model.config();
        int d = cfg.dim(), w = cfg.width(), e = cfg.embDim(), depth = cfg.depth(), mods = 2 * depth, mw = mods * w;
        if (cfg.embedding() != MlpConfig.Embedding.POSITIONAL)
            throw new IllegalArgumentException("TornadoSctStepGraph supports the positional time embedding only, got " + cfg.embedding());
        if (cfg.dropout() != 0)
            throw new IllegalArgumentException("TornadoSctStepGraph supports dropout 0 only, got " + cfg.dropout());
        if (n < 1) throw new IllegalArgumentException("batch must be >= 1, got " + n);
        if (teacher == model) throw new IllegalArgumentException("the sCD teacher must not be the student network itself");
        if (teacher != null) {
            MlpConfig tc = teacher.config();
            if (tc.dim() != d || tc.width() != w || tc.embDim() != e || tc.depth() != depth || tc.embedding() != cfg.embedding())
                throw new IllegalArgumentException("the sCD teacher must have the student's architecture: teacher dim " + tc.dim() + ", width "
                        + tc.width() + ", embedding " + tc.embDim() + " (" + tc.embedding() + "), depth " + tc.depth() + "; student " + d + ", "
                        + w + ", " + e + " (" + cfg.embedding() + "), " + depth);
        }
        if (!(lr > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0))
            throw new IllegalArgumentException("bad Adam hyperparameters: lr=" + lr + " betas=(" + beta1 + ", " + beta2 + ") eps=" + eps);
        this.n = n;
        this.dim = d;
        this.targetGroups = Integer.getInteger("scm.tornado.splitGroups", TARGET_GROUPS);
        if (targetGroups < 1) throw new IllegalArgumentException("scm.tornado.splitGroups must be >= 1, got " + targetGroups);
        this.lr = lr; this.beta1 = beta1; this.beta2 = beta2; this.eps = eps;
        this.rectified = rectified;
        this.sigmaD = (float) sigmaD;
        this.c = (float) c;
        this.graphName = (teacher == null ? "sct" : "scd") + n + "_" + System.identityHashCode(this);
        int heads = AdaptiveWeightHead.FEATURES;

        // flat layout: the adaptive Linears stacked [block0 scale; block0 shift; block1 scale; ...] so one product serves all
        layoutParams = model.params();
        int off = 0;
        String[] order = order(depth);
        for (String name : order) { offsets.put(name, off); off += find(model, name).size(); }
        int oWm = offsets.get("blocks.0.adn.scale.weight"), oBm = offsets.get("blocks.0.adn.scale.bias");
        total = off;
        int expected = 0;
        for (ParamF32 q : model.params()) expected += q.size();
        if (expected != total) throw new IllegalStateException("flat layout covers " + total + " of " + expected + " parameter values");
        theta = new FloatArray(total);
        ema = new FloatArray(total);
        m = new FloatArray(total);
        v = new FloatArray(total);
        // split-K weight gradients: up to 8 partial copies, chunks of at least 32 samples
        copies = Math.max(1, Math.min(8, (n + 31) / 32));
        grad = new FloatArray(copies * total);
        for (String name : order) {
            float[] val = find(model, name).value;
            int o = offsets.get(name);
            for (int j = 0; j < val.length; j++) { theta.set(o + j, val[j]); ema.set(o + j, val[j]); }
        }
        for (int j = 0; j < total; j++) { m.set(j, 0f); v.set(j, 0f); }
        grad.init(0f);
        gsq = new FloatArray((total + FusedTrainKernels.ROW - 1) / FusedTrainKernels.ROW);
        // sCD: the teacher's parameters in the same flat layout (same architecture), copied to the device once
        FloatArray tTheta = teacher == null ? null : new FloatArray(total);
        if (teacher != null)
            for (String name : order) {
                float[] val = find(teacher, name).value;
                int o = offsets.get(name);
                for (int j = 0; j < val.length; j++) tTheta.set(o + j, val[j]);
            }

        // constants: positional frequencies, then the weight head's Fourier a_k = 2π s ω_k and p_k = 2π φ_k (as FourierEmbeddingF32)
        double[] fd = new PositionalEmbedding("time.embedding", e).frequencies();
        float[] ha = model.weightHead().fourier().angleScales(), hp = model.weightHead().fourier().phases();
        if (ha.length != heads) throw new IllegalArgumentException("weight head has " + ha.length + " features, expected " + heads);
        int hOff = e / 2;
        FloatArray consts = new FloatArray(hOff + 2 * heads);
        for (int k = 0; k < e / 2; k++) consts.set(k, (float) fd[k]);
        for (int k = 0; k < heads; k++) {
            consts.set(hOff + k, ha[k]);
            consts.set(hOff + heads + k, hp[k]);
        }

        x0 = new FloatArray(n * d);
        z = new FloatArray(n * d);
        tin = new FloatArray(n);
        hyper = new FloatArray(FusedTrainKernels.H_LEN);
        loss = new FloatArray(n);
        status = new IntArray(1);
        status.set(0, 0);
        FloatArray xt = new FloatArray(n * d), vel = new FloatArray(n * d), xs = new FloatArray(2 * n * d), emb = new FloatArray(2 * n * e);
        FloatArray tl = new FloatArray(2 * n * e), cc = new FloatArray(2 * n * e), ms = new FloatArray(2 * n * mw), sn = new FloatArray(2 * n * mw);
        FloatArray rho = new FloatArray(n * mods), hA = new FloatArray(2 * n * w), hB = new FloatArray(2 * n * w);
        FloatArray xh = new FloatArray((depth + 1) * n * w), rr = new FloatArray((depth + 1) * n), aa = new FloatArray((depth + 1) * n * w);
        FloatArray uu = new FloatArray((depth + 1) * 2 * n * w), fj = new FloatArray(2 * n * d), dF = new FloatArray(n * d), dw = new FloatArray(n);
        // gs: the gradient at the output of block i in slot i (slot depth: at the output of the last block), kept so that
        // the depth block weight gradients are one batched product after the chain
        FloatArray da = new FloatArray(n * w), gs = new FloatArray((depth + 1) * n * w), gm = new FloatArray(n * mw);
        FloatArray dtl = new FloatArray(n * e);
        float epsLN = (float) LayerNorm.EPS, epsPN = (float) PixelNorm.EPS;

        // products: depth + 4 in the forward + JVP, depth + 7 in the backward; the sCD teacher's forward another depth + 4
        cfgs = new IntArray((2 * depth + 11 + (teacher == null ? 0 : depth + 4)) * FusedTrainKernels.CFG_LEN);
        TaskGraph g = new TaskGraph(graphName);
        g.transferToDevice(DataTransferMode.EVERY_EXECUTION, x0, z, tin, hyper);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, theta, grad, m, v, ema, gsq, consts, status, none, cfgs);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, xt, vel, xs, emb, tl, cc, ms, sn, rho, hA, hB, xh, rr, aa, uu, fj, dF, dw, da, gs, gm, dtl);

        // ---- forward + JVP (stacked rows: primal 0..n-1, tangent n..2n-1)
        String t0 = id("inputs");
        g.task(t0, FusedTrainKernels::prepare, new KernelContext(), x0, z, tin, consts, hyper, xt, vel, xs, emb, status, n, d, e, tasks);
        flat(t0, n * Math.max(d, e));
        if (teacher != null) teacherVelocity(g, tTheta, xs, emb, vel, n, d, w, e, depth, mw, oWm, oBm, epsLN, epsPN);
        int oWt = offsets.get("time.linear.weight"), oBt = offsets.get("time.linear.bias");
        gemm(g, "time_linear", emb, 0, e, 1, theta, oWt, 1, e, 2 * n, e, e, FusedTrainKernels.BIAS, oBt, n, none, 0, tl, 0, e, -1);
        String t1 = id("time_silu");
        g.task(t1, FusedTrainKernels::siluJvp, new KernelContext(), tl, cc, status, n * e, tasks);
        flat(t1, n * e);
        gemm(g, "modulation_linears", cc, 0, e, 1, theta, oWm, 1, e, 2 * n, mw, e, FusedTrainKernels.BIAS, oBm, n, none, 0, ms, 0, mw, -1);
        String t2 = id("modulation_pixelnorm");
        g.task(t2, FusedTrainKernels::pixelNormJvp, new KernelContext(), ms, sn, rho, status, n, mods, w, epsPN, tasks);
        rows(t2, n * mods);
        gemm(g, "input_linear", xs, 0, d, 1, theta, offsets.get("input.weight"), 1, d, 2 * n, w, d, FusedTrainKernels.BIAS, offsets.get("input.bias"), n,
                none, 0, hA, 0, w, -1);
        FloatArray h = hA, hNext = hB;
        for (int i = 0; i < depth; i++) {
            String tn = id("b" + i + "_norm");
            g.task(tn, FusedTrainKernels::normJvp, new KernelContext(), h, sn, theta, xh, rr, aa, uu, status, n, w, mw, 2 * i * w, 0, 1, i,
                    epsLN, tasks);
            rows(tn, n);
            gemm(g, "b" + i + "_linear", uu, i * 2 * n * w, w, 1, theta, offsets.get("blocks." + i + ".linear.weight"), 1, w, 2 * n, w, w,
                    FusedTrainKernels.BIAS | FusedTrainKernels.RESIDUAL, offsets.get("blocks." + i + ".linear.bias"), n, h, 0, hNext, 0, w, -1);
            FloatArray tmp = h; h = hNext; hNext = tmp;
        }
        int oG = offsets.get("out.norm.weight");
        String to = id("out_norm");
        g.task(to, FusedTrainKernels::normJvp, new KernelContext(), h, sn, theta, xh, rr, aa, uu, status, n, w, mw, 0, oG, 0, depth, epsLN, tasks);
        rows(to, n);
        int oWo = offsets.get("out.linear.weight"), oBo = offsets.get("out.linear.bias");
        gemm(g, "out_linear", uu, depth * 2 * n * w, w, 1, theta, oWo, 1, w, 2 * n, d, w, FusedTrainKernels.BIAS, oBo, n, none, 0, fj, 0, d, -1);

        // ---- tangent, weight, loss
        int oWh = offsets.get("weight_head.linear.weight");
        String tl2 = id("tangent_loss");
        g.task(tl2, FusedTrainKernels::tangentLoss, new KernelContext(), fj, xt, vel, tin, consts, theta, hyper, loss, dF, dw, status, n, d,
                hOff, heads, oWh, tasks);
        rows(tl2, n);

        // ---- backward through the plain forward
        // output Linear: dL/d(o1) = (dF·Wo)⊙SiLU'(o1); dWo, dbo = dFᵀ·u_out, Σ dF
        gemm(g, "out_linear_dx", dF, 0, d, 1, theta, oWo, w, 1, n, w, d, FusedTrainKernels.SILU_GRAD, 0, 0, aa, depth * n * w, da, 0, w, -1);
        gemmGrad(g, "out_linear_dW", dF, 0, 1, d, uu, depth * 2 * n * w, w, 1, d, w, oWo, w, oBo, 1, 0, 0, 0);
        String tb = id("out_norm_back");
        g.task(tb, FusedTrainKernels::normBackward, new KernelContext(), da, gs, sn, rho, theta, xh, rr, gm, status, n, w, mods, 0, oG, 0,
                depth, 0, depth * n * w, tasks);
        rows(tb, n);
        String ts = id("small_grads");
        g.task(ts, FusedTrainKernels::smallGrads, new KernelContext(), da, xh, dw, tin, consts, grad, status, n, w, depth, oG, hOff, heads, oWh,
                tasks);
        rows(ts, w + heads + 1);
        for (int i = depth - 1; i >= 0; i--) {
            int oW = offsets.get("blocks." + i + ".linear.weight");
            gemm(g, "b" + i + "_linear_dx", gs, (i + 1) * n * w, w, 1, theta, oW, w, 1, n, w, w, FusedTrainKernels.SILU_GRAD, 0, 0, aa, i * n * w, da, 0, w, -1);
            String bb = id("b" + i + "_norm_back");
            g.task(bb, FusedTrainKernels::normBackward, new KernelContext(), da, gs, sn, rho, theta, xh, rr, gm, status, n, w, mods, 2 * i,
                    0, 1, i, (i + 1) * n * w, i * n * w, tasks);
            rows(bb, n);
        }
        // the depth block Linears' weight and bias gradients, one batched product: dW_i = G_{i+1}ᵀ·u_i, db_i = Σ G_{i+1}
        int oW0 = offsets.get("blocks.0.linear.weight"), blockStride = offsets.get("blocks.1.linear.weight") - oW0;
        gemmGrad(g, "blocks_linear_dW", gs, n * w, 1, w, uu, 0, w, 1, w, w, oW0, w, oW0 + w * w, depth, n * w, 2 * n * w, blockStride);
        FloatArray gCur = gs;  // slot 0: dL/dh0, the gradient at the input Linear's output
        // time path: dL/d(tl) = (Σ_blocks dL/d(scale, shift)·W)⊙SiLU'(tl); the adaptive Linears' and the time Linear's gradients
        // This product is n × e (e = 64) with K = 2·depth·w = 2560: one column tile and ceil(n/64) row tiles, i.e. 16 work
        // groups at batch 1024 (2 at 128) on a GPU with 132 multiprocessors, each walking 2560/32 = 80 dependent K stages
        // (load to local memory, barrier, 32 rank-1 updates): 29 % of the H200's step kernel time at batch 1024, 33 % at 128
        // (profiler, 2026-11-30). So K is split into S chunks of kc (a multiple of the 32-deep stage, at least 64) such that
        // tiles·S ≈ TARGET_GROUPS: batch 1024 → S = 10 chunks of 256 (160 groups of 8 stages), batch 128 → S = 40 chunks
        // of 64 (80 groups of 2 stages); chunk c writes its partial sums into slice c of dcPart (S·n·e floats), and one
        // element-wise task adds the S slices in chunk order and applies the SiLU slope (nonlinear, so it cannot be an
        // epilogue of a split product).
        if ((options & UNSPLIT_DC) != 0) {
            gemm(g, "modulation_dc", gm, 0, mw, 1, theta, oWm, e, 1, n, e, mw, FusedTrainKernels.SILU_GRAD, 0, 0, tl, 0, dtl, 0, e, -1);
        } else {
            int dcTiles = (n + FusedTrainKernels.TM - 1) / FusedTrainKernels.TM * ((e + FusedTrainKernels.TN - 1) / FusedTrainKernels.TN);
            int dcSplit = Math.max(1, Math.min(targetGroups / dcTiles, mw / (2 * FusedTrainKernels.TK)));
            int dcK = ((mw + dcSplit - 1) / dcSplit + FusedTrainKernels.TK - 1) / FusedTrainKernels.TK * FusedTrainKernels.TK;
            dcSplit = (mw + dcK - 1) / dcK;
            FloatArray dcPart = new FloatArray(dcSplit * n * e);
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, dcPart);
            gemm(g, "modulation_dc", gm, 0, mw, 1, theta, oWm, e, 1, n, e, dcK, 0, 0, 0, none, 0, dcPart, 0, e, -1, 1, 0, 0, 0, dcSplit, dcK,
                    dcK * e, n * e, mw);
            String tds = id("modulation_dc_sum");
            g.task(tds, FusedTrainKernels::splitSumSilu, new KernelContext(), dcPart, tl, dtl, status, n * e, dcSplit, tasks);
            flat(tds, n * e);
        }
        gemmGrad(g, "modulation_dW", gm, 0, 1, mw, cc, 0, e, 1, mw, e, oWm, e, oBm, 1, 0, 0, 0);
        gemmGrad(g, "time_linear_dW", dtl, 0, 1, e, emb, 0, e, 1, e, e, oWt, e, oBt, 1, 0, 0, 0);
        gemmGrad(g, "input_linear_dW", gCur, 0, 1, w, xs, 0, d, 1, w, d, offsets.get("input.weight"), d, offsets.get("input.bias"), 1, 0, 0, 0);
        // ---- optimiser + EMA over the flat arrays
        String ta = id("adam_ema");
        g.task(ta, FusedTrainKernels::adamEma, new KernelContext(), theta, grad, m, v, ema, hyper, gsq, status, total, copies, tasks);
        flat(ta, total);
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, loss, gsq, status);
        g.transferToHost(DataTransferMode.UNDER_DEMAND, theta, ema, grad, m, v);

        plan = ResidentPlans.of(g, grid, device, (options & PROFILE) != 0, (options & CUDA_GRAPH) != 0);
    }

    /**
     * sCD: the teacher's plain forward F_teacher(x_t/σ_d, t) in evaluation mode (as {@code MlpModelF32.forward} with one
     * time per sample) on the primal rows of the student's inputs (X rows 0..n−1 = x_t/σ_d, E rows 0..n−1 = emb(t)), then
     * dx_t/dt = σ_d·F_teacher and the tangent input cos t sin t·dx_t/dt ({@link FusedTrainKernels#velocity}) in place of
     * the sCT velocity. 6 + 2·depth tasks: time Linear with the SiLU fused, the 2·depth adaptive Linears in one product,
     * input Linear, per block the norm (LayerNorm, PixelNorm of scale and shift, modulation, SiLU in one row kernel) and
     * the Linear with the residual, output norm and Linear, velocity.
     */
    private void teacherVelocity(TaskGraph g, FloatArray tTheta, FloatArray xs, FloatArray emb, FloatArray vel, int n, int d, int w, int e,
                                 int depth, int mw, int oWm, int oBm, float epsLN, float epsPN) {
        FloatArray cT = new FloatArray(n * e), mT = new FloatArray(n * mw), hA = new FloatArray(n * w), hB = new FloatArray(n * w),
                uT = new FloatArray(n * w), fT = new FloatArray(n * d);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, tTheta, cT, mT, hA, hB, uT, fT);
        gemm(g, "teacher_time_linear", emb, 0, e, 1, tTheta, offsets.get("time.linear.weight"), 1, e, n, e, e,
                FusedTrainKernels.BIAS | FusedTrainKernels.SILU, offsets.get("time.linear.bias"), n, none, 0, cT, 0, e, -1);
        gemm(g, "teacher_modulation_linears", cT, 0, e, 1, tTheta, oWm, 1, e, n, mw, e, FusedTrainKernels.BIAS, oBm, n, none, 0, mT, 0, mw, -1);
        gemm(g, "teacher_input_linear", xs, 0, d, 1, tTheta, offsets.get("input.weight"), 1, d, n, w, d, FusedTrainKernels.BIAS,
                offsets.get("input.bias"), n, none, 0, hA, 0, w, -1);
        FloatArray h = hA, hNext = hB;
        for (int i = 0; i < depth; i++) {
            String tn = id("teacher_b" + i + "_norm");
            g.task(tn, FusedTrainKernels::normForward, new KernelContext(), h, mT, tTheta, uT, status, n, w, mw, 2 * i * w, 0, 1, epsLN, epsPN, tasks);
            rows(tn, n);
            gemm(g, "teacher_b" + i + "_linear", uT, 0, w, 1, tTheta, offsets.get("blocks." + i + ".linear.weight"), 1, w, n, w, w,
                    FusedTrainKernels.BIAS | FusedTrainKernels.RESIDUAL, offsets.get("blocks." + i + ".linear.bias"), n, h, 0, hNext, 0, w, -1);
            FloatArray tmp = h; h = hNext; hNext = tmp;
        }
        String to = id("teacher_out_norm");
        g.task(to, FusedTrainKernels::normForward, new KernelContext(), h, mT, tTheta, uT, status, n, w, mw, 0, offsets.get("out.norm.weight"), 0,
                epsLN, epsPN, tasks);
        rows(to, n);
        gemm(g, "teacher_out_linear", uT, 0, w, 1, tTheta, offsets.get("out.linear.weight"), 1, w, n, d, w, FusedTrainKernels.BIAS,
                offsets.get("out.linear.bias"), n, none, 0, fT, 0, d, -1);
        String tv = id("teacher_velocity");
        g.task(tv, FusedTrainKernels::velocity, new KernelContext(), fT, tin, hyper, vel, xs, status, n, d, tasks);
        flat(tv, n * d);
    }

    /** The flat layout: time Linear, input Linear, the 2·depth adaptive Linears stacked, the block Linears, output norm and Linear, weight head. */
    private static String[] order(int depth) {
        java.util.List<String> o = new java.util.ArrayList<>(List.of("time.linear.weight", "time.linear.bias", "input.weight", "input.bias"));
        for (int i = 0; i < depth; i++) for (String s : new String[] {"scale", "shift"}) o.add("blocks." + i + ".adn." + s + ".weight");
        for (int i = 0; i < depth; i++) for (String s : new String[] {"scale", "shift"}) o.add("blocks." + i + ".adn." + s + ".bias");
        for (int i = 0; i < depth; i++) { o.add("blocks." + i + ".linear.weight"); o.add("blocks." + i + ".linear.bias"); }
        o.addAll(List.of("out.norm.weight", "out.norm.bias", "out.linear.weight", "out.linear.bias", "weight_head.linear.weight", "weight_head.linear.bias"));
        return o.toArray(new String[0]);
    }

    private static ParamF32 find(MlpModelF32 model, String name) {
        for (ParamF32 q : model.params()) if (q.name.equals(name)) return q;
        throw new IllegalArgumentException("model has no parameter " + name);
    }

    /** Task names "t&lt;number&gt;_&lt;what&gt;": the number is what a kernel writes into the status word (minus one), the rest names the step's part in the profiler's log. */
    private String id(String what) {
        String name = "t" + (tasks++) + "_" + what;
        taskNames.add(name);
        return name;
    }

    private final List<String> taskNames = new java.util.ArrayList<>();

    /** A {@link FusedTrainKernels#gemm} task: A(i,k) = a[aOff + i·am + k·ak], B(k,j) = b[bOff + k·bk + j·bj], M×N, depth K. */
    private void gemm(TaskGraph g, String what, FloatArray a, int aOff, int am, int ak, FloatArray b, int bOff, int bk, int bj, int dm, int dn,
                      int dk, int flags, int biasOff, int biasRows, FloatArray r, int rOff, FloatArray y, int yOff, int ldy, int gbOff) {
        gemm(g, what, a, aOff, am, ak, b, bOff, bk, bj, dm, dn, dk, flags, biasOff, biasRows, r, rOff, y, yOff, ldy, gbOff, 1, 0, 0, 0, 1, 0, 0, 0, dk);
    }

    /**
     * A weight-gradient product (A(i, k)·B(k, j) summed over the batch k &lt; n, into the flat gradient with its bias sums)
     * with K split so that the launch has about {@link #TARGET_GROUPS} work groups: chunk c writes its partial sums into
     * gradient copy c, which {@link FusedTrainKernels#adamEma} (and {@link #grads()}) add up.
     */
    private void gemmGrad(TaskGraph g, String what, FloatArray a, int aOff, int am, int ak, FloatArray b, int bOff, int bk, int bj, int dm, int dn,
                          int yOff, int ldy, int gbOff, int z, int zA, int zB, int zY) {
        int tiles = ((dm + FusedTrainKernels.TM - 1) / FusedTrainKernels.TM) * ((dn + FusedTrainKernels.TN - 1) / FusedTrainKernels.TN) * z;
        int split = Math.max(1, Math.min(copies, targetGroups / tiles));
        int kc = (n + split - 1) / split;
        split = (n + kc - 1) / kc;  // no empty chunks
        gemm(g, what, a, aOff, am, ak, b, bOff, bk, bj, dm, dn, kc, FusedTrainKernels.BIAS_GRAD, 0, 0, none, 0, grad, yOff, ldy, gbOff, z, zA, zB,
                zY, split, kc * ak, kc * bk, total, n);
    }

    /**
     * Work groups a split product aims at (the H200 has 132 multiprocessors; one 16×16 group of {@link FusedTrainKernels#gemm}
     * holds 2·32·65 floats of local memory, so several fit on one). The system property {@code scm.tornado.splitGroups}
     * overrides it when a graph is built (for measuring other splits: {@code TornadoBench --split-groups}).
     */
    static final int TARGET_GROUPS = 160;

    /** {@link #gemm} for z products at once, product q's A, B and Y (and bias-gradient) offsets advanced by q·zA, q·zB, q·zY. */
    private void gemm(TaskGraph g, String what, FloatArray a, int aOff, int am, int ak, FloatArray b, int bOff, int bk, int bj, int dm, int dn,
                      int dk, int flags, int biasOff, int biasRows, FloatArray r, int rOff, FloatArray y, int yOff, int ldy, int gbOff,
                      int z, int zA, int zB, int zY, int split, int kA, int kB, int kY, int kAll) {
        String name = id(what);
        if ((gemms + 1) * FusedTrainKernels.CFG_LEN > cfgs.getSize()) throw new IllegalStateException("more products than configured for");
        int co = gemms++ * FusedTrainKernels.CFG_LEN;
        gemmConfig(cfgs, co, aOff, am, ak, bOff, bk, bj, dm, dn, dk, flags, biasOff, biasRows, rOff, yOff, ldy, gbOff, zA, zB, zY, split, kA, kB, kY,
                kAll, tasks);
        // the bias of a forward product lives in its flat parameter array b (bias grads go to y, the flat gradient array)
        FloatArray bias = (flags & FusedTrainKernels.BIAS) != 0 ? b : none;
        g.task(name, FusedTrainKernels::gemm, new KernelContext(), a, b, bias, r, y, cfgs, status, co);
        grid.addWorkerGrid(graphName + "." + name, gemmGrid(dm, dn, z * split));
    }

    /** Writes the packed integer arguments of one {@link FusedTrainKernels#gemm} task at {@code co} (meanings: its documentation). */
    static void gemmConfig(IntArray cfg, int co, int aOff, int am, int ak, int bOff, int bk, int bj, int dm, int dn, int dk, int flags, int biasOff,
                           int biasRows, int rOff, int yOff, int ldy, int gbOff, int zA, int zB, int zY, int taskId) {
        gemmConfig(cfg, co, aOff, am, ak, bOff, bk, bj, dm, dn, dk, flags, biasOff, biasRows, rOff, yOff, ldy, gbOff, zA, zB, zY, 1, 0, 0, 0, dk,
                taskId);
    }

    /** {@link #gemmConfig} with K split in {@code split} chunks of depth dk (the last clipped at kAll), chunk c's offsets advanced by c·kA, c·kB, c·kY. */
    static void gemmConfig(IntArray cfg, int co, int aOff, int am, int ak, int bOff, int bk, int bj, int dm, int dn, int dk, int flags, int biasOff,
                           int biasRows, int rOff, int yOff, int ldy, int gbOff, int zA, int zB, int zY, int split, int kA, int kB, int kY,
                           int kAll, int taskId) {
        cfg.set(co + FusedTrainKernels.SPLIT, split); cfg.set(co + FusedTrainKernels.K_A, kA); cfg.set(co + FusedTrainKernels.K_B, kB);
        cfg.set(co + FusedTrainKernels.K_Y, kY); cfg.set(co + FusedTrainKernels.K_ALL, kAll);
        cfg.set(co + FusedTrainKernels.A_OFF, aOff); cfg.set(co + FusedTrainKernels.A_M, am); cfg.set(co + FusedTrainKernels.A_K, ak);
        cfg.set(co + FusedTrainKernels.B_OFF, bOff); cfg.set(co + FusedTrainKernels.B_K, bk); cfg.set(co + FusedTrainKernels.B_J, bj);
        cfg.set(co + FusedTrainKernels.BIAS_OFF, biasOff); cfg.set(co + FusedTrainKernels.BIAS_ROWS, biasRows);
        cfg.set(co + FusedTrainKernels.Y_OFF, yOff); cfg.set(co + FusedTrainKernels.LDY, ldy); cfg.set(co + FusedTrainKernels.GB_OFF, Math.max(gbOff, 0));
        cfg.set(co + FusedTrainKernels.DIM_M, dm); cfg.set(co + FusedTrainKernels.DIM_N, dn); cfg.set(co + FusedTrainKernels.DIM_K, dk);
        cfg.set(co + FusedTrainKernels.FLAGS, flags); cfg.set(co + FusedTrainKernels.TASK, taskId); cfg.set(co + FusedTrainKernels.R_OFF, rOff);
        cfg.set(co + FusedTrainKernels.Z_A, zA); cfg.set(co + FusedTrainKernels.Z_B, zB); cfg.set(co + FusedTrainKernels.Z_Y, zY);
    }

    /** The launch of an M×N {@link FusedTrainKernels#gemm} (z products): one LX×LY work group per TM×TN output tile. */
    static WorkerGrid3D gemmGrid(int dm, int dn, int z) {
        WorkerGrid3D wg = new WorkerGrid3D((dn + FusedTrainKernels.TN - 1) / FusedTrainKernels.TN * FusedTrainKernels.LX,
                (dm + FusedTrainKernels.TM - 1) / FusedTrainKernels.TM * FusedTrainKernels.LY, z);
        wg.setLocalWork(FusedTrainKernels.LX, FusedTrainKernels.LY, 1);
        return wg;
    }

    private void rows(String name, int groups) {
        WorkerGrid1D wg = new WorkerGrid1D(groups * FusedTrainKernels.ROW);
        wg.setLocalWork(FusedTrainKernels.ROW, 1, 1);
        grid.addWorkerGrid(graphName + "." + name, wg);
    }

    private void flat(String name, int threads) {
        WorkerGrid1D wg = new WorkerGrid1D((threads + FusedTrainKernels.ROW - 1) / FusedTrainKernels.ROW * FusedTrainKernels.ROW);
        wg.setLocalWork(FusedTrainKernels.ROW, 1, 1);
        grid.addWorkerGrid(graphName + "." + name, wg);
    }

    public int taskCount() { return tasks; }

    public int batch() { return n; }

    /**
     * One training step on the batch (x0, z: n×D; t: n times) with tangent warm-up factor r = min(1, iter/H) and EMA
     * decay emaBeta; returns the batch-mean loss before the update (as {@code ScmObjectiveF32.step}).
     */
    public double step(float[] x0In, float[] zIn, float[] tIn, double r, double emaBeta) {
        if (x0In.length != n * dim || zIn.length != n * dim || tIn.length != n)
            throw new IllegalArgumentException("this graph trains on batches of " + n + " samples of dimension " + dim + ", got x0 " + x0In.length
                    + ", z " + zIn.length + ", t " + tIn.length + " values");
        if (!(emaBeta >= 0 && emaBeta <= 1)) throw new IllegalArgumentException("EMA decay must be in [0, 1], got " + emaBeta);
        MemorySegment.copy(x0In, 0, x0.getSegment(), ValueLayout.JAVA_FLOAT, 0, n * dim);
        MemorySegment.copy(zIn, 0, z.getSegment(), ValueLayout.JAVA_FLOAT, 0, n * dim);
        MemorySegment.copy(tIn, 0, tin.getSegment(), ValueLayout.JAVA_FLOAT, 0, n);
        step++;
        double[] k = AdamF32.scalars(lr, beta1, beta2, step, rectified);
        hyper.set(FusedTrainKernels.H_B1, (float) beta1);
        hyper.set(FusedTrainKernels.H_B2, (float) beta2);
        hyper.set(FusedTrainKernels.H_A, (float) k[0]);
        hyper.set(FusedTrainKernels.H_S, (float) k[1]);
        hyper.set(FusedTrainKernels.H_EPS, (float) eps);
        hyper.set(FusedTrainKernels.H_ADAPT, k[2] != 0 ? 1f : 0f);
        hyper.set(FusedTrainKernels.H_EMA, (float) emaBeta);
        hyper.set(FusedTrainKernels.H_R, (float) r);
        hyper.set(FusedTrainKernels.H_C, c);
        hyper.set(FusedTrainKernels.H_SD, sigmaD);
        hyper.set(FusedTrainKernels.H_INV_SD, 1f / sigmaD);
        last = plan.execute();
        int bad = status.get(0);
        if (bad != 0)
            throw new IllegalStateException("TornadoSctStepGraph: task " + (bad - 1 < taskNames.size() ? taskNames.get(bad - 1) : "t" + (bad - 1))
                    + " was launched with another work-group size than it was written for (results invalid)");
        double sum = 0;
        for (int i = 0; i < n; i++) sum += loss.get(i);
        return sum / n;
    }

    public long stepCount() { return step; }

    /**
     * The global L2 norm of the last step's gradient (all parameters, the weight head included; before the update), as
     * {@code scm.ref.train.GradNorm.global}: the update task's per-work-group sums of g² (float, tree sums of 256), added
     * here in double. NaN before the first step. (The device code is compiled with fast relaxed math, which lets the
     * compiler assume finite values; a non-finite gradient shows reliably in the loss or the parameters, not necessarily
     * here.)
     */
    public double lastGradNorm() {
        if (last == null) return Double.NaN;
        double s = 0;
        for (int b = 0; b < gsq.getSize(); b++) s += gsq.get(b);
        return Math.sqrt(s);
    }

    /** The current parameters by name (copied back from the device). */
    public Map<String, float[]> params() { return readBack(theta); }

    /** The EMA of the parameters by name (copied back from the device). */
    public Map<String, float[]> ema() { return readBack(ema); }

    /** The gradient of the last step by name (copied back from the device). */
    public Map<String, float[]> grads() {
        Map<String, float[]> g = readBack(grad);
        for (int q = 1; q < copies; q++) {
            Map<String, float[]> part = unpack(grad, (long) q * total);
            for (Map.Entry<String, float[]> e : g.entrySet()) {
                float[] acc = e.getValue(), p = part.get(e.getKey());
                for (int j = 0; j < acc.length; j++) acc[j] += p[j];
            }
        }
        return g;
    }

    /** Adam's first moments by name (copied back from the device). */
    public Map<String, float[]> firstMoments() { return readBack(m); }

    /** Adam's second moments by name (copied back from the device). */
    public Map<String, float[]> secondMoments() { return readBack(v); }

    /**
     * Sets the whole training state (parameters, EMA, Adam moments by name, and the number of optimizer steps already
     * taken, which sets Adam's bias corrections and RAdam's rectification) before the first {@link #step}: how a run
     * resumes from a checkpoint. Every map must name exactly this model's parameters with their sizes. What is not a
     * parameter comes from the model given to the constructor: the weight head's fixed random Fourier features (so that
     * model must be the checkpoint's, e.g. built with the same seed or loaded from it).
     */
    public void restore(Map<String, float[]> params, Map<String, float[]> emaIn, Map<String, float[]> first, Map<String, float[]> second,
                        long optimizerSteps) {
        if (last != null || step != 0) throw new IllegalStateException("restore must come before the first step (the state is on the device after it)");
        if (optimizerSteps < 0) throw new IllegalArgumentException("optimizer steps must be >= 0, got " + optimizerSteps);
        pack(params, theta, "parameters");
        pack(emaIn, ema, "EMA");
        pack(first, m, "first moments");
        pack(second, v, "second moments");
        step = optimizerSteps;
    }

    private void pack(Map<String, float[]> values, FloatArray into, String what) {
        if (values.size() != layoutParams.size())
            throw new IllegalArgumentException(what + ": " + values.size() + " tensors, expected " + layoutParams.size());
        for (ParamF32 p : layoutParams) {
            float[] val = values.get(p.name);
            if (val == null) throw new IllegalArgumentException(what + ": no tensor " + p.name);
            if (val.length != p.size()) throw new IllegalArgumentException(what + ": " + p.name + " has " + val.length + " values, expected " + p.size());
            MemorySegment.copy(val, 0, into.getSegment(), ValueLayout.JAVA_FLOAT, (long) offsets.get(p.name) * Float.BYTES, val.length);
        }
    }

    private Map<String, float[]> readBack(FloatArray a) {
        if (last == null) return unpack(a);
        last.transferToHost(a);
        return unpack(a);
    }

    private Map<String, float[]> unpack(FloatArray a) { return unpack(a, 0); }

    private Map<String, float[]> unpack(FloatArray a, long base) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (ParamF32 p : layoutParams) {
            long o = base + offsets.get(p.name);
            float[] val = new float[p.size()];
            MemorySegment.copy(a.getSegment(), ValueLayout.JAVA_FLOAT, o * Float.BYTES, val, 0, val.length);
            out.put(p.name, val);
        }
        return out;
    }

    /** Kernel time of the last step in ms as TornadoVM's profiler reports it (needs PROFILE), else NaN. */
    public double lastKernelMs() {
        if (last == null || last.getProfilerResult() == null) return Double.NaN;
        return last.getProfilerResult().getDeviceKernelTime() / 1e6;
    }

    /**
     * The last step's profiler numbers (needs PROFILE), ms: {kernels, total, data transfers, kernel dispatch}; NaNs
     * without the profiler.
     */
    public double[] lastProfile() {
        if (last == null || last.getProfilerResult() == null) return new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        var p = last.getProfilerResult();
        return new double[] {p.getDeviceKernelTime() / 1e6, p.getTotalTime() / 1e6, p.getDataTransfersTime() / 1e6, p.getKernelDispatchTime() / 1e6};
    }

    /** TornadoVM's profiler log of the last step (JSON, per task; needs PROFILE), else null. */
    public String lastProfileLog() {
        return last == null || last.getProfilerResult() == null ? null : last.getProfilerResult().getProfileLog();
    }

    /** Total time of the last step in ms as TornadoVM's profiler reports it (needs PROFILE), else NaN. */
    public double lastTotalMs() {
        if (last == null || last.getProfilerResult() == null) return Double.NaN;
        return last.getProfilerResult().getTotalTime() / 1e6;
    }

    @Override public void close() throws Exception { plan.close(); }
}
