#!/usr/bin/env bash
# The test suite on a fresh machine: install what is missing, then `swift test` (Swift Testing only:
# the suite has no XCTest cases, whose empty "Executed 0 tests" summary would only confuse).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift test --disable-xctest
