#!/usr/bin/env bash
# Issue 32, item 2: does a change to `evaluate`'s estimators move its AUCs? On every shared data
# set with labels (and on scanpy's pbmc68k_reduced counts), a CVAE is fitted on every other cell
# with fit's defaults for the README's table (300 epochs, validation split 0.1, patience 20), as
# many cells as the other half has are generated, and `evaluate` of this build and of OTHER (e.g.
# the previous release) compare them with the held-out half for each seed. Prints each run's
# RF / LR AUC, floors, pooled and fitted-vs-held-out AUCs and the mean per-label RF AUC, then
# per data set the mean over seeds and this build's difference from OTHER.
#   Benchmarks/evaluate_agreement.sh OTHER [PYTHON] [SEEDS]
#   (PYTHON: numpy, pandas and scanpy for pbmc68k; default python3; SEEDS default "1 2 3")
set -euo pipefail
cd "$(dirname "$0")/.."
OTHER=$1 PY=${2:-python3} SEEDS=${3:-1 2 3}
BIN=.build/release/vaexprs
[ -x "$BIN" ] || swift build -c release --product vaexprs >&2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$PY" Benchmarks/pbmc68k_counts.py --out "$WORK/pbmc68k" >&2
for set in pbmc_small seedsim guo golub pbmc68k; do
  source=../shared/data/$set
  [ "$set" = pbmc68k ] && source=$WORK/pbmc68k
  "$PY" - "$source" "$WORK/$set" <<'PYTHON'
import os, sys
import pandas as pd
source, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
x = pd.read_csv(os.path.join(source, "counts.csv.gz"), index_col=0)
labels = pd.read_csv(os.path.join(source, "labels.csv"), index_col=0).loc[x.index]
for name, part in (("train", slice(0, None, 2)), ("test", slice(1, None, 2))):
    x.iloc[part].to_csv(os.path.join(out, f"{name}.csv"), index_label="cell")
    labels.iloc[part].to_csv(os.path.join(out, f"{name}_labels.csv"), index_label="cell")
PYTHON
  d=$WORK/$set
  "$BIN" fit --counts "$d/train.csv" --labels "$d/train_labels.csv" --epochs 300 --validation-split 0.1 \
    --patience 20 --seed 1 --output "$d/m.vaexprs" > /dev/null 2>&1
  "$BIN" generate "$d/m.vaexprs" --num-samples $(($(wc -l < "$d/test.csv") - 1)) --seed 1 \
    --output "$d/g.csv" --labels-output "$d/g_labels.csv" > /dev/null 2>&1
  for seed in $SEEDS; do
    for which in this other; do
      binary=$BIN
      [ "$which" = other ] && binary=$OTHER
      /usr/bin/time -f "%e" -o "$d/time" "$binary" evaluate --real "$d/test.csv" --generated "$d/g.csv" \
        --labels "$d/test_labels.csv" --generated-labels "$d/g_labels.csv" --seed "$seed" \
        --output "$d/$which$seed.json" > /dev/null 2>&1
      echo "$set $seed $which $(cat "$d/time")" >> "$WORK/times"
    done
  done
done
"$PY" - "$WORK" "$SEEDS" <<'PYTHON'
import json, os, sys
work, seeds = sys.argv[1], sys.argv[2].split()
keys = ["rf_auc", "lr_auc", "rf_auc_floor", "rf_auc_pooled", "rf_auc_fitted_vs_held_out"]
print(f"{'data':<11}{'binary':<7}" + "".join(f"{k:>27}" for k in keys + ["per_label_rf (mean)"]))
for name in ["pbmc_small", "seedsim", "guo", "golub", "pbmc68k"]:
    means = {}
    for which in ("this", "other"):
        runs = [json.load(open(os.path.join(work, name, f"{which}{s}.json"))) for s in seeds]
        values = {k: [r[k] for r in runs] for k in keys}
        values["per_label_rf (mean)"] = [
            sum(r["per_label_rf_auc"].values()) / len(r["per_label_rf_auc"]) if r.get("per_label_rf_auc") else float("nan")
            for r in runs]
        means[which] = {k: sum(v) / len(v) for k, v in values.items()}
        print(f"{name:<11}{which:<7}" + "".join(
            f"{' '.join(f'{x:.3f}' for x in v) + f' ({means[which][k]:.3f})':>27}" for k, v in values.items()))
    print(f"{name:<11}{'diff':<7}" + "".join(f"{means['this'][k] - means['other'][k]:>27.3f}" for k in means["this"]))
print()
print(open(os.path.join(work, "times")).read())
PYTHON
