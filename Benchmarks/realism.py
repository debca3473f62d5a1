#!/usr/bin/env python3
"""How real are generated cells? Classifier two-sample test and gene-statistics agreement.

    realism.py --real counts.csv.gz --generated generated.csv.gz [--log] [--seed 1] [--json]

* AUC: 5-fold stratified cross-validated ROC AUC of a random forest (500 trees) and of a
  logistic regression separating real from generated cells, on the top 50 principal
  components of the real cells (PCA fitted on the real cells, both sets projected),
  classes balanced by subsampling the larger set. 0.5 = indistinguishable.
* Floor: the same AUCs for two random halves of the real cells (what real data reaches).
* Two PCA choices, both reported:
  - `real` (the issue's wording): PCA fitted on the real cells. With many more genes than
    cells the top components overfit the real sample (in-sample projections have inflated
    variance along noise directions), so even fresh cells from the true distribution are
    told apart (seedsim: RF AUC 1.0 for seedsim_fresh_cells.py), while the real-vs-real
    floor, being in-sample on both sides, stays near 0.5. Not a fair test for p >> n.
  - `pooled`: PCA fitted on the two compared sets together (equal sizes), so neither side
    is in-sample alone; the floor uses the same construction on two real halves.
* Per-gene mean and variance Pearson correlations, real vs generated.
With --log, both matrices are log1p-transformed first (for counts).
Needs numpy, pandas, scikit-learn (the bench venv has them).
"""
import argparse
import json

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def auc_pair(a, b, pca, seed, k=50):
    """Cross-validated AUCs of a vs b; pca=None fits PCA on the balanced pair itself."""
    rng = np.random.default_rng(seed)
    n = min(len(a), len(b))
    a = a[rng.permutation(len(a))[:n]]
    b = b[rng.permutation(len(b))[:n]]
    both = np.vstack([a, b])
    if pca is None:
        pca = PCA(min(k, 2 * n - 1, both.shape[1]), random_state=seed).fit(both)
    x = pca.transform(both)
    y = np.r_[np.zeros(n), np.ones(n)]
    cv = StratifiedKFold(5, shuffle=True, random_state=seed)
    rf = RandomForestClassifier(n_estimators=500, random_state=seed, n_jobs=2)
    lr = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    return (float(cross_val_score(rf, x, y, cv=cv, scoring="roc_auc").mean()),
            float(cross_val_score(lr, x, y, cv=cv, scoring="roc_auc").mean()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--real", required=True)
    ap.add_argument("--generated", required=True)
    ap.add_argument("--log", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    real = pd.read_csv(a.real, index_col=0)
    gen = pd.read_csv(a.generated, index_col=0)
    if list(real.columns) != list(gen.columns):
        raise SystemExit("real and generated genes differ")
    r = real.to_numpy(np.float64)
    g = gen.to_numpy(np.float64)
    if a.log:
        r, g = np.log1p(r), np.log1p(g)
    k = min(50, r.shape[0] - 1, r.shape[1])
    pca = PCA(k, random_state=a.seed).fit(r)
    rf, lr = auc_pair(r, g, pca, a.seed)
    perm = np.random.default_rng(a.seed).permutation(len(r))
    half = len(r) // 2
    ra, rb = r[perm[:half]], r[perm[half:2 * half]]
    rf0, lr0 = auc_pair(ra, rb, pca, a.seed)
    rfp, lrp = auc_pair(r, g, None, a.seed, k)
    rfp0, lrp0 = auc_pair(ra, rb, None, a.seed, k)
    out = {
        "rf_auc": rf, "lr_auc": lr, "rf_auc_floor": rf0, "lr_auc_floor": lr0,
        "rf_auc_pooled": rfp, "lr_auc_pooled": lrp,
        "rf_auc_pooled_floor": rfp0, "lr_auc_pooled_floor": lrp0,
        "gene_mean_r": float(np.corrcoef(r.mean(0), g.mean(0))[0, 1]),
        "gene_var_r": float(np.corrcoef(r.var(0), g.var(0))[0, 1]),
        "real_cells": int(len(r)), "generated_cells": int(len(g)), "pcs": int(k),
    }
    if a.json:
        print(json.dumps(out))
    else:
        for key, v in out.items():
            print(f"{key:16s} {v:.4f}" if isinstance(v, float) else f"{key:16s} {v}")


if __name__ == "__main__":
    main()
