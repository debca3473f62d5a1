#!/usr/bin/env python3
"""Realism on cells the model never saw: train on one half, generate as many cells as the
other half has, and try to tell them from that half.

    heldout_realism.py --data ../shared/data/pbmc_small --vaexprs .build/release/vaexprs \
        [--fit "--epochs 300 --validation-split 0.1 --patience 20"] [--generate ""] \
        [--transform lognorm|log1p|none] [--seeds 1,2,3] [--json]

For each seed: the cells are split in two halves, stratified by label; `vaexprs fit` on the
first half with its labels (plus --fit), `vaexprs generate --num-samples <second half>`
(plus --generate), then, on the 2 000 most variable genes (Seurat v3 on counts, variance
otherwise) of the transformed data (lognorm: log1p of counts per 10 000, as scanpy's
normalize_total + log1p; none: the values as given):
* rf_auc, lr_auc: 5-fold stratified ROC AUC of a random forest (500 trees) and an L2 logistic
  regression separating the held-out half from the generated cells, on 50 principal
  components fitted on the two sets together (equal sizes). 0.5 = indistinguishable.
* rf_floor, lr_floor: the same for the training half against the held-out half (two real
  samples of the same size through the same construction: what real data reach).
* var_r, mean_r: Pearson r of per-gene variances and means (held-out vs generated); their
  floors: the same for the training half against the held-out half.
* label_acc_generated / label_acc_real: a random forest trained on the training half's PCs
  predicts the labels of the generated cells / of the held-out real cells.
* copies (nn_ratio): median distance from a generated cell to its nearest training cell over
  the same for a held-out cell (on the training half's PCs): 1 = generated cells are as far
  from the training cells as unseen real cells; well below 1 = near-copies of training cells.
* integers: whether every generated value is a whole number.
* evaluate_*: `vaexprs evaluate` on the held-out half and the generated cells (its own design:
  PCs fitted on half of the held-out cells, the other half compared; --normalize none with
  --transform none), with its real-vs-real floors.
Needs numpy, pandas, scikit-learn (and scanpy with scikit-misc for Seurat v3 ranking; the
variance ranking is used without them).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from realism import auc_pair  # noqa: E402  (the same classifiers and folds as realism.py)


def transform(x, how):
    if how == "lognorm":
        totals = x.sum(1, keepdims=True)
        totals[totals == 0] = 1
        return np.log1p(x / totals * 1e4)
    if how == "log1p":  # FPKM / TPM: already scaled per cell, judged on log(1 + value)
        return np.log1p(np.maximum(x, 0))
    return x


def top_genes(train_counts, transformed, counts, k=2000):
    if transformed.shape[1] <= k:
        return np.arange(transformed.shape[1])
    if counts:
        try:
            import anndata
            import scanpy as sc
            ad = anndata.AnnData(train_counts.astype(np.float32))
            sc.pp.highly_variable_genes(ad, n_top_genes=k, flavor="seurat_v3")
            return np.flatnonzero(ad.var["highly_variable"].to_numpy())
        except ImportError as missing:
            # Say so: the ranking changes which genes are compared, and so the AUCs.
            print(f"heldout_realism: {missing.name or missing} is missing (scanpy and scikit-misc rank by "
                  "Seurat v3): genes ranked by variance instead", file=sys.stderr)
    return np.argsort(-transformed.var(0))[:k]


def aucs(a, b, seed):
    """Cross-validated RF and LR AUCs of a vs b on PCs of the balanced pair (realism.py's design)."""
    return auc_pair(a, b, None, seed)


def halves(labels, seed):
    """The cells split in two halves, stratified by label (the first half trains): row indices, sorted."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for _, idx in labels.groupby(labels).indices.items():
        idx = rng.permutation(idx)
        half = (len(idx) + 1) // 2
        train += list(idx[:half])
        test += list(idx[half:])
    return sorted(train), sorted(test)


def run_one(a, seed, work):
    counts = pd.read_csv(os.path.join(a.data, "counts.csv.gz"), index_col=0)
    labels = pd.read_csv(os.path.join(a.data, "labels.csv"), index_col=0)["label"].astype(str).reindex(counts.index)
    train_idx, test_idx = halves(labels, seed)
    train, test = counts.iloc[train_idx], counts.iloc[test_idx]
    train.to_csv(os.path.join(work, "train.csv"))
    labels.iloc[train_idx].rename("label").to_frame().to_csv(os.path.join(work, "train_labels.csv"), index_label="cell")
    model, gen = os.path.join(work, "model.vaexprs"), os.path.join(work, "generated.csv")
    fit = [a.vaexprs, "fit", "--counts", os.path.join(work, "train.csv"), "--labels", os.path.join(work, "train_labels.csv"),
           "--seed", str(seed), "--quiet", "--output", model] + a.fit.split()
    done = subprocess.run(fit, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"fit failed: {done.stderr}")
    generate = [a.vaexprs, "generate", model, "--num-samples", str(len(test)), "--seed", str(seed), "--output", gen] + a.generate.split()
    done = subprocess.run(generate, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"generate failed: {done.stderr}")
    # Our own evaluator on the same held-out cells (its PCs are fitted on half of them).
    test.to_csv(os.path.join(work, "test.csv"))
    labels.iloc[test_idx].rename("label").to_frame().to_csv(os.path.join(work, "test_labels.csv"), index_label="cell")
    report = os.path.join(work, "report.json")
    evaluate = [a.vaexprs, "evaluate", "--real", os.path.join(work, "test.csv"), "--generated", gen, "--labels",
                os.path.join(work, "test_labels.csv"), "--generated-labels", os.path.join(work, "generated_labels.csv"),
                "--seed", str(seed), "--output", report] + ["--normalize", "none" if a.transform == "none" else "lognorm", "--training", os.path.join(work, "train.csv")]
    done = subprocess.run(evaluate, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"evaluate failed: {done.stderr}")
    with open(report) as fh:
        ours = json.load(fh)
    g = pd.read_csv(gen, index_col=0)
    g_labels = pd.read_csv(os.path.join(work, "generated_labels.csv"), index_col=0)["label"].astype(str)
    genes = list(g.columns)
    test, train = test[genes], train[genes]
    r_train, r_test, gv = (train.to_numpy(float), test.to_numpy(float), g.to_numpy(float))
    t_train, t_test, t_gen = (transform(m, a.transform) for m in (r_train, r_test, gv))
    keep = top_genes(r_train, t_train, a.transform == "lognorm")
    t_train, t_test, t_gen = t_train[:, keep], t_test[:, keep], t_gen[:, keep]
    rf, lr = aucs(t_test, t_gen, seed)
    rf0, lr0 = aucs(t_train, t_test, seed)
    pca = PCA(min(50, len(t_train) - 1, t_train.shape[1]), random_state=seed).fit(t_train)
    clf = RandomForestClassifier(n_estimators=500, random_state=seed, n_jobs=2).fit(pca.transform(t_train), labels.iloc[train_idx])
    acc_gen = float((clf.predict(pca.transform(t_gen)) == g_labels.to_numpy()).mean())
    acc_real = float((clf.predict(pca.transform(t_test)) == labels.iloc[test_idx].to_numpy()).mean())
    # Copies: distance from each generated / held-out cell to its nearest training cell.
    z_train, z_test, z_gen = pca.transform(t_train), pca.transform(t_test), pca.transform(t_gen)
    nearest = lambda z: np.sqrt(((z[:, None, :] - z_train[None, :, :]) ** 2).sum(-1)).min(1)
    nn_ratio = float(np.median(nearest(z_gen)) / np.median(nearest(z_test)))
    return {
        "seed": seed, "rf_auc": rf, "lr_auc": lr, "rf_floor": rf0, "lr_floor": lr0, "nn_ratio": nn_ratio,
        "evaluate_rf": ours["rf_auc"], "evaluate_lr": ours["lr_auc"],
        "evaluate_rf_floor": ours["rf_auc_floor"], "evaluate_lr_floor": ours["lr_auc_floor"],
        "evaluate_copy_ratio": ours.get("copy_ratio") or float("nan"),
        "var_r": float(np.corrcoef(t_test.var(0), t_gen.var(0))[0, 1]),
        "mean_r": float(np.corrcoef(t_test.mean(0), t_gen.mean(0))[0, 1]),
        "var_r_floor": float(np.corrcoef(t_test.var(0), t_train.var(0))[0, 1]),
        "mean_r_floor": float(np.corrcoef(t_test.mean(0), t_train.mean(0))[0, 1]),
        "label_acc_generated": acc_gen, "label_acc_real": acc_real,
        "integers": bool(np.all(gv == np.round(gv))),
        "train_cells": len(train), "test_cells": len(test), "genes": len(genes),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--vaexprs", default=".build/release/vaexprs")
    ap.add_argument("--fit", default="--epochs 300 --validation-split 0.1 --patience 20")
    ap.add_argument("--generate", default="")
    ap.add_argument("--transform", default="lognorm", choices=["lognorm", "log1p", "none"])
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    rows = []
    for seed in [int(s) for s in a.seeds.split(",")]:
        with tempfile.TemporaryDirectory() as work:
            rows.append(run_one(a, seed, work))
    keys = ["rf_auc", "lr_auc", "rf_floor", "lr_floor", "var_r", "mean_r", "var_r_floor", "mean_r_floor", "nn_ratio",
            "evaluate_rf", "evaluate_lr", "evaluate_rf_floor", "evaluate_lr_floor",
            "label_acc_generated", "label_acc_real", "evaluate_copy_ratio"]
    summary = {k: float(np.mean([r[k] for r in rows])) for k in keys}
    summary["integers"] = all(r["integers"] for r in rows)
    if a.json:
        print(json.dumps({"runs": rows, "mean": summary}))
    else:
        print(f"{os.path.basename(a.data.rstrip('/'))}  fit: {a.fit}  generate: {a.generate}")
        for r in rows + [dict(summary, seed="mean")]:
            print("  seed {seed}: RF {rf_auc:.3f} (floor {rf_floor:.3f})  LR {lr_auc:.3f} (floor {lr_floor:.3f})  var r {var_r:.3f} (floor {var_r_floor:.3f})  "
                  "mean r {mean_r:.3f} (floor {mean_r_floor:.3f})  labels gen {label_acc_generated:.3f} / real {label_acc_real:.3f}  "
                  "copies {nn_ratio:.2f}  integers {integers}  vaexprs evaluate: RF {evaluate_rf:.3f} (floor {evaluate_rf_floor:.3f}) "
                  "LR {evaluate_lr:.3f} (floor {evaluate_lr_floor:.3f}) copies {evaluate_copy_ratio:.2f}".format(**r))


if __name__ == "__main__":
    main()
