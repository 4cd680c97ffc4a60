#!/bin/bash
# Builds the fuzzers with clang and runs each for a bounded time: the
# perf.data reader, and the ELF data-symbol reader (elfutils underneath).
#   libpml/fuzz/run-fuzz.sh [BUILD_DIR [SECONDS]]
# BUILD_DIR defaults to build/fuzz, SECONDS (per fuzzer) to 60. The seed corpus is written
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
cmake --build "$build" -j2 --target perf_data_reader_fuzz elf_data_symbols_fuzz pml_fuzz_seeds

corpus=$build/corpus
mkdir -p "$corpus" "$build/artifacts"
"$build/libpml/fuzz/pml_fuzz_seeds" "$corpus"
if command -v perf >/dev/null 2>&1; then
  perf record -q -e page-faults -c 1 -d -o "$corpus/seed-perf-record.data" -- /bin/true \
    >/dev/null 2>&1 || rm -f "$corpus/seed-perf-record.data"
  # Pipe mode as perf writes it (HEADER_ATTR, HEADER_FEATURE, EVENT_UPDATE, ...).
  perf record -q -e page-faults -c 1 -d -o - -- /bin/true >"$corpus/seed-perf-pipe.data" \
    2>/dev/null || rm -f "$corpus/seed-perf-pipe.data"
fi

echo "fuzzing the perf.data reader for ${secs}s (corpus $corpus)"
"$build/libpml/fuzz/perf_data_reader_fuzz" -max_total_time="$secs" -max_len=65536 \
  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$build/artifacts/" "$corpus"

# ELF seeds: small binaries of this system (a PIE, a shared library) and a
# relocatable object, each under the length limit.
elf_corpus=$build/elf-corpus
mkdir -p "$elf_corpus"
for f in /bin/true /usr/lib/x86_64-linux-gnu/libdl.so.2 /usr/lib/x86_64-linux-gnu/crt1.o; do
  if [ -f "$f" ] && [ "$(stat -c %s "$f")" -le 65536 ]; then cp "$f" "$elf_corpus/seed-$(basename "$f")"; fi
done
echo "fuzzing the ELF data-symbol reader for ${secs}s (corpus $elf_corpus)"
"$build/libpml/fuzz/elf_data_symbols_fuzz" -max_total_time="$secs" -max_len=65536 \
  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$build/artifacts/elf-" "$elf_corpus"
