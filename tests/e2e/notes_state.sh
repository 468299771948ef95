#!/usr/bin/env bash
# notes_state.sh - the notes connector keeps its notes as mesh objects
# (spec §10.4, D-RUNTIME-8; docs/connectors.md "Connector state"): one fcpd
# with the notes connector from a [[connector]] entry (strict sandbox), then
#   - a put writes a ConnectorStateObject: the head file names its mesh
#     object and epoch, and nothing is written to the connector's state dir
#   - SIGKILL of the connector -> restart with a higher epoch; the note is
#     read back from the host's state (the new process has no memory of it);
#     a put under the new epoch extends the chain (state_seq + 1)
#   - `fcp ls` lists both state versions as objects of the zone; the head
#     version is pinned, the one it replaced not
#   - fcpd stopped and started again: the head and the note survive, the
#     epoch increases again, the previous chain continues
# Fencing of an earlier epoch's writer is tested at the host level in
# tests/unit/host_state_test.c.  Prints "notes_state: N passed, N failed".
E2E_TMP=nst
. "$(dirname "$0")/e2e_base.inc"

cleanup() {
    [ -n "${KEEP_LOG:-}" ] && cp "$W/data/fcpd.log" "$KEEP_LOG" 2>/dev/null
    [ -f "$W/h/fcpd.pid" ] && kill -KILL "$(cat "$W/h/fcpd.pid")" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT INT TERM

finish() {
    echo "notes_state: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit $?
}

for x in "$FCP" "$FCPD" "$B/connector-notes" "$B/libfcp.a"; do
    if [ ! -e "$x" ]; then
        echo "notes_state: needs $x (make first)"
        echo "notes_state: 0 passed, 1 failed"
        exit 1
    fi
done

SAN=""
case "$B" in *asan*) SAN="-fsanitize=address,undefined -fno-omit-frame-pointer" ;; esac
LIBS="$(sed -n 's/^LDLIBS  *:= *//p' Makefile | sed 's/\\$//') $(sed -n '/^LDLIBS  *:=.*\\$/{n;p}' Makefile)"
if ! ${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 -g $SAN -Wall -Wextra -Werror -Iinclude -o "$W/helper" \
    tests/e2e/invoke_helper.c "$B/libfcp.a" $LIBS 2>"$W/cc.log"; then
    cat "$W/cc.log"
    echo "notes_state: 0 passed, 1 failed"
    exit 1
fi
HELPER=$W/helper

free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_'"$1"'); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1" 2>/dev/null; }
H=$W/h
D=$W/data
export FCP_HOME=$H
show() { "$FCP" connector show "$1" --json 2>/dev/null | jget "d['connectors'][0]$2"; }
state() { show "$1" "['state']"; }
wait_state() {   # connector state timeout_s
    local i=0
    while [ $i -lt $(($3 * 20)) ]; do
        [ "$(state "$1")" = "$2" ] && return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}
# head FIELD: a field of <data>/state/fcp.notes.head (canonical CBOR map:
# epoch uint, head bytes = the encoded ConnectorStateObject, mesh_id bytes);
# "seq" is the head version's state_seq
head() { python3 - "$D/state/fcp.notes.head" "$1" <<'EOF'
import sys
b = open(sys.argv[1], 'rb').read()
def item(p):
    ib = b[p]; mt, ai = ib >> 5, ib & 31; p += 1
    if ai < 24: v = ai
    else:
        n = {24: 1, 25: 2, 26: 4, 27: 8}[ai]; v = int.from_bytes(b[p:p + n], 'big'); p += n
    if mt in (0, 1): return v, p
    if mt in (2, 3): return b[p:p + v], p + v
    if mt == 4:
        a = []
        for _ in range(v):
            x, p = item(p); a.append(x)
        return a, p
    if mt == 6: return item(p)
    if mt == 5:
        d = {}
        for _ in range(v):
            k, p = item(p); x, p = item(p); d[k.decode() if isinstance(k, bytes) else k] = x
        return d, p
    if mt == 7: return None, p
    raise SystemExit('unexpected CBOR major type %d' % mt)
def mp(buf):
    global b
    old = b; b = buf; d, _ = item(0); b = old; return d
d, _ = item(0)
f = sys.argv[2]
if f == 'seq':
    st = mp(d['head'])
    print(st['state_seq'])
elif f == 'state':
    print(mp(d['head'])['state'].decode())
elif f == 'lease_seq':
    print(mp(d['head'])['lease_seq'])
elif f == 'mesh_id':
    print(d['mesh_id'].hex())
else:
    print(d[f])
EOF
}

