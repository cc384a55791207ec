#!/usr/bin/env bash
# Before/after single-thread timing of the direct 3×3 convolution kernel: COMMIT's
# Sources/CKernels/conv3x3.c against this tree's, interleaved in one process
# (scripts/bench/conv3x3_ab.c; docs/performance.md). Needs clang (the Swift toolchain's).
#   scripts/bench-conv3x3-ab.sh COMMIT
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: $0 COMMIT" >&2; exit 2; }
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
git show "$1:Sources/CKernels/conv3x3.c" > "$out/old.c" || { echo "$0: no conv3x3.c at $1" >&2; exit 1; }
# Rename the old file's exported symbols (old_ck_…) so both versions link into one driver.
sed -i -E 's/\bck_conv3x3(_variant|_scratch|_packed_size|_pack)?\b/old_&/g' "$out/old.c"
sed -i '0,/#include "ck_internal.h"/s//#include "ck_internal.h"\
void old_ck_conv3x3_variant(int, const float *, int, int, int, const float *, const float *, int, float *, int, int,\
                            int, const float *, const float *, float *);/' "$out/old.c"
clang -O2 -ISources/CKernels/include -ISources/CKernels \
  scripts/bench/conv3x3_ab.c "$out/old.c" Sources/CKernels/*.c -lm -o "$out/ab"
"$out/ab"
