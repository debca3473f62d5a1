# Internal helpers: how R objects reach libvaexprs, and how its messages name R's arguments.

# The library's parameter names as this package's arguments, for error messages.
.vx_names <- function() {
  jsonlite::toJSON(list(
    cells = "x_train", labels = "y_train", validation = "x_val", validation_labels = "y_val",
    validationFile = "x_val", latentDimension = "latent_dim", batchSize = "batch_size",
    validationSplit = "validation_split", topGenes = "top_genes", geneSelection = "gene_selection",
    learningRate = "learning_rate", encoder = "encoder_layers", decoder = "decoder_layers",
    labelColumns = "y_train", count = "num_samples", perLabel = "per_label",
    sparseInput = "sparse_input", colourBy = "colour_by", real = "x_train", generated = "x_gen",
    real_labels = "y_train", generated_labels = "y_gen", method = "plot_fun"
  ), auto_unbox = TRUE)
}

# Options as the library's JSON object (NULL entries left out).
.vx_options <- function(options) {
  options <- options[!vapply(options, is.null, logical(1))]
  if (length(options) == 0) return("{}")
  as.character(jsonlite::toJSON(options, auto_unbox = TRUE, digits = NA, null = "null"))
}

# A seed for the engine: given, or drawn from R's random numbers (so that set.seed() makes a
# call repeatable, as in the original package).
.vx_seed <- function(seed) {
  if (!is.null(seed)) {
    if (!is.numeric(seed) || length(seed) != 1 || is.na(seed) || seed < 0 || seed != floor(seed)) {
      stop("seed must be one whole number >= 0", call. = FALSE)
    }
    return(seed)
  }
  sample.int(.Machine$integer.max, 1)
}

# A matrix for the library: cells x genes (`cells_in_rows`, the original's x_train) or genes x
# cells (an assay). Dense doubles and dgCMatrix slots are passed without copying.
.vx_matrix <- function(x, cells_in_rows, what) {
  if (is.null(x)) return(NULL)
  if (is.data.frame(x)) x <- as.matrix(x)
  if (methods::is(x, "sparseMatrix") && !methods::is(x, "dgCMatrix")) {
    x <- methods::as(methods::as(x, "CsparseMatrix"), "generalMatrix")
    x <- methods::as(x, "dMatrix")
  }
  # Other matrix-like assays (DelayedArray, HDF5Array) are read into memory.
  if (!is.matrix(x) && !methods::is(x, "dgCMatrix") && length(dim(x)) == 2) x <- as.matrix(x)
  if (!is.matrix(x) && !methods::is(x, "dgCMatrix")) {
    stop(what, " must be a matrix (dense, or a sparse dgCMatrix) of ",
         if (cells_in_rows) "cells (rows) x genes (columns)" else "genes (rows) x cells (columns)", call. = FALSE)
  }
  cells <- if (cells_in_rows) nrow(x) else ncol(x)
  genes <- if (cells_in_rows) ncol(x) else nrow(x)
  cell_ids <- if (cells_in_rows) rownames(x) else colnames(x)
  gene_names <- if (cells_in_rows) colnames(x) else rownames(x)
  if (is.null(gene_names)) gene_names <- paste0("gene", seq_len(genes))
  if (is.null(cell_ids)) cell_ids <- paste0("cell", seq_len(cells))
  if (methods::is(x, "dgCMatrix")) {
    # A dgCMatrix is column-compressed: genes x cells is CSR of cells x genes (layout 2),
    # cells x genes is CSC (layout 3).
    list(if (cells_in_rows) 3L else 2L, cells, genes, x@x, x@i, x@p, as.character(cell_ids), as.character(gene_names))
  } else {
    if (!is.double(x)) storage.mode(x) <- "double"
    # R is column-major: cells x genes is column-major (layout 1), genes x cells row-major (0).
    list(if (cells_in_rows) 1L else 0L, cells, genes, x, NULL, NULL, as.character(cell_ids), as.character(gene_names))
  }
}

# Labels: a vector, factor or data frame with one row per cell.
.vx_labels <- function(y, cells, what) {
  if (is.null(y)) return(NULL)
  if (is.data.frame(y) || is.matrix(y)) {
    columns <- colnames(y)
    if (is.null(columns)) columns <- paste0("label", seq_len(ncol(y)))
    values <- vapply(seq_len(ncol(y)), function(j) as.character(y[, j]), character(nrow(y)))
    if (!is.matrix(values)) values <- matrix(values, nrow = nrow(y))
  } else {
    columns <- "label"
    values <- matrix(as.character(y), ncol = 1)
  }
  if (nrow(values) != cells) {
    stop(what, " has ", nrow(values), " labels for ", cells, " cells; give one label per cell", call. = FALSE)
  }
  if (anyNA(values)) stop(what, " has missing labels; every cell needs a label", call. = FALSE)
  list(as.character(columns), values)
}

.vx_call <- function(name, ...) .Call(name, ..., PACKAGE = "vaexprs")

# The cells of a SingleCellExperiment or SummarizedExperiment (its counts assay, else its first;
# genes x cells) and their labels (y, else the first colData column).
.vx_object_cells <- function(object, y) {
  if (!methods::is(object, "SummarizedExperiment")) {
    stop("object must be a SingleCellExperiment or SummarizedExperiment", call. = FALSE)
  }
  assays <- SummarizedExperiment::assayNames(object)
  x <- SummarizedExperiment::assay(object, if ("counts" %in% assays) "counts" else 1)
  if (is.null(y) && ncol(SummarizedExperiment::colData(object)) > 0) y <- SummarizedExperiment::colData(object)[[1]]
  list(x = x, y = y)
}
