#!/bin/sh
# Runs each unit-test program and sums their "N passed, N failed" lines.
passed=0
failed=0
for t in "$@"; do
    out=$("$t" 2>&1)
    rc=$?
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
    if [ -z "$line" ] || [ $rc -ne 0 ]; then
        printf '%s\n' "$out" | tail -n 30
        echo "FAIL $t (exit $rc)"
        f=$(( ${f:-0} + 1 ))
    else
        echo "ok   $t: $line"
    fi
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
