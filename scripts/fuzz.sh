#!/usr/bin/env bash
# Fuzzes every reader and parser with libFuzzer: scripts/fuzz.sh [seconds per target] [target ...]
# (default 60 s, every target). Builds the instrumented `vaexprs-fuzz` (release, with
# -sanitize=fuzzer,address) in .build-fuzz/, seeds each target's corpus (.build-fuzz-runs/corpus,
# kept between runs) from Fuzz/Seeds and the shared data sets (../shared/data), runs it, and
# prints one line of figures per target:
# executions, executions per second, coverage (libFuzzer's edge counter) and corpus size.
# A crash, timeout or out-of-memory input is copied to Fuzz/Regressions/<target>/ (where the test
# suite replays it) and the script exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
all=(csv tenx-mtx h5ad tenx-h5 model manifest component-spec writers mpi-fingerprint)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")

scripts/install-deps.sh
echo "building the fuzzing binary (.build-fuzz, release, fuzzer + address sanitizers)..." >&2
VAEXPRS_FUZZ=1 swift build -c release --scratch-path .build-fuzz --product vaexprs-fuzz \
  -Xswiftc -sanitize=fuzzer,address >&2
binary=.build-fuzz/release/vaexprs-fuzz
work=.build-fuzz-runs   # outside SwiftPM's build folder, which a build may tidy

shared=../shared/data
seed() {  # seed TARGET: the corpus folder, filled from Fuzz/Seeds and the shared data
  local target=$1 corpus=$work/corpus/$1
  mkdir -p "$corpus"
  cp -n Fuzz/Seeds/"$target"/* "$corpus"/ 2>/dev/null || true
  [ -d "$shared" ] || return 0
  case "$target" in
    csv)
      for d in "$shared"/*/; do
        n=$(basename "$d")
        [ -f "$d/counts.csv.gz" ] && zcat "$d/counts.csv.gz" | head -c 3000 > "$corpus/shared-$n.csv" || true
        [ -f "$d/labels.csv" ] && head -c 2000 "$d/labels.csv" > "$corpus/shared-$n-labels.csv" || true
      done ;;
    tenx-mtx)
      for d in "$shared"/*/; do
        n=$(basename "$d")
        [ -f "$d/matrix.mtx.gz" ] || continue
        { zcat "$d/matrix.mtx.gz" | head -c 1500; printf '\0'; zcat "$d/features.tsv.gz" | head -c 600; printf '\0'; zcat "$d/barcodes.tsv.gz" | head -c 400; } > "$corpus/shared-$n" || true
      done ;;
  esac
}

status=0
summary=()
for target in "${targets[@]}"; do
  seed "$target"
  mkdir -p "$work/artifacts/$target"
  log="$work/$target.log"
  echo "fuzzing $target for ${seconds}s..." >&2
  set +e
  VAEXPRS_FUZZ_TARGET="$target" ASAN_OPTIONS=detect_leaks=0 "$binary" "$work/corpus/$target" \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 -max_len=8192 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/$target/" > "$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  units=$(find "$work/corpus/$target" -type f 2>/dev/null | wc -l || true)
  found=$(find "$work/artifacts/$target" -type f 2>/dev/null | wc -l || true)
  line="$target: $runs executions ($rate/s), coverage $cov edges, corpus $units inputs, $found crash(es)"
  if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
    status=1
    mkdir -p "Fuzz/Regressions/$target"
    cp "$work/artifacts/$target"/* "Fuzz/Regressions/$target/" 2>/dev/null || true
    line="$line — FAILED (exit $rc; see $log; inputs kept in Fuzz/Regressions/$target)"
  fi
  summary+=("$line")
done
printf '%s\n' "${summary[@]}"
exit $status
