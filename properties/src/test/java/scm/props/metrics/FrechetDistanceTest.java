package scm.props.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

import scm.ref.metrics.FrechetDistance;
import scm.ref.metrics.GaussianFit;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/**
 * FD = |mu1 - mu2|^2 + tr(S1 + S2 - 2 (S1^1/2 S2 S1^1/2)^1/2) against closed forms.
 *
 * <p><b>Roundoff budget</b> (used by every tolerance below). With d x d covariances of norm ||S|| and smallest
 * eigenvalue lambda_min = ||S||/kappa: the symmetric eigensolver is backward stable (error ~ c d eps ||S||), so
 * S1^1/2 and M = S1^1/2 S2 S1^1/2 carry absolute errors ~ c d eps ||S|| and ||dM|| ~ c d eps ||S||^2. By Weyl's
 * theorem each eigenvalue l of M moves by at most ||dM||, so sqrt(l) moves by <= ||dM|| / (2 sqrt l) with
 * l >= lambda_min^2, i.e. by <= c d eps kappa ||S|| / 2; summed over d eigenvalues the trace term errs by
 * ~ c d^2 eps kappa ||S||. For d <= 8, kappa <= 20 and ||S|| <= 4 that is ~ 64 * 2.2e-16 * 20 * 4 ~ 1e-12 (c ~ 1):
 * tolerances are 1e-10, 100x above, yet 1e8x below any O(1) error in the formula.
 */
class FrechetDistanceTest {
    static final double TOL = 1e-10;

    /** A random diagonal Gaussian: means in [-1, 1), variances in [0.2, 4) (kappa <= 20). */
    static double[] randomVariances(RandomGenerator r, int d) {
        double[] v = new double[d];
        for (int j = 0; j < d; j++) v[j] = 0.2 + 3.8 * r.nextDouble();
        return v;
    }

    static double[] randomMean(RandomGenerator r, int d) {
        double[] m = new double[d];
        for (int j = 0; j < d; j++) m[j] = -1 + 2 * r.nextDouble();
        return m;
    }

    static double[][] diag(double[] v) {
        double[][] s = new double[v.length][v.length];
        for (int j = 0; j < v.length; j++) s[j][j] = v[j];
        return s;
    }

    /** A random orthogonal matrix from Gram-Schmidt on a Gaussian matrix. */
    static double[][] randomOrthogonal(RandomGenerator r, int d) {
        double[][] q = new double[d][d];
        for (int k = 0; k < d; k++) {
            double[] v = new double[d];
            for (int j = 0; j < d; j++) v[j] = r.nextGaussian();
            for (int pass = 0; pass < 2; pass++)
                for (int l = 0; l < k; l++) {
                    double dot = 0;
                    for (int j = 0; j < d; j++) dot += v[j] * q[l][j];
                    for (int j = 0; j < d; j++) v[j] -= dot * q[l][j];
                }
            double n = 0;
            for (double e : v) n += e * e;
            n = Math.sqrt(n);
            for (int j = 0; j < d; j++) q[k][j] = v[j] / n;
        }
        return q;   // rows orthonormal
    }

    /** R S R^T, exactly symmetrized. */
    static double[][] conjugate(double[][] r, double[][] s) {
        int d = s.length;
        double[][] o = new double[d][d];
        for (int i = 0; i < d; i++)
            for (int j = i; j < d; j++) {
                double v = 0;
                for (int a = 0; a < d; a++)
                    for (int b = 0; b < d; b++) v += r[i][a] * s[a][b] * r[j][b];
                o[i][j] = o[j][i] = v;
            }
        return o;
    }

    static double[] rotate(double[][] r, double[] x) {
        double[] o = new double[x.length];
        for (int i = 0; i < x.length; i++)
            for (int j = 0; j < x.length; j++) o[i] += r[i][j] * x[j];
        return o;
    }

    static Batch rotateRows(double[][] r, Batch x) {
        double[][] rows = new double[x.n()][];
        for (int i = 0; i < x.n(); i++) rows[i] = rotate(r, x.row(i));
        return Batch.of(rows);
    }

