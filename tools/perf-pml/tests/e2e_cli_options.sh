#!/bin/bash
# perf pml's command line against perf's: a reader that closes the pipe
# early, strictly parsed numbers, -e with perf's event syntax, --sort,
# the hot-fraction header, stat -x/-j and script -F. Ground truth: pml-gen
# --pattern linear puts sample i at 0x10000000 + i*4096; known_writer writes
# pages 0 1 2 5 9 17 33 63 of a buffer at 0x5a0000000000.
set -uo pipefail
PERF_PML=$1 GEN=$2 WRITER=$3 TMP=$4/cli_options
PERF=${PERF:-/usr/bin/perf}
rm -rf "$TMP" && mkdir -p "$TMP" || exit 1
cd "$TMP" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

# Runs the command with stdout into a pipe whose reader takes one line and
# closes it; prints how the command ended: "exit N" or "signal N".
first_line_then_close() {
  perl -e '
    $SIG{PIPE} = "DEFAULT";
    pipe(my $r, my $w) or die "pipe: $!";
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) { close $r; open(STDOUT, ">&", $w) or die; exec(@ARGV) or die "exec: $!"; }
    close $w; my $line = <$r>; close $r; waitpid($pid, 0);
    print((($? & 127) ? "signal " . ($? & 127) : "exit " . ($? >> 8)), "\n");' "$@"
}

# Usage error: status 129, stderr has the message, nothing on stdout.
expect_usage_error() {
  local want=$1; shift
  "$PERF_PML" "$@" >out 2>err
  local rc=$?
  [ $rc = 129 ] || fail "'$*' gave status $rc, not 129: $(cat err)"
  grep -qF -- "$want" err || fail "'$*': no '$want' in: $(cat err)"
  [ ! -s out ] || fail "'$*' printed on stdout: $(head -3 out)"
}

# --- 1. A closed pipe ends the command quietly (status 141, not a signal).
"$GEN" -o big.data --samples 100000 --pattern linear || fail "pml-gen"
how=$(first_line_then_close "$PERF_PML" script -i big.data 2>pipe.err)
[ "$how" = "exit 141" ] || fail "script into a closed pipe ended with '$how' (want exit 141)"
[ ! -s pipe.err ] || fail "script into a closed pipe printed: $(cat pipe.err)"
how=$(first_line_then_close "$PERF_PML" report -i big.data --stdio --sort page 2>pipe.err)
[ "$how" = "exit 141" ] || fail "report --stdio into a closed pipe ended with '$how'"
[ ! -s pipe.err ] || fail "report into a closed pipe printed: $(cat pipe.err)"
# Through perf, which reports a subcommand killed by a signal as FATAL.
if [ -x "$PERF" ]; then
  PATH="$(dirname "$PERF_PML"):$PATH" "$PERF" pml script -i big.data 2>pipe.err | head -1 >/dev/null
  rc=${PIPESTATUS[0]}
  [ ! -s pipe.err ] || fail "perf pml script | head -1 printed: $(cat pipe.err)"
  [ "$rc" = 141 ] || fail "perf pml script | head -1: status $rc"
else
  echo "note: no $PERF, 'perf pml script | head' not checked"
fi
# Other write errors are reported.
if [ -w /dev/full ]; then
  "$PERF_PML" script -i big.data >/dev/full 2>full.err && fail "writing to /dev/full gave status 0"
  grep -q "perf pml script: error: cannot write the output: No space left on device" full.err ||
    fail "/dev/full message: $(cat full.err)"
fi

# --- 2. Numbers are parsed strictly.
"$GEN" -o lin.data --samples 24 --pattern linear || fail "pml-gen"
expect_usage_error "perf pml report: error: invalid value 'abc' for --limit: not a number" \
  report -i lin.data --limit abc
expect_usage_error "invalid value '3x' for --limit: not a number" report -i lin.data --limit 3x
expect_usage_error "invalid value '-1' for --limit" report -i lin.data --limit=-1
expect_usage_error "invalid value 'abc' for --hot-fraction: not a number" \
  report -i lin.data --hot-fraction abc
expect_usage_error "invalid value '0' for --hot-fraction: out of range" \
  report -i lin.data --hot-fraction 0
expect_usage_error "invalid value '1.5' for --hot-fraction: out of range" \
  report -i lin.data --hot-fraction 1.5
expect_usage_error "invalid value '0' for --bucket: must be at least 1ms" report -i lin.data --bucket 0
expect_usage_error "option '--stdio' takes no value" report -i lin.data --stdio=1
expect_usage_error "switch '-S' takes no value" script -i lin.data -S=1
expect_usage_error "invalid value 'abc' for -m: not a page count or size" record -m abc -- /bin/true
expect_usage_error "invalid value '0' for --mmap-pages: at least one page" record --mmap-pages 0 -- /bin/true
expect_usage_error "invalid value '12Q' for -m: unknown size unit 'Q'" stat -m 12Q -- /bin/true
expect_usage_error "invalid value 'abc' for -p: not a number" record -p abc
expect_usage_error "invalid value '1,2' for -p: one pid only" stat -p 1,2
expect_usage_error "invalid value '500us' for --epoch: below a millisecond" record --epoch 500us -- /bin/true
expect_usage_error "invalid value 'bogus' for --backend" record --backend bogus -- /bin/true
"$PERF_PML" report -i lin.data --csv --sort page --limit 3 >lim.out 2>/dev/null || fail "--limit 3"
printf 'page_epochs,pages,page\n1,1,0x10000000\n1,1,0x10001000\n1,1,0x10002000\n' |
  diff - lim.out >/dev/null || fail "--limit 3 printed: $(cat lim.out)"
