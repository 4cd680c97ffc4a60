#!/bin/bash
# End to end on the host: perf-pml record with the software backend on a
# program that writes a known page set; report --json must show exactly it.
set -euo pipefail
PERF_PML=$1 WRITER=$2 TMP=$3
mkdir -p "$TMP"
out=$TMP/soft-record.data
"$PERF_PML" record --backend auto --epoch 20ms -o "$out" -- "$WRITER" 400 2>"$TMP/record.err"
cat "$TMP/record.err"
grep -q "using backend" "$TMP/record.err" || { echo "FAIL: record did not say which backend"; exit 1; }
if grep -q "using backend pml" "$TMP/record.err"; then
  echo "note: the pml PMU is present; this test then checks the kernel path"
fi
"$PERF_PML" report -i "$out" --json --sort page > "$TMP/report.json"
python3 - "$TMP/report.json" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
base = 0x5a0000000000
got = sorted({int(r["page"], 16) for r in rep["rows"] if base <= int(r["page"], 16) < base + 64 * 4096})
want = [base + i * 4096 for i in (0, 1, 2, 5, 9, 17, 33, 63)]
print("pages in the buffer:", [hex(a) for a in got])
if got != want:
    print("FAIL: expected", [hex(a) for a in want]); sys.exit(1)
anon = [m for m in rep["mappings"] if m["mapping"].startswith("[anon] 0x5a0000000000") or m["mapping"].startswith("[anon] 5a0000000000")]
if not anon or anon[0]["pages"] != 8:
    print("FAIL: mapping breakdown of the buffer:", anon); sys.exit(1)
PY
# Heatmap and trace of the same file: well-formed SVG, loadable trace JSON
# whose working-set counters add up to the samples.
"$PERF_PML" report -i "$out" --heatmap "$TMP/heat.svg" --trace "$TMP/trace.json" >/dev/null
python3 - "$TMP/heat.svg" "$TMP/trace.json" "$TMP/report.json" <<'PY'
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag.endswith("svg"), root.tag
cells = [e for e in root.iter() if e.tag.endswith("image") and e.get("class") == "cells"]
assert len(cells) == 1, "no heat cells"
trace = json.load(open(sys.argv[2]))
total = sum(e["args"]["pages"] for e in trace["traceEvents"] if e.get("ph") == "C" and "pages" in e["args"])
samples = json.load(open(sys.argv[3]))["summary"]["samples"]
assert total == samples, (total, samples)
print("PASS: heatmap cells image, trace pages", total)
PY
# Debian's perf reads the recorded file: one perf script line per sample,
# and the buffer's pages among the addresses.
if [ -x /usr/bin/perf ]; then
  /usr/bin/perf script -i "$out" -F tid,addr > "$TMP/perf-script.out" 2>/dev/null
  n=$(wc -l < "$TMP/perf-script.out")
  want=$(python3 -c "import json,sys; print(json.load(open('$TMP/report.json'))['summary']['samples'])")
  [ "$n" = "$want" ] || { echo "FAIL: perf script printed $n samples, report counted $want"; exit 1; }
  for a in 5a0000000000 5a0000001000 5a0000002000 5a0000005000 5a0000009000 5a0000011000 5a0000021000 5a000003f000; do
    grep -q " $a\$" "$TMP/perf-script.out" || { echo "FAIL: perf script lacks $a"; exit 1; }
  done
  echo "PASS: perf script read $n samples of the recorded file"
fi
# The written pages of the writer's buffer in a recorded file, sorted.
buffer_pages() {
  "$PERF_PML" report -i "$1" --csv --sort page | awk -F, '$3 ~ /^0x5a0000/ {print $3}' | sort | tr '\n' ' '
}
# Attaching with -p to a running process: the same page set.
"$WRITER" 1200 & wpid=$!
sleep 0.1
"$PERF_PML" record -q -p "$wpid" --epoch 20ms -o "$TMP/attach.data"
wait "$wpid"
got=$(buffer_pages "$TMP/attach.data")
want="0x5a0000000000 0x5a0000001000 0x5a0000002000 0x5a0000005000 0x5a0000009000 0x5a0000011000 0x5a0000021000 0x5a000003f000 "
[ "$got" = "$want" ] || { echo "FAIL: record -p pages: $got"; exit 1; }
echo "PASS: record -p"
# The software backends follow the first exec only: a wrapper that execs
# the writer must stop with an error naming the second image, not record
# nothing from then on. (The kernel pml event follows every exec.)
if ! grep -q "using backend pml" "$TMP/record.err"; then
  printf '#!/bin/sh\nexec "$@"\n' > "$TMP/wrap.sh"
  chmod +x "$TMP/wrap.sh"
  if "$PERF_PML" record --epoch 20ms -o "$TMP/wrap.data" -- "$TMP/wrap.sh" "$WRITER" 400 2>"$TMP/wrap.err"; then
    echo "FAIL: record through an exec'ing wrapper gave status 0"; cat "$TMP/wrap.err"; exit 1
  fi
  grep -q "exec'ed a second time (now .*known_writer; a wrapper script?)" "$TMP/wrap.err" ||
    { echo "FAIL: wrapper message:"; cat "$TMP/wrap.err"; exit 1; }
  echo "PASS: a second exec stops the software backend with an error"
fi
# Exits are not execs: a task that has dropped its mm but whose pidfd is
# not readable yet must end the record cleanly. The window is short, so
# many short runs give it chances; each must succeed with the page set.
for i in $(seq 20); do
  "$PERF_PML" record -q --epoch 1ms -o "$TMP/short.data" -- "$WRITER" 20 2>"$TMP/short.err" ||
    { echo "FAIL: short run $i:"; cat "$TMP/short.err"; exit 1; }
  got=$(buffer_pages "$TMP/short.data")
  [ "$got" = "$want" ] || { echo "FAIL: short run $i pages: $got"; exit 1; }
done
echo "PASS: 20 short runs ended cleanly"
