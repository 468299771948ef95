#!/usr/bin/env bash
# Runs every unit/vector test binary in $BUILD/tests, then the golden
# conformance check and the interop tests (tests/interop/*.sh, skipped when
# FCP_SKIP_INTEROP=1).  Each test prints "NAME: N passed, N failed"; this
# script sums them and ends with the total on its own line.  Exit status is
# non-zero if any check failed or any test program crashed.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export FCP_BUILD=$BUILD
total_pass=0; total_fail=0; broken=0

run_one() {  # name, command...
  local name=$1; shift
  local out rc line p f
  out=$("$@" 2>&1); rc=$?
  line=$(printf '%s\n' "$out" | grep -E '^[A-Za-z0-9_./-]+: [0-9]+ passed, [0-9]+ failed' | tail -n 1)
  if [ -z "$line" ]; then
    printf '%s\n' "$out" | tail -n 20
    echo "$name: no result line (exit $rc)"; broken=$((broken + 1)); return
  fi
  p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/')
  f=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/')
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
  if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
    printf '%s\n' "$out" | grep -v -E '^[A-Za-z0-9_./-]+: [0-9]+ passed' | tail -n 40
    [ "$f" -eq 0 ] && broken=$((broken + 1))
  fi
  printf '  %-40s %s\n' "$name" "${line#*: }"
}

echo "unit and vector tests:"
# Run the programs of the sources that exist (a stale binary left in $BUILD
# by a removed test must not run); a missing binary is a failure.
for src in tests/unit/*_test.c; do
  name=$(basename "$src" .c)
  t="$BUILD/tests/$name"
  if [ ! -x "$t" ]; then
    echo "$name: not built"; broken=$((broken + 1)); continue
  fi
  run_one "$name" "$t"
done

if [ "${FCP_SKIP_INTEROP:-0}" != 1 ]; then
  echo "interop and end-to-end tests:"
  for s in tests/interop/*.sh tests/e2e/*.sh; do
    [ -f "$s" ] || continue
    run_one "$(basename "$s")" bash "$s"
  done
fi

if [ "$broken" -ne 0 ]; then
  echo "$broken test program(s) crashed or printed no result"
  total_fail=$((total_fail + broken))
fi
echo "total: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
