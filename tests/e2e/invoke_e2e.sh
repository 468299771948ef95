#!/usr/bin/env bash
# invoke_e2e.sh - end-to-end tests of the connector runtime inside fcpd
# (docs/connectors.md "Running connectors in fcpd"): one node with the notes
# and http reference connectors from [[connector]] entries (strict sandbox),
# grant objects and tokens minted by tests/e2e/invoke_helper.c, then:
#   - both connectors become active; activation time (spawn -> ready) printed
#   - allowed invokes print output and receipt; the zone's audit chain file
#     grows and `fcp audit verify` accepts it
#   - forged, expired, wrong-audience and over-attenuated tokens are denied
#     with their codes (and a signed DecisionReceipt)
#   - an idempotent retry runs the operation once and returns the same receipt
#     and the original output; intents go to the zone's intents log; after
#     the restart the daemon runs with FCPD_INVOKE_DURABILITY=batch
#   - simulate answers without running anything
#   - egress to a host outside the constraints is denied by the proxy and
#     counted in /metrics
#   - a connector killed with SIGKILL is seen at once and restarted after
#     its backoff; stop / activate; install of a new version and rollback;
#     a bad signature is refused at install
#   - while a connector hangs (SIGSTOP) fcpd keeps answering `fcp status`,
#     the call times out (FCP-5133) and the connector comes back
#   - a revoked connector binary refuses to start (FCP-3169)
# Everything runs in a temp dir on 127.0.0.1; the daemon is killed on exit.
# Prints "invoke_e2e: N passed, N failed".  FCP_BUILD (default build).
E2E_TMP=inv
. "$(dirname "$0")/e2e_base.inc"

cleanup() {
    [ -n "${KEEP_LOG:-}" ] && cp "$W/data/fcpd.log" "$KEEP_LOG" 2>/dev/null
    [ -f "$W/h/fcpd.pid" ] && kill -KILL "$(cat "$W/h/fcpd.pid")" 2>/dev/null
    [ -n "${STOPPED_PG:-}" ] && kill -CONT -- "-$STOPPED_PG" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT INT TERM

finish() {
    echo "invoke_e2e: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit $?
}

for x in "$FCP" "$FCPD" "$B/connector-notes" "$B/connector-http" "$B/libfcp.a"; do
    if [ ! -e "$x" ]; then
        echo "invoke_e2e: needs $x (make first)"
        echo "invoke_e2e: 0 passed, 1 failed"
        exit 1
    fi
done
if ! command -v python3 >/dev/null; then
    echo "invoke_e2e: needs python3"
    echo "invoke_e2e: 0 passed, 1 failed"
    exit 1
fi

# the helper, built with the library's own flags (sanitizers in build-asan)
SAN=""
case "$B" in *asan*) SAN="-fsanitize=address,undefined -fno-omit-frame-pointer" ;; esac
LIBS="$(sed -n 's/^LDLIBS  *:= *//p' Makefile | sed 's/\\$//') $(sed -n '/^LDLIBS  *:=.*\\$/{n;p}' Makefile)"
if ! ${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 -g $SAN -Wall -Wextra -Werror -Iinclude -o "$W/helper" \
    tests/e2e/invoke_helper.c "$B/libfcp.a" $LIBS 2>"$W/cc.log"; then
    cat "$W/cc.log"
    echo "invoke_e2e: 0 passed, 1 failed"
    exit 1
fi
HELPER=$W/helper

free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_'"$1"'); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1" 2>/dev/null; }
H=$W/h
D=$W/data
export FCP_HOME=$H
show() { "$FCP" connector show "$1" --json 2>/dev/null | jget "d['connectors'][0]$2"; }
state() { show "$1" "['state']"; }
# binary_is CONNECTOR PATTERN: `fcp connector show` names a binary matching
# PATTERN, retried for up to 5 s (a loaded machine may answer the first show
# slowly); a first answer that did not match is printed, so a transient wrong
# binary would still be seen in the log.
binary_is() {
    local out i
    for i in $(seq 25); do
        out=$("$FCP" connector show "$1" 2>&1)
        if grep -q "binary $2" <<<"$out"; then
            [ "$i" -gt 1 ] && echo "note: binary_is $1 matched on try $i"
            return 0
        fi
        [ "$i" = 1 ] && { echo "note: first connector show of $1:"; echo "$out"; }
        sleep 0.2
    done
    return 1
}
wait_state() {   # connector state timeout_s
    local i=0
    while [ $i -lt $(($3 * 20)) ]; do
        [ "$(state "$1")" = "$2" ] && return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}
