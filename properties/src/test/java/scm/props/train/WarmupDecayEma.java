package scm.props.train;

import java.util.ArrayList;
import java.util.List;
import scm.ref.nn.Param;
import scm.ref.train.EvalEma;
import scm.ref.train.StateTensor;

/** Test EMA: beta_t = min(decay, (1+t)/(10+t)) (the update count matters, as in EDM2's power EMA). */
final class WarmupDecayEma implements EvalEma {
    private final List<Param> params;
    private final List<double[]> w = new ArrayList<>();
    private final double decay;

    WarmupDecayEma(List<Param> params, double decay) {
        this.params = List.copyOf(params);
        for (Param p : params) w.add(p.value.clone());
        this.decay = decay;
    }

    @Override public void update(long t) {
        double beta = Math.min(decay, (1.0 + t) / (10.0 + t));
        for (int k = 0; k < params.size(); k++) {
            double[] e = w.get(k), v = params.get(k).value;
            for (int i = 0; i < e.length; i++) e[i] = beta * e[i] + (1 - beta) * v[i];
        }
    }

    @Override public List<StateTensor> weights() {
        List<StateTensor> s = new ArrayList<>();
        for (int k = 0; k < params.size(); k++) s.add(new StateTensor(params.get(k).name, params.get(k).shape, w.get(k)));
        return s;
    }
}
