package scm.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import scm.ref.io.JsonDocument;
import scm.ref.io.SafeTensors;
import scm.ref.io.SafetensorsFile;

/**
 * Every shipped checkpoint is small, loads into the model its metadata describes (every tensor F32, every parameter
 * present), and reproduces the metrics of its model card at the card's test sample size (200 samples, seed 2024).
 *
 * <p>Tolerance: relative 1e-9. Sampling and metrics are single-threaded double arithmetic in a fixed order on a
 * fixed seed, so on the machine that wrote the card they reproduce bit for bit; the only platform-dependent parts
 * are the JDK's Math.exp/sin/cos/tanh/sqrt intrinsics, which may differ by 1 ulp between CPUs and JDK builds. Those
 * ulp-level differences pass through at most a few hundred well-conditioned operations per value (network depth,
 * sampler steps, FD's matrix square root via eigen-decomposition of a well-separated 64x64 spectrum), so they stay
 * many orders of magnitude below 1e-9 relative; a real change (other weights, noise, sampler) moves FD at the 1e-3 level.
 */
class DemoShippedCheckpointsTest {
    static final double REL_TOL = 1e-9;

    static Stream<Arguments> shipped() {
        return Stream.concat(DemoRecipe.DIGITS.stream(), DemoRecipe.RING8.stream())
                .map(r -> Arguments.of(r.data() + "/" + r.name(), r));
    }

    @ParameterizedTest(name = "{0}") @MethodSource("shipped")
    void loadsAndReproducesItsCard(String label, DemoRecipe r) throws Exception {
        Path file = DemoCommandTest.CHECKPOINTS.resolve(r.data()).resolve(r.name() + ".safetensors");
        assertTrue(Files.size(file) < 1_000_000, file + " is " + Files.size(file) + " bytes");
        SafetensorsFile f = SafeTensors.read(file);
        assertEquals(ShippedCheckpoint.FORMAT, f.metadata().get("format"));
        assertEquals(r.objective(), f.metadata().get("run.objective"));
        f.tensors().forEach((k, t) -> assertEquals(scm.ref.io.DType.F32, t.dtype(), k));
        ModelSource m = DemoCommand.loadChecked(DemoCommandTest.CHECKPOINTS, r);
        assertEquals(r.data(), m.data().cliName);

        @SuppressWarnings("unchecked")
        Map<String, Object> card = (Map<String, Object>) JsonDocument.parse(Files.readString(file.resolveSibling(r.name() + ".json")));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> evals = (List<Map<String, Object>>) card.get("evaluations");
        Map<String, Object> small = evals.stream().filter(e -> ((Number) e.get("samples")).intValue() == DemoCommand.TEST_SAMPLES).findFirst().orElseThrow();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) small.get("rows");
        List<DemoMethod> methods = DemoMethod.forObjective(r.objective());
        assertEquals(methods.size(), rows.size());
        for (int i = 0; i < methods.size(); i++) {
            assertEquals(methods.get(i).label(), rows.get(i).get("method"));
            DemoResult got = DemoResult.run(m, methods.get(i), DemoCommand.TEST_SAMPLES, ModelCard.SEED, DemoCommandTest.CLASSIFIER);
            @SuppressWarnings("unchecked")
            Map<String, Object> want = (Map<String, Object>) rows.get(i).get("metrics");
            for (var e : want.entrySet()) {
                double w = ((Number) e.getValue()).doubleValue(), g = got.value(e.getKey());
                assertEquals(w, g, REL_TOL * Math.max(1e-12, Math.abs(w)), label + " " + methods.get(i).label() + " " + e.getKey());
            }
        }
    }
}
