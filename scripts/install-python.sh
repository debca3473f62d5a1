#!/usr/bin/env bash
# Installs the Python package vaexprs (python/) into the environment of PYTHON (default python3):
# builds libvaexprs (swift build), puts it inside the package (vaexprs/_lib/libvaexprs.so, which
# finds the Swift runtime through its run path) and pip-installs the package with its
# dependencies (numpy, scipy, anndata, pandas, matplotlib) from PyPI.
#   scripts/install-python.sh [PYTHON] [--debug]   (--debug: the debug build the tests use)
set -euo pipefail
cd "$(dirname "$0")/.."
python="python3"
configuration=release
for argument in "$@"; do
  case "$argument" in
    --debug) configuration=debug ;;
    *) python="$argument" ;;
  esac
done
swift build -c "$configuration" --product VAExprsC
lib="$(swift build -c "$configuration" --show-bin-path)"
mkdir -p python/vaexprs/_lib
cp "$lib/libVAExprsC.so" python/vaexprs/_lib/libvaexprs.so
cp Sources/CVAExprsAPI/include/vaexprs.h python/vaexprs/_lib/
"$python" -m pip install --quiet --upgrade ./python
