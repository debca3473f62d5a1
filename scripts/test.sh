#!/usr/bin/env bash
# The test suite on a fresh machine: install what is missing, build everything (the example
# plugins' shared objects too, which the plugin tests load), then `swift test` (Swift Testing
# only: the suite has no XCTest cases, whose empty "Executed 0 tests" summary would only confuse).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --mpi   # Open MPI for the mpirun -np 2 tests (not needed to use VAExprs)
swift build
swift test --disable-xctest
