#!/usr/bin/env bash
# raptorq_oracle.sh - RFC 6330 bit-exactness and cross-decoding between three
# independent RaptorQ implementations:
#   ours  : `fcp rq encode/decode` (libfcp, src/raptorq/)
#   node  : npm raptorq@1.7.24 (wasm build of the Rust crate), via raptorq_oracle.mjs
#   lcrq  : Debian liblcrq (GPL), via lcrq_helper.c built here as a separate program
#
# For every case (object size F, symbol size T) all three use the same OTI
# shape (one source block, one sub-block; Al differs: node 8, lcrq 4, which
# does not change any symbol when N = 1), so every source AND repair symbol
# must be byte-identical across the three.  node's with_defaults panics for
# T < 64 (it derives N_max = T/64), so cases with smaller T use lcrq only.
# Repair symbols at ESIs up to 2^24-1 are compared with lcrq, and objects
# with several source blocks or sub-blocks (which lcrq cannot decode) with
# node.  Then each decoder is fed a seeded
# random subset (K + 2 packets, shuffled) of every other encoder's packets.
#
# Run from anywhere; FCP_BUILD (default build) names the build directory.
# Prints "raptorq_oracle: N passed, N failed"; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/../.."
B=${FCP_BUILD:-build}
MJS=tests/interop/raptorq_oracle.mjs
FCP=$B/fcp
LCRQ=$B/interop/lcrq_helper
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# check DESCRIPTION COMMAND... : one assertion that COMMAND succeeds.
check() {
  local d=$1; shift
  if "$@" >"$W/log" 2>&1; then ok; else bad "$d"; tail -n 5 "$W/log" | sed 's/^/    /'; fi
}
finish() {
  echo "raptorq_oracle: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
  exit
}

# --- tools ------------------------------------------------------------------
if ! command -v node >/dev/null; then bad "node is not installed"; finish; fi
if [ ! -f /usr/include/lcrq.h ]; then bad "liblcrq-dev is not installed"; finish; fi
mkdir -p "$B/interop"
# GPL oracle: its own executable, never linked into libfcp or fcp.
check "build lcrq_helper" cc -std=c11 -O2 -Wall -Wextra -Werror -o "$LCRQ" \
  tests/interop/lcrq_helper.c -llcrq
[ -x "$LCRQ" ] || finish
have_fcp=0
if [ -x "$FCP" ] && "$FCP" rq --help >/dev/null 2>&1; then have_fcp=1; else
  bad "$FCP has no 'rq' verb (build it first)"; fi

# --- cases: "F T" (K = ceil(F/T) from 1 to ~1200) -----------------------------
cases="1 8
8 8
17 8
100 16
1000 64
1023 64
3000 16
6400 64
12345 96
25600 256
64000 1024
102400 1024
250000 256
1100000 1024
8000 8"

