#!/bin/sh
# scripts/check-layers.sh — keeps the layering of docs/architecture.md true:
#
#   1. the include graph of the platform (the files directly in src/) has no
#      cycle: x.c or x.h including "y.h" makes x depend on y, and tsort finds
#      any loop (a private header x_impl.h counts as part of x, as db_impl.h
#      is db's);
#   2. no platform file includes a module's header (src/mod/<name>/*.h), and
#      only src/mod/modules.c names the modules' headers;
#   3. no platform .c names a module in its code (comments aside): the
#      platform loops over module_list instead.
#
# Prints "layers: 1 passed, 0 failed" or the offending files and exits 1.
set -u
cd "$(dirname "$0")/.."

fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. Platform include graph.
for f in src/*.c src/*.h; do
    b=$(basename "$f"); b=${b%.*}; b=${b%_impl}
    sed -n 's/^#include "\([^"]*\)\.h".*/\1/p' "$f" | while read -r d; do
        [ -f "src/$d.h" ] || continue
        d=${d%_impl}
        [ "$d" != "$b" ] && echo "$b $d"
    done
done >"$tmp/edges"
if ! tsort "$tmp/edges" >/dev/null 2>"$tmp/loops"; then
    echo "layers: the platform's includes form a cycle:"
    sed 's/^/  /' "$tmp/loops"
    fail=1
fi

# 2. Module headers stay out of the platform.
modhdrs=$(for h in src/mod/*/*.h; do basename "$h"; done | sort -u)
for f in src/*.c src/*.h; do
    for h in $modhdrs; do
        if grep -q "^#include \"\(.*/\)\?$h\"" "$f"; then
            echo "layers: $f includes the module header $h"
            fail=1
        fi
    done
done

# 3. The platform's code names no module. gcc strips the comments without
# expanding anything; the module names are the folders, singular or plural.
# A word of the platform's own vocabulary is not a module's name there: the
# work summary is written per campaign (report.h: summary_campaign, a part's
# campaigns, --campaign), so for the campaigns module only its identifiers
# (campaign_apply, …) count.
platform_words=" campaign campaigns "
for m in src/mod/*/; do
    m=$(basename "$m")
    stem=${m%s}
    set -- -e "${stem}_[a-z_]*"
    case "$platform_words" in *" $m "*) ;; *) set -- "$@" -e "$m" ;; esac
    case "$platform_words" in *" $stem "*) ;; *) set -- "$@" -e "$stem" ;; esac
    for f in src/*.c; do
        if gcc -fpreprocessed -dD -E -P "$f" 2>/dev/null | grep -qiw "$@"; then
            echo "layers: $f names the module $m outside comments:"
            gcc -fpreprocessed -dD -E -P "$f" 2>/dev/null | grep -niw "$@" | head -3 | sed 's/^/  /'
            fail=1
        fi
    done
done
if gcc -fpreprocessed -dD -E -P src/*.c 2>/dev/null | grep -qi hazard; then
    echo "layers: a platform file says 'hazard' outside comments"
    fail=1
fi

if [ "$fail" -eq 0 ]; then
    echo "layers: 1 passed, 0 failed"
else
    echo "layers: 0 passed, 1 failed"
fi
exit "$fail"
