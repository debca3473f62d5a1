#!/usr/bin/env python3
"""A hostile user's probe of every command and format: scripts/probe.py [BINARY] [--keep].

Runs a few hundred cases (bad options, damaged and crafted files, hostile names, folder and
file outputs over the user's data, closed streams, odd environments, disagreeing MPI ranks)
against the vaexprs binary (default .build/debug/vaexprs) in a scratch folder, and checks for
each that: it did not crash (no signal, no Swift trap), it ended within its time limit, it did
what was expected (succeeded, or was refused with one `vaexprs: error:` line), every file the
user did not name as an output is byte for byte as it was (a sentinel tree of notes, folders
and read-only files sits beside every output), and no temporary was left behind. Prints a
line per failing case, a table per class and `N passed, M failed`.
Standard library only; needs Open MPI's mpirun for the MPI cases (skipped and counted if absent).
"""
import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

BINARY = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else ".build/debug/vaexprs")
KEEP = "--keep" in sys.argv
WORK = tempfile.mkdtemp(prefix="vaexprs-probe-")
SENTINEL = os.path.join(WORK, "mydata")
PRISTINE = tempfile.mkdtemp(prefix="vaexprs-probe-pristine-")  # outside WORK, to restore the user's tree
MPIRUN = shutil.which("mpirun")
MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OMPI_MCA_rmaps_base_oversubscribe": "1"}
cases = []


def case(cls, name, args, expect="any", timeout=90, env=None, shell=None, cwd=None, unchanged=(), mentions=()):
    """expect: 'ok' (exit 0), 'refuse' (a clear error), 'any' (only: no crash, hang or loss)."""
    cases.append(dict(cls=cls, name=name, args=args, expect=expect, timeout=timeout, env=env, shell=shell, cwd=cwd,
                      unchanged=list(unchanged), mentions=list(mentions)))


