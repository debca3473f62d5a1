#!/usr/bin/env python3
"""What separates our generated seedsim cells from held-out ones (issue 31, part 4): a
diagnostic that edits the generated cells after the fact, not a generator.

    PYTHON Benchmarks/seedsim_gap_probe.py [--seeds 1,2,3] [--vaexprs .build/release/vaexprs]

(PYTHON: one with numpy, pandas, scipy and scikit-learn.)

Per seed, as Benchmarks/heldout_realism.py does: seedsim split in two halves by label, `fit`
with the defaults on the first, `generate` as many cells as the second half has; then the same
cells again with `--decode mean` and the same seed (the same latent draws: the decoder means μ
behind each sample), and 6 000 more cells to estimate each label's generated gene means. The
generated cells are then edited four ways and told from the held-out half (RF / LR on 50 PCs,
realism.py's classifiers):
* raw: as generated;
* means calibrated: each label's generated gene means moved onto the training half's (the
  positive values shifted by training mean − generated mean, zeros kept): removes the decoder's
  per-label mean error (it shrinks marker genes towards the overall mean);
* latent-free: each cell's decoder mean μ replaced by its label's average μ, its own noise
  kept (x − μ where x > 0; below −μ, drawn from the design's noise N(0, 5²) truncated there —
  knowledge of the simulation, so an upper bound): removes the variation the latent space adds
  within a label (seedsim has none);
* both.
The real-vs-real floor and the oracle figures are in docs/realism.md.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from scipy.stats import truncnorm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from heldout_realism import halves  # noqa: E402
from realism import auc_pair  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(os.path.dirname(ROOT), "shared", "data", "seedsim")
NOISE_SD = 5.0  # the simulation's noise (make_synthetic.py / the vignette: N(5, 5) clamped at 0)


def run(*cmd):
    """Runs a command; exits with its error output when it fails."""
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{done.stderr[-2000:]}")


def read(path):
    """Generated cells (a data frame) and their labels (an array) from `generate`'s CSV output."""
    cells = pd.read_csv(path, index_col=0)
    labels = pd.read_csv(path.replace(".csv", "_labels.csv"), index_col=0)["label"].astype(str).reindex(cells.index)
    return cells, labels.to_numpy()


def pairs(row):
    """'name RF/LR' for each (RF, LR) AUC pair of a row."""
    return "  ".join(f"{k} {v[0]:.3f}/{v[1]:.3f}" for k, v in row.items())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vaexprs", default=os.path.join(ROOT, ".build/release/vaexprs"))
    ap.add_argument("--seeds", default="1,2,3")
    a = ap.parse_args()
    counts = pd.read_csv(os.path.join(DATA, "counts.csv.gz"), index_col=0)
    labels = pd.read_csv(os.path.join(DATA, "labels.csv"), index_col=0)["label"].astype(str).reindex(counts.index)
    rows = []
    for seed in [int(s) for s in a.seeds.split(",")]:
        with tempfile.TemporaryDirectory() as w:
            train_idx, test_idx = halves(labels, seed)
            train, test = counts.iloc[train_idx], counts.iloc[test_idx]
            train_labels = labels.iloc[train_idx].to_numpy()
            train.to_csv(f"{w}/train.csv")
            labels.iloc[train_idx].rename("label").to_frame().to_csv(f"{w}/labels.csv", index_label="cell")
            run(a.vaexprs, "fit", "--counts", f"{w}/train.csv", "--labels", f"{w}/labels.csv", "--seed", str(seed),
                "--epochs", "300", "--validation-split", "0.1", "--patience", "20", "--quiet", "--output", f"{w}/m.vaexprs")
            n = str(len(test_idx))
            run(a.vaexprs, "generate", f"{w}/m.vaexprs", "--num-samples", n, "--seed", str(seed), "--output", f"{w}/g.csv")
            run(a.vaexprs, "generate", f"{w}/m.vaexprs", "--num-samples", n, "--seed", str(seed), "--decode", "mean",
                "--output", f"{w}/mu.csv")
            run(a.vaexprs, "generate", f"{w}/m.vaexprs", "--num-samples", "6000", "--seed", str(seed + 1000),
                "--output", f"{w}/many.csv")
            (x, x_labels), (mu, mu_labels), (many, many_labels) = (
                (cells.to_numpy(float), cell_labels)
                for cells, cell_labels in (read(f"{w}/{name}.csv") for name in ("g", "mu", "many")))
        if not (mu_labels == x_labels).all():
            sys.exit("the --decode mean cells do not pair with the samples (labels differ)")
        rng = np.random.default_rng(seed)
        noise = x - mu
        zero = x <= 0
        noise[zero] = truncnorm.rvs(-np.inf, -mu[zero] / NOISE_SD, scale=NOISE_SD, random_state=rng)
        variants = {"raw": x.copy(), "means calibrated": x.copy(), "latent-free": np.empty_like(x), "both": np.empty_like(x)}
        for label in np.unique(train_labels):
            r = x_labels == label
            shift = train.to_numpy(float)[train_labels == label].mean(0) - many[many_labels == label].mean(0)
            variants["means calibrated"][r] = np.where(x[r] > 0, np.maximum(x[r] + shift, 0), 0)
            centre = mu[r].mean(0)
            variants["latent-free"][r] = np.maximum(centre + noise[r], 0)
            variants["both"][r] = np.maximum(centre + shift + noise[r], 0)
        held_out = test.to_numpy(float)
        row = {name: auc_pair(held_out, v, None, seed) for name, v in variants.items()}
        row["real vs real"] = auc_pair(held_out, train.to_numpy(float), None, seed)
        rows.append(row)
        print(f"seed {seed}: " + pairs(row), flush=True)
    print("mean RF / LR:  " + pairs({k: np.mean([r[k] for r in rows], axis=0) for k in rows[0]}))


if __name__ == "__main__":
    main()
