#!/usr/bin/env bash
# Speed of the full mclust-equivalent search (14 models × G = 1..9) beside R's mclustBIC on
# the same points, in the same run: n = 5 000, d = 10 (Tests/Fixtures/mclust/large_n5000_10d.csv)
# and a smaller set. Needs a release build (swift build -c release) and R with mclust
# (Debian: r-base-core r-cran-mclust); says it skipped R otherwise.
#   bash Benchmarks/mclust_speed.sh [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
bin=.build/release/vaexprs
[ -x "$bin" ] || { echo "build first: swift build -c release"; exit 1; }
have_r=1
Rscript -e 'quit(status = !requireNamespace("mclust", quietly = TRUE))' >/dev/null 2>&1 || have_r=0
for set in large_n5000_10d three_clusters_10d; do
  file=Tests/Fixtures/mclust/$set.csv
  ours=()
  theirs=()
  for _ in $(seq "$repeats"); do
    start=$(date +%s.%N); "$bin" gmm --input "$file" > /dev/null; end=$(date +%s.%N)
    ours+=("$(echo "$end - $start" | bc)")
    if [ $have_r = 1 ]; then
      # Time inside R (mclustBIC only, as a user calling it from a session would see).
      theirs+=("$(Rscript -e "suppressPackageStartupMessages(library(mclust)); x <- as.matrix(read.csv('$file')); set.seed(1); cat(system.time(mclustBIC(x, verbose = FALSE))[['elapsed']])")")
    fi
  done
  median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  o=$(median "${ours[@]}")
  if [ $have_r = 1 ]; then
    r=$(median "${theirs[@]}")
    echo "$set: vaexprs gmm ${o} s (whole command), R mclustBIC ${r} s (inside R): R / ours = $(echo "scale=2; $r / $o" | bc)"
  else
    echo "$set: vaexprs gmm ${o} s; R skipped (R with mclust not installed)"
  fi
done
