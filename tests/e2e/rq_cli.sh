#!/usr/bin/env bash
# rq_cli.sh - end-to-end tests of `fcp rq encode/decode/info` and the packet
# file format (docs/raptorq-packets.md): round trips, decoding after random
# packet loss and shuffling, clear errors for too few symbols and for every
# kind of corrupt header, atomic output, usage errors, --help.
#
# Only coreutils are used to cut, shuffle and corrupt files (shuf is seeded,
# so a failure replays).  FCP_BUILD (default build) names the build directory.
# Prints "rq_cli: N passed, N failed"; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/../.."
B=${FCP_BUILD:-build}
FCP=$B/fcp
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# expect DESCRIPTION STATUS PATTERN COMMAND... : COMMAND exits with STATUS and
# its stdout+stderr matches the extended regex PATTERN ("" = anything).
expect() {
  local d=$1 want=$2 pat=$3; shift 3
  "$@" >"$W/log" 2>&1
  local rc=$?
  if [ "$rc" -ne "$want" ]; then
    bad "$d: exit $rc, want $want"; sed 's/^/    /' "$W/log" | tail -n 5; return
  fi
  if [ -n "$pat" ] && ! grep -Eq -- "$pat" "$W/log"; then
    bad "$d: output does not match /$pat/"; sed 's/^/    /' "$W/log" | tail -n 5; return
  fi
  ok
}
# seeded pseudo-random bytes (reproducible input files)
gen() { openssl enc -aes-128-ctr -K 000102030405060708090a0b0c0d0e0f -iv "$(printf '%032x' "$1")" \
          -nosalt -in /dev/zero 2>/dev/null | head -c "$2" >"$3"; }
# seeded source of randomness for shuf
seeded() { openssl enc -aes-128-ctr -K 0f0e0d0c0b0a09080706050403020100 -iv "$(printf '%032x' "$1")" \
             -nosalt -in /dev/zero 2>/dev/null | head -c 65536; }
# subset FILE.rq T SEED KEEP OUT.rq : header + KEEP packets chosen and ordered at random
subset() {
  local f=$1 t=$2 seed=$3 keep=$4 out=$5 d
  d=$(mktemp -d "$W/pk.XXXX")
  tail -c +21 "$f" | split -b $((4 + t)) -a 6 - "$d/p_"
  head -c 20 "$f" >"$out"
  # shellcheck disable=SC2046
  ls "$d" | shuf --random-source=<(seeded "$seed") | head -n "$keep" | sed "s|^|$d/|" | xargs -r cat >>"$out"
  rm -rf "$d"
}
# K of block 0 according to `fcp rq info`
info_k() { "$FCP" rq info "$1" | sed -n 's/^block 0: K=\([0-9]*\).*/\1/p'; }
# patch FILE OFFSET HEXBYTES : overwrite bytes in place
patch() { printf "$(echo "$3" | sed 's/../\\x&/g')" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }

if [ ! -x "$FCP" ]; then bad "$FCP not built"; echo "rq_cli: $pass passed, $fail failed"; exit 1; fi

# --- help and usage --------------------------------------------------------
expect "fcp rq --help" 0 "usage: fcp rq encode" "$FCP" rq --help
expect "fcp rq encode --help" 0 "--symbol-size" "$FCP" rq encode --help
expect "fcp rq decode --help" 0 "fcp rq decode" "$FCP" rq decode --help
expect "fcp rq info --help" 0 "fcp rq info" "$FCP" rq info --help
expect "fcp --help lists rq" 0 "rq " "$FCP" --help
expect "rq without subcommand" 2 "usage" "$FCP" rq
expect "unknown subcommand" 2 "unknown subcommand" "$FCP" rq frobnicate
gen 1 1000 "$W/small"
expect "encode without --symbol-size" 2 "symbol-size is required" "$FCP" rq encode "$W/small" "$W/x.rq"
expect "encode --symbol-size 0" 2 "1..65535" "$FCP" rq encode --symbol-size 0 "$W/small" "$W/x.rq"
expect "encode --symbol-size 70000" 2 "1..65535" "$FCP" rq encode --symbol-size 70000 "$W/small" "$W/x.rq"
expect "encode --repair and --overhead-bps" 2 "not both" \
  "$FCP" rq encode --symbol-size 64 --repair 3 --overhead-bps 100 "$W/small" "$W/x.rq"
