#!/usr/bin/env bash
# node_e2e.sh - end-to-end tests of fcpd and the fcp verbs on loopback:
#   the demo's story (three nodes of one owner, sessions up, put of a file
#   into z:private, symbols spread so any one node can be lost, SIGKILL of a
#   node, byte-identical get from another node, restart on its own store
#   at once (no wait for its old session to be seen down, D-MESH-8; its
#   symbols are durable: held at once, no repair traffic), then loss of its
#   store and immediate restart empty with repair pushing symbols back, clean
#   shutdown with a consistent store), plus bad input:
#   malformed configs (error names the key and the line), malformed admin
#   frames and requests (clear error responses, the daemon keeps serving),
#   and a flood of garbage datagrams (the node keeps serving, drop counters
#   rise, RSS stays bounded).
# Everything runs in a temp dir on 127.0.0.1 with free ports; every daemon
# started is killed on exit.  Prints "node_e2e: N passed, N failed".
# FCP_BUILD (default build).  Sanitizer builds use a 4 MiB file, others
# 20 MiB (E2E_MB overrides).
set -u
cd "$(dirname "$0")/../.."
B=${FCP_BUILD:-build}
FCP=$B/fcp
FCPD=$B/fcpd
case "$B" in *asan*|*fuzz*) MB=${E2E_MB:-4} ;; *) MB=${E2E_MB:-20} ;; esac
W=$(mktemp -d /tmp/fcp-e2e.XXXXXX)
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { local d=$1; shift; if "$@"; then ok; else bad "$d"; fi; }

