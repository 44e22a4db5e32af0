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

    /** Parameter values by name (copies). */
    static java.util.Map<String, float[]> values(java.util.List<scm.accel.nn.ParamF32> ps) {
        java.util.Map<String, float[]> m = new java.util.HashMap<>();
        for (scm.accel.nn.ParamF32 p : ps) m.put(p.name, p.value.clone());
        return m;
    }

    /** The EMA of {@code ps} by parameter name (copies). */
    static java.util.Map<String, float[]> shadows(java.util.List<scm.accel.nn.ParamF32> ps, scm.accel.optim.EmaF32 ema) {
        java.util.Map<String, float[]> m = new java.util.HashMap<>();
        for (int i = 0; i < ps.size(); i++) m.put(ps.get(i).name, ema.shadow(i).clone());
        return m;
    }

    static double[] widen(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}
