package scm.ref.model;

import scm.ref.nn.Dropout;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.TrigFlowNetwork.Jvp;

/**
 * Times the network work of one sCT step for the digits MLP ({@link MlpConfig#digits}, dropout 0.2):
 * a JVP pass (primal F⁻ and tangent J) and a backward pass, at batch 128, single-threaded, after a
 * warm-up. Usage: {@code java -cp reference/target/classes scm.ref.model.MlpStepBenchmark [batch] [steps]}.
 */
public final class MlpStepBenchmark {
    private MlpStepBenchmark() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        MlpModel model = new MlpModel(MlpConfig.digits(0.2), 1);
        int d = model.dim();
        var rng = Noise.seeded(2);
        Batch x = Noise.gaussian(rng, n, d, 1), dx = Noise.gaussian(rng, n, d, 0.3);
        double[] t = new double[n], dt = new double[n];
        for (int i = 0; i < n; i++) { t[i] = 0.05 + 1.5 * rng.nextDouble(); dt[i] = Math.cos(t[i]) * Math.sin(t[i]) * 0.5; }
        System.out.printf("digits MLP: %d parameters, batch %d%n", model.parameterCount(), n);
        for (int i = 0; i < 5; i++) step(model, x, t, dx, dt, i);
        long best = Long.MAX_VALUE, total = 0;
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            step(model, x, t, dx, dt, 100 + i);
            long el = System.nanoTime() - t0;
            best = Math.min(best, el);
            total += el;
        }
        System.out.printf("sCT step (jvp + backward): mean %.1f ms, best %.1f ms over %d steps%n", total / 1e6 / steps, best / 1e6, steps);
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) model.forward(x, t);
        System.out.printf("forward only: mean %.1f ms%n", (System.nanoTime() - t0) / 1e6 / steps);
    }

    private static void step(MlpModel model, Batch x, double[] t, Batch dx, double[] dt, long step) {
        model.zeroGrad();
        model.train(Dropout.stepSeed(7, step));
        model.trainingPass(x, t, dx, dt, (Jvp j) -> j.tangent());
    }
}
