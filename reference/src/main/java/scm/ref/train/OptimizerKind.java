package scm.ref.train;

import java.util.Locale;

/** The optimizers the trainer can build (A5: sCM uses RAdam; A10: CM uses RAdam; teachers Adam). */
public enum OptimizerKind {
    ADAM, RADAM;

    public String text() { return name().toLowerCase(Locale.ROOT); }

    public static OptimizerKind parse(String s) {
        if (s != null) for (OptimizerKind k : values()) if (k.text().equalsIgnoreCase(s.trim())) return k;
        throw new IllegalArgumentException("unknown optimizer '" + s + "' (adam, radam)");
    }
}