# -m takes what perf's -m takes, rounded up to a power of two like perf.
"$PERF_PML" record -m 3 -o m.data -- "$WRITER" 2>m.err || fail "record -m 3: $(cat m.err)"
grep -q "rounding mmap pages size to 16.0 KiB (4 pages)" m.err || fail "-m 3: $(cat m.err)"
"$PERF_PML" record -q -m 512K -o m.data -- "$WRITER" 2>m.err || fail "record -m 512K: $(cat m.err)"
! grep -q rounding m.err || fail "-m 512K (128 pages) was rounded: $(cat m.err)"

# --- 3. -e takes perf's event syntax; --epoch stays.
"$PERF_PML" record -q -e pml/epoch=20/ -o e.data -- "$WRITER" 2>e.err || fail "-e pml/epoch=20/: $(cat e.err)"
"$PERF_PML" report -i e.data --stdio 2>/dev/null | grep -q "of event 'pml/epoch=20/'" ||
  fail "-e pml/epoch=20/ not the recorded event"
"$PERF_PML" stat -e pml/epoch=1s/ -- /bin/true 2>s.err || fail "stat -e pml/epoch=1s/: $(cat s.err)"
grep -q "epoch 1000 ms" s.err || fail "-e pml/epoch=1s/ is not 1000 ms: $(cat s.err)"
"$PERF_PML" record -q --epoch 30ms -o e.data -- "$WRITER" 2>e.err || fail "--epoch 30ms: $(cat e.err)"
"$PERF_PML" report -i e.data --stdio 2>/dev/null | grep -q "of event 'pml/epoch=30/'" ||
  fail "--epoch 30ms not recorded"
"$PERF_PML" stat -e pml/epoch=50/ -- "$WRITER" 2>s.err || fail "stat -e: $(cat s.err)"
grep -q "epoch 50 ms" s.err || fail "stat -e pml/epoch=50/: $(cat s.err)"
expect_usage_error "invalid value 'cpu/cycles/' for -e: unknown PMU 'cpu'" record -e cpu/cycles/ -- /bin/true
expect_usage_error "unknown term 'foo' for PMU pml (known: epoch=N, config=N, dirty_pages)" \
  stat -e pml/foo=1/ -- /bin/true
expect_usage_error "one event only: -e was given twice" record -e pml// -e pml// -- /bin/true

# --- 4. -o - and -i - (perf.data pipe mode): e2e_pipe_mode.sh.

# --- 5. --sort symbol must be alone, and says so.
"$PERF_PML" report -i lin.data --sort symbol,pid >/dev/null 2>sort.err && fail "--sort symbol,pid accepted"
grep -q "perf pml report: error: --sort symbol cannot be combined with other keys: give it alone" sort.err ||
  fail "--sort symbol,pid: $(cat sort.err)"

# --- 6. The header says the hot fraction asked for.
"$PERF_PML" report -i lin.data --stdio --hot-fraction 0.25 2>/dev/null | grep -q \
  "^# Hot pages (written in more than 25% of " || fail "header ignores --hot-fraction"
"$PERF_PML" report -i lin.data --stdio 2>/dev/null | grep -q \
  "^# Hot pages (written in more than 50% of " || fail "header without --hot-fraction"

# --- 7. stat -x SEP and -j, like perf stat.
"$PERF_PML" stat -x';' -- "$WRITER" 2>x.out || fail "stat -x: $(cat x.out)"
[ "$(wc -l < x.out)" = 13 ] || fail "stat -x printed other lines: $(cat x.out)"
awk -F';' 'NF != 7 { exit 1 }' x.out || fail "stat -x lines without 7 fields: $(cat x.out)"
unique=$(awk -F';' '$3 == "unique-pages" { print $1 }' x.out)
[ "${unique:-0}" -ge 8 ] || fail "stat -x unique-pages '$unique' below the 8 written: $(cat x.out)"
"$PERF_PML" stat -j -o j.out -- "$WRITER" 2>/dev/null || fail "stat -j"
python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 13, lines
events = [json.loads(l)["event"] for l in lines]
assert events[0] == "page-epochs" and "unique-pages" in events, events
' j.out || fail "stat -j is not one JSON object per line: $(cat j.out)"
expect_usage_error "-x and -j are exclusive" stat -x, -j -- /bin/true

# --- 8. script -F: the fields asked for, the addresses pml-gen wrote.
"$PERF_PML" script -i lin.data -F addr >f.out 2>f.err || fail "script -F addr: $(cat f.err)"
got=$(awk '{print $1}' f.out | tr '\n' ' ')
want=$(for i in $(seq 0 23); do printf '%x ' $((0x10000000 + i * 4096)); done)
[ "$got" = "$want" ] || fail "script -F addr: got '$got' want '$want'"
"$PERF_PML" script -i lin.data -F tid,addr,epoch | head -1 | grep -qE '^ +1000 +10000000 0$' ||
  fail "script -F tid,addr,epoch: $("$PERF_PML" script -i lin.data -F tid,addr,epoch | head -1)"
if [ -x "$PERF" ]; then  # the same addresses as perf script -F addr
  "$PERF" script -i lin.data -F addr 2>/dev/null | awk '{print $1}' >perf.addr
  awk '{print $1}' f.out | diff - perf.addr >/dev/null || fail "perf script -F addr differs"
fi
expect_usage_error "unknown field 'bogus' (known: comm,pid,tid," script -i lin.data -F addr,bogus
"$PERF_PML" script -i lin.data -F phys_addr >/dev/null 2>f.err && fail "-F phys_addr without PHYS_ADDR"
grep -q "do not have the field 'phys_addr'" f.err || fail "-F phys_addr: $(cat f.err)"
echo PASS
