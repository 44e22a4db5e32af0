package scm.ref.loss;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * Tangent normalization of sCM [sCM Sec. 4.2, Alg. 1; docs/math.md §11 L3, §12 row "‖g‖ in normalization"], per sample:
 * <ul>
 *   <li>{@link Kind#L2} (paper, default): g / (‖g‖₂ + c), ‖·‖₂ over all D coordinates; output norm ‖g‖/(‖g‖+c) &lt; 1.</li>
 *   <li>{@link Kind#RMS} (FastGen/xandergos {@code g_norm_spatial_invariance}): g / (‖g‖₂/√D + c).</li>
 *   <li>{@link Kind#CLIP} (paper's alternative, Fig. 5a): clip(df/dt, −1, 1) elementwise. Since g = cos t·df/dt,
 *       this returns cos t·clip(g / cos t, −1, 1) (with warm-up r &lt; 1 the clipped quantity is g/cos t, the
 *       warmed-up tangent). cos t &gt; 0 for every double t ≤ π/2, so there is no division by zero.</li>
 *   <li>{@link Kind#NONE}: g unchanged (the raw tangent; unstable in practice [sCM Fig. 5a]).</li>
 * </ul>
 * c = 0.1 in every sCM experiment [docs/math.md §11 L3].
 */
public record TangentNormalizer(Kind kind, double c) {
    public static final double DEFAULT_C = 0.1;

    public enum Kind { L2, RMS, CLIP, NONE }

    public TangentNormalizer {
        if (kind == null) throw new IllegalArgumentException("normalization kind is null");
        if (kind == Kind.L2 || kind == Kind.RMS) Check.positive(c, "normalization constant c");
    }

    /** The paper's choice: per-sample L2, c = 0.1. */
    public static TangentNormalizer paper() { return new TangentNormalizer(Kind.L2, DEFAULT_C); }

    /** Per-sample Euclidean norms ‖g_i‖₂. */
    public static double[] norms(Batch g) {
        int d = g.d();
        double[] a = g.data(), o = new double[g.n()];
        for (int i = 0; i < g.n(); i++) {
            double s = 0;
            for (int j = i * d; j < (i + 1) * d; j++) s += a[j] * a[j];
            o[i] = Math.sqrt(s);
        }
        return o;
    }

    /** The normalized tangent, per sample (t is needed only by CLIP). */
    public Batch apply(Batch g, double[] t) {
        if (g == null) throw new IllegalArgumentException("tangent g is null");
        g.requireFinite("tangent g");
        Check.times(t, g.n(), "t");
        int d = g.d();
        double[] a = g.data(), o = new double[a.length];
        double[] nrm = norms(g);
        for (int i = 0; i < g.n(); i++) {
            double cos = Math.cos(t[i]);
            double den = switch (kind) {
                case L2 -> nrm[i] + c;
                case RMS -> nrm[i] / Math.sqrt(d) + c;
                default -> 1.0;
            };
            for (int j = i * d; j < (i + 1) * d; j++)
                o[j] = kind == Kind.CLIP ? cos * Math.max(-1.0, Math.min(1.0, a[j] / cos)) : a[j] / den;
        }
        return new Batch(g.n(), d, o);
    }
}
