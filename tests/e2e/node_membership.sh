#!/usr/bin/env bash
# node_membership.sh - runtime membership of fcpd (D-MESH-9), 3 daemons:
#   node-1 and node-2 run a mesh and hold a put; node-3 starts knowing them,
#   and they learn of it at runtime with `fcp node add-peer` (admin op
#   peers_reload: no restart); repair gives node-3 its share (coverage over
#   3 members in `fcp status --json`); node-3 moves to another port and the
#   others follow with `fcp node reload-peers`; `fcp node remove node-2` takes node-2
#   out of both running engines; coverage is restored over node-1 and node-3
#   (no object at risk of one more loss), proven by losing node-1 and
#   getting the object byte-identical from node-3, which joined late.
NL_NAME=node_membership
. "$(dirname "$0")/node_lib.inc"

peers() { stj "$1"; jn peers; }
peers_up() { stj "$1"; jn peers_up; }
wait_for() {  # TIMEOUT_S CMD...: 0 once CMD succeeds
    local t=$1 k; shift
    for k in $(seq 1 $((t * 10))); do "$@" && return 0; sleep 0.1; done
    return 1
}
risk0() { local i; for i in "$@"; do stj "$i"; [ "$(zrisk z:private)" = 0 ] || return 1; done; }
has_syms() { [ "$(st "$1" 'd["symbol_bytes"] > 0')" = True ]; }

mesh_init 2
P[3]=$(free_port)
"$FCP" init --home "$W/n3" --node-id node-3 --listen "127.0.0.1:${P[3]}" --data-dir "$W/n3/data" \
    --owner-home "$W/n1" >/dev/null || bad "init node-3"
for j in 1 2; do
    out=$("$FCP" node add-peer --home "$W/n3" --id node-$j --address "127.0.0.1:${P[$j]}" \
        --attestation "$W/n$j/node.attest" 2>&1) || bad "add-peer 3 $j"
done
check "add-peer without a running fcpd says it applies at start" bash -c "[[ '$out' == *'not running'* ]]"
for i in 1 2; do node_start "$i" || bad "start node-$i"; done
NL_N=2
check "node-1 and node-2 up" wait_up 20

MB=2
nl_sanitized && MB=1
head -c $((MB * 1048576)) /dev/urandom > "$W/file.bin"
ID=$(fcpn 1 put "$W/file.bin" --zone z:private 2>/dev/null)
check "put prints an object id" bash -c "[[ '$ID' =~ ^[0-9a-f]{64}$ ]]"
check "spread over 2 members" wait_no_risk 30

node_start 3 || bad "start node-3"
check "node-1 does not know node-3 yet" test "$(peers 1)" = 1
sleep 1
check "node-3 has no session before the others add it" test "$(peers_up 3)" = 0

# runtime add: no restart
for i in 1 2; do
    out=$("$FCP" node add-peer --home "$W/n$i" --id node-3 --address "127.0.0.1:${P[3]}" \
        --attestation "$W/n3/node.attest" 2>&1)
    check "add-peer on running node-$i is applied" bash -c "[[ '$out' == *'fcpd applied it'* ]]"
done
note "node-3 added to node-1 and node-2"
pid1=$(node_pid 1)
NL_N=3
check "all three up without a restart" wait_up 20
check "node-1 is the same process" test "$(node_pid 1)" = "$pid1"
check "node-1 reports 2 peers" test "$(peers 1)" = 2
check "repair gave node-3 a share" wait_for 40 has_syms 3
check "no object at risk over 3 members" wait_for 40 risk0 1 2 3
note "node-3 holds its share: no object at risk over 3 members"
grep -q '"event":"peer.added".*"peer":"node-3"' "$W/n1/fcpd.log" 2>/dev/null || \
    grep -rqs '"event":"peer.added".*"peer":"node-3"' "$W/n1" 2>/dev/null
check "node-1 logged peer.added" test $? = 0

# a second add-peer of the same id is refused (fcpd.toml stays valid)
out=$("$FCP" node add-peer --home "$W/n1" --id node-3 --address "127.0.0.1:${P[3]}" \
    --attestation "$W/n3/node.attest" 2>&1)
check "repeated add-peer refused with FCP-6218" bash -c "[[ '$out' == *FCP-6218* ]]"
check "repeated add-peer: still 2 peers" test "$(peers 1)" = 2

# node-3 moves to another port: node-1 and node-2 learn it from their edited
# fcpd.toml (fcp node reload-peers), without a restart of their own
P3B=$(free_port)
node_kill 3
for i in 1 2 3; do sed -i "s/127.0.0.1:${P[3]}\"/127.0.0.1:$P3B\"/" "$W/n$i/fcpd.toml"; done
check "node-3's port changed in node-1's fcpd.toml" grep -q "127.0.0.1:$P3B" "$W/n1/fcpd.toml"
for i in 1 2; do
    out=$(fcpn "$i" node reload-peers --json 2>&1)
    check "reload-peers on node-$i updates node-3" bash -c "[[ '$out' == *'\"updated\":1'* ]]"
done
node_start 3 || bad "restart node-3 at its new port"
check "sessions to node-3 up again at the new address" wait_up 20
note "sessions up at node-3's new address"
check "node-1 is still the same process" test "$(node_pid 1)" = "$pid1"
check "node-1's peers list node-3 at the new port" bash -c \
    "FCP_HOME='$W/n1' '$FCP' peers --json | grep -q '127.0.0.1:$P3B'"
check "still no object at risk" wait_for 40 risk0 1 2 3

# runtime removal of node-2 on node-1 and node-3
fcpn 1 node remove node-2 -o "$W/rot" --home "$W/n1" --socket "$W/n1/fcpd.sock" \
    --socket "$W/n3/fcpd.sock" >/dev/null 2>&1 || bad "node remove node-2"
check "node-1 has 1 peer after the removal" test "$(peers 1)" = 1
check "node-3 has 1 peer after the removal" test "$(peers 3)" = 1
note "node-2 removed from the running engines"
node_kill 2
check "coverage restored over node-1 and node-3" wait_for 40 risk0 1 3
note "coverage restored over node-1 and node-3"
check "node-1 and node-3 still up" test "$(peers_up 1)/$(peers_up 3)" = 1/1

# proof: lose node-1, the late joiner alone serves the object
node_kill 1
rm -f "$W/back.bin"
fcpn 3 get "$ID" -o "$W/back.bin" >/dev/null 2>&1
check "get from node-3 alone is byte-identical" cmp -s "$W/file.bin" "$W/back.bin"
nl_finish
