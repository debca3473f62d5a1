#!/usr/bin/env python3
"""Training throughput of vaexprs beside the Keras port of the original, in the same run, and
of the count models (NB / ZINB / Poisson, dense and sparse first layer), each beside this
machine's measured floating-point limit.

    python3 Benchmarks/throughput.py [--keras-python .venv-bench/bin/python] [--threads 2]
                                     [--skip-large] [--skip-counts] [--repeats 1]
                                     [--emulate-generic] [--json out.json]

No tuning variables are set: OPENBLAS_CORETYPE and the thread variables are cleared for every
process, so OpenBLAS and VAExprs choose their kernels as on a user's machine.

1. Beside Keras (`fit --preset original`: dense:512:relu / latent 2 / Bernoulli, Adam; no
   validation, no early stopping, fixed epochs): seedsim (300 x 1000) for 30 epochs and a
   10 000 x 2 000 matrix from shared/bench/make_synthetic.py for 3 epochs, batch 32 and 128;
   on CPUs with AVX512_BF16 also `--precision bf16` (bfloat16 products), its ratio to Keras and
   its share of the measured VDPBF16PS peak (`--skip-bf16` leaves it out).
2. Count models, no Keras equivalent: a 10 000 x 2 000 negative-binomial UMI matrix from
   shared/bench/make_counts_h5ad.py (the non-zero share is measured and printed), the default count architecture,
   batch 128, 3 epochs, likelihood nb / zinb / poisson, first layer dense and sparse, and dense with
   --precision bf16 where the CPU has AVX512_BF16.

Reports steady-state training cells/s (median epoch, first excluded), ours / Keras ratios, peak
RSS of each process, achieved GFLOP/s (FLOPs of the architecture's products per cell x
cells/s; the sparse first layer counted as if dense) and that as a share of the FP32 FMA peak
that `vaexprs info --peak` measures on the same threads.

--emulate-generic also runs ours as on a machine whose OpenBLAS does not know the CPU: with
VAEXPRS_EMULATE_OPENBLAS_CORE=Prescott (OpenBLAS's fallback, which VAExprs must then replace).
OPENBLAS_CORETYPE is never set: no column pins OpenBLAS's kernels.
Needs: a release build (swift build -c release); a venv with tensorflow-cpu, keras,
scikit-learn, pandas, numpy, anndata, scipy (see shared/bench/README.md).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
BINARY = os.path.join(ROOT, ".build/release/vaexprs")
TUNING = ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "GOTO_NUM_THREADS",
          "OPENBLAS_VERBOSE", "VAEXPRS_EMULATE_OPENBLAS_CORE", "MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS")


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in TUNING}
    env.update(extra)
    return env


def run(cmd, env=None):
    """Runs cmd; returns (stdout+stderr text, seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env or clean_env())
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"failed ({code}): {' '.join(cmd)}\n{out[-2000:]}")
    return out, time.perf_counter() - start, usage.ru_maxrss / 1024


def model_flops_per_cell(model):
    """FLOPs of the products per training cell: forward x·W for every dense weight matrix,
    backward dW for all and dX for all but the first layer (2 FLOPs per multiply-add)."""
    out, _, _ = run([BINARY, "inspect", model])
    spec = json.loads(out)
    genes = spec["genes"]
    width = lambda s: int(s.split(":")[1])
    encoder = [width(s) for s in spec["encoder"] if s.startswith("dense")]
    decoder = [width(s) for s in spec["decoder"] if s.startswith("dense")]
    latent = spec["latent_dim"]
    heads = 2 if spec["likelihood"].split(":")[0] == "zinb" else 1  # ZINB: mean and dropout outputs
    conditions = sum(len(v) for v in (spec.get("conditions") or {}).values()) if spec.get("conditions") else 0
    shapes = []  # (inputs, outputs) of each weight matrix, first layer first
    previous = genes + conditions
    for w in encoder:
        shapes.append((previous, w)); previous = w
    shapes += [(previous, latent), (previous, latent)]  # mean and log-variance heads
    previous = latent + conditions
    for w in decoder:
        shapes.append((previous, w)); previous = w
    shapes.append((previous, genes * heads))
    macs = sum(i * o for i, o in shapes)
    first = shapes[0][0] * shapes[0][1]
    return 2 * (macs + macs + (macs - first))