metric() { python3 -c "
import urllib.request,sys
t=urllib.request.urlopen('http://127.0.0.1:$MP/metrics',timeout=5).read().decode()
for l in t.splitlines():
    if l.startswith(sys.argv[1]+' '): print(l.split()[-1])" "$1"; }

UP=$(free_port DGRAM)
MP=$(free_port STREAM)
"$FCP" init --home "$H" --node-id node-1 --listen 127.0.0.1:$UP --data-dir "$D" --metrics 127.0.0.1:$MP >/dev/null
# the reference connectors' test publisher key (seed a0..bf)
python3 -c "print(''.join('%02x'%(0xa0+i) for i in range(32)))" >"$W/pub.seed"
SIGN=$("$FCP" connector sign --manifest connectors/notes/manifest.toml --binary "$B/connector-notes" --key "$W/pub.seed")
SIGH=$("$FCP" connector sign --manifest connectors/http/manifest.toml --binary "$B/connector-http" --key "$W/pub.seed")
check "connector sign prints 128 hex digits" test ${#SIGN} -eq 128
cat >>"$H/fcpd.toml" <<EOF

[[connector]]
id = "fcp.notes"
manifest = "$PWD/connectors/notes/manifest.toml"
binary = "$PWD/$B/connector-notes"
signature = "$SIGN"
restart_initial_ms = 400
restart_max_ms = 4000
health_interval_ms = 1000

[[connector]]
id = "fcp.http"
manifest = "$PWD/connectors/http/manifest.toml"
binary = "$PWD/$B/connector-http"
signature = "$SIGH"
EOF
"$FCPD" --daemon --log-level info || { bad "fcpd starts"; finish; }
check "notes connector becomes active" wait_state fcp.notes active 10
check "http connector becomes active" wait_state fcp.http active 10
ACT_N=$(show fcp.notes "['runtime']['activation_ms']")
ACT_H=$(show fcp.http "['runtime']['activation_ms']")
echo "activation (spawn -> handshake -> configure -> health, strict sandbox): notes ${ACT_N} ms, http ${ACT_H} ms"
check "connectors op lists both with operations" bash -c "'$FCP' connector list | grep -q 'fcp.notes .*notes_put'"
LIST=$("$FCP" connector list --json)
check "connectors op: contract fields" python3 -c "
import json,sys
d=json.loads(sys.argv[1]); c={x['id']:x for x in d['connectors']}
n=c['fcp.notes']; ops={o['name']:o for o in n['operations']}
assert d['ok'] is True and n['state']=='active' and n['version']=='0.1.0' and n['description']
p=ops['notes_put']; assert p['tier']=='risky' and p['idempotent'] is True and p['rate_limit']=='60/min'
assert p['capability']=='notes.write' and json.loads(p['input_schema'])['type']=='object'
assert 'rate_limit' not in ops['notes_get'] and ops['notes_delete']['requires_approval'] is True
assert set(n.keys())=={'id','version','state','description','operations'}
" "$LIST"
BIN_N=$(show fcp.notes "['runtime']['binary_id']")
BIN_H=$(show fcp.http "['runtime']['binary_id']")

# ------------------------------------------------------------ grants, tokens
mkdir -p "$H/grants"
for cap in notes.read notes.write notes.delete http.request; do
    "$HELPER" grant "$H" z:private $cap "$H/grants/$cap.cap" || bad "grant $cap"
done
"$HELPER" grant "$H" z:private notes.read "$H/grants/narrow.cap" 5 || bad "grant narrow"
RISKY="--aud-binary $BIN_N --holder node-1 --checkpoint"
T=$W/t
mkdir -p "$T"
"$HELPER" token "$H" z:private fcp.notes notes.read notes_list "$H/grants/notes.read.cap" "$T/list" &&
"$HELPER" token "$H" z:private fcp.notes notes.read notes_get "$H/grants/notes.read.cap" "$T/get" &&
"$HELPER" token "$H" z:private fcp.notes notes.write notes_put "$H/grants/notes.write.cap" "$T/put" $RISKY &&
"$HELPER" token "$H" z:private fcp.notes notes.read notes_list "$H/grants/notes.read.cap" "$T/forged" --forge &&
"$HELPER" token "$H" z:private fcp.notes notes.read notes_list "$H/grants/notes.read.cap" "$T/expired" --expired &&
"$HELPER" token "$H" z:private fcp.http notes.read notes_list "$H/grants/notes.read.cap" "$T/wrongaud" &&
"$HELPER" token "$H" z:private fcp.notes notes.read notes_list "$H/grants/narrow.cap" "$T/wider" --max-calls 50 &&
"$HELPER" token "$H" z:private fcp.notes notes.read notes_list "$H/grants/narrow.cap" "$T/narrow" --max-calls 3 &&
"$HELPER" token "$H" z:private fcp.notes notes.delete notes_delete "$H/grants/notes.delete.cap" "$T/del" $RISKY &&
"$HELPER" token "$H" z:private fcp.http http.request http_request "$H/grants/http.request.cap" "$T/http" \
    --aud-binary "$BIN_H" --holder node-1 --checkpoint || bad "minting tokens"

# ------------------------------------------------------------ allowed calls
echo '{}' >"$W/empty.json"
echo '{"name":"groceries","text":"milk, eggs"}' >"$W/put.json"
echo '{"name":"groceries"}' >"$W/get.json"
AUD=$D/audit/z_private.cbor
OUT=$("$FCP" invoke fcp.notes notes_put --input "$W/put.json" --token "$T/put" --idempotency-key put-1 2>&1)
check "risky put allowed, output and receipt shown" bash -c "echo '$OUT' | grep -q '\"bytes\":10' && echo '$OUT' | grep -Eq '^receipt [0-9a-f]{64}$'"
R1=$(echo "$OUT" | sed -n 's/^receipt \([0-9a-f]*\).*/\1/p')
check "receipt persisted" test -s "$D/receipts/$R1.cbor"
check "the intent is in the zone's intents log" test -s "$D/intents/z_private.cbor"
check "the output of a keyed call is kept for replays" test -s "$D/receipts/$R1.out"
SZ1=$(stat -c %s "$AUD" 2>/dev/null || echo 0)
OUT=$("$FCP" invoke fcp.notes notes_get --input "$W/get.json" --token "$T/get" --json)
check "safe get returns the note (json: output, receipt_id, receipt)" python3 -c "
import json,sys; d=json.loads(sys.argv[1]); o=json.loads(d['output'])
assert d['ok'] and o['text']=='milk, eggs' and len(d['receipt_id'])==64 and len(d['receipt'])>100" "$OUT"
SZ2=$(stat -c %s "$AUD")
check "audit chain file grows with each call" test "$SZ2" -gt "$SZ1" -a "$SZ1" -gt 0
check "fcp audit verify accepts the chain" "$FCP" audit verify --zone z:private "$AUD"

# ------------------------------------------------------------ idempotency
OK1=$(show fcp.notes "['runtime']['invokes_ok']")
OUT=$("$FCP" invoke fcp.notes notes_put --input "$W/put.json" --token "$T/put" --idempotency-key put-1 2>&1)
R2=$(echo "$OUT" | sed -n 's/^receipt \([0-9a-f]*\).*/\1/p')
check "idempotent retry returns the first receipt" test "$R2" = "$R1"
check "idempotent retry says replayed" bash -c "echo '$OUT' | grep -q replayed"
check "idempotent retry returns the original output" bash -c "echo '$OUT' | grep -q '\"bytes\":10'"
OK2=$(show fcp.notes "['runtime']['invokes_ok']")
check "idempotent retry did not run the connector again" test "$OK2" = "$OK1"
echo '{"name":"groceries","text":"other"}' >"$W/put2.json"
check "same key, other input: conflict" bash -c "'$FCP' invoke fcp.notes notes_put --input '$W/put2.json' --token '$T/put' --idempotency-key put-1 2>&1 | grep -q 'FCP-'"

# ------------------------------------------------------------ denials
deny() {   # name token op input code
    local out
    out=$("$FCP" invoke fcp.notes "$3" --input "$4" --token "$2" --json 2>/dev/null)
    local rc=$?
    local code
    code=$(echo "$out" | jget "d['code']")
    if [ $rc -ne 0 ] && [ "$code" = "$5" ]; then ok; else bad "$1 denied with $5 (got rc $rc code $code)"; fi
    if echo "$out" | jget "d['decision_receipt']" | grep -Eq '^[0-9a-f]{200,}$'; then ok; else bad "$1 carries a DecisionReceipt"; fi
}
deny "forged token (bad signature)" "$T/forged" notes_list "$W/empty.json" FCP-3108
deny "expired token" "$T/expired" notes_list "$W/empty.json" FCP-2002
deny "wrong audience" "$T/wrongaud" notes_list "$W/empty.json" FCP-3117
deny "constraints wider than the grant" "$T/wider" notes_list "$W/empty.json" FCP-3129
check "narrower constraints are allowed" "$FCP" invoke fcp.notes notes_list --input "$W/empty.json" --token "$T/narrow"
OUT=$("$FCP" invoke fcp.notes notes_delete --input "$W/get.json" --token "$T/del" 2>&1)
check "dangerous delete without approval denied, code and reason printed" bash -c "echo '$OUT' | grep -q 'denied: FCP-'"
check "a denial exits 1" bash -c "! '$FCP' invoke fcp.notes notes_list --input '$W/empty.json' --token '$T/expired' 2>/dev/null"
check "unknown connector: FCP-5300" bash -c "'$FCP' invoke fcp.nope x --input '$W/empty.json' --token '$T/list' 2>&1 | grep -q FCP-5300"
echo 'not json' >"$W/bad.json"
check "malformed input JSON denied" bash -c "'$FCP' invoke fcp.notes notes_list --input '$W/bad.json' --token '$T/list' 2>&1 | grep -q 'denied: FCP-'"
check "fcp audit verify still accepts the chain after denials" "$FCP" audit verify --zone z:private "$AUD"

# ------------------------------------------------------------ simulate
OK3=$(show fcp.notes "['runtime']['invokes_ok']")
check "simulate allowed" bash -c "'$FCP' simulate fcp.notes notes_list --input '$W/empty.json' --token '$T/list' | grep -q 'simulated: allow'"
check "simulate json contract" bash -c "'$FCP' simulate fcp.notes notes_list --input '$W/empty.json' --token '$T/list' --json | grep -q '\"simulated\":true'"
check "simulate denied with a code" bash -c "! '$FCP' simulate fcp.notes notes_list --input '$W/empty.json' --token '$T/expired' 2>/dev/null"
check "simulate ran nothing" test "$(show fcp.notes "['runtime']['invokes_ok']")" = "$OK3"

# ------------------------------------------------------------ egress
echo '{"method":"GET","url":"https://evil.example.net/steal"}' >"$W/egress.json"
DEN0=$(metric 'fcp_egress_requests_total{result="denied"}')
INV0=$(metric 'fcp_invoke_duration_seconds_count')
OUT=$("$FCP" invoke fcp.http http_request --input "$W/egress.json" --token "$T/http" 2>&1)
INV1=$(metric 'fcp_invoke_duration_seconds_count')
check "invoke latency histogram counts the call ($INV0 -> $INV1)" test "${INV1:-0}" -eq $(( ${INV0:-0} + 1 ))
check "egress outside host_allow refused (FCP-43xx)" bash -c "echo '$OUT' | grep -q 'FCP-43'"
DEN1=$(metric 'fcp_egress_requests_total{result="denied"}')
check "denied egress counted in /metrics" test "${DEN1:-0}" -gt "${DEN0:-0}"
check "/metrics has connector gauges" bash -c "[ \"\$(python3 -c \"import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:$MP/metrics').read().decode())\" | grep -c 'fcp_connector_up{connector=\"fcp.notes\"} 1')\" = 1 ]"

# ------------------------------------------------------------ SIGKILL -> restart with backoff
PID=$(show fcp.notes "['runtime']['pid']")
C0=$(show fcp.notes "['runtime']['crashes']")
check "connector has a pid" test "${PID:-0}" -gt 0
T0=$(date +%s%N)
kill -KILL -- "-$PID" 2>/dev/null
check "the crash is seen and a restart scheduled" bash -c "for i in \$(seq 40); do s=\$('$FCP' connector show fcp.notes --json | python3 -c 'import json,sys; d=json.load(sys.stdin)[\"connectors\"][0]; print(d[\"state\"], d[\"runtime\"][\"crashes\"])'); case \"\$s\" in 'failed '*|'verified '*) exit 0;; esac; [ \"\${s#* }\" != '$C0' ] && exit 0; sleep 0.05; done; exit 1"
check "restarted after SIGKILL" wait_state fcp.notes active 10
T1=$(date +%s%N)
echo "SIGKILL -> active again: $(( (T1 - T0) / 1000000 )) ms (first backoff 400 ms)"
check "restart counted" test "$(show fcp.notes "['runtime']['restarts']")" -ge 1
check "new process" test "$(show fcp.notes "['runtime']['pid']")" != "$PID"
check "calls work after the restart" "$FCP" invoke fcp.notes notes_get --input "$W/get.json" --token "$T/get"
# two quick kills: the second delay doubles
PID=$(show fcp.notes "['runtime']['pid']")
kill -KILL -- "-$PID" 2>/dev/null
sleep 0.2
PID2=""
for i in $(seq 60); do
    [ "$(state fcp.notes)" = active ] && PID2=$(show fcp.notes "['runtime']['pid']") && break
    sleep 0.05
done
[ -n "$PID2" ] && kill -KILL -- "-$PID2" 2>/dev/null
sleep 0.2
RIN=$(show fcp.notes "['runtime']['restart_in_ms']")
check "backoff grows after consecutive crashes (restart_in_ms ${RIN} > 400)" test "${RIN:-0}" -gt 400
check "active again after the backoff" wait_state fcp.notes active 10

# ------------------------------------------------------------ hang: fcpd keeps serving
PID=$(show fcp.notes "['runtime']['pid']")
STOPPED_PG=$PID
kill -STOP -- "-$PID"
( "$FCP" invoke fcp.notes notes_get --input "$W/get.json" --token "$T/get" --json >"$W/hang.out" 2>&1 ) &
INV=$!
sleep 0.5
S0=$(date +%s%N)
check "fcp status answers while a connector hangs" timeout 2 "$FCP" status
check "fcp connector list answers while a connector hangs" timeout 2 "$FCP" connector list
S1=$(date +%s%N)
echo "status + list during the hang: $(( (S1 - S0) / 1000000 )) ms"
wait $INV
check "the hung call fails with FCP-5133 after the operation deadline" grep -q FCP-5133 "$W/hang.out"
kill -CONT -- "-$PID" 2>/dev/null
STOPPED_PG=""
check "the hung connector is replaced" wait_state fcp.notes active 10

# ------------------------------------------------------------ stop / activate
check "stop" "$FCP" connector stop fcp.notes
check "stopped state" wait_state fcp.notes stopped 5
check "invoke on a stopped connector: FCP-5312" bash -c "'$FCP' invoke fcp.notes notes_get --input '$W/get.json' --token '$T/get' 2>&1 | grep -q FCP-5312"
check "activate" "$FCP" connector activate fcp.notes
check "active after activate" wait_state fcp.notes active 10

# ------------------------------------------------------------ install, rollback
check "install with a bad signature refused (FCP-5123)" bash -c "'$FCP' connector install --manifest connectors/notes/manifest.toml --binary '$B/connector-notes' --signature $(printf '%0128d' 0) 2>&1 | grep -q FCP-5123"
check "install of a signed version" "$FCP" connector install --manifest connectors/notes/manifest.toml --binary "$B/connector-notes" --signature "$SIGN"
check "installed version active" wait_state fcp.notes active 10
check "previous version kept" test "$(show fcp.notes "['runtime']['previous_version']")" = "0.1.0"
check "installed binary is a copy under the data dir" binary_is fcp.notes ".*$D/connectors/fcp.notes/"
"$FCP" node stop >/dev/null 2>&1
for i in $(seq 100); do [ -f "$H/fcpd.pid" ] || break; sleep 0.05; done
# the restarted daemon answers invokes after write(2) and syncs in batches (D-RUNTIME-10)
FCPD_INVOKE_DURABILITY=batch "$FCPD" --daemon --log-level info || bad "fcpd restarts"
check "after a restart the installed version runs again" wait_state fcp.notes active 10
check "restored from the data dir" binary_is fcp.notes ".*$D/connectors/fcp.notes/"
check "the audit chain continues across the restart" "$FCP" invoke fcp.notes notes_get --input "$W/get.json" --token "$T/get"
check "fcp audit verify after the restart" "$FCP" audit verify --zone z:private "$AUD"
check "rollback" "$FCP" connector rollback fcp.notes
check "active after rollback" wait_state fcp.notes active 10
check "rolled back to the configured binary" binary_is fcp.notes ".*$PWD/$B/connector-notes"
check "calls work after install and rollback" "$FCP" invoke fcp.notes notes_get --input "$W/get.json" --token "$T/get"

# ------------------------------------------------------------ revoked binary refuses to start
if "$FCP" revoke --id "$BIN_N" --scope connector_binary --reason "e2e" >/dev/null 2>&1; then
    ok
    check "a running connector whose binary is revoked is stopped" wait_state fcp.notes failed 5
    check "invoke on a revoked connector: FCP-3169" bash -c "'$FCP' invoke fcp.notes notes_get --input '$W/get.json' --token '$T/get' 2>&1 | grep -q FCP-3169"
    sleep 1
    check "revoked binary refuses to start (FCP-3169)" bash -c "'$FCP' connector show fcp.notes | grep -q 'last_error  *FCP-3169'"
    check "revoked connector stays failed" test "$(state fcp.notes)" = failed
    check "activate cannot override a revocation" bash -c "'$FCP' connector activate fcp.notes 2>&1 | grep -q FCP-3169"
else
    bad "fcp revoke --scope connector_binary"
fi
check "fcp audit verify at the end" "$FCP" audit verify --zone z:private "$AUD"

# ------------------------------------------------------------ clean stop
HPID=$(show fcp.http "['runtime']['pid']")
"$FCP" node stop >/dev/null 2>&1
for i in $(seq 100); do [ -f "$H/fcpd.pid" ] || break; sleep 0.05; done
check "fcpd stops cleanly with its connectors" test ! -f "$H/fcpd.pid"
check "the connector processes are gone" bash -c "[ '${HPID:-0}' -gt 0 ] && ! kill -0 -- -${HPID:-0} 2>/dev/null"
finish
