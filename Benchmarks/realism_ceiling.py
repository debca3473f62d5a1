#!/usr/bin/env python3
"""What the held-out realism design lets *any* generator reach when it learns from the training
half: oracle generators that know the true model of a simulated data set and estimate only
what must be estimated from the training cells, judged exactly as heldout_realism.py judges
(same stratified halves, same genes, same classifiers and folds as realism.py).

    realism_ceiling.py seedsim --data ../shared/data/seedsim [--seeds 1,2,3]
    realism_ceiling.py nb --out DIR [--cells 700 --genes 765 --types 10 --theta 2]

seedsim (independent N(5, 5²) noise clamped at 0, group shifts on marker blocks; see its README):
* oracle_known_noise: knows σ = 5 and the clamp; each label's gene means by Tobit maximum
  likelihood from the training half; cells drawn from the true model with those means.
* oracle_moments: each label's gene mean and sd from the training half, clamped normal draws.
nb (counts as ../shared/bench/make_counts_h5ad.py makes them: K types, NB with dispersion θ,
log-normal library sizes; written to DIR as counts.csv.gz + labels.csv so that
heldout_realism.py can run our model on the same cells):
* oracle_known_theta: knows θ and the NB; each label's gene proportions from the training half
  (its counts over its library sizes); library sizes log-normal per label fitted to the
  training half's log totals (as `vaexprs generate` does); Gamma–Poisson draws.
* oracle_gene_theta: the same, with θ estimated per gene by maximum likelihood from the training
  half (what a model that does not know θ is shared must do).
* fresh_cells: new cells from the true parameters (what a perfect generator would give).
A gap between fresh_cells (≈ the real-vs-real floor) and the oracles is the part of a held-out
AUC that comes from estimating the distribution from the training half: no generator that
learns from those cells alone, and does not copy them, can be expected to go below its oracle.
"""
import argparse
import os
import sys

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar
from scipy.special import gammaln
from scipy.stats import norm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from heldout_realism import halves, top_genes, transform  # noqa: E402
from realism import auc_pair  # noqa: E402


def judged(train, test, generated, how, seed):
    keep = top_genes(train, transform(train, how), how == "lognorm")
    t_test, t_gen = transform(test, how)[:, keep], transform(generated, how)[:, keep]
    return auc_pair(t_test, t_gen, None, seed)


def tobit_mean(values, sd):
    zero = values <= 0
    positive = values[~zero]
    def nll(m):
        return -(norm.logcdf(-m / sd) * zero.sum() + norm.logpdf((positive - m) / sd).sum())
    return minimize_scalar(nll, bounds=(-20 * sd, values.max() + 20 * sd), method="bounded").x


def seedsim(a):
    counts = pd.read_csv(os.path.join(a.data, "counts.csv.gz"), index_col=0)
    labels = pd.read_csv(os.path.join(a.data, "labels.csv"), index_col=0)["label"].astype(str).reindex(counts.index)
    x, lab = counts.to_numpy(float), labels.to_numpy()
    results = {"oracle_known_noise": [], "oracle_moments": []}
    for seed in a.seed_list:
        train, test = halves(labels, seed)
        rng = np.random.default_rng(1000 + seed)
        for name in results:
            blocks = []
            for label in np.unique(lab):
                cells = x[train][lab[train] == label]
                n = int((lab[test] == label).sum())
                if name == "oracle_known_noise":
                    sd = np.full(cells.shape[1], 5.0)
                    mean = np.array([tobit_mean(cells[:, j], 5.0) for j in range(cells.shape[1])])
                else:
                    mean, sd = cells.mean(0), cells.std(0, ddof=1)
                blocks.append(np.maximum(0, mean + sd * rng.standard_normal((n, cells.shape[1]))))
            results[name].append(judged(x[train], x[test], np.vstack(blocks), "none", seed))
    report("seedsim", results)


