package scm.props.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import scm.ref.train.Checkpoint;

/** Same seed and config -> bit-identical state; a different seed -> a different trajectory. */
class TrainerDeterminismTest {

    @Test
    void sameSeedGivesBitIdenticalWeightsEmaAndOptimizerState() {
        TrainFixture a = new TrainFixture(TrainFixture.config(30, 11));
        TrainFixture b = new TrainFixture(TrainFixture.config(30, 11));
        double[] w0 = a.objective.w.value.clone();
        a.trainer.run();
        b.trainer.run();
        assertFalse(Arrays.equals(w0, a.objective.w.value), "training must move the weights, else the comparison is vacuous");
        Checkpoint ca = a.snapshot(), cb = b.snapshot();
        assertEquals(ca.tensors().keySet(), cb.tensors().keySet());
        for (String name : ca.tensors().keySet())
            assertEquals(ca.tensors().get(name), cb.tensors().get(name), "tensor " + name + " differs between two identical runs");
        assertEquals(ca, cb);
        assertEquals(30, a.trainer.step());
    }

    @Test
    void differentSeedsGiveDifferentWeights() {
        TrainFixture a = new TrainFixture(TrainFixture.config(30, 11));
        TrainFixture b = new TrainFixture(TrainFixture.config(30, 12));
        a.trainer.run();
        b.trainer.run();
        assertFalse(Arrays.equals(a.objective.w.value, b.objective.w.value));
        assertFalse(Arrays.equals(a.objective.b.value, b.objective.b.value));
    }

    @Test
    void checkpointContainsEveryPieceOfState() {
        TrainFixture a = new TrainFixture(TrainFixture.config(3, 1));
        a.trainer.run();
        var names = a.snapshot().tensors().keySet();
        assertEquals(java.util.List.of("param.lin.weight", "param.lin.bias",
                "ema.0.lin.weight", "ema.0.lin.bias", "ema.1.lin.weight", "ema.1.lin.bias",
                "optim.momentum.lin.weight", "optim.momentum.lin.bias", "extra.target.lin.weight"), java.util.List.copyOf(names));
        var md = a.snapshot().metadata();
        assertEquals("3", md.get("step"));
        assertEquals("3", md.get("optimizer.steps"));
        assertEquals("scm-java-train-checkpoint/1", md.get("format"));
        assertEquals("least-squares", md.get("config.objective"));
    }
}
