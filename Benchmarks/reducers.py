#!/usr/bin/env python3
"""Our six reducers beside the tools users would otherwise pick, in one run: speed, peak
memory and quality on the same inputs.

    .venv-bench/bin/python Benchmarks/reducers.py [--threads 2] [--cells 5000] [--scale 20000]
                                                  [--skip-references-at-scale] [--json out.json]

Inputs (made here, seeded): a 12-cluster design in 50 dimensions (--cells rows; the
"5 000 x 50" case) for pca, mds, tsne, umap and diffmap, and a non-negative 5 000 x 500
count-like matrix (log1p of Poisson counts) for nmf and pca. Every tool reads the same CSV,
so times include parsing, start-up and (for umap-learn) numba's first-call compilation,
which users pay. Each command runs in its own process; peak RSS is its VmHWM, sampled.

References and quality checks:
  pca     scikit-learn PCA (svd_solver="auto", what users get) for speed; numpy's LAPACK SVD
          for quality: explained variances within 1e-5 (relative) and the top-10 subspace
          (smallest cosine of the principal angles).
  mds     classical MDS by eigen-decomposition of the double-centred squared distances
          (numpy eigh, n x n): speed and coordinates within 1e-4 up to sign.
  tsne    openTSNE (its defaults, perplexity min(50, n/5), 250 + 750 iterations as ours,
          n_jobs = threads): final KL and trustworthiness (k = 15).
  umap    umap-learn (n_neighbors 15, min_dist 0.01, random_state fixed): trustworthiness.
  nmf     scikit-learn NMF(init="nndsvda", solver="cd"), ours at the iteration count it used:
          relative reconstruction error.
  diffmap destiny (R, if Rscript and destiny are installed) for eigenvalues and speed;
          pydiffmap (its own kernel, 64 neighbours) for speed only, beside ours with k=64.
At --scale cells every method of ours runs once more (time and peak memory); the references
run there too unless --skip-references-at-scale.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VAEXPRS = os.path.join(ROOT, ".build", "release", "vaexprs")


def peak_rss_mib(pid):
    """VmHWM of a running process (per address space, so it restarts at exec, unlike
    wait4's ru_maxrss, which a child inherits from this large Python parent)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run(cmd, env=None):
    """Runs cmd; returns (output text, seconds, peak RSS in MiB, sampled every 5 ms)."""
    start = time.perf_counter()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, peak_rss_mib(proc.pid))
        time.sleep(0.005)
    seconds = time.perf_counter() - start
    log.seek(0)
    out = log.read().decode(errors="replace")
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{out[-3000:]}")
    return out, seconds, peak


def write_csv(path, x):
    with open(path, "w") as f:
        f.write("cell," + ",".join(f"g{j}" for j in range(x.shape[1])) + "\n")
        for i, row in enumerate(x):
            f.write(f"c{i}," + ",".join(f"{v:.8g}" for v in row) + "\n")


def clustered(n, d, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 4, (12, 10))
    latent = centres[rng.integers(0, 12, n)] + rng.normal(0, 1, (n, 10))
    return latent @ (rng.normal(0, 1, (10, d)) / np.sqrt(10)) + rng.normal(0, 0.5, (n, d))


def counts(n, d, seed=1):
    rng = np.random.default_rng(seed)
    means = np.exp(rng.normal(0, 1, (6, d)))
    return np.log1p(rng.poisson(means[rng.integers(0, 6, n)]).astype(float))


def read_matrix(path):
    return np.loadtxt(path, delimiter=",", skiprows=1, usecols=None, dtype=str)[:, 1:].astype(float)


