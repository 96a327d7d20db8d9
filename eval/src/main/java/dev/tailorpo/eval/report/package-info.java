/**
 * The reporting toolkit behind {@code tailor eval}, {@code tailor experiment} and {@code tailor demo}:
 * results tables ({@link dev.tailorpo.eval.report.Table}, as Markdown, CSV, LaTeX and HTML), charts
 * ({@link dev.tailorpo.eval.report.LineChart} for reward curves and per-timestep rates,
 * {@link dev.tailorpo.eval.report.BarChart} for estimates; PNG and SVG), image grids
 * ({@link dev.tailorpo.eval.report.ImageGrid}), and whole reports
 * ({@link dev.tailorpo.eval.report.Report}) written as one self-contained HTML page
 * ({@link dev.tailorpo.eval.report.HtmlReport}) or as Markdown with a folder of files
 * ({@link dev.tailorpo.eval.report.MarkdownReport}).
 *
 * <p>Numbers come in as {@link dev.tailorpo.eval.stats.Estimate}s (mean, SE, N, seeds) from
 * {@code dev.tailorpo.eval.stats}, so every format prints the same error bars the statistics
 * define. Everything renders headless, at fixed sizes and fonts, and every file is written
 * atomically; reports are never replaced unless the caller asks ({@link dev.tailorpo.eval.report.IfExists}).
 */
package dev.tailorpo.eval.report;
