#!/usr/bin/env bash
# Installs the Debian packages VAExprs builds against, when missing:
# OpenBLAS (cblas_sgemm), LAPACKE (SVD, eigen), ARPACK (sparse eigenpairs), zlib (gzip,
# CRC-32), HDF5 (.h5ad and 10x .h5 in and out), cairo (PNG and PDF plots), Graphviz (model graphs), libffi
# (plugins made of plain C functions), make and gcc (the plugin tests build scaffolds) and
# poppler-utils (the tests render PDFs with pdftoppm), python3-venv (the interoperability test
# installs anndata from PyPI into a virtual environment). Needs root (or sudo) and apt-get.
#   scripts/install-deps.sh [--mpi] [--r]   (--mpi: Open MPI too, for the tests of fits over several
#   processes; VAExprs itself loads MPI only when started by mpirun or srun. --r: R and the R
#   packages the R package vaexprs uses and is tested with)
set -euo pipefail
packages=(libopenblas-dev liblapacke-dev libarpack2-dev zlib1g-dev libhdf5-dev libcairo2-dev libgraphviz-dev libffi-dev poppler-utils make gcc python3-venv)
for option in "$@"; do
  case "$option" in
    --mpi) packages+=(openmpi-bin) ;;
    --r) packages+=(r-base-dev r-cran-jsonlite r-cran-matrix r-cran-ggplot2 r-cran-testthat
                    r-bioc-singlecellexperiment r-bioc-scater) ;;
    *) echo "install-deps.sh: unknown option $option (give --mpi, --r)" >&2; exit 64 ;;
  esac
done
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
