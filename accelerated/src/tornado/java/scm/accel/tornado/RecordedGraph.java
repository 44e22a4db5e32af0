package scm.accel.tornado;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import scm.accel.tornado.TornadoBackend.Op;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;

/**
 * The operations of one recorded call ({@link TornadoBackend#record}: e.g. a whole training step, network forward,
 * JVP, loss, backward, optimizer and EMA) as ONE TornadoVM task graph, compiled once and executed once per call: the
 * "plan instead of ops" shape of docs/gpu.md, obtained from the same layer code the JVM backend runs rather than from
 * a hand-written graph. Each array is classified by its first use in the operation sequence:
 * <ul>
 * <li>read first and {@code resident} (parameters, optimizer moments, EMA, a teacher's weights): copied to the device at
 *     the first execution only, then living there; read back on demand ({@link #readBack});</li>
 * <li>read first and not resident (the call's inputs, scalar arguments, constants such as embedding frequencies):
 *     copied to the device at every execution;</li>
 * <li>written first (activations, tangents, gradients zeroed by Backend#fill): device-only, never copied back;</li>
 * <li>{@code outputs} (e.g. the per-sample losses): copied back after every execution.</li>
 * </ul>
 * A later call reuses the graph if it issues the same operations on the same arrays with the same integer arguments
 * ({@link #matches}); its scalar values (Adam's bias corrections, the EMA decay, the warm-up factor) are copied into
 * the graph's scalar arrays, which are per-execution inputs. Anything else needs a new graph (the caller builds one).
 */
public final class RecordedGraph implements AutoCloseable {
    private final List<Op> ops;
    private final TornadoExecutionPlan plan;
    private final Set<Object> readable;
    private final int tasks, everyExecution;
    private final long bytesEveryExecution;
    private TornadoExecutionResult last;

    private RecordedGraph(List<Op> ops, TornadoExecutionPlan plan, Set<Object> readable, int tasks, int everyExecution, long bytes) {
        this.ops = ops;
        this.plan = plan;
        this.readable = readable;
        this.tasks = tasks;
        this.everyExecution = everyExecution;
        this.bytesEveryExecution = bytes;
    }

