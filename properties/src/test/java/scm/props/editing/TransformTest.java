package scm.props.editing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import scm.ref.editing.ColorTransform;
import scm.ref.editing.LinearTransform;
import scm.ref.editing.OrthogonalBasis;
import scm.ref.editing.PatchTransform;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Noise;

/** The editing transforms: orthogonality, the paper's printed Q, and A^-1 A = I. */
class TransformTest {

    /**
     * |Q^T Q - I|_max. Householder QR is backward stable: Q is orthogonal to ~ m eps per entry (m <= 64 here, so
     * ~1.4e-14); tolerance 1e-13.
     */
    static double orthogonalityError(double[][] q) {
        int m = q.length;
        double worst = 0;
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++) {
                double s = 0;
                for (int i = 0; i < m; i++) s += q[i][a] * q[i][b];
                worst = Math.max(worst, Math.abs(s - (a == b ? 1 : 0)));
            }
        return worst;
    }

    @Test
    void colorizationMatrixReproducesThePaper() {
        // CM App. D prints Q truncated (not rounded) to 4 decimals: e.g. Q[1][0] = 0.878072 is printed 0.8780 and
        // Q[0][2] = 0.356359 as 0.3563 (numpy.linalg.qr on the same matrix gives 0.44711343545, -0.82042528238,
        // 0.35635927358 / 0.87807155105, 0.47852936299, -2.8e-17 / 0.17052837618, -0.31290894009, -0.93434900767).
        // So truncation toward 0 at the 4th decimal must reproduce every printed entry; our entries differ from numpy's
        // by roundoff (~1e-16), far from any truncation boundary (the nearest is 2.8e-17 from 0 for Q[1][2], which
        // truncates to 0 from either side).
        double[][] printed = {{0.4471, -0.8204, 0.3563}, {0.8780, 0.4785, 0}, {0.1705, -0.3129, -0.9343}};
        double[][] q = new ColorTransform(2, 2).basis();
        for (int i = 0; i < 3; i++)
            for (int k = 0; k < 3; k++)
                assertEquals(printed[i][k], (long) (q[i][k] * 1e4) / 1e4, 1e-12, "Q[" + i + "][" + k + "] = " + q[i][k]);
        assertTrue(orthogonalityError(q) < 1e-13);
        assertTrue(q[0][0] + q[1][0] + q[2][0] > 0, "first column sums to a positive number");
    }

    @Test
    void superResolutionBasisIsOrthogonalWithAveragingFirstColumn() {
        for (int p : new int[] {2, 3, 4, 8}) {
            double[][] q = new PatchTransform(1, 8 * 3, 8 * 3, p).basis();
            assertTrue(orthogonalityError(q) < 1e-13, "orthogonality, p = " + p);
            // First column is v/|v| for v = ones(p^2), i.e. 1/p in every entry, up to one rounding per entry.
            for (double[] row : q) assertEquals(1.0 / p, row[0], 1e-15, "first column, p = " + p);
        }
        // Generic direction: first column is v/|v|.
        double[] v = {3, -1, 2, 0.5, 7};
        double[][] q = OrthogonalBasis.withFirstColumn(v);
        double n = Math.sqrt(9 + 1 + 4 + 0.25 + 49);
        for (int i = 0; i < 5; i++) assertEquals(v[i] / n, q[i][0], 1e-15);
        assertTrue(orthogonalityError(q) < 1e-13);
    }

    @Test
    void inverseUndoesTheTransform() {
        // A^-1 A x = Q Q^T x per patch/pixel: each entry is a sum of m^2 <= 16 products of O(1) numbers, so the round
        // trip errs by ~ m^2 eps |x| <~ 1e-14 for |x| <~ 4; tolerance 1e-12.
        Batch x = Noise.gaussian(Noise.seeded(51), 3, 3 * 8 * 12, 1);
        for (LinearTransform a : new LinearTransform[] {new PatchTransform(3, 8, 12, 2), new PatchTransform(3, 8, 12, 4),
                new ColorTransform(8, 12)}) {
            Batch back = a.inverse(a.apply(x)), fwd = a.apply(a.inverse(x));
            for (int j = 0; j < x.data().length; j++) {
                assertEquals(x.data()[j], back.data()[j], 1e-12, a.getClass().getSimpleName());
                assertEquals(x.data()[j], fwd.data()[j], 1e-12, a.getClass().getSimpleName());
            }
        }
        LinearTransform id = LinearTransform.identity(x.d());
        assertEquals(x, id.inverse(id.apply(x)));   // bitwise
    }

    @Test
    void firstPatchCoefficientIsScaledAverage() {
        // Coefficient 0 of a patch is (1/p) sum x = p * average: averaging is what the kept coefficient fixes.
        PatchTransform a = new PatchTransform(2, 4, 6, 2);
        Batch x = Noise.gaussian(Noise.seeded(52), 2, a.dim(), 1);
        Batch c = a.apply(x), pooled = a.averagePool(x);
        for (int n = 0; n < 2; n++)
            for (int ch = 0; ch < 2; ch++)
                for (int i = 0; i < 2; i++)
                    for (int j = 0; j < 3; j++)
                        assertEquals(2 * pooled.get(n, (ch * 2 + i) * 3 + j), c.get(n, (ch * 4 + 2 * i) * 6 + 2 * j), 1e-14);
    }

    @Test
    void imageNotDivisibleByPatchSizeIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PatchTransform(1, 8, 6, 4));
        assertTrue(e.getMessage().contains("not divisible"), e.getMessage());
    }
}
