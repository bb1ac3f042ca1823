#!/bin/sh
# scripts/pg-test-server.sh start|stop|status DIR PORT — a throwaway PostgreSQL
# cluster for the tests and benchmarks.
#
#   start  initialises DIR (when empty) with Debian's initdb, -E UTF8
#          --locale=C.UTF-8, trust authentication on loopback and the socket,
#          starts it on 127.0.0.1:PORT (socket directory DIR/sock), and creates
#          the role and database "safecomm". Prints the URI on stdout:
#          postgresql://safecomm@127.0.0.1:PORT/safecomm
#   stop   stops it (fast shutdown) and removes DIR when it was made here.
#   status exits 0 when it is running.
#
# PostgreSQL refuses to run as root, so as root the server runs as the
# `postgres` user; DIR must then be reachable by that user (use /tmp, not
# /root). As another user the server runs as that user.
set -eu

usage() {
    echo "usage: $0 start|stop|status DIR PORT" >&2
    exit 2
}
[ "$#" -eq 3 ] || usage
cmd=$1
dir=$2
port=$3
case "$port" in '' | *[!0-9]*) usage ;; esac

bindir=${PG_BINDIR:-}
if [ -z "$bindir" ]; then
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && bindir=$d
    done
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    echo "pg-test-server: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
    exit 1
fi

# as_pg CMD...: runs CMD as the postgres user when we are root.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

data=$dir/data
sock=$dir/sock
log=$dir/server.log

case "$cmd" in
start)
    mkdir -p "$dir"
    case "$(cd "$dir" && pwd)" in
        /root | /root/*)
            if [ "$(id -u)" -eq 0 ]; then
                echo "pg-test-server: $dir is under /root, which the postgres user cannot reach" >&2
                exit 1
            fi
            ;;
    esac
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres "$dir"
    fi
    chmod 700 "$dir"
    if [ ! -f "$data/PG_VERSION" ]; then
        as_pg mkdir -p "$data" "$sock"
        as_pg "$bindir/initdb" -D "$data" -E UTF8 --locale=C.UTF-8 -U postgres \
            --auth-local=trust --auth-host=trust >"$dir/initdb.log" 2>&1 || {
            cat "$dir/initdb.log" >&2
            exit 1
        }
        {
            echo "listen_addresses = '127.0.0.1'"
            echo "port = $port"
            echo "unix_socket_directories = '$sock'"
            echo "max_connections = 200"
            echo "shared_buffers = 128MB"
            # A throwaway cluster: speed over durability.
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
        } | as_pg tee -a "$data/postgresql.conf" >/dev/null
    fi
    if ! as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        as_pg "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 -o "-p $port" start >/dev/null || {
            cat "$log" >&2
            exit 1
        }
    fi
    if ! as_pg "$bindir/psql" -h "$sock" -p "$port" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_roles WHERE rolname = 'safecomm'" | grep -q 1; then
        as_pg "$bindir/psql" -q -h "$sock" -p "$port" -U postgres -d postgres \
            -c "CREATE ROLE safecomm LOGIN CREATEDB" -c "CREATE DATABASE safecomm OWNER safecomm"
    fi
    echo "postgresql://safecomm@127.0.0.1:$port/safecomm"
    ;;
stop)
    if [ -f "$data/PG_VERSION" ]; then
        as_pg "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
status)
    as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1
    ;;
*)
    usage
    ;;
esac
