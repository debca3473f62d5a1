#!/usr/bin/env Rscript
# Reference outputs of R's mclust for the Swift mixture tests (issue: mclust-equivalent
# latent sampler). Makes the point sets (seeded; written with 17 significant digits), runs
# mclustBIC with mclust's defaults (G = 1..9, every model, hierarchical VVV initialisation on
# the SVD-scaled data) and writes, per set, <name>.csv (the points) and <name>.json (the BIC
# table with null for failed fits, the winner's model, G, BIC, log-likelihood and parameters,
# the hierarchical merge pairs, and the random initialisation subset for n > 2000).
#
#   Rscript Tests/Fixtures/mclust/make_fixtures.R      (from the package root)
#
# Needs R with mclust 6 (Debian: r-base-core r-cran-mclust r-cran-jsonlite); without R the
# wrapper scripts/make-mclust-fixtures.sh says it skipped.
suppressPackageStartupMessages({ library(mclust); library(jsonlite) })
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))

rot <- function(theta) matrix(c(cos(theta), sin(theta), -sin(theta), cos(theta)), 2)
blobs <- function(sizes, means, sds) {
  do.call(rbind, lapply(seq_along(sizes), function(k)
    sweep(matrix(rnorm(sizes[k] * length(means[[k]]), sd = sds[k]), sizes[k]), 2, means[[k]], "+")))
}

sets <- list()
set.seed(101); sets$separated_2d <- blobs(c(100, 100, 100), list(c(0, 0), c(6, 0), c(3, 6)), c(1, 1, 1))
set.seed(102); sets$overlapping_2d <- blobs(c(120, 80), list(c(0, 0), c(1.5, 0.5)), c(1, 1.2))
set.seed(103); {
  e <- lapply(1:3, function(k) {
    z <- cbind(rnorm(150, sd = 4), rnorm(150, sd = 0.4), rnorm(150, sd = 1))
    z[, 1:2] <- z[, 1:2] %*% t(rot(k * pi / 3)); sweep(z, 2, c(4 * k, -2 * k, k), "+") })
  sets$elongated_3d <- do.call(rbind, e) }
set.seed(104); sets$unequal_sizes_2d <- blobs(c(400, 60, 20, 10), list(c(0, 0), c(5, 5), c(-5, 4), c(6, -5)), c(1.5, 0.8, 0.5, 0.4))
set.seed(105); sets$one_cluster_5d <- matrix(rnorm(150 * 5), 150) %*% chol(0.5 * diag(5) + 0.5)
set.seed(106); { d <- blobs(c(50, 40), list(c(0, 0), c(4, 1)), c(1, 0.7)); sets$duplicated_2d <- rbind(d, d[1:30, ], d[61:70, ]) }
set.seed(107); { d <- blobs(c(100, 100), list(c(0, 0), c(3, 3)), c(1, 1)); sets$near_singular_3d <- cbind(d, d[, 1] - d[, 2] + rnorm(200, sd = 1e-4)) }
set.seed(108); sets$six_clusters_4d <- blobs(rep(100, 6), lapply(1:6, function(k) c(3 * k, (k %% 2) * 6, (k %% 3) * 4, 0)), c(1, 1, 0.8, 1.2, 1, 0.9))
set.seed(109); sets$small_n60_2d <- blobs(c(35, 25), list(c(0, 0), c(3, 2)), c(1, 0.8))
set.seed(110); sets$three_clusters_10d <- blobs(c(200, 150, 150), list(rep(0, 10), c(3, rep(0, 9)), c(0, 3, rep(1, 8))), c(1, 1, 1))
set.seed(111); sets$large_n3000_2d <- blobs(c(900, 700, 600, 500, 300), list(c(0, 0), c(4, 0), c(0, 4), c(4, 4), c(2, 2)), c(0.8, 0.8, 0.8, 0.8, 0.5))
set.seed(112); sets$large_n5000_10d <- blobs(c(2000, 1500, 1000, 500), list(rep(0, 10), rep(1.5, 10), c(3, rep(0, 9)), c(rep(0, 9), -3)), c(1, 1, 0.7, 0.5))
set.seed(113); sets$univariate_1d <- matrix(c(rnorm(120), rnorm(80, 4, 0.7)), ncol = 1)
set.seed(115); sets$few_points_10d <- blobs(c(4, 4), list(rep(0, 10), rep(3, 10)), c(1, 1))
set.seed(114); sets$two_latent_2d <- blobs(c(90, 86, 94), list(c(-1.2, 0.3), c(0.9, 1.1), c(0.2, -1.4)), c(0.35, 0.3, 0.4))

num <- function(x) if (is.null(x)) NULL else unname(x)
for (name in names(sets)) {
  x <- sets[[name]]
  colnames(x) <- paste0("x", seq_len(ncol(x)))
  write.csv(format(as.data.frame(x), digits = 17), file.path(here, paste0(name, ".csv")), row.names = FALSE, quote = FALSE)
  x <- as.matrix(read.csv(file.path(here, paste0(name, ".csv"))))  # exactly what the Swift tests read
  set.seed(1)
  b <- mclustBIC(x, verbose = FALSE)
  s <- summary(b, x)
  m <- mclustModel(x, b)
  table <- lapply(colnames(b), function(model) { v <- unname(b[, model]); lapply(v, function(e) if (is.na(e)) NULL else e) })
  names(table) <- colnames(b)
  init <- attr(b, "initialization")
  out <- list(
    name = name, n = nrow(x), d = ncol(x), mclust_version = as.character(packageVersion("mclust")),
    model = m$modelName, components = m$G, bic = m$bic, loglik = m$loglik,
    parameters = list(pro = num(m$parameters$pro), mean = num(m$parameters$mean),
                      variance = if (ncol(x) == 1) num(m$parameters$variance$sigmasq) else num(m$parameters$variance$sigma)),
    bic_table = table,
    hc_pairs = if (!is.null(init$hcPairs)) matrix(as.integer(init$hcPairs), nrow = 2) else NULL,
    subset = if (!is.null(init$subset)) init$subset else NULL)
  writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", na = "null"), file.path(here, paste0(name, ".json")))
  cat(sprintf("%-20s n=%5d d=%2d  %s G=%d  BIC=%.6f\n", name, nrow(x), ncol(x), m$modelName, m$G, m$bic))
}
