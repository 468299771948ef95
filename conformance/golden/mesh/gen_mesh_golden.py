#!/usr/bin/env python3
"""gen_mesh_golden.py - writes mesh_golden.json: the gossip digest (D-MESH-2)
and the mesh control message framing (D-MESH-4), built independently of the
C code with Python struct, a minimal canonical CBOR encoder, hmac/hashlib and
the `cryptography` package (HKDF-SHA256, ChaCha20-Poly1305).
tests/unit/mesh_golden_test.c re-encodes every digest, checks every reject
code, and rebuilds the control datagram byte for byte through the engine's
own sealing path.  Run from the repository root:
    python3 conformance/golden/mesh/gen_mesh_golden.py"""
import hashlib, hmac, json, struct
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305


def head(major, n):
    if n < 24: return bytes([major << 5 | n])
    if n < 0x100: return bytes([major << 5 | 24, n])
    if n < 0x10000: return bytes([major << 5 | 25]) + struct.pack('>H', n)
    if n < 0x100000000: return bytes([major << 5 | 26]) + struct.pack('>I', n)
    return bytes([major << 5 | 27]) + struct.pack('>Q', n)


def enc(v):
    if isinstance(v, bool): return bytes([0xf5 if v else 0xf4])
    if isinstance(v, int): return head(0, v)
    if isinstance(v, bytes): return head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode(); return head(3, len(b)) + b
    if isinstance(v, list): return head(4, len(v)) + b''.join(enc(x) for x in v)
    if isinstance(v, dict):
        items = sorted((enc(k), enc(x)) for k, x in v.items())
        return head(5, len(items)) + b''.join(k + x for k, x in items)
    raise TypeError(v)


def oid(i):
    return hashlib.sha256(b'mesh golden object %d' % i).digest()


def digest(zone, entries, more, after=None):
    d = {"zone_id": zone, "more": more, "entries": [[e[0], e[1], e[2], e[3]] for e in entries]}
    if after is not None:
        d["after"] = after
    return d


def jdigest(name, zone, entries, more, after=None):
    return {"name": name, "zone_id": zone, "more": more,
            "after_hex": after.hex() if after is not None else None,
            "entries": [{"id_hex": e[0].hex(), "count": e[1], "k": e[2], "flags": e[3]} for e in entries],
            "cbor_hex": enc(digest(zone, entries, more, after)).hex()}


ids = sorted(oid(i) for i in range(40))
digests = [
    jdigest("empty_store", "z:private", [], False),
    jdigest("two_objects", "z:work", [(ids[0], 35, 65, 0), (ids[1], 4, 3, 1)], False),
    jdigest("full_page_more", "z:private", [(ids[i], 35 + i, 65, i % 2) for i in range(20)], True),
    jdigest("continuation", "z:private", [(ids[i], 35, 65, 0) for i in range(20, 23)], False, ids[19]),
]

bad = []
def reject(name, raw, err):
    bad.append({"name": name, "cbor_hex": raw.hex(), "error": err})

reject("unsorted_ids", enc(digest("z:private", [(ids[1], 1, 1, 0), (ids[0], 1, 1, 0)], False)), "FCP_EMESH_GOSSIP")
reject("duplicate_id", enc(digest("z:private", [(ids[0], 1, 1, 0), (ids[0], 1, 1, 0)], False)), "FCP_EMESH_GOSSIP")
reject("id_not_after_cursor", enc(digest("z:private", [(ids[3], 1, 1, 0)], False, ids[3])), "FCP_EMESH_GOSSIP")
reject("k_zero", enc(digest("z:private", [(ids[0], 1, 0, 0)], False)), "FCP_EMESH_GOSSIP")
reject("k_too_large", enc(digest("z:private", [(ids[0], 1, 65536, 0)], False)), "FCP_EMESH_GOSSIP")
reject("unknown_flag", enc(digest("z:private", [(ids[0], 1, 1, 2)], False)), "FCP_EMESH_GOSSIP")
reject("count_too_large", enc(digest("z:private", [(ids[0], 2**24 + 1, 1, 0)], False)), "FCP_EMESH_GOSSIP")
reject("short_id", enc(digest("z:private", [(ids[0][:31], 1, 1, 0)], False)), "FCP_EMESH_GOSSIP")
reject("entry_of_three", enc({"zone_id": "z:private", "more": False, "entries": [[ids[0], 1, 1]]}), "FCP_EMESH_GOSSIP")
reject("twenty_one_entries", enc(digest("z:private", [(ids[i], 1, 1, 0) for i in range(21)], True)), "FCP_ECBOR_TOO_LARGE")
reject("unknown_key", enc(dict(digest("z:private", [], False), extra=1)), "FCP_EUNKNOWN_FIELD")
reject("missing_more", enc({"zone_id": "z:private", "entries": []}), "FCP_EMISSING_FIELD")
reject("bad_zone", enc(digest("private", [], False)), "FCP_EZONE_ID_PREFIX")
noncanon = bytearray(enc(digest("z:private", [(ids[0], 5, 1, 0)], False)))
reject("non_canonical_uint", bytes(noncanon).replace(bytes([0x05, 0x01, 0x00]), bytes([0x18, 0x05, 0x01, 0x00]), 1), "FCP_ECBOR_NON_SHORTEST")

