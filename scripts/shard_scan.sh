#!/usr/bin/env bash
# Screens one JSON-lines file on one multi-core machine without Spark: split it into N shards at
# known line numbers, run `netra scan` on each (xargs -P, one thread per shard), merge.
#
#   scripts/shard_scan.sh [-n SHARDS] [-j JOBS] [--netra BIN] INPUT.jsonl OUTDIR [-- SCAN OPTIONS…]
#
# Each shard is scanned with `--source-path INPUT --line-offset K`, so every output line and
# message names INPUT and the line of INPUT, as one `netra scan INPUT` would: OUTDIR/result.ndjson
# is byte-identical to the single run's output (`netra merge` sorts by source path and line, which
# is the single run's order). OUTDIR/stats holds the summed `netra: stats` line.
#
# Exit status: netra merge's, i.e. the single run's: 0 flagged, 1 nothing flagged, 2 an error
# (including a shard that crashed or left no stats line), 3 some records were skipped.
# Shard files, outputs and standard errors stay in OUTDIR/shards/ for inspection.
set -euo pipefail

shards=$(nproc 2>/dev/null || echo 2)
jobs=""
netra="${NETRA:-netra}"
while [ $# -gt 0 ]; do
    case "$1" in
        -n) shards="$2"; shift 2 ;;
        -j) jobs="$2"; shift 2 ;;
        --netra) netra="$2"; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        --) break ;;
        -*) echo "shard_scan: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
if [ $# -lt 2 ]; then
    echo "usage: shard_scan.sh [-n SHARDS] [-j JOBS] [--netra BIN] INPUT.jsonl OUTDIR [-- SCAN OPTIONS…]" >&2
    exit 2
fi
input="$1"; outdir="$2"; shift 2
[ "${1:-}" = "--" ] && shift
[ -n "$jobs" ] || jobs="$shards"
case "$shards$jobs" in *[!0-9]*) echo "shard_scan: -n and -j take positive numbers" >&2; exit 2 ;; esac
if [ "$shards" -lt 1 ] || [ "$jobs" -lt 1 ]; then echo "shard_scan: -n and -j take positive numbers" >&2; exit 2; fi
if [ ! -f "$input" ]; then echo "shard_scan: $input: not a file" >&2; exit 2; fi

mkdir -p "$outdir/shards"
rm -f "$outdir"/shards/shard.* "$outdir/result.ndjson" "$outdir/stats"

# Lines, counting a last line without a newline; ceil(lines / shards) lines per shard.
lines=$(awk 'END { print NR }' "$input")
per=$(( (lines + shards - 1) / shards ))
[ "$per" -ge 1 ] || per=1
split -l "$per" -d -a 4 "$input" "$outdir/shards/shard."
# An empty input gives no shard from split: screen it as one (empty) shard.
[ -e "$outdir/shards/shard.0000" ] || cp "$input" "$outdir/shards/shard.0000"

# One job per shard: index, first line - 1, file. Shard i starts after line i * per.
for file in "$outdir"/shards/shard.[0-9][0-9][0-9][0-9]; do
    [ -e "$file" ] || continue
    index=$((10#${file##*.}))
    printf '%s\0%s\0' "$((index * per))" "$file"
done | xargs -0 -n 2 -P "$jobs" bash -c '
    # Arguments: netra, input, the scan options, then (from xargs) the offset and the shard file.
    netra="$1"; input="$2"; offset="${@: -2:1}"; file="${@: -1}"
    options=("${@:3:$#-4}")
    "$netra" scan --format ndjson --stats --threads 1 --source-path "$input" --line-offset "$offset" "${options[@]}" "$file" \
        > "$file.out" 2> "$file.err"
    echo $? > "$file.rc"
    exit 0
' shard_scan "$netra" "$input" "$@"

status=0
outs=(); errs=()
for file in "$outdir"/shards/shard.[0-9][0-9][0-9][0-9]; do
    [ -e "$file" ] || continue
    rc=$(cat "$file.rc" 2>/dev/null || echo missing)
    case "$rc" in
        0|1) ;;
        2|3) echo "shard_scan: $file exited $rc (see $file.err)" >&2 ;;
        *) echo "shard_scan: $file exited $rc: it crashed or was killed (see $file.err)" >&2; status=2 ;;
    esac
    outs+=("$file.out"); errs+=(--stats "$file.err")
done

merge=0
"$netra" merge "${errs[@]}" "${outs[@]}" > "$outdir/result.ndjson" 2> "$outdir/merge.err" || merge=$?
grep '^netra: stats ' "$outdir/merge.err" > "$outdir/stats" || true
grep -v '^netra: stats ' "$outdir/merge.err" >&2 || true
[ "$status" -eq 0 ] || exit "$status"
exit "$merge"
