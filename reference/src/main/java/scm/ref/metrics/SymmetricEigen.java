package scm.ref.metrics;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Functions of symmetric positive semi-definite matrices through EJML's symmetric eigendecomposition
 * (DecompositionFactory_DDRM.eig(n, needVectors, true): tridiagonalization + implicit QR, real eigenvalues,
 * orthonormal eigenvectors). Eigenvalues below 0 are roundoff of a PSD matrix and are clipped to 0 before sqrt.
 */
final class SymmetricEigen {
    private SymmetricEigen() {}

    /** Eigenvalues of symmetric a (any order). */
    static double[] eigenvalues(double[][] a) {
        int d = a.length;
        EigenDecomposition_F64<DMatrixRMaj> eig = decompose(a, false);
        double[] l = new double[d];
        for (int i = 0; i < d; i++) l[i] = eig.getEigenvalue(i).getReal();
        return l;
    }

    /** The PSD square root V diag(sqrt(max(l, 0))) V^T of symmetric a; exactly symmetric (mirrored). */
    static double[][] sqrtPsd(double[][] a) {
        int d = a.length;
        EigenDecomposition_F64<DMatrixRMaj> eig = decompose(a, true);
        double[][] r = new double[d][d];
        for (int k = 0; k < d; k++) {
            double s = Math.sqrt(Math.max(0.0, eig.getEigenvalue(k).getReal()));
            if (s == 0) continue;
            DMatrixRMaj v = eig.getEigenVector(k);
            for (int i = 0; i < d; i++) {
                double vi = s * v.get(i, 0);
                for (int j = i; j < d; j++) r[i][j] += vi * v.get(j, 0);
            }
        }
        for (int i = 0; i < d; i++)
            for (int j = 0; j < i; j++) r[i][j] = r[j][i];
        return r;
    }

    private static EigenDecomposition_F64<DMatrixRMaj> decompose(double[][] a, boolean vectors) {
        int d = a.length;
        DMatrixRMaj m = new DMatrixRMaj(a);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, vectors, true);
        if (!eig.decompose(m))
            throw new IllegalArgumentException("symmetric eigendecomposition of a " + d + "x" + d + " matrix did not converge");
        return eig;
    }
}
