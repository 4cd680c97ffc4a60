#!/bin/bash
# perf-pml's errors: missing file, no samples, truncated file (the report of
# what was read comes first, then the error), no pml PMU with --backend pml.
set -uo pipefail
PERF_PML=$1 GEN=$2 TMP=$3
mkdir -p "$TMP"
fail() { echo "FAIL: $*"; exit 1; }

"$PERF_PML" report -i "$TMP/nope.data" >/dev/null 2>"$TMP/e1" && fail "missing file accepted"
grep -q "does not exist" "$TMP/e1" || fail "missing file message: $(cat $TMP/e1)"

"$GEN" -o "$TMP/empty.data" --samples 0 --pattern linear
"$PERF_PML" report -i "$TMP/empty.data" >/dev/null 2>"$TMP/e2" && fail "empty file accepted"
grep -q "no samples" "$TMP/e2" || fail "no samples message: $(cat $TMP/e2)"

"$GEN" -o "$TMP/full.data" --samples 1000 --pattern linear
size=$(stat -c %s "$TMP/full.data")
head -c $((size / 2)) "$TMP/full.data" > "$TMP/half.data"
"$PERF_PML" report -i "$TMP/half.data" --stdio >"$TMP/o3" 2>"$TMP/e3" && fail "truncated file gave status 0"
grep -q "^# Samples: [1-9]" "$TMP/o3" || fail "no report before the truncation error: $(cat $TMP/o3)"
grep -q "truncated" "$TMP/e3" || fail "truncation message: $(cat $TMP/e3)"

# Corrupt: 256 zero bytes in the middle of the data cover at least one
# record header (samples are 112 bytes), whose size then reads 0.
cp "$TMP/full.data" "$TMP/corrupt.data"
data_off=$(od -An -t u8 -j 40 -N 8 "$TMP/full.data" | tr -d ' ')
dd if=/dev/zero of="$TMP/corrupt.data" bs=1 count=256 seek=$((data_off + 4096)) conv=notrunc 2>/dev/null
"$PERF_PML" script -i "$TMP/corrupt.data" >"$TMP/o4" 2>"$TMP/e4"
rc=$?
[ $rc -ne 0 ] || fail "corrupt file gave status 0"
grep -q "corrupt\|truncated" "$TMP/e4" || fail "corrupt message: $(cat $TMP/e4)"

if [ ! -e /sys/bus/event_source/devices/pml ]; then
  "$PERF_PML" record --backend pml -o "$TMP/x.data" -- /bin/true 2>"$TMP/e5" && fail "pml backend without PMU"
  grep -q "no pml PMU in /sys/bus/event_source/devices (kernel without CONFIG_PERF_PML)" "$TMP/e5" || fail "no-PMU message: $(cat $TMP/e5)"
fi
"$PERF_PML" record -o "$TMP/x.data" 2>"$TMP/e6" && fail "record without command"
grep -q "give a command" "$TMP/e6" || fail "usage message: $(cat $TMP/e6)"
echo PASS
