#!/usr/bin/env bash
# node_kill_mid_transfer.sh - a 3-node fcpd mesh on loopback where each node
# in turn is SIGKILLed in the middle of a transfer:
#   put: node P puts a file; as soon as the victim V has committed some of
#        its share (its status shows symbol bytes rising) V is SIGKILLed.
#        The put still completes, and the third node G reads the file back
#        byte-identical.  V is restarted at once on its own store (no wait
#        for its old session to be seen down, D-MESH-8): repair must fill the
#        part of its share it never received (coverage from `fcp status
#        --json`: no object at risk on any node, V's symbol bytes back).
#   get: G gets a file while V serves it; once V has served some symbols it
#        is SIGKILLed.  The get completes byte-identical from the survivors.
#        V is restarted with its store deleted (a lost disk) and at once gets
#        the file itself (no zone named, D-MESH-13); repair must restore its
#        whole share.
# Victims node-1, node-2, node-3 in turn (each role played by every node).
# First, D-MESH-13 through the daemons: a get issued on another node right
# after a put (no wait for gossip) without and with --zone, a get --zone of
# a zone the node does not serve, and an id nobody holds (FCP-6203 after the
# discovery window, not at once).  The get times printed are the get's own
# (from its start to its exit), not including the kill loop.
# Prints "node_kill_mid_transfer: N passed, N failed".
NL_NAME=node_kill_mid_transfer
source "$(dirname "$0")/node_lib.inc"

if nl_sanitized; then MB=${E2E_MB:-2}; else MB=${E2E_MB:-4}; fi
# CPU ticks (10 ms) the victim may spend serving before it is killed when its
# reads do not show it (symbols from SQLite's cache): a sanitized 2 MiB get
# is over before 3 ticks, so there 1
if nl_sanitized; then KILL_TICKS=1; else KILL_TICKS=3; fi
mesh_init 3
for i in 1 2 3; do node_start $i || bad "start node-$i"; done
check "sessions up" wait_up 20

sb() { stj "$1"; jn symbol_bytes; }
served() { stj "$1"; jn symbols_served; }
io() {  # PID FIELD: the field of /proc/PID/io (rchar, wchar), read without forking
    local k v
    while read -r k v; do [ "$k" = "$2:" ] && { echo "$v"; return; }; done < "/proc/$1/io" 2>/dev/null
    echo 0
}

