package scm.accel.tornado;

import java.util.ArrayList;
import java.util.List;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;

/**
 * A probe of the arena chain on a device (no JUnit there): G graphs of T tasks over one array, each task
 * a[r·L + j] += a[(r−1)·L + j] on the first L_r elements of its own region r (so every task depends on the one before it,
 * across graph boundaries too), executed E times like ArenaGraph (upload once, then the chain, a GridScheduler giving
 * every task exactly L_r work items); prints whether every element holds the value the same operations give on the host.
 * Usage: {@code ArenaChainCheck G T L E [varied]}: {@code varied} gives the tasks different lengths L_r (L, 7L/8, …, L/8
 * in turn; otherwise every L_r = L), the case of a training step's graphs; {@code captured} runs the chain as CUDA graphs
 * (PTX/CUDA devices, as ArenaGraph does); {@code sample} prints where the host thread spent the executions
 * after the first ({@link StackSampler}). Also prints the time per execution of the chain after the first (which
 * compiles and, captured, records the graphs): with kernels this short it is the chain's fixed cost, G·T tasks' launches
 * and G executions of TornadoVM graphs, the part of a training step's time that fewer tasks would save.
 */
public final class ArenaChainCheck {
    private ArenaChainCheck() {}

    public static void main(String[] args) {
        int graphs = Integer.parseInt(args[0]), tasks = Integer.parseInt(args[1]), len = Integer.parseInt(args[2]), execs = Integer.parseInt(args[3]);
        boolean varied = java.util.Arrays.asList(args).contains("varied"), captured = java.util.Arrays.asList(args).contains("captured");
        TornadoBackend.strict();
        int regions = graphs * tasks + 1;
        float[] a = new float[regions * len];
        java.util.Arrays.fill(a, 0, len, 1f);
        List<ImmutableTaskGraph> gs = new ArrayList<>();
        GridScheduler grid = new GridScheduler();
        gs.add(new TaskGraph("up").transferToDevice(DataTransferMode.FIRST_EXECUTION, a).task("t", ArenaKernels::touch, ArenaKernels.CONTEXT, a).persistOnDevice(a).snapshot());
        grid.addWorkerGrid("up.t", TornadoBackend.workerGrid(1));
        for (int g = 0; g < graphs; g++) {
            TaskGraph tg = new TaskGraph("c" + g);
            if (g == 0) { tg.consumeFromDevice("up", a); if (graphs > 1) tg.consumeFromDevice("c" + (graphs - 1), a); }
            else tg.consumeFromDevice("c" + (g - 1), a);
            for (int t = 0; t < tasks; t++) {
                int r = 1 + g * tasks + t;
                int lr = length(r, len, varied);
                tg.task("o" + r, ArenaKernels::add, ArenaKernels.CONTEXT, a, (r - 1) * len, r * len, r * len, lr);
                grid.addWorkerGrid("c" + g + ".o" + r, TornadoBackend.workerGrid(lr));
            }
            tg.persistOnDevice(a);
            gs.add(tg.snapshot());
        }
        var plan = new TornadoExecutionPlan(gs.toArray(new ImmutableTaskGraph[0]));
        plan.withGridScheduler(grid);
        if (captured) plan.withCUDAGraph();
        var last = plan.withGraph(0).execute();
        double[] ms = new double[execs];
        boolean sample = java.util.Arrays.asList(args).contains("sample");
        StackSampler sampler = null;
        for (int e = 0; e < execs; e++) {
            if (e == 1 && sample) sampler = new StackSampler(Thread.currentThread(), 200);   // after the compiling execution
            long t0 = System.nanoTime();
            for (int g = 0; g < graphs; g++) last = plan.withGraph(1 + g).execute();
            ms[e] = (System.nanoTime() - t0) / 1e6;
        }
        if (sampler != null) System.out.print(sampler.report(30));
        last.transferToHost(a);
        // the same operations in the same order on the host, in float: exact (sums of small integers)
        float[] want = new float[regions * len];
        java.util.Arrays.fill(want, 0, len, 1f);
        for (int e = 0; e < execs; e++)
            for (int r = 1; r < regions; r++)
                for (int j = 0; j < length(r, len, varied); j++) want[r * len + j] += want[(r - 1) * len + j];
        int bad = 0;
        String first = "";
        for (int k = len; k < a.length; k++)
            if (a[k] != want[k]) { if (bad == 0) first = "region " + k / len + " element " + k % len + ": " + a[k] + " vs " + want[k]; bad++; }
        System.out.println("arena chain " + graphs + " graphs x " + tasks + " tasks x " + len + " floats" + (varied ? " (varied lengths)" : "")
                + ", " + execs + " executions: "
                + (bad == 0 ? "all " + (regions - 1) * len + " values right" : bad + " wrong, first " + first));
        if (execs > 1) {
            double[] later = java.util.Arrays.copyOfRange(ms, 1, execs);
            java.util.Arrays.sort(later);
            double med = later[later.length / 2];
            System.out.printf("arena chain%s: %.3f ms per execution after the first (median of %d), %.1f us per task%n", captured ? " captured" : "", med,
                    later.length, med * 1000 / (graphs * tasks));
        }
        plan.freeDeviceMemory();
    }

    private static int length(int r, int len, boolean varied) { return varied ? Math.max(1, len - (r % 8) * (len / 8)) : len; }
}
