#!/usr/bin/env bash
# The test suite on a fresh machine: install what is missing, build everything (the example
# plugins' shared objects too, which the plugin tests load), then `swift test` (Swift Testing
# only: the suite has no XCTest cases, whose empty "Executed 0 tests" summary would only confuse),
# then the R package (R/vaexprs) with testthat and the Python package (python/) with pytest.
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
# The Python package in a virtual environment under .build/ (anndata, scanpy, pytest from PyPI),
# tested with pytest (fit / generate / evaluate / plots, the README's scanpy workflow, Ctrl-C).
venv=.build/python-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet anndata scanpy pytest tqdm
scripts/install-python.sh "$venv/bin/python" --debug
VAEXPRS_DATA="$PWD/../shared/data" VAEXPRS_BIN="$PWD/.build/debug/vaexprs" "$venv/bin/python" -m pytest -q python/tests

