#!/usr/bin/env bash
# The same fit from R (the vaexprs package on libvaexprs) and from the command line: same data,
# options and seed, release builds, in the same run. Reports each fit's own time (R: around
# fit_vae, which converts the R matrix and fits; CLI: the time it prints, which reads the CSV
# and fits, so the CLI's includes parsing the file), the
# whole run's wall time and peak memory (/usr/bin/time -v; R's includes starting R and reading
# the CSV), and whether both models have the same weights. Data: the shared seedsim and
# pbmc_small sets, and 5 000 simulated cells x 1 000 genes of Poisson counts in 3 groups.
#   Benchmarks/r_vs_cli.sh [EPOCHS] [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-100}"
repeats="${2:-3}"
scripts/install-r.sh > /dev/null
swift build -c release --product vaexprs > /dev/null
bin="$(swift build -c release --show-bin-path)/vaexprs"
data=../shared/data
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
Rscript -e 'set.seed(1); g <- rep(1:3, length.out = 5000)
  m <- matrix(rpois(5000 * 1000, rep(c(1, 4), 500)[1:1000] * 0.5 + outer(g, 1:1000, function(a, b) (a == (b %% 3) + 1) * 2)),
              5000, 1000, dimnames = list(paste0("c", 1:5000), paste0("g", 1:1000)))
  write.csv(m, gzfile(file.path(commandArgs(TRUE)[1], "counts.csv.gz")))
  write.csv(data.frame(cell = rownames(m), label = paste0("group", g)), file.path(commandArgs(TRUE)[1], "labels.csv"),
            row.names = FALSE)' "$work"
mkdir -p "$work/sim"
mv "$work/counts.csv.gz" "$work/labels.csv" "$work/sim/"
cat > "$work/fit.R" <<'R'
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(vaexprs))
counts <- as.matrix(read.csv(args[1], row.names = 1, check.names = FALSE))
labels <- read.csv(args[2], row.names = 1, colClasses = "character")
start <- Sys.time()
fit <- fit_vae(x_train = counts, y_train = labels[rownames(counts), "label"], epochs = as.integer(args[3]),
               batch_size = 32, validation_split = 0.1, seed = 1)
cat(sprintf("fit %.3f s\n", as.numeric(Sys.time() - start, units = "secs")))
save_vae(fit, args[4])
R
printf '| data | run | fit s (median of %s) | whole run s | peak MiB |\n|---|---|---|---|---|\n' "$repeats"
for set in seedsim pbmc_small sim; do
  folder="$data/$set"
  [ "$set" = sim ] && folder="$work/sim"
  for run in cli r; do
    times=()
    fits=()
    peak=0
    for _ in $(seq "$repeats"); do
      if [ "$run" = cli ]; then
        command=("$bin" fit --counts "$folder/counts.csv.gz" --labels "$folder/labels.csv" --epochs "$epochs"
                 --batch-size 32 --latent-dim 2 --regularization 1 --validation-split 0.1 --seed 1
                 --output "$work/$run.vaexprs")
      else
        command=(Rscript "$work/fit.R" "$folder/counts.csv.gz" "$folder/labels.csv" "$epochs" "$work/$run.vaexprs")
      fi
      /usr/bin/time -v "${command[@]}" > "$work/out.txt" 2> "$work/time.txt"
      fits+=("$(sed -n 's/.* epochs in \([0-9.]*\) s.*/\1/p; s/^fit \([0-9.]*\) s$/\1/p' "$work/out.txt")")
      times+=("$(awk -F': ' '/Elapsed/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$work/time.txt")")
      kib="$(awk -F': ' '/Maximum resident/ {print $2}' "$work/time.txt")"
      [ "$kib" -gt "$peak" ] && peak="$kib"
    done
    median="$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')"
    fit="$(printf '%s\n' "${fits[@]}" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')"
    printf '| %s | %s | %s | %s | %d |\n' "$set" "$run" "$fit" "$median" "$((peak / 1024))"
  done
  cmp -s <(tail -c 100000 "$work/cli.vaexprs") <(tail -c 100000 "$work/r.vaexprs") \
    && echo "| $set | same weights (last 100 kB of the model files) | | |" \
    || echo "| $set | WEIGHTS DIFFER | | |"
done
