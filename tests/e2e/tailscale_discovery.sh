#!/usr/bin/env bash
# tailscale_discovery.sh - fcpd finds its peers through a FAKE tailscaled
# LocalAPI (a python http.server on a unix socket, started here, answering
# /localapi/v0/status and /whois like tailscaled) and never takes authority
# from it (D-TS-1..3):
#   node-1, node-2 and node-3 (one owner) have NO [[peers]]; each holds the
#   others' attestations and [tailscale] points at the fake.  The fake lists
#   them at 127.0.0.1-3 tagged tag:fcp-private, plus
#   - "node-4" at 127.0.0.4: node-1 holds an attestation for node-4, but the
#     fcpd answering there is another node-4 (same owner, other keys): it is
#     added as a candidate, and its session never comes up (the handshake
#     checks the held attestation's key);
#   - node-5 (no attestation anywhere): never a candidate;
#   - node-6 tagged only tag:fcp-work (a zone nobody serves): not a candidate.
#   Sessions node-1 <-> node-2/3 come up from discovery alone; a put on
#   node-1 reads back byte-identical from node-2.  Then the fake changes
#   (node-3 "moves") and the periodic poll logs it; tailscaled absent: fcpd
#   starts on its static peers and says so.
# Prints "tailscale_discovery: N passed, N failed".  FCP_BUILD (default build).
NL_NAME=tailscale_discovery
. "$(dirname "$0")/node_lib.inc"

