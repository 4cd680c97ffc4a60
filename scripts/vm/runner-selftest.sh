#!/bin/bash
# Self-test of pml-vm, on QEMU and once on Bochs: a kernel WARNING fails
# the run; exit codes, files copied in and files written to $OUT make the
# round trip; each command's end is reported as it happens; a guest that
# hangs is stopped at the timeout and fails the run, and on Bochs leaves
# its CPU state in hang.txt; a killed runner stops its emulator; a tools
# disk is mounted read-only, its programs run, and the results still come
# back on the other disk.
# Usage: runner-selftest.sh PML_VM BZIMAGE ROOTFS OUTDIR TOOLS_DISK
set -uo pipefail
PML_VM=$1 KERNEL=$2 ROOTFS=$3 OUT=$4 TOOLS_DISK=$5
fails=0 n=0
mkdir -p "$OUT"
check() {
	n=$((n + 1))
	if eval "$2"; then echo "ok $n $1"; else echo "not ok $n $1"; fails=$((fails + 1)); fi
}
vm() { "$PML_VM" --vm qemu --kernel "$KERNEL" --rootfs "$ROOTFS" "$@" >"$OUT/last.log" 2>&1; }

# Bochs runs on one host thread: its hang test goes on beside the QEMU ones.
echo "== runner self-test (QEMU, and a hung Bochs guest beside it)"
"$PML_VM" --vm bochs --kernel "$KERNEL" --rootfs "$ROOTFS" --timeout 100 \
	--out "$OUT/bochs-hang" -- 'sleep 1000' >"$OUT/bochs-hang.log" 2>&1 &
bochs_hang=$!
vm --out "$OUT/warn" -- 'echo WARNING > /sys/kernel/debug/provoke-crash/DIRECT'
rc=$?
check "a provoked kernel WARNING fails the run" '[ $rc -eq 1 ] && grep -q "WARNING" "$OUT/warn/kernel-log-problems"'
check "the failure names the WARNING" 'grep -q "kernel log: .*WARNING" "$OUT/last.log"'

token="pml-runner-$$-$RANDOM"
echo "$token" > "$OUT/probe.txt"
vm --out "$OUT/roundtrip" --file "$OUT/probe.txt" -- 'cp /work/probe.txt $OUT/copy.txt' 'exit 3' \
	'perf stat -e task-clock -- true' \
	'perf record -q -e cpu-clock -o $OUT/p.data -- ls / && perf report -i $OUT/p.data --stdio | grep -q ls' \
	'perf pml script -i /nonexistent 2>&1 | grep -q nonexistent'
rc=$?
check "a failing command fails the run" '[ $rc -eq 1 ]'
check "exit codes come back" '[ "$(cat "$OUT/roundtrip/cmd-1.rc")" = 0 ] && [ "$(cat "$OUT/roundtrip/cmd-2.rc")" = 3 ]'
check "a host file goes in and a written file comes back" '[ "$(cat "$OUT/roundtrip/copy.txt")" = "$token" ]'
check "Debian perf stat and record/report run in the guest" '[ "$(cat "$OUT/roundtrip/cmd-3.rc")" = 0 ] && [ "$(cat "$OUT/roundtrip/cmd-4.rc")" = 0 ]'
check "perf runs perf-pml as perf pml in the guest" '[ "$(cat "$OUT/roundtrip/cmd-5.rc")" = 0 ]'
check "each command's exit is reported as it happens, with its guest time" \
	'grep -q "cmd 2 exit 3 after [0-9]*s guest time (host [0-9]*s)" "$OUT/last.log"'
check "a clean run has no kernel log problems" '[ ! -s "$OUT/roundtrip/kernel-log-problems" ]'

vm --out "$OUT/tools" --tools-disk "$TOOLS_DISK" -- 'bpftrace --version' \
	'grep " /tools ext2 ro," /proc/mounts' 'echo x > $OUT/back.txt'
rc=$?
check "the tools disk is mounted read-only at /tools and bpftrace runs from it" \
	'[ $rc -eq 0 ] && grep -q "^bpftrace v" "$OUT/tools/cmd-1.out"'
check "with a tools disk the results come back on the other disk" '[ "$(cat "$OUT/tools/back.txt")" = x ]'
bad=$(mktemp)
truncate -s 1000000 "$bad"
vm --out "$OUT/bad-tools" --tools-disk "$bad" -- true
rc=$?
rm -f "$bad"
check "a tools disk Bochs could not attach is refused before the boot" \
	'[ $rc -ne 0 ] && grep -q "not a whole number of .*cylinders" "$OUT/last.log"'

vm --out "$OUT/hang" --timeout 30 -- 'sleep 1000'
rc=$?
check "a hanging guest is stopped and fails" '[ $rc -eq 1 ] && grep -q "did not finish within 30s" "$OUT/last.log"'

# A runner that is killed (CI cancels, timeout(1)) or interrupted stops
# its emulator, which runs in a session of its own.
"$PML_VM" --vm qemu --kernel "$KERNEL" --rootfs "$ROOTFS" --out "$OUT/killed" -- 'sleep 1000' \
	>"$OUT/killed.log" 2>&1 &
runner=$!
for _ in $(seq 60); do grep -q "cmd 1: sleep 1000" "$OUT/killed.log" && break; sleep 1; done
emulator=$(pgrep -f -- "-serial file:$OUT/killed/console.log")
kill -TERM "$runner"
wait "$runner"
rc=$?
sleep 1
check "a runner killed with SIGTERM stops its emulator" \
	'[ -n "$emulator" ] && [ $rc -eq 143 ] && ! kill -0 $emulator 2>/dev/null'

# Bochs: a guest still hung at the timeout leaves its CPU state behind.
wait "$bochs_hang"
rc=$?
check "a hung Bochs guest is stopped and fails" '[ $rc -eq 1 ] && grep -q "did not finish within 100s" "$OUT/bochs-hang.log"'
check "hang.txt has the hung CPU's registers and code" \
	'grep -q "^rip: " "$OUT/bochs-hang/hang.txt" && grep -q "^CR0=" "$OUT/bochs-hang/hang.txt" && grep -q "^(0) \[0x" "$OUT/bochs-hang/hang.txt"'

echo "runner self-test: $((n - fails)) passed, $fails failed, 0 skipped"
[ $fails -eq 0 ]
