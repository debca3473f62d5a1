#!/usr/bin/env bash
# Throughput of a fit over MPI: 1 rank × 1 thread against 2 ranks × 1 thread (and one process
# with 1 and 2 threads, for reference), same data, same global batch, same run.
#   Benchmarks/mpi_scaling.sh [PYTHON] [EPOCHS]
# Data: 10 000 cells × 2 000 genes of negative-binomial counts (../shared/bench/make_counts_h5ad.py,
# made once into /tmp). Needs Open MPI (scripts/install-deps.sh --mpi). No tuning variables:
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are cleared, as on a user's machine.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-/work/.venv-bench/bin/python}
EPOCHS=${2:-4}
DATA=/tmp/vaexprs-bench-nb-10000x2000
[ -f "$DATA/data.h5ad" ] || "$PY" ../shared/bench/make_counts_h5ad.py --cells 10000 --genes 2000 --types 10 --out "$DATA" >&2
swift build -c release --product vaexprs >&2
B=.build/release/vaexprs
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FIT=(fit --counts "$DATA/data.h5ad" --likelihood nb --epochs "$EPOCHS" --batch-size 128 --seed 1 --no-labels)
# Median training cells/s over the epochs after the first (rank 0's epoch lines).
rate() { grep -o '[0-9.]* cells/s' "$1" | tail -n +2 | awk '{print $1}' | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
peak() { grep -h "Maximum resident" "$@" | awk '{print $NF}' | sort -n | tail -1; }
run() {  # NAME LAUNCHER... -- FIT OPTIONS
  local name=$1; shift
  /usr/bin/time -v -o "$WORK/$name.time" "$@" --output "$WORK/$name.vaexprs" > /dev/null 2> "$WORK/$name.log"
  printf "%-28s %10s cells/s   peak RSS %s kB (largest process)\n" "$name" "$(rate "$WORK/$name.log")" "$(peak "$WORK/$name.time")"
}
run "1 process, 1 thread" "$B" "${FIT[@]}" --threads 1
run "1 process, 2 threads" "$B" "${FIT[@]}" --threads 2
run "mpirun 1 rank × 1 thread" mpirun --oversubscribe -np 1 --bind-to none "$B" "${FIT[@]}" --threads 1
run "mpirun 2 ranks × 1 thread" mpirun --oversubscribe -np 2 --bind-to none "$B" "${FIT[@]}" --threads 1
one=$(rate "$WORK/mpirun 1 rank × 1 thread.log"); two=$(rate "$WORK/mpirun 2 ranks × 1 thread.log")
awk -v a="$two" -v b="$one" 'BEGIN { printf "2 ranks / 1 rank: %.3f×\n", a / b }'
