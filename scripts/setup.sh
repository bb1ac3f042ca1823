#!/usr/bin/env bash
# scripts/setup.sh — check (and, as root, install) the Debian packages safecomm needs.
#
#   scripts/setup.sh [build|test|bench|web|browser|all]...     (default: all)
#
#   build  compiler, make and the C libraries the server links against
#   test   build + static checkers, sqlite3 CLI, curl, PostgreSQL (server for the
#          second black-box run, see scripts/pg-test-server.sh), Node.js >= 18 with npm
#   bench  build + nginx-light (reference server), wrk, curl
#   web    Node.js >= 18 with npm (front-end toolchain)
#   browser  web + Debian's chromium (headless browser tests) and a CJK font
#          for readable screenshots
#   all    everything above
#
# Packages are tested with dpkg-query. When something is missing:
#   - as root: `apt-get update` once, then `apt-get install` the missing packages;
#   - otherwise: print the exact `sudo apt-get install ...` line and exit 1.
# When everything is present it prints a single line.
#
# Node.js is special: machines with NodeSource's nodejs (which bundles npm and
# conflicts with Debian's npm package) are fine as long as `node` (>= 18) and
# `npm` are on PATH. Debian's nodejs/npm are only installed when `node` is absent.
set -eu

NODE_MIN_MAJOR=18

BUILD_PKGS=(gcc make pkg-config libmicrohttpd-dev libjansson-dev libsodium-dev
    libxlsxwriter-dev libzip-dev libexpat1-dev libcsv-dev libsqlite3-dev libpq-dev
    libmagic-dev libcairo2-dev libpango1.0-dev libicu-dev fonts-noto-cjk)
TEST_PKGS=(cppcheck clang-format sqlite3 curl postgresql poppler-utils clang libclang-rt-14-dev
    libreoffice-writer-nogui)
BENCH_PKGS=(nginx-light wrk curl)
BROWSER_PKGS=(chromium fonts-wqy-microhei)

usage() {
    echo "usage: $0 [build|test|bench|web|browser|all]..." >&2
    exit 2
}

want_node=0
wanted=""
add() {
    for p in "$@"; do
        case " $wanted " in
            *" $p "*) ;;
            *) wanted="$wanted $p" ;;
        esac
    done
}

[ "$#" -gt 0 ] || set -- all
for purpose in "$@"; do
    case "$purpose" in
        build) add "${BUILD_PKGS[@]}" ;;
        test) add "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"; want_node=1 ;;
        bench) add "${BUILD_PKGS[@]}" "${BENCH_PKGS[@]}" ;;
        web) want_node=1 ;;
        browser) add "${BROWSER_PKGS[@]}"; want_node=1 ;;
        all) add "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}" "${BENCH_PKGS[@]}" "${BROWSER_PKGS[@]}"; want_node=1 ;;
        -h | --help) usage ;;
        *) echo "setup: unknown purpose '$purpose'" >&2; usage ;;
    esac
done

is_installed() {
    local status
    status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
    [ "$status" = "install ok installed" ]
}

node_major() {
    local v
    v=$(node --version 2>/dev/null) || return 1
    v=${v#v}
    v=${v%%.*}
    case "$v" in '' | *[!0-9]*) return 1 ;; esac
    echo "$v"
}

missing=""
problems=""

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "setup: dpkg-query not found — this script supports Debian/Ubuntu only." >&2
    echo "setup: packages needed:$wanted$([ "$want_node" = 1 ] && echo " node>=$NODE_MIN_MAJOR npm")" >&2
    exit 1
fi

for p in $wanted; do
    is_installed "$p" || missing="$missing $p"
done

if [ "$want_node" = 1 ]; then
    if ! command -v node >/dev/null 2>&1; then
        # No node on PATH: Debian's packages are safe to install, unless a
        # non-Debian nodejs package (NodeSource) is installed but not on PATH.
        node_ver=$(dpkg-query -W -f='${Version}' nodejs 2>/dev/null || true)
        if is_installed nodejs && echo "$node_ver" | grep -q nodesource; then
            problems="${problems}setup: nodejs $node_ver (NodeSource) is installed but \`node\` is not on PATH; fix PATH.
"
        else
            for p in nodejs npm; do
                is_installed "$p" || missing="$missing $p"
            done
        fi
    else
        major=$(node_major) || major=0
        if [ "$major" -lt "$NODE_MIN_MAJOR" ]; then
            problems="${problems}setup: node $(node --version 2>/dev/null || echo '?') at $(command -v node) is older than $NODE_MIN_MAJOR; upgrade it (or remove it so Debian's nodejs can be installed).
"
        elif ! command -v npm >/dev/null 2>&1; then
            # node present but npm missing. Debian's npm only fits Debian's nodejs;
            # NodeSource's nodejs ships its own npm and conflicts with it.
            node_ver=$(dpkg-query -W -f='${Version}' nodejs 2>/dev/null || true)
            if is_installed nodejs && [ -n "$node_ver" ] && ! echo "$node_ver" | grep -q nodesource; then
                missing="$missing npm"
            else
                problems="${problems}setup: node is at $(command -v node) but npm is missing; install npm from the same source as node (Debian's npm package conflicts with non-Debian node).
"
            fi
        fi
    fi
fi

if [ -n "$problems" ]; then
    printf '%s' "$problems" >&2
fi

if [ -z "$missing" ]; then
    if [ -n "$problems" ]; then
        exit 1
    fi
    echo "setup: all packages present"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing packages:$missing" >&2
    echo "setup: run:" >&2
    echo "  sudo apt-get install$missing" >&2
    exit 1
fi

echo "setup: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y -qq --no-install-recommends $missing >/dev/null

# Verify what we just installed.
still=""
for p in $missing; do
    is_installed "$p" || still="$still $p"
done
if [ -n "$still" ]; then
    echo "setup: failed to install:$still" >&2
    exit 1
fi
if [ -n "$problems" ]; then
    exit 1
fi
echo "setup: installed:$missing"
