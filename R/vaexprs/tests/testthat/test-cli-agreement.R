# R and the command line fit the same data with the same options and seed into the same model
# (the same weights and description; the files differ only in the recorded names of where each
# component was given, e.g. "--prior" on the command line), which generates the same cells.

# A model file's weights: the payload after the JSON header (lengths little-endian at bytes 13
# and 21; both far below 2^31 here).
weights <- function(path) {
  bytes <- readBin(path, "raw", file.size(path))
  payload <- readBin(bytes[21:24], "integer", size = 4, endian = "little")
  bytes[(length(bytes) - payload + 1):length(bytes)]
}
test_that("R and CLI fits give the same model and generate the same cells", {
  bin <- cli()
  data <- pbmc_counts()
  dir <- tempfile("agreement")
  dir.create(dir)
  counts_file <- shared_data("pbmc_small", "counts.csv.gz")
  labels_file <- shared_data("pbmc_small", "labels.csv")
  cli_model <- file.path(dir, "cli.vaexprs")
  status <- system2(bin, c("fit", "--counts", counts_file, "--labels", labels_file, "--epochs", "5",
                           "--batch-size", "16", "--latent-dim", "2", "--regularization", "1",
                           "--validation-split", "0.2", "--seed", "3", "--output", cli_model, "--quiet"),
                    stdout = FALSE, stderr = FALSE)
  expect_equal(status, 0)
  fit <- fit_vae(x_train = data$counts, y_train = data$labels, epochs = 5, batch_size = 16,
                 validation_split = 0.2, seed = 3)
  r_model <- file.path(dir, "r.vaexprs")
  save_vae(fit, r_model)
  expect_identical(weights(r_model), weights(cli_model))
  expect_identical(load_vae(r_model)$description, load_vae(cli_model)$description)

  cli_cells <- file.path(dir, "cli.csv")
  status <- system2(bin, c("generate", cli_model, "--num-samples", "25", "--seed", "5", "--output", cli_cells),
                    stdout = FALSE, stderr = FALSE)
  expect_equal(status, 0)
  from_cli <- as.matrix(read.csv(cli_cells, row.names = 1, check.names = FALSE))
  from_r <- gen_exprs(fit, num_samples = 25, seed = 5)$x_gen
  expect_equal(unname(as.matrix(from_r)), unname(from_cli))
})
