package scm.ref.editing;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * The super-resolution transform of CM App. D [docs/math.md §7]: every non-overlapping p x p patch of every channel
 * (rows flattened C, H, W) is read as a p^2-vector x_P (row-major within the patch) and mapped to Q^T x_P,
 * where Q is p^2 x p^2 orthogonal with first column (1/p, ..., 1/p) ({@link OrthogonalBasis}). Coefficient k of a
 * patch is stored at the patch's k-th pixel. Coefficient 0 is (1/p) sum x_P = p * (patch average), so keeping it
 * (Omega = 0) and generating the rest (Omega = 1, {@link #mask()}) fixes exactly the p x p average pooling.
 */
public final class PatchTransform implements LinearTransform {
    private final int channels, height, width, p;
    private final double[][] q;

    public PatchTransform(int channels, int height, int width, int p) {
        this.channels = Check.positive(channels, "channels");
        this.height = Check.positive(height, "image height");
        this.width = Check.positive(width, "image width");
        this.p = Check.positive(p, "patch size p");
        if (height % p != 0 || width % p != 0)
            throw new IllegalArgumentException("image dimensions " + height + "x" + width + " are not divisible by the patch size p = " + p);
        double[] ones = new double[p * p];
        java.util.Arrays.fill(ones, 1.0);
        this.q = OrthogonalBasis.withFirstColumn(ones);
    }

    @Override public int dim() { return channels * height * width; }

    public int patchSize() { return p; }

    /** A copy of Q (p^2 x p^2, first column 1/p). */
    public double[][] basis() {
        double[][] c = new double[q.length][];
        for (int i = 0; i < c.length; i++) c[i] = q[i].clone();
        return c;
    }

    /** Omega for super-resolution: generate every coefficient except each patch's first (its scaled mean). */
    public Mask mask() {
        boolean[] g = new boolean[dim()];
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < height; i++)
                for (int j = 0; j < width; j++) g[index(c, i, j)] = (i % p) != 0 || (j % p) != 0;
        return new Mask(g);
    }

    @Override public Batch apply(Batch x) { return map(x, true, "transform input"); }

    @Override public Batch inverse(Batch c) { return map(c, false, "inverse-transform input"); }

    /** p x p average pooling to C x (H/p) x (W/p), rows flattened C, H, W. */
    public Batch averagePool(Batch x) {
        LinearTransform.requireInput(x, dim(), "image batch");
        int h = height / p, w = width / p, dl = channels * h * w;
        double[] o = new double[x.n() * dl];
        for (int n = 0; n < x.n(); n++)
            for (int c = 0; c < channels; c++)
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < w; j++) {
                        double s = 0;
                        for (int a = 0; a < p; a++)
                            for (int b = 0; b < p; b++) s += x.get(n, index(c, i * p + a, j * p + b));
                        o[n * dl + (c * h + i) * w + j] = s / (p * p);
                    }
        return new Batch(x.n(), dl, o);
    }

    /** Nearest-neighbour upsampling of C x (H/p) x (W/p) images to C x H x W: the reference y for super-resolution. */
    public Batch upsample(Batch low) {
        int h = height / p, w = width / p, dl = channels * h * w;
        LinearTransform.requireInput(low, dl, "low-resolution batch");
        double[] o = new double[low.n() * dim()];
        for (int n = 0; n < low.n(); n++)
            for (int c = 0; c < channels; c++)
                for (int i = 0; i < height; i++)
                    for (int j = 0; j < width; j++)
                        o[n * dim() + index(c, i, j)] = low.get(n, (c * h + i / p) * w + j / p);
        return new Batch(low.n(), dim(), o);
    }

    private int index(int c, int i, int j) { return (c * height + i) * width + j; }

    /** forward: coefficient k = sum_l Q[l][k] x_l (Q^T x); inverse: x_l = sum_k Q[l][k] c_k (Q c). */
    private Batch map(Batch x, boolean forward, String what) {
        LinearTransform.requireInput(x, dim(), what);
        int pp = p * p;
        int[] idx = new int[pp];
        double[] in = new double[pp];
        double[] o = new double[x.data().length];
        for (int n = 0; n < x.n(); n++)
            for (int c = 0; c < channels; c++)
                for (int pi = 0; pi < height; pi += p)
                    for (int pj = 0; pj < width; pj += p) {
                        for (int k = 0; k < pp; k++) {
                            idx[k] = index(c, pi + k / p, pj + k % p);
                            in[k] = x.get(n, idx[k]);
                        }
                        for (int k = 0; k < pp; k++) {
                            double s = 0;
                            for (int l = 0; l < pp; l++) s += (forward ? q[l][k] : q[k][l]) * in[l];
                            o[n * dim() + idx[k]] = s;
                        }
                    }
        return new Batch(x.n(), dim(), o);
    }
}
