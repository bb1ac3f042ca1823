#!/usr/bin/env bash
# bench/durable.sh — durable creates through the API against raw SQLite.
#
# safecomm: POST /api/v1/volunteers (validation, the record, its audit entry
# and search index in one transaction) with wrk at C connections, the server
# with group commit (the default) and, for comparison, with --group-commit 0.
# Reference: build/bench/sqlite-writes, C threads of single-row transactions
# on a WAL database with synchronous=FULL, on the same disk, in the same run.
# The figure that matters is the ratio safecomm / raw at each C.
#
# Environment (all optional):
#   BENCH_CONNS       connection counts to measure       (default "8 64")
#   BENCH_DURATION    seconds per measured run            (default 10)
#   BENCH_THREADS     safecomm serve --threads, wrk -t    (default nproc)
#   BENCH_OUT         where the summary goes              (default bench/out)
#   BENCH_KEEP        1 = keep the temp dir
#   SAFECOMM_BIN      use this binary instead of building build/safecomm
set -eu
cd "$(dirname "$0")/.."
CONNS_LIST=${BENCH_CONNS:-"8 64"}
DUR=${BENCH_DURATION:-10}
THREADS=${BENCH_THREADS:-$(nproc)}
OUT=${BENCH_OUT:-bench/out}
KEEP=${BENCH_KEEP:-0}
. bench/lib.sh
scripts/setup.sh bench >&2
bench_find_safecomm
make --no-print-directory build/bench/sqlite-writes >&2
command -v wrk >/dev/null || die "wrk not found"

T=$(mktemp -d "${TMPDIR:-/tmp}/safecomm-durable.XXXXXX")
SC_PID=""
cleanup() {
    local rc=$?
    set +e
    if [ -n "$SC_PID" ]; then kill -TERM "$SC_PID" 2>/dev/null; wait "$SC_PID" 2>/dev/null; fi
    if [ "$KEEP" = 1 ]; then log "kept $T"; else rm -rf "$T"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT

export SAFECOMM_ADMIN_PASSWORD=bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
log "building the demo county"
"$SAFECOMM" demo --db "$T/base.db" --key-file "$T/k" >/dev/null
TOKEN=$("$SAFECOMM" token create --db "$T/base.db" --key-file "$T/k" --username admin)

cat >"$T/create.lua" <<'LUA'
local n = 0
local tid = 0
local threads = {}
function setup(thread)
    tid = tid + 1
    thread:set("tid", tid)
end
request = function()
    n = n + 1
    local body = string.format('{"name":"压测志愿者%d-%d","region":"511621101001","hours":1}', tid, n)
    return wrk.format("POST", "/api/v1/volunteers", nil, body)
end
local bad = 0
response = function(status, headers, body)
    if status ~= 201 then bad = bad + 1 end
end
done = function(summary, latency, requests)
    io.write(string.format("non201 %d\n", summary.errors.status))
end
LUA

port() { echo $((20000 + RANDOM % 40000)); }

run_safecomm() { # group-commit conns -> rows/s of 201s
    local gc=$1 c=$2 p db
    p=$(port)
    db="$T/sc-$gc-$c.db"
    cp "$T/base.db" "$db"
    "$SAFECOMM" serve --db "$db" --key-file "$T/k" --listen "127.0.0.1:$p" --threads "$THREADS" \
        --group-commit "$gc" --per-ip-limit 100000 >"$T/serve-$gc-$c.log" 2>&1 &
    SC_PID=$!
    for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$p/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
    local before after wt
    before=$(sqlite3 "$db" "SELECT count(*) FROM volunteers")
    wt=$THREADS
    [ "$wt" -le "$c" ] || wt=$c
    wrk -t"$wt" -c"$c" -d"${DUR}s" -s "$T/create.lua" -H "Authorization: Bearer $TOKEN" \
        -H "Content-Type: application/json" "http://127.0.0.1:$p" >"$T/wrk-$gc-$c.txt" 2>&1
    kill -TERM "$SC_PID"; wait "$SC_PID" 2>/dev/null || true
    SC_PID=""
    after=$(sqlite3 "$db" "SELECT count(*) FROM volunteers")
    grep -q "^non201 0$" "$T/wrk-$gc-$c.txt" || { cat "$T/wrk-$gc-$c.txt" >&2; die "non-201 answers with --group-commit $gc at $c connections"; }
    echo $(((after - before) / DUR))
}

mkdir -p "$OUT"
{
    echo "durable creates — POST /api/v1/volunteers vs raw SQLite single-row FULL transactions"
    echo "  date: $(date -u +%FT%TZ), $(nproc) CPUs, ${DUR}s per run, safecomm --threads $THREADS"
    printf '  %-6s %14s %14s %12s %12s %8s\n' conns "group commit" "sync each" "raw sqlite" ratio goal
    for c in $CONNS_LIST; do
        g=$(run_safecomm 1 "$c")
        e=$(run_safecomm 0 "$c")
        rm -f "$T/raw.db"*
        r=$(build/bench/sqlite-writes "$T/raw.db" "$c" "$DUR")
        ratio=$(awk -v a="$g" -v b="$r" 'BEGIN { printf "%.2f", a / b }')
        met=$(awk -v x="$ratio" 'BEGIN { print (x >= 1.0) ? "met" : "NOT met" }')
        printf '  %-6s %14s %14s %12s %12s %8s\n' "$c" "$g/s" "$e/s" "$r/s" "$ratio" ">=1.0 $met"
        bench_row "durable create, $c conns (rows/s; sync each: $e)" "$g" "raw SQLite FULL $r" "$ratio" ">= 1.0" "$met"
    done
} | tee "$OUT/durable.txt"
