package scm.props.editing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import scm.ref.consistency.ConsistencyFunction;
import scm.ref.editing.Mask;
import scm.ref.editing.TrigFlowZeroShotEditor;
import scm.ref.oracle.GaussianOracle;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/**
 * Issue 15: the editing loops did not clamp to [-1, 1] while openai/consistency_models does
 * ({@code x0 = th.clamp(distiller(x, t), -1, 1)} before the replacement). With {@code clamp} each denoised estimate is
 * clipped before the projection; without it (Algorithm 4 as printed) nothing changes.
 */
class EditingClampTest {
    static final int D = 16;
    // data std 2: the exact consistency function returns values well outside [-1, 1]
    static final ConsistencyFunction WIDE = new ConsistencyFunction(new GaussianOracle(2.0, EditingFixtures.SIGMA_D).consistencyNetwork(D),
            EditingFixtures.SIGMA_D);

    static Mask rightHalf() {
        boolean[] g = new boolean[D];
        for (int j = D / 2; j < D; j++) g[j] = true;
        return new Mask(g);
    }

    @Test void clampClipsEachEstimateBeforeTheProjection() {
        Batch y = Noise.gaussian(Noise.seeded(3), 4, D, 0.3);   // kept pixels inside [-1, 1]
        double[] one = {1.2};
        Batch plain = new TrigFlowZeroShotEditor(WIDE).inpaint(y, rightHalf(), one, Noise.seeded(9));
        Batch clamped = new TrigFlowZeroShotEditor(WIDE, true).inpaint(y, rightHalf(), one, Noise.seeded(9));
        boolean outside = false;
        for (int i = 0; i < y.n(); i++)
            for (int j = 0; j < D; j++) {
                if (j < D / 2) {
                    assertEquals(y.get(i, j), clamped.get(i, j), 0.0, "kept pixels are y");
                    assertEquals(y.get(i, j), plain.get(i, j), 0.0);
                } else {
                    outside |= Math.abs(plain.get(i, j)) > 1;
                    // one step: clamp, then the projection keeps generated pixels of the estimate (A = I)
                    assertEquals(Math.max(-1, Math.min(1, plain.get(i, j))), clamped.get(i, j), 0.0);
                }
            }
        assertTrue(outside, "negative control: without the clamp some generated pixel leaves [-1, 1]");
    }

    @Test void edmEditorClampsToo() {
        Batch y = Noise.gaussian(Noise.seeded(6), 4, D, 0.3);
        double[] sigmas = {3.0, 1.0};
        // F = 4 x_in: c_skip x + c_out 4 c_in x overshoots the data range for noisy x
        scm.ref.consistency.EdmNetwork net = new scm.ref.consistency.EdmNetwork() {
            @Override public int dim() { return D; }
            @Override public Batch forward(Batch xIn, double[] cNoise) {
                double[] o = xIn.data().clone();
                for (int i = 0; i < o.length; i++) o[i] *= 4;
                return new Batch(xIn.n(), D, o);
            }
        };
        var f = new scm.ref.consistency.EdmConsistencyFunction(net);
        Batch plain = new scm.ref.editing.EdmZeroShotEditor(f).inpaint(y, rightHalf(), sigmas, Noise.seeded(8));
        Batch clamped = new scm.ref.editing.EdmZeroShotEditor(f, true).inpaint(y, rightHalf(), sigmas, Noise.seeded(8));
        boolean outside = false;
        for (double v : plain.data()) outside |= Math.abs(v) > 1;
        assertTrue(outside, "negative control: the unclamped EDM edit leaves [-1, 1]");
        for (double v : clamped.data()) assertTrue(v >= -1 && v <= 1, "value " + v);
    }

    @Test void multistepEditsStayInRange() {
        Batch y = Noise.gaussian(Noise.seeded(4), 4, D, 0.3);
        Batch out = new TrigFlowZeroShotEditor(WIDE, true).inpaint(y, rightHalf(), new double[] {1.2, 0.9, 0.6, 0.3}, Noise.seeded(5));
        for (double v : out.data()) assertTrue(v >= -1 && v <= 1, "value " + v);
    }
}
