#!/bin/sh
# bpftrace on the pml tracepoints inside the test VM, TAP output. bpftrace
# comes from the tools disk (pml-vm --tools-disk, mounted at /tools).
#   PML_EXPECT_VMX=1 vm_bpftrace_test.sh   (Bochs: VMX+EPT+PML; counts
#                                           checked against the pages written)
#   PML_EXPECT_VMX=0 vm_bpftrace_test.sh   (QEMU TCG: bpftrace lists and
#                                           attaches the tracepoints; the
#                                           counts are skipped, no pml PMU)
# bpf_writer maps a region at $ADDR and writes the page lists it is given,
# so every lower bound below is known before the run.
ADDR=0x10000000000
NPAGES=1000
T=0
say() { echo "$1"; [ -w /dev/console ] && echo "vm_bpftrace_test: $1" > /dev/console; }
ok() { T=$((T + 1)); say "ok $T $1"; }
nok() { T=$((T + 1)); say "not ok $T $1"; }
skip() { T=$((T + 1)); say "ok $T $1 # SKIP $2"; }
# A hung bpftrace fails its checks instead of the whole VM run.
run() { timeout 600 "$@"; }
at_least() {  # at_least NAME MIN GOT
	if [ "${3:-0}" -ge "$2" ] 2>/dev/null; then ok "$1 (${3} >= $2)"; else nok "$1 (${3:-none} >= $2)"; fi
}
# The value of a bpftrace map without keys ("@name: 5"), or the sum over
# all keys of a keyed one ("@name[key]: 5"), in the output $2.
map_sum() {
	echo "$2" | awk -v m="@$1" '
		index($0, m ":") == 1 || index($0, m "[") == 1 { s += $NF; n++ }
		END { if (n) print s }'
}
map_at() {  # map_at NAME KEY OUTPUT
	echo "$3" | sed -n "s/^@$1\[$2\]: //p"
}
# Show a command line and its output, as it goes into Documentation/bpf.md.
show() {  # show CMDLINE OUTPUT
	echo "# \$ $1"
	echo "$2" | sed 's/^/# /'
}

echo "TAP version 13"
[ -d /sys/kernel/tracing/events ] || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null

if ! command -v bpftrace >/dev/null; then
	# make check attaches the tools disk: its absence is a failure there.
	nok "bpftrace in PATH (no tools disk at /tools: pml-vm --tools-disk)"
	echo "1..$T"
	exit 0
fi
if [ ! -d /sys/kernel/tracing/events/pml ]; then
	nok "the kernel has the pml tracepoints (tracefs events/pml)"
	echo "1..$T"
	exit 0
fi

FLUSH_PROG='tracepoint:pml:pml_log_flush { @kept[comm] = sum(args->nr_kept); @entries = sum(args->nr_entries); @reason[args->reason] = count(); }'
EPOCH_PROG='tracepoint:pml:pml_epoch { @epochs = count(); @cleared[args->epoch] = sum(args->nr_cleared); }'

if [ "${PML_EXPECT_VMX:-1}" = 0 ]; then
	# No pml event can run here: bpftrace must still find, parse and
	# attach the tracepoints (the fields come from their tracefs format).
	out=$(run bpftrace -l 'tracepoint:pml:*' 2>&1)
	echo "$out" | sed 's/^/# /'
	case "$out" in
	*tracepoint:pml:pml_epoch*tracepoint:pml:pml_log_flush* | *tracepoint:pml:pml_log_flush*tracepoint:pml:pml_epoch*)
		ok "bpftrace -l lists pml:pml_log_flush and pml:pml_epoch" ;;
	*) nok "bpftrace -l lists pml:pml_log_flush and pml:pml_epoch" ;;
	esac
	out=$(run bpftrace -lv tracepoint:pml:pml_log_flush 2>&1)
	echo "$out" | sed 's/^/# /'
	case "$out" in
	*"u32 nr_entries"*"u32 nr_kept"*"u32 reason"*) ok "bpftrace -lv shows pml_log_flush's fields" ;;
	*) nok "bpftrace -lv shows pml_log_flush's fields" ;;
	esac
	out=$(run bpftrace -e "$FLUSH_PROG $EPOCH_PROG" -c /bin/true 2>&1); rc=$?
	echo "$out" | sed 's/^/# /'
	case "$rc:$out" in
	0:*"Attaching 2 probes"*) ok "bpftrace attaches to pml:pml_log_flush and pml:pml_epoch" ;;
	*) nok "bpftrace attaches to pml:pml_log_flush and pml:pml_epoch (exit $rc)" ;;
	esac
	why="no pml event can count on this CPU (no VMX+EPT+PML: QEMU TCG)"
	skip "bpftrace counts the pages of a perf stat -e pml// run" "$why"
	skip "bpftrace counts the epochs pml-dirtymap ends" "$why"
	echo "1..$T"
	exit 0
