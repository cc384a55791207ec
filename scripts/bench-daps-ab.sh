#!/usr/bin/env bash
# Before/after timing of DAPS on this (shared, drifting) machine: runs `bench daps` of two
# mri-daps binaries in alternation, ROUNDS times each, and prints each run, the medians (total,
# network, conditional, operator summed over draws) and the median of the rounds' paired
# differences (after − before, in seconds and per cent; the protocol's draws batched, or
# --draws N: give it when the two builds' presets differ), so that a change of the host's speed
# during the measurement hits both builds alike (docs/performance.md).
#   scripts/bench-daps-ab.sh BEFORE_BIN AFTER_BIN [ROUNDS] [-- bench daps options]
# e.g. scripts/bench-daps-ab.sh /tmp/base/mri-daps .build/release/mri-daps 3 -- --prior knee
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: $0 BEFORE_BIN AFTER_BIN [ROUNDS] [-- bench daps options]" >&2; exit 2; }
before=$1 after=$2
shift 2
rounds=3
if [[ $# -gt 0 && $1 != "--" ]]; then rounds=$1; shift; fi
[[ $# -gt 0 && $1 == "--" ]] && shift
opts=("$@")
[[ ${#opts[@]} -gt 0 ]] || opts=(--prior knee)
for bin in "$before" "$after"; do
  [[ -x $bin ]] || { echo "$0: $bin: not an executable" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for ((r = 1; r <= rounds; r++)); do
  for which in before after; do
    bin=$before
    [[ $which == after ]] && bin=$after
    "$bin" bench daps "${opts[@]}" --json > "$tmp/$which-$r.json"
    /usr/bin/python3 - "$tmp/$which-$r.json" "$which" "$r" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))["batched"]
print(f"round {sys.argv[3]} {sys.argv[2]:6s}: total {b['seconds']:.1f} s, network {b['network']:.1f} s, "
      f"conditional {b['conditional']:.1f} s, operator {b['operator_seconds']:.1f} s")
PY
  done
done
/usr/bin/python3 - "$tmp" "$rounds" <<'PY'
import json, statistics, sys
d, n = sys.argv[1], int(sys.argv[2])
runs = {which: [json.load(open(f"{d}/{which}-{r}.json")) for r in range(1, n + 1)] for which in ("before", "after")}
for which in ("before", "after"):
    med = {k: statistics.median(x["batched"][k] for x in runs[which]) for k in ("seconds", "network", "conditional", "operator_seconds")}
    rss = max(x.get("peak_rss_mb") or 0 for x in runs[which])
    first = runs[which][0]
    print(f"median {which:6s}: total {med['seconds']:.1f} s, network {med['network']:.1f} s, "
          f"conditional {med['conditional']:.1f} s, operator {med['operator_seconds']:.1f} s, peak RSS {rss:.0f} MB "
          f"({first['blas_kernels'] if 'blas_kernels' in first else 'OpenBLAS default'} kernels)")
# Each round runs the two builds back to back, so the round's difference is the least exposed to
# the host's drift (which can move both medians by more than a change's effect).
keys = (("seconds", "total"), ("network", "network"), ("conditional", "conditional"), ("operator_seconds", "operator"))
diff = {}
for k, _ in keys:
    pairs = [(b["batched"][k], a["batched"][k]) for b, a in zip(runs["before"], runs["after"])]
    diff[k] = (statistics.median(a - b for b, a in pairs), statistics.median((a - b) / b for b, a in pairs))
print("median of the rounds' after − before: " + ", ".join(
    f"{name} {diff[k][0]:+.2f} s ({100 * diff[k][1]:+.0f} %)" for k, name in keys))
PY
