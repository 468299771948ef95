#!/usr/bin/env bash
# appendix_f.sh - runs Appendix F (conformance/decisions/appendix-f.json)
# through an independent Python evaluator written from
# docs/protocol/appendix-f.md (conformance/decisions/check_appendix_f.py:
# own CBOR reader, python3-cryptography Ed25519, Debian b3sum), so the vector
# format is shown to be enough for another implementation.  Prints
# "appendix_f: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
if ! command -v b3sum >/dev/null || ! python3 -c 'import cryptography' 2>/dev/null; then
  echo "appendix_f: skipped (needs b3sum and python3-cryptography)"
  echo "appendix_f: 0 passed, 0 failed"
  exit 0
fi
out=$(python3 conformance/decisions/check_appendix_f.py conformance/decisions/appendix-f.json)
rc=$?
printf '%s\n' "$out" | grep -v '^appendix_f_python:'
line=$(printf '%s\n' "$out" | grep '^appendix_f_python:' | tail -n 1)
echo "appendix_f: ${line#appendix_f_python: }"
exit $rc