fi

# 1. perf stat -e pml// on a writer of $NPAGES pages, no epochs: the pages
#    kept over all flushes are at least the pages written and exactly the
#    event's count; a flush keeps at most the entries it drained.
stat_cmd="perf stat -e pml// -x, -o /tmp/pml-stat.csv bpf_writer $ADDR $NPAGES 0-$((NPAGES - 1))"
start=$(cut -d' ' -f1 /proc/uptime)
out=$(run bpftrace -e "$FLUSH_PROG" -c "$stat_cmd" 2>&1); rc=$?
took=$(awk -v s="$start" '{ printf "%.1f", $1 - s }' /proc/uptime)
show "bpftrace -e '$FLUSH_PROG' -c '$stat_cmd'" "$out"
echo "# \$ cat /tmp/pml-stat.csv"
sed 's/^/# /' /tmp/pml-stat.csv
echo "# guest time of the bpftrace run: ${took}s"
case "$rc:$out" in
0:*"Attaching 1 probe"*) ok "bpftrace with perf stat -e pml//: attached, exit 0" ;;
*) nok "bpftrace with perf stat -e pml//: attached, exit 0 (exit $rc)" ;;
esac
kept=$(map_sum kept "$out")
entries=$(map_sum entries "$out")
count=$(awk -F, '$3 ~ /^pml/ {print $1}' /tmp/pml-stat.csv)
at_least "sum of nr_kept >= the $NPAGES pages written" $NPAGES "$kept"
if [ -n "$kept" ] && [ "$kept" = "$count" ]; then
	ok "sum of nr_kept = the pml event's count ($kept = $count)"
else
	nok "sum of nr_kept = the pml event's count (${kept:-none} = ${count:-none})"
fi
at_least "sum of nr_entries >= sum of nr_kept" "${kept:-1}" "$entries"

# 2. pml-dirtymap ends an epoch (PERF_EVENT_IOC_RESET) each time the
#    writer stops (after 21 pages, then after 11) and once at its exit:
#    three epochs, in which at least those pages were logged and cleared.
map_cmd="pml-dirtymap --start $ADDR --len $((64 * 4096)) -- bpf_writer $ADDR 64 0-9,20,40-49 5-14,63"
out=$(run bpftrace -e "$EPOCH_PROG" -c "$map_cmd" 2>&1); rc=$?
show "bpftrace -e '$EPOCH_PROG' -c '$map_cmd'" "$out"
case "$rc:$out" in
0:*"Attaching 1 probe"*) ok "bpftrace with pml-dirtymap: attached, exit 0" ;;
*) nok "bpftrace with pml-dirtymap: attached, exit 0 (exit $rc)" ;;
esac
rounds=$(echo "$out" | grep -c '^round [0-9]*:')
epochs=$(map_sum epochs "$out")
if [ "$rounds" = 3 ] && [ "$epochs" = 3 ]; then
	ok "pml_epoch fired once per epoch pml-dirtymap ended (3 rounds, $epochs epochs)"
else
	nok "pml_epoch fired once per epoch pml-dirtymap ended (want 3 rounds and 3 epochs, got $rounds and ${epochs:-none})"
fi
at_least "epoch 0 cleared the 21 pages of the first round" 21 "$(map_at cleared 0 "$out")"
at_least "epoch 1 cleared the 11 pages of the second round" 11 "$(map_at cleared 1 "$out")"
echo "1..$T"
