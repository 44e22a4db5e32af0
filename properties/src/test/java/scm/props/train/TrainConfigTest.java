package scm.props.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import scm.props.Props;
import scm.ref.train.EmaSpec;
import scm.ref.train.OptimizerKind;
import scm.ref.train.TrainConfig;

/** TrainConfig <-> checkpoint metadata is an exact round trip, also through a file; bad metadata names the key. */
class TrainConfigTest {

    /**
     * Random configurations with full-precision doubles (all 52 mantissa bits used), so the round trip is tested on
     * hard values. Boundary cases: the smallest and largest steps and batch, u = 0 and the largest u below 1 for every
     * u-derived double, no EMA and three EMAs, seeds that make the clip 0 / the max-norm infinite, every optimizer.
     */
    static Props.Arg<TrainConfig> configs() {
        String[] objectives = {"sct", "scd", "cd", "ct", "ict", "diffusion"};
        OptimizerKind[] opts = OptimizerKind.values();
        double top = Math.nextDown(1.0);
        List<TrainConfig> edges = new java.util.ArrayList<>();
        for (int k = 0; k < Math.max(objectives.length, opts.length); k++) {
            boolean low = k % 2 == 0;
            double u = low ? 0 : top;
            List<EmaSpec> emas = low ? List.of() : List.of(ema(0, u), ema(1, u), ema(2, u));
            long seed = new long[] {0, 1, Long.MIN_VALUE, Long.MAX_VALUE, -1, 3}[k % 6];
            edges.add(config(objectives[k % objectives.length], low ? 1 : 1_000_000, low ? 1 : 4096, u, u,
                    opts[k % opts.length], emas, seed));
        }
        return Props.arg(s -> {
            java.util.function.DoubleSupplier u = () -> s.between(0L, (1L << 53) - 1) * 0x1.0p-53;  // [0, 1) as nextDouble
            List<EmaSpec> emas = new java.util.ArrayList<>();
            for (int i = s.between(0, 3); i > 0; i--) emas.add(ema(s.between(0, 2), u.getAsDouble()));
            return config(objectives[s.between(0, objectives.length - 1)], s.between(1L, 1_000_000L), s.between(1, 4096),
                    u.getAsDouble(), u.getAsDouble(), opts[s.between(0, opts.length - 1)], emas,
                    s.between(Long.MIN_VALUE, Long.MAX_VALUE));
        }).onlyEdges(edges.toArray(TrainConfig[]::new));
    }

    static EmaSpec ema(int kind, double u) {
        return switch (kind) {
            case 0 -> EmaSpec.decay(0.999999 * u);
            case 1 -> EmaSpec.halfLife(1 + 1e7 * u);
            default -> EmaSpec.power(0.001 + 0.279 * u);
        };
    }

    static TrainConfig config(String obj, long steps, int batch, double uLr, double uBeta, OptimizerKind opt,
                              List<EmaSpec> emas, long seed) {
        double lr = Math.pow(10, -7 * uLr), beta = 0.9999 * uBeta;
        return new TrainConfig(obj, steps, batch, lr, beta, Math.min(0.999, beta + 1e-3), lr * 1e-4, opt,
                seed % 2 == 0 ? 0 : lr * 1e3, emas, steps / 3, seed,
                seed % 3 == 0 ? Double.POSITIVE_INFINITY : 1e4 + lr, 1 + steps / 10);
    }

    @Test
    void metadataRoundTripIsExact() {
        Props.check(200, configs(), this::metadataRoundTripIsExact);
    }

    void metadataRoundTripIsExact(TrainConfig c) {
        assertEquals(c, TrainConfig.fromMetadata(c.toMetadata()));
    }

    @Test
    void roundTripThroughACheckpointFile() throws Exception {
        Path dir = java.nio.file.Files.createTempDirectory("trainconfig");
        TrainConfig c = new TrainConfig("sct", 123, 7, 1.0 / 3, 0.9, 0.99, 1e-8, OptimizerKind.RADAM, 0,
                List.of(EmaSpec.halfLife(500_000), EmaSpec.power(0.05), EmaSpec.decay(0.999943)), 50, Long.MIN_VALUE,
                Double.POSITIVE_INFINITY, 10);
        Path file = dir.resolve("c.bin");
        var store = new TestFileStore();
        var fx = new TrainFixture(TrainFixture.config(2, 1), store, file);
        fx.trainer.run();
        var md = new java.util.LinkedHashMap<>(store.read(file).metadata());
        md.putAll(c.toMetadata());
        store.write(file, new scm.ref.train.Checkpoint(store.read(file).tensors(), md));
        assertEquals(c, TrainConfig.fromMetadata(store.read(file).metadata()));
        java.nio.file.Files.delete(file);
        java.nio.file.Files.delete(dir);
    }

    @Test
    void missingOrMalformedKeyIsNamed() {
        var m = new HashMap<>(TrainFixture.config(5, 1).toMetadata());
        m.remove("config.lr");
        var e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.fromMetadata(m));
        assertTrue(e.getMessage().contains("config.lr"), e.getMessage());
        m.put("config.lr", "fast");
        e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.fromMetadata(m));
        assertTrue(e.getMessage().contains("config.lr") && e.getMessage().contains("fast"), e.getMessage());
        m.put("config.lr", "0.1");
        m.put("config.emas", "decay=0.9,median=3");
        e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.fromMetadata(m));
        assertTrue(e.getMessage().contains("median"), e.getMessage());
    }

    @Test
    void invalidValuesRejected() {
        TrainConfig ok = TrainFixture.config(5, 1);
        assertThrows(IllegalArgumentException.class, () -> ok.withSteps(0));
        assertThrows(IllegalArgumentException.class, () -> ok.withCheckpointEvery(-1));
        assertThrows(IllegalArgumentException.class, () -> EmaSpec.decay(1.0));
        assertThrows(IllegalArgumentException.class, () -> EmaSpec.power(0.3));
        var e = assertThrows(IllegalArgumentException.class, () -> new TrainConfig("x", 1, 1, Double.NaN, 0.9, 0.99, 1e-8,
                OptimizerKind.ADAM, 0, List.of(), 0, 0, 1, 1));
        assertTrue(e.getMessage().contains("lr"), e.getMessage());
    }
}
