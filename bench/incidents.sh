#!/usr/bin/env bash
# bench/incidents.sh — warm latency of the accident and injury statistics at
# 1,000,000 injury cases and 200,000 incidents (issue 13).
#
# Builds a SQLite database: the demo county (`safecomm demo`), then
# BENCH_INJURIES injury cases and BENCH_INCIDENTS incidents spread over its
# villages, 2024 and 2025, generated in SQL by the sqlite3 CLI (the import
# path is another issue's; the rows go through the same triggers that keep
# the aggregate tables, so `safecomm check` must pass and does). Then it
# serves it (`serve --today 2025-12-31`) and times, one request at a time
# over curl, BENCH_REQUESTS requests after BENCH_WARMUP unmeasured ones of
#   county   GET /api/v1/stats?region=<county>&year=2025: the county's
#            year-on-year by kind (by_kind with count_prev, the per-kind
#            figures) and each township's row
#   township GET /api/v1/stats?region=<township>&year=2025: the same by
#            township
#   monthly  GET /api/v1/stats?region=<county>&year=2024: the monthly trend
#            (by_month, by_month_prev) of another year
# The goal is each under 100 ms warm (docs/performance.md).
#
# Environment (all optional):
#   BENCH_INJURIES  (default 1000000)   BENCH_INCIDENTS (default 200000)
#   BENCH_REQUESTS  (default 50)        BENCH_WARMUP    (default 5)
#   BENCH_DB        reuse this database if it exists, else build it there
#   BENCH_OUT       where the summary goes (default bench/out)
#   BENCH_KEEP      1 = keep the temp dir
#   SAFECOMM_BIN    use this binary instead of building build/safecomm
set -eu

cd "$(dirname "$0")/.."

NI=${BENCH_INJURIES:-1000000}
NE=${BENCH_INCIDENTS:-200000}
REQS=${BENCH_REQUESTS:-50}
WARM=${BENCH_WARMUP:-5}
OUT=${BENCH_OUT:-bench/out}
KEEP=${BENCH_KEEP:-0}
COUNTY=511621000000
TOWN=511621101000

. bench/lib.sh
for v in NI NE REQS WARM; do
    case "${!v}" in '' | *[!0-9]*) die "$v must be a number (got '${!v}')" ;; esac
done
command -v curl >/dev/null || die "curl not found"
command -v sqlite3 >/dev/null || die "sqlite3 not found"
bench_find_safecomm

