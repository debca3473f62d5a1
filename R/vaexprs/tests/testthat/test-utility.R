# Issue 31: the utility test from R, and log-normalised input fitted as counts.
test_that("utility_exprs reports F1 per training set on the PBMC counts", {
  data <- pbmc_counts()
  report <- utility_exprs(x_train = data$counts, y_train = data$labels, repeats = 1, epochs = 20, seed = 3)
  expect_s3_class(report, "vaexprs_utility")
  expect_equal(report$kept, 5)
  expect_setequal(names(report$perLabelMeanF1), c("real", "duplicated", "smote", "generated", "generated_only"))
  expect_true(is.numeric(report$perLabelMeanF1$generated$mean))
  expect_equal(nrow(report$perLabel), 3)
  expect_output(print(report), "One label reduced at a time")
  # The same seed, the same report (fits, splits and generation are seeded).
  again <- utility_exprs(x_train = data$counts, y_train = data$labels, repeats = 1, epochs = 20, seed = 3,
                         designs = "per-label")
  expect_equal(again$perLabelMeanF1$generated$mean, report$perLabelMeanF1$generated$mean)
  expect_null(again$capped)
  expect_error(utility_exprs(x_train = data$counts), "y_train")
  expect_error(utility_exprs(x_train = data$counts, y_train = data$labels, designs = "all"), "per-label")
  expect_error(utility_exprs(x_train = data$counts, y_train = data$labels, held_out = 1), "held_out")
  expect_error(utility_exprs(x_train = data$counts, y_train = data$labels, folds = 3), "unknown argument 'folds'")
})

test_that("a SingleCellExperiment of log-normalised counts is fitted as counts and generated back as logcounts", {
  skip_if_not_installed("SingleCellExperiment")
  skip_if_not_installed("scater")
  data <- pbmc_counts()
  counts <- Matrix::Matrix(t(data$counts), sparse = TRUE)
  sce <- scater::logNormCounts(SingleCellExperiment::SingleCellExperiment(
    assays = list(counts = counts), colData = S4Vectors::DataFrame(label = data$labels)))
  logged <- SingleCellExperiment::SingleCellExperiment(
    assays = list(logcounts = SingleCellExperiment::logcounts(sce)), colData = SingleCellExperiment::colData(sce))
  fit <- fit_vae(logged, epochs = 10, batch_size = 16, seed = 1)
  expect_true(fit$description$likelihood %in% c("zinb", "nb", "poisson"))
  expect_match(fit$description$log_normalised_input, "log2")
  generated <- gen_exprs(fit, num_samples = 12, return_sce = TRUE, seed = 2)
  expect_equal(SummarizedExperiment::assayNames(generated), "logcounts")
  as_counts <- gen_exprs(fit, num_samples = 12, return_sce = TRUE, seed = 2, as_counts = TRUE)
  expect_equal(SummarizedExperiment::assayNames(as_counts), "counts")
  values <- SummarizedExperiment::assay(as_counts, "counts")
  expect_true(all(values@x == round(values@x)))
  # The logcounts are scater's of those counts, at the training cells' mean library size.
  lib <- Matrix::colSums(values)
  target <- mean(Matrix::colSums(counts))
  expected <- log2(t(t(as.matrix(values)) / lib * target) + 1)
  expect_equal(unname(as.matrix(SummarizedExperiment::assay(generated, "logcounts"))), unname(expected),
               tolerance = 1e-4)
})
