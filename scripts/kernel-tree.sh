#!/bin/bash
# Make a kernel git tree: linux-source-6.12 plus one commit per patch of
# kernel-patches/series, on branch "pml" (base commit tagged "base").
# Usage: kernel-tree.sh BASE_REPO TREE_DIR PATCH_DIR
# An existing tree is re-synced: reset to base and the series re-applied,
# touching only the files the series changes (keeps builds incremental).
set -euo pipefail
BASE=$1 TREE=$2 PATCHES=$(realpath "$3")

if [ ! -d "$TREE/.git" ]; then
	git clone -q "$BASE" "$TREE"
	git -C "$TREE" fetch -q --tags origin
fi
cd "$TREE"
git config user.name "pml developers"
git config user.email pml@localhost
git am --abort >/dev/null 2>&1 || true
git checkout -q -f -B pml base
git clean -q -fd

n=0
while read -r p; do
	case "$p" in ''|'#'*) continue ;; esac
	git am -q --keep-cr "$PATCHES/$p" || {
		echo "kernel-tree: $p does not apply" >&2; git am --abort; exit 1; }
	n=$((n + 1))
done < "$PATCHES/series"
echo "kernel-tree: $TREE at $(git rev-parse --short HEAD), $n patches on base" >&2
