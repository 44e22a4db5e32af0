package scm.cli;

import java.util.List;
import scm.ref.loss.TrainableNetwork;
import scm.ref.model.MlpModel;
import scm.ref.model.unet.UNet;
import scm.ref.nn.Module;
import scm.ref.nn.Param;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * The two reference architectures the CLI trains ({@link MlpModel}, {@link UNet}) seen through what the commands need
 * of them: parameters, evaluation mode, size. Both are a {@link TrigFlowNetwork} and a {@link Module}; anything
 * else is a programming error.
 */
final class Networks {
    private Networks() {}

    /** θ then φ (the adaptive weight head), the names and order a checkpoint stores; a U-Net keeps φ apart from its own params(). */
    static List<Param> params(TrigFlowNetwork n) {
        return n instanceof UNet u ? TrainableNetwork.of(u).params() : ((Module) n).params();
    }

    static long parameterCount(TrigFlowNetwork n) { return params(n).stream().mapToLong(Param::size).sum(); }

    /** Evaluation mode (dropout off). */
    static void eval(TrigFlowNetwork n) {
        switch (n) {
            case MlpModel m -> m.eval();
            case UNet u -> u.eval();
            default -> throw new IllegalStateException("not a trainable reference architecture: " + n.getClass().getName());
        }
    }
}
