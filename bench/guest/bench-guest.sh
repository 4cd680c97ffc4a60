#!/bin/sh
# The guest side of `make bench` (and, at a tiny size, `make check-bench`).
# Each call is one command of the VM run, so the runner reports progress:
#
#   bench-guest.sh none                every workload unmonitored, REPS times (cost.txt)
#   bench-guest.sh monitors REP MON... repetition REP of every workload under each
#                                      monitor MON (cost.txt)
#   bench-guest.sh units               getppid round trip, pml event open (units.txt)
#   bench-guest.sh harvest RSS_MIB...  harvest cost with 1 MiB dirty (harvest.txt)
#
# Environment: BENCH_SIZE full|tiny (default full), BENCH_REPS (unmonitored
# repetitions: 3; tiny 1),
# BENCH_BUDGET (guest seconds, see over_budget), BENCH_WORKLOADS (all),
# BENCH_CAP_RATIO (4): a monitored run is stopped after CAP_RATIO times
# the workload's slowest unmonitored run plus 300 ms (a capped guest
# second in VMX non-root mode costs Bochs minutes) and reported as capped,
# and not repeated. Results go to $OUT/bench/ as lines of name=value fields,
# and onto the console.
set -u
SIZE=${BENCH_SIZE:-full}
if [ "$SIZE" = tiny ]; then REPS=${BENCH_REPS:-1}; else REPS=${BENCH_REPS:-3}; fi
CAP_RATIO=${BENCH_CAP_RATIO:-4}
RES=$OUT/bench
TMP=/tmp/bench
mkdir -p "$RES" "$TMP"
export PYTHONHOME=/usr  # the rootfs has python3.11's encodings only (bench/mkoverlay.sh)

# The fixed amount of work of each workload. SIZE full: 50-100 guest ms
# each unmonitored (5-10 epochs of 10 ms, under one of 100 ms): Bochs
# emulates 20-50 M instructions per host second, a guest second is 3.5 G
# instructions, and the whole of make bench must fit in an hour. tiny: a
# few guest ms, to check that the harness works.
if [ "$SIZE" = tiny ]; then
	SEQ="8 2" RAND="8 20000" SYSC=200 FORKS=3 THR="4 8 2" ROWS=200 XZ_KIB=64 PYN=2000
else
	SEQ="32 6" RAND="32 8000000" SYSC=25000 FORKS=60 THR="4 32 6" ROWS=25000 XZ_KIB=256 PYN=30000
fi

# Absolute paths: busybox's sh runs its own applets (xz, ...) by name.
workload_cmd() {
	case $1 in
	seqwrite)  echo "pml-bench-wl seqwrite $SEQ" ;;
	randwrite) echo "pml-bench-wl randwrite $RAND" ;;
	syscalls)  echo "pml-bench-wl syscalls $SYSC" ;;
	forkexec)  echo "pml-bench-wl forkexec $FORKS /bin/true" ;;
	threads)   echo "pml-bench-wl threads $THR" ;;
	sqlite3)   echo "/usr/bin/sqlite3 -batch -init $TMP/insert.sql $TMP/bench.db .quit" ;;
	xz)        echo "/usr/bin/xz -3 -T1 -c $TMP/input.txt" ;;
	python3)   echo "/usr/bin/python3.11 -S $TMP/dict.py" ;;
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

# The monitors: name and command prefix (E: epoch in ms). Files go to
# /dev/null: what is measured is the monitoring, not the storage.
WORKLOADS=${BENCH_WORKLOADS:-seqwrite randwrite syscalls forkexec threads sqlite3 xz python3}
MONITORS="none stat-10 stat-100 pmlrec-10 pmlrec-100 perfrec-10 perfrec-100 uffd-10 uffd-100 soft-10 soft-100"
monitor_cmd() {
	e=${1#*-}
	case $1 in
	none)     echo "" ;;
	stat-*)   echo "perf stat -x, -o $TMP/stat.txt -e pml/epoch=$e/ --" ;;
	pmlrec-*) echo "perf pml record --backend pml --epoch ${e}ms -o /dev/null --" ;;
	perfrec-*) echo "perf record -q -e pml/epoch=$e/ -d -o /dev/null --" ;;
	uffd-*)   echo "perf pml record --backend uffd --epoch ${e}ms -o /dev/null --" ;;
	soft-*)   echo "perf pml record --backend softdirty --epoch ${e}ms -o /dev/null --" ;;
	esac
}

# emit FILE LINE: a result line, into $RES/FILE and onto the console, so
# that the host has it (console.log) even if the guest runs out of time.
emit() {
	echo "$2" >> "$RES/$1"
	echo "PML-BENCH $1 $2" > /dev/console
}

# BENCH_BUDGET: guest seconds since boot after which no more runs start
# (each is recorded as skipped), so that the results are written before
# the host's timeout; 0 = none.
BUDGET=${BENCH_BUDGET:-0}
over_budget() {
	[ "$BUDGET" -gt 0 ] && [ "$(cut -d. -f1 /proc/uptime)" -ge "$BUDGET" ]
}

