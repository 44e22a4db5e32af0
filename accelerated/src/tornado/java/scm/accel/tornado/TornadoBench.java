package scm.accel.tornado;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import scm.accel.backend.JvmBackend;
import scm.accel.model.MlpModelF32;
import scm.accel.optim.AdamF32;
import scm.accel.optim.EmaF32;
import scm.accel.sampling.ConsistencySamplerF32;
import scm.accel.train.ScmObjectiveF32;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.trigflow.TrigFlow;

/**
 * TornadoVM vs JVM backend, side by side in one run, on the digits MLP: 2-step sampling ({@link ConsistencySamplerF32} on
 * {@link JvmBackend} vs the one-graph {@link TornadoSamplerGraph}, with the norms fused into the Linears or as separate tasks,
 * plain, with TornadoVM's profiler, captured as a CUDA graph and with the noise drawn on the device; at batches that take
 * the small-batch GEMV Linears (n ≤ {@link TornadoSamplerGraph#smallBatchLimit()}, default 512, property
 * {@code scm.tornado.gemvMaxBatch}) also the tiled Linears ({@link TornadoSamplerGraph#TILED}) profiled, captured and
 * captured with device noise, side by side; with {@code --legacy}
 * also the 55-task-per-forward {@link TornadoSampler}) and, with {@code --train 128,1024}, the sCT training step:
 * the JVM backend vs the one-graph {@link TornadoSctStepGraph} (plain, profiled, CUDA graph; with {@code --legacy} also
 * the per-operation {@link TornadoBackend} step; each also with the conditioning-gradient product unsplit, the layout before
 * the split-K change, {@link TornadoSctStepGraph#UNSPLIT_DC}); with {@code --scd} also the sCD step (a random teacher of
 * the same shape) in the same form; {@code --split-groups 320,640} adds profiled and captured variants whose split products
 * aim at that many work groups instead of {@link TornadoSctStepGraph#TARGET_GROUPS}. Also reports how far the
 * two backends' samples are apart (max |Δ| relative to max |x|). Usage:
 * {@code java @$TORNADOVM_HOME/tornado-argfile -cp ... scm.accel.tornado.TornadoBench [--batches 1,4096|none] [--rounds 10] [--train 128,1024]
 * [--scd] [--split-groups 320,640] [--task-profile] [--legacy]} ({@code --task-profile}: also TornadoVM's profiler log, per task, of the last profiled training step and sampling call).
 * Device: {@code -Dscm.tornado.device=BACKEND:DEVICE} (default TornadoVM's default).
 */
public final class TornadoBench {
    private TornadoBench() {}

    static final double SIGMA_D = 0.5;

