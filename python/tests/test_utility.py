"""Issue 31 from Python: the utility test on AnnData, and log-normalised X fitted as counts."""

import numpy as np
import pytest
import scanpy as sc
import scipy.sparse as sp

import vaexprs


def test_utility_reports_f1_per_training_set(pbmc):
    report = vaexprs.tl.utility(pbmc, "label", repeats=1, epochs=20, seed=3)
    assert set(report["perLabelMeanF1"]) == {"real", "duplicated", "smote", "generated", "generated_only"}
    assert len(report["perLabel"]) == 3 and report["capped"] is not None
    assert 0 <= report["perLabelMeanF1"]["generated"]["mean"] <= 1
    assert pbmc.uns["vaexprs_utility"] is report
    again = vaexprs.tl.utility(pbmc, "label", repeats=1, epochs=20, seed=3, designs=["per-label"])
    assert again["perLabelMeanF1"]["generated"]["mean"] == report["perLabelMeanF1"]["generated"]["mean"]
    assert again.get("capped") is None
    with pytest.raises(ValueError, match="held_out"):
        vaexprs.tl.utility(pbmc, "label", held_out=1.0)
    with pytest.raises(ValueError, match="per-label"):
        vaexprs.tl.utility(pbmc, "label", designs=["all"])


def test_log_normalised_x_is_fitted_as_counts_and_generated_back_log_normalised(pbmc):
    logged = pbmc.copy()
    sc.pp.normalize_total(logged, target_sum=1e4)
    sc.pp.log1p(logged)
    model = vaexprs.tl.fit(logged, labels_key="label", epochs=10, seed=3, progress=False)
    assert model.description["likelihood"] in ("zinb", "nb", "poisson")
    assert model.description["log_normalised_input"] == "log1p(count × s)"
    generated = model.generate(n_obs=20, seed=2)
    assert generated.X.dtype == np.float32
    totals = np.expm1(generated.X.toarray()).sum(axis=1)
    assert np.all((np.abs(totals - 1e4) < 1) | (totals == 0))
    counts = model.generate(n_obs=20, seed=2, as_counts=True)
    assert counts.X.dtype == np.int32
    # The same draws: the log-normalised cells are the counts, normalised.
    c = counts.X.toarray().astype(np.float64)
    expected = np.log1p(c / np.maximum(c.sum(axis=1, keepdims=True), 1) * 1e4)
    assert np.allclose(generated.X.toarray(), expected, atol=1e-4)
    assert sp.issparse(generated.X)