# run LABEL CAP MONITOR WORKLOAD: one timed run; its line goes to cost.txt.
run() {
	label=$1 cap=$2 mon=$3 wl=$4
	if over_budget; then
		emit cost.txt "$label skipped=budget"
		return 4
	fi
	rm -f "$TMP/bench.db" "$TMP/stat.txt" "$TMP/run.txt"
	set -- $(workload_cmd "$wl")
	# libpml-bench-time.so times the workload's own process (timing.c).
	# shellcheck disable=SC2046 # word splitting of the command lines is wanted
	BENCH_RESULT=$TMP/run.txt BENCH_LABEL=$label BENCH_CAP=$cap BENCH_TIMED_EXE=${1##*/} \
		LD_PRELOAD=/usr/lib/libpml-bench-time.so \
		$(monitor_cmd "$mon") "$@" > /dev/null 2> "$TMP/monitor.err"
	rc=$?
	# perf pml record ends by truncating its file, which /dev/null refuses
	# (EINVAL), after the workload is done: not a failure of the run.
	if [ $rc -ne 0 ] && grep -q "cannot truncate perf.data" "$TMP/monitor.err" &&
	   [ "$(grep -c "error:" "$TMP/monitor.err")" -eq 1 ]; then
		rc=0
	fi
	line=$(cat "$TMP/run.txt" 2>/dev/null)
	if [ -z "$line" ]; then
		emit cost.txt "$label error=no_result rc=$rc"
		sed "s/^/# $label: /" "$TMP/monitor.err" >> "$RES/errors.txt"
		return 1
	fi
	extra=" rc=$rc"
	# perf stat's count: page-epochs logged (CSV: value,unit,event,...).
	if [ -f "$TMP/stat.txt" ]; then
		count=$(awk -F, '$3 ~ /^pml/ {print $1}' "$TMP/stat.txt" | head -1)
		extra="$extra stat_count=${count:-none}"
	fi
	n=$(sed -n 's/.*(\([0-9]*\) samples).*/\1/p' "$TMP/monitor.err" | tail -1)
	[ -n "$n" ] && extra="$extra written_samples=$n"
	lost=$(grep -c -i "lost" "$TMP/monitor.err")
	extra="$extra monitor_lost_lines=$lost"
	emit cost.txt "$line$extra"
	case $line in *" capped=1"*) return 3 ;; esac
	if [ "$rc" -ne 0 ]; then
		sed "s/^/# $label: /" "$TMP/monitor.err" >> "$RES/errors.txt"
		return 1
	fi
	return 0
}

# none: every workload unmonitored, REPS times; its slowest run sets the
# cap of its monitored runs.
none() {
	prepare
	failed=0
	for wl in $WORKLOADS; do
		slowest=0
		for r in $(seq 1 "$REPS"); do
			run "wl=$wl mon=none rep=$r" 0 none "$wl" || { failed=1; continue; }
			ns=$(sed -n "s/^wl=$wl mon=none rep=$r .*wall_ns=\([0-9]*\).*/\1/p" "$RES/cost.txt" | tail -1)
			[ "${ns:-0}" -gt "$slowest" ] && slowest=$ns
		done
		echo $(( slowest * CAP_RATIO / 1000000 + 300 )) > "$TMP/cap-$wl"  # ms
	done
	return $failed
}

# monitors REP MON...: repetition REP of every workload under each MON; a
# workload capped under a monitor before is not run under it again.
monitors() {
	rep=$1
	shift
	prepare
	failed=0
	for wl in $WORKLOADS; do
		cap=$(cat "$TMP/cap-$wl" 2>/dev/null || echo 0)
		[ "$cap" -gt 0 ] || { failed=1; continue; }
		for mon in "$@"; do
			grep -qx "$wl $mon" "$TMP/capped" 2>/dev/null && continue
			run "wl=$wl mon=$mon rep=$rep" "$cap" "$mon" "$wl"
			case $? in
			0) ;;
			3) echo "$wl $mon" >> "$TMP/capped" ;;
			*) failed=1 ;;
			esac
		done
	done
	return $failed
}

units() {
	failed=0
	for u in "getppid 100000" "open 10" "harvest pml $([ "$SIZE" = tiny ] && echo 8 || echo 64) 0 9"; do
		# shellcheck disable=SC2086 # $u is the arguments
		out=$(pml-bench-costs $u 2>> "$RES/errors.txt") || failed=1
		[ -n "$out" ] && emit units.txt "$out"
	done
	return $failed
}

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

what=${1:-}
[ $# -gt 0 ] && shift
case $what in
none) none ;;
monitors) [ $# -ge 2 ] || exit 2; monitors "$@" ;;
units) units ;;
harvest) harvest "$@" ;;
*) echo "usage: bench-guest.sh none | monitors REP MONITOR... | units | harvest RSS_MIB..." >&2; exit 2 ;;
esac
