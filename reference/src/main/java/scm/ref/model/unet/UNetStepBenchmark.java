package scm.ref.model.unet;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/**
 * Times forward, JVP and backward of the U-Net presets ({@link UNetConfig#tiny8}, {@link UNetConfig#mnist28}),
 * single-threaded, after a warm-up. Usage:
 * {@code java -cp reference/target/classes:<deps> scm.ref.model.unet.UNetStepBenchmark [batch] [steps]}.
 */
public final class UNetStepBenchmark {
    private UNetStepBenchmark() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        for (UNetConfig c : new UNetConfig[] {UNetConfig.tiny8(1), UNetConfig.mnist28(1)}) {
            UNet net = new UNet(c);
            long params = net.params().stream().mapToLong(p -> p.size()).sum();
            var rng = Noise.seeded(2);
            Batch x = Noise.gaussian(rng, n, net.dim(), 1), tx = Noise.gaussian(rng, n, net.dim(), 0.3),
                    g = Noise.gaussian(rng, n, net.dim(), 1);
            double[] t = new double[n], tt = new double[n];
            for (int i = 0; i < n; i++) { t[i] = 0.05 + 1.5 * rng.nextDouble(); tt[i] = 0.5 * Math.sin(t[i]) * Math.cos(t[i]); }
            for (int i = 0; i < 2; i++) { net.forward(x, t); net.jvp(x, t, tx, tt); net.backward(g); }
            long f = 0, j = 0, b = 0;
            for (int i = 0; i < steps; i++) {
                long t0 = System.nanoTime();
                net.forward(x, t);
                long t1 = System.nanoTime();
                net.jvp(x, t, tx, tt);
                long t2 = System.nanoTime();
                net.zeroGrad();
                net.backward(g);
                long t3 = System.nanoTime();
                f += t1 - t0; j += t2 - t1; b += t3 - t2;
            }
            System.out.printf("%dx%d U-Net (%d parameters), batch %d: forward %.1f ms, jvp %.1f ms, backward %.1f ms%n",
                    c.resolution(), c.resolution(), params, n, f / 1e6 / steps, j / 1e6 / steps, b / 1e6 / steps);
        }
    }
}
