#!/usr/bin/env bash
# token_cli.sh - `fcp grant create` and `fcp token mint` alone produce what
# fcpd's invoke pipeline accepts (docs/authority.md "Minting tokens fcpd
# accepts"): one node running the notes reference connector; no test helper.
#   - grant create writes an owner-signed CapabilityObject into FCP_HOME/grants
#   - mint with --grant NAME and with no grant (created automatically, said
#     on stderr); aud_binary and the checkpoint come from fcpd, holder_node is
#     this node
#   - Safe (notes_get) and Risky (notes_put) invokes are allowed
#   - after a revocation the old Risky token is refused (checkpoint behind,
#     FCP-3139/3140 family), a re-minted one works; an offline --checkpoint
#     and --aud-binary give the same token fcpd accepts
#   - /metrics has the revocation counters (fcp_revocation_seq ...)
# Prints "token_cli: N passed, N failed".  FCP_BUILD (default build).
E2E_TMP=tok
. "$(dirname "$0")/e2e_base.inc"
cleanup() {
    [ -f "$W/h/fcpd.pid" ] && kill -KILL "$(cat "$W/h/fcpd.pid")" 2>/dev/null
    [ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT INT TERM
finish() {
    echo "token_cli: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit $?
}
for x in "$FCP" "$FCPD" "$B/connector-notes"; do
    if [ ! -e "$x" ]; then
        echo "token_cli: needs $x (make first)"
        echo "token_cli: 0 passed, 1 failed"
        exit 1
    fi
done
command -v python3 >/dev/null || { echo "token_cli: needs python3"; echo "token_cli: 0 passed, 1 failed"; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_'"$1"'); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1" 2>/dev/null; }
metric() { python3 -c "
import urllib.request,sys
t=urllib.request.urlopen('http://127.0.0.1:$MP/metrics',timeout=5).read().decode()
for l in t.splitlines():
    if l.startswith(sys.argv[1]+' '): print(l.split()[-1])" "$1"; }
H=$W/h
D=$W/data
export FCP_HOME=$H
UP=$(free_port DGRAM)
MP=$(free_port STREAM)
"$FCP" init --home "$H" --node-id node-1 --listen 127.0.0.1:$UP --data-dir "$D" --metrics 127.0.0.1:$MP >/dev/null
python3 -c "print(''.join('%02x'%(0xa0+i) for i in range(32)))" >"$W/pub.seed"
SIGN=$("$FCP" connector sign --manifest connectors/notes/manifest.toml --binary "$B/connector-notes" --key "$W/pub.seed")
cat >>"$H/fcpd.toml" <<EOF

[[connector]]
id = "fcp.notes"
manifest = "$PWD/connectors/notes/manifest.toml"
binary = "$PWD/$B/connector-notes"
signature = "$SIGN"
EOF
"$FCPD" --daemon --log-level info || { bad "fcpd starts"; finish; }
for i in $(seq 1 200); do
    [ "$("$FCP" connector show fcp.notes --json 2>/dev/null | jget "d['connectors'][0]['state']")" = active ] && break
    sleep 0.05
done
BIN=$("$FCP" connector show fcp.notes --json | jget "d['connectors'][0]['runtime']['binary_id']")
check "notes is active (binary id known)" test ${#BIN} -eq 64

# ------------------------------------------------------------ grant create
OUT=$("$FCP" grant create --zone z:private --capability notes.read --json)
GF=$(echo "$OUT" | jget 'd["file"]')
check "grant create writes into FCP_HOME/grants" bash -c "case '$GF' in '$H'/grants/*.cap) test -s '$GF';; *) false;; esac"
check "grant create prints the grant id" test "$(echo "$OUT" | jget 'len(d["grant_id"])')" = 64
DIAG=$("$FCP" cbor diag "$GF" 2>/dev/null)
check "grant file follows D-CLI-4 (zone grantee, 30 d window, canonical)" python3 -c "
import re,sys
t=sys.argv[1]
assert '\"grantee\": {\"Zone\": \"z:private\"}' in t and '\"capability_id\": \"notes.read\"' in t and t.rstrip().endswith('canonical: yes')
vf=int(re.search(r'\"valid_from\": (\d+)',t).group(1)); vu=int(re.search(r'\"valid_until\": (\d+)',t).group(1))
assert vu-vf==30*86400+60" "$DIAG"
"$FCP" grant create --zone z:nope --capability x >/dev/null 2>"$W/err"
check "grant create: unknown zone refused (FCP-4190)" grep -q FCP-4190 "$W/err"
GN=$(basename "$GF" .cap)

# ------------------------------------------------------------ mint, invoke
echo '{"name":"groceries","text":"milk, eggs"}' >"$W/put.json"
echo '{"name":"groceries"}' >"$W/get.json"
"$FCP" token mint --zone z:private --audience fcp.notes --capability notes.read --operation notes_get \
    --grant "$GN" -o "$W/get.tok" --json >"$W/get.json.out" 2>"$W/get.err"
check "mint --grant NAME finds FCP_HOME/grants/NAME.cap" test "$(jget 'd["grant"]' <"$W/get.json.out")" = "$GF"
check "mint binds aud_binary and checkpoint from fcpd" \
    test "$(jget 'd["aud_binary"]+"/"+d["checkpoint"]+"/"+str(d["chk_seq"])' <"$W/get.json.out")" = "fcpd/fcpd/0"
"$FCP" token mint --zone z:private --audience fcp.notes --capability notes.write --operation notes_put \
    -o "$W/put.tok" 2>"$W/put.err" >/dev/null
check "mint without --grant creates one and says so" grep -q "created grant object $H/grants/" "$W/put.err"
OUT=$("$FCP" invoke fcp.notes notes_put --input "$W/put.json" --token "$W/put.tok" 2>&1)
check "CLI-minted token: Risky notes_put allowed" bash -c "echo '$OUT' | grep -Eq '^receipt [0-9a-f]{64}$'"
OUT=$("$FCP" invoke fcp.notes notes_get --input "$W/get.json" --token "$W/get.tok" --json 2>&1)
check "CLI-minted token: Safe notes_get allowed" python3 -c "
import json,sys; d=json.loads(sys.argv[1]); assert d['ok'] and json.loads(d['output'])['text']=='milk, eggs'" "$OUT"
check "token inspect accepts it: holder this node, aud_binary the connector's, checkpoint seq 0" \
    test "$("$FCP" token inspect "$W/put.tok" --json | jget 'str(d["valid"])+d["holder_node"]+d["aud_binary"]+str(d["chk_seq"])')" = "Truenode-1${BIN}0"
"$FCP" token mint --zone z:private --audience fcp.notes --capability notes.write --operation notes_put \
    --offline -o "$W/safeonly.tok" >/dev/null 2>&1
OUT=$("$FCP" invoke fcp.notes notes_put --input "$W/put.json" --token "$W/safeonly.tok" 2>&1)
check "--offline without bindings: Risky refused" bash -c "echo '$OUT' | grep -q 'FCP-'"

# ------------------------------------------------------------ revocation moves the checkpoint
WCAP=$("$FCP" grant create --zone z:private --capability notes.write --json | jget 'd["file"]')
"$FCP" grant create --zone z:private --capability notes.write --principal agent -o "$W/elsewhere.cap" >/dev/null
"$FCP" token mint --zone z:private --audience fcp.notes --capability notes.read --operation notes_get \
    --grant "$GF" --offline -o "$W/victim.tok" >/dev/null 2>&1
"$FCP" revoke "$W/victim.tok" --reason test >/dev/null || bad "revoke"
SEQ=$("$FCP" revoke --status --json | jget 'd["seq"]')
check "revocation applied (seq 1)" test "$SEQ" = 1
OUT=$("$FCP" invoke fcp.notes notes_put --input "$W/put.json" --token "$W/put.tok" --json 2>/dev/null)
CODE=$(echo "$OUT" | jget 'd.get("code","")')
check "old Risky token refused: checkpoint behind ($CODE)" bash -c "[ -n '$CODE' ] && '$FCP' errors 2>/dev/null | grep '$CODE' | grep -qi checkpoint"
"$FCP" token mint --zone z:private --audience fcp.notes --capability notes.write --operation notes_put \
    --grant "$WCAP" -o "$W/put2.tok" >/dev/null 2>&1
OUT=$("$FCP" invoke fcp.notes notes_put --input "$W/put.json" --token "$W/put2.tok" 2>&1)
check "re-minted Risky token allowed" bash -c "echo '$OUT' | grep -Eq '^receipt [0-9a-f]{64}$'"
HEAD=$(python3 -c "
import json,subprocess,sys
print(subprocess.run([sys.argv[1],'revoke','--status','--json'],capture_output=True,text=True).stdout)" "$FCP" | jget 'd.get("head","")')
"$FCP" token mint --zone z:private --audience fcp.notes --capability notes.write --operation notes_put \
    --grant "$WCAP" --offline --aud-binary "$BIN" --checkpoint "1:${HEAD:-x}" -o "$W/put3.tok" >/dev/null 2>&1
OUT=$("$FCP" invoke fcp.notes notes_put --input "$W/put.json" --token "$W/put3.tok" 2>&1)
check "offline --aud-binary + --checkpoint SEQ:HEX allowed" bash -c "echo '$OUT' | grep -Eq '^receipt [0-9a-f]{64}$'"
"$FCP" token mint --zone z:private --audience fcp.notes --capability notes.write --operation notes_put \
    --grant "$W/elsewhere.cap" -o "$W/put4.tok" >/dev/null 2>"$W/err"
check "a grant file outside FCP_HOME/grants: mint warns" grep -q "not in $H/grants" "$W/err"
OUT=$("$FCP" invoke fcp.notes notes_put --input "$W/put.json" --token "$W/put4.tok" 2>&1)
check "... and fcpd does not find it (FCP-3123)" bash -c "echo '$OUT' | grep -q FCP-3123"
"$FCP" token mint --zone z:private --audience fcp.notes --capability c --checkpoint 1:zz -o "$W/x" 2>"$W/err" >/dev/null
check "bad --checkpoint: FCP-6363" grep -q FCP-6363 "$W/err"
"$FCP" token mint --zone z:private --audience fcp.notes --capability c --grant nosuch -o "$W/x" 2>"$W/err" >/dev/null
check "unknown --grant: FCP-6361" grep -q FCP-6361 "$W/err"
"$FCP" token mint --zone z:private --audience fcp.none --capability c --connector-binary-from-daemon -o "$W/x" 2>"$W/err" >/dev/null
check "--connector-binary-from-daemon for an unknown connector: FCP-6362" grep -q FCP-6362 "$W/err"

# ------------------------------------------------------------ metrics
check "metrics: fcp_revocation_seq 1" test "$(metric fcp_revocation_seq)" = 1
check "metrics: fcp_revocations_total >= 1" test "$(metric fcp_revocations_total)" -ge 1
check "metrics: refused-by-revocation counter present" test -n "$(metric fcp_revocation_refused_datagrams_total)"
finish
