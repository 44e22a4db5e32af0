package scm.props.consistency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import scm.ref.consistency.ConsistencyFunction;
import scm.ref.consistency.EdmAsTrigFlow;
import scm.ref.consistency.EdmConsistencyFunction;
import scm.ref.loss.EdmStudent;
import scm.ref.loss.TrainableNetwork;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/**
 * The TrigFlow view of an EDM-form student reproduces the student: f_T(x_t, t) = f_E(x_t / cos t, sigma_d tan t)
 * [docs/math.md §2, §3, §7]. f_T is rebuilt as cos t x_t - sin t sigma_d F with F = (cos t x_t - f_E)/(sigma_d sin t), so
 * the two agree up to the rounding of that cancellation: a few ulps of |cos t x_t| + |f_E|. The tolerance is
 * 1e-13 of that scale (about 500 ulps), far below any modelling difference (O(1) relative).
 */
class EdmAsTrigFlowTest {

    @Test
    void trigFlowViewEqualsTheEdmStudent() {
        MlpModel m = new MlpModel(new MlpConfig(3, 16, 2, 8, MlpConfig.Embedding.POSITIONAL, 0, 0), 7);
        EdmConsistencyFunction edm = new EdmStudent(TrainableNetwork.of(m), 0.5, EdmConsistencyFunction.DEFAULT_EPS).reference();
        ConsistencyFunction trig = new ConsistencyFunction(new EdmAsTrigFlow(edm, 3), 0.5);
        Batch x = Noise.gaussian(Noise.seeded(3), 5, 3, 0.7);
        double[] t = {0.01, 0.3, 1.1, Math.atan(160), Math.PI / 2};
        Batch ft = trig.apply(x, t);
        for (int i = 0; i < 5; i++) {
            double c = Math.cos(t[i]);
            double[] xs = new double[3];
            for (int j = 0; j < 3; j++) xs[j] = x.get(i, j) / c;
            Batch fe = edm.apply(new Batch(1, 3, xs), new double[] {0.5 * Math.tan(t[i])});
            for (int j = 0; j < 3; j++) {
                double scale = Math.abs(c * x.get(i, j)) + Math.abs(fe.get(0, j));
                assertEquals(fe.get(0, j), ft.get(i, j), 1e-13 * (1 + scale), "sample " + i + " (t = " + t[i] + ") coordinate " + j);
            }
        }
    }

    @Test
    void rejectsTimeZeroAndJvp() {
        MlpModel m = new MlpModel(new MlpConfig(2, 8, 1, 8, MlpConfig.Embedding.POSITIONAL, 0, 0), 1);
        EdmAsTrigFlow net = new EdmAsTrigFlow(new EdmStudent(TrainableNetwork.of(m), 0.5, 0.002).reference(), 2);
        Batch x = Batch.zeros(1, 2);
        assertThrows(IllegalArgumentException.class, () -> net.forward(x, new double[] {0}));
        assertThrows(UnsupportedOperationException.class, () -> net.jvp(x, new double[] {1}, x, new double[] {0}));
    }
}
