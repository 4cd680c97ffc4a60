#!/bin/bash
# make bench / make check-bench / make bench-scale: what monitoring costs.
#
#   bench/bench.sh full|tiny|scale KBUILD USERLAND OUTDIR [RESULTS_MD [COMPARE_MD]]
#
# KBUILD is a built test kernel (obj/arch/x86/boot/bzImage; nothing is
# rebuilt here), USERLAND the cmake build dir (perf-pml, pml-gen and the
# pml-bench-* tools). Builds a bench rootfs (mkrootfs.sh plus Debian's
# sqlite3, xz and python3.11), then
#   full:  three Bochs boots (1 CPU, BENCH_MEM_MIB, 512) of the
#          monitored-program cost, the workloads split between them (each
#          workload unmonitored and under every monitor in one boot), the
#          per-unit costs in the first; one boot (BENCH_HARVEST_MEM_MIB,
#          1536) of harvest cost vs RSS; the analysis speed on the host,
#          beside the first boot; tables into RESULTS_MD (bench/report.py);
#   scale: one boot per guest RAM size (BENCH_SCALE_MEMS, MiB): event open
#          and its EPT memory, epoch ends, a write-heavy workload
#          unmonitored and under pml counting at 10 and 100 ms; tables
#          into RESULTS_MD (bench/report_scale.py), beside COMPARE_MD's
#          (an earlier scale run, e.g. on the kernel before a change);
#   tiny:  all of it at a tiny size in one boot, checking that every row
#          is there (make check-bench).
# Each boot has its own timeout, so a slow boot loses only its own rows;
# its results come from the console when it is stopped.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
size=$1 kbuild=$(realpath "$2") userland=$(realpath "$3") out=$(realpath -m "$4")
results=${5:-$out/RESULTS.md} compare=${6:-}
case $size in full|tiny|scale) ;; *) echo "bench: unknown size $size (full, tiny or scale)" >&2; exit 2 ;; esac
bzimage=$kbuild/obj/arch/x86/boot/bzImage
[ -f "$bzimage" ] || { echo "bench: no kernel at $bzimage (make kernel, or KBUILD=...)" >&2; exit 1; }
tools=("$userland/tools/perf-pml/perf-pml" "$userland/bench/pml-bench-wl"
       "$userland/bench/pml-bench-costs")
timing_lib=$userland/bench/libpml-bench-time.so
for t in "${tools[@]}" "$userland/bench/pml-gen" "$timing_lib"; do
	[ -f "$t" ] || { echo "bench: missing $t (build the userland first)" >&2; exit 1; }
done
debian=(/usr/bin/sqlite3 /usr/bin/xz /usr/bin/python3.11)
for t in "${debian[@]}"; do
	[ -x "$t" ] || { echo "bench: missing $t (apt-get install sqlite3 xz-utils python3.11)" >&2; exit 1; }
done
mkdir -p "$out"
start=$(date -u +%s)
# A copy of the kernel, so that a rebuild in KBUILD during the run cannot
# change it between the boots; what it was goes into the results.
cp "$bzimage" "$out/bzImage"
{
	echo "bzimage_sha256=$(sha256sum "$out/bzImage" | cut -c1-16)"
	echo "bzimage_mtime=$(date -u -r "$bzimage" +%Y-%m-%dT%H:%M:%SZ)"
	echo "series_stamp=$(cat "$kbuild/series.stamp" 2>/dev/null)"
	echo "tree_head=$(git -C "$(dirname "$(dirname "$kbuild")")" rev-parse --short HEAD 2>/dev/null)"
	echo "kernel_build_running=$(pgrep -f "kernel-build.sh .*$kbuild" >/dev/null && echo yes || echo no)"
} > "$out/kernel.txt"
bzimage=$out/bzImage

# The rootfs: the test image's base (no selftests, no modules: not needed)
# with the workloads' programs, then an overlay with python3.11's
# encodings (all it needs to start with -S) and the guest driver.
rootfs=$out/rootfs.cpio.gz
"$repo/scripts/vm/mkrootfs.sh" "$out/rootfs-base.cpio.gz" /nonexistent /nonexistent \
	"${tools[@]}" "${debian[@]}"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
enc=/usr/lib/python3.11/encodings
mkdir -p "$stage$enc" "$stage/usr/bin"
cp "$enc"/{__init__,aliases,utf_8,ascii,latin_1}.py "$stage$enc/"
install -m 755 "$here/guest/bench-guest.sh" "$stage/usr/bin/bench-guest.sh"
install -D -m 755 "$timing_lib" "$stage/usr/lib/libpml-bench-time.so"
cp "$out/rootfs-base.cpio.gz" "$rootfs"
(cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --owner=0:0 --quiet) |
	gzip -1 >> "$rootfs"

