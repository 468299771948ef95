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
#        V is restarted with its store deleted (a lost disk): repair must
#        restore its whole share.
# Victims node-1, node-2, node-3 in turn (each role played by every node).
# Prints "node_kill_mid_transfer: N passed, N failed".
NL_NAME=node_kill_mid_transfer
source "$(dirname "$0")/node_lib.inc"

if nl_sanitized; then MB=${E2E_MB:-2}; else MB=${E2E_MB:-4}; fi
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
# symbols served from SQLite's cache read nothing) it used 3 more ticks of
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
        [ "$2" = rchar ] && [ "$(cpu "$pid")" -ge $((c0 + 3)) ] && break
        [ $((SECONDS - KT0)) -ge 8 ] && break
        sleep 0.002
    done
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
    GT0=$(date +%s%N)
    KT0=$SECONDS
    fcpn "$g" get "$id" -o "$W/get$v.back" 2>"$W/get.err" & GET=$!
    NL_PIDS+=("$GET")
    at=$(kill_on_io "$v" rchar 131072)
    wait "$GET"; rc=$?
    note "node-$v killed mid-get (it had read $at KiB of symbols from its store); get took $(( ($(date +%s%N) - GT0) / 1000000 )) ms"
    check "get via node-$g completes although node-$v died serving it (exit $rc)" test "$rc" = 0
    check "and is byte-identical" cmp -s "$W/put$v.bin" "$W/get$v.back"
    grep -h 'FCP-' "$W/get.err" | head -3 | sed 's/^/    /'
    # restart at once with its store lost: repair restores its whole share
    node_wipe_store "$v"
    node_start "$v" || bad "restart node-$v empty"
    note "node-$v restarted empty"
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
