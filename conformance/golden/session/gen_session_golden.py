#!/usr/bin/env python3
"""Generate the MeshSession golden vectors (D-SESSION-*) from the written rules.

Independent of the C code: a small deterministic-CBOR writer below, Ed25519,
X25519 and HKDF-SHA256 from `cryptography`, HMAC-SHA256 from the standard
library, FCPS frame bytes with struct.  tests/unit/wire_session_golden_test.c
drives the C engines with the same inputs (a scripted RNG and a manual clock)
and compares every datagram byte for byte.

    python3 conformance/golden/session/gen_session_golden.py   # rewrites the JSON files
"""
import hashlib
import hmac
import json
import os
import struct

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

OUT = os.path.dirname(os.path.abspath(__file__))


# ---- deterministic CBOR (RFC 8949 §4.2.1: shortest heads, keys sorted bytewise) ----
def head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for ai, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < (1 << (8 * struct.calcsize(fmt))):
            return bytes([major << 5 | ai]) + struct.pack(fmt, n)
    raise ValueError(n)


def cbor(v):
    if v is None:
        return b"\xf6"
    if isinstance(v, bool):
        return b"\xf5" if v else b"\xf4"
    if isinstance(v, int):
        return head(0, v)
    if isinstance(v, bytes):
        return head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode()
        return head(3, len(b)) + b
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(cbor(x) for x in v)
    if isinstance(v, dict):
        items = sorted((cbor(k), cbor(x)) for k, x in v.items())
        return head(5, len(items)) + b"".join(k + x for k, x in items)
    raise TypeError(v)


def ed_sk(seed):
    return Ed25519PrivateKey.from_private_bytes(seed)


def ed_pk(seed):
    return ed_sk(seed).public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def x_pk(sk):
    return X25519PrivateKey.from_private_bytes(sk).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def x_dh(sk, pk):
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
    return X25519PrivateKey.from_private_bytes(sk).exchange(X25519PublicKey.from_public_bytes(pk))


# ---- MeshSession rules ------------------------------------------------------------
def hello_map(h):
    m = {"from": h["from"], "to": h["to"], "eph_pubkey": h["eph"], "nonce": h["nonce"],
         "timestamp": h["ts"], "suites": h["suites"]}
    if h.get("cookie") is not None:
        m["cookie"] = h["cookie"]
    if h.get("limits") is not None:
        m["transport_limits"] = h["limits"]
    if h.get("sig") is not None:
        m["signature"] = h["sig"]
    return cbor(m)


def hello_transcript(h):
    return (b"FCP2-HELLO-V1" + cbor(h["from"]) + cbor(h["to"]) + cbor(h["eph"]) + cbor(h["nonce"]) +
            cbor(h.get("cookie")) + cbor(h["ts"]) + cbor(h["suites"]) + cbor(h.get("limits")))


def cookie(key, h):
    data = (cbor(h["from"]) + cbor(h["to"]) + cbor(h["eph"]) + cbor(h["nonce"]) + cbor(h["ts"]) +
            cbor(h["suites"]) + cbor(h.get("limits")))
    return hmac.new(key, data, hashlib.sha256).digest()


def ack_map(a):
    m = {"from": a["from"], "to": a["to"], "eph_pubkey": a["eph"], "nonce": a["nonce"],
         "session_id": a["sid"], "suite": a["suite"], "timestamp": a["ts"]}
    if a.get("sig") is not None:
        m["signature"] = a["sig"]
    return cbor(m)


def ack_transcript(a, h):
    return (b"FCP2-ACK-V1" + cbor(a["from"]) + cbor(a["to"]) + cbor(a["eph"]) + cbor(a["nonce"]) +
            cbor(a["sid"]) + cbor(a["suite"]) + cbor(a["ts"]) + cbor(h["eph"]) + cbor(h["nonce"]))


