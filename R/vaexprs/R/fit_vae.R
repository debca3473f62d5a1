#' Fit a variational autoencoder (or a conditional one) to expression data
#'
#' The original package's \code{fit_vae}, with its signature and its result, on the VAExprs
#' engine. Cells are rows of \code{x_train} (as in the original) or the columns of
#' \code{object}'s assay; with labels (\code{y_train}, or \code{object}'s first \code{colData}
#' column) the model is a conditional VAE.
#'
#' When the decoder ends in the original's output layer (a dense layer with one unit per gene),
#' the original's model is fitted: a sigmoid output is its Bernoulli likelihood on min-max-scaled
#' values (log-normalised first, as scater's logNormCounts, for an \code{object}). Otherwise the
#' engine chooses the likelihood from the data (counts are modelled as counts, with each cell's
#' library size), as \code{vaexprs fit} does.
#'
#' @param object A \code{SingleCellExperiment} or \code{SummarizedExperiment}: its \code{counts}
#'   assay (else its first) holds the cells, its first \code{colData} column the labels.
#' @param x_train Cells (rows) x genes (columns): a matrix or a sparse \code{dgCMatrix}.
#' @param x_val Validation cells (same genes), instead of \code{validation_split}.
#' @param y_train Labels of the training cells (a vector, factor or data frame of label columns).
#' @param y_val Labels of the validation cells.
#' @param encoder_layers Encoder layers: \code{list(layer_input(shape = genes), layer_dense(...), ...)}.
#' @param decoder_layers Decoder layers; a last dense layer with one unit per gene is the output layer.
#' @param latent_dim Latent dimensions.
#' @param regularization KL weight.
#' @param epochs Passes over the training cells.
#' @param batch_size Cells per gradient step.
#' @param preprocessing The \code{preprocessing} of an earlier fit's result: its training and
#'   validation cells and labels are fitted again (as in the original).
#' @param use_generator Accepted for compatibility: large data are streamed by the engine itself.
#' @param optimizer "adam", "sgd" or "rmsprop" (options as "sgd:momentum=0.9").
#' @param validation_split Fraction of cells held out for validation.
#' @param ... \code{callbacks = callback_early_stopping(...)}, and the engine's options with the
#'   command line's meanings: \code{seed}, \code{likelihood}, \code{top_genes},
#'   \code{gene_selection}, \code{normalization}, \code{preset}, \code{learning_rate},
#'   \code{prior}, \code{threads}, \code{sparse_input} ("auto", "always", "never"), \code{precision}
#'   ("float32", or "bf16": bfloat16 products with float32 sums, on CPUs with AVX512_BF16), \code{verbose}
#'   (print each epoch's losses, as keras does; default: in interactive sessions).
#' @return A \code{vaexprs_vae}: a list with \code{model} (the engine's model), \code{encoder},
#'   \code{decoder} (their layers), \code{preprocessing}, the training data and labels.
#' @export
fit_vae <- function(object = NULL, x_train = NULL, x_val = NULL, y_train = NULL, y_val = NULL,
                    encoder_layers, decoder_layers, latent_dim = 2, regularization = 1, epochs, batch_size,
                    preprocessing = list(x_train = NULL, x_val = NULL, y_train = NULL, y_val = NULL,
                                         minmax = NULL, lenc = NULL),
                    use_generator = FALSE, optimizer = "adam", validation_split = 0, ...) {
  extra <- list(...)
  known <- c("callbacks", "seed", "likelihood", "top_genes", "gene_selection", "normalization", "preset",
             "learning_rate", "prior", "threads", "sparse_input", "precision", "verbose")
  unknown <- setdiff(names(extra), known)
  if (length(unknown) > 0 || (length(extra) > 0 && is.null(names(extra)))) {
    stop("fit_vae: unknown argument ", paste0("'", unknown, "'", collapse = ", "),
         "; the engine's options are ", paste(known, collapse = ", "), call. = FALSE)
  }
  cells_in_rows <- TRUE
  if (!is.null(preprocessing$x_train)) {
    # An earlier fit's cells, as the original reuses them (the split it made included).
    x_train <- preprocessing$x_train
    x_val <- preprocessing$x_val
    y_train <- preprocessing$y_train
    y_val <- preprocessing$y_val
  } else if (!is.null(object)) {
    given <- .vx_object_cells(object, y_train)
    x_train <- given$x
    y_train <- given$y
    cells_in_rows <- FALSE
  }
  if (is.null(x_train)) stop("give x_train (cells x genes) or object", call. = FALSE)
  cells <- .vx_matrix(x_train, cells_in_rows, "x_train")
  genes <- cells[[3]]
  encoder <- if (missing(encoder_layers)) NULL else encoder_layers
  if (!is.null(encoder) && !inherits(encoder, "vaexprs_layer") && length(encoder) > 0 &&
      inherits(encoder[[1]], "vaexprs_layer") && encoder[[1]]$type == "input") {
    if (!is.na(encoder[[1]]$shape) && encoder[[1]]$shape != genes) {
      stop("encoder_layers: layer_input(shape = ", encoder[[1]]$shape, ") but x_train has ", genes, " genes", call. = FALSE)
    }
    encoder <- encoder[-1]
  }
  decoder <- if (missing(decoder_layers)) NULL else decoder_layers
  if (inherits(decoder, "vaexprs_layer")) decoder <- list(decoder)
  likelihood <- extra$likelihood
  preset <- extra$preset
  normalization <- extra$normalization
  # The original's output layer: the engine adds it for the likelihood.
  if (length(decoder) > 0) {
    last <- decoder[[length(decoder)]]
    if (inherits(last, "vaexprs_layer") && last$type == "dense" && last$units == genes) {
      decoder <- decoder[-length(decoder)]
      if (is.null(likelihood)) {
        likelihood <- switch(last$activation, sigmoid = "bernoulli", linear = "gaussian",
                             stop("decoder_layers: an output layer with activation '", last$activation,
                                  "' has no likelihood here; use sigmoid (the original's) or linear", call. = FALSE))
        # The original min-max scales x_train as given, and log-normalises an object's counts.
        if (is.null(normalization)) normalization <- if (cells_in_rows) "none" else "lognorm"
        if (is.null(preset)) preset <- "original"
      }
    }
  }
  callbacks <- extra$callbacks
  if (inherits(callbacks, "vaexprs_early_stopping")) callbacks <- list(callbacks)
  monitor <- NULL
  patience <- NULL
  for (callback in callbacks) {
    if (!inherits(callback, "vaexprs_early_stopping")) {
      stop("callbacks: only callback_early_stopping() is understood", call. = FALSE)
    }
    monitor <- callback$monitor
    patience <- callback$patience
    if (isFALSE(callback$restore_best_weights)) {
      warning("callback_early_stopping: the engine restores the best weights when it stops early", call. = FALSE)
    }
  }
  labels <- .vx_labels(y_train, cells[[2]], "y_train")
  validation <- if (is.null(x_val)) NULL else .vx_matrix(x_val, cells_in_rows, "x_val")
  validation_labels <- if (is.null(y_val)) NULL else .vx_labels(y_val, validation[[2]], "y_val")
  options <- list(
    epochs = epochs, batchSize = batch_size, latentDimension = latent_dim, regularization = regularization,
    optimizer = optimizer, learningRate = extra$learning_rate, monitor = monitor, patience = patience,
    seed = .vx_seed(extra$seed), likelihood = likelihood, normalization = normalization, preset = preset,
    topGenes = extra$top_genes, geneSelection = extra$gene_selection, prior = extra$prior, threads = extra$threads,
    sparseInput = extra$sparse_input, precision = extra$precision,
    validationSplit = if (is.null(x_val) && validation_split > 0) validation_split else NULL,
    encoder = if (length(encoder) > 0) paste(.vx_layer_specs(encoder, "encoder_layers"), collapse = ",") else NULL,
    decoder = if (length(decoder) > 0) paste(.vx_layer_specs(decoder, "decoder_layers"), collapse = ",") else NULL
  )
  verbose <- if (is.null(extra$verbose)) interactive() else isTRUE(as.logical(extra$verbose))
  model <- .vx_call("vx_fit", cells, labels, validation, validation_labels, .vx_options(options), .vx_names(),
                    verbose)
  # The original's preprocessing: the training and validation cells (as given, in cells x genes;
  # the engine scales them itself, its scaling stored in the model), their labels, the scaling
  # and the label classes; entries that do not apply are left out, as the original leaves them.
  trained <- .vx_call("vx_training_cells", model)
  given <- if (cells_in_rows) x_train else Matrix::t(x_train)
  rows <- rownames(given)
  if (is.null(rows)) rows <- paste0("cell", seq_len(nrow(given)))
  is_training <- rows %in% trained
  preprocessing <- list(x_train = given[is_training, , drop = FALSE])
  if (!is.null(x_val)) {
    preprocessing$x_val <- if (cells_in_rows) x_val else Matrix::t(x_val)
  } else if (!all(is_training)) {
    preprocessing$x_val <- given[!is_training, , drop = FALSE]
  }
  if (!is.null(labels)) {
    preprocessing$y_train <- .vx_subset_labels(y_train, is_training)
    preprocessing$y_val <- if (!is.null(y_val)) y_val else if (!all(is_training)) .vx_subset_labels(y_train, !is_training)
  }
  vae <- .vx_vae(model, preprocessing = preprocessing)
  history <- vae$description$history
  if (verbose && NROW(history) > 0) {
    # The library's callback printed every epoch but the last (its losses come after the callback).
    last <- NROW(history)
    cat(sprintf("Epoch %d/%d - loss: %.4f%s\n", history$epoch[last], epochs, history$loss[last],
                if (is.null(history$val_loss)) "" else sprintf(" - val_loss: %.4f", history$val_loss[last])))
    restored <- vae$description$restored_epoch
    if (!is.null(restored)) cat(sprintf("weights of epoch %d restored (best %s)\n", restored, vae$description$monitor))
  }
  vae
}