cleanup() {
    for f in "$W"/n*/fcpd.pid "$W"/bad*/fcpd.pid; do
        [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
    done
    rm -rf "$W"
}
trap cleanup EXIT INT TERM

if ! command -v python3 >/dev/null || [ ! -x "$FCP" ] || [ ! -x "$FCPD" ]; then
    echo "node_e2e: needs python3, $FCP and $FCPD"
    echo "node_e2e: 0 passed, 1 failed"
    exit 1
fi
free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1" 2>/dev/null; }
st() { FCP_HOME=$W/n$1 "$FCP" status --json 2>/dev/null | jget "$2"; }
# SIGKILL node I and wait until the process is gone (its UDP port free), not
# for the peers to notice
kill9() {
    local p
    p=$(cat "$W/n$1/fcpd.pid")
    kill -KILL "$p"
    for _ in $(seq 1 200); do kill -0 "$p" 2>/dev/null || break; sleep 0.01; done
    rm -f "$W/n$1/fcpd.pid"
}

# ---------------------------------------------------------------- the story
P=()
for i in 1 2 3; do P[$i]=$(free_port); done
MP=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$FCP" init --home "$W/n1" --node-id node-1 --listen 127.0.0.1:${P[1]} --data-dir "$W/n1/data" \
    --metrics 127.0.0.1:$MP >/dev/null
check "init node-1" test -f "$W/n1/fcpd.toml"
for i in 2 3; do
    "$FCP" init --home "$W/n$i" --node-id node-$i --listen 127.0.0.1:${P[$i]} --data-dir "$W/n$i/data" \
        --owner-home "$W/n1" >/dev/null
done
check "secret key files are 0600" test "$(stat -c %a "$W/n2/node.key") $(stat -c %a "$W/n2/zones.key") $(stat -c %a "$W/n1/owner.key")" = "600 600 600"
check "owner key not copied to other devices" test ! -e "$W/n2/owner.key"
check "init refuses to overwrite" bash -c "! '$FCP' init --home '$W/n1' --node-id node-1 --data-dir '$W/n1/data' 2>/dev/null"
for i in 1 2 3; do for j in 1 2 3; do
    [ $i = $j ] && continue
    "$FCP" node add-peer --home "$W/n$i" --id node-$j --address 127.0.0.1:${P[$j]} --attestation "$W/n$j/node.attest" >/dev/null || bad "add-peer $i $j"
done; done
# an attestation of another owner is refused
"$FCP" init --home "$W/other" --node-id stranger --data-dir "$W/other/data" >/dev/null
out=$("$FCP" node add-peer --home "$W/n1" --id stranger --address 127.0.0.1:9 --attestation "$W/other/node.attest" 2>&1)
check "foreign attestation refused with a code" bash -c "[[ '$out' == *FCP-* ]]"

for i in 1 2 3; do "$FCPD" --config "$W/n$i/fcpd.toml" --daemon || bad "start node-$i"; done
check "admin socket is 0600" test "$(stat -c %a "$W/n1/fcpd.sock")" = 600
up=0
for k in $(seq 1 100); do
    up=0
    for i in 1 2 3; do [ "$(st $i 'd["peers_up"]')" = 2 ] && up=$((up + 1)); done
    [ $up = 3 ] && break
    sleep 0.1
done
check "all sessions up" test "$up" = 3
# a client that starts a frame and goes silent is dropped after ~10 s
python3 - "$W/n1/fcpd.sock" > "$W/loris.out" 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(sys.argv[1]); s.sendall(b"FCPA\x01")
s.settimeout(40); t = time.time()
try:
    r = s.recv(100)
    print("closed after %.0f s" % (time.time() - t) if r == b"" else "got data")
except socket.timeout:
    print("still open")
PY
LORIS=$!
check "a second fcpd on the same home is refused" bash -c "! '$FCPD' --config '$W/n1/fcpd.toml' 2>/dev/null"

head -c $((MB * 1048576)) /dev/urandom > "$W/file.bin"
ID=$(FCP_HOME=$W/n1 "$FCP" put "$W/file.bin" --zone z:private 2>/dev/null)
check "put prints a 64-hex object id" bash -c "[[ '$ID' =~ ^[0-9a-f]{64}$ ]]"
for k in $(seq 1 100); do
    [ "$(st 1 'd["zones"]["z:private"]["at_risk"]')" = 0 ] && [ "$(st 3 'd["zones"]["z:private"]["at_risk"]')" = 0 ] && break
    sleep 0.1
done
check "symbols spread: no object at risk from any single loss" test "$(st 1 'd["zones"]["z:private"]["at_risk"]')" = 0
for i in 1 2 3; do
    check "node-$i holds a share" test "$(st $i 'd["symbol_bytes"] > 0')" = True
done
row=$(FCP_HOME=$W/n2 "$FCP" ls --json | jget '[o for o in d["objects"] if o["id"]=="'"$ID"'"][0]["holders"]')
check "ls on node-2 shows the object held by 3 nodes" test "$row" = 3
out=$(FCP_HOME=$W/n1 "$FCP" pin "$ID")
check "pin" test "$?" = 0
out=$(FCP_HOME=$W/n1 "$FCP" rm "$ID" 2>&1)
check "rm refuses a pinned object (FCP-6111)" bash -c "[[ '$out' == *FCP-6111* ]]"
FCP_HOME=$W/n1 "$FCP" unpin "$ID" >/dev/null
check "unpin" test "$?" = 0

# what node-3 holds before it is killed (status commits pending symbols first,
# so these were acknowledged as stored)
lsyms() { FCP_HOME=$W/n$1 "$FCP" ls --json 2>/dev/null | jget '[o for o in d["objects"] if o["id"]=="'"$ID"'"][0]["local_symbols"]'; }
sym3=$(st 3 'd["symbol_bytes"]')
ls3=$(lsyms 3)
kill9 3
FCP_HOME=$W/n2 "$FCP" get "$ID" -o "$W/back.bin" 2>/dev/null
check "get after SIGKILL of node-3 is byte-identical" cmp -s "$W/file.bin" "$W/back.bin"
if command -v b3sum >/dev/null; then
    check "b3sum agrees" test "$(b3sum < "$W/file.bin")" = "$(b3sum < "$W/back.bin")"
fi
out=$(FCP_HOME=$W/n2 "$FCP" get 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff -o "$W/none.bin" 2>&1)
check "get of an unknown id fails with a code, no file left" bash -c "[[ '$out' == *FCP-* ]] && [ ! -e '$W/none.bin' ]"
out=$(FCP_HOME=$W/n2 "$FCP" get xyz 2>&1)
check "get of a malformed id names FCP-6330" bash -c "[[ '$out' == *FCP-6330* ]]"

# restart node-3 on its own store at once, while node-1 and node-2 still
# count its old session up (its new handshake tells them it restarted,
# D-MESH-8): symbols are durable (SQLite), so it holds its share at once,
# before any session is up, and coverage comes back without repair traffic
rep0=$(( $(st 1 'd["repair_symbols"]') + $(st 2 'd["repair_symbols"]') ))
"$FCPD" --config "$W/n3/fcpd.toml" --daemon || bad "restart node-3 on its store"
sym3b=$(st 3 'd["symbol_bytes"]')
ls3b=$(lsyms 3)
check "node-3 restarted after SIGKILL still holds its symbol bytes ($sym3 -> ${sym3b:-none})" \
    test "${sym3:-0}" -gt 0 -a "${sym3b:-0}" -ge "${sym3:-1}"
check "fcp ls on node-3 shows its symbols of the object at once ($ls3 -> ${ls3b:-none})" \
    test "${ls3:-0}" -gt 0 -a "${ls3b:-0}" -ge "${ls3:-1}"
check "node-3 logged the symbols it reopened" grep -q '"event":"symstore.open","objects":[1-9]' "$W/n3/data/fcpd.log"
risk=
for k in $(seq 1 60); do
    sleep 0.5
    risk=$(st 3 'd["zones"]["z:private"]["at_risk"]')
    [ "$risk" = 0 ] && [ "$(st 3 'd["peers_up"]')" = 2 ] && break
done
check "coverage seen from the restarted node-3 is full again" test "$risk" = 0
sleep 3
rep1=$(( $(st 1 'd["repair_symbols"]') + $(st 2 'd["repair_symbols"]') ))
check "no repair traffic was needed ($rep0 -> $rep1 repair symbols)" test "$rep1" = "$rep0"
FCP_HOME=$W/n3 "$FCP" get "$ID" -o "$W/back3.bin" 2>/dev/null
check "get through the restarted node-3 is byte-identical" cmp -s "$W/file.bin" "$W/back3.bin"

# now lose node-3's disk: SIGKILL, wipe its store, restart empty; repair
# must push its share back
kill9 3
rm -f "$W/n3/data/store.sqlite3" "$W/n3/data/store.sqlite3-wal" "$W/n3/data/store.sqlite3-shm"
"$FCPD" --config "$W/n3/fcpd.toml" --daemon || bad "restart node-3"
check "node-3 restarted on an empty store holds nothing" test "$(st 3 'd["symbol_bytes"]')" = 0
got=0
risk=
for k in $(seq 1 60); do
    sleep 0.5
    got=$(st 3 'd["symbol_bytes"]')
    risk=$(st 3 'd["zones"]["z:private"]["at_risk"]')
    [ "${got:-0}" -gt 0 ] && [ "$risk" = 0 ] && break
done
check "repair pushes symbols back to the restarted node" test "${got:-0}" -gt 0
check "repair restores full coverage (no object at risk) within 30 s" test "$risk" = 0
check "repair counters rise" test "$(( $(st 1 'd["repair_symbols"]') + $(st 2 'd["repair_symbols"]') ))" -gt 0

# ---------------------------------------------------------------- bad admin input
cat > "$W/admin.py" <<'PY'
import socket, struct, sys
path = sys.argv[1]
def frame(payload, seq=1, magic=b"FCPA", ver=1, flags=0, ln=None):
    return magic + struct.pack("<H", ver) + bytes(16) + struct.pack("<QHI", seq, flags, len(payload) if ln is None else ln) + payload
def talk(data, expect_close=False):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.settimeout(5); s.connect(path)
    s.sendall(data)
    buf = b""
    try:
        while True:
            c = s.recv(65536)
            if not c: break
            buf += c
            if len(buf) >= 36 and len(buf) >= 36 + struct.unpack("<I", buf[32:36])[0] and not expect_close: break
    except socket.timeout:
        pass
    s.close()
    return buf
cases = [
  ("garbage", b"GET / HTTP/1.0\r\n\r\n" + bytes(40), "FCP-6320", True),
  ("version", frame(b"\xa0", ver=9), "FCP-6321", True),
  ("flags", frame(b"\xa0", flags=4), "FCP-6323", True),
  ("too_large", frame(b"", ln=0x7fffffff), "FCP-6324", True),
  ("not_cbor", frame(b"\xff\xff\xff"), "FCP-6326", False),
  ("unknown_op", frame(b"\xa1\x62op\x63frb"), "FCP-6327", False),
  ("missing", frame(b"\xa1\x62op\x63get"), "FCP-6328", False),
  ("put_data_no_put", frame(b"\xa2\x62op\x68put_data\x64data\x41\x00"), "FCP-6329", False),
  ("bad_zone", frame(b"\xa3\x62op\x63put\x64size\x01\x64zone\x66z:nope"), "FCP-6331", False),
]
bad = 0
for name, data, want, close in cases:
    r = talk(data, close)
    if want.encode() not in r:
        print("admin case %s: expected %s, got %r" % (name, want, r[:120])); bad += 1
# a malformed request leaves the connection usable: then a valid status
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.settimeout(5); s.connect(path)
s.sendall(frame(b"\xa0", seq=5) + frame(b"\xa1\x62op\x66status", seq=6))
buf = b""
while buf.count(b"FCPA") < 2 or len(buf) < 36:
    c = s.recv(65536)
    if not c: break
    buf += c
    if buf.count(b"FCPA") >= 2:
        i = buf.rfind(b"FCPA")
        if len(buf) >= i + 36 and len(buf) >= i + 36 + struct.unpack("<I", buf[i+32:i+36])[0]: break
s.close()
if b"node_id" not in buf:
    print("connection not usable after a malformed request"); bad += 1
# slow-loris: half a header, then silence; the daemon must keep serving others
h = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); h.connect(path); h.sendall(b"FCPA\x01")
r = talk(frame(b"\xa1\x62op\x66status"))
if b"node_id" not in r:
    print("half-open client blocked the loop"); bad += 1
