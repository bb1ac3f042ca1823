#!/usr/bin/env bash
# bench/server.sh — the server as a process: cold start, memory under load,
# and the work summary in DOCX, each beside a reference taken in the same run.
#
#   cold start    exec to the first 200 of /healthz, median of 7 starts, on the
#                 demo county; reference: nginx exec to its first 200
#   RSS           safecomm's peak resident memory during 10 s of wrk at 64
#                 connections on the point read; reference: nginx's master and
#                 workers under the same load
#   work summary  GET the county's summary as DOCX, median of 5; reference:
#                 GET /stats of the same region and year (the figures it is
#                 written from)
#
# Environment: BENCH_OUT (bench/out), BENCH_KEEP, SAFECOMM_BIN, BENCH_THREADS.
set -eu
cd "$(dirname "$0")/.."
OUT=${BENCH_OUT:-bench/out}
KEEP=${BENCH_KEEP:-0}
THREADS=${BENCH_THREADS:-$(nproc)}
. bench/lib.sh
scripts/setup.sh bench >&2
bench_find_safecomm
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || die "nginx not found"
command -v wrk >/dev/null || die "wrk not found"

T=$(mktemp -d "${TMPDIR:-/tmp}/safecomm-server.XXXXXX")
PIDS=()
cleanup() {
    local rc=$?
    set +e
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    if [ "$KEEP" = 1 ]; then log "kept $T"; else rm -rf "$T"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT

export SAFECOMM_ADMIN_PASSWORD=bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
log "building the demo county"
"$SAFECOMM" demo --db "$T/d.db" --key-file "$T/k" >/dev/null 2>&1
TOKEN=$("$SAFECOMM" token create --db "$T/d.db" --key-file "$T/k" --username admin)
mkdir -p "$T/www" "$T/nginx-tmp"
# nginx.conf.in serves this one file.
echo '{"status":"ok"}' >"$T/www/region.json"
USER_DIRECTIVE="# not root"
[ "$(id -u)" -ne 0 ] || USER_DIRECTIVE="user root;"

port() { echo $((20000 + RANDOM % 40000)); }
now_ms() { date +%s%3N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

start_safecomm() { # port -> pid in SC
    "$SAFECOMM" serve --db "$T/d.db" --key-file "$T/k" --listen "127.0.0.1:$1" --threads "$THREADS" \
        >>"$T/serve.log" 2>&1 &
    SC=$!
}
start_nginx() { # port -> pid in NG
    sed -e "s|@PREFIX@|$T|g" -e "s|@PORT@|$1|g" -e "s|@WORKERS@|$THREADS|g" \
        -e "s|@USER_DIRECTIVE@|$USER_DIRECTIVE|g" bench/nginx.conf.in >"$T/nginx.conf"
    "$NGINX" -p "$T/" -e "$T/nginx-error.log" -c "$T/nginx.conf" >>"$T/nginx.out" 2>&1 &
    NG=$!
}
first_200() { # url -> ms waited from now
    local t0 i
    t0=$(now_ms)
    for i in $(seq 2000); do
        curl -sf -o /dev/null --max-time 1 "$1" 2>/dev/null && break
        sleep 0.002
    done
    echo $(($(now_ms) - t0))
}

# --- cold start ---------------------------------------------------------------
: >"$T/sc.ms"
: >"$T/ng.ms"
for _ in $(seq 7); do
    p=$(port)
    start_safecomm "$p"
    first_200 "http://127.0.0.1:$p/healthz" >>"$T/sc.ms"
    kill -TERM "$SC"; wait "$SC" 2>/dev/null || true
    p=$(port)
    start_nginx "$p"
    first_200 "http://127.0.0.1:$p/region.json" >>"$T/ng.ms"
    kill -TERM "$NG"; wait "$NG" 2>/dev/null || true
done
COLD=$(median <"$T/sc.ms")
COLD_NG=$(median <"$T/ng.ms")

# --- RSS under load -----------------------------------------------------------
rss_of() { # pids -> total kB
    local s=0 p
    for p in "$@"; do s=$((s + $(awk '/VmRSS/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0))); done
    echo "$s"
}
peak_during() { # seconds pids... -> peak total kB, sampled every 200 ms
    local n=$(($1 * 5)) peak=0 v
    shift
    for _ in $(seq "$n"); do
        v=$(rss_of "$@")
        [ "$v" -le "$peak" ] || peak=$v
        sleep 0.2
    done
    echo "$peak"
}
p=$(port)
start_safecomm "$p"
PIDS+=("$SC")
first_200 "http://127.0.0.1:$p/healthz" >/dev/null
wrk -t"$THREADS" -c64 -d10s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$p/api/v1/regions/511621101000" >"$T/wrk-sc.txt" 2>&1 &
RSS=$(peak_during 10 "$SC")
wait $! || true
SCP=$p
q=$(port)
start_nginx "$q"
PIDS+=("$NG")
first_200 "http://127.0.0.1:$q/region.json" >/dev/null
wrk -t"$THREADS" -c64 -d10s "http://127.0.0.1:$q/region.json" >"$T/wrk-ng.txt" 2>&1 &
NGPIDS=("$NG" $(pgrep -P "$NG" || true))
RSS_NG=$(peak_during 10 "${NGPIDS[@]}")
wait $! || true

# --- the work summary in DOCX -------------------------------------------------
time_get() { # url -> ms
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$1" | awk '{ printf "%.0f\n", $1 * 1000 }'
}
Q="region=511621000000&year=2025"
: >"$T/docx.ms"
: >"$T/stats.ms"
for _ in $(seq 5); do
    time_get "http://127.0.0.1:$SCP/api/v1/reports/work-summary?$Q&format=docx" >>"$T/docx.ms"
    time_get "http://127.0.0.1:$SCP/api/v1/stats?$Q" >>"$T/stats.ms"
done
DOCX=$(median <"$T/docx.ms")
STATS=$(median <"$T/stats.ms")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
mkdir -p "$OUT"
{
    echo "server — $(date -u +%FT%TZ), $(nproc) CPUs, safecomm --threads $THREADS, the demo county"
    printf '  cold start to the first 200     %6s ms   nginx %6s ms\n' "$COLD" "$COLD_NG"
    printf '  peak RSS, 10 s at 64 conns      %6s kB   nginx %6s kB\n' "$RSS" "$RSS_NG"
    printf '  county work summary, DOCX       %6s ms   GET /stats %s ms\n' "$DOCX" "$STATS"
} | tee "$OUT/server.txt"
CR=$(ratio "$COLD" "$COLD_NG")
bench_row "cold start to the first answer (ms)" "$COLD" "nginx $COLD_NG" "$CR" "ratio <= 2.0" "$(bench_met "$CR" '<=' 2.0)"
bench_row "peak RSS under load, 64 conns (kB)" "$RSS" "nginx $RSS_NG" "$(ratio "$RSS" "$RSS_NG")" "<= 65536 kB" "$(bench_met "$RSS" '<=' 65536)"
bench_row "county work summary as DOCX (ms)" "$DOCX" "GET /stats $STATS" "$(ratio "$DOCX" "$STATS")" "<= 1000 ms" "$(bench_met "$DOCX" '<=' 1000)"