seed=1
while read -r F T; do
  seed=$((seed + 1))
  c="F=$F T=$T"
  node $MJS gen "$seed" "$F" "$W/in" || { bad "$c: gen"; continue; }

  # Each encoder emits all K source symbols plus R repair symbols.
  if ! read -r Z N Al K KP <<<"$("$LCRQ" params "$F" "$T")"; then bad "$c: lcrq params"; continue; fi
  R=$(( K / 10 + 4 ))
  KEEP=$(( K + 2 ))
  if [ "$Z" != 1 ] || [ "$N" != 1 ]; then bad "$c: lcrq chose Z=$Z N=$N"; continue; fi

  check "$c: lcrq encode" "$LCRQ" encode "$T" "$R" "$W/in" "$W/lcrq.pk"
  node $MJS shuffle "$((seed + 100))" "$KEEP" "$T" "$W/lcrq.pk" "$W/lcrq.sub"
  use_node=0
  if [ "$T" -ge 64 ]; then
    use_node=1
    check "$c: node encode" node $MJS encode "$W/in" "$T" "$R" "$W/node.pk"
    read -r nT nZ nK nKP < <(node $MJS encode "$W/in" "$T" 0 "$W/tmp.pk")
    if [ "$nT $nZ $nK $nKP" = "$T 1 $K $KP" ]; then ok; else
      bad "$c: node chose T=$nT Z=$nZ K=$nK K'=$nKP, lcrq T=$T Z=1 K=$K K'=$KP"; continue; fi

    # bit-exactness of every source and repair symbol: node vs lcrq
    check "$c: node == lcrq (all $((K + R)) symbols)" node $MJS compare "$T" "$W/node.pk" "$W/lcrq.pk"

    # cross decoding under seeded random loss
    node $MJS shuffle "$seed" "$KEEP" "$T" "$W/node.pk" "$W/node.sub"
    check "$c: lcrq decodes node subset" "$LCRQ" decode "$F" "$T" "$W/node.sub" "$W/out1"
    check "$c: lcrq output == input" cmp "$W/in" "$W/out1"
    check "$c: node decodes lcrq subset" node $MJS decode "$F" "$T" "$W/lcrq.sub" "$W/out2"
    check "$c: node output == input" cmp "$W/in" "$W/out2"
  fi

  [ "$have_fcp" = 1 ] || continue

  # ours: encode, check the OTI we chose, compare every symbol with both oracles
  check "$c: fcp rq encode" "$FCP" rq encode --symbol-size "$T" --repair "$R" "$W/in" "$W/ours.rq"
  oti=$(node $MJS unwrap "$W/ours.rq" "$W/ours.pk") || { bad "$c: unwrap ours"; continue; }
  want=$(node $MJS oti "$F" "$T" 1 1 0)
  if [ "${oti:0:22}" = "${want:0:22}" ]; then ok; else
    bad "$c: our OTI $oti, want F/T/Z/N of $want"; continue; fi
  check "$c: ours == lcrq (all $((K + R)) symbols)" node $MJS compare "$T" "$W/ours.pk" "$W/lcrq.pk"
  [ "$use_node" = 1 ] && check "$c: ours == node (all symbols)" node $MJS compare "$T" "$W/ours.pk" "$W/node.pk"

  # repair symbols at the top of the 24-bit ESI space (ours vs lcrq, any ESI)
  hi=$(( 16777216 - R ))
  check "$c: fcp rq encode --repair-from $hi" "$FCP" rq encode --symbol-size "$T" --repair "$R" \
    --repair-from "$hi" "$W/in" "$W/hi.rq"
  node $MJS unwrap "$W/hi.rq" "$W/hi.pk" >/dev/null
  # shellcheck disable=SC2046
  check "$c: lcrq symbols at ESIs ..16777215" "$LCRQ" symbols "$T" "$W/in" "$W/lhi.pk" \
    $(seq 0 $((K - 1))) $(seq "$hi" 16777215)
  check "$c: ours == lcrq at high ESIs ($R)" node $MJS compare "$T" "$W/hi.pk" "$W/lhi.pk"
  node $MJS shuffle "$((seed + 300))" "$KEEP" "$T" "$W/lhi.pk" "$W/lhi.sub"
  node $MJS wrap "$(node $MJS oti "$F" "$T" 1 1 4)" "$T" "$W/lhi.sub" "$W/lhi.rq"
  check "$c: fcp decodes lcrq high-ESI subset" "$FCP" rq decode "$W/lhi.rq" "$W/out7"
  check "$c: fcp output of lcrq high ESIs == input" cmp "$W/in" "$W/out7"

  # oracles decode a random subset of ours
  node $MJS shuffle "$((seed + 200))" "$KEEP" "$T" "$W/ours.pk" "$W/ours.sub"
  if [ "$use_node" = 1 ]; then
    check "$c: node decodes ours" node $MJS decode "$F" "$T" "$W/ours.sub" "$W/out3"
    check "$c: node output of ours == input" cmp "$W/in" "$W/out3"
  fi
  check "$c: lcrq decodes ours" "$LCRQ" decode "$F" "$T" "$W/ours.sub" "$W/out4"
  check "$c: lcrq output of ours == input" cmp "$W/in" "$W/out4"

  # ours decodes random subsets of each oracle's packets, under the oracle's own OTI
  node $MJS wrap "$(node $MJS oti "$F" "$T" 1 1 4)" "$T" "$W/lcrq.sub" "$W/lcrq.rq"
  if [ "$use_node" = 1 ]; then
    node $MJS wrap "$(node $MJS oti "$F" "$T" 1 1 8)" "$T" "$W/node.sub" "$W/node.rq"
    check "$c: fcp decodes node subset" "$FCP" rq decode "$W/node.rq" "$W/out5"
    check "$c: fcp output of node == input" cmp "$W/in" "$W/out5"
  fi
  check "$c: fcp decodes lcrq subset" "$FCP" rq decode "$W/lcrq.rq" "$W/out6"
  check "$c: fcp output of lcrq == input" cmp "$W/in" "$W/out6"
done <<<"$cases"

# --- several source blocks (Z > 1) and sub-blocks (N > 1): ours vs node -------
# liblcrq decodes one block only, so these compare with node.  fcp rq is given
# node's with_defaults parameters (Al = 8, sub-symbols of 8*Al, WS = 10 MiB),
# and must then choose the same Z and N and emit identical symbols.
if [ "$have_fcp" = 1 ]; then
  while read -r F T Z N; do
    seed=$((seed + 1))
    c="F=$F T=$T (Z=$Z N=$N)"
    node $MJS gen "$seed" "$F" "$W/in" || { bad "$c: gen"; continue; }
    check "$c: node encode" node $MJS encode "$W/in" "$T" 3 "$W/node.pk"
    check "$c: fcp rq encode" "$FCP" rq encode --symbol-size "$T" --alignment 8 \
      --working-memory 10485760 --repair 3 "$W/in" "$W/ours.rq"
    if "$FCP" rq info "$W/ours.rq" | grep -q "^F=$F T=$T Z=$Z N=$N Al=8 "; then ok; else
      bad "$c: fcp chose $("$FCP" rq info "$W/ours.rq" | head -n 1)"; continue; fi
    node $MJS unwrap "$W/ours.rq" "$W/ours.pk" >/dev/null
    total=$(( $(stat -c %s "$W/ours.pk") / (4 + T) ))
    check "$c: ours == node (all $total symbols)" node $MJS compare "$T" "$W/ours.pk" "$W/node.pk"
    node $MJS shuffle "$seed" $((total - 2)) "$T" "$W/node.pk" "$W/node.sub"
    node $MJS wrap "$(node $MJS oti "$F" "$T" "$Z" "$N" 8)" "$T" "$W/node.sub" "$W/node.rq"
    check "$c: fcp decodes node subset" "$FCP" rq decode "$W/node.rq" "$W/out1"
    check "$c: fcp output of node == input" cmp "$W/in" "$W/out1"
    node $MJS shuffle "$((seed + 1))" $((total - 2)) "$T" "$W/ours.pk" "$W/ours.sub"
    check "$c: node decodes ours" node $MJS decode "$F" "$T" "$W/ours.sub" "$W/out2"
    check "$c: node output of ours == input" cmp "$W/in" "$W/out2"
  done <<<"4000000 64 2 1
12000000 1024 1 2"
fi

finish
