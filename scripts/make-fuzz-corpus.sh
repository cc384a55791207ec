#!/usr/bin/env bash
# Regenerates the fuzzers' seed corpora under Tests/Fuzz/corpus/<target>/ (docs/reliability.md
# "Fuzzing"): small files of Tests/Fixtures copied as they are (fix-*), plus the seeds that
# `mri-daps-fuzz seeds` writes with mri-daps's own writers (gen-*). Crash reproducers (crash-*)
# that scripts/fuzz.sh found and that were fixed are kept. Never reads ../shared.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=Tests/Fuzz/corpus
swift build --product mri-daps-fuzz >/dev/null
bin="$(swift build --show-bin-path)/mri-daps-fuzz"
mkdir -p "$corpus"/{fastmri,hdf5,ismrmrd,safetensors,protocol,dicom,twix}
rm -f "$corpus"/*/gen-* "$corpus"/*/fix-*
"$bin" seeds "$corpus"
for f in Tests/Fixtures/io/*.h5; do cp "$f" "$corpus/hdf5/fix-$(basename "$f")"; done
for f in Tests/Fixtures/io/*.xml; do cp "$f" "$corpus/ismrmrd/fix-$(basename "$f")"; done
cp Tests/Fixtures/prior/tiny_unet_io.safetensors "$corpus/safetensors/fix-tiny_unet_io.safetensors"
cp Tests/Fixtures/dicom/MR_small_jpeg_baseline.dcm "$corpus/dicom/fix-MR_small_jpeg_baseline.dcm"
du -sh "$corpus"/*
