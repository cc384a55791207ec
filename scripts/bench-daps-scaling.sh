#!/usr/bin/env bash
# How the time of DAPS grows with draws, coils, matrix and slices (docs/performance.md, "How the
# cost grows"), on a release build of this checkout, one run after the other on the idle machine:
#   - `bench daps` of the built-in fastMRI knee geometry (640×368, 15 coils → 8 virtual coils) with
#     1 draw and the protocol's draws (its `samples`), and with all 15 coils (--virtual-coils 15);
#   - `bench daps` of synthetic 8-coil slices of 256² (the brain case, brain-4x) and 320²;
#   - `recon` of a 3-slice fastMRI-geometry knee made from knee19 (skipped when
#     ../shared/data is absent): the whole process per slice, for the volume time.
#   scripts/bench-daps-scaling.sh [OUT]   (default out/bench-scaling)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-out/bench-scaling}"
mkdir -p "$out"
swift build -c release >/dev/null
bin=.build/release/mri-daps
row() {  # name, then bench daps options
  local name=$1; shift
  "$bin" bench daps "$@" --json > "$out/$name.json"
  /usr/bin/python3 - "$out/$name.json" "$name" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for run in (r["single"], r["batched"]):
    print(f"| {sys.argv[2]} | {r['virtual_coils']} | {r['height']}×{r['width']} | {run['draws']} | {run['seconds']:.1f} | "
          f"{run['network']:.1f} | {run['conditional']:.1f} | {r.get('peak_rss_mb') or 0:.0f} MB |")
PY
}
{
  echo "| case | coils (sampler) | matrix | draws | total (s) | network (s) | conditional (s) | peak RSS |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  row knee-geometry --prior knee
  row knee-geometry-15-coils --prior knee --virtual-coils 15
  row brain-256-8-coils --size 256 --coils 8 --prior brain --protocol brain-4x
  row synthetic-320-8-coils --size 320 --coils 8 --prior knee
} | tee "$out/table.md"
knee=../shared/data/knee/mridata-axial/knee19.cfl
if [[ -f "$knee" ]]; then
  /usr/bin/python3 scripts/make_knee_like.py "$knee" "$out/knee_like3.h5" --slices 3 >/dev/null
  /usr/bin/time -f "recon of 3 slices: wall %e s, peak %M KB" "$bin" recon "$out/knee_like3.h5" --accel 4 --prior knee \
    --out "$out/rec" --report "$out/report.json" --force 2>&1 | tail -2 | tee "$out/volume.txt"
fi
echo "outputs in $out"
