#!/bin/bash
# Make build/linux-base: Debian's linux-source-6.12 as a git repository
# with one commit, tagged "base". Every other kernel tree clones it.
set -euo pipefail
BASE=${1:?usage: kernel-base.sh DIR}
TARBALL=/usr/src/linux-source-6.12.tar.xz

[ -f "$BASE/.git/pml-base-done" ] && exit 0
[ -f "$TARBALL" ] || { echo "kernel-base: $TARBALL missing (apt-get install linux-source-6.12)" >&2; exit 1; }

echo "kernel-base: extracting $TARBALL into $BASE" >&2
rm -rf "$BASE" && mkdir -p "$BASE"
tar -xJf "$TARBALL" -C "$BASE" --strip-components=1
cd "$BASE"
# Debian's packaging rule "/*" would hide every new file from git.
sed -i '\|^/\*$|d; \|^!/debian/$|d' .gitignore
git init -q -b main
git -c core.autocrlf=false add -A -f .
git -c user.name=pml -c user.email=pml@localhost commit -q -m "linux-source-6.12 $(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown)"
git tag base
touch .git/pml-base-done
