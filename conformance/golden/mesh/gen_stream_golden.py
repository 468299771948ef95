#!/usr/bin/env python3
"""gen_stream_golden.py - writes stream_golden.json: mesh control messages as
FCPC frames on a reliable stream (D-MESH-11) and the symbol size a put picks
from its members' path limits (D-MESH-12), built independently of the C code
with Python struct and the `cryptography` package (ChaCha20-Poly1305).
tests/unit/mesh_stream_test.c seals every frame through the engine's own
path and compares bytes, opens them on the other side, and recomputes every
symbol-size case through fcp_mesh_member_set_link + a put.  Run from the
repository root:
    python3 conformance/golden/mesh/gen_stream_golden.py"""
import json, struct
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

K_CTX = bytes(range(0x40, 0x60))
SID = bytes(range(0xa0, 0xb0))
INITIATOR = "node:alpha.sim.ts.net"
RESPONDER = "node:bravo.sim.ts.net"


def fcpc_frame(k_ctx, sid, direction, seq, pt, flags=0x0001):
    """spec §9.4: header "FCPC" | u16le 1 | session id | u64le seq | u16le flags |
    u32le len, then ChaCha20-Poly1305(k_ctx, nonce = dir || 0^3 || u64le seq,
    aad = session id || u64le seq || u16le flags)."""
    header = b"FCPC" + struct.pack("<H", 1) + sid + struct.pack("<QHI", seq, flags, len(pt))
    nonce = bytes([direction, 0, 0, 0]) + struct.pack("<Q", seq)
    aad = sid + struct.pack("<QH", seq, flags)
    return header + ChaCha20Poly1305(k_ctx).encrypt(nonce, pt, aad)


def control_payload(mtype, body):
    return bytes([mtype]) + struct.pack("<H", len(body)) + body


frames = []
# initiator -> responder (dir 0): a gossip digest {"more": false, "entries": [], "zone_id": "z:private"}
gossip = bytes.fromhex("a3646d6f7265f467656e747269657380677a6f6e655f6964697a3a70726976617465")
for seq, mtype, body, sender in [
        (1, 3, gossip, INITIATOR),
        (2, 2, bytes(range(0, 40)), INITIATOR),
        (1, 1, bytes(range(100, 180)), RESPONDER)]:
    direction = 0 if sender == INITIATOR else 1
    pt = control_payload(mtype, body)
    frames.append({"sender": sender, "direction": direction, "seq": seq, "type": mtype,
                   "body_hex": body.hex(), "frame_hex": fcpc_frame(K_CTX, SID, direction, seq, pt).hex()})


def symbol_size_for(dgram):
    """D-WIRE-4 with one symbol per datagram: datagram header 40, FCPS header 114,
    record overhead 22 (esi, k, tag); multiple of 8; 256..16384; else unusable."""
    if dgram == 0 or dgram > 65535 or dgram <= 40 + 114:
        return None
    per = dgram - 40 - 114
    if per <= 22:
        return None
    t = min(per - 22, 16384) & ~7
    return t if t >= 256 else None


def put_t(limit, paths):
    t = limit
    for d in paths:
        s = symbol_size_for(d)
        if s is not None and s < t:
            t = s
    return t


cases = []
for limit, paths in [(1024, [0, 0]), (1024, [1160, 0]), (1024, [1160, 1412]), (1024, [1412, 1452]),
                     (1024, [1200, 1200]), (1024, [300, 0]), (1024, [150, 0]), (1024, [1000, 1160]),
                     (512, [1160, 0]), (1024, [1187, 0])]:
    cases.append({"limit": limit, "paths": paths, "symbol_size": put_t(limit, paths)})

out = {"description": "D-MESH-11 control messages as FCPC stream frames; D-MESH-12 put symbol size "
                      "from member path limits (gen_stream_golden.py)",
       "k_ctx_hex": K_CTX.hex(), "session_id_hex": SID.hex(), "initiator": INITIATOR,
       "responder": RESPONDER, "frames": frames, "put_symbol_size": cases}
with open("conformance/golden/mesh/stream_golden.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
