#!/usr/bin/env bash
# The first layer on sparse counts: x·W over the stored entries (fit --sparse-input always)
# against a dense batch and one BLAS product (never), one epoch each, alternating, medians of
# the epoch's cells/s, at two densities: 50 000 × 20 000 (8.8 % non-zero, like 10x data) and
# 100 000 × 2 000 (34 %, the 1M benchmark's first cells). `auto` switches at 10 % non-zero.
# Data as Benchmarks/scale.sh makes them (SCALE_DATA, default ../benchdata). No tuning variables.
#   Benchmarks/sparse_first_layer.sh [repeats] [threads]
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
threads=${2:-2}
data=${SCALE_DATA:-../benchdata}
for f in "$data/c50k/data.h5ad" "$data/c100k/data.h5ad"; do
  [ -f "$f" ] || { echo "sparse_first_layer.sh: $f missing; run Benchmarks/scale.sh once to make it" >&2; exit 1; }
done
unset OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS OMP_NUM_THREADS GOTO_NUM_THREADS
swift build -c release --product vaexprs >/dev/null
bin=.build/release/vaexprs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "| data | non-zero | sparse (always) cells/s | dense (never) cells/s | sparse / dense |"
echo "|---|---|---|---|---|"
for set in "c50k:8.8 %" "c100k:34 %"; do
  name=${set%%:*}
  declare -A rates=([always]="" [never]="")
  for _ in $(seq "$repeats"); do
    for mode in always never; do
      "$bin" fit --counts "$data/$name/data.h5ad" --likelihood nb --encoder dense:128:relu --decoder dense:128:relu --latent-dim 10 \
        --batch-size 128 --validation-split 0 --epochs 1 --threads "$threads" --sparse-input $mode --output "$work/m.vaexprs" 2>"$work/log" >/dev/null
      rates[$mode]+=" $(grep -Eo '[0-9]+ cells/s' "$work/log" | tail -1 | cut -d' ' -f1)"
    done
  done
  s=$(median ${rates[always]}); d=$(median ${rates[never]})
  echo "| $name | ${set#*:} | $s | $d | $(echo "scale=2; $s / $d" | bc) |"
done