# ---- reference runners, each executed in a child process: reducers.py --reference NAME IN OUT [threads]
def reference_main(name, inp, out, threads):
    import pandas as pd
    x = pd.read_csv(inp, index_col=0).values
    meta = {}
    if name == "sklearn-pca":
        from sklearn.decomposition import PCA
        emb = PCA(n_components=min(50, *x.shape)).fit_transform(x)
    elif name == "eigh-mds":
        sq = (x ** 2).sum(1)
        d2 = sq[:, None] + sq[None, :] - 2 * x @ x.T
        j = np.eye(len(x)) - 1 / len(x)
        w, v = np.linalg.eigh(-0.5 * j @ d2 @ j)
        emb = v[:, ::-1][:, :2] * np.sqrt(w[::-1][:2])
        meta["eigenvalues"] = w[::-1][:2].tolist()
    elif name == "opentsne":
        from openTSNE import TSNE
        e = TSNE(perplexity=min(50, len(x) // 5), n_iter=750, n_jobs=threads, random_state=1).fit(x)
        emb, meta["kl_divergence"] = np.asarray(e), float(e.kl_divergence)
    elif name == "umap-learn":
        import umap
        emb = umap.UMAP(n_neighbors=15, min_dist=0.01, random_state=1).fit_transform(x)
    elif name == "sklearn-nmf":
        from sklearn.decomposition import NMF
        model = NMF(n_components=2, init="nndsvda", solver="cd", max_iter=200, tol=1e-4)
        emb = model.fit_transform(x)
        meta["reconstruction_error"], meta["iterations"] = float(model.reconstruction_err_), int(model.n_iter_)
    elif name == "pydiffmap":
        from pydiffmap import diffusion_map
        dm = diffusion_map.DiffusionMap.from_sklearn(n_evecs=2, k=64, epsilon="bgh")
        emb = dm.fit_transform(x)
    else:
        sys.exit(f"unknown reference {name}")
    np.savetxt(out, emb, delimiter=",")
    with open(out + ".json", "w") as f:
        json.dump(meta, f)


def reference(name, inp, workdir, threads):
    out = os.path.join(workdir, f"{name}.csv")
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads), NUMBA_NUM_THREADS=str(threads))
    _, seconds, rss = run([sys.executable, os.path.abspath(__file__), "--reference", name, inp, out, str(threads)], env)
    with open(out + ".json") as f:
        meta = json.load(f)
    return np.loadtxt(out, delimiter=","), meta, seconds, rss


def destiny(inp, workdir):
    if not shutil.which("Rscript"):
        return None
    script = os.path.join(workdir, "destiny.R")
    with open(script, "w") as f:
        f.write("""suppressMessages(library(destiny))
a <- commandArgs(TRUE); x <- as.matrix(read.csv(a[1], row.names = 1))
dm <- DiffusionMap(x, n_eigs = 2, verbose = FALSE)
cat(format(eigenvalues(dm), digits = 15), "\\n", file = a[2])
""")
    out = os.path.join(workdir, "destiny.txt")
    probe = subprocess.run(["Rscript", "-e", "quit(status = !requireNamespace('destiny', quietly = TRUE))"], capture_output=True)
    if probe.returncode != 0:
        return None
    _, seconds, rss = run(["Rscript", script, inp, out])
    with open(out) as f:
        return [float(v) for v in f.read().split()], seconds, rss


def ours(method, inp, workdir, threads, components=None, options=()):
    out = os.path.join(workdir, f"ours-{method}.csv")
    cmd = [VAEXPRS, "reduce", "--method", method, "--input", inp, "--top-genes", "0", "--threads", str(threads),
           "--output", out, "--metadata-output", out + ".json"]
    if components:
        cmd += ["--components", str(components)]
    for o in options:
        cmd += ["--option", o]
    _, seconds, rss = run(cmd)
    emb = np.loadtxt(out, delimiter=",", skiprows=1, usecols=range(1, 1 + (components or (50 if method == "pca" else 2))))
    with open(out + ".json") as f:
        return emb, json.load(f), seconds, rss


def trustworthiness(x, e):
    from sklearn.manifold import trustworthiness as tw
    return float(tw(x, e, n_neighbors=15))


