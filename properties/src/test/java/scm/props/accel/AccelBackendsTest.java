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
}
