"""Tools (scverse's ``tl``): fit a model to an AnnData, and measure how real generated cells are."""

from __future__ import annotations

import ctypes
import json
from typing import Any, Optional, Sequence, Union

import numpy as np

from . import _data, _native
from .model import VAEModel


class _Progress:
    """The library's progress callback: a tqdm bar over epochs (when tqdm is installed and
    ``show``), and Ctrl-C turned into a clean stop of the fit."""

    def __init__(self, show: bool):
        self.interrupted = False
        self.bar = None
        self.epoch = 0
        self.show = show
        self.callback = _native.PROGRESS(self._called)

    def __enter__(self) -> "_Progress":
        # Ctrl-C during the fit sets a flag that the next callback turns into a stop (a
        # KeyboardInterrupt raised inside a C callback would be lost); main thread only.
        import signal
        import threading

        self._previous = None
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._interrupt)
        return self

    def __exit__(self, *exception) -> None:
        import signal

        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _interrupt(self, signum, frame) -> None:
        self.interrupted = True

    def _called(self, context, epoch, epochs, batch, batches, loss, validation_loss) -> int:
        if self.interrupted:
            return 1
        try:
            if self.show and self.bar is None:
                try:
                    from tqdm.auto import tqdm
                    self.bar = tqdm(total=epochs, unit="epoch", desc="vaexprs fit")
                except ImportError:
                    self.show = False
            if self.bar is not None and epoch != self.epoch:
                self.bar.update(epoch - 1 - self.bar.n)
                if not np.isnan(loss):
                    postfix = {"loss": f"{loss:.4g}"}
                    if not np.isnan(validation_loss):
                        postfix["val_loss"] = f"{validation_loss:.4g}"
                    self.bar.set_postfix(postfix, refresh=False)
            self.epoch = epoch
            return 0
        except KeyboardInterrupt:
            self.interrupted = True
            return 1

    def close(self, epochs: int) -> None:
        if self.bar is not None:
            self.bar.update(max(0, epochs - self.bar.n))
            self.bar.close()


