#!/usr/bin/env bash
# Compares recon's memory estimate (the figure a run is refused with when it exceeds
# --memory-limit; docs/reliability.md) with the measured peak (GNU time's maximum RSS) for one
# slice of FILE, per method. Usage: scripts/memory-estimate.sh FILE [recon options...]
set -euo pipefail
cd "$(dirname "$0")/.."
file=$1; shift
bin=$(swift build -c release --show-bin-path)/mri-daps
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf '%-12s %12s %12s\n' method estimate measured
for method in zero-filled l1-wavelet daps; do
  estimate=$("$bin" recon "$file" --method "$method" --slices 0:1 --out "$tmp/e" --memory-limit 0.000001 "$@" 2>&1 \
    | sed -nE 's/.*needs about ([0-9.]+ [MG]B).*/\1/p') || true
  /usr/bin/time -f '%M' -o "$tmp/rss" "$bin" recon "$file" --method "$method" --slices 0:1 --out "$tmp/$method" "$@" >/dev/null 2>&1
  printf '%-12s %12s %9d MB\n' "$method" "$estimate" $(( $(cat "$tmp/rss") / 1024 ))
done
