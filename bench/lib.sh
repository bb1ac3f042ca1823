# bench/lib.sh — shared by the benchmark scripts (sourced from the repository
# root): messages, and the safecomm binary to measure.

log() { echo "bench: $*" >&2; }
die() {
    echo "bench: error: $*" >&2
    exit 1
}

# Sets SAFECOMM to an absolute path: $SAFECOMM_BIN, or build/safecomm (built
# first with make).
bench_find_safecomm() {
    if [ -n "${SAFECOMM_BIN:-}" ]; then
        SAFECOMM=$SAFECOMM_BIN
    else
        log "building build/safecomm"
        make --no-print-directory build/safecomm >&2
        SAFECOMM=build/safecomm
    fi
    [ -x "$SAFECOMM" ] || die "$SAFECOMM is not an executable"
    case "$SAFECOMM" in /*) ;; *) SAFECOMM=$PWD/$SAFECOMM ;; esac
}

# One row of `make bench`'s table (bench/all.sh): appended to
# $BENCH_TABLE when it is set (tab-separated: the figure, its value, the
# reference measured in the same run, the ratio, the goal, met or not).
bench_row() { # figure value reference ratio goal met
    [ -n "${BENCH_TABLE:-}" ] || return 0
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$BENCH_TABLE"
}

# "met" or "NOT met": whether x op goal holds (op: >= or <=).
bench_met() { # x op goal
    awk -v x="$1" -v g="$3" -v op="$2" 'BEGIN { ok = (op == ">=") ? (x >= g) : (x <= g); print ok ? "met" : "NOT met" }'
}
