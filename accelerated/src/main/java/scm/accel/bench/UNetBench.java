package scm.accel.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import scm.accel.backend.Backend;
import scm.accel.backend.Backends;
import scm.accel.kernels.ConvKernels;
import scm.accel.model.UNetF32;
import scm.ref.model.unet.UNet;
import scm.ref.model.unet.UNetConfig;
import scm.ref.tensor.Batch;

/**
 * Side-by-side timings, in one JVM run, of the float64 reference {@link UNet} and the float32 {@link UNetF32} on the
 * presets {@link UNetConfig#tiny8} and {@link UNetConfig#mnist28}: the network work of an sCT step [A5] — one JVP
 * (primal F⁻ and tangent J) and one backward from its cache — plus a forward pass (what a sampler or an EMA-target
 * evaluation adds). Each round times the reference then the float32 network back to back; medians are reported,
 * with the speed-up of JVP + backward (the sCT step's network work) and of all three.
 * With {@code -Dscm.threads=1} every kernel runs on the calling thread, and the benchmark also reports that thread's
 * CPU time per side (ThreadMXBean): a per-core ratio that time slices lost to other processes do not distort (it
 * leaves out work on other threads, e.g. the reference's garbage collection).
 * {@code --conv} instead times one 3x3 convolution forward on three U-Net shapes, portable point kernels
 * ({@link ConvKernels#conv2dRows}, the TornadoVM form) vs the backend's (best of 15 after a warm-up pass, GFLOP/s).
 * Usage: {@code java --add-modules jdk.incubator.vector -cp ... scm.accel.bench.UNetBench [--batch8 128]
 * [--batch28 32] [--rounds 5] [--only 8|28] [--conv]}; backend from {@code -Dscm.backend} (default jvm), threads {@code -Dscm.threads}.
 */
public final class UNetBench {
    private UNetBench() {}

