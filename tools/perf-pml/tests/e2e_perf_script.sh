#!/bin/bash
# Debian's perf must read what perf-pml writes: perf script prints the
# samples' addresses, perf report counts them.
set -euo pipefail
GEN=$1 TMP=$2 PERF=${PERF:-/usr/bin/perf}
[ -x "$PERF" ] || { echo "SKIP: no $PERF"; exit 77; }
mkdir -p "$TMP"
f=$TMP/interop.data
# 24 samples, sample i at 0x10000000 + i*4096 (see pml-gen --pattern linear).
"$GEN" -o "$f" --samples 24 --pattern linear
"$PERF" script -i "$f" -F tid,time,addr,event > "$TMP/script.out" 2>"$TMP/script.err" || { cat "$TMP/script.err"; exit 1; }
head -3 "$TMP/script.out"
got=$(awk '{print $NF}' "$TMP/script.out" | tr '\n' ' ')
want=$(for i in $(seq 0 23); do printf '%x ' $((0x10000000 + i * 4096)); done)
if [ "$got" != "$want" ]; then
  echo "FAIL: perf script addresses"; echo " got:  $got"; echo " want: $want"; exit 1
fi
grep -q "pml/epoch=10/" "$TMP/script.out" || { echo "FAIL: event name not shown"; exit 1; }
"$PERF" report -i "$f" --stdio --sort comm > "$TMP/report.out" 2>"$TMP/report.err" || { cat "$TMP/report.err"; exit 1; }
grep -q "# Samples: 24  of event 'pml/epoch=10/'" "$TMP/report.out" || { echo "FAIL: perf report"; cat "$TMP/report.out"; exit 1; }
grep -q "100.00%  pml-gen" "$TMP/report.out" || { echo "FAIL: perf report comm"; cat "$TMP/report.out"; exit 1; }
# "perf pml" runs perf-pml from PATH (or perf's exec path).
if [ -n "${PERF_PML_DIR:-}" ]; then
  n=$(PATH="$PERF_PML_DIR:$PATH" "$PERF" pml script -i "$f" -S | wc -l)
  [ "$n" = 24 ] || { echo "FAIL: perf pml script printed $n samples"; exit 1; }
fi
echo PASS
