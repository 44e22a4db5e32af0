package scm.props.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import scm.accel.backend.Backend;
import scm.accel.backend.Backends;

/** Backend selection by name: clear errors, fallback only when asked for, never a silent switch. */
class AccelBackendsTest {

    /** Our tornado classes and TornadoVM's API both present (classes of an earlier -Ptornado build alone do not count). */
    static boolean tornadoBuilt() {
        try {
            Class.forName("scm.accel.tornado.TornadoBackend");
            Class.forName("uk.ac.manchester.tornado.api.TaskGraph");
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Test
    void jvmIsAlwaysAvailable() {
        try (Backend b = Backends.create("jvm")) { assertEquals("jvm", b.name()); }
    }

    @Test
    void unknownNamesAreRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> Backends.create("cuda"));
        assertTrue(e.getMessage().contains("cuda") && e.getMessage().contains("jvm") && e.getMessage().contains("tornado"), e.getMessage());
    }

    @Test
    void tornadoWithoutTheProfileIsAClearErrorAndFallsBackOnlyWhenAsked() {
        Assumptions.assumeFalse(tornadoBuilt(), "this build includes the tornado backend");
        var e = assertThrows(IllegalStateException.class, () -> Backends.create("tornado"));
        assertTrue(e.getMessage().contains("-Ptornado"), e.getMessage());
        try (Backend b = Backends.create("tornado", true)) { assertEquals("jvm", b.name()); }
    }

    static final scm.accel.train.ResidentScmStep.Settings SETTINGS =
            new scm.accel.train.ResidentScmStep.Settings(8, 0.5, 0.1, 1e-4, 0.9, 0.99, 1e-8, true);

    static scm.accel.model.MlpModelF32 mlp(Backend be, scm.ref.model.MlpConfig.Embedding emb, int depth, double dropout) {
        return new scm.accel.model.MlpModelF32(be, new scm.ref.model.MlpModel(new scm.ref.model.MlpConfig(64, 64, depth, 16, emb, 1.0, dropout), 1));
    }

    /** The resident graphs of a build without -Ptornado: the same kind of one-line error as the backend, never a fallback. */
    @Test
    void residentGraphsWithoutTheProfileAreAClearError() {
        Assumptions.assumeFalse(tornadoBuilt(), "this build includes the tornado backend");
        try (Backend be = Backends.create("jvm")) {
            var m = mlp(be, scm.ref.model.MlpConfig.Embedding.POSITIONAL, 2, 0);
            var e = assertThrows(IllegalStateException.class, () -> Backends.residentScmStep(m, null, SETTINGS));
            assertTrue(e.getMessage().contains("-Ptornado"), e.getMessage());
            e = assertThrows(IllegalStateException.class, () -> Backends.residentSampler(m, 8, 2, 0.5));
            assertTrue(e.getMessage().contains("-Ptornado"), e.getMessage());
        }
    }

    /** What the resident training step does not implement is refused by name before any TornadoVM class is touched. */
    @Test
    void residentStepRefusesWhatItDoesNotImplement() {
        try (Backend be = Backends.create("jvm")) {
            var pos = scm.ref.model.MlpConfig.Embedding.POSITIONAL;
            assertEquals(null, scm.accel.train.ResidentScmStep.unsupported(mlp(be, pos, 2, 0).config()));
            for (var m : java.util.List.of(mlp(be, pos, 2, 0.1), mlp(be, scm.ref.model.MlpConfig.Embedding.FOURIER, 2, 0), mlp(be, pos, 1, 0))) {
                String why = scm.accel.train.ResidentScmStep.unsupported(m.config());
                assertTrue(why != null && (why.contains("dropout") || why.contains("Fourier") || why.contains("depth")), String.valueOf(why));
                var e = assertThrows(IllegalArgumentException.class, () -> Backends.residentScmStep(m, null, SETTINGS));
                assertTrue(e.getMessage().contains(why), e.getMessage());
            }
        }
    }

    /**
     * {@code -Dscm.threads} (the jvm backend's thread count) must be a whole number ≥ 1: anything else is an error naming
     * the property and the value (before, Integer.getInteger ignored a typo and used every core). Control: "2" gives 2.
     */
    @Test
    void malformedThreadCountPropertyIsNamed() {
        String before = System.getProperty("scm.threads");
        try {
            for (String v : new String[] {"two", "0", "-3", "1.5", ""}) {
                System.setProperty("scm.threads", v);
                var e = assertThrows(IllegalArgumentException.class, () -> Backends.create("jvm"));
                assertEquals("-Dscm.threads must be a whole number >= 1, got '" + v + "'", e.getMessage());
            }
            System.setProperty("scm.threads", " 2");
            try (Backend be = Backends.create("jvm")) { assertEquals(2, ((scm.accel.backend.JvmBackend) be).threads()); }
        } finally {
            if (before == null) System.clearProperty("scm.threads"); else System.setProperty("scm.threads", before);
        }
    }
}
