package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two checks every trajectory-tracking test makes (MLP: {@link AccelObjectiveTrackTest}, U-Net:
 * {@link AccelUNetObjectiveTrackTest}): over {@link AccelObjectiveTrackTest#STEPS} Adam steps of each objective the
 * float32 engine stays within {@link AccelObjectiveTrackTest#BOUND} of the float64 reference (the bound is argued
 * there), and the same measure detects a 25% larger float32 learning rate (negative control).
 */
abstract class ObjectiveTrackContract {
    static final double LR = 1e-3, BOUND = 0.1;
    static final int STEPS = 20;

    /** D_k for k = 0..STEPS: the float32 run at {@code lr32} against the reference at {@link #LR} (AccelObjectiveTrackTest.track). */
    abstract double[] run(String kind, double lr32);

    @ParameterizedTest
    @ValueSource(strings = {"teacher", "scd", "cd"})
    void twentyAdamStepsTrackTheReference(String kind) {
        double[] dk = run(kind, LR);
        for (int k = 1; k <= STEPS; k++)
            assertTrue(dk[k] <= BOUND, kind + " step " + k + ": D = " + dk[k] + " > " + BOUND);
    }

    /** Negative control: a 25% larger learning rate on the float32 side must be detected. */
    @ParameterizedTest
    @ValueSource(strings = {"teacher", "scd", "cd"})
    void aDifferentLearningRateIsDetected(String kind) {
        double[] dk = run(kind, 1.25 * LR);
        assertTrue(dk[STEPS] > BOUND, kind + ": a 25% larger learning rate went unnoticed, D_20 = " + dk[STEPS]);
    }
}
