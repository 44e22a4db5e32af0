package scm.ref.vectors;

/**
 * The verdict for one expected tensor.
 *
 * @param maxAbs largest |candidate − expected| over the elements (NaN when not compared; +inf when an element is NaN
 *               or infinite on one side only)
 * @param maxRel largest |candidate − expected| / |expected| over the elements with expected ≠ 0 (0 if none)
 * @param worst  flat index of the first element that fails, or −1
 */
public record ComparisonRow(String name, Status status, double maxAbs, double maxRel, Tolerance tolerance, int worst, String detail) {

    public enum Status { PASS, FAIL, MISSING, SHAPE }

    public boolean passed() { return status == Status.PASS; }
}
