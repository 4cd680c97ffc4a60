#!/bin/bash
# Build the test VM's base initramfs (gzip'd newc cpio): busybox, the
# runner's /init, Debian's perf and perf-pml with their shared libraries,
# the selftests and the kernel modules. pml-vm appends a per-run overlay
# (commands and the user's files) to it.
# Usage: mkrootfs.sh OUT.cpio.gz MODULES_DIR SELFTESTS_DIR [EXTRA_BINARY...]
set -euo pipefail
OUT=$(realpath -m "$1") MODULES=$2 SELFTESTS=$3
shift 3
HERE=$(dirname "$(realpath "$0")")
. "$HERE/stage-binary.sh"
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,etc/pml,proc,sys,dev,tmp,work,out,selftests}
# mktemp made the root 0700: unprivileged test users must reach /usr/bin,
# /selftests and /sys (pml_access_test runs as nobody).
chmod 755 "$STAGE"
chmod 1777 "$STAGE/tmp"
cp /bin/busybox "$STAGE/bin/busybox"
for applet in $("$STAGE/bin/busybox" --list-full); do
	[ -e "$STAGE/$applet" ] || ln -s /bin/busybox "$STAGE/$applet"
done
install -m 755 "$HERE/guest-init.sh" "$STAGE/init"
# perf's libraries (python, perl) want a passwd entry for root.
echo 'root:x:0:0:root:/work:/bin/sh' > "$STAGE/etc/passwd"
echo 'root:x:0:' > "$STAGE/etc/group"

stage_binary "$STAGE" /usr/bin/perf /usr/bin/perf
for bin in "$@"; do
	if [ -x "$bin" ]; then
		stage_binary "$STAGE" "$bin" "/usr/bin/$(basename "$bin")"
	else
		echo "mkrootfs: warning: $bin is missing; the image will not have it" >&2
	fi
done
if [ -d "$SELFTESTS" ]; then
	cp -a "$SELFTESTS"/. "$STAGE/selftests/"
fi
if [ -d "$MODULES/lib/modules" ]; then
	cp -a "$MODULES/lib" "$STAGE/"
fi

mkdir -p "$(dirname "$OUT")"
# A private temporary name: parallel make stages may build the image at once.
tmp=$(mktemp "$OUT.XXXXXX")
(cd "$STAGE" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --owner=0:0 --quiet) |
	gzip -1 > "$tmp"
chmod 644 "$tmp"
mv "$tmp" "$OUT"
echo "mkrootfs: $OUT ($(du -h "$OUT" | cut -f1))" >&2