T=$(mktemp -d "${TMPDIR:-/tmp}/safecomm-bench.XXXXXX")
SC_PID=""
cleanup() {
    local rc=$?
    set +e
    if [ -n "$SC_PID" ]; then
        kill -TERM "$SC_PID" 2>/dev/null
        wait "$SC_PID" 2>/dev/null
    fi
    if [ "$KEEP" = 1 ]; then log "kept $T"; else rm -rf "$T"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export SAFECOMM_ADMIN_PASSWORD=${SAFECOMM_ADMIN_PASSWORD:-Bench-pass-2025!}
DB=${BENCH_DB:-$T/incidents.db}
case "$DB" in /*) ;; *) DB=$PWD/$DB ;; esac
if [ ! -s "$DB" ]; then
    log "building $DB: the demo, $NI injury cases, $NE incidents"
    "$SAFECOMM" demo --db "$DB" >"$T/demo.log" 2>&1 || die "safecomm demo failed"
    start=$(date +%s)
    NV=$(sqlite3 "$DB" "SELECT count(*) FROM regions WHERE level = 'village'")
    # Deterministic pseudo-random columns from the row number; dates over
    # 2024 and 2025; codes valid in the dictionaries and the card's checks.
    sqlite3 "$DB" <<SQL || die "generating rows failed"
PRAGMA journal_mode = WAL;
CREATE TEMP TABLE v (i INTEGER PRIMARY KEY, code TEXT);
INSERT INTO v SELECT row_number() OVER (ORDER BY code) - 1, code FROM regions WHERE level = 'village';
CREATE TEMP TABLE kinds (i INTEGER, kind TEXT);
INSERT INTO kinds VALUES (0,'road_traffic'),(1,'road_traffic'),(2,'road_traffic'),(3,'public_security'),(4,'public_security'),
  (5,'home_injury'),(6,'fire'),(7,'production'),(8,'construction'),(9,'student_injury'),(10,'rural_power'),
  (11,'farm_machinery'),(12,'drowning'),(13,'food_poisoning'),(14,'other');
BEGIN;
WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < $NE)
INSERT INTO incidents (region, created_at, updated_at, created_by, kind, occurred_on, deaths, injured, seriously_injured, loss, grade, source)
SELECT (SELECT code FROM v WHERE i = (k * 7919) % $NV), '2025-12-31T00:00:00+08:00', '2025-12-31T00:00:00+08:00', 'bench',
       (SELECT kind FROM kinds WHERE i = (k * 31) % 15),
       date(CASE WHEN k % 2 THEN '2024-01-01' ELSE '2025-01-01' END, '+' || ((k * 13) % 365) || ' days'),
       CASE WHEN k % 40 = 0 THEN 1 ELSE 0 END, k % 3, 0, (k % 50) * 100.0, 'general', 'police'
FROM n;
WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < $NI)
INSERT INTO injury_cases (region, created_at, updated_at, created_by, injured_on, sex, age, occupation, cause, place, activity, intent, outcome, disabled)
SELECT (SELECT code FROM v WHERE i = (k * 104729) % $NV), '2025-12-31T00:00:00+08:00', '2025-12-31T00:00:00+08:00', 'bench',
       date(CASE WHEN k % 2 THEN '2024-01-01' ELSE '2025-01-01' END, '+' || ((k * 17) % 365) || ' days'),
       CASE WHEN k % 2 THEN '1' ELSE '2' END, (k * 37) % 90,
       CASE WHEN (k * 37) % 90 BETWEEN 7 AND 18 THEN '2' ELSE '9' END,
       CASE WHEN k % 5 = 0 THEN '1' ELSE '3' END, CASE WHEN k % 5 = 0 THEN '5' ELSE '1' END,
       CASE WHEN k % 5 = 0 THEN '7' ELSE '2' END, '1', CASE WHEN k % 500 = 0 THEN '5' ELSE '1' END,
       CASE WHEN k % 20 = 0 THEN 1 ELSE 0 END
FROM n;
-- Their search index entries: no searched text, so empty grams (check
-- compares the index with the rows).
INSERT INTO incidents_fts (rowid, uni, bi) SELECT id, '', '' FROM incidents WHERE created_by = 'bench';
INSERT INTO injury_cases_fts (rowid, uni, bi) SELECT id, '', '' FROM injury_cases WHERE created_by = 'bench';
COMMIT;
ANALYZE;
SQL
    log "generated the rows in $(($(date +%s) - start)) s"
else
    log "reusing $DB"
    # A database built by an earlier version gets this one's migrations
    # (0015: incidents_by_region_month, built from incidents_by_month).
    "$SAFECOMM" init --db "$DB" >"$T/init.log" 2>&1 || die "safecomm init (migrations) failed"
fi
"$SAFECOMM" check --db "$DB" >"$T/check.log" 2>&1 || {
    cat "$T/check.log" >&2
    die "safecomm check failed"
}
grep -E 'aggregate' "$T/check.log" >&2
ROWS=$(sqlite3 "$DB" "SELECT (SELECT count(*) FROM injury_cases WHERE deleted_at IS NULL) || ' injury cases, ' || (SELECT count(*) FROM incidents WHERE deleted_at IS NULL) || ' incidents'")

PORT=$((20000 + RANDOM % 40000))
"$SAFECOMM" serve --db "$DB" --listen "127.0.0.1:$PORT" --threads 2 --today 2025-12-31 >"$T/server.log" 2>&1 &
SC_PID=$!
for _ in $(seq 100); do
    curl -s --max-time 1 "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    kill -0 "$SC_PID" 2>/dev/null || die "safecomm serve exited: $(tail -n 5 "$T/server.log")"
    sleep 0.1
done
TOKEN=$("$SAFECOMM" token create --db "$DB" --username admin)

# median and p95 (ms) of REQS requests after WARM
measure() {
    local url=$1 i
    for i in $(seq "$WARM"); do curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$url"; done
    for i in $(seq "$REQS"); do
        curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" -w '%{http_code} %{time_total}\n' "$url"
    done >"$T/raw"
    grep -qv '^200 ' "$T/raw" && die "a request to $url failed: $(grep -v '^200 ' "$T/raw" | head -1)"
    awk '{print $2 * 1000}' "$T/raw" | sort -n | awk '{a[NR] = $1} END {
        m = a[int((NR + 1) / 2)]; p = a[int(NR * 0.95 + 0.999)];
        printf "median %.1f ms, p95 %.1f ms", m, p }'
}

mkdir -p "$OUT"
B="http://127.0.0.1:$PORT/api/v1/stats"
{
    echo "incidents benchmark ($ROWS; SQLite; $REQS requests after $WARM warm-up; goal < 100 ms each)"
    echo "  date: $(date -Iseconds), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "county   $COUNTY 2025: $(measure "$B?region=$COUNTY&year=2025")"
    echo "township $TOWN 2025: $(measure "$B?region=$TOWN&year=2025")"
    echo "monthly  $COUNTY 2024: $(measure "$B?region=$COUNTY&year=2024")"
    # The accidents page asks for its own two sections only (?sections=).
    S="sections=incidents,injuries"
    echo "county   $COUNTY 2025, $S: $(measure "$B?region=$COUNTY&year=2025&$S")"
    echo "township $TOWN 2025, $S: $(measure "$B?region=$TOWN&year=2025&$S")"
    echo "monthly  $COUNTY 2024, $S: $(measure "$B?region=$COUNTY&year=2024&$S")"
} | tee "$OUT/incidents-summary-sqlite.txt"
# The table's rows: the accidents page's own request (?sections=), p95.
while read -r what url; do
    p95=$(measure "$url" | sed -n 's/.*p95 \([0-9.]*\) ms.*/\1/p')
    bench_row "injury statistics, $what, $ROWS (ms p95)" "$p95" "—" "—" "< 100 ms" "$(bench_met "$p95" '<' 100)"
done <<LIST
county-yoy $B?region=$COUNTY&year=2025&sections=incidents,injuries
by-township $B?region=$TOWN&year=2025&sections=incidents,injuries
monthly $B?region=$COUNTY&year=2024&sections=incidents,injuries
LIST
