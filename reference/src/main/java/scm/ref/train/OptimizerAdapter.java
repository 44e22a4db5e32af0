package scm.ref.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import scm.ref.io.DType;
import scm.ref.io.Tensor;
import scm.ref.optim.Optimizer;

/**
 * An {@link scm.ref.optim.Optimizer} (Adam, RAdam) as the trainer's {@link StepOptimizer}.
 *
 * <p>scm.ref.optim hands out its state as copies, while the trainer's checkpoints read and write live
 * arrays. The adapter therefore keeps a mirror: one array per moment buffer plus the step count, and
 * the mirror is the state of record. Every {@link #step()} loads the mirror into the optimizer
 * ({@link Optimizer#loadState}, which validates names, shapes and finiteness), steps, and copies the
 * result back. A checkpoint restore that writes into the mirror and calls {@link #restoreStepCount}
 * is thus picked up by the next step, whatever order the two happen in. The copies cost O(parameters)
 * per step, negligible next to a forward/backward pass.
 *
 * <p>State names: the optimizer's names without its own prefix ({@code adam.m.w} becomes {@code m.w}),
 * so the trainer stores them as {@code optim.m.<param>} / {@code optim.v.<param>}; the step count
 * goes to the checkpoint metadata ({@code optimizer.steps}), not a tensor.
 */
public final class OptimizerAdapter implements StepOptimizer {
    private final Optimizer optimizer;
    private final String prefix;
    private final String stepKey;
    private final List<String> keys = new ArrayList<>();
    private final List<StateTensor> mirror = new ArrayList<>();
    private long steps;

    public OptimizerAdapter(Optimizer optimizer) {
        if (optimizer == null) throw new IllegalArgumentException("optimizer is null");
        this.optimizer = optimizer;
        Map<String, Tensor> s = optimizer.state();
        String step = null;
        for (String k : s.keySet()) if (k.endsWith(".step") && s.get(k).shape().length == 0) step = k;
        if (step == null) throw new IllegalArgumentException("optimizer state has no scalar '<prefix>.step' entry: " + s.keySet());
        this.stepKey = step;
        this.prefix = step.substring(0, step.length() - "step".length());
        for (Map.Entry<String, Tensor> e : s.entrySet()) {
            if (e.getKey().equals(stepKey)) continue;
            if (!e.getKey().startsWith(prefix))
                throw new IllegalArgumentException("optimizer state name " + e.getKey() + " lacks the prefix " + prefix);
            keys.add(e.getKey());
            mirror.add(new StateTensor(e.getKey().substring(prefix.length()), e.getValue().shape(), e.getValue().values()));
        }
        this.steps = optimizer.steps();
    }

    @Override public void step() {
        Map<String, Tensor> load = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) load.put(keys.get(i), new Tensor(mirror.get(i).shape(), mirror.get(i).data(), DType.F64));
        load.put(stepKey, Tensor.scalar(steps, DType.I64));
        optimizer.loadState(load);
        optimizer.step();
        Map<String, Tensor> after = optimizer.state();
        for (int i = 0; i < keys.size(); i++) {
            double[] v = after.get(keys.get(i)).values();
            System.arraycopy(v, 0, mirror.get(i).data(), 0, v.length);
        }
        steps = optimizer.steps();
    }

    @Override public long stepCount() { return steps; }

    @Override public void restoreStepCount(long s) {
        if (s < 0) throw new IllegalArgumentException("optimizer step count must be >= 0, got " + s);
        steps = s;
    }

    @Override public List<StateTensor> state() { return List.copyOf(mirror); }

    /** The wrapped optimizer (its own state lags the mirror until the next step). */
    public Optimizer optimizer() { return optimizer; }
}
