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
 * <p>The trainer's checkpoints read and write live arrays: the adapter hands out the optimizer's own moment
 * arrays ({@link Optimizer#buffers()}) and keeps the step count. A checkpoint restore writes into those arrays
 * and calls {@link #restoreStepCount}; the next {@link #step()} then loads them through
 * {@link Optimizer#loadState} once (which validates names, shapes and finiteness and sets the step count), so a
 * restore is picked up whatever order the two happen in. Between restores a step is just the optimizer's step:
 * no per-step copies (an earlier version copied the whole state in and out of the optimizer every step, which
 * cost as much as the float32 engine's forward and backward passes together).
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
    private boolean restored;

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
        }
        Map<String, double[]> live = optimizer.buffers();
        if (!live.keySet().equals(new java.util.LinkedHashSet<>(keys)))
            throw new IllegalArgumentException("optimizer buffers " + live.keySet() + " do not match its state " + keys);
        for (String k : keys) mirror.add(new StateTensor(k.substring(prefix.length()), s.get(k).shape(), live.get(k)));
        this.steps = optimizer.steps();
    }

    @Override public void step() {
        if (restored || steps != optimizer.steps()) {
            Map<String, Tensor> load = new LinkedHashMap<>();
            for (int i = 0; i < keys.size(); i++) load.put(keys.get(i), new Tensor(mirror.get(i).shape(), mirror.get(i).data(), DType.F64));
            load.put(stepKey, Tensor.scalar(steps, DType.I64));
            optimizer.loadState(load);  // validates the restored buffers; copies into the same arrays
            restored = false;
        }
        optimizer.step();
        steps = optimizer.steps();
    }

    @Override public long stepCount() { return steps; }

    @Override public void restoreStepCount(long s) {
        if (s < 0) throw new IllegalArgumentException("optimizer step count must be >= 0, got " + s);
        steps = s;
        restored = true;
    }

    @Override public List<StateTensor> state() { return List.copyOf(mirror); }

    /** The wrapped optimizer (after a restore, its step count lags until the next step). */
    public Optimizer optimizer() { return optimizer; }
}
