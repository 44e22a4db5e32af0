package scm.accel.optim;

import java.util.List;
import scm.accel.backend.Backend;
import scm.accel.nn.ParamF32;

/**
 * Adam and RAdam over float32 parameters, as PyTorch's torch.optim.Adam / RAdam without weight decay
 * (sCM App. G: RAdam lr 1e-4, β = (0.9, 0.99), ε = 1e-8). The per-step scalars (bias corrections, RAdam's
 * rectifier) are computed in double on the host; the element-wise update is
 * {@link scm.accel.kernels.OptimKernels#adamFamily}.
 */
public final class AdamF32 {
    private final Backend be;
    private final List<ParamF32> params;
    private final float[][] m, v;
    private final double lr, beta1, beta2, eps;
    private final boolean rectified;
    private long step;

    public static AdamF32 adam(Backend be, List<ParamF32> ps, double lr, double beta1, double beta2, double eps) {
        return new AdamF32(be, ps, lr, beta1, beta2, eps, false);
    }

    public static AdamF32 radam(Backend be, List<ParamF32> ps, double lr, double beta1, double beta2, double eps) {
        return new AdamF32(be, ps, lr, beta1, beta2, eps, true);
    }

    private AdamF32(Backend be, List<ParamF32> ps, double lr, double beta1, double beta2, double eps, boolean rectified) {
        if (!(lr > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0))
            throw new IllegalArgumentException("bad Adam hyperparameters: lr=" + lr + " betas=(" + beta1 + ", " + beta2 + ") eps=" + eps);
        this.be = be;
        this.params = List.copyOf(ps);
        this.lr = lr; this.beta1 = beta1; this.beta2 = beta2; this.eps = eps;
        this.rectified = rectified;
        m = new float[params.size()][];
        v = new float[params.size()][];
        for (int i = 0; i < params.size(); i++) { m[i] = new float[params.get(i).size()]; v[i] = new float[params.get(i).size()]; }
    }

    public long stepCount() { return step; }

    /** Sets the step count (resume: the bias corrections of the next {@link #step} are those of step {@code steps} + 1). */
    public void restoreStepCount(long steps) {
        if (steps < 0) throw new IllegalArgumentException("optimizer step count must be >= 0, got " + steps);
        step = steps;
    }

    /** The parameters it updates, in order. */
    public List<ParamF32> params() { return params; }

    /** First moment m of parameter i (live array). */
    public float[] firstMoment(int i) { return m[i]; }

    /** Second moment v of parameter i (live array). */
    public float[] secondMoment(int i) { return v[i]; }

    /** Step scalars {a, s, adaptive ? 1 : 0} for step t (1-based), in double. */
    public static double[] scalars(double lr, double beta1, double beta2, long t, boolean rectified) {
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        double a = lr / bc1, s = 1 / Math.sqrt(bc2);
        if (!rectified) return new double[] {a, s, 1};
        double rhoInf = 2 / (1 - beta2) - 1;
        double rhoT = rhoInf - 2 * t * Math.pow(beta2, t) / bc2;
        if (rhoT <= 5) return new double[] {a, s, 0};
        double rect = Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
        // PyTorch RAdam adds ε to sqrt(v) before the bias correction: lr·m̂·r·sqrt(1−β2^t)/(sqrt(v) + ε)
        return new double[] {a * rect * Math.sqrt(bc2), 1, 1};
    }

    /** One update of every parameter from its accumulated gradient. */
    public void step() {
        step++;
        double[] k = scalars(lr, beta1, beta2, step, rectified);
        for (int i = 0; i < params.size(); i++) {
            ParamF32 p = params.get(i);
            be.adamFamily(p.value, p.grad, m[i], v[i], (float) beta1, (float) beta2, (float) k[0], (float) k[1], (float) eps, k[2] != 0, p.size());
        }
    }
}
