package scm.accel.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import scm.accel.backend.Backend;
import scm.accel.backend.Backends;
import scm.accel.train.MasterWeightsNetwork;
import scm.ref.consistency.ConsistencyFunction;
import scm.ref.loss.ScmConfig;
import scm.ref.loss.ScmObjective;
import scm.ref.loss.TrainableNetwork;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.nn.Param;
import scm.ref.optim.RAdam;
import scm.ref.sampling.ConsistencySampler;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.PerSample;
import scm.ref.trigflow.TimeProposal;
import scm.ref.trigflow.TrigFlow;

/**
 * Timings of what {@code scm train/sample --backend jvm} runs: the reference objective ({@link ScmObjective#sct}),
 * optimizer ({@link RAdam}) and samplers over {@link MasterWeightsNetwork} (float64 master weights, float32 compute),
 * on the digits MLP of the PyTorch peer (bench/peers/torch_mlp.py): {@link MlpConfig#digits} with dropout 0.2.
 * <ul>
 * <li>{@code sct128}, {@code sct1024}: one sCT step at batch n (r = 0.5): zero grads, lossAndGrad on fixed (x0, z, t),
 *     RAdam step.</li>
 * <li>{@code sample4096}: 2-step consistency sampling (t_max = arctan 160, t_mid = 1.1) through the reference
 *     {@link ConsistencyFunction} with the two noises drawn before the timed region (as the peer does);
 *     {@code sample4096+noise} is {@link ConsistencySampler#twoStep}, the CLI's path, noise drawn inside.</li>
 * </ul>
 * Usage: {@code java --add-modules jdk.incubator.vector -cp ... scm.accel.bench.EngineBench [--rounds N]
 * [--backend jvm|reference] [--only sct|sct128|sct1024|sample] [--warmup N]}: N untimed calls before the timed ones
 * (default 5 steps / 10 sampling calls: far from C2's steady state, which takes on the order of a hundred steps); prints "&lt;backend&gt; &lt;workload&gt; &lt;median ms&gt;" lines.
 */
public final class EngineBench {
    private EngineBench() {}

    static final double SIGMA_D = 0.5;

    public static void main(String[] args) {
        int rounds = 5, warmup = -1;
        String backend = "jvm", only = "all";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--backend" -> backend = args[++i];
                case "--only" -> only = args[++i];
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Backend be = backend.equals("reference") ? null : Backends.create(backend);
        for (int n : new int[] {128, 1024})
            if (only.equals("all") || only.equals("sct") || only.equals("sct" + n)) sct(be, backend, n, rounds, warmup < 0 ? 5 : warmup);
        if (only.equals("all") || only.equals("sample")) sample(be, backend, 4096, rounds, warmup < 0 ? 10 : warmup);
        if (be != null) be.close();
    }

    static TrainableNetwork network(Backend be, MlpModel m) {
        return be == null ? TrainableNetwork.of(m) : MasterWeightsNetwork.of(m, be);
    }

    static void sct(Backend be, String name, int n, int rounds, int warmup) {
        MlpModel m = new MlpModel(MlpConfig.digits(0.2), 1);
        TrainableNetwork net = network(be, m);
        ScmObjective obj = ScmObjective.sct(net, ScmConfig.paper(TimeProposal.cifar10()).withWarmupSteps(10));
        RAdam opt = new RAdam(obj.trainableParams(), 1e-4, 0.9, 0.99, 1e-8);
        SplittableRandom rng = new SplittableRandom(3);
        int d = m.dim();
        Batch x0 = Noise.gaussian(rng, n, d, 0.5), z = Noise.gaussian(rng, n, d, SIGMA_D);
        double[] t = new double[n];
        for (int i = 0; i < n; i++) t[i] = Math.atan(Math.exp(-1.0 + 1.4 * rng.nextGaussian()) / SIGMA_D);
        Runnable step = () -> {
            for (Param p : obj.trainableParams()) p.zeroGrad();
            obj.step(x0, z, t, 5, 77);
            opt.step();
        };
        for (int w = 0; w < warmup; w++) step.run();
        print(name, "sct" + n, time(step, rounds));
    }

    static void sample(Backend be, String name, int n, int rounds, int warmup) {
        MlpModel m = new MlpModel(MlpConfig.digits(0.2), 1);
        TrainableNetwork net = network(be, m);
        net.eval();
        m.eval();
        TrigFlow flow = new TrigFlow(SIGMA_D);
        ConsistencyFunction f = new ConsistencyFunction(be == null ? m : net, SIGMA_D);
        SplittableRandom rng = new SplittableRandom(5);
        Batch z1 = Noise.gaussian(rng, n, m.dim(), SIGMA_D), z2 = Noise.gaussian(rng, n, m.dim(), SIGMA_D);
        double[] tMax = PerSample.fill(n, flow.tMax()), tMid = PerSample.fill(n, TrigFlow.T_MID);
        Runnable twoStep = () -> f.apply(flow.noisy(f.apply(z1, tMax), z2, tMid), tMid);
        for (int w = 0; w < warmup; w++) twoStep.run();
        print(name, "sample" + n, time(twoStep, rounds));
        ConsistencySampler cs = new ConsistencySampler(be == null ? m : net, SIGMA_D);
        print(name, "sample" + n + "+noise", time(() -> cs.twoStep(new SplittableRandom(9), n), rounds));
    }

    static double time(Runnable r, int rounds) {
        List<Double> ms = new ArrayList<>();
        for (int k = 0; k < rounds; k++) {
            long t0 = System.nanoTime();
            r.run();
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        return AccelBench.median(ms);
    }

    static void print(String backend, String what, double ms) { System.out.printf(java.util.Locale.ROOT, "%s %s %.3f%n", backend, what, ms); }
}
