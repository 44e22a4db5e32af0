package scm.accel.tornado;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;

/** The execution plan of a resident graph ({@link TornadoSamplerGraph}, {@link TornadoSctStepGraph}): launches, device, profiler or CUDA-graph capture. */
final class ResidentPlans {
    private ResidentPlans() {}

    /**
     * @param device   TornadoVM {backend, device} indices, or null for the default device
     * @param profile  TornadoVM's profiler (silent; read through the execution result)
     * @param capture  capture the plan as a CUDA graph (PTX/CUDA devices)
     */
    static TornadoExecutionPlan of(TaskGraph g, GridScheduler grid, int[] device, boolean profile, boolean capture) {
        TornadoExecutionPlan pl = new TornadoExecutionPlan(g.snapshot());
        pl.withGridScheduler(grid);
        if (device != null) pl.withDevice(TornadoExecutionPlan.getDevice(device[0], device[1]));
        if (profile) pl.withProfiler(ProfilerMode.SILENT);
        return capture ? pl.withCUDAGraph() : pl;
    }
}
