package scm.ref.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * The IDX format of (Fashion-)MNIST (http://yann.lecun.com/exdb/mnist/): a 4-byte magic number
 * (two zero bytes, a type byte, the number of dimensions), one big-endian int32 per dimension, then
 * the values row-major. Only the unsigned-byte type (0x08) is read. Gzip-compressed input is
 * detected by its magic bytes and decompressed; corrupt or truncated gzip data is a format error.
 *
 * @param dims the dimensions, outermost first
 * @param data the values, unsigned bytes stored in Java bytes (use {@code & 0xff})
 */
public record Idx(int[] dims, byte[] data) {

    public static final int UNSIGNED_BYTE = 0x08;
    /** Refuse arrays larger than this many values (1 GiB). */
    static final long MAX_VALUES = 1L << 30;

    public Idx {
        dims = dims.clone();
    }

    @Override public int[] dims() { return dims.clone(); }

    /** Reads a whole IDX stream (plain or gzip); format errors throw IllegalArgumentException naming the problem. */
    public static Idx read(InputStream input, String what) throws IOException {
        BufferedInputStream b = new BufferedInputStream(input);
        b.mark(2);
        int m0 = b.read(), m1 = b.read();
        b.reset();
        try {
            InputStream in = (m0 == 0x1f && m1 == 0x8b) ? new GZIPInputStream(b, 1 << 16) : b;
            DataInputStream d = new DataInputStream(new BufferedInputStream(in, 1 << 16));
            int magic = d.readInt();
            if ((magic >>> 16) != 0) throw new IllegalArgumentException(what + ": not an IDX file (magic 0x" + Integer.toHexString(magic) + ")");
            int type = (magic >>> 8) & 0xff, rank = magic & 0xff;
            if (type != UNSIGNED_BYTE)
                throw new IllegalArgumentException(what + ": IDX element type 0x" + Integer.toHexString(type) + " is not supported (only unsigned byte, 0x08)");
            if (rank < 1 || rank > 4) throw new IllegalArgumentException(what + ": IDX rank " + rank + " is outside 1..4");
            int[] dims = new int[rank];
            long size = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = d.readInt();
                if (dims[i] <= 0) throw new IllegalArgumentException(what + ": IDX dimension " + i + " is " + dims[i]);
                size *= dims[i];
                if (size > MAX_VALUES) throw new IllegalArgumentException(what + ": IDX array " + Arrays.toString(dims) + " is larger than " + MAX_VALUES + " values");
            }
            byte[] data = new byte[(int) size];
            d.readFully(data);
            if (d.read() != -1) throw new IllegalArgumentException(what + ": trailing bytes after the IDX array " + Arrays.toString(dims));
            return new Idx(dims, data);
        } catch (EOFException e) {
            throw new IllegalArgumentException(what + ": truncated IDX file");
        } catch (java.util.zip.ZipException e) {
            throw new IllegalArgumentException(what + ": corrupt gzip data (" + e.getMessage() + ")");
        }
    }

    /** Value i (row-major) as an int in 0..255. */
    public int get(int i) { return data[i] & 0xff; }
}
