#!/usr/bin/env bash
# Installs the Debian packages mri-daps needs to build, test and benchmark (idempotent).
# Build: FFTW (single precision + threads), serial HDF5, OpenBLAS + LAPACKE.
# Peers and fixtures: BART, NumPy/h5py/scikit-image/SciPy/nibabel, HDF5 tools,
# mricron-data (Colin27 template for SampleData/make_sample.py); PyTorch + pytest + pydicom for Training/;
# venv + pip for Training/.venv (PyPI-only bm3d, scripts/setup-training-venv.sh).
# DICOM: DCMTK (libdcmtk-dev, linked by name by Sources/DCMTKShim; dcmtk tools, storescp used by DICOMTests) and
# dicom3tools (dciodvfy, used by DICOMTests); Orthanc + its DICOMweb plugin and curl for the send round trip
# (DICOMSendTests start a private Orthanc via scripts/orthanc-test-server.sh; the packaged service is not used).
# libcurl4-openssl-dev: STOW-RS goes through libcurl (Sources/CurlShim); openssl makes the throw-away CA and
# certificates of the TLS send tests.
# libismrmrd-dev: ISMRMRD HDF5 raw data in (Sources/CISMRMRD, the format's own C library); ismrmrd-tools generates
# test inputs (ismrmrd_generate_cartesian_shepp_logan).
# libpng-dev: the PNG previews (Sources/PNGShim).
# slurm-wlm + munge: the private single-node Slurm of the cohort integration tests (scripts/slurm-test-cluster.sh,
# started by .ci/run; the packaged services are not used).
# python3-gdcm lets pydicom decode JPEG/JPEG-LS/JPEG 2000, the independent reference for DICOM reading tests.
set -euo pipefail
PACKAGES=(
  pkg-config libfftw3-dev libhdf5-dev libopenblas-dev liblapacke-dev
  bart hdf5-tools
  python3-numpy python3-h5py python3-skimage python3-scipy python3-nibabel mricron-data
  python3-torch python3-pytest python3-pydicom
  python3-venv python3-pip
  libdcmtk-dev dcmtk dicom3tools python3-gdcm
  orthanc orthanc-dicomweb curl
  libcurl4-openssl-dev openssl
  libismrmrd-dev ismrmrd-tools
  libpng-dev
  slurm-wlm slurm-client munge
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "dependencies present: ${PACKAGES[*]}"
