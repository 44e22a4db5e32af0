package scm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import scm.ref.model.unet.UNet;
import scm.ref.model.unet.UNetConfig;
import scm.ref.tensor.Batch;
import scm.ref.trigflow.TrigFlowNetwork;

/**
 * Sampling a U-Net in row chunks gives exactly the whole-batch numbers: every layer treats rows independently in
 * evaluation mode, on both backends, so the comparison is exact (no tolerance to argue). 23 rows in chunks of 5 (the
 * last one short) against one call; a negative control shows the comparison sees a row moved between chunks.
 */
class RowChunkedNetworkTest {

    @ParameterizedTest
    @ValueSource(strings = {"reference", "jvm"})
    void chunkedForwardEqualsTheWholeBatch(String backendName) {
        BackendOption b = new BackendOption();
        b.name = backendName;
        b.require();
        UNet ref = new UNet(UNetConfig.tiny8(3));
        TrigFlowNetwork whole = b.sampling(ref);
        org.junit.jupiter.api.Assertions.assertTrue(whole instanceof RowChunkedNetwork, "U-Nets are wrapped for sampling");
        TrigFlowNetwork inner = ((RowChunkedNetwork) whole).inner();
        TrigFlowNetwork chunked = new RowChunkedNetwork(inner, 5);
        int n = 23, d = ref.dim();
        SplittableRandom r = new SplittableRandom(7);
        double[] x = new double[n * d], t = new double[n];
        for (int i = 0; i < x.length; i++) x[i] = r.nextGaussian();
        for (int i = 0; i < n; i++) t[i] = 0.05 + 1.5 * r.nextDouble();
        Batch xb = new Batch(n, d, x);
        double[] expected = inner.forward(xb, t).data();
        assertArrayEquals(expected, chunked.forward(xb, t).data(), 0.0, backendName + ": chunked vs whole batch");
        assertEquals(expected.length, n * d);

        // negative control: swap two rows' times across a chunk boundary; the same exact comparison must fail
        double[] t2 = t.clone();
        t2[4] = t[5];
        t2[5] = t[4];
        assertFalse(java.util.Arrays.equals(expected, chunked.forward(xb, t2).data()), "the comparison sees rows moved between chunks");
    }

    @org.junit.jupiter.api.Test
    void mlpsAreNotWrapped() {
        BackendOption b = new BackendOption();
        b.name = "reference";
        b.require();
        scm.ref.model.MlpModel m = new scm.ref.model.MlpModel(RunConfig.preset("toy", 2), 1);
        assertSame(m, b.sampling(m));
    }
}
