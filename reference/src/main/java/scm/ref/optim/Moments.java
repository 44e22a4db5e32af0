package scm.ref.optim;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import scm.ref.io.DType;
import scm.ref.io.Tensor;
import scm.ref.nn.Param;

/**
 * The state shared by Adam and RAdam: first moments m, second moments v (one array per parameter)
 * and the step count. Checkpoint names are {@code <prefix>.m.<param>}, {@code <prefix>.v.<param>}
 * (F64, the parameter's shape) and {@code <prefix>.step} (a 0-d I64).
 */
final class Moments {
    final List<Param> params;
    final double[][] m, v;
    long step;
    private final String prefix;

    Moments(List<Param> params, String prefix) {
        if (params == null || params.isEmpty()) throw new IllegalArgumentException(prefix + ": parameter list is null or empty");
        Set<String> names = new HashSet<>();
        for (Param p : params) {
            if (p == null) throw new IllegalArgumentException(prefix + ": parameter list contains null");
            if (!names.add(p.name)) throw new IllegalArgumentException(prefix + ": duplicate parameter name '" + p.name + "'");
        }
        this.params = List.copyOf(params);
        this.prefix = prefix;
        m = new double[params.size()][];
        v = new double[params.size()][];
        for (int k = 0; k < params.size(); k++) {
            m[k] = new double[params.get(k).size()];
            v[k] = new double[params.get(k).size()];
        }
    }

    /** Rejects non-finite gradients before anything is updated. */
    void requireFiniteGrads() {
        for (Param p : params)
            for (int i = 0; i < p.grad.length; i++)
                if (!Double.isFinite(p.grad[i]))
                    throw new IllegalArgumentException(prefix + ": gradient of " + p.name + " is " + p.grad[i] + " at index " + i);
    }

    /** torch's lerp_(end, w) for w = 1 - beta1 &lt; 0.5: a + w·(b − a). */
    static double lerp(double a, double b, double w) {
        return w < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w);
    }

    Map<String, Tensor> state() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        for (int k = 0; k < params.size(); k++) {
            Param p = params.get(k);
            s.put(prefix + ".m." + p.name, new Tensor(p.shape, m[k], DType.F64));
            s.put(prefix + ".v." + p.name, new Tensor(p.shape, v[k], DType.F64));
        }
        s.put(prefix + ".step", Tensor.scalar(step, DType.I64));
        return s;
    }

    void load(Map<String, Tensor> s) {
        Map<String, Tensor> expected = state();
        if (!s.keySet().equals(expected.keySet())) {
            Set<String> missing = new HashSet<>(expected.keySet()), extra = new HashSet<>(s.keySet());
            missing.removeAll(s.keySet());
            extra.removeAll(expected.keySet());
            throw new IllegalArgumentException(prefix + " state does not match the parameters: missing " + missing + ", unexpected " + extra);
        }
        Map<String, double[]> values = new HashMap<>();
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            Tensor t = s.get(e.getKey());
            if (!Arrays.equals(t.shape(), e.getValue().shape()))
                throw new IllegalArgumentException("shape mismatch: " + e.getKey() + " is " + Arrays.toString(t.shape()) + ", expected "
                        + Arrays.toString(e.getValue().shape()));
            double[] x = t.values();
            String what = e.getKey();
            for (int i = 0; i < x.length; i++)
                if (!Double.isFinite(x[i]) || (what.contains(".v.") && x[i] < 0))
                    throw new IllegalArgumentException(what + " has invalid value " + x[i] + " at index " + i);
            values.put(what, x);
        }
        double st = values.get(prefix + ".step")[0];
        if (st < 0 || st != Math.rint(st)) throw new IllegalArgumentException(prefix + ".step must be a non-negative integer, got " + st);
        for (int k = 0; k < params.size(); k++) {  // into the same arrays: buffers() stay valid
            System.arraycopy(values.get(prefix + ".m." + params.get(k).name), 0, m[k], 0, m[k].length);
            System.arraycopy(values.get(prefix + ".v." + params.get(k).name), 0, v[k], 0, v[k].length);
        }
        step = (long) st;
    }

    /** The moment arrays themselves, named as in {@link #state()} (no step entry). */
    Map<String, double[]> buffers() {
        Map<String, double[]> b = new LinkedHashMap<>();
        for (int k = 0; k < params.size(); k++) {
            b.put(prefix + ".m." + params.get(k).name, m[k]);
            b.put(prefix + ".v." + params.get(k).name, v[k]);
        }
        return b;
    }
}