# ---- control datagram (D-MESH-4) ----------------------------------------------
k_ctx = bytes(range(0x40, 0x60))
k_mac = bytes(range(0x80, 0xa0))
session_id = bytes(range(0x10, 0x20))
sender = "node:alpha.sim.ts.net"
frame_seq = 1
dgram_seq = 1
direction = 0  # initiator -> responder
body = enc(digest("z:private", [(ids[0], 35, 65, 1)], False))
msg_type = 3  # gossip

info = b"FCP2-SENDER-KEY-V1" + struct.pack('<I', len(sender)) + sender.encode() + struct.pack('<Q', 0)
subkey = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"FCP2MCTL", info=info).derive(k_ctx)

plain = bytes([msg_type]) + struct.pack('<H', len(body)) + body
T = max(256, (len(plain) + 7) // 8 * 8)
plain += bytes(T - len(plain))
flags = 0x0800 | 0x0004
zero32 = bytes(32)
header = (b"FCPS" + struct.pack('<HHII', 1, flags, 1, 22 + T) + zero32 + struct.pack('<H', T)
          + bytes(8) + zero32 + struct.pack('<QQQ', 0, 0, frame_seq))
assert len(header) == 114
nonce = struct.pack('<QI', frame_seq, 0)
aad = zero32 + struct.pack('<IH', 0, 0) + zero32 + bytes(8) + struct.pack('<Q', 0)
assert len(aad) == 86
ct = ChaCha20Poly1305(subkey).encrypt(nonce, plain, aad)
frame = header + struct.pack('<IH', 0, 0) + ct
mac = hmac.new(k_mac, session_id + bytes([direction]) + struct.pack('<Q', dgram_seq) + frame,
               hashlib.sha256).digest()[:16]
datagram = session_id + struct.pack('<Q', dgram_seq) + mac + frame

out = {
    "decision": "D-MESH-2, D-MESH-4",
    "description": "Gossip digest pages (canonical CBOR) with rejects, and one control "
                   "datagram: FCPS frame flags CONTROL_PLANE|ENCRYPTED, one record esi 0 k 0 "
                   "carrying type u8 || len u16le || body zero-padded to max(256, roundup8), "
                   "sealed with ChaCha20-Poly1305 under HKDF(salt 'FCP2MCTL', ikm k_ctx, "
                   "info 'FCP2-SENDER-KEY-V1' || u32le len || sender || u64le 0), inside a "
                   "suite-1 session datagram.",
    "gossip_digests": digests,
    "gossip_rejects": bad,
    "control": {
        "k_ctx_hex": k_ctx.hex(), "k_mac_i2r_hex": k_mac.hex(), "session_id_hex": session_id.hex(),
        "sender": sender, "frame_seq": frame_seq, "datagram_seq": dgram_seq, "suite": 1,
        "type": msg_type, "body_hex": body.hex(), "subkey_hex": subkey.hex(),
        "symbol_size": T, "frame_hex": frame.hex(), "datagram_hex": datagram.hex(),
    },
}
with open("conformance/golden/mesh/mesh_golden.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
