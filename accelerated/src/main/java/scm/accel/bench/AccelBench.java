package scm.accel.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import scm.accel.backend.Backend;
import scm.accel.backend.Backends;
import scm.accel.model.MlpModelF32;
import scm.accel.optim.AdamF32;
import scm.accel.sampling.ConsistencySamplerF32;
import scm.accel.train.ScmObjectiveF32;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.sampling.ConsistencySampler;
import scm.ref.tensor.Batch;
import scm.ref.trigflow.TrigFlow;
import scm.ref.trigflow.TrigFlowNetwork.Jvp;

/**
 * Side-by-side timings, in one JVM run, of the float64 reference and the float32 accelerated path on the
 * digits MLP ({@link MlpConfig#digits}, dropout 0.2, ~0.5M parameters):
 * <ul>
 *   <li>{@code train}: one full sCT step [docs/math.md §11 L3] (noise → JVP → tangent → loss → backward → optimiser).
 *       Reference: {@link MlpModel#trainingPass} + the tangent/loss formulas + weight head + the reference
 *       {@link scm.ref.optim.RAdam}. Accelerated: {@link ScmObjectiveF32} with RAdam.</li>
 *   <li>{@code sample}: 2-step consistency sampling [docs/math.md §6] (t_max = arctan(160), t_mid = 1.1). Reference:
 *       {@link ConsistencySampler#twoStep} (draws its own noise); accelerated: {@link ConsistencySamplerF32}
 *       with noise drawn outside the timed region.</li>
 * </ul>
 * Usage: {@code java --add-modules jdk.incubator.vector -cp ... scm.accel.bench.AccelBench train|sample|all
 * [--batches 128,1024] [--rounds 5] [--no-reference]}; backend from {@code -Dscm.backend} (default jvm).
 * Each round times the reference then the accelerated path back to back; medians are reported.
 */
public final class AccelBench {
    private AccelBench() {}

