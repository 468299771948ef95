#!/usr/bin/env bash
# mcp_sdk.sh - `fcp mcp` (the MCP bridge, docs/mcp.md) against the official
# MCP TypeScript SDK (npm @modelcontextprotocol/sdk, pinned in
# tests/interop/package-lock.json), driven by tests/interop/mcp_client.mjs.
#
#   1 raw: the SDK's Client + StdioClientTransport spawn `fcp mcp` with no
#     fcpd behind it (handshake, ping, -32603 when fcpd is down), then the
#     bridge process is fed malformed and over-long input directly.
#   2 full: a real fcpd (fcp init + a [[connector]] section for the notes
#     reference connector, signed here with its TEST publisher key by
#     tests/interop/mcp_helper.c), owner-signed grants and capability tokens
#     for notes.read and notes.write (the helper: `fcp token mint` sets no
#     aud_binary / holder_node and makes no grant objects); the SDK lists
#     tools, makes granted calls through fcpd's pipeline, calls the token
#     does not grant (tool results with isError and an FCP code), writes
#     with one token (Risky: aud_binary, checkpoint, holder proof) and reads
#     back with the other, and passes an idempotency key (replay = the same
#     receipt; reuse for other input refused) and simulate through _meta.
#     Should fcpd refuse the Risky write, the refusal must be a tool result
#     with its code (printed as a NOTE) and the write-dependent checks do
#     not run.
#     Part 2 is SKIPPED loudly (and counts nothing) when this fcpd does not
#     answer the "connectors" admin op.
#
# MCP_BENCH=1 also prints median round trips (ping / tools/list / tools/call).
# Runs from the repository root with FCP_BUILD (default build); every daemon
# it starts is killed on exit.  Last line: "mcp_sdk: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
B=${FCP_BUILD:-build}
FCP=$B/fcp
FCPD=$B/fcpd
name=mcp_sdk

if ! command -v node >/dev/null 2>&1 || [ ! -d tests/interop/node_modules/@modelcontextprotocol/sdk ]; then
  echo "*** $name SKIPPED: node or tests/interop/node_modules/@modelcontextprotocol/sdk missing (npm ci) ***"
  echo "$name: 0 passed, 0 failed"
  exit 0
fi
if [ ! -x "$FCP" ] || [ ! -x "$FCPD" ] || [ ! -f "$B/libfcp.a" ] || ! command -v python3 >/dev/null; then
  echo "$name: needs $FCP, $FCPD, $B/libfcp.a and python3 (run make first)"
  echo "$name: 0 passed, 1 failed"
  exit 1
fi

