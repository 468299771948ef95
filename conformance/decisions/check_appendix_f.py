#!/usr/bin/env python3
"""check_appendix_f.py - an independent evaluator of Appendix F.

Written from docs/protocol/appendix-f.md and decisions D-DEC-1, D-APPROVAL-1..3
(not from the C sources) to show that the vector format is enough for another
implementation: it decodes the approval tokens with its own minimal CBOR
reader, checks their Ed25519 signatures (python3-cryptography), derives
token ids and input hashes with BLAKE3 (Debian's b3sum), runs the 14 steps
and compares every vector's decision, reason code, step, degraded flag and
evidence.  Usage: check_appendix_f.py [appendix-f.json]; prints
"appendix_f_python: N passed, M failed" and exits non-zero on a mismatch.
"""
import json
import subprocess
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def b3(data):
    out = subprocess.run(["b3sum", "--no-names", "--raw"], input=data, capture_output=True, check=True)
    return out.stdout[:32]


# ---- minimal canonical CBOR reader: every item keeps its byte span ----------

class Item:
    def __init__(self, kind, value, start, end):
        self.kind, self.value, self.start, self.end = kind, value, start, end


def cbor_item(b, i):
    start = i
    ib = b[i]
    major, ai = ib >> 5, ib & 31
    i += 1
    if ai < 24:
        arg = ai
    elif ai in (24, 25, 26, 27):
        n = 1 << (ai - 24)
        arg = int.from_bytes(b[i:i + n], "big")
        i += n
    else:
        raise ValueError("unsupported head")
    if major == 0:
        return Item("uint", arg, start, i)
    if major == 1:
        return Item("int", -1 - arg, start, i)
    if major in (2, 3):
        raw = b[i:i + arg]
        return Item("bytes" if major == 2 else "text", raw if major == 2 else raw.decode(), start, i + arg)
    if major == 4:
        items = []
        for _ in range(arg):
            it = cbor_item(b, i)
            items.append(it)
            i = it.end
        return Item("array", items, start, i)
    if major == 5:
        pairs = []
        for _ in range(arg):
            k = cbor_item(b, i)
            v = cbor_item(b, k.end)
            pairs.append((k, v))
            i = v.end
        return Item("map", pairs, start, i)
    if major == 7 and ai in (20, 21, 22):
        return Item("simple", {20: False, 21: True, 22: None}[ai], start, i)
    raise ValueError("unsupported item")


def field(m, name):
    for k, v in m.value:
        if k.kind == "text" and k.value == name:
            return v
    return None


def head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for ai, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | ai]) + n.to_bytes(size, "big")


def json_pointer(b, item, ptr):
    """RFC 6901 over CBOR (D-APPROVAL-2); returns the item or None."""
    if ptr == "":
        return item
    cur = item
    for tok in ptr[1:].split("/"):
        tok = tok.replace("~1", "/").replace("~0", "~")
        if cur.kind == "map":
            nxt = None
            for k, v in cur.value:
                if k.kind == "text" and k.value == tok:
                    nxt = v
                    break
            cur = nxt
        elif cur.kind == "array":
            ok = tok.isdigit() and (tok == "0" or tok[0] != "0") and int(tok) < len(cur.value)
            cur = cur.value[int(tok)] if ok else None
        else:
            cur = None
        if cur is None:
            return None
    return cur


# ---- canonical CBOR writer for the request provenance -----------------------

def enc(v):
    if isinstance(v, bool):
        return b"\xf5" if v else b"\xf4"
    if isinstance(v, int):
        return head(0, v)
    if isinstance(v, bytes):
        return head(2, len(v)) + v
    if isinstance(v, str):
        e = v.encode()
        return head(3, len(e)) + e
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(enc(x) for x in v)
    if isinstance(v, dict):
        items = sorted((enc(k), enc(x)) for k, x in v.items())
        return head(5, len(items)) + b"".join(k + x for k, x in items)
    raise TypeError(v)


FLAGS = ["PUBLIC_INPUT", "EXTERNAL_INPUT", "UNVERIFIED_LINK", "USER_SUPPLIED", "PROMPT_SURFACE"]


def taint_bits(names):
    return sum(1 << FLAGS.index(n) for n in names)


def provenance_cbor(p):
    d = {
        "origin_zone": p["origin_zone"], "current_zone": p["current_zone"],
        "origin_integrity": p["origin_integrity"], "origin_confidentiality": p["origin_confidentiality"],
        "taint": taint_bits(p["taint"]),
        "taint_reductions": [{"clears": taint_bits(r["clears"]),
                              "by_attestation": bytes.fromhex(r["by_attestation_hex"]),
                              "applied_at": r["applied_at"]} for r in p["taint_reductions"]],
        "zone_crossings": [], "created_at": p["created_at"],
    }
    if "origin_principal" in p:
        d["origin_principal"] = p["origin_principal"]
    for c in p["zone_crossings"]:
        x = {"from_zone": c["from_zone"], "to_zone": c["to_zone"], "crossed_at": c["crossed_at"]}
        if "authorized_by_hex" in c:
            x["authorized_by"] = bytes.fromhex(c["authorized_by_hex"])
        d["zone_crossings"].append(x)
    return enc(d)


