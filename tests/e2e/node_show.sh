#!/usr/bin/env bash
# node_show.sh - `fcp node show`: this node's identity read from FCP_HOME, its
# attestation verified against owner.pub (a foreign owner.pub is refused with
# the attestation's signature code), zones listed by key id, keys never shown.
# Prints "node_show: N passed, N failed".  FCP_BUILD (default build).
set -u
B=${FCP_BUILD:-build}
FCP="$B/fcp"
W=$(mktemp -d /tmp/fcp-node-show.XXXXXX)
trap 'rm -rf "$W"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $1" >&2; }
check() { local d=$1; shift; if "$@"; then ok; else bad "$d"; fi; }

"$FCP" init --home "$W/a" --node-id node-a --listen 127.0.0.1:7901 >/dev/null 2>&1 || bad "init a"
"$FCP" init --home "$W/b" --node-id node-b --listen 127.0.0.1:7902 >/dev/null 2>&1 || bad "init b"

"$FCP" node show --home "$W/a" >"$W/out" 2>&1; rc=$?
check "show exits 0" test "$rc" = 0
check "show names the node" grep -q '^node  *node-a$' "$W/out"
check "attestation verified" grep -q '^attestation ok' "$W/out"
check "zones listed" grep -q 'z:private (key [0-9a-f]\{16\})' "$W/out"

"$FCP" node show --home "$W/a" --json >"$W/j" 2>&1
check "json parses with the fields" python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
assert d['node_id']=='node-a' and d['attestation']=='ok'
assert len(d['sig_pubkey'])==64 and len(d['enc_pubkey'])==64 and len(d['iss_pubkey'])==64
assert any(z['zone']=='z:private' and len(z['kid'])==16 for z in d['zones'])
" "$W/j"
# no zone key (the 64-hex keys of zones.key) appears in the output
leak=0
while read -r zone kid key oid; do
    case "$zone" in ''|'#'*) continue ;; esac
    grep -q "$key" "$W/out" "$W/j" && leak=1
    grep -q "$oid" "$W/out" "$W/j" && leak=1
done <"$W/a/zones.key"
check "no zone key or ObjectIdKey printed" test "$leak" = 0

cp "$W/b/owner.pub" "$W/a/owner.pub"
"$FCP" node show --home "$W/a" >"$W/out2" 2>&1; rc=$?
check "foreign owner.pub: exit 1" test "$rc" = 1
check "foreign owner.pub: signature code" grep -q '^attestation FCP-20' "$W/out2"

"$FCP" node show --home "$W/none" >"$W/out3" 2>&1; rc=$?
check "missing home: exit 1 with a message" bash -c "[ $rc = 1 ] && grep -q 'node.attest' '$W/out3'"
"$FCP" node show --bogus >/dev/null 2>&1; rc=$?
check "unknown option: exit 2" test "$rc" = 2

echo "node_show: $pass passed, $fail failed"
[ "$fail" = 0 ]
