#!/usr/bin/env bash
# node_quic.sh - the QUIC carrier in fcpd ([quic], docs/quic.md): two nodes of
# one owner, node-1 dials node-2 over QUIC; both log quic.up naming the other
# (authenticated by its node key), the mesh sessions come up, a put on node-1
# reads back byte-identical from node-2, and at shutdown both report mesh
# datagrams carried over QUIC in both directions.  The mesh's control
# messages ride the FCPC stream (D-MESH-11: frames counted both ways, none
# refused), and node-1, held to 1200-byte QUIC packets (no path-MTU
# probing), puts with the 984-byte symbols its 1160-byte datagrams carry
# (D-MESH-12: a 100000-byte object gets K = 102, not the 98 of 1024).
# Prints "node_quic: N passed, N failed".  FCP_BUILD (default build).
NL_NAME=node_quic
. "$(dirname "$0")/node_lib.inc"

mesh_init 2
Q1=$(free_port); Q2=$(free_port)
cat >> "$W/n1/fcpd.toml" <<EOT

[quic]
listen = "127.0.0.1:$Q1"
keepalive_ms = 2000
max_udp_payload = 1200

[quic.dial]
node-2 = "127.0.0.1:$Q2"
EOT
M1=$(free_port)
python3 - "$W/n1/fcpd.toml" "$M1" <<'PY'
import re, sys
p, port = sys.argv[1], sys.argv[2]
s = open(p).read()
s = re.sub(r"(?m)^\[metrics\][^\[]*", "", s)  # replace whatever fcp init wrote
s += "\n[metrics]\naddress = \"127.0.0.1:%s\"\n" % port
open(p, "w").write(s)
PY
cat >> "$W/n2/fcpd.toml" <<EOT

[quic]
listen = "127.0.0.1:$Q2"
EOT
for i in 1 2; do node_start "$i" || bad "start node-$i"; done
if [ "$fail" -gt 0 ]; then nl_finish; fi
check "mesh sessions up" wait_up 20

L1=$W/n1/data/fcpd.log
L2=$W/n2/data/fcpd.log
up_logged() {  # LOG PEER
    for _ in $(seq 1 100); do
        grep '"event":"quic.up"' "$1" 2>/dev/null | grep -q "\"peer\":\"$2\"" && return 0
        sleep 0.1
    done
    return 1
}
check "node-1: quic.up with node-2 (dialled, pinned key)" up_logged "$L1" node-2
check "node-2: quic.up with node-1 (accepted, attested key)" up_logged "$L2" node-1
check "no QUIC refusals" bash -c "! grep -q '\"event\":\"quic.down\"' '$L1' '$L2'"

if nl_sanitized; then SZ=200000; else SZ=3000000; fi
head -c "$SZ" /dev/urandom > "$W/file.bin"
ID=$(fcpn 1 put "$W/file.bin" --zone z:private 2>/dev/null)
check "put" test -n "$ID"
check "no object at risk after the put" wait_no_risk 30
fcpn 2 get "$ID" -o "$W/back.bin" >"$W/get.out" 2>&1 || cat "$W/get.out"
check "get from node-2 byte-identical" cmp -s "$W/file.bin" "$W/back.bin"

metric() {  # NAME: its value on node-1's metrics endpoint
    python3 - "$M1" "$1" <<'PY'
import sys, urllib.request
body = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode()
for line in body.splitlines():
    if line.startswith(sys.argv[2] + " "):
        print(line.split()[1])
PY
}
check "metrics: one QUIC connection up" test "$(metric fcp_quic_connections_up)" = 1
check "metrics: mesh datagrams sent over QUIC" test "$(metric fcp_quic_mesh_datagrams_out_total)" -gt 0
check "metrics: control frames sent on the FCPC stream" test "$(metric fcp_quic_fcpc_frames_out_total)" -gt 0
check "metrics: control frames received on the FCPC stream" test "$(metric fcp_quic_fcpc_frames_in_total)" -gt 0
check "metrics: no stream frame refused by the mesh" test "$(metric fcp_mesh_stream_frames_dropped_total)" = 0

# D-MESH-12: the symbol size of a put follows the QUIC path's datagram limit
head -c 100000 /dev/urandom > "$W/small.bin"
SID=$(fcpn 1 put "$W/small.bin" --zone z:private 2>/dev/null)
check "small put" test -n "$SID"
ksmall() {
    fcpn 1 ls --json 2>/dev/null | python3 -c "
import json, sys
d = json.load(sys.stdin)
for o in d.get('objects', []):
    if o.get('id') == sys.argv[1]:
        print(o.get('k'))" "$SID"
}
K=$(ksmall)
check "put over a 1160-byte QUIC path uses 984-byte symbols (K=102, got $K)" test "$K" = 102
fcpn 2 get "$SID" -o "$W/small.back" >/dev/null 2>&1
check "small object byte-identical from node-2" cmp -s "$W/small.bin" "$W/small.back"
for i in 1 2; do fcpn "$i" node stop >/dev/null 2>&1; done
for i in 1 2; do
    for _ in $(seq 1 100); do grep -q '"event":"quic.stopped"' "$W/n$i/data/fcpd.log" 2>/dev/null && break; sleep 0.05; done
done
carried() {  # LOG: mesh datagrams went both ways over QUIC
    python3 - "$1" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("event") == "quic.stopped":
        sys.exit(0 if e.get("mesh_datagrams_in", 0) > 0 and e.get("mesh_datagrams_out", 0) > 0 else 1)
sys.exit(1)
PY
}
check "node-1 carried mesh datagrams over QUIC" carried "$L1"
check "node-2 carried mesh datagrams over QUIC" carried "$L2"
check "no sanitizer reports in the logs" bash -c "! grep -l -E 'Sanitizer|runtime error' '$W'/n*/data/fcpd.log"
if [ "$fail" -gt 0 ] || [ -n "${QUIC_E2E_VERBOSE:-}" ]; then grep -h '"event":"quic' "$L1" "$L2" | head -20; fi
nl_finish
