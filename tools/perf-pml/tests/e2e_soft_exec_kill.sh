#!/bin/bash
# The software backend and a process whose memory goes right after it
# writes (one epoch for the whole run, --epoch 0, so no collect comes
# before the end):
#  - SIGKILL: the kernel still stops the dying task at PTRACE_EVENT_EXIT,
#    so its pages are collected there: exactly the pages written;
#  - exec: the old image's memory is gone when the exec is reported, so its
#    pages cannot be read; that is not silent: the file has a
#    PERF_RECORD_LOST_SAMPLES of unknown size for the pid, report and stat
#    say "Not collected" with the pid, script prints the record; the new
#    image (known_writer) is tracked exactly under the same pid.
# Ground truth: exec_writer writes pages 0 1 2 10 11 of 0x5c0000000000,
# known_writer pages 0 1 2 5 9 17 33 63 of 0x5a0000000000.
set -uo pipefail
PERF_PML=$1 EXECW=$2 KNOWN=$3 TMP=$4/soft_exec_kill
rm -rf "$TMP" && mkdir -p "$TMP" || exit 1
cd "$TMP" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

"$PERF_PML" record -q --backend uffd -o probe.data -- true 2>probe.err || {
  echo "SKIP: the uffd backend does not work here: $(cat probe.err)"; exit 77; }

# "pid page" lines of the samples in the buffer at $2.
pid_pages() {
  "$PERF_PML" report -i "$1" --csv --sort pid,page | awk -F, -v prefix="$2" 'index($4, prefix) == 1 {print $3, $4}'
}
written="0x5c0000000000 0x5c0000001000 0x5c0000002000 0x5c000000a000 0x5c000000b000"
known="0x5a0000000000 0x5a0000001000 0x5a0000002000 0x5a0000005000 0x5a0000009000 0x5a0000011000 0x5a0000021000 0x5a000003f000"

# --- SIGKILL: exact.
"$PERF_PML" record -q --backend uffd --epoch 0 -o kill.data -- "$EXECW" kill 2>kill.err
rc=$?
[ $rc = 137 ] || fail "record of a SIGKILLed workload: status $rc (want 137): $(cat kill.err)"
got=$(pid_pages kill.data 0x5c | awk '{print $2}' | tr '\n' ' ' | sed 's/ $//')
[ "$got" = "$written" ] || fail "SIGKILL: pages '$got', want '$written'"
"$PERF_PML" report -i kill.data --stdio >kill.txt 2>&1 || fail "report kill.data: $(cat kill.txt)"
grep -q "Not collected" kill.txt && fail "SIGKILL: 'Not collected' although every page was: $(grep 'Not' kill.txt)"
echo "PASS: SIGKILL: the 5 pages, collected at the exit stop"

# --- exec: the old image's pages are not there, and the file says so.
"$PERF_PML" record -q --backend uffd --epoch 0 -o exec.data -- "$EXECW" exec "$KNOWN" 2>exec.err ||
  fail "record of an exec'ing workload: $(cat exec.err)"
got=$(pid_pages exec.data 0x5c | awk '{print $2}' | tr '\n' ' ')
[ -z "$got" ] || fail "exec: pages of the old image reported: '$got' (its memory is gone: how?)"
pid=$(pid_pages exec.data 0x5a | awk '{print $1}' | sort -u)
got=$(pid_pages exec.data 0x5a | awk '{print $2}' | tr '\n' ' ' | sed 's/ $//')
[ "$got" = "$known" ] || fail "exec: the new image's pages '$got', want '$known'"
[ "$(echo "$pid" | wc -w)" = 1 ] || fail "exec: the new image's pages under pids '$pid'"
"$PERF_PML" report -i exec.data --stdio >exec.txt 2>&1 || fail "report exec.data: $(cat exec.txt)"
grep -q "^# Not collected: the last writes of 1 process image (pid $pid): their memory was gone (an exec)" exec.txt ||
  fail "exec: report does not say what was not collected: $(head -12 exec.txt)"
"$PERF_PML" report -i exec.data --json >exec.json || fail "report --json exec.data"
python3 -c 'import json, sys; s = json.load(open(sys.argv[1]))["summary"]; sys.exit(s["uncollected_pids"] != [int(sys.argv[2])])' \
  exec.json "$pid" || fail "exec: JSON uncollected_pids: $(grep -o '"uncollected_pids": [^]]*]' exec.json)"
"$PERF_PML" script -i exec.data >exec.script || fail "script exec.data"
[ "$(grep -c "$pid/$pid .*PERF_RECORD_LOST_SAMPLES lost ? (not collected" exec.script)" = 1 ] ||
  fail "exec: script does not show the one LOST_SAMPLES: $(grep LOST exec.script)"
# In order: the notice, then the exec's COMM.
awk '/PERF_RECORD_LOST_SAMPLES lost \?/ {l = NR} /PERF_RECORD_COMM exec: known_writer/ {c = NR}
     END {exit !(l && c && l < c)}' exec.script || fail "exec: the notice does not come before the exec"
"$PERF_PML" stat --backend uffd --epoch 0 -- "$EXECW" exec "$KNOWN" 2>stat.txt || fail "stat: $(cat stat.txt)"
grep -q "1      not collected  *#  the last writes of 1 process image (pid [0-9]*)" stat.txt ||
  fail "stat does not say what was not collected: $(cat stat.txt)"
echo "PASS: exec: the old image's writes reported as not collected (report, JSON, script, stat); the new image exact"
