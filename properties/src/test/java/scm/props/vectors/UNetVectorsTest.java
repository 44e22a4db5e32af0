package scm.props.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scm.ref.io.SafeTensors;
import scm.ref.io.SafetensorsContent;
import scm.ref.model.unet.UNet;
import scm.ref.model.unet.UNetConfig;
import scm.ref.nn.Param;
import scm.ref.tensor.Batch;

/**
 * The committed U-Net layer and model vectors checked independently of the code that generated them: Conv2d, pooling,
 * upsampling, GroupNorm and attention recomputed by naive loops from the stored weights and inputs (float64, a few
 * roundings per output: agreement within 1e-13), the two attention JVP forms against each other and against a central
 * difference, and the U-Net JVP against a central difference of the U-Net's F rebuilt from the stored weights.
 *
 * <p>Finite-difference tolerance: central differences with step h = 1e-6 have truncation error h²|f'''|/6 ≈ 1e-12·|f'''|
 * and rounding error ε|f|/h ≈ 1e-10 (outputs O(1)); we allow 1e-7·(1 + |J|), three orders above both.
 */
class UNetVectorsTest {
    static SafetensorsContent w, in, ex;

    @BeforeAll static void read() throws IOException {
        Path dir = VectorRegenerationTest.DIR;
        w = SafeTensors.read(dir.resolve("mlp_weights.safetensors"));
        in = SafeTensors.read(dir.resolve("inputs.safetensors"));
        ex = SafeTensors.read(dir.resolve("expected.safetensors"));
    }

    static double[] v(SafetensorsContent f, String name) { return f.tensor(name).values(); }

