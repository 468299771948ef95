#!/usr/bin/env bash
# connector_sdk_link.sh - the connector SDK as its own archive (issue 6 part
# 7, libfcp-connector): the archive holds exactly src/connector/; the
# pkg-config files `make install` writes (libfcp-connector.pc.in,
# libfcp.pc.in) give the flags that build a connector out of the tree; the
# connector so built embeds the same manifest as the in-tree one and its
# objects come from the archive.
# Prints "connector_sdk_link: N passed, N failed".  FCP_BUILD (default build).
set -u
B=${FCP_BUILD:-build}
W=$(mktemp -d /tmp/fcp-sdk-link.XXXXXX)
trap 'rm -rf "$W"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $1" >&2; }
check() { local d=$1; shift; if "$@"; then ok; else bad "$d"; fi; }

A="$B/libfcp-connector.a"
check "libfcp-connector.a built" test -s "$A"
want=$(ls src/connector/*.c | xargs -n1 basename | sed 's/\.c$/.o/' | sort | tr '\n' ' ')
have=$(ar t "$A" | sort | tr '\n' ' ')
check "archive holds exactly src/connector ($have)" test "$want" = "$have"
check "archive defines fcp_connector_main" bash -c "nm '$A' | grep -q ' T fcp_connector_main$'"

# an install tree as `make install` lays it out (archives, headers, .pc files)
P="$W/prefix"
mkdir -p "$P/lib/pkgconfig" "$P/include"
cp "$B/libfcp.a" "$A" "$P/lib/"
cp -r include/fcp "$P/include/"
for pc in libfcp libfcp-connector; do
    sed -e "s|@PREFIX@|$P|g" -e 's|@VERSION@|0.1.0|g' "$pc.pc.in" >"$P/lib/pkgconfig/$pc.pc"
done
FLAGS=$(PKG_CONFIG_PATH="$P/lib/pkgconfig" pkg-config --static --cflags --libs libfcp-connector 2>"$W/pc.err")
check "pkg-config resolves libfcp-connector (requires libfcp)" bash -c "[ -n '$FLAGS' ] && echo '$FLAGS' | grep -q -- '-lfcp-connector' && echo '$FLAGS' | grep -q -- '-lfcp '"

SAN=""
case "$B" in *asan*) SAN="-fsanitize=address,undefined -fno-omit-frame-pointer" ;; esac
# the notes connector's source, built out of the tree with only those flags
# shellcheck disable=SC2086
${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 $SAN -Wall -Wextra -Werror -o "$W/notes" cmd/connector-notes/main.c \
    $FLAGS 2>"$W/cc.err"
check "a connector builds with pkg-config's flags alone" test -x "$W/notes" || sed -n 1,20p "$W/cc.err" >&2

sect() { objcopy -O binary --only-section=.fcp_manifest "$1" "$2" 2>/dev/null; }
sect "$W/notes" "$W/m1"; sect "$B/connector-notes" "$W/m2"
check "embedded manifest present" test -s "$W/m1"
check "embedded manifest equals the in-tree connector's" cmp -s "$W/m1" "$W/m2"

echo "connector_sdk_link: $pass passed, $fail failed"
[ "$fail" = 0 ]
