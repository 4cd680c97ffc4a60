#!/bin/sh
# Run every pml selftest in this directory (inside the test VM). Each
# prints TAP; the host runner counts passes, failures and skips.
cd "$(dirname "$0")" || exit 1
rc=0
for t in ./*_test; do
	echo "# selftest: $t"
	"$t" || rc=1
done
exit $rc
