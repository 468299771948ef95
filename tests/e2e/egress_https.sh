#!/usr/bin/env bash
# egress_https.sh - the egress proxy end to end over real HTTPS on loopback.
# Generates a throwaway certificate for "egress.test" (openssl req -x509),
# starts tests/e2e/egress_server.mjs on 127.0.0.1, builds
# tests/e2e/egress_client.c against $FCP_BUILD/libfcp.a and checks: the
# request arrives with the injected credential (header and query), an echo of
# the secret is redacted, the right SPKI pin passes and a wrong one fails, the
# response cap aborts (or truncates), redirects to denied hosts are refused,
# IP literals and (without the test-only exemption) loopback are denied, and
# the transport connects only to the checked address.
# Prints "egress_https: N passed, N failed"; skips loudly without openssl,
# node or libcurl headers.
set -u
cd "$(dirname "$0")/../.."
BUILD=${FCP_BUILD:-build}
NAME=egress_https

skip() { echo "$NAME: SKIPPED: $1"; echo "$NAME: 0 passed, 0 failed"; exit 0; }
command -v openssl >/dev/null 2>&1 || skip "openssl not installed"
command -v node >/dev/null 2>&1 || skip "node not installed"
[ -f /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -f /usr/include/curl/curl.h ] ||
  skip "libcurl headers not installed (libcurl4-openssl-dev)"
[ -f "$BUILD/libfcp.a" ] || skip "$BUILD/libfcp.a not built"

TMP=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

fail_setup() { echo "$NAME: setup failed: $1"; echo "$NAME: 0 passed, 1 failed"; exit 1; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj "/CN=egress.test" -addext "subjectAltName=DNS:egress.test" \
  -keyout "$TMP/key.pem" -out "$TMP/cert.pem" >/dev/null 2>&1 || fail_setup "openssl req"
PIN=$(openssl x509 -in "$TMP/cert.pem" -pubkey -noout | openssl pkey -pubin -outform der |
      openssl dgst -sha256 -binary | base64) || fail_setup "pin"
SECRET="e2e-$(openssl rand -hex 16)"

# The client is built with the library's own flags (sanitizers in build-asan).
SAN=""
case "$BUILD" in *asan*) SAN="-fsanitize=address,undefined -fno-omit-frame-pointer" ;; esac
# LDLIBS may continue on the next line (trailing backslash)
LIBS="$(sed -n 's/^LDLIBS  *:= *//p' Makefile | sed 's/\\$//') $(sed -n '/^LDLIBS  *:=.*\\$/{n;p}' Makefile)"
${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 -g $SAN -Wall -Wextra -Werror -Iinclude \
  -o "$TMP/egress_client" tests/e2e/egress_client.c "$BUILD/libfcp.a" $LIBS 2>"$TMP/cc.log" ||
  { cat "$TMP/cc.log"; fail_setup "building egress_client"; }

node tests/e2e/egress_server.mjs "$TMP/key.pem" "$TMP/cert.pem" "$TMP/port" "$SECRET" \
  >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do [ -s "$TMP/port" ] && break; sleep 0.05; done
[ -s "$TMP/port" ] || { cat "$TMP/server.log"; fail_setup "server did not start"; }
PORT=$(cat "$TMP/port")

timeout 120 "$TMP/egress_client" "$TMP/cert.pem" "$PORT" "$PIN" "$SECRET" >"$TMP/client.log" 2>&1
rc=$?
cat "$TMP/client.log"
pass=$(grep -c '^PASS ' "$TMP/client.log")
fail=$(grep -c '^FAIL ' "$TMP/client.log")
if grep -q -- "$SECRET" "$TMP/client.log"; then
  echo "FAIL secret appeared in client output"; fail=$((fail + 1))
fi
if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
  echo "FAIL client exited $rc"; fail=$((fail + 1))
fi
echo "$NAME: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
