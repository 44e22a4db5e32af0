package scm.props.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scm.props.Props;
import scm.ref.nn.Param;
import scm.ref.optim.GradClip;

class GradClipProperties {

    @Test
    void clipsToMaxNormAndReturnsThePreClipNorm() {
        Props.check(300,
                Props.seeds(), Props.doubles(-3, 3), Props.doubles(-6, 6),
                this::clipsToMaxNormAndReturnsThePreClipNorm);
    }

    void clipsToMaxNormAndReturnsThePreClipNorm(long seed, double log10MaxNorm, double log10Scale) {
        SplittableRandom r = new SplittableRandom(seed);
        Param a = new Param("a", 3, 4), b = new Param("b", 5);
        double scale = Math.pow(10, log10Scale), maxNorm = Math.pow(10, log10MaxNorm), sum = 0;
        for (Param p : List.of(a, b)) for (int i = 0; i < p.grad.length; i++) { p.grad[i] = scale * r.nextGaussian(); sum += p.grad[i] * p.grad[i]; }
        double[] ga = a.grad.clone(), gb = b.grad.clone();
        double norm = GradClip.clipGlobalNorm(List.of(a, b), maxNorm);
        assertEquals(Math.sqrt(sum), norm, 1e-13 * norm, "pre-clip norm (17 squares summed: ~1e-15 relative)");
        double coef = Math.min(1, maxNorm / (norm + 1e-6));
        if (coef == 1) {
            assertArrayEquals(ga, a.grad);
            assertArrayEquals(gb, b.grad);
        } else {
            // torch: the post-clip norm is maxNorm·N/(N + 1e-6), within 1e-6/N of maxNorm.
            assertEquals(maxNorm * norm / (norm + 1e-6), GradClip.globalNorm(List.of(a, b)), 1e-12 * maxNorm);
            for (int i = 0; i < ga.length; i++) assertEquals(ga[i] * coef, a.grad[i], 0.0, "direction kept, same coefficient");
        }
    }

    @Test
    void normSurvivesHugeAndTinyGradientsAndRejectsNaN() {
        Param p = new Param("p", 2);
        p.grad[0] = 3e200; p.grad[1] = 4e200;  // the naive sum of squares overflows
        assertEquals(5e200, GradClip.globalNorm(List.of(p)), 1e186);
        p.grad[0] = 3e-200; p.grad[1] = 4e-200;  // ... or underflows
        assertEquals(5e-200, GradClip.globalNorm(List.of(p)), 1e-214);
        p.grad[1] = Double.NaN;
        assertThrows(IllegalArgumentException.class, () -> GradClip.clipGlobalNorm(List.of(p), 1.0));
    }
}
