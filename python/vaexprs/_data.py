"""AnnData, numpy and scipy cells as the C library's matrices, passed by pointer: a C- or
Fortran-ordered float64 array and a CSR/CSC matrix's arrays are not copied (other dtypes are
converted once; the engine computes in float32 and reads them into its own storage)."""

from __future__ import annotations

import ctypes
from typing import Any, Optional, Sequence, Union

import numpy as np
import scipy.sparse as sp

from . import _native

ROW_MAJOR, COLUMN_MAJOR, CSR, CSC = 0, 1, 2, 3


class NativeCells:
    """Cells x genes as a ``vaexprs_matrix``, with the arrays it points into kept alive."""

    def __init__(self, matrix: Any, cell_ids: Sequence[str], gene_names: Sequence[str], parameter: str):
        self._keep: list[Any] = []
        structure = _native.CellMatrix()
        if sp.issparse(matrix):
            if matrix.format not in ("csr", "csc"):
                matrix = matrix.tocsr()
            structure.layout = CSR if matrix.format == "csr" else CSC
            data = self._array(matrix.data, np.float64, parameter)
            indices = np.ascontiguousarray(matrix.indices, dtype=np.int32)
            pointers = np.ascontiguousarray(matrix.indptr, dtype=np.int64)
            self._keep += [data, indices, pointers]
            structure.values = data.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
            structure.indices = indices.ctypes.data_as(ctypes.POINTER(ctypes.c_int32))
            structure.pointers = pointers.ctypes.data_as(ctypes.POINTER(ctypes.c_int64))
            structure.stored = data.size
        else:
            array = np.asarray(matrix)
            if array.ndim != 2:
                raise ValueError(f"{parameter}: expected a 2-D matrix of cells x genes, got {array.ndim} dimension(s)")
            if array.flags.f_contiguous and not array.flags.c_contiguous:
                structure.layout = COLUMN_MAJOR
                values = self._array(array, np.float64, parameter, order="F")
            else:
                structure.layout = ROW_MAJOR
                values = self._array(array, np.float64, parameter, order="C")
            self._keep.append(values)
            structure.values = values.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
        structure.cells, structure.genes = matrix.shape
        ids, genes = _native.strings(cell_ids), _native.strings(gene_names)
        self._keep += [ids, genes]
        structure.cell_ids = ctypes.cast(ids, ctypes.POINTER(ctypes.c_char_p))
        structure.gene_names = ctypes.cast(genes, ctypes.POINTER(ctypes.c_char_p))
        self.structure = structure

    @staticmethod
    def _array(values: Any, dtype: Any, parameter: str, order: str = "C") -> np.ndarray:
        array = np.asarray(values)
        if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
            raise TypeError(f"{parameter}: values of dtype {array.dtype} are not numbers; give a numeric matrix")
        return np.asarray(array, dtype=dtype, order=order)

    @property
    def pointer(self) -> Any:
        return ctypes.byref(self.structure)


class NativeLabels:
    """Label columns as a ``vaexprs_labels``."""

    def __init__(self, columns: dict[str, Sequence[Any]]):
        names = list(columns)
        values = [str(v) for name in names for v in columns[name]]
        self._names, self._values = _native.strings(names), _native.strings(values)
        self.structure = _native.Labels(len(names), ctypes.cast(self._names, ctypes.POINTER(ctypes.c_char_p)),
                                        ctypes.cast(self._values, ctypes.POINTER(ctypes.c_char_p)))

    @property
    def pointer(self) -> Any:
        return ctypes.byref(self.structure)


def matrix_of(adata: Any, layer: Optional[str], use_raw: bool) -> tuple[Any, list[str]]:
    """The matrix a call reads from an AnnData (``X``, a layer or ``.raw``) and its gene names."""
    if layer is not None and use_raw:
        raise ValueError("give either layer or use_raw, not both")
    if use_raw:
        if adata.raw is None:
            raise ValueError("use_raw=True, but adata has no .raw")
        return adata.raw.X, [str(g) for g in adata.raw.var_names]
    if layer is not None:
        if layer not in adata.layers:
            raise KeyError(f"layer {layer!r} is not in adata.layers (it holds {', '.join(adata.layers.keys()) or 'none'})")
        return adata.layers[layer], [str(g) for g in adata.var_names]
    return adata.X, [str(g) for g in adata.var_names]


def cells_of(adata: Any, layer: Optional[str] = None, use_raw: bool = False, parameter: str = "adata") -> NativeCells:
    """An AnnData's cells for the library."""
    matrix, genes = matrix_of(adata, layer, use_raw)
    if matrix is None:
        raise ValueError(f"{parameter}: the matrix is empty (adata.X is None); give layer=... or fill X")
    return NativeCells(matrix, [str(c) for c in adata.obs_names], genes, parameter)


def labels_of(adata: Any, labels_key: Union[None, str, Sequence[str]]) -> Optional[NativeLabels]:
    """The label columns ``labels_key`` names in ``adata.obs``, or None."""
    if labels_key is None:
        return None
    keys = [labels_key] if isinstance(labels_key, str) else list(labels_key)
    missing = [k for k in keys if k not in adata.obs.columns]
    if missing:
        raise KeyError(f"labels_key {missing[0]!r} is not a column of adata.obs (its columns: "
                       f"{', '.join(map(str, adata.obs.columns)) or 'none'})")
    columns = {}
    for key in keys:
        column = adata.obs[key]
        if column.isna().any():
            raise ValueError(f"labels_key {key!r}: {int(column.isna().sum())} cell(s) have no label; every cell needs one")
        columns[key] = column.astype(str).tolist()
    return NativeLabels(columns)