def derive(shared, sid, suite, iid, rid, hn, an):
    info = (b"FCP2-SESSION-V1" + bytes([suite]) + struct.pack("<I", len(iid)) + iid.encode() +
            struct.pack("<I", len(rid)) + rid.encode() + hn + an)
    return HKDF(algorithm=hashes.SHA256(), length=96, salt=sid, info=info).derive(shared)


def envelope(t, body):
    return b"FCPH" + bytes([1, t]) + body


def fcps_frame():
    # 114-byte header (D-WIRE-3 layout), one record, symbol_size 256
    T = 256
    hdr = (b"FCPS" + struct.pack("<HHII", 1, 0x0404, 1, 22 + T) + b"\x01" * 32 + struct.pack("<H", T) +
           b"\x02" * 8 + b"\x03" * 32 + struct.pack("<QQQ", 1, 7, 1))
    rec = struct.pack("<IH", 0, 1) + b"\x04" * T + b"\x00" * 16
    return hdr + rec


def datagram(key, sid, direction, seq, frame):
    mac = hmac.new(key, sid + bytes([direction]) + struct.pack("<Q", seq) + frame, hashlib.sha256).digest()[:16]
    return sid + struct.pack("<Q", seq) + mac + frame


def write(name, obj):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def main():
    T = 1704067200
    iseed, rseed = b"\x11" * 32, b"\x22" * 32
    I, R = "node-initiator", "node-responder"
    ck = b"\x55" * 32
    iex_sk, rex_sk = b"\x33" * 32, b"\x44" * 32
    hn, an, sid = b"\x66" * 16, b"\x77" * 16, b"\x88" * 16

    h = {"from": I, "to": R, "eph": x_pk(iex_sk), "nonce": hn, "ts": T, "suites": [1, 2], "limits": 1200}
    h["sig"] = ed_sk(iseed).sign(hello_transcript(h))
    hello1 = envelope(1, hello_map(h))
    c = cookie(ck, h)
    retry = envelope(2, cbor({"from": R, "to": I, "cookie": c, "timestamp": T}))
    h2 = dict(h, cookie=c)
    h2["sig"] = ed_sk(iseed).sign(hello_transcript(h2))
    hello2 = envelope(1, hello_map(h2))
    a = {"from": R, "to": I, "eph": x_pk(rex_sk), "nonce": an, "sid": sid, "suite": 1, "ts": T + 5}
    a["sig"] = ed_sk(rseed).sign(ack_transcript(a, h2))
    ack = envelope(3, ack_map(a))
    okm = derive(x_dh(iex_sk, a["eph"]), sid, 1, I, R, hn, an)
    frame = fcps_frame()
    d_i2r = datagram(okm[0:32], sid, 0, 1, frame)
    d_r2i = datagram(okm[32:64], sid, 1, 1, frame)

    # an Ack whose session id begins with the envelope magic, correctly signed
    bad = dict(a, sid=b"FCPH" + b"\x88" * 12)
    bad["sig"] = ed_sk(rseed).sign(ack_transcript(bad, h2))
    ack_reserved = envelope(3, ack_map(bad))

    write("d-session-2-envelope.json", {
        "decision": "D-SESSION-2",
        "description": "Handshake datagrams are 'FCPH' || version 1 || type (1 Hello, 2 HelloRetry, 3 Ack) || "
                       "canonical CBOR body, on the same port as FCPS data datagrams, which begin with a "
                       "16-byte session id that never begins with 'FCPH'. A full handshake with the "
                       "HelloRetry cookie path from fixed inputs, then the first data datagram each way.",
        "inputs": {
            "initiator_id": I, "responder_id": R,
            "initiator_ed25519_seed_hex": iseed.hex(), "responder_ed25519_seed_hex": rseed.hex(),
            "initiator_ed25519_pk_hex": ed_pk(iseed).hex(), "responder_ed25519_pk_hex": ed_pk(rseed).hex(),
            "cookie_key_hex": ck.hex(), "initiator_eph_sk_hex": iex_sk.hex(), "responder_eph_sk_hex": rex_sk.hex(),
            "hello_nonce_hex": hn.hex(), "ack_nonce_hex": an.hex(), "session_id_hex": sid.hex(),
            "hello_timestamp": T, "ack_timestamp": T + 5, "suites": [1, 2], "max_datagram": 1200,
            "frame_hex": frame.hex(),
        },
        "datagrams": [
            {"name": "hello", "kind": "handshake", "hex": hello1.hex()},
            {"name": "hello_retry", "kind": "handshake", "hex": retry.hex()},
            {"name": "hello_with_cookie", "kind": "handshake", "hex": hello2.hex()},
            {"name": "ack", "kind": "handshake", "hex": ack.hex()},
            {"name": "data_i2r_seq1", "kind": "data", "hex": d_i2r.hex()},
            {"name": "data_r2i_seq1", "kind": "data", "hex": d_r2i.hex()},
        ],
        "keys": {"k_mac_i2r_hex": okm[0:32].hex(), "k_mac_r2i_hex": okm[32:64].hex(), "k_ctx_hex": okm[64:96].hex()},
        "ack_with_reserved_session_id": {"hex": ack_reserved.hex(), "initiator_error": "FCP_ESESSION_ID_RESERVED"},
        "envelope_rejects": [
            {"hex": "46435048", "error": "FCP_ESESSION_ENVELOPE"},
            {"hex": "464350480101", "error": "FCP_ECBOR_TRUNCATED"},
            {"hex": "46435048020100", "error": "FCP_ESESSION_VERSION"},
            {"hex": "46435048010000", "error": "FCP_ESESSION_MSG_TYPE"},
            {"hex": "46435048010400", "error": "FCP_ESESSION_MSG_TYPE"},
            {"hex": "46435048010200", "error": "FCP_ESESSION_UNEXPECTED"},
            {"hex": "46435053010100", "error": "FCP_ESESSION_ENVELOPE"},
            {"hex": ("46435048" + "0101" + "00" * 1195), "error": "FCP_ESESSION_TOO_LARGE"},
        ],
        "classify": [
            {"hex": "46435048", "kind": "handshake"},
            {"hex": "464350", "kind": "data"},
            {"hex": "464350530100", "kind": "data"},
            {"hex": d_i2r[:40].hex(), "kind": "data"},
        ],
    })

    # D-SESSION-1: key schedule (production single-stage rule), fixed inputs and one more
    cases = []
    for (iid, rid, sk1, sk2, hn_, an_, sid_, suite) in [
        (I, R, iex_sk, rex_sk, hn, an, sid, 1),
        (I, R, iex_sk, rex_sk, hn, an, sid, 2),
        ("node.initiator.ts.net", "node.responder.ts.net", b"\x01" * 32, b"\x02" * 32,
         bytes.fromhex("00000000000000000000000000000001"), bytes.fromhex("00000000000000000000000000000002"),
         bytes.fromhex("deadbeefcafebabe0123456789abcdef"), 1),
    ]:
        shared = x_dh(sk1, x_pk(sk2))
        o = derive(shared, sid_, suite, iid, rid, hn_, an_)
        cases.append({"initiator_id": iid, "responder_id": rid, "shared_secret_hex": shared.hex(),
                      "session_id_hex": sid_.hex(), "suite": suite, "hello_nonce_hex": hn_.hex(),
                      "ack_nonce_hex": an_.hex(), "okm_hex": o.hex()})
    write("d-session-1-key-schedule.json", {
        "decision": "D-SESSION-1",
        "description": "okm = HKDF-SHA256(salt=session_id, ikm=X25519 shared, info='FCP2-SESSION-V1' || suite u8 || "
                       "u32le len || initiator_id || u32le len || responder_id || hello_nonce || ack_nonce, L=96) "
                       "= k_mac_i2r | k_mac_r2i | k_ctx (single extract+expand). The third case uses the inputs "
                       "of upstream conformance_v1_basic, whose two-stage keys we do not reproduce.",
        "vectors": cases,
    })

    # D-SESSION-3: TransportLimits
    rows = []
    for il, rl in [(1200, 1200), (9000, 1400), (1400, 9000), (65535, 65535), (1200, 65535)]:
        rows.append({"initiator_local": il, "responder_local": rl,
                     "initiator_send": 1200, "initiator_recv": il,
                     "responder_send": min(il, rl), "responder_recv": rl})
    write("d-session-3-transport-limits.json", {
        "decision": "D-SESSION-3",
        "description": "Only the Hello carries TransportLimits (absent or 0 = 1200). The responder sends up to "
                       "min(own, initiator's); the initiator, which never learns the responder's limit, sends up "
                       "to 1200; each side accepts up to its own limit. Handshake datagrams are <= 1200 bytes.",
        "vectors": rows,
    })

    # D-SESSION-4: time policy
    skew = []
    for d in (0, 119, 120, 121, -120, -121, 100000):
        skew.append({"now": T, "timestamp": T + d, "result": "ok" if abs(d) <= 120 else "FCP_ESESSION_SKEW"})
    write("d-session-4-time-policy.json", {
        "decision": "D-SESSION-4",
        "description": "Clock skew +-120 s on Hello, HelloRetry and Ack timestamps; rekey after 1e9 frames, "
                       "86400 s or 2^40 bytes sent; the retired session's receive keys verify for 10 s after "
                       "the new session is confirmed; cookie keys rotate every 120 s and the previous key "
                       "still verifies; the initiator resends a fresh Hello every 1000 ms, 5 Hellos at most.",
        "policy": {"max_skew_secs": 120, "max_reorder_window": 128, "rekey_after_frames": 1000000000,
                   "rekey_after_seconds": 86400, "rekey_after_bytes": 1099511627776, "grace_ms": 10000,
                   "cookie_rotate_secs": 120, "hello_timeout_ms": 1000, "max_attempts": 5,
                   "hello_replay_capacity": 1024},
        "skew": skew,
    })


