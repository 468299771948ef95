#!/usr/bin/env python3
"""Generate the wire golden vectors (D-WIRE-*) from the written rules.

Independent of the C code: frame layout with struct, HMAC-SHA256 from the
standard library, HKDF-SHA256 and ChaCha20-Poly1305 from `cryptography`,
keyed BLAKE3 from `b3sum --keyed`.  tests/unit/wire_golden_test.c checks the
C implementation against every file written here.

    python3 conformance/golden/wire/gen_wire_golden.py   # rewrites the JSON files
"""
import hashlib
import hmac
import json
import os
import struct
import subprocess
import tempfile

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

OUT = os.path.dirname(os.path.abspath(__file__))
HDR = 114
DEFAULT_FLAGS = 0x0404


def header(count, T, oid=b"\x11" * 32, kid=b"\x22" * 8, zh=b"\x33" * 32, epoch=7, inst=5, fseq=1,
           flags=DEFAULT_FLAGS, version=1, magic=b"FCPS", total=None):
    if total is None:
        total = count * (22 + T)
    return struct.pack("<4sHHII32sH8s32sQQQ", magic, version, flags, count, total, oid, T, kid, zh,
                       epoch, inst, fseq)


def record(esi, k, data, tag=b"\x00" * 16):
    return struct.pack("<IH", esi, k) + data + tag


def frame(count, T, fill=0xAB, **kw):
    return header(count, T, **kw) + b"".join(record(i, 3, bytes([fill]) * T) for i in range(count))


def b3_keyed16(key, data):
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        out = subprocess.run(["b3sum", "--keyed", "--length", "16", "--no-names", f.name], input=key,
                             capture_output=True, check=True).stdout
    return bytes.fromhex(out.decode().split()[0])


def dgram_mac(suite, key, sid, direction, seq, fr):
    msg = sid + bytes([direction]) + struct.pack("<Q", seq) + fr
    if suite == 1:
        return hmac.new(key, msg, hashlib.sha256).digest()[:16]
    return b3_keyed16(key, msg)


def dgram(suite, key, sid, direction, seq, fr):
    return sid + struct.pack("<Q", seq) + dgram_mac(suite, key, sid, direction, seq, fr) + fr


def subkey(zone_key, kid, node, inst):
    info = b"FCP2-SENDER-KEY-V1" + struct.pack("<I", len(node)) + node + struct.pack("<Q", inst)
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=kid, info=info).derive(zone_key)


def write(name, decision, description, vectors, **extra):
    doc = {"decision": decision, "description": description}
    doc.update(extra)
    doc["vectors"] = vectors
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def h(b):
    return b.hex()


# D-WIRE-1: symbol size range (production 256..16384 vs upstream's any 1..65535)
v = []
for T, prof, mx, exp in [(1024, "production", 1160, "ok"), (256, "production", 1160, "ok"),
                         (255, "production", 1160, "FCP_EFCPS_SYMBOL_SIZE"),
                         (8, "production", 1160, "FCP_EFCPS_SYMBOL_SIZE"),
                         (8, "upstream", 1200, "ok"), (4, "upstream", 1200, "ok"),
                         (0, "upstream", 1200, "FCP_EFCPS_SYMBOL_SIZE")]:
    v.append({"name": "T%d_%s" % (T, prof), "profile": prof, "max_frame_bytes": mx,
              "frame_hex": h(frame(1, T)), "expect": exp})
big = frame(1, 16385)
v.append({"name": "T16385_production", "profile": "production", "max_frame_bytes": 70000,
          "frame_hex": h(big), "expect": "FCP_EFCPS_SYMBOL_SIZE"})
write("d-wire-1-symbol-size.json", "D-WIRE-1",
      "Production decoders accept symbol_size 256..16384 only; the reference implementation's own "
      "vectors (symbol sizes 4..64) decode only under the explicit 'upstream' profile "
      "(symbol_size 1..65535, any count >= 1).", v)

# D-WIRE-2: symbol count 1..256
v = [{"name": "count0_header_only", "profile": "production", "max_frame_bytes": 1160,
      "frame_hex": h(header(0, 1024)), "expect": "FCP_EFCPS_SYMBOL_COUNT"},
     {"name": "count0_upstream_profile", "profile": "upstream", "max_frame_bytes": 1200,
      "frame_hex": h(header(0, 8)), "expect": "FCP_EFCPS_SYMBOL_COUNT"},
     {"name": "count0_total100_is_length_mismatch", "profile": "production", "max_frame_bytes": 2000,
      "frame_hex": h(header(0, 1024, total=100) + bytes(100)), "expect": "FCP_EFCPS_LENGTH_MISMATCH"},
     {"name": "count2_T256", "profile": "production", "max_frame_bytes": 1160,
      "frame_hex": h(frame(2, 256)), "expect": "ok"},
     {"name": "count257_T256_header_only", "profile": "production", "max_frame_bytes": 1160,
      "frame_hex": h(header(257, 256)), "expect": "FCP_EFCPS_SYMBOL_COUNT"},
     {"name": "count256_T256_header_only", "profile": "production", "max_frame_bytes": 1160,
      "frame_hex": h(header(256, 256)), "expect": "FCP_EFCPS_FRAME_SIZE_MISMATCH"}]