cpu() {  # PID: utime + stime in clock ticks (/proc/PID/stat), without forking
    local l
    read -r l < "/proc/$1/stat" 2>/dev/null || { echo 0; return; }
    l=${l##*) }
    set -- $l
    echo $(( ${12:-0} + ${13:-0} ))
}

# kill_on_io NODE FIELD DELTA: SIGKILL NODE as soon as its FIELD (wchar:
# SQLite writes, i.e. symbols of its share being committed; rchar: symbols
# read from its store to be served) grew by DELTA bytes, or (rchar only:
# symbols served from SQLite's cache read nothing) it used KILL_TICKS more ticks of
# CPU, at most ~8 s; echoes how far FIELD had grown.  /proc/PID/io is read
# every few ms (each `sleep` yields the CPU: a busy loop would starve the
# daemons on a loaded 2-core machine).
kill_on_io() {
    local v=$1 pid x0 x c0
    pid=$(node_pid "$v")
    if [ -z "$pid" ]; then echo "-1"; return; fi   # not running: nothing to kill
    x0=$(io "$pid" "$2")
    c0=$(cpu "$pid")
    for _ in $(seq 1 4000); do
        x=$(io "$pid" "$2")
        [ "$x" -ge $((x0 + $3)) ] && break
        [ "$2" = rchar ] && [ "$(cpu "$pid")" -ge $((c0 + KILL_TICKS)) ] && break
        [ $((SECONDS - KT0)) -ge 8 ] && break
        sleep 0.002
    done
    date +%s%N > "$W/kill.ns"
    node_kill "$v"
    echo $(( (x - x0) / 1024 ))
}

# wait_repaired V OTHER: no object at risk seen from any node and V's symbol
# bytes at least 95% of OTHER's (all nodes hold equal shares of every object)
wait_repaired() {
    local v=$1 o=$2 a b
    for _ in $(seq 1 240); do
        a=$(sb "$v"); b=$(sb "$o")
        if [ -n "$a" ] && [ -n "$b" ] && [ "$((a * 100))" -ge "$((b * 95))" ] && wait_no_risk 0; then return 0; fi
        sleep 0.2
    done
    return 1
}

# ---- D-MESH-13: get on another node right after the put
head -c 300000 /dev/urandom > "$W/quick.bin"
qid=$(fcpn 1 put "$W/quick.bin" --zone z:private 2>/dev/null)
fcpn 2 get "$qid" -o "$W/quick.2" 2>"$W/quick.err"; rc=$?
check "get on node-2 right after the put on node-1 (no zone) is byte-identical (exit $rc)" \
    cmp -s "$W/quick.bin" "$W/quick.2"
grep -h 'FCP-' "$W/quick.err" | head -2 | sed 's/^/    /'
head -c 300000 /dev/urandom > "$W/quick2.bin"
qid2=$(fcpn 2 put "$W/quick2.bin" --zone z:private 2>/dev/null)
fcpn 3 get "$qid2" --zone z:private -o "$W/quick2.3" 2>"$W/quick.err"; rc=$?
check "get --zone z:private on node-3 right after the put on node-2 is byte-identical (exit $rc)" \
    cmp -s "$W/quick2.bin" "$W/quick2.3"
fcpn 3 get "$qid2" --zone z:nowhere -o "$W/quick2.x" 2>"$W/quick.err"; rc=$?
check "get --zone of a zone the node does not serve: FCP_EADMIN_ZONE (exit $rc)" \
    bash -c "[ $rc != 0 ] && grep -q FCP_EADMIN_ZONE '$W/quick.err' && [ ! -e '$W/quick2.x' ]"
t0=$(date +%s%N)
fcpn 1 get "$(printf 'ab%.0s' $(seq 1 32))" -o "$W/none" 2>"$W/quick.err"; rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
note "get of an id nobody holds failed after $ms ms: $(grep -ho 'FCP-[0-9]*' "$W/quick.err" | head -1)"
check "get of an id nobody holds: FCP-6203 after the discovery window (~3 s), not at once (exit $rc, $ms ms)" \
    bash -c "[ $rc != 0 ] && grep -q FCP-6203 '$W/quick.err' && [ $ms -ge 2500 ] && [ ! -e '$W/none' ]"

# get_timed N ID OUT: fcp get on node N in the background ($GET); its start
# and end (ns since the epoch) written to $W/get.ns
get_timed() {
    ( local t0; t0=$(date +%s%N)
      fcpn "$1" get "$2" -o "$3" 2>"$W/get.err"; local rc=$?
      echo "$t0 $(date +%s%N)" > "$W/get.ns"
      exit $rc ) & GET=$!
}

round=0
for v in 1 2 3; do
    p=$(( v % 3 + 1 ))          # putter
    g=$(( (v + 1) % 3 + 1 ))    # the third node, getter
    round=$((round + 1))
    echo "  victim node-$v, putter node-$p, getter node-$g"

    # ---- SIGKILL during a put from another node
    head -c $((MB * 1048576)) /dev/urandom > "$W/put$v.bin"
    KT0=$SECONDS
    fcpn "$p" put "$W/put$v.bin" --zone z:private > "$W/put$v.id" 2>"$W/put$v.err" & PUT=$!
    NL_PIDS+=("$PUT")
    at=$(kill_on_io "$v" wchar 262144)
    wait "$PUT"; rc=$?
    id=$(cat "$W/put$v.id")
    note "node-$v killed mid-put after writing $at KiB to its store (its share is about $((MB * 1024 * 56 / 100)) KiB)"
    check "put via node-$p completes although node-$v died during it (exit $rc)" \
        bash -c "[ $rc = 0 ] && [[ '$id' =~ ^[0-9a-f]{64}$ ]]"
    fcpn "$g" get "$id" -o "$W/put$v.back" 2>"$W/get.err"
    note "get via node-$g done"
    check "get via node-$g after node-$v died mid-put is byte-identical" cmp -s "$W/put$v.bin" "$W/put$v.back"
    grep -h 'FCP-' "$W/put$v.err" "$W/get.err" | head -3 | sed 's/^/    /'
    # restart at once on its store: it holds what it had committed, repair brings the rest
    node_start "$v" || bad "restart node-$v"
    note "node-$v restarted on its store"
    check "node-$v restarted on its store: repair restores coverage (no object at risk anywhere, share back)" \
        wait_repaired "$v" "$p"
    note "symbol bytes node-1/2/3: $(sb 1)/$(sb 2)/$(sb 3); repairs done by node-$p/node-$g: $(st $p 'd["repairs_done"]')/$(st $g 'd["repairs_done"]')"

    # ---- SIGKILL during a get from another node
    KT0=$SECONDS
    rm -f "$W/get.ns" "$W/kill.ns"
    get_timed "$g" "$id" "$W/get$v.back"
    NL_PIDS+=("$GET")
    at=$(kill_on_io "$v" rchar 131072)
    wait "$GET"; rc=$?
    read -r gs ge < "$W/get.ns" 2>/dev/null || { gs=0; ge=0; }
    read -r kt < "$W/kill.ns" 2>/dev/null || kt=0
    if [ "$kt" -gt 0 ] && [ "$ge" -gt "$kt" ]; then
        when="killed $(( (kt - gs) / 1000000 )) ms into the get"
    else
        when="the get had ended before the kill"
    fi
    note "node-$v killed mid-get (it had read $at KiB of symbols from its store; $when); get took $(( (ge - gs) / 1000000 )) ms"
    check "get via node-$g completes although node-$v died serving it (exit $rc)" test "$rc" = 0
    check "and is byte-identical" cmp -s "$W/put$v.bin" "$W/get$v.back"
    grep -h 'FCP-' "$W/get.err" | head -3 | sed 's/^/    /'
    # restart at once with its store lost: repair restores its whole share
    node_wipe_store "$v"
    node_start "$v" || bad "restart node-$v empty"
    note "node-$v restarted empty"
    # at once, on the empty node itself, no zone named: it knows nothing of
    # the object until its peers' digests arrive (D-MESH-13: the get waits
    # for them instead of failing with FCP-6203), while repair pushes to it
    rm -f "$W/get.ns"
    get_timed "$v" "$id" "$W/empty$v.back"
    wait "$GET"; rc=$?
    read -r gs ge < "$W/get.ns" 2>/dev/null || { gs=0; ge=0; }
    note "get via the restarted, empty node-$v took $(( (ge - gs) / 1000000 )) ms"
    check "get via node-$v right after its restart with an empty store is byte-identical (exit $rc)" \
        cmp -s "$W/put$v.bin" "$W/empty$v.back"
    grep -h 'FCP-' "$W/get.err" | head -3 | sed 's/^/    /'
    check "node-$v restarted empty: repair restores coverage (no object at risk anywhere, share back)" \
        wait_repaired "$v" "$p"
    note "symbol bytes node-1/2/3: $(sb 1)/$(sb 2)/$(sb 3)"
done

# every file is still readable through every node
for v in 1 2 3; do
    id=$(cat "$W/put$v.id")
    for i in 1 2 3; do
        fcpn "$i" get "$id" -o "$W/final.$v.$i" 2>/dev/null
        check "file $v via node-$i byte-identical at the end" cmp -s "$W/put$v.bin" "$W/final.$v.$i"
    done
done
fcpn 1 node stop >/dev/null
for i in 2 3; do kill -TERM "$(node_pid $i)" 2>/dev/null; done
for k in $(seq 1 50); do
    [ ! -e "$W/n1/fcpd.pid" ] && [ ! -e "$W/n2/fcpd.pid" ] && [ ! -e "$W/n3/fcpd.pid" ] && break
    sleep 0.1
done
for i in 1 2 3; do
    check "node-$i shut down with a consistent store" \
        bash -c "tail -n 5 '$W/n$i/data/fcpd.log' | grep -q '\"event\":\"store.closed\",\"integrity_ok\":true'"
done
check "no sanitizer reports in the logs" bash -c "! grep -l -E 'Sanitizer|runtime error' '$W'/n*/data/fcpd.log"
nl_finish
