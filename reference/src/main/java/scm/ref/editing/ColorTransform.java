package scm.ref.editing;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * The colorization transform of CM App. D [docs/math.md §7] for 3-channel images (rows flattened C, H, W): per pixel,
 * {@code (A x)[k] = sum_l x[l] Q[l][k]}, i.e. A x = Q^T x on the pixel's RGB vector, with Q the 3 x 3 orthogonal
 * matrix whose first column is (0.2989, 0.5870, 0.1140)/|.| ({@link OrthogonalBasis}); the paper prints
 * Q = [[0.4471, -0.8204, 0.3563], [0.8780, 0.4785, 0], [0.1705, -0.3129, -0.9343]]. Channel 0 of A x is the
 * normalized luma, kept from the grayscale reference; channels 1 and 2 are generated ({@link #mask()}).
 */
public final class ColorTransform implements LinearTransform {
    /** ITU-R BT.601 luma weights used by the paper (they sum to 0.9999, not 1). */
    public static final double[] LUMA = {0.2989, 0.5870, 0.1140};
    private static final double LUMA_SUM = LUMA[0] + LUMA[1] + LUMA[2];

    private final int height, width;
    private final double[][] q = OrthogonalBasis.withFirstColumn(LUMA);

    public ColorTransform(int height, int width) {
        this.height = Check.positive(height, "image height");
        this.width = Check.positive(width, "image width");
    }

    @Override public int dim() { return 3 * height * width; }

    /** A copy of the 3 x 3 matrix Q. */
    public double[][] basis() { return new double[][] {q[0].clone(), q[1].clone(), q[2].clone()}; }

    /** Omega for colorization: channel 0 of A x kept, channels 1 and 2 generated. */
    public Mask mask() {
        boolean[] g = new boolean[dim()];
        java.util.Arrays.fill(g, height * width, dim(), true);
        return new Mask(g);
    }

    /**
     * The reference y: a 1-channel H x W batch g replicated to 3 channels and divided by the luma weights' sum,
     * y = (g, g, g)/0.9999, so that the kept coefficient makes the result's luma LUMA . rgb exactly g. Replicating g
     * alone would keep 0.9999 g (docs/editing.md, "Colorization luma").
     */
    public Batch grayToRgb(Batch gray) {
        int hw = height * width;
        LinearTransform.requireInput(gray, hw, "grayscale batch");
        double[] g = gray.data(), o = new double[gray.n() * 3 * hw];
        for (int n = 0; n < gray.n(); n++)
            for (int c = 0; c < 3; c++)
                for (int px = 0; px < hw; px++) o[(3 * n + c) * hw + px] = g[n * hw + px] / LUMA_SUM;
        return new Batch(gray.n(), 3 * hw, o);
    }

    @Override public Batch apply(Batch x) { return map(x, true, "transform input"); }

    @Override public Batch inverse(Batch c) { return map(c, false, "inverse-transform input"); }

    private Batch map(Batch x, boolean forward, String what) {
        LinearTransform.requireInput(x, dim(), what);
        int hw = height * width;
        double[] a = x.data(), o = new double[a.length];
        for (int n = 0; n < x.n(); n++) {
            int base = n * 3 * hw;
            for (int px = 0; px < hw; px++)
                for (int k = 0; k < 3; k++) {
                    double s = 0;
                    for (int l = 0; l < 3; l++) s += (forward ? q[l][k] : q[k][l]) * a[base + l * hw + px];
                    o[base + k * hw + px] = s;
                }
        }
        return new Batch(x.n(), dim(), o);
    }
}