    static final double SIGMA_D = 0.5;

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "all";
        int rounds = 5;
        boolean reference = true;
        int[] batches = null;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--batches" -> batches = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--no-reference" -> reference = false;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        try (Backend be = Backends.fromSystemProperty()) {
            System.out.printf("backend=%s processors=%d java=%s%n", be.name(), Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"));
            if (mode.equals("train") || mode.equals("all"))
                for (int n : batches != null ? batches : new int[] {128, 1024}) train(be, n, rounds, reference);
            if (mode.equals("sample") || mode.equals("all"))
                for (int n : batches != null ? batches : new int[] {1, 4096}) sample(be, n, rounds, reference);
        }
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    static float[] gaussian(SplittableRandom r, int len, double s) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) (s * r.nextGaussian());
        return a;
    }

    static void report(String what, int n, List<Double> ref, List<Double> acc, String unit, double perItem) {
        double a = median(acc);
        if (ref.isEmpty()) {
            System.out.printf("%-8s batch %5d: accelerated %9.3f ms (%s)%n", what, n, a, unit.isEmpty() ? "" : String.format("%.0f %s", perItem / (a / 1e3), unit));
            return;
        }
        double r = median(ref);
        System.out.printf("%-8s batch %5d: reference %9.2f ms | accelerated %9.3f ms | speed-up x%.1f%n", what, n, r, a, r / a);
    }

    static void train(Backend be, int n, int rounds, boolean withRef) {
        MlpModel ref = new MlpModel(MlpConfig.digits(0.2), 1);
        MlpModelF32 acc = new MlpModelF32(be, ref, 1);
        int d = ref.dim();
        SplittableRandom rng = new SplittableRandom(3);
        float[] x0 = gaussian(rng, n * d, 0.5), z = gaussian(rng, n * d, SIGMA_D), t = new float[n];
        for (int i = 0; i < n; i++) t[i] = (float) Math.atan(Math.exp(-1.0 + 1.4 * rng.nextGaussian()) / SIGMA_D);
        ScmObjectiveF32 step = new ScmObjectiveF32(acc, AdamF32.radam(be, acc.params(), 1e-4, 0.9, 0.99, 1e-8), SIGMA_D, 0.1);
        RefStep rs = new RefStep(ref, n, x0, z, t);
        List<Double> rt = new ArrayList<>(), at = new ArrayList<>();
        for (int w = 0; w < 5; w++) step.step(x0, z, t, n, 0.5, w);
        if (withRef) rs.step(0);
        for (int k = 0; k < rounds; k++) {
            if (withRef) { long t0 = System.nanoTime(); rs.step(100 + k); rt.add((System.nanoTime() - t0) / 1e6); }
            long t0 = System.nanoTime();
            step.step(x0, z, t, n, 0.5, 100 + k);
            at.add((System.nanoTime() - t0) / 1e6);
        }
        report("sCT step", n, rt, at, "", 0);
    }

    static void sample(Backend be, int n, int rounds, boolean withRef) {
        MlpModel ref = new MlpModel(MlpConfig.digits(0.2), 1);
        MlpModelF32 acc = new MlpModelF32(be, ref, 1);
        int d = ref.dim();
        TrigFlow flow = new TrigFlow(SIGMA_D);
        double[] times = {flow.tMax(), TrigFlow.T_MID};
        ConsistencySampler rsamp = new ConsistencySampler(ref, SIGMA_D);
        ConsistencySamplerF32 asamp = new ConsistencySamplerF32(acc, SIGMA_D);
        SplittableRandom rng = new SplittableRandom(5);
        float[][] noise = {gaussian(rng, n * d, SIGMA_D), gaussian(rng, n * d, SIGMA_D)};
        List<Double> rt = new ArrayList<>(), at = new ArrayList<>();
        int inner = Math.max(1, 256 / n);  // batch 1: time 256 calls and report per call
        for (int w = 0; w < 20; w++) asamp.sample(noise, times, n);
        if (withRef) for (int w = 0; w < 3; w++) rsamp.twoStep(new SplittableRandom(w), n);
        for (int k = 0; k < rounds; k++) {
            if (withRef) {
                long t0 = System.nanoTime();
                for (int q = 0; q < inner; q++) rsamp.twoStep(new SplittableRandom(k), n);
                rt.add((System.nanoTime() - t0) / 1e6 / inner);
            }
            long t0 = System.nanoTime();
            for (int q = 0; q < inner; q++) asamp.sample(noise, times, n);
            at.add((System.nanoTime() - t0) / 1e6 / inner);
        }
        report("2-step", n, rt, at, "samples/s", n);
    }

    /** The float64 reference sCT step with the reference RAdam over the reference parameters. */
    static final class RefStep {
        final MlpModel model;
        final int n, d;
        final Batch x0, z;
        final double[] t;
        final scm.ref.optim.RAdam opt;

        RefStep(MlpModel model, int n, float[] x0, float[] z, float[] t) {
            this.model = model; this.n = n; this.d = model.dim();
            this.x0 = new Batch(n, d, widen(x0)); this.z = new Batch(n, d, widen(z)); this.t = widen(t);
            opt = new scm.ref.optim.RAdam(model.params(), 1e-4, 0.9, 0.99, 1e-8);
        }

        static double[] widen(float[] a) { double[] b = new double[a.length]; for (int i = 0; i < a.length; i++) b[i] = a[i]; return b; }

        void step(long seed) {
            TrigFlow tf = new TrigFlow(SIGMA_D);
            Batch xt = tf.noisy(x0, z, t), vel = tf.velocityTarget(x0, z, t);
            double[] xs = new double[n * d], tx = new double[n * d], tt = new double[n];
            for (int i = 0; i < n; i++) {
                double cs = Math.cos(t[i]) * Math.sin(t[i]);
                tt[i] = cs * SIGMA_D;
                for (int j = i * d; j < (i + 1) * d; j++) { xs[j] = xt.data()[j] / SIGMA_D; tx[j] = cs * vel.data()[j]; }
            }
            model.zeroGrad();
            model.train(seed);
            double[] dw = new double[n];
            model.trainingPass(new Batch(n, d, xs), t, new Batch(n, d, tx), tt, (Jvp j) -> {
                double[] f = j.primal().data(), jv = j.tangent().data(), w = model.weightHead().forward(t), dF = new double[n * d], g = new double[d];
                for (int i = 0; i < n; i++) {
                    double c = Math.cos(t[i]), s = Math.sin(t[i]), ss = 0;
                    for (int k = 0; k < d; k++) {
                        int q = i * d + k;
                        g[k] = -c * c * (SIGMA_D * f[q] - vel.data()[q]) - 0.5 * (c * s * xt.data()[q] + jv[q]);
                        ss += g[k] * g[k];
                    }
                    double norm = Math.sqrt(ss), ew = Math.exp(w[i]) / d, rr = 0;
                    for (int k = 0; k < d; k++) { g[k] /= norm + 0.1; rr += g[k] * g[k]; dF[i * d + k] = -2 * ew / n * g[k]; }
                    dw[i] = (ew * rr - 1) / n;
                }
                return new Batch(n, d, dF);
            });
            model.weightHead().backward(dw);
            opt.step();
        }
    }
}
