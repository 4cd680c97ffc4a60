#!/bin/bash
# Analysis speed on the host (no VM): perf pml report against
# perf report --mem-mode (both aggregate the samples by data mapping), and
# perf script against perf pml script (both print every record), on files
# from pml-gen of each SIZE, without and with FINISHED_ROUND records.
#
#   bench/analysis.sh USERLAND OUTDIR SIZE...      SIZE like 200M, 2G
#
# One line per run in OUTDIR/analysis.txt: tool, size, fr (0/1), records,
# bytes, seconds (wall), maxrss_kb, rc, and rows (lines of the aggregated
# table, for the two reports). Page cache warm for every reader; stdout
# to /dev/null.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
userland=$1 out=$2
shift 2
perf_pml=$userland/tools/perf-pml/perf-pml
gen=$userland/bench/pml-gen
perf=${PERF:-/usr/bin/perf}
mkdir -p "$out"
res=$out/analysis.txt
: > "$res"

bytes_of() {  # 200M -> bytes
	python3 -c "import sys; s=sys.argv[1]; m={'K':1<<10,'M':1<<20,'G':1<<30}; print(int(float(s[:-1])*m[s[-1].upper()]) if s[-1].upper() in m else int(s))" "$1"
}

# The aggregated table's rows: perf pml report's "[anon]/[heap]/..." lines,
# perf report's "NN.NN%" lines.
rows() { grep -cE '^ +[0-9]+\.[0-9]+%' "$1" || true; }

measure() {  # measure TOOL SIZE FR FILE RECORDS CMD...
	local tool=$1 size=$2 fr=$3 file=$4 records=$5
	shift 5
	cat "$file" > /dev/null
	local t
	t=$(python3 "$here/measure.py" --stdout "$out/last.out" "$@")
	read -r secs kb rc <<< "$t"
	echo "tool=$tool size=$size fr=$fr records=$records bytes=$(stat -c %s "$file") seconds=$secs maxrss_kb=$kb rc=$rc rows=$(rows "$out/last.out")" >> "$res"
	echo "analysis: $(tail -1 "$res")" >&2
}

for size in "$@"; do
	records=$(( $(bytes_of "$size") / 112 ))  # pml-gen's mixed samples are 112 bytes
	for fr in 0 1; do
		file=$out/gen-$size-fr$fr.data
		if [ ! -s "$file" ]; then
			"$gen" -o "$file" --samples "$records" --pattern mixed --threads 4 \
				--pages-per-epoch 20000 --epoch-ms 10 $([ $fr = 1 ] && echo --finished-round)
		fi
		measure "perf pml report" "$size" $fr "$file" "$records" "$perf_pml" report -i "$file" --stdio
		measure "perf report --mem-mode" "$size" $fr "$file" "$records" \
			"$perf" report --mem-mode --stdio -i "$file" --sort dso_daddr
		measure "perf pml script" "$size" $fr "$file" "$records" "$perf_pml" script -i "$file"
		measure "perf script" "$size" $fr "$file" "$records" "$perf" script -i "$file"
		rm -f "$out/last.out"
	done
	# The files are large; keep only the smallest size's.
	[ "$size" = "$1" ] || rm -f "$out"/gen-"$size"-fr*.data
done
