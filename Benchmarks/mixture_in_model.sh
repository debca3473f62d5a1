#!/usr/bin/env bash
# Issue 32, item 0: the latent mixture search, done once by `fit` and stored in the model,
# against one training epoch of the same cells; and `generate` with the stored mixture against
# `generate` searching again (the same search, asked for by another spelling of the sampler).
#   Benchmarks/mixture_in_model.sh [CELLS] [GENES] [TYPES] [PYTHON]   (default 1000000 2000 10)
# PYTHON: a Python with numpy, scipy, pandas and anndata (../shared/bench/README.md's venv).
set -euo pipefail
cd "$(dirname "$0")/.."
CELLS=${1:-1000000} GENES=${2:-2000} TYPES=${3:-10} PY=${4:-python3}
BIN=.build/release/vaexprs
[ -x "$BIN" ] || swift build -c release --product vaexprs >&2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$PY" ../shared/bench/make_counts_h5ad.py --cells "$CELLS" --genes "$GENES" --types "$TYPES" --out "$WORK/data" >&2
/usr/bin/time -f "fit: %e s, %M KiB" "$BIN" fit --counts "$WORK/data/data.h5ad" --stream --epochs 1 --batch-size 128 \
  --output "$WORK/m.vaexprs" 2>&1 | grep -E "epoch 1/1|latent mixtures|fit: [0-9.]+ s"
for sampler in mclust "mclust:components=1..9"; do
  /usr/bin/time -f "generate 10000 cells, --sampler $sampler: %e s, %M KiB" "$BIN" generate "$WORK/m.vaexprs" \
    --num-samples 10000 --sampler "$sampler" --output "$WORK/g.h5ad" 2>&1 | grep -E "generate 10000"
done
