package scm.props.editing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import scm.ref.editing.Slerp;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/** Spherical interpolation: exact endpoints, constant norm on a sphere, geodesic angle. */
class SlerpTest {

    @Test
    void endpointsAreExact() {
        // alpha = 0: weights sin(psi)/sin(psi) = 1 and sin(0) = 0 exactly; alpha = 1 symmetrically.
        Batch z1 = Noise.gaussian(Noise.seeded(81), 4, 16, 1), z2 = Noise.gaussian(Noise.seeded(82), 4, 16, 1);
        assertEquals(z1, Slerp.between(z1, z2, 0));
        assertEquals(z2, Slerp.between(z1, z2, 1));
    }

    @Test
    void equalNormsStayOnTheSphereAndAnglesInterpolate() {
        // For |z1| = |z2| = r, z(alpha) has norm r and angle alpha psi to z1 (it is a great-circle arc). Error budget:
        // a few roundings of O(1) quantities per entry over d = 16 entries, ~1e-15 relative; acos near 0 or pi is
        // ill-conditioned (derivative 1/sin), so angles are compared only for psi in (0.3, pi - 0.3) where that
        // factor is <= 3.4. Tolerances 1e-12.
        Batch a = Noise.gaussian(Noise.seeded(83), 20, 16, 1), b = Noise.gaussian(Noise.seeded(84), 20, 16, 1);
        for (int i = 0; i < 20; i++) {
            double na = norm(a.row(i)), nb = norm(b.row(i));
            for (int j = 0; j < 16; j++) b.set(i, j, b.get(i, j) * na / nb);   // equal norms
        }
        for (double alpha : new double[] {0.1, 0.25, 0.5, 0.9}) {
            Batch z = Slerp.between(a, b, alpha);
            for (int i = 0; i < 20; i++) {
                double r = norm(a.row(i));
                assertEquals(r, norm(z.row(i)), 1e-12 * r);
                double psi = angle(a.row(i), b.row(i));
                if (psi > 0.3 && psi < Math.PI - 0.3) assertEquals(alpha * psi, angle(a.row(i), z.row(i)), 1e-12);
            }
        }
    }

    static double norm(double[] v) { double s = 0; for (double e : v) s += e * e; return Math.sqrt(s); }

    static double angle(double[] u, double[] v) {
        double s = 0;
        for (int j = 0; j < u.length; j++) s += u[j] * v[j];
        return Math.acos(s / (norm(u) * norm(v)));
    }
}