    /** Closed form for commuting (here: diagonal) covariances: sum (sqrt a - sqrt b)^2 + |mu1 - mu2|^2. */
    static double closedForm(double[] m1, double[] a, double[] m2, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            double e = Math.sqrt(a[j]) - Math.sqrt(b[j]), dm = m1[j] - m2[j];
            s += e * e + dm * dm;
        }
        return s;
    }

    @Test
    void identicalSetsHaveZeroDistance() {
        // FD(x, x): both fits are bit-identical, so the mean term is exactly 0 and the trace term is
        // tr(2S) - 2 tr((S^1/2 S S^1/2)^1/2) = tr(2S) - 2 tr(S) = 0 up to the roundoff budget of the class comment.
        // n = 400 >> d = 6 keeps the sample covariance well conditioned (kappa of N(0, diag(v)) fits ~ v_max/v_min <= 20).
        RandomGenerator r = Noise.seeded(1);
        for (int trial = 0; trial < 5; trial++) {
            int d = 6;
            double[] v = randomVariances(r, d);
            Batch x = Noise.gaussian(r, 400, d, 1.0);
            for (int i = 0; i < x.n(); i++) for (int j = 0; j < d; j++) x.set(i, j, x.get(i, j) * Math.sqrt(v[j]) + 0.3 * j);
            double fd = FrechetDistance.between(x, x.copy());
            assertEquals(0.0, fd, TOL, "FD of a set with itself");
        }
    }

    @Test
    void diagonalGaussiansMatchClosedForm() {
        // For diagonal S1 = diag(a), S2 = diag(b): S1^1/2 S2 S1^1/2 = diag(a b), its root diag(sqrt(a b)), so
        // FD = |mu1-mu2|^2 + sum (a + b - 2 sqrt(a b)) = |mu1-mu2|^2 + sum (sqrt a - sqrt b)^2.
        RandomGenerator r = Noise.seeded(2);
        for (int trial = 0; trial < 50; trial++) {
            int d = 1 + r.nextInt(8);
            double[] m1 = randomMean(r, d), m2 = randomMean(r, d), a = randomVariances(r, d), b = randomVariances(r, d);
            double fd = FrechetDistance.between(new GaussianFit(m1, diag(a)), new GaussianFit(m2, diag(b)));
            assertEquals(closedForm(m1, a, m2, b), fd, TOL, "FD of diagonal Gaussians, d = " + d);
        }
    }

    @Test
    void nonCommuting2x2MatchesClosedForm() {
        // For 2x2 SPD M with eigenvalues l1, l2: (sqrt l1 + sqrt l2)^2 = tr M + 2 sqrt(det M), and for
        // M = S1^1/2 S2 S1^1/2: tr M = tr(S1 S2), det M = det S1 det S2. So tr M^1/2 = sqrt(tr(S1 S2) + 2 sqrt(det S1 det S2)),
        // valid even when S1 and S2 do not commute (the generic case drawn here).
        RandomGenerator r = Noise.seeded(3);
        for (int trial = 0; trial < 50; trial++) {
            double[][] s1 = conjugate(randomOrthogonal(r, 2), diag(randomVariances(r, 2)));
            double[][] s2 = conjugate(randomOrthogonal(r, 2), diag(randomVariances(r, 2)));
            double tr12 = s1[0][0] * s2[0][0] + s1[0][1] * s2[1][0] + s1[1][0] * s2[0][1] + s1[1][1] * s2[1][1];
            double det1 = s1[0][0] * s1[1][1] - s1[0][1] * s1[1][0], det2 = s2[0][0] * s2[1][1] - s2[0][1] * s2[1][0];
            double expected = s1[0][0] + s1[1][1] + s2[0][0] + s2[1][1] - 2 * Math.sqrt(tr12 + 2 * Math.sqrt(det1 * det2));
            double fd = FrechetDistance.between(new GaussianFit(new double[2], s1), new GaussianFit(new double[2], s2));
            assertEquals(expected, fd, TOL, "FD of non-commuting 2x2 covariances");
        }
    }

    @Test
    void symmetricInItsArguments() {
        // tr (S1^1/2 S2 S1^1/2)^1/2 = tr (S2^1/2 S1 S2^1/2)^1/2 (both = sum of sqrt of eig(S1 S2)), but the code
        // computes the two orders through different matrices, so this checks the implementation, not algebra.
        RandomGenerator r = Noise.seeded(4);
        for (int trial = 0; trial < 30; trial++) {
            int d = 2 + r.nextInt(7);
            GaussianFit a = new GaussianFit(randomMean(r, d), conjugate(randomOrthogonal(r, d), diag(randomVariances(r, d))));
            GaussianFit b = new GaussianFit(randomMean(r, d), conjugate(randomOrthogonal(r, d), diag(randomVariances(r, d))));
            assertEquals(FrechetDistance.between(a, b), FrechetDistance.between(b, a), TOL, "FD symmetry, d = " + d);
        }
    }

    @Test
    void invariantUnderOrthogonalTransforms() {
        // Rotating both sets by R maps mu -> R mu and S -> R S R^T; |R dmu| = |dmu|, traces and the spectrum of
        // (R S1 R^T)^1/2 R S2 R^T (R S1 R^T)^1/2 = R M R^T are unchanged. Checked on samples (the fit of rotated
        // rows is R S R^T up to roundoff) and against the exact diagonal closed form after rotation.
        RandomGenerator r = Noise.seeded(5);
        for (int trial = 0; trial < 10; trial++) {
            int d = 2 + r.nextInt(5);
            double[][] q = randomOrthogonal(r, d);
            Batch x = Noise.gaussian(r, 200, d, 1.0), y = Noise.gaussian(r, 150, d, 1.3);
            for (int i = 0; i < y.n(); i++) y.set(i, 0, y.get(i, 0) + 0.7);
            assertEquals(FrechetDistance.between(x, y), FrechetDistance.between(rotateRows(q, x), rotateRows(q, y)), TOL,
                    "FD of rotated samples, d = " + d);
            double[] m1 = randomMean(r, d), m2 = randomMean(r, d), a = randomVariances(r, d), b = randomVariances(r, d);
            double fd = FrechetDistance.between(new GaussianFit(rotate(q, m1), conjugate(q, diag(a))),
                    new GaussianFit(rotate(q, m2), conjugate(q, diag(b))));
            assertEquals(closedForm(m1, a, m2, b), fd, TOL, "FD of rotated diagonal Gaussians, d = " + d);
        }
    }
}
