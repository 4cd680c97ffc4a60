#!/bin/sh
# The guest side of `make bench` (and, at a tiny size, `make check-bench`).
# Each call is one command of the VM run, so the runner reports progress:
#
#   bench-guest.sh none                every workload unmonitored, REPS times (cost.txt)
#   bench-guest.sh monitors REP MON... repetition REP of every workload under each
#                                      monitor MON (cost.txt)
#   bench-guest.sh units               getppid round trip, pml event open, epoch end (units.txt)
#   bench-guest.sh harvest RSS_MIB...  harvest cost with 1 MiB dirty (harvest.txt)
#   bench-guest.sh scale               what grows with guest RAM: event open and
#                                      its EPT memory, epoch ends (scale.txt)
#
# Environment: BENCH_SIZE full|tiny (default full), BENCH_REPS (unmonitored
# repetitions: 3; tiny 1), BENCH_MON_REPS (repetitions of a batched
# monitor, see batched(): 3; tiny 2, so that the loop runs),
# BENCH_WORKLOADS (all), BENCH_CAP_RATIO (4): a monitored run is stopped
# after CAP_RATIO times the workload's slowest unmonitored run plus
# 300 ms (a capped guest second costs Bochs minutes) and reported as
# capped, and not repeated. Results go to $OUT/bench/ as lines of name=value fields,
# and onto the console.
set -u
SIZE=${BENCH_SIZE:-full}
if [ "$SIZE" = tiny ]; then REPS=${BENCH_REPS:-1}; else REPS=${BENCH_REPS:-3}; fi
if [ "$SIZE" = tiny ]; then MON_REPS=${BENCH_MON_REPS:-2}; else MON_REPS=${BENCH_MON_REPS:-3}; fi
CAP_RATIO=${BENCH_CAP_RATIO:-4}
RES=$OUT/bench
TMP=/tmp/bench
mkdir -p "$RES" "$TMP"
export PYTHONHOME=/usr  # the rootfs has python3.11's encodings only (bench/bench.sh)

# The fixed amount of work of each workload. SIZE full: 50-100 guest ms
# each unmonitored (5-10 epochs of 10 ms, under one of 100 ms): Bochs
# emulates 20-50 M instructions per host second, a guest second is 3.5 G
# instructions, and the whole of make bench must fit in an hour. tiny: a
# few guest ms, to check that the harness works.
if [ "$SIZE" = tiny ]; then
	SEQ="8 2" RAND="8 20000" SYSC=200 FORKS=3 THR="4 8 2" ROWS=200 XZ_KIB=64 PYN=2000
else
	SEQ="32 6" RAND="32 8000000" SYSC=25000 FORKS=60 THR="4 32 6" ROWS=25000 XZ_KIB=384 PYN=30000
fi

# WL_CMD=the command line of workload $1. Absolute paths: busybox's sh
# runs its own applets (xz, ...) by name. No subshells: under Bochs each
# fork of the driver costs guest time.
workload_cmd() {
	case $1 in
	seqwrite)  WL_CMD="pml-bench-wl seqwrite $SEQ" ;;
	randwrite) WL_CMD="pml-bench-wl randwrite $RAND" ;;
	syscalls)  WL_CMD="pml-bench-wl syscalls $SYSC" ;;
	forkexec)  WL_CMD="pml-bench-wl forkexec $FORKS /bin/true" ;;
	threads)   WL_CMD="pml-bench-wl threads $THR" ;;
	sqlite3)   WL_CMD="/usr/bin/sqlite3 -batch -init $TMP/insert.sql $TMP/bench.db .quit" ;;
	xz)        WL_CMD="/usr/bin/xz -3 -T1 -c $TMP/input.txt" ;;
	python3)   WL_CMD="/usr/bin/python3.11 -S $TMP/dict.py" ;;
	*) echo "bench-guest: unknown workload $1" >&2; exit 2 ;;
	esac
}

# Inputs, made once, outside any timed run.
prepare() {
	[ -f "$TMP/input.txt" ] || pml-bench-wl mkdata "$TMP/input.txt" "$XZ_KIB"
	cat > "$TMP/insert.sql" <<EOF
PRAGMA journal_mode=MEMORY;
CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT);
CREATE INDEX t_k ON t(k);
BEGIN;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $ROWS)
INSERT INTO t(k, v) SELECT (x * 7919) % 100003, printf('row %d of the benchmark', x) FROM c;
COMMIT;
EOF
	cat > "$TMP/dict.py" <<EOF
d = {}
for i in range($PYN):
    d["key%d" % ((i * 7919) % 1000003)] = [i, str(i)]
print(len(d))
EOF
}

