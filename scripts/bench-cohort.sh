#!/usr/bin/env bash
# The figures of docs/scaling.md, on a release build of this machine (keep it otherwise idle):
#   1. recon --jobs 1 against --jobs 2 over four one-slice fastMRI-geometry knee inputs (640×368,
#      2× readout oversampling, 15 coils, made by scripts/make_knee_like.py from
#      ../shared/data/knee/mridata-axial knee01–04; coils, phase and noise simulated), for
#      zero-filled, SENSE and DAPS (knee prior, default protocol), wall time of each run, and
#      --jobs 1 --threads 1 (the work each --jobs 2 worker does, on one core);
#   2. the same four inputs as a Slurm cohort (mri-daps slurm submit, one slice per task) with
#      one task at a time (--array-limit 1, 2 CPUs per task) and two at a time (--array-limit 2,
#      1 CPU per task), wall time from submit until `slurm status` (polled every 2 s) shows every
#      output merged; needs a Slurm
#      (SLURM_CONF; e.g. eval "$(scripts/slurm-test-cluster.sh start)"), else skipped.
#   scripts/bench-cohort.sh [OUT] [METHODS]      (METHODS default "zero-filled sense daps")
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-out/bench-cohort}"
methods="${2:-zero-filled sense daps}"
mkdir -p "$out"
swift build -c release --product mri-daps >/dev/null
bin=$PWD/.build/release/mri-daps
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
inputs=()
for k in 01 02 03 04; do
  /usr/bin/python3 scripts/make_knee_like.py "../shared/data/knee/mridata-axial/knee$k.cfl" "$work/knee$k.h5" --slices 1 >/dev/null
  inputs+=("$work/knee$k.h5")
done
now() { date +%s.%N; }
elapsed() { awk -v a="$(now)" -v b="$1" 'BEGIN { print a - b }'; }
log="$out/cohort.txt"
echo "# $(date -u +%FT%TZ) $(nproc) cores; four one-slice 640×368×15 inputs, --accel 4" | tee "$log"
for m in $methods; do
  for j in 1 2; do
    t0=$(now)
    "$bin" recon "${inputs[@]}" --method "$m" --accel 4 --jobs "$j" --out "$work/jobs$j-$m" >/dev/null 2>"$work/err"
    printf "recon --jobs %d  %-12s %7.1f s\n" "$j" "$m" "$(elapsed "$t0")" | tee -a "$log"
  done
  # The same work on one core: what each --jobs 2 worker runs (one thread), one input after the other.
  t0=$(now)
  "$bin" recon "${inputs[@]}" --method "$m" --accel 4 --jobs 1 --threads 1 --out "$work/threads1-$m" >/dev/null 2>"$work/err"
  printf "recon --jobs 1 --threads 1  %-12s %7.1f s\n" "$m" "$(elapsed "$t0")" | tee -a "$log"
  cmp <(h5dump -d reconstruction "$work/jobs1-$m/knee01.h5" | tail -n +3) <(h5dump -d reconstruction "$work/jobs2-$m/knee01.h5" | tail -n +3) >/dev/null \
    && echo "  --jobs 1 and 2 outputs identical (knee01)" | tee -a "$log"
done
if [[ -n "${SLURM_CONF:-}" ]] && command -v sbatch >/dev/null; then
  for m in $methods; do
    for tasks in 1 2; do
      dir="$work/slurm$tasks-$m"
      t0=$(now)
      "$bin" slurm submit "${inputs[@]}" --method "$m" --accel 4 --out "$dir" --slices-per-task 1 \
        --array-limit "$tasks" --cpus-per-task $((2 / tasks)) >/dev/null
      # Polled every 2 s: each status call costs ~0.2 CPU-s, which a two-lane DAPS slice feels.
      while sleep 2; do
        st=$("$bin" slurm status "$dir")
        grep -q "4/4 outputs done" <<<"$st" && break
        if grep -qE "FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY" <<<"$st"; then echo "slurm run failed" >&2; echo "$st" >&2; exit 1; fi
      done
      printf "slurm %d task(s) at a time  %-12s %7.1f s\n" "$tasks" "$m" "$(elapsed "$t0")" | tee -a "$log"
    done
  done
else
  echo "slurm: skipped (no SLURM_CONF / sbatch)" | tee -a "$log"
fi
