"""Where the tests find the shared data sets and the command line (scripts/test.sh sets both)."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shared_data() -> Path:
    path = Path(os.environ.get("VAEXPRS_DATA", ROOT.parent / "shared" / "data"))
    if not (path / "pbmc_small" / "data.h5ad").exists():
        pytest.skip(f"the shared data sets are not at {path} (set VAEXPRS_DATA)")
    return path


@pytest.fixture
def cli() -> str:
    binary = os.environ.get("VAEXPRS_BIN", str(ROOT / ".build" / "debug" / "vaexprs"))
    if not Path(binary).exists():
        pytest.skip(f"no vaexprs binary at {binary} (set VAEXPRS_BIN)")
    return binary


@pytest.fixture
def pbmc(shared_data):
    import anndata

    return anndata.read_h5ad(shared_data / "pbmc_small" / "data.h5ad")
