package scm.props;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.quicktheories.QuickTheory;
import org.quicktheories.api.AsString;
import org.quicktheories.core.ExceptionReporter;
import org.quicktheories.core.Gen;
import org.quicktheories.core.Reporter;
import org.quicktheories.impl.Constraint;
import scm.ref.tensor.Check;
import scm.ref.trigflow.TrigFlow;

/**
 * Property checks on QuickTheories (inside ordinary JUnit 5 {@code @Test} methods), with the boundary cases
 * made explicit.
 *
 * <p>{@code Props.check(tries, args..., body)} runs {@code body} on:
 * <ol>
 *   <li>first the <b>boundary cases</b>: every combination of the arguments' boundary values ({@link Arg#edges},
 *       e.g. the ends of a range, 0 inside it, t = pi/2, one-element batches) where that grid fits in half the
 *       tries; otherwise each boundary value of each argument once (the other arguments drawn at random), then
 *       random points of the grid up to half the tries;</li>
 *   <li>then {@code tries} random examples generated, and on failure shrunk, by QuickTheories.</li>
 * </ol>
 * So a property runs at least its {@code tries} random examples (the count it had before the move to
 * QuickTheories, where implicit edge cases were part of it) plus up to half as many explicit boundary cases.
 * A failure names the seed, the (shrunk) counterexample and the command-line switch that reruns it.
 *
 * <p>Switches (system properties; Maven passes {@code -D...} on to the test JVM):
 * <ul>
 *   <li>{@code -Dscm.props.seed=S}: run every property with seed S (a failure prints the seed it ran with);</li>
 *   <li>{@code -Dscm.props.examples=N}: N tries for every property, instead of each property's own count;</li>
 *   <li>{@code -Dscm.props.scale=F}: each property's own count times F (e.g. 10 for a longer soak);</li>
 *   <li>{@code -Dscm.props.shrinks=K}: at most K shrink steps after a failure (default 10 per try, 20..1000);</li>
 *   <li>{@code -Dscm.props.boundary=false}: random examples only (e.g. to see what they alone would catch).</li>
 * </ul>
 * Every run prints one line {@code [property] Class.method: N tries (B boundary + R random), seed S} that
 * {@code bin/test}'s summary counts.
 */
public final class Props {

    private Props() {}

    /** The random draws an argument is built from: a long in [min, max]. */
    @FunctionalInterface
    public interface Source {
        long between(long min, long max);

        /** A uniform double in [0, 1] with 53 random bits (1 included, as QuickTheories' own doubles). */
        default double unit() { return between(0, 1L << 53) * 0x1.0p-53; }

        /** A uniform double in [min, max], ends included. */
        default double between(double min, double max) { return Math.min(max, min + unit() * (max - min)); }

        default int between(int min, int max) { return (int) between((long) min, (long) max); }

        default boolean bool() { return between(0L, 1L) == 1; }
    }

    /** One argument of a property: how to draw it, its boundary values, how to print it. */
    public static final class Arg<T> {
        final Function<Source, T> draw;
        final List<T> edges;
        final int mixPercent;
        final AsString<T> show;

        Arg(Function<Source, T> draw, List<T> edges, int mixPercent, AsString<T> show) {
            this.draw = draw;
            this.edges = List.copyOf(edges);
            this.mixPercent = mixPercent;
            this.show = show;
        }

        /** The same argument with these boundary values as well. */
        @SafeVarargs
        public final Arg<T> withEdges(T... more) {
            List<T> all = new ArrayList<>(edges);
            for (T t : more) if (!all.contains(t)) all.add(t);
            return new Arg<>(draw, all, mixPercent, show);
        }

        /** The same argument with exactly these boundary values (none: purely random). */
        @SafeVarargs
        public final Arg<T> onlyEdges(T... values) { return new Arg<>(draw, List.of(values), mixPercent, show); }

        /** Random examples also pick one of the boundary values, with this probability in percent. */
        public Arg<T> mixingEdges(int percent) { return new Arg<>(draw, edges, percent, show); }

        /** The argument mapped through f, boundary values included. */
        public <R> Arg<R> map(Function<T, R> f) {
            return new Arg<>(draw.andThen(f), edges.stream().map(f).toList(), mixPercent, String::valueOf);
        }

        T draw(Source s) {
            if (mixPercent > 0 && !edges.isEmpty() && s.between(0L, 99L) < mixPercent)
                return edges.get(s.between(0, edges.size() - 1));
            return draw.apply(s);
        }
    }

    // ---------------------------------------------------------------- arguments

