#!/usr/bin/env bash
# Overhead of a plugin layer: forward + backward of the Swift example plugin's
# `plugin_dense:512` (x·W + b written on VAExprsPluginKit, through vaexprs_plugin.h, products
# through the host's sgemm; the kit copies weights in and gradients out each call)
# beside the built-in `dense:512`, at batch 128 with 1 000 inputs, alternating passes, medians.
# Target: the plugin within 5 % of the built-in. Usage: Benchmarks/plugin_overhead.sh [threads]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release >/dev/null
for threads in ${1:-1 2}; do
  .build/release/vaexprs plugins bench --plugin .build/release/libGatedDensePlugin.so \
    --layer plugin_dense:512 --reference dense:512 --inputs 1000 --batch 128 --repeats 300 --threads "$threads"
done
