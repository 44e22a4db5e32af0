package scm.props.consistency;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import scm.props.Props;
import scm.props.trigflow.ToyTrigFlowNetwork;
import scm.ref.consistency.*;
import scm.ref.oracle.GaussianOracle;
import scm.ref.tensor.Batch;
import scm.ref.trigflow.TrigFlow;

/** Consistency functions in TrigFlow [sCM Eq. 5-6; docs/math.md §3] and EDM form [CM; docs/math.md §7], and the Karras grid. */
class ConsistencyProperties {
    static final double EPS = Math.ulp(1.0);

    static Batch row(double... v) { return Batch.of(new double[][] {v}); }

    @Test
    void trigFlowBoundaryConditionIsExact() {
        Props.check(200,
                Props.doubles(-1e6, 1e6), Props.doubles(-1e-6, 1e-6), Props.doubles(0.05, 5),
                this::trigFlowBoundaryConditionIsExact);
    }

    void trigFlowBoundaryConditionIsExact(double a, double b, double sigmaD) {
        Batch x = Batch.of(new double[][] {{a, b, a * b}, {b, -a, 1e-300}});
        double[] t0 = {0, 0};
        // exactly (zero tolerance): cos 0 = 1, sin 0 = 0, so f = 1*x + (-0)*F = x for every finite F. "Exactly" is
        // numerical equality: the sign of a zero may flip (-0.0 + +0.0 = +0.0), which assertArrayEquals with delta 0 accepts.
        assertArrayEquals(x.data(), new ConsistencyFunction(new ToyTrigFlowNetwork(3), sigmaD).apply(x, t0).data(), 0.0);
        assertArrayEquals(x.data(),
                new ConsistencyFunction(new GaussianOracle(1.3, sigmaD).consistencyNetwork(3), sigmaD).apply(x, t0).data(), 0.0);
    }

    @Test
    void edmBoundaryConditionIsExact() {
        Props.check(200, Props.doubles(-1e6, 1e6), Props.doubles(1e-4, 1), this::edmBoundaryConditionIsExact);
    }

    void edmBoundaryConditionIsExact(double a, double eps) {
        EdmNetwork net = new EdmNetwork() {
            public int dim() { return 2; }
            public Batch forward(Batch x, double[] c) { // any finite nonlinear output
                Batch o = Batch.zeros(x.n(), 2);
                for (int i = 0; i < x.n(); i++) for (int j = 0; j < 2; j++) o.set(i, j, Math.sin(x.get(i, j) * 3 + c[i]) * 7);
                return o;
            }
        };
        Batch x = Batch.of(new double[][] {{a, -a / 3}});
        for (double e : new double[] {EdmConsistencyFunction.DEFAULT_EPS, eps}) {
            EdmConsistencyFunction f = new EdmConsistencyFunction(net, 0.5, e);
            assertEquals(1.0, f.cSkip(e), 0.0);
            assertEquals(0.0, f.cOut(e), 0.0);
            // c_skip(eps) x + c_out(eps) F = 1*x + 0*F = x exactly ([CM Sec. 3] boundary condition)
            Batch y = f.apply(x, new double[] {e});
            assertArrayEquals(x.data(), y.data(), 0.0);
        }
    }

    @Test
    void edmScalingsMatchTheirDefinitions() {
        EdmConsistencyFunction f = new EdmConsistencyFunction(new Identity(1));
        double sd = 0.5, e = 0.002;
        for (double sigma : new double[] {0.002, 0.01, 0.821, 1.0, 80.0}) {
            // the formulas of docs/math.md §3 evaluated independently; same operations, so agreement to 1-2 roundings
            assertEquals(sd * sd / ((sigma - e) * (sigma - e) + sd * sd), f.cSkip(sigma), 2 * EPS);
            assertEquals(sd * (sigma - e) / Math.sqrt(sd * sd + sigma * sigma), f.cOut(sigma), 2 * EPS);
            assertEquals(1 / Math.sqrt(sigma * sigma + sd * sd), f.cIn(sigma), 2 * EPS * f.cIn(sigma));
            assertEquals(250 * Math.log(sigma), f.cNoise(sigma), 2 * EPS * Math.abs(250 * Math.log(sigma)));
        }
        // at large sigma the skip vanishes and the output scale tends to sigma_d (CM's design)
        assertEquals(0.5, f.cOut(1e8), 1e-8);
        assertEquals(0.0, f.cSkip(1e8), 1e-16);
        // eps = 0 variant (diffusion training) is EDM's own preconditioning: c_skip = sd^2/(sigma^2+sd^2)
        EdmConsistencyFunction d = EdmConsistencyFunction.forDiffusion(new Identity(1), 0.5);
        assertEquals(0.25 / (0.25 + 4.0), d.cSkip(2.0), 2 * EPS);
    }

    /** F = its input: enough to exercise the scalings. */
    record Identity(int dim) implements EdmNetwork {
        public Batch forward(Batch xIn, double[] cNoise) { return xIn.copy(); }
    }

    @Test
    void tangentMatchesFiniteDifferenceOfF() {
        Props.check(200,
                Props.times(0.01, 1.56), Props.doubles(-2, 2), Props.doubles(-2, 2), Props.doubles(-2, 2), Props.doubles(-2, 2),
                Props.doubles(0.2, 2),
                this::tangentMatchesFiniteDifferenceOfF);
    }

