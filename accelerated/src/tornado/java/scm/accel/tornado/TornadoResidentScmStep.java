package scm.accel.tornado;

import java.util.Map;
import scm.accel.model.MlpModelF32;
import scm.accel.train.ResidentScmStep;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/**
 * {@link ResidentScmStep} as one {@link TornadoSctStepGraph}: the whole sCT step (sCD with a teacher) of the MLP as one
 * resident task graph, made by {@link scm.accel.backend.Backends#residentScmStep} through reflection.
 *
 * <p>Device: {@code -Dscm.tornado.device=BACKEND:DEVICE} (TornadoVM's default otherwise), as the tornado backend.
 * On a PTX or CUDA device the plan is captured as a CUDA graph unless {@code -Dscm.tornado.cudaGraph=false}: it cuts the
 * per-task launch cost, and on the H200 a captured 20,000-step sCD run wrote the same checkpoint bits as a plain one in
 * 16 % less time (docs/gpu.md). {@code -Dscm.tornado.cudaGraph=true} on another device (OpenCL cannot capture) is refused.
 */
public final class TornadoResidentScmStep implements ResidentScmStep {
    private final TornadoSctStepGraph graph;
    private final boolean captured;

    public TornadoResidentScmStep(MlpModelF32 student, MlpModelF32 teacher, Settings s) {
        int[] device = device();
        captured = capture(device, true);
        graph = new TornadoSctStepGraph(student, teacher, s.batch(), s.sigmaD(), s.c(), s.lr(), s.beta1(), s.beta2(), s.eps(), s.rectified(),
                device, captured ? TornadoSctStepGraph.CUDA_GRAPH : 0);
    }

    /**
     * Whether to capture the plan as a CUDA graph: {@code -Dscm.tornado.cudaGraph=true|false} when given, else
     * {@code byDefault} on a device that can capture (PTX, CUDA). IllegalArgumentException when {@code true} is asked
     * of a device that cannot (the OpenCL device stops at the first execution otherwise).
     */
    static boolean capture(int[] device, boolean byDefault) {
        String asked = System.getProperty("scm.tornado.cudaGraph");
        if (asked != null && !asked.equalsIgnoreCase("true") && !asked.equalsIgnoreCase("false"))
            throw new IllegalArgumentException("-Dscm.tornado.cudaGraph must be true or false, got '" + asked + "'");
        if (asked != null && asked.equalsIgnoreCase("false")) return false;
        if (asked == null && !byDefault) return false;
        TornadoDevice d = device == null ? TornadoRuntimeProvider.getTornadoRuntime().getDefaultDevice()
                : TornadoExecutionPlan.getDevice(device[0], device[1]);
        TornadoVMBackendType type = d.getTornadoVMBackend();
        boolean can = type == TornadoVMBackendType.PTX || type == TornadoVMBackendType.CUDA;
        if (asked == null) return can;
        if (!can)
            throw new IllegalArgumentException("-Dscm.tornado.cudaGraph=true needs a PTX or CUDA device, but the device is "
                    + d.getDeviceName() + " (" + type + ")");
        return true;
    }

    /** {@code -Dscm.tornado.device=BACKEND:DEVICE} as TornadoVM indices, or null for its default device. */
    static int[] device() {
        String dev = System.getProperty("scm.tornado.device");
        if (dev == null) return null;
        String[] p = dev.split("[:,]");
        try {
            return new int[] {Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim())};
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("-Dscm.tornado.device must be BACKEND:DEVICE (two integers), got '" + dev + "'");
        }
    }

    @Override public double step(float[] x0, float[] z, float[] t, double r, double emaBeta) { return graph.step(x0, z, t, r, emaBeta); }

    @Override public double lastGradNorm() { return graph.lastGradNorm(); }

    @Override public boolean hasGradNorm() { return true; }

    @Override public Map<String, float[]> params() { return graph.params(); }

    @Override public Map<String, float[]> ema() { return graph.ema(); }

    @Override public Map<String, float[]> firstMoments() { return graph.firstMoments(); }

    @Override public Map<String, float[]> secondMoments() { return graph.secondMoments(); }

    @Override public void restore(Map<String, float[]> params, Map<String, float[]> ema, Map<String, float[]> first, Map<String, float[]> second,
                                  long optimizerSteps) {
        graph.restore(params, ema, first, second, optimizerSteps);
    }

    @Override public long stepCount() { return graph.stepCount(); }

    @Override public String describe() {
        return "one resident TornadoVM task graph of " + graph.taskCount() + " tasks per step" + (captured ? " (captured as a CUDA graph)" : "");
    }

    @Override public void close() {
        try { graph.close(); } catch (Exception e) { throw new IllegalStateException("closing the TornadoVM plan failed: " + e, e); }
    }
}