# The monitors: MON_CMD=the command prefix of monitor $1 (E: epoch in
# ms). Files go to /dev/null: what is measured is the monitoring, not the
# storage. `HG` clears exclude_guest and exclude_host, which pml refuses:
# without it perf retries the open with one feature less each time (perf
# stat 3 opens, perf record 6), and this kernel builds a whole EPT for
# each refused attempt. --no-bpf-event skips perf record's synthesis of
# the BPF programs already loaded (~0.9 guest s). Both only shorten what
# happens before the workload starts; the event the workload runs under
# is the same.
WORKLOADS=${BENCH_WORKLOADS:-seqwrite randwrite syscalls forkexec threads sqlite3 xz python3}
monitor_cmd() {
	e=${1#*-}
	case $1 in
	none)      MON_CMD="" ;;
	stat-*)    MON_CMD="perf stat -x, -o /dev/null -e pml/epoch=$e/HG --" ;;
	pmlrec-*)  MON_CMD="perf pml record --backend pml --epoch ${e}ms -o /dev/null --" ;;
	perfrec-*) MON_CMD="perf record -q --no-bpf-event -e pml/epoch=$e/HG -d -o /dev/null --" ;;
	uffd-*)    MON_CMD="perf pml record --backend uffd --epoch ${e}ms -o /dev/null --" ;;
	soft-*)    MON_CMD="perf pml record --backend softdirty --epoch ${e}ms -o /dev/null --" ;;
	*) echo "bench-guest: unknown monitor $1" >&2; exit 2 ;;
	esac
}
# The pml monitors take 0.15-0.45 guest s to start, most of the time of
# a run: they start once per cell and run its repetitions one after the
# other (`sh -c 'W && W && W'`; their inherited events follow the shell's
# children). Each repetition is a process of its own with its own line;
# its counters are the difference from its start (timing.c). The software
# backends follow only the process they start: one monitor per run.
batched() {
	case $1 in stat-*|pmlrec-*|perfrec-*) return 0 ;; esac
	return 1
}

# emit FILE LINE: a result line, into $RES/FILE and onto the console, so
# that the host has it (console.log) even if the guest runs out of time.
emit() {
	echo "$2" >> "$RES/$1"
	echo "PML-BENCH $1 $2" > /dev/console
}

