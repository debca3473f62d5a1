#!/usr/bin/env python3
"""Writes the gene-selection fixture: negative-binomial counts (300 cells x 400 genes, numpy
seed 7) and scanpy's rankings of them, which the Swift tests compare with ours.

    python make_fixture.py   # needs numpy, pandas, anndata, scanpy, scikit-misc

- counts.csv: cells x genes.
- seurat_v3.csv: gene, variances_norm, highly_variable (top 100), from
  sc.pp.highly_variable_genes(flavor="seurat_v3", n_top_genes=100) on the counts.
- dispersion.csv: gene, dispersions_norm, highly_variable (top 100), from flavor="seurat" on
  log1p(counts / library size x mean library size) (what fit --normalize lognorm ranks).
"""
import os

import anndata
import numpy as np
import pandas as pd
import scanpy as sc

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(7)
cells, genes = 300, 400
means = np.exp(rng.normal(0, 1.5, genes))
theta = np.exp(rng.normal(0.5, 1.0, genes))
depth = np.exp(rng.normal(0, 0.3, cells))
groups = rng.integers(0, 3, cells)
shift = np.ones((3, genes))
shift[:, :60] = np.exp(rng.normal(0, 1.2, (3, 60)))
mu = depth[:, None] * means[None, :] * shift[groups]
counts = rng.negative_binomial(theta[None, :], theta[None, :] / (theta[None, :] + mu)).astype(np.float32)
counts[:, -3:] = 0  # constant genes
names = [f"g{j + 1}" for j in range(genes)]
cells_index = [f"c{i + 1}" for i in range(cells)]
pd.DataFrame(counts.astype(int), index=cells_index, columns=names).to_csv(os.path.join(here, "counts.csv"), index_label="cell")

ad = anndata.AnnData(counts.copy())
ad.var_names = names
sc.pp.highly_variable_genes(ad, flavor="seurat_v3", n_top_genes=100)
ad.var[["variances_norm", "highly_variable"]].to_csv(os.path.join(here, "seurat_v3.csv"), index_label="gene")

lib = counts.sum(1, keepdims=True)
ad = anndata.AnnData(np.log1p(counts / lib * lib.mean()))
ad.var_names = names
sc.pp.highly_variable_genes(ad, flavor="seurat", n_top_genes=100)
ad.var[["dispersions_norm", "highly_variable"]].to_csv(os.path.join(here, "dispersion.csv"), index_label="gene")