expect "encode unknown option" 2 "unknown option --frob" "$FCP" rq encode --frob --symbol-size 64 "$W/small" "$W/x.rq"
expect "encode T not multiple of alignment" 2 "not a multiple" \
  "$FCP" rq encode --symbol-size 66 --alignment 4 "$W/small" "$W/x.rq"
expect "encode missing OUT" 2 "need IN and OUT" "$FCP" rq encode --symbol-size 64 "$W/small"
expect "decode missing OUT" 2 "need IN.packets and OUT" "$FCP" rq decode "$W/x.rq"
: >"$W/empty"
expect "encode empty input" 1 "is empty" "$FCP" rq encode --symbol-size 64 "$W/empty" "$W/x.rq"
expect "encode missing input" 1 "cannot open" "$FCP" rq encode --symbol-size 64 "$W/nope" "$W/x.rq"
[ ! -e "$W/x.rq" ] && ok || bad "failed encodes left $W/x.rq behind"

# --- round trips ------------------------------------------------------------
seed=10
for ft in "1 1" "1 8" "17 4" "1000 64" "4096 1024" "65536 1000" "300000 1024" "100000 32"; do
  set -- $ft
  F=$1 T=$2
  seed=$((seed + 1))
  c="F=$F T=$T"
  gen "$seed" "$F" "$W/in"
  expect "$c: encode" 0 "" "$FCP" rq encode --symbol-size "$T" --repair 8 "$W/in" "$W/a.rq"
  K=$(info_k "$W/a.rq")
  if [ -z "$K" ]; then bad "$c: info gave no K"; continue; fi
  size=$(stat -c %s "$W/a.rq")
  [ "$size" -eq $((20 + (K + 8) * (4 + T))) ] && ok || bad "$c: file size $size, want 20+($K+8)*(4+$T)"
  expect "$c: info" 0 "^F=$F T=$T Z=1 N=1 " "$FCP" rq info "$W/a.rq"
  expect "$c: decode all" 0 "" "$FCP" rq decode "$W/a.rq" "$W/out"
  cmp -s "$W/in" "$W/out" && ok || bad "$c: decoded file differs"
  # any K + 2 packets, shuffled, suffice
  subset "$W/a.rq" "$T" "$seed" $((K + 2)) "$W/sub.rq"
  rm -f "$W/out"
  expect "$c: decode after losing 6 of $((K + 8)) packets, shuffled" 0 "" "$FCP" rq decode "$W/sub.rq" "$W/out"
  cmp -s "$W/in" "$W/out" && ok || bad "$c: decoded subset differs"
  # duplicates are harmless
  { cat "$W/sub.rq"; tail -c +21 "$W/sub.rq"; } >"$W/dup.rq"
  expect "$c: decode with every packet twice" 0 "" "$FCP" rq decode "$W/dup.rq" "$W/out"
done

# outputs get the usual permissions (0666 & ~umask), not mkstemp's 0600
want_mode=$(printf '%o' $(( 0666 & ~$(umask) )))
[ "$(stat -c %a "$W/out")" = "$want_mode" ] && ok || bad "decode output mode $(stat -c %a "$W/out"), want $want_mode"
[ "$(stat -c %a "$W/a.rq")" = "$want_mode" ] && ok || bad "encode output mode $(stat -c %a "$W/a.rq"), want $want_mode"

# stdin input
gen 3 5000 "$W/in"
expect "encode from stdin" 0 "" sh -c "\"$FCP\" rq encode --symbol-size 100 - \"$W/s.rq\" <\"$W/in\""
expect "decode of stdin encoding" 0 "" "$FCP" rq decode "$W/s.rq" "$W/out"
cmp -s "$W/in" "$W/out" && ok || bad "stdin round trip differs"

# --overhead-bps: R = ceil(K * B / 10000) per block; default 500
gen 4 100000 "$W/in"
"$FCP" rq encode --symbol-size 1000 --overhead-bps 1234 "$W/in" "$W/o.rq" && ok || bad "encode --overhead-bps"
n=$("$FCP" rq info "$W/o.rq" | sed -n 's/.*packets=\([0-9]*\).*/\1/p')
[ "$n" = $((100 + 13)) ] && ok || bad "--overhead-bps 1234 with K=100 gave $n packets, want 113"
"$FCP" rq encode --symbol-size 1000 "$W/in" "$W/o.rq" && ok || bad "encode default overhead"
n=$("$FCP" rq info "$W/o.rq" | sed -n 's/.*packets=\([0-9]*\).*/\1/p')
[ "$n" = 105 ] && ok || bad "default overhead with K=100 gave $n packets, want 105"

