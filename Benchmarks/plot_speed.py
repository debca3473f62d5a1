#!/usr/bin/env python3
"""Plot speed: 100 000 points (50 000 real + 50 000 generated cells with labels) to PNG, SVG,
PDF and HTML with `vaexprs plot aug`, end to end (reading both CSVs, a 2-gene PCA, layout,
rendering, atomic write). Target: under 2 s each for PNG and SVG on a 2-core machine.

    python3 Benchmarks/plot_speed.py [--points 100000] [--repeats 3]

Needs a release build (swift build -c release) (inputs are made with the standard library).
"""
import argparse
import os
import random
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VAEXPRS = os.path.join(ROOT, ".build", "release", "vaexprs")


def write(path, labels_path, prefix, n, rng, shift):
    with open(path, "w") as f, open(labels_path, "w") as lf:
        f.write("cell,geneA,geneB\n")
        lf.write("cell,label\n")
        for i in range(n):
            g = i % 4
            f.write(f"{prefix}{i},{g * 3 + rng.gauss(0, 1) + shift:.4f},{(g % 2) * 3 + rng.gauss(0, 1):.4f}\n")
            lf.write(f"{prefix}{i},type{g}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    if not os.path.exists(VAEXPRS):
        raise SystemExit("build first: swift build -c release")
    rng = random.Random(1)
    work = tempfile.mkdtemp(prefix="vaexprs-plot-speed-")
    half = args.points // 2
    real, real_labels = os.path.join(work, "real.csv"), os.path.join(work, "real_labels.csv")
    gen, gen_labels = os.path.join(work, "gen.csv"), os.path.join(work, "gen_labels.csv")
    write(real, real_labels, "cell", half, rng, 0)
    write(gen, gen_labels, "gen", args.points - half, rng, 0.3)
    print(f"{args.points} points; median of {args.repeats} runs (whole command)")
    for ext in ["png", "svg", "pdf", "html"]:
        out = os.path.join(work, "aug." + ext)
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            subprocess.run([VAEXPRS, "plot", "aug", "--real", real, "--generated", gen, "--labels", real_labels,
                            "--generated-labels", gen_labels, "--top-genes", "0", "--normalize", "none", "--output", out],
                           check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
        size = os.path.getsize(out) / 2**20
        verdict = "" if ext not in ("png", "svg") else ("  (target < 2 s: met)" if statistics.median(times) < 2 else "  (target < 2 s: MISSED)")
        print(f"{ext:5} {statistics.median(times):6.2f} s  {size:6.1f} MiB{verdict}")


if __name__ == "__main__":
    main()