SOCK=$W/tailscaled.sock
FAKE_PID=
nl_cleanup_hook() { [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null; }

# every node on its own loopback address, one port (Tailscale IP + FCP port)
PORT=$(free_port)
for i in 1 2 3 4; do P[$i]=$PORT; NL_ADDR[$i]=127.0.0.$i; done

"$FCP" init --home "$W/n1" --node-id node-1 --listen 127.0.0.1:$PORT --data-dir "$W/n1/data" >/dev/null || bad "init node-1"
for i in 2 3 4; do
    "$FCP" init --home "$W/n$i" --node-id node-$i --listen 127.0.0.$i:$PORT --data-dir "$W/n$i/data" \
        --owner-home "$W/n1" >/dev/null || bad "init node-$i"
done
# the node-4 node-1 knows: same owner, never started
"$FCP" init --home "$W/n4real" --node-id node-4 --listen 127.0.0.4:$PORT --data-dir "$W/n4real/data" \
    --owner-home "$W/n1" >/dev/null || bad "init the attested node-4"
give() {  # HOME_I ID FROM_HOME: copy FROM's attestation into node I's FCP_HOME/nodes/<ID>.attest
    mkdir -p "$W/n$1/nodes"
    cp "$3/node.attest" "$W/n$1/nodes/$2.attest"
}
give 1 node-2 "$W/n2"; give 1 node-3 "$W/n3"; give 1 node-4 "$W/n4real"
give 2 node-1 "$W/n1"; give 2 node-3 "$W/n3"
give 3 node-1 "$W/n1"; give 3 node-2 "$W/n2"
give 4 node-1 "$W/n1"
check "node-4 impostor has other keys than the attested node-4" bash -c "! cmp -s '$W/n4/node.attest' '$W/n4real/node.attest'"
for i in 1 2 3 4; do
    check "node-$i config has no static peers" bash -c "! grep -q '^\[\[peers\]\]' '$W/n$i/fcpd.toml'"
    printf '\n[tailscale]\nenabled = true\nsocket = "%s"\npoll_secs = 5\n' "$SOCK" >> "$W/n$i/fcpd.toml"
done

cat > "$W/fake_tailscaled.py" <<'EOF'
# A fake tailscaled LocalAPI: status from the JSON file argv[2] (re-read on
# every request, so the test can change it), whois for any listed IP.
import http.server, json, socketserver, sys, os
SOCK, STATUS = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def address_string(self): return "local"
    def log_message(self, *a): pass
    def reply(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        if self.headers.get("Host") != "local-tailscaled.sock":
            return self.reply(403, b'{"error":"bad Host"}')
        st = json.load(open(STATUS))
        if self.path == "/localapi/v0/status":
            return self.reply(200, json.dumps(st).encode())
        if self.path.startswith("/localapi/v0/whois?addr="):
            ip = self.path.split("=", 1)[1].rsplit(":", 1)[0].strip("[]")
            for k, p in st["Peer"].items():
                if ip in p["TailscaleIPs"]:
                    return self.reply(200, json.dumps({"Node": {"Name": p["DNSName"], "Key": k, "Tags": p.get("Tags"),
                        "Addresses": [a + "/32" for a in p["TailscaleIPs"]]},
                        "UserProfile": {"LoginName": "tagged-devices"}}).encode())
            return self.reply(404, b"no match for IP:port\n")
        self.reply(404, b"{}")
class S(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
if os.path.exists(SOCK): os.unlink(SOCK)
S(SOCK, H).serve_forever()
EOF

write_status() {  # NODE3_IP
    python3 - "$W/status.json" "$1" <<'EOF'
import json, sys
def peer(host, ip, tags, online=True):
    return {"ID": "n" + host, "HostName": host, "DNSName": host + ".tail1234.ts.net.", "OS": "linux",
            "TailscaleIPs": [ip, "fd7a:115c:a1e0::" + ip.split(".")[-1]], "Tags": tags, "Online": online,
            "Relay": "fra", "RxBytes": 0, "TxBytes": 0}
peers = {"nodekey:%02x" % i + "ab" * 31: p for i, p in enumerate([
    peer("node-1", "127.0.0.1", ["tag:fcp-private", "tag:fcp-owner"]),
    peer("node-2", "127.0.0.2", ["tag:fcp-private"]),
    peer("node-3", sys.argv[2], ["tag:fcp-private", "tag:server"]),
    peer("node-4", "127.0.0.4", ["tag:fcp-private"]),
    peer("node-5", "127.0.0.5", ["tag:fcp-private"]),
    peer("node-6", "127.0.0.6", ["tag:fcp-work"])])}
st = {"Version": "1.76.6-fake", "BackendState": "Running", "TailscaleIPs": ["127.0.0.1"],
      "Self": peer("fake-self", "127.0.0.9", []), "Peer": peers, "MagicDNSSuffix": "tail1234.ts.net"}
json.dump(st, open(sys.argv[1] + ".tmp", "w"))
import os; os.replace(sys.argv[1] + ".tmp", sys.argv[1])
EOF
}
write_status 127.0.0.3
python3 "$W/fake_tailscaled.py" "$SOCK" "$W/status.json" &
FAKE_PID=$!
for _ in $(seq 1 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
check "fake LocalAPI listening" test -S "$SOCK"

NL_N=3
for i in 1 2 3 4; do node_start "$i" || bad "start node-$i"; done
check "node-1, node-2, node-3 sessions up from discovery alone" wait_up 20
L1=$W/n1/data/fcpd.log
check "node-1 added node-2 from Tailscale" grep -q '"event":"tailscale.peer.added".*"peer":"node-2","ip":"127.0.0.2"' "$L1"
check "node-1 added node-3 from Tailscale" grep -q '"event":"tailscale.peer.added".*"peer":"node-3","ip":"127.0.0.3"' "$L1"
check "node-1 added the node-4 candidate" grep -q '"event":"tailscale.peer.added".*"peer":"node-4"' "$L1"
check "node-5 (no attestation) is not a candidate" grep -q '"event":"tailscale.peer.unattested".*"id_hint":"node-5"' "$L1"
check "node-5 never added" bash -c "! grep -q '\"event\":\"tailscale.peer.added\".*\"peer\":\"node-5\"' '$L1'"
check "node-6 (tag:fcp-work only) never added" bash -c "! grep -q '\"peer\":\"node-6\"' '$L1'"
check "whois identity hint logged" grep -q '"event":"tailscale.whois".*"peer":"node-2","node_name":"node-2.tail1234.ts.net."' "$L1"

# the impostor node-4: a candidate, but no session; handshakes were refused
sleep 3
up4=$(fcpn 1 peers --json | jget '[p["up"] for p in d["peers"] if p["id"]=="node-4"][0]')
check "node-4 impostor never gets a session (up=$up4)" test "$up4" = False
up2=$(fcpn 1 peers --json | jget '[p["up"] for p in d["peers"] if p["id"]=="node-2"][0]')
check "node-2 session up (up=$up2)" test "$up2" = True
in4=$(fcpn 1 peers --json | jget '[p["datagrams_in"] for p in d["peers"] if p["id"]=="node-4"][0]')
check "node-1 accepted no datagram from the node-4 impostor (in=$in4)" test "$in4" = 0
in2=$(fcpn 1 peers --json | jget '[p["datagrams_in"] for p in d["peers"] if p["id"]=="node-2"][0]')
check "node-1 does accept node-2's datagrams (in=$in2)" test "${in2:-0}" -gt 0

# the sessions carry data
head -c 300000 /dev/urandom > "$W/file.bin"
ID=$(fcpn 1 put "$W/file.bin" --zone z:private 2>/dev/null)
check "put on node-1" test -n "$ID"
fcpn 2 get "$ID" -o "$W/back.bin" >/dev/null 2>&1
check "get from node-2 byte-identical" cmp -s "$W/file.bin" "$W/back.bin"

# a change seen by the periodic poll (5 s): logged and applied to the running
# engine (D-MESH-9 runtime membership): node-1 now knows node-3 at the new address
write_status 127.0.0.33
for _ in $(seq 1 80); do grep -q '"event":"tailscale.peer.moved".*"peer":"node-3"' "$L1" && break; sleep 0.25; done
check "poll logs node-3 moving" grep -q '"event":"tailscale.peer.moved".*"peer":"node-3","ip":"127.0.0.33","engine_ip":"127.0.0.3"' "$L1"
a3=$(fcpn 1 peers --json | jget '[p["address"] for p in d["peers"] if p["id"]=="node-3"][0]')
check "node-1's running engine has node-3 at the moved address ($a3)" test "${a3%:*}" = 127.0.0.33

# tailscaled gone: fcpd still starts, on its static peers, and says so
kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; FAKE_PID=
rm -f "$SOCK"
node_kill 2
node_start 2 || bad "restart node-2 without tailscaled"
check "node-2 starts without tailscaled" test -n "$(node_pid 2)"
check "node-2 logs tailscale.unavailable" grep -q '"event":"tailscale.unavailable"' "$W/n2/data/fcpd.log"
stj 2
check "node-2 without tailscaled has no peers configured" test "$(jn peers_up)" = 0
nl_finish
