package scm.ref.nn.conv;

import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * The shape (channels, height, width) of one image sample. A {@link Batch} row holds one image
 * flattened channel-major: value (c, y, x) sits at column {@code (c*h + y)*w + x}.
 */
public record ImageShape(int c, int h, int w) {

    public ImageShape {
        Check.positive(c, "channel count");
        Check.positive(h, "image height");
        Check.positive(w, "image width");
    }

    /** Values per sample, c*h*w. */
    public int size() { return Math.multiplyExact(Math.multiplyExact(c, h), w); }

    /** Pixels per channel, h*w. */
    public int plane() { return Math.multiplyExact(h, w); }

    public ImageShape withChannels(int channels) { return new ImageShape(channels, h, w); }

    /** Throws IllegalArgumentException naming {@code what} unless b is a finite batch of images of this shape. */
    public void require(Batch b, String what) {
        if (b == null) throw new IllegalArgumentException(what + " is null");
        if (b.d() != size())
            throw new IllegalArgumentException("shape mismatch: " + what + " has " + b.d() + " values per sample, expected "
                    + c + "x" + h + "x" + w + " = " + size());
        b.requireFinite(what);
    }

    @Override public String toString() { return c + "x" + h + "x" + w; }
}
