#!/usr/bin/env python3
"""Realism on held-out cells of models trained with float32 and with bfloat16 products
(`fit --precision bf16`), seed by seed on the same halves: is bf16's realism within the noise
of float32's?

    precision_realism.py [--python PY] [--seeds 1,2,3,4,5] [--only pbmc68k:defaults,guo:original]
                         [--json out.json]

For every shared data set with labels and scanpy's pbmc68k_reduced counts
(Benchmarks/pbmc68k_counts.py), with fit's defaults and with the original's preset (the
network of the speed comparison with Keras), runs Benchmarks/heldout_realism.py once per
precision and seed (the same split and generation seed for both precisions) and reports, per
metric, float32 and bf16 as mean ± sd over seeds, the paired difference bf16 − float32 as
mean ± sd, and the real-vs-real floor. A difference whose mean lies within its own sd (and
within float32's seed-to-seed sd) is noise.
Needs a release build and a Python with numpy, pandas, scikit-learn, scanpy and scikit-misc.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(os.path.dirname(ROOT), "shared", "data")
BASE = "--epochs 300 --validation-split 0.1 --patience 20"
METRICS = ("rf_auc", "lr_auc", "var_r", "mean_r", "nn_ratio")
FLOORS = {"rf_auc": "rf_floor", "lr_auc": "lr_floor", "var_r": "var_r_floor", "mean_r": "mean_r_floor"}


def held_out(python, data, transform, fit, seeds):
    cmd = [python, os.path.join(ROOT, "Benchmarks/heldout_realism.py"), "--data", data, "--transform", transform,
           "--vaexprs", os.path.join(ROOT, ".build/release/vaexprs"), "--fit", fit, "--seeds", seeds, "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])["runs"]


def spread(values):
    return statistics.mean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", default=os.path.join(os.path.dirname(ROOT), ".venv-bench/bin/python"))
    ap.add_argument("--seeds", default="1,2,3,4,5")
    ap.add_argument("--only", help="comma-separated DATA:defaults or DATA:original designs to run (default: all)")
    ap.add_argument("--json")
    a = ap.parse_args()
    only = set(a.only.split(",")) if a.only else None
    with tempfile.TemporaryDirectory() as work:
        pbmc68k = os.path.join(work, "pbmc68k")
        subprocess.run([a.python, os.path.join(ROOT, "Benchmarks/pbmc68k_counts.py"), "--out", pbmc68k], check=True,
                       stdout=subprocess.DEVNULL)
        designs = [
            ("pbmc68k", pbmc68k, "lognorm", ""),
            ("pbmc68k", pbmc68k, "lognorm", "--preset original"),
            ("pbmc_small", os.path.join(DATA, "pbmc_small"), "lognorm", ""),
            ("seedsim", os.path.join(DATA, "seedsim"), "none", ""),
            ("guo", os.path.join(DATA, "guo"), "none", ""),
        ]
        if only:
            designs = [d for d in designs if f"{d[0]}:{'original' if d[3] else 'defaults'}" in only]
        results = []
        for name, data, transform, extra in designs:
            runs = {p: held_out(a.python, data, transform, f"{BASE} {extra} --precision {p}".strip(), a.seeds)
                    for p in ("float32", "bf16")}
            row = dict(data=name, fit=extra or "defaults", metrics={})
            print(f"\n{name}, {extra or 'defaults'} (seeds {a.seeds})", flush=True)
            print(f"  {'metric':8s} {'float32':>15s} {'bf16':>15s} {'bf16 - float32':>16s} {'real vs real':>13s}")
            for metric in METRICS:
                f32 = [r[metric] for r in runs["float32"]]
                b16 = [r[metric] for r in runs["bf16"]]
                diff = [y - x for x, y in zip(f32, b16)]
                floor = spread([r[FLOORS[metric]] for r in runs["float32"]]) if metric in FLOORS else None
                row["metrics"][metric] = dict(float32=f32, bf16=b16, difference=spread(diff),
                                              floor=floor[0] if floor else None)
                (m32, s32), (m16, s16), (md, sd) = spread(f32), spread(b16), spread(diff)
                floor_text = f"{floor[0]:.3f}" if floor else ""
                print(f"  {metric:8s} {m32:8.3f} ± {s32:.3f} {m16:8.3f} ± {s16:.3f} {md:+9.3f} ± {sd:.3f} {floor_text:>13s}",
                      flush=True)
            results.append(row)
    if a.json:
        with open(a.json, "w") as out:
            json.dump(results, out, indent=1)


if __name__ == "__main__":
    main()
