#!/bin/bash
# perf.data pipe mode, as perf record -o - and perf report -i - do it:
# perf pml record -o - writes it to a pipe, perf pml report/script -i - read
# it (and so does Debian's perf 6.1, when it is here), perf record -o -'s
# stream reads in perf pml. Ground truth: known_writer writes pages
# 0 1 2 5 9 17 33 63 of a buffer at 0x5a0000000000, once each.
set -uo pipefail
PERF_PML=$1 WRITER=$2 TMP=$3/pipe_mode
PERF=${PERF:-/usr/bin/perf}
rm -rf "$TMP" && mkdir -p "$TMP" || exit 1
cd "$TMP" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
want="5a0000000000 5a0000001000 5a0000002000 5a0000005000 5a0000009000 5a0000011000 5a0000021000 5a000003f000"

# The buffer's pages, one line, from `script -F addr` output on stdin.
buffer_pages() { awk '$1 ~ /^5a00000/ {print $1}' | sort -u | tr '\n' ' ' | sed 's/ $//'; }
# The buffer's pages from `report --json --sort page` on stdin.
json_pages() {
  python3 -c '
import json, sys
rep = json.load(sys.stdin)
base = 0x5a0000000000
print(" ".join("%x" % p for p in sorted({int(r["page"], 16) for r in rep["rows"]
      if base <= int(r["page"], 16) < base + 64 * 4096})))'
}

# --- 1. record -o - into script -i - and report -i -: exactly the pages.
"$PERF_PML" record -q -o - -- "$WRITER" 100 2>rec.err | "$PERF_PML" script -i - -F addr >s.out 2>s.err
st=("${PIPESTATUS[@]}")
[ "${st[*]}" = "0 0" ] || fail "record -o - | script -i -: status ${st[*]}: $(cat rec.err s.err)"
got=$(buffer_pages <s.out)
[ "$got" = "$want" ] || fail "record -o - | script -i -: pages '$got', want '$want'"
"$PERF_PML" record -q -o - -- "$WRITER" 100 2>rec.err | "$PERF_PML" report -i - --json --sort page >r.json 2>r.err ||
  fail "record -o - | report -i -: $(cat rec.err r.err)"
got=$(json_pages <r.json)
[ "$got" = "$want" ] || fail "record -o - | report -i -: pages '$got', want '$want'"
echo "PASS: record -o - | script -i - / report -i -: the 8 pages"

# --- 2. As perf: record writes to a pipe on stdout and report/script read
# a pipe on stdin without -o/-i; the workload's stdout goes to stderr, not
# into the stream; the workload's exit status is record's.
"$PERF_PML" record -q -- sh -c "echo hello from the workload; exec '$WRITER' 100" 2>rec.err |
  "$PERF_PML" script -F addr >s.out 2>s.err
st=("${PIPESTATUS[@]}")
[ "${st[*]}" = "0 0" ] || fail "record | script: status ${st[*]}: $(cat rec.err s.err)"
got=$(buffer_pages <s.out)
[ "$got" = "$want" ] || fail "record | script (no -o, -i): pages '$got', want '$want'"
grep -q "hello from the workload" rec.err || fail "the workload's stdout did not reach stderr"
[ ! -e perf.data ] || fail "record into a pipe wrote perf.data"
"$PERF_PML" record -q -o - -- sh -c 'exit 5' 2>/dev/null | cat >/dev/null
[ "${PIPESTATUS[0]}" = 5 ] || fail "record -o - of 'exit 5': status ${PIPESTATUS[0]}"
echo "PASS: record | script without -o/-i; the workload's stdout on stderr; exit status 5"

# --- 3. The reader goes away: record ends quietly with 141, as perf record
# killed by SIGPIPE (the shell's status; nothing printed).
"$PERF_PML" record -q -o - -- "$WRITER" 100 2>gone.err | head -c 100 >/dev/null
rc=${PIPESTATUS[0]}
[ "$rc" = 141 ] || fail "record -o - | head -c 100: status $rc: $(cat gone.err)"
[ ! -s gone.err ] || fail "record -o - | head -c 100 printed: $(cat gone.err)"
echo "PASS: record -o - into a closed pipe: 141, quietly"

# --- 4. Two passes from a pipe (the heatmap, --time percents): kept in a
# temporary file as read; a file in file mode through a pipe is refused.
"$PERF_PML" record -q -o - -- "$WRITER" 100 2>/dev/null |
  "$PERF_PML" report -i - --heatmap h.svg --time 0%-100% --json --sort page >h.json 2>h.err ||
  fail "report -i - --heatmap --time 0%-100%: $(cat h.err)"
got=$(json_pages <h.json)
[ "$got" = "$want" ] || fail "report -i - --time 0%-100%: pages '$got'"
python3 -c 'import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])' h.svg || fail "heatmap from a pipe"
"$PERF_PML" record -q -o file.data -- "$WRITER" 100 2>/dev/null || fail "record -o file.data"
cat file.data | "$PERF_PML" report -i - >/dev/null 2>fm.err && fail "a file-mode file through a pipe read"
grep -q "file mode came through a pipe: give it with -i FILE" fm.err || fail "file mode through a pipe: $(cat fm.err)"
"$PERF_PML" report -i - --json --sort page <file.data >f.json 2>f.err || fail "report -i - <file: $(cat f.err)"
got=$(json_pages <f.json)
[ "$got" = "$want" ] || fail "report -i - < file.data: pages '$got'"
echo "PASS: two passes from a pipe; a file-mode file on stdin as a file, through a pipe refused"

# --- 5. Debian's perf reads our stream, and we read its.
if [ ! -x "$PERF" ]; then
  echo "SKIP: no $PERF: perf's report/script -i - and perf record -o - not checked"
  exit 0
fi
"$PERF_PML" record -q -o - -- "$WRITER" 100 2>/dev/null >ours.pipe || fail "record -o - > ours.pipe"
"$PERF" script -i - -F addr <ours.pipe >p.out 2>p.err || fail "perf script -i -: $(cat p.err)"
got=$(buffer_pages <p.out)
[ "$got" = "$want" ] || fail "perf script -i - of our stream: pages '$got', want '$want'"
n=$("$PERF_PML" script -i ours.pipe -S | wc -l)
cat ours.pipe | "$PERF" report -i - --stdio >p.rep 2>p.err || fail "perf report -i -: $(cat p.err)"
grep -q "^# Samples: $n  *of event 'pml/epoch=100/'" p.rep ||
  fail "perf report -i - does not count our $n samples of pml/epoch=100/: $(grep '^# Samples' p.rep)"
echo "PASS: $("$PERF" version): script -i - and report -i - read our stream ($n samples)"
if ! "$PERF" record -q -e page-faults -c 1 -d -o - -- "$WRITER" 50 2>perf-rec.err >theirs.pipe; then
  echo "SKIP: perf record -o - failed here: $(head -3 perf-rec.err)"
  exit 0
fi
"$PERF_PML" report -i - --json --sort page <theirs.pipe >t.json 2>t.err || fail "report of perf's stream: $(cat t.err)"
got=$(cat theirs.pipe | "$PERF_PML" report --json --sort page 2>/dev/null | json_pages)
[ "$got" = "$want" ] || fail "perf record -o - | perf pml report: pages '$got', want '$want'"
python3 -c 'import json, sys; e = json.load(open(sys.argv[1]))["event"]; sys.exit(e != "page-faults")' t.json ||
  fail "perf's event name not read from its stream"
echo "PASS: perf record -o - | perf pml report: the 8 pages, event page-faults"
