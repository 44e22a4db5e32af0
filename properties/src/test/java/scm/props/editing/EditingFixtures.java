package scm.props.editing;

import scm.ref.consistency.ConsistencyFunction;
import scm.ref.consistency.EdmConsistencyFunction;
import scm.ref.consistency.EdmNetwork;
import scm.ref.oracle.GaussianOracle;
import scm.ref.tensor.Batch;

/** Consistency functions for the editing tests. */
final class EditingFixtures {
    private EditingFixtures() {}

    static final double SIGMA_D = 0.5;

    /** The exact consistency function of N(0, s^2 I) data, s = 0.3: f*(x, t) = x s/a_t [docs/math.md §4]. */
    static ConsistencyFunction gaussianConsistency(int dim) {
        return new ConsistencyFunction(new GaussianOracle(0.3, SIGMA_D).consistencyNetwork(dim), SIGMA_D);
    }

    /**
     * A deterministic nonlinear EDM network F = tanh(x_in) (1 + c_noise/1000) in CM's parameterization: not a
     * trained model, but the properties it is used for (pixels kept, bit-identity with the sampler) hold for
     * every f, so any deterministic nonlinear F exercises them.
     */
    static EdmConsistencyFunction toyEdm(int dim) {
        EdmNetwork net = new EdmNetwork() {
            @Override public int dim() { return dim; }

            @Override public Batch forward(Batch xIn, double[] cNoise) {
                double[] o = new double[xIn.data().length];
                for (int i = 0; i < xIn.n(); i++)
                    for (int j = 0; j < dim; j++) o[i * dim + j] = Math.tanh(xIn.get(i, j)) * (1 + cNoise[i] / 1000);
                return new Batch(xIn.n(), dim, o);
            }
        };
        return new EdmConsistencyFunction(net);
    }
}
