package scm.props.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import net.jqwik.api.*;
import scm.ref.train.EmaSpec;
import scm.ref.train.OptimizerKind;
import scm.ref.train.TrainConfig;

/** TrainConfig <-> checkpoint metadata is an exact round trip, also through a file; bad metadata names the key. */
class TrainConfigTest {

    @Provide
    Arbitrary<TrainConfig> configs() {
        // full-precision doubles (all 52 mantissa bits used), so the round trip is tested on hard values
        Arbitrary<Double> u = Arbitraries.randomValue(r -> r.nextDouble());
        Arbitrary<EmaSpec> ema = Arbitraries.oneOf(
                u.map(x -> EmaSpec.decay(0.999999 * x)),
                u.map(x -> EmaSpec.halfLife(1 + 1e7 * x)),
                u.map(x -> EmaSpec.power(0.001 + 0.279 * x)));
        return Combinators.combine(
                Arbitraries.of("sct", "scd", "cd", "ct", "ict", "diffusion"),
                Arbitraries.longs().between(1, 1_000_000),
                Arbitraries.integers().between(1, 4096),
                u.map(x -> Math.pow(10, -7 * x)),
                u.map(x -> 0.9999 * x),
                Arbitraries.of(OptimizerKind.values()),
                ema.list().ofMaxSize(3),
                Arbitraries.longs()).as((obj, steps, batch, lr, beta, opt, emas, seed) ->
                new TrainConfig(obj, steps, batch, lr, beta, Math.min(0.999, beta + 1e-3), lr * 1e-4, opt,
                        seed % 2 == 0 ? 0 : lr * 1e3, emas, steps / 3, seed,
                        seed % 3 == 0 ? Double.POSITIVE_INFINITY : 1e4 + lr, 1 + steps / 10));
    }

    @Property(tries = 200)
    void metadataRoundTripIsExact(@ForAll("configs") TrainConfig c) {
        assertEquals(c, TrainConfig.fromMetadata(c.toMetadata()));
    }

    @Example
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

    @Example
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

    @Example
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
