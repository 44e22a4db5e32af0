/**
 * Optimizers with PyTorch's arithmetic ({@link scm.ref.optim.Adam}, {@link scm.ref.optim.RAdam}),
 * global gradient-norm clipping ({@link scm.ref.optim.GradClip}) and parameter EMAs
 * ({@link scm.ref.optim.Ema} with a constant, half-life or EDM2 power-function
 * {@link scm.ref.optim.EmaSchedule}). All state is exposed as named {@link scm.ref.io.Tensor}s for
 * checkpoints (names in docs/formats.md).
 */
package scm.ref.optim;
