#!/usr/bin/env bash
# Runs every libFuzzer target in build-fuzz/ for a bounded time each, starting
# from its committed seed corpus (fuzz/corpus/<target>/).  New inputs go to a
# scratch copy, so the committed corpus only changes when someone adds seeds.
set -eu
cd "$(dirname "$0")/.."
secs=${1:-20}
status=0
for f in build-fuzz/fuzz_*; do
  [ -x "$f" ] || continue
  name=$(basename "$f")
  work=$(mktemp -d)
  [ -d "fuzz/corpus/$name" ] && cp -r "fuzz/corpus/$name/." "$work/" 2>/dev/null || true
  echo "== $name (${secs}s)"
  if ! "$f" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$work/" "$work" 2>"$work.log"; then
    echo "$name FOUND A CRASH:"; tail -n 30 "$work.log"; status=1
  fi
  grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$work.log" | sed 's/^/   /'
  rm -rf "$work" "$work.log"
done
exit $status
