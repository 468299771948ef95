#!/usr/bin/env bash
# hpke_oracle.sh - libfcp HPKE vs npm @hpke/core (+ @hpke/chacha20poly1305).
# Builds tests/interop/hpke_helper.c against $FCP_BUILD/libfcp.a, then runs
# hpke_oracle.mjs, which drives the helper and the npm implementation in both
# directions.  Run from the repository root (scripts/run-tests.sh does);
# FCP_BUILD defaults to build.  Last line: "hpke_oracle: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
B=${FCP_BUILD:-build}
name=hpke_oracle

if ! command -v node >/dev/null 2>&1 || [ ! -d tests/interop/node_modules/@hpke/core ]; then
  echo "*** $name SKIPPED: node or tests/interop/node_modules/@hpke missing ***"
  echo "$name: 0 passed, 0 failed"
  exit 0
fi
if [ ! -f "$B/libfcp.a" ]; then
  echo "$name: $B/libfcp.a missing (run make first)"
  echo "$name: 0 passed, 1 failed"
  exit 1
fi

# Link the helper the way libfcp was built: sanitizers if the archive has them.
san=
if nm "$B/libfcp.a" 2>/dev/null | grep -q '__asan_'; then
  san="-fsanitize=address,undefined -fno-omit-frame-pointer"
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
fi
mkdir -p "$B/interop"
helper="$B/interop/hpke_helper"
if ! ${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 -g $san -Iinclude -o "$helper" tests/interop/hpke_helper.c \
     "$B/libfcp.a" -lsodium -lm -lpthread; then
  echo "$name: cannot build the C helper"
  echo "$name: 0 passed, 1 failed"
  exit 1
fi

node tests/interop/hpke_oracle.mjs "$(pwd)/$helper"
