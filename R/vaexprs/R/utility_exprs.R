#' Does augmentation help?
#'
#' The engine's utility test (\code{vaexprs utility}): the labelled cells are split into
#' training and held-out halves (stratified, seeded); each label in turn keeps only \code{kept}
#' training cells (and, in the capped design, every label at once); a model is fitted on what is
#' left, and a fixed classifier (principal components of the log-normalised cells, multinomial
#' logistic regression) is trained on the real cells alone, with \code{added} duplicated,
#' SMOTE-interpolated or generated cells, or on generated cells alone, and scored on the held-out
#' cells: the reduced label's F1 and the macro-F1, beside the classifier on every training cell.
#'
#' @param object A \code{SingleCellExperiment} or \code{SummarizedExperiment}: its \code{counts}
#'   assay (else its first) holds the cells, its first \code{colData} column the labels.
#' @param x_train Cells (rows) x genes (columns), instead of \code{object}.
#' @param y_train Each cell's label.
#' @param kept Training cells a reduced label keeps.
#' @param added Cells added to each reduced label.
#' @param designs \code{"per-label"} and/or \code{"capped"}.
#' @param held_out Fraction of each label held out for scoring.
#' @param repeats Repeats (new split, kept cells and fits each), reported as mean and sd.
#' @param ... Fit options, as \code{fit_vae}'s engine options: \code{epochs} (default 300 with a
#'   validation split of 0.1 and patience 20), \code{batch_size}, \code{latent_dim},
#'   \code{regularization}, \code{validation_split}, \code{patience}, \code{seed} (also of the
#'   splits), \code{likelihood}, \code{top_genes}, \code{normalization}, \code{threads}.
#' @return The report (a \code{vaexprs_utility} list: \code{perLabel}, \code{perLabelMeanF1},
#'   \code{perLabelMeanMacroF1}, \code{capped}, \code{ceilingMacroF1}, ...); printing it shows
#'   the mean F1 of each training set.
#' @export
utility_exprs <- function(object = NULL, x_train = NULL, y_train = NULL, kept = 5, added = 50,
                          designs = c("per-label", "capped"), held_out = 0.5, repeats = 3, ...) {
  extra <- list(...)
  known <- c("epochs", "batch_size", "latent_dim", "regularization", "validation_split", "patience", "seed",
             "likelihood", "top_genes", "normalization", "threads")
  unknown <- setdiff(names(extra), known)
  if (length(unknown) > 0 || (length(extra) > 0 && is.null(names(extra)))) {
    stop("utility_exprs: unknown argument ", paste0("'", unknown, "'", collapse = ", "),
         "; the fit options are ", paste(known, collapse = ", "), call. = FALSE)
  }
  cells_in_rows <- TRUE
  if (!is.null(object)) {
    given <- .vx_object_cells(object, y_train)
    x_train <- given$x
    y_train <- given$y
    cells_in_rows <- FALSE
  }
  if (is.null(x_train)) stop("give x_train (cells x genes) or object", call. = FALSE)
  if (is.null(y_train)) stop("give y_train: the utility test needs each cell's label", call. = FALSE)
  cells <- .vx_matrix(x_train, cells_in_rows, "x_train")
  options <- list(
    kept = kept, added = added, designs = designs, heldOutFraction = held_out, repeats = repeats,
    epochs = extra$epochs, batchSize = extra$batch_size, latentDimension = extra$latent_dim,
    regularization = extra$regularization, validationSplit = extra$validation_split, patience = extra$patience,
    seed = .vx_seed(extra$seed), likelihood = extra$likelihood, topGenes = extra$top_genes,
    normalization = extra$normalization, threads = extra$threads
  )
  names <- jsonlite::fromJSON(.vx_names())
  names$heldOutFraction <- "held_out"
  report <- jsonlite::fromJSON(.vx_call("vx_utility", cells, .vx_labels(y_train, cells[[2]], "y_train"),
                                        .vx_options(options), jsonlite::toJSON(names, auto_unbox = TRUE)))
  structure(report, class = "vaexprs_utility")
}

#' @export
print.vaexprs_utility <- function(x, ...) {
  arms <- c(real = "real", duplicated = "duplicated", smote = "SMOTE", generated = "generated",
            generated_only = "generated only")
  show <- function(title, scores) {
    cat(title, "\n", sep = "")
    table <- data.frame(
      training = unname(arms),
      mean = vapply(names(arms), function(a) if (is.null(scores[[a]]$mean)) NA_real_ else scores[[a]]$mean, 0),
      sd = vapply(names(arms), function(a) if (is.null(scores[[a]]$sd)) NA_real_ else scores[[a]]$sd, 0))
    print(table, row.names = FALSE, digits = 3)
  }
  cat("Augmentation utility:", x$repeats, "repeat(s),", x$kept, "kept cells,", x$added, "added\n")
  if (!is.null(x$perLabelMeanF1)) {
    show("One label reduced at a time: its held-out F1 (mean over labels)", x$perLabelMeanF1)
  }
  if (!is.null(x$capped)) show("Every label capped: held-out macro-F1", x$capped$macroF1)
  cat("Every training cell: macro-F1", format(x$ceilingMacroF1$mean, digits = 3), "\n")
  invisible(x)
}
