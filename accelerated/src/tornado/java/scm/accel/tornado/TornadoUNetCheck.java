package scm.accel.tornado;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import scm.accel.backend.Backend;
import scm.accel.backend.JvmBackend;
import scm.accel.model.UNetF32;
import scm.ref.loss.TrainableNetwork;
import scm.ref.model.unet.UNet;
import scm.ref.model.unet.UNetConfig;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;
import scm.ref.trigflow.TrigFlowNetwork.Jvp;

/**
 * The U-Net on the tornado backend where JUnit is not at hand (the GPU machine): one forward, JVP and backward of
 * {@link UNetF32} on {@link TornadoBackend} and on the {@link JvmBackend}, each against the float64 {@link UNet} on
 * the same float values, as {@code AccelUNetTest} compares them (relative Frobenius error per tensor: F, the JVP's
 * primal and tangent, dL/dx, dL/dt, every θ gradient; worst printed with its tensor), then the median time of a
 * pass (forward + JVP + backward) on both backends after the first (which compiles every kernel on TornadoVM).
 * Prints; exits 1 when the tornado side's worst error exceeds {@code AccelUNetTest}'s tolerance
 * 2·λ·sqrt(2P·m)·u (λ = 6; argued there). Usage: {@code TornadoUNetCheck [--preset tiny8|mnist28] [--batch N]
 * [--rounds R]}.
 */
public final class TornadoUNetCheck {
    private TornadoUNetCheck() {}

    public static void main(String[] args) {
        String preset = "tiny8";
        int n = 8, rounds = 5;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--preset" -> preset = args[i + 1];
                case "--batch" -> n = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        UNetConfig cfg = (preset.equals("mnist28") ? UNetConfig.mnist28(5) : UNetConfig.tiny8(3)).withDropout(0.1);
        UNet ref = new UNet(cfg);
        for (Param p : TrainableNetwork.of(ref).params()) for (int i = 0; i < p.value.length; i++) p.value[i] = (float) p.value[i];
        int d = ref.dim();
        SplittableRandom rng = new SplittableRandom(17);
        float[] x = gaussian(rng, n * d, 1), dx = gaussian(rng, n * d, 0.3), t = new float[n], dt = gaussian(rng, n, 0.5), g = gaussian(rng, n * d, 1);
        for (int i = 0; i < n; i++) t[i] = (float) (0.05 + 1.45 * rng.nextDouble());
        ref.train(11);
        double[] fRef = ref.forward(new Batch(n, d, widen(x)), widen(t)).data();
        Jvp jr = ref.jvp(new Batch(n, d, widen(x)), widen(t), new Batch(n, d, widen(dx)), widen(dt));
        List<Param> all = TrainableNetwork.of(ref).params();
        for (Param p : all) p.zeroGrad();
        UNet.Grads gr = ref.backward(new Batch(n, d, widen(g)));
        List<double[]> want = new ArrayList<>(List.of(fRef, jr.primal().data(), jr.tangent().data(), gr.dx().data(), gr.dt()));
        for (Param p : ref.params()) want.add(p.grad);
        double tol = tolerance(cfg, n);

        double worstTornado = 0;
        try (TornadoBackend tornado = new TornadoBackend(); JvmBackend jvm = new JvmBackend()) {
            System.out.println("U-Net " + preset + " batch " + n + ", tornado device: " + tornado.deviceDescription() + ", jvm threads " + jvm.threads());
            float[][] outT = null, outJ = null;
            for (Backend be : new Backend[] {tornado, jvm}) {
                UNetF32 net = new UNetF32(be, ref);
                long t0 = System.nanoTime();
                float[][] out = pass(net, x, t, dx, dt, g, n);
                double first = (System.nanoTime() - t0) / 1e6;
                double[] times = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    long s = System.nanoTime();
                    pass(net, x, t, dx, dt, g, n);
                    times[r] = (System.nanoTime() - s) / 1e6;
                }
                java.util.Arrays.sort(times);
                double worst = 0;
                String where = "";
                String[] names = {"forward F", "JVP primal", "JVP tangent", "dL/dx", "dL/dt"};
                for (int i = 0; i < want.size(); i++) {
                    double e = rel(out[i], want.get(i));
                    if (!(e <= worst)) { worst = e; where = i < names.length ? names[i] : "grad " + ref.params().get(i - names.length).name; }
                }
                System.out.printf("%-7s: worst relative error vs float64 %.3g at %s (tolerance %.3g); pass (forward + JVP + backward) first %.1f ms, median of %d %.2f ms%n",
                        be.name(), worst, where, tol, first, rounds, rounds == 0 ? Double.NaN : times[rounds / 2]);
                if (be == tornado) { worstTornado = worst; outT = out; } else outJ = out;
            }
            double dev = 0;
            for (int i = 0; i < outT.length; i++) dev = Math.max(dev, rel(outT[i], widen(outJ[i])));
            System.out.printf("tornado vs jvm: worst relative difference %.3g%n", dev);
        }
        if (!(worstTornado <= tol)) {
            System.out.println("FAIL: the tornado U-Net is outside the tolerance");
            System.exit(1);
        }
        System.out.println("OK");
        System.exit(0);
    }

    /** F, JVP primal and tangent, dL/dx, dL/dt, then every θ gradient (copies). */
    static float[][] pass(UNetF32 net, float[] x, float[] t, float[] dx, float[] dt, float[] g, int n) {
        net.train(11);
        net.zeroGrad();
        List<float[]> out = new ArrayList<>();
        out.add(net.forward(x, t, n).clone());
        out.add(net.jvp(x, t, dx, dt, n).clone());
        out.add(net.tangent().clone());
        out.add(net.backward(g, n).clone());
        out.add(net.timeGrad().clone());
        for (var p : net.networkParams()) out.add(p.grad.clone());
        return out.toArray(new float[0][]);
    }

    /** AccelUNetTest.tolerance (the same formula, argued there). */
    static double tolerance(UNetConfig c, int n) {
        int blocks = c.levels() * c.blocksPerLevel() + 2 + c.levels() * (c.blocksPerLevel() + 1);
        int chain = 10 * blocks + 20;
        int r = c.resolution(), base = c.baseChannels(), maxMult = c.channelMult().stream().mapToInt(Integer::intValue).max().orElseThrow();
        long gnRow = (long) base / c.groups() * r * r * 2, conv = (long) 3 * base * maxMult * 9 + 1, wgrad = (long) n * r * r + 74;
        long m = Math.max(gnRow, Math.max(conv, Math.max(wgrad, 128)));
        return 2 * 6 * Math.sqrt(2.0 * chain * m) * Math.scalb(1.0, -24);
    }

    static double rel(float[] got, double[] want) {
        double num = 0, den = 0;
        for (int i = 0; i < want.length; i++) { double e = got[i] - want[i]; num += e * e; den += want[i] * want[i]; }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    static float[] gaussian(SplittableRandom r, int len, double scale) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) (scale * r.nextGaussian());
        return a;
    }

    static double[] widen(float[] a) {
        double[] w = new double[a.length];
        for (int i = 0; i < a.length; i++) w[i] = a[i];
        return w;
    }
}