UP=$(free_port DGRAM)
"$FCP" init --home "$H" --node-id node-1 --listen 127.0.0.1:$UP --data-dir "$D" >/dev/null
python3 -c "print(''.join('%02x'%(0xa0+i) for i in range(32)))" >"$W/pub.seed"
SIGN=$("$FCP" connector sign --manifest connectors/notes/manifest.toml --binary "$B/connector-notes" --key "$W/pub.seed")
cat >>"$H/fcpd.toml" <<EOF

[[connector]]
id = "fcp.notes"
manifest = "$PWD/connectors/notes/manifest.toml"
binary = "$PWD/$B/connector-notes"
signature = "$SIGN"
restart_initial_ms = 300
restart_max_ms = 2000
health_interval_ms = 1000
EOF
"$FCPD" --daemon --log-level info || { bad "fcpd starts"; finish; }
check "notes connector becomes active" wait_state fcp.notes active 10
check "first activation is epoch 1 (head file written at activation)" test "$(head epoch)" = 1
BIN_N=$(show fcp.notes "['runtime']['binary_id']")
mkdir -p "$H/grants"
for cap in notes.read notes.write; do
    "$HELPER" grant "$H" z:private $cap "$H/grants/$cap.cap" || bad "grant $cap"
done
T=$W/t
mkdir -p "$T"
RISKY="--aud-binary $BIN_N --holder node-1 --checkpoint"
"$HELPER" token "$H" z:private fcp.notes notes.read notes_get "$H/grants/notes.read.cap" "$T/get" &&
"$HELPER" token "$H" z:private fcp.notes notes.read notes_list "$H/grants/notes.read.cap" "$T/list" &&
"$HELPER" token "$H" z:private fcp.notes notes.write notes_put "$H/grants/notes.write.cap" "$T/put" $RISKY ||
    bad "minting tokens"
echo '{"name":"groceries","text":"milk, eggs"}' >"$W/put1.json"
echo '{"name":"todo","text":"call bob"}' >"$W/put2.json"
echo '{"name":"groceries"}' >"$W/get1.json"
echo '{"name":"todo"}' >"$W/get2.json"
echo '{}' >"$W/empty.json"
get() { "$FCP" invoke fcp.notes notes_get --input "$1" --token "$T/get" --json 2>/dev/null | jget "json.loads(d['output'])['text']"; }

