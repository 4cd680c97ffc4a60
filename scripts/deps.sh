#!/bin/bash
# Install the Debian packages a make target needs, once.
# Usage: deps.sh GROUP...   (groups: kernel vm userland bpf bench)
# Idempotent: only missing packages are installed. Not root: print the
# apt-get line and fail, so nothing half-built follows.
set -euo pipefail

declare -A GROUP=(
	[kernel]="linux-source-6.12 python3-ply kmod build-essential flex bison bc libelf-dev libssl-dev dwarves cpio xz-utils git ccache python3 rsync"
	[vm]="qemu-system-x86 bochs bochs-term bochsbios vgabios busybox-static isolinux syslinux-common xorriso cpio linux-perf python3 bsdutils bpftrace e2fsprogs"
	[userland]="build-essential cmake pkg-config libelf-dev libdw-dev zlib1g-dev librsvg2-bin libgtest-dev libgmock-dev clang libclang-rt-14-dev linux-perf python3"
	[bpf]="clang llvm libbpf-dev bpftool"
	# make bench: the real programs it runs in the guest.
	[bench]="sqlite3 xz-utils python3.11"
)

want=()
for g in "$@"; do
	[ -n "${GROUP[$g]+x}" ] || { echo "deps.sh: unknown group '$g'" >&2; exit 2; }
	for p in ${GROUP[$g]}; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || want+=("$p")
	done
done
[ ${#want[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${want[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages; run as root:" >&2
	echo "  apt-get update && $cmd" >&2
	exit 1
fi
echo "deps.sh: installing ${want[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$cmd >/dev/null || { apt-get update >/dev/null && $cmd >/dev/null; }
