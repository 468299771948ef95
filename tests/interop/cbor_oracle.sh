#!/usr/bin/env bash
# cbor_oracle.sh - differential test of libfcp's deterministic CBOR against the
# npm implementations cbor2 and cborg (tests/interop/node_modules; versions
# pinned in package.json).  The work is done by cbor_oracle.mjs through the
# hidden `fcp cbor _check` / `fcp cbor _encode` verbs of the built fcp tool.
#
# Run from anywhere; FCP_BUILD (default build) names the build directory;
# CBOR_ORACLE_COUNT (default 3000) random values, CBOR_ORACLE_SEED the seed.
# Prints "cbor_oracle: N passed, N failed"; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/../.."
B=${FCP_BUILD:-build}
FCP=$B/fcp
if ! command -v node >/dev/null 2>&1; then
  echo "cbor_oracle: SKIPPED — node is not installed, nothing was compared"
  echo "cbor_oracle: 0 passed, 0 failed"
  exit 0
fi
if [ ! -d tests/interop/node_modules/cbor2 ] || [ ! -d tests/interop/node_modules/cborg ]; then
  echo "cbor_oracle: SKIPPED — npm modules cbor2/cborg missing (run npm ci in tests/interop)"
  echo "cbor_oracle: 0 passed, 0 failed"
  exit 0
fi
if [ ! -x "$FCP" ]; then
  echo "cbor_oracle: $FCP not built"
  echo "cbor_oracle: 0 passed, 1 failed"
  exit 1
fi
exec node tests/interop/cbor_oracle.mjs "$FCP" "${CBOR_ORACLE_COUNT:-3000}" "${CBOR_ORACLE_SEED:-20261126}"