# ---- D-SESSION-5: symbol requests ---------------------------------------------------
def lp(s):
    b = s.encode()
    return struct.pack("<I", len(b)) + b


def target_bytes(t, node, nonce):
    return t["object_id"] + lp(t["zone_id"]) + t["zone_key_id"] + struct.pack("<Q", t["epoch_id"]) + lp(node) + struct.pack("<Q", nonce)


def status_bytes(s):
    out = b"FCP2-DECODE-STATUS-V2" + target_bytes(s, s["recipient"], s["request_nonce"])
    out += struct.pack("<IIB", s["received_unique"], s["needed"], 1 if s["complete"] else 0)
    hint = s.get("missing_hint")
    out += struct.pack("<I", len(hint) if hint else 0)
    for e in hint or []:
        out += struct.pack("<I", e)
    return out


def status_map(s):
    m = {"object_id": s["object_id"], "zone_id": s["zone_id"], "zone_key_id": s["zone_key_id"],
         "epoch_id": s["epoch_id"], "recipient": s["recipient"], "request_nonce": s["request_nonce"],
         "received_unique": s["received_unique"], "needed": s["needed"], "complete": s["complete"]}
    if s.get("missing_hint") is not None:
        m["missing_hint"] = s["missing_hint"]
    return m


def request_bytes(r):
    out = b"FCP2-SYMBOL-REQUEST-V1" + target_bytes(r, r["requester"], r["request_nonce"])
    want = r.get("want_esi")
    out += struct.pack("<II", r["max_symbols"], len(want) if want else 0)
    for e in want or []:
        out += struct.pack("<I", e)
    ds = r.get("decode_status")
    out += bytes([1 if ds else 0])
    if ds:
        out += status_bytes(ds)
    return out + struct.pack("<Q", r["requested_at"])