def ours(data, args, threads, env=None):
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "m.vaexprs")
        out, seconds, rss = run([BINARY, "fit", "--counts", data, *args, "--threads", str(threads), "--output", model], env)
        flops = model_flops_per_cell(model)
    rates = [float(m) for m in re.findall(r", ([0-9.]+) cells/s", out)]
    if not rates:
        sys.exit(f"no epoch rates in the output of fit:\n{out[-2000:]}")
    return statistics.median(rates[1:] if len(rates) > 1 else rates), rss, flops


def keras(python, counts, epochs, batch, threads):
    with tempfile.TemporaryDirectory() as tmp:
        _, _, rss = run([python, os.path.join(SHARED, "bench/vaexprs_keras.py"), "--counts", counts,
                         "--epochs", str(epochs), "--batch-size", str(batch), "--val", "none",
                         "--no-early-stopping", "--no-generate", "--threads", str(threads), "--out-dir", tmp])
        timing = json.load(open(os.path.join(tmp, "timing.json")))
    return timing["train_cells_per_second_excl_first"], rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keras-python", default=os.path.join(os.path.dirname(ROOT), ".venv-bench/bin/python"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--skip-large", action="store_true")
    ap.add_argument("--skip-counts", action="store_true")
    ap.add_argument("--repeats", type=int, default=1, help="alternate ours/Keras this many times; medians reported")
    ap.add_argument("--emulate-generic", action="store_true")
    ap.add_argument("--skip-bf16", action="store_true", help="no --precision bf16 column even where the CPU has it")
    ap.add_argument("--json")
    a = ap.parse_args()
    if not os.path.exists(BINARY):
        sys.exit("build first: swift build -c release")
    if not os.path.exists(a.keras_python):
        sys.exit(f"no Python with Keras at {a.keras_python}; see shared/bench/README.md (--keras-python)")

    info_out, _, _ = run([BINARY, "info", "--json", "--peak", "--peak-threads", str(a.threads)])
    info = json.loads(info_out)
    text, _, _ = run([BINARY, "info"])
    print(text.rstrip())
    peak = info["peak"]["flopsAllThreads"]
    # bf16 products (fit --precision bf16) where the CPU has AVX512_BF16, beside their own peak
    bf16 = info["peak"].get("bf16FlopsAllThreads", 0) if not a.skip_bf16 else 0
    if bf16:
        print(f"measured BF16 dot-product peak on {a.threads} threads: {bf16 / 1e9:.1f} GFLOP/s")
    print(f"measured FP32 FMA peak on {a.threads} threads: {peak / 1e9:.1f} GFLOP/s "
          f"(clock {info['peak']['clockHz'] / 1e9:.2f} GHz, {info['peak']['flopsPerThread'] / info['peak']['clockHz']:.0f} FLOP/cycle per thread)")
    result = dict(system=info, keras=[], counts=[])
    if a.emulate_generic:
        emulated, _, _ = run([BINARY, "info"], clean_env(VAEXPRS_EMULATE_OPENBLAS_CORE="Prescott"))
        print("with VAEXPRS_EMULATE_OPENBLAS_CORE=Prescott:\n" + emulated.rstrip())

    workloads = [("seedsim 300x1000", os.path.join(SHARED, "data/seedsim/counts.csv.gz"), 30)]
    if not a.skip_large:
        large = os.path.join(tempfile.gettempdir(), "vaexprs-bench-10000x2000")
        if not os.path.exists(os.path.join(large, "counts.csv.gz")):
            run([a.keras_python, os.path.join(SHARED, "bench/make_synthetic.py"), "--groups", "10",
                 "--cells-per-group", "1000", "--genes", "2000", "--seed", "20240", "--out", large])
        workloads.append(("synthetic 10000x2000", os.path.join(large, "counts.csv.gz"), 3))

    variants = [("ours", None, [])]
    if bf16:
        variants.append(("ours, --precision bf16", None, ["--precision", "bf16"]))
    if a.emulate_generic:
        variants.append(("ours, emulated generic", clean_env(VAEXPRS_EMULATE_OPENBLAS_CORE="Prescott"), []))
    print(f"\n1. Beside Keras (fit --preset original), {a.threads} threads")
    header = f"{'workload':22s} {'batch':>5s} " + " ".join(f"{v[0]:>22s}" for v in variants) + \
             f" {'keras':>8s} {'ratio':>6s} {'ours MiB':>8s} {'keras MiB':>9s} {'GFLOP/s':>8s} {'of peak':>7s}" + \
             (f" {'bf16 ratio':>9s} {'of bf16 peak':>7s}" if bf16 else "")
    print(header)
    for name, counts, epochs in workloads:
        for batch in (32, 128):
            measured = {v[0]: [] for v in variants}
            k = []
            for _ in range(a.repeats):
                for label, env, extra in variants:
                    measured[label].append(ours(counts, ["--preset", "original", "--epochs", str(epochs),
                                                         "--batch-size", str(batch), *extra], a.threads, env))
                k.append(keras(a.keras_python, counts, epochs, batch, a.threads))
            rates = {label: statistics.median(x[0] for x in runs) for label, runs in measured.items()}
            rss = max(x[1] for x in measured["ours"])
            flops = measured["ours"][0][2]
            keras_rate = statistics.median(x[0] for x in k)
            keras_rss = max(x[1] for x in k)
            achieved = rates["ours"] * flops
            row = dict(workload=name, batch=batch, cells_per_s=rates, keras_cells_per_s=keras_rate,
                       ratio=rates["ours"] / keras_rate, ours_peak_rss_mib=rss, keras_peak_rss_mib=keras_rss,
                       gflops=achieved / 1e9, share_of_peak=achieved / peak, threads=a.threads)
            if bf16:
                row["ratio_bf16"] = rates["ours, --precision bf16"] / keras_rate
                row["share_of_bf16_peak"] = rates["ours, --precision bf16"] * flops / bf16
            ratios = f" {row['ratio_bf16']:9.2f} {100 * row['share_of_bf16_peak']:6.1f}%" if bf16 else ""
            result["keras"].append(row)
            print(f"{name:22s} {batch:5d} " + " ".join(f"{rates[v[0]]:22.0f}" for v in variants) +
                  f" {keras_rate:8.0f} {row['ratio']:6.2f} {rss:8.0f} {keras_rss:9.0f} {achieved / 1e9:8.1f} "
                  f"{100 * achieved / peak:6.1f}%" + ratios, flush=True)

    if not a.skip_counts:
        data_dir = os.path.join(tempfile.gettempdir(), "vaexprs-bench-nb-10000x2000")
        data = os.path.join(data_dir, "data.h5ad")
        if not os.path.exists(data):
            run([a.keras_python, os.path.join(SHARED, "bench/make_counts_h5ad.py"), "--cells", "10000",
                 "--genes", "2000", "--seed", "11", "--out", data_dir])
        density, _, _ = run([a.keras_python, "-c", "import sys, anndata as ad; x = ad.read_h5ad(sys.argv[1]).X; "
                             "print(x.nnz / (x.shape[0] * x.shape[1]))", data])
        print(f"\n2. Count models on NB counts 10000x2000 ({100 * float(density):.0f} % non-zero), default architecture, "
              f"batch 128, {a.threads} threads")
        print(f"{'likelihood':10s} {'first layer':>11s} {'cells/s':>8s} {'MiB':>6s} {'GFLOP/s':>8s} {'of peak':>7s}")
        # The dense first layer also with bf16 products where the CPU has them (a sparse first
        # layer keeps float32 products, so it has no bf16 row); "of peak" is then of the bf16 peak.
        configurations = [(sparse, "float32") for sparse in ("never", "always")]
        if bf16:
            configurations.append(("never", "bf16"))
        for likelihood in ("nb", "zinb", "poisson"):
            for sparse, precision in configurations:
                runs = [ours(data, ["--likelihood", likelihood, "--sparse-input", sparse, "--epochs", "3",
                                    "--batch-size", "128", "--validation-split", "0", "--seed", "1",
                                    "--precision", precision], a.threads)
                        for _ in range(a.repeats)]
                rate = statistics.median(x[0] for x in runs)
                rss = max(x[1] for x in runs)
                achieved = rate * runs[0][2]
                limit = bf16 if precision == "bf16" else peak
                layer = ("sparse" if sparse == "always" else "dense") + (", bf16" if precision == "bf16" else "")
                result["counts"].append(dict(likelihood=likelihood, first_layer=layer, precision=precision,
                                             cells_per_s=rate, peak_rss_mib=rss, gflops=achieved / 1e9,
                                             share_of_peak=achieved / limit))
                print(f"{likelihood:10s} {layer:>11s} {rate:8.0f} {rss:6.0f} {achieved / 1e9:8.1f} {100 * achieved / limit:6.1f}%",
                      flush=True)
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(result, fh, indent=1)


if __name__ == "__main__":
    main()