# ---- approvals --------------------------------------------------------------

SIGN_PREFIX = b"FCP2-SIGN-V1" + b3(b"fcp.core.ApprovalToken/1.0.0")[:8]


class Approval:
    def __init__(self, raw, keys, now):
        self.raw = raw
        m = cbor_item(raw, 0)
        self.m = m
        unsigned = [(k, v) for k, v in m.value if k.value != "signature"]
        view = head(5, len(unsigned)) + b"".join(raw[k.start:v.end] for k, v in unsigned)
        signing = SIGN_PREFIX + view
        self.token_id = b3(b"FCP2-APPROVAL-ID-V1" + signing)
        self.approved_by = field(m, "approved_by").value
        self.approved_at = field(m, "approved_at").value
        self.expires_at = field(m, "expires_at").value
        scope = field(m, "scope")
        (k, v), = scope.value
        self.kind, self.scope = k.value, v
        self.sig_ok = False
        pk = keys.get(self.approved_by)
        if pk:
            try:
                Ed25519PublicKey.from_public_bytes(bytes.fromhex(pk)).verify(field(m, "signature").value, signing)
                self.sig_ok = True
            except Exception:
                pass


def pat(p, s):
    return s.startswith(p[:-1]) if p.endswith("*") else p == s


def anyp(lst, s):
    return any(pat(p, s) for p in lst)


class Deny(Exception):
    def __init__(self, code, step):
        self.code, self.step = code, step