vms=()
vm() {  # vm NAME MEM TIMEOUT CMD...: one Bochs boot; results in $out/NAME
	local name=$1 mem=$2 timeout=$3
	shift 3
	local rc=0 t0
	t0=$(date +%s)
	echo "bench: boot $name: $mem MiB, $# commands, timeout ${timeout}s" >&2
	"$repo/scripts/vm/pml-vm" --vm bochs --cpus 1 --mem "$mem" --kernel "$bzimage" \
		--rootfs "$rootfs" --timeout "$timeout" --out "$out/$name" -- "$@" || rc=$?
	echo "rc=$rc mem_mib=$mem timeout_s=$timeout host_s=$(( $(date +%s) - t0 ))" > "$out/$name/vm.txt"
	vms+=("$out/$name")
	return 0
}
env_for() {  # the guest's environment for one command
	echo "BENCH_SIZE=$size${BENCH_REPS:+ BENCH_REPS=$BENCH_REPS}${BENCH_MON_REPS:+ BENCH_MON_REPS=$BENCH_MON_REPS}${BENCH_CAP_RATIO:+ BENCH_CAP_RATIO=$BENCH_CAP_RATIO}$*"
}
# The monitors in the order of importance: what ran is kept when a boot
# runs out of time (the guest copies each result line onto the console).
monitors="stat-10 stat-100 pmlrec-10 perfrec-10 uffd-10 soft-10 pmlrec-100 perfrec-100 uffd-100 soft-100"
mon_reps=${BENCH_MON_REPS:-3}
# cost_cmds WORKLOADS: each unmonitored, then repetition after repetition
# under every monitor (a boot stopped early has every cell at least once;
# perf stat and perf record run all their repetitions in the first, see
# bench-guest.sh batched()).
cost_cmds() {
	cmds+=("$(env_for " BENCH_WORKLOADS=\"$1\"") bench-guest.sh none")
	for r in $(seq 1 "$mon_reps"); do
		cmds+=("$(env_for " BENCH_WORKLOADS=\"$1\"") bench-guest.sh monitors $r $monitors")
	done
}
mem=${BENCH_MEM_MIB:-512}
report=(python3 "$here/report.py")

case $size in
tiny)
	# Each workload unmonitored and under perf pml record, each monitor on
	# one workload, harvest and scale on small buffers: every code path once.
	cmds=("$(env_for) bench-guest.sh units" "$(env_for) bench-guest.sh none"
	      "$(env_for " BENCH_WORKLOADS=seqwrite") bench-guest.sh monitors 1 $monitors"
	      "$(env_for " BENCH_WORKLOADS=\"randwrite syscalls forkexec threads sqlite3 xz python3\"") bench-guest.sh monitors 1 pmlrec-10"
	      "$(env_for) bench-guest.sh harvest 8 16" "$(env_for) bench-guest.sh scale")
	"$here/analysis.sh" "$userland" "$out/analysis" 1M 2M
	vm vm-cost "$mem" "${BENCH_VM_TIMEOUT:-1500}" "${cmds[@]}"
	echo "seqwrite randwrite syscalls forkexec threads sqlite3 xz python3" > "$out/vm-cost/workloads"
	;;
full)
	# The host's analysis runs beside the first boot (Bochs uses one host
	# thread; the guest's times do not depend on the host's load).
	"$here/analysis.sh" "$userland" "$out/analysis" 200M 2G > "$out/analysis.log" 2>&1 &
	analysis=$!
	groups=("seqwrite randwrite" "syscalls forkexec threads" "sqlite3 xz python3")
	for i in "${!groups[@]}"; do
		cmds=()
		[ "$i" = 0 ] && cmds+=("$(env_for) bench-guest.sh units")
		cost_cmds "${groups[$i]}"
		vm "vm-cost-$((i + 1))" "$mem" "${BENCH_VM_TIMEOUT:-2400}" "${cmds[@]}"
		echo "${groups[$i]}" > "$out/vm-cost-$((i + 1))/workloads"  # whose cells a lost boot explains
	done
	vm vm-harvest "${BENCH_HARVEST_MEM_MIB:-1536}" "${BENCH_HARVEST_TIMEOUT:-900}" \
		"$(env_for) bench-guest.sh harvest 64 256 1024"
	wait "$analysis" || echo "bench: analysis.sh failed (see $out/analysis.log)" >&2
	;;
scale)
	# The same kernel and workload on each RAM size: the write-heavy
	# workload (seqwrite) unmonitored and under pml counting at 10 and
	# 100 ms, three repetitions. Opening an event costs guest time in
	# proportion to RAM with the identity EPT, hence the timeouts.
	for m in ${BENCH_SCALE_MEMS:-512 2048 8192}; do
		cmds=("$(env_for) bench-guest.sh scale" "$(env_for " BENCH_WORKLOADS=seqwrite") bench-guest.sh none")
		for r in $(seq 1 "$mon_reps"); do
			cmds+=("$(env_for " BENCH_WORKLOADS=seqwrite") bench-guest.sh monitors $r stat-10 stat-100")
		done
		vm "vm-scale-$m" "$m" "${BENCH_SCALE_TIMEOUT:-$(( 900 + m / 2 ))}" "${cmds[@]}"
	done
	report=(python3 "$here/report_scale.py")
	;;
esac

end=$(date -u +%s)
args=(--size "$size" --out "$results" --seconds $((end - start)) --kbuild "$kbuild"
      --kernel-info "$out/kernel.txt" --repo "$repo")
[ "$size" != scale ] && args+=(--analysis "$out/analysis/analysis.txt")
[ -n "$compare" ] && args+=(--compare "$(realpath "$compare")")
for v in "${vms[@]}"; do args+=(--vm "$v"); done
if [ "$size" = tiny ]; then
	"${report[@]}" "${args[@]}" --check
	python3 "$here/report_scale.py" "${args[@]}" --out "$out/RESULTS-scale.md" --check
else
	"${report[@]}" "${args[@]}"
fi
