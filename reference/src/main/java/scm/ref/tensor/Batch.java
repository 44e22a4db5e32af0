package scm.ref.tensor;

import java.util.Arrays;

/**
 * The plain data layout of the whole project: a batch of {@code n} samples, each a flat vector of
 * {@code d} doubles, stored row-major and batch first in one array ({@code data[i*d + j]} is
 * coordinate j of sample i). Images are flattened channel-major (C, H, W) inside a row.
 * The accelerated module mirrors this layout with float arrays.
 *
 * <p>A Batch owns its array; methods that return a new Batch never alias the input.
 */
public record Batch(int n, int d, double[] data) {

    public Batch {
        if (n <= 0) throw new IllegalArgumentException("empty batch: n = " + n + " (need n >= 1)");
        if (d <= 0) throw new IllegalArgumentException("sample dimension must be >= 1, got d = " + d);
        if (data == null) throw new IllegalArgumentException("batch data is null");
        if ((long) n * d != data.length)
            throw new IllegalArgumentException("shape mismatch: n*d = " + n + "*" + d + " = " + ((long) n * d)
                    + " but data has " + data.length + " values");
    }

    public static Batch zeros(int n, int d) {
        return new Batch(n, d, new double[Math.multiplyExact(n, d)]);
    }

    /** Wraps rows x[i][j]; all rows must have the same length. */
    public static Batch of(double[][] rows) {
        if (rows == null || rows.length == 0) throw new IllegalArgumentException("empty batch: no rows");
        int d = rows[0].length;
        double[] a = new double[Math.multiplyExact(rows.length, d)];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != d)
                throw new IllegalArgumentException("shape mismatch: row " + i + " has " + rows[i].length + " values, row 0 has " + d);
            System.arraycopy(rows[i], 0, a, i * d, d);
        }
        return new Batch(rows.length, d, a);
    }

    public double get(int i, int j) { return data[i * d + j]; }

    public void set(int i, int j, double v) { data[i * d + j] = v; }

    /** A copy of sample i. */
    public double[] row(int i) { return Arrays.copyOfRange(data, i * d, (i + 1) * d); }

    public Batch copy() { return new Batch(n, d, data.clone()); }

    /** Throws IllegalArgumentException naming {@code what} and the first offending index if any value is NaN or infinite. */
    public Batch requireFinite(String what) {
        Check.finite(data, what);
        return this;
    }

    /** Throws IllegalArgumentException if {@code other} does not have this batch's shape. */
    public void requireSameShape(Batch other, String what) {
        if (other == null) throw new IllegalArgumentException(what + " is null");
        if (other.n != n || other.d != d)
            throw new IllegalArgumentException("shape mismatch: " + what + " is " + other.n + "x" + other.d
                    + ", expected " + n + "x" + d);
    }

    @Override public boolean equals(Object o) {
        return o instanceof Batch b && b.n == n && b.d == d && Arrays.equals(b.data, data);
    }

    @Override public int hashCode() { return 31 * (31 * n + d) + Arrays.hashCode(data); }

    @Override public String toString() { return "Batch[" + n + "x" + d + "]"; }
}
