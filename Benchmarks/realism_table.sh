#!/usr/bin/env bash
# The README's realism table: Benchmarks/heldout_realism.py (train on one half, generate as
# many cells as the other half has, tell them apart) for fit's defaults and the alternatives,
# on every shared data set and on scanpy's pbmc68k_reduced counts (Benchmarks/pbmc68k_counts.py).
#   Benchmarks/realism_table.sh [PYTHON] > table.txt
# PYTHON: a Python with numpy, pandas, scikit-learn, scanpy and scikit-misc (default: the bench venv).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-/work/.venv-bench/bin/python}
DATA=../shared/data
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$PY" Benchmarks/pbmc68k_counts.py --out "$WORK/pbmc68k" >&2
# pbmc_small log-normalised as scater's logNormCounts: "log-normalised input".
"$PY" - "$DATA/pbmc_small" "$WORK/pbmc_lognorm" <<'PYTHON' >&2
import os, shutil, sys
import numpy as np, pandas as pd
source, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
counts = pd.read_csv(os.path.join(source, "counts.csv.gz"), index_col=0)
factors = counts.sum(1) / counts.sum(1).mean()
np.log2(counts.div(factors, axis=0) + 1).to_csv(os.path.join(out, "counts.csv.gz"), index_label="cell", float_format="%.6g")
shutil.copy(os.path.join(source, "labels.csv"), os.path.join(out, "labels.csv"))
PYTHON
BASE="--epochs 300 --validation-split 0.1 --patience 20"
run() {  # DATA-DIR TRANSFORM EXTRA-FIT-OPTIONS
  "$PY" Benchmarks/heldout_realism.py --data "$1" --transform "$2" --fit "$BASE $3" 2>&1 | grep -E "fit:|mean|failed" || true
}
for extra in "" "--likelihood zinb" "--likelihood poisson" "--likelihood nb:refit=false" "--normalize lognorm" "--preset original"; do
  run "$WORK/pbmc68k" lognorm "$extra"
done
# The original's preset log-normalises (as fit_vae does for a SummarizedExperiment); matrices
# of continuous values went in as they are (x_train), hence --normalize none there.
for extra in "" "--preset original"; do
  run "$DATA/pbmc_small" lognorm "$extra"
  run "$DATA/golub" lognorm "$extra"
  continuous="$extra"
  [ -n "$extra" ] && continuous="$extra --normalize none"
  run "$DATA/seedsim" none "$continuous"
  run "$DATA/guo" none "$continuous"
  run "$WORK/pbmc_lognorm" none "$continuous"
done
run "$WORK/pbmc_lognorm" none "--likelihood censored_gaussian:refit=false"
run "$DATA/seedsim" none "--likelihood censored_gaussian:refit=false"
