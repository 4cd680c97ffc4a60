#!/bin/bash
# perf-pml reads what perf record writes: a page-fault event with -d (ADDR)
# stands in for `perf record -e pml// -d` on this host. The known writer's
# first writes to pages 0 1 2 5 9 17 33 63 of its buffer fault, so those
# pages must be in `perf pml report --sort page`, under the buffer's mapping.
set -euo pipefail
PERF_PML=$1 WRITER=$2 TMP=$3 PERF=${PERF:-/usr/bin/perf}
[ -x "$PERF" ] || { echo "SKIP: no $PERF"; exit 77; }
mkdir -p "$TMP"
f=$TMP/perf-record.data
"$PERF" record -q -e page-faults -c 1 -d -o "$f" -- "$WRITER" 50 >/dev/null 2>"$TMP/perf-record.err" \
  || { cat "$TMP/perf-record.err"; echo "SKIP: perf record failed"; exit 77; }
"$PERF_PML" report -i "$f" --json --sort page > "$TMP/perf-record.json" 2>"$TMP/perf-record-report.err"
grep -q "no pml event" "$TMP/perf-record-report.err" || { echo "FAIL: expected the no-pml-event note"; exit 1; }
python3 - "$TMP/perf-record.json" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
base = 0x5a0000000000
got = sorted({int(r["page"], 16) for r in rep["rows"] if base <= int(r["page"], 16) < base + 64 * 4096})
want = [base + i * 4096 for i in (0, 1, 2, 5, 9, 17, 33, 63)]
if got != want:
    print("FAIL: pages", [hex(a) for a in got]); sys.exit(1)
maps = [m for m in rep["mappings"] if m["mapping"].startswith("[anon] 0x5a0000000000")]
if not maps or maps[0]["pages"] != 8:
    print("FAIL: mapping of the buffer", rep["mappings"]); sys.exit(1)
if rep["summary"]["samples"] < 8:
    print("FAIL: samples"); sys.exit(1)
print("PASS: perf record file:", rep["summary"]["samples"], "samples,", rep["event"])
PY
