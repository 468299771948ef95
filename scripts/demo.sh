#!/usr/bin/env bash
# demo.sh - a local FCP mesh of three fcpd nodes on loopback, narrated.
#
#   init three nodes of one owner -> start them -> put a 20 MiB file into
#   z:private -> show how its symbols are spread -> SIGKILL one node -> get
#   the file from another node (byte-identical) -> restart the killed node
#   with its store deleted (as if its disk were lost; otherwise it would
#   come back holding its share) -> watch repair restore it -> stop.
#
# Runs from the repository root (make demo).  Uses temp dirs and free
# loopback ports, leaves nothing running (trap).  FCP_BUILD (default build)
# is where fcp and fcpd are; DEMO_MB (default 20) the file size;
# DEMO_REPAIR_SECS (default 25) how long to watch repair.
set -u
B=${FCP_BUILD:-${BUILD:-build}}
FCP=$B/fcp
FCPD=$B/fcpd
MB=${DEMO_MB:-20}
REPAIR_SECS=${DEMO_REPAIR_SECS:-25}
T=$(mktemp -d /tmp/fcp-demo.XXXXXX)
T0=$(date +%s.%N)

cleanup() {
    for i in 1 2 3; do
        if [ -f "$T/n$i/fcpd.pid" ]; then
            p=$(cat "$T/n$i/fcpd.pid" 2>/dev/null)
            [ -n "$p" ] && kill -KILL "$p" 2>/dev/null
        fi
    done
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

ts() { printf '%6.1fs' "$(echo "$(date +%s.%N) - $T0" | bc)"; }
say() { printf '\n\033[1m[%s] %s\033[0m\n' "$(ts)" "$*"; }
die() { printf '\ndemo: FAILED: %s\n' "$*" >&2; exit 1; }

[ -x "$FCP" ] && [ -x "$FCPD" ] || die "build $FCP and $FCPD first (make tools)"
command -v bc >/dev/null || bc() { python3 -c "import sys; print(eval(sys.stdin.read()))"; }

free_port() {
    if command -v python3 >/dev/null; then
        python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
    else
        echo $(( 20000 + RANDOM % 40000 ))
    fi
}
json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

say "1. fcp init: three nodes of one owner (keys, attestations, zone keys) in $T"
P=()
for i in 1 2 3; do P[$i]=$(free_port); done
"$FCP" init --home "$T/n1" --node-id node-1 --listen 127.0.0.1:${P[1]} --data-dir "$T/n1/data" | sed 's/^/    /' || die "init node-1"
for i in 2 3; do
    "$FCP" init --home "$T/n$i" --node-id node-$i --listen 127.0.0.1:${P[$i]} --data-dir "$T/n$i/data" \
        --owner-home "$T/n1" | sed 's/^/    /' || die "init node-$i"
done
for i in 1 2 3; do for j in 1 2 3; do
    [ $i = $j ] && continue
    "$FCP" node add-peer --home "$T/n$i" --id node-$j --address 127.0.0.1:${P[$j]} \
        --attestation "$T/n$j/node.attest" >/dev/null || die "add-peer"
done; done
echo "    node-1 127.0.0.1:${P[1]}   node-2 127.0.0.1:${P[2]}   node-3 127.0.0.1:${P[3]} (UDP)"

say "2. start three fcpd daemons and wait for their sessions"
# repair 12 objects at once (the engine's default is 4; see fcpd(8))
export FCPD_REPAIR_MAX_ACTIVE=${FCPD_REPAIR_MAX_ACTIVE:-12}
for i in 1 2 3; do "$FCPD" --config "$T/n$i/fcpd.toml" --daemon || die "fcpd node-$i did not start"; done
for k in $(seq 1 50); do
    up=0
    for i in 1 2 3; do
        n=$(FCP_HOME=$T/n$i "$FCP" status --json 2>/dev/null | json_get 'd["peers_up"]' 2>/dev/null)
        [ "$n" = 2 ] && up=$((up + 1))
    done
    [ $up = 3 ] && break
    sleep 0.2
done
[ $up = 3 ] || die "sessions did not come up"
FCP_HOME=$T/n1 "$FCP" peers | sed 's/^/    /'

say "3. put a ${MB} MiB random file into z:private on node-1"
head -c $((MB * 1048576)) /dev/urandom > "$T/file.bin"
if command -v b3sum >/dev/null; then SUM=$(b3sum "$T/file.bin" | cut -c1-64); echo "    BLAKE3 of the file: $SUM"; fi
ID=$(FCP_HOME=$T/n1 "$FCP" put "$T/file.bin" --zone z:private 2>"$T/put.err") || { cat "$T/put.err"; die "put"; }
sed 's/^/    /' "$T/put.err"
echo "    object id: $ID"

say "4. how the symbols are spread (after gossip converges)"
for k in $(seq 1 50); do
    risk=$(FCP_HOME=$T/n1 "$FCP" status --json | json_get 'd["zones"]["z:private"]["at_risk"]')
    [ "$risk" = 0 ] && break
    sleep 0.2
done
echo "    the file became $(FCP_HOME=$T/n1 "$FCP" status --json | json_get 'd["zones"]["z:private"]["objects"]') objects (64 KiB RawChunks + a ChunkedObjectManifest)"
for i in 1 2 3; do
    mib=$(FCP_HOME=$T/n$i "$FCP" status --json | json_get '"%.1f" % (d["symbol_bytes"]/1048576)')
    echo "    node-$i holds $mib MiB of symbols"
done
echo "    the manifest object, seen from each node (symbols held here / in the zone):"
for i in 1 2 3; do
    FCP_HOME=$T/n$i "$FCP" ls --zone z:private | awk -v n=node-$i -v id="$ID" 'NR==1 && n=="node-1" {print "          " $0} $1==id {print "    " n " " $0}'
done
FCP_HOME=$T/n1 "$FCP" status | grep 'z:private' | sed 's/^/    /'

say "5. SIGKILL node-3"
p3=$(cat "$T/n3/fcpd.pid")
kill -KILL "$p3"
for k in $(seq 1 200); do kill -0 "$p3" 2>/dev/null || break; sleep 0.01; done
rm -f "$T/n3/fcpd.pid"
echo "    node-3 is gone (no shutdown, no goodbye); node-2 still counts it up for a few"
echo "    seconds (a session is down after 4 s of silence) and does not wait for that:"
FCP_HOME=$T/n2 "$FCP" peers | sed 's/^/    /'

say "6. get the file from node-2 (its own symbols + node-1's)"
G0=$(date +%s.%N)
FCP_HOME=$T/n2 "$FCP" get "$ID" -o "$T/back.bin" 2>&1 | sed 's/^/    /'
printf '    get took %.1f s\n' "$(echo "$(date +%s.%N) - $G0" | bc)"
if command -v b3sum >/dev/null; then
    [ "$(b3sum "$T/back.bin" | cut -c1-64)" = "$SUM" ] || die "BLAKE3 differs"
    echo "    BLAKE3 matches: $SUM"
fi
cmp "$T/file.bin" "$T/back.bin" || die "bytes differ"
echo "    cmp: byte-identical"

say "7. restart node-3 with an empty store and watch repair restore coverage"
# node-3's symbols are durable (SQLite): restarted on its own store it would
# hold its share at once.  To show repair, the demo deletes that store first,
# as if node-3's disk had been lost.  No need to wait until the others have
# seen its old session down: its new handshake tells them it restarted
# (D-MESH-8).
echo "    node-3 would come back with its share (symbols are kept in SQLite); its store is deleted to show repair"
rm -f "$T/n3/data/store.sqlite3" "$T/n3/data/store.sqlite3-wal" "$T/n3/data/store.sqlite3-shm"
"$FCPD" --config "$T/n3/fcpd.toml" --daemon || die "restart node-3"
end=$(( $(date +%s) + REPAIR_SECS ))
while [ "$(date +%s)" -lt $end ]; do
    sleep 2
    line=$(FCP_HOME=$T/n3 "$FCP" status --json | json_get '"%d objects at risk of one more loss; node-3 holds %.1f MiB" % (d["zones"]["z:private"]["at_risk"], d["symbol_bytes"]/1048576)')
    rep=$(FCP_HOME=$T/n1 "$FCP" status --json | json_get 'd["repair_symbols"]')
    rep2=$(FCP_HOME=$T/n2 "$FCP" status --json | json_get 'd["repair_symbols"]')
    echo "    [$(ts)] $line; repair symbols pushed by node-1/node-2: $rep/$rep2"
    case "$line" in 0\ objects*) break ;; esac
done

say "8. stop the nodes cleanly (SIGTERM / fcp node stop)"
FCP_HOME=$T/n1 "$FCP" node stop | sed 's/^/    /'
for i in 2 3; do kill -TERM "$(cat "$T/n$i/fcpd.pid")"; done
sleep 0.5
for i in 1 2 3; do
    tail -n 3 "$T/n$i/data/fcpd.log" | grep -o '"event":"store.closed","integrity_ok":[a-z]*' | sed "s/^/    node-$i /"
done
say "done in $(ts | tr -d ' ')"
