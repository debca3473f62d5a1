#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, and run `vaexprs demo`
# (simulate the original's example design, fit a conditional VAE, generate cells).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product vaexprs
.build/release/vaexprs demo --output-dir "${1:-vaexprs-demo}"
