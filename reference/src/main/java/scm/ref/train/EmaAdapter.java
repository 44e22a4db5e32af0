package scm.ref.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import scm.ref.io.DType;
import scm.ref.io.Tensor;
import scm.ref.nn.Param;
import scm.ref.optim.Ema;
import scm.ref.optim.EmaSchedule;

/**
 * An {@link scm.ref.optim.Ema} as the trainer's {@link EvalEma}. As with {@link OptimizerAdapter}, a
 * mirror of the averages is the state of record (the trainer's checkpoints read and write it in
 * place); {@link #update(long)} loads the mirror with update count {@code updates - 1} into the EMA,
 * folds the current parameters in, and copies the averages back. The update count is the trainer's
 * (step + 1), so a power EMA's β_k needs nothing beyond the checkpoint's step.
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
            mirror.add(new StateTensor(e.getKey().substring("ema.".length()), e.getValue().shape(), e.getValue().values()));
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
        Map<String, Tensor> load = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) load.put(keys.get(i), new Tensor(mirror.get(i).shape(), mirror.get(i).data(), DType.F64));
        load.put("ema.step", Tensor.scalar(updates - 1, DType.I64));
        ema.loadState(load);
        ema.update();
        Map<String, Tensor> after = ema.state();
        for (int i = 0; i < keys.size(); i++) {
            double[] v = after.get(keys.get(i)).values();
            System.arraycopy(v, 0, mirror.get(i).data(), 0, v.length);
        }
    }

    @Override public List<StateTensor> weights() { return List.copyOf(mirror); }
}
