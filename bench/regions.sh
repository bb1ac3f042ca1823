#!/usr/bin/env bash
# bench/regions.sh — throughput of GET /api/v1/regions/{ags} against nginx.
#
# Serves the same response body twice on loopback:
#   safecomm  build/safecomm serve, authenticated API request (Bearer token)
#   nginx     Debian's nginx serving the saved body as a static file
# and loads both with wrk using identical settings. The figure that matters is
# the ratio safecomm/nginx measured in the same run (see docs/performance.md).
#
# Environment (all optional):
#   BENCH_DURATION     wrk duration per measured run         (default 10s)
#   BENCH_CONNECTIONS  wrk connections                       (default 32)
#   BENCH_THREADS      wrk threads = server threads = nginx workers (default nproc)
#   BENCH_WARMUP       warm-up duration per server           (default 2s)
#   BENCH_ROUNDS       measured rounds, order alternates     (default 1)
#   BENCH_REGION       AGS of the region to fetch            (default 511621101000)
#   BENCH_MIN_RATIO    if set, exit 1 when the ratio is below it
#   BENCH_OUT          where the summary and raw wrk output go (default bench/out)
#   BENCH_KEEP         1 = keep the temp dir (logs, db, nginx.conf) for debugging
#   SAFECOMM_BIN       use this binary instead of building build/safecomm
#   BENCH_BACKEND      sqlite (default) or pg: the demo county in a throwaway
#                      PostgreSQL cluster (scripts/pg-test-server.sh) instead
#   BENCH_SERVERS      1 (default) or 2: with 2, two safecomm processes on
#                      different ports (each --threads BENCH_THREADS) behind an
#                      nginx upstream, against the one database (use with pg)
#   SAFECOMM_ADMIN_PASSWORD  admin password for the demo db (default: random)
set -eu

cd "$(dirname "$0")/.."

THREADS=${BENCH_THREADS:-$(nproc)}
CONNS=${BENCH_CONNECTIONS:-32}
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-2s}
ROUNDS=${BENCH_ROUNDS:-1}
REGION=${BENCH_REGION:-511621101000}
OUT=${BENCH_OUT:-bench/out}
KEEP=${BENCH_KEEP:-0}
MIN_RATIO=${BENCH_MIN_RATIO:-}
BACKEND=${BENCH_BACKEND:-sqlite}
SERVERS=${BENCH_SERVERS:-1}
case "$BACKEND" in sqlite | pg) ;; *) echo "bench: BENCH_BACKEND must be sqlite or pg" >&2; exit 1 ;; esac
case "$SERVERS" in 1 | 2) ;; *) echo "bench: BENCH_SERVERS must be 1 or 2" >&2; exit 1 ;; esac

. bench/lib.sh

for v in THREADS CONNS ROUNDS; do
    case "${!v}" in '' | *[!0-9]* | 0) die "$v must be a positive integer (got '${!v}')" ;; esac
done
[ "$CONNS" -ge "$THREADS" ] || die "BENCH_CONNECTIONS ($CONNS) must be >= threads ($THREADS)"
case "$REGION" in '' | *[!0-9]*) die "BENCH_REGION must be digits (got '$REGION')" ;; esac

# --- prerequisites -----------------------------------------------------------
scripts/setup.sh bench >&2

bench_find_safecomm

NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || die "nginx not found (scripts/setup.sh bench installs nginx-light)"
command -v wrk >/dev/null || die "wrk not found"
command -v curl >/dev/null || die "curl not found"

# --- temp dir and cleanup ------------------------------------------------------
T=$(mktemp -d "${TMPDIR:-/tmp}/safecomm-bench.XXXXXX")
SC_PID=""
SC2_PID=""
NG_PID=""
PX_PID=""
WRK_PID=""
PG_DIR=""
PG_PORT=""

