#!/usr/bin/env bash
# node_quic_membership.sh - the QUIC carrier follows runtime membership:
#   node-1 and node-2 run a mesh over QUIC; node-3 starts knowing them and
#   dials node-1 over QUIC, which node-1 refuses (no key bound for it
#   yet); `fcp node add-peer` on the running node-1 binds node-3's key
#   (quic.peer_bound) and node-3's next dial comes up (quic.up on both
#   ends, control frames on the stream); a put on node-3 reads back from
#   node-1.  `fcp node remove node-3` on node-1 revokes node-3: node-1 drops
#   its key (quic.peer_dropped) and closes the connection (quic.down), and
#   node-3's later dials are refused.
# Prints "node_quic_membership: N passed, N failed".  FCP_BUILD (default build).
NL_NAME=node_quic_membership
. "$(dirname "$0")/node_lib.inc"

wait_for() {  # TIMEOUT_S CMD...: 0 once CMD succeeds
    local t=$1 k; shift
    for k in $(seq 1 $((t * 10))); do "$@" && return 0; sleep 0.1; done
    return 1
}
logged() {  # LOG EVENT PEER: the event was logged naming PEER
    grep "\"event\":\"$2\"" "$1" 2>/dev/null | grep -q "\"peer\":\"$3\""
}
count_ev() { grep -c "\"event\":\"$2\"" "$1" 2>/dev/null || true; }

mesh_init 2
P[3]=$(free_port)
Q1=$(free_port); Q2=$(free_port); Q3=$(free_port)
"$FCP" init --home "$W/n3" --node-id node-3 --listen "127.0.0.1:${P[3]}" --data-dir "$W/n3/data" \
    --owner-home "$W/n1" >/dev/null || bad "init node-3"
for j in 1 2; do
    "$FCP" node add-peer --home "$W/n3" --id node-$j --address "127.0.0.1:${P[$j]}" \
        --attestation "$W/n$j/node.attest" >/dev/null 2>&1 || bad "add-peer 3 $j"
done
cat >> "$W/n1/fcpd.toml" <<EOT

[quic]
listen = "127.0.0.1:$Q1"
keepalive_ms = 1000

[quic.dial]
node-2 = "127.0.0.1:$Q2"
EOT
cat >> "$W/n2/fcpd.toml" <<EOT

[quic]
listen = "127.0.0.1:$Q2"
EOT
cat >> "$W/n3/fcpd.toml" <<EOT

[quic]
listen = "127.0.0.1:$Q3"
keepalive_ms = 1000

[quic.dial]
node-1 = "127.0.0.1:$Q1"
EOT
L1=$W/n1/data/fcpd.log
L3=$W/n3/data/fcpd.log
for i in 1 2 3; do node_start "$i" || bad "start node-$i"; done
if [ "$fail" -gt 0 ]; then nl_finish; fi
NL_N=2
check "node-1 and node-2 up" wait_up 20
check "node-1 <-> node-2 over QUIC" wait_for 10 logged "$L1" quic.up node-2
sleep 1.5
# (TLS 1.3: node-3, the client, finishes its handshake before node-1 checks
# its certificate, so only node-1's side tells whether it was accepted)
check "node-1 refuses node-3's dial before it knows node-3" bash -c "! grep '\"event\":\"quic.up\"' '$L1' | grep -q node-3"
check "node-3 saw the refusal" wait_for 10 logged "$L3" quic.down node-1

# runtime add on node-1 (node-2 learns of node-3 too, so its mesh is whole)
for i in 1 2; do
    "$FCP" node add-peer --home "$W/n$i" --id node-3 --address "127.0.0.1:${P[3]}" \
        --attestation "$W/n3/node.attest" >/dev/null 2>&1 || bad "add-peer $i 3"
done
check "node-1 bound node-3's key at runtime" wait_for 10 logged "$L1" quic.peer_bound node-3
NL_N=3
check "all three mesh sessions up" wait_up 20
# node-3's dial backs off (1 s doubling) after the refusals: allow one round
check "node-1: QUIC up with node-3 after add-peer" wait_for 40 logged "$L1" quic.up node-3
check "node-3: QUIC up with node-1" wait_for 10 logged "$L3" quic.up node-1

head -c 300000 /dev/urandom > "$W/file.bin"
ID=$(fcpn 3 put "$W/file.bin" --zone z:private 2>/dev/null)
check "put on node-3" test -n "$ID"
check "no object at risk" wait_no_risk 30
fcpn 1 get "$ID" -o "$W/back.bin" >/dev/null 2>&1
check "get on node-1 byte-identical" cmp -s "$W/file.bin" "$W/back.bin"

# removal: node-1 revokes node-3; its QUIC connection closes and stays closed
fcpn 1 node remove node-3 -o "$W/rot" --home "$W/n1" --socket "$W/n1/fcpd.sock" >/dev/null 2>&1 \
    || bad "node remove node-3"
check "node-1 dropped node-3's QUIC key" wait_for 10 logged "$L1" quic.peer_dropped node-3
check "node-1 closed the connection to node-3" wait_for 10 logged "$L1" quic.down node-3
ups=$(grep '"event":"quic.up"' "$L1" | grep -c '"peer":"node-3"')
sleep 3
check "no new QUIC connection from node-3 after the removal" \
    test "$(grep '"event":"quic.up"' "$L1" | grep -c '"peer":"node-3"')" = "$ups"
check "node-1 <-> node-2 still over QUIC" bash -c "FCP_HOME='$W/n1' '$FCP' status --json | grep -q '\"peers_up\":1'"
check "no sanitizer reports in the logs" bash -c "! grep -l -E 'Sanitizer|runtime error' '$W'/n*/data/fcpd.log"
nl_finish
