#!/usr/bin/env bash
# Fitting from Python: the vaexprs package (release libvaexprs) beside scVI (scvi-tools, PyTorch
# on CPU) on the same AnnData in one run: negative-binomial counts from
# ../shared/bench/make_counts_h5ad.py, the same architecture (one hidden layer of 128, latent 10,
# NB likelihood, batch 128), fixed epochs, no validation or early stopping, 2 threads each.
# Reports training seconds, training cells/s, whole-process seconds and peak memory
# (/usr/bin/time -v). Needs a venv with anndata (VENV, default .build/python-venv) and one with
# scvi-tools (SCVI_VENV, default ../.venv-scvi; see ../shared/bench/README.md).
#   Benchmarks/python_vs_scvi.sh [CELLS] [GENES] [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
cells="${1:-20000}"
genes="${2:-2000}"
epochs="${3:-5}"
venv="${VENV:-.build/python-venv}"
scvi_venv="${SCVI_VENV:-../.venv-scvi}"
scripts/install-python.sh "$venv/bin/python" > /dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" ../shared/bench/make_counts_h5ad.py --cells "$cells" --genes "$genes" --out "$work/data" > /dev/null
cat > "$work/ours.py" <<'PY'
import json, sys, time, resource
import anndata, vaexprs
t0 = time.time(); adata = anndata.read_h5ad(sys.argv[1]); t_load = time.time() - t0
t1 = time.time()
vaexprs.tl.fit(adata, epochs=int(sys.argv[2]), batch_size=128, validation_split=None, patience=None, latent_dim=10,
               encoder="dense:128:relu", decoder="dense:128:relu", likelihood="nb", threads=2, progress=False)
t_train = time.time() - t1
print(json.dumps({"cells": adata.n_obs, "genes": adata.n_vars, "load_s": round(t_load, 1), "train_s": round(t_train, 1),
                  "cells_per_s": round(adata.n_obs * int(sys.argv[2]) / t_train, 1),
                  "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
PY
printf '| %s cells x %s genes, %s epochs | train s | cells/s | whole process s | peak MiB |\n|---|---|---|---|---|\n' \
  "$cells" "$genes" "$epochs"
for run in vaexprs scvi; do
  if [ "$run" = vaexprs ]; then
    command=("$venv/bin/python" "$work/ours.py" "$work/data/data.h5ad" "$epochs")
  else
    command=("$scvi_venv/bin/python" ../shared/bench/scvi_epoch.py "$work/data/data.h5ad" --epochs "$epochs" --threads 2
             --hidden 128 --latent 10 --likelihood nb --batch-size 128)
  fi
  /usr/bin/time -v "${command[@]}" > "$work/out.json" 2> "$work/time.txt"
  wall="$(awk -F': ' '/Elapsed/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$work/time.txt")"
  peak="$(awk -F': ' '/Maximum resident/ {print int($2 / 1024)}' "$work/time.txt")"
  "$venv/bin/python" -c 'import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
print("| %s | %s | %s | %s | %s |" % (sys.argv[2], r["train_s"], r["cells_per_s"], sys.argv[3], sys.argv[4]))' \
    "$work/out.json" "$run" "$wall" "$peak"
done
