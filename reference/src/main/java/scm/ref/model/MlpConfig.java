package scm.ref.model;

import scm.ref.tensor.Check;

/**
 * Shape of an {@link MlpModel}.
 *
 * @param dim          D, the sample dimension (2 for 2-D toys, 64 for flattened 8x8 digits)
 * @param width        hidden width of the residual stream
 * @param depth        number of residual blocks
 * @param embDim       dimension of the time embedding and of the conditioning vector (even, >= 4)
 * @param embedding    positional (sCM's choice) or Fourier features of c_noise = t
 * @param fourierScale scale s of the Fourier embedding (ignored for positional)
 * @param dropout      dropout probability in every residual block, in [0, 1)
 */
public record MlpConfig(int dim, int width, int depth, int embDim, Embedding embedding, double fourierScale, double dropout) {

    public enum Embedding { POSITIONAL, FOURIER }

    public MlpConfig {
        Check.positive(dim, "dim");
        Check.positive(width, "width");
        Check.positive(depth, "depth");
        if (embDim < 4 || embDim % 2 != 0) throw new IllegalArgumentException("embDim must be even and >= 4, got " + embDim);
        if (embedding == null) throw new IllegalArgumentException("embedding kind is null");
        if (embedding == Embedding.FOURIER) Check.positive(fourierScale, "fourierScale");
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }

    /** The digits model: D = 64, width 256, 5 blocks, 64-dim positional embedding; about 0.5M parameters. */
    public static MlpConfig digits(double dropout) {
        return new MlpConfig(64, 256, 5, 64, Embedding.POSITIONAL, 0, dropout);
    }

    /** A small model for 2-D toy data. */
    public static MlpConfig toy2d() {
        return new MlpConfig(2, 128, 3, 32, Embedding.POSITIONAL, 0, 0);
    }
}
