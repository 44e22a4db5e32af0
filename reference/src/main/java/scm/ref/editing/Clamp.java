package scm.ref.editing;

import scm.ref.tensor.Batch;

/** Clipping of denoised estimates to the data range [-1, 1] (images scaled as in CM), as openai/consistency_models' editors do. */
final class Clamp {
    private Clamp() {}

    static Batch unit(Batch x) {
        double[] a = x.data(), o = new double[a.length];
        for (int i = 0; i < a.length; i++) o[i] = Math.max(-1.0, Math.min(1.0, a[i]));
        return new Batch(x.n(), x.d(), o);
    }
}