# --repair-from: a second, disjoint batch of repair symbols for the same file;
# the two batches together (no source symbols at all) decode it
gen 8 6400 "$W/in"
"$FCP" rq encode --symbol-size 64 --repair 60 "$W/in" "$W/r1.rq" && ok || bad "encode batch 1"
"$FCP" rq encode --symbol-size 64 --repair 60 --repair-from 5000 "$W/in" "$W/r2.rq" && ok || bad "encode batch 2"
{ head -c 20 "$W/r1.rq"; tail -c $((60 * 68)) "$W/r1.rq"; tail -c $((60 * 68)) "$W/r2.rq"; } >"$W/r12.rq"
expect "info of repair-only file" 0 "block 0: K=100 distinct=120" "$FCP" rq info "$W/r12.rq"
expect "decode from repair symbols only" 0 "" "$FCP" rq decode "$W/r12.rq" "$W/out"
cmp -s "$W/in" "$W/out" && ok || bad "repair-only decode differs"
expect "--repair-from out of range" 2 "repair-from needs an ESI" \
  "$FCP" rq encode --symbol-size 64 --repair-from 16777216 "$W/in" "$W/x.rq"

# several source blocks and sub-blocks (small working memory forces Z > 1, N > 1)
gen 5 20000 "$W/in"
expect "encode Z>1 N>1" 0 "" "$FCP" rq encode --symbol-size 64 --repair 4 --working-memory 2048 "$W/in" "$W/m.rq"
expect "info Z>1 N>1" 0 "Z=([2-9]|[1-9][0-9]+) N=([2-9]|[1-9][0-9]+)" "$FCP" rq info "$W/m.rq"
nblk=$("$FCP" rq info "$W/m.rq" | grep -c '^block ')
total=$("$FCP" rq info "$W/m.rq" | sed -n 's/.*packets=\([0-9]*\).*/\1/p')
subset "$W/m.rq" 64 77 $((total - 2 * nblk)) "$W/msub.rq"
# losing 2 per block on average may starve one block; so drop exactly the
# first two repair packets of every block instead when the subset fails
if "$FCP" rq decode "$W/msub.rq" "$W/out" >/dev/null 2>&1; then
  cmp -s "$W/in" "$W/out" && ok || bad "multi-block subset decode differs"
else
  expect "multi-block: short block is named" 1 "source block [0-9]+ has [0-9]+ distinct symbols" \
    "$FCP" rq decode "$W/msub.rq" "$W/out"
fi
expect "multi-block decode all" 0 "" "$FCP" rq decode "$W/m.rq" "$W/out"
cmp -s "$W/in" "$W/out" && ok || bad "multi-block decode differs"

# --- too few symbols ------------------------------------------------------------
gen 6 6400 "$W/in"
"$FCP" rq encode --symbol-size 64 --repair 5 "$W/in" "$W/t.rq" || bad "encode for too-few test"
subset "$W/t.rq" 64 9 97 "$W/few.rq"
rm -f "$W/out"
expect "too few: names counts" 1 "has 97 distinct symbols, needs at least 100 \(3 more\)" \
  "$FCP" rq decode "$W/few.rq" "$W/out"
expect "too few: error code" 1 "FCP-1303" "$FCP" rq decode "$W/few.rq" "$W/out"
[ ! -e "$W/out" ] && ok || bad "too few: an output file was written"
echo keep >"$W/keep"
expect "too few: existing OUT untouched" 1 "" "$FCP" rq decode "$W/few.rq" "$W/keep"
[ "$(cat "$W/keep")" = keep ] && ok || bad "failed decode clobbered an existing file"
# duplicates do not count as distinct
{ cat "$W/few.rq"; tail -c +21 "$W/few.rq"; } >"$W/fewdup.rq"
expect "too few: duplicates not counted" 1 "has 97 distinct" "$FCP" rq decode "$W/fewdup.rq" "$W/out"
ls "$W" | grep -q '\.tmp\.' && bad "temporary files left behind" || ok

