#!/usr/bin/env bash
# Regenerates Tests/Fixtures/mclust from R's mclust when R is present; says it skipped otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v Rscript >/dev/null 2>&1 || ! Rscript -e 'quit(status = !(requireNamespace("mclust", quietly = TRUE) && requireNamespace("jsonlite", quietly = TRUE)))' >/dev/null 2>&1; then
  echo "skipped: R with mclust and jsonlite is not installed (Debian: apt-get install r-base-core r-cran-mclust r-cran-jsonlite)"
  exit 0
fi
Rscript Tests/Fixtures/mclust/make_fixtures.R