def request_map(r):
    m = {"object_id": r["object_id"], "zone_id": r["zone_id"], "zone_key_id": r["zone_key_id"],
         "epoch_id": r["epoch_id"], "requester": r["requester"], "request_nonce": r["request_nonce"],
         "max_symbols": r["max_symbols"], "requested_at": r["requested_at"]}
    if r.get("want_esi") is not None:
        m["want_esi"] = r["want_esi"]
    if r.get("decode_status") is not None:
        m["decode_status"] = status_map(r["decode_status"])
    if r.get("signature") is not None:
        m["signature"] = r["signature"]
    return cbor(m)


def allowance(pol, r, authenticated, available):
    if not authenticated and pol["require_authenticated"]:
        return "FCP_ESYMREQ_UNAUTHENTICATED"
    proof = r.get("want_esi") is not None or r.get("decode_status") is not None
    cap = pol["max_per_request"] if (authenticated and proof) else min(pol["max_per_request"], pol["max_unauthenticated"])
    n = min(r["max_symbols"], cap, available)
    if r.get("want_esi") is not None:
        n = min(n, len(r["want_esi"]))
    ds = r.get("decode_status")
    if ds is not None:
        n = 0 if ds["complete"] else min(n, max(ds["needed"] - ds["received_unique"], 0) + pol["repair_margin"])
    return n