stop_pid() { # pid: TERM, wait up to 5 s, then KILL
    local pid=$1
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    set +e
    stop_pid "$WRK_PID"
    stop_pid "$SC_PID"
    stop_pid "$SC2_PID"
    stop_pid "$NG_PID"
    stop_pid "$PX_PID"
    if [ -n "$PG_DIR" ]; then scripts/pg-test-server.sh stop "$PG_DIR" "$PG_PORT" >&2; fi
    if [ "$KEEP" = 1 ]; then
        log "kept $T"
    else
        rm -rf "$T"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_log() { # file: print the tail of a log on failure
    [ -s "$1" ] || return 0
    echo "---- tail of $(basename "$1") ----" >&2
    tail -n 20 "$1" >&2
    echo "----" >&2
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() { # prints a loopback port nobody listens on, different from $1
    local p
    for _ in $(seq 100); do
        p=$((20000 + RANDOM % 40000))
        [ "$p" != "${1:-}" ] || continue
        port_in_use "$p" || {
            echo "$p"
            return 0
        }
    done
    die "no free port found"
}

# --- safecomm ------------------------------------------------------------------
if [ -z "${SAFECOMM_ADMIN_PASSWORD:-}" ]; then
    SAFECOMM_ADMIN_PASSWORD=bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
fi
export SAFECOMM_ADMIN_PASSWORD

if [ "$BACKEND" = pg ]; then
    # The cluster runs as postgres: its directory must not be under the 0700 $T.
    PG_DIR=$(mktemp -d /tmp/safecomm-bench-pg.XXXXXX)
    PG_PORT=$(pick_port)
    log "starting a throwaway PostgreSQL on 127.0.0.1:$PG_PORT"
    DB=$(scripts/pg-test-server.sh start "$PG_DIR" "$PG_PORT") || die "PostgreSQL did not start"
    DBARGS=(--db "$DB" --key-file "$T/bench.key")
else
    DBARGS=(--db "$T/bench.db")
fi

log "creating demo database ($BACKEND)"
"$SAFECOMM" demo "${DBARGS[@]}" >"$T/demo.log" 2>&1 || {
    show_log "$T/demo.log"
    die "safecomm demo failed"
}
TOKEN=$("$SAFECOMM" token create "${DBARGS[@]}" --username admin 2>"$T/token.log") || {
    show_log "$T/token.log"
    die "safecomm token create failed"
}
TOKEN=$(printf '%s' "$TOKEN" | tr -d '[:space:]')
[ -n "$TOKEN" ] || die "safecomm token create printed no token"

wait_healthy() { # pid port log
    local ok=0
    for _ in $(seq 100); do
        if ! kill -0 "$1" 2>/dev/null; then
            show_log "$3"
            die "safecomm serve exited during startup"
        fi
        if curl -s --max-time 1 "http://127.0.0.1:$2/healthz" 2>/dev/null |
            grep -q '"status" *: *"ok"'; then
            ok=1
            break
        fi
        sleep 0.1
    done
    [ "$ok" = 1 ] || {
        show_log "$3"
        die "safecomm did not answer /healthz within 10 s"
    }
}

SC_PORT=$(pick_port)
log "starting safecomm on 127.0.0.1:$SC_PORT ($THREADS threads)"
"$SAFECOMM" serve "${DBARGS[@]}" --listen "127.0.0.1:$SC_PORT" --threads "$THREADS" \
    >"$T/server.log" 2>&1 &
SC_PID=$!
wait_healthy "$SC_PID" "$SC_PORT" "$T/server.log"
SC_URL="http://127.0.0.1:$SC_PORT/api/v1/regions/$REGION"
mkdir -p "$T/www" "$T/nginx-tmp" "$T/px-tmp"

if [ "$SERVERS" = 2 ]; then
    SC2_PORT=$(pick_port "$SC_PORT")
    log "starting a second safecomm on 127.0.0.1:$SC2_PORT ($THREADS threads)"
    "$SAFECOMM" serve "${DBARGS[@]}" --listen "127.0.0.1:$SC2_PORT" --threads "$THREADS" \
        >"$T/server2.log" 2>&1 &
    SC2_PID=$!
    wait_healthy "$SC2_PID" "$SC2_PORT" "$T/server2.log"
    PX_PORT=$(pick_port "$SC2_PORT")
    if [ "$(id -u)" -eq 0 ]; then PX_USER="user root;"; else PX_USER=""; fi
    cat >"$T/proxy.conf" <<PXEOF
$PX_USER
worker_processes $THREADS;
daemon off;
pid $T/proxy.pid;
error_log $T/proxy-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $T/px-tmp/body;
    proxy_temp_path $T/px-tmp/proxy;
    fastcgi_temp_path $T/px-tmp/fastcgi;
    uwsgi_temp_path $T/px-tmp/uwsgi;
    scgi_temp_path $T/px-tmp/scgi;
    keepalive_requests 1000000;
    upstream safecomm {
        server 127.0.0.1:$SC_PORT;
        server 127.0.0.1:$SC2_PORT;
        keepalive 64;
    }
    server {
        listen 127.0.0.1:$PX_PORT reuseport;
        location / {
            proxy_pass http://safecomm;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }
}
PXEOF
    log "starting nginx as the load balancer on 127.0.0.1:$PX_PORT"
    "$NGINX" -p "$T/" -e "$T/proxy-error.log" -c "$T/proxy.conf" >"$T/proxy.out" 2>&1 &
    PX_PID=$!
    for _ in $(seq 100); do
        curl -sf --max-time 1 "http://127.0.0.1:$PX_PORT/healthz" >/dev/null 2>&1 && break
        kill -0 "$PX_PID" 2>/dev/null || {
            show_log "$T/proxy-error.log"
            die "the nginx load balancer exited during startup"
        }
        sleep 0.1
    done
    SC_URL="http://127.0.0.1:$PX_PORT/api/v1/regions/$REGION"
fi
read -r code ctype < <(curl -sS --max-time 10 -H "Authorization: Bearer $TOKEN" \
    -o "$T/www/region.json" -w '%{http_code} %{content_type}\n' "$SC_URL") ||
    die "GET $SC_URL failed"
[ "$code" = 200 ] || {
    head -c 500 "$T/www/region.json" >&2
    echo >&2
    die "GET $SC_URL returned HTTP $code (expected 200)"
}
BODY_BYTES=$(wc -c <"$T/www/region.json")
[ "$BODY_BYTES" -gt 0 ] || die "GET $SC_URL returned an empty body"
log "region body: $BODY_BYTES bytes, Content-Type: ${ctype:-none}"

# --- nginx ---------------------------------------------------------------------
NG_PORT=$(pick_port "$SC_PORT")
if [ "$(id -u)" -eq 0 ]; then
    # Workers would otherwise run as nobody and could not read the 0700 temp dir.
    USER_DIRECTIVE="user root;"
else
    USER_DIRECTIVE="# not root: workers run as the invoking user"
fi
sed -e "s|@PREFIX@|$T|g" \
    -e "s|@PORT@|$NG_PORT|g" \
    -e "s|@WORKERS@|$THREADS|g" \
    -e "s|@USER_DIRECTIVE@|$USER_DIRECTIVE|g" \
    bench/nginx.conf.in >"$T/nginx.conf"

"$NGINX" -q -t -p "$T/" -e "$T/nginx-error.log" -c "$T/nginx.conf" 2>"$T/nginx-t.log" || {
    show_log "$T/nginx-t.log"
    die "generated nginx.conf is invalid"
}
log "starting nginx on 127.0.0.1:$NG_PORT ($THREADS workers)"
"$NGINX" -p "$T/" -e "$T/nginx-error.log" -c "$T/nginx.conf" >"$T/nginx.out" 2>&1 &
NG_PID=$!

NG_URL="http://127.0.0.1:$NG_PORT/region.json"
ok=0
for _ in $(seq 100); do
    if ! kill -0 "$NG_PID" 2>/dev/null; then
        show_log "$T/nginx.out"
        show_log "$T/nginx-error.log"
        die "nginx exited during startup"
    fi
    if ng_ctype=$(curl -sf --max-time 1 -o "$T/nginx-check.json" -w '%{content_type}' "$NG_URL" 2>/dev/null); then
        ok=1
        break
    fi
    sleep 0.1
done
[ "$ok" = 1 ] || {
    show_log "$T/nginx-error.log"
    die "nginx did not serve $NG_URL within 10 s"
}
cmp -s "$T/www/region.json" "$T/nginx-check.json" || die "nginx serves a different body"
log "nginx serves the same body, Content-Type: $ng_ctype"

# --- load ----------------------------------------------------------------------
# Both servers get the same request, Authorization header included, so request
# parsing costs the same on both sides; nginx simply ignores the header.
WRK_ARGS=(-t"$THREADS" -c"$CONNS" --latency -H "Authorization: Bearer $TOKEN")

run_wrk() { # name url duration outfile
    local name=$1 url=$2 dur=$3 out=$4
    # In the background + wait, so that INT/TERM reach our trap at once
    # (wrk ignores SIGINT, and bash defers traps while a foreground job runs).
    wrk "${WRK_ARGS[@]}" -d"$dur" "$url" >"$out" 2>&1 &
    WRK_PID=$!
    wait "$WRK_PID" || {
        WRK_PID=""
        cat "$out" >&2
        die "wrk against $name failed"
    }
    WRK_PID=""
    if grep -q 'Non-2xx or 3xx responses' "$out"; then
        cat "$out" >&2
        die "$name answered non-2xx responses under load; the figure would be meaningless"
    fi
    if grep -q 'Socket errors' "$out"; then
        log "warning: $name: $(grep 'Socket errors' "$out" | sed 's/^ *//')"
    fi
    grep -q '^Requests/sec:' "$out" || {
        cat "$out" >&2
        die "could not parse wrk output for $name"
    }
}

rps_of() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
p99_of() { awk '$1 == "99%" {print $2; exit}' "$1"; }

log "warm-up: $WARMUP each"
run_wrk safecomm "$SC_URL" "$WARMUP" "$T/warm-safecomm.txt"
run_wrk nginx "$NG_URL" "$WARMUP" "$T/warm-nginx.txt"

mkdir -p "$OUT"
SC_SUM=0
NG_SUM=0
ROUND_LINES=""
for r in $(seq "$ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then order="safecomm nginx"; else order="nginx safecomm"; fi
    for name in $order; do
        if [ "$name" = safecomm ]; then url=$SC_URL; else url=$NG_URL; fi
        log "round $r/$ROUNDS: $name, $DURATION"
        run_wrk "$name" "$url" "$DURATION" "$T/run-$r-$name.txt"
        cp "$T/run-$r-$name.txt" "$OUT/regions-wrk-$r-$name.txt"
    done
    sc=$(rps_of "$T/run-$r-safecomm.txt")
    ng=$(rps_of "$T/run-$r-nginx.txt")
    SC_SUM=$(awk -v a="$SC_SUM" -v b="$sc" 'BEGIN {print a + b}')
    NG_SUM=$(awk -v a="$NG_SUM" -v b="$ng" 'BEGIN {print a + b}')
    ROUND_LINES="$ROUND_LINES$(awk -v r="$r" -v s="$sc" -v n="$ng" \
        'BEGIN {printf "  round %d: safecomm %.0f req/s, nginx %.0f req/s, ratio %.2f\n", r, s, n, s / n}')
"
done

SC_RPS=$(awk -v s="$SC_SUM" -v n="$ROUNDS" 'BEGIN {printf "%.2f", s / n}')
NG_RPS=$(awk -v s="$NG_SUM" -v n="$ROUNDS" 'BEGIN {printf "%.2f", s / n}')
RATIO=$(awk -v s="$SC_SUM" -v n="$NG_SUM" 'BEGIN {printf "%.2f", s / n}')
GOAL=0.60
if awk -v r="$RATIO" -v g="$GOAL" 'BEGIN {exit !(r >= g)}'; then MET="met"; else MET="NOT met"; fi

{
    echo "regions benchmark — GET /api/v1/regions/$REGION ($BODY_BYTES bytes, ${ctype:-no content type})"
    echo "  date: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(uname -r)"
    echo "  wrk -t$THREADS -c$CONNS -d$DURATION --latency (warm-up $WARMUP each), $ROUNDS round(s)"
    echo "  safecomm serve --threads $THREADS; nginx $("$NGINX" -v 2>&1 | sed 's|.*/||') worker_processes $THREADS"
    echo "  backend: $BACKEND$([ "$SERVERS" = 2 ] && echo ", two safecomm servers behind an nginx upstream")"
    if [ "$ROUNDS" -gt 1 ]; then printf '%s' "$ROUND_LINES"; fi
    printf '  safecomm: %10.0f req/s   p99 %s\n' "$SC_RPS" "$(p99_of "$T/run-$ROUNDS-safecomm.txt")"
    printf '  nginx:    %10.0f req/s   p99 %s\n' "$NG_RPS" "$(p99_of "$T/run-$ROUNDS-nginx.txt")"
    echo "ratio: $RATIO"
    echo "goal: ratio >= $GOAL — $MET"
} | tee "$OUT/regions.txt"

bench_row "point read, $BACKEND$([ "$SERVERS" = 2 ] && echo ', 2 servers') (req/s, $CONNS conns)" "$(printf '%.0f' "$SC_RPS")" \
    "nginx $(printf '%.0f' "$NG_RPS")" "$RATIO" ">= $GOAL" "$MET"

if [ -n "$MIN_RATIO" ] && ! awk -v r="$RATIO" -v g="$MIN_RATIO" 'BEGIN {exit !(r >= g)}'; then
    die "ratio $RATIO is below BENCH_MIN_RATIO=$MIN_RATIO"
fi