def fit(adata: Any, layer: Optional[str] = None, labels_key: Union[None, str, Sequence[str]] = None, *,
        use_raw: bool = False, epochs: int = 300, batch_size: int = 32, validation_split: Optional[float] = 0.1,
        patience: Optional[int] = 20, seed: int = 1, likelihood: Optional[str] = None,
        normalization: Optional[str] = None, preset: Optional[str] = None, top_genes: Optional[int] = None,
        gene_selection: Optional[str] = None, latent_dim: Optional[int] = None, regularization: Optional[float] = None,
        encoder: Union[None, str, Sequence[str]] = None, decoder: Union[None, str, Sequence[str]] = None,
        optimizer: Optional[str] = None, learning_rate: Optional[float] = None, prior: Optional[str] = None,
        sparse_input: Optional[str] = None, precision: Optional[str] = None, threads: Optional[int] = None,
        progress: bool = True, key_added: str = "X_vaexprs") -> VAEModel:
    """Fits a VAE (a conditional VAE with ``labels_key``) to the cells of ``adata``, as
    ``vaexprs fit`` does, and puts the training cells' latent means in ``adata.obsm[key_added]``
    (NaN for the cells held out for validation).

    Args:
        adata: The cells (AnnData). ``X`` is read unless ``layer`` or ``use_raw`` says otherwise;
            dense arrays and CSR/CSC matrices are passed without copying where their dtype allows.
        layer: A layer to fit instead of ``X``, e.g. "counts" (scvi-tools' ``layer``).
        labels_key: An ``obs`` column (or several) whose values condition the model.
        use_raw: Fit ``adata.raw`` (its ``X`` and genes) instead.
        epochs: Most passes over the training cells.
        batch_size: Cells per gradient step.
        validation_split: Fraction of cells held out to validate (seeded); None or 0 for none.
        patience: Epochs without improvement of the validation loss before training stops and the
            best weights are restored; None trains every epoch.
        seed: The same seed, data and options give the same model, bit for bit.
        likelihood: "zinb", "nb", "poisson" (counts), "censored_gaussian", "gaussian", "bernoulli";
            None chooses from the values (counts are modelled as counts).
        normalization: "auto", "lognorm" or "none" before scaling (continuous likelihoods).
        preset: "default" or "original" (the original VAExprs package's model).
        top_genes: Fit the N most variable genes (Seurat v3 on counts); 0 or None: all genes.
        gene_selection: How ``top_genes`` ranks genes: "seurat_v3" or "dispersion".
        latent_dim: Latent dimensions (default 5 for counts, 2 otherwise).
        regularization: KL weight.
        encoder: Encoder layers, e.g. "dense:128:relu,dropout:0.1" or a list of such items.
        decoder: Decoder layers (the output layer is added for the likelihood).
        optimizer: "adam", "sgd" or "rmsprop" (with options, e.g. "sgd:momentum=0.9").
        learning_rate: The optimizer's learning rate.
        prior: The latent prior ("standard_normal" or a plugin's).
        sparse_input: How the first layer reads sparse cells: "auto", "always", "never".
        precision: The training products' precision: "float32" (default) or "bf16" (bfloat16 inputs
            with float32 sums; CPUs with AVX512_BF16 only). The weights stay float32.
        threads: Threads for this call (restored after).
        progress: Show a progress bar (tqdm, when installed).
        key_added: The ``obsm`` key of the latent means.

    Returns:
        The trained :class:`VAEModel`.

    Raises:
        ValueError, KeyError, TypeError: bad options or data, with the library's message naming
            the parameter as this function calls it.
        KeyboardInterrupt: Ctrl-C stopped the fit.
    """
    cells = _data.cells_of(adata, layer, use_raw)
    labels = _data.labels_of(adata, labels_key)
    options = _native.options({
        "epochs": epochs, "batchSize": batch_size, "validationSplit": validation_split or None,
        "patience": patience if validation_split else None, "seed": seed, "likelihood": likelihood,
        "normalization": normalization, "preset": preset, "topGenes": top_genes, "geneSelection": gene_selection,
        "latentDimension": latent_dim, "regularization": regularization,
        "encoder": encoder if isinstance(encoder, (str, type(None))) else list(encoder),
        "decoder": decoder if isinstance(decoder, (str, type(None))) else list(decoder),
        "optimizer": optimizer, "learningRate": learning_rate, "prior": prior, "sparseInput": sparse_input,
        "precision": precision, "threads": threads})
    handle = ctypes.c_void_p()
    error = ctypes.c_void_p()
    with _Progress(progress) as watcher:
        status = _native.lib.vaexprs_fit(cells.pointer, labels.pointer if labels else None, None, None, options,
                                         watcher.callback, None, ctypes.byref(handle), ctypes.byref(error))
    watcher.close(watcher.epoch)
    if watcher.interrupted:
        if error:
            _native.lib.vaexprs_error_free(error)
        raise KeyboardInterrupt("the fit was interrupted")
    _native.check(status, error)
    model = VAEModel(handle)
    means = model.latent_means
    position = {cell: k for k, cell in enumerate(model.training_cells)}
    rows = np.full((adata.n_obs, means.shape[1]), np.nan)
    for i, cell in enumerate(adata.obs_names):
        k = position.get(str(cell))
        if k is not None:
            rows[i] = means[k]
    adata.obsm[key_added] = rows
    return model


def _pair(real: Any, generated: Any, labels_key: Optional[str], layer: Optional[str], use_raw: bool):
    """Real and generated cells on the generated cells' genes, with their labels."""
    genes = [str(g) for g in generated.var_names]
    matrix, real_genes = _data.matrix_of(real, layer, use_raw)
    if real_genes != genes:
        missing = [g for g in genes if g not in set(real_genes)]
        if missing:
            raise ValueError(f"real lacks {len(missing)} of the generated cells' genes (e.g. {missing[0]!r}); give the "
                             "cells the model was fitted on")
        where = {g: k for k, g in enumerate(real_genes)}
        matrix = matrix[:, [where[g] for g in genes]]
    real_cells = _data.NativeCells(matrix, [str(c) for c in real.obs_names], genes, "real")
    generated_cells = _data.cells_of(generated, parameter="generated")
    real_labels = _data.labels_of(real, labels_key) if labels_key else None
    generated_labels = _data.labels_of(generated, labels_key) if labels_key else None
    return real_cells, real_labels, generated_cells, generated_labels


