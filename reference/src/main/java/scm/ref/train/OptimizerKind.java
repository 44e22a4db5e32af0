package scm.ref.train;

import java.util.Locale;

/** The optimizers the trainer can build (sCM App. G and CM App. C train with RAdam; teachers with Adam). */
public enum OptimizerKind {
    ADAM, RADAM;

    public String text() { return name().toLowerCase(Locale.ROOT); }

    public static OptimizerKind parse(String s) {
        if (s != null) for (OptimizerKind k : values()) if (k.text().equalsIgnoreCase(s.trim())) return k;
        throw new IllegalArgumentException("unknown optimizer '" + s + "' (adam, radam)");
    }
}
