#!/bin/bash
# Builds the perf.data reader fuzzer with clang and runs it for a bounded time.
#   libpml/fuzz/run-fuzz.sh [BUILD_DIR [SECONDS]]
# BUILD_DIR defaults to build/fuzz, SECONDS to 60. The seed corpus is written
# by libpml's own writer (plus a perf record file when perf works here);
# crashes land in BUILD_DIR/artifacts and fail the run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-$repo/build/fuzz}
secs=${2:-60}
case $build in /*) ;; *) build=$PWD/$build ;; esac

CXX=${CXX:-clang++} cmake -S "$repo" -B "$build" -DPML_FUZZ=ON -DPML_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target perf_data_reader_fuzz pml_fuzz_seeds

corpus=$build/corpus
mkdir -p "$corpus" "$build/artifacts"
"$build/libpml/fuzz/pml_fuzz_seeds" "$corpus"
if command -v perf >/dev/null 2>&1; then
  perf record -q -e page-faults -c 1 -d -o "$corpus/seed-perf-record.data" -- /bin/true \
    >/dev/null 2>&1 || rm -f "$corpus/seed-perf-record.data"
fi

echo "fuzzing the perf.data reader for ${secs}s (corpus $corpus)"
"$build/libpml/fuzz/perf_data_reader_fuzz" -max_total_time="$secs" -max_len=65536 \
  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$build/artifacts/" "$corpus"
