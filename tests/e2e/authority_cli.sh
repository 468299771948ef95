#!/usr/bin/env bash
# authority_cli.sh - end-to-end tests of the authority verbs and the daemon's
# revocation state on loopback (docs/authority.md):
#   enrollment by manifest: node-1 is the owner's device; node-2 and node-3
#   start with `fcp init --join`, the owner enrolls them (`fcp node enroll`:
#   signed attestation + ZoneKeyManifests sealing the zone keys to them) and
#   they `fcp node join`; no raw zone key is copied, yet all three hold the
#   same keys and node-3 reads an object node-1 put;
#   tokens: mint, inspect (valid), tampered (signature), foreign home
#   (unknown issuer), revoke (the daemon's seq and ids move, persisted over a
#   restart; inspect --daemon then reports it revoked, and a removed node's
#   tokens as issuer-revoked);
#   audit: a chain built with `fcp audit append` verifies; a flipped byte,
#   a dropped event, two swapped events and a truncated file each fail with
#   their own code at the right index;
#   zones: create, list, show (owner signatures), duplicate refused;
#   removal: `fcp node remove node-3` revokes its attestation and issuance
#   key on node-1 and node-2 (they drop its datagrams, FCP-6356, and its
#   sessions go down), rotates every zone key to manifests without it:
#   node-2 joins the rotation, node-3 cannot open it (FCP-4106); after a
#   restart node-1 and node-2 leave node-3 out, share new data sealed under
#   the rotated key, still read the old object (superseded key kept), and
#   node-3 gets nothing; `fcp zone rotate z:work` rotates one zone for the
#   remaining members.
# Everything runs in a temp dir on 127.0.0.1 with free ports; every daemon
# started is killed on exit.  Prints "authority_cli: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
B=${FCP_BUILD:-build}
FCP=$B/fcp
FCPD=$B/fcpd
W=$(mktemp -d /tmp/fcp-auth.XXXXXX)
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { local d=$1; shift; if "$@"; then ok; else bad "$d"; fi; }
has() { [[ "$1" == *"$2"* ]]; }