h.close()
print("admin_bad_failures=%d" % bad)
PY
out=$(python3 "$W/admin.py" "$W/n1/fcpd.sock" 2>&1)
echo "$out" | grep -v '^admin_bad_failures' | sed 's/^/    /'
check "malformed admin frames and requests get their codes" test "$(echo "$out" | tail -n 1)" = "admin_bad_failures=0"
check "node-1 still serves after bad admin input" test "$(st 1 'd["node_id"]')" = node-1

# ---------------------------------------------------------------- garbage flood
pid1=$(cat "$W/n1/fcpd.pid")
rss0=$(awk '/VmRSS/ {print $2}' /proc/$pid1/status)
in0=$(st 1 'd["datagrams_in"]')
drop0=$(st 1 'sum(v for k,v in d["counters"].items() if k.startswith("drop_"))')
python3 - "${P[1]}" <<'PY'
import os, random, socket, sys
port = int(sys.argv[1]); r = random.Random(7)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
heads = [b"", b"FCPS", b"FCPH", b"FCPC", b"\x00" * 4, b"\xff" * 4]
for i in range(30000):
    n = r.choice([0, 1, 8, 40, 100, 600, 1199, 1200, 1201, 1400, 1472])
    d = r.choice(heads) + os.urandom(max(0, n - 4))
    try: s.sendto(d[:1472], ("127.0.0.1", port))
    except OSError: pass
