package scm.ref.train;

import java.util.List;

/**
 * One evaluation EMA of the trainable parameters. Its state is its weight copies alone: the update
 * number is passed in by the trainer (a power-function EMA's decay depends on it), so the
 * checkpoint's step restores it.
 */
public interface EvalEma {

    /** Folds the current parameter values in; {@code updates} counts this update (1 after the first step). */
    void update(long updates);

    /** Live EMA weights, named like the parameters they average. */
    List<StateTensor> weights();
}