cleanup() {
    [ "${KEEP:-}" = 2 ] && return
    for f in "$W"/n*/fcpd.pid; do
        [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
    done
    [ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT INT TERM

if ! command -v python3 >/dev/null || [ ! -x "$FCP" ] || [ ! -x "$FCPD" ]; then
    echo "authority_cli: needs python3, $FCP and $FCPD"
    echo "authority_cli: 0 passed, 1 failed"
    exit 1
fi
free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1" 2>/dev/null; }
fcp1() { FCP_HOME=$W/n1 "$FCP" "$@"; }
rev() { FCP_HOME=$W/n$1 "$FCP" revoke --status --json 2>/dev/null | jget "$2"; }
up_with() { FCP_HOME=$W/n$1 "$FCP" peers --json 2>/dev/null | jget '[p["up"] for p in d["peers"] if p["id"]=="'"$2"'"][0]'; }
start() { "$FCPD" --config "$W/n$1/fcpd.toml" --daemon || bad "start node-$1"; }
stop() { FCP_HOME=$W/n$1 "$FCP" node stop >/dev/null 2>&1; for k in $(seq 1 50); do [ -f "$W/n$1/fcpd.pid" ] || break; sleep 0.1; done; }
wait_up() { # node peer want
    local v=""
    for k in $(seq 1 150); do v=$(up_with "$1" "$2"); [ "$v" = "$3" ] && return 0; sleep 0.1; done
    return 1
}

# ------------------------------------------------------------ enrollment
P=()
for i in 1 2 3; do P[$i]=$(free_port); done
"$FCP" init --home "$W/n1" --node-id node-1 --listen 127.0.0.1:${P[1]} --data-dir "$W/n1/data" >/dev/null
for i in 2 3; do
    "$FCP" init --join --home "$W/n$i" --node-id node-$i --listen 127.0.0.1:${P[$i]} --data-dir "$W/n$i/data" >/dev/null
done
check "init --join writes a request, no owner or zone keys" \
    test -f "$W/n2/node.request" -a ! -e "$W/n2/zones.key" -a ! -e "$W/n2/owner.pub" -a ! -e "$W/n2/node.attest"
out=$(FCP_HOME=$W/n2 "$FCP" node enroll --attestation "$W/n3/node.request" -o "$W/bad" 2>&1)
check "enroll without owner.key refused (FCP-6357)" has "$out" FCP-6357
for i in 2 3; do
    fcp1 node enroll --attestation "$W/n$i/node.request" -o "$W/bundle$i" >/dev/null || bad "enroll node-$i"
done
check "bundle holds manifests, no raw key" bash -c "ls '$W/bundle3/zones/'*.zkm >/dev/null && ! grep -rq \"\$(cut -d' ' -f3 '$W/n1/zones.key' | head -2 | tail -1)\" '$W/bundle3'"
out=$(FCP_HOME=$W/n3 "$FCP" node join "$W/bundle2" 2>&1)
check "another node's bundle refused (FCP-6358)" has "$out" FCP-6358
for i in 2 3; do
    FCP_HOME=$W/n$i "$FCP" node join "$W/bundle$i" >/dev/null || bad "join node-$i"
done
keys() { sort "$W/n$1/zones.key" | grep -v '^#'; }
check "enrolled nodes opened the same zone keys" bash -c "[ \"\$(sort '$W/n1/zones.key')\" = \"\$(sort '$W/n2/zones.key')\" ] && [ \"\$(sort '$W/n1/zones.key')\" = \"\$(sort '$W/n3/zones.key')\" ]"
check "zones.key stays 0600" test "$(stat -c %a "$W/n3/zones.key")" = 600
for i in 1 2 3; do for j in 1 2 3; do
    [ $i = $j ] && continue
    FCP_HOME=$W/n$i "$FCP" node add-peer --id node-$j --address 127.0.0.1:${P[$j]} --attestation "$W/n$j/node.attest" >/dev/null \
        || bad "add-peer $i $j"
done; done

# ------------------------------------------------------------ zones (no daemon needed)
fcp1 zone create lab --integrity 70 --confidentiality 60 --allow-connector 'fcp.*' --default-deny >/dev/null
check "zone create" test -f "$W/n1/zones/z_lab.def"
check "zone list shows standard and created zones" \
    test "$(fcp1 zone list --json | jget '",".join(z["zone"]+":"+str(z["definition"]) for z in d)')" \
    = "z:owner:None,z:private:None,z:work:None,z:community:None,z:public:None,z:lab:verified"
check "zone show verifies and prints the policy" \
    test "$(fcp1 zone show z:lab --json | jget 'str(d["integrity"])+d["policy"]["connectors_allow"][0]+str(d["verified"])')" = "70fcp.*True"
out=$(fcp1 zone create lab 2>&1)
check "duplicate zone refused (FCP-4189)" has "$out" FCP-4189
python3 - "$W/n1/zones/z_lab.def" <<'EOF'
import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[-5]^=1; open(p,'wb').write(b)
EOF
out=$(fcp1 zone show z:lab 2>&1)
check "tampered zone definition refused" has "$out" FCP-

# ------------------------------------------------------------ audit chains
A=$W/audit.cbor
for t in one two three four five; do fcp1 audit append "$A" --zone z:work --event-type "op.$t" >/dev/null || bad "append $t"; done
check "audit chain verifies (5 events)" test "$(fcp1 audit verify "$A" --json | jget 'str(d["ok"])+str(d["events"])+str(d["head_seq"])')" = "True54"
python3 - "$A" <<'EOF'
import sys
sys.path.insert(0, '.')
p = sys.argv[1]
b = open(p, 'rb').read()
# split the concatenated canonical CBOR items (maps with definite lengths)
def item_len(b, o):
    ib = b[o]; mt = ib >> 5; ai = ib & 31; o2 = o + 1
    if ai < 24: v = ai
    else:
        n = {24: 1, 25: 2, 26: 4, 27: 8}[ai]; v = int.from_bytes(b[o2:o2 + n], 'big'); o2 += n
    if mt in (0, 1, 7): return o2 - o
    if mt in (2, 3): return o2 - o + v
    if mt == 4:
        e = o2
        for _ in range(v): e += item_len(b, e)
        return e - o
    if mt == 5:
        e = o2
        for _ in range(2 * v): e += item_len(b, e)
        return e - o
    if mt == 6: return o2 - o + item_len(b, o2)
ev = []; o = 0
while o < len(b):
    n = item_len(b, o); ev.append(b[o:o + n]); o += n
open(p + '.drop', 'wb').write(b''.join(ev[:2] + ev[3:]))
open(p + '.swap', 'wb').write(b''.join(ev[:1] + [ev[2], ev[1]] + ev[3:]))
f = bytearray(b); mid = len(ev[0]) + len(ev[1]) + len(ev[2]) // 2; f[mid] ^= 0x01
open(p + '.flip', 'wb').write(bytes(f))
open(p + '.trunc', 'wb').write(b[:len(b) - 7])
EOF
av() { fcp1 audit verify "$1" --zone z:work --json 2>/dev/null | jget 'd["code"]+"@"+str(d["bad_index"])'; }
check "flipped byte: event 2 reported (MALFORMED or MODIFIED)" bash -c "case '$(av "$A.flip")' in FCP-4251@2|FCP-4256@2) exit 0;; *) exit 1;; esac"
check "dropped event: FCP-4252 at index 2" test "$(av "$A.drop")" = "FCP-4252@2"
check "swapped events: FCP-4253 at index 1" test "$(av "$A.swap")" = "FCP-4253@1"
check "truncated file: last event malformed (FCP-4256@4)" test "$(av "$A.trunc")" = "FCP-4256@4"
fcp1 audit verify "$A.drop" --zone z:work >/dev/null 2>&1
check "bad chain exits 1" test $? = 1
out=$(FCP_HOME=$W/n2 "$FCP" audit verify "$A" --zone z:work 2>&1)
check "another member verifies the same chain" has "$out" "ok: 5 events"

# ------------------------------------------------------------ daemons, tokens, revocation
for i in 1 2 3; do start $i; done
check "all sessions up (n1-n2, n1-n3, n2-n3)" bash -c "$(declare -f up_with jget wait_up); W='$W' FCP='$FCP'; wait_up 1 node-2 True && wait_up 1 node-3 True && wait_up 2 node-3 True"
head -c 300000 /dev/urandom > "$W/file1.bin"
ID1=$(fcp1 put "$W/file1.bin" --zone z:private 2>/dev/null)
sleep 1
FCP_HOME=$W/n3 "$FCP" get "$ID1" -o "$W/back1.bin" >/dev/null 2>&1
check "enrolled node-3 reads node-1's z:private object" cmp -s "$W/file1.bin" "$W/back1.bin"

fcp1 token mint --zone z:work --audience fcp.echo --capability echo.ping --operation echo.ping --ttl 1h -o "$W/t.cose" >/dev/null
check "token inspect: valid" test "$(fcp1 token inspect "$W/t.cose" --json | jget 'str(d["valid"])+d["iss_node"]+d["zone_id"]+d["operations"][0]')" = "Truenode-1z:workecho.ping"
check "a member verifies node-1's token (attestation in nodes/)" test "$(FCP_HOME=$W/n2 "$FCP" token inspect "$W/t.cose" --json | jget 'd["valid"]')" = True
python3 -c "import sys; b=bytearray(open(sys.argv[1],'rb').read()); b[-3]^=1; open(sys.argv[2],'wb').write(b)" "$W/t.cose" "$W/t.bad"
check "tampered token: signature step fails (FCP-3108)" test "$(fcp1 token inspect "$W/t.bad" --json 2>/dev/null | jget 'd["code"]')" = FCP-3108
"$FCP" init --home "$W/other" --node-id stranger --data-dir "$W/other/data" >/dev/null
FCP_HOME=$W/other "$FCP" token mint --zone z:work --audience a --capability c -o "$W/t.other" >/dev/null
check "token of another owner: unknown issuer" test "$(fcp1 token inspect "$W/t.other" --json 2>/dev/null | jget 'd["valid"]')" = False
TID=$(fcp1 token inspect "$W/t.cose" --json | jget 'd["token_id"]')
FCP_HOME=$W/n3 "$FCP" token mint --zone z:work --audience fcp.echo --capability echo.ping --ttl 1h -o "$W/t3.cose" >/dev/null
check "node-3's token is valid before its removal" \
    test "$(fcp1 token inspect "$W/t3.cose" --daemon --json 2>/dev/null | jget 'd["valid"]')" = True
check "revocation state starts empty" test "$(rev 1 'd["seq"]')" = 0
fcp1 revoke "$W/t.cose" --reason "test" >/dev/null
check "revoke: seq 1, one id" test "$(rev 1 'str(d["seq"])+"/"+str(d["ids"])')" = "1/1"
check "fcpd now reports the token revoked (FCP-3130)" \
    test "$(fcp1 token inspect "$W/t.cose" --daemon --json 2>/dev/null | jget 'd["code"]')" = FCP-3130
fcp1 token mint --zone z:work --audience fcp.echo --capability echo.ping --ttl 1h -o "$W/t2.cose" >/dev/null
check "another token of the same issuer is not revoked" \
    test "$(fcp1 token inspect "$W/t2.cose" --daemon --json 2>/dev/null | jget 'd["valid"]')" = True
out=$(FCP_HOME=$W/n2 "$FCP" revoke --id "$TID" 2>&1)
check "revoke from a home without owner.key refused (FCP-6357)" has "$out" FCP-6357
out=$(FCP_HOME=$W/other "$FCP" revoke --id "$TID" --socket "$W/n1/fcpd.sock" 2>&1)
check "revocation signed by another owner refused by fcpd" has "$out" FCP-
check "... and not applied" test "$(rev 1 'd["seq"]')" = 1

# ------------------------------------------------------------ removal of node-3
fcp1 node remove node-3 -o "$W/rot" --socket "$W/n1/fcpd.sock" --socket "$W/n2/fcpd.sock" >/dev/null || bad "node remove"
check "node-1: seq 3 (token, attestation, issuer key), node-3 removed" test "$(rev 1 'str(d["seq"])+"/"+str(d["removed_peers"])')" = "3/1"
check "node-2: seq 2, node-3 removed" test "$(rev 2 'str(d["seq"])+"/"+str(d["removed_peers"])')" = "2/1"
check "node-3 taken out of both running engines" test "$(rev 1 'd["removed_live"]')/$(rev 2 'd["removed_live"]')" = "1/1"
check "node-1 drops node-3's datagrams (counted)" bash -c "for k in \$(seq 1 60); do n=\$(FCP_HOME='$W/n1' '$FCP' revoke --status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"refused_datagrams\"])'); [ \"\$n\" -gt 0 ] && exit 0; sleep 0.1; done; exit 1"
check "node-1 logged FCP-6356 for node-3" bash -c "sleep 0.2; grep -q 'peer.revoked' '$W/n1/data/fcpd.log' && grep -q '6356' '$W/n1/data/fcpd.log'"
check "node-1 lists node-3 no more (or down)" \
    test "$(FCP_HOME=$W/n1 "$FCP" peers --json | jget 'str(any(p["up"] for p in d["peers"] if p["id"]=="node-3"))')" = False
check "node-3 marked removed in the owner's home" test -f "$W/n1/nodes/node-3.removed"
check "a token node-3 minted is refused: issuer revoked (FCP-3107)" \
    test "$(fcp1 token inspect "$W/t3.cose" --daemon --json 2>/dev/null | jget 'd["code"]')" = FCP-3107
check "rotation bundle has a manifest per zone" test "$(ls "$W/rot/zones" | wc -l)" = 6
out=$(FCP_HOME=$W/n3 "$FCP" node join "$W/rot" 2>&1)
check "removed node cannot open the rotated keys (FCP-4106)" has "$out" FCP-4106
FCP_HOME=$W/n2 "$FCP" node join "$W/rot" >/dev/null || bad "node-2 joins the rotation"
check "node-2 and node-1 share the rotated keys" bash -c "[ \"\$(grep '^z:private' '$W/n1/zones.key' | head -1)\" = \"\$(grep '^z:private' '$W/n2/zones.key' | head -1)\" ]"
check "the rotated key differs from node-3's" bash -c "[ \"\$(grep '^z:private' '$W/n1/zones.key' | head -1)\" != \"\$(grep '^z:private' '$W/n3/zones.key' | head -1)\" ]"

# restart node-1 and node-2 on the rotated keys; node-3 keeps running on the old ones
stop 1
stop 2
start 1
start 2
check "revocations survive the restart (seq 3)" test "$(rev 1 'd["seq"]')" = 3
check "node-3 left out of the engine at start" test "$(rev 1 'd["refused_peers"]')" = 1
check "node-1 and node-2 sessions up on rotated keys" wait_up 1 node-2 True
head -c 200000 /dev/urandom > "$W/file2.bin"
ID2=$(fcp1 put "$W/file2.bin" --zone z:private 2>/dev/null)
sleep 1
FCP_HOME=$W/n2 "$FCP" get "$ID2" -o "$W/back2.bin" >/dev/null 2>&1
check "node-2 reads data sealed under the rotated key" cmp -s "$W/file2.bin" "$W/back2.bin"
rm -f "$W/back1.bin"
FCP_HOME=$W/n2 "$FCP" get "$ID1" -o "$W/back1.bin" >/dev/null 2>&1
check "the old object stays readable (superseded key kept)" cmp -s "$W/file1.bin" "$W/back1.bin"
timeout 8 env FCP_HOME=$W/n3 "$FCP" get "$ID2" -o "$W/back3.bin" >/dev/null 2>&1
check "removed node-3 gets nothing of the new object" test ! -s "$W/back3.bin"
check "node-3's sessions go down (it hears nothing from node-1 or node-2)" bash -c "$(declare -f up_with jget wait_up); W='$W' FCP='$FCP'; wait_up 3 node-1 False && wait_up 3 node-2 False"

# ------------------------------------------------------------ routine rotation of one zone
fcp1 zone rotate z:work -o "$W/rot2" >/dev/null || bad "zone rotate"
check "zone rotate: one manifest, z:work has a new active key and keeps the old one" \
    test "$(ls "$W/rot2/zones")/$(grep -c '^z:work ' "$W/n1/zones.key")/$(grep -c '^z:private ' "$W/n1/zones.key")" = "z_work.zkm/2/2"
FCP_HOME=$W/n2 "$FCP" node join "$W/rot2" >/dev/null || bad "node-2 joins the z:work rotation"
check "members share the rotated z:work key" bash -c "[ \"\$(grep '^z:work' '$W/n1/zones.key' | head -1)\" = \"\$(grep '^z:work' '$W/n2/zones.key' | head -1)\" ]"
stop 1
stop 2
start 1
start 2
check "sessions up after the z:work rotation" wait_up 1 node-2 True
head -c 50000 /dev/urandom > "$W/file3.bin"
ID3=$(fcp1 put "$W/file3.bin" --zone z:work 2>/dev/null)
sleep 1
FCP_HOME=$W/n2 "$FCP" get "$ID3" -o "$W/back3w.bin" >/dev/null 2>&1
check "node-2 reads z:work data under the rotated key" cmp -s "$W/file3.bin" "$W/back3w.bin"

[ -n "${KEEP:-}" ] || for i in 1 2 3; do stop $i; done
echo "authority_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