write("d-wire-2-symbol-count.json", "D-WIRE-2",
      "symbol_count must be 1..256 (production); a frame with no symbols is refused. The check runs "
      "after total_payload_len (so the upstream error kinds are kept) and before the frame length.", v)

# D-WIRE-3: decode order; each vector breaks several rules, the first listed wins
good = frame(1, 1024)


def mut(b, **pos):
    b = bytearray(b)
    for k, val in pos.items():
        b[int(k[1:])] = val
    return bytes(b)


v = []
cases = [
    ("too_long_beats_everything", mut(good, o0=0x58, o4=9) + b"\x00", 1160, "FCP_EFCPS_EXCEEDS_MTU"),
    ("short_beats_magic", b"XXXX" + bytes(100), 1160, "FCP_EFCPS_TOO_SHORT"),
    ("magic_beats_version", mut(good, o0=0x58, o4=9, o7=0xF0), 1160, "FCP_EFCPS_MAGIC"),
    ("version_beats_flags", mut(good, o4=9, o7=0xF0), 1160, "FCP_EFCPS_VERSION"),
    ("flag_unknown", mut(good, o7=0x14), 1160, "FCP_EFCPS_FLAGS_UNKNOWN"),
    ("flag_error_response", mut(good, o6=0x1C), 1160, "FCP_EFCPS_FLAGS_ERROR_RESPONSE"),
    ("flag_stream_end", mut(good, o6=0x44), 1160, "FCP_EFCPS_FLAGS_STREAM_END"),
    ("flags_beat_symbol_size", mut(good, o7=0x14, o49=0), 1160, "FCP_EFCPS_FLAGS_UNKNOWN"),
    ("symbol_size_beats_length", mut(good, o49=0, o12=0), 1160, "FCP_EFCPS_SYMBOL_SIZE"),
    ("length_mismatch_beats_count", mut(good, o8=0, o12=1), 1160, "FCP_EFCPS_LENGTH_MISMATCH"),
    ("count_beats_frame_size", header(0, 1024) + b"\x00", 1160, "FCP_EFCPS_SYMBOL_COUNT"),
    ("frame_size_mismatch", good[:-1], 1160, "FCP_EFCPS_FRAME_SIZE_MISMATCH"),
    ("ok", good, 1160, "ok"),
]
for name, b, mx, exp in cases:
    v.append({"name": name, "profile": "production", "max_frame_bytes": mx, "frame_hex": h(b),
              "expect": exp})
write("d-wire-3-decode-order.json", "D-WIRE-3",
      "FCPS decode checks run in the reference decoder's order: size cap, too short, magic, version, "
      "flags (unknown bits, ERROR+RESPONSE, STREAM_END without STREAMING), symbol size, "
      "total_payload_len, symbol count (ours), frame length. Each rule has its own error code.", v)

# D-WIRE-4: MTU sizing
v = []
for mx, n in [(1200, 1), (1150, 1), (1280, 1), (1400, 1), (1500, 1), (1200, 2), (1200, 3), (9000, 4),
              (65535, 1), (432, 1), (431, 1), (154, 1), (1200, 0), (1200, 257), (65536, 1)]:
    if n == 0 or n > 256:
        exp = "FCP_EFCPS_SYMBOLS_PER_FRAME"
    elif mx > 65535:
        exp = "FCP_EINVAL"
    else:
        per = (mx - 154) // n if mx > 154 else 0
        T = min(per - 22, 16384) if per > 22 else 0
        T &= ~7
        exp = T if T >= 256 else "FCP_EFCPS_MTU_TOO_SMALL"
    v.append({"max_datagram_bytes": mx, "symbols_per_frame": n, "expect": exp})
eff = [{"local": a, "peer": b, "expect": min(a or 1200, b or 1200)} for a, b in
       [(0, 0), (1500, 1150), (1150, 0), (0, 1400), (65535, 65535), (1200, 1400)]]
