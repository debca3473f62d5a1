#!/usr/bin/env python3
"""How much of a count data set's held-out AUC comes from the decoder's per-label gene means
(issue 31, part 4): a diagnostic that edits generated cells after the fact, not a generator.

    PYTHON Benchmarks/count_mean_probe.py DATA-DIR [--seeds 1,2,3] [--vaexprs .build/release/vaexprs]

DATA-DIR holds counts.csv.gz and labels.csv (a shared data set, or pbmc68k from
Benchmarks/pbmc68k_counts.py). Per seed, as Benchmarks/heldout_realism.py does: halves by label,
`fit` with the defaults on the first, `generate` as many cells as the second half has, and 20 000
more to estimate each label's generated gene means. "calibrated": each generated count of label
l and gene j scaled by (training half's mean / generated mean) of (l, j), clipped to [1/4, 4],
and rounded stochastically (the mean moves, the count's dispersion only roughly keeps). Both are
told from the held-out half on the 2 000 most variable genes of log-normalised counts (RF / LR
on 50 PCs, realism.py's classifiers). PYTHON needs numpy, pandas, scikit-learn and scanpy.
"""
import argparse
import os
import sys
import tempfile

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from heldout_realism import halves, top_genes, transform  # noqa: E402
from realism import auc_pair  # noqa: E402
from seedsim_gap_probe import pairs, read, run  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--vaexprs", default=os.path.join(ROOT, ".build/release/vaexprs"))
    ap.add_argument("--seeds", default="1,2,3")
    a = ap.parse_args()
    counts = pd.read_csv(os.path.join(a.data, "counts.csv.gz"), index_col=0)
    labels = pd.read_csv(os.path.join(a.data, "labels.csv"), index_col=0)["label"].astype(str).reindex(counts.index)
    rows = []
    for seed in [int(s) for s in a.seeds.split(",")]:
        train_idx, test_idx = halves(labels, seed)
        train, test = counts.iloc[train_idx], counts.iloc[test_idx]
        train_labels = labels.iloc[train_idx].to_numpy()
        with tempfile.TemporaryDirectory() as w:
            train.to_csv(f"{w}/train.csv")
            labels.iloc[train_idx].rename("label").to_frame().to_csv(f"{w}/labels.csv", index_label="cell")
            run(a.vaexprs, "fit", "--counts", f"{w}/train.csv", "--labels", f"{w}/labels.csv", "--seed", str(seed),
                "--epochs", "300", "--validation-split", "0.1", "--patience", "20", "--quiet", "--output", f"{w}/m.vaexprs")
            run(a.vaexprs, "generate", f"{w}/m.vaexprs", "--num-samples", str(len(test_idx)), "--seed", str(seed),
                "--output", f"{w}/g.csv")
            run(a.vaexprs, "generate", f"{w}/m.vaexprs", "--num-samples", "20000", "--seed", str(seed + 1000),
                "--output", f"{w}/many.csv")
            generated, generated_labels = read(f"{w}/g.csv")
            many, many_labels = read(f"{w}/many.csv")
        genes = list(generated.columns)
        x_train, x_test = train[genes].to_numpy(float), test[genes].to_numpy(float)
        x_gen, x_many = generated.to_numpy(float), many[genes].to_numpy(float)
        rng = np.random.default_rng(seed)
        calibrated = x_gen.copy()
        for label in np.unique(train_labels):
            factor = np.clip((x_train[train_labels == label].mean(0) + 1e-3)
                             / (x_many[many_labels == label].mean(0) + 1e-3), 0.25, 4)
            r = generated_labels == label
            scaled = x_gen[r] * factor
            calibrated[r] = np.floor(scaled) + (rng.random(scaled.shape) < scaled - np.floor(scaled))
        keep = top_genes(x_train, transform(x_train, "lognorm"), True)
        view = lambda m: transform(m, "lognorm")[:, keep]  # noqa: E731
        row = {"raw": auc_pair(view(x_test), view(x_gen), None, seed),
               "calibrated": auc_pair(view(x_test), view(calibrated), None, seed)}
        rows.append(row)
        print(f"seed {seed}: " + pairs(row), flush=True)
    print("mean RF / LR:  " + pairs({k: np.mean([r[k] for r in rows], axis=0) for k in rows[0]}))


if __name__ == "__main__":
    main()
