#!/usr/bin/env bash
# Single-thread GFLOP/s of the direct 3×3 convolution (Sources/CKernels), AVX2 and AVX-512, on the
# layer shapes of the default prior at 320×320 and 320×368 (docs/performance.md). Needs clang (the Swift toolchain's).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
clang -O2 -ISources/CKernels/include -ISources/CKernels scripts/bench/conv3x3_driver.c Sources/CKernels/*.c -lm -o "$out/driver"
for shape in "12 12 320 320" "24 12 320 320" "24 24 160 160" "48 48 80 80" "96 48 40 40" "12 2 320 320" \
             "12 12 320 368" "24 24 160 184" "48 48 80 92" "96 48 40 46"; do
  "$out/driver" $shape
done
