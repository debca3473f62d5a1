#!/usr/bin/env bash
# Installs the R package vaexprs (R/vaexprs): the Debian packages it needs (R, jsonlite, Matrix,
# ggplot2, SingleCellExperiment, scater, testthat), the C library libvaexprs (built with swift
# build; installed as libVAExprsC.so and libvaexprs.so in SwiftPM's build folder, where the
# package loads it from), then R CMD INSTALL.
#   scripts/install-r.sh [--debug]   (--debug: the debug build the tests use; release otherwise)
set -euo pipefail
cd "$(dirname "$0")/.."
configuration=release
[ "${1:-}" = "--debug" ] && configuration=debug
scripts/install-deps.sh --r
swift build -c "$configuration" --product VAExprsC
lib="$(swift build -c "$configuration" --show-bin-path)"
ln -sf libVAExprsC.so "$lib/libvaexprs.so"
VAEXPRS_INCLUDE="$PWD/Sources/CVAExprsAPI/include" VAEXPRS_LIB="$lib" R CMD INSTALL --no-test-load R/vaexprs
