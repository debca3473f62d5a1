"""The package on the shipped PBMC .h5ad: fit, generate, evaluate and plot; sparse and dense
input; model files shared with the command line; layers and .raw."""

import subprocess

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import vaexprs


def weights(path):
    """A model file's weights: the payload after its JSON header."""
    data = open(path, "rb").read()
    payload = int.from_bytes(data[20:28], "little")
    return data[len(data) - payload:]


def test_fit_generate_evaluate_and_plot(pbmc, tmp_path):
    model = vaexprs.tl.fit(pbmc, labels_key="label", epochs=20, seed=3, progress=False)
    assert model.description["likelihood"] in ("zinb", "nb", "poisson")  # counts as counts
    assert pbmc.obsm["X_vaexprs"].shape == (pbmc.n_obs, model.description["latent_dim"])
    assert np.isnan(pbmc.obsm["X_vaexprs"]).any(axis=1).sum() == pbmc.n_obs - len(model.training_cells)
    generated = model.generate(per_label={"0": 20, "1": 10}, seed=2)
    assert sp.issparse(generated.X) and generated.n_obs == 30
    assert generated.X.dtype == np.int32 and generated.X.data.min() >= 0
    assert isinstance(generated.obs["label"].dtype, pd.CategoricalDtype)
    assert generated.obs["label"].value_counts().to_dict() == {"0": 20, "1": 10}
    assert (generated.obs["origin"] == "generated").all() and generated.obsm["X_vaexprs"].shape[0] == 30
    report = vaexprs.tl.evaluate(pbmc, model.generate(n_obs=60, seed=4), repeats=1)
    assert 0 <= report["rf_auc"] <= 1 and "rf_auc_floor" in report
    figure = vaexprs.pl.aug(pbmc, generated, method="pca", labels_key="label")
    assert figure.axes and figure.axes[0].collections
    vaexprs.pl.aug(pbmc, generated, method="pca", path=tmp_path / "aug.svg")
    assert (tmp_path / "aug.svg").read_text().lstrip().startswith("<")
    assert "<svg" in vaexprs.pl.model(model)
    assert vaexprs.pl.history(model).axes


def test_sparse_and_dense_input_give_the_same_model(pbmc, tmp_path):
    dense = pbmc.copy()
    dense.X = dense.X.toarray()
    vaexprs.tl.fit(pbmc, epochs=5, seed=7, progress=False).save(tmp_path / "sparse.vaexprs")
    vaexprs.tl.fit(dense, epochs=5, seed=7, progress=False).save(tmp_path / "dense.vaexprs")
    assert weights(tmp_path / "sparse.vaexprs") == weights(tmp_path / "dense.vaexprs")


def test_a_model_from_python_generates_the_same_cells_from_the_cli(pbmc, cli, tmp_path):
    model = vaexprs.tl.fit(pbmc, labels_key="label", epochs=5, seed=1, progress=False)
    model.save(tmp_path / "m.vaexprs")
    out = tmp_path / "cli.csv"
    subprocess.run([cli, "generate", str(tmp_path / "m.vaexprs"), "--num-samples", "25", "--seed", "5",
                    "--output", str(out)], check=True, capture_output=True)
    from_cli = pd.read_csv(out, index_col=0)
    from_python = model.generate(n_obs=25, seed=5)
    assert np.array_equal(from_cli.to_numpy(), from_python.X.toarray())
    assert vaexprs.load(tmp_path / "m.vaexprs").description == model.description


