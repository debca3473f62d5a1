#!/usr/bin/env python3
"""Our classifier two-sample AUCs beside scikit-learn's on the same splits and components.

    .venv-bench/bin/python Benchmarks/evaluate_vs_sklearn.py --real R --generated G [--labels L --generated-labels GL]
                                                              [--already-log] [--seeds 1 2 3]

Runs `vaexprs evaluate ... --design-output design.csv --output report.json` (a release build),
then fits scikit-learn's RandomForestClassifier (100 trees, its defaults) and
LogisticRegression (C = 1, lbfgs) on exactly the rows, folds and principal components our
run used, and prints both mean fold ROC AUCs with the differences (target: within 0.03).
Forests differ in their random draws, so several seeds show the spread.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VAEXPRS = os.path.join(ROOT, ".build", "release", "vaexprs")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--real", required=True)
    ap.add_argument("--generated", required=True)
    ap.add_argument("--labels")
    ap.add_argument("--generated-labels")
    ap.add_argument("--already-log", action="store_true")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="vaexprs-eval-")
    worst = 0.0
    print(f"{'seed':>4}  {'ours RF':>8} {'sklearn RF':>10}  {'ours LR':>8} {'sklearn LR':>10}")
    for seed in args.seeds:
        design, report = os.path.join(work, "design.csv"), os.path.join(work, "report.json")
        cmd = [VAEXPRS, "evaluate", "--real", args.real, "--generated", args.generated, "--seed", str(seed),
               "--design-output", design, "--output", report]
        if args.labels:
            cmd += ["--labels", args.labels, "--generated-labels", args.generated_labels]
        if args.already_log:
            cmd += ["--normalize", "none"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        ours = json.load(open(report))
        d = pd.read_csv(design)
        x = d[[c for c in d.columns if c.startswith("PC")]].values
        y = (d["set"] == "generated").astype(int).values
        rf, lr = [], []
        for fold in sorted(d["fold"].unique()):
            train, test = d["fold"].values != fold, d["fold"].values == fold
            forest = RandomForestClassifier(n_estimators=100, random_state=seed).fit(x[train], y[train])
            rf.append(roc_auc_score(y[test], forest.predict_proba(x[test])[:, 1]))
            logistic = LogisticRegression(C=1.0, max_iter=5000).fit(x[train], y[train])
            lr.append(roc_auc_score(y[test], logistic.predict_proba(x[test])[:, 1]))
        srf, slr = float(np.mean(rf)), float(np.mean(lr))
        worst = max(worst, abs(srf - ours["rf_auc"]), abs(slr - ours["lr_auc"]))
        print(f"{seed:>4}  {ours['rf_auc']:8.3f} {srf:10.3f}  {ours['lr_auc']:8.3f} {slr:10.3f}")
    print(f"largest difference {worst:.3f} ({'within' if worst <= 0.03 else 'OUTSIDE'} 0.03)")


if __name__ == "__main__":
    sys.exit(main())
