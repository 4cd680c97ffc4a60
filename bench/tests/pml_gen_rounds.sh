#!/bin/sh
# pml-gen --finished-round writes one FINISHED_ROUND per epoch (linear:
# 100 samples an epoch) and nothing else changes: Debian's perf sees the
# rounds, perf pml report the same samples as without them.
#   pml_gen_rounds.sh PML_GEN PERF_PML TMPDIR
GEN=$1 PERF_PML=$2 TMP=$3/pml_gen_rounds
command -v perf >/dev/null || { echo "SKIP: no perf (linux-perf) to read the rounds"; exit 77; }
mkdir -p "$TMP"
"$GEN" -o "$TMP/plain.data" --pattern linear --samples 1000 || exit 1
"$GEN" -o "$TMP/rounds.data" --pattern linear --samples 1000 --finished-round || exit 1
rounds() { perf script -i "$1" --show-round-events 2>/dev/null | grep -c "PERF_RECORD_FINISHED_ROUND"; }
samples() { "$PERF_PML" report -i "$1" --stdio 2>/dev/null | sed -n 's/^# Samples: \([0-9]*\) .*/\1/p'; }
fail=0
[ "$(rounds "$TMP/plain.data")" = 0 ] || { echo "FAIL: rounds without --finished-round: $(rounds "$TMP/plain.data")"; fail=1; }
[ "$(rounds "$TMP/rounds.data")" = 10 ] || { echo "FAIL: rounds with --finished-round: $(rounds "$TMP/rounds.data"), want 10"; fail=1; }
[ "$(samples "$TMP/rounds.data")" = 1000 ] || { echo "FAIL: perf pml report saw $(samples "$TMP/rounds.data") samples, want 1000"; fail=1; }
[ $fail = 0 ] && echo "ok: 10 FINISHED_ROUND records, 1000 samples"
exit $fail
