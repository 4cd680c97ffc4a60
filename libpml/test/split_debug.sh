#!/bin/bash
# Splits a binary's debug info the way Debian's -dbgsym packages do, in the
# two layouts elfutils looks up:
#   OUT/debuglink/NAME        stripped, .gnu_debuglink -> NAME.debug beside it
#   OUT/buildid/NAME          stripped, no debuglink
#   OUT/root/usr/lib/debug/.build-id/xx/yyyy.debug   its debug file by build-id
#   OUT/empty/                a debug root with nothing in it
set -euo pipefail
bin=$1 out=$2
name=$(basename "$bin")
rm -rf "$out" && mkdir -p "$out/debuglink" "$out/buildid" "$out/empty"
id=$(readelf -n "$bin" | awk '/Build ID:/ {print $3}')
[ -n "$id" ] || { echo "split_debug.sh: $bin has no build-id" >&2; exit 1; }
dbg=$out/root/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug
mkdir -p "$(dirname "$dbg")"
objcopy --only-keep-debug "$bin" "$dbg"
objcopy --strip-all "$bin" "$out/buildid/$name"
cp "$dbg" "$out/debuglink/$name.debug"
(cd "$out/debuglink" && objcopy --strip-all --add-gnu-debuglink="$name.debug" "$bin" "$name")
