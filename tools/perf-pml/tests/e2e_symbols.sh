#!/bin/bash
# Data symbols end to end: record a C++ program whose debug info was split
# out (stripped, with a .gnu_debuglink to its .debug file beside it); report
# --sort symbol names its namespaced object demangled, with the 16 pages it
# wrote, from the debug file.
set -euo pipefail
PERF_PML=$1 STRIPPED=$2 TMP=$3/symbols
mkdir -p "$TMP"
if readelf -S "$STRIPPED" | grep -q '\.symtab'; then
  echo "FAIL: $STRIPPED is not stripped"; exit 1
fi
"$PERF_PML" record -q --epoch 10ms -o "$TMP/cxx.data" -- "$STRIPPED"
"$PERF_PML" report -i "$TMP/cxx.data" --sort symbol --csv > "$TMP/symbols.csv"
python3 - "$TMP/symbols.csv" "$STRIPPED" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
head, rows = rows[0], rows[1:]
col = {name.strip().lower(): i for i, name in enumerate(head)}
mine = [r for r in rows if r[col["binary"]] == sys.argv[2]]
names = [r[col["symbol"]] for r in mine]
if names != ["app::cache::table"]:
    print("FAIL: symbols of the binary:", names, "header", head); sys.exit(1)
pages = int(mine[0][col["pages"]])
if pages != 16:
    print("FAIL: app::cache::table has", pages, "pages, want 16"); sys.exit(1)
print("PASS: app::cache::table, 16 pages, named from the split debug file")
PY
