#!/bin/bash
# Run a make stage and say how long it took: timed.sh NAME COMMAND...
name=$1
shift
start=$(date +%s)
"$@"
rc=$?
echo "== stage $name: $(( $(date +%s) - start ))s, exit $rc" | tee -a "${PML_STAGE_LOG:-/dev/null}"
exit $rc
