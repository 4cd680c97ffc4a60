#!/bin/sh
# End to end on the patched kernel (inside the test VM, on a CPU with PML):
# perf pml record and perf record -e pml// on a program that writes a known
# page set; perf pml report must find exactly that set. Then the software
# backend (userfaultfd) on the same kernel: the same set, and the runner
# fails the run if its injected syscalls make the kernel WARN (it used to
# single-step over SYSCALL, which Bochs traps as a #DB in the kernel's
# entry code). TAP output.
#   vm_pml_record.sh KNOWN_WRITER
# known_writer maps 64 pages at 0x5a0000000000 and writes pages
# 0 1 2 5 9 17 33 63 (see known_writer.cpp). Last, a second monitor of an
# address space that perf already monitors: perf pml record must refuse
# it with the EBUSY explanation and a failure status.
WRITER=${1:-./known_writer}
OUT=${OUT:-/tmp}
WANT="0x5a0000000000 0x5a0000001000 0x5a0000002000 0x5a0000005000 0x5a0000009000 0x5a0000011000 0x5a0000021000 0x5a000003f000"

echo "TAP version 13"
echo "1..4"

# The buffer's pages in a file, one per line, sorted: exactly once each.
buffer_pages() {
	perf pml report -i "$1" --csv --sort page 2>/dev/null |
		awk -F, '$3 ~ /^0x5a00000/ {print $3}' | sort | tr '\n' ' ' | sed 's/ $//'
}

check() {  # check N NAME FILE
	got=$(buffer_pages "$3")
	if [ "$got" = "$WANT" ]; then
		echo "ok $1 $2"
	else
		echo "# want: $WANT"
		echo "# got:  $got"
		echo "not ok $1 $2"
	fi
}

perf pml record --backend pml --epoch 0 -o "$OUT/pml-record.data" -- "$WRITER" 50 2>&1 | sed 's/^/# /'
check 1 "perf pml record: exactly the written pages" "$OUT/pml-record.data"

perf record -q -e pml// -d -o "$OUT/perf-record.data" -- "$WRITER" 50 2>&1 | sed 's/^/# /'
check 2 "perf record -e pml//: perf pml report finds exactly the written pages" "$OUT/perf-record.data"

perf pml record --backend uffd --epoch 10ms -o "$OUT/uffd-record.data" -- "$WRITER" 50 2>&1 | sed 's/^/# /'
check 3 "perf pml record --backend uffd: exactly the written pages" "$OUT/uffd-record.data"

# perf stat's inherited pml event follows perf pml record and the child it
# forks, so the child's mm is monitored before perf pml record opens its
# own event on it: one monitor per address space (EBUSY).
perf stat -e pml// -o "$OUT/outer-stat.txt" -- sh -c \
	'perf pml record --backend pml -o "$1/second.data" -- "$2" 50 > "$1/second.out" 2>&1
	 echo $? > "$1/second.rc"' sh "$OUT" "$WRITER"
rc=$(cat "$OUT/second.rc" 2>/dev/null)
sed 's/^/# /' "$OUT/second.out"
if [ -n "$rc" ] && [ "$rc" -ne 0 ] &&
   grep -q "another monitor already follows this address space" "$OUT/second.out"; then
	echo "ok 4 a second monitor of a monitored address space: refused, with why"
else
	echo "# perf pml record status: ${rc:-none}"
	echo "not ok 4 a second monitor of a monitored address space: refused, with why"
fi
