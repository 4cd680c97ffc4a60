#!/bin/bash
# The software backend follows the whole process tree and loses no epoch:
#  - a workload that writes and exits within its first epoch is recorded
#    whole (its last epoch is collected at its exit stop);
#  - forked children, their threads, grandchildren and an exec'ed vfork
#    child are tracked, each page under the pid that wrote it, with FORK,
#    COMM and EXIT records;
#  - --epoch 0 means one epoch for the whole run, as the file's label says;
#  - every epoch's batch ends with a FINISHED_ROUND record;
#  - a child whose mm cannot be armed makes record fail with a clear error.
# Ground truth: known_writer and fork_writer write fixed page sets.
set -euo pipefail
PERF_PML=$1 KNOWN=$2 FORKW=$3 SANDBOXED=$4 LATE=$5 TMP=$6
mkdir -p "$TMP"
fail() { echo "FAIL: $*"; exit 1; }

"$PERF_PML" record -q --backend uffd -o "$TMP/probe.data" -- true 2>"$TMP/probe.err" || {
  echo "skip: the uffd backend does not work here: $(cat "$TMP/probe.err")"; exit 77; }

known_pages="0x5a0000000000 0x5a0000001000 0x5a0000002000 0x5a0000005000 0x5a0000009000 0x5a0000011000 0x5a0000021000 0x5a000003f000"

# "pid page" of a recorded file's samples whose address starts with $2
# (the writers' buffers are 64 pages at 0x5a0000000000 and 0x5b0000000000).
pid_pages() {
  "$PERF_PML" report -i "$1" --csv --sort pid,page | awk -F, -v prefix="$2" 'index($4, prefix) == 1 {print $3, $4}'
}

# Counts of record types in a perf.data file, read with the file format
# itself (no perf needed): "<type> <count>" lines.
record_types() {
  python3 - "$1" <<'PY'
import struct, sys, collections
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"PERFILE2", "not a perf.data file"
off, size = struct.unpack_from("<QQ", d, 40)   # the data section
pos, end, n = off, off + size, collections.Counter()
last = None
while pos < end:
    typ, misc, sz = struct.unpack_from("<IHH", d, pos)
    assert sz >= 8, "bad record size"
    n[typ] += 1
    last = typ
    pos += sz
for t, c in sorted(n.items()):
    print(t, c)
print("last", last)
PY
}

# 1. Writes and exits at once: 100 ms epochs never end before it is gone.
"$PERF_PML" record -q --backend uffd -o "$TMP/last.data" -- "$KNOWN" 0
got=$(pid_pages "$TMP/last.data" 0x5a00000 | awk '{print $2}' | sort | tr '\n' ' ')
[ "$got" = "$known_pages " ] || fail "last epoch: buffer pages '$got'"
echo "PASS: the last epoch before exit is recorded"

# A mapping made after the last epoch end is described (MMAP2) before the
# pages collected at exit: they are in their mapping, not unknown.
"$PERF_PML" record -q --backend uffd --epoch 20ms -o "$TMP/late.data" -- "$LATE" 100
"$PERF_PML" report -i "$TMP/late.data" --json > "$TMP/late.json"
python3 - "$TMP/late.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
rows = [m for m in r["mappings"] if "5c0000000000" in m["mapping"]]
if len(rows) != 1 or rows[0]["pages"] != 2:
    print("FAIL: mapping of the late buffer:", rows, [m["mapping"] for m in r["mappings"]]); sys.exit(1)
PY
echo "PASS: a late mapping's pages, collected at exit, are in their mapping"

# 2. A process tree (fork_writer's header says who writes what).
"$PERF_PML" record -q --backend uffd -o "$TMP/tree.data" -- "$FORKW" 0 "$KNOWN"
pid_pages "$TMP/tree.data" 0x5b00000 > "$TMP/tree.pages"
pid_pages "$TMP/tree.data" 0x5a00000 >> "$TMP/tree.pages"
python3 - "$TMP/tree.pages" <<'PY'
import collections, sys
by_pid = collections.defaultdict(set)
for line in open(sys.argv[1]):
    pid, page = line.split()
    by_pid[pid].add(int(page, 16))
