"""VAExprs on AnnData: fit (conditional) variational autoencoders to cells and generate
realistic new ones, scverse style (``tl``, ``pl``), on the VAExprs engine (libvaexprs).

    import vaexprs
    model = vaexprs.tl.fit(adata, layer="counts", labels_key="cell_type")
    generated = model.generate(n_obs=500)
    vaexprs.tl.evaluate(adata, generated, labels_key="cell_type")
    vaexprs.pl.aug(adata, generated, method="umap", labels_key="cell_type")
"""

from . import pl, tl
from ._native import version
from .model import VAEModel, load

__version__ = "0.8.0"
__all__ = ["tl", "pl", "VAEModel", "load", "version"]
