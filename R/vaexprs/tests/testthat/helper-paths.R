# Where the tests find the shared data sets and the command line (scripts/test.sh sets both).
shared_data <- function(...) {
  root <- Sys.getenv("VAEXPRS_DATA", "")
  if (root == "" || !dir.exists(root)) skip("VAEXPRS_DATA does not name the shared data folder (scripts/test.sh sets it)")
  file.path(root, ...)
}
cli <- function() {
  bin <- Sys.getenv("VAEXPRS_BIN", "")
  if (bin == "" || !file.exists(bin)) skip("VAEXPRS_BIN does not name the vaexprs binary (scripts/test.sh sets it)")
  bin
}
pbmc_counts <- function() {
  counts <- as.matrix(read.csv(shared_data("pbmc_small", "counts.csv.gz"), row.names = 1, check.names = FALSE))
  labels <- read.csv(shared_data("pbmc_small", "labels.csv"), row.names = 1, colClasses = "character")
  list(counts = counts, labels = labels[rownames(counts), "label"])
}