# CS=guest time since boot in 1/100 s (no fork: /proc/uptime has two decimals).
uptime_cs() {
	read -r up _ < /proc/uptime
	CS=$(( ${up%.*} * 100 + 1${up#*.} - 100 ))
}

# run LABEL CAP MONITOR WORKLOAD FIRST N: repetitions FIRST..FIRST+N-1 of
# the workload (labelled LABEL rep=R) under one start of the monitor; each
# one's line goes to cost.txt. N > 1 runs them from one shell (`W && W`);
# a capped repetition ends the loop (timing.c exits with status 75).
# Returns 3 when capped, 1 on failure; WALL_MAX=the slowest wall_ns.
run() {
	label=$1 cap=$2 mon=$3 wl=$4 first=$5 n=$6
	rm -f "$TMP/run.txt" "$TMP/bench.db"
	workload_cmd "$wl"
	monitor_cmd "$mon"
	exe=${WL_CMD%% *}
	uptime_cs
	t0=$CS
	# libpml-bench-time.so times the workload's own process (timing.c);
	# BENCH_TIMED_EXE names it, the first process of that name.
	# shellcheck disable=SC2086 # word splitting of the command lines is wanted
	if [ "$n" = 1 ]; then
		BENCH_RESULT=$TMP/run.txt BENCH_CAP=$cap BENCH_TIMED_EXE=${exe##*/} BENCH_LABEL="$label rep=$first" \
			LD_PRELOAD=/usr/lib/libpml-bench-time.so $MON_CMD $WL_CMD > /dev/null 2> "$TMP/monitor.err"
	else
		loop="" r=$first
		while [ "$r" -lt $((first + n)) ]; do
			loop="$loop${loop:+ && }rm -f $TMP/bench.db && BENCH_LABEL=\"$label rep=$r\" $WL_CMD"
			r=$((r + 1))
		done
		BENCH_RESULT=$TMP/run.txt BENCH_CAP=$cap BENCH_TIMED_EXE=${exe##*/} \
			LD_PRELOAD=/usr/lib/libpml-bench-time.so $MON_CMD sh -c "$loop" > /dev/null 2> "$TMP/monitor.err"
	fi
	rc=$?
	uptime_cs
	# span_cs: the whole run: the monitor's start and end, every repetition.
	extra=" rc=$rc batch=$n span_cs=$((CS - t0))"
	[ -s "$TMP/monitor.err" ] && extra="$extra monitor_lost_lines=$(grep -c -i "lost" "$TMP/monitor.err")"
	got=0 capped=0 WALL_MAX=0
	if [ -f "$TMP/run.txt" ]; then
		while read -r line; do
			case $line in *" capped=1"*) capped=1 ;; esac
			w=${line#* wall_ns=}
			w=${w%% *}
			[ "$w" -gt "$WALL_MAX" ] && WALL_MAX=$w
			emit cost.txt "$line$extra"
			got=$((got + 1))
		done < "$TMP/run.txt"
	fi
	[ $capped = 1 ] && return 3
	if [ $got -lt "$n" ] || [ $rc -ne 0 ]; then
		[ $got -lt "$n" ] && emit cost.txt "$label rep=$((first + got)) error=no_result rc=$rc"
		while read -r e; do
			echo "# $label rep=$((first + got)): $e"
		done < "$TMP/monitor.err" >> "$RES/errors.txt"
		return 1
	fi
	return 0
}

# none: every workload unmonitored, REPS times; its slowest run sets the
# cap of its monitored runs (ms, in $TMP/cap-WORKLOAD).
none() {
	prepare
	failed=0
	for wl in $WORKLOADS; do
		slowest=0 r=1
		while [ $r -le "$REPS" ]; do
			run "wl=$wl mon=none" 0 none "$wl" $r 1 || failed=1
			[ "$WALL_MAX" -gt "$slowest" ] && slowest=$WALL_MAX
			r=$((r + 1))
		done
		echo $(( slowest * CAP_RATIO / 1000000 + 300 )) > "$TMP/cap-$wl"
	done
	return $failed
}

# monitors REP MON...: repetition REP of every workload under each MON; a
# batched monitor runs all MON_REPS repetitions at REP 1 and none later; a
# workload capped under a monitor before is not run under it again.
monitors() {
	rep=$1
	shift
	prepare
	failed=0 capped_cells=" "
	if [ -f "$TMP/capped" ]; then
		while read -r c; do capped_cells="$capped_cells$c "; done < "$TMP/capped"
	fi
	for wl in $WORKLOADS; do
		cap=0
		[ -f "$TMP/cap-$wl" ] && read -r cap < "$TMP/cap-$wl"
		[ "$cap" -gt 0 ] || { failed=1; continue; }
		for mon in "$@"; do
			case $capped_cells in *" $wl:$mon "*) continue ;; esac
			n=1
			if batched "$mon"; then
				[ "$rep" = 1 ] || continue
				n=$MON_REPS
			fi
			run "wl=$wl mon=$mon" "$cap" "$mon" "$wl" "$rep" "$n"
			case $? in
			0) ;;
			3) capped_cells="$capped_cells$wl:$mon "; echo "$wl:$mon" >> "$TMP/capped" ;;
			*) failed=1 ;;
			esac
		done
	done
	return $failed
}

# units: the getppid() round trip (the unit of the per-unit table), the
# pml event open and close, the epoch end with nothing and 1 MiB logged.
units() {
	failed=0
	for u in "getppid 100000" "open $([ "$SIZE" = tiny ] && echo 2 || echo 10)" \
		"epochend $([ "$SIZE" = tiny ] && echo "8 1024 3" || echo "64 1024 9")"; do
		# shellcheck disable=SC2086 # $u is the arguments
		out=$(pml-bench-costs $u 2>> "$RES/errors.txt") || failed=1
		[ -n "$out" ] && emit units.txt "$out"
	done
	return $failed
}

# harvest RSS_MIB...: the time to learn the pages written in an interval
# with 1 MiB written, by each method, on buffers of each RSS.
harvest() {
	n=$([ "$SIZE" = tiny ] && echo 3 || echo 9)
	failed=0
	for rss in "$@"; do
		for m in pml pagemap softdirty; do
			out=$(pml-bench-costs harvest "$m" "$rss" 1024 "$n" 2>> "$RES/errors.txt") || failed=1
			[ -n "$out" ] && emit harvest.txt "$out"
		done
	done
	return $failed
}

# scale: what grows with guest RAM, on this boot's RAM: the pml event
# open and close and its EPT memory, and the end of an epoch (the ioctl
# alone, and with the drain) with nothing and with 1 MiB logged in a
# 64 MiB buffer. The write-heavy workload's runs are `none` and
# `monitors` with BENCH_WORKLOADS=seqwrite.
scale() {
	failed=0
	emit scale.txt "mem $(awk '/^MemTotal:/ { t = $2 } /^MemFree:/ { f = $2 } END { printf "total_kb=%d free_kb=%d", t, f }' /proc/meminfo)"
	for u in "open $([ "$SIZE" = tiny ] && echo 1 || echo "${BENCH_SCALE_OPENS:-2}")" \
		"epochend $([ "$SIZE" = tiny ] && echo "8 1024 3" || echo "64 1024 9")"; do
		# shellcheck disable=SC2086 # $u is the arguments
		out=$(pml-bench-costs $u 2>> "$RES/errors.txt") || failed=1
		[ -n "$out" ] && emit scale.txt "$out"
	done
	return $failed
}

what=${1:-}
[ $# -gt 0 ] && shift
case $what in
none) none ;;
monitors) [ $# -ge 2 ] || exit 2; monitors "$@" ;;
units) units ;;
harvest) harvest "$@" ;;
scale) scale ;;
*) echo "usage: bench-guest.sh none | monitors REP MONITOR... | units | harvest RSS_MIB... | scale" >&2; exit 2 ;;
esac
