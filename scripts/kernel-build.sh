#!/bin/bash
# Build the test kernel: linux-source-6.12 + kernel-patches/series, with
# tinyconfig + kernel-patches/config. Incremental: the source tree is only
# re-synced when the series changes, the config only remade when the
# fragment changes, and make rebuilds what changed (ccache when present).
# Usage: kernel-build.sh PATCH_DIR BUILD_DIR [EXTRA_FRAGMENT]
# EXTRA_FRAGMENT (e.g. kernel-patches/config-kasan) is merged after
# PATCH_DIR/config, for variants of the test kernel in their own BUILD_DIR.
# Produces BUILD_DIR/obj/{arch/x86/boot/bzImage,vmlinux,.config} and
# BUILD_DIR/modules (modules_install tree).
set -euo pipefail
PATCHES=$(realpath "$1") BUILD=$(realpath -m "$2")
EXTRA=${3:+$(realpath "$3")}
HERE=$(dirname "$(realpath "$0")")
SRC=$BUILD/src OBJ=$BUILD/obj
mkdir -p "$BUILD" "$OBJ"

# Say how long each part took: the kernel stage is the longest of make check.
t0=$SECONDS
took() { echo "kernel-build: $1 took $((SECONDS - t0))s" >&2; t0=$SECONDS; }

"$HERE/kernel-base.sh" "$BUILD/../linux-base"
took "the base tree"

series_hash=$(cd "$PATCHES" && cat series $(grep -v '^#' series) | sha256sum | cut -c1-16)
if [ "$(cat "$BUILD/series.stamp" 2>/dev/null)" != "$series_hash" ]; then
	"$HERE/kernel-tree.sh" "$BUILD/../linux-base" "$SRC" "$PATCHES"
	echo "$series_hash" > "$BUILD/series.stamp"
	took "applying the series"
fi

CC=gcc
command -v ccache >/dev/null && CC="ccache gcc"
export CCACHE_DIR=${CCACHE_DIR:-$BUILD/../ccache}
# Relative paths in the cache key: trees in other build dirs hit it too.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$BUILD")} CCACHE_NOHASHDIR=1
JOBS=$(( $(nproc) + 1 ))
kmake() { make -s -C "$SRC" O="$OBJ" CC="$CC" HOSTCC="$CC" -j"$JOBS" "$@"; }

config_hash=$(cat "$PATCHES/config" $EXTRA | sha256sum | cut -c1-16)
if [ "$(cat "$BUILD/config.stamp" 2>/dev/null)" != "$config_hash" ] || [ ! -f "$OBJ/.config" ]; then
	echo "kernel-build: configuring (tinyconfig + kernel-patches/config)" >&2
	kmake tinyconfig >/dev/null
	(cd "$OBJ" && "$SRC/scripts/kconfig/merge_config.sh" -m -O "$OBJ" .config "$PATCHES/config" $EXTRA >/dev/null)
	kmake olddefconfig >/dev/null
	# Every line of the fragment must have survived olddefconfig.
	missing=0
	while IFS= read -r line; do
		case "$line" in CONFIG_*=n) sym=${line%%=*}
			grep -q "^$sym=" "$OBJ/.config" && { echo "kernel-build: $sym still set" >&2; missing=1; } ;;
		CONFIG_*) grep -qx "$line" "$OBJ/.config" || { echo "kernel-build: $line did not stick" >&2; missing=1; } ;;
		esac
	done < <(cat "$PATCHES/config" $EXTRA)
	[ $missing -eq 0 ] || exit 1
	echo "$config_hash" > "$BUILD/config.stamp"
	took "configuring"
fi

echo "kernel-build: building bzImage and modules in $OBJ" >&2
# A parallel build once failed on a fixdep race (FACTS.md): retry once.
kmake bzImage modules || kmake bzImage modules
took "compiling and linking"
rm -rf "$BUILD/modules"
kmake INSTALL_MOD_PATH="$BUILD/modules" INSTALL_MOD_STRIP=1 modules_install >/dev/null
kmake INSTALL_HDR_PATH="$BUILD/headers" headers_install >/dev/null
took "installing modules and headers"
ls -la "$OBJ/arch/x86/boot/bzImage" >&2