def row(rows, method, data, ours_t, ours_m, ref_name, ref_t, ref_m, quality):
    ratio = ref_t / ours_t if ref_t else None
    rows.append(dict(method=method, data=data, ours_s=round(ours_t, 2), ours_mib=round(ours_m), reference=ref_name,
                     reference_s=round(ref_t, 2) if ref_t else None, reference_mib=round(ref_m) if ref_m else None,
                     speedup=round(ratio, 2) if ratio else None, quality=quality))
    speed = f"{ratio:5.2f}x" if ratio else "   - "
    ref = f"{ref_t:7.2f} s {ref_m:6.0f} MiB" if ref_t else "-"
    print(f"{method:8} {data:12} ours {ours_t:7.2f} s {ours_m:6.0f} MiB | {ref_name:12} {ref} | {speed} | {quality}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reference", nargs=4, help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cells", type=int, default=5000)
    ap.add_argument("--scale", type=int, default=20000, help="cells for the scale run (0 to skip)")
    ap.add_argument("--skip-references-at-scale", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()
    if args.reference:
        name, inp, out, threads = args.reference
        return reference_main(name, inp, out, int(threads))
    if not os.path.exists(VAEXPRS):
        sys.exit("build first: swift build -c release")
    t = args.threads
    work = tempfile.mkdtemp(prefix="vaexprs-reducers-")
    rows = []
    x50 = clustered(args.cells, 50)
    x500 = counts(args.cells, 500)
    p50, p500 = os.path.join(work, "x50.csv"), os.path.join(work, "x500.csv")
    write_csv(p50, x50)
    write_csv(p500, x500)
    x50, x500 = read_matrix(p50), read_matrix(p500)  # exactly what every tool reads
    label50, label500 = f"{args.cells}x50", f"{args.cells}x500"
    print(f"threads {t}; inputs in {work}", flush=True)

    for x, path, label in [(x50, p50, label50), (x500, p500, label500)]:
        e, meta, ot, om = ours("pca", path, work, t)
        _, _, rt, rm = reference("sklearn-pca", path, work, t)
        xc = x - x.mean(0)
        u, s, vt = np.linalg.svd(xc, full_matrices=False)
        var = s[:50] ** 2 / (len(x) - 1)
        rel = float(np.max(np.abs(np.array(meta["explained_variance"]) - var) / var))
        ours_basis = np.linalg.qr(e[:, :10])[0]
        cosines = np.linalg.svd(ours_basis.T @ u[:, :10], compute_uv=False)
        row(rows, "pca", label, ot, om, "sklearn", rt, rm,
            f"explained variance max rel. diff {rel:.1e}; top-10 subspace min cosine {cosines.min():.9f}")

    e, meta, ot, om = ours("mds", p50, work, t)
    ref, rmeta, rt, rm = reference("eigh-mds", p50, work, t)
    diff = max(float(np.max(np.abs(np.abs(e[:, c]) - np.abs(ref[:, c])))) for c in range(2))
    signed = max(min(float(np.max(np.abs(e[:, c] - ref[:, c]))), float(np.max(np.abs(e[:, c] + ref[:, c])))) for c in range(2))
    row(rows, "mds", label50, ot, om, "eigh (numpy)", rt, rm, f"coordinates max diff up to sign {signed:.1e} (scale {np.abs(ref).max():.0f})")

    e, meta, ot, om = ours("tsne", p50, work, t)
    ref, rmeta, rt, rm = reference("opentsne", p50, work, t)
    kl, rkl = meta["kl_divergence"][0], rmeta["kl_divergence"]
    row(rows, "tsne", label50, ot, om, "openTSNE", rt, rm,
        f"KL {kl:.4f} vs {rkl:.4f} ({100 * (kl - rkl) / rkl:+.1f} %); trustworthiness {trustworthiness(x50, e):.4f} vs {trustworthiness(x50, ref):.4f}")

    e, meta, ot, om = ours("umap", p50, work, t)
    ref, _, rt, rm = reference("umap-learn", p50, work, t)
    row(rows, "umap", label50, ot, om, "umap-learn", rt, rm,
        f"trustworthiness {trustworthiness(x50, e):.4f} vs {trustworthiness(x50, ref):.4f}")

    ref, rmeta, rt, rm = reference("sklearn-nmf", p500, work, t)
    e, meta, ot, om = ours("nmf", p500, work, t, options=[f"max_iter={rmeta['iterations']}", "tol=0"])
    norm = float(np.linalg.norm(x500))
    ours_rel, ref_rel = meta["reconstruction_error"][0] / norm, rmeta["reconstruction_error"] / norm
    row(rows, "nmf", label500, ot, om, "sklearn", rt, rm,
        f"relative error {ours_rel:.6f} vs {ref_rel:.6f} ({100 * (ours_rel - ref_rel) / ref_rel:+.2f} %) at {rmeta['iterations']} iterations")

    e, meta, ot, om = ours("diffmap", p50, work, t)
    d = destiny(p50, work)
    if d:
        values, dt, dmem = d
        gap = max(abs(a - b) for a, b in zip(meta["eigenvalues"], values))
        row(rows, "diffmap", label50, ot, om, "destiny (R)", dt, dmem, f"eigenvalues max diff {gap:.1e} ({meta['eigenvalues']} vs {values})")
    _, _, rt, rm = reference("pydiffmap", p50, work, t)
    _, _, ot, om = ours("diffmap", p50, work, t, options=["k=64"])
    row(rows, "diffmap", label50 + " k=64", ot, om, "pydiffmap", rt, rm, "speed only, both on 64 neighbours (pydiffmap's own kernel)")

    if args.scale:
        xs = clustered(args.scale, 50, seed=2)
        ps = os.path.join(work, "scale50.csv")
        write_csv(ps, xs)
        big = f"{args.scale}x50"
        cs = counts(args.scale, 50, seed=3)
        pc = os.path.join(work, "scale_counts.csv")
        write_csv(pc, cs)
        refs = {"pca": "sklearn-pca", "tsne": "opentsne", "umap": "umap-learn", "nmf": "sklearn-nmf", "diffmap": "pydiffmap"}
        for method in ["pca", "mds", "tsne", "umap", "nmf", "diffmap"]:
            path = pc if method == "nmf" else ps
            _, _, ot, om = ours(method, path, work, t)
            if method in refs and not args.skip_references_at_scale:
                _, _, rt, rm = reference(refs[method], path, work, t)
                row(rows, method, big, ot, om, refs[method], rt, rm, "scale run")
            else:
                row(rows, method, big, ot, om, "-", None, None, "scale run")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
