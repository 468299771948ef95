#!/usr/bin/env bash
# node_netem.sh - fcpd over a lossy, reordering, duplicating network.
#   Three fcpd nodes, each in its own network namespace, bound to the
#   address of its veth; the veths meet on a bridge in a fourth (hub)
#   namespace.  Every datagram between nodes suffers 20% loss, reordering
#   and duplication:
#     netem mode: `tc qdisc ... netem loss 20% delay 4ms 3ms duplicate 5%
#                 reorder 25%` on every node's veth (when the kernel has
#                 sch_netem);
#     relay mode: otherwise, a userspace relay in the hub namespace
#                 (python3) through which every node reaches every other:
#                 20% loss, 5% duplicates, 25% of datagrams held back
#                 2-15 ms (reordered), seeded, with counts printed.
#   A file is put through node-1; repair must complete the spread that the
#   loss cut short (no object at risk); node-3 and node-2 get it
#   byte-identical; then node-1 is SIGKILLed and node-3 gets it from its
#   own share and node-2's.
# Needs root and `ip netns`; without them it prints "SKIPPED: <reason>"
# and "node_netem: 0 passed, 0 failed".  NODE_NETEM_MODE=netem|relay forces
# a mode.  Prints "node_netem: N passed, N failed".
NL_NAME=node_netem
source "$(dirname "$0")/node_lib.inc"

skip() {
    echo "node_netem: SKIPPED: $*"
    echo "node_netem: SKIPPED: $*" >&2
    echo "node_netem: 0 passed, 0 failed"
    exit 0
}
[ "$(id -u)" = 0 ] || skip "not root (network namespaces need CAP_NET_ADMIN)"
command -v ip >/dev/null || skip "no ip(8) (iproute2)"

if nl_sanitized; then MB=${E2E_MB:-1}; else MB=${E2E_MB:-3}; fi
TAG=f$$
HUB=${TAG}hub
NETNS=()
nl_cleanup_hook() {
    local n
    [ -n "${RELAY_PID:-}" ] && kill -KILL "$RELAY_PID" 2>/dev/null
    for n in "${NETNS[@]}"; do ip netns del "$n" 2>/dev/null; done
}
ip netns add "$HUB" 2>"$W/netns.err" || skip "ip netns add failed: $(head -c 200 "$W/netns.err")"
NETNS+=("$HUB")
SUBNET=10.77.0
ip -n "$HUB" link set lo up
ip -n "$HUB" link add br0 type bridge || skip "no bridge support in this kernel"
ip -n "$HUB" link set br0 up
ip -n "$HUB" addr add $SUBNET.1/24 dev br0
for i in 1 2 3; do
    ns=${TAG}n$i
    ip netns add "$ns" || skip "ip netns add $ns failed"
    NETNS+=("$ns")
    ip -n "$ns" link set lo up
    ip link add "${TAG}v$i" type veth peer name "${TAG}h$i" 2>"$W/veth.err" || skip "no veth: $(head -c 200 "$W/veth.err")"
    ip link set "${TAG}v$i" netns "$ns"
    ip link set "${TAG}h$i" netns "$HUB"
    ip -n "$HUB" link set "${TAG}h$i" master br0 up
    ip -n "$ns" addr add $SUBNET.1$i/24 dev "${TAG}v$i"
    ip -n "$ns" link set "${TAG}v$i" up
    NL_ADDR[$i]=$SUBNET.1$i
    P[$i]=7447
    NL_EXEC[$i]="ip netns exec $ns"
done

MODE=${NODE_NETEM_MODE:-}
if [ -z "$MODE" ] || [ "$MODE" = netem ]; then
    if ip netns exec ${TAG}n1 tc qdisc add dev ${TAG}v1 root netem loss 20% delay 4ms 3ms duplicate 5% reorder 25% 2>"$W/tc.err"; then
        MODE=netem
        for i in 2 3; do
            ip netns exec ${TAG}n$i tc qdisc add dev ${TAG}v$i root netem loss 20% delay 4ms 3ms duplicate 5% reorder 25% ||
                bad "netem on node-$i"
        done
    elif [ "$MODE" = netem ]; then
        skip "tc netem unavailable: $(head -c 200 "$W/tc.err")"
    else
        MODE=relay
        note "tc netem unavailable ($(head -c 80 "$W/tc.err")): loss, reordering and duplication by a relay in the hub namespace"
    fi
fi

if [ "$MODE" = relay ]; then
    # node I reaches node J at $SUBNET.1:(17000 + 10I + J); the relay forwards
    # what arrives there out of port (17000 + 10J + I) to node J, so J sees
    # it coming from the address it has configured for I.
    nl_peer_addr() { echo "$SUBNET.1:$((17000 + 10 * $1 + $2))"; }
    cat > "$W/relay.py" <<'PY'
import heapq, os, random, select, socket, sys, time
sub, seed, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
LOSS, DUP, HOLD = (float(x) for x in sys.argv[5].split(","))
rnd = random.Random(seed)
nodes = {i: ("%s.1%d" % (sub, i), 7447) for i in (1, 2, 3)}
socks = {}
for i in nodes:
    for j in nodes:
        if i != j:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
            s.bind(("%s.1" % sub, 17000 + 10 * i + j))
            s.setblocking(False)
            socks[(i, j)] = s
