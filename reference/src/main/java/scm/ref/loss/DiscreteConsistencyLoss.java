package scm.ref.loss;

import scm.ref.tensor.Batch;

/**
 * The shared per-batch math of discrete CD/CT/iCT [CM Alg. 2-3; iCT; docs/math.md §7, §11 L7]:
 * {@code L = mean_i λ_i d(f_θ(x_{n+1,i}, σ_{n+1,i}), f_θ⁻(x̂_i, σ_{n,i}))}, with the target output held fixed
 * (stop-gradient), so ∂L/∂f_i = (λ_i/n) ∂d/∂e at e = f_θ − f_θ⁻.
 */
public final class DiscreteConsistencyLoss {
    private DiscreteConsistencyLoss() {}

    /** Per-sample values λ_i d(f_i − f⁻_i), their mean, and ∂L/∂f. */
    public record Result(double[] perSample, double loss, Batch dLdf) {}

    public static Result evaluate(Batch f, Batch fTarget, double[] lambda, ConsistencyMetric metric) {
        f.requireSameShape(fTarget, "target output f_theta^-");
        fTarget.requireFinite("target output f_theta^-");
        int n = f.n(), d = f.d();
        double[] e = new double[n * d], a = f.data(), b = fTarget.data(), grad = new double[n * d], per = new double[n];
        for (int j = 0; j < e.length; j++) e[j] = a[j] - b[j];
        double loss = 0;
        for (int i = 0; i < n; i++) {
            per[i] = lambda[i] * metric.value(e, i * d, d);
            loss += per[i] / n;
            metric.gradient(e, i * d, d, lambda[i] / n, grad);
        }
        return new Result(per, loss, new Batch(n, d, grad));
    }

    /** The same loss without gradient, for finite-difference checks: mean_i λ_i d(f_i − f⁻_i). */
    public static double value(Batch f, Batch fTarget, double[] lambda, ConsistencyMetric metric) {
        return evaluate(f, fTarget, lambda, metric).loss();
    }

    /** x + σ_i z per sample (EDM forward process x_σ = x0 + σ z, z ~ N(0, I)). */
    public static Batch noisy(Batch x0, Batch z, double[] sigma) {
        int n = x0.n(), d = x0.d();
        double[] a = x0.data(), b = z.data(), o = new double[a.length];
        for (int i = 0; i < n; i++)
            for (int j = i * d; j < (i + 1) * d; j++) o[j] = a[j] + sigma[i] * b[j];
        return new Batch(n, d, o);
    }

    /** What one discrete step computed: the level pair, the target point, per-sample losses and the mean. */
    public record Step(double[] sigmaStudent, double[] sigmaTarget, Batch xHat, double[] perSample, double loss) {}

    /**
     * One step: f_θ⁻(x̂, σ_n) without gradient (with θ⁻ swapped in when {@code target} is non-null, else θ⁻ = θ),
     * then f_θ(x0 + σ_{n+1} z, σ_{n+1}), the loss and its backward. Both calls use the same dropout seed (iCT's
     * synchronized dropout; CM used dropout 0).
     */
    static Step run(EdmStudent student, TargetParams target, Batch x0, Batch z, double[] sStudent, double[] sTarget,
                    Batch xHat, double[] lambda, ConsistencyMetric metric, long dropoutSeed) {
        student.network().train(dropoutSeed);
        Batch fT = target == null ? student.forward(xHat, sTarget) : target.evaluate(() -> student.forward(xHat, sTarget));
        Batch xs = noisy(x0, z, sStudent);
        Batch f = student.forward(xs, sStudent);
        Result r = evaluate(f, fT, lambda, metric);
        student.backward(r.dLdf());
        return new Step(sStudent, sTarget, xHat, r.perSample(), r.loss());
    }
}
