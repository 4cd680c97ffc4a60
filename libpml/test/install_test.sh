#!/bin/bash
# cmake --install gives headers, a shared and a static libpml, libpml.pc, the
# perf-pml binary in perf's exec path and its man page; a program built with
# pkg-config against the installed tree links and runs.
set -euo pipefail
build=$1 tmp=$2
rm -rf "$tmp" && mkdir -p "$tmp"
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
for f in include/pml/perf_data.h include/pml/analysis.h lib/libpml.a lib/libpml.so \
         lib/pkgconfig/libpml.pc lib/perf-core/perf-pml share/man/man1/perf-pml.1; do
  [ -e "$tmp/prefix/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
cat > "$tmp/use.cpp" <<'CPP'
#include <pml/perf_data.h>
#include <cstdio>
int main(int, char** argv) {
  auto r = pml::PerfDataReader::open(argv[1]);
  std::puts(r.ok() ? "opened" : r.error().message.c_str());
  return 0;
}
CPP
export PKG_CONFIG_PATH=$tmp/prefix/lib/pkgconfig
${CXX:-c++} "$tmp/use.cpp" $(pkg-config --cflags --libs libpml) -Wl,-rpath,"$tmp/prefix/lib" -o "$tmp/use"
out=$("$tmp/use" /nonexistent.data)
[ "$out" = "file '/nonexistent.data' does not exist" ] || { echo "FAIL: got '$out'"; exit 1; }
echo PASS
