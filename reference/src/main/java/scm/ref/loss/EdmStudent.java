package scm.ref.loss;

import scm.ref.consistency.EdmConsistencyFunction;
import scm.ref.consistency.EdmNetwork;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * A trainable network in CM's boundary-respecting EDM parameterization [CM Sec. 3, App. C; docs/math.md §7]:
 * {@code f_θ(x, σ) = c_skip(σ) x + c_out(σ) F_θ(c_in(σ) x, c(σ))}, with c_skip, c_out, c_in taken from
 * {@link EdmConsistencyFunction} (σ_d, ε), and a backward pass ∂L/∂F = c_out·∂L/∂f.
 *
 * <p><b>Noise conditioning c(σ) = arctan(σ/σ_d), the TrigFlow time, not CM's 250 ln σ.</b> The network is a
 * {@link TrainableNetwork} F(x~, t) whose time input is validated to [0, π/2] and feeds a positional embedding:
 * 250 ln σ (−1554 … 1095) would be far outside its range, and EDM's ln(σ)/4 is negative below σ = 1. arctan(σ/σ_d)
 * is a smooth strictly increasing function of σ, so it carries the same information. It also makes the network see
 * exactly its TrigFlow inputs: c_in x_σ = x_σ/sqrt(σ² + σ_d²) = cos t·x_σ/σ_d = x_t/σ_d. So the same MLP can be
 * used for sCM (F(x_t/σ_d, t)) and for CM (F(c_in x_σ, t(σ))); only the output scalings differ.
 */
public final class EdmStudent {
    private final TrainableNetwork net;
    private final EdmConsistencyFunction scalings;
    private double[] lastCOut;

    public EdmStudent(TrainableNetwork net, double sigmaData, double eps) {
        if (net == null) throw new IllegalArgumentException("network is null");
        this.net = net;
        this.scalings = new EdmConsistencyFunction(asEdmNetwork(net, sigmaData), sigmaData, eps);
    }

    public TrainableNetwork network() { return net; }

    public double sigmaData() { return scalings.sigmaData(); }

    public double eps() { return scalings.eps(); }

    /** The noise conditioning fed to the network: c(σ) = arctan(σ/σ_d) ∈ [0, π/2) (see the class comment). */
    public double conditioning(double sigma) { return Math.atan2(sigma, scalings.sigmaData()); }

    /**
     * The same function as an {@link EdmConsistencyFunction} (with CM's c_noise = 250 ln σ fed through an adapter that
     * maps it back to arctan(σ/σ_d)): an independent evaluation path for tests.
     */
    public EdmConsistencyFunction reference() { return scalings; }

    /** f_θ(x, σ) per sample; caches c_out for {@link #backward} (and the network caches its activations). */
    public Batch forward(Batch x, double[] sigma) {
        if (x == null) throw new IllegalArgumentException("x is null");
        x.requireFinite("x");
        if (sigma == null || sigma.length != x.n())
            throw new IllegalArgumentException("shape mismatch: sigma needs " + x.n() + " entries");
        if (x.d() != net.dim())
            throw new IllegalArgumentException("shape mismatch: network dimension " + net.dim() + " but x has d = " + x.d());
        int n = x.n(), d = x.d();
        double[] skip = new double[n], out = new double[n], in = new double[n], c = new double[n];
        for (int i = 0; i < n; i++) {
            skip[i] = scalings.cSkip(sigma[i]);
            out[i] = scalings.cOut(sigma[i]);
            in[i] = scalings.cIn(sigma[i]);
            c[i] = conditioning(sigma[i]);
        }
        double[] xs = x.data(), xin = new double[xs.length];
        for (int i = 0; i < n; i++)
            for (int j = i * d; j < (i + 1) * d; j++) xin[j] = in[i] * xs[j];
        Batch f = net.forward(new Batch(n, d, xin), c);
        x.requireSameShape(f, "network output F");
        f.requireFinite("network output F");
        double[] fv = f.data(), o = new double[xs.length];
        for (int i = 0; i < n; i++)
            for (int j = i * d; j < (i + 1) * d; j++) o[j] = skip[i] * xs[j] + out[i] * fv[j];
        lastCOut = out;
        return new Batch(n, d, o);
    }

    /** Accumulates dL/dθ given dL/df at the last {@link #forward} point: dL/dF = c_out·dL/df. */
    public void backward(Batch dLdf) {
        if (lastCOut == null) throw new IllegalArgumentException("EdmStudent: backward called before forward");
        if (dLdf == null || dLdf.n() != lastCOut.length || dLdf.d() != net.dim())
            throw new IllegalArgumentException("shape mismatch: dL/df must be " + lastCOut.length + "x" + net.dim());
        net.backward(scm.ref.trigflow.PerSample.scale(lastCOut, dLdf));
    }

    private static EdmNetwork asEdmNetwork(TrainableNetwork net, double sigmaData) {
        Check.sigmaD(sigmaData);
        return new EdmNetwork() {
            @Override public int dim() { return net.dim(); }
            @Override public Batch forward(Batch xIn, double[] cNoise) {
                double[] t = new double[cNoise.length];
                for (int i = 0; i < t.length; i++) t[i] = Math.atan2(Math.exp(cNoise[i] / 250.0), sigmaData);
                return net.forward(xIn, t);
            }
        };
    }
}
