#!/usr/bin/env python3
"""gen_admin_golden.py - writes d-admin-1-frames.json: admin frames
(D-ADMIN-1..3) built independently of the C code, with Python struct and a
minimal canonical CBOR encoder (shortest heads, map keys sorted bytewise by
their encoding).  tests/unit/admin_codec_test.c re-encodes every request and
error response and compares byte for byte."""
import json, struct

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
    if isinstance(v, dict):
        items = sorted((enc(k), enc(x)) for k, x in v.items())
        return head(5, len(items)) + b''.join(k + x for k, x in items)
    raise TypeError(v)

def frame(seq, payload):
    return b'FCPA' + struct.pack('<H', 1) + bytes(16) + struct.pack('<QHI', seq, 0, len(payload)) + payload

oid = bytes(range(32))
requests = [
    ("status", 1, {"op": "status"}),
    ("put", 2, {"op": "put", "zone": "z:private", "size": 20971520}),
    ("put_data", 3, {"op": "put_data", "data": b"hello, mesh"}),
    ("put_end", 4, {"op": "put_end"}),
    ("get", 5, {"op": "get", "id": oid}),
    ("ls_zone", 6, {"op": "ls", "zone": "z:work"}),
    ("pin", 7, {"op": "pin", "id": oid}),
    ("stop", 2**40, {"op": "stop"}),
]
errors = [
    ("unknown_op", 9, -6327, "admin: unknown request operation", "'op' names no known operation"),
]
out = {"decision": "D-ADMIN-1..3",
       "description": "Admin frames: 'FCPA' | u16le version 1 | 16 zero bytes | u64le seq | u16le flags 0 | u32le len | canonical CBOR payload.",
       "requests": [], "errors": []}
for name, seq, req in requests:
    r = dict(req)
    if "id" in r: r["id_hex"] = r.pop("id").hex()
    if "data" in r: r["data_hex"] = r.pop("data").hex()
    out["requests"].append({"name": name, "seq": seq, "request": r, "frame_hex": frame(seq, enc(req)).hex()})
for name, seq, err, msg, detail in errors:
    p = enc({"ok": False, "code": "FCP-%04d" % -err, "error": msg, "detail": detail})
    out["errors"].append({"name": name, "seq": seq, "err": err, "detail": detail, "frame_hex": frame(seq, p).hex()})
with open(__file__.rsplit('/', 1)[0] + "/d-admin-1-frames.json", "w") as f:
    json.dump(out, f, indent=1); f.write("\n")
