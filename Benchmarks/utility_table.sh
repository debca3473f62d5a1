#!/usr/bin/env bash
# The README's utility table: `vaexprs utility` (fit's defaults, early stopping) on every shared
# data set with labels, on scanpy's pbmc68k_reduced counts (Benchmarks/pbmc68k_counts.py), and
# on pbmc_small and pbmc68k log-normalised (scater's log2 and scanpy's log1p of counts per 10 000).
#   Benchmarks/utility_table.sh [PYTHON] [REPEATS] > table.md
# PYTHON: a Python with numpy, pandas and scanpy (for pbmc68k). JSON reports stay in $UTILITY_OUT
# (default: a temporary folder, removed).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-python3}
REPEATS=${2:-5}
DATA=../shared/data
BIN=.build/release/vaexprs
[ -x "$BIN" ] || swift build -c release --product vaexprs >&2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
OUT=${UTILITY_OUT:-$WORK/reports}
mkdir -p "$OUT"
"$PY" Benchmarks/pbmc68k_counts.py --out "$WORK/pbmc68k" >&2
"$PY" Benchmarks/lognormalize.py "$DATA/pbmc_small" "$WORK/pbmc_small_lognorm" scater >&2
"$PY" Benchmarks/lognormalize.py "$WORK/pbmc68k" "$WORK/pbmc68k_lognorm" seurat >&2
for set in pbmc_small:$DATA/pbmc_small pbmc_small_lognorm:$WORK/pbmc_small_lognorm pbmc68k:$WORK/pbmc68k \
  pbmc68k_lognorm:$WORK/pbmc68k_lognorm seedsim:$DATA/seedsim guo:$DATA/guo golub:$DATA/golub; do
  name=${set%%:*} dir=${set#*:}
  /usr/bin/time -f "$name: %e s, %M KiB" "$BIN" utility --counts "$dir/counts.csv.gz" --labels "$dir/labels.csv" \
    --repeats "$REPEATS" --output "$OUT/$name.json" --quiet > "$OUT/$name.txt"
done
"$PY" - "$OUT" <<'PYTHON'
import json, os, sys
out = sys.argv[1]
arms = ["real", "duplicated", "smote", "generated", "generated_only"]
def cell(s):
    return "—" if s is None or s["mean"] is None else f'{s["mean"]:.2f} ± {s["sd"]:.2f}'
print("| data | reduced labels | " + " | ".join(["real", "duplicated", "SMOTE", "generated", "generated only"])
      + " | all training cells | macro-F1 real → generated | capped macro-F1 real → generated (ceiling) |")
print("|" + "---|" * 10)
for name in ["pbmc_small", "pbmc_small_lognorm", "pbmc68k", "pbmc68k_lognorm", "seedsim", "guo", "golub"]:
    path = os.path.join(out, name + ".json")
    if not os.path.exists(path):
        continue
    r = json.load(open(path))
    f1, macro, capped = r.get("perLabelMeanF1") or {}, r.get("perLabelMeanMacroF1") or {}, r.get("capped")
    reduced = len(r.get("perLabel") or [])
    row = [name, str(reduced)] + [cell(f1.get(a)) for a in arms] + [cell(r.get("perLabelMeanCeilingF1"))]
    row.append(f'{cell(macro.get("real"))} → {cell(macro.get("generated"))}' if macro else "—")
    row.append(f'{cell(capped["macroF1"]["real"])} → {cell(capped["macroF1"]["generated"])} ({cell(r["ceilingMacroF1"])})'
               if capped else "—")
    print("| " + " | ".join(row) + " |")
PYTHON
