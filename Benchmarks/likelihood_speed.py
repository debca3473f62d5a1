#!/usr/bin/env python3
"""Training throughput of each likelihood at the same architecture, in one run.

    python3 Benchmarks/likelihood_speed.py [--cells 10000] [--genes 2000] [--epochs 4]
        [--hidden 128] [--latent 10] [--batch 128] [--threads 2] [--repeats 3]

Makes negative-binomial counts with ../shared/bench/make_counts_h5ad.py (5 cell types,
written once as a CSV), then fits a CVAE with each likelihood (nb, zinb, poisson,
censored_gaussian, gaussian, bernoulli) for a few epochs, no validation: the same encoder
and decoder (one dense ReLU layer each side), latent size, batch and threads. The continuous
likelihoods read the counts log-normalised (--normalize lognorm), as a user would give them.
Reports the median steady-state cells/s (first epoch excluded) over the repeats and each
likelihood's time per cell relative to censored_gaussian. Needs a release build and a
Python with numpy, pandas, scipy and anndata.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
LIKELIHOODS = ["nb", "zinb", "poisson", "censored_gaussian", "gaussian", "bernoulli"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=10000)
    ap.add_argument("--genes", type=int, default=2000)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--latent", type=int, default=10)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    binary = os.path.join(ROOT, ".build/release/vaexprs")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, os.path.join(SHARED, "bench/make_counts_h5ad.py"), "--cells", str(a.cells),
                        "--genes", str(a.genes), "--types", "5", "--out", tmp], check=True, capture_output=True)
        import anndata
        import pandas as pd
        data = anndata.read_h5ad(os.path.join(tmp, "data.h5ad"))
        counts = os.path.join(tmp, "counts.csv")
        pd.DataFrame(data.X.toarray().astype(int), index=data.obs_names, columns=data.var_names).to_csv(counts, index_label="cell")
        labels = os.path.join(tmp, "labels.csv")
        layer = f"dense:{a.hidden}:relu"
        rates = {}
        for repeat in range(a.repeats):
            for likelihood in LIKELIHOODS:  # interleaved, so load changes hit every likelihood alike
                extra = [] if likelihood in ("nb", "zinb", "poisson") else ["--normalize", "lognorm"]
                out = subprocess.run([binary, "fit", "--counts", counts, "--labels", labels, "--likelihood", likelihood,
                                      "--encoder", layer, "--decoder", layer, "--latent-dim", str(a.latent),
                                      "--epochs", str(a.epochs), "--batch-size", str(a.batch), "--threads", str(a.threads),
                                      "--output", os.path.join(tmp, "m.vaexprs")] + extra, capture_output=True, text=True)
                if out.returncode != 0:
                    sys.exit(f"{likelihood}: {out.stderr[-2000:]}")
                epoch_rates = [float(m) for m in re.findall(r", ([0-9.]+) cells/s", out.stderr)]
                rates.setdefault(likelihood, []).append(statistics.median(epoch_rates[1:]))
    print(f"{a.cells} cells x {a.genes} genes, {layer} each side, latent {a.latent}, batch {a.batch}, "
          f"{a.threads} threads, median of {a.repeats} runs")
    reference = statistics.median(rates["censored_gaussian"])
    for likelihood in LIKELIHOODS:
        r = statistics.median(rates[likelihood])
        print(f"  {likelihood:18s} {r:9.0f} cells/s   time per cell x{reference / r:.2f} of censored_gaussian")


if __name__ == "__main__":
    main()
