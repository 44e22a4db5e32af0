/**
 * Neural-network layers of the float64 reference oracle, written llm.c style: every layer has an
 * explicit forward pass, an explicit forward-mode derivative (JVP) and an explicit backward pass.
 *
 * <h2>Layer convention</h2>
 * <ul>
 *   <li><b>Layout.</b> Activations are {@link scm.ref.tensor.Batch}es: n samples of d doubles, row-major,
 *       batch first. Per-sample scalars (the time t, its tangent dt, dL/dt) are {@code double[n]}.</li>
 *   <li><b>forward(x) -&gt; y.</b> Validates shapes and finiteness, computes y and caches in fields what
 *       backward needs (the input, normalisation statistics, the dropout mask ...). Inputs are never
 *       modified and outputs never alias inputs.</li>
 *   <li><b>jvp(x, dx) -&gt; {@link scm.ref.nn.Dual}(y, dy).</b> One pass computing the primal y and the
 *       tangent dy = J(x)·dx. The primal is computed by exactly the same arithmetic as forward (it is
 *       bit-identical to forward(x)), and jvp fills the same cache, so a training step does one jvp call
 *       for F⁻ and its tangent and then calls backward for the gradient of F_θ at the same point.
 *       The JVP is linear in the tangent and a zero tangent gives an exactly zero output tangent.
 *       The JVP differentiates inputs only, never parameters.</li>
 *   <li><b>backward(dy) -&gt; dx.</b> Uses the cache of the last forward/jvp call, returns dL/dx and
 *       <em>accumulates</em> (+=) dL/dθ into each {@link scm.ref.nn.Param#grad}; call
 *       {@link scm.ref.nn.Module#zeroGrad()} between steps. Calling backward before any forward, or with a
 *       dy whose shape differs from the last output, throws IllegalArgumentException.</li>
 *   <li><b>Shapes of interfaces.</b> {@link scm.ref.nn.Layer}: one input. {@link scm.ref.nn.ConditionedLayer}:
 *       an activation x and a conditioning vector c (the time embedding), both with tangents; backward
 *       returns both gradients. {@link scm.ref.nn.TimeEmbedding}: per-sample t and dt in, a Batch out;
 *       backward returns dL/dt.</li>
 *   <li><b>Parameters.</b> Every layer is constructed with a hierarchical name prefix
 *       ({@code blocks.0.linear}); its {@link scm.ref.nn.Param}s are named {@code prefix.weight} etc.
 *       Initialisation is seeded per parameter by {@link scm.ref.nn.Init#rng(long, String)} from a base
 *       seed and the parameter's name, so it does not depend on construction order.</li>
 *   <li><b>Validation.</b> Wrong shapes and NaN/infinite inputs are rejected with an
 *       IllegalArgumentException naming the layer and the quantity ({@link scm.ref.nn.Shapes}).</li>
 *   <li><b>Kernels.</b> Matrix products go through {@link scm.ref.nn.Gemm} (i-k-j loop order on row-major
 *       arrays, no boxing).</li>
 * </ul>
 * The formulas for every layer's JVP and backward are in docs/math.md, section "Networks".
 */
package scm.ref.nn;
