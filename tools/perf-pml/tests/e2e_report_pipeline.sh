#!/bin/bash
# perf-pml report's filters and perf pml diff through the real binary, on
# pml-gen's linear files: pid 1000 "pml-gen", sample i writes page
# 0x10000000 + i*4096 at 1 s + (i+1) us, epoch i/100, in one anon mapping.
set -uo pipefail
PERF_PML=$1 GEN=$2 TMP=$3/report-pipeline
mkdir -p "$TMP"
fail() { echo "FAIL: $*"; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to read the JSON"; exit 77; }
samples() { python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["samples"])'; }

"$GEN" -o "$TMP/old.data" --samples 100 --pattern linear || fail "pml-gen"
"$GEN" -o "$TMP/new.data" --samples 300 --pattern linear || fail "pml-gen"

n=$("$PERF_PML" report -i "$TMP/new.data" --json --time 1.000001,1.000100 | samples)
[ "$n" = 100 ] || fail "--time absolute kept $n samples, want 100"
n=$("$PERF_PML" report -i "$TMP/new.data" --json --time 50%-100% | samples)
[ "$n" = 150 ] || fail "--time 50%-100% kept $n samples, want 150"
n=$("$PERF_PML" report -i "$TMP/new.data" --json --pid 1000 --comm pml-gen | samples)
[ "$n" = 300 ] || fail "--pid 1000 --comm pml-gen kept $n samples, want 300"
"$PERF_PML" report -i "$TMP/new.data" --pid 1 >/dev/null 2>"$TMP/e1" && fail "--pid 1 matched"
grep -q "match --pid/--tid/--comm/--time" "$TMP/e1" || fail "no-match message: $(cat "$TMP/e1")"
"$PERF_PML" report -i "$TMP/new.data" --time soon >/dev/null 2>&1
[ $? = 129 ] || fail "bad --time did not exit 129"

# diff: the mapping grew from 100 to 300 pages, 200 of them new.
"$PERF_PML" diff "$TMP/old.data" "$TMP/new.data" >"$TMP/diff.txt" || fail "diff exit $?"
grep -Eq '^ +100 +300 +\+200 +0 +200  grew +\[anon\] 0x10000000-' "$TMP/diff.txt" ||
  fail "diff row: $(cat "$TMP/diff.txt")"
"$PERF_PML" diff --json "$TMP/old.data" "$TMP/new.data" | python3 -m json.tool >/dev/null ||
  fail "diff --json is not JSON"
(cd "$TMP" && cp old.data perf.data.old && cp new.data perf.data && "$PERF_PML" diff >/dev/null) ||
  fail "diff without arguments"

# perf record -z: HEADER_COMPRESSED is feature bit 27 (byte 72 + 3, bit 3).
cp "$TMP/old.data" "$TMP/z.data"
python3 - "$TMP/z.data" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[75] |= 1 << 3
open(sys.argv[1], "wb").write(b)
PY
"$PERF_PML" report -i "$TMP/z.data" >/dev/null 2>"$TMP/e2"
[ $? = 1 ] || fail "compressed file did not exit 1"
grep -q "perf pml report: error: .*compressed data not supported" "$TMP/e2" ||
  fail "compressed message: $(cat "$TMP/e2")"
echo PASS
