/**
 * float32 kernels: static methods over primitive {@code float[]} written in the subset of Java that
 * TornadoVM compiles — no allocation, no exceptions, no objects, only {@code Math} functions, loops with
 * int bounds. Each method computes one element or one row (index arguments), or a range of rows
 * ({@code from}, {@code to}); a backend decides how the index space is split (ForkJoin row ranges on
 * the JVM, {@code @Parallel} loops on TornadoVM). Layout: row-major, batch first, as
 * {@link scm.ref.tensor.Batch}. Linear weights are [out, in] (PyTorch), as {@link scm.ref.nn.Linear}.
 * sin, cos, exp and log come from {@link scm.accel.kernels.IeeeMath} (IEEE double arithmetic only, within 2^−44)
 * and are rounded once to float, so they mean the same on every backend: TornadoVM would map {@code Math.sin} etc.
 * to float approximations on the GPU. sqrt and division stay {@code Math.sqrt} and {@code /}.
 */
package scm.accel.kernels;
