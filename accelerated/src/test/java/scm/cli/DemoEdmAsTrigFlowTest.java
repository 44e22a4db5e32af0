package scm.cli;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import scm.ref.consistency.ConsistencyFunction;
import scm.ref.loss.EdmStudent;
import scm.ref.loss.TrainableNetwork;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * The TrigFlow view of an EDM-parameterised (CD/CT/iCT) student gives the student's own consistency function:
 * f_TrigFlow(x_t, t) = f_EDM(x_t / cos t, σ_d tan t) at the demo's sampling times and others; its JVP matches
 * central finite differences.
 */
class DemoEdmAsTrigFlowTest {
    static final double SD = 0.5, EPS = 0.002;

    @Test void equalsTheEdmStudentsConsistencyFunction() {
        MlpModel model = new MlpModel(MlpConfig.toy2d(), 7);
        EdmStudent student = new EdmStudent(TrainableNetwork.of(model), SD, EPS);
        ConsistencyFunction viaTrigFlow = new ConsistencyFunction(new EdmAsTrigFlow(model, SD, EPS), SD);
        int n = 5;
        for (double sigma : new double[] {0.01, 0.3, SD * Math.tan(1.1), 5, 80}) {
            Batch xSigma = Noise.gaussian(Noise.seeded(3), n, 2, Math.sqrt(sigma * sigma + SD * SD));
            double t = Math.atan(sigma / SD);
            double[] sig = new double[n], ts = new double[n];
            java.util.Arrays.fill(sig, sigma);
            java.util.Arrays.fill(ts, t);
            Batch want = student.forward(xSigma, sig);
            Batch xt = scm.ref.trigflow.PerSample.scale(Math.cos(t), xSigma);
            Batch got = viaTrigFlow.apply(xt, ts);
            for (int i = 0; i < want.data().length; i++)
                assertEquals(want.data()[i], got.data()[i], 1e-10 * (1 + Math.abs(want.data()[i])), "sigma " + sigma + " entry " + i);
        }
    }

    @Test void jvpMatchesFiniteDifferences() {
        MlpModel model = new MlpModel(MlpConfig.toy2d(), 11);
        TrigFlowNetwork net = new EdmAsTrigFlow(model, SD, EPS);
        int n = 4;
        Batch x = Noise.gaussian(Noise.seeded(5), n, 2, 1.0), dx = Noise.gaussian(Noise.seeded(6), n, 2, 1.0);
        double[] t = {0.2, 0.7, 1.1, 1.5}, dt = {0.3, -0.5, 1.0, 0.2};
        TrigFlowNetwork.Jvp j = net.jvp(x, t, dx, dt);
        double h = 1e-6;
        Batch plus = net.forward(shift(x, dx, h), shift(t, dt, h)), minus = net.forward(shift(x, dx, -h), shift(t, dt, -h));
        Batch primal = net.forward(x, t);
        for (int i = 0; i < primal.data().length; i++) {
            assertEquals(primal.data()[i], j.primal().data()[i], 1e-12 * (1 + Math.abs(primal.data()[i])));
            double fd = (plus.data()[i] - minus.data()[i]) / (2 * h);
            assertEquals(fd, j.tangent().data()[i], 1e-5 * (1 + Math.abs(fd)), "tangent entry " + i);
        }
    }

    @Test void rejectsTheBoundaryTimes() {
        TrigFlowNetwork net = new EdmAsTrigFlow(new MlpModel(MlpConfig.toy2d(), 1), SD, EPS);
        Batch x = new Batch(1, 2, new double[] {0.1, 0.2});
        assertThrows(IllegalArgumentException.class, () -> net.forward(x, new double[] {0.0}));
    }

    private static Batch shift(Batch x, Batch d, double h) {
        double[] o = x.data().clone();
        for (int i = 0; i < o.length; i++) o[i] += h * d.data()[i];
        return new Batch(x.n(), x.d(), o);
    }

    private static double[] shift(double[] t, double[] d, double h) {
        double[] o = t.clone();
        for (int i = 0; i < o.length; i++) o[i] += h * d[i];
        return o;
    }
}
