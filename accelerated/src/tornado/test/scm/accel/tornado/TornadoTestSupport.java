package scm.accel.tornado;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/** Shared helpers of the TornadoVM-only tests: skip without a usable TornadoVM runtime; seeded data. */
final class TornadoTestSupport {
    private TornadoTestSupport() {}

    /** Skips the calling test unless the JVM runs with TornadoVM (java @$TORNADOVM_HOME/tornado-argfile) and has a device. */
    static void assumeTornado() {
        TornadoBackend.strict();
        boolean ok;
        try {
            TornadoRuntimeProvider.getTornadoRuntime().getBackend(0).getDevice(0);
            ok = true;
        } catch (Throwable e) {
            ok = false;
        }
        Assumptions.assumeTrue(ok, "TornadoVM runtime not available (run with -Ptornado and TORNADOVM_HOME set)");
    }

    static float[] gaussian(SplittableRandom r, int len, double s) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) (s * r.nextGaussian());
        return a;
    }

    static double[] widen(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}
