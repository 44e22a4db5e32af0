package scm.cli;

import java.util.List;
import java.util.Locale;
import scm.ref.data.Digits;
import scm.ref.data.Toy2D;
import scm.ref.tensor.Batch;

/** The data sets {@code scm train} knows: the bundled 8x8 digits (64-d, [-1, 1]) and scm.ref.data's 2-D toys. */
final class TrainData {
    private TrainData() {}

    static final List<String> NAMES = List.of("digits", "ring8", "grid25", "moons", "checkerboard", "swissroll");

    static String canonical(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
        if (!NAMES.contains(n)) throw new IllegalArgumentException("unknown dataset '" + name + "' (" + String.join(", ", NAMES) + ")");
        return n;
    }

    /** The training rows: all 1797 digits, or {@code toySize} toy points drawn with {@code seed}. */
    static Batch training(String name, int toySize, long seed) {
        return name.equals("digits") ? Digits.load().x() : toy(name).sample(toySize, seed);
    }

    /** Held-out reference rows for metrics: the digits themselves (there is no test split), fresh toy points otherwise. */
    static Batch reference(String name, int n, long seed) {
        return name.equals("digits") ? Digits.load().x() : toy(name).sample(n, seed ^ 0x5DEECE66DL);
    }

    static int dim(String name) { return name.equals("digits") ? Digits.PIXELS : 2; }

    private static Toy2D toy(String name) {
        return switch (name) {
            case "ring8" -> Toy2D.RING8;
            case "grid25" -> Toy2D.GRID25;
            case "moons" -> Toy2D.MOONS;
            case "checkerboard" -> Toy2D.CHECKERBOARD;
            case "swissroll" -> Toy2D.SWISS_ROLL;
            default -> throw new IllegalArgumentException("unknown dataset '" + name + "'");
        };
    }
}