# --- corrupt headers and bodies ------------------------------------------------
cp "$W/t.rq" "$W/c.rq"; patch "$W/c.rq" 0 58
expect "bad magic" 1 "bad magic 58 43 52 51" "$FCP" rq decode "$W/c.rq" "$W/out"
cp "$W/t.rq" "$W/c.rq"; patch "$W/c.rq" 4 02
expect "bad version" 1 "version 2 \(this fcp reads version 1\)" "$FCP" rq decode "$W/c.rq" "$W/out"
cp "$W/t.rq" "$W/c.rq"; patch "$W/c.rq" 6 01
expect "reserved header byte" 1 "reserved header bytes" "$FCP" rq decode "$W/c.rq" "$W/out"
cp "$W/t.rq" "$W/c.rq"; patch "$W/c.rq" 8 0000000000
expect "OTI F=0" 1 "invalid OTI: transfer length F is 0" "$FCP" rq decode "$W/c.rq" "$W/out"
cp "$W/t.rq" "$W/c.rq"; patch "$W/c.rq" 13 07
expect "OTI reserved byte" 1 "invalid OTI: reserved OTI byte" "$FCP" rq decode "$W/c.rq" "$W/out"
cp "$W/t.rq" "$W/c.rq"; patch "$W/c.rq" 14 0000
expect "OTI T=0" 1 "invalid OTI: symbol size T is 0" "$FCP" rq decode "$W/c.rq" "$W/out"
cp "$W/t.rq" "$W/c.rq"; patch "$W/c.rq" 16 00
expect "OTI Z=0" 1 "invalid OTI: number of source blocks Z is 0" "$FCP" rq decode "$W/c.rq" "$W/out"
cp "$W/t.rq" "$W/c.rq"; patch "$W/c.rq" 17 0000
expect "OTI N=0" 1 "invalid OTI: number of sub-blocks N is 0" "$FCP" rq decode "$W/c.rq" "$W/out"
cp "$W/t.rq" "$W/c.rq"; patch "$W/c.rq" 17 0100
expect "OTI N>T/Al" 1 "invalid OTI: number of sub-blocks N exceeds T/Al" "$FCP" rq decode "$W/c.rq" "$W/out"
cp "$W/t.rq" "$W/c.rq"; patch "$W/c.rq" 19 00
expect "OTI Al=0" 1 "invalid OTI: alignment Al is 0" "$FCP" rq decode "$W/c.rq" "$W/out"
cp "$W/t.rq" "$W/c.rq"; patch "$W/c.rq" 19 07
expect "OTI T%Al" 1 "invalid OTI: symbol size T is not a multiple" "$FCP" rq decode "$W/c.rq" "$W/out"
cp "$W/t.rq" "$W/c.rq"; patch "$W/c.rq" 16 ff
expect "OTI Z>Kt" 1 "invalid OTI: more source blocks" "$FCP" rq decode "$W/c.rq" "$W/out"
cp "$W/t.rq" "$W/c.rq"; patch "$W/c.rq" 8 ffffffffff
expect "OTI F too large" 1 "invalid OTI: " "$FCP" rq decode "$W/c.rq" "$W/out"
# a valid OTI (T=1016 keeps the body a whole number of packets) for 1.1 GiB
cp "$W/t.rq" "$W/c.rq"; patch "$W/c.rq" 8 004600000000 ; patch "$W/c.rq" 14 03f8ff0001
expect "object over the tool limit" 1 "FCP-1305|exceeds" "$FCP" rq decode "$W/c.rq" "$W/out"
head -c 19 "$W/t.rq" >"$W/c.rq"
expect "header truncated" 1 "too short for the 20-byte header" "$FCP" rq decode "$W/c.rq" "$W/out"
head -c $(( $(stat -c %s "$W/t.rq") - 5 )) "$W/t.rq" >"$W/c.rq"
expect "partial last packet" 1 "63 stray bytes after the last whole 68-byte packet" "$FCP" rq decode "$W/c.rq" "$W/out"
cp "$W/t.rq" "$W/c.rq"; patch "$W/c.rq" 20 05
expect "SBN out of range" 1 "packet 0 names source block 5 but the OTI has Z=1" "$FCP" rq decode "$W/c.rq" "$W/out"
expect "info on corrupt file" 1 "bad magic" "$FCP" rq info "$W/small"
[ ! -e "$W/out" ] && ok || bad "a corrupt input produced an output file"

echo "rq_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
