package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static scm.props.accel.AccelSupport.*;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.accel.backend.Backend;
import scm.accel.model.MlpModelF32;
import scm.accel.nn.ParamF32;
import scm.accel.optim.AdamF32;
import scm.accel.train.ScmObjectiveF32;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.trigflow.TrigFlow;
import scm.ref.trigflow.TrigFlowNetwork.Jvp;

/**
 * A whole float32 sCT step ({@link ScmObjectiveF32} on {@link MlpModelF32}) against the same step in float64
 * on the reference {@link MlpModel} [docs/math.md §11 L3]: same parameters (rounded once), same x0, z, t (floats), same
 * dropout step seed. Compared: F⁻, J, the normalised tangent g, the loss, every parameter gradient and
 * the parameter update of one RAdam step (whose first steps are un-adapted, p −= lr·m̂, linear in the
 * gradient, so the update inherits the gradient's relative error; Adam's first step g/|g| would turn a
 * tiny gradient's rounding into a sign flip and is covered element-wise in AccelOptimProperties instead).
 *
 * <p><b>Tolerance.</b> Relative error in the Frobenius norm per tensor, ≤ TOL = 1e-3. Argument: every
 * kernel of the chain has per-element error ≤ (k + 10)·u times the magnitude of its terms (the kernel
 * properties), k ≤ 128 the longest accumulation here (the weight head's 128 Fourier features; ≤ 24
 * elsewhere). The JVP chain has L ≈ 3·depth + 6 = 12 such layers and backward again as many, so with
 * O(1) gains (normalised activations, weights U(±1/sqrt(in))) the relative error is about
 * 2L·(k + 10)·u ≈ 24·34·6e-8 ≈ 5e-5 for the trunk (k = 24), and the tangent normalisation 1/(‖g‖ + c)
 * adds a factor ≤ 2. TOL leaves a margin of ~10 for gains above 1 in the normalisations (r up to a few).
 * A real defect (a wrong formula, a mismatched dropout mask, a parameter loaded into the wrong slot)
 * moves these quantities by O(1e-2 … 1): {@link #aDifferentDropoutMaskIsDetected} checks that the
 * comparison does see such a defect.
 */
class AccelMlpStepTest {
    static final double TOL = 1e-3, SIGMA_D = 0.5, C = 0.1, LR = 1e-2;

    record Outcome(double worst, String where) {}

    @Test
    void sctStepMatchesReferencePositional() {
        Outcome o = compare(new MlpConfig(5, 24, 2, 8, MlpConfig.Embedding.POSITIONAL, 0, 0.2), 7, 11, 11, 0.4);
        assertTrue(o.worst <= TOL, "worst relative error " + o.worst + " at " + o.where);
    }

    @Test
    void sctStepMatchesReferenceFourierBatchOne() {
        Outcome o = compare(new MlpConfig(3, 17, 1, 6, MlpConfig.Embedding.FOURIER, 0.02, 0.0), 1, 5, 5, 1.0);
        assertTrue(o.worst <= TOL, "worst relative error " + o.worst + " at " + o.where);
    }

    /** Negative control: the float32 step with another dropout seed than the reference must fail the comparison. */
    @Test
    void aDifferentDropoutMaskIsDetected() {
        Outcome o = compare(new MlpConfig(5, 24, 2, 8, MlpConfig.Embedding.POSITIONAL, 0, 0.2), 7, 11, 12, 0.4);
        assertTrue(o.worst > 100 * TOL, "a different dropout mask went unnoticed: worst " + o.worst);
    }

