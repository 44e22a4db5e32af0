package scm.accel.backend;

import java.util.function.Function;
import scm.accel.model.MlpModelF32;
import scm.accel.model.NetworkF32;
import scm.accel.sampling.ResidentConsistencySampler;
import scm.accel.train.ResidentScmStep;

/**
 * Chooses a {@link Backend} by name. "jvm" is always available. "tornado" exists only in a build made
 * with the Maven profile {@code -Ptornado} and run on a TornadoVM-enabled JVM; asking for it otherwise
 * is an error with a message saying why. A fallback to "jvm" happens only through
 * {@link #create(String, boolean)} with {@code allowFallback = true}, and is announced on stderr:
 * never a silent switch.
 */
public final class Backends {
    private Backends() {}

    /** System property naming the backend the property tests and benchmarks use. */
    public static final String PROPERTY = "scm.backend";

    static final String TORNADO_CLASS = "scm.accel.tornado.TornadoBackend", TORNADO_API_CLASS = "uk.ac.manchester.tornado.api.TaskGraph";

    /** The backend named by {@code -Dscm.backend} (default "jvm"), without fallback. */
    public static Backend fromSystemProperty() { return create(System.getProperty(PROPERTY, "jvm")); }

    public static Backend create(String name) { return create(name, false); }

    public static Backend create(String name, boolean allowFallback) {
        if (name == null) throw new IllegalArgumentException("backend name is null (expected \"jvm\" or \"tornado\")");
        switch (name) {
            case "jvm": return new JvmBackend();
            case "tornado":
                try {
                    return tornado();
                } catch (IllegalStateException e) {
                    if (!allowFallback) throw e;
                    System.err.println("scm: " + e.getMessage() + " -- falling back to the jvm backend as requested");
                    return new JvmBackend();
                }
            default: throw new IllegalArgumentException("unknown backend \"" + name + "\" (expected \"jvm\" or \"tornado\")");
        }
    }

    static final String ARENA_SCM_CLASS = "scm.accel.tornado.ArenaScmStep";
    static final String RESIDENT_SCM_CLASS = "scm.accel.tornado.TornadoResidentScmStep",
            RESIDENT_SAMPLER_CLASS = "scm.accel.tornado.TornadoResidentSampler";

    /**
     * The sCT (teacher null) or sCD step of {@code student} as one resident TornadoVM task graph
     * ({@link ResidentScmStep}), starting from the student's parameters (EMA there too, moments zero); reached by
     * reflection like the tornado backend itself. IllegalStateException when this build or JVM has no TornadoVM
     * or the graph cannot be built; IllegalArgumentException for a model it does not support
     * ({@link ResidentScmStep#unsupported}); UnsupportedOperationException for a step the graph does not implement yet.
     */
    public static ResidentScmStep residentScmStep(MlpModelF32 student, MlpModelF32 teacher, ResidentScmStep.Settings settings) {
        String why = ResidentScmStep.unsupported(student.config());
        if (why != null) throw new IllegalArgumentException("the resident sCM step does not support " + why);
        return (ResidentScmStep) construct(RESIDENT_SCM_CLASS, "training step", new Class<?>[] {MlpModelF32.class, MlpModelF32.class,
                ResidentScmStep.Settings.class}, student, teacher, settings);
    }

    /**
     * The sCT (teacher null) or sCD step of any float32 network (the U-Net; MLPs the fused graph does not cover) as a
     * recorded computation resident on the device in one array (scm.accel.tornado.ArenaScmStep): {@code student} and
     * {@code teacher} build the float32 networks on the backend they are given (it records). The networks must have no
     * dropout (the step carries no step seed). Reached by reflection; IllegalStateException without TornadoVM.
     */
    public static ResidentScmStep arenaScmStep(Function<Backend, NetworkF32> student, Function<Backend, NetworkF32> teacher,
                                               ResidentScmStep.Settings settings) {
        return (ResidentScmStep) construct(ARENA_SCM_CLASS, "arena training step", new Class<?>[] {Function.class, Function.class,
                ResidentScmStep.Settings.class}, student, teacher, settings);
    }

    /**
     * The K-step consistency sampler of {@code model} for batches of n as one resident TornadoVM task graph
     * ({@link ResidentConsistencySampler}), weights copied once; by reflection. IllegalArgumentException for a model
     * or size the graph does not support, IllegalStateException without TornadoVM.
     */
    public static ResidentConsistencySampler residentSampler(MlpModelF32 model, int n, int steps, double sigmaD) {
        return (ResidentConsistencySampler) construct(RESIDENT_SAMPLER_CLASS, "sampler", new Class<?>[] {MlpModelF32.class, int.class, int.class,
                double.class}, model, n, steps, sigmaD);
    }

    private static Object construct(String className, String what, Class<?>[] types, Object... args) {
        Class<?> c;
        try {
            Class.forName(TORNADO_API_CLASS);
            c = Class.forName(className);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException("the resident TornadoVM " + what + " is not available: this build of scm-accelerated was made "
                    + "without the Maven profile -Ptornado (see docs/gpu.md), or TornadoVM is not on the module path", e);
        }
        try {
            return c.getConstructor(types).newInstance(args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException iae) throw iae;
            if (e.getCause() instanceof UnsupportedOperationException uoe) throw uoe;
            throw new IllegalStateException("the resident TornadoVM " + what + " failed to start: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("the resident TornadoVM " + what + " failed to start: " + e, e);
        }
    }

    private static Backend tornado() {
        Class<?> c;
        try {
            // TornadoVM's API first: a -Ptornado build started without the argfile (or a default build that still holds
            // the classes of an earlier -Ptornado build) then gets this message, not a failure inside TornadoBackend
            Class.forName(TORNADO_API_CLASS);
            c = Class.forName(TORNADO_CLASS);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException("the tornado backend is not available: this build of scm-accelerated was made without "
                    + "the Maven profile -Ptornado (see docs/gpu.md), or TornadoVM is not on the module path (run with the "
                    + "TornadoVM argfile: java @$TORNADOVM_HOME/tornado-argfile ...)", e);
        }
        try {
            return (Backend) c.getConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("the tornado backend failed to start: " + cause, cause);
        }
    }
}