b, k = 0x5b0000000000, 0x5a0000000000
want = sorted(sorted(b + i * 4096 for i in s) for s in ([0, 1, 63], [8, 9, 10], [16, 17, 50], [32], [40]))
want.append(sorted(k + i * 4096 for i in (0, 1, 2, 5, 9, 17, 33, 63)))
want.sort()
got = sorted(sorted(s) for s in by_pid.values())
if got != want:
    print("FAIL: page sets per pid:", {p: sorted(hex(a) for a in s) for p, s in by_pid.items()})
    sys.exit(1)
print("PASS: every process of the tree has exactly its pages, under its own pid")
PY
types=$(record_types "$TMP/tree.data")
forks=$(awk '$1 == 7 {print $2}' <<<"$types")   # PERF_RECORD_FORK
exits=$(awk '$1 == 4 {print $2}' <<<"$types")   # PERF_RECORD_EXIT
# 4 children, a grandchild and a thread; each of them and the parent exit.
[ "${forks:-0}" = 6 ] || fail "FORK records: ${forks:-0}, want 6"
[ "${exits:-0}" = 7 ] || fail "EXIT records: ${exits:-0}, want 7"
"$PERF_PML" script -i "$TMP/tree.data" > "$TMP/tree.script"
grep -q "PERF_RECORD_COMM exec: known_writer" "$TMP/tree.script" ||
  fail "no exec COMM of known_writer"
echo "PASS: FORK, EXIT and exec COMM records"

# 3. --epoch 0: one epoch, labelled so.
"$PERF_PML" record -q --backend uffd --epoch 0 -o "$TMP/e0.data" -- "$KNOWN" 300
"$PERF_PML" report -i "$TMP/e0.data" --json > "$TMP/e0.json"
grep -q '"pml/epoch=0/"' "$TMP/e0.json" || fail "the file does not say epoch=0"
"$PERF_PML" report -i "$TMP/e0.data" --csv --sort epoch | awk -F, 'NR > 1 && $NF != "0" {bad = 1} END {exit bad}' ||
  fail "--epoch 0 recorded more than epoch 0: $("$PERF_PML" report -i "$TMP/e0.data" --csv --sort epoch)"
got=$(pid_pages "$TMP/e0.data" 0x5a00000 | awk '{print $2}' | sort | tr '\n' ' ')
[ "$got" = "$known_pages " ] || fail "--epoch 0: buffer pages '$got'"
echo "PASS: --epoch 0 records one epoch and says epoch=0"

# 4. FINISHED_ROUND after each epoch's batch, the last record of the file.
"$PERF_PML" record -q --backend uffd --epoch 20ms -o "$TMP/rounds.data" -- "$KNOWN" 200
types=$(record_types "$TMP/rounds.data")
rounds=$(awk '$1 == 68 {print $2}' <<<"$types")
[ "${rounds:-0}" -ge 5 ] || fail "FINISHED_ROUND records: ${rounds:-0} in a run of many 20 ms epochs"
[ "$(awk '$1 == "last" {print $2}' <<<"$types")" = 68 ] || fail "the file does not end with FINISHED_ROUND"
echo "PASS: $rounds FINISHED_ROUND records, one per epoch, the last one at the end"

# 5. A sandboxed process (userfaultfd forbidden by seccomp) forks: its
# child cannot be tracked, and record says so instead of missing its writes.
if "$PERF_PML" record -q --backend uffd -o "$TMP/sandbox.data" -- "$SANDBOXED" 2>"$TMP/sandbox.err"; then
  fail "record of an untrackable child succeeded"
fi
grep -q "perf pml record: error: .*cannot track process [0-9]*, forked by [0-9]*: userfaultfd() in the target" "$TMP/sandbox.err" ||
  { cat "$TMP/sandbox.err"; fail "message for an untrackable child"; }
echo "PASS: an untrackable child is refused: $(cat "$TMP/sandbox.err")"
