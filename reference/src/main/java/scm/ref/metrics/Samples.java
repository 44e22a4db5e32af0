package scm.ref.metrics;

import scm.ref.tensor.Batch;

/** Argument checks shared by the two-sample metrics; every failure names the problem. */
final class Samples {
    private Samples() {}

    /** Non-null, finite, at least {@code minRows} rows; {@code what} names the sample in messages. */
    static Batch require(Batch x, int minRows, String what) {
        if (x == null) throw new IllegalArgumentException(what + " is null");
        if (x.n() < minRows)
            throw new IllegalArgumentException("too few samples: " + what + " has " + x.n() + " rows, need >= " + minRows);
        x.requireFinite(what);
        return x;
    }

    /** Both samples valid and of one dimension. */
    static void requirePair(Batch x, Batch y, int minRows, String metric) {
        require(x, minRows, "first " + metric + " sample");
        require(y, minRows, "second " + metric + " sample");
        if (x.d() != y.d())
            throw new IllegalArgumentException("dimension mismatch: " + metric + " samples have dimensions " + x.d() + " and " + y.d());
    }
}
