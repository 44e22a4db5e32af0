package scm.cli;

import java.io.IOException;
import java.nio.file.Path;
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
 * @param data the data set the model generates, or null when unknown (a checkpoint without {@code data} metadata)
 */
public record ModelSource(String description, TrigFlowNetwork consistencyNet, TrigFlowNetwork diffusionNet, double sigmaD, Dataset data) {

    public static ModelSource resolve(Path checkpoint, String weights, String model, String dataName) throws IOException {
        return resolve(checkpoint, weights, model, dataName, new BackendOption());
    }

    /** As above, the checkpoint's network computing on {@code backend} (analytic models are exact float64 on every backend). */
    static ModelSource resolve(Path checkpoint, String weights, String model, String dataName, BackendOption backend) throws IOException {
        if ((checkpoint == null) == (model == null))
            throw new IllegalArgumentException("give exactly one of --checkpoint FILE or --model mixture-ring8|mixture-grid25");
        Dataset named = dataName == null ? null : Dataset.named(dataName);
        if (model != null) {
            if (!model.startsWith("mixture-")) throw new IllegalArgumentException("unknown model '" + model + "' (known: mixture-ring8, mixture-grid25)");
            Dataset d = Dataset.named(model.substring("mixture-".length()));
            GaussianMixture mix = d.mixture();
            if (mix == null) throw new IllegalArgumentException("unknown model '" + model + "' (known: mixture-ring8, mixture-grid25)");
            if (named != null && named != d) throw new IllegalArgumentException("--model " + model + " generates " + d.cliName + ", not --data " + named.cliName);
            MixtureOracle oracle = new MixtureOracle(mix, TrigFlow.DEFAULT_SIGMA_D);
            return new ModelSource("analytic " + model + " (exact, float64 on every backend)", new MixtureConsistency(oracle).network(), oracle.diffusionNetwork(), oracle.sigmaD(), d);
        }
        CheckpointModel c = CheckpointModel.load(checkpoint, weights);
        Dataset d = named;
        if (d == null && c.metadata().containsKey("data")) d = Dataset.named(c.metadata().get("data"));
        if (d == null && c.model().dim() == 64) d = Dataset.DIGITS;
        if (d != null && d.dim() != c.model().dim())
            throw new IllegalArgumentException("checkpoint " + checkpoint + " has the wrong model shape: its model has dimension "
                    + c.model().dim() + " but dataset " + d.cliName + " has dimension " + d.dim());
        String desc = "checkpoint " + checkpoint + " (" + c.weights() + " weights, " + CheckpointModel.describe(c.model().config()) + ", backend " + backend.describe() + ")";
        if (java.util.Set.of("cd", "ct", "ict").contains(c.metadata().getOrDefault("run.objective", ""))) {
            // a CD/CT/iCT student is EDM-parameterized (scm.ref.loss.EdmStudent): sample it through its TrigFlow view
            var student = backend.trainable(c.model());
            student.eval();
            var edm = new scm.ref.loss.EdmStudent(student, c.sigmaD(),
                    scm.ref.consistency.EdmConsistencyFunction.DEFAULT_EPS).reference();
            return new ModelSource(desc + ", EDM-form student", new scm.ref.consistency.EdmAsTrigFlow(edm, c.model().dim()), null, c.sigmaD(), d);
        }
        TrigFlowNetwork net = backend.sampling(c.model());
        return new ModelSource(desc, net, net, c.sigmaD(), d);
    }

    public int dim() { return consistencyNet.dim(); }
}
