"""The C library (libvaexprs, ``vaexprs.h``) through ctypes: its structures, its functions, and
its errors as Python exceptions naming Python's parameters."""

from __future__ import annotations

import ctypes
import json
import os
from pathlib import Path
from typing import Any, Optional

import numpy as np

_here = Path(__file__).resolve().parent

# Library parameter names as this package's parameter names, for error messages.
PYTHON_NAMES = {
    "cells": "adata", "labels": "labels_key", "validation": "validation", "validation_labels": "validation",
    "latentDimension": "latent_dim", "batchSize": "batch_size", "validationSplit": "validation_split",
    "topGenes": "top_genes", "geneSelection": "gene_selection", "learningRate": "learning_rate",
    "labelColumns": "labels_key", "count": "n_obs", "perLabel": "per_label", "sparseInput": "sparse_input",
    "colourBy": "color_by", "real": "real", "generated": "generated", "real_labels": "labels_key",
    "generated_labels": "labels_key", "method": "method", "layer": "layer", "useRaw": "use_raw",
    "heldOutFraction": "held_out", "asCounts": "as_counts",
}


class CellMatrix(ctypes.Structure):
    """``vaexprs_matrix``: cells x genes in the host's layout, with names."""

    _fields_ = [
        ("layout", ctypes.c_int32), ("cells", ctypes.c_int64), ("genes", ctypes.c_int64),
        ("values", ctypes.POINTER(ctypes.c_double)), ("indices", ctypes.POINTER(ctypes.c_int32)),
        ("pointers", ctypes.POINTER(ctypes.c_int64)), ("stored", ctypes.c_int64),
        ("cell_ids", ctypes.POINTER(ctypes.c_char_p)), ("gene_names", ctypes.POINTER(ctypes.c_char_p)),
    ]


class Labels(ctypes.Structure):
    """``vaexprs_labels``: label columns, values[column * cells + cell]."""

    _fields_ = [("columns", ctypes.c_int32), ("names", ctypes.POINTER(ctypes.c_char_p)),
                ("values", ctypes.POINTER(ctypes.c_char_p))]


PROGRESS = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_int32, ctypes.c_int32, ctypes.c_int32,
                            ctypes.c_int32, ctypes.c_double, ctypes.c_double)


def _load() -> ctypes.CDLL:
    candidates = [os.environ.get("VAEXPRS_LIBRARY", ""), str(_here / "_lib" / "libvaexprs.so")]
    for path in candidates:
        if path and Path(path).exists():
            return ctypes.CDLL(path)
    raise ImportError("libvaexprs is not installed beside the package (scripts/install-python.sh builds and installs "
                      "it), and VAEXPRS_LIBRARY does not name it")


