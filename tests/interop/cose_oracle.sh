#!/usr/bin/env bash
# cose_oracle.sh - libfcp capability tokens (COSE_Sign1 + CWT claims) vs npm
# cborg + @noble/curves + @noble/hashes.  Builds tests/interop/cose_helper.c
# against $FCP_BUILD/libfcp.a, then runs cose_oracle.mjs, which checks both
# directions and tampered tokens.  Run from the repository root; FCP_BUILD
# defaults to build.  Last line: "cose_oracle: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
B=${FCP_BUILD:-build}
name=cose_oracle

if ! command -v node >/dev/null 2>&1 || [ ! -d tests/interop/node_modules/@noble/curves ] ||
   [ ! -d tests/interop/node_modules/cborg ]; then
  echo "*** $name SKIPPED: node or tests/interop/node_modules (@noble, cborg) missing ***"
  echo "$name: 0 passed, 0 failed"
  exit 0
fi
if [ ! -f "$B/libfcp.a" ]; then
  echo "$name: $B/libfcp.a missing (run make first)"
  echo "$name: 0 passed, 1 failed"
  exit 1
fi

san=
if nm "$B/libfcp.a" 2>/dev/null | grep -q '__asan_'; then
  san="-fsanitize=address,undefined -fno-omit-frame-pointer"
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
fi
mkdir -p "$B/interop"
helper="$B/interop/cose_helper"
if ! ${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 -g $san -Iinclude -o "$helper" tests/interop/cose_helper.c \
     "$B/libfcp.a" -lsodium -lm -lpthread; then
  echo "$name: cannot build the C helper"
  echo "$name: 0 passed, 1 failed"
  exit 1
fi

node tests/interop/cose_oracle.mjs "$(pwd)/$helper"
