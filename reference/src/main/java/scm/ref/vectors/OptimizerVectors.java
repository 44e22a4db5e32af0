package scm.ref.vectors;

import static scm.ref.vectors.ToleranceClass.ELEMENTWISE;

import java.util.List;
import scm.ref.io.DType;
import scm.ref.io.Tensor;
import scm.ref.nn.Param;
import scm.ref.optim.Adam;
import scm.ref.optim.Ema;
import scm.ref.optim.EmaSchedule;
import scm.ref.optim.Optimizer;
import scm.ref.optim.RAdam;

/**
 * Optimizer and EMA updates on the shipped weights with a given gradient (the sCT r = 1 gradient, stored as inputs
 * {@code optim.grad.*}): Adam one step (lr 1e-3, β = (0.9, 0.999), ε = 1e-8, torch semantics); RAdam six steps with
 * the same gradient (lr 1e-4, β = (0.9, 0.99), ε = 1e-8), so both its un-rectified branch (steps 1-5) and its rectified
 * branch (step 6) are exercised; EMA with constant β = 0.99 after the Adam step. Element-wise maps of given tensors.
 */
final class OptimizerVectors {
    private OptimizerVectors() {}

    static final int RADAM_STEPS = 6;

    static void add(VectorSet set, Fixture fx) {
        List<Param> ps = fx.model().params();
        for (Param p : ps)
            set.input("optim.grad." + p.name, set.entry("sct.r1.grad." + p.name).tensor(), "gradient fed to Adam/RAdam (= sct.r1.grad." + p.name + ")");
        Fixture adamFx = Fixture.create();
        Fixture radamFx = Fixture.create();
        Ema ema = new Ema(adamFx.model().params(), new EmaSchedule.Constant(0.99));
        run(set, adamFx, new Adam(adamFx.model().params(), 1e-3, 0.9, 0.999, 1e-8), 1, "adam.",
                "θ after one Adam step: m = (1−β₁)g, v = (1−β₂)g², θ − (lr/(1−β₁)) m/(sqrt(v)/sqrt(1−β₂) + ε) (torch.optim.Adam: ε after the bias correction)");
        ema.update();
        for (Param p : adamFx.model().params())
            set.expected("ema." + p.name, new Tensor(p.shape, ema.average(p.name), DType.F64), ELEMENTWISE,
                    "EMA after one update: ema = θ₀ + (1 − 0.99)(θ_adam − θ₀), θ₀ = the shipped weights, θ_adam = adam." + p.name);
        run(set, radamFx, new RAdam(radamFx.model().params(), 1e-4, 0.9, 0.99, 1e-8), RADAM_STEPS, "radam.",
                "θ after 6 RAdam steps with the same gradient (steps 1-5: θ −= lr m̂; step 6: rectified, ρ₆ ≈ 5.94) (torch.optim.RAdam)");
    }

    private static void run(VectorSet set, Fixture fx, Optimizer opt, int steps, String prefix, String formula) {
        for (int k = 0; k < steps; k++) {
            for (Param p : fx.model().params()) {
                double[] g = p.grad;
                double[] given = set.entry("optim.grad." + p.name).tensor().values();
                System.arraycopy(given, 0, g, 0, g.length);
            }
            opt.step();
        }
        for (Param p : fx.model().params()) set.expected(prefix + p.name, Tensor.of(p, DType.F64), ELEMENTWISE, formula);
    }
}
