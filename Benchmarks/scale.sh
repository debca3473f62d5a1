#!/usr/bin/env bash
# Real data sizes, in one run, each process under /usr/bin/time -v (peak RSS, wall clock):
#   1. 50 000 × 20 000 sparse counts in memory, one epoch (hidden 128, latent 10, nb), beside
#      scVI on the same file with the same architecture and threads (../shared/bench/scvi_epoch.py).
#      Targets: peak ≤ 3 GB, whole process faster than scVI's.
#   2. 1 000 000 × 2 000 streamed from .h5ad (fit --stream) beside in-memory training on its
#      first 100 000 cells. Targets: peak ≤ 2 GB, cells/s within 25 % of in memory.
#   3. generate of 1 000 000 cells to .h5ad from the 100 000-cell model. Target: peak ≤ 1 GB;
#      the file is then opened with anndata to check its shape and integer counts.
# Data are made once with ../shared/bench/make_counts_h5ad.py (the 1M file takes about 4 min,
# 12 GB of memory and 5.5 GB of disk) and kept in SCALE_DATA (default ../benchdata).
# No tuning variables are set: OPENBLAS_CORETYPE etc. are cleared for every run.
#   Benchmarks/scale.sh [threads]
# BENCH_PYTHON: a Python with numpy, scipy, pandas, anndata (default ../.venv-bench/bin/python)
# SCVI_PYTHON:  a Python with scvi-tools (default ../.venv-scvi/bin/python)
# See ../shared/bench/README.md for setting both up.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
data=${SCALE_DATA:-../benchdata}
py=${BENCH_PYTHON:-../.venv-bench/bin/python}
scvi_py=${SCVI_PYTHON:-../.venv-scvi/bin/python}
bench=../shared/bench
for tool in "$py" "$scvi_py"; do
  [ -x "$tool" ] || { echo "scale.sh: $tool not found; set up the venvs as ../shared/bench/README.md says, or set BENCH_PYTHON / SCVI_PYTHON" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "scale.sh: /usr/bin/time not found (Debian package 'time')" >&2; exit 1; }
unset OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS OMP_NUM_THREADS GOTO_NUM_THREADS
swift build -c release --product vaexprs >/dev/null
bin=.build/release/vaexprs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make_data() {  # DIR CELLS GENES
  [ -f "$1/data.h5ad" ] && return
  echo "making $1 ($2 × $3) ..." >&2
  "$py" "$bench/make_counts_h5ad.py" --cells "$2" --genes "$3" --out "$1" >&2
}
make_data "$data/c50k" 50000 20000
make_data "$data/c1m" 1000000 2000
if [ ! -f "$data/c100k/data.h5ad" ]; then
  echo "slicing the first 100 000 cells of $data/c1m ..." >&2
  mkdir -p "$data/c100k"
  "$py" - "$data/c1m/data.h5ad" "$data/c100k/data.h5ad" <<'PYTHON'
import sys, anndata as ad
ad.read_h5ad(sys.argv[1], backed="r")[:100000].to_memory().write_h5ad(sys.argv[2])
PYTHON
fi

# timed NAME COMMAND...: runs COMMAND with its stderr in $work/NAME.log, the time -v report in
# $work/NAME.time; sets wall (s) and peak (MB) for it.
timed() {
  local name=$1; shift
  /usr/bin/time -v -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.log" || {
    echo "scale.sh: '$name' failed:" >&2; tail -20 "$work/$name.log" >&2; exit 1; }
  peak=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$work/$name.time")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.1f", s}' "$work/$name.time")
}
epoch_rate() {  # the cells/s of the (last) epoch line in a fit log
  grep -Eo '[0-9]+ cells/s' "$work/$1.log" | tail -1 | cut -d' ' -f1
}
arch="--likelihood nb --encoder dense:128:relu --decoder dense:128:relu --latent-dim 10 --batch-size 128 --validation-split 0 --epochs 1 --threads $threads --seed 1"

echo "# scale benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, threads $threads"
echo

timed ours50k "$bin" fit --counts "$data/c50k/data.h5ad" $arch --output "$work/m50k.vaexprs"
ours50k_wall=$wall ours50k_peak=$peak ours50k_rate=$(epoch_rate ours50k)
timed scvi50k "$scvi_py" "$bench/scvi_epoch.py" "$data/c50k/data.h5ad" --epochs 1 --threads "$threads" --hidden 128 --latent 10 --likelihood nb
scvi50k_wall=$wall scvi50k_peak=$peak
scvi50k_rate=$(grep -Eo '"cells_per_s": [0-9.]+' "$work/scvi50k.out" | awk '{printf "%.0f", $2}')
echo "## 50 000 × 20 000 (8.8 % non-zero), in memory, one epoch, nb, hidden 128, latent 10"
echo "| | whole process (s) | peak RSS (MB) | training cells/s |"
echo "|---|---|---|---|"
echo "| vaexprs fit | $ours50k_wall | $ours50k_peak | $ours50k_rate |"
echo "| scVI (scvi_epoch.py) | $scvi50k_wall | $scvi50k_peak | $scvi50k_rate |"
echo "| scVI / vaexprs | $(echo "scale=2; $scvi50k_wall / $ours50k_wall" | bc) | $(echo "scale=2; $scvi50k_peak / $ours50k_peak" | bc) | |"
echo "Targets: vaexprs peak ≤ 3000 MB; whole process below scVI's."
echo

timed mem100k "$bin" fit --counts "$data/c100k/data.h5ad" $arch --output "$work/m100k.vaexprs"
mem_wall=$wall mem_peak=$peak mem_rate=$(epoch_rate mem100k)
timed stream1m "$bin" fit --counts "$data/c1m/data.h5ad" $arch --stream --output "$work/m1m.vaexprs"
st_wall=$wall st_peak=$peak st_rate=$(epoch_rate stream1m)
echo "## 1 000 000 × 2 000 streamed from .h5ad beside its first 100 000 cells in memory, one epoch"
echo "| | whole process (s) | peak RSS (MB) | training cells/s |"
echo "|---|---|---|---|"
echo "| 100 000 cells, in memory | $mem_wall | $mem_peak | $mem_rate |"
echo "| 1 000 000 cells, --stream | $st_wall | $st_peak | $st_rate |"
echo "Streamed / in-memory throughput: $(echo "scale=3; $st_rate / $mem_rate" | bc) (target ≥ 0.75); peak target ≤ 2000 MB."
echo

timed gen1m "$bin" generate "$work/m100k.vaexprs" --num-samples 1000000 --seed 1 --output "$work/gen1m.h5ad"
gen_wall=$wall gen_peak=$peak
check=$("$py" - "$work/gen1m.h5ad" <<'PYTHON'
import sys, numpy as np, anndata as ad
a = ad.read_h5ad(sys.argv[1], backed="r")
x = a.X[:1000]
integral = bool(np.all(np.asarray(x.data) == np.round(x.data)))
print(f"anndata reads {a.n_obs} × {a.n_vars}, X {type(x).__name__} {x.dtype}, integer counts: {integral}, obsm {list(a.obsm.keys())}")
PYTHON
)
echo "## generate 1 000 000 cells to .h5ad (model: the 100 000-cell fit)"
echo "| | whole process (s) | peak RSS (MB) | file (MB) |"
echo "|---|---|---|---|"
echo "| vaexprs generate | $gen_wall | $gen_peak | $(( $(stat -c %s "$work/gen1m.h5ad") / 1000000 )) |"
echo "Target: peak ≤ 1000 MB. $check"
