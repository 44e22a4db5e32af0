package scm.accel.tornado;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import scm.accel.backend.JvmBackend;
import scm.accel.model.UNetF32;
import scm.accel.nn.ParamF32;
import scm.accel.optim.AdamF32;
import scm.accel.optim.EmaF32;
import scm.accel.train.ResidentScmStep;
import scm.accel.train.ScmObjectiveF32;
import scm.ref.model.unet.UNet;
import scm.ref.model.unet.UNetConfig;

/**
 * The U-Net sCT (or sCD) training step as an arena-resident chain of TornadoVM graphs ({@link ArenaScmStep}) beside the
 * JVM float32 engine's step ({@link ScmObjectiveF32} + RAdam + EMA on all cores), same start, same batches, for the
 * machine where JUnit is not at hand: per step the loss of both (relative difference), after the run the relative
 * Frobenius difference of all parameters, the first (compiling) step's time and the median step time of each.
 * With {@code --check-writes}: the steps on the arena, then one more run graph by graph through
 * {@link ArenaGraph#firstStrayWrite}. Usage: {@code ArenaStepBench [--preset tiny8|mnist28] [--batch N] [--steps K] [--scd] [--check-writes] [--sample]}; {@code --sample} prints where the host thread spent the steps after the first
 * ({@link StackSampler}).
 */
public final class ArenaStepBench {
    private ArenaStepBench() {}

