package scm.ref.loss;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import scm.ref.nn.Param;

/**
 * The target network θ⁻ of CD/CT [CM Alg. 2-3; docs/math.md §7] as named state: one {@link Param} "target.&lt;name&gt;"
 * per online parameter, initialized to θ. θ⁻ ← μθ⁻ + (1−μ)θ after each optimizer step ({@link #ema}).
 * To evaluate f_θ⁻ the target values are swapped into the online parameters for the duration of one call
 * ({@link #evaluate}); no second network instance is needed. These Params are the objective's
 * {@link scm.ref.train.Objective#extraState()}: restoring their values restores θ⁻.
 */
final class TargetParams {
    private final List<Param> online;
    private final List<Param> target;

    TargetParams(List<Param> online) {
        this.online = List.copyOf(online);
        List<Param> t = new ArrayList<>();
        for (Param p : online) {
            Param q = new Param("target." + p.name, p.shape);
            System.arraycopy(p.value, 0, q.value, 0, p.size());
            t.add(q);
        }
        this.target = List.copyOf(t);
    }

    List<Param> state() { return target; }

    /** θ⁻ ← μθ⁻ + (1−μ)θ [CM Alg. 2]. */
    void ema(double mu) {
        if (!(mu >= 0 && mu <= 1)) throw new IllegalArgumentException("EMA rate mu must be in [0, 1], got " + mu);
        for (int k = 0; k < online.size(); k++) {
            double[] a = target.get(k).value, b = online.get(k).value;
            for (int j = 0; j < a.length; j++) a[j] = mu * a[j] + (1 - mu) * b[j];
        }
    }

    /** Runs {@code body} with θ⁻ loaded into the online parameters, then restores θ (also on exceptions). */
    <T> T evaluate(Supplier<T> body) {
        List<double[]> saved = new ArrayList<>(online.size());
        for (int k = 0; k < online.size(); k++) {
            saved.add(online.get(k).value.clone());
            System.arraycopy(target.get(k).value, 0, online.get(k).value, 0, online.get(k).size());
        }
        try {
            return body.get();
        } finally {
            for (int k = 0; k < online.size(); k++)
                System.arraycopy(saved.get(k), 0, online.get(k).value, 0, online.get(k).size());
        }
    }
}
