package scm.ref.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import scm.ref.io.Tensor;
import scm.ref.nn.Param;
import scm.ref.optim.Ema;
import scm.ref.optim.EmaSchedule;

/**
 * An {@link scm.ref.optim.Ema} as the trainer's {@link EvalEma}. As with {@link OptimizerAdapter}, the
 * trainer's checkpoints read and write the EMA's own average arrays ({@link Ema#buffers()}) in place;
 * {@link #update(long)} checks them finite (a restored checkpoint is validated here, as
 * {@link Ema#loadState} would) and folds the current parameters in as update number {@code updates}
 * ({@link Ema#update(long)}). The update count is the trainer's (step + 1), so a power EMA's β_k needs
 * nothing beyond the checkpoint's step.
 */
public final class EmaAdapter implements EvalEma {
    private final Ema ema;
    private final List<String> keys = new ArrayList<>();
    private final List<StateTensor> mirror = new ArrayList<>();

    public EmaAdapter(List<Param> params, EmaSchedule schedule) {
        this.ema = new Ema(params, schedule);
        for (Map.Entry<String, Tensor> e : ema.state().entrySet()) {
            if (e.getKey().equals("ema.step")) continue;
            keys.add(e.getKey());
            mirror.add(new StateTensor(e.getKey().substring("ema.".length()), e.getValue().shape(), ema.buffers().get(e.getKey())));
        }
    }

    /** The scm.ref.optim schedule of a trainer EMA spec; half-lives count samples of {@code batch} per step, no ramp-up. */
    public static EmaSchedule schedule(EmaSpec spec, int batch) {
        return switch (spec.kind()) {
            case DECAY -> new EmaSchedule.Constant(spec.value());
            case HALF_LIFE -> new EmaSchedule.HalfLife(spec.value(), batch, 0);
            case POWER -> new EmaSchedule.Power(spec.value());
        };
    }

    @Override public void update(long updates) {
        if (updates < 1) throw new IllegalArgumentException("EMA update number must be >= 1, got " + updates);
        for (int i = 0; i < keys.size(); i++) scm.ref.tensor.Check.finite(mirror.get(i).data(), keys.get(i));
        ema.update(updates);
    }

    @Override public List<StateTensor> weights() { return List.copyOf(mirror); }
}