def decide(inp, keys):
    now = inp["now"]
    r, t, p, rv = inp["request"], inp["token"], inp["policy"], inp["revocation"]
    revoked = {bytes.fromhex(h) for h in rv["revoked_ids_hex"]}
    evidence, degraded = [], False
    tiers = ["safe", "risky", "dangerous", "forbidden"]
    need = ["principal", "zone_id", "connector_id", "operation", "capability"]
    if any(r.get(k) is None for k in need) or r["tier"] not in tiers:
        raise Deny(4240, 1)
    tier = tiers.index(r["tier"])
    if tier == 3:
        raise Deny(4200, 2)
    if now < t["not_before"] and t["not_before"] - now > p["token_skew"]:
        raise Deny(4201, 3)
    if now > t["expires_at"]:
        raise Deny(2002, 3)
    if t["subject"] != r["principal"]:
        raise Deny(4204, 4)
    if t["zone_id"] != r["zone_id"]:
        raise Deny(4202, 4)
    if t["audience"] != r["connector_id"]:
        raise Deny(4203, 4)
    stale_seq = t["rev_seq"] > rv["seq"]
    age = now - rv["last_updated"] if now >= rv["last_updated"] else 0
    stale_age = p["max_revocation_age"] and age > p["max_revocation_age"]
    if stale_seq or stale_age:
        if tier == 0:
            degraded = True
        else:
            raise Deny(4205 if stale_seq else 4206, 5)
    if bytes.fromhex(t["token_id_hex"]) in revoked or any(bytes.fromhex(g) in revoked for g in t["grant_object_ids_hex"]):
        raise Deny(3005, 6)
    if inp["checkpoint_seq"] < p["min_checkpoint_seq"]:
        raise Deny(4207, 7)
    dd = p["default_deny"]
    if anyp(p["principals_deny"], r["principal"]):
        raise Deny(4208, 8)
    if p["principals_allow"] and not anyp(p["principals_allow"], r["principal"]) and dd:
        raise Deny(4209, 8)
    if anyp(p["connectors_deny"], r["connector_id"]):
        raise Deny(4210, 8)
    if p["connectors_allow"] and not anyp(p["connectors_allow"], r["connector_id"]) and dd:
        raise Deny(4211, 8)
    if anyp(p["cap_deny"], r["capability"]):
        raise Deny(4212, 8)
    if p["cap_allow"] and not anyp(p["cap_allow"], r["capability"]) and dd:
        raise Deny(4213, 8)
    caps = [g for g in t["grants"] if pat(g["capability"], r["capability"])]
    if not caps:
        raise Deny(4214, 9)
    if not any(g["operation"] is None or g["operation"] == r["operation"] for g in caps):
        raise Deny(3003, 9)
    if r["transport"] in ("lan", "derp", "funnel") and r["transport"] not in p["transports_allowed"]:
        raise Deny({"lan": 4215, "derp": 4216, "funnel": 4217}[r["transport"]], 10)

    approvals = [Approval(bytes.fromhex(a["token_cbor_hex"]), keys, now) for a in inp["approvals"]]
    prov = r["provenance"]
    inp_raw = bytes.fromhex(r["input_cbor_hex"])
    req_id = bytes.fromhex(r["request_object_id_hex"]) if r["request_object_id_hex"] else None
    objs = [bytes.fromhex(o) for o in r["object_ids_hex"]]
    approvers = {"Elevation": p["elevation_approvers"], "Declassification": p["declassification_approvers"],
                 "Execution": p["execution_approvers"]}

    def scope_check(a):
        s = a.scope
        if a.kind == "Elevation":
            if field(s, "operation").value != r["operation"]:
                return 4224
            op = field(s, "original_provenance")
            return 0 if a.raw[op.start:op.end] == provenance_cbor(prov) else 4224
        if a.kind == "Declassification":
            ids = [x.value for x in field(s, "object_ids").value]
            if (field(s, "from_zone").value != prov["current_zone"] or field(s, "to_zone").value != r["zone_id"]
                    or not objs or any(o not in ids for o in objs)):
                return 4222
            return 0
        if field(s, "connector_id").value != r["connector_id"]:
            return 4226
        if not pat(field(s, "method_pattern").value, r["operation"]):
            return 4227
        rid = field(s, "request_object_id")
        if rid is not None and rid.value != req_id:
            return 4228
        ih = field(s, "input_hash")
        if ih is not None and ih.value != b3(b"FCP2-INPUT-V1" + inp_raw):
            return 4229
        for c in field(s, "input_constraints").value:
            eq = field(c, "equals")
            sel = json_pointer(inp_raw, cbor_item(inp_raw, 0), field(c, "pointer").value) if inp_raw else None
            if sel is None or inp_raw[sel.start:sel.end] != a.raw[eq.start:eq.end]:
                return 4230
        return 0

    def need_approval(kind, missing, step):
        first = 0
        for a in approvals:
            if a.kind != kind:
                continue
            if not a.sig_ok:
                rc = 4233
            elif now > a.expires_at:
                rc = 4231
            elif a.approved_at > now and a.approved_at - now > 120:
                rc = 4232
            elif not anyp(approvers[kind], a.approved_by):
                rc = 4234
            elif a.token_id in revoked:
                rc = 4235
            else:
                rc = scope_check(a)
            if rc == 0:
                evidence.append(a.token_id)
                return
            first = first or rc
        raise Deny(first or missing, step)

    accepted = {bytes.fromhex(h) for h in inp["sanitizer_receipts_hex"]}
    taint, ignored = taint_bits(prov["taint"]), 0
    for red in prov["taint_reductions"]:
        if bytes.fromhex(red["by_attestation_hex"]) in accepted:
            taint &= ~taint_bits(red["clears"])
        else:
            ignored |= taint_bits(red["clears"])
    ignored &= taint

    def rule(tv):
        if tv & 1 and tier >= 2:
            return 4218
        if tv and tier >= 1 and p["integrity_level"] > prov["origin_integrity"]:
            return 4219
        return 0

    rc = rule(taint)
    if rc:
        if ignored and rule(taint & ~ignored) == 0:
            rc = 4220
        need_approval("Elevation", rc, 11)
    else:
        for red in prov["taint_reductions"]:
            att = bytes.fromhex(red["by_attestation_hex"])
            if att in accepted and taint_bits(prov["taint"]) & taint_bits(red["clears"]) and len(evidence) < 8:
                evidence.append(att)
    if prov["origin_confidentiality"] > p["confidentiality_level"]:
        need_approval("Declassification", 4221, 12)
    emt = p["execution_min_tier"]
    if (emt != "never" and tier >= tiers.index(emt)) or r["requires_approval"]:
        need_approval("Execution", 4225, 13)
    return 0, 14, degraded, evidence


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "conformance/decisions/appendix-f.json"
    doc = json.load(open(path))
    keys = doc["approver_public_keys_hex"]
    ok = bad = 0
    for v in doc["vectors"]:
        try:
            code, step, degraded, evidence = decide(v["inputs"], keys)
        except Deny as d:
            code, step, degraded, evidence = d.code, d.step, False, []
        ex = v["expected"]
        got = ("FCP-%04d" % code, step, degraded, [e.hex() for e in evidence])
        want = (ex["reason_code"], ex["step"], ex["degraded"], ex["evidence_hex"])
        if got == want:
            ok += 1
        else:
            bad += 1
            print("MISMATCH %s: got %s want %s" % (v["name"], got[:3], want[:3]))
    print("appendix_f_python: %d passed, %d failed" % (ok, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
