#!/bin/bash
# -h and --help as perf 6.1 has them (measured on Debian's perf 6.1):
#   perf CMD -h, or --help after another argument: the usage on stderr, 129
#   perf CMD --help (first): "perf help CMD", the man page (man's status)
#   perf -h / --help: the command list on stdout, 0; perf alone: stdout, 1
# perf pml has one man page, perf-pml(1). A stand-in `man` on PATH shows
# what would be run, so the test does not depend on installed pages.
set -uo pipefail
PERF_PML=$1 MAN_PAGE=$2 TMP=$3/help
PERF=${PERF:-/usr/bin/perf}
rm -rf "$TMP" && mkdir -p "$TMP/bin" || exit 1
cd "$TMP" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
cat >bin/man <<'EOF'
#!/bin/sh
echo "man $*"
exit "${FAKE_MAN_STATUS:-0}"
EOF
chmod +x bin/man

# The usage of `perf pml SUB` on stderr, exit 129, nothing on stdout.
expect_usage() {
  local sub=$1; shift
  "$PERF_PML" "$@" >out 2>err
  local rc=$?
  [ $rc = 129 ] || fail "'perf-pml $*': status $rc, want 129"
  [ ! -s out ] || fail "'perf-pml $*' printed on stdout: $(head -2 out)"
  grep -q "^ Usage: perf pml $sub \[<options>\]" err || fail "'perf-pml $*': no usage on stderr: $(head -3 err)"
  grep -q "^    -" err || fail "'perf-pml $*': no options listed: $(cat err)"
}

for sub in record report stat script diff; do
  expect_usage $sub $sub -h
  # Not first: the option parser's help, as perf's parse_options.
  case $sub in
    record|stat) expect_usage $sub $sub -q --help ;;
    report|script) expect_usage $sub $sub -i x.data --help ;;
    diff) expect_usage $sub $sub -v --help ;;
  esac
  # First: the man page, with man's exit status.
  out=$(PATH="$TMP/bin:$PATH" "$PERF_PML" $sub --help 2>err)
  rc=$?
  [ $rc = 0 ] || fail "'perf-pml $sub --help': status $rc: $(cat err)"
  [ "$out" = "man perf-pml" ] || fail "'perf-pml $sub --help' ran '$out', want 'man perf-pml'"
  FAKE_MAN_STATUS=16 PATH="$TMP/bin:$PATH" "$PERF_PML" $sub --help >/dev/null 2>&1
  rc=$?
  [ $rc = 16 ] || fail "'perf-pml $sub --help' with man failing 16: status $rc"
done
expect_usage record record -qh  # -h among clustered flags
echo "PASS: SUB -h and SUB ... --help: usage on stderr, 129; SUB --help: man perf-pml"

for a in -h --help help; do
  "$PERF_PML" $a >out 2>err
  rc=$?
  [ $rc = 0 ] || fail "'perf-pml $a': status $rc"
  grep -q "usage: perf pml <command>" out || fail "'perf-pml $a': no command list on stdout"
  [ ! -s err ] || fail "'perf-pml $a' printed on stderr: $(cat err)"
done
"$PERF_PML" >out 2>err
rc=$?
[ $rc = 1 ] || fail "'perf-pml' alone: status $rc, want 1 (as perf alone)"
grep -q "usage: perf pml <command>" out || fail "'perf-pml' alone: no command list on stdout"
out=$(PATH="$TMP/bin:$PATH" "$PERF_PML" help report)
[ "$out" = "man perf-pml" ] || fail "'perf-pml help report' ran '$out'"
echo "PASS: -h, --help, help: the command list on stdout, 0; alone: 1; help SUB: man perf-pml"

if [ ! -x "$PERF" ]; then
  echo "SKIP: no $PERF: perf's own -h and 'perf pml SUB -h' not checked"
  exit 0
fi
# What perf itself does, so that a later perf that changes it is noticed.
"$PERF" record -h >out 2>err
rc=$?
[ $rc = 129 ] && [ ! -s out ] && grep -q "^ Usage: perf record" err ||
  fail "$("$PERF" version) record -h: status $rc, stdout $(wc -c <out) bytes: not what this test assumes"
# Through perf: the status and the streams come back unchanged.
PATH="$(dirname "$PERF_PML"):$PATH" "$PERF" pml script -h >out 2>err
rc=$?
[ $rc = 129 ] && [ ! -s out ] && grep -q "^ Usage: perf pml script" err ||
  fail "perf pml script -h: status $rc: $(head -3 err)"
# perf puts its own directory first in PATH, so the real man runs here: it
# is given the page through MANPATH.
if command -v man >/dev/null 2>&1; then
  mkdir -p man/man1 && cp "$MAN_PAGE" man/man1/perf-pml.1
  MANPATH=$TMP/man MANWIDTH=80 PATH="$(dirname "$PERF_PML"):$PATH" "$PERF" pml record --help \
    >out 2>err || fail "perf pml record --help: status $?: $(cat err)"
  grep -q "perf-pml - record and analyse the pages a task writes" out ||
    fail "perf pml record --help: not the man page: $(head -5 out)"
else
  echo "note: no man here: perf pml record --help through perf not checked"
fi
echo "PASS: $("$PERF" version): record -h as assumed; perf pml SUB -h and --help through perf"
