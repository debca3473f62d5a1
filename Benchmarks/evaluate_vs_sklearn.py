#!/usr/bin/env python3
"""`vaexprs evaluate` beside scikit-learn: the same AUCs on the same rows, and the same protocol's time.

    PYTHON Benchmarks/evaluate_vs_sklearn.py --real R --generated G [--labels L --generated-labels GL]
        [--already-log] [--seeds 1 2 3] [--ours VAEXPRS] [--old OTHER_VAEXPRS] [--protocol]

For each seed: runs `vaexprs evaluate ... --design-output design.csv --output report.json` (the
release build or --ours, timed with its peak memory; with --old also another binary, e.g. the previous
release, on the same files), then fits scikit-learn's RandomForestClassifier (100 trees, its
defaults) and LogisticRegression (C = 1, lbfgs) on exactly the rows, folds and principal
components our first run used, and prints the mean fold ROC AUCs side by side (target: within
0.03; forests differ in their random draws, so several seeds show the spread).

--protocol also times scikit-learn (n_jobs = 2, both cores) fitting every classifier our protocol
fits at the same sizes: per repeat (5) a 5-fold run on the design's rows and one on two halves of
its real rows (the floor), then one 5-fold run each for the pooled PCs and the projection's bias
(on the design's rows again: same sizes, other values). Our time also covers reading, normalising,
the PCAs and the MMD permutations; scikit-learn's covers the classifiers only.
Needs numpy, pandas and scikit-learn. No tuning variables are set.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VAEXPRS = os.path.join(ROOT, ".build", "release", "vaexprs")


def run_evaluate(binary, args, seed, work):
    """Runs one `evaluate`; returns its report, design, seconds and peak MiB."""
    design, report, timing = (os.path.join(work, name) for name in ("design.csv", "report.json", "time.txt"))
    cmd = ["/usr/bin/time", "-f", "%e %M", "-o", timing, binary, "evaluate", "--real", args.real,
           "--generated", args.generated, "--seed", str(seed), "--design-output", design, "--output", report]
    if args.labels:
        cmd += ["--labels", args.labels, "--generated-labels", args.generated_labels]
    if args.already_log:
        cmd += ["--normalize", "none"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    seconds, kib = open(timing).read().split()
    return json.load(open(report)), pd.read_csv(design), float(seconds), int(kib) // 1024


def fold_aucs(x, y, folds, seed):
    """Mean out-of-fold ROC AUCs of the forest and the logistic regression."""
    rf, lr = [], []
    for fold in sorted(set(folds)):
        train, test = folds != fold, folds == fold
        forest = RandomForestClassifier(n_estimators=100, random_state=seed, n_jobs=2).fit(x[train], y[train])
        rf.append(roc_auc_score(y[test], forest.predict_proba(x[test])[:, 1]))
        logistic = LogisticRegression(C=1.0, max_iter=5000).fit(x[train], y[train])
        lr.append(roc_auc_score(y[test], logistic.predict_proba(x[test])[:, 1]))
    return float(np.mean(rf)), float(np.mean(lr))


def protocol_seconds(x, y, seed, repeats=5):
    """scikit-learn fitting the classifiers of our protocol at its sizes, in seconds."""
    rng = np.random.default_rng(seed)
    real = x[y == 0]
    start = time.perf_counter()
    for r in range(repeats):
        folds = StratifiedKFold(5, shuffle=True, random_state=seed + r).split(x, y)
        fold_of = np.empty(len(y), int)
        for k, (_, test) in enumerate(folds):
            fold_of[test] = k
        fold_aucs(x, y, fold_of, seed + r)
        order = rng.permutation(len(real))
        half = len(real) // 2
        floor_x = np.vstack([real[order[:half]], real[order[half:2 * half]]])
        floor_y = np.repeat([0, 1], half)
        floor_folds = np.empty(len(floor_y), int)
        for k, (_, test) in enumerate(StratifiedKFold(5, shuffle=True, random_state=seed).split(floor_x, floor_y)):
            floor_folds[test] = k
        fold_aucs(floor_x, floor_y, floor_folds, seed + r)
    for extra in range(2):  # pooled PCs, projection bias
        fold_of = np.empty(len(y), int)
        for k, (_, test) in enumerate(StratifiedKFold(5, shuffle=True, random_state=seed + extra).split(x, y)):
            fold_of[test] = k
        fold_aucs(x, y, fold_of, seed)
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--real", required=True)
    ap.add_argument("--generated", required=True)
    ap.add_argument("--labels")
    ap.add_argument("--generated-labels")
    ap.add_argument("--already-log", action="store_true")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--ours", default=VAEXPRS, help="the vaexprs binary to measure (default: the release build)")
    ap.add_argument("--old", help="another vaexprs binary to run on the same files")
    ap.add_argument("--protocol", action="store_true", help="time scikit-learn doing the protocol's classifiers")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="vaexprs-eval-")
    binaries = [("ours", args.ours)] + ([("old", args.old)] if args.old else [])
    worst = 0.0
    for seed in args.seeds:
        runs = {name: run_evaluate(binary, args, seed, work) for name, binary in reversed(binaries)}
        ours, design, seconds, mib = runs["ours"]
        x = design[[c for c in design.columns if c.startswith("PC")]].values
        y = (design["set"] == "generated").astype(int).values
        srf, slr = fold_aucs(x, y, design["fold"].values, seed)
        worst = max(worst, abs(srf - ours["rf_auc"]), abs(slr - ours["lr_auc"]))
        for name, (report, _, s, m) in runs.items():
            print(f"seed {seed} {name:>4}: RF {report['rf_auc']:.3f} (floor {report['rf_auc_floor']:.3f}, pooled "
                  f"{report['rf_auc_pooled']:.3f}, fitted vs held out {report['rf_auc_fitted_vs_held_out']:.3f})  "
                  f"LR {report['lr_auc']:.3f}  {s:.1f} s, peak {m} MiB")
        print(f"seed {seed} sklearn on our first run's rows: RF {srf:.3f}  LR {slr:.3f}")
        if args.protocol:
            sk = protocol_seconds(x, y, seed)
            print(f"seed {seed} sklearn protocol (classifiers only, n_jobs=2): {sk:.1f} s; ours {seconds:.1f} s "
                  f"= {sk / seconds:.2f}x scikit-learn's speed")
    print(f"largest RF/LR difference from scikit-learn {worst:.3f} ({'within' if worst <= 0.03 else 'OUTSIDE'} 0.03)")


if __name__ == "__main__":
    sys.exit(main())
