#!/usr/bin/env bash
# Coverage-guided fuzzing of mri-daps's parsers (docs/reliability.md "Fuzzing").
#
#   scripts/fuzz.sh [--seconds N] [--chunk C] [--rss-mb M] [--timeout S] [--asan] [--keep] [TARGET...]
#
# Builds the libFuzzer binary (Sources/mri-daps-fuzz compiled with -sanitize=fuzzer -DFUZZING,
# the C/C++ shims with -fsanitize=fuzzer-no-link; scratch path .build-fuzz, or .build-fuzz-asan
# with --asan, which adds AddressSanitizer), then runs each TARGET (default: fastmri ismrmrd
# safetensors protocol dicom; `hdf5`, raw HDF5 bytes, finds crashes inside libhdf5 and is run
# only when named) for N seconds (default 60) starting from the committed
# seeds in Tests/Fuzz/corpus/TARGET (read only: new inputs go to a temporary corpus).
# Per input: -timeout S seconds (default 10); per process: -rss_limit_mb M (default 2048); each
# target runs as fresh processes of at most C seconds (default 30) sharing one growing corpus.
# Crash, timeout and out-of-memory reproducers are written under a temporary folder, which is
# kept (and named) when anything is found; the exit status is then 1. Replay one with
#   "$(swift build --show-bin-path)/mri-daps-fuzz" TARGET FILE
# Environment: MRI_DAPS_FUZZ_WORK=DIR puts the temporary folder there.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60 chunk=30 rss=2048 timeout=10 asan=0 keep=0 targets=()
while (($#)); do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --rss-mb) rss="$2"; shift 2 ;;
    --chunk) chunk="$2"; shift 2 ;;
    --timeout) timeout="$2"; shift 2 ;;
    --asan) asan=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    fastmri|ismrmrd|safetensors|protocol|dicom|twix|hdf5) targets+=("$1"); shift ;;
    *) echo "fuzz.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
((${#targets[@]})) || targets=(fastmri ismrmrd safetensors protocol dicom twix)

# Input size limits: keep equal to FuzzTarget.maximumLength.
declare -A max_len=([fastmri]=4096 [hdf5]=65536 [dicom]=32768 [safetensors]=65536 [ismrmrd]=16384 [protocol]=16384 [twix]=32768)

sanitize=fuzzer scratch=.build-fuzz
if ((asan)); then sanitize=fuzzer,address scratch=.build-fuzz-asan; fi
build=(swift build --scratch-path "$scratch" -c release --product mri-daps-fuzz
  -Xswiftc "-sanitize=$sanitize" -Xswiftc -DFUZZING -Xswiftc -use-ld=lld
  -Xcc -fsanitize=fuzzer-no-link -Xcxx -fsanitize=fuzzer-no-link)
if ((asan)); then build+=(-Xcc -fsanitize=address -Xcxx -fsanitize=address); fi
base="${MRI_DAPS_FUZZ_WORK:-${TMPDIR:-/tmp}}"
mkdir -p "$base"
work=$(mktemp -d "$base/mri-daps-fuzz.XXXXXX")
start=$SECONDS
if ! "${build[@]}" >"$work/build.log" 2>&1; then
  tail -30 "$work/build.log" >&2
  echo "fuzz.sh: the fuzz build failed (log: $work/build.log)" >&2
  exit 1
fi
echo "fuzz build: $((SECONDS - start)) s (${build[*]})"
bin="$scratch/release/mri-daps-fuzz"
scratchfiles="$work/tmp"
# HDF5 and DCMTK open paths: the per-process scratch file goes to memory when possible.
if [[ -d /dev/shm && -w /dev/shm ]]; then scratchfiles=$(mktemp -d /dev/shm/mri-daps-fuzz.XXXXXX); fi
mkdir -p "$scratchfiles"

found=0
for t in "${targets[@]}"; do
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  log="$work/$t.log"
  : >"$log"
  # Chunks of at most $chunk seconds, each a fresh process continuing from the corpus so far:
  # Foundation's XMLParser on Linux leaks memory on every malformed document (docs/reliability.md),
  # which would otherwise add up to the RSS limit in long runs.
  status=0 left=$seconds runs=0
  while ((left > 0 && status == 0)); do
    n=$((left < chunk ? left : chunk))
    set +e
    MRI_DAPS_FUZZ_TARGET=$t TMPDIR="$scratchfiles" SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 \
      "$bin" -max_total_time="$n" -rss_limit_mb="$rss" -timeout="$timeout" -max_len="${max_len[$t]}" \
      -artifact_prefix="$work/$t/artifacts/" -print_final_stats=1 \
      "$work/$t/corpus" "Tests/Fuzz/corpus/$t" >>"$log" 2>&1
    status=$?
    set -e
    done_now=$(grep -E '^stat::number_of_executed_units' "$log" | tail -1 | awk '{print $2}')
    runs=$((runs + ${done_now:-0}))
    left=$((left - n))
  done
  rate=$((runs / seconds))
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' || true)
  corpus="$(find "$work/$t/corpus" -type f | wc -l) new inputs"
  artifacts=$(find "$work/$t/artifacts" -type f | sort)
  echo "$t: ${seconds} s, $runs inputs, $rate exec/s, ${last:-no stats}, $corpus, exit $status"
  if [[ -n "$artifacts" || $status -ne 0 ]]; then
    found=1
    echo "  FOUND (log: $log):"
    grep -E 'Fatal error|SUMMARY|ERROR: libFuzzer|deadly signal|out-of-memory|timeout' "$log" | head -5 | sed 's/^/    /'
    for a in $artifacts; do echo "    $a"; done
  fi
done
rm -rf "$scratchfiles"
if ((found || keep)); then
  echo "fuzz.sh: logs, corpora and reproducers kept in $work"
else
  rm -rf "$work"
fi
if ((found)); then
  echo "fuzz.sh: FAILED: crashes found; replay with: \"\$(swift build --show-bin-path)/mri-daps-fuzz\" TARGET FILE" >&2
  exit 1
fi
echo "fuzz.sh: no crashes in ${targets[*]}"