def evaluate(real: Any, generated: Any, labels_key: Optional[str] = None, *, layer: Optional[str] = None,
             use_raw: bool = False, normalization: Optional[str] = None, seed: int = 1, repeats: Optional[int] = None,
             top_genes: Optional[int] = None, threads: Optional[int] = None) -> dict[str, Any]:
    """The realism report of ``generated`` against ``real`` cells (``vaexprs evaluate``):
    classifier two-sample AUCs with a real-vs-real floor, MMD, per-gene statistics, and label
    recovery when ``labels_key`` names the labels in both. Also stored in
    ``generated.uns["vaexprs_realism"]``.

    Args:
        real: Real cells, ideally cells the model never saw (its genes must include the generated ones).
        generated: Generated cells (e.g. from :meth:`VAEModel.generate`).
        labels_key: An ``obs`` column present in both.
        layer, use_raw: Which matrix of ``real`` to read (as in :func:`fit`).
        normalization: "auto" (log-normalise counts), "lognorm" or "none".
        seed, repeats, top_genes, threads: As ``vaexprs evaluate``'s options.

    Returns:
        The report (e.g. ``rf_auc``, ``rf_auc_floor``, ``mmd2``, ``gene_mean_r``).
    """
    real_cells, real_labels, generated_cells, generated_labels = _pair(real, generated, labels_key, layer, use_raw)
    options = _native.options({"normalization": normalization, "seed": seed, "repeats": repeats,
                               "topGenes": top_genes, "threads": threads})
    out = ctypes.c_void_p()
    error = ctypes.c_void_p()
    status = _native.lib.vaexprs_evaluate(
        real_cells.pointer, real_labels.pointer if real_labels else None, generated_cells.pointer,
        generated_labels.pointer if generated_labels else None, options, ctypes.byref(out), ctypes.byref(error))
    _native.check(status, error)
    report = json.loads(_native.take_string(out))
    generated.uns["vaexprs_realism"] = report
    return report


def utility(adata: Any, labels_key: str, *, layer: Optional[str] = None, use_raw: bool = False, kept: int = 5,
            added: int = 50, designs: Sequence[str] = ("per-label", "capped"), held_out: float = 0.5,
            repeats: int = 3, seed: int = 1, epochs: Optional[int] = None, batch_size: Optional[int] = None,
            validation_split: Optional[float] = None, patience: Optional[int] = None, likelihood: Optional[str] = None,
            top_genes: Optional[int] = None, latent_dim: Optional[int] = None,
            regularization: Optional[float] = None, threads: Optional[int] = None) -> dict[str, Any]:
    """Does augmentation help on these cells? ``vaexprs utility``: the cells are split into
    training and held-out parts (stratified by ``labels_key``, seeded); each label in turn keeps
    only ``kept`` training cells (design "per-label"; "capped": every label at once), a model is
    fitted on what is left, and a fixed classifier (PCs of the log-normalised cells, multinomial
    logistic regression) is trained on the real cells alone, with ``added`` duplicated, SMOTE or
    generated cells, or on generated cells alone, and scored on the held-out cells (F1 of the
    reduced label, macro-F1), beside the classifier trained on every training cell. Also stored
    in ``adata.uns["vaexprs_utility"]``.

    Args:
        adata: Labelled cells.
        labels_key: The ``obs`` column scored.
        layer, use_raw: Which matrix to read (as in :func:`fit`).
        kept, added, designs, held_out, repeats: The design (``vaexprs utility``'s options).
        seed: Seeds the splits, the fits (plus the repeat) and generation.
        epochs, batch_size, validation_split, patience, likelihood, top_genes, latent_dim,
            regularization, threads: Fit options (without ``epochs``: 300 with a validation
            split of 0.1 and patience 20).

    Returns:
        The report: ``perLabel`` (per reduced label, F1 and macro-F1 per training set as mean,
        sd and runs), ``perLabelMeanF1``, ``perLabelMeanMacroF1``, ``capped``, ``ceilingMacroF1``.
    """
    cells = _data.cells_of(adata, layer, use_raw)
    labels = _data.labels_of(adata, labels_key)
    options = _native.options({
        "kept": kept, "added": added, "designs": list(designs), "heldOutFraction": held_out, "repeats": repeats,
        "seed": seed, "epochs": epochs, "batchSize": batch_size, "validationSplit": validation_split,
        "patience": patience, "likelihood": likelihood, "topGenes": top_genes, "latentDimension": latent_dim,
        "regularization": regularization, "threads": threads})
    out = ctypes.c_void_p()
    error = ctypes.c_void_p()
    with _Progress(False) as watcher:
        status = _native.lib.vaexprs_utility(cells.pointer, labels.pointer if labels else None, options,
                                             watcher.callback, None, ctypes.byref(out), ctypes.byref(error))
    if watcher.interrupted:
        if error:
            _native.lib.vaexprs_error_free(error)
        raise KeyboardInterrupt("the utility test was interrupted")
    _native.check(status, error)
    report = json.loads(_native.take_string(out))
    adata.uns["vaexprs_utility"] = report
    return report
