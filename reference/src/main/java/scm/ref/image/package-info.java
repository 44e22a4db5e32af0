/**
 * Run artefacts: PNG sample grids for images ({@link scm.ref.image.ImageGrid}), 2-D scatter plots
 * ({@link scm.ref.image.ScatterPlot}) and a Markdown + JSON run report ({@link scm.ref.image.RunReport}).
 * Files are written atomically ({@link scm.ref.io.AtomicFile}): a reader sees the old file or the new one.
 */
package scm.ref.image;