.vx_subset_labels <- function(y, keep) {
  if (is.data.frame(y) || is.matrix(y)) y[keep, , drop = FALSE] else y[keep]
}

# A fitted (or loaded) model with what the original's result holds.
.vx_vae <- function(model, preprocessing = list()) {
  description <- jsonlite::fromJSON(.vx_call("vx_model_json", model), simplifyVector = TRUE)
  preprocessing$minmax <- list(normalization = description$normalization, likelihood = description$likelihood,
                               scaled = description$likelihood_data == "scaled")
  if (!is.null(description$conditions)) preprocessing$lenc <- description$conditions
  structure(list(model = model, encoder = description$encoder, decoder = description$decoder,
                 preprocessing = preprocessing, description = description), class = "vaexprs_vae")
}

#' @export
print.vaexprs_vae <- function(x, ...) {
  d <- x$description
  cat(if (is.null(d$conditions)) "VAE" else "conditional VAE", " (vaexprs): ", d$genes, " genes, ",
      d$training_cells, " training cells, latent ", d$latent_dim, ", likelihood ", d$likelihood, ", ",
      length(d$history$epoch), " epochs\n", sep = "")
  invisible(x)
}

#' Save and load models
#'
#' Models are the command line's model files: a model saved from R generates with
#' \code{vaexprs generate}, and one fitted by \code{vaexprs fit} loads here.
#' @param x A model from \code{fit_vae} or \code{load_vae}.
#' @param path The model file.
#' @return \code{save_vae}: \code{path}, invisibly; \code{load_vae}: the model.
#' @export
save_vae <- function(x, path) {
  if (!inherits(x, "vaexprs_vae")) stop("x must be a model from fit_vae or load_vae", call. = FALSE)
  .vx_call("vx_save", x$model, path.expand(path))
  invisible(path)
}

#' @rdname save_vae
#' @export
load_vae <- function(path) {
  .vx_vae(.vx_call("vx_load", path.expand(path)))
}

#' The engine's versions
#' @return The release, the C interface's version and the model file format.
#' @export
vaexprs_version <- function() {
  v <- .vx_call("vx_version")
  list(release = v[1], abi = as.integer(v[2]), model_format = as.integer(v[3]))
}
