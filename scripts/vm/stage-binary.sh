# Sourced by mkrootfs.sh and mktoolsdisk.sh.
# stage_binary STAGE BIN DEST: install BIN at STAGE/DEST with every shared
# library its loader will ask for, at the library's own path.
stage_binary() {
	local stage=$1 bin=$2 dest=$3
	install -D -m 755 "$bin" "$stage/$dest"
	# Scripts and static binaries have no libraries to bring.
	{ ldd "$bin" 2>/dev/null || true; } | awk '/=> \//{print $3} /^\t\/lib/{print $1}' | while read -r lib; do
		[ -e "$stage/$lib" ] || install -D -m 755 "$(realpath "$lib")" "$stage/$lib"
	done
}
