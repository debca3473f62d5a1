#!/usr/bin/env bash
# Issue 32, item 1: generation against training, in cells per second, in one run. NB counts of
# CELLS × GENES in TYPES types (../shared/bench/make_counts_h5ad.py); a CVAE fitted for 2
# epochs at batch 128 (fit prints each epoch's cells/s); then GENERATED cells written to .h5ad
# (CSR counts) by this build, and by another binary for comparison (OLD, optional).
#   Benchmarks/generation_speed.sh [CELLS] [GENES] [TYPES] [GENERATED] [PYTHON] [OLD]
#   (defaults 20000 2000 10 100000 python3; no tuning variables are set)
set -euo pipefail
cd "$(dirname "$0")/.."
CELLS=${1:-20000} GENES=${2:-2000} TYPES=${3:-10} GENERATED=${4:-100000} PY=${5:-python3} OLD=${6:-}
BIN=.build/release/vaexprs
[ -x "$BIN" ] || swift build -c release --product vaexprs >&2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$PY" ../shared/bench/make_counts_h5ad.py --cells "$CELLS" --genes "$GENES" --types "$TYPES" --out "$WORK/data" >&2
epoch=$("$BIN" fit --counts "$WORK/data/data.h5ad" --epochs 2 --batch-size 128 --output "$WORK/m.vaexprs" 2>&1 |
  grep -E "^epoch 2/2" | sed -E 's/.* ([0-9.]+) cells\/s.*/\1/')
echo "training: $epoch cells/s (epoch 2, batch 128)"
# The same fit with bfloat16 products, where the CPU has them (fit --precision bf16 trains
# faster; its model generates in float32 like any other): its epoch is the stricter yardstick.
if "$BIN" fit --counts "$WORK/data/data.h5ad" --epochs 2 --batch-size 128 --precision bf16 \
  --output "$WORK/mb.vaexprs" > "$WORK/bf16.log" 2>&1; then
  bf16=$(grep -E "^epoch 2/2" "$WORK/bf16.log" | sed -E 's/.* ([0-9.]+) cells\/s.*/\1/')
  echo "training with --precision bf16: $bf16 cells/s (epoch 2, batch 128)"
fi
for bin in "$BIN" $OLD; do
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$bin" generate "$WORK/m.vaexprs" --num-samples "$GENERATED" \
    --output "$WORK/g.h5ad" > /dev/null 2>&1
  read -r seconds kib < "$WORK/time"
  rate=$(awk -v n="$GENERATED" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')
  ratio=$(awk -v r="$rate" -v e="$epoch" 'BEGIN { printf "%.2f", r / e }')
  versus_bf16=""
  [ -n "${bf16:-}" ] && versus_bf16=", $(awk -v r="$rate" -v e="$bf16" 'BEGIN { printf "%.2f", r / e }')× bf16 training"
  echo "generate ($bin): $GENERATED cells in $seconds s = $rate cells/s (${ratio}× training$versus_bf16), peak $((kib / 1024)) MiB, $(du -m "$WORK/g.h5ad" | cut -f1) MB"
done
