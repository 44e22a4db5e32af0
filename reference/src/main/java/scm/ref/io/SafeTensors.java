package scm.ref.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the safetensors format (https://github.com/huggingface/safetensors), written
 * from its specification; layout in docs/formats.md:
 * <pre>
 *   [8 bytes: N, unsigned little-endian] [N bytes: UTF-8 JSON header, space-padded to a multiple of 8] [data buffer]
 * </pre>
 * The header maps each tensor name to {dtype, shape, data_offsets: [begin, end)} (offsets relative to
 * the data buffer, which the tensors cover exactly, contiguously and without overlap), plus an
 * optional {@code "__metadata__"} map of strings. Data is little-endian and row-major.
 *
 * <p><b>Writing</b> lays tensors out as the Python library does (descending dtype alignment, then
 * name), so its files and ours are byte-identical for the same input (metadata included), and replaces
 * the target atomically ({@link AtomicFile}). Every write adds a SHA-256 of the header's content and the
 * data buffer to {@code __metadata__} as {@value ContentChecksum#KEY} ({@link ContentChecksum}; docs/formats.md,
 * "Integrity").
 *
 * <p><b>Reading</b> validates the whole file (header length, UTF-8, strict JSON, dtypes, shapes,
 * offsets, buffer length, integer ranges) and decodes every tensor before returning; any violation
 * throws {@link SafetensorsFormatException} (an IllegalArgumentException) naming the problem, and
 * nothing is returned. I/O failures throw IOException. A file that records {@value ContentChecksum#KEY}
 * must match it (else SafetensorsFormatException); the key is removed from the returned metadata and
 * reported by {@link SafetensorsContent#sha256()}; a file without it (any other writer, or ours before
 * checksums) loads unverified, with {@code sha256() == null}.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /**
     * Largest header accepted: 16 MiB. The safetensors library allows 100 MB, but a legal 85 MB header of
     * 1.2 million empty tensors took 46 s and 2.1 GB to accept (issue 15); our own headers are 0.6 to 52 KB (the
     * largest: the golden vectors' expected outputs, 578 tensors), and 16 MiB leaves room for about
     * 150,000 tensors with 100-character names. Parsing a header at the cap takes about 2 s.
     */
    public static final long MAX_HEADER_BYTES = 16L << 20;

    /** Most tensors a file may hold (a few hundred in any of our files; documented in docs/formats.md). */
    public static final int MAX_TENSORS = 65_536;

    // ---------------------------------------------------------------- writing

    /** Writes each tensor with its own {@link Tensor#dtype()}, replacing {@code path} atomically. */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Plan plan = plan(tensors, metadata, null);
        AtomicFile.write(path, plan::writeTo);
    }

    /** Writes every tensor converted to {@code dtype} (F64, F32, I64 or I32), replacing {@code path} atomically. */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata, DType dtype) throws IOException {
        if (dtype == null) throw new IllegalArgumentException("dtype is null");
        Plan plan = plan(tensors, metadata, dtype);
        AtomicFile.write(path, plan::writeTo);
    }

    /** The bytes {@link #write(Path, Map, Map)} would write. */
    public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Plan plan = plan(tensors, metadata, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            plan.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);  // a ByteArrayOutputStream does not throw
        }
        return out.toByteArray();
    }

    /** Validated inputs in file order, with their header entries. */
    private record Plan(byte[] header, List<Header.Entry> entries, List<Tensor> tensors) {
        void writeTo(OutputStream out) throws IOException {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(len.array());
            out.write(header);
            writeData(out);
        }

        /** The data buffer: every tensor's elements, little-endian, in file order. */
        void writeData(OutputStream out) throws IOException {
            ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; k < entries.size(); k++) {
                Header.Entry e = entries.get(k);
                Tensor t = tensors.get(k);
                for (int i = 0; i < t.size(); i++) {
                    if (chunk.remaining() < 8) { out.write(chunk.array(), 0, chunk.position()); chunk.clear(); }
                    Codec.put(chunk, e.dtype(), t.get(i), "tensor '" + e.name() + "'", i);
                }
            }
            out.write(chunk.array(), 0, chunk.position());
        }
    }

    private static Plan plan(Map<String, Tensor> tensors, Map<String, String> metadata, DType override) {
        if (tensors == null) throw new IllegalArgumentException("tensor map is null");
        if (metadata == null) throw new IllegalArgumentException("metadata map is null (pass Map.of())");
        for (Map.Entry<String, String> m : metadata.entrySet())
            if (m.getKey() == null || m.getValue() == null) throw new IllegalArgumentException("metadata has a null key or value");
        Map<String, DType> types = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isEmpty()) throw new IllegalArgumentException("tensor name is null or empty");
            if (name.equals(Header.METADATA_KEY)) throw new IllegalArgumentException("'" + Header.METADATA_KEY + "' is reserved, not a tensor name");
            if (e.getValue() == null) throw new IllegalArgumentException("tensor '" + name + "' is null");
            DType t = override != null ? override : e.getValue().dtype();
            if (!t.writable()) throw new IllegalArgumentException("tensor '" + name + "': writing dtype " + t + " is not supported (use F64, F32, I64 or I32)");
            types.put(name, t);
        }
        List<Map.Entry<String, DType>> order = new ArrayList<>(types.entrySet());
        order.sort(Header.LIBRARY_ORDER);
        List<Header.Entry> entries = new ArrayList<>();
        List<Tensor> inFileOrder = new ArrayList<>();
        long offset = 0;
        for (Map.Entry<String, DType> o : order) {
            Tensor t = tensors.get(o.getKey());
            long end = offset + (long) t.size() * o.getValue().bytes();
            entries.add(new Header.Entry(o.getKey(), o.getValue(), t.shape(), offset, end));
            inFileOrder.add(t);
            offset = end;
        }
        if (entries.size() > MAX_TENSORS)
            throw new IllegalArgumentException(entries.size() + " tensors: more than the " + MAX_TENSORS + " a file may hold (readers refuse it)");
        // The checksum goes into the header, which precedes what it covers: hash the file as it would be
        // without the entry (canonical header + data), then write the header with it.
        Map<String, String> md = new LinkedHashMap<>(metadata);
        md.remove(ContentChecksum.KEY);   // a stale value copied from another file's metadata is replaced
        Plan unhashed = new Plan(Header.encode(entries, md), entries, inFileOrder);
        MessageDigest sha = ContentChecksum.newDigest();
        try (OutputStream digestOnly = new DigestOutputStream(OutputStream.nullOutputStream(), sha)) {
            digestOnly.write(unhashed.header());
            unhashed.writeData(digestOnly);
        } catch (IOException e) {
            throw new UncheckedIOException(e);  // the null stream does not throw
        }
        md.put(ContentChecksum.KEY, ContentChecksum.hex(sha.digest()));
        byte[] header = Header.encode(entries, md);
        if (header.length > MAX_HEADER_BYTES)
            throw new IllegalArgumentException("header of " + header.length + " bytes exceeds the cap of " + MAX_HEADER_BYTES
                    + " bytes that readers accept (too many or too long names)");
        return new Plan(header, entries, inFileOrder);
    }

    // ---------------------------------------------------------------- reading

    /** Reads and fully validates a file; see the class comment. */
    public static SafetensorsContent read(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            long n = headerLength(readFully(ch, 0, (int) Math.min(8, size)), size);
            byte[] headerBytes = readFully(ch, 8, (int) n);
            long bufferLength = size - 8 - n;
            Header header = Header.parse(utf8(headerBytes), bufferLength);
            if (bufferLength > Integer.MAX_VALUE - 16)
                throw new SafetensorsFormatException("data buffer of " + bufferLength + " bytes exceeds this reader's 2 GiB limit");
            ByteBuffer data = ByteBuffer.wrap(readFully(ch, 8 + n, (int) bufferLength));
            return decode(header, data);
        }
    }

    /** Parses and fully validates the bytes of a whole file. */
    public static SafetensorsContent fromBytes(byte[] file) {
        if (file == null) throw new IllegalArgumentException("file bytes are null");
        long n = headerLength(java.util.Arrays.copyOf(file, Math.min(8, file.length)), file.length);
        byte[] headerBytes = java.util.Arrays.copyOfRange(file, 8, (int) (8 + n));
        Header header = Header.parse(utf8(headerBytes), file.length - 8 - n);
        return decode(header, ByteBuffer.wrap(file, (int) (8 + n), (int) (file.length - 8 - n)).slice());
    }

    /** The header length N from the first 8 bytes, checked against the cap and the file size. */
    private static long headerLength(byte[] first, long fileSize) {
        if (first.length < 8)
            throw new SafetensorsFormatException("file has " + fileSize + " bytes, fewer than the 8-byte header length field");
        long n = ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (Long.compareUnsigned(n, MAX_HEADER_BYTES) > 0)
            throw new SafetensorsFormatException("header length " + Long.toUnsignedString(n) + " exceeds the cap of "
                    + MAX_HEADER_BYTES + " bytes");
        if (8 + n > fileSize)
            throw new SafetensorsFormatException("header length " + n + " runs past the end of the file (" + fileSize + " bytes)");
        return n;
    }

    private static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsFormatException("header is not valid UTF-8 (" + e.getMessage() + ")");
        }
    }

    private static SafetensorsContent decode(Header header, ByteBuffer data) {
        Map<String, String> metadata = new LinkedHashMap<>(header.metadata());
        String recorded = metadata.remove(ContentChecksum.KEY);
        if (recorded != null) ContentChecksum.verify(recorded, contentHash(header, metadata, data));
        else requireNoDisplacedChecksum(header, metadata, data);
        data.order(ByteOrder.LITTLE_ENDIAN);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Header.Entry e : header.entries()) {
            data.position((int) e.begin());
            double[] v = new double[e.elements()];
            for (int i = 0; i < v.length; i++) v[i] = Codec.get(data, e.dtype(), e.name(), i);
            out.put(e.name(), new Tensor(e.shape(), v, e.dtype()));
        }
        return new SafetensorsContent(out, metadata, recorded);
    }

    /** SHA-256 of the canonical header for these entries and metadata, followed by the data buffer (docs/formats.md, "Integrity"). */
    private static String contentHash(Header header, Map<String, String> metadata, ByteBuffer data) {
        MessageDigest sha = ContentChecksum.newDigest();
        sha.update(Header.encode(header.entries(), metadata));
        sha.update(data.duplicate());
        return ContentChecksum.hex(sha.digest());
    }

    /**
     * A checksummed file whose {@value ContentChecksum#KEY} key was damaged (one changed character, e.g.
     * "content_sh:256", is still legal JSON) would otherwise load as an unverified file with one more metadata entry.
     * A metadata value that is exactly the content hash of the file without that entry is such a displaced checksum:
     * the file is corrupt. Only values of 64 lowercase hex digits are hashed, so other files pay nothing.
     */
    private static void requireNoDisplacedChecksum(Header header, Map<String, String> metadata, ByteBuffer data) {
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (!e.getValue().matches("[0-9a-f]{64}")) continue;
            Map<String, String> rest = new LinkedHashMap<>(metadata);
            rest.remove(e.getKey());
            if (contentHash(header, rest, data).equals(e.getValue())) {
                StringBuilder key = new StringBuilder();
                Json.writeString(key, e.getKey());
                throw new SafetensorsFormatException("the file is corrupt: its content checksum is recorded under the damaged key "
                        + key + " instead of \"" + ContentChecksum.KEY + "\"");
            }
        }
    }

    private static byte[] readFully(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            int r = ch.read(b, position + b.position());
            if (r < 0) throw new SafetensorsFormatException("file shrank while being read (expected " + length + " bytes at " + position + ")");
        }
        return b.array();
    }
}
