#!/usr/bin/env bash
# The issue-16 figures for the Siemens TWIX phantom scans of ../shared/data/raw/twix:
# 1. k-space of `mri-daps convert` against BART's `twixread -A` (the VD file from a zero-padded
#    scratch copy, whose truncated ACQEND BART cannot read: ../shared/data/raw/README.md quirk 3)
#    and, when TWIX_PYTHON names a Python with twixtools (e.g. a venv: pip install twixtools),
#    twixtools' `read_twix`;
# 2. correlation of recon zero-filled / SENSE / DAPS (release build) with the centred inverse FFT
#    of that k-space (the issue asks >= 0.999);
# 3. the 4-channel EPI refused in one line.
# Usage: bash scripts/check-twix.sh [--binary PATH]   (default .build/release/mri-daps)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release/mri-daps
[[ "${1:-}" == "--binary" ]] && BIN=$2
RAW=../shared/data/raw/twix
[[ -d $RAW ]] || { echo "check-twix: $RAW is absent"; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for name in pulseq_gre_vb_trio_1ch pulseq_gre_vd_prisma_1ch; do
  dat=$RAW/$name.dat
  "$BIN" convert "$dat" -o "$WORK/$name.h5" > /dev/null
  src=$dat
  if [[ $name == *_vd_* ]]; then cp "$dat" "$WORK/padded.dat"; head -c 8192 /dev/zero >> "$WORK/padded.dat"; src=$WORK/padded.dat; fi
  bart twixread -A "$src" "$WORK/$name-bart" > /dev/null 2>&1 || echo "$name: bart twixread failed"
  for m in zero-filled sense daps; do "$BIN" recon "$dat" --method $m --out "$WORK/$m" > /dev/null 2>&1; done
  /usr/bin/python3 - "$WORK" "$name" "$dat" <<'PY'
import sys, numpy as np, h5py
work, name, dat = sys.argv[1:4]
k = h5py.File(f"{work}/{name}.h5")["kspace"][0]            # (coils, readout, line)
np.save(f"{work}/{name}-k.npy", k)
def cfl(base):
    dims = [int(d) for d in open(base + ".hdr").read().split("\n")[1].split()]
    a = np.fromfile(base + ".cfl", np.complex64).reshape(dims, order="F").reshape(dims[0], dims[1], dims[3], order="F")
    return np.moveaxis(a, -1, 0)                              # BART (readout, line, 1, coil) -> (coil, readout, line)
try:
    b = cfl(f"{work}/{name}-bart")
    print(f"{name}: convert vs bart twixread: max |difference| {np.abs(b - k).max():.3g} (of max {np.abs(k).max():.3g})")
except Exception as e:
    print(f"{name}: bart twixread unavailable ({e})")
img = np.abs(np.fft.fftshift(np.fft.ifft2(np.fft.ifftshift(k, axes=(-2, -1)), axes=(-2, -1), norm="ortho"), axes=(-2, -1)))
img = np.sqrt((img ** 2).sum(0)).ravel()
for m in ["zero-filled", "sense", "daps"]:
    r = h5py.File(f"{work}/{m}/{name}.h5")["reconstruction"][0].ravel()
    print(f"{name}: {m:11s} correlation with ifft2c(k) {np.corrcoef(r, img)[0, 1]:.6f}")
PY
  if [[ -n "${TWIX_PYTHON:-}" ]]; then
    "$TWIX_PYTHON" - "$WORK" "$name" "$dat" <<'PY'
import sys, numpy as np, twixtools
work, name, dat = sys.argv[1:4]
k = np.load(f"{work}/{name}-k.npy")
scans = [s for s in twixtools.read_twix(dat)[-1]["mdb"] if s.is_image_scan()]
t = np.zeros_like(k)
for s in scans:
    t[:, :, s.cLin] = s.data                                  # (channels, samples) per line
print(f"{name}: convert vs twixtools read_twix: max |difference| {np.abs(t - k).max():.3g}")
PY
  fi
done
if "$BIN" convert "$RAW/pulseq_epi_vb_trio_4ch.dat" -o "$WORK/epi.h5" 2> "$WORK/epi.err"; then
  echo "EPI: converted (expected a refusal)"; exit 1
fi
echo "EPI: $(cat "$WORK/epi.err")"
