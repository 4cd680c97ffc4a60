#!/bin/bash
# Records per second and peak memory of `perf pml report` against Debian's
# `perf script` on the same large generated perf.data file; one run each,
# printed as ratios. Not a test: run it by hand (it takes minutes).
#
#   bench/run-bench.sh [SIZE [DIR]]     SIZE default 3G, DIR default build/bench
#
# Needs build/userland built (perf-pml, pml-gen) and /usr/bin/perf.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
size=${1:-3G}
dir=${2:-$repo/build/bench}
perf_pml=${PERF_PML:-$repo/build/userland/tools/perf-pml/perf-pml}
gen=${PML_GEN:-$repo/build/userland/bench/pml-gen}
perf=${PERF:-/usr/bin/perf}
for b in "$perf_pml" "$gen" "$perf"; do
  [ -x "$b" ] || { echo "missing $b (build with cmake first)"; exit 1; }
done
mkdir -p "$dir"
file=$dir/bench-$size.data

if [ ! -s "$file" ]; then
  echo "generating $file ($size, mixed pattern, 4 threads)..."
  "$gen" -o "$file" --size "$size" --pattern mixed --threads 4 --pages-per-epoch 20000 --epoch-ms 10
fi
bytes=$(stat -c %s "$file")
# pml-gen writes fixed-size 112-byte samples; count them exactly with our script.
samples=$("$perf_pml" script -i "$file" -S | wc -l)
echo "file: $file, $bytes bytes, $samples samples"
cat "$file" > /dev/null  # same warm page cache for both readers

read -r pml_s pml_kb pml_rc < <(python3 "$here/measure.py" "$perf_pml" report -i "$file" --stdio)
read -r perf_s perf_kb perf_rc < <(python3 "$here/measure.py" "$perf" script -i "$file")
read -r pmls_s pmls_kb pmls_rc < <(python3 "$here/measure.py" "$perf_pml" script -i "$file")

python3 - "$samples" "$pml_s" "$pml_kb" "$perf_s" "$perf_kb" "$pmls_s" "$pmls_kb" "$pml_rc" "$perf_rc" <<'PY'
import sys
n = int(sys.argv[1])
pml_s, pml_kb, perf_s, perf_kb, pmls_s, pmls_kb = map(float, sys.argv[2:8])
rc = sys.argv[8:10]
def row(name, s, kb):
    print(f"  {name:28s} {s:9.2f} s  {n / s / 1e6:8.2f} M records/s  peak RSS {kb / 1024:8.1f} MiB")
print(f"records: {n}")
row("perf pml report --stdio", pml_s, pml_kb)
row("perf script (Debian 6.1)", perf_s, perf_kb)
row("perf pml script", pmls_s, pmls_kb)
print(f"ratio records/s  perf-pml report / perf script: {perf_s / pml_s:.3g}x")
print(f"ratio peak RSS   perf-pml report / perf script: {pml_kb / perf_kb:.3g}x"
      f"  (perf script uses {perf_kb / pml_kb:.3g}x the memory)")
if rc != ["0", "0"]:
    print("note: exit codes (report, perf script):", rc)
PY