    public static void main(String[] args) throws Exception {
        int[] batches = {1, 4096}, train = {}, splitGroups = {};
        int rounds = 10;
        boolean legacy = false, taskProfile = false, scd = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--batches" -> batches = ints(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--train" -> train = ints(args[++i]);
                case "--legacy" -> legacy = true;
                case "--task-profile" -> taskProfile = true;
                case "--scd" -> scd = true;
                case "--split-groups" -> splitGroups = ints(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        // the training graph has 39 tasks; TornadoBackend's default bytecode buffer (65536) is set first otherwise
        if (System.getProperty("tornado.tvm.maxbytecodesize") == null) System.setProperty("tornado.tvm.maxbytecodesize", "262144");
        String dev = System.getProperty("scm.tornado.device");
        int[] device = dev == null ? null : ints(dev.replace(':', ','));
        try (TornadoBackend tb = new TornadoBackend(); JvmBackend jb = new JvmBackend()) {
            System.out.printf("tornado device: %s | jvm backend threads: %d | java %s%n", tb.deviceDescription(), jb.threads(),
                    System.getProperty("java.version"));
            MlpModel ref = new MlpModel(MlpConfig.digits(0.2), 1);
            for (int n : batches) sample(ref, jb, device, n, rounds, legacy, taskProfile);
            for (int n : train) {
                train(jb, tb, device, n, rounds, legacy, taskProfile, false, splitGroups);
                if (scd) train(jb, tb, device, n, rounds, false, taskProfile, true, splitGroups);
            }
        }
    }

    static int[] ints(String s) { return s.isBlank() || s.equals("none") ? new int[0] : Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray(); }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    static float[] gaussian(SplittableRandom r, int len, double s) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) (s * r.nextGaussian());
        return a;
    }

    static void sample(MlpModel ref, JvmBackend jb, int[] device, int n, int rounds, boolean legacy, boolean taskProfile) throws Exception {
        MlpModelF32 model = new MlpModelF32(jb, ref, 1);
        int d = model.dim();
        double[] times = {new TrigFlow(SIGMA_D).tMax(), TrigFlow.T_MID};
        SplittableRandom rng = new SplittableRandom(5);
        float[][] noise = {gaussian(rng, n * d, SIGMA_D), gaussian(rng, n * d, SIGMA_D)};
        ConsistencySamplerF32 js = new ConsistencySamplerF32(model, SIGMA_D);
        float[] jv = js.sample(noise, times, n).clone();
        int inner = Math.max(1, 1024 / n);
        for (int w = 0; w < 3; w++) js.sample(noise, times, n);
        List<Double> jt = new ArrayList<>();
        for (int k = 0; k < rounds; k++) {
            long t0 = System.nanoTime();
            for (int q = 0; q < inner; q++) js.sample(noise, times, n);
            jt.add((System.nanoTime() - t0) / 1e6 / inner);
        }
        double j = median(jt);
        System.out.printf("2-step batch %5d: jvm %9.3f ms%n", n, j);
        if (legacy) {
            long c0 = System.nanoTime();
            try (TornadoSampler ts = new TornadoSampler(model, n, SIGMA_D, device)) {
                float[] first = ts.sample(noise, times).clone();
                double compileS = (System.nanoTime() - c0) / 1e9;
                double t = time(() -> ts.sample(noise, times), rounds, inner);
                System.out.printf("  legacy TornadoSampler (%d tasks/forward, host re-noise)  %9.3f ms | x%.1f vs jvm | compile %.1f s | max|jvm - tornado| / max|x| = %.2e%n",
                        ts.taskCount(), t, j / t, compileS, relDiff(jv, first));
            }
        }
        List<String> nameList = new ArrayList<>(List.of("fused", "fused+profiler", "fused+CUDA graph", "fused+CUDA graph+device noise",
                "separate norms+profiler", "separate norms+CUDA graph", "separate norms+CUDA graph+device noise"));
        int P = TornadoSamplerGraph.PROFILE, C = TornadoSamplerGraph.CUDA_GRAPH, N = TornadoSamplerGraph.DEVICE_NOISE, S = TornadoSamplerGraph.SEPARATE_NORMS,
                T = TornadoSamplerGraph.TILED;
        List<Integer> optList = new ArrayList<>(List.of(0, P, C, C | N, S | P, S | C, S | C | N));
        if (n <= TornadoSamplerGraph.smallBatchLimit()) {   // the small-batch gemv path is the default here: the tiled Linears beside it
            nameList.addAll(List.of("tiled fused+profiler", "tiled fused+CUDA graph", "tiled fused+CUDA graph+device noise"));
            optList.addAll(List.of(T | P, T | C, T | C | N));
        }
        String[] names = nameList.toArray(new String[0]);
        int[] opts = optList.stream().mapToInt(Integer::intValue).toArray();
        float[] jvNoise = js.sample(TornadoSamplerGraph.hostNoise(7, 0, 2, n, d, SIGMA_D), times, n).clone();
        for (int v = 0; v < names.length; v++) {
            int o = opts[v];
            if ((o & C) != 0 && Boolean.getBoolean("scm.bench.noCudaGraph")) continue;
            boolean dn = (o & N) != 0;
            long c0 = System.nanoTime();
            try (TornadoSamplerGraph g = new TornadoSamplerGraph(model, n, 2, SIGMA_D, device, o)) {
                float[] first = dn ? g.sample(7, 0, times) : g.sample(noise, times);
                double compileS = (System.nanoTime() - c0) / 1e9;
                for (int w = 0; w < 3; w++) { if (dn) g.sample(7, 1 + w, times); else g.sample(noise, times); }
                float[] again = dn ? g.sample(7, 0, times) : g.sample(noise, times);
                int[] counter = {10};
                double t = time(() -> { if (dn) g.sample(7, counter[0]++, times); else g.sample(noise, times); }, rounds, inner);
                String prof = "";
                if ((o & P) != 0) {
                    List<Double> ks = new ArrayList<>(), tot = new ArrayList<>();
                    for (int k = 0; k < rounds; k++) { g.sample(noise, times); ks.add(g.lastKernelMs()); tot.add(g.lastTotalMs()); }
                    prof = String.format(" | profiler: kernels %.3f ms, total %.3f ms per call", median(ks), median(tot));
                    if (taskProfile) taskTable(g.lastProfileLog(), "2-step sampler " + names[v] + ", batch " + n);
                }
                System.out.printf("  TornadoSamplerGraph %-36s (%2d tasks/call, %s) %8.3f ms | x%.1f vs jvm | %.0f samples/s | compile %.1f s | "
                        + "max|jvm - tornado| / max|x| = %.2e | repeat %s%s%n", names[v], g.taskCount(), g.smallBatch() ? "gemv" : "tiled", t, j / t, n / (t / 1e3), compileS,
                        relDiff(dn ? jvNoise : jv, first), java.util.Arrays.equals(first, again) ? "identical" : "DIFFERS", prof);
            } catch (RuntimeException e) {
                System.out.printf("  TornadoSamplerGraph %-36s FAILED: %s%n", names[v], e);
            }
        }
    }

    /**
     * Per task: the median kernel time over the profiled executions in TornadoVM's profiler log (JSON, one entry per task
     * and execution), slowest first, with the share of the sum.
     */
    static void taskTable(String log, String label) {
        if (log == null) { System.out.println("  (no profiler log)"); return; }
        java.util.regex.Matcher mt = java.util.regex.Pattern.compile(
                "\"[^\"]+\\.(t\\d+\\w*)\": \\{[^}]*?\"METHOD\": \"([^\"]+)\"[^}]*?\"TASK_KERNEL_TIME\": \"(\\d+)\"", java.util.regex.Pattern.DOTALL).matcher(log);
        Map<String, List<Double>> times = new java.util.LinkedHashMap<>();
        Map<String, String> method = new java.util.HashMap<>();
        while (mt.find()) {
            times.computeIfAbsent(mt.group(1), k -> new ArrayList<>()).add(Long.parseLong(mt.group(3)) / 1e6);
            method.put(mt.group(1), mt.group(2));
        }
        List<Map.Entry<String, Double>> rows = new ArrayList<>();
        double sum = 0;
        for (Map.Entry<String, List<Double>> e : times.entrySet()) { double m = median(e.getValue()); rows.add(Map.entry(e.getKey(), m)); sum += m; }
        rows.sort((x, y) -> Double.compare(y.getValue(), x.getValue()));
        System.out.printf("  per-task kernel times, %s (TornadoVM profiler, median over %d profiled steps; sum %.3f ms):%n", label,
                times.isEmpty() ? 0 : times.values().iterator().next().size(), sum);
        for (Map.Entry<String, Double> r : rows)
            System.out.printf("    %-28s %-30s %8.3f ms  %5.1f %%%n", r.getKey(), method.get(r.getKey()).replace("FusedTrainKernels.", "").replace("FusedKernels.", ""), r.getValue(),
                    100 * r.getValue() / sum);
    }

    static float[][] values(MlpModelF32 m) {
        float[][] v = new float[m.params().size()][];
        for (int i = 0; i < v.length; i++) v[i] = m.params().get(i).value.clone();
        return v;
    }

    /** ‖got − want‖ / ‖want − base‖ over all parameters by name (base null: / ‖want‖). */
    static double relDiff(Map<String, float[]> got, MlpModelF32 m, float[][] want, float[][] base) {
        double num = 0, den = 0;
        for (int i = 0; i < want.length; i++) {
            float[] a = got.get(m.params().get(i).name), b = want[i];
            for (int q = 0; q < b.length; q++) {
                num += (double) (a[q] - b[q]) * (a[q] - b[q]);
                double d = base == null ? b[q] : b[q] - base[i][q];
                den += d * d;
            }
        }
        return Math.sqrt(num / den);
    }

    static double relDiff(float[] a, float[] b) {
        double maxAbs = 0, maxDiff = 0;
        for (int q = 0; q < a.length; q++) { maxAbs = Math.max(maxAbs, Math.abs(a[q])); maxDiff = Math.max(maxDiff, Math.abs(a[q] - b[q])); }
        return maxDiff / maxAbs;
    }

    static double time(Runnable r, int rounds, int inner) {
        List<Double> ts = new ArrayList<>();
        for (int k = 0; k < rounds; k++) {
            long t0 = System.nanoTime();
            for (int q = 0; q < inner; q++) r.run();
            ts.add((System.nanoTime() - t0) / 1e6 / inner);
        }
        return median(ts);
    }

    /**
     * The sCT (or, {@code scd}, sCD) training step at batch n (digits MLP, dropout 0, RAdam lr 1e-4, EMA 0.999; the sCD
     * teacher a random network of the same shape): the JVM backend's
     * {@link ScmObjectiveF32} + {@link AdamF32} + {@link EmaF32} step beside the one-graph {@link TornadoSctStepGraph}
     * (plain, with TornadoVM's profiler, captured as a CUDA graph), and with {@code --legacy} the per-operation
     * {@link TornadoBackend} step. Medians of {@code rounds} steps, each timed on its own (host copies of the batch in and
     * the n losses out included). Agreement with the JVM engine from the same start: the first step's loss and gradient,
     * and the parameter update θ_3 − θ_0 after 3 identical steps (relative; float32 agreement is ~1e-6), and the graph's
     * gradient norm ({@link TornadoSctStepGraph#lastGradNorm()}) against the JVM step's.
     */
    static void train(JvmBackend jb, TornadoBackend tb, int[] device, int n, int rounds, boolean legacy, boolean taskProfile, boolean scd,
                      int[] splitGroups) {
        MlpModel ref = new MlpModel(MlpConfig.digits(0.0), 1), tref = scd ? new MlpModel(MlpConfig.digits(0.0), 2) : null;
        MlpModelF32 mj = new MlpModelF32(jb, ref, 1);
        String what = scd ? "sCD" : "sCT";
        int d = mj.dim();
        SplittableRandom rng = new SplittableRandom(3);
        float[] x0 = gaussian(rng, n * d, 0.5), z = gaussian(rng, n * d, SIGMA_D), t = new float[n];
        for (int i = 0; i < n; i++) t[i] = (float) Math.atan(Math.exp(-1.0 + 1.4 * rng.nextGaussian()) / SIGMA_D);
        double lr = 1e-4, r = 0.5, c = 0.1, emaBeta = 0.999;
        AdamF32 oj = AdamF32.radam(jb, mj.params(), lr, 0.9, 0.99, 1e-8);
        ScmObjectiveF32 sj = scd ? ScmObjectiveF32.scd(mj, new MlpModelF32(jb, tref, 1), oj, SIGMA_D, c) : ScmObjectiveF32.sct(mj, oj, SIGMA_D, c);
        EmaF32 ej = new EmaF32(jb, mj.params());
        float[][] start = values(mj);
        double lj = sj.step(x0, z, t, n, r, 0);
        ej.update(emaBeta);
        float[][] grad1 = new float[mj.params().size()][];
        double gn1 = 0;
        for (int i = 0; i < grad1.length; i++) {
            grad1[i] = mj.params().get(i).grad.clone();
            for (float x : grad1[i]) gn1 += (double) x * x;
        }
        gn1 = Math.sqrt(gn1);
        for (int w = 0; w < 2; w++) { sj.step(x0, z, t, n, r, 0); ej.update(emaBeta); }
        float[][] after3 = values(mj);
        List<Double> jt = new ArrayList<>();
        for (int k = 0; k < rounds; k++) {
            long t0 = System.nanoTime();
            sj.step(x0, z, t, n, r, 0);
            ej.update(emaBeta);
            jt.add((System.nanoTime() - t0) / 1e6);
        }
        double j = median(jt);
        System.out.printf("%s step batch %5d: jvm %9.2f ms (%d threads; ScmObjectiveF32 + RAdam + EMA, dropout 0)%n", what, n, j, jb.threads());
        int P = TornadoSctStepGraph.PROFILE, C = TornadoSctStepGraph.CUDA_GRAPH, U = TornadoSctStepGraph.UNSPLIT_DC;
        List<String> nameList = new ArrayList<>(List.of("plain", "profiler", "CUDA graph", "profiler, dc unsplit", "CUDA graph, dc unsplit"));
        List<Integer> optList = new ArrayList<>(List.of(0, P, C, P | U, C | U)), groupList = new ArrayList<>(List.of(0, 0, 0, 0, 0));
        for (int gr : splitGroups) {  // other targets for the split products' work-group count (scm.tornado.splitGroups)
            nameList.addAll(List.of("profiler, " + gr + " groups", "CUDA graph, " + gr + " groups"));
            optList.addAll(List.of(P, C));
            groupList.addAll(List.of(gr, gr));
        }
        String[] names = nameList.toArray(new String[0]);
        String userGroups = System.getProperty("scm.tornado.splitGroups");  // the plain variants keep what the user set
        int[] opts = optList.stream().mapToInt(Integer::intValue).toArray();
        for (int v = 0; v < names.length; v++) {
            if ((opts[v] & TornadoSctStepGraph.CUDA_GRAPH) != 0 && Boolean.getBoolean("scm.bench.noCudaGraph")) continue;
            long c0 = System.nanoTime();
            if (groupList.get(v) > 0) System.setProperty("scm.tornado.splitGroups", Integer.toString(groupList.get(v)));
            else if (userGroups == null) System.clearProperty("scm.tornado.splitGroups");
            else System.setProperty("scm.tornado.splitGroups", userGroups);
            try (TornadoSctStepGraph g = new TornadoSctStepGraph(new MlpModelF32(jb, ref, 1), scd ? new MlpModelF32(jb, tref, 1) : null, n, SIGMA_D, c, lr,
                    0.9, 0.99, 1e-8, true, device, opts[v])) {
                double lt = g.step(x0, z, t, r, emaBeta);
                double gn = g.lastGradNorm();
                double compileS = (System.nanoTime() - c0) / 1e9;
                String agree;
                try {  // the first step's gradient, and the parameter update after the same 3 steps, against the JVM engine
                    double gd = relDiff(g.grads(), mj, grad1, null);
                    for (int w = 0; w < 2; w++) g.step(x0, z, t, r, emaBeta);
                    double ud = relDiff(g.params(), mj, after3, start);
                    agree = String.format("step-1 gradient %.1e (norm %.1e), update after 3 steps %.1e", gd, Math.abs(gn - gn1) / gn1, ud);
                } catch (RuntimeException e) {
                    agree = "read-back FAILED (" + e + ")";
                }
                List<Double> tt = new ArrayList<>(), ks = new ArrayList<>(), tot = new ArrayList<>(), tr = new ArrayList<>(), di = new ArrayList<>();
                for (int k = 0; k < rounds; k++) {
                    long t0 = System.nanoTime();
                    g.step(x0, z, t, r, emaBeta);
                    tt.add((System.nanoTime() - t0) / 1e6);
                    if ((opts[v] & TornadoSctStepGraph.PROFILE) != 0) {
                        double[] pr = g.lastProfile();
                        ks.add(pr[0]); tot.add(pr[1]); tr.add(pr[2]); di.add(pr[3]);
                    }
                }
                double m = median(tt);
                String prof = (opts[v] & TornadoSctStepGraph.PROFILE) != 0
                        ? String.format(" | profiler: kernels %.3f ms, total %.3f ms, data transfers %.3f ms, kernel dispatch %.3f ms per step",
                        median(ks), median(tot), median(tr), median(di)) : "";
                if ((opts[v] & TornadoSctStepGraph.PROFILE) != 0 && taskProfile) taskTable(g.lastProfileLog(), what + " " + names[v] + ", batch " + n);
                System.out.printf("  TornadoSctStepGraph %-24s (%2d tasks/step) %8.3f ms | x%.1f vs jvm | compile %.1f s | first-step loss jvm %.6f "
                        + "tornado %.6f (rel %.1e) | vs jvm, ||tornado - jvm|| / ||jvm||: %s%s%n", names[v], g.taskCount(), m, j / m,
                        compileS, lj, lt, Math.abs(lt - lj) / Math.abs(lj), agree, prof);
            } catch (Exception e) {
                System.out.printf("  TornadoSctStepGraph %-24s FAILED: %s%n", names[v], e);
            }
        }
        if (userGroups == null) System.clearProperty("scm.tornado.splitGroups");
        else System.setProperty("scm.tornado.splitGroups", userGroups);
        if (legacy) {
            MlpModelF32 mt = new MlpModelF32(tb, ref, 1);
            ScmObjectiveF32 st = new ScmObjectiveF32(mt, AdamF32.radam(tb, mt.params(), lr, 0.9, 0.99, 1e-8), SIGMA_D, c);
            long c0 = System.nanoTime();
            st.step(x0, z, t, n, r, 0);
            double compileS = (System.nanoTime() - c0) / 1e9;
            List<Double> tt = new ArrayList<>();
            for (int k = 0; k < Math.max(3, rounds / 3); k++) {
                long t0 = System.nanoTime(); st.step(x0, z, t, n, r, 0); tt.add((System.nanoTime() - t0) / 1e6);
            }
            System.out.printf("  TornadoBackend per-op plans       %8.3f ms | x%.2f vs jvm | compile %.1f s (no EMA)%n", median(tt), j / median(tt), compileS);
        }
    }
}