    /**
     * Builds the graph of {@code ops} (not yet compiled: TornadoVM compiles at the first {@link #execute}).
     *
     * @param resident arrays that live on the device between executions (identity)
     * @param outputs  arrays copied back after every execution
     * @param device   TornadoVM {backend, device} indices, or null for the default device
     */
    public static RecordedGraph build(String name, List<Op> ops, Set<Object> resident, Object[] outputs, int[] device, boolean profile) {
        Set<Object> seen = identitySet(), hostInputs = identitySet(), stay = identitySet(), residentUsed = identitySet();
        List<Object> hostOrder = new ArrayList<>(), stayOrder = new ArrayList<>();
        for (Op o : ops) {
            for (Object[] reads : new Object[][] {o.in(), o.inout(), o.scalars() == null ? new Object[0] : new Object[] {o.scalars()}})
                for (Object a : reads)
                    if (seen.add(a)) {
                        if (resident.contains(a)) { stay.add(a); stayOrder.add(a); residentUsed.add(a); }
                        else { hostInputs.add(a); hostOrder.add(a); }
                    }
            for (Object a : o.out())
                if (seen.add(a)) {
                    stay.add(a); stayOrder.add(a);
                    if (resident.contains(a)) residentUsed.add(a);
                }
        }
        for (Object a : outputs)
            if (!seen.contains(a)) throw new IllegalArgumentException("output array is not used by the recorded operations");
        TaskGraph g = new TaskGraph(name);
        if (!hostOrder.isEmpty()) g.transferToDevice(DataTransferMode.EVERY_EXECUTION, hostOrder.toArray());
        if (!stayOrder.isEmpty()) g.transferToDevice(DataTransferMode.FIRST_EXECUTION, stayOrder.toArray());
        GridScheduler grid = new GridScheduler();
        boolean anyGrid = false;
        int tasks = 0;
        for (int q = 0; q < ops.size(); q++) {
            Op o = ops.get(q);
            String prefix = "o" + q;
            g = o.tasks().add(g, prefix, o.scalars() == null ? TornadoBackend.noScalars() : o.scalars());
            tasks += o.launch() == null ? taskCount(o) : o.launch().suffixes().length;
            anyGrid |= launch(grid, name, prefix, o.launch());
        }
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, outputs);
        Set<Object> outSet = identitySet();
        Collections.addAll(outSet, outputs);
        List<Object> onDemand = new ArrayList<>();
        for (Object a : stayOrder) if (residentUsed.contains(a) && !outSet.contains(a)) onDemand.add(a);
        if (!onDemand.isEmpty()) g.transferToHost(DataTransferMode.UNDER_DEMAND, onDemand.toArray());
        TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot());
        if (anyGrid) plan.withGridScheduler(grid);
        if (device != null) plan.withDevice(TornadoExecutionPlan.getDevice(device[0], device[1]));
        if (profile) plan.withProfiler(ProfilerMode.SILENT);
        long bytes = 0;
        for (Object a : hostOrder) bytes += 4L * ((float[]) a).length;
        for (Object a : outputs) bytes += 4L * ((float[]) a).length;
        Set<Object> readable = identitySet();
        readable.addAll(onDemand);
        readable.addAll(outSet);
        return new RecordedGraph(List.copyOf(ops), plan, readable, tasks, hostOrder.size(), bytes);
    }

    private static int taskCount(Op o) { return o.name().equals("paramGrad") || o.name().equals("conv2dParamGrad") ? 2 : 1; }

    private static boolean launch(GridScheduler grid, String graph, String prefix, TornadoBackend.Launch launch) {
        if (launch == null) return false;
        for (int q = 0; q < launch.suffixes().length; q++) {
            int threads = Math.max(1, launch.threads()[q]);
            var wg = new uk.ac.manchester.tornado.api.WorkerGrid1D(threads);
            wg.setLocalWork(TornadoBackend.groupSize(threads), 1, 1);
            grid.addWorkerGrid(graph + "." + prefix + launch.suffixes()[q], wg);
        }
        return true;
    }

    private static Set<Object> identitySet() { return Collections.newSetFromMap(new IdentityHashMap<>()); }

    /** Whether {@code calls} are this graph's operations on the same arrays with the same integer arguments. */
    public boolean matches(List<Op> calls) {
        if (calls.size() != ops.size()) return false;
        for (int q = 0; q < ops.size(); q++) if (!ops.get(q).sameAs(calls.get(q))) return false;
        return true;
    }

    /** Runs the graph with the scalar values of {@code calls} (which must {@link #match}); outputs are on the host after. */
    public void execute(List<Op> calls) {
        for (int q = 0; q < ops.size(); q++) {
            float[] s = ops.get(q).scalars();
            if (s != null) System.arraycopy(calls.get(q).scalars(), 0, s, 0, s.length);
        }
        last = plan.execute();
    }

    /** Copies resident arrays back from the device into their host arrays (after at least one execution). */
    public void readBack(Object... arrays) {
        if (last == null) return;   // never executed: the host arrays are the state
        for (Object a : arrays)
            if (!readable.contains(a)) throw new IllegalArgumentException("array is not resident in this graph");
        last.transferToHost(arrays);
    }

    /** Whether it has executed (resident arrays on the device differ from the host's). */
    public boolean executed() { return last != null; }

    /** TornadoVM's profiler numbers of the last execution (profile on): {kernel ms, total ms, transfer ms}. */
    public double[] profile() {
        if (last == null) return new double[] {Double.NaN, Double.NaN, Double.NaN};
        var r = last.getProfilerResult();
        return new double[] {r.getDeviceKernelTime() / 1e6, r.getTotalTime() / 1e6, r.getDataTransfersTime() / 1e6};
    }

    public int tasks() { return tasks; }

    /** e.g. "one TornadoVM task graph of 712 tasks, 9 arrays (412 KB) copied in and out per execution". */
    public String describe() {
        return "one TornadoVM task graph of " + tasks + " tasks (" + ops.size() + " recorded operations), " + everyExecution
                + " arrays copied in per execution (" + (bytesEveryExecution + 1023) / 1024 + " KB with the outputs)";
    }

    @Override public void close() {
        try { plan.close(); } catch (Exception ignored) { /* freeing device memory only */ }
    }
}
