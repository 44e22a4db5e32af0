package scm.accel.train;

import scm.accel.backend.Backend;
import scm.accel.kernels.IeeeMath;
import scm.accel.model.NetworkF32;
import scm.accel.optim.AdamF32;

/**
 * One sCT or sCD training step [docs/math.md §11 L3] in float32 on a {@link NetworkF32} (the MLP or the U-Net), mirroring
 * {@code scm.ref.loss.ScmObjective.sct / .scd}:
 * x_t = cos t·x0 + sin t·z; dx_t/dt = cos t·z − sin t·x0 (sCT, {@link #sct}) or σ_d·F_teacher(x_t/σ_d, t)
 * (sCD, {@link #scd}: a teacher network evaluated in eval mode, no dropout); one JVP at (x_t/σ_d, t) with tangents
 * (cos t sin t·dx_t/dt, cos t sin t·σ_d) gives F⁻ (primal) and J (tangent);
 * g = −cos²t(σ_d F⁻ − dx_t/dt) − r(cos t sin t·x_t + J), g ← g/(‖g‖ + c);
 * L = mean_i e^{w_i}/D‖F − F⁻ − g‖² − w_i with F = F⁻ (same weights and dropout mask);
 * backward of L through F and w_φ, then one optimiser step. The noise z ~ N(0, σ_d²I), the times t
 * and the step seed (dropout masks) are inputs, so a reference step can be fed the same values.
 *
 * <p>Everything between the inputs and the per-sample losses is a {@link Backend} operation ({@link #enqueue}); the
 * host only computes cos t·sin t from t first and reads the losses last ({@link #meanLoss}). A backend that records a
 * call's operations into one device graph (TornadoBackend's recording) therefore runs the whole step as that graph.
 */
public final class ScmObjectiveF32 {
    private final Backend be;
    private final NetworkF32 model;
    private final AdamF32 opt;
    private final NetworkF32 teacher;  // null for sCT
    private final float sigmaD, c;
    private float[] xt, dxdt, xs, tx, tt, cs, fMinus, jvp, g, loss, dF, dw;
    private int n = -1;

    /** sCT step (same as {@link #sct}). */
    public ScmObjectiveF32(NetworkF32 model, AdamF32 opt, double sigmaD, double c) {
        this(model, null, opt, sigmaD, c);
    }

    /** sCT: dx_t/dt = cos t·z − sin t·x0. */
    public static ScmObjectiveF32 sct(NetworkF32 model, AdamF32 opt, double sigmaD, double c) {
        return new ScmObjectiveF32(model, null, opt, sigmaD, c);
    }

    /** sCD: dx_t/dt = σ_d·F_teacher(x_t/σ_d, t), the teacher in eval mode (it is only evaluated, never trained). */
    public static ScmObjectiveF32 scd(NetworkF32 model, NetworkF32 teacher, AdamF32 opt, double sigmaD, double c) {
        if (teacher == null) throw new IllegalArgumentException("sCD teacher is null");
        return new ScmObjectiveF32(model, teacher, opt, sigmaD, c);
    }

    private ScmObjectiveF32(NetworkF32 model, NetworkF32 teacher, AdamF32 opt, double sigmaD, double c) {
        if (teacher == model) throw new IllegalArgumentException("the sCD teacher must not be the student network itself");
        if (teacher != null && teacher.dim() != model.dim())
            throw new IllegalArgumentException("shape mismatch: teacher dimension " + teacher.dim() + " but student dimension " + model.dim());
        if (teacher != null && teacher.backend() != model.backend())
            throw new IllegalArgumentException("teacher and student must share one backend");
        this.teacher = teacher;
        this.be = model.backend();
        this.model = model;
        this.opt = opt;
        this.sigmaD = (float) sigmaD;
        this.c = (float) c;
    }

    private void size(int n) {
        if (n == this.n) return;
        int len = n * model.dim();
        xt = new float[len]; dxdt = new float[len]; xs = new float[len]; tx = new float[len]; g = new float[len];
        dF = new float[len]; fMinus = new float[len];
        tt = new float[n]; cs = new float[n]; loss = new float[n]; dw = new float[n];
        this.n = n;
    }

    /** Runs the step; r is the tangent warm-up factor min(1, iter/H). Returns the batch-mean loss. */
    public double step(float[] x0, float[] z, float[] t, int n, double r, long stepSeed) {
        enqueue(x0, z, t, n, r, stepSeed);
        return meanLoss();
    }

    /**
     * The step's operations, in order, on the backend (computed when the backend computes eagerly, as the JVM backend
     * does; recorded when it records): everything of {@link #step} except reading the losses.
     */
    public void enqueue(float[] x0, float[] z, float[] t, int n, double r, long stepSeed) {
        size(n);
        int d = model.dim(), len = n * d;
        be.noisy(x0, z, t, xt, dxdt, n, d);
        be.scale(xt, 1f / sigmaD, xs, len);
        if (teacher != null) {  // sCD: replace the sCT velocity by the teacher's PF-ODE velocity
            teacher.eval();
            be.scale(teacher.forward(xs, t, n), sigmaD, dxdt, len);
        }
        for (int i = 0; i < n; i++) {
            cs[i] = (float) (IeeeMath.cos(t[i]) * IeeeMath.sin(t[i]));
            tt[i] = cs[i] * sigmaD;
        }
        be.rowScale(dxdt, cs, tx, n, d);
        model.zeroGrad();
        model.train(stepSeed);
        float[] f = model.jvp(xs, t, tx, tt, n);
        be.copy(f, fMinus, len);
        jvp = model.tangent();
        be.tangent(fMinus, jvp, xt, dxdt, t, sigmaD, (float) r, c, g, n, d);
        float[] w = model.weightHead().forward(t, n);
        be.loss(f, fMinus, g, w, loss, dF, dw, n, d);
        model.backward(dF, n);
        model.weightHead().backward(dw, n);
        if (opt != null) opt.step();
    }

    /** The batch-mean loss of the last step (read from {@link #lossBuffer()}). */
    public double meanLoss() {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += loss[i];
        return sum / n;
    }

    /** The per-sample losses of the last step (live buffer): what a recording backend copies back to the host. */
    public float[] lossBuffer() { return loss; }

    /** The normalised tangent g of the last step (live buffer). */
    public float[] lastTangent() { return g; }

    /** dx_t/dt of the last step (live buffer): the sCT target or the sCD teacher velocity. */
    public float[] lastVelocity() { return dxdt; }

    /** The primal F⁻ of the last step (live buffer). */
    public float[] lastPrimal() { return fMinus; }
}
