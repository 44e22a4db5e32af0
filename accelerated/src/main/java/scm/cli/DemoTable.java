package scm.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * Prints the digits demo table: every method's FD and KID on raw pixels and on the digit classifier's features
 * (with the real-vs-real floor row), ms per sample, the FD ratio to the teacher's best FD, the speed-up over the
 * teacher's best row, and the status of the sCM targets (docs/results.md).
 */
final class DemoTable {
    private DemoTable() {}

    static final String[] SPACES = {"pixels", "classifier"};

    /** {@code rows}: teacher rows first (their method().ode() is true), then the students'. */
    static void print(PrintWriter out, List<DemoResult> rows, int n, long seed) {
        DemoResult floorSource = rows.getFirst();
        out.printf(Locale.ROOT, "%-38s %4s %9s %9s %9s %9s %10s %8s %8s %8s%n", "method", "NFE", "FD px", "KID px", "FD cls", "KID cls",
                "ms/sample", "FDpx/best", "FDcls/best", "speed-up");
        out.printf(Locale.ROOT, "%-38s %4s %9.4f %9.5f %9.4f %9.5f %10s %8s %8s %8s%n", "real vs real (floor, 898 vs 899)", "-",
                floorSource.value("FD floor (pixels)"), floorSource.value("KID floor (pixels)"),
                floorSource.value("FD floor (classifier)"), floorSource.value("KID floor (classifier)"), "-", "-", "-", "-");
        DemoResult bestPx = best(rows, "pixels"), bestCls = best(rows, "classifier");
        for (DemoResult r : rows)
            out.printf(Locale.ROOT, "%-38s %4d %9.4f %9.5f %9.4f %9.5f %10.4f %8.3f %8.3f %7.1fx%n", r.method().label(), r.method().nfe(),
                    r.value("FD (pixels)"), r.value("KID (pixels)"), r.value("FD (classifier)"), r.value("KID (classifier)"), r.msPerSample(),
                    r.value("FD (pixels)") / bestPx.value("FD (pixels)"), r.value("FD (classifier)") / bestCls.value("FD (classifier)"),
                    bestPx.msPerSample() / r.msPerSample());
        out.printf(Locale.ROOT, "FD/best: ratio to the teacher's best FD in the same feature space (pixels: %s; classifier: %s). "
                + "speed-up: ms/sample of the teacher's best-pixel-FD row (%s) / this row's.%n",
                bestPx.method().label(), bestCls.method().label(), bestPx.method().label());
        out.printf(Locale.ROOT, "Every row: %d generated samples (noise seed %d) vs the 1797 real digits (metric seed %d); FD is biased upwards "
                + "at finite n, so compare rows only at equal n; KID is unbiased (its floor fluctuates around 0).%n", n, seed, seed);
        targets(out, rows);
    }

    private static DemoResult best(List<DemoResult> rows, String space) {
        DemoResult b = null;
        for (DemoResult r : rows)
            if (r.method().ode() && (b == null || r.value("FD (" + space + ")") < b.value("FD (" + space + ")"))) b = r;
        if (b == null) throw new IllegalStateException("no teacher row");
        return b;
    }

    private static void targets(PrintWriter out, List<DemoResult> rows) {
        DemoResult one = find(rows, "sCD 1-step"), two = find(rows, "sCD 2-step");
        if (one == null || two == null) return;
        out.println("sCM targets (docs/results.md): sCD 2-step FD within 10% of the teacher's best (aim 5%), 1-step within 25%, "
                + "2-step >= 20x faster (aim 50x) than the teacher row of equal quality:");
        for (String space : SPACES) {
            String key = "FD (" + space + ")";
            DemoResult b = best(rows, space);
            double r2 = two.value(key) / b.value(key), r1 = one.value(key) / b.value(key);
            DemoResult equal = null;
            for (DemoResult r : rows)
                if (r.method().ode() && r.value(key) <= two.value(key) && (equal == null || r.method().nfe() < equal.method().nfe())) equal = r;
            String speed = equal == null
                    ? String.format(Locale.ROOT, "no teacher row reaches its FD; vs the teacher's best (NFE %d): %.1fx", b.method().nfe(), b.msPerSample() / two.msPerSample())
                    : String.format(Locale.ROOT, "vs the cheapest teacher row at least as good (NFE %d): %.1fx [%s]", equal.method().nfe(),
                            equal.msPerSample() / two.msPerSample(), equal.msPerSample() / two.msPerSample() >= 20 ? "met" : "missed");
            out.printf(Locale.ROOT, "  %-10s 2-step %.3f x best [%s], 1-step %.3f x best [%s]; speed: %s%n", space, r2, r2 <= 1.10 ? "met" : "missed",
                    r1, r1 <= 1.25 ? "met" : "missed", speed);
        }
    }

    private static DemoResult find(List<DemoResult> rows, String label) {
        return rows.stream().filter(r -> r.method().label().equals(label)).findFirst().orElse(null);
    }
}