    public static void main(String[] args) {
        String preset = "tiny8";
        int n = 8, steps = 5;
        boolean scd = false, checkWrites = false, sample = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--preset" -> preset = args[++i];
                case "--batch" -> n = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--scd" -> scd = true;
                case "--check-writes" -> checkWrites = true;
                case "--sample" -> sample = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        final double sigma = 0.5, c = 0.1, lr = 2e-4, ema = 0.999;
        UNetConfig cfg = preset.equals("mnist28") ? UNetConfig.mnist28(5) : UNetConfig.tiny8(5);
        UNetConfig tcfg = preset.equals("mnist28") ? UNetConfig.mnist28(6) : UNetConfig.tiny8(6);
        UNet ref = new UNet(cfg), teacher = scd ? new UNet(tcfg) : null;
        int d = ref.dim();
        SplittableRandom rng = new SplittableRandom(23);
        float[][] x0 = new float[steps + 1][], z = new float[steps + 1][], t = new float[steps + 1][];
        for (int k = 0; k <= steps; k++) {
            x0[k] = gaussian(rng, n * d, 0.5);
            z[k] = gaussian(rng, n * d, sigma);
            t[k] = new float[n];
            for (int i = 0; i < n; i++) t[k][i] = (float) Math.atan(Math.exp(-1.0 + 1.4 * rng.nextGaussian()) / sigma);
        }
        String what = (scd ? "sCD" : "sCT") + " step, U-Net " + preset + ", batch " + n;
        JvmBackend jb = new JvmBackend();
        UNetF32 mj = new UNetF32(jb, ref);
        AdamF32 oj = AdamF32.radam(jb, mj.params(), lr, 0.9, 0.99, 1e-8);
        ScmObjectiveF32 sj = scd ? ScmObjectiveF32.scd(mj, new UNetF32(jb, teacher), oj, sigma, c) : ScmObjectiveF32.sct(mj, oj, sigma, c);
        EmaF32 ej = new EmaF32(jb, mj.params());
        double[] lj = new double[steps + 1], tj = new double[steps + 1];
        for (int k = 0; k <= steps; k++) {
            long s = System.nanoTime();
            lj[k] = sj.step(x0[k], z[k], t[k], n, 1.0, 0);
            ej.update(ema);
            tj[k] = (System.nanoTime() - s) / 1e6;
        }

        if (checkWrites) {   // the same steps normally, then one step checked after each graph (JVM losses from the run above)
            var st = new ResidentScmStep.Settings(n, sigma, c, lr, 0.9, 0.99, 1e-8, true);
            try (ArenaScmStep step = new ArenaScmStep(be -> new UNetF32(be, ref), scd ? be -> new UNetF32(be, teacher) : null, st)) {
                for (int k = 0; k < steps; k++)
                    System.out.printf("%s: step %d loss arena %.7f jvm %.7f%n", what, k + 1, step.step(x0[k], z[k], t[k], 1.0, ema), lj[k]);
                String w = step.strayWriteCheck(x0[steps], z[steps], t[steps], 1.0, ema);
                System.out.println(what + ", stray-write check at step " + (steps + 1) + ": " + (w == null ? "no operation wrote outside its tensors" : w));
            }
            jb.close();
            return;
        }

        var settings = new ResidentScmStep.Settings(n, sigma, c, lr, 0.9, 0.99, 1e-8, true);
        double[] la = new double[steps + 1], ta = new double[steps + 1], host = new double[steps + 1], chain = new double[steps + 1];
        Map<String, float[]> pa;
        String desc;
        StackSampler sampler = null;
        try (ArenaScmStep step = new ArenaScmStep(be -> new UNetF32(be, ref), scd ? be -> new UNetF32(be, teacher) : null, settings)) {
            for (int k = 0; k <= steps; k++) {
                if (k == 1 && sample) sampler = new StackSampler(Thread.currentThread(), 200);
                long s = System.nanoTime();
                la[k] = step.step(x0[k], z[k], t[k], 1.0, ema);
                ta[k] = (System.nanoTime() - s) / 1e6;
                host[k] = step.lastStepSplitMs()[0];
                chain[k] = step.lastStepSplitMs()[1];
            }
            if (sampler != null) System.out.print(sampler.report(30));
            pa = step.params();
            desc = step.describe() + (step.builds() == 1 ? "" : " (built " + step.builds() + " times)");
        }
        System.out.println(what + ": " + desc);
        double worstLoss = 0;
        for (int k = 0; k <= steps; k++) worstLoss = Math.max(worstLoss, Math.abs(la[k] - lj[k]) / Math.abs(lj[k]));
        double num = 0, den = 0, worstT = -1;
        String worstName = "";
        List<ParamF32> ps = mj.params();
        for (ParamF32 p : ps) {
            float[] a = pa.get(p.name);
            double tn = 0, td = 0;
            for (int j = 0; j < a.length; j++) { tn += (double) (a[j] - p.value[j]) * (a[j] - p.value[j]); td += (double) p.value[j] * p.value[j]; }
            num += tn;
            den += td;
            double rel = Math.sqrt(tn / Math.max(td, Double.MIN_NORMAL));
            if (rel > worstT) { worstT = rel; worstName = p.name; }
        }
        System.out.printf("%s: worst parameter tensor %s, relative difference %.2e%n", what, worstName, worstT);
        System.out.printf("%s: losses step 1 jvm %.7f arena %.7f; worst relative loss difference over %d steps %.2e; parameters after them %.2e (relative)%n",
                what, lj[0], la[0], steps + 1, worstLoss, Math.sqrt(num / den));
        double mj2 = median(Arrays.copyOfRange(tj, 1, tj.length)), ma = median(Arrays.copyOfRange(ta, 1, ta.length));
        System.out.printf("%s: jvm %d threads first %.1f ms, median %.2f ms | arena first (records + compiles) %.1f ms, median %.2f ms | %.2fx the JVM%n",
                what, jb.threads(), tj[0], mj2, ta[0], ma, mj2 / ma);
        System.out.printf("%s: arena step split (medians): host %.2f ms (recording the step's operations, matching them to the chain), chain %.2f ms (inputs in, graphs, losses out)%n",
                what, median(Arrays.copyOfRange(host, 1, host.length)), median(Arrays.copyOfRange(chain, 1, chain.length)));
        jb.close();
    }

    static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s[s.length / 2];
    }

    static float[] gaussian(SplittableRandom r, int len, double s) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) (s * r.nextGaussian());
        return a;
    }
}
