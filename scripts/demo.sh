#!/bin/bash
# make demo: record and report the moving-hot-set workload with perf pml.
#
# Runs it on the patched kernel in the best vehicle this machine has
# (QEMU+KVM with nested VMX, else Bochs) with the pml PMU. If the kernel
# cannot produce pml samples there, says why and records on the host with
# the software backend instead. Leaves perf.data, report.txt, report.json,
# heatmap.svg and trace.json in OUTDIR.
# Usage: demo.sh OUTDIR PERF_PML DEMO_BINARY PML_VM BZIMAGE ROOTFS
set -uo pipefail
OUT=$1 PERF_PML=$2 DEMO=$3 PML_VM=$4 KERNEL=$5 ROOTFS=$6
ARGS="16 8 4 20"   # 16 MiB, 8 windows, 4 rounds each, 20 ms pauses
mkdir -p "$OUT"
rm -f "$OUT"/{perf.data,report.txt,report.json,heatmap.svg,trace.json}

report() {  # report FILE: every output the demo promises
	"$PERF_PML" report -i "$1" --stdio > "$OUT/report.txt" &&
	"$PERF_PML" report -i "$1" --json > "$OUT/report.json" &&
	"$PERF_PML" report -i "$1" --heatmap "$OUT/heatmap.svg" --trace "$OUT/trace.json" > /dev/null
}

vehicle=bochs
"$PML_VM" --vm kvm --kernel "$KERNEL" --rootfs "$ROOTFS" --out "$OUT/vm" --timeout 60 -- true \
	>/dev/null 2>&1 && vehicle=kvm
echo "demo: recording on the patched kernel in $vehicle (pml PMU)"
if "$PML_VM" --vm "$vehicle" --kernel "$KERNEL" --rootfs "$ROOTFS" --file "$DEMO:work/moving_hotset" \
	--timeout 900 --out "$OUT/vm" -- \
	"perf pml record --backend pml --epoch 10ms -o \$OUT/perf.data -- ./moving_hotset $ARGS" \
	&& "$PERF_PML" report -i "$OUT/vm/perf.data" --stdio > "$OUT/vm/report.txt" 2>&1; then
	cp "$OUT/vm/perf.data" "$OUT/perf.data"
	where="the pml PMU on the patched kernel ($vehicle)"
else
	echo "demo: the pml PMU did not give a usable recording in $vehicle:"
	cat "$OUT/vm/cmd-1.out" "$OUT/vm/report.txt" 2>/dev/null | sed 's/^/demo:   /' | tail -6
	echo "demo: falling back to the software backend on this host"
	"$PERF_PML" record --backend auto --epoch 10ms -o "$OUT/perf.data" -- "$DEMO" $ARGS || exit 1
	where="the software backend on the host"
fi
report "$OUT/perf.data" || exit 1
head -40 "$OUT/report.txt"
echo
echo "demo: recorded with $where"
echo "demo: results in $OUT: perf.data report.txt report.json heatmap.svg trace.json"
