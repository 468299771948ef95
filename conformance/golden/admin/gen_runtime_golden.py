#!/usr/bin/env python3
"""gen_runtime_golden.py - writes d-runtime-4-requests.json: the connector
runtime's admin requests (D-RUNTIME-4: connectors, invoke, connector_install,
connector_activate, connector_stop, connector_rollback) as FCPA frames, built
independently of the C code with Python struct and a minimal canonical CBOR
encoder (shortest heads, map keys sorted bytewise by their encoding).
tests/unit/admin_runtime_test.c decodes every frame, checks the fields and
re-encodes byte for byte; the fuzz_admin corpus gets the payloads as seeds."""
import json, os, struct

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

def frame(seq, payload):
    return b'FCPA' + struct.pack('<H', 1) + bytes(16) + struct.pack('<QHI', seq, 0, len(payload)) + payload

def jsonable(v):
    if isinstance(v, bytes): return {"hex": v.hex()}
    if isinstance(v, list): return [jsonable(x) for x in v]
    if isinstance(v, dict): return {k: jsonable(x) for k, x in v.items()}
    return v

tok = bytes([0x84, 0x43, 0xa1, 0x01, 0x27, 0xa0, 0x41, 0x00, 0x40])
requests = [
    ("connectors", 1, {"op": "connectors"}),
    ("connectors_one", 2, {"op": "connectors", "connector": "fcp.notes"}),
    ("invoke", 3, {"op": "invoke", "connector": "fcp.notes", "operation": "notes_get",
                   "input": '{"name":"a"}', "token": tok}),
    ("invoke_full", 4, {"op": "invoke", "connector": "fcp.notes", "operation": "notes_put",
                        "input": '{"name":"a","text":"b"}', "token": tok, "idempotency_key": "k-1",
                        "approvals": [b"\x01\x02", b"\x03"], "simulate": False}),
    ("simulate", 5, {"op": "invoke", "connector": "fcp.http", "operation": "http_request",
                     "input": "{}", "token": tok, "simulate": True}),
    ("install", 6, {"op": "connector_install", "manifest": "[manifest]\n", "signature": bytes(range(64)),
                    "size": 1048576}),
    ("activate", 7, {"op": "connector_activate", "connector": "fcp.notes"}),
    ("stop", 8, {"op": "connector_stop", "connector": "fcp.notes"}),
    ("rollback", 9, {"op": "connector_rollback", "connector": "fcp.http"}),
]
# refused: (name, request, expected error name)
refused = [
    ("invoke_no_token", {"op": "invoke", "connector": "c", "operation": "o", "input": "{}"}, "FCP_EADMIN_MISSING"),
    ("invoke_zone", {"op": "invoke", "connector": "c", "operation": "o", "input": "{}", "token": tok,
                     "zone": "z:private"}, "FCP_EADMIN_MALFORMED"),
    ("approvals_empty", {"op": "invoke", "connector": "c", "operation": "o", "input": "{}", "token": tok,
                         "approvals": []}, "FCP_EADMIN_MALFORMED"),
    ("approvals_nine", {"op": "invoke", "connector": "c", "operation": "o", "input": "{}", "token": tok,
                        "approvals": [b"\x01"] * 9}, "FCP_EADMIN_MALFORMED"),
    ("simulate_int", {"op": "invoke", "connector": "c", "operation": "o", "input": "{}", "token": tok,
                      "simulate": 1}, "FCP_EADMIN_MALFORMED"),
    ("signature_short", {"op": "connector_install", "manifest": "m", "signature": bytes(63), "size": 1},
     "FCP_EADMIN_MALFORMED"),
    ("stop_no_connector", {"op": "connector_stop"}, "FCP_EADMIN_MISSING"),
    ("connector_empty", {"op": "connector_stop", "connector": ""}, "FCP_EADMIN_MALFORMED"),
    ("token_text", {"op": "invoke", "connector": "c", "operation": "o", "input": "{}", "token": "t"},
     "FCP_EADMIN_MALFORMED"),
]
out = {
    "decision": "D-RUNTIME-4",
    "description": "Connector runtime admin requests (FCPA frames, canonical CBOR payloads) and requests the strict decoder refuses.",
    "requests": [{"name": n, "seq": q, "request": jsonable(r), "frame_hex": frame(q, enc(r)).hex()} for n, q, r in requests],
    "refused": [{"name": n, "request": jsonable(r), "payload_hex": enc(r).hex(), "error": e} for n, r, e in refused],
}
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "d-runtime-4-requests.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
corpus = os.path.join(here, "..", "..", "..", "fuzz", "corpus", "fuzz_admin")
if os.path.isdir(corpus):
    for n, q, r in requests:
        with open(os.path.join(corpus, "runtime_" + n), "wb") as f:
            f.write(frame(q, enc(r)))
