/**
 * Data sets as {@link scm.ref.tensor.Batch}es: seeded 2-D toy distributions with unit variance
 * ({@link scm.ref.data.Toy2D}), the bundled 8×8 UCI digits ({@link scm.ref.data.Digits}, CC BY 4.0)
 * and a Fashion-MNIST IDX reader ({@link scm.ref.data.FashionMnist}) with its search order
 * ({@link scm.ref.data.FashionMnistLocation}). Descriptions and attribution:
 * docs/data.md.
 */
package scm.ref.data;
