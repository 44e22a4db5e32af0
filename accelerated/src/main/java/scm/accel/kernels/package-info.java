/**
 * float32 kernels: static methods over primitive {@code float[]} written in the subset of Java that
 * TornadoVM compiles — no allocation, no exceptions, no objects, only {@code Math} functions, loops with
 * int bounds. Each method computes one element or one row (index arguments), or a range of rows
 * ({@code from}, {@code to}); a backend decides how the index space is split (ForkJoin row ranges on
 * the JVM, {@code @Parallel} loops on TornadoVM). Layout: row-major, batch first, as
 * {@link scm.ref.tensor.Batch}. Linear weights are [out, in] (PyTorch), as {@link scm.ref.nn.Linear}.
 * Transcendentals are evaluated in double and rounded once to float (JVM: correctly rounded to within
 * 1 ulp of float; TornadoVM maps Math.* to device builtins).
 */
package scm.accel.kernels;
