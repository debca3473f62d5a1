"""Ctrl-C stops a fit cleanly, and the interpreter goes on."""

import os
import signal
import threading

import numpy as np
import pytest
import scipy.sparse as sp

import vaexprs


def test_ctrl_c_interrupts_a_fit():
    import anndata

    rng = np.random.default_rng(1)
    adata = anndata.AnnData(X=sp.csr_matrix(rng.poisson(2, size=(2000, 100)).astype(np.float32)))
    timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        vaexprs.tl.fit(adata, epochs=100000, progress=False)
    timer.cancel()
    assert vaexprs.tl.fit(adata[:50].copy(), epochs=1, progress=False).description["training_cells"] == 45
