package scm.ref.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One evaluation EMA of the trainable weights (sCM Alg. 1 uses no EMA target: the EMA is only for evaluation; CM (docs/math.md §7): the eval EMA is
 * separate from any target network). Three parameterisations, as infra's scm.ref.optim provides:
 * <ul>
 *   <li>{@code decay=beta}: constant decay per optimizer step, ema = beta*ema + (1-beta)*theta
 *       (CM Tab. 3: 0.9999, 0.999943; iCT: 0.99993).</li>
 *   <li>{@code halflife=H}: half-life in training samples (images); per step beta = 0.5^(batch/H)
 *       (sCM CIFAR-10: 0.5 Mimg).</li>
 *   <li>{@code power=sigma_rel}: EDM2 power-function EMA with relative standard deviation sigma_rel
 *       (sCM ImageNet: 0.05).</li>
 * </ul>
 * The text form {@code kind=value} is what {@link TrainConfig} writes to checkpoint metadata; a list
 * is comma separated. The checkpoint tensor prefix of EMA number i is {@code ema.i.} (see
 * {@link CheckpointNames}).
 */
public record EmaSpec(Kind kind, double value) {

    public enum Kind {
        DECAY("decay"), HALF_LIFE("halflife"), POWER("power");
        final String key;
        Kind(String key) { this.key = key; }
    }

    public EmaSpec {
        if (kind == null) throw new IllegalArgumentException("EMA kind is null");
        if (!Double.isFinite(value)) throw new IllegalArgumentException("EMA " + kind.key + " must be finite, got " + value);
        switch (kind) {
            case DECAY -> { if (!(value >= 0 && value < 1)) throw new IllegalArgumentException("EMA decay must be in [0, 1), got " + value); }
            case HALF_LIFE -> { if (!(value > 0)) throw new IllegalArgumentException("EMA half-life (samples) must be > 0, got " + value); }
            case POWER -> { if (!(value > 0 && value < 0.28867513459481287))
                    throw new IllegalArgumentException("EMA power sigma_rel must be in (0, 1/sqrt(12)), got " + value); }
        }
    }

    public static EmaSpec decay(double beta) { return new EmaSpec(Kind.DECAY, beta); }
    public static EmaSpec halfLife(double samples) { return new EmaSpec(Kind.HALF_LIFE, samples); }
    public static EmaSpec power(double sigmaRel) { return new EmaSpec(Kind.POWER, sigmaRel); }

    /** {@code kind=value}, the inverse of {@link #parse}; the value is Double.toString, which round-trips exactly. */
    public String text() { return kind.key + "=" + value; }

    public static EmaSpec parse(String s) {
        if (s == null) throw new IllegalArgumentException("EMA spec is null");
        int eq = s.indexOf('=');
        if (eq < 0) throw new IllegalArgumentException("EMA spec '" + s + "' is not kind=value (kind: decay, halflife, power)");
        String k = s.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        double v;
        try { v = Double.parseDouble(s.substring(eq + 1).trim()); }
        catch (NumberFormatException e) { throw new IllegalArgumentException("EMA spec '" + s + "': value is not a number", e); }
        for (Kind kind : Kind.values()) if (kind.key.equals(k)) return new EmaSpec(kind, v);
        throw new IllegalArgumentException("EMA spec '" + s + "': unknown kind '" + k + "' (decay, halflife, power)");
    }

    public static String listText(List<EmaSpec> specs) {
        return String.join(",", specs.stream().map(EmaSpec::text).toList());
    }

    public static List<EmaSpec> parseList(String s) {
        if (s == null) throw new IllegalArgumentException("EMA list is null");
        List<EmaSpec> out = new ArrayList<>();
        if (s.isBlank()) return List.of();
        for (String part : s.split(",")) out.add(parse(part));
        return List.copyOf(out);
    }
}