# ------------------------------------------------------------ first write
check "put groceries" bash -c "'$FCP' invoke fcp.notes notes_put --input '$W/put1.json' --token '$T/put' --idempotency-key k1 | grep -q '\"bytes\":10'"
check "head: state_seq 0 written under epoch 1" test "$(head seq)/$(head lease_seq)" = "0/1"
check "head state is the notes map" test "$(head state)" = '{"groceries":"milk, eggs"}'
M1=$(head mesh_id)
check "head names a mesh object" test ${#M1} -eq 64
check "no note files in the connector state dir" test -z "$(find "$D/connectors" -name '*.note' 2>/dev/null)"
check "get reads it" test "$(get "$W/get1.json")" = "milk, eggs"

# ------------------------------------------------------------ SIGKILL -> new epoch
PID=$(show fcp.notes "['runtime']['pid']")
kill -KILL -- "-$PID" 2>/dev/null || kill -KILL "$PID"
sleep 0.2
check "restarted after SIGKILL" wait_state fcp.notes active 10
check "new process" test "$(show fcp.notes "['runtime']['pid']")" != "$PID"
E2=$(head epoch)
check "restart is a new activation: epoch 2" test "$E2" = 2
check "note still there after SIGKILL (read from the host's state)" test "$(get "$W/get1.json")" = "milk, eggs"
check "put todo under the new epoch" bash -c "'$FCP' invoke fcp.notes notes_put --input '$W/put2.json' --token '$T/put' --idempotency-key k2 | grep -q '\"bytes\":8'"
check "chain continues: state_seq 1 under epoch 2" test "$(head seq)/$(head lease_seq)" = "1/2"
M2=$(head mesh_id)
check "a new mesh object per version" test "$M2" != "$M1" -a ${#M2} -eq 64
check "list shows both" bash -c "'$FCP' invoke fcp.notes notes_list --input '$W/empty.json' --token '$T/list' | grep -q '\"names\":\\[\"groceries\",\"todo\"\\]'"
LS=$("$FCP" ls --zone z:private 2>&1)
check "fcp ls lists the first state version" bash -c "echo '$LS' | grep -q '${M1:0:16}'"
check "fcp ls lists the second state version" bash -c "echo '$LS' | grep -q '${M2:0:16}'"
check "the head version is pinned here" bash -c "echo '$LS' | grep '${M2:0:16}' | grep -q 'yes\$'"
check "the replaced version is no longer pinned" bash -c "! echo '$LS' | grep '${M1:0:16}' | grep -q 'yes\$'"
check "fcpd logged the fenced writes" bash -c "grep -c 'state.put' '$D/fcpd.log' | grep -qx 2"

# ------------------------------------------------------------ fcpd restart
kill -TERM "$(cat "$H/fcpd.pid")"
i=0
while [ -f "$H/fcpd.pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "fcpd stopped" test ! -f "$H/fcpd.pid"
check "head survives the daemon (seq 1, mesh object)" test "$(head seq)/$(head mesh_id)" = "1/$M2"
"$FCPD" --daemon --log-level info || { bad "fcpd starts again"; finish; }
check "notes active after the daemon restart" wait_state fcp.notes active 10
check "daemon restart is a new activation: epoch 3" test "$(head epoch)" = 3
check "both notes readable after the daemon restart" test "$(get "$W/get1.json")|$(get "$W/get2.json")" = "milk, eggs|call bob"
check "fcp ls still lists the head version" bash -c "'$FCP' ls --zone z:private | grep -q '${M2:0:16}'"
echo '{"name":"groceries","text":"bread"}' >"$W/put3.json"
check "write under epoch 3" bash -c "'$FCP' invoke fcp.notes notes_put --input '$W/put3.json' --token '$T/put' --idempotency-key k3 | grep -q '\"bytes\":5'"
check "chain continues across the daemon restart: state_seq 2 under epoch 3" test "$(head seq)/$(head lease_seq)" = "2/3"
check "state holds the new text" test "$(head state)" = '{"groceries":"bread","todo":"call bob"}'

# ------------------------------------------------------------ timing (printed, not asserted)
t0=$(date +%s%N)
for i in 1 2 3 4 5 6 7 8 9 10; do
    echo "{\"name\":\"n$i\",\"text\":\"$i\"}" >"$W/p.json"
    "$FCP" invoke fcp.notes notes_put --input "$W/p.json" --token "$T/put" --idempotency-key t$i >/dev/null || bad "timed put $i"
done
t1=$(date +%s%N)
for i in 1 2 3 4 5 6 7 8 9 10; do
    "$FCP" invoke fcp.notes notes_get --input "$W/get1.json" --token "$T/get" >/dev/null || bad "timed get $i"
done
t2=$(date +%s%N)
check "ten timed puts extend the chain to state_seq 12" test "$(head seq)" = 12
echo "fcp invoke, 10 calls each: notes_put (state_put: fenced version + mesh put + head fsync) $(( (t1 - t0) / 10000000 )) ms/call, notes_get (no state request) $(( (t2 - t1) / 10000000 )) ms/call"
finish
