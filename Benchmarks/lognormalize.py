#!/usr/bin/env python3
"""Log-normalises a shared-layout data set (counts.csv.gz, labels.csv) the way users' tools do,
for the log-normalised input benchmarks:

    lognormalize.py SOURCE-DIR OUT-DIR scater|seurat|scanpy

scater: log2(counts / size factor + 1), size factor = library size / mean library size;
seurat: log1p(counts / library size · 10 000) (Seurat's NormalizeData, scanpy's
normalize_total(target_sum=1e4) + log1p); scanpy: log1p(counts / library size · median library
size) (normalize_total's default). Written with 7 significant digits, as float32 stores them.
"""
import os
import shutil
import sys

import numpy as np
import pandas as pd

source, out, how = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(out, exist_ok=True)
counts = pd.read_csv(os.path.join(source, "counts.csv.gz"), index_col=0)
libraries = counts.sum(1)
if how == "scater":
    values = np.log2(counts.div(libraries / libraries.mean(), axis=0) + 1)
elif how == "seurat":
    values = np.log1p(counts.div(libraries, axis=0) * 1e4)
elif how == "scanpy":
    values = np.log1p(counts.div(libraries, axis=0) * libraries.median())
else:
    sys.exit(f"unknown normalisation {how}: give scater, seurat or scanpy")
values.to_csv(os.path.join(out, "counts.csv.gz"), index_label="cell", float_format="%.7g")
shutil.copy(os.path.join(source, "labels.csv"), os.path.join(out, "labels.csv"))