def symreq():
    base = {"object_id": b"\x11" * 32, "zone_id": "z:work", "zone_key_id": b"\x22" * 8, "epoch_id": 1000,
            "requester": "100.64.0.9", "request_nonce": 0x0102030405060708, "requested_at": 1704067200}
    ds = {"object_id": b"\x11" * 32, "zone_id": "z:work", "zone_key_id": b"\x22" * 8, "epoch_id": 1000,
          "recipient": "100.64.0.9", "request_nonce": 0x0102030405060708, "received_unique": 500,
          "needed": 1003, "complete": False, "missing_hint": [10, 20, 30, 40]}
    reqs = {
        "plain_100": dict(base, max_symbols=100),
        "want_3": dict(base, max_symbols=50, want_esi=[7, 9, 4000]),
        "status_500_of_1003": dict(base, max_symbols=5000, decode_status=ds),
        "status_complete": dict(base, max_symbols=10, decode_status=dict(ds, received_unique=1003, complete=True,
                                                                          missing_hint=None)),
        "max_1": dict(base, max_symbols=1),
    }
    seed = b"\x09" * 32
    signed = dict(reqs["want_3"])
    signed["signature"] = ed_sk(seed).sign(request_bytes(signed))
    pol = {"max_per_request": 1024, "max_unauthenticated": 32, "require_authenticated": True, "repair_margin": 2}
    open_pol = dict(pol, require_authenticated=False)
    table = []
    for name, r in reqs.items():
        for auth in (True, False):
            for p, pname in ((pol, "default"), (open_pol, "public_ingress")):
                for avail in (10000, 3):
                    table.append({"request": name, "authenticated": auth, "policy": pname, "available": avail,
                                  "allowed": allowance(p, r, auth, avail)})
    write("d-session-5-symbol-requests.json", {
        "decision": "D-SESSION-5",
        "description": "SymbolRequest / DecodeStatus as canonical CBOR with text keys; request transcript "
                       "'FCP2-SYMBOL-REQUEST-V1'...; allowance = min(max_symbols, cap, available) with cap 1024 "
                       "when authenticated with proof of need (want_esi or decode_status), else 32; want_esi and "
                       "decode_status (needed - received + 2, 0 when complete) narrow it; unauthenticated refused "
                       "unless the policy allows (z:public ingress).",
        "policies": {"default": pol, "public_ingress": open_pol},
        "requests": {k: {"cbor_hex": request_map(v).hex(), "transcript_hex": request_bytes(v).hex()} for k, v in reqs.items()},
        "signed": {"ed25519_seed_hex": seed.hex(), "ed25519_pk_hex": ed_pk(seed).hex(), "cbor_hex": request_map(signed).hex()},
        "allowance": table,
    })


if __name__ == "__main__":
    main()
    symreq()
