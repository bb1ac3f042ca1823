#!/usr/bin/env bash
# bench/hazards.sh — warm latency of the hazard list and board at 100,000 hazards.
#
# Builds a SQLite database with BENCH_HAZARDS hazards spread over the demo
# county's villages through the real code path: `safecomm init`, the demo's
# regions imported, a generated ledger (bench/gen-hazards.js) imported with
# `safecomm import hazards` (validation, search index, audit, the "import"
# history steps, notice counters); `safecomm check` must pass on it. Then it
# serves it (`serve --today 2025-12-31`) and times, one request at a time
# over one kept-alive connection (curl), BENCH_REQUESTS requests after
# BENCH_WARMUP unmeasured ones of
#   list   GET /api/v1/hazards?overdue=true&region=<township>&sort=deadline&page_size=20
#   board  GET /api/v1/hazards/board?region=<township>
#   stats  GET /api/v1/stats?region=<county>&year=2025 (the year's figures of
#          every section and the per-township breakdown; on this database the
#          hazards are nearly all of the rows)
# and, as the same-run reference, the SQL those requests run, through the
# sqlite3 CLI in one process (median and p95 of each statement group). The
# figure that matters is safecomm's median and p95 against the targets (list
# < 20 ms, board < 50 ms) and its ratio to the raw SQL (docs/performance.md).
#
# Environment (all optional):
#   BENCH_HAZARDS   hazards to generate                       (default 100000)
#   BENCH_REQUESTS  measured requests per endpoint            (default 200)
#   BENCH_WARMUP    unmeasured requests first                 (default 20)
#   BENCH_REGION    the township                              (default 511621101000)
#   BENCH_DB        reuse this database if it exists, else build it there
#                   (default: a new one in the temp dir)
#   BENCH_OUT       where the summary goes                    (default bench/out)
#   BENCH_KEEP      1 = keep the temp dir
#   BENCH_BACKEND   sqlite (default) or pg: the same database moved into a
#                   throwaway PostgreSQL cluster (scripts/pg-test-server.sh,
#                   `safecomm migrate-data`, then VACUUM ANALYZE) and served from it;
#                   the reference is then psql (\timing) running the SQL
#   SAFECOMM_BIN    use this binary instead of building build/safecomm
set -eu

cd "$(dirname "$0")/.."

N=${BENCH_HAZARDS:-100000}
REQS=${BENCH_REQUESTS:-200}
WARM=${BENCH_WARMUP:-20}
REGION=${BENCH_REGION:-511621101000}
OUT=${BENCH_OUT:-bench/out}
KEEP=${BENCH_KEEP:-0}
TODAY=2025-12-31
BACKEND=${BENCH_BACKEND:-sqlite}
case "$BACKEND" in sqlite | pg) ;; *) echo "bench: BENCH_BACKEND must be sqlite or pg" >&2; exit 1 ;; esac

. bench/lib.sh
for v in N REQS WARM; do
    case "${!v}" in '' | *[!0-9]*) die "$v must be a number (got '${!v}')" ;; esac
done
case "$REGION" in '' | *[!0-9]*) die "BENCH_REGION must be digits (got '$REGION')" ;; esac
command -v curl >/dev/null || die "curl not found"
command -v sqlite3 >/dev/null || die "sqlite3 not found"
command -v node >/dev/null || die "node not found"

bench_find_safecomm

