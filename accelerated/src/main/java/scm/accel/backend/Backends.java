package scm.accel.backend;

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
