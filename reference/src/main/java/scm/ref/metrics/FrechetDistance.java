package scm.ref.metrics;

import scm.ref.tensor.Batch;

/**
 * Frechet distance between Gaussian fits of two feature sets (the FID formula of Heusel et al. 2017, Eq. 6;
 * Dowson and Landau 1982 for the Gaussian W2^2 closed form):
 * <pre>
 *   FD = |mu1 - mu2|^2 + tr(S1 + S2 - 2 (S1^1/2 S2 S1^1/2)^1/2)
 * </pre>
 * tr (S1 S2)^1/2 is computed as sum_k sqrt(l_k) over the eigenvalues l_k of the symmetric PSD matrix
 * M = S1^1/2 S2 S1^1/2 (M is similar to S1 S2, so the traces of their square roots agree); only symmetric
 * eigendecompositions are used [build-facts, Metrics]. M is symmetrized (M + M^T)/2 before its eigendecomposition
 * to remove the O(eps) asymmetry of the floating-point product.
 *
 * <p>FD compares only first and second moments: two laws with equal mean and covariance have FD 0 however
 * different they are (see docs/metrics.md and {@link Kid}).
 */
public final class FrechetDistance {
    private FrechetDistance() {}

    /** FD between the Gaussian fits of x and y (each needs >= 2 rows; equal dimensions). */
    public static double between(Batch x, Batch y) {
        Samples.requirePair(x, y, 2, "Frechet distance");
        return between(GaussianFit.of(x), GaussianFit.of(y));
    }

    /** FD between two Gaussians N(mu1, S1), N(mu2, S2) given by their moments. */
    public static double between(GaussianFit a, GaussianFit b) {
        if (a == null || b == null) throw new IllegalArgumentException("Gaussian fit is null");
        int d = a.dim();
        if (b.dim() != d)
            throw new IllegalArgumentException("dimension mismatch: Gaussian fits have dimensions " + d + " and " + b.dim());
        double meanTerm = 0;
        for (int j = 0; j < d; j++) {
            double e = a.mean()[j] - b.mean()[j];
            meanTerm += e * e;
        }
        double[][] s1 = a.covariance(), s2 = b.covariance();
        double trace = 0;
        for (int j = 0; j < d; j++) trace += s1[j][j] + s2[j][j];
        double[][] r = SymmetricEigen.sqrtPsd(s1);
        double[][] m = symmetrize(multiply(multiply(r, s2), r));
        double trSqrt = 0;
        for (double l : SymmetricEigen.eigenvalues(m)) trSqrt += Math.sqrt(Math.max(0.0, l));
        return meanTerm + trace - 2 * trSqrt;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int d = a.length;
        double[][] c = new double[d][d];
        for (int i = 0; i < d; i++)
            for (int k = 0; k < d; k++) {
                double aik = a[i][k];
                if (aik == 0) continue;
                for (int j = 0; j < d; j++) c[i][j] += aik * b[k][j];
            }
        return c;
    }

    private static double[][] symmetrize(double[][] m) {
        int d = m.length;
        for (int i = 0; i < d; i++)
            for (int j = 0; j < i; j++) m[i][j] = m[j][i] = 0.5 * (m[i][j] + m[j][i]);
        return m;
    }
}