def write(path, text, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(text)
    return path


def tree_digest(root):
    """Every file and folder under root with its content hash and mode."""
    out = {}
    for folder, dirs, files in os.walk(root):
        for d in dirs:
            p = os.path.join(folder, d)
            out[os.path.relpath(p, root)] = ("dir", os.lstat(p).st_mode)
        for f in files:
            p = os.path.join(folder, f)
            if os.path.islink(p):
                out[os.path.relpath(p, root)] = ("link", os.readlink(p))
            else:
                with open(p, "rb") as fh:
                    out[os.path.relpath(p, root)] = (hashlib.sha256(fh.read()).hexdigest(), os.lstat(p).st_mode)
    return out


def temporaries(root):
    found = []
    for folder, dirs, files in os.walk(root):
        for n in dirs + files:
            if n.startswith(".") and ".tmp-" in n:
                found.append(os.path.join(folder, n))
    return found


# ---------------------------------------------------------------- data
def make_data():
    genes = [f"G{j}" for j in range(30)]
    rows, labels = [], []
    state = 12345
    for i in range(60):
        vals = []
        for j in range(30):
            state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
            r = (state >> 33) % 100
            vals.append(str(0 if r < 45 else (r % 7) + (j % 3) * (i % 2)))
        rows.append(f"c{i}," + ",".join(vals))
        labels.append(f"c{i},{'T' if i % 3 else 'B'}")
    write(f"{WORK}/counts.csv", "cell," + ",".join(genes) + "\n" + "\n".join(rows) + "\n")
    write(f"{WORK}/labels.csv", "cell,label\n" + "\n".join(labels) + "\n")
    with gzip.open(f"{WORK}/counts.csv.gz", "wt") as f:
        f.write(open(f"{WORK}/counts.csv").read())
    # The user's data beside every output: notes, a subfolder, a read-only file, a link.
    write(f"{SENTINEL}/notes.txt", "my analysis notes\n")
    write(f"{SENTINEL}/sub/keep.csv", "a,b\n1,2\n")
    write(f"{SENTINEL}/readonly.txt", "do not touch\n")
    os.chmod(f"{SENTINEL}/readonly.txt", 0o444)
    os.symlink("notes.txt", f"{SENTINEL}/link-to-notes")
    shutil.copytree(SENTINEL, f"{PRISTINE}/mydata", symlinks=True)
    run([BINARY, "fit", "--counts", f"{WORK}/counts.csv", "--labels", f"{WORK}/labels.csv", "--epochs", "3",
         "--encoder", "dense:16:relu", "--decoder", "dense:16:relu", "--output", f"{WORK}/m.vaexprs"], check=True)
    run([BINARY, "fit", "--counts", f"{WORK}/counts.csv", "--epochs", "3", "--no-labels", "--encoder", "dense:16:relu",
         "--decoder", "dense:16:relu", "--output", f"{WORK}/plain.vaexprs"], check=True)
    run([BINARY, "generate", f"{WORK}/m.vaexprs", "--num-samples", "60", "--output", f"{WORK}/gen.csv",
         "--labels-output", f"{WORK}/gen_labels.csv"], check=True)
    run([BINARY, "generate", f"{WORK}/m.vaexprs", "--num-samples", "60", "--output", f"{WORK}/gen.h5ad"], check=True)
    run([BINARY, "generate", f"{WORK}/m.vaexprs", "--num-samples", "60", "--output", f"{WORK}/gen.h5"], check=True)
    run([BINARY, "generate", f"{WORK}/m.vaexprs", "--num-samples", "60", "--output", f"{WORK}/gen10x"], check=True)


def run(args, check=False, **kw):
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if check and r.returncode != 0:
        sys.exit(f"setup failed: {' '.join(args)}\n{r.stderr.decode(errors='replace')}")
    return r


# ---------------------------------------------------------------- cases
def build_cases():
    V, W = BINARY, WORK
    model, plain, counts, labels = f"{W}/m.vaexprs", f"{W}/plain.vaexprs", f"{W}/counts.csv", f"{W}/labels.csv"
    fit = ["fit", "--counts", counts, "--epochs", "1", "--encoder", "dense:8:relu", "--decoder", "dense:8:relu"]
    gen = ["generate", model, "--num-samples", "5"]

    # 1. Folder and file outputs over the user's data.
    for target in [SENTINEL, SENTINEL + "/", SENTINEL + "/sub", f"{SENTINEL}/sub/", W, "/", "/tmp", ".", "..", f"{SENTINEL}/notes.txt",
                   f"{SENTINEL}/link-to-notes", f"{SENTINEL}/readonly.txt"]:
        case("folder outputs", f"generate --output {target}", gen + ["--output", target, "--format", "mtx"], "refuse", cwd=SENTINEL,
             unchanged=[SENTINEL])
    # (A file the user names as an output is replaced, as by any tool; folders never are.)
    for target in [f"{SENTINEL}/sub", SENTINEL, f"{SENTINEL}/sub/"]:
        case("folder outputs", f"fit --output {target}", fit + ["--output", target], "refuse", unchanged=[SENTINEL])
        case("folder outputs", f"plot model --output {target}", ["plot", "model", model, "--output", target], "refuse", unchanged=[SENTINEL])
        case("folder outputs", f"reduce --output {target}", ["reduce", "--input", counts, "--method", "pca", "--output", target], "refuse",
             unchanged=[SENTINEL])
    case("folder outputs", "model inside the output folder", ["generate", f"{W}/inside/m.vaexprs", "--num-samples", "5", "--output", f"{W}/inside"],
         "refuse", shell=f"mkdir -p {W}/inside && cp {model} {W}/inside/ && exec \"$@\"")
    case("folder outputs", "labels inside the output folder", gen + ["--output", f"{W}/gen10x", "--labels-output", f"{W}/gen10x/l.csv"], "refuse")
    case("folder outputs", "over an earlier 10x output", gen + ["--output", f"{W}/gen10x"], "ok")
    case("folder outputs", "new nested folder", gen + ["--output", f"{W}/new/deeper/out"], "refuse")
    case("folder outputs", "new folder", gen + ["--output", f"{W}/newfolder"], "ok")
    case("folder outputs", "empty folder", gen + ["--output", f"{W}/emptyfolder"], "ok", shell=f"mkdir -p {W}/emptyfolder && exec \"$@\"")
    case("folder outputs", "symlink to the user's folder", gen + ["--output", f"{W}/linkdir"], "refuse",
         shell=f"ln -sfn {SENTINEL} {W}/linkdir && exec \"$@\"", unchanged=[SENTINEL])
    case("folder outputs", "dangling symlink as folder", gen + ["--output", f"{W}/dangling"], "any",
         shell=f"ln -sfn {W}/nowhere {W}/dangling && exec \"$@\"")
    case("folder outputs", "10x output named like a file", gen + ["--output", f"{W}/out.mtx"], "any")
    case("folder outputs", "folder of an earlier output plus a file", gen + ["--output", f"{W}/mixed"], "refuse",
         shell=f"mkdir -p {W}/mixed && cp {W}/gen10x/* {W}/mixed/ && echo x > {W}/mixed/README && exec \"$@\"")
    for i, t in enumerate([f"{W}/gen.csv", f"{W}/gen.h5ad", f"{W}/gen.h5", model]):
        case("file outputs", f"output equals input {i}", ["generate", model, "--num-samples", "3", "--output", t, "--evaluate", t], "refuse",
             unchanged=[t])
    for name in ["a b.csv", "é.csv", "-dash.csv", "x" * 240 + ".csv", "x" * 256 + ".csv", "new\nline.csv", ".hidden.csv", "gen.CSV", "g.csv.gz",
                 "g.tsv", "g.txt", "g.h5ad", "g.H5", "g.mtx", "g.json"]:
        expect = "refuse" if len(name) > 255 else "any"
        case("file outputs", f"output name {name[:20]!r}", gen + ["--output", f"{W}/names/{name}", "--labels-output", f"{W}/names/l.csv"], expect,
             shell=f"mkdir -p {W}/names && exec \"$@\"")
    for fmt, path in [("h5ad", "x.csv"), ("csv", "x.h5ad"), ("10x-h5", "x.h5ad"), ("mtx", "x.h5"), ("bogus", "x.csv"), ("", "x.csv")]:
        case("file outputs", f"--format {fmt} for {path}", gen + ["--format", fmt, "--output", f"{W}/{path}"], "refuse")
    for out in ["/dev/full", "/dev/null", "/proc/self/status", f"{W}/fifo"]:
        case("file outputs", f"output {out}", gen + ["--output", out], "refuse", shell=f"[ -p {W}/fifo ] || mkfifo {W}/fifo; exec \"$@\"")

    # 2. generate options.
    for n in ["0", "-1", "1e3", "abc", "9223372036854775807", "2147483648", " 5", ""]:
        case("generate options", f"--num-samples {n!r}", ["generate", model, "--num-samples", n, "--output", f"{W}/o.csv"], "refuse")
    for per in ["T=5,T=3", "T=-1", "X=5", "T=5,,B=2", "=5", "T", "T=1e9", "T=99999999999999999999", "T=2147483647,B=2147483647", "T=0,B=0"]:
        case("generate options", f"--per-label {per}", ["generate", model, "--per-label", per, "--output", f"{W}/o.csv"], "refuse" if per != "T=0,B=0" else "any")
    for dec in ["mean", "sample", "MEAN", "median"]:
        for fmt in ["o.csv", "o.h5ad", "o.h5", "ofolder"]:
            expect = "refuse" if dec in ("MEAN", "median") or (dec == "mean" and fmt in ("o.h5", "ofolder")) else "ok"
            case("generate options", f"--decode {dec} → {fmt}", gen + ["--decode", dec, "--output", f"{W}/dec/{fmt}", "--labels-output", f"{W}/dec/l.csv"],
                 expect, shell=f"mkdir -p {W}/dec && rm -rf {W}/dec/{fmt} && exec \"$@\"")
    for lat in ["lat.h5ad", "lat.h5", "lat.csv", "lat.tsv.gz", "lat"]:
        case("generate options", f"--latent-output {lat}", gen + ["--output", f"{W}/o2.csv", "--latent-output", f"{W}/{lat}", "--labels-output", f"{W}/l2.csv"],
             "refuse" if lat.startswith("lat.h5") else "any")
    for s in ["mclust:components=0", "mclust:components=1..1000", "mclust:models=XYZ", "normal", "prior", "bogus", "mclust:min_points=-1"]:
        case("generate options", f"--sampler {s}", gen + ["--sampler", s, "--output", f"{W}/o3.csv", "--labels-output", f"{W}/l3.csv"],
             "ok" if s in ("normal", "prior") else "any")
    for lib in ["lognormal", "empirical", "bogus"]:
        case("generate options", f"--library {lib}", gen + ["--library", lib, "--output", f"{W}/o4.csv", "--labels-output", f"{W}/l4.csv"],
             "refuse" if lib == "bogus" else "ok")
    case("generate options", "--library on a continuous model", ["generate", f"{W}/gauss.vaexprs", "--num-samples", "3", "--library", "empirical",
                                                                 "--output", f"{W}/o5.csv"], "refuse",
         shell=f"[ -f {W}/gauss.vaexprs ] || {V} fit --counts {counts} --likelihood gaussian --epochs 1 --no-labels --output {W}/gauss.vaexprs >/dev/null 2>&1; exec \"$@\"")

    # 3. fit options.
    for opt, values in [("--epochs", ["0", "-3", "1e2", "99999999999999999999"]), ("--batch-size", ["0", "-1", "100000000"]),
                        ("--latent-dim", ["0", "5000", "-2"]), ("--regularization", ["nan", "inf", "-1", "1e308"]),
                        ("--learning-rate", ["nan", "0", "-1", "1e308"]), ("--validation-split", ["1", "0.9999", "nan", "-0.1", "0.5"]),
                        ("--top-genes", ["0", "100000", "-5", "10"]), ("--threads", ["0", "100000", "-1"]),
                        ("--patience", ["-1", "0"]), ("--memory-limit", ["0", "-1G", "1P", "abc", "1K"]), ("--seed", ["-1", "18446744073709551616"]),
                        ("--likelihood", ["bogus", "nb:theta=-1", "zinb", "poisson", "gaussian", "bernoulli", "censored_gaussian"]),
                        ("--encoder", ["dense:0", "dense:100000000000", "dense:8:bogus", "", "dropout:2", "batchnorm"]),
                        ("--optimizer", ["adam:lr=nan", "sgd:momentum=2", "rmsprop", "bogus", "adam:bogus=1"]),
                        ("--gene-selection", ["seurat_v3", "dispersion", "bogus"]), ("--normalize", ["lognorm", "none", "bogus"]),
                        ("--monitor", ["val_loss", "bogus"]), ("--sparse-input", ["always", "never", "sometimes"]), ("--preset", ["original", "bogus"])]:
        for v in values:
            extra = ["--top-genes", "10"] if opt == "--gene-selection" else []
            case("fit options", f"{opt} {v!r}", fit + [opt, v] + extra + ["--output", f"{W}/f.vaexprs"], "any")
    for col in ["_index", ".", "a/b", "label,label", "", "nonexistent", "esc\x1b[2J"]:
        case("fit options", f"--label-column {col!r}", fit + ["--labels", labels, "--label-column", col, "--output", f"{W}/f.vaexprs"], "refuse")

    # 4. Hostile input files.
    bad_csvs = {
        "empty": "", "header only": "cell,G1\n", "nan": "cell,G1,G2\nc1,nan,1\nc2,1,1\n", "inf": "cell,G1,G2\nc1,inf,1\nc2,1,1\n",
        "1e39": "cell,G1,G2\nc1,1e39,1\nc2,1,1\n", "negative counts": "cell,G1,G2\nc1,-1,1\nc2,1,1\n", "3e9 counts": "cell,G1,G2\nc1,3000000000,1\nc2,1,2\nc3,0,4\n",
        "duplicate genes": "cell,G1,G1\nc1,1,1\nc2,1,1\n", "duplicate cells": "cell,G1,G2\nc1,1,1\nc1,1,1\n", "ragged": "cell,G1,G2\nc1,1\nc2,1,1,1\n",
        "quotes": 'cell,"G""1",G2\n"c""1",1,2\nc2,3,4\nc3,0,1\n', "BOM": "\ufeffcell,G1,G2\nc1,1,2\nc2,3,4\nc3,0,1\n", "CRLF": "cell,G1,G2\r\nc1,1,2\r\nc2,3,4\r\nc3,1,0\r\n",
        "NUL": "cell,G1,G2\nc\x001,1,2\nc2,3,4\n", "escapes": "cell,G\x1b[2J,G2\nc1,1,2\nc2,3,4\nc3,1,1\n", "one cell": "cell,G1,G2\nc1,1,2\n",
        "one gene": "cell,G1\nc1,1\nc2,2\nc3,0\n", "all zero cell": "cell,G1,G2\nc1,0,0\nc2,1,2\nc3,2,1\n", "spaces": "cell, G1 ,G2\n c1 ,1, 2\nc2,3,4\nc3,0,1\n",
        "hex": "cell,G1,G2\nc1,0x10,2\nc2,3,4\n", "huge line": "cell," + ",".join(f"G{i}" for i in range(5000)) + "\nc1," + ",".join("1" for _ in range(5000)) + "\n",
    }
    for name, text in bad_csvs.items():
        path = write(f"{W}/bad/{name.replace(' ', '_')}.csv", text)
        case("hostile inputs", f"fit on CSV: {name}", ["fit", "--counts", path, "--epochs", "1", "--no-labels", "--encoder", "dense:4", "--decoder", "dense:4",
                                                       "--output", f"{W}/bad/m.vaexprs"], "any", unchanged=[path])
        case("hostile inputs", f"reduce on CSV: {name}", ["reduce", "--input", path, "--method", "pca", "--output", f"{W}/bad/p.csv"], "any")
    for name, text in {"truncated gzip": None, "not gzip": "hello", "gzip of nothing": b""}.items():
        path = f"{W}/bad/{name.replace(' ', '_')}.csv.gz"
        if text is None:
            data = open(f"{W}/counts.csv.gz", "rb").read()
            write(path, data[: len(data) // 2], "wb")
        elif isinstance(text, bytes):
            write(path, gzip.compress(text), "wb")
        else:
            write(path, text)
        case("hostile inputs", f"fit on {name}", ["fit", "--counts", path, "--epochs", "1", "--output", f"{W}/bad/m.vaexprs"], "refuse")
    # Damaged binary files: every 7th byte flipped, truncations, zero-filled.
    for src in ["gen.h5ad", "gen.h5", "m.vaexprs"]:
        data = open(f"{W}/{src}", "rb").read()
        for kind, damaged in [("truncated half", data[: len(data) // 2]), ("truncated 100", data[:100]), ("zeros", bytes(len(data))),
                              ("flipped", bytes(b ^ 0x40 if i % 997 == 500 else b for i, b in enumerate(data))),
                              ("tail garbage", data + b"garbage" * 10)]:
            path = write(f"{W}/damaged/{kind.replace(' ', '_')}-{src}", damaged, "wb")
            if src.endswith(".vaexprs"):
                for cmd in (["generate", path, "--num-samples", "3", "--output", f"{W}/damaged/o.csv"], ["inspect", path],
                            ["plot", "model", path, "--output", f"{W}/damaged/o.svg"], ["plot", "history", path, "--output", f"{W}/damaged/o.png"]):
                    case("damaged files", f"{cmd[0]} on {kind} model", cmd, "refuse" if kind != "tail garbage" else "any", unchanged=[path])
            else:
                case("damaged files", f"fit on {kind} {src}", ["fit", "--counts", path, "--epochs", "1", "--output", f"{W}/damaged/m.vaexprs"], "any",
                     unchanged=[path])
                case("damaged files", f"evaluate on {kind} {src}", ["evaluate", "--real", counts, "--generated", path, "--repeats", "1"], "any")
    for name, lab in {"missing cells": "cell,label\nc1,T\n", "extra column": "cell,label,x\n" + "".join(f"c{i},T,1\n" for i in range(60)),
                      "empty labels": "cell,label\n" + "".join(f"c{i},\n" for i in range(60)), "NaN labels": "cell,label\n" + "".join(f"c{i},NaN\n" for i in range(60)),
                      "escape labels": "cell,label\n" + "".join(f"c{i},\x1b]0;x\x07{i % 2}\n" for i in range(60)),
                      "duplicate": "cell,label\nc0,T\nc0,B\n", "only header": "cell,label\n", "genes as labels": "cell,label\nG0,T\nG1,B\n"}.items():
        path = write(f"{W}/badlabels/{name.replace(' ', '_')}.csv", lab)
        case("hostile inputs", f"fit with labels: {name}", fit + ["--labels", path, "--output", f"{W}/badlabels/m.vaexprs"], "any")
        case("hostile inputs", f"plot aug with labels: {name}", ["plot", "aug", "--real", counts, "--labels", path, "--generated", f"{W}/gen.csv",
                                                                "--generated-labels", f"{W}/gen_labels.csv", "--method", "pca", "--format", "terminal"], "any")
    write(f"{W}/both10x/matrix.mtx", "%%MatrixMarket matrix coordinate integer general\n1 1 1\n1 1 1\n")
    shutil.copy(f"{W}/gen10x/matrix.mtx.gz", f"{W}/both10x/matrix.mtx.gz")
    write(f"{W}/both10x/features.tsv", "G1\tG1\tGene Expression\n")
    write(f"{W}/both10x/barcodes.tsv", "c1\n")
    case("hostile inputs", "10x folder with matrix.mtx and matrix.mtx.gz", ["reduce", "--input", f"{W}/both10x", "--method", "pca", "--output", f"{W}/p.csv"], "refuse")

    # 5. reduce, plot, gmm, evaluate.
    for m in ["pca", "mds", "tsne", "umap", "nmf", "diffmap", "tsne:perplexity=1e300", "tsne:perplexity=nan", "tsne:perplexity=-1", "umap:n_neighbors=0",
              "umap:n_neighbors=100000", "umap:min_dist=nan", "nmf:iterations=0", "diffmap:sigma=0", "pca:bogus=1", "bogus", "pca:", ":"]:
        case("reduce and plot", f"reduce --method {m}", ["reduce", "--input", counts, "--method", m, "--output", f"{W}/r.csv"], "any")
    for comp in ["0", "1", "3", "1000", "-1"]:
        case("reduce and plot", f"reduce --components {comp}", ["reduce", "--input", counts, "--method", "pca", "--components", comp, "--output", f"{W}/r.csv"], "any")
    extreme = write(f"{W}/extreme.csv", "cell,G1,G2,G3\nc1,1e300,1,2\nc2,-1e300,3,4\nc3,1e-300,5,1\nc4,2,1e300,3\nc5,1,2,3\n")
    for fmt in ["png", "svg", "pdf", "html", "terminal", "json", "bogus"]:
        out = [] if fmt == "terminal" else ["--output", f"{W}/plot.{fmt}"]
        case("reduce and plot", f"plot aug extreme values as {fmt}", ["plot", "aug", "--real", extreme, "--generated", extreme, "--method", "pca",
                                                                      "--normalize", "none", "--format", fmt] + out, "any")
        case("reduce and plot", f"plot model as {fmt}", ["plot", "model", model, "--format", fmt] + out, "any")
        case("reduce and plot", f"plot history as {fmt}", ["plot", "history", model, "--format", fmt] + out, "any")
    for w in ["0", "71", "14401", "nan", "1e308", "-5"]:
        case("reduce and plot", f"plot --width {w}", ["plot", "history", model, "--width", w, "--output", f"{W}/h.png"], "refuse")
    for opts in [["--components", "0"], ["--components", "1..100"], ["--models", "XYZ"], ["--samples", "0"], ["--samples", "5"],
                 ["--samples", "99999999999"], ["--threads", "100000"]]:
        case("reduce and plot", f"gmm {' '.join(opts)}", ["gmm", "--input", f"{W}/r.csv"] + opts, "any",
             shell=f"{V} reduce --input {counts} --method pca --components 2 --output {W}/r.csv >/dev/null 2>&1; exec \"$@\"")
    for opts in [["--repeats", "0"], ["--repeats", "101"], ["--training", counts], ["--labels", labels], ["--generated", counts],
                 ["--normalize", "bogus"], ["--output", f"{W}/e.json"], ["--output", f"{W}/e.html"], ["--output", f"{W}/e.xml"]]:
        base = ["evaluate", "--real", counts, "--generated", f"{W}/gen.csv", "--repeats", "1"]
        case("reduce and plot", f"evaluate {' '.join(o.replace(W, '') for o in opts)}", base + opts, "any")

    # 6. Plugins.
    for name in ["dense", "d\u0435nse", "Dense", "a-b", "1x", "x" * 65, "ok_name", "", "pca", "adam"]:
        expect = "ok" if name == "ok_name" else "refuse"
        case("plugins", f"plugin new --name {name[:12]!r}", ["plugin", "new", "--kind", "layer", "--language", "c", "--name", name,
                                                             "--output", f"{W}/plug-{len(name)}-{abs(hash(name)) % 9999}"], expect)
    case("plugins", "plugin new into the user's folder", ["plugin", "new", "--kind", "layer", "--language", "c", "--name", "mine",
                                                          "--output", SENTINEL], "refuse", unchanged=[SENTINEL])
    for f in [f"{W}/counts.csv", "/dev/zero", f"{W}/nonexistent.so", f"{W}/fifo", SENTINEL]:
        case("plugins", f"--plugin {os.path.basename(f)}", ["components", "--plugin", f], "any",
             shell=f"[ -p {W}/fifo ] || mkfifo {W}/fifo; exec \"$@\"", timeout=30)
        case("plugins", f"plugins check {os.path.basename(f)}", ["plugins", "check", f], "any",
             shell=f"[ -p {W}/fifo ] || mkfifo {W}/fifo; exec \"$@\"", timeout=30)

    # 7. Closed streams and environments.
    for closing in ["2>&-", ">&-", "<&-", "2>&- >&-", "2>/dev/full", ">/dev/full"]:
        case("streams and environment", f"fit, generate with {closing}", [V], "ok",
             shell=f"exec {closing}; {V} fit --counts {counts} --epochs 1 --no-labels --output {W}/s.vaexprs && "
                   f"{V} generate {W}/s.vaexprs --num-samples 3 --output {W}/s.csv && ! grep -q vaexprs {W}/s.csv")
    for env in [{"LANG": "tr_TR.UTF-8", "LC_ALL": "tr_TR.UTF-8"}, {"LC_ALL": "C"}, {"TMPDIR": "/nonexistent"}, {"HOME": "/nonexistent"},
                {"NO_COLOR": "1"}, {"COLUMNS": "-5"}, {"COLUMNS": "999999999"}, {"LINES": "0"}, {"VAEXPRS_PLUGIN_PATH": "/nonexistent:/dev/null"},
                {"VAEXPRS_TEMPLATES": "/nonexistent"}, {"OPENBLAS_NUM_THREADS": "10000"}, {"VAEXPRS_MPI_LIBRARY": ""}]:
        case("streams and environment", f"env {env}", ["plot", "aug", "--real", counts, "--generated", f"{W}/gen.csv", "--method", "pca",
                                                       "--format", "terminal"], "any", env=env)
        case("streams and environment", f"generate under {env}", gen + ["--output", f"{W}/env.csv", "--labels-output", f"{W}/envl.csv"], "ok", env=env)
    case("streams and environment", "SIGPIPE on a closed reader", [V], "any", shell=f"{V} plot history {model} --format terminal | head -c 1 >/dev/null")

    # 8. MPI ranks that disagree.
    if MPIRUN:
        base = ["fit", "--counts", counts, "--epochs", "2", "--output", f"{W}/mpi.vaexprs", "--encoder", "dense:8:relu", "--decoder", "dense:8:relu"]
        for name, other in [("epochs", base + ["--epochs", "3"]), ("seed", base + ["--seed", "2"]), ("batch", base + ["--batch-size", "8"]),
                            ("genes", base + ["--top-genes", "10"]), ("layers", base + ["--encoder", "dense:9:relu"]),
                            ("latent", base + ["--latent-dim", "3"]), ("likelihood", base + ["--likelihood", "nb"]),
                            ("data", ["fit", "--counts", f"{W}/bad/one_gene.csv", "--epochs", "2", "--output", f"{W}/mpi.vaexprs"]),
                            ("labels", base + ["--labels", labels]), ("validation", base + ["--validation-split", "0.2"]),
                            ("missing file", ["fit", "--counts", f"{W}/missing.csv", "--epochs", "2", "--output", f"{W}/mpi.vaexprs"]),
                            ("stream", base + ["--stream"])]:
            case("MPI", f"ranks differ in {name}", [MPIRUN, "--oversubscribe", "-np", "1", V] + base + [":", "-np", "1", V] + other, "refuse",
                 env=MPI_ENV, timeout=120, shell=f"rm -f {W}/mpi.vaexprs; \"$@\" && [ ! -f {W}/mpi.vaexprs ]")
        case("MPI", "ranks agree", [MPIRUN, "--oversubscribe", "-np", "2", V] + base, "ok", env=MPI_ENV, timeout=180)
    # What the session wrote last.
    case("streams and environment", "version", ["--version"], "ok")


def run_case(c):
    args = c["args"]
    if args and args[0] not in (BINARY, MPIRUN):
        args = [BINARY] + args
    env = dict(os.environ)
    env.update(c["env"] or {})
    before = tree_digest(SENTINEL)
    unchanged = {p: (tree_digest(p) if os.path.isdir(p) else (open(p, "rb").read() if os.path.exists(p) else None)) for p in c["unchanged"]}
    cmd = ["/bin/sh", "-c", c["shell"], "sh"] + args if c["shell"] else args
    start = time.time()
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=c["cwd"] or WORK, timeout=c["timeout"],
                           stdin=subprocess.DEVNULL)
        rc, err, hung = r.returncode, r.stderr.decode(errors="replace"), False
    except subprocess.TimeoutExpired as e:
        rc, err, hung = None, (e.stderr or b"").decode(errors="replace"), True
    problems = []
    if hung:
        problems.append(f"hung past {c['timeout']} s")
    elif rc < 0 or rc >= 128:
        problems.append(f"died with status {rc}")
    if any(s in err for s in ("Fatal error", "Segmentation fault", "Illegal instruction", "Aborted", "core dumped", "Trace/breakpoint")):
        problems.append("trapped: " + next(line for line in err.splitlines() if any(s in line for s in ("Fatal", "Segm", "Illegal", "Abort", "core", "Trace"))))
    if not hung:
        if c["expect"] == "ok" and rc != 0:
            problems.append(f"expected success, got {rc}: {err.strip()[-300:]}")
        if c["expect"] == "refuse" and (rc == 0 or "error" not in err.lower()):
            problems.append(f"expected a refusal, got {rc}: {err.strip()[-200:]}")
    if tree_digest(SENTINEL) != before:
        problems.append("the user's files changed")
        # Put them back for the cases that follow (a build that deletes them would otherwise
        # take the probe's working folders with them).
        if os.path.exists(SENTINEL):
            os.system(f"chmod -R u+w '{SENTINEL}'")
            shutil.rmtree(SENTINEL, ignore_errors=True)
        os.makedirs(WORK, exist_ok=True)
        shutil.copytree(f"{PRISTINE}/mydata", SENTINEL, symlinks=True)
    for p, state in unchanged.items():
        now = tree_digest(p) if os.path.isdir(p) else (open(p, "rb").read() if os.path.exists(p) else None)
        if now != state:
            problems.append(f"{p} changed")
    left = temporaries(WORK)
    if left:
        problems.append(f"temporaries left: {left[:3]}")
        for t in left:
            shutil.rmtree(t, ignore_errors=True) if os.path.isdir(t) else os.unlink(t)
    return problems, time.time() - start


def main():
    if not os.access(BINARY, os.X_OK):
        sys.exit(f"no vaexprs binary at {BINARY}; build first (swift build)")
    make_data()
    build_cases()
    by_class, failed = {}, 0
    for i, c in enumerate(cases):
        problems, seconds = run_case(c)
        entry = by_class.setdefault(c["cls"], [0, 0])
        entry[0] += 1
        if problems:
            failed += 1
            entry[1] += 1
            print(f"FAIL [{c['cls']}] {c['name']}: {'; '.join(problems)}", flush=True)
    print("\n| class | cases | failed |\n|---|---|---|")
    for cls, (n, f) in by_class.items():
        print(f"| {cls} | {n} | {f} |")
    print(f"\n{len(cases) - failed} passed, {failed} failed")
    if not KEEP:
        os.system(f"chmod -R u+w '{WORK}' '{PRISTINE}'")
        shutil.rmtree(WORK, ignore_errors=True)
        shutil.rmtree(PRISTINE, ignore_errors=True)
    else:
        print(f"kept {WORK}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
