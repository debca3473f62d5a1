#' Plot real and generated cells together
#'
#' The original package's \code{plot_aug}: real (training) and generated cells embedded together
#' by the engine's reducers and drawn with ggplot2, colour by origin, shape by label.
#'
#' @param x The result of \code{gen_exprs}.
#' @param plot_fun "PCA", "MDS", "TSNE", "UMAP", "NMF" or "DiffusionMap".
#' @param ... \code{normalization} ("auto", "lognorm", "none"), \code{top_genes}, \code{seed},
#'   \code{threads}.
#' @return A \code{ggplot} object.
#' @export
plot_aug <- function(x, plot_fun, ...) {
  extra <- list(...)
  unknown <- setdiff(names(extra), c("normalization", "top_genes", "seed", "threads"))
  if (length(unknown) > 0) stop("plot_aug: unknown argument ", paste0("'", unknown, "'", collapse = ", "), call. = FALSE)
  methods <- c(PCA = "pca", MDS = "mds", TSNE = "tsne", UMAP = "umap", NMF = "nmf", DiffusionMap = "diffmap")
  if (missing(plot_fun) || !is.character(plot_fun) || !(plot_fun %in% names(methods))) {
    stop("plot_fun must be one of ", paste0('"', names(methods), '"', collapse = ", "), call. = FALSE)
  }
  pair <- .vx_pair(x)
  options <- list(method = methods[[plot_fun]], normalization = extra$normalization, topGenes = extra$top_genes,
                  seed = .vx_seed(extra$seed), threads = extra$threads)
  e <- jsonlite::fromJSON(.vx_call("vx_embed_aug", pair$real, pair$real_labels, pair$generated,
                                   pair$generated_labels, .vx_options(options), .vx_names()))
  data <- data.frame(x = e$x, y = e$y, origin = ifelse(e$generated, "generated", "real"), label = e$label)
  titles <- if (length(e$axis_titles) >= 2) e$axis_titles else c(paste0(plot_fun, "1"), paste0(plot_fun, "2"))
  plot <- ggplot2::ggplot(data, ggplot2::aes(x = .data$x, y = .data$y, colour = .data$origin)) +
    ggplot2::labs(x = titles[1], y = titles[2], colour = NULL, title = paste(plot_fun, "of real and generated cells")) +
    ggplot2::theme_bw()
  if (any(data$label != "")) {
    plot + ggplot2::geom_point(ggplot2::aes(shape = .data$label), alpha = 0.7) + ggplot2::labs(shape = "label")
  } else {
    plot + ggplot2::geom_point(alpha = 0.7)
  }
}

# The real (training) and generated cells of a gen_exprs result, on the model's genes.
.vx_pair <- function(x) {
  if (!is.list(x) || is.null(x$x_gen)) stop("x must be the result of gen_exprs", call. = FALSE)
  if (is.null(x$x_train)) stop("x has no training cells (a model loaded from a file): give x_train to compare", call. = FALSE)
  genes <- colnames(x$x_gen)
  real <- x$x_train
  if (!is.null(colnames(real)) && all(genes %in% colnames(real))) real <- real[, genes, drop = FALSE]
  real_matrix <- .vx_matrix(real, TRUE, "x_train")
  generated <- .vx_matrix(x$x_gen, TRUE, "x_gen")
  labelled <- !is.null(x$y_train) && !is.null(x$y_gen)
  list(real = real_matrix, generated = generated,
       real_labels = if (labelled) .vx_labels(x$y_train, real_matrix[[2]], "y_train") else NULL,
       generated_labels = if (labelled) .vx_labels(x$y_gen, generated[[2]], "y_gen") else NULL)
}

#' How real are the generated cells?
#'
#' The engine's realism report (\code{vaexprs evaluate}): classifier two-sample tests with a
#' real-vs-real floor, MMD, per-gene statistics, label recovery.
#' @param x The result of \code{gen_exprs}.
#' @param ... \code{normalization}, \code{seed}, \code{repeats}, \code{top_genes}, \code{threads}.
#' @return The report as a list (e.g. \code{rf_auc}, \code{rf_auc_floor}, \code{gene_mean_r}).
#' @export
evaluate_exprs <- function(x, ...) {
  extra <- list(...)
  unknown <- setdiff(names(extra), c("normalization", "seed", "repeats", "top_genes", "threads"))
  if (length(unknown) > 0) {
    stop("evaluate_exprs: unknown argument ", paste0("'", unknown, "'", collapse = ", "), call. = FALSE)
  }
  pair <- .vx_pair(x)
  options <- list(normalization = extra$normalization, seed = .vx_seed(extra$seed), repeats = extra$repeats,
                  topGenes = extra$top_genes, threads = extra$threads)
  jsonlite::fromJSON(.vx_call("vx_evaluate", pair$real, pair$real_labels, pair$generated, pair$generated_labels,
                              .vx_options(options), .vx_names()))
}
