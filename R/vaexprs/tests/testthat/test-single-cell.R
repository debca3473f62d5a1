# A CVAE from a SingleCellExperiment of the shipped PBMC counts, generated back as a
# SingleCellExperiment that scater accepts; models saved and loaded.
test_that("a SingleCellExperiment of counts fits a count CVAE and generates one back", {
  skip_if_not_installed("SingleCellExperiment")
  skip_if_not_installed("scater")
  data <- pbmc_counts()
  counts <- Matrix::Matrix(t(data$counts), sparse = TRUE)  # genes x cells, as assays are
  sce <- SingleCellExperiment::SingleCellExperiment(
    assays = list(counts = counts), colData = S4Vectors::DataFrame(label = data$labels))
  fit <- fit_vae(sce, epochs = 20, batch_size = 16, validation_split = 0.2, seed = 1,
                 callbacks = callback_early_stopping(patience = 5, restore_best_weights = TRUE))
  expect_true(fit$description$likelihood %in% c("zinb", "nb", "poisson"))  # counts as counts
  expect_false(is.null(fit$description$conditions))
  generated <- gen_exprs(fit, per_label = c("0" = 10, "1" = 7), return_sce = TRUE, seed = 2)
  expect_s4_class(generated, "SingleCellExperiment")
  expect_equal(ncol(generated), 17)
  expect_equal(as.vector(table(generated$label)[c("0", "1")]), c(10, 7))
  values <- SummarizedExperiment::assay(generated, "counts")
  expect_true(all(values@x == round(values@x)) && all(values@x >= 0))
  expect_equal(ncol(SingleCellExperiment::reducedDim(generated, "VAExprs")), fit$description$latent_dim)
  normalised <- scater::logNormCounts(generated)
  normalised <- scater::runPCA(normalised, ncomponents = 5)
  expect_equal(dim(SingleCellExperiment::reducedDim(normalised, "PCA")), c(17, 5))

  path <- tempfile(fileext = ".vaexprs")
  save_vae(fit, path)
  loaded <- load_vae(path)
  expect_equal(loaded$description$genes, fit$description$genes)
  a <- gen_exprs(fit, num_samples = 5, seed = 9)$x_gen
  b <- gen_exprs(loaded, num_samples = 5, seed = 9)$x_gen
  expect_identical(as.matrix(a), as.matrix(b))
  report <- evaluate_exprs(gen_exprs(fit, num_samples = 60, seed = 3), repeats = 1)
  expect_true(report$rf_auc >= 0 && report$rf_auc <= 1)
})
