package scm.ref.optim;

import scm.ref.tensor.Check;

/**
 * The decay β of an exponential moving average at its k-th update (k = 1, 2, ...), used as
 * ema ← β·ema + (1 − β)·θ. Three schedules:
 * <ul>
 *   <li>{@link Constant}: a fixed β (iCT's 0.99993 on CIFAR-10; iCT §5).</li>
 *   <li>{@link HalfLife}: EDM's schedule [Karras et al. 2022, training_loop.py], a half-life counted in
 *       training samples: β = 0.5^(B / h) for batch size B; with a ramp-up ratio r &gt; 0 the half-life is
 *       min(h, r·n) where n = (k − 1)·B samples were seen before this step, so β = 0 at k = 1.
 *       sCM's CIFAR-10 runs use h = 0.5 Mimg (sCM App. G).</li>
 *   <li>{@link Power}: EDM2's power-function EMA [Karras et al. 2024, "Analyzing and Improving the
 *       Training Dynamics of Diffusion Models", Sec. 3.1 and App. C.1]: β_k = (1 − 1/k)^(γ+1), which
 *       averages θ over the history with weights ∝ τ^γ; γ comes from the relative width σ_rel via
 *       {@link PowerEmaProfile#gamma(double)}. sCM samples ImageNet with σ_rel = 0.05 (sCM App. G; EDM2 §3).</li>
 * </ul>
 */
public sealed interface EmaSchedule {

    /** β for update number k ≥ 1. */
    double beta(long k);

    record Constant(double decay) implements EmaSchedule {
        public Constant {
            if (!(decay >= 0 && decay < 1)) throw new IllegalArgumentException("EMA decay must lie in [0, 1), got " + decay);
        }
        @Override public double beta(long k) { requireStep(k); return decay; }
    }

    /** {@code rampupRatio = 0} disables the ramp-up. */
    record HalfLife(double halfLifeSamples, int batchSize, double rampupRatio) implements EmaSchedule {
        public HalfLife {
            Check.positive(halfLifeSamples, "EMA half-life (samples)");
            Check.positive(batchSize, "batch size");
            if (!(rampupRatio >= 0) || !Double.isFinite(rampupRatio))
                throw new IllegalArgumentException("EMA ramp-up ratio must be finite and >= 0 (0 = off), got " + rampupRatio);
        }
        @Override public double beta(long k) {
            requireStep(k);
            double h = halfLifeSamples;
            if (rampupRatio > 0) h = Math.min(h, (double) (k - 1) * batchSize * rampupRatio);
            return Math.pow(0.5, batchSize / Math.max(h, 1e-8));
        }
    }

    record Power(double sigmaRel) implements EmaSchedule {
        public Power { PowerEmaProfile.gamma(sigmaRel); }
        public double gamma() { return PowerEmaProfile.gamma(sigmaRel); }
        @Override public double beta(long k) {
            requireStep(k);
            return Math.pow(1 - 1.0 / k, gamma() + 1);
        }
    }

    private static void requireStep(long k) {
        if (k < 1) throw new IllegalArgumentException("EMA update index must be >= 1, got " + k);
    }
}