    /** Any long, for seeding a random generator: no boundary values (every seed is as good as any other). */
    public static Arg<Long> seeds() { return arg(s -> s.between(Long.MIN_VALUE, Long.MAX_VALUE)); }

    /** An int in [min, max]; boundary values min and max. */
    public static Arg<Integer> ints(int min, int max) {
        return new Arg<>(s -> s.between(min, max), distinct(min, max), 0, String::valueOf);
    }

    /** A long in [min, max]; boundary values min and max. */
    public static Arg<Long> longs(long min, long max) {
        return new Arg<>(s -> s.between(min, max), distinct(min, max), 0, String::valueOf);
    }

    /** A double in [min, max] (full precision); boundary values min, max and 0 when inside. */
    public static Arg<Double> doubles(double min, double max) {
        List<Double> e = new ArrayList<>(distinct(min, max));
        if (min < 0 && max > 0) e.add(0.0);
        return new Arg<>(s -> s.between(min, max), e, 0, d -> Double.toString(d));
    }

    /**
     * A TrigFlow time in [min, max] within [0, pi/2]: {@link #doubles} plus, where inside [min, max], the times
     * where formulas break first: 0, the smallest subnormal, 1e-300, 1e-8, t_mid = 1.1, t_max = atan(160),
     * pi/2 - 1e-12, the double below pi/2 and pi/2 itself ({@link Check#HALF_PI}).
     */
    public static Arg<Double> times(double min, double max) {
        Arg<Double> a = doubles(min, max);
        for (double t : new double[] {0, Double.MIN_VALUE, 1e-300, 1e-8, TrigFlow.T_MID, Math.atan(160),
                Check.HALF_PI - 1e-12, Math.nextDown(Check.HALF_PI), Check.HALF_PI})
            if (t >= min && t <= max) a = a.withEdges(t);
        return a;
    }

    public static Arg<Boolean> booleans() { return new Arg<>(Source::bool, List.of(false, true), 0, String::valueOf); }

    /** One of these values, each a boundary value. */
    @SafeVarargs
    public static <T> Arg<T> oneOf(T... values) {
        List<T> v = List.of(values);
        return new Arg<>(s -> v.get(s.between(0, v.size() - 1)), v, 0, String::valueOf);
    }

    /** A value built from random draws; no boundary values unless added with {@link Arg#withEdges}. */
    public static <T> Arg<T> arg(Function<Source, T> draw) { return new Arg<>(draw, List.of(), 0, String::valueOf); }

    @SafeVarargs
    private static <T> List<T> distinct(T... v) { return Arrays.stream(v).distinct().toList(); }

    // ---------------------------------------------------------------- bodies

    /** Marks an example outside the property's domain: it is skipped (counted as rejected). */
    public static void assume(boolean condition) {
        if (!condition) throw new Rejected();
    }

    static final class Rejected extends RuntimeException {
        Rejected() { super("example rejected by Props.assume", null, false, false); }
    }

    @FunctionalInterface public interface Body1<A> { void run(A a) throws Throwable; }
    @FunctionalInterface public interface Body2<A, B> { void run(A a, B b) throws Throwable; }
    @FunctionalInterface public interface Body3<A, B, C> { void run(A a, B b, C c) throws Throwable; }
    @FunctionalInterface public interface Body4<A, B, C, D> { void run(A a, B b, C c, D d) throws Throwable; }
    @FunctionalInterface public interface Body5<A, B, C, D, E> { void run(A a, B b, C c, D d, E e) throws Throwable; }
    @FunctionalInterface public interface Body6<A, B, C, D, E, F> { void run(A a, B b, C c, D d, E e, F f) throws Throwable; }

    @FunctionalInterface private interface BodyN { void run(Object[] v) throws Throwable; }

    public static <A> void check(int tries, Arg<A> a, Body1<A> body) {
        run(tries, List.of(a), v -> body.run(cast(v[0])));
    }

    public static <A, B> void check(int tries, Arg<A> a, Arg<B> b, Body2<A, B> body) {
        run(tries, List.of(a, b), v -> body.run(cast(v[0]), cast(v[1])));
    }

    public static <A, B, C> void check(int tries, Arg<A> a, Arg<B> b, Arg<C> c, Body3<A, B, C> body) {
        run(tries, List.of(a, b, c), v -> body.run(cast(v[0]), cast(v[1]), cast(v[2])));
    }

    public static <A, B, C, D> void check(int tries, Arg<A> a, Arg<B> b, Arg<C> c, Arg<D> d, Body4<A, B, C, D> body) {
        run(tries, List.of(a, b, c, d), v -> body.run(cast(v[0]), cast(v[1]), cast(v[2]), cast(v[3])));
    }

