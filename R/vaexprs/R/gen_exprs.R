#' Generate cells from a fitted model
#'
#' The original package's \code{gen_exprs}: a Gaussian mixture is fitted to the training cells'
#' latent means (chosen by BIC as mclust does; per label for a conditional model), sampled and
#' decoded, and each cell drawn from the model's likelihood (whole counts for count models).
#'
#' @param x A model from \code{fit_vae} (or \code{load_vae}).
#' @param num_samples Cells to generate (for a conditional model, spread over the labels as the
#'   training cells are), unless \code{per_label} is given.
#' @param batch_size,use_generator Accepted for compatibility (the engine generates in blocks).
#' @param ... \code{per_label} (named counts, e.g. \code{c("B cell" = 50)}), \code{seed} (default:
#'   drawn from R's random numbers, so \code{set.seed} repeats a call), \code{sampler},
#'   \code{decode} ("sample" or "mean"), \code{library} ("lognormal" or "empirical"),
#'   \code{threads}, \code{sparse} (a \code{dgCMatrix} \code{x_gen}), \code{as_counts} (counts
#'   from a model fitted on log-normalised counts, which otherwise gives their scale back),
#'   \code{return_sce} (a \code{SingleCellExperiment}: a counts assay, or logcounts for a model
#'   fitted on log-normalised counts; labels in \code{colData}, latent points as the reduced
#'   dimension "VAExprs").
#' @return A list: \code{x_gen} (generated cells x genes), \code{y_gen} (their labels),
#'   \code{x_train}, \code{y_train} (the training cells, without those held out for validation,
#'   as the original returns them), \code{latent_vector} (the training
#'   cells' latent means) and \code{latent_gen} (the generated cells' latent points); or a
#'   \code{SingleCellExperiment} with \code{return_sce = TRUE}.
#' @export
gen_exprs <- function(x, num_samples, batch_size, use_generator = FALSE, ...) {
  extra <- list(...)
  known <- c("per_label", "seed", "sampler", "decode", "library", "threads", "sparse", "return_sce", "as_counts")
  unknown <- setdiff(names(extra), known)
  if (length(unknown) > 0) {
    stop("gen_exprs: unknown argument ", paste0("'", unknown, "'", collapse = ", "), call. = FALSE)
  }
  if (!inherits(x, "vaexprs_vae")) stop("x must be a model from fit_vae or load_vae", call. = FALSE)
  per_label <- extra$per_label
  if (!is.null(per_label)) {
    if (is.null(names(per_label))) stop("per_label must be named counts, e.g. c(A = 10, B = 5)", call. = FALSE)
    per_label <- as.list(per_label)
  }
  count <- if (missing(num_samples)) NULL else num_samples
  options <- list(count = count, perLabel = per_label, seed = .vx_seed(extra$seed), sampler = extra$sampler,
                  decode = extra$decode, library = extra$library, threads = extra$threads,
                  asCounts = if (isTRUE(extra$as_counts)) TRUE else NULL)
  sparse <- isTRUE(extra$sparse) || isTRUE(extra$return_sce)
  made <- .vx_call("vx_generate", x$model, .vx_options(options), sparse, .vx_names())
  genes <- .vx_call("vx_model_genes", x$model)
  n <- nrow(made[[3]])
  ids <- paste0("gen", seq_len(n))
  values <- if (sparse) {
    methods::new("dgCMatrix", i = made[[1]][[1]], p = made[[1]][[2]], x = made[[1]][[3]],
                 Dim = c(length(genes), n), Dimnames = list(genes, ids))
  } else {
    v <- made[[1]]
    dimnames(v) <- list(genes, ids)
    v
  }
  labels <- made[[2]]
  latent_gen <- made[[3]]
  rownames(latent_gen) <- ids
  if (isTRUE(extra$return_sce)) {
    col_data <- if (is.null(labels)) S4Vectors::DataFrame(row.names = ids) else
      S4Vectors::DataFrame(label = labels[, 1], row.names = ids)
    logged <- !isTRUE(extra$as_counts) &&
      !is.null(jsonlite::fromJSON(.vx_call("vx_model_json", x$model))$log_normalised_input)
    assays <- list(values)
    names(assays) <- if (logged) "logcounts" else "counts"
    sce <- SingleCellExperiment::SingleCellExperiment(assays = assays, colData = col_data)
    SingleCellExperiment::reducedDim(sce, "VAExprs") <- latent_gen
    return(sce)
  }
  latent <- .vx_call("vx_latent_means", x$model)
  list(x_gen = Matrix::t(values), y_gen = if (is.null(labels)) NULL else labels[, 1],
       x_train = x$preprocessing$x_train, y_train = x$preprocessing$y_train, latent_vector = latent,
       latent_gen = latent_gen)
}