write("d-wire-4-mtu.json", "D-WIRE-4",
      "symbol_size = min(16384, floor((max_datagram_bytes - 40 - 114) / n) - 22) rounded down to a "
      "multiple of 8; below 256 is an error. The datagram limit toward a peer is min(local, peer), "
      "with 0 (absent) meaning 1200.", v, effective_max=eff)

# D-WIRE-5/6: datagram receive scripts
SID = bytes(range(0xA0, 0xB0))
KEY = b"\x42" * 32
scripts = []
for suite in (1, 2):
    def dg(seq, inst=5, fseq=None, direction=1, T=256, mutate=None, key=KEY):
        fr = frame(1, T, inst=inst, fseq=seq if fseq is None else fseq)
        d = bytearray(dgram(suite, key, SID, direction, seq, fr))
        if mutate is not None:
            d[mutate] ^= 0x01
        return h(bytes(d))
    steps = [
        (dg(1), "ok"), (dg(1), "FCP_EREPLAY_DUPLICATE"), (dg(3), "ok"), (dg(2), "ok"),
        (dg(200, mutate=50), "FCP_EDGRAM_MAC"),           # forged: must not advance the window
        (dg(4), "ok"),
        (dg(500, mutate=16), "FCP_EDGRAM_MAC"),           # seq field altered
        (dg(5, direction=0), "FCP_EDGRAM_MAC"),           # other direction's MAC
        (dg(6, key=b"\x43" * 32), "FCP_EDGRAM_MAC"),
        (dg(0), "FCP_EREPLAY_SEQ_ZERO"),
        (dg(300), "ok"), (dg(172), "FCP_EREPLAY_STALE"), (dg(173), "ok"),
        (dg(173, inst=6), "ok"), (dg(174, inst=7), "ok"), (dg(175, inst=8), "ok"),
        (dg(176, inst=9), "FCP_EDGRAM_INSTANCE_TABLE_FULL"),
        (h(bytes(39)), "FCP_EDGRAM_TOO_SHORT"), (h(bytes(1201)), "FCP_EDGRAM_TOO_LARGE"),
        (h(bytes(16) + bytes.fromhex(dg(7))[16:]), "FCP_EDGRAM_SESSION"),
        (dg(301, T=1024), "ok"),
    ]
    scripts.append({"name": "suite%d" % suite, "suite": suite, "session_id_hex": h(SID),
                    "key_hex": h(KEY), "peer_direction": 1, "max_datagram_bytes": 1200, "window": 128,
                    "max_instances": 4, "require_seq_match": False,
                    "steps": [{"datagram_hex": d, "expect": e} for d, e in steps]})
write("d-wire-5-datagram-receive.json", "D-WIRE-5",
      "Receive order: length (short, then large), session id, MAC (constant time), seq 0, FCPS frame, "
      "then the replay window of (session, sender_instance_id) - W=128, at most 4 instances per "
      "session, a new instance beyond that refused (no eviction). Forged datagrams change nothing.",
      scripts)

steps = []
for seq, fseq, exp in [(1, 1, "ok"), (2, 99, "FCP_EFCPS_SEQ_MISMATCH"), (2, 2, "ok")]:
    steps.append({"datagram_hex": h(dgram(1, KEY, SID, 1, seq, frame(1, 256, fseq=fseq))), "expect": exp})
loose = [{"datagram_hex": h(dgram(1, KEY, SID, 1, 1, frame(1, 256, fseq=77))), "expect": "ok"}]
write("d-wire-6-seq-match.json", "D-WIRE-6",
      "frame_seq (per zone key, AEAD nonce) and the datagram seq (per session direction, replay) are "
      "independent by default; a receiver may opt in to requiring equality.",
      [{"name": "required", "suite": 1, "session_id_hex": h(SID), "key_hex": h(KEY), "peer_direction": 1,
        "max_datagram_bytes": 1200, "window": 128, "max_instances": 4, "require_seq_match": True,
        "steps": steps},
       {"name": "default", "suite": 1, "session_id_hex": h(SID), "key_hex": h(KEY), "peer_direction": 1,
        "max_datagram_bytes": 1200, "window": 128, "max_instances": 4, "require_seq_match": False,
        "steps": loose}])

