#!/bin/sh
# The pml BPF examples inside the test VM, TAP output.
#   PML_EXPECT_VMX=1 vm_bpf_test.sh   (Bochs: VMX+EPT+PML; exact results)
#   PML_EXPECT_VMX=0 vm_bpf_test.sh   (QEMU TCG: tracepoints exist, the
#                                      programs load and attach, the pml
#                                      event fails with EOPNOTSUPP)
# bpf_writer maps a region at $ADDR and writes the page lists it is given,
# so every expected result below is known before the run.
ADDR=0x10000000000
ADDR_HEX=0000010000000000
T=0
# Progress on the console too: a hung step is visible in the VM's log.
say() { echo "$1"; [ -w /dev/console ] && echo "vm_bpf_test: $1" > /dev/console; }
ok() { T=$((T + 1)); say "ok $T $1"; }
nok() { T=$((T + 1)); say "not ok $T $1"; }
# A hung tool fails its checks instead of the whole VM run.
run() { timeout 300 "$@"; }
check() {  # check NAME WANT GOT
	if [ "$2" = "$3" ]; then ok "$1"; else echo "# want: $2"; echo "# got:  $3"; nok "$1"; fi
}
field() {  # field KEY LINE: the value of KEY=value in LINE
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

echo "TAP version 13"
[ -d /sys/kernel/tracing/events ] || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null

# Built only against a kernel with BTF (make bpf); say so instead of failing.
if ! command -v pml-mapcount >/dev/null; then
	echo "ok 1 BPF examples # SKIP not in the image: the test kernel has no BTF (CONFIG_DEBUG_INFO_BTF)"
	echo "1..1"
	exit 0
fi
if [ ! -d /sys/kernel/tracing/events/pml ]; then
	echo "ok 1 BPF examples # SKIP the kernel has no pml tracepoints (series without them)"
	echo "1..1"
	exit 0
fi

for ev in pml_log_flush pml_epoch; do
	if [ -f /sys/kernel/tracing/events/pml/$ev/format ]; then
		ok "tracepoint pml:$ev exists"
	else
		nok "tracepoint pml:$ev exists"
	fi
done
fmt=$(cat /sys/kernel/tracing/events/pml/pml_log_flush/format 2>/dev/null)
case "$fmt" in
*"u32 nr_kept;"*"__data_loc u64[] addrs;"*) ok "pml_log_flush carries nr_kept and the addresses" ;;
*) echo "$fmt" | sed 's/^/# /'; nok "pml_log_flush carries nr_kept and the addresses" ;;
esac

for tool in pml-flushstat pml-dirtymap pml-mapcount; do
	out=$(run $tool --attach-only 2>&1); rc=$?
	echo "$out" | sed 's/^/# /'
	if [ $rc -eq 0 ]; then ok "$tool: BPF programs load and attach"; else nok "$tool: BPF programs load and attach"; fi
done

if [ "${PML_EXPECT_VMX:-1}" = 0 ]; then
	out=$(run pml-mapcount -- true 2>&1); rc=$?
	echo "$out" | sed 's/^/# /'
	case "$rc:$out" in
	3:*"Operation not supported"*) ok "without VMX the loaders' pml event fails with EOPNOTSUPP" ;;
	*) nok "without VMX the loaders' pml event fails with EOPNOTSUPP (exit $rc)" ;;
	esac
	echo "1..$T"
	exit 0
fi

# pml-mapcount: the region's mapping has exactly the written pages.
out=$(run pml-mapcount -- bpf_writer $ADDR 64 "0-9,20,40-49" 2>&1)
echo "$out" | sed 's/^/# /'
got=$(echo "$out" | awk -v a="$ADDR_HEX" 'index($2, a "-") == 1 {print $1}')
check "pml-mapcount: 21 pages written in the region's mapping" 21 "$got"

# pml-dirtymap: the bitmap is the first set, then after clearing the
# second (which overlaps the first), then nothing.
out=$(run pml-dirtymap --start $ADDR --len $((64 * 4096)) -- bpf_writer $ADDR 64 "0-9,20,40-49" "5-14,63" 2>&1)
echo "$out" | sed 's/^/# /'
check "pml-dirtymap: first set" "round 1: 0-9 20 40-49 (21 pages)" "$(echo "$out" | grep '^round 1:')"
check "pml-dirtymap: after clearing, exactly the second set" "round 2: 5-14 63 (11 pages)" "$(echo "$out" | grep '^round 2:')"
check "pml-dirtymap: nothing after the second set" "round 3: (0 pages)" "$(echo "$out" | grep '^round 3:')"

# pml-flushstat: pages kept over all flushes = samples in the ring buffer.
# 3000 pages in one go fill the per-CPU ring (reason full) and make
# batches of 256; the writer stops once (sched_out) and exits (exit).
# Once without epochs, once with 5 ms epochs (reason epoch).
for epoch in 0 5; do
	out=$(run pml-flushstat --epoch $epoch --start $ADDR --len $((3000 * 4096)) -- \
		bpf_writer $ADDR 3000 "0-2999" "0-99" 2>&1)
	echo "$out" | sed 's/^/# /'
	total=$(echo "$out" | grep '^flushstat: total')
	region=$(echo "$out" | grep '^flushstat: region')
	kept=$(field kept "$total") samples=$(field samples "$total") lost=$(field lost "$total")
	check "flushstat epoch=$epoch: sum of nr_kept = samples + lost ($kept = $samples + $lost)" \
		"$kept" "$(( ${samples:-0} + ${lost:-0} ))"
	check "flushstat epoch=$epoch: no sample lost" 0 "$lost"
	check "flushstat epoch=$epoch: addrs array size = nr_kept * 8 in every flush" 0 "$(field bad_len "$total")"
	check "flushstat epoch=$epoch: flushed addresses in the region = samples in it" \
		"$(field flushed "$region")" "$(field samples "$region")"
	check "flushstat epoch=$epoch: every written page of the region sampled" 3000 "$(field distinct_pages "$region")"
	so=$(echo "$out" | awk '/reason sched_out/ {sub("flushes=", "", $4); print $4}')
	if [ "${so:-0}" -ge 1 ]; then ok "flushstat epoch=$epoch: sched_out flushes ($so)"; else nok "flushstat epoch=$epoch: sched_out flushes"; fi
	if [ $epoch = 0 ]; then
		check "flushstat epoch=0: without epochs each page once" 3000 "$(field samples "$region")"
	else
		ep=$(field epochs "$total")
		if [ "${ep:-0}" -ge 1 ]; then ok "flushstat epoch=5: pml_epoch fired ($ep)"; else nok "flushstat epoch=5: pml_epoch fired"; fi
	fi
done
echo "1..$T"