    static double rel(float[] got, double[] want) {
        double num = 0, den = 0;
        for (int i = 0; i < want.length; i++) { double e = got[i] - want[i]; num += e * e; den += want[i] * want[i]; }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    static Outcome compare(MlpConfig cfg, int n, long refStepSeed, long accStepSeed, double r) {
        Backend be = backend();
        long seed = 42;
        MlpModel ref = new MlpModel(cfg, seed);
        MlpModelF32 acc = new MlpModelF32(be, ref, seed);
        for (Param p : ref.params()) for (int i = 0; i < p.value.length; i++) p.value[i] = (float) p.value[i];
        int d = cfg.dim();
        SplittableRandom rng = new SplittableRandom(7);
        float[] x0 = gaussian(rng, n * d, 0.5), z = gaussian(rng, n * d, SIGMA_D), t = times(rng, n, 0.05, 1.5);

        // float32 step: RAdam, first step un-adapted
        List<ParamF32> ps = acc.params();
        float[][] before = new float[ps.size()][];
        for (int i = 0; i < ps.size(); i++) before[i] = ps.get(i).value.clone();
        ScmObjectiveF32 step = new ScmObjectiveF32(acc, AdamF32.radam(be, ps, LR, 0.9, 0.99, 1e-8), SIGMA_D, C);
        double loss32 = step.step(x0, z, t, n, r, accStepSeed);

        // float64 reference step
        double[] tt = widen(t);
        TrigFlow tf = new TrigFlow(SIGMA_D);
        Batch bx0 = new Batch(n, d, widen(x0)), bz = new Batch(n, d, widen(z));
        Batch xt = tf.noisy(bx0, bz, tt), v = tf.velocityTarget(bx0, bz, tt);
        double[] xs = new double[n * d], tx = new double[n * d], ttan = new double[n];
        for (int i = 0; i < n; i++) {
            double cs = Math.cos(tt[i]) * Math.sin(tt[i]);
            ttan[i] = cs * SIGMA_D;
            for (int j = i * d; j < (i + 1) * d; j++) { xs[j] = xt.data()[j] / SIGMA_D; tx[j] = cs * v.data()[j]; }
        }
        ref.zeroGrad();
        ref.train(refStepSeed);
        double[] g = new double[n * d], dw = new double[n];
        double[] loss = {0};
        MlpModel.Pass pass = ref.trainingPass(new Batch(n, d, xs), tt, new Batch(n, d, tx), ttan, (Jvp j) -> {
            double[] f = j.primal().data(), jv = j.tangent().data(), w = ref.weightHead().forward(tt), dF = new double[n * d];
            for (int i = 0; i < n; i++) {
                double c = Math.cos(tt[i]), s = Math.sin(tt[i]), ss = 0;
                for (int k = i * d; k < (i + 1) * d; k++) {
                    g[k] = -c * c * (SIGMA_D * f[k] - v.data()[k]) - r * (c * s * xt.data()[k] + jv[k]);
                    ss += g[k] * g[k];
                }
                double norm = Math.sqrt(ss), ew = Math.exp(w[i]) / d, rr = 0;
                for (int k = i * d; k < (i + 1) * d; k++) { g[k] /= norm + C; rr += g[k] * g[k]; dF[k] = -2 * ew / n * g[k]; }
                loss[0] += (ew * rr - w[i]) / n;
                dw[i] = (ew * rr - 1) / n;
            }
            return new Batch(n, d, dF);
        });
        ref.weightHead().backward(dw);

        double worst = 0;
        String where = "";
        double[] checks = {
            rel(step.lastPrimal(), pass.jvp().primal().data()), rel(acc.tangent(), pass.jvp().tangent().data()),
            rel(step.lastTangent(), g), Math.abs(loss32 - loss[0]) / Math.abs(loss[0])};
        String[] names = {"F-", "J", "g", "loss"};
        for (int i = 0; i < checks.length; i++) if (!(checks[i] <= worst)) { worst = checks[i]; where = names[i]; }
        List<Param> rp = ref.params();
        for (int i = 0; i < rp.size(); i++) {
            Param p = rp.get(i);
            double e = rel(ps.get(i).grad, p.grad);
            if (!(e <= worst)) { worst = e; where = "grad " + p.name; }
            // RAdam step 1 (ρ_1 ≤ 5): p ← p − lr/(1−β1)·(1−β1)·grad = p − lr·grad
            float[] upd = new float[p.size()];
            double[] want = new double[p.size()];
            for (int k = 0; k < upd.length; k++) { upd[k] = before[i][k] - ps.get(i).value[k]; want[k] = LR * p.grad[k]; }
            double ue = rel(upd, want);
            // the float subtraction p − upd rounds at |p|: allow u·|p| per element on top of TOL (bounded here by its norm)
            double pn = 0, wn = 0;
            for (int k = 0; k < upd.length; k++) { pn += before[i][k] * (double) before[i][k]; wn += want[k] * want[k]; }
            double roundingFloor = wn == 0 ? 0 : 2 * U * Math.sqrt(pn / wn);
            if (!(ue - roundingFloor <= worst)) { worst = ue - roundingFloor; where = "RAdam update " + p.name; }
        }
        System.out.printf("AccelMlpStepTest %s n=%d: worst relative error %.3g at %s%n", cfg, n, worst, where);
        return new Outcome(worst, where);
    }
}
