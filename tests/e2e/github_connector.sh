#!/usr/bin/env bash
# github_connector.sh - the github reference connector end to end: the host
# spawns $FCP_BUILD/connector-github (strict sandbox when the kernel allows
# it), and its egress requests go through the real egress proxy (policy
# engine + libcurl) to a local HTTPS server with GitHub's REST shape
# (tests/e2e/github_server.py, certificate for api.github.com made here with
# openssl).  The server requires "Authorization: Bearer <secret>" injected by
# the proxy from the credential id the connector names.  Checks: create,
# comment, list, 404s, rate limit, invalid input never sent, wrong secret
# refused, echoed secret redacted, the manifest's port and host constraints
# enforced (tests/e2e/github_client.c prints one line per check).
# Prints "github_connector: N passed, N failed"; skips loudly without
# openssl, python3 or the built connector.
set -u
cd "$(dirname "$0")/../.."
BUILD=${FCP_BUILD:-build}
NAME=${GH_E2E_NAME:-github_connector}
MODE=${GH_E2E_MODE:-github}

skip() { echo "$NAME: SKIPPED: $1"; echo "$NAME: 0 passed, 0 failed"; exit 0; }
command -v openssl >/dev/null 2>&1 || skip "openssl not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 not installed"
python3 -c "import ssl, http.server" 2>/dev/null || skip "python3 without ssl"
[ -f "$BUILD/libfcp.a" ] || skip "$BUILD/libfcp.a not built"
[ -x "$BUILD/connector-github" ] || skip "$BUILD/connector-github not built"

TMP=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
fail_setup() { echo "$NAME: setup failed: $1"; echo "$NAME: 0 passed, 1 failed"; exit 1; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj "/CN=api.github.com" -addext "subjectAltName=DNS:api.github.com,DNS:evil.test" \
  -keyout "$TMP/key.pem" -out "$TMP/cert.pem" >/dev/null 2>&1 || fail_setup "openssl req"
# a distinctive 40-byte secret (base64url alphabet, so it can go in a header)
openssl rand -base64 60 | tr -d '\n=' | tr '+/' '-_' | cut -c1-40 >"$TMP/secret"
[ "$(tr -d '\n' <"$TMP/secret" | wc -c)" -eq 40 ] || fail_setup "secret"
chmod 600 "$TMP/secret"

SAN=""
case "$BUILD" in *asan*) SAN="-fsanitize=address,undefined -fno-omit-frame-pointer" ;; esac
# LDLIBS may continue on the next line (trailing backslash)
LIBS="$(sed -n 's/^LDLIBS  *:= *//p' Makefile | sed 's/\\$//') $(sed -n '/^LDLIBS  *:=.*\\$/{n;p}' Makefile)"
${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 -g $SAN -Wall -Wextra -Werror -Iinclude \
  -o "$TMP/github_client" tests/e2e/github_client.c "$BUILD/libfcp.a" $LIBS 2>"$TMP/cc.log" ||
  { cat "$TMP/cc.log"; fail_setup "building github_client"; }

python3 tests/e2e/github_server.py "$TMP/key.pem" "$TMP/cert.pem" "$TMP/port" "$TMP/secret" \
  >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 200); do [ -s "$TMP/port" ] && break; sleep 0.05; done
[ -s "$TMP/port" ] || { cat "$TMP/server.log"; fail_setup "server did not start"; }
PORT=$(cat "$TMP/port")

FCP_BUILD=$BUILD timeout 180 "$TMP/github_client" "$MODE" "$TMP/cert.pem" "$PORT" "$TMP/secret" \
  >"$TMP/client.log" 2>&1
rc=$?
cat "$TMP/client.log"
pass=$(grep -c '^PASS ' "$TMP/client.log")
fail=$(grep -c '^FAIL ' "$TMP/client.log")
if grep -qF -- "$(cat "$TMP/secret")" "$TMP/client.log" "$TMP/server.log"; then
  echo "FAIL secret appeared in client or server output"; fail=$((fail + 1))
fi
if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
  echo "FAIL client exited $rc"; fail=$((fail + 1))
fi
echo "$NAME: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
