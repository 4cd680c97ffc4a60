#!/bin/sh
# Run the pml selftests in this directory (inside the test VM): the ones
# named on the command line, or every *_test. Each prints TAP; the host
# runner counts passes, failures and skips.
cd "$(dirname "$0")" || exit 1
[ $# -gt 0 ] || set -- ./*_test
rc=0
for t in "$@"; do
	echo "# selftest: $t"
	"./${t#./}" || rc=1
done
exit $rc
