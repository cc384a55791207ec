#!/usr/bin/env bash
# Training/.venv: Debian's python3 (with its python3-torch, numpy, ...) plus the PyPI-only
# packages the prior validation needs (bm3d, the BM3D reference denoiser; not in Debian) and the
# DICOM reader tests' pydicom-data files.
# Debian's python is externally managed, so PyPI packages go into this venv, never system-wide.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=Training/.venv
if [ ! -x "$venv/bin/python" ]; then
  /usr/bin/python3 -m venv --system-site-packages "$venv"
fi
# Keep Debian's NumPy/SciPy (torch and PyWavelets are built against them): pin to what is installed.
constraints=$(mktemp)
/usr/bin/python3 -c 'import numpy, scipy; print(f"numpy=={numpy.__version__}\nscipy=={scipy.__version__}")' > "$constraints"
"$venv/bin/python" -c 'import bm3d' 2>/dev/null || "$venv/bin/pip" install --quiet --constraint "$constraints" 'bm3d==3.0.9'
# pydicom-data (MIT): pydicom's larger test files (multi-frame enhanced MR in several transfer
# syntaxes, JPEG lossless, JPEG 2000), used by DICOMTests' reader tests (found through this venv).
"$venv/bin/python" -c 'import data_store' 2>/dev/null || "$venv/bin/pip" install --quiet --no-deps 'pydicom-data==1.0.0'
rm -f "$constraints"
"$venv/bin/python" -c 'import bm3d, torch, data_store; print("Training/.venv: bm3d", bm3d.__name__, "torch", torch.__version__, "pydicom-data", data_store.__version__)'
