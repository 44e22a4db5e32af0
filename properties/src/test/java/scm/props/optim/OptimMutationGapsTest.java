package scm.props.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import scm.ref.nn.Param;
import scm.ref.optim.Ema;
import scm.ref.optim.EmaSchedule;
import scm.ref.optim.GradClip;

/**
 * Pins the optim-package behaviour that mutation testing (PIT, issue 15 item 8) found unchecked: the global norm of
 * all-zero gradients (and clipping them), and the β the EMA returns per update.
 */
class OptimMutationGapsTest {

    static Param param(String name, double... v) {
        Param p = new Param(name, new int[] {v.length});
        System.arraycopy(v, 0, p.value, 0, v.length);
        return p;
    }

    @Test void allZeroGradientsHaveNormZeroAndClippingLeavesThem() {
        Param a = param("a", 1, 2), b = param("b", 3);
        assertEquals(0.0, GradClip.globalNorm(List.of(a, b)));
        assertEquals(0.0, GradClip.clipGlobalNorm(List.of(a, b), 1.0));
        assertEquals(0.0, a.grad[0]);
        // negative control: a non-zero gradient has its Euclidean norm
        b.grad[0] = 3;
        a.grad[1] = 4;
        assertEquals(5.0, GradClip.globalNorm(List.of(a, b)), 1e-15);
    }

    @Test void emaReturnsTheBetaItApplied() {
        Param p = param("w", 0.0);
        Ema ema = new Ema(List.of(p), new EmaSchedule.Power(0.05));
        double gamma = new EmaSchedule.Power(0.05).gamma();
        for (long k = 1; k <= 4; k++) {
            double before = ema.average("w")[0];
            p.value[0] = k;  // a new value each update
            double beta = ema.update();
            assertEquals(Math.pow(1 - 1.0 / k, gamma + 1), beta, 1e-15, "β_k of the power EMA");
            assertEquals(beta * before + (1 - beta) * k, ema.average("w")[0], 1e-12, "and it is the β that was applied");
        }
        Ema constant = new Ema(List.of(param("v", 1.0)), new EmaSchedule.Constant(0.9));
        assertEquals(0.9, constant.update(7));
        assertEquals(7, constant.updates());
    }
}
