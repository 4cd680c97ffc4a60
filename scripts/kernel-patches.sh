#!/bin/bash
# Regenerate kernel-patches/ (patch files + series) from the commits
# base..HEAD of a kernel tree made by kernel-tree.sh. The config fragment
# in kernel-patches/ is kept.
# Usage: kernel-patches.sh TREE_DIR PATCH_DIR
set -euo pipefail
TREE=$1 PATCHES=$(realpath "$2")

git -C "$TREE" diff --quiet HEAD || {
	echo "kernel-patches: $TREE has uncommitted changes; commit them first" >&2; exit 1; }
rm -f "$PATCHES"/[0-9][0-9][0-9][0-9]-*.patch
git -C "$TREE" format-patch -q --no-signature --zero-commit -N -o "$PATCHES" base..HEAD
(cd "$PATCHES" && ls [0-9][0-9][0-9][0-9]-*.patch 2>/dev/null) > "$PATCHES/series" || true

bad=0
for p in "$PATCHES"/[0-9][0-9][0-9][0-9]-*.patch; do
	[ -e "$p" ] || continue
	PATH=/usr/bin:$PATH "$TREE/scripts/checkpatch.pl" -q --no-tree --strict "$p" >&2 || bad=1
done
echo "kernel-patches: $(wc -l < "$PATCHES/series") patches written to $PATCHES" >&2
[ $bad -eq 0 ] || echo "kernel-patches: checkpatch.pl complains (see above)" >&2
exit $bad