    void tangentMatchesFiniteDifferenceOfF(double t, double x1, double x2, double u1, double u2, double sigmaD) {
        // Along the straight path x(tau) = x + (tau - t) u, df/dt = d/dtau f(x(tau), tau) for ANY network; this checks
        // Eq. 6's algebra and the JVP tangent scaling (u / sigma_d, 1) together [sCM Eq. 6; docs/math.md §3].
        ConsistencyFunction f = new ConsistencyFunction(new ToyTrigFlowNetwork(2), sigmaD);
        Batch x = row(x1, x2), u = row(u1, u2);
        ConsistencyFunction.Tangent tan = f.tangent(x, new double[] {t}, u);
        double h = 1e-5;
        Batch fp = f.apply(row(x1 + h * u1, x2 + h * u2), new double[] {t + h});
        Batch fm = f.apply(row(x1 - h * u1, x2 - h * u2), new double[] {t - h});
        assertEquals(f.apply(x, new double[] {t}), tan.f()); // the primal is f itself, bit for bit
        for (int j = 0; j < 2; j++) {
            // central difference: truncation h^2/6 |f'''|, |f'''| <~ 50 here, gives ~1e-9; roundoff eps |f| / h ~ 1e-10
            assertEquals((fp.get(0, j) - fm.get(0, j)) / (2 * h), tan.dfdt().get(0, j), 1e-7);
        }
    }

    @Test
    void gaussianConsistencyFunctionIsStationaryAlongTrajectories() {
        Props.check(200,
                Props.doubles(0.1, 3), Props.doubles(0.1, 3), Props.times(0, 1.5707963267948966), Props.doubles(-5, 5),
                this::gaussianConsistencyFunctionIsStationaryAlongTrajectories);
    }

    void gaussianConsistencyFunctionIsStationaryAlongTrajectories(double s, double sigmaD, double t, double x) {
        // With F*_CM and dx/dt = v* (exact JVP), df/dt must vanish: f* is constant on trajectories [docs/math.md §4, §3].
        GaussianOracle g = new GaussianOracle(s, sigmaD);
        double[] tt = {t};
        Batch xt = row(x);
        Batch v = g.velocity(xt, tt);
        ConsistencyFunction cf = new ConsistencyFunction(g.consistencyNetwork(1), sigmaD);
        ConsistencyFunction.Tangent tan = cf.tangent(xt, tt, v);
        // df/dt is a sum of four terms (cos t sigma_d F, cos t dx/dt, sin t x_t, sin t sigma_d dF/dt) that cancel
        // exactly; each carries a few eps of relative rounding of the quantities it is computed from, so the residual is
        // bounded by ~16 eps times their magnitudes. dF/dt itself is a sum that cancels: F = g(t) x/sigma_d, so
        // sigma_d dF/dt = g'(t) x + g(t) v, two parts that can be ~300x their sum (s = 2.9, sigma_d = 0.1, t near pi/2:
        // 709 and 706 for a sum of 2.5); its rounding scales with the parts, so they enter the bound, not the sum.
        double terms = Math.abs(sigmaD * tan.networkF().get(0, 0)) + Math.abs(v.get(0, 0)) + Math.abs(x)
                + Math.abs(g.cmGainDerivative(t) * x) + Math.abs(g.cmGain(t) * v.get(0, 0));
        assertEquals(0.0, tan.dfdt().get(0, 0), 16 * EPS * terms);
        // the check has teeth: off the trajectory (velocity 2 v*) df/dt = (df/dx) v* = (s/a_t) v* != 0
        if (Math.abs(v.get(0, 0)) > 1e-3 && Math.cos(t) > 1e-3) {
            double off = cf.tangent(xt, tt, scm.ref.trigflow.PerSample.scale(2.0, v)).dfdt().get(0, 0);
            assertEquals(g.consistencyGain(t) * v.get(0, 0), off, 16 * EPS * 3 * terms);
        }
    }

    // ---------------------------------------------------------------- Karras grid

    @Test
    void karrasScheduleEndpointsOrderAndCodeIndexing() {
        Props.check(50, Props.ints(2, 1300), this::karrasScheduleEndpointsOrderAndCodeIndexing);
    }

    void karrasScheduleEndpointsOrderAndCodeIndexing(int n) {
        KarrasSchedule k = KarrasSchedule.cm(n);
        assertEquals(0.002, k.sigma(1), 0.0);
        assertEquals(80.0, k.sigma(n), 0.0);
        double[] asc = k.ascending(), desc = k.descending();
        for (int i = 1; i < n; i++) assertTrue(asc[i] > asc[i - 1], "strictly increasing");
        for (int i = 0; i < n; i++) assertEquals(asc[n - 1 - i], desc[i], 0.0);
        // CM's code formula for index idx: (T^(1/rho) + idx/(N-1) (eps^(1/rho) - T^(1/rho)))^rho [docs/math.md §7]. Same math,
        // different rounding of the base (~2 eps relative), amplified rho = 7 times by the power: <= ~16 eps relative.
        double lo = Math.pow(0.002, 1 / 7.0), hi = Math.pow(80.0, 1 / 7.0);
        for (int idx = 0; idx < n; idx++) {
            double code = Math.pow(hi + (double) idx / (n - 1) * (lo - hi), 7);
            assertEquals(code, k.sigmaAtCodeIndex(idx), 32 * EPS * code);
        }
    }

    @Test
    void karrasCodeIndicesForTwoStepSampling() {
        // CD-ImageNet64 2-step uses --ts 0,22,39 --steps 40 [docs/math.md §7]: index 0 is T, index 39 is eps
        double[] ts = KarrasSchedule.cm(40).sigmasAtCodeIndices(0, 22, 39);
        assertEquals(80.0, ts[0], 0.0);
        assertEquals(0.002, ts[2], 0.0);
        double lo = Math.pow(0.002, 1 / 7.0), hi = Math.pow(80.0, 1 / 7.0);
        assertEquals(Math.pow(hi + 22.0 / 39 * (lo - hi), 7), ts[1], 32 * EPS * ts[1]);
    }
}
