"""Plots (scverse's ``pl``): real against generated cells, the model's architecture, its history."""

from __future__ import annotations

import ctypes
import json
import os
from typing import Any, Optional

from . import _native
from .model import VAEModel
from .tl import _pair

_METHODS = ("pca", "mds", "tsne", "umap", "nmf", "diffmap")


def aug(real: Any, generated: Any, method: str = "umap", labels_key: Optional[str] = None, *,
        path: "Optional[os.PathLike[str] | str]" = None, color_by: str = "origin", layer: Optional[str] = None,
        use_raw: bool = False, normalization: Optional[str] = None, top_genes: Optional[int] = None, seed: int = 1,
        width: float = 720, height: float = 520, threads: Optional[int] = None) -> Any:
    """Real and generated cells embedded together by the engine's reducers (the original's
    ``plot_aug``).

    Args:
        real: Real cells (AnnData).
        generated: Generated cells (e.g. from :meth:`VAEModel.generate`).
        method: "pca", "mds", "tsne", "umap", "nmf" or "diffmap" (with options: "umap:neighbors=30").
        labels_key: An ``obs`` column present in both: shapes show it.
        path: Write the engine's rendering here instead (.svg, .png, .pdf or .html) and return None.
        color_by: "origin" or "label".
        layer, use_raw: Which matrix of ``real`` to read.
        normalization, top_genes, seed, threads: As ``vaexprs plot aug``'s options.
        width, height: The figure's size in points (engine renderings).

    Returns:
        A matplotlib Figure (None when ``path`` is given).
    """
    if method.split(":")[0] not in _METHODS:
        raise ValueError(f"method must be one of {', '.join(_METHODS)}, got {method!r}")
    real_cells, real_labels, generated_cells, generated_labels = _pair(real, generated, labels_key, layer, use_raw)
    common = {"method": method, "normalization": normalization, "topGenes": top_genes, "seed": seed,
              "colourBy": color_by, "threads": threads}
    error = ctypes.c_void_p()
    if path is not None:
        extension = os.fspath(path).rsplit(".", 1)[-1].lower()
        out, length = ctypes.c_void_p(), ctypes.c_int64()
        status = _native.lib.vaexprs_plot_aug(
            real_cells.pointer, real_labels.pointer if real_labels else None, generated_cells.pointer,
            generated_labels.pointer if generated_labels else None,
            _native.options({**common, "format": extension, "width": width, "height": height}),
            ctypes.byref(out), ctypes.byref(length), ctypes.byref(error))
        _native.check(status, error)
        with open(path, "wb") as file:
            file.write(_native.take_bytes(out, length.value))
        return None
    out = ctypes.c_void_p()
    status = _native.lib.vaexprs_embed_aug(
        real_cells.pointer, real_labels.pointer if real_labels else None, generated_cells.pointer,
        generated_labels.pointer if generated_labels else None, _native.options(common), ctypes.byref(out),
        ctypes.byref(error))
    _native.check(status, error)
    e = json.loads(_native.take_string(out))
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(width / 100, height / 100))
    markers = "o^sDv<>pP*hX"
    labels = sorted(set(e["label"]))
    for origin, colour in (("real", "#0072B2"), ("generated", "#D55E00")):
        for k, label in enumerate(labels):
            rows = [i for i, g in enumerate(e["generated"]) if (g == (origin == "generated")) and e["label"][i] == label]
            if rows:
                name = origin if not label else f"{origin}, {label}"
                axes.scatter([e["x"][i] for i in rows], [e["y"][i] for i in rows], s=8, alpha=0.7, c=colour,
                             marker=markers[k % len(markers)], label=name)
    titles = e.get("axis_titles") or [f"{method}1", f"{method}2"]
    axes.set_xlabel(titles[0])
    axes.set_ylabel(titles[1] if len(titles) > 1 else "")
    axes.set_title(f"{method.split(':')[0].upper()} of real and generated cells")
    axes.legend(markerscale=2, fontsize="small")
    return figure


def model(model: VAEModel, path: "Optional[os.PathLike[str] | str]" = None, format: str = "svg",
          colours: Optional[dict[str, str]] = None) -> Optional[str]:
    """The model's architecture as a Graphviz graph (the original's ``plot_vae``).

    Args:
        model: A fitted or loaded model.
        path: Write the figure here (its extension sets the format) and return None.
        format: "svg" or "dot" when returned as text.
        colours: Part colours: encoder, mean, stddev, latent, decoder, condition.

    Returns:
        The SVG (or dot) text, or None when written to ``path``.
    """
    if path is not None:
        format = os.fspath(path).rsplit(".", 1)[-1].lower()
    out, length = ctypes.c_void_p(), ctypes.c_int64()
    error = ctypes.c_void_p()
    status = _native.lib.vaexprs_plot_model(model._handle, _native.options({"format": format, "colours": colours}),
                                            ctypes.byref(out), ctypes.byref(length), ctypes.byref(error))
    _native.check(status, error)
    data = _native.take_bytes(out, length.value)
    if path is not None:
        with open(path, "wb") as file:
            file.write(data)
        return None
    return data.decode("utf-8")


def history(model: VAEModel) -> Any:
    """Loss, reconstruction and KL per epoch (training and validation), the restored epoch marked.

    Returns:
        A matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    epochs = model.history
    figure, axes = plt.subplots(1, 3, figsize=(10.8, 3.4))
    for ax, key in zip(axes, ("loss", "reconstruction", "kl")):
        x = [e["epoch"] for e in epochs]
        ax.plot(x, [e[key] for e in epochs], label="training")
        validation = [e.get("val_" + key) for e in epochs]
        if any(v is not None for v in validation):
            ax.plot(x, [float("nan") if v is None else v for v in validation], label="validation")
        restored = model.description.get("restored_epoch")
        if restored:
            ax.axvline(restored, color="grey", linestyle=":", label="restored")
        ax.set_title(key)
        ax.set_xlabel("epoch")
    axes[0].legend(fontsize="small")
    figure.tight_layout()
    return figure
