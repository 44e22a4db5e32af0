package scm.ref.vectors;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import scm.ref.model.MlpConfig;

/**
 * Builds the golden-vector set (docs/porting.md): fixed seeds, the shipped MLP, the analytic mixture, and every
 * section (TrigFlow and conversions, network/JVP/gradients/consistency function, losses, samplers, optimizers/EMA). Deterministic: two
 * calls give bit-identical tensors (all arithmetic is sequential float64, the generators are SplittableRandom).
 */
public final class VectorGenerator {
    private VectorGenerator() {}

    public static VectorSet generate() {
        Fixture fx = Fixture.create();
        VectorSet set = new VectorSet();
        describe(set, fx);
        fx.addWeights(set);
        TrigFlowVectors.add(set, fx);
        NetworkVectors.add(set, fx);
        UNetVectors.add(set, fx);
        LossVectors.add(set, fx);
        SamplerVectors.add(set, fx);
        OptimizerVectors.add(set, fx);
        return set;
    }

    private static void describe(VectorSet set, Fixture fx) {
        MlpConfig c = Fixture.CONFIG;
        set.info("generator", "bin/scm vectors (scm.ref.vectors.VectorGenerator), float64 reference");
        set.info("sigma_d", fx.sigmaD());
        set.info("seeds", Map.of("weights", (Object) Fixture.WEIGHT_SEED, "data", Fixture.DATA_SEED, "sampler", SamplerVectors.SAMPLER_SEED)
                .entrySet().stream().sorted(Map.Entry.comparingByKey())
                .collect(LinkedHashMap::new, (m, e) -> m.put(e.getKey(), e.getValue()), Map::putAll));
        Map<String, Object> net = new LinkedHashMap<>();
        net.put("name", "MlpModel (scm.ref.model.MlpModel)");
        net.put("dim", c.dim());
        net.put("width", c.width());
        net.put("depth", c.depth());
        net.put("emb_dim", c.embDim());
        net.put("dropout", "disabled: p = 0 in every block; no vector depends on a dropout mask");
        net.put("inputs", "x~ = x_t / sigma_d (shape [n, D]) and c_noise = t (shape [n], TrigFlow time, identity)");
        net.put("layer_order", List.of(
                "e = positional(t): half = emb_dim/2, f_k = exp(-k ln(10)/(half-1)), e = [sin(f_k t) for k < half, cos(f_k t) for k < half]",
                "c = SiLU(time.linear(e))",
                "h = input(x~)",
                "for i in 0..depth-1: h = h + blocks.i.linear(SiLU(ADN_i(h, c)))",
                "  ADN_i(h, c) = LN(h) * pnorm(blocks.i.adn.scale(c)) + pnorm(blocks.i.adn.shift(c))",
                "  LN(h) = (h - mean(h)) / sqrt(var(h) + 1e-5), biased variance over the width, no affine",
                "  pnorm(v) = v / sqrt(mean(v^2) + 1e-8) over the width",
                "F = out.linear(SiLU(out.norm(h))), out.norm = LayerNorm(eps 1e-5) with affine weight/bias",
                "Linear(x) = x W^T + b with W of shape [out, in] (PyTorch layout)",
                "SiLU(x) = x / (1 + exp(-x))"));
        net.put("weight_head", "w_phi(t) = weight_head.linear(sqrt(2) cos(2 pi (omega_k t + phi_k))), omega = weight_head.fourier.frequencies, "
                + "phi = weight_head.fourier.phases (128 features, scale 1); w is the paper's w_phi (= -logvar of EDM2)");
        set.info("network", net);
        set.info("conventions", List.of(
                "TrigFlow: x_t = cos t x0 + sin t z, z ~ N(0, sigma_d^2 I) (noise variance sigma_d^2, not 1)",
                "D = cos t x_t - sin t sigma_d F(x_t/sigma_d, t); velocity dx_t/dt = sigma_d F",
                "sCM JVP tangents: x~-tangent cos t sin t dx_t/dt, t-tangent sigma_d cos t sin t, giving J = sigma_d cos t sin t dF/dt",
                "sCM: prior weighting inside g (no extra 1/sigma factor), per-sample L2 normalization g/(||g|| + 0.1), "
                        + "loss e^w/D ||.||^2 - w (1/D once), warm-up r multiplies only the (cos t sin t x_t + J) term",
                "EDM form (CD/CT/iCT): f = c_skip x + c_out F(c_in x, arctan(sigma/sigma_d)); eps = 0.002",
                "Karras grid: sigma_i = (eps^(1/rho) + (i-1)/(N-1) (T^(1/rho) - eps^(1/rho)))^rho, i = 1..N ascending, rho = 7, T = 80",
                "gradients: of the batch-mean loss; stop-gradient quantities (F^-, g, targets f_theta^-) are constants",
                "integer tensors are I64; everything else F64"));
    }
}
