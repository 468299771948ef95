#!/usr/bin/env bash
# node_concurrent.sh - two fcp clients working at once against a 3-node fcpd
# mesh on loopback: client A puts its objects through node-1 while client B
# puts its own through node-2 (two fcp processes in parallel, several objects
# of different shapes each: 1 byte, 1 KiB, a 256 KiB RawChunk at the chunk
# threshold, a few chunked objects of 0.3-3 MiB); then both read everything
# back at once, crosswise (A through node-1 the objects B put via node-2 and
# its own; B through node-3, which put nothing).  Every byte is compared.
# Also: two gets of the same object at once through one node.
# Prints "node_concurrent: N passed, N failed".
NL_NAME=node_concurrent
source "$(dirname "$0")/node_lib.inc"

mesh_init 3
for i in 1 2 3; do node_start $i || bad "start node-$i"; done
check "sessions up" wait_up 20

# sizes (bytes) of each client's objects; sanitizer builds use smaller ones
if nl_sanitized; then SIZES="1 1024 262144 300000 700001"; else SIZES="1 1024 262144 300000 1048577 3145728"; fi
mkdir -p "$W/a" "$W/b"
for s in $SIZES; do
    head -c "$s" /dev/urandom > "$W/a/$s.bin"
    head -c "$s" /dev/urandom > "$W/b/$s.bin"
done

client_put() {  # NODE DIR: put every file of DIR through NODE, one fcp process at a time
    local i=$1 d=$2 f id
    for f in "$d"/*.bin; do
        id=$(FCP_HOME=$W/n$i "$FCP" put "$f" --zone z:private 2>>"$d/err") || { echo "put $f failed" >>"$d/err"; continue; }
        echo "$id $f" >> "$d/ids"
    done
}
client_get() {  # NODE IDS TAG: get every id of the list through NODE and compare with its file
    local i=$1 ids=$2 tag=$3 id f n=0 good=0
    while read -r id f; do
        n=$((n + 1))
        FCP_HOME=$W/n$i "$FCP" get "$id" -o "$f.$tag" 2>>"$f.$tag.err" && cmp -s "$f" "$f.$tag" && good=$((good + 1))
    done < "$ids"
    echo "$good/$n" > "$W/$tag.result"
}

# ---- two clients put at once
client_put 1 "$W/a" & PA=$!
client_put 2 "$W/b" & PB=$!
NL_PIDS+=("$PA" "$PB")
wait "$PA"; wait "$PB"
nobj=$(echo $SIZES | wc -w)
check "client A put all its objects via node-1 ($(wc -l < "$W/a/ids" 2>/dev/null || echo 0)/$nobj)" \
    test "$(wc -l < "$W/a/ids" 2>/dev/null || echo 0)" = "$nobj"
check "client B put all its objects via node-2 ($(wc -l < "$W/b/ids" 2>/dev/null || echo 0)/$nobj)" \
    test "$(wc -l < "$W/b/ids" 2>/dev/null || echo 0)" = "$nobj"
grep -h -E 'FCP-|failed' "$W/a/err" "$W/b/err" | head -5 | sed 's/^/    /'
check "ids are 64 hex digits and all distinct" bash -c \
    "cat '$W/a/ids' '$W/b/ids' | awk '{print \$1}' | grep -cE '^[0-9a-f]{64}$' | grep -qx $((2 * nobj)) &&
     [ \$(cat '$W/a/ids' '$W/b/ids' | awk '{print \$1}' | sort -u | wc -l) = $((2 * nobj)) ]"
check "symbols spread: no object at risk on any node" wait_no_risk 30

# ---- two clients get at once, crosswise, each through a node that did not put the objects
cat "$W/b/ids" "$W/a/ids" > "$W/all_a_order"
cat "$W/a/ids" "$W/b/ids" > "$W/all_b_order"
client_get 1 "$W/all_a_order" ga & GA=$!
client_get 3 "$W/all_b_order" gb & GB=$!
NL_PIDS+=("$GA" "$GB")
wait "$GA"; wait "$GB"
check "client A (node-1) read back every object byte-identical ($(cat "$W/ga.result"))" \
    test "$(cat "$W/ga.result")" = "$((2 * nobj))/$((2 * nobj))"
check "client B (node-3) read back every object byte-identical ($(cat "$W/gb.result"))" \
    test "$(cat "$W/gb.result")" = "$((2 * nobj))/$((2 * nobj))"

# ---- puts and gets interleaved: A puts new objects via node-3 while B reads A's old ones via node-2
mkdir -p "$W/c"
for s in $SIZES; do head -c "$s" /dev/urandom > "$W/c/$s.bin"; done
client_put 3 "$W/c" & PC=$!
client_get 2 "$W/a/ids" gc & GC=$!
NL_PIDS+=("$PC" "$GC")
wait "$PC"; wait "$GC"
check "put via node-3 during gets via node-2: all put ($(wc -l < "$W/c/ids" 2>/dev/null || echo 0)/$nobj)" \
    test "$(wc -l < "$W/c/ids" 2>/dev/null || echo 0)" = "$nobj"
check "gets via node-2 during that put: all byte-identical ($(cat "$W/gc.result"))" \
    test "$(cat "$W/gc.result")" = "$nobj/$nobj"
client_get 1 "$W/c/ids" gd
check "objects put during the gets read back via node-1 ($(cat "$W/gd.result"))" \
    test "$(cat "$W/gd.result")" = "$nobj/$nobj"

# ---- the same object twice at once through one node
big=$(tail -n 1 "$W/b/ids")
id=${big%% *}; f=${big#* }
FCP_HOME=$W/n1 "$FCP" get "$id" -o "$W/same1" 2>/dev/null & S1=$!
FCP_HOME=$W/n1 "$FCP" get "$id" -o "$W/same2" 2>/dev/null & S2=$!
NL_PIDS+=("$S1" "$S2")
wait "$S1"; r1=$?; wait "$S2"; r2=$?
check "two simultaneous gets of one object through node-1 both succeed (exit $r1 $r2)" test "$r1$r2" = 00
check "both byte-identical" bash -c "cmp -s '$f' '$W/same1' && cmp -s '$f' '$W/same2'"

for i in 1 2 3; do
    check "node-$i still serves" test "$(st $i 'd["node_id"]')" = node-$i
    check "node-$i: no failed decodes ($(st $i 'd["counters"]["decodes_failed"]'))" test "$(st $i 'd["counters"]["decodes_failed"]')" = 0
done
fcpn 1 node stop >/dev/null
for i in 2 3; do kill -TERM "$(node_pid $i)" 2>/dev/null; done
for k in $(seq 1 50); do
    [ ! -e "$W/n1/fcpd.pid" ] && [ ! -e "$W/n2/fcpd.pid" ] && [ ! -e "$W/n3/fcpd.pid" ] && break
    sleep 0.1
done
for i in 1 2 3; do
    check "node-$i shut down with a consistent store" grep -q '"event":"store.closed","integrity_ok":true' "$W/n$i/data/fcpd.log"
done
check "no sanitizer reports in the logs" bash -c "! grep -l -E 'Sanitizer|runtime error' '$W'/n*/data/fcpd.log"
nl_finish
