package scm.props.oracle;

import scm.ref.tensor.Batch;

/** Small batch helpers shared by the mixture-oracle tests. */
final class MixtureOracleTestSupport {
    private MixtureOracleTestSupport() {}

    static Batch scaled(Batch b, double f) {
        Batch out = b.copy();
        for (int i = 0; i < out.data().length; i++) out.data()[i] *= f;
        return out;
    }

    static double[] fill(double t, int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, t);
        return a;
    }
}
