"""A trained model: generate cells as AnnData, save it as the command line's model file."""

from __future__ import annotations

import ctypes
import json
import os
from typing import Any, Mapping, Optional

import numpy as np
import scipy.sparse as sp

from . import _native


class VAEModel:
    """A (conditional) VAE fitted by :func:`vaexprs.tl.fit` or loaded by :func:`vaexprs.load`.

    The model lives in the C library; it is freed when this object is. ``description`` is what
    ``vaexprs inspect`` prints (architecture, likelihood, setup, training history).
    """

    def __init__(self, handle: ctypes.c_void_p):
        self._handle = handle
        out = ctypes.c_void_p()
        error = ctypes.c_void_p()
        _native.check(_native.lib.vaexprs_model_json(self._handle, ctypes.byref(out), ctypes.byref(error)), error)
        self.description: dict[str, Any] = json.loads(_native.take_string(out))

    def __del__(self) -> None:
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            _native.lib.vaexprs_model_free(handle)

    def __repr__(self) -> str:
        d = self.description
        kind = "conditional VAE" if d.get("conditions") else "VAE"
        return (f"VAEModel({kind}: {d['genes']} genes, {d['training_cells']} training cells, latent {d['latent_dim']}, "
                f"likelihood {d['likelihood']}, {len(d.get('history', []))} epochs)")

    @property
    def gene_names(self) -> list[str]:
        """The model's genes (after any selection of variable genes)."""
        n = _native.lib.vaexprs_model_genes(self._handle)
        return [_native.lib.vaexprs_model_gene(self._handle, k).decode() for k in range(n)]

    @property
    def training_cells(self) -> list[str]:
        """The ids of the cells it trained on (those not held out for validation)."""
        n = _native.lib.vaexprs_model_training_cells(self._handle)
        return [_native.lib.vaexprs_model_training_cell(self._handle, k).decode() for k in range(n)]

    @property
    def latent_means(self) -> np.ndarray:
        """The training cells' latent means (cells x latent dimensions)."""
        n = _native.lib.vaexprs_model_training_cells(self._handle)
        d = _native.lib.vaexprs_model_latent_dimension(self._handle)
        out = np.empty((n, d), dtype=np.float64)
        error = ctypes.c_void_p()
        status = _native.lib.vaexprs_model_latent_means(
            self._handle, out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), out.size, ctypes.byref(error))
        _native.check(status, error)
        return out

    @property
    def history(self) -> list[dict[str, Any]]:
        """Loss, reconstruction and KL per epoch (and their validation values)."""
        return list(self.description.get("history", []))

    def save(self, path: "os.PathLike[str] | str") -> None:
        """Writes the command line's model file (``vaexprs generate`` reads it)."""
        error = ctypes.c_void_p()
        _native.check(_native.lib.vaexprs_model_save(self._handle, os.fsencode(os.fspath(path)), ctypes.byref(error)),
                      error)

    def generate(self, n_obs: Optional[int] = None, per_label: Optional[Mapping[str, int]] = None, seed: int = 1,
                 sampler: Optional[str] = None, decode: Optional[str] = None, library: Optional[str] = None,
                 threads: Optional[int] = None, as_counts: bool = False) -> Any:
        """Generates cells, as ``vaexprs generate`` does.

        Args:
            n_obs: Cells to generate (a conditional model spreads them over its labels as the
                training cells are), unless ``per_label`` is given.
            per_label: Exact counts per label, e.g. ``{"B cell": 50}`` (conditional models).
            seed: The same seed gives the same cells.
            sampler: The latent sampler ("mclust", the default; "normal"; "prior").
            decode: "sample" (a draw from the likelihood: whole counts for count models) or "mean".
            library: Library sizes of count models: "lognormal" or "empirical".
            threads: Threads for this call.
            as_counts: Counts even when the model was fitted on log-normalised counts (whose
                scale it otherwise gives back, as the input was).

        Returns:
            An AnnData: the cells in ``X`` (CSR; int32 counts for count models), labels in ``obs``
            as categoricals, ``obs["origin"] = "generated"``, the latent points in
            ``obsm["X_vaexprs"]``.
        """
        import anndata
        import pandas as pd

        cells = ctypes.c_void_p()
        error = ctypes.c_void_p()
        options = _native.options({"count": n_obs, "perLabel": dict(per_label) if per_label is not None else None,
                                   "seed": seed, "sampler": sampler, "decode": decode, "library": library,
                                   "threads": threads, "asCounts": True if as_counts else None})
        _native.check(_native.lib.vaexprs_generate(self._handle, options, ctypes.byref(cells), ctypes.byref(error)),
                      error)
        try:
            lib = _native.lib
            n, g = lib.vaexprs_cells_count(cells), lib.vaexprs_cells_genes(cells)
            stored = lib.vaexprs_cells_stored(cells)
            pointers = np.empty(n + 1, dtype=np.int64)
            indices = np.empty(max(stored, 1), dtype=np.int32)
            values = np.empty(max(stored, 1), dtype=np.float64)
            error = ctypes.c_void_p()
            status = lib.vaexprs_cells_csr(
                cells, pointers.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)),
                indices.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)),
                values.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), stored, ctypes.byref(error))
            _native.check(status, error)
            d = lib.vaexprs_cells_latent_dimension(cells)
            latent = np.empty((n, d), dtype=np.float64)
            error = ctypes.c_void_p()
            _native.check(lib.vaexprs_cells_latent(cells, latent.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
                                                   latent.size, ctypes.byref(error)), error)
            columns = lib.vaexprs_cells_label_columns(cells)
            names = list((self.description.get("conditions") or {}).keys())
            obs = pd.DataFrame(index=[f"gen{k + 1}" for k in range(n)])
            for c in range(columns):
                name = names[c] if c < len(names) else f"label{c + 1}"
                obs[name] = pd.Categorical([lib.vaexprs_cells_label(cells, k, c).decode() for k in range(n)])
            obs["origin"] = pd.Categorical(["generated"] * n)
        finally:
            lib.vaexprs_cells_free(cells)
        # Drawn counts are integers (int32: the engine keeps counts below 2^31); expected counts
        # (decode="mean"), continuous values and the scale of log-normalised input are float32.
        counts = (self.description.get("likelihood_data") == "counts" and decode != "mean"
                  and (as_counts or not self.description.get("log_normalised_input")))
        dtype = np.int32 if counts else np.float32
        matrix = sp.csr_matrix((values[:stored].astype(dtype), indices[:stored], pointers), shape=(n, g))
        adata = anndata.AnnData(X=matrix, obs=obs)
        adata.var_names = self.gene_names
        adata.obsm["X_vaexprs"] = latent
        adata.uns["vaexprs"] = {"seed": seed, "counts": bool(counts), "likelihood": self.description["likelihood"]}
        return adata


def load(path: "os.PathLike[str] | str") -> VAEModel:
    """Loads a model file written by ``vaexprs fit`` (or :meth:`VAEModel.save`)."""
    handle = ctypes.c_void_p()
    error = ctypes.c_void_p()
    _native.check(_native.lib.vaexprs_model_load(os.fsencode(os.fspath(path)), ctypes.byref(handle), ctypes.byref(error)),
                  error)
    return VAEModel(handle)
