/**
 * The safetensors file format, read and written without a library: {@link scm.ref.io.SafeTensors}
 * (validated reads, library-compatible atomic writes), {@link scm.ref.io.Tensor} (shape, double
 * values, stored {@link scm.ref.io.DType}), {@link scm.ref.io.AtomicFile} (temp file, fsync, atomic
 * rename). Layout and our tensor names: docs/formats.md.
 */
package scm.ref.io;
