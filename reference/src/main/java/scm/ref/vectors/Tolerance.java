package scm.ref.vectors;

/**
 * An element-wise acceptance test in numpy.allclose form: a candidate value c passes against the expected value e when
 * {@code |c − e| <= abs + rel·|e|}. Equal values (including equal infinities) always pass; a NaN on either side fails.
 */
public record Tolerance(double abs, double rel) {

    public Tolerance {
        if (!(abs >= 0) || !Double.isFinite(abs)) throw new IllegalArgumentException("absolute tolerance must be finite and >= 0, got " + abs);
        if (!(rel >= 0) || !Double.isFinite(rel)) throw new IllegalArgumentException("relative tolerance must be finite and >= 0, got " + rel);
    }

    /** Exact equality (integer tensors). */
    public static final Tolerance EXACT = new Tolerance(0, 0);

    public boolean accepts(double expected, double candidate) {
        if (expected == candidate) return true;
        if (Double.isNaN(expected) || Double.isNaN(candidate) || Double.isInfinite(expected) || Double.isInfinite(candidate)) return false;
        return Math.abs(candidate - expected) <= abs + rel * Math.abs(expected);
    }
}
