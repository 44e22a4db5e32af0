package scm.cli;

import java.io.IOException;
import java.nio.file.Path;
import scm.ref.consistency.EdmAsTrigFlow;
import scm.ref.consistency.EdmConsistencyFunction;
import scm.ref.loss.EdmStudent;
import scm.ref.loss.TrainableNetwork;
import scm.ref.oracle.GaussianMixture;
import scm.ref.oracle.MixtureConsistency;
import scm.ref.oracle.MixtureOracle;
import scm.ref.trigflow.TrigFlow;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * What samples: a trained checkpoint (one network, used as consistency model or as diffusion teacher as the
 * sampler asks) or an analytic model {@code mixture-<toy>}: for the ring8 / grid25 Gaussian mixtures, the exact
 * consistency function (MixtureConsistency, ODE-integrated to rtol 1e-10) and the exact PF-ODE velocity.
 *
 * <p>A checkpoint's kind and data set come from its {@link ModelSpec}: a diffusion teacher has no consistency network
 * (only ODE sampling), an EDM-form student (CD/CT/iCT) has no diffusion network.
 *
 * @param data the data set the model generates, or null when unknown (neither the spec nor --data names one)
 */
public record ModelSource(String description, TrigFlowNetwork consistencyNet, TrigFlowNetwork diffusionNet, double sigmaD, Dataset data) {

    /** As {@link #resolve(Path, String, String, String, BackendOption)} on the float64 reference. */
    public static ModelSource resolve(Path checkpoint, String weights, String model, String dataName) throws IOException {
        return resolve(checkpoint, weights, model, dataName, BackendOption.reference());
    }

    /** The model of --checkpoint or --model; a checkpoint's networks compute on {@code backend} (analytic models are exact float64). */
    static ModelSource resolve(Path checkpoint, String weights, String model, String dataName, BackendOption backend) throws IOException {
        if ((checkpoint == null) == (model == null))
            throw new IllegalArgumentException("give exactly one of --checkpoint FILE or --model mixture-ring8|mixture-grid25");
        Dataset named = dataName == null ? null : Dataset.named(dataName);
        if (model != null) {
            if (!model.startsWith("mixture-")) throw new IllegalArgumentException("unknown model '" + model + "' (known: mixture-ring8, mixture-grid25)");
            Dataset d;
            try { d = Dataset.named(model.substring("mixture-".length())); }
            catch (IllegalArgumentException e) { throw new IllegalArgumentException("unknown model '" + model + "' (known: mixture-ring8, mixture-grid25)"); }
            GaussianMixture mix = d.mixture();
            if (mix == null) throw new IllegalArgumentException("unknown model '" + model + "' (known: mixture-ring8, mixture-grid25)");
            if (named != null && named != d) throw new IllegalArgumentException("--model " + model + " generates " + d.cliName + ", not --data " + named.cliName);
            MixtureOracle oracle = new MixtureOracle(mix, TrigFlow.DEFAULT_SIGMA_D);
            return new ModelSource("analytic " + model + " (exact)", new MixtureConsistency(oracle).network(), oracle.diffusionNetwork(), oracle.sigmaD(), d);
        }
        return of(ModelCheckpoint.read(checkpoint), weights, named, backend);
    }

    /** What samples from a loaded checkpoint: weight group {@code weights}, data set {@code named} or the spec's. */
    public static ModelSource of(ModelCheckpoint c, String weights, Dataset named) { return of(c, weights, named, BackendOption.reference()); }

    /** As above, the networks computing on {@code backend} ({@link BackendOption#sampling}). */
    static ModelSource of(ModelCheckpoint c, String weights, Dataset named, BackendOption backend) {
        Path checkpoint = c.file();
        ModelSpec spec = c.spec();
        Dataset stored = spec.data() == null ? null : Dataset.named(spec.data());
        if (named != null && named.dim() != spec.dim())
            throw new IllegalArgumentException("checkpoint " + checkpoint + " has the wrong model shape: its model has dimension "
                    + spec.dim() + " but dataset " + named.cliName + " has dimension " + named.dim());
        if (named != null && stored != null && named != stored)
            throw new IllegalArgumentException("checkpoint " + checkpoint + " generates " + stored.cliName + " (its model spec), not --data " + named.cliName);
        Dataset d = named != null ? named : stored;
        TrigFlowNetwork net = c.referenceModel(weights);
        String desc = c.describe(weights);
        return switch (spec.kind()) {
            // a CD/CT/iCT student is EDM-parameterized (scm.ref.loss.EdmStudent): sample it through its TrigFlow view
            case CONSISTENCY_EDM -> new ModelSource(desc, new EdmAsTrigFlow(new EdmStudent(backend.evalTrainable(net), spec.sigmaD(),
                    EdmConsistencyFunction.DEFAULT_EPS).reference(), net.dim()), null, spec.sigmaD(), d);
            case CONSISTENCY -> { TrigFlowNetwork f = backend.sampling(net); yield new ModelSource(desc, f, f, spec.sigmaD(), d); }
            case DIFFUSION -> new ModelSource(desc, null, backend.sampling(net), spec.sigmaD(), d);
        };
    }

    /**
     * The consistency function's network; a diffusion model (a teacher) is refused with a one-line error saying what to
     * use instead ({@code usage}), since sampling it as a consistency model gives a meaningless one-step result.
     */
    public TrigFlowNetwork requireConsistency(String usage) {
        if (consistencyNet == null)
            throw new IllegalArgumentException(description + " is a diffusion model (a teacher), not a consistency model; " + usage);
        return consistencyNet;
    }

    public int dim() { return consistencyNet != null ? consistencyNet.dim() : diffusionNet.dim(); }
}
