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
