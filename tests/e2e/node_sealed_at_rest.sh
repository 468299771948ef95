#!/usr/bin/env bash
# node_sealed_at_rest.sh - fcpd keeps the mesh symbols sealed at rest
# (D-STORE-6): three nodes, a put of a file made of a distinctive text that
# occurs nowhere else; the text is then absent from every node's raw
# store.sqlite3 and WAL, while the get returns it byte-identical.  Then one
# node's rows are tampered with on disk while it is stopped: restarted, it
# never serves them (symstore.unopenable in its log, the get from it still
# byte-identical) and the mesh repairs its share.
# Prints "node_sealed_at_rest: N passed, N failed".  FCP_BUILD (default build).
NL_NAME=node_sealed_at_rest
. "$(dirname "$0")/node_lib.inc"

raw_has() {  # FILE_PREFIX NEEDLE: 0 if NEEDLE occurs in the database or its WAL
    python3 - "$1" "$2" <<'EOF'
import sys
n = sys.argv[2].encode()
for suf in ("", "-wal"):
    try:
        if n in open(sys.argv[1] + suf, "rb").read():
            sys.exit(0)
    except FileNotFoundError:
        pass
sys.exit(1)
EOF
}
raw_absent() { ! raw_has "$@"; }

mesh_init 3
for i in 1 2 3; do node_start "$i" || bad "start node-$i"; done
check "sessions up" wait_up 20

CANARY="FCP-SEALED-CANARY-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
python3 - "$W/file.bin" "$CANARY" <<'EOF'
import sys
line = (sys.argv[2] + " the quick brown fox jumps over the lazy dog\n").encode()
open(sys.argv[1], "wb").write(line * (600 * 1024 // len(line)))
EOF
ID=$(fcpn 1 put "$W/file.bin" --zone z:private 2>/dev/null)
check "put" test -n "$ID"
check "no object at risk after the put" wait_no_risk 30

# while running (WAL and main file) and after a clean stop (checkpointed)
for i in 1 2 3; do
    check "node-$i store holds symbols" test "$(st "$i" 'd["symbol_bytes"] > 0')" = True
    check "canary absent from node-$i store (running)" raw_absent "$W/n$i/data/store.sqlite3" "$CANARY"
done
# the search works: the file itself has it
check "canary found in the plain file (control)" raw_has "$W/file.bin" "$CANARY"

fcpn 2 get "$ID" -o "$W/back.bin" >/dev/null 2>&1
check "get byte-identical" cmp -s "$W/file.bin" "$W/back.bin"

fcpn 3 node stop >/dev/null 2>&1
for _ in $(seq 1 100); do [ -f "$W/n3/fcpd.pid" ] || break; kill -0 "$(node_pid 3)" 2>/dev/null || break; sleep 0.05; done
sleep 0.3
check "canary absent from node-3 store (stopped)" raw_absent "$W/n3/data/store.sqlite3" "$CANARY"
rows=$(python3 -c "
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute(\"SELECT count(*) FROM rq_symbols WHERE length(kid) = 8 AND length(nonce) = 24 AND length(tag) = 16\").fetchone()[0])
" "$W/n3/data/store.sqlite3")
check "node-3 rows carry kid, nonce and tag ($rows)" test "${rows:-0}" -gt 0

# tamper: flip the first byte of every tag of node-3's rows
python3 -c "
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute('SELECT rowid, tag FROM rq_symbols').fetchall()
for r, t in rows:
    db.execute('UPDATE rq_symbols SET tag = ? WHERE rowid = ?', (bytes([t[0] ^ 1]) + t[1:], r))
db.commit()
" "$W/n3/data/store.sqlite3"
rm -f "$W/n3/fcpd.pid"
node_start 3 || bad "restart node-3"
check "sessions up again" wait_up 20
fcpn 3 get "$ID" -o "$W/back3.bin" >/dev/null 2>&1
check "get from the tampered node byte-identical" cmp -s "$W/file.bin" "$W/back3.bin"
n=$(grep -c '"event":"symstore.unopenable"' "$W/n3/data/fcpd.log" 2>/dev/null)
check "tampered rows reported, never served ($n)" test "${n:-0}" -gt 0
check "coverage restored by repair" wait_no_risk 40
nl_finish
