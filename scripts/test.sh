#!/usr/bin/env bash
# The test suite on a fresh machine: install what is missing, then `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift test