T=$(mktemp -d "${TMPDIR:-/tmp}/safecomm-bench.XXXXXX")
SC_PID=""
PG_DIR=""
PG_PORT=""
cleanup() {
    local rc=$?
    set +e
    if [ -n "$SC_PID" ]; then
        kill -TERM "$SC_PID" 2>/dev/null
        wait "$SC_PID" 2>/dev/null
    fi
    if [ -n "$PG_DIR" ]; then scripts/pg-test-server.sh stop "$PG_DIR" "$PG_PORT" >&2; fi
    if [ "$KEEP" = 1 ]; then log "kept $T"; else rm -rf "$T"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export SAFECOMM_ADMIN_PASSWORD=${SAFECOMM_ADMIN_PASSWORD:-Bench-pass-2025!}
DB=${BENCH_DB:-$T/hazards.db}
case "$DB" in /*) ;; *) DB=$PWD/$DB ;; esac
if [ ! -s "$DB" ]; then
    log "building $DB with $N hazards"
    "$SAFECOMM" demo --db "$T/demo.db" >"$T/demo.log" 2>&1 || die "safecomm demo failed"
    "$SAFECOMM" export --db "$T/demo.db" regions -o "$T/regions.csv" >&2
    "$SAFECOMM" init --db "$DB" >"$T/init.log" 2>&1 || die "safecomm init failed"
    # init made the root region: that one row of the export is refused.
    "$SAFECOMM" import --db "$DB" regions "$T/regions.csv" --partial >"$T/regions.log" 2>&1 ||
        die "importing the regions failed"
    node bench/gen-hazards.js "$T/regions.csv" "$N" "$T/hazards.csv"
    start=$(date +%s)
    "$SAFECOMM" import --db "$DB" hazards "$T/hazards.csv" >"$T/import.log" 2>&1 || {
        tail -n 20 "$T/import.log" >&2
        die "importing the hazards failed"
    }
    log "imported $N hazards in $(($(date +%s) - start)) s"
else
    log "reusing $DB"
fi
"$SAFECOMM" check --db "$DB" >"$T/check.log" 2>&1 || {
    cat "$T/check.log" >&2
    die "safecomm check failed"
}
HAZARDS=$(sqlite3 "$DB" "SELECT count(*) FROM hazards WHERE deleted_at IS NULL")

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
    local p
    for _ in $(seq 100); do
        p=$((20000 + RANDOM % 40000))
        port_in_use "$p" || break
    done
    echo "$p"
}
SERVE_DB=$DB
if [ "$BACKEND" = pg ]; then
    PG_DIR=$(mktemp -d /tmp/safecomm-bench-pg.XXXXXX)
    PG_PORT=$(free_port)
    log "starting a throwaway PostgreSQL on 127.0.0.1:$PG_PORT"
    SERVE_DB=$(scripts/pg-test-server.sh start "$PG_DIR" "$PG_PORT") || die "PostgreSQL did not start"
    log "moving the database into PostgreSQL (safecomm migrate-data)"
    "$SAFECOMM" migrate-data --from "sqlite:$DB" --to "$SERVE_DB" --key-file "$DB.key" \
        >"$T/migrate.log" 2>&1 || {
        tail -n 20 "$T/migrate.log" >&2
        die "migrate-data failed"
    }
    # Steady state: autovacuum would have set the visibility map (index-only
    # scans) and the statistics by now.
    psql -X -q "$SERVE_DB" -c "VACUUM ANALYZE hazards" >/dev/null 2>&1 || die "VACUUM ANALYZE failed"
fi
TOKEN=$("$SAFECOMM" token create --db "$SERVE_DB" --key-file "$DB.key" --username admin \
    2>"$T/token.log") || die "token create failed"
PORT=$(free_port)
"$SAFECOMM" serve --db "$SERVE_DB" --key-file "$DB.key" --listen "127.0.0.1:$PORT" --threads 2 \
    --today "$TODAY" >"$T/server.log" 2>&1 &
SC_PID=$!
for _ in $(seq 100); do
    curl -s --max-time 1 "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    kill -0 "$SC_PID" 2>/dev/null || die "safecomm serve exited: $(tail -n 5 "$T/server.log")"
    sleep 0.1
done

BASE="http://127.0.0.1:$PORT/api/v1"
LIST="$BASE/hazards?overdue=true&region=$REGION&sort=deadline&page_size=20"
BOARD="$BASE/hazards/board?region=$REGION"
COUNTY=${REGION:0:6}000000
STATS="$BASE/stats?region=$COUNTY&year=2025"

# stats FILE: "median p95" in ms of the seconds, one a line, in FILE.
stats() {
    sort -g "$1" | awk '{ v[NR] = $1 * 1000 } END {
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        p = v[int(NR * 0.95 + 0.999)]
        printf "%.2f %.2f\n", m, p }'
}

# time_http URL FILE: WARM then REQS requests over one connection; the
# measured times (s) go to FILE. Each answer must be 200.
time_http() {
    local url=$1 file=$2 args=() i
    for i in $(seq $((WARM + REQS))); do args+=(-o /dev/null "$url"); done
    curl -s -H "Authorization: Bearer $TOKEN" \
        -w '%{http_code} %{time_total}\n' "${args[@]}" >"$T/raw" || die "curl failed"
    awk '$1 != 200 { bad++ } END { exit bad > 0 }' "$T/raw" || die "$url answered $(grep -v '^200' "$T/raw" | head -1)"
    tail -n "$REQS" "$T/raw" | awk '{ print $2 }' >"$file"
}

# The SQL of the two requests, as the server sends it (bound values inlined).
LO=$REGION
HI=$(printf '%s' "${REGION:0:9}" | awk '{ printf "%09d000", $1 + 1 }')
W="FROM hazards t JOIN regions r ON r.code = t.region WHERE t.deleted_at IS NULL AND t.region >= '$LO' AND t.region < '$HI' AND CAST('$TODAY' AS TEXT) IS NOT NULL AND (t.state <> 'closed' AND t.state <> 'awaiting_acceptance' AND t.deadline < '$TODAY')"
SQL_LIST="SELECT count(*) $W; SELECT t.*, r.name $W ORDER BY t.deadline ASC, t.id LIMIT 20 OFFSET 0;"
SQL_BOARD="SELECT state, count(*) FROM hazards WHERE deleted_at IS NULL AND region >= '$LO' AND region < '$HI' GROUP BY state ORDER BY state;
SELECT count(*), COALESCE(SUM(CASE WHEN deadline >= '2025-12-24' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN deadline < '2025-12-24' AND deadline >= '2025-12-01' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN deadline < '2025-12-01' THEN 1 ELSE 0 END), 0) FROM hazards WHERE deleted_at IS NULL AND region >= '$LO' AND region < '$HI' AND state <> 'closed' AND state <> 'awaiting_acceptance' AND deadline IS NOT NULL AND deadline < '$TODAY';
SELECT count(*), COALESCE(SUM(CASE WHEN state = 'closed' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN state = 'closed' AND closed_on <= deadline THEN 1 ELSE 0 END), 0) FROM hazards WHERE deleted_at IS NULL AND region >= '$LO' AND region < '$HI' AND found_at >= '2025-01-01' AND found_at <= '$TODAY';
SELECT u.id, u.name, count(*) FROM hazards h JOIN units u ON u.id = h.unit_id WHERE h.deleted_at IS NULL AND h.region >= '$LO' AND h.region < '$HI' AND h.state <> 'closed' GROUP BY u.id, u.name ORDER BY count(*) DESC, u.id LIMIT 10;"

# The reference of the stats request: its two hazard statements (the other
# sections read a few hundred rows here), as stats.c sends them.
CLO=$COUNTY
CHI=$(printf '%s' "${REGION:0:6}" | awk '{ printf "%06d000000", $1 + 1 }')
HC="COALESCE(SUM(CASE WHEN found_at >= '2025-01-01' AND found_at <= '2025-12-31' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN found_at >= '2024-01-01' AND found_at <= '2024-12-31' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN found_at >= '2025-01-01' AND found_at <= '2025-12-31' AND state = 'closed' AND closed_on <= '$TODAY' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN found_at >= '2025-01-01' AND found_at <= '2025-12-31' AND state = 'closed' AND closed_on <= '$TODAY' AND closed_on <= deadline THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN found_at <= '$TODAY' AND (state <> 'closed' OR closed_on > '$TODAY') THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN found_at <= '$TODAY' AND (state <> 'closed' OR closed_on > '$TODAY') AND state <> 'awaiting_acceptance' AND deadline < '$TODAY' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN supervised_on >= '2025-01-01' AND supervised_on <= '2025-12-31' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN listed_on >= '2025-01-01' AND listed_on <= '2025-12-31' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN found_at >= '2025-01-01' AND found_at <= '2025-12-31' AND grade = 'major' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN found_at >= '2025-01-01' AND found_at <= '2025-12-31' AND grade = 'major' AND state = 'closed' AND closed_on <= '$TODAY' THEN 1 ELSE 0 END), 0)"
HW="FROM hazards WHERE deleted_at IS NULL AND region >= '$CLO' AND region < '$CHI'"
SQL_STATS="SELECT region, $HC $HW GROUP BY region;
SELECT grade, domain, substr(found_at, 6, 2), count(*) $HW AND found_at >= '2025-01-01' AND found_at <= '2025-12-31' GROUP BY grade, domain, substr(found_at, 6, 2) ORDER BY grade, domain, substr(found_at, 6, 2);"

# time_sql SQL NSTMT FILE: the statements run WARM + REQS times in one
# sqlite3 (or psql) process; FILE gets each round's wall time (s). The
# sqlite3 CLI's timer times an input line (one round); psql's \timing times
# each of the round's NSTMT statements.
time_sql() {
    local sql n=$2 file=$3 i
    sql=$(printf '%s' "$1" | tr '\n' ' ')
    if [ "$BACKEND" = pg ]; then
        {
            echo '\timing on'
            for i in $(seq $((WARM + REQS))); do echo "$sql"; done
        } | psql -X -q -A -t "$SERVE_DB" 2>&1 |
            awk -v n="$n" '/^Time: / { s += $2; if (++k == n) { print s / 1000; s = 0; k = 0 } }' |
            tail -n "$REQS" >"$file"
    else
        {
            echo ".timer on"
            for i in $(seq $((WARM + REQS))); do echo "$sql"; done
        } | sqlite3 "$DB" 2>&1 | awk '/^Run Time/ { print $4 }' | tail -n "$REQS" >"$file"
    fi
    [ "$(wc -l <"$file")" -eq "$REQS" ] || die "$BACKEND timing failed"
}

log "measuring ($REQS requests after $WARM warm-up each)"
time_http "$LIST" "$T/list.t"
time_http "$BOARD" "$T/board.t"
time_sql "$SQL_LIST" 2 "$T/list.sql"
time_sql "$SQL_BOARD" 4 "$T/board.sql"
time_http "$STATS" "$T/stats.t"
time_sql "$SQL_STATS" 2 "$T/stats.sql"

TOTAL=$(curl -s -H "Authorization: Bearer $TOKEN" "$LIST" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')
read -r LM LP <<<"$(stats "$T/list.t")"
read -r BM BP <<<"$(stats "$T/board.t")"
read -r SLM SLP <<<"$(stats "$T/list.sql")"
read -r SBM SBP <<<"$(stats "$T/board.sql")"
read -r TM TP <<<"$(stats "$T/stats.t")"
read -r STM STP <<<"$(stats "$T/stats.sql")"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }

mkdir -p "$OUT"
{
    echo "hazards bench $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -m), $(nproc) CPUs, backend $BACKEND"
    echo "database: $HAZARDS hazards; township $REGION; today $TODAY; overdue list total $TOTAL"
    echo "                      median ms   p95 ms   raw SQL median/p95 ms   ratio (median)"
    printf 'list (overdue, page)   %8s %8s   %8s / %-8s        %s\n' "$LM" "$LP" "$SLM" "$SLP" "$(ratio "$LM" "$SLM")"
    printf 'board                  %8s %8s   %8s / %-8s        %s\n' "$BM" "$BP" "$SBM" "$SBP" "$(ratio "$BM" "$SBM")"
    printf 'stats (county, 2025)   %8s %8s   %8s / %-8s        %s\n' "$TM" "$TP" "$STM" "$STP" "$(ratio "$TM" "$STM")"
    echo "query plan of the list page:"
    if [ "$BACKEND" = pg ]; then
        psql -X -q -A -t "$SERVE_DB" -c "EXPLAIN (ANALYZE, COSTS OFF) SELECT t.*, r.name $W ORDER BY t.deadline ASC, t.id LIMIT 20"
    else
        sqlite3 "$DB" "EXPLAIN QUERY PLAN SELECT t.*, r.name $W ORDER BY t.deadline ASC, t.id LIMIT 20"
    fi | sed 's/^/  /'
} | tee "$OUT/hazards-summary-$BACKEND.txt"
bench_row "hazard list p95, $HAZARDS hazards, $BACKEND (ms)" "$LP" "raw SQL $SLP" "$(ratio "$LP" "$SLP")" "< 20 ms" "$(bench_met "$LP" '<=' 20)"
bench_row "hazard board p95 (ms)" "$BP" "raw SQL $SBP" "$(ratio "$BP" "$SBP")" "< 50 ms" "$(bench_met "$BP" '<=' 50)"
bench_row "statistics, county, $HAZARDS hazards (ms p95)" "$TP" "raw SQL $STP" "$(ratio "$TP" "$STP")" "—" "—"
awk -v lp="$LP" -v bp="$BP" 'BEGIN { exit !(lp < 20 && bp < 50) }' ||
    log "warning: above target (list p95 < 20 ms, board p95 < 50 ms)"
