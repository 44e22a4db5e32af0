package scm.props.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import scm.ref.nn.Param;
import scm.ref.train.GradNorm;

/** Global gradient norm and clipping on a hand-computable example. */
class GradNormTest {

    @Test
    void globalNormAndClip() {
        Param a = new Param("a", 2), b = new Param("b", 1);
        a.grad[0] = 3; a.grad[1] = 4; b.grad[0] = 12;                // norm sqrt(9 + 16 + 144) = 13 exactly
        List<Param> ps = List.of(a, b);
        assertEquals(13.0, GradNorm.global(ps), 0.0);
        assertEquals(1.0, GradNorm.clip(ps, 13.0, 13.0), 0.0, "at the limit nothing is scaled");
        double f = GradNorm.clip(ps, 13.0, 6.5);
        assertEquals(0.5, f, 0.0);
        assertArrayEquals(new double[] {1.5, 2.0}, a.grad, 0.0);     // power-of-two scaling is exact
        assertEquals(6.0, b.grad[0], 0.0);
        assertEquals(6.5, GradNorm.global(ps), 0.0);
        b.grad[0] = Double.NaN;
        assertTrue(Double.isNaN(GradNorm.global(ps)), "NaN must propagate so the divergence guard sees it");
    }
}