    public static void main(String[] args) {
        int b8 = 128, b28 = 32, rounds = 5;
        String only = "";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--batch8" -> b8 = Integer.parseInt(args[++i]);
                case "--batch28" -> b28 = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--only" -> only = args[++i];
                case "--conv" -> only = "conv";
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        try (Backend be = Backends.fromSystemProperty()) {
            System.out.printf("backend=%s processors=%d java=%s%n", be.name(), Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"));
            if (only.equals("conv")) { conv(be); return; }
            if (!only.equals("28")) run(be, UNetConfig.tiny8(1), b8, rounds);
            if (!only.equals("8")) run(be, UNetConfig.mnist28(1), b28, rounds);
        }
    }

    static float[] gaussian(SplittableRandom r, int len, double s) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) (s * r.nextGaussian());
        return a;
    }

    static double[] widen(float[] a) { double[] b = new double[a.length]; for (int i = 0; i < a.length; i++) b[i] = a[i]; return b; }

    static void run(Backend be, UNetConfig cfg, int n, int rounds) {
        UNet ref = new UNet(cfg);
        UNetF32 acc = new UNetF32(be, ref);
        int d = ref.dim();
        SplittableRandom rng = new SplittableRandom(2);
        float[] x = gaussian(rng, n * d, 1), tx = gaussian(rng, n * d, 0.3), g = gaussian(rng, n * d, 1), t = new float[n], tt = new float[n];
        for (int i = 0; i < n; i++) { t[i] = (float) (0.05 + 1.5 * rng.nextDouble()); tt[i] = (float) (0.5 * Math.sin(t[i]) * Math.cos(t[i])); }
        Batch bx = new Batch(n, d, widen(x)), btx = new Batch(n, d, widen(tx)), bg = new Batch(n, d, widen(g));
        double[] dt = widen(t), dtt = widen(tt);
        for (int w = 0; w < 3; w++) { acc.forward(x, t, n); acc.jvp(x, t, tx, tt, n); acc.zeroGrad(); acc.backward(g, n); }
        ref.forward(bx, dt);
        ref.jvp(bx, dt, btx, dtt);
        ref.backward(bg);
        List<double[]> rt = new ArrayList<>(), at = new ArrayList<>();
        List<Double> rc = new ArrayList<>(), ac = new ArrayList<>();
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int k = 0; k < rounds; k++) {
            double[] r = new double[3], a = new double[3];
            long c0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            ref.forward(bx, dt);
            long t1 = System.nanoTime();
            ref.jvp(bx, dt, btx, dtt);
            long t2 = System.nanoTime();
            ref.zeroGrad();
            ref.backward(bg);
            long t3 = System.nanoTime();
            r[0] = (t1 - t0) / 1e6; r[1] = (t2 - t1) / 1e6; r[2] = (t3 - t2) / 1e6;
            long c1 = mx.getCurrentThreadCpuTime();
            t0 = System.nanoTime();
            acc.forward(x, t, n);
            t1 = System.nanoTime();
            acc.jvp(x, t, tx, tt, n);
            t2 = System.nanoTime();
            acc.zeroGrad();
            acc.backward(g, n);
            t3 = System.nanoTime();
            a[0] = (t1 - t0) / 1e6; a[1] = (t2 - t1) / 1e6; a[2] = (t3 - t2) / 1e6;
            long c2 = mx.getCurrentThreadCpuTime();
            rc.add((c1 - c0) / 1e6);
            ac.add((c2 - c1) / 1e6);
            rt.add(r);
            at.add(a);
        }
        double[] rm = new double[3], am = new double[3];
        for (int q = 0; q < 3; q++) {
            final int qq = q;
            rm[q] = AccelBench.median(rt.stream().map(v -> v[qq]).toList());
            am[q] = AccelBench.median(at.stream().map(v -> v[qq]).toList());
        }
        double rs = AccelBench.median(rt.stream().map(v -> v[1] + v[2]).toList()), as = AccelBench.median(at.stream().map(v -> v[1] + v[2]).toList());
        double ra = AccelBench.median(rt.stream().map(v -> v[0] + v[1] + v[2]).toList()), aa = AccelBench.median(at.stream().map(v -> v[0] + v[1] + v[2]).toList());
        long params = acc.params().stream().mapToLong(p -> p.size()).sum();
        System.out.printf("%dx%d U-Net (%d parameters incl. weight head), batch %d, %d rounds (medians, ms):%n", cfg.resolution(), cfg.resolution(),
                params, n, rounds);
        String[] names = {"forward", "jvp", "backward"};
        for (int q = 0; q < 3; q++)
            System.out.printf("  %-22s reference %9.1f | float32 %8.1f | x%.1f%n", names[q], rm[q], am[q], rm[q] / am[q]);
        System.out.printf("  %-22s reference %9.1f | float32 %8.1f | x%.1f%n", "sCT step (jvp+bwd)", rs, as, rs / as);
        System.out.printf("  %-22s reference %9.1f | float32 %8.1f | x%.1f%n", "forward+jvp+backward", ra, aa, ra / aa);
        if (be instanceof scm.accel.backend.JvmBackend j && j.threads() == 1) {
            double rcm = AccelBench.median(rc), acm = AccelBench.median(ac);
            System.out.printf("  %-22s reference %9.1f | float32 %8.1f | x%.1f  (CPU time of the calling thread)%n", "forward+jvp+backward", rcm, acm,
                    rcm / acm);
        }
    }

    static void conv(Backend be) {
        int[][] shapes = {{8, 16, 28, 16}, {8, 32, 14, 32}, {8, 64, 7, 32}};   // n, cin, side, cout
        for (int pass = 0; pass < 2; pass++)   // the first pass warms up the JIT and is not printed
        for (int[] sh : shapes) {
            int n = sh[0], ci = sh[1], h = sh[2], co = sh[3], plane = h * h;
            SplittableRandom r = new SplittableRandom(1);
            float[] x = gaussian(r, n * ci * plane, 1), w = gaussian(r, co * ci * 9, 0.1), b = gaussian(r, co, 0.1), y = new float[n * co * plane];
            double flop = 2.0 * n * co * ci * 9 * plane, point = Double.MAX_VALUE, backend = Double.MAX_VALUE;
            for (int rep = 0; rep < 15; rep++) {
                long t0 = System.nanoTime();
                ConvKernels.conv2dRows(x, w, b, true, y, ci, h, h, co, 3, 0, n * co);
                long t1 = System.nanoTime();
                be.conv2d(x, w, b, true, y, n, ci, h, h, co, 3);
                long t2 = System.nanoTime();
                point = Math.min(point, (t1 - t0) / 1e6);
                backend = Math.min(backend, (t2 - t1) / 1e6);
            }
            if (pass == 1) System.out.printf("conv3x3 %2d->%2d %2dx%-2d batch %d: point kernels %7.2f ms (%5.1f GFLOP/s) | %s backend %6.2f ms (%5.1f GFLOP/s)%n",
                    ci, co, h, h, n, point, flop / point / 1e6, be.name(), backend, flop / backend / 1e6);
        }
    }
}
