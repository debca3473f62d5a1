#!/usr/bin/env bash
# The test suite on a fresh machine: install what is missing, build everything (the example
# plugins' shared objects too, which the plugin tests load), then `swift test` (Swift Testing
# only: the suite has no XCTest cases, whose empty "Executed 0 tests" summary would only confuse),
# then the R package (R/vaexprs) with testthat.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --mpi --r   # Open MPI for the mpirun -np 2 tests, R for the R package's
swift build
swift test --disable-xctest
# The R package on the library this build made, tested with testthat (the original's example,
# SingleCellExperiment round trips, errors, agreement with the command line, documentation).
scripts/install-r.sh --debug
VAEXPRS_DATA="$PWD/../shared/data" VAEXPRS_BIN="$PWD/.build/debug/vaexprs" Rscript -e \
  'testthat::test_dir("R/vaexprs/tests/testthat", package = "vaexprs", load_package = "installed", stop_on_failure = TRUE)'

