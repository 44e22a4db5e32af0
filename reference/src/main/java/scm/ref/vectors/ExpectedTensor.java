package scm.ref.vectors;

import scm.ref.io.Tensor;

/** An expected tensor as {@link Verifier} reads it back: its value and its tolerance for each precision. */
public record ExpectedTensor(String name, Tensor value, Tolerance f64, Tolerance f32) {

    public Tolerance tolerance(Precision p) { return p == Precision.F64 ? f64 : f32; }
}
