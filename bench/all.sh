#!/usr/bin/env bash
# bench/all.sh — `make bench`: every benchmark, one table. Each script adds
# its rows (bench/lib.sh: bench_row) to one file; this prints them aligned
# and keeps the run in bench/out/table.txt. The scripts run with settings
# short enough for one sitting; each can be run alone with longer ones
# (docs/performance.md). BENCH_ONLY="regions durable" runs only those.
set -eu
cd "$(dirname "$0")/.."
OUT=${BENCH_OUT:-bench/out}
mkdir -p "$OUT"
export BENCH_TABLE="$OUT/table.tsv"
: >"$BENCH_TABLE"
. bench/lib.sh
scripts/setup.sh bench >&2
bench_find_safecomm
export SAFECOMM_BIN=$SAFECOMM
ALL="regions regions-pg durable server hazards incidents import"
ONLY=${BENCH_ONLY:-$ALL}
failed=""
run() { # name command...
    local name=$1
    shift
    case " $ONLY " in *" $name "*) ;; *) return 0 ;; esac
    log "── $name: $*"
    if ! env "$@" >"$OUT/all-$name.log" 2>&1; then
        failed="$failed $name"
        bench_row "$name" "failed (see $OUT/all-$name.log)" "—" "—" "—" "—"
    fi
}
run regions BENCH_DURATION=10s BENCH_ROUNDS=2 bench/regions.sh
run regions-pg BENCH_BACKEND=pg BENCH_DURATION=10s bench/regions.sh
run durable BENCH_DURATION=10 bench/durable.sh
run server bench/server.sh
run hazards BENCH_HAZARDS=100000 bench/hazards.sh
run incidents bench/incidents.sh
run import bench/import.sh
# Issue 18's PostgreSQL goal compares the two point-read rows of this run.
sq=$(awk -F'\t' '$1 ~ /^point read, sqlite \(/ { print $2 }' "$BENCH_TABLE")
pg=$(awk -F'\t' '$1 ~ /^point read, pg \(/ { print $2 }' "$BENCH_TABLE")
if [ -n "$sq" ] && [ -n "$pg" ]; then
    r=$(awk -v a="$pg" -v b="$sq" 'BEGIN { printf "%.2f", a / b }')
    bench_row "point read, PostgreSQL against SQLite (req/s)" "$pg" "SQLite $sq" "$r" ">= 0.5" "$(bench_met "$r" '>=' 0.5)"
fi
{
    echo "safecomm benchmarks — $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo ?), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
    awk -F'\t' 'BEGIN { printf "%-58s %-22s %-26s %-7s %-14s %s\n", "figure", "value", "reference (same run)", "ratio", "goal", "" }
        { printf "%-58s %-22s %-26s %-7s %-14s %s\n", $1, $2, $3, $4, $5, $6 }' "$BENCH_TABLE"
} | tee "$OUT/table.txt"
[ -z "$failed" ] || die "failed:$failed"
