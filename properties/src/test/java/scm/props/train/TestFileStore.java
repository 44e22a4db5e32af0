package scm.props.train;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.SequencedMap;
import scm.ref.train.Checkpoint;
import scm.ref.train.CheckpointStore;

/**
 * Test-side checkpoint store (until infra's safetensors store is wired in): a plain binary dump
 * written to a temp file in the target directory, then renamed over the target (ATOMIC_MOVE).
 * {@code failAfterBytes >= 0} simulates a crash mid-save: the temp file is left half written and
 * an IOException is thrown before the rename.
 */
final class TestFileStore implements CheckpointStore {
    long failAfterBytes = -1;
    int writes;

    @Override public void write(Path file, Checkpoint c) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream raw = Files.newOutputStream(tmp);
             DataOutputStream out = new DataOutputStream(new CrashingStream(raw, failAfterBytes))) {
            out.writeInt(c.metadata().size());
            for (var e : c.metadata().entrySet()) { out.writeUTF(e.getKey()); out.writeUTF(e.getValue()); }
            out.writeInt(c.tensors().size());
            for (var e : c.tensors().entrySet()) {
                out.writeUTF(e.getKey());
                int[] shape = e.getValue().shape();
                out.writeInt(shape.length);
                for (int s : shape) out.writeInt(s);
                for (double v : e.getValue().data()) out.writeLong(Double.doubleToRawLongBits(v));
            }
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        writes++;
    }

    @Override public Checkpoint read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            SequencedMap<String, String> md = new LinkedHashMap<>();
            int nm = in.readInt();
            for (int i = 0; i < nm; i++) md.put(in.readUTF(), in.readUTF());
            SequencedMap<String, Checkpoint.Tensor> t = new LinkedHashMap<>();
            int nt = in.readInt();
            for (int i = 0; i < nt; i++) {
                String name = in.readUTF();
                int[] shape = new int[in.readInt()];
                long size = 1;
                for (int k = 0; k < shape.length; k++) { shape[k] = in.readInt(); size *= shape[k]; }
                double[] data = new double[Math.toIntExact(size)];
                for (int k = 0; k < data.length; k++) data[k] = Double.longBitsToDouble(in.readLong());
                t.put(name, new Checkpoint.Tensor(shape, data));
            }
            return new Checkpoint(t, md);
        }
    }

    private static final class CrashingStream extends OutputStream {
        private final OutputStream out;
        private final long limit;
        private long written;

        CrashingStream(OutputStream out, long limit) { this.out = out; this.limit = limit; }

        @Override public void write(int b) throws IOException {
            if (limit >= 0 && written >= limit) { out.flush(); throw new IOException("simulated crash after " + written + " bytes"); }
            out.write(b);
            written++;
        }

        @Override public void flush() throws IOException { out.flush(); }
    }
}
