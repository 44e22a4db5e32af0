package scm.accel.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/**
 * {@code -Dscm.tornado.cudaGraph}: the training graph is captured by default on devices that can capture (PTX, CUDA),
 * the sampler only on request; {@code true} on a device that cannot capture is refused (the CLI then keeps the
 * per-operation path and says why), and a value other than true/false is refused rather than read as false.
 */
class TornadoResidentCaptureTest {
    private static final String KEY = "scm.tornado.cudaGraph";
    private final String before = System.getProperty(KEY);

    @AfterEach void restore() {
        if (before == null) System.clearProperty(KEY);
        else System.setProperty(KEY, before);
    }

    private static boolean deviceCanCapture() {
        TornadoVMBackendType type = TornadoRuntimeProvider.getTornadoRuntime().getDefaultDevice().getTornadoVMBackend();
        return type == TornadoVMBackendType.PTX || type == TornadoVMBackendType.CUDA;
    }

    @Test void byDefaultTheTrainingGraphIsCapturedExactlyWhereTheDeviceCan() {
        TornadoTestSupport.assumeTornado();
        System.clearProperty(KEY);
        assertEquals(deviceCanCapture(), TornadoResidentScmStep.capture(null, true));
        // the sampler's default is off on every device
        assertFalse(TornadoResidentScmStep.capture(null, false));
    }

    @Test void falseTurnsCaptureOff() {
        TornadoTestSupport.assumeTornado();
        System.setProperty(KEY, "false");
        assertFalse(TornadoResidentScmStep.capture(null, true));
        assertFalse(TornadoResidentScmStep.capture(null, false));
    }

    @Test void trueIsHonouredOrRefusedByDevice() {
        TornadoTestSupport.assumeTornado();
        System.setProperty(KEY, "true");
        if (deviceCanCapture()) {
            assertTrue(TornadoResidentScmStep.capture(null, false));
        } else {
            var e = assertThrows(IllegalArgumentException.class, () -> TornadoResidentScmStep.capture(null, true));
            assertTrue(e.getMessage().contains("needs a PTX or CUDA device"), e.getMessage());
        }
    }

    @Test void otherValuesAreRefused() {
        TornadoTestSupport.assumeTornado();
        System.setProperty(KEY, "yes");
        var e = assertThrows(IllegalArgumentException.class, () -> TornadoResidentScmStep.capture(null, true));
        assertTrue(e.getMessage().contains("must be true or false"), e.getMessage());
    }
}
