#!/usr/bin/env bash
# ed25519_oracle.sh - libfcp Ed25519 vs npm @noble/curves.
# Builds tests/interop/ed25519_helper.c against $FCP_BUILD/libfcp.a, then runs
# ed25519_oracle.mjs, which drives the helper and noble in both
# directions.  Run from the repository root (scripts/run-tests.sh does);
# FCP_BUILD defaults to build.  Last line: "ed25519_oracle: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
B=${FCP_BUILD:-build}
name=ed25519_oracle

if ! command -v node >/dev/null 2>&1 || [ ! -d tests/interop/node_modules/@noble/curves ]; then
  echo "*** $name SKIPPED: node or tests/interop/node_modules/@noble missing ***"
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
helper="$B/interop/ed25519_helper"
if ! ${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 -g $san -Iinclude -o "$helper" tests/interop/ed25519_helper.c \
     "$B/libfcp.a" -lsodium -lm -lpthread; then
  echo "$name: cannot build the C helper"
  echo "$name: 0 passed, 1 failed"
  exit 1
fi

node tests/interop/ed25519_oracle.mjs "$(pwd)/$helper"
