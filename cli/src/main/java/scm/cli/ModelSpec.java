package scm.cli;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.Arrays;
import java.util.List;
import scm.ref.model.MlpConfig;
import scm.ref.model.MlpModel;
import scm.ref.model.unet.UNet;
import scm.ref.model.unet.UNetConfig;
import scm.ref.nn.Module;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * The architecture and role of a stored model, written into every checkpoint's {@code __metadata__} as
 * {@code model.*} keys under the version tag {@code model.spec = scm-mlp/1} and read back by
 * {@link ModelCheckpoint}: a model is rebuilt from this, never guessed from tensor shapes.
 *
 * <p>Keys (all strings): {@code model.spec} (version), {@code model.kind} (diffusion | consistency |
 * consistency-edm), {@code model.dim}, {@code model.width}, {@code model.depth}, {@code model.embDim},
 * {@code model.embedding} (positional | fourier), {@code model.fourierScale}, {@code model.dropout},
 * {@code model.seed} (rebuilds a Fourier embedding's frequencies, which are not stored), {@code model.sigmaD},
 * {@code model.data} (the data set the model generates, or empty).
 *
 * <p><b>Legacy files.</b> Checkpoints written by {@code scm train} before the spec existed (the shipped files in
 * checkpoints/ among them) carry the run's resolved settings as {@code run.*} metadata instead. For exactly that
 * format (a {@code run.objective} key and no {@code model.spec}) the spec is read from those settings:
 * {@code run.model.width/depth/embDim/dropout}, {@code run.sigmaD}, {@code run.data} (which fixes the dimension),
 * the kind from {@code run.objective}, and a positional embedding (the only one {@code scm train} ever built).
 * Nothing is inferred from tensor shapes.
 *
 * <p><b>U-Nets</b> ({@code model.spec = scm-unet/1}): the same kind, seed, sigma_d and data keys, and instead of the
 * MLP's shape the fields of {@link UNetConfig}: {@code model.unet.channels}, {@code .resolution},
 * {@code .baseChannels}, {@code .channelMult} (comma-separated), {@code .blocksPerLevel}, {@code .groups},
 * {@code .embDim}, {@code .heads}, {@code .flashBlockSize}, {@code .dropout}; the construction seed is
 * {@code model.seed}. A U-Net spec has {@code config == null} and {@code unet} set; an MLP spec the reverse.
 *
 * @param kind   how the network's output is used: a TrigFlow diffusion model (velocity, sCM Eq. 1-2), a TrigFlow
 *               consistency model f = cos t x - sin t sigma_d F (sCM Eq. 8), or an EDM-form consistency model
 *               f = c_skip x + c_out F (CM Eq. 5; CD, CT and iCT students)
 * @param config the MLP's shape
 * @param seed   construction seed (matters only for a Fourier embedding)
 * @param sigmaD the data standard deviation sigma_d the model was trained with
 * @param data   the data set it generates ({@link Dataset} name), or null when unknown
 * @param unet   the U-Net's shape when the model is a U-Net (then config is null), else null
 */
public record ModelSpec(Kind kind, MlpConfig config, long seed, double sigmaD, String data, UNetConfig unet) {

    public static final String VERSION = "scm-mlp/1";
    public static final String UNET_VERSION = "scm-unet/1";

    /** An MLP spec. */
    public ModelSpec(Kind kind, MlpConfig config, long seed, double sigmaD, String data) { this(kind, config, seed, sigmaD, data, null); }

    /** A U-Net spec (the construction seed is the config's). */
    public static ModelSpec unet(Kind kind, UNetConfig unet, double sigmaD, String data) { return new ModelSpec(kind, null, unet.seed(), sigmaD, data, unet); }

    public boolean isUNet() { return unet != null; }

    /** The model's data dimension (channels·H·W for a U-Net). */
    public int dim() { return isUNet() ? unet.dim() : config.dim(); }

    /**
     * A fresh float64 reference network of this architecture (an {@link MlpModel} or a {@link UNet}, both a
     * {@link TrigFlowNetwork} and a {@link Module}), initialised from the seed.
     */
    public TrigFlowNetwork build() { return isUNet() ? new UNet(unet) : new MlpModel(config, seed); }
    public static final String VERSION_KEY = "model.spec";

    /** How the network output is used; see the record comment. */
    public enum Kind {
        DIFFUSION("diffusion"), CONSISTENCY("consistency"), CONSISTENCY_EDM("consistency-edm");

        public final String key;

        Kind(String key) { this.key = key; }

        static Kind of(String key, String where) {
            for (Kind k : values()) if (k.key.equals(key)) return k;
            throw new IllegalArgumentException(where + ": model.kind '" + key + "' is not diffusion, consistency or consistency-edm");
        }

        /** The kind a {@code scm train} objective produces. */
        public static Kind ofObjective(String objective) {
            return switch (objective) {
                case "teacher" -> DIFFUSION;
                case "sct", "scd" -> CONSISTENCY;
                case "cd", "ct", "ict" -> CONSISTENCY_EDM;
                default -> throw new IllegalArgumentException("unknown objective '" + objective + "'");
            };
        }

        public boolean isConsistency() { return this != DIFFUSION; }
    }

    public ModelSpec {
        if (kind == null || (config == null) == (unet == null)) throw new IllegalArgumentException("model spec needs a kind and exactly one of an MLP or a U-Net config");
        if (unet != null && unet.seed() != seed) throw new IllegalArgumentException("U-Net spec seed " + seed + " differs from its config's " + unet.seed());
        if (!(sigmaD > 0) || Double.isInfinite(sigmaD)) throw new IllegalArgumentException("model spec sigma_d must be positive and finite, got " + sigmaD);
        if (data != null) data = Dataset.named(data).cliName;
        int dim = config != null ? config.dim() : unet.dim();
        if (data != null && Dataset.named(data).dim() != dim)
            throw new IllegalArgumentException("model spec says data " + data + " (dimension " + Dataset.named(data).dim()
                    + ") but model dimension " + dim);
    }

    /** The metadata entries of this spec. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new TreeMap<>();
        m.put("model.kind", kind.key);
        m.put("model.seed", Long.toString(seed));
        m.put("model.sigmaD", Double.toString(sigmaD));
        m.put("model.data", data == null ? "" : data);
        if (isUNet()) {
            m.put(VERSION_KEY, UNET_VERSION);
            m.put("model.dim", Integer.toString(unet.dim()));
            m.put("model.unet.channels", Integer.toString(unet.channels()));
            m.put("model.unet.resolution", Integer.toString(unet.resolution()));
            m.put("model.unet.baseChannels", Integer.toString(unet.baseChannels()));
            m.put("model.unet.channelMult", String.join(",", unet.channelMult().stream().map(String::valueOf).toList()));
            m.put("model.unet.blocksPerLevel", Integer.toString(unet.blocksPerLevel()));
            m.put("model.unet.groups", Integer.toString(unet.groups()));
            m.put("model.unet.embDim", Integer.toString(unet.embDim()));
            m.put("model.unet.heads", Integer.toString(unet.heads()));
            m.put("model.unet.flashBlockSize", Integer.toString(unet.flashBlockSize()));
            m.put("model.unet.dropout", Double.toString(unet.dropout()));
            return m;
        }
        m.put(VERSION_KEY, VERSION);
        m.put("model.dim", Integer.toString(config.dim()));
        m.put("model.width", Integer.toString(config.width()));
        m.put("model.depth", Integer.toString(config.depth()));
        m.put("model.embDim", Integer.toString(config.embDim()));
        m.put("model.embedding", config.embedding().name().toLowerCase(Locale.ROOT));
        m.put("model.fourierScale", Double.toString(config.fourierScale()));
        m.put("model.dropout", Double.toString(config.dropout()));
        return m;
    }

    /**
     * The spec stored in {@code md}; {@code where} names the file in errors. A file with {@code model.spec} must
     * carry every key of that version; a legacy {@code scm train} file is read as the class comment says; anything
     * else is an IllegalArgumentException.
     */
    public static ModelSpec fromMetadata(Map<String, String> md, String where) {
        String version = md.get(VERSION_KEY);
        if (version == null) {
            if (md.containsKey(RunConfig.META_PREFIX + "objective")) return legacy(md, where);
            throw new IllegalArgumentException(where + " is not a model checkpoint: it has no model spec (metadata "
                    + VERSION_KEY + ") and no scm train settings (run.*)");
        }
        if (version.equals(UNET_VERSION)) return unetFromMetadata(md, where);
        if (!version.equals(VERSION))
            throw new IllegalArgumentException(where + " has model spec version '" + version + "'; this build reads " + VERSION + " and " + UNET_VERSION);
        Kind kind = Kind.of(req(md, "model.kind", where), where);
        MlpConfig.Embedding emb = switch (req(md, "model.embedding", where)) {
            case "positional" -> MlpConfig.Embedding.POSITIONAL;
            case "fourier" -> MlpConfig.Embedding.FOURIER;
            default -> throw new IllegalArgumentException(where + ": model.embedding '" + md.get("model.embedding") + "' is not positional or fourier");
        };
        String data = req(md, "model.data", where);
        try {
            MlpConfig c = new MlpConfig(integer(md, "model.dim", where), integer(md, "model.width", where), integer(md, "model.depth", where),
                    integer(md, "model.embDim", where), emb, number(md, "model.fourierScale", where), number(md, "model.dropout", where));
            return new ModelSpec(kind, c, (long) whole(md, "model.seed", where), number(md, "model.sigmaD", where), data.isEmpty() ? null : data);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(where)) throw e;
            throw new IllegalArgumentException(where + " has an invalid model spec: " + e.getMessage());
        }
    }

    private static ModelSpec unetFromMetadata(Map<String, String> md, String where) {
        Kind kind = Kind.of(req(md, "model.kind", where), where);
        String data = req(md, "model.data", where), p = "model.unet.";
        try {
            List<Integer> mult = Arrays.stream(req(md, p + "channelMult", where).split(",")).map(String::trim).map(Integer::parseInt).toList();
            UNetConfig c = new UNetConfig(integer(md, p + "channels", where), integer(md, p + "resolution", where), integer(md, p + "baseChannels", where),
                    mult, integer(md, p + "blocksPerLevel", where), integer(md, p + "groups", where), integer(md, p + "embDim", where),
                    integer(md, p + "heads", where), integer(md, p + "flashBlockSize", where), whole(md, "model.seed", where), number(md, p + "dropout", where));
            if (md.containsKey("model.dim") && integer(md, "model.dim", where) != c.dim())
                throw new IllegalArgumentException(where + ": model.dim " + md.get("model.dim") + " is not the U-Net's channels·resolution² = " + c.dim());
            return unet(kind, c, number(md, "model.sigmaD", where), data.isEmpty() ? null : data);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": metadata " + p + "channelMult = '" + md.get(p + "channelMult") + "' is not a comma-separated list of integers");
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(where)) throw e;
            throw new IllegalArgumentException(where + " has an invalid model spec: " + e.getMessage());
        }
    }

    private static ModelSpec legacy(Map<String, String> md, String where) {
        String p = RunConfig.META_PREFIX;
        String objective = req(md, p + "objective", where);
        Kind kind;
        try { kind = Kind.ofObjective(objective); }
        catch (IllegalArgumentException e) { throw new IllegalArgumentException(where + ": run.objective '" + objective + "' is unknown"); }
        try {
            Dataset d = Dataset.named(req(md, p + "data", where));
            MlpConfig c = new MlpConfig(d.dim(), integer(md, p + "model.width", where), integer(md, p + "model.depth", where),
                    integer(md, p + "model.embDim", where), MlpConfig.Embedding.POSITIONAL, 0, number(md, p + "model.dropout", where));
            return new ModelSpec(kind, c, 0, number(md, p + "sigmaD", where), d.cliName);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(where)) throw e;
            throw new IllegalArgumentException(where + " has invalid run.* model settings: " + e.getMessage());
        }
    }

    /** A one-line description, e.g. "consistency MLP (dim 2, width 128, depth 3, embDim 32)". */
    public String describe() {
        if (isUNet())
            return kind.key + " U-Net (" + unet.channels() + "x" + unet.resolution() + "x" + unet.resolution() + ", base " + unet.baseChannels()
                    + ", mult " + unet.channelMult() + ", " + unet.blocksPerLevel() + " block(s)/level, embDim " + unet.embDim() + ")";
        return kind.key + " MLP (dim " + config.dim() + ", width " + config.width() + ", depth " + config.depth() + ", embDim " + config.embDim() + ")";
    }

    private static String req(Map<String, String> md, String key, String where) {
        String v = md.get(key);
        if (v == null) throw new IllegalArgumentException(where + " lacks model metadata " + key);
        return v.trim();
    }

    private static long whole(Map<String, String> md, String key, String where) {
        try { return Long.parseLong(req(md, key, where)); }
        catch (NumberFormatException e) { throw new IllegalArgumentException(where + ": metadata " + key + " = '" + md.get(key) + "' is not an integer"); }
    }

    private static int integer(Map<String, String> md, String key, String where) {
        long v = whole(md, key, where);
        if (v != (int) v) throw new IllegalArgumentException(where + ": metadata " + key + " = " + v + " is out of range");
        return (int) v;
    }

    private static double number(Map<String, String> md, String key, String where) {
        try { return Double.parseDouble(req(md, key, where)); }
        catch (NumberFormatException e) { throw new IllegalArgumentException(where + ": metadata " + key + " = '" + md.get(key) + "' is not a number"); }
    }
}
