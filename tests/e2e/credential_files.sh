#!/usr/bin/env bash
# credential_files.sh - credential files FCP_HOME/credentials/<id>.toml
# (docs/connectors.md "Credentials", D-RUNTIME-9) next to [[credential]]:
# fcpd loads the ones that pass the checks when it sets up a connector's
# egress and logs `credential.file` with the code for each one it refuses:
#   - readable by group or others (mode 0644): FCP-5308
#   - a symlink: FCP-5308
#   - a file name that is not "cred:<name>.toml": FCP-5309
#   - an id also listed in fcpd.toml: FCP-5309
#   - an unknown key, a missing secret, an id key that differs: FCP-5309
# A good file (0600) is accepted silently, and no secret ever reaches the log.
# Injection of a file credential into a request is the same proxy path as
# [[credential]] (tests/e2e/egress_https.sh, demo_connectors.sh).
# Prints "credential_files: N passed, N failed".  FCP_BUILD (default build).
E2E_TMP=credf
. "$(dirname "$0")/e2e_base.inc"
cleanup() {
    [ -f "$W/h/fcpd.pid" ] && kill -KILL "$(cat "$W/h/fcpd.pid")" 2>/dev/null
    [ -n "${KEEP_LOG:-}" ] && cp "$W/data/fcpd.log" "$KEEP_LOG" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT INT TERM
finish() {
    echo "credential_files: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit $?
}
for x in "$FCP" "$FCPD" "$B/connector-notes"; do
    if [ ! -e "$x" ]; then
        echo "credential_files: needs $x (make first)"
        echo "credential_files: 0 passed, 1 failed"
        exit 1
    fi
done
free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_'"$1"'); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1" 2>/dev/null; }
H=$W/h
D=$W/data
export FCP_HOME=$H
UP=$(free_port DGRAM)
"$FCP" init --home "$H" --node-id node-1 --listen 127.0.0.1:$UP --data-dir "$D" >/dev/null
python3 -c "print(''.join('%02x'%(0xa0+i) for i in range(32)))" >"$W/pub.seed"
SIGN=$("$FCP" connector sign --manifest connectors/notes/manifest.toml --binary "$B/connector-notes" --key "$W/pub.seed")
echo "dup-secret-$$" >"$W/dup.token"
chmod 600 "$W/dup.token"
cat >>"$H/fcpd.toml" <<EOF

[[connector]]
id = "fcp.notes"
manifest = "$PWD/connectors/notes/manifest.toml"
binary = "$PWD/$B/connector-notes"
signature = "$SIGN"

[[credential]]
id = "cred:dup"
secret_file = "$W/dup.token"
EOF
C=$H/credentials
mkdir -p "$C"
chmod 700 "$C"
S=secret-$$-$RANDOM
mk() {   # file mode content
    printf '%s\n' "$3" >"$C/$1"
    chmod "$2" "$C/$1"
}
mk "cred:good.toml" 600 "secret = \"$S-good\"
apply = \"header\"
name = \"authorization\"
prefix = \"Bearer \"
host_allow = [\"api.example.com\"]"
mk "cred:open.toml" 644 "secret = \"$S-open\""
mk "notcred.toml" 600 "secret = \"$S-name\""
mk "cred:dup.toml" 600 "secret = \"$S-dup\""
mk "cred:unknown.toml" 600 "secret = \"$S-unk\"
colour = \"blue\""
mk "cred:nosecret.toml" 600 "name = \"x-api-key\""
mk "cred:otherid.toml" 600 "id = \"cred:someone-else\"
secret = \"$S-id\""
mk "real.target" 600 "secret = \"$S-link\""
ln -s "$C/real.target" "$C/cred:link.toml"
mk "README" 644 "not a credential file (ignored: no .toml)"

"$FCPD" --daemon --log-level info || { bad "fcpd starts"; finish; }
i=0
while [ $i -lt 200 ]; do
    st=$("$FCP" connector show fcp.notes --json 2>/dev/null | jget "d['connectors'][0]['state']")
    [ "$st" = active ] && break
    sleep 0.05
    i=$((i + 1))
done
check "notes connector active" test "$st" = active
LOG=$D/fcpd.log
logged() {   # file code
    grep 'credential.file' "$LOG" | grep -F -- "$1" | grep -q -- "$2"
}
check "0644 file refused with FCP-5308" logged "cred:open.toml" 5308
check "symlink refused with FCP-5308" logged "cred:link.toml" 5308
check "bad file name refused with FCP-5309" logged "notcred.toml" 5309
check "id also in fcpd.toml refused with FCP-5309" logged "cred:dup.toml" 5309
check "unknown key refused with FCP-5309" logged "cred:unknown.toml" 5309
check "missing secret refused with FCP-5309" logged "cred:nosecret.toml" 5309
check "id key differing from the file name refused with FCP-5309" logged "cred:otherid.toml" 5309
check "the good file is accepted (nothing logged)" bash -c "! grep 'credential.file' '$LOG' | grep -qF 'cred:good.toml'"
check "files without .toml are ignored" bash -c "! grep 'credential.file' '$LOG' | grep -qF 'README'"
check "no secret in the log" bash -c "! grep -qF -- '$S' '$LOG'"
check "exactly 7 refusals" test "$(grep -c 'credential.file' "$LOG")" -eq 7
finish
