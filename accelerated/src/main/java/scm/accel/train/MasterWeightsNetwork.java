package scm.accel.train;

import java.util.Arrays;
import java.util.List;
import scm.accel.backend.Backend;
import scm.accel.model.MlpModelF32;
import scm.accel.model.NetworkF32;
import scm.accel.nn.ParamF32;
import scm.ref.loss.TrainableNetwork;
import scm.ref.model.MlpModel;
import scm.ref.nn.AdaptiveWeightHead;
import scm.ref.nn.Param;
import scm.ref.nn.Shapes;
import scm.ref.tensor.Batch;
import scm.ref.tensor.Check;

/**
 * Mixed precision with float64 <i>master weights</i> (Micikevicius et al., "Mixed Precision Training", ICLR 2018,
 * Sec. 3.1, there with float32 masters and float16 compute): a {@link NetworkF32} exposed as a reference
 * {@link TrainableNetwork}. The parameters the optimizer, the EMAs, the checkpoints and the objectives see are the
 * float64 {@link Param}s of a reference network ({@code master}: same names, shapes and order as the float32 one);
 * the network compute F, its JVP and its backward run in float32 on a {@link scm.accel.backend.Backend}.
 *
 * <ul>
 * <li>{@link #forward}/{@link #jvp}: θ is rounded from the masters into the float32 network before <i>every</i> call
 *     (O(parameters), small beside the O(batch·parameters) compute), because objectives change the master values
 *     between calls (the optimizer step; CD/CT swap the target network θ⁻ into them, scm.ref.loss.TargetParams). The
 *     batch and times are rounded to float, the outputs widened back to double.</li>
 * <li>{@link #backward}: the float32 gradient of this call (the float32 grads are zeroed first) is added to the
 *     masters' {@link Param#grad}, so gradients accumulate across calls as the reference's do.</li>
 * <li>The adaptive weight head w_φ(t) stays the master's float64 {@link AdaptiveWeightHead}: it is tiny (129
 *     parameters) and trained through scm.ref.loss.AdaptiveWeighting, not through this network.</li>
 * </ul>
 * So every reference objective, the reference trainer (optimizer, EMAs, checkpoints, resume, divergence guard) and
 * every sampler and editor run unchanged with the network in float32; a checkpoint has the reference's format.
 * Not thread-safe (the float32 network caches activations).
 */
public final class MasterWeightsNetwork implements TrainableNetwork {
    private final TrainableNetwork master;
    private final NetworkF32 compute;
    private final List<Param> theta;
    private final List<ParamF32> theta32;
    private final int dim;
    private int lastN = -1;

    /**
     * {@code master} holds the float64 parameters (it is never run); {@code compute} is its float32 twin whose
     * {@link NetworkF32#networkParams()} match {@code master.networkParams()} one to one (name and shape).
     */
    public MasterWeightsNetwork(TrainableNetwork master, NetworkF32 compute) {
        if (master == null || compute == null) throw new IllegalArgumentException("master or float32 network is null");
        if (master.dim() != compute.dim())
            throw new IllegalArgumentException("dimension mismatch: master network has D = " + master.dim() + ", float32 network " + compute.dim());
        this.master = master;
        this.compute = compute;
        this.theta = List.copyOf(master.networkParams());
        this.theta32 = List.copyOf(compute.networkParams());
        this.dim = master.dim();
        if (theta.size() != theta32.size())
            throw new IllegalArgumentException("parameter count mismatch: master network has " + theta.size() + " tensors, float32 network " + theta32.size());
        for (int i = 0; i < theta.size(); i++)
            if (!theta.get(i).name.equals(theta32.get(i).name) || !Arrays.equals(theta.get(i).shape, theta32.get(i).shape))
                throw new IllegalArgumentException("parameter mismatch at " + i + ": master " + theta.get(i) + ", float32 " + theta32.get(i));
    }

    /** The MLP: {@code model}'s own Params are the masters, an {@link MlpModelF32} on {@code be} computes. */
    public static MasterWeightsNetwork of(MlpModel model, Backend be) {
        return new MasterWeightsNetwork(TrainableNetwork.of(model), new MlpModelF32(be, model));
    }

    public NetworkF32 compute() { return compute; }

    @Override public int dim() { return dim; }

    @Override public List<Param> params() { return master.params(); }

    @Override public List<Param> networkParams() { return master.networkParams(); }

    @Override public AdaptiveWeightHead weightHead() { return master.weightHead(); }

    @Override public void train(long stepSeed) { compute.train(stepSeed); master.train(stepSeed); }

    @Override public void eval() { compute.eval(); master.eval(); }

    @Override public Batch forward(Batch x, double[] t) {
        check(x, t);
        mirror();
        float[] f = compute.forward(narrow(x.data()), narrow(t), x.n());
        lastN = x.n();
        return widen(f, x.n());
    }

    @Override public Jvp jvp(Batch x, double[] t, Batch dx, double[] dt) {
        check(x, t);
        Shapes.same(dx, x, "x~ tangent");
        Shapes.perSample(dt, x.n(), "t tangent");
        mirror();
        float[] f = compute.jvp(narrow(x.data()), narrow(t), narrow(dx.data()), narrow(dt), x.n());
        lastN = x.n();
        return new Jvp(widen(f, x.n()), widen(compute.tangent(), x.n()));
    }

    @Override public void backward(Batch dLdF) {
        if (lastN < 0) throw new IllegalArgumentException("backward called before forward/jvp");
        Shapes.cols(dLdF, dim, "output gradient dL/dF");
        if (dLdF.n() != lastN)
            throw new IllegalArgumentException("shape mismatch: output gradient has " + dLdF.n() + " samples, last forward had " + lastN);
        for (ParamF32 p : theta32) p.zeroGrad();
        compute.backward(narrow(dLdF.data()), lastN);
        for (int i = 0; i < theta.size(); i++) {
            double[] g = theta.get(i).grad;
            float[] g32 = theta32.get(i).grad;
            for (int j = 0; j < g.length; j++) g[j] += g32[j];
        }
    }

    /** θ32 ← round(θ64). */
    private void mirror() {
        for (int i = 0; i < theta.size(); i++) {
            double[] v = theta.get(i).value;
            float[] w = theta32.get(i).value;
            for (int j = 0; j < v.length; j++) w[j] = (float) v[j];
        }
    }

    private void check(Batch x, double[] t) {
        Shapes.cols(x, dim, "network input x~");
        Check.times(t, x.n(), "network time t");
    }

    private static float[] narrow(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }

    private Batch widen(float[] f, int n) {
        double[] d = new double[n * dim];
        for (int i = 0; i < d.length; i++) d[i] = f[i];
        return new Batch(n, dim, d);
    }

    @Override public String toString() { return "MasterWeightsNetwork[float64 masters of " + master + ", float32 on " + compute.backend().name() + "]"; }
}