W=$(mktemp -d /tmp/fcp-mcp.XXXXXX)
pass=0
fail=0
cleanup() {
  [ -f "$W/n1/fcpd.pid" ] && kill -KILL "$(cat "$W/n1/fcpd.pid")" 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT INT TERM
count() {  # log file of PASS/FAIL lines
  local p f
  p=$(grep -c '^PASS ' "$1")
  f=$(grep -c '^FAIL ' "$1")
  pass=$((pass + p))
  fail=$((fail + f))
}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

# ---------------------------------------------------------------- 1 raw
printf '\x84\x40\xa0\x40\x40' >"$W/dummy.tok"   # the bridge does not verify tokens; fcpd does
timeout 120 node tests/interop/mcp_client.mjs raw "$FCP" "$W/nobody.sock" "$W/dummy.tok" >"$W/raw.log" 2>&1
rc=$?
cat "$W/raw.log"
count "$W/raw.log"
if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$W/raw.log"; then echo "FAIL raw client exited $rc"; fail=$((fail + 1)); fi
# refusing to start without a token
out=$(FCP_MCP_TOKEN_FILE= "$FCP" mcp </dev/null 2>&1)
if [ $? -eq 2 ] && [[ "$out" == *FCP-5400* ]]; then echo "PASS no token: exit 2 with FCP-5400"; pass=$((pass + 1));
else echo "FAIL no token: $out"; fail=$((fail + 1)); fi
out=$("$FCP" mcp --token "$W/missing.tok" </dev/null 2>&1)
if [ $? -eq 1 ] && [[ "$out" == *FCP-5401* ]]; then echo "PASS unreadable token file: exit 1 with FCP-5401"; pass=$((pass + 1));
else echo "FAIL unreadable token file: $out"; fail=$((fail + 1)); fi

# ---------------------------------------------------------------- 2 full
full() {
  local port
  port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  # the sandboxed connector runs as another uid: its state dir must not sit
  # under the 0700 FCP_HOME or the 0700 temp dir (traverse only)
  chmod 711 "$W"
  "$FCP" init --home "$W/n1" --node-id node-1 --listen "127.0.0.1:$port" --data-dir "$W/n1/data" >/dev/null ||
    { echo "FAIL fcp init"; fail=$((fail + 1)); return; }
  # the test publisher's signature over the notes manifest and binary
  local san="" libs
  if nm "$B/libfcp.a" 2>/dev/null | grep -q '__asan_'; then san="-fsanitize=address,undefined -fno-omit-frame-pointer"; fi
  libs="$(sed -n 's/^LDLIBS  *:= *//p' Makefile | sed 's/\\$//') $(sed -n '/^LDLIBS  *:=.*\\$/{n;p}' Makefile)"
  # shellcheck disable=SC2086
  { ${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 $san -Wall -Wextra -Werror -Iinclude -c -o "$W/helper.o" \
      tests/interop/mcp_helper.c &&
    ${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 $san -w -Iinclude -Icmd/fcp -o "$W/helper" "$W/helper.o" \
      $(ls cmd/fcp/*.c | grep -v '/main\.c$') "$B/libfcp.a" $libs; } 2>"$W/cc.log" ||
    { cat "$W/cc.log"; echo "FAIL building mcp_helper"; fail=$((fail + 1)); return; }
  [ -x "$B/connector-notes" ] || { echo "FAIL $B/connector-notes not built"; fail=$((fail + 1)); return; }
  local sig
  sig=$(ASAN_OPTIONS=detect_leaks=0 "$W/helper" sign connectors/notes/manifest.toml "$B/connector-notes") ||
    { echo "FAIL signing the notes connector"; fail=$((fail + 1)); return; }
  cat >>"$W/n1/fcpd.toml" <<EOF

[[connector]]
id = "fcp.notes"
manifest = "$PWD/connectors/notes/manifest.toml"
binary = "$PWD/$B/connector-notes"
signature = "$sig"
state_dir = "$W/state"
EOF
  "$FCPD" --config "$W/n1/fcpd.toml" --daemon 2>"$W/fcpd.err" ||
    { cat "$W/fcpd.err"; echo "FAIL fcpd with a [[connector]] section did not start"; fail=$((fail + 1)); return; }
  local sock="$W/n1/fcpd.sock" js="" hrc=1
  for _ in $(seq 1 100); do
    js=$(ASAN_OPTIONS=detect_leaks=0 "$W/helper" connectors "$sock" 2>/dev/null)
    hrc=$?
    [ $hrc -eq 3 ] && break
    [ $hrc -eq 0 ] && python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if any(c["id"]=="fcp.notes" and c["state"]=="active" for c in d["connectors"]) else 1)' "$js" 2>/dev/null && break
    sleep 0.1
  done
  if [ $hrc -eq 3 ]; then
    echo "*** SKIPPED: fcpd invoke ops not available (fcpd does not know the \"connectors\" admin op: $js) ***"
    return
  fi
  if [ $hrc -ne 0 ] || ! python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if any(c["id"]=="fcp.notes" and c["state"]=="active" for c in d["connectors"]) else 1)' "$js" 2>/dev/null; then
    cat "$W/fcpd.err" 2>/dev/null
    echo "FAIL fcp.notes never became active (connectors answer: $js)"; fail=$((fail + 1)); return
  fi
  # an owner-signed grant + a token per capability for principal agent:mcp
  for cap in write read; do
    ASAN_OPTIONS=detect_leaks=0 "$W/helper" mint "$W/n1" z:private "notes.$cap" agent:mcp "$B/connector-notes" \
      "$W/$cap.tok" || { echo "FAIL minting the notes.$cap grant and token"; fail=$((fail + 1)); return; }
  done
  timeout 120 node tests/interop/mcp_client.mjs full "$FCP" "$sock" "$W/write.tok" "$W/read.tok" >"$W/full.log" 2>&1
  local rc=$?
  cat "$W/full.log"
  count "$W/full.log"
  if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$W/full.log"; then echo "FAIL full client exited $rc"; fail=$((fail + 1)); fi
  if [ "${MCP_BENCH:-0}" = 1 ]; then
    node tests/interop/mcp_client.mjs bench "$FCP" "$sock" "$W/write.tok" "$W/read.tok" | grep -v '^PASS '
  fi
  FCP_HOME=$W/n1 "$FCP" node stop >/dev/null 2>&1
}
full

echo "$name: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