PY
sleep 0.5
in1=$(st 1 'd["datagrams_in"]')
drop1=$(st 1 'sum(v for k,v in d["counters"].items() if k.startswith("drop_"))')
rss1=$(awk '/VmRSS/ {print $2}' /proc/$pid1/status)
check "flood: node-1 keeps serving" test "$(st 1 'd["node_id"]')" = node-1
check "flood: datagram counter rose" test "${in1:-0}" -gt "$(( ${in0:-0} + 1000 ))"
check "flood: drop counters rose" test "${drop1:-0}" -gt "$(( ${drop0:-0} + 1000 ))"
check "flood: RSS bounded (+$(( (${rss1:-0} - ${rss0:-0}) / 1024 )) MiB < 64 MiB)" test "$(( ${rss1:-0} - ${rss0:-0} ))" -lt 65536
echo "    flood: datagrams in $in0 -> $in1, drops $drop0 -> $drop1, RSS ${rss0} -> ${rss1} KiB"
FCP_HOME=$W/n1 "$FCP" get "$ID" -o "$W/back2.bin" 2>/dev/null
check "flood: get still byte-identical" cmp -s "$W/file.bin" "$W/back2.bin"

# ---------------------------------------------------------------- metrics
cat > "$W/metrics.py" <<'PY'
import socket, sys
def get(path):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
    s.sendall(("GET %s HTTP/1.0\r\n\r\n" % path).encode())
    b = b""
    while True:
        c = s.recv(65536)
        if not c: break
        b += c
    return b.decode(errors="replace")
