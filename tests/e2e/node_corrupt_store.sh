#!/usr/bin/env bash
# node_corrupt_store.sh - a node whose symbol table was corrupted on disk
# while it was down recovers by repair.
#   3 fcpd nodes on loopback; a file is put through node-1 and spread.
#   node-3 is stopped; bytes inside the symbol blobs of its rq_symbols table
#   are flipped (python3 sqlite3: the blob column is found from the schema,
#   lengths are kept, so only the content is wrong - what a bad disk or a
#   stray write does), then node-3 is restarted on that store.
#   The node must not hand out wrong bytes: gets through node-3 and through
#   the other nodes are byte-identical (corrupt symbols are detected by the
#   store or rejected by the decode / object id check), and repair restores
#   node-3's share, which is proven by losing node-1 afterwards: node-2 and
#   node-3 alone must still return the file.
# Prints "node_corrupt_store: N passed, N failed".
NL_NAME=node_corrupt_store
source "$(dirname "$0")/node_lib.inc"

if nl_sanitized; then MB=${E2E_MB:-2}; else MB=${E2E_MB:-4}; fi
mesh_init 3
for i in 1 2 3; do node_start $i || bad "start node-$i"; done
check "sessions up" wait_up 20

head -c $((MB * 1048576)) /dev/urandom > "$W/file.bin"
ID=$(fcpn 1 put "$W/file.bin" --zone z:private 2>/dev/null)
check "put prints an object id" bash -c "[[ '$ID' =~ ^[0-9a-f]{64}$ ]]"
check "symbols spread: no object at risk" wait_no_risk 30
stj 3; sym3=$(jn symbol_bytes)

# stop node-3 cleanly (its WAL is checkpointed), then corrupt its symbols
kill -TERM "$(node_pid 3)"
for k in $(seq 1 100); do [ -e "$W/n3/fcpd.pid" ] || break; sleep 0.05; done
check "node-3 stopped" test ! -e "$W/n3/fcpd.pid"
cat > "$W/corrupt.py" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cols = db.execute("PRAGMA table_info(rq_symbols)").fetchall()
# the symbol bytes: the longest blob column that is not part of the key
# (plaintext "data", or the ciphertext of a sealed row beside its nonce/tag)
cand = [c[1] for c in cols if c[1] not in ("object_id", "esi")]
size = {c: db.execute("SELECT coalesce(max(length(%s)), 0) FROM rq_symbols WHERE typeof(%s) = 'blob'" % (c, c)).fetchone()[0] for c in cand}
col = max(cand, key=lambda c: size[c]) if cand else None
if not col or size[col] < 16:
    print("no symbol blob column in rq_symbols: %r" % (cols,)); sys.exit(2)
rows = db.execute("SELECT rowid, %s FROM rq_symbols" % col).fetchall()
n = 0
for i, (rid, data) in enumerate(rows):
    if data is None or len(data) < 16 or i % 2:       # every other symbol
        continue
    b = bytearray(data)
    for off in (len(b) // 3, len(b) // 2, len(b) - 9):
        b[off] ^= 0x5A
    db.execute("UPDATE rq_symbols SET %s = ? WHERE rowid = ?" % col, (bytes(b), rid))
    n += 1
db.commit()
print("corrupted %d of %d symbols (column %s)" % (n, len(rows), col))
PY
out=$(python3 "$W/corrupt.py" "$W/n3/data/store.sqlite3" 2>&1)
note "$out"
check "symbols of node-3 corrupted on disk" bash -c "[[ '$out' == corrupted\ [1-9]* ]]"

node_start 3 || bad "restart node-3 on the corrupted store"
check "node-3 restarted and sessions up" wait_up 20

# gets must never return wrong bytes; through node-3 the first may fail
# (its decode rejected) but a retry within the repair time must succeed
got3=0
for k in $(seq 1 20); do
    if fcpn 3 get "$ID" -o "$W/back3.bin" 2>"$W/get3.err"; then
        cmp -s "$W/file.bin" "$W/back3.bin" && got3=1
        break
    fi
    rm -f "$W/back3.bin"
    sleep 1
done
note "get via node-3: $([ $got3 = 1 ] && echo "ok after $k attempt(s)" || echo "failed: $(head -c 200 "$W/get3.err")")"
check "get via node-3 (corrupted store) returns the file byte-identical" test "$got3" = 1
check "no wrong bytes were written by a failed get" bash -c "[ ! -e '$W/back3.bin' ] || cmp -s '$W/file.bin' '$W/back3.bin'"
nunopen=$(grep -c '"event":"symstore.unopenable"' "$W/n3/data/fcpd.log")
nfail=0
for i in 1 2 3; do stj $i; x=$(jn decodes_failed); nfail=$((nfail + ${x:-0})); done
note "node-3 logged $nunopen unopenable symbols; decodes rejected on the nodes: $nfail"
check "the corruption was detected (store seal check) or rejected (decode / object id)" \
    test $((nunopen + nfail)) -gt 0
for i in 1 2; do
    fcpn $i get "$ID" -o "$W/back$i.bin" 2>/dev/null
    check "get via node-$i (asks node-3 too) byte-identical" cmp -s "$W/file.bin" "$W/back$i.bin"
done

# repair: node-3's share must be good again.  Wait for coverage, then lose node-1:
# node-2 + node-3 can decode only if node-3's symbols are right.
check "coverage restored (no object at risk)" wait_no_risk 30
sleep 2
stj 1; r1=$(jn repair_symbols); stj 2; r2=$(jn repair_symbols); stj 3; s3=$(jn symbol_bytes)
note "node-3 holds $s3 symbol bytes (before: $sym3); repair symbols pushed by node-1/node-2: $r1/$r2"
node_kill 1
ok2=0
for k in $(seq 1 10); do
    fcpn 2 get "$ID" -o "$W/last2.bin" 2>"$W/last2.err" && cmp -s "$W/file.bin" "$W/last2.bin" && { ok2=1; break; }
    sleep 1
done
check "node-1 lost: node-2 + node-3 return the file byte-identical (node-3's share repaired)" test "$ok2" = 1
fcpn 3 get "$ID" -o "$W/last3.bin" 2>/dev/null
check "and so does node-3" cmp -s "$W/file.bin" "$W/last3.bin"

check "no sanitizer reports in the logs" bash -c "! grep -l -E 'Sanitizer|runtime error' '$W'/n*/data/fcpd.log"
nl_finish