def write_data(out, values, types):
    """Writes a simulated data set as heldout_realism.py reads it (counts.csv.gz, labels.csv
    with labels type0, type1, ...) and returns its labels."""
    os.makedirs(out, exist_ok=True)
    cells = pd.Index([f"cell{i}" for i in range(len(types))], name="cell")
    pd.DataFrame(values, index=cells, columns=[f"gene{j}" for j in range(values.shape[1])]).to_csv(
        os.path.join(out, "counts.csv.gz"))
    labels = pd.Series([f"type{k}" for k in types], index=cells, name="label")
    labels.to_frame().to_csv(os.path.join(out, "labels.csv"))
    return labels


def nb(a):
    rng = np.random.default_rng(a.data_seed)
    base = rng.lognormal(-1.0, 1.8, a.genes)
    base /= base.sum()
    profiles = []
    for _ in range(a.types):
        f = np.exp(rng.normal(0, 0.25, a.genes))
        de = rng.choice(a.genes, a.genes // 50, replace=False)
        f[de] *= np.exp(rng.normal(1.5, 0.7, len(de)))
        q = base * f
        profiles.append(q / q.sum())
    profiles = np.asarray(profiles)

    def draw(types, rng):
        library = rng.lognormal(np.log(3000), 0.45, len(types))
        mean = library[:, None] * profiles[types]
        return rng.poisson(rng.gamma(a.theta, mean / a.theta)).astype(float)

    types = rng.integers(0, a.types, a.cells)
    x = draw(types, rng)
    labels = write_data(a.out, x.astype(int), types)
    results = {"oracle_known_theta": [], "oracle_gene_theta": [], "fresh_cells": []}
    for seed in a.seed_list:
        train, test = halves(labels, seed)
        draws = np.random.default_rng(1000 + seed)
        # Each label's gene proportions and log-normal library sizes from the training half.
        fitted = {}
        for k in np.unique(types):
            chosen = x[train][types[train] == k]
            log_totals = np.log(chosen.sum(1))
            fitted[k] = (chosen.sum(0) / chosen.sum(), log_totals.mean(), log_totals.std(ddof=1))
        # oracle_gene_theta: θ per gene by maximum likelihood (a grid in log θ) at those means.
        mean_train = x[train].sum(1)[:, None] * np.asarray([fitted[k][0] for k in types[train]])
        gene_theta = nb_theta_per_gene(x[train], np.maximum(mean_train, 1e-12))
        for name, theta in (("oracle_known_theta", np.full(a.genes, a.theta)), ("oracle_gene_theta", gene_theta)):
            blocks = []
            for k in np.unique(types):
                proportions, centre, spread = fitted[k]
                library = np.exp(draws.normal(centre, spread, int((types[test] == k).sum())))
                mean = np.maximum(library[:, None] * proportions, 1e-12)
                blocks.append(draws.poisson(draws.gamma(theta, mean / theta)).astype(float))
            results[name].append(judged(x[train], x[test], np.vstack(blocks), "lognorm", seed))
        fresh = draw(types[test], draws)
        results["fresh_cells"].append(judged(x[train], x[test], fresh, "lognorm", seed))
    report(f"nb {a.cells} cells × {a.genes} genes, {a.types} types, θ {a.theta} (written to {a.out})", results)


def fewcells(a):
    """A stand-in for a small full-transcriptome study (Smart-seq FPKM / TPM): few cells per label,
    many genes, continuous values with dropouts. Per gene a log-mean ~ N(1, 2²) (log FPKM), per label
    a shift N(0, 1.5²) on 5 % of the genes; a cell's value exp(log-mean + N(0, σ_g²)), σ_g ~ U(0.3,
    1.2), detected with probability logistic(1.5 · (log-mean − 0.5)), else 0."""
    rng = np.random.default_rng(a.data_seed)
    base = rng.normal(1.0, 2.0, a.genes)
    sigma = rng.uniform(0.3, 1.2, a.genes)
    shifts = []
    for _ in range(a.types):
        f = np.zeros(a.genes)
        de = rng.choice(a.genes, a.genes // 20, replace=False)
        f[de] = rng.normal(0, 1.5, len(de))
        shifts.append(base + f)
    log_means = np.asarray(shifts)

    def draw(types, rng):
        mu = log_means[types]
        detected = rng.uniform(size=mu.shape) < 1 / (1 + np.exp(-1.5 * (mu - 0.5)))
        return np.where(detected, np.exp(mu + sigma * rng.standard_normal(mu.shape)), 0.0)

    types = np.repeat(np.arange(a.types), a.cells // a.types)
    x = draw(types, rng)
    labels = write_data(a.out, np.round(x, 3), types)
    x = pd.read_csv(os.path.join(a.out, "counts.csv.gz"), index_col=0).to_numpy(float)  # as written (rounded)
    results = {"oracle_known_model": [], "oracle_moments": [], "fresh_cells": []}
    for seed in a.seed_list:
        train, test = halves(labels, seed)
        draws = np.random.default_rng(1000 + seed)
        for name in ("oracle_known_model", "oracle_moments"):
            blocks = []
            for k in np.unique(types):
                chosen = x[train][types[train] == k]
                n = int((types[test] == k).sum())
                if name == "oracle_known_model":
                    # Knows the form (log-normal when detected, per-gene detection) and σ_g; estimates
                    # each gene's detection rate and log-mean from the label's training cells.
                    on = chosen > 0
                    rate = on.mean(0)
                    logs = np.where(on, np.log(np.maximum(chosen, 1e-300)), 0.0)
                    m = np.where(on.sum(0) > 0, logs.sum(0) / np.maximum(on.sum(0), 1), 0.0)
                    value = np.exp(m + sigma * draws.standard_normal((n, a.genes)))
                    blocks.append(np.where(draws.uniform(size=(n, a.genes)) < rate, value, 0.0))
                else:
                    # Each gene's mean and sd on the linear scale, clamped normal draws.
                    mean, sd = chosen.mean(0), chosen.std(0, ddof=1)
                    blocks.append(np.maximum(0, mean + sd * draws.standard_normal((n, a.genes))))
            results[name].append(judged(x[train], x[test], np.vstack(blocks), "log1p", seed))
        fresh = draw(types[test], draws)
        results["fresh_cells"].append(judged(x[train], x[test], fresh, "log1p", seed))
    report(f"fewcells {len(types)} cells × {a.genes} genes, {a.types} labels (written to {a.out})", results)


def nb_theta_per_gene(counts, mean, grid=np.linspace(-4, 8, 241)):
    """Each gene's NB dispersion θ maximising the likelihood at the given means (on a grid in log θ)."""
    best, theta = np.full(counts.shape[1], -np.inf), np.ones(counts.shape[1])
    for log_theta in grid:
        t = np.exp(log_theta)
        ll = (gammaln(counts + t) - gammaln(t) + t * np.log(t / (t + mean)) + counts * np.log(mean / (t + mean))).sum(0)
        better = ll > best
        best[better], theta[better] = ll[better], t
    return theta


def report(title, results):
    print(title)
    for name, runs in results.items():
        rf, lr = np.mean([r[0] for r in runs]), np.mean([r[1] for r in runs])
        each = "  ".join(f"{r[0]:.3f}/{r[1]:.3f}" for r in runs)
        print(f"  {name}: RF {rf:.3f}  LR {lr:.3f}   (seeds: {each})")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="design", required=True)
    s = sub.add_parser("seedsim")
    s.add_argument("--data", default="../shared/data/seedsim")
    simulated = []
    for design, (cells, genes, types) in (("nb", (700, 765, 10)), ("fewcells", (120, 20000, 3))):
        p = sub.add_parser(design)
        p.add_argument("--out", required=True)
        p.add_argument("--cells", type=int, default=cells)
        p.add_argument("--genes", type=int, default=genes)
        p.add_argument("--types", type=int, default=types)
        p.add_argument("--data-seed", type=int, default=7)
        simulated.append(p)
    simulated[0].add_argument("--theta", type=float, default=2.0)
    for p in [s] + simulated:
        p.add_argument("--seeds", default="1,2,3")
    a = ap.parse_args()
    a.seed_list = [int(v) for v in a.seeds.split(",")]
    {"seedsim": seedsim, "nb": nb, "fewcells": fewcells}[a.design](a)


if __name__ == "__main__":
    main()