m = get("/metrics")
want = ["HTTP/1.0 200", "# TYPE fcp_datagrams_in_total counter", 'fcp_datagrams_dropped_total{reason="datagram_invalid"}',
        "fcp_put_duration_seconds_count 1", 'fcp_get_duration_seconds_bucket{le="+Inf"} 1', "fcp_sessions_up 2",
        "fcp_objects ", "fcp_symstore_unopenable_total 0", "fcp_tailscale_polls_total 0"]
miss = [w for w in want if w not in m]
print("missing: %s" % miss if miss else "metrics ok")
print("404" if get("/other").startswith("HTTP/1.0 404") else "no 404")
PY
python3 "$W/metrics.py" "$MP" > "$W/metrics.out" 2>&1
grep -q "metrics ok" "$W/metrics.out" || sed "s/^/    /" "$W/metrics.out"
check "metrics: GET /metrics has counters, drops by reason, histograms" grep -q "metrics ok" "$W/metrics.out"
check "metrics: other paths are 404" grep -qx '404' "$W/metrics.out"

wait $LORIS
check "a silent half-frame admin client is closed by the daemon ($(cat "$W/loris.out"))" grep -q "closed after" "$W/loris.out"

# ---------------------------------------------------------------- clean shutdown
FCP_HOME=$W/n1 "$FCP" node stop >/dev/null
for i in 2 3; do kill -TERM "$(cat "$W/n$i/fcpd.pid")"; done
for k in $(seq 1 50); do
    [ ! -e "$W/n1/fcpd.pid" ] && [ ! -e "$W/n2/fcpd.pid" ] && [ ! -e "$W/n3/fcpd.pid" ] && break
    sleep 0.1
done
for i in 1 2 3; do
    check "node-$i shut down cleanly with a consistent store" grep -q '"event":"store.closed","integrity_ok":true' "$W/n$i/data/fcpd.log"
    check "node-$i removed its admin socket" test ! -e "$W/n$i/fcpd.sock"
done

check "no sanitizer or runtime error reports in the daemons' logs" \
    bash -c "! grep -l -E 'Sanitizer|runtime error' '$W'/n*/data/fcpd.log"

# ---------------------------------------------------------------- bad configs
mkdir -p "$W/bad"
cp "$W/n1/owner.pub" "$W/n1/node.key" "$W/n1/node.attest" "$W/n1/zones.key" "$W/bad/"
cfg() { printf '%b' "$1" > "$W/bad/fcpd.toml"; "$FCPD" --config "$W/bad/fcpd.toml" 2>&1; }
out=$(cfg '[node]\ndata_dir = "/tmp"\n[limits]\nmax_peers = "lots"\n')
check "config: wrong type names key and line 4" bash -c "[[ '$out' == *max_peers* && '$out' == *:4:* && '$out' == *FCP-* ]]"
out=$(cfg '[node]\ndata_dir = "/tmp"\nbogus = 1\n')
check "config: unknown key names key and line 3" bash -c "[[ '$out' == *bogus* && '$out' == *:3:* ]]"
out=$(cfg '[node]\ndata_dir = "/tmp"\n[listen]\naddresses = ["127.0.0.1:99999"]\n')
check "config: bad address refused with a code" bash -c "[[ '$out' == *FCP-* && '$out' == *:4:* ]]"
out=$(cfg '[node\n')
check "config: syntax error names line 1" bash -c "[[ '$out' == *:1:* && '$out' == *FCP-* ]]"
chmod 644 "$W/bad/node.key"
out=$(cfg "[node]\ndata_dir = \"$W/bad/data\"\n")
check "keys: group-readable node.key refused (FCP-6351)" bash -c "[[ '$out' == *node.key* && '$out' == *FCP-6351* ]]"
out=$("$FCPD" --config "$W/nowhere/fcpd.toml" 2>&1)
check "config: missing file is an error with a code" bash -c "[[ '$out' == *FCP-* ]]"
out=$(FCP_HOME=$W/n1 "$FCP" status 2>&1)
check "fcp status without a daemon names FCP-6333" bash -c "[[ '$out' == *FCP-6333* ]]"

echo "node_e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