by_fd = {s.fileno(): k for k, s in socks.items()}
held = []
seq = 0
st = dict(fwd=0, lost=0, dup=0, held=0, sent=0)
next_stats = 0.0
end = time.monotonic() + limit
def send(k, data):
    i, j = k
    try:
        socks[(j, i)].sendto(data, nodes[j]); st["sent"] += 1
    except OSError:
        pass
print("relay ready", flush=True)
while time.monotonic() < end:
    now = time.monotonic()
    while held and held[0][0] <= now:
        _, _, k, data = heapq.heappop(held)
        send(k, data)
    tmo = max(0.0, min(0.05, held[0][0] - now)) if held else 0.05
    r, _, _ = select.select(list(by_fd), [], [], tmo)
    for fd in r:
        k = by_fd[fd]
        for _ in range(64):
            try:
                data, _src = socks[k].recvfrom(2048)
            except BlockingIOError:
                break
            st["fwd"] += 1
            if rnd.random() < LOSS:
                st["lost"] += 1; continue
            copies = 2 if rnd.random() < DUP else 1
            st["dup"] += copies - 1
            for _c in range(copies):
                if rnd.random() < HOLD and len(held) < 20000:
                    st["held"] += 1; seq += 1
                    heapq.heappush(held, (time.monotonic() + rnd.uniform(0.002, 0.015), seq, k, data))
                else:
                    send(k, data)
    if now >= next_stats:
        next_stats = now + 0.5
        with open(sys.argv[4] + ".tmp", "w") as f:
            f.write("%(fwd)d datagrams in, %(lost)d lost, %(dup)d duplicated, %(held)d held back (reordered), %(sent)d out\n" % st)
        os.replace(sys.argv[4] + ".tmp", sys.argv[4])
PY
    SEED=${NODE_NETEM_SEED:-$$}
    : > "$W/relay.stats"
    ip netns exec "$HUB" python3 -u "$W/relay.py" $SUBNET "$SEED" 300 "$W/relay.stats" "${NODE_NETEM_RELAY:-0.20,0.05,0.25}" > "$W/relay.out" 2>&1 &
    RELAY_PID=$!
    NL_PIDS+=("$RELAY_PID")
    for k in $(seq 1 50); do grep -q ready "$W/relay.out" 2>/dev/null && break; sleep 0.1; done
    check "relay started (seed $SEED)" grep -q ready "$W/relay.out"
fi
note "mode: $MODE"

mesh_init 3
for i in 1 2 3; do node_start $i || bad "start node-$i in its namespace"; done
check "node-1 listens on its veth address only" bash -c "ip netns exec ${TAG}n1 ss -uln | grep -q '$SUBNET.11:7447'"
check "sessions up through the lossy network" wait_up 40

head -c $((MB * 1048576)) /dev/urandom > "$W/file.bin"
T0=$(date +%s%N)
ID=$(fcpn 1 put "$W/file.bin" --zone z:private 2>"$W/put.err")
check "put completes ($(grep -o 'FCP-[0-9]*' "$W/put.err" | head -1))" bash -c "[[ '$ID' =~ ^[0-9a-f]{64}$ ]]"
note "put of $MB MiB took $(( ($(date +%s%N) - T0) / 1000000 )) ms"
check "repair completes the spread: no object at risk on any node" wait_no_risk 60
note "spread complete after $(( ($(date +%s%N) - T0) / 1000000 )) ms"
for g in 3 2; do
    T0=$(date +%s%N)
    fcpn $g get "$ID" -o "$W/back$g.bin" 2>"$W/get$g.err"
    check "get via node-$g byte-identical ($(grep -o 'FCP-[0-9]*' "$W/get$g.err" | head -1))" cmp -s "$W/file.bin" "$W/back$g.bin"
    note "get via node-$g took $(( ($(date +%s%N) - T0) / 1000000 )) ms"
done
node_kill 1
T0=$(date +%s%N)
fcpn 3 get "$ID" -o "$W/last.bin" 2>"$W/last.err"
check "node-1 killed: get via node-3 (its share + node-2's) byte-identical ($(grep -o 'FCP-[0-9]*' "$W/last.err" | head -1))" \
    cmp -s "$W/file.bin" "$W/last.bin"
note "get after the kill took $(( ($(date +%s%N) - T0) / 1000000 )) ms"
for i in 2 3; do
    stj $i
    note "node-$i: datagrams in $(jn datagrams_in), dropped: replay/auth $(jn drop_dgram), unsolicited $(jn drop_unsolicited), repairs done $(jn repairs_done)"
done
if [ "$MODE" = relay ]; then
    sleep 0.6
    note "relay: $(cat "$W/relay.stats")"
    check "the relay did lose, duplicate and reorder datagrams" \
        awk '{ exit !($4 > 0 && $6 > 0 && $8 > 0) }' "$W/relay.stats"
    kill -TERM "$RELAY_PID" 2>/dev/null
fi
check "no sanitizer reports in the logs" bash -c "! grep -l -E 'Sanitizer|runtime error' '$W'/n*/data/fcpd.log"
nl_finish
