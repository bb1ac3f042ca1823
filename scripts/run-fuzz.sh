#!/usr/bin/env bash
# scripts/run-fuzz.sh SECONDS build/fuzz/fuzz_NAME... — runs each libFuzzer
# target for SECONDS from its committed seeds (tests/fuzz/corpus/NAME), one
# at a time, and ends with "fuzz: N passed, N failed".
#
# New inputs go to a scratch corpus under build/fuzz/work/NAME, never into
# the committed seeds. A target fails when it crashes, leaks, times out or
# trips a sanitizer; its log is kept in build/fuzz/work/NAME.log and the
# input that did it in build/fuzz/work/NAME/crash-* (replay it with
# `build/fuzz/fuzz_NAME FILE`). The last "stat" lines (executions, coverage)
# are printed for each target.
set -u

secs=${1:?usage: run-fuzz.sh SECONDS TARGET...}
shift
passed=0
failed=0
for bin in "$@"; do
    name=$(basename "$bin")
    name=${name#fuzz_}
    seeds=tests/fuzz/corpus/$name
    work=build/fuzz/work/$name
    mkdir -p "$work"
    log=$work.log
    # -timeout: one input may take at most 10 s; -rss_limit_mb: a leak or a
    # bomb is a failure, not an out-of-memory kill of the machine.
    if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/" "$work" "$seeds" >"$log" 2>&1; then
        passed=$((passed + 1))
        echo "fuzz $name: ok ($(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}') runs," \
            "$(grep -Eo 'cov: [0-9]+' "$log" | tail -n 1), $secs s)"
    else
        failed=$((failed + 1))
        echo "fuzz $name: FAILED (log: $log)"
        grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' "$log" | head -n 8
    fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
