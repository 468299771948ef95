#!/usr/bin/env python3
"""Independent generator of membership_placement.json (decision D-MESH-9):
per-zone placement of D-MESH-1 over the members of the object's zone only.

members(zone) = the node ids serving the zone (the putting node included),
sorted bytewise; n = len(members); share = ceil((K + overhead) / (n - 1)) +
margin (n = 1: K + overhead); member j holds ESIs j + n*i, i < share.
Nodes that do not serve the zone hold nothing of it.
"""
import json

OVERHEAD, MARGIN, T = 2, 2, 1024
NODES = ["node:alpha.sim.ts.net", "node:bravo.sim.ts.net",
         "node:charlie.sim.ts.net", "node:delta.sim.ts.net"]


def placement(serving, k):
    members = sorted(serving, key=lambda s: s.encode())
    n = len(members)
    need = k + OVERHEAD
    share = need if n <= 1 else -(-need // (n - 1)) + MARGIN
    out = {}
    for node in NODES:
        if node in members:
            j = members.index(node)
            out[node] = [j + n * i for i in range(share)]
        else:
            out[node] = []
    return members, share, out


def case(name, zone, serving, length, putter, note):
    # K of the object the put builds from this payload (header + RawChunk
    # body, ceil(bytes / 1024)); the test checks the engine's K equals it
    k = 10
    members, share, esis = placement(serving, k)
    return {"name": name, "zone": zone, "serving": serving, "payload_len": length, "k": k,
            "putter": putter, "members": members, "share": share, "esis": esis, "note": note}


cases = [
    case("zone_subset", "z:work", [NODES[0], NODES[2], NODES[3]], 9 * 1024, NODES[2],
         "bravo does not serve z:work: it gets no symbol, the 3 members split the object"),
    case("zone_all", "z:private", list(NODES), 9 * 1024, NODES[2],
         "every node serves z:private: 4 members"),
    case("after_remove", "z:work", [NODES[0], NODES[2]], 9 * 1024, NODES[2],
         "delta removed from z:work: the repair loop gives alpha and charlie their new "
         "classes (held ESIs are a superset: symbols of the old plan are kept)"),
]
doc = {"decision": "D-MESH-9", "symbol_size": T, "decode_overhead": OVERHEAD,
       "placement_margin": MARGIN, "cases": cases}
with open("membership_placement.json", "w") as f:
    json.dump(doc, f, indent=1, sort_keys=True)
    f.write("\n")
