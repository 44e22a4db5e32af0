package scm.ref.vectors;

/**
 * Tolerance classes of the golden vectors, one per kind of computation; every expected tensor carries one (the
 * manifest spells out its numbers per tensor). The argument for each number is in docs/porting.md ("Tolerances");
 * in short, with unit round-off u64 = 1.1e-16 and u32 = 6.0e-8, an error bound is (number of roundings along the
 * longest path) × (condition of the map) × u, and each class leaves about two orders of magnitude of headroom over
 * that bound, with an absolute floor for outputs that cancel to near zero (all data are O(1): |x0|, |z| ≲ 3).
 */
public enum ToleranceClass {
    /** Element-wise maps of inputs (a few roundings, libm sin/cos/tan/atan within 1-2 ulp, condition ≤ ~10). */
    ELEMENTWISE(new Tolerance(1e-14, 1e-12), new Tolerance(1e-6, 1e-5)),
    /** Network outputs F, w_φ and consistency outputs: ~10 layers, dot products of length ≤ 128, two norms. */
    NETWORK(new Tolerance(1e-12, 1e-10), new Tolerance(1e-5, 1e-4)),
    /**
     * Derivatives and losses built on them: JVP tangents, parameter gradients (sums over the batch), the sCM tangent
     * g, its normalization, adaptive-weighted losses; and sampler chains of several network evaluations.
     */
    DERIVATIVE(new Tolerance(1e-11, 1e-9), new Tolerance(1e-4, 1e-3)),
    /** Integer tensors (level indices): exact. */
    EXACT(Tolerance.EXACT, Tolerance.EXACT);

    private final Tolerance f64, f32;

    ToleranceClass(Tolerance f64, Tolerance f32) { this.f64 = f64; this.f32 = f32; }

    public Tolerance f64() { return f64; }

    public Tolerance f32() { return f32; }

    public Tolerance of(Precision p) { return p == Precision.F64 ? f64 : f32; }
}
