package scm.ref.optim;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import scm.ref.io.DType;
import scm.ref.io.Tensor;
import scm.ref.nn.Param;
import scm.ref.tensor.Check;

/**
 * An exponential moving average of parameter values, for evaluation only (sCM and iCT train
 * without an EMA teacher; docs/math.md §11 L3, §11 L7). It starts as a copy of the values at construction; each
 * {@link #update()} (call it after the optimizer step) does, for update number k,
 * ema ← lerp(ema, θ, 1 − β_k) = ema + (1 − β_k)(θ − ema), as EDM/EDM2 do with {@code lerp_}.
 * Checkpoint names: {@code ema.<param>} (F64) and {@code ema.step} (0-d I64).
 */
public final class Ema {
    private final List<Param> params;
    private final EmaSchedule schedule;
    private final double[][] average;
    private long updates;

    public Ema(List<Param> params, EmaSchedule schedule) {
        if (params == null || params.isEmpty()) throw new IllegalArgumentException("EMA: parameter list is null or empty");
        if (schedule == null) throw new IllegalArgumentException("EMA schedule is null");
        Set<String> names = new HashSet<>();
        for (Param p : params) if (!names.add(p.name)) throw new IllegalArgumentException("EMA: duplicate parameter name '" + p.name + "'");
        this.params = List.copyOf(params);
        this.schedule = schedule;
        this.average = new double[params.size()][];
        for (int k = 0; k < params.size(); k++) average[k] = params.get(k).value.clone();
    }

    /** Folds the current parameter values into the average as update number {@link #updates()} + 1; returns the β used. */
    public double update() { return update(updates + 1); }

    /**
     * Folds the current parameter values in as update number {@code k} ≥ 1 (for a trainer that keeps
     * the count itself, e.g. after resuming); afterwards {@link #updates()} is k. Returns the β used.
     */
    public double update(long k) {
        double beta = schedule.beta(k);
        for (Param p : params) Check.finite(p.value, "EMA input " + p.name);
        for (int j = 0; j < params.size(); j++) {
            double[] a = average[j], x = params.get(j).value;
            for (int i = 0; i < a.length; i++) a[i] = Moments.lerp(a[i], x[i], 1 - beta);
        }
        updates = k;
        return beta;
    }

    public long updates() { return updates; }

    public EmaSchedule schedule() { return schedule; }

    /** A copy of the average of the parameter called {@code name}. */
    public double[] average(String name) {
        for (int k = 0; k < params.size(); k++) if (params.get(k).name.equals(name)) return average[k].clone();
        throw new IllegalArgumentException("EMA has no parameter named '" + name + "'");
    }

    /** Copies the averages into parameters with the same names and shapes (e.g. an evaluation copy of the model). */
    public void copyTo(List<Param> target) {
        if (target.size() != params.size()) throw new IllegalArgumentException("EMA has " + params.size() + " parameters, target has " + target.size());
        for (int k = 0; k < params.size(); k++) {
            Param src = params.get(k), dst = target.get(k);
            if (!src.name.equals(dst.name) || !Arrays.equals(src.shape, dst.shape))
                throw new IllegalArgumentException("EMA parameter " + src + " does not match target " + dst);
            System.arraycopy(average[k], 0, dst.value, 0, average[k].length);
        }
    }

    public Map<String, Tensor> state() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        for (int k = 0; k < params.size(); k++) s.put("ema." + params.get(k).name, new Tensor(params.get(k).shape, average[k], DType.F64));
        s.put("ema.step", Tensor.scalar(updates, DType.I64));
        return s;
    }

    public void loadState(Map<String, Tensor> s) {
        Map<String, Tensor> expected = state();
        if (!s.keySet().equals(expected.keySet()))
            throw new IllegalArgumentException("EMA state names " + s.keySet() + " do not match " + expected.keySet());
        double[][] loaded = new double[params.size()][];
        for (int k = 0; k < params.size(); k++) {
            String key = "ema." + params.get(k).name;
            Tensor t = s.get(key);
            if (!Arrays.equals(t.shape(), params.get(k).shape))
                throw new IllegalArgumentException("shape mismatch: " + key + " is " + Arrays.toString(t.shape()) + ", parameter is " + params.get(k));
            loaded[k] = t.values();
            Check.finite(loaded[k], key);
        }
        double st = s.get("ema.step").item();
        if (st < 0 || st != Math.rint(st)) throw new IllegalArgumentException("ema.step must be a non-negative integer, got " + st);
        for (int k = 0; k < loaded.length; k++) System.arraycopy(loaded[k], 0, average[k], 0, average[k].length);
        updates = (long) st;
    }

    /** The average arrays themselves (not copies), named as in {@link #state()} without the step; stable across {@link #loadState}. */
    public Map<String, double[]> buffers() {
        Map<String, double[]> b = new LinkedHashMap<>();
        for (int k = 0; k < params.size(); k++) b.put("ema." + params.get(k).name, average[k]);
        return b;
    }
}
