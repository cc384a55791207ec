#!/usr/bin/env bash
# Runs the benchmarks behind docs/performance.md on a release build, one after the other (the
# machine should be otherwise idle), and keeps every output in OUT (default out/bench):
#   acquisition.txt    mri-daps bench               (FFT, AᴴA, ESPIRiT, L1-wavelet vs BART)
#   prior.txt          mri-daps bench prior         (UNet at 320², batch 1 and 4, vs sgemm peak and PyTorch)
#   daps-320.txt       mri-daps bench daps --prior knee --size 320   (the square synthetic slice)
#   daps-knee.txt      mri-daps bench daps --prior knee              (fastMRI knee geometry, 640×368×15)
#   knee-like.txt      recon --report of slice 0 of a fastMRI-geometry knee made from
#                      ../shared/data/knee/mridata-axial/knee19.cfl (skipped when absent)
#   scripts/bench-figures.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-out/bench}"
mkdir -p "$out"
swift build -c release >/dev/null
bin=.build/release/mri-daps
"$bin" bench | tee "$out/acquisition.txt"
"$bin" bench prior | tee "$out/prior.txt"
"$bin" bench daps --prior knee --size 320 | tee "$out/daps-320.txt"
"$bin" bench daps --prior knee | tee "$out/daps-knee.txt"
knee=../shared/data/knee/mridata-axial/knee19.cfl
if [[ -f "$knee" ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  /usr/bin/python3 scripts/make_knee_like.py "$knee" "$tmp/knee_like.h5" >/dev/null
  { /usr/bin/time -f "recon wall %e s, peak %M KB" "$bin" recon "$tmp/knee_like.h5" --accel 4 --slices 0:1 \
      --prior knee --out "$tmp/rec" --report "$tmp/report.json" --force
    /usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1])); f=r['files'][0]; print(json.dumps(f.get('timings', f), indent=1))" "$tmp/report.json"
  } 2>&1 | tee "$out/knee-like.txt"
fi
echo "outputs in $out"