    @Test void convPoolUpsampleAndGroupNormByNaiveLoops() {
        double[] x = v(in, "layer.x"), wt = v(w, "layer.conv.weight"), b = v(w, "layer.conv.bias"), y = v(ex, "layer.conv.y");
        int n = 2, c = 4, h = 4, o = 3;
        for (int s = 0; s < n; s++)
            for (int oc = 0; oc < o; oc++)
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < h; j++) {
                        double acc = b[oc];
                        for (int ic = 0; ic < c; ic++)
                            for (int u = 0; u < 3; u++)
                                for (int vv = 0; vv < 3; vv++) {
                                    int ii = i + u - 1, jj = j + vv - 1;
                                    if (ii >= 0 && ii < h && jj >= 0 && jj < h) acc += wt[((oc * c + ic) * 3 + u) * 3 + vv] * x[s * 64 + (ic * h + ii) * h + jj];
                                }
                        assertEquals(acc, y[s * 48 + (oc * h + i) * h + j], 1e-13);
                    }
        double[] pool = v(ex, "layer.pool.y"), up = v(ex, "layer.upsample.y");
        for (int s = 0; s < n; s++)
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < 2; i++)
                    for (int j = 0; j < 2; j++) {
                        double avg = 0;
                        for (int a = 0; a < 2; a++) for (int bb = 0; bb < 2; bb++) avg += x[s * 64 + (ch * h + 2 * i + a) * h + 2 * j + bb] / 4;
                        assertEquals(avg, pool[s * 16 + (ch * 2 + i) * 2 + j], 1e-15);
                    }
                for (int i = 0; i < 8; i++)
                    for (int j = 0; j < 8; j++) assertEquals(x[s * 64 + (ch * h + i / 2) * h + j / 2], up[s * 256 + (ch * 8 + i) * 8 + j]);
            }
        double[] gamma = v(w, "layer.gn.weight"), beta = v(w, "layer.gn.bias"), gn = v(ex, "layer.gn.y");
        for (int s = 0; s < n; s++)
            for (int g = 0; g < 2; g++) {
                int from = s * 64 + g * 32;
                double mean = 0, var = 0;
                for (int k = 0; k < 32; k++) mean += x[from + k] / 32;
                for (int k = 0; k < 32; k++) var += (x[from + k] - mean) * (x[from + k] - mean) / 32;
                for (int k = 0; k < 32; k++) {
                    int ch = g * 2 + k / 16;
                    assertEquals(gamma[ch] * (x[from + k] - mean) / Math.sqrt(var + 1e-5) + beta[ch], gn[from + k], 1e-13);
                }
            }
    }

    @Test void attentionForwardAndBothJvpForms() {
        double[] q = v(in, "attn.q"), k = v(in, "attn.k"), vv = v(in, "attn.v");
        double[] tq = v(in, "attn.q_tangent"), tk = v(in, "attn.k_tangent"), tv = v(in, "attn.v_tangent");
        double[] y = naive(q, k, vv);
        double[] stored = v(ex, "attn.y"), direct = v(ex, "attn.jvp_direct"), flash = v(ex, "attn.jvp_flash");
        double hh = 1e-6;
        double[] up = naive(add(q, tq, hh), add(k, tk, hh), add(vv, tv, hh)), down = naive(add(q, tq, -hh), add(k, tk, -hh), add(vv, tv, -hh));
        for (int i = 0; i < y.length; i++) {
            assertEquals(y[i], stored[i], 1e-14);
            assertEquals(y[i], v(ex, "attn.flash_y")[i], 1e-14);
            assertEquals(direct[i], flash[i], 1e-13, "the two JVP forms agree");
            double fd = (up[i] - down[i]) / (2 * hh);
            assertEquals(fd, direct[i], 1e-7 * (1 + Math.abs(fd)), "direct JVP vs central difference");
        }
    }

    @Test void unetJvpMatchesACentralDifferenceOfF() {
        UNet u = new UNet(UNetConfig.tiny8(1));   // any seed: every weight is overwritten from the file
        for (Param p : u.params()) w.tensor("unet." + p.name).copyInto(p);
        u.eval();
        double[] t = v(in, "unet.t"), tt = v(in, "unet.t_tangent");
        Batch xs = scaled(in.tensor("unet.xt").values(), 0.5), tx = new Batch(2, 64, v(in, "unet.x_tangent"));
        double[] f = u.forward(xs, t.clone()).data();
        double[] storedF = v(ex, "unet.F");
        for (int i = 0; i < f.length; i++) assertEquals(storedF[i], f[i], 0.0, "the stored weights reproduce unet.F exactly");
        double h = 1e-6;
        double[] up = u.forward(new Batch(2, 64, add(xs.data(), tx.data(), h)), add(t, tt, h)).data();
        double[] down = u.forward(new Batch(2, 64, add(xs.data(), tx.data(), -h)), add(t, tt, -h)).data();
        double[] jvp = v(ex, "unet.jvp");
        double largest = 0;
        for (int i = 0; i < jvp.length; i++) {
            double fd = (up[i] - down[i]) / (2 * h);
            largest = Math.max(largest, Math.abs(fd));
            assertEquals(fd, jvp[i], 1e-7 * (1 + Math.abs(fd)), "unet.jvp[" + i + "]");
        }
        assertTrue(largest > 1e-3, "the JVP is not trivially zero");
    }

    static Batch scaled(double[] a, double sigmaD) {
        double[] o = a.clone();
        for (int i = 0; i < o.length; i++) o[i] /= sigmaD;
        return new Batch(2, 64, o);
    }

    static double[] add(double[] a, double[] b, double c) {
        double[] o = new double[a.length];
        for (int i = 0; i < a.length; i++) o[i] = a[i] + c * b[i];
        return o;
    }

    /** softmax(Q Kᵀ/sqrt(4)) V with L = 6, d_k = 4, d_v = 3, plain loops. */
    static double[] naive(double[] q, double[] k, double[] v) {
        int l = 6, dk = 4, dv = 3;
        double[] y = new double[l * dv];
        for (int i = 0; i < l; i++) {
            double[] x = new double[l];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < l; j++) {
                for (int a = 0; a < dk; a++) x[j] += q[i * dk + a] * k[j * dk + a] / 2;
                max = Math.max(max, x[j]);
            }
            double z = 0;
            for (int j = 0; j < l; j++) { x[j] = Math.exp(x[j] - max); z += x[j]; }
            for (int j = 0; j < l; j++) for (int a = 0; a < dv; a++) y[i * dv + a] += x[j] / z * v[j * dv + a];
        }
        return y;
    }
}