lib = _load()
_p = ctypes.c_void_p
_pp = ctypes.POINTER(ctypes.c_void_p)
_signatures = {
    "vaexprs_version": (ctypes.c_char_p, []), "vaexprs_abi_version": (ctypes.c_int32, []),
    "vaexprs_model_format_version": (ctypes.c_int32, []),
    "vaexprs_error_status": (ctypes.c_int, [_p]), "vaexprs_error_message": (ctypes.c_char_p, [_p, ctypes.c_char_p]),
    "vaexprs_error_free": (None, [_p]), "vaexprs_free": (None, [_p]),
    "vaexprs_load_plugin": (ctypes.c_int, [ctypes.c_char_p, _pp]),
    "vaexprs_fit": (ctypes.c_int, [ctypes.POINTER(CellMatrix), ctypes.POINTER(Labels), ctypes.POINTER(CellMatrix),
                                   ctypes.POINTER(Labels), ctypes.c_char_p, PROGRESS, _p, _pp, _pp]),
    "vaexprs_model_load": (ctypes.c_int, [ctypes.c_char_p, _pp, _pp]),
    "vaexprs_model_save": (ctypes.c_int, [_p, ctypes.c_char_p, _pp]),
    "vaexprs_model_json": (ctypes.c_int, [_p, ctypes.POINTER(ctypes.c_void_p), _pp]),
    "vaexprs_model_genes": (ctypes.c_int64, [_p]), "vaexprs_model_gene": (ctypes.c_char_p, [_p, ctypes.c_int64]),
    "vaexprs_model_training_cells": (ctypes.c_int64, [_p]),
    "vaexprs_model_training_cell": (ctypes.c_char_p, [_p, ctypes.c_int64]),
    "vaexprs_model_latent_dimension": (ctypes.c_int32, [_p]),
    "vaexprs_model_latent_means": (ctypes.c_int, [_p, ctypes.POINTER(ctypes.c_double), ctypes.c_int64, _pp]),
    "vaexprs_model_free": (None, [_p]),
    "vaexprs_generate": (ctypes.c_int, [_p, ctypes.c_char_p, _pp, _pp]),
    "vaexprs_cells_count": (ctypes.c_int64, [_p]), "vaexprs_cells_genes": (ctypes.c_int64, [_p]),
    "vaexprs_cells_values": (ctypes.c_int, [_p, ctypes.c_int32, ctypes.POINTER(ctypes.c_double), ctypes.c_int64, _pp]),
    "vaexprs_cells_stored": (ctypes.c_int64, [_p]),
    "vaexprs_cells_csr": (ctypes.c_int, [_p, ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_int32),
                                         ctypes.POINTER(ctypes.c_double), ctypes.c_int64, _pp]),
    "vaexprs_cells_label_columns": (ctypes.c_int32, [_p]),
    "vaexprs_cells_label": (ctypes.c_char_p, [_p, ctypes.c_int64, ctypes.c_int32]),
    "vaexprs_cells_latent_dimension": (ctypes.c_int32, [_p]),
    "vaexprs_cells_latent": (ctypes.c_int, [_p, ctypes.POINTER(ctypes.c_double), ctypes.c_int64, _pp]),
    "vaexprs_cells_free": (None, [_p]),
    "vaexprs_evaluate": (ctypes.c_int, [ctypes.POINTER(CellMatrix), ctypes.POINTER(Labels), ctypes.POINTER(CellMatrix),
                                        ctypes.POINTER(Labels), ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p), _pp]),
    "vaexprs_utility": (ctypes.c_int, [ctypes.POINTER(CellMatrix), ctypes.POINTER(Labels), ctypes.c_char_p, PROGRESS,
                                       ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p), _pp]),
    "vaexprs_embed_aug": (ctypes.c_int, [ctypes.POINTER(CellMatrix), ctypes.POINTER(Labels), ctypes.POINTER(CellMatrix),
                                         ctypes.POINTER(Labels), ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p), _pp]),
    "vaexprs_plot_aug": (ctypes.c_int, [ctypes.POINTER(CellMatrix), ctypes.POINTER(Labels), ctypes.POINTER(CellMatrix),
                                        ctypes.POINTER(Labels), ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p),
                                        ctypes.POINTER(ctypes.c_int64), _pp]),
    "vaexprs_plot_model": (ctypes.c_int, [_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p),
                                          ctypes.POINTER(ctypes.c_int64), _pp]),
    "vaexprs_plot_history": (ctypes.c_int, [_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p),
                                            ctypes.POINTER(ctypes.c_int64), _pp]),
}
for _name, (_restype, _argtypes) in _signatures.items():
    _function = getattr(lib, _name)
    _function.restype = _restype
    _function.argtypes = _argtypes

if lib.vaexprs_abi_version() != 1:
    raise ImportError(f"libvaexprs has interface version {lib.vaexprs_abi_version()}; this package needs 1")

_EXCEPTIONS = {1: ValueError, 2: ValueError, 3: FileNotFoundError, 4: RuntimeError, 5: OSError, 6: KeyboardInterrupt,
               7: RuntimeError}


def check(status: int, error: ctypes.c_void_p) -> None:
    """Raises the library's error (freed here) as a Python exception, or nothing for success."""
    if status == 0:
        return
    names = json.dumps(PYTHON_NAMES).encode()
    message = lib.vaexprs_error_message(error, names) if error else None
    text = message.decode("utf-8", "replace") if message else "unknown error"
    lib.vaexprs_error_free(error)
    raise _EXCEPTIONS.get(status, RuntimeError)(text)


def take_string(pointer: ctypes.c_void_p) -> str:
    """A string the library allocated, read and freed."""
    text = ctypes.string_at(pointer.value).decode("utf-8")
    lib.vaexprs_free(pointer)
    return text


def take_bytes(pointer: ctypes.c_void_p, length: int) -> bytes:
    """Bytes the library allocated, read and freed."""
    data = ctypes.string_at(pointer.value, length)
    lib.vaexprs_free(pointer)
    return data


def options(values: dict[str, Any]) -> bytes:
    """The options JSON of a call, without entries left as None."""
    return json.dumps({k: (v.item() if isinstance(v, np.generic) else v) for k, v in values.items() if v is not None}).encode()


def strings(values) -> Any:
    """A C array of UTF-8 strings (kept alive by the returned array)."""
    encoded = [str(v).encode("utf-8") for v in values]
    return (ctypes.c_char_p * len(encoded))(*encoded)


def version() -> dict[str, Any]:
    """The library's release, interface and model file versions."""
    return {"release": lib.vaexprs_version().decode(), "abi": lib.vaexprs_abi_version(),
            "model_format": lib.vaexprs_model_format_version()}


def null_error() -> ctypes.c_void_p:
    return ctypes.c_void_p()


def optional_path(path: Optional[os.PathLike]) -> Optional[bytes]:
    return None if path is None else os.fsencode(os.fspath(path))
