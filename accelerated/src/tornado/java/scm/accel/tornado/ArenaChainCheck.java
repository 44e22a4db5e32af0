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
 * a[r·L + j] += a[(r−1)·L + j] + 1 on its own region r (so every task depends on the one before it, across graph
 * boundaries too), executed E times like ArenaGraph (upload once, then the chain); prints whether every element holds
 * its expected value. Usage: {@code ArenaChainCheck G T L E}.
 */
public final class ArenaChainCheck {
    private ArenaChainCheck() {}

    public static void main(String[] args) {
        int graphs = Integer.parseInt(args[0]), tasks = Integer.parseInt(args[1]), len = Integer.parseInt(args[2]), execs = Integer.parseInt(args[3]);
        TornadoBackend.strict();
        int regions = graphs * tasks + 1;
        float[] a = new float[regions * len];
        java.util.Arrays.fill(a, 0, len, 1f);
        List<ImmutableTaskGraph> gs = new ArrayList<>();
        GridScheduler grid = new GridScheduler();
        gs.add(new TaskGraph("up").transferToDevice(DataTransferMode.FIRST_EXECUTION, a).task("t", ArenaKernels::touch, a).persistOnDevice(a).snapshot());
        grid.addWorkerGrid("up.t", TornadoBackend.workerGrid(1));
        for (int g = 0; g < graphs; g++) {
            TaskGraph tg = new TaskGraph("c" + g);
            if (g == 0) { tg.consumeFromDevice("up", a); if (graphs > 1) tg.consumeFromDevice("c" + (graphs - 1), a); }
            else tg.consumeFromDevice("c" + (g - 1), a);
            for (int t = 0; t < tasks; t++) {
                int r = 1 + g * tasks + t;
                tg.task("o" + r, ArenaKernels::add, a, (r - 1) * len, r * len, r * len, len);
                grid.addWorkerGrid("c" + g + ".o" + r, TornadoBackend.workerGrid(len));
            }
            tg.persistOnDevice(a);
            gs.add(tg.snapshot());
        }
        var plan = new TornadoExecutionPlan(gs.toArray(new ImmutableTaskGraph[0]));
        plan.withGridScheduler(grid);
        var last = plan.withGraph(0).execute();
        for (int e = 0; e < execs; e++) for (int g = 0; g < graphs; g++) last = plan.withGraph(1 + g).execute();
        last.transferToHost(a);
        // region 0 holds 1; each execution adds region r−1's new value to region r, in order: replayed here in float
        float[] want = new float[regions];
        want[0] = 1f;
        for (int e = 0; e < execs; e++) for (int r = 1; r < regions; r++) want[r] = want[r] + want[r - 1];
        int bad = 0;
        String first = "";
        for (int r = 1; r < regions; r++)
            for (int j = 0; j < len; j++)
                if (a[r * len + j] != want[r]) { if (bad == 0) first = "region " + r + " element " + j + ": " + a[r * len + j] + " vs " + want[r]; bad++; }
        System.out.println("arena chain " + graphs + " graphs x " + tasks + " tasks x " + len + " floats, " + execs + " executions: "
                + (bad == 0 ? "all " + (regions - 1) * len + " values right" : bad + " wrong, first " + first));
        plan.freeDeviceMemory();
    }
}
