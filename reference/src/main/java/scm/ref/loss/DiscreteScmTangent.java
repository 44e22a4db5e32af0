package scm.ref.loss;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;
import scm.ref.trigflow.TrigFlow;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * The finite-difference tangent of discrete-time sCM (dsCD) [sCM App. E, Alg. 2; docs/math.md §11 L5]:
 * <pre>
 *   x_{t'} = cos(t−t') x_t − σ_d sin(t−t') F_pre(x_t/σ_d, t)                                   (one DDIM step)
 *   Δ(x_t, t, t', r) = −cos t'(σ_d F⁻(x_t/σ_d, t) − σ_d F_pre(x_t/σ_d, t))
 *                     − r sin t'(x_t + σ_d (cos(t−t') F⁻(x_t/σ_d, t) − F⁻(x_{t'}/σ_d, t'))/sin(t−t'))
 * </pre>
 * and g = cos t·Δ, which then goes through the same normalization and weighting as the continuous g.
 * As t' → t, x_{t'} = x_t − h σ_d F_pre + O(h²) (h = t − t'), so the quotient is a backward difference of
 * F⁻ along the teacher's PF-ODE: it tends to dF⁻/dt with an O(h) error, and Δ → df⁻/dt [sCM Eq. 6] at first order.
 */
public final class DiscreteScmTangent {
    private DiscreteScmTangent() {}

    /** x_{t'} = cos(t−t') x_t − σ_d sin(t−t') F_pre [sCM Eq. 26, Alg. 2]. */
    public static Batch ddimStep(double sigmaD, Batch xt, double[] t, double[] tPrime, Batch fPretrain) {
        validate(sigmaD, xt, t, tPrime);
        xt.requireSameShape(fPretrain, "F_pretrain");
        fPretrain.requireFinite("F_pretrain");
        int d = xt.d();
        double[] x = xt.data(), f = fPretrain.data(), o = new double[x.length];
        for (int i = 0; i < xt.n(); i++) {
            double h = t[i] - tPrime[i], c = Math.cos(h), s = Math.sin(h);
            for (int j = i * d; j < (i + 1) * d; j++) o[j] = c * x[j] - sigmaD * s * f[j];
        }
        return new Batch(xt.n(), d, o);
    }

    /** Δ from the three network outputs (see the class comment) [sCM Alg. 2; docs/math.md §11 L5]. */
    public static Batch delta(double sigmaD, Batch xt, double[] t, double[] tPrime, Batch fMinusAtT, Batch fPretrainAtT,
                              Batch fMinusAtTPrime, double r) {
        validate(sigmaD, xt, t, tPrime);
        for (Object[] p : new Object[][] {{fMinusAtT, "F^-(x_t, t)"}, {fPretrainAtT, "F_pretrain(x_t, t)"}, {fMinusAtTPrime, "F^-(x_t', t')"}}) {
            xt.requireSameShape((Batch) p[0], (String) p[1]);
            ((Batch) p[0]).requireFinite((String) p[1]);
        }
        if (!(r >= 0 && r <= 1)) throw new IllegalArgumentException("warm-up factor r must be in [0, 1], got " + r);
        int d = xt.d();
        double[] x = xt.data(), fm = fMinusAtT.data(), fp = fPretrainAtT.data(), fm2 = fMinusAtTPrime.data(), o = new double[x.length];
        for (int i = 0; i < xt.n(); i++) {
            double h = t[i] - tPrime[i], ch = Math.cos(h), sh = Math.sin(h);
            double cp = Math.cos(tPrime[i]), sp = Math.sin(tPrime[i]);
            for (int j = i * d; j < (i + 1) * d; j++)
                o[j] = -cp * (sigmaD * fm[j] - sigmaD * fp[j]) - r * sp * (x[j] + sigmaD * (ch * fm[j] - fm2[j]) / sh);
        }
        return new Batch(xt.n(), d, o);
    }

    /** Δ evaluating F⁻ (twice) and F_pre (once) [sCM Alg. 2]. */
    public static Batch delta(double sigmaD, TrigFlowNetwork fMinus, TrigFlowNetwork pretrain, Batch xt, double[] t, double[] tPrime, double r) {
        TrigFlow flow = new TrigFlow(sigmaD);
        Batch fPre = flow.evaluateF(pretrain, xt, t);
        Batch fm = flow.evaluateF(fMinus, xt, t);
        Batch xPrime = ddimStep(sigmaD, xt, t, tPrime, fPre);
        Batch fm2 = flow.evaluateF(fMinus, xPrime, tPrime);
        return delta(sigmaD, xt, t, tPrime, fm, fPre, fm2, r);
    }

    private static void validate(double sigmaD, Batch xt, double[] t, double[] tPrime) {
        Check.sigmaD(sigmaD);
        if (xt == null) throw new IllegalArgumentException("x_t is null");
        xt.requireFinite("x_t");
        Check.times(t, xt.n(), "t");
        Check.times(tPrime, xt.n(), "t'");
        for (int i = 0; i < t.length; i++)
            if (!(tPrime[i] < t[i]))
                throw new IllegalArgumentException("dsCD needs t' < t, got t'[" + i + "] = " + tPrime[i] + " >= t = " + t[i]);
    }
}
