package scm.ref.vectors;

import scm.ref.io.DType;

/** Which precision a port claims: its tolerances are those of the manifest's "f64" or "f32" column. */
public enum Precision {
    F64, F32;

    /** The manifest key ("f64" / "f32"). */
    public String key() { return name().toLowerCase(java.util.Locale.ROOT); }

    public static Precision parse(String s) {
        if (s == null) throw new IllegalArgumentException("precision is null (use f64 or f32)");
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "f64", "float64" -> F64;
            case "f32", "float32" -> F32;
            default -> throw new IllegalArgumentException("precision must be f64 or f32, got '" + s + "'");
        };
    }

    /**
     * The precision a candidate file implies: F64 when every floating-point tensor is F64, F32 when any is F32, F16 or
     * BF16 (the loosest column applies; there is no separate half-precision column). Integer tensors do not count.
     */
    public static Precision inferFrom(java.util.Collection<DType> dtypes) {
        boolean anyFloat = false;
        for (DType d : dtypes) {
            if (d == DType.F32 || d == DType.F16 || d == DType.BF16) return F32;
            if (d == DType.F64) anyFloat = true;
        }
        if (!anyFloat) throw new IllegalArgumentException("cannot infer the precision: the candidate has no floating-point tensor (pass --precision)");
        return F64;
    }
}