def test_bad_input_raises_clear_exceptions(pbmc):
    with pytest.raises(KeyError, match="cell_type"):
        vaexprs.tl.fit(pbmc, labels_key="cell_type", epochs=1, progress=False)
    words = pbmc.copy()
    words.X = np.full(words.shape, "x", dtype=object)
    with pytest.raises(TypeError, match="not numbers"):
        vaexprs.tl.fit(words, epochs=1, progress=False)
    holes = pbmc.copy()
    holes.X = holes.X.toarray()
    holes.X[3, 4] = np.nan
    with pytest.raises(ValueError, match="finite"):
        vaexprs.tl.fit(holes, epochs=1, progress=False)
    fractions = pbmc.copy()
    fractions.X = fractions.X.toarray() + 0.5
    with pytest.raises(ValueError, match="not a count"):
        vaexprs.tl.fit(fractions, likelihood="nb", epochs=1, progress=False)
    with pytest.raises(ValueError, match="top_genes"):
        vaexprs.tl.fit(pbmc, top_genes=-1, epochs=1, progress=False)
    with pytest.raises(ValueError, match="latent_dim"):
        vaexprs.tl.fit(pbmc, latent_dim=0, epochs=1, progress=False)
    with pytest.raises(ValueError, match="precision"):
        vaexprs.tl.fit(pbmc, precision="fp8", epochs=1, progress=False)
    model = vaexprs.tl.fit(pbmc, epochs=1, progress=False)
    with pytest.raises(ValueError, match="per_label"):
        model.generate(per_label={"A": 1})
    with pytest.raises(FileNotFoundError):
        vaexprs.load("/nonexistent/model.vaexprs")


def test_counts_in_a_layer_or_raw(pbmc, cli, tmp_path):
    import anndata

    counts = pbmc.X.copy()
    adata = anndata.AnnData(X=counts.copy(), obs=pbmc.obs[["label"]].copy(), var=pd.DataFrame(index=pbmc.var_names))
    adata.layers["counts"] = counts
    adata.raw = adata.copy()
    totals = np.asarray(counts.sum(axis=1)).ravel()
    adata.X = sp.csr_matrix(np.log1p(counts.multiply(1e4 / totals[:, None]).toarray()))
    path = tmp_path / "scanpy.h5ad"
    adata.write_h5ad(path)
    plain = subprocess.run([cli, "fit", "--counts", str(path), "--epochs", "1", "--output", str(tmp_path / "x.vaexprs")],
                           capture_output=True, text=True)
    # Log-normalised X: its counts are recovered (the layer's, exactly) and modelled as counts.
    assert plain.returncode == 0 and "log-normalised counts, log1p(count × s)" in plain.stderr, plain.stderr
    assert vaexprs.load(tmp_path / "x.vaexprs").description["likelihood_data"] == "counts"
    # Scaled X (sc.pp.scale: centred, values below zero) beside dense counts: fit names the layer.
    dense = adata.copy()
    logged = dense.X.toarray()
    dense.X = (logged - logged.mean(axis=0)) / np.maximum(logged.std(axis=0), 1e-6)
    dense.layers["counts"] = counts.toarray()
    dense.write_h5ad(tmp_path / "dense.h5ad")
    hint = subprocess.run([cli, "fit", "--counts", str(tmp_path / "dense.h5ad"), "--epochs", "1", "--output",
                           str(tmp_path / "d.vaexprs")], capture_output=True, text=True)
    assert hint.returncode == 0 and "--layer counts" in hint.stderr, hint.stderr
    for option in (["--layer", "counts"], ["--use-raw"]):
        run = subprocess.run([cli, "fit", "--counts", str(path), "--epochs", "1", *option, "--output",
                              str(tmp_path / "c.vaexprs")], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        assert vaexprs.load(tmp_path / "c.vaexprs").description["likelihood_data"] == "counts"
    missing = subprocess.run([cli, "fit", "--counts", str(path), "--epochs", "1", "--layer", "spliced", "--output",
                              str(tmp_path / "s.vaexprs")], capture_output=True, text=True)
    assert missing.returncode == 64 and "layers['counts']" in missing.stderr
    assert vaexprs.tl.fit(adata, layer="counts", epochs=1, progress=False).description["likelihood_data"] == "counts"
    assert vaexprs.tl.fit(adata, use_raw=True, epochs=1, progress=False).description["likelihood_data"] == "counts"
