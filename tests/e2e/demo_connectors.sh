#!/usr/bin/env bash
# demo_connectors.sh - asserts the story scripts/demo-connectors.sh tells
# (make demo-connectors), from its output and from what it leaves behind with
# DEMO_KEEP (FCP_HOME, the data dir, the server's request log, the secret):
#   - the demo exits 0, prints no colour codes when stdout is not a terminal
#     and never prints the secret
#   - the invoke succeeded with a receipt whose file exists and whose id is
#     the result_object_id of an invoke.complete event in the audit chain
#   - the HTTPS server saw "Authorization: Bearer <secret>" (fingerprints
#     compared here from the kept secret) and the secret is nowhere in the
#     kept home or data dir besides its own file
#   - `fcp audit verify` accepts the kept chain: invoke.complete x2 (CLI and
#     MCP), invoke.failed (the egress refusal, FCP-43xx), invoke.deny (the
#     revoked token, FCP-3130 as `fcp errors` names it) and the persisted
#     revocation names the token
#   - without FCPD_EGRESS_CA_FILE (DEMO_NO_CA=1) the call fails certificate
#     verification (FCP-4336) and the server sees no request
#   - nothing is left running and the temp dir is gone, also when a step
#     fails or the demo is stopped with SIGINT or SIGTERM half-way
# Prints "demo_connectors: N passed, N failed".  FCP_BUILD (default build).
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${FCP_BUILD:-build}
FCP=$B/fcp
W=$(mktemp -d /tmp/fcp-demotest.XXXXXX)
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { local d=$1; shift; if "$@"; then ok; else bad "$d"; fi; }
BG=""
cleanup() {
    [ -n "$BG" ] && kill -KILL "$BG" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT INT TERM
finish() {
    echo "demo_connectors: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit $?
}
skip() { echo "demo_connectors: SKIPPED: $1"; echo "demo_connectors: 0 passed, 0 failed"; exit 0; }
command -v openssl >/dev/null 2>&1 || skip "openssl not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 not installed"
python3 -c "import ssl, http.server" 2>/dev/null || skip "python3 without ssl"
for x in "$FCP" "$B/fcpd" "$B/connector-http" "$B/libfcp.a"; do
    if [ ! -e "$x" ]; then
        echo "demo_connectors: needs $x (make first)"
        echo "demo_connectors: 0 passed, 1 failed"
        exit 1
    fi
done

# processes whose command line names DIR (the demo's temp dir)
running_in() { ps -eo pid=,args= | grep -F -- "$1" | grep -v -e grep -e "ps -eo" | grep -q .; }
not_running() { ! running_in "$1"; }

# ------------------------------------------------------------ the full run
K=$W/keep
FCP_BUILD=$B DEMO_KEEP=$K timeout 180 scripts/demo-connectors.sh >"$W/out" 2>&1
rc=$?
check "the demo exits 0 (got $rc)" test $rc -eq 0
[ $rc -eq 0 ] || { tail -n 30 "$W/out"; finish; }
TD=$(sed -n 's/.*FCP home (owner, node keys, zone keys) in \(\/[^;]*\);.*/\1/p' "$W/out" | head -n 1)
check "the demo names its temp dir" test -n "$TD"
check "the temp dir is removed" test -n "$TD" -a ! -e "$TD"
check "nothing of the demo is left running" not_running "${TD:-/nonexistent}"
check "no colour codes when stdout is not a terminal" bash -c "! grep -q $'\033' '$W/out'"
for s in 1 2 3 4 5 6 7; do
    check "step $s narrated" grep -q "^\[[0-9.]* s\] $s\. " "$W/out"
done
check "done line" grep -q '^\[[0-9.]* s\] done in [0-9.]* s$' "$W/out"

SECRET=$(tr -d '\n' <"$K/api.token" 2>/dev/null)
check "the secret was kept for the test" test -n "$SECRET"
check "the demo never prints the secret" bash -c "! grep -qF -- '$SECRET' '$W/out'"
FP=$(printf 'Bearer %s' "$SECRET" | sha256sum | cut -c1-16)

# the invoke and its receipt
SUMMARY=$(grep '^demo summary: ' "$W/out")
RECEIPT=$(echo "$SUMMARY" | sed -n 's/.*receipt=\([0-9a-f]\{64\}\) .*/\1/p')
TOKEN_ID=$(echo "$SUMMARY" | sed -n 's/.*token=\([0-9a-f]\{64\}\) .*/\1/p')
EG=$(echo "$SUMMARY" | sed -n 's/.*egress_denied=\(FCP-[0-9]*\).*/\1/p')
RV=$(echo "$SUMMARY" | sed -n 's/.*revoked=\(FCP-[0-9]*\).*/\1/p')
check "the invoke printed its output (status 200 from the server)" grep -q 'output  {.*\\"authorized\\": true.*"status":200' "$W/out"
check "a receipt id was printed" test ${#RECEIPT} -eq 64
check "the receipt is stored" test -s "$K/data/receipts/$RECEIPT.cbor"
check "the receipt decodes as canonical CBOR" bash -c "'$FCP' cbor diag '$K/data/receipts/$RECEIPT.cbor' | grep -q 'canonical: yes'"

# the server saw the injected credential: both calls (CLI, MCP) carried it
check "the server saw two authorized calls" test "$(grep -c "^GET /v1/weather?city=Lisbon auth=$FP\$" "$K/requests.log")" -eq 2
check "the server saw nothing else" test "$(wc -l <"$K/requests.log")" -eq 2
check "the demo printed the same fingerprint" grep -q "fingerprint $FP)" "$W/out"
check "the secret is in no kept file but its own" bash -c "! grep -rlF -- '$SECRET' '$K/home' '$K/data'"
check "the MCP call succeeded with a receipt" grep -Eq 'tools/call  -> isError false, status 200, receipt [0-9a-f]{64}' "$W/out"
check "the MCP tool was listed" grep -q 'tools/list  -> fcp.http.http_request' "$W/out"

# the audit chain, verified here from the kept files
AUD=$K/data/audit/z_private.cbor
check "fcp audit verify accepts the kept chain" bash -c "'$FCP' audit verify --home '$K/home' --zone z:private '$AUD' >/dev/null"
VJ=$("$FCP" audit verify --home "$K/home" --zone z:private "$AUD" --json 2>/dev/null)
check "the chain has 4 events" python3 -c "import json,sys; d=json.loads(sys.argv[1]); assert d['ok'] is True and d['events']==4" "$VJ"
mkdir -p "$W/chain"
python3 - "$AUD" "$W/chain" <<'EOF'
import sys
b = open(sys.argv[1], "rb").read()
def skip(i):
    ib = b[i]; mt, ai = ib >> 5, ib & 31; i += 1
    if ai < 24: v = ai
    elif ai in (24, 25, 26, 27):
        n = 1 << (ai - 24); v = int.from_bytes(b[i:i + n], "big"); i += n
    else: raise SystemExit(1)
    if mt in (2, 3): return i + v
    if mt == 4:
        for _ in range(v): i = skip(i)
    elif mt == 5:
        for _ in range(2 * v): i = skip(i)
    elif mt == 6: i = skip(i)
    return i
i = n = 0
while i < len(b):
    j = skip(i); open("%s/%d.cbor" % (sys.argv[2], n), "wb").write(b[i:j]); i, n = j, n + 1
EOF
ev() {   # index key -> value (byte strings as hex)
    "$FCP" cbor diag "$W/chain/$1.cbor" 2>/dev/null | python3 -c "
import json,re,sys
t=sys.stdin.read().split('\ncanonical:')[0]
print(json.loads(re.sub(r\"h'([0-9a-f]*)'\", r'\"\1\"', t)).get(sys.argv[1],''))" "$2"
}
E0="$(ev 0 event_type) $(ev 0 connector_id) $(ev 0 operation)"
check "event 0 is invoke.complete of fcp.http/http_request (got '$E0')" test "$E0" = "invoke.complete fcp.http http_request"
check "event 0 names the receipt" test "$(ev 0 result_object_id)" = "$RECEIPT"
check "event 0 is signed by the demo node" test "$(ev 0 signer)" = demo-node
check "event 1 is the MCP call's invoke.complete" test "$(ev 1 event_type)" = invoke.complete
# The MCP call repeats step 4's call: when both run in the same second with
# the same answer their receipts are byte-identical (executed_at has second
# resolution and the request id excludes time, D-INVOKE-2), so the receipt may
# be the same object; the audit events stay distinct (seq, prev).
check "event 1 names a stored receipt" test -s "$K/data/receipts/$(ev 1 result_object_id).cbor"
check "event 1 is a later audit event than event 0" test "$(ev 1 seq)" -gt "$(ev 0 seq)"
check "event 2 is the egress refusal (invoke.failed)" test "$(ev 2 event_type)" = invoke.failed
check "event 3 is the revoked token's invoke.deny" test "$(ev 3 event_type)" = invoke.deny

# the denials and their codes
check "the egress refusal is FCP-43xx (got $EG)" bash -c "case '$EG' in FCP-43[0-9][0-9]) exit 0;; esac; exit 1"
check "fcp errors names $EG an egress host refusal" bash -c "'$FCP' errors | grep -E '^ *${EG#FCP-}\b|${EG}' | grep -qi 'host'"
check "the revoked token is denied with FCP-3130" test "$RV" = FCP-3130
check "fcp errors names FCP-3130 a revoked token" bash -c "'$FCP' errors | grep -E '3130' | grep -qi 'revoked'"
check "the denial printed its code" grep -q '^    denied: FCP-3130 ' "$W/out"
check "the DecisionReceipt was shown: Deny with the code" grep -q 'decision Deny  reason_code FCP-3130' "$W/out"
check "the revocation was persisted by fcpd" bash -c "ls '$K/data/revocations/' 2>/dev/null | grep -q ."
check "the revoked id is the token's" grep -q "revoked 1 id (capability) $TOKEN_ID" "$W/out"
check "simulate allowed the in-grant call" grep -q 'fcp simulate (the allowed call): simulated: allow' "$W/out"

# ------------------------------------------------------------ untrusted certificate
# Without FCPD_EGRESS_CA_FILE the demo's self-signed server is not trusted:
# the call fails certificate verification and no request (so no secret)
# reaches the server.
K2=$W/keep-noca
FCP_BUILD=$B DEMO_KEEP=$K2 DEMO_NO_CA=1 timeout 180 scripts/demo-connectors.sh >"$W/out-noca" 2>&1
rc=$?
check "without the CA file the demo fails (got $rc)" test $rc -ne 0
check "the call failed TLS verification: FCP-4336" grep -q '"code":"FCP-4336"' "$W/out-noca"
check "the untrusted server saw no HTTP request" test -f "$K2/requests.log" -a ! -s "$K2/requests.log"
TD2=$(sed -n 's/.*FCP home (owner, node keys, zone keys) in \(\/[^;]*\);.*/\1/p' "$W/out-noca" | head -n 1)
check "after a failed step nothing is left running" not_running "${TD2:-/nonexistent}"
check "after a failed step the temp dir is removed" test -n "$TD2" -a ! -e "$TD2"

# ------------------------------------------------------------ interrupted runs
# Stopped with SIGINT (Ctrl-C) or SIGTERM once fcpd runs: the trap must stop
# fcpd, the connector and the server and remove the temp dir.  Job control
# (set -m) so that the background demo does not ignore SIGINT.
interrupt() {   # signal
    local out=$W/int-$1 td="" fpid=""
    set -m
    FCP_BUILD=$B NO_COLOR=1 scripts/demo-connectors.sh >"$out" 2>&1 &
    BG=$!
    set +m
    for _ in $(seq 1 1200); do
        grep -q 'fcpd is running' "$out" 2>/dev/null && break
        kill -0 "$BG" 2>/dev/null || break
        sleep 0.05
    done
    td=$(sed -n 's/.*FCP home (owner, node keys, zone keys) in \(\/[^;]*\);.*/\1/p' "$out" | head -n 1)
    fpid=$(sed -n 's/.*fcpd is running (pid \([0-9]*\)).*/\1/p' "$out" | head -n 1)
    if [ -z "$td" ] || [ -z "$fpid" ]; then
        bad "SIG$1: the demo did not reach a running fcpd"
        kill -KILL "$BG" 2>/dev/null
        BG=""
        return
    fi
    kill -"$1" "$BG"
    for _ in $(seq 1 200); do kill -0 "$BG" 2>/dev/null || break; sleep 0.05; done
    wait "$BG" 2>/dev/null
    local rc=$?
    BG=""
    check "SIG$1: the demo exits non-zero (got $rc)" test "$rc" -ne 0
    check "SIG$1: fcpd is stopped" bash -c "! kill -0 $fpid 2>/dev/null"
    check "SIG$1: nothing of the demo is left running" not_running "$td"
    check "SIG$1: the temp dir is removed" test ! -e "$td"
}
interrupt INT
interrupt TERM
finish