    public static <A, B, C, D, E> void check(int tries, Arg<A> a, Arg<B> b, Arg<C> c, Arg<D> d, Arg<E> e,
                                             Body5<A, B, C, D, E> body) {
        run(tries, List.of(a, b, c, d, e), v -> body.run(cast(v[0]), cast(v[1]), cast(v[2]), cast(v[3]), cast(v[4])));
    }

    public static <A, B, C, D, E, F> void check(int tries, Arg<A> a, Arg<B> b, Arg<C> c, Arg<D> d, Arg<E> e, Arg<F> f,
                                                Body6<A, B, C, D, E, F> body) {
        run(tries, List.of(a, b, c, d, e, f),
                v -> body.run(cast(v[0]), cast(v[1]), cast(v[2]), cast(v[3]), cast(v[4]), cast(v[5])));
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) { return (T) o; }

    // ---------------------------------------------------------------- the run

    /** The tries a property runs with: its own count, or as the switches say. */
    static int tries(int own) {
        String n = System.getProperty("scm.props.examples");
        if (n != null && !n.isBlank()) return Math.max(1, Integer.parseInt(n.trim()));
        String f = System.getProperty("scm.props.scale");
        if (f != null && !f.isBlank()) return Math.max(1, (int) Math.ceil(own * Double.parseDouble(f.trim())));
        return own;
    }

    static long seed() {
        String s = System.getProperty("scm.props.seed");
        if (s != null && !s.isBlank()) return Long.parseLong(s.trim());
        return new SplittableRandom().nextLong();  // a fresh seed per property and run, printed
    }

    private static void run(int ownTries, List<Arg<?>> args, BodyN body) {
        StackWalker.StackFrame caller = StackWalker.getInstance()
                .walk(s -> s.filter(f -> !f.getClassName().equals(Props.class.getName())).findFirst()).orElseThrow();
        String cls = caller.getClassName(), name = cls.substring(cls.lastIndexOf('.') + 1) + "." + caller.getMethodName();
        String rerun = "-Dtest='" + cls.substring(cls.lastIndexOf('.') + 1) + "#" + caller.getMethodName() + "'";
        int tries = tries(ownTries);
        long seed = seed();
        boolean withBoundary = !"false".equals(System.getProperty("scm.props.boundary"));
        String hint = "rerun this property with this seed: bin/test -pl properties -am -Dscm.props.seed=" + seed
                + (tries != ownTries ? " -Dscm.props.examples=" + tries : "")
                + (withBoundary ? "" : " -Dscm.props.boundary=false")
                + " " + rerun + " -Dsurefire.failIfNoSpecifiedTests=false";

        // 1. boundary cases, deterministic given the seed
        List<Object[]> boundary = withBoundary ? boundaryCases(args, tries / 2, new SplittableRandom(seed)) : List.of();
        int rejected = 0;
        for (int k = 0; k < boundary.size(); k++) {
            Object[] v = boundary.get(k);
            try {
                body.run(v);
            } catch (Rejected r) {
                rejected++;
            } catch (Throwable t) {
                throw new AssertionError(name + " failed at boundary case " + (k + 1) + "/" + boundary.size() + ": "
                        + show(args, v) + "\nseed " + seed + "; " + hint + "\ncause: " + t, t);
            }
        }

        // 2. random examples: QuickTheories generates, shrinks and reports (seed and smallest counterexample).
        // It skips an example whose draws repeat an earlier one, and Props.assume may reject some, so it is given
        // room for more and the body runs until `random` examples have been checked (fewer only when a small
        // finite domain runs out of distinct values, i.e. when it has been covered exhaustively).
        int random = tries;
        AtomicInteger ran = new AtomicInteger(), rejectedRandom = new AtomicInteger();
        boolean[] failed = {false};
        if (random > 0) {
            Gen<Object[]> gen = in -> {
                Source s = (min, max) -> in.next(Constraint.between(min, max));
                Object[] v = new Object[args.size()];
                for (int i = 0; i < v.length; i++) v[i] = args.get(i).draw(s);
                return v;
            };
            int shrinks = Integer.getInteger("scm.props.shrinks", Math.min(1000, Math.max(20, 10 * tries)));
            QuickTheory.qt()
                    .withFixedSeed(seed)
                    .withExamples(3 * random + 20)
                    .withShrinkCycles(shrinks)
                    .withReporter(new HintingReporter(name, hint))
                    .forAll(gen.describedAs(v -> show(args, v)))
                    .checkAssert(v -> {
                        // once enough examples passed, the remaining ones are skipped (unless shrinking a failure)
                        if (!failed[0] && ran.get() - rejectedRandom.get() >= random) return;
                        try {
                            if (!failed[0]) ran.incrementAndGet();
                            body.run(v);
                        } catch (Rejected r) {
                            if (!failed[0]) rejectedRandom.incrementAndGet();
                        } catch (RuntimeException | Error e) {
                            failed[0] = true;
                            throw e;
                        } catch (Throwable t) {
                            failed[0] = true;
                            throw new AssertionError(t);
                        }
                    });
        }
        int total = boundary.size() + ran.get(), checked = total - rejected - rejectedRandom.get();
        if (checked < (total + 1) / 2)
            throw new AssertionError(name + ": too many examples rejected by Props.assume (" + (total - checked) + " of "
                    + total + "); seed " + seed);
        System.out.println("[property] " + name + ": " + total + " tries (" + boundary.size() + " boundary + " + ran.get()
                + " random" + (total > checked ? ", " + (total - checked) + " rejected" : "") + "), seed " + seed);
    }

