#!/usr/bin/env bash
# revocation_spread.sh - revocations travel over the mesh (D-CLI-5,
# docs/authority.md "Revocations over the mesh"): three daemons on loopback
# (node-1 the owner's device, node-2 and node-3 enrolled), every revocation
# is sent to node-1's admin socket only:
#   - a token revoked on node-1 is reported revoked by node-3's fcpd within
#     seconds (fetched from z:owner, verified, applied, persisted)
#   - `fcp node remove node-2` sent to node-1 only: node-3 also removes
#     node-2 (removed_peers 1, its datagrams dropped, the session goes down)
#   - node-3 keeps both after a restart (revocations/mesh reloaded)
#   - a z:owner object shaped like a revocation but not owner-signed is
#     rejected (counted in /metrics, logged FCP-6364) and changes nothing
#   - node-3's own chain is untouched (seq 0): mesh revocations are applied
#     to the set, not to the chain
# Prints "revocation_spread: N passed, N failed".  FCP_BUILD (default build).
set -u
cd "$(dirname "$0")/../.."
B=${FCP_BUILD:-build}
FCP=$B/fcp
FCPD=$B/fcpd
W=$(mktemp -d /tmp/fcp-rspread.XXXXXX)
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { local d=$1; shift; if "$@"; then ok; else bad "$d"; fi; }
cleanup() {
    for f in "$W"/n*/fcpd.pid; do
        [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
    done
    [ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT INT TERM
finish() {
    echo "revocation_spread: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit $?
}
if ! command -v python3 >/dev/null || [ ! -x "$FCP" ] || [ ! -x "$FCPD" ]; then
    echo "revocation_spread: needs python3, $FCP and $FCPD"
    echo "revocation_spread: 0 passed, 1 failed"
    exit 1
fi
free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_'"${1:-DGRAM}"'); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1" 2>/dev/null; }
fcpn() { local n=$1; shift; FCP_HOME=$W/n$n "$FCP" "$@"; }
rev() { fcpn "$1" revoke --status --json 2>/dev/null | jget "$2"; }
up_with() { fcpn "$1" peers --json 2>/dev/null | jget '[p["up"] for p in d["peers"] if p["id"]=="'"$2"'"][0]'; }
start() { "$FCPD" --config "$W/n$1/fcpd.toml" --daemon || bad "start node-$1"; }
stop() { fcpn "$1" node stop >/dev/null 2>&1; for k in $(seq 1 50); do [ -f "$W/n$1/fcpd.pid" ] || break; sleep 0.1; done; }
wait_for() {   # seconds command...: poll every 0.1 s
    local t=$1; shift
    for k in $(seq 1 $((t * 10))); do "$@" && return 0; sleep 0.1; done
    return 1
}
metric() { python3 -c "
import urllib.request,sys
t=urllib.request.urlopen('http://127.0.0.1:$MP3/metrics',timeout=5).read().decode()
for l in t.splitlines():
    if l.startswith(sys.argv[1]+' '): print(l.split()[-1])" "$1"; }

P=()
for i in 1 2 3; do P[$i]=$(free_port); done
MP3=$(free_port STREAM)
"$FCP" init --home "$W/n1" --node-id node-1 --listen 127.0.0.1:${P[1]} --data-dir "$W/n1/data" >/dev/null
"$FCP" init --join --home "$W/n2" --node-id node-2 --listen 127.0.0.1:${P[2]} --data-dir "$W/n2/data" >/dev/null
"$FCP" init --join --home "$W/n3" --node-id node-3 --listen 127.0.0.1:${P[3]} --data-dir "$W/n3/data" \
    --metrics 127.0.0.1:$MP3 >/dev/null
for i in 2 3; do
    fcpn 1 node enroll --attestation "$W/n$i/node.request" -o "$W/bundle$i" >/dev/null || bad "enroll node-$i"
    fcpn $i node join "$W/bundle$i" >/dev/null || bad "join node-$i"
done
for i in 1 2 3; do for j in 1 2 3; do
    [ $i = $j ] && continue
    fcpn $i node add-peer --id node-$j --address 127.0.0.1:${P[$j]} --attestation "$W/n$j/node.attest" >/dev/null \
        || bad "add-peer $i $j"
done; done
for i in 1 2 3; do start $i; done
check "sessions up (n1-n3, n2-n3, n1-n2)" wait_for 15 bash -c \
    "[ \"\$(FCP_HOME='$W/n3' '$FCP' peers --json | python3 -c 'import json,sys; print(sum(p[\"up\"] for p in json.load(sys.stdin)[\"peers\"]))')\" = 2 ] && [ \"\$(FCP_HOME='$W/n1' '$FCP' peers --json | python3 -c 'import json,sys; print(sum(p[\"up\"] for p in json.load(sys.stdin)[\"peers\"]))')\" = 2 ]"

# ------------------------------------------------------------ a token revoked on node-1 only
fcpn 1 token mint --zone z:work --audience fcp.echo --capability echo.ping --ttl 1h --offline -o "$W/t.cose" >/dev/null 2>&1
valid3() { fcpn 3 token inspect "$W/t.cose" --daemon --json 2>/dev/null | jget "$1"; }
check "node-3 knows node-1's token as valid" test "$(valid3 'd["valid"]')" = True
fcpn 1 revoke "$W/t.cose" --reason spread >/dev/null || bad "revoke on node-1"
T0=$(date +%s%N)
check "node-3's fcpd reports the token revoked (FCP-3130) within 10 s" \
    wait_for 10 bash -c "[ \"\$(FCP_HOME='$W/n3' '$FCP' token inspect '$W/t.cose' --daemon --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get(\"code\",\"\"))')\" = FCP-3130 ]"
T1=$(date +%s%N)
echo "revocation reached node-3 in $(( (T1 - T0) / 1000000 )) ms (poll every 250 ms)"
check "node-2's fcpd too" wait_for 10 bash -c "[ \"\$(FCP_HOME='$W/n2' '$FCP' token inspect '$W/t.cose' --daemon --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get(\"code\",\"\"))')\" = FCP-3130 ]"
check "node-3's chain is its own (seq 0), the id is in its set" test "$(rev 3 'str(d["seq"])+"/"+str(d["ids"])')" = "0/1"
check "node-3 persisted it in revocations/mesh" bash -c "ls '$W/n3/data/revocations/mesh/'*.rev >/dev/null 2>&1"
check "metrics: node-3 applied one from the mesh" test "$(metric 'fcp_revocation_mesh_total{outcome="applied"}')" = 1

# ------------------------------------------------------------ node-3 down while node-1 revokes
stop 3
fcpn 1 token mint --zone z:work --audience fcp.echo --capability echo.ping --ttl 1h --offline -o "$W/t2.cose" >/dev/null 2>&1
fcpn 1 revoke "$W/t2.cose" --reason offline >/dev/null || bad "revoke t2 on node-1"
start 3
T0=$(date +%s%N)
check "node-3, down during the revocation, learns it after it comes back" \
    wait_for 20 bash -c "[ \"\$(FCP_HOME='$W/n3' '$FCP' token inspect '$W/t2.cose' --daemon --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get(\"code\",\"\"))')\" = FCP-3130 ]"
T1=$(date +%s%N)
echo "node-3 caught up $(( (T1 - T0) / 1000000 )) ms after its restart"

# ------------------------------------------------------------ a forged revocation-shaped object
python3 - "$W/forged.cbor" <<'EOF'
import sys
# CBOR array of two byte strings: [h'00'*40, h'01'*40]
b = bytes([0x82, 0x58, 40]) + b'\0'*40 + bytes([0x58, 40]) + b'\1'*40
open(sys.argv[1], 'wb').write(b)
EOF
fcpn 1 put "$W/forged.cbor" --zone z:owner >/dev/null 2>&1 || bad "put forged object"
check "node-3 rejects the unsigned revocation-shaped object (counted)" \
    wait_for 10 bash -c "[ \"\$(python3 -c \"
import urllib.request
t=urllib.request.urlopen('http://127.0.0.1:$MP3/metrics',timeout=5).read().decode()
print([l.split()[-1] for l in t.splitlines() if l.startswith('fcp_revocation_mesh_total{outcome=\\\"rejected\\\"}')][0])\")\" = 1 ]"
check "node-3 logged FCP-6364" grep -q 6364 "$W/n3/data/fcpd.log"
check "... and its set is unchanged" test "$(rev 3 'd["ids"]')" = 2

# ------------------------------------------------------------ node-2 removed through node-1 only
fcpn 1 node remove node-2 -o "$W/rot" --socket "$W/n1/fcpd.sock" >/dev/null 2>&1 || bad "node remove on node-1"
check "node-1 removed node-2" test "$(rev 1 'd["removed_peers"]')" = 1
check "node-3 removes node-2 too (learned from the mesh)" wait_for 10 bash -c "[ \"\$(FCP_HOME='$W/n3' '$FCP' revoke --status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"removed_peers\"])')\" = 1 ]"
check "node-3 took node-2 out of its running engine" test "$(rev 3 'd["removed_live"]')" = 1
check "node-3 drops node-2's datagrams" wait_for 10 bash -c "[ \"\$(FCP_HOME='$W/n3' '$FCP' revoke --status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"refused_datagrams\"])')\" -gt 0 ]"
check "node-3 has no session with node-2" test "$(up_with 3 node-2)" != True
check "node-3's chain still seq 0" test "$(rev 3 'd["seq"]')" = 0

# ------------------------------------------------------------ restart: reloaded from revocations/mesh
stop 3
start 3
check "after a restart node-3 still reports the token revoked" \
    wait_for 5 bash -c "[ \"\$(FCP_HOME='$W/n3' '$FCP' token inspect '$W/t.cose' --daemon --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get(\"code\",\"\"))')\" = FCP-3130 ]"
check "... and leaves node-2 out" test "$(rev 3 'd["removed_peers"]')" = 1
check "metrics after restart: revocations reloaded, seq 0" \
    test "$(metric fcp_revocations_total)/$(metric fcp_revocation_seq)" = "4/0"
finish
