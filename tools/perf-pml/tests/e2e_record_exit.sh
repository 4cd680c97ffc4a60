#!/bin/bash
# perf pml record and stat end as perf 6.1's record and stat do (measured):
#   workload exits 5            -> record 5, stat 5
#   workload dies of SIGSEGV    -> record re-raises SIGSEGV (139), stat 0
#   Ctrl-C (SIGINT to perf)     -> record re-raises SIGINT (130), the file is
#                                  complete and readable
# and record -q prints nothing about the workload's status.
set -uo pipefail
PERF_PML=$1 TMP=$2
mkdir -p "$TMP"
ulimit -c 0  # the re-raised SIGSEGV must not leave cores behind
fail() { echo "FAIL: $*"; exit 1; }

expect_rc() {  # expect_rc WANT DESCRIPTION -- command...
  local want=$1 what=$2
  shift 3
  "$@" >"$TMP/exit.out" 2>"$TMP/exit.err"
  local rc=$?
  [ "$rc" = "$want" ] || { cat "$TMP/exit.err"; fail "$what: status $rc, want $want"; }
  echo "PASS: $what -> $rc"
}

rm -f "$TMP/intr.data"
rec="$PERF_PML record -o $TMP/exit.data"
expect_rc 5 "record, workload exits 5" -- $rec -- sh -c 'exit 5'
grep -q "sh exited with status 5" "$TMP/exit.err" || fail "record did not say the status"
expect_rc 5 "record -q, workload exits 5" -- $rec -q -- sh -c 'exit 5'
[ -s "$TMP/exit.err" ] && { cat "$TMP/exit.err"; fail "record -q printed something"; }
expect_rc 139 "record, workload dies of SIGSEGV" -- $rec -q -- sh -c 'kill -SEGV $$'
"$PERF_PML" report -i "$TMP/exit.data" --json >/dev/null || fail "file of the SIGSEGV run unreadable"
expect_rc 0 "record, workload exits 0" -- $rec -q -- true

stat="$PERF_PML stat -o /dev/null"
expect_rc 5 "stat, workload exits 5" -- $stat -- sh -c 'exit 5'
expect_rc 0 "stat, workload dies of SIGSEGV" -- $stat -- sh -c 'kill -SEGV $$'
grep -q "killed by signal 11" "$TMP/exit.err" || fail "stat did not say the signal"

# Ctrl-C: the workload tells us it runs (through a fifo), then perf-pml
# alone gets SIGINT; it stops the workload and re-raises SIGINT.
fifo=$TMP/exit.fifo
rm -f "$fifo"
mkfifo "$fifo"
"$PERF_PML" record -q -o "$TMP/intr.data" -- sh -c "echo up > $fifo; exec sleep 30" &
pid=$!
read -r _ < "$fifo"
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" = 130 ] || fail "record after SIGINT: status $rc, want 130"
"$PERF_PML" report -i "$TMP/intr.data" --json >/dev/null || fail "file of the interrupted run unreadable"
echo "PASS: record after SIGINT -> 130, file complete"

# Ctrl-C with -p: the target keeps running, no longer traced, and record
# re-raises SIGINT.
sleep 30 &
target=$!
rm -f "$TMP/attach-intr.data"
"$PERF_PML" record -q -p "$target" -o "$TMP/attach-intr.data" &
pid=$!
# record creates its file once it has the target: only then interrupt it.
while [ ! -e "$TMP/attach-intr.data" ]; do
  kill -0 "$pid" 2>/dev/null || fail "record -p ended early"
  sleep 0.01
done
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" = 130 ] || fail "record -p after SIGINT: status $rc, want 130"
kill -0 "$target" 2>/dev/null || fail "the attached target died"
tracer=$(awk '/^TracerPid:/ {print $2}' "/proc/$target/status")
[ "$tracer" = 0 ] || fail "the attached target is still traced by $tracer"
kill "$target"
echo "PASS: record -p after SIGINT -> 130, the target runs on untraced"