# D-WIRE-7: frame_seq allocation
za, zb = "11" * 32, "22" * 32
ka, kb = "aa" * 8, "bb" * 8
ops = [
    {"op": "next", "zone_id_hash_hex": za, "zone_key_id_hex": ka, "expect": 1},
    {"op": "next", "zone_id_hash_hex": za, "zone_key_id_hex": ka, "expect": 2},
    {"op": "next", "zone_id_hash_hex": za, "zone_key_id_hex": kb, "expect": 1},
    {"op": "next", "zone_id_hash_hex": zb, "zone_key_id_hex": ka, "expect": 1},
    {"op": "claim", "zone_id_hash_hex": za, "zone_key_id_hex": ka, "seq": 2, "expect": "FCP_EFCPS_SEQ_REUSE"},
    {"op": "claim", "zone_id_hash_hex": za, "zone_key_id_hex": ka, "seq": 100, "expect": "ok"},
    {"op": "next", "zone_id_hash_hex": za, "zone_key_id_hex": ka, "expect": 101},
    {"op": "claim", "zone_id_hash_hex": za, "zone_key_id_hex": ka, "seq": 50, "expect": "FCP_EFCPS_SEQ_REUSE"},
    {"op": "next", "zone_id_hash_hex": "33" * 32, "zone_key_id_hex": ka, "expect": "FCP_EFCPS_SEQ_TABLE_FULL"},
]
write("d-wire-7-frame-seq.json", "D-WIRE-7",
      "The sender hands out frame_seq 1, 2, 3, ... per (zone_id_hash, zone_key_id) and refuses any "
      "reuse; a fresh sender_instance_id (hence a fresh subkey) per process start makes restarts safe.",
      [{"name": "table_of_3", "slots": 3, "ops": ops}])

# D-WIRE-8: senders start at seq 1
fcpc_key = b"\x11" * 32
nonce = bytes([0, 0, 0, 0]) + struct.pack("<Q", 1)
flags = 1
aad = SID + struct.pack("<QH", 1, flags)
ct = ChaCha20Poly1305(fcpc_key).encrypt(nonce, b"hello", aad)
fcpc = b"FCPC" + struct.pack("<H", 1) + SID + struct.pack("<QHI", 1, flags, 5) + ct
fr = frame(1, 256)
write("d-wire-8-first-seq.json", "D-WIRE-8",
      "Datagram and FCPC senders start at seq 1 (every replay window refuses 0).",
      [{"name": "fcpc_tx_first_frame", "k_ctx_hex": h(fcpc_key), "session_id_hex": h(SID), "direction": 0,
        "plaintext_hex": h(b"hello"), "frame_hex": h(fcpc)},
       {"name": "datagram_tx_first", "suite": 1, "key_hex": h(KEY), "session_id_hex": h(SID), "direction": 0,
        "frame_hex": h(fr), "datagram_hex": h(dgram(1, KEY, SID, 0, 1, fr))}])

# D-WIRE-9: a whole production datagram (symbol AEAD + session MAC), 1200 bytes
zone_key = bytes(range(32))
kid = bytes.fromhex("0102030405060708")
node = b"node-a.example.ts.net"
inst = 0x1122334455667788
oid = hashlib.sha256(b"object").digest()
zh = hashlib.sha256(b"zone").digest()
pt = bytes((i * 31 + 7) & 0xFF for i in range(1024))
sk = subkey(zone_key, kid, node, inst)
vecs = []
for suite in (1, 2):
    fseq = 9
    esi, k = 3, 12
    n12 = struct.pack("<QI", fseq, esi)
    aad = oid + struct.pack("<IH", esi, k) + zh + kid + struct.pack("<Q", 1000)
    sealed = ChaCha20Poly1305(sk).encrypt(n12, pt, aad)
    fr = header(1, 1024, oid=oid, kid=kid, zh=zh, epoch=1000, inst=inst, fseq=fseq) + \
        record(esi, k, sealed[:-16], sealed[-16:])
    mkey = bytes([0x60 + suite]) * 32
    d = dgram(suite, mkey, SID, 0, 77, fr)
    assert len(d) == 1200
    vecs.append({"name": "suite%d_chacha20poly1305" % suite, "suite": suite, "zone_key_hex": h(zone_key),
                 "zone_key_id_hex": h(kid), "sender_node_id": node.decode(), "sender_instance_id": str(inst),
                 "object_id_hex": h(oid), "zone_id_hash_hex": h(zh), "epoch_id": 1000, "frame_seq": fseq,
                 "esi": esi, "k": k, "flags": DEFAULT_FLAGS, "plaintext_hex": h(pt), "mac_key_hex": h(mkey),
                 "session_id_hex": h(SID), "direction": 0, "seq": 77, "subkey_hex": h(sk),
                 "frame_hex": h(fr), "datagram_hex": h(d)})
write("d-wire-9-production-datagram.json", "D-WIRE-4",
      "One full default-MTU datagram: 40 + 114 + 22 + 1024 = 1200 bytes, symbol sealed with the "
      "per-sender subkey (ChaCha20-Poly1305), frame MACed with Suite1 / Suite2.", vecs)
print("wrote", sorted(f for f in os.listdir(OUT) if f.endswith(".json")))
