package scm.ref.editing;

import scm.ref.tensor.Batch;

/**
 * Spherical linear interpolation of noise vectors, row by row [CM App. D; docs/math.md §7]:
 * {@code z = sin((1-a) psi)/sin psi z1 + sin(a psi)/sin psi z2}, {@code psi = arccos(z1.z2 / (|z1| |z2|))}.
 * At a = 0 and a = 1 the weights are exactly (1, 0) and (0, 1) (sin psi / sin psi and sin 0 are exact), so the
 * endpoints are z1 and z2 bit for bit; for |z1| = |z2| = r every z has norm r. Parallel rows (psi = 0) fall back to
 * linear interpolation (the limit of the weights); antiparallel rows (psi = pi) have no unique great circle.
 */
public final class Slerp {
    private Slerp() {}

    public static Batch between(Batch z1, Batch z2, double alpha) {
        if (z1 == null) throw new IllegalArgumentException("first noise z1 is null");
        z1.requireFinite("first noise z1");
        z1.requireSameShape(z2, "second noise z2");
        z2.requireFinite("second noise z2");
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("interpolation weight alpha must be in [0, 1], got " + alpha);
        int n = z1.n(), d = z1.d();
        double[] o = new double[n * d];
        for (int i = 0; i < n; i++) {
            double dot = 0, a2 = 0, b2 = 0;
            for (int j = 0; j < d; j++) {
                double a = z1.get(i, j), b = z2.get(i, j);
                dot += a * b; a2 += a * a; b2 += b * b;
            }
            if (a2 == 0 || b2 == 0) throw new IllegalArgumentException("slerp of a zero vector in row " + i + ": the angle is undefined");
            double cos = Math.max(-1, Math.min(1, dot / Math.sqrt(a2 * b2)));
            double psi = Math.acos(cos), w1, w2;
            if (psi == 0) { w1 = 1 - alpha; w2 = alpha; }
            else {
                double s = Math.sin(psi);
                if (s == 0) throw new IllegalArgumentException("slerp of antiparallel vectors in row " + i + ": the great circle is not unique");
                w1 = Math.sin((1 - alpha) * psi) / s;
                w2 = Math.sin(alpha * psi) / s;
            }
            for (int j = 0; j < d; j++) o[i * d + j] = w1 * z1.get(i, j) + w2 * z2.get(i, j);
        }
        return new Batch(n, d, o);
    }
}
