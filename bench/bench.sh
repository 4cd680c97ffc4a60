#!/bin/bash
# make bench / make check-bench: what monitoring costs, in one run.
#
#   bench/bench.sh full|tiny KBUILD USERLAND OUTDIR [RESULTS_MD]
#
# KBUILD is a built test kernel (obj/arch/x86/boot/bzImage; nothing is
# rebuilt here), USERLAND the cmake build dir (perf-pml, pml-gen and the
# pml-bench-* tools). Builds a bench rootfs (mkrootfs.sh plus Debian's
# sqlite3, xz and python3.11), then:
#   1. one Bochs boot (1 CPU, BENCH_MEM_MIB, 512): getppid and event-open
#      costs, then every workload unmonitored and under every monitor;
#   2. one Bochs boot (BENCH_HARVEST_MEM_MIB, 1536): harvest cost vs RSS;
#   3. on the host: analysis speed on generated files;
# and writes the tables (bench/report.py) to RESULTS_MD. `tiny` does all of
# it at a tiny size in a single boot and checks that every row is there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
size=$1 kbuild=$(realpath "$2") userland=$(realpath "$3") out=$(realpath -m "$4")
results=${5:-$out/RESULTS.md}
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
# change it between the boots; what it was goes into RESULTS.md.
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

vm() {  # vm NAME MEM TIMEOUT CMD...: one Bochs boot; results in $out/NAME
	local name=$1 mem=$2 timeout=$3
	shift 3
	local rc=0
	"$repo/scripts/vm/pml-vm" --vm bochs --cpus 1 --mem "$mem" --kernel "$bzimage" \
		--rootfs "$rootfs" --timeout "$timeout" --out "$out/$name" -- "$@" || rc=$?
	echo "$rc" > "$out/$name/vm.rc"
	return 0
}
env_for() {
	echo "BENCH_SIZE=$size${BENCH_REPS:+ BENCH_REPS=$BENCH_REPS}${BENCH_CAP_RATIO:+ BENCH_CAP_RATIO=$BENCH_CAP_RATIO}${BENCH_BUDGET:+ BENCH_BUDGET=$BENCH_BUDGET}$*"
}
first="stat-10 stat-100 pmlrec-10 perfrec-10 uffd-10 soft-10"
second="pmlrec-100 perfrec-100 uffd-100 soft-100"
# The order is the order of importance: if the guest runs out of time, what
# ran is kept (the guest copies each result line onto the console).
cmds=("$(env_for) bench-guest.sh units" "$(env_for) bench-guest.sh none")
mem=${BENCH_MEM_MIB:-512}
if [ "$size" = tiny ]; then
	# Each workload unmonitored and under perf pml record, each monitor on
	# one workload: every code path once, in a few minutes.
	cmds+=("$(env_for " BENCH_WORKLOADS=seqwrite") bench-guest.sh monitors 1 $first $second"
	       "$(env_for " BENCH_WORKLOADS=\"randwrite syscalls forkexec threads sqlite3 xz python3\"") bench-guest.sh monitors 1 pmlrec-10"
	       "$(env_for) bench-guest.sh harvest 8 16")
	"$here/analysis.sh" "$userland" "$out/analysis" 1M 2M
	vm vm-cost "$mem" "${BENCH_VM_TIMEOUT:-900}" "${cmds[@]}"
	vms=(vm-cost)
else
	cmds+=("$(env_for) bench-guest.sh monitors 1 $first" "$(env_for) bench-guest.sh monitors 1 $second")
	for r in $(seq 2 "${BENCH_MON_REPS:-3}"); do
		cmds+=("$(env_for) bench-guest.sh monitors $r $first $second")
	done
	# The host's analysis runs beside the first boot (Bochs uses one host
	# thread; the guest's times do not depend on the host's load).
	"$here/analysis.sh" "$userland" "$out/analysis" 200M 2G > "$out/analysis.log" 2>&1 &
	analysis=$!
	vm vm-cost "$mem" "${BENCH_VM_TIMEOUT:-2100}" "${cmds[@]}"
	vm vm-harvest "${BENCH_HARVEST_MEM_MIB:-1536}" 700 "$(env_for) bench-guest.sh harvest 64 256 1024"
	vms=(vm-cost vm-harvest)
	wait "$analysis" || echo "bench: analysis.sh failed (see $out/analysis.log)" >&2
fi

end=$(date -u +%s)
args=(--size "$size" --out "$results" --seconds $((end - start)) --kbuild "$kbuild" --kernel-info "$out/kernel.txt"
      --repo "$repo" --analysis "$out/analysis/analysis.txt")
for v in "${vms[@]}"; do args+=(--vm "$out/$v"); done
[ "$size" = tiny ] && args+=(--check)
python3 "$here/report.py" "${args[@]}"
