#!/usr/bin/env python3
"""Fresh cells from the *same* distribution as shared/data/seedsim (same per-gene group
shifts, new cell-level noise): what a perfect generator would produce. Used as the
realism ceiling beside our generated cells.

    seedsim_fresh_cells.py --out fresh.csv.gz [--noise-seed 2]
Replicates make_seedsim.py's draws (numpy PCG64, seed 1) for the shifts and draws the
base expression N(5, 5) from --noise-seed instead.
"""
import argparse

import numpy as np
import pandas as pd

ap = argparse.ArgumentParser()
ap.add_argument("--out", required=True)
ap.add_argument("--noise-seed", type=int, default=2)
a = ap.parse_args()
g, n, m, deg = 3, 100, 1000, 100
rng = np.random.default_rng(1)
_ = rng.normal(5.0, 5.0, size=(m, n * g))           # seed 1's base, skipped
shifts = [rng.normal(6.0, 10.0, size=deg) for _ in range(g)]
mat = np.random.default_rng(a.noise_seed).normal(5.0, 5.0, size=(m, n * g))
group = np.repeat(np.arange(1, g + 1), n)
for gi in range(1, g + 1):
    idx = np.where(group == gi)[0]
    rows = np.arange((gi - 1) * deg, gi * deg)
    mat[np.ix_(rows, idx)] = mat[:deg][:, idx] + shifts[gi - 1][:, None]
mat[mat < 0] = 0.0
mat = np.round(mat, 4)
df = pd.DataFrame(mat.T, index=[f"fresh{i}" for i in range(1, n * g + 1)],
                  columns=[f"gene{j}" for j in range(1, m + 1)])
df.index.name = "cell"
df.to_csv(a.out)
