"""The README's "In Python" block, run as written on the shipped pbmc_small .h5ad (copied to
data.h5ad in a scratch folder), with scanpy: fit a CVAE on its counts, generate 500 cells,
concatenate, normalize_total, log1p, pca, plot."""

import os
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_scanpy_workflow_runs(shared_data, tmp_path, monkeypatch, capsys):
    pytest.importorskip("scanpy")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
              if "vaexprs.tl.fit" in b]
    assert blocks, "the README has no Python block with vaexprs.tl.fit"
    code = blocks[0].replace("epochs=300", "epochs=30")  # the suite stays fast; nothing else changes
    shutil.copy(shared_data / "pbmc_small" / "data.h5ad", tmp_path / "data.h5ad")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    both = namespace["both"]
    assert both.n_obs == 80 + 500 and set(both.obs["origin"]) == {"real", "generated"}
    assert "X_pca" in both.obsm
    assert (tmp_path / "figures" / "pca_augmented.png").exists()
    auc = float(capsys.readouterr().out.strip().splitlines()[-1])
    assert 0 <= auc <= 1