    /**
     * The boundary cases: the full grid of boundary values when it has at most {@code cap} points, otherwise
     * each boundary value of each argument once with the others drawn from {@code r}, then random grid points,
     * {@code cap} in all.
     */
    static List<Object[]> boundaryCases(List<Arg<?>> args, int cap, SplittableRandom r) {
        Source s = (min, max) -> (min == Long.MIN_VALUE && max == Long.MAX_VALUE) ? r.nextLong()
                : max == Long.MAX_VALUE ? min + (r.nextLong() >>> 1) % (max - min) : r.nextLong(min, max + 1);
        long grid = 1;
        for (Arg<?> a : args) grid *= Math.max(1, a.edges.size());
        List<Object[]> out = new ArrayList<>();
        boolean any = args.stream().anyMatch(a -> !a.edges.isEmpty());
        if (!any || cap == 0) return out;
        if (grid <= cap) {
            int[] idx = new int[args.size()];
            for (long g = 0; g < grid; g++) {
                Object[] v = new Object[args.size()];
                for (int i = 0; i < v.length; i++) {
                    Arg<?> a = args.get(i);
                    v[i] = a.edges.isEmpty() ? a.draw.apply(s) : a.edges.get(idx[i]);
                }
                out.add(v);
                for (int i = 0; i < idx.length; i++) {  // odometer over the edge lists
                    if (++idx[i] < Math.max(1, args.get(i).edges.size())) break;
                    idx[i] = 0;
                }
            }
        } else {
            for (int i = 0; i < args.size(); i++) {
                for (Object e : args.get(i).edges) {
                    Object[] v = new Object[args.size()];
                    for (int j = 0; j < v.length; j++) v[j] = j == i ? e : args.get(j).draw.apply(s);
                    out.add(v);
                }
            }
            if (out.size() > cap) out = new ArrayList<>(out.subList(0, cap));
            while (out.size() < cap) {  // then random points of the grid, for combinations of boundary values
                Object[] v = new Object[args.size()];
                for (int i = 0; i < v.length; i++) {
                    Arg<?> a = args.get(i);
                    v[i] = a.edges.isEmpty() ? a.draw.apply(s) : a.edges.get(r.nextInt(a.edges.size()));
                }
                out.add(v);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static String show(List<Arg<?>> args, Object[] v) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < v.length; i++) {
            if (i > 0) b.append(", ");
            b.append(((AsString<Object>) args.get(i).show).asString(v[i]));
        }
        return b.append(")").toString();
    }

    /** QuickTheories' own report (seed, smallest falsifying values, cause) plus the property's name and rerun switch. */
    private record HintingReporter(String name, String hint) implements Reporter {
        private static final Reporter BASE = new ExceptionReporter();

        @Override
        public void falisification(long seed, int count, Object smallest, Throwable cause, List<Object> examples,
                                   AsString<Object> toString) {
            try {
                BASE.falisification(seed, count, smallest, cause, examples, toString);
            } catch (AssertionError e) {
                throw withHint(e);
            }
        }

        @Override
        public void falisification(long seed, int count, Object smallest, List<Object> examples, AsString<Object> toString) {
            try {
                BASE.falisification(seed, count, smallest, examples, toString);
            } catch (AssertionError e) {
                throw withHint(e);
            }
        }

        @Override
        public void valuesExhausted(int completedExamples) { BASE.valuesExhausted(completedExamples); }

        private AssertionError withHint(AssertionError e) {
            return new AssertionError(name + ": " + e.getMessage() + "\n" + hint);
        }
    }
}
