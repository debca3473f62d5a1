#!/usr/bin/env python3
"""Training throughput of vaexprs beside the Keras port of the original, in the same run.

    python3 Benchmarks/throughput.py [--keras-python .venv-bench/bin/python] [--threads 2]
                                     [--skip-large] [--repeats 1] [--json out.json]

Workloads (no validation, no early stopping, fixed epochs, default architecture
dense:512:relu / latent 2 / bernoulli, Adam: `fit --preset original`): seedsim (300 x 1000) for 30 epochs and a
10 000 x 2 000 matrix from shared/bench/make_synthetic.py for 3 epochs, at batch 32 and 128.
Reports steady-state cells/s (median epoch, first epoch excluded), ours / Keras ratios,
peak RSS of each process, and the share of the machine's sgemm limit ours reaches
(FLOPs per cell of the architecture x cells/s / (125 GFLOP/s x threads), 125 GFLOP/s being
OpenBLAS's Haswell sgemm peak per core measured on these machines).
Needs: a release build (swift build -c release), and for Keras a venv with tensorflow-cpu,
keras, scikit-learn, pandas, numpy (see shared/bench/README.md).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
SGEMM_PEAK_PER_CORE = 125e9


def run(cmd, env=None):
    """Runs cmd; returns (stdout+stderr text, seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{out[-2000:]}")
    return out, time.perf_counter() - start, usage.ru_maxrss / 1024


def flops_per_cell(genes, hidden=512, latent=2):
    # forward: x·W1, two latent heads, z·W2, h·W3; backward: dW for all, dX for all but the first layer
    macs_forward = genes * hidden + 2 * hidden * latent + latent * hidden + hidden * genes
    macs_input_grads = 2 * hidden * latent + latent * hidden + hidden * genes
    return 2 * (2 * macs_forward + macs_input_grads)


def ours(counts, epochs, batch, threads):
    binary = os.path.join(ROOT, ".build/release/vaexprs")
    with tempfile.TemporaryDirectory() as tmp:
        out, seconds, rss = run([binary, "fit", "--counts", counts, "--preset", "original", "--epochs", str(epochs), "--batch-size", str(batch),
                                 "--threads", str(threads), "--output", os.path.join(tmp, "m.vaexprs")])
    rates = [float(m) for m in re.findall(r", ([0-9.]+) cells/s", out)]
    return statistics.median(rates[1:] if len(rates) > 1 else rates), rss, seconds


def keras(python, counts, epochs, batch, threads):
    with tempfile.TemporaryDirectory() as tmp:
        _, seconds, rss = run([python, os.path.join(SHARED, "bench/vaexprs_keras.py"), "--counts", counts,
                               "--epochs", str(epochs), "--batch-size", str(batch), "--val", "none",
                               "--no-early-stopping", "--no-generate", "--threads", str(threads), "--out-dir", tmp])
        timing = json.load(open(os.path.join(tmp, "timing.json")))
    return timing["train_cells_per_second_excl_first"], rss, seconds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keras-python", default=os.path.join(os.path.dirname(ROOT), ".venv-bench/bin/python"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--skip-large", action="store_true")
    ap.add_argument("--repeats", type=int, default=1, help="alternate ours/Keras this many times; medians reported")
    ap.add_argument("--json")
    a = ap.parse_args()
    if not os.path.exists(a.keras_python):
        sys.exit(f"no Python with Keras at {a.keras_python}; see shared/bench/README.md (--keras-python)")
    workloads = [("seedsim 300x1000", os.path.join(SHARED, "data/seedsim/counts.csv.gz"), 1000, 30)]
    if not a.skip_large:
        large = os.path.join(tempfile.gettempdir(), "vaexprs-bench-10000x2000")
        if not os.path.exists(os.path.join(large, "counts.csv.gz")):
            run([a.keras_python, os.path.join(SHARED, "bench/make_synthetic.py"), "--groups", "10",
                 "--cells-per-group", "1000", "--genes", "2000", "--seed", "20240", "--out", large])
        workloads.append(("synthetic 10000x2000", os.path.join(large, "counts.csv.gz"), 2000, 3))
    rows = []
    print(f"threads {a.threads}; sgemm limit {SGEMM_PEAK_PER_CORE * a.threads / 1e9:.0f} GFLOP/s")
    print(f"{'workload':22s} {'batch':>5s} {'ours cells/s':>12s} {'keras cells/s':>13s} {'ratio':>6s} "
          f"{'ours MiB':>8s} {'keras MiB':>9s} {'sgemm share':>11s}")
    for name, counts, genes, epochs in workloads:
        for batch in (32, 128):
            o, k = [], []
            for _ in range(a.repeats):
                o.append(ours(counts, epochs, batch, a.threads))
                k.append(keras(a.keras_python, counts, epochs, batch, a.threads))
            ours_rate = statistics.median(x[0] for x in o)
            keras_rate = statistics.median(x[0] for x in k)
            ours_rss = max(x[1] for x in o)
            keras_rss = max(x[1] for x in k)
            share = ours_rate * flops_per_cell(genes) / (SGEMM_PEAK_PER_CORE * a.threads)
            row = dict(workload=name, batch=batch, ours_cells_per_s=ours_rate, keras_cells_per_s=keras_rate,
                       ratio=ours_rate / keras_rate, ours_peak_rss_mib=ours_rss, keras_peak_rss_mib=keras_rss,
                       sgemm_share=share, threads=a.threads)
            rows.append(row)
            print(f"{name:22s} {batch:5d} {ours_rate:12.0f} {keras_rate:13.0f} {row['ratio']:6.2f} "
                  f"{ours_rss:8.0f} {keras_rss:9.0f} {100 * share:10.0f}%", flush=True)
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
