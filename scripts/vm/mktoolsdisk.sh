#!/bin/bash
# Build the test VM's tools disk: an ext2 image labelled "pml-tools" with
# programs too big for the initramfs (bpftrace and its LLVM and clang
# libraries, ~200 MB). The guest mounts it read-only at /tools
# (guest-init.sh) and reads only the pages it touches, where an initramfs
# would be unpacked whole at emulated speed on every boot.
# Usage: mktoolsdisk.sh OUT.img BINARY...
# The size is a whole number of 16-head, 63-sector cylinders, as Bochs
# wants for a flat disk (pml-vm --tools-disk).
set -euo pipefail
OUT=$(realpath -m "$1")
shift
HERE=$(dirname "$(realpath "$0")")
. "$HERE/stage-binary.sh"
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE" "${tmp:-}"' EXIT
chmod 755 "$STAGE"

for bin in "$@"; do
	[ -x "$bin" ] || { echo "mktoolsdisk: $bin is missing (scripts/deps.sh vm installs it)" >&2; exit 1; }
	stage_binary "$STAGE" "$bin" "/usr/bin/$(basename "$bin")"
done

# Room for the files, their inodes and ext2's metadata, in whole cylinders.
cylinder=$((16 * 63 * 512))
used=$(du -s --block-size=1 "$STAGE" | cut -f1)
cylinders=$(( (used + used / 20 + (16 << 20) + cylinder - 1) / cylinder ))
mkdir -p "$(dirname "$OUT")"
# A private temporary name: parallel make stages may build the disk at once.
tmp=$(mktemp "$OUT.XXXXXX")
truncate -s $((cylinders * cylinder)) "$tmp"
# 256-byte inodes: no "timestamps until 2038" note from the kernel.
mke2fs -q -F -t ext2 -b 4096 -I 256 -N 1024 -m 0 -L pml-tools \
	-E root_owner=0:0 -d "$STAGE" "$tmp"
chmod 644 "$tmp"
mv "$tmp" "$OUT"
tmp=
echo "mktoolsdisk: $OUT ($(du -h --apparent-size "$OUT" | cut -f1), $cylinders cylinders)" >&2
