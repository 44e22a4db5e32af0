package scm.props.train;

import java.util.ArrayList;
import java.util.List;
import scm.ref.nn.Param;
import scm.ref.train.StateTensor;
import scm.ref.train.StepOptimizer;

/**
 * Test optimizer: heavy-ball SGD with a step-count dependent rate lr/sqrt(t), so that a resume that
 * forgot the momentum buffers or the step count would diverge from the uninterrupted run.
 */
final class MomentumSgd implements StepOptimizer {
    private final List<Param> params;
    private final List<double[]> mom = new ArrayList<>();
    private final double lr, mu;
    private long t;

    MomentumSgd(List<Param> params, double lr, double mu) {
        this.params = List.copyOf(params);
        for (Param p : params) mom.add(new double[p.size()]);
        this.lr = lr;
        this.mu = mu;
    }

    @Override public void step() {
        t++;
        double rate = lr / Math.sqrt(t);
        for (int k = 0; k < params.size(); k++) {
            Param p = params.get(k);
            double[] m = mom.get(k);
            for (int i = 0; i < p.size(); i++) {
                m[i] = mu * m[i] + p.grad[i];
                p.value[i] -= rate * m[i];
            }
        }
    }

    @Override public long stepCount() { return t; }

    @Override public void restoreStepCount(long steps) { t = steps; }

    @Override public List<StateTensor> state() {
        List<StateTensor> s = new ArrayList<>();
        for (int k = 0; k < params.size(); k++) s.add(new StateTensor("momentum." + params.get(k).name, params.get(k).shape, mom.get(k)));
        return s;
    }
}
