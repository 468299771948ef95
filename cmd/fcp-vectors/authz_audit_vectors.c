/*
 * authz_audit_vectors.c - golden vectors of the authority objects in
 * conformance/golden/authz_audit/ (ApprovalToken, provenance merge, AuditEvent
 * chain + AuditHead, DecisionReceipt, OperationIntent / OperationReceipt) and
 * the registration of the Appendix F decision vectors
 * (conformance/decisions/appendix-f.json, authz_decision_vectors.c).
 *
 * Object entries carry the wire CBOR as input plus the keys needed to check
 * it; expected holds the signing bytes, the signature and the ObjectId, which
 * tests/unit/authz_golden_test.c recomputes (decode -> identical re-encode ->
 * signing bytes -> deterministic Ed25519 -> keyed ObjectId).
 */
#include <stdio.h>
#include <string.h>

#include "fcp/authz_audit.h"
#include "fcp/authz_provenance.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_approval.h"
#include "fcp/model_audit.h"
#include "fcp/model_operation.h"
#include "fcp/model_sign.h"
#include "vectors.h"

json_t *vec_build_appendix_f(void);
json_t *vec_provenance_json(const fcp_provenance *p);

#define T0 1700000000ull

static void keypair(uint8_t seedbyte, uint8_t pk[32], uint8_t sk[64])
{
    uint8_t seed[32];
    memset(seed, seedbyte, 32);
    fcp_ed25519_keypair_from_seed(pk, sk, seed);
}

static json_t *hexbuf(const fcp_buf *b)
{
    return vec_hex(b->data, b->len);
}

/* One signed-object entry. */
static json_t *obj_entry(const char *name, const char *desc, const fcp_schema_id *schema,
                         const fcp_buf *wire, const fcp_buf *signed_view, const uint8_t sig[64],
                         uint8_t seedbyte, const uint8_t *id, const fcp_object_id_key *key)
{
    uint8_t seed[32];
    char sch[FCP_SCHEMA_TEXT_MAX];
    fcp_buf sb;
    json_t *in = json_object(), *ex = json_object();
    memset(seed, seedbyte, 32);
    fcp_schema_id_format_signing(schema, sch, sizeof sch);
    fcp_buf_init(&sb);
    fcp_signing_bytes(&sb, schema, signed_view->data, signed_view->len);
    json_object_set_new(in, "schema", json_string(sch));
    json_object_set_new(in, "signer_seed_hex", vec_hex(seed, 32));
    if (key)
        json_object_set_new(in, "object_id_key_hex", vec_hex(key->bytes, 32));
    json_object_set_new(in, "wire_cbor_hex", hexbuf(wire));
    json_object_set_new(ex, "signing_bytes_hex", hexbuf(&sb));
    json_object_set_new(ex, "signature_hex", vec_hex(sig, 64));
    if (id)
        json_object_set_new(ex, "object_id_hex", vec_hex(id, 32));
    fcp_buf_free(&sb);
    return vec_entry(name, desc, in, ex);
}

static json_t *reject_entry(const char *name, const char *desc, const char *type, const fcp_buf *bad,
                            int err)
{
    json_t *in = json_object(), *ex = json_object();
    json_object_set_new(in, "type", json_string(type));
    json_object_set_new(in, "wire_cbor_hex", hexbuf(bad));
    json_object_set_new(ex, "error", json_string(fcp_error_name(err)));
    return vec_entry(name, desc, in, ex);
}

/* ---- approvals ---------------------------------------------------------- */

static json_t *build_approvals(void)
{
    static fcp_approval_token t, u;
    json_t *arr = json_array();
    uint8_t pk[32], sk[64];
    keypair(0x0a, pk, sk);
    for (int k = 1; k <= 3; k++) {
        fcp_buf w, v;
        fcp_schema_id s;
        uint8_t id[32];
        memset(&t, 0, sizeof t);
        t.kind = (enum fcp_approval_kind)k;
        strcpy(t.approved_by, "user:owner");
        strcpy(t.justification, k == 3 ? "one payment, this amount" : "reviewed");
        t.approved_at = T0;
        t.expires_at = T0 + FCP_APPROVAL_DEFAULT_TTL;
        if (k == FCP_APPROVAL_ELEVATION) {
            strcpy(t.elevation.operation, "gmail.delete");
            fcp_provenance_init(&t.elevation.original_provenance, "z:public", T0 - 5);
            strcpy(t.elevation.original_provenance.current_zone, "z:work");
            t.elevation.original_provenance.origin_integrity = 20;
            t.elevation.original_provenance.origin_confidentiality = 10;
            t.elevation.original_provenance.taint = FCP_TAINT_PUBLIC_INPUT;
        } else if (k == FCP_APPROVAL_DECLASSIFICATION) {
            strcpy(t.declassification.from_zone, "z:private");
            strcpy(t.declassification.to_zone, "z:work");
            t.declassification.n_objects = 2;
            memset(t.declassification.object_ids[0], 0x93, 32);
            memset(t.declassification.object_ids[1], 0xe7, 32);
        } else {
            fcp_approval_execution *x = &t.execution;
            strcpy(x->connector_id, "fcp.stripe");
            strcpy(x->method_pattern, "stripe.charges.*");
            x->has_request_object_id = 1;
            memset(x->request_object_id, 0x96, 32);
            x->has_input_hash = 1;
            memset(x->input_hash, 0x42, 32);
            x->n_constraints = 2;
            strcpy(x->constraints[0].pointer, "/amount");
            memcpy(x->constraints[0].equals, "\x19\x13\x88", 3);   /* 5000 */
            x->constraints[0].equals_len = 3;
            strcpy(x->constraints[1].pointer, "/currency");
            memcpy(x->constraints[1].equals, "\x63" "eur", 4);
            x->constraints[1].equals_len = 4;
        }
        if (fcp_approval_sign(&t, sk) != 0 || fcp_approval_token_id(id, &t) != 0)
            return NULL;
        fcp_approval_schema(&s);
        fcp_buf_init(&w);
        fcp_buf_init(&v);
        fcp_approval_encode(&t, &w);
        fcp_approval_encode_unsigned(&t, &v);
        static const char *names[] = { "", "approval_elevation", "approval_declassification", "approval_execution" };
        json_t *e = obj_entry(names[k], "ApprovalToken (D-APPROVAL-1): wire CBOR, signing bytes, Ed25519 signature; token_id = BLAKE3(\"FCP2-APPROVAL-ID-V1\" || signing bytes)",
                              &s, &w, &v, t.signature, 0x0a, NULL, NULL);
        json_object_set_new(json_object_get(e, "expected"), "token_id_hex", vec_hex(id, 32));
        json_array_append_new(arr, e);
        /* reject: the same token with an unknown scope variant */
        if (k == 3) {
            fcp_buf bad;
            fcp_buf_init(&bad);
            fcp_buf_append(&bad, w.data, w.len);
            for (size_t i = 0; i + 9 <= bad.len; i++)
                if (memcmp(bad.data + i, "Execution", 9) == 0) {
                    bad.data[i] = 'F';
                    break;
                }
            json_array_append_new(arr, reject_entry("reject_approval_scope_variant", "unknown scope variant",
                                                    "ApprovalToken", &bad, fcp_approval_decode(&u, bad.data, bad.len)));
            bad.len = w.len - 1;
            json_array_append_new(arr, reject_entry("reject_approval_truncated", "truncated token",
                                                    "ApprovalToken", &bad, fcp_approval_decode(&u, bad.data, bad.len)));
            fcp_buf_free(&bad);
        }
        fcp_buf_free(&w);
        fcp_buf_free(&v);
    }
    /* input hash and JSON pointer (D-APPROVAL-2) */
    static const uint8_t input[] = { 0xa2, 0x66, 'a', 'm', 'o', 'u', 'n', 't', 0x19, 0x13, 0x88,
                                     0x68, 'c', 'u', 'r', 'r', 'e', 'n', 'c', 'y', 0x63, 'e', 'u', 'r' };
    uint8_t h[32];
    fcp_approval_input_hash(h, input, sizeof input);
    json_t *in = json_object(), *ex = json_object();
    json_object_set_new(in, "input_cbor_hex", vec_hex(input, sizeof input));
    json_object_set_new(ex, "input_hash_hex", vec_hex(h, 32));
    json_t *ptrs = json_array();
    static const char *pp[] = { "", "/amount", "/currency", "/missing", "/amount/0", "amount", "/a~2" };
    for (size_t i = 0; i < sizeof pp / sizeof pp[0]; i++) {
        const uint8_t *v;
        size_t vl;
        json_t *pe = json_object();
        int rc = fcp_cbor_pointer_get(input, sizeof input, pp[i], strlen(pp[i]), &v, &vl);
        json_object_set_new(pe, "pointer", json_string(pp[i]));
        if (rc == 0)
            json_object_set_new(pe, "value_hex", vec_hex(v, vl));
        else
            json_object_set_new(pe, "error", json_string(fcp_error_name(rc)));
        json_array_append_new(ptrs, pe);
    }
    json_object_set_new(ex, "pointers", ptrs);
    json_array_append_new(arr, vec_entry("input_hash_and_pointers",
                                         "input_hash = BLAKE3(\"FCP2-INPUT-V1\" || input); RFC 6901 pointers over canonical CBOR",
                                         in, ex));
    return arr;
}

/* ---- provenance merge --------------------------------------------------- */

static json_t *build_provenance(void)
{
    static fcp_provenance p[2], m;
    json_t *arr = json_array();
    fcp_provenance_init(&p[0], "z:owner", T0);
    p[0].origin_integrity = 100;
    p[0].origin_confidentiality = 100;
    p[0].taint = FCP_TAINT_USER_SUPPLIED;
    strcpy(p[0].current_zone, "z:work");
    fcp_provenance_init(&p[1], "z:public", T0 + 1);
    strcpy(p[1].current_zone, "z:work");
    p[1].origin_integrity = 20;
    p[1].origin_confidentiality = 10;
    p[1].taint = FCP_TAINT_PUBLIC_INPUT | FCP_TAINT_UNVERIFIED_LINK;
    p[1].n_reductions = 1;
    p[1].reductions[0].clears = FCP_TAINT_UNVERIFIED_LINK | FCP_TAINT_USER_SUPPLIED;
    memset(p[1].reductions[0].by_attestation, 0x39, 32);
    p[1].reductions[0].applied_at = T0 + 2;
    p[1].n_crossings = 1;
    strcpy(p[1].crossings[0].from_zone, "z:public");
    strcpy(p[1].crossings[0].to_zone, "z:work");
    p[1].crossings[0].crossed_at = T0 + 3;
    if (fcp_provenance_merge(&m, p, 2, T0 + 10) != 0)
        return NULL;
    uint8_t d[32];
    fcp_provenance_digest(d, &m);
    json_t *in = json_object(), *ex = json_object(), *list = json_array();
    json_array_append_new(list, vec_provenance_json(&p[0]));
    json_array_append_new(list, vec_provenance_json(&p[1]));
    json_object_set_new(in, "inputs", list);
    json_object_set_new(in, "now", json_integer((json_int_t)(T0 + 10)));
    json_object_set_new(ex, "merged", vec_provenance_json(&m));
    json_object_set_new(ex, "effective_taint", json_integer(fcp_provenance_effective_taint(&m)));
    json_object_set_new(ex, "digest_hex", vec_hex(d, 32));
    json_array_append_new(arr, vec_entry("merge_owner_public",
                                         "merge (D-DEC-2): min integrity, max confidentiality, OR taint, reductions narrowed so one input's reduction never clears another's taint; digest = BLAKE3(\"FCP2-PROVENANCE-V1\" || cbor)",
                                         in, ex));
    return arr;
}

/* ---- audit chain, head, decision receipts -------------------------------- */

static json_t *build_audit(void)
{
    static fcp_audit_writer w;
    static fcp_audit_event ev;
    static fcp_audit_head h;
    static fcp_decision_receipt r;
    json_t *arr = json_array();
    fcp_object_id_key key;
    uint8_t pk[32], sk[64], ids[3][32];
    fcp_schema_id s;
    memset(key.bytes, 0x5a, 32);
    keypair(0x41, pk, sk);
    if (fcp_audit_writer_init(&w, "z:work", "node-a", sk, &key) != 0)
        return NULL;
    static const char *types[] = { "capability.invoke", "elevation.granted", "secret.access" };
    for (int i = 0; i < 3; i++) {
        fcp_buf wire, view;
        char name[32];
        memset(&ev, 0, sizeof ev);
        fcp_audit_event_schema(&s);
        fcp_object_header_init(&ev.header, &s, "z:work", T0 + (uint64_t)i);
        memset(ev.correlation_id, 0x10 + i, 16);
        strcpy(ev.event_type, types[i]);
        strcpy(ev.actor, "user:alice");
        ev.occurred_at = T0 + (uint64_t)i;
        if (i == 0) {
            ev.has_connector_id = 1;
            strcpy(ev.connector_id, "fcp.gmail");
            ev.has_operation = 1;
            strcpy(ev.operation, "gmail.send");
            ev.has_capability_token_jti = 1;
            memset(ev.capability_token_jti, 0x77, 16);
            ev.has_request_object_id = 1;
            memset(ev.request_object_id, 0x11, 32);
            ev.has_trace_context = 1;
            memset(ev.trace_context.trace_id, 0x0a, 16);
            memset(ev.trace_context.span_id, 0xb7, 8);
            ev.trace_context.flags = 1;
        }
        fcp_buf_init(&wire);
        fcp_buf_init(&view);
        if (fcp_audit_append(&w, &ev, &wire, ids[i]) != 0)
            return NULL;
        fcp_audit_event_encode(&ev, FCP_VIEW_SIGNED, &view);
        snprintf(name, sizeof name, "audit_event_%d", i);
        json_t *e = obj_entry(name, "AuditEvent (D-AUDIT-1): event i of a chain; prev = ObjectId of event i-1, seq = i",
                              &s, &wire, &view, ev.signature, 0x41, ids[i], &key);
        json_object_set_new(json_object_get(e, "expected"), "seq", json_integer(i));
        json_array_append_new(arr, e);
        fcp_buf_free(&wire);
        fcp_buf_free(&view);
    }
    fcp_audit_writer_wipe(&w);
    /* head signed by three nodes */
    {
        fcp_buf wire, view;
        uint8_t hid[32];
        memset(&h, 0, sizeof h);
        fcp_audit_head_schema(&s);
        fcp_object_header_init(&h.header, &s, "z:work", T0 + 100);
        strcpy(h.zone_id, "z:work");
        memcpy(h.head_event, ids[2], 32);
        h.head_seq = 2;
        h.coverage_bps = 10000;
        h.epoch_id = fcp_epoch_from_timestamp(T0 + 100, 0);
        for (int n = 2; n >= 0; n--) {
            uint8_t npk[32], nsk[64];
            char node[16];
            keypair((uint8_t)(0x41 + n), npk, nsk);
            snprintf(node, sizeof node, "node-%c", 'a' + n);
            if (fcp_audit_head_add_signature(&h, node, nsk) != 0)
                return NULL;
        }
        fcp_buf_init(&wire);
        fcp_buf_init(&view);
        fcp_audit_head_encode(&h, FCP_VIEW_WIRE, &wire);
        fcp_audit_head_encode(&h, FCP_VIEW_SIGNED, &view);
        fcp_audit_head_id(hid, &h, &key);
        json_t *e = obj_entry("audit_head", "AuditHead (D-AUDIT-3): quorum of node-a/b/c (seeds 41/42/43 x32) sorted by node id; signature_hex is node-a's",
                              &s, &wire, &view, h.signature[0], 0x41, hid, &key);
        json_array_append_new(arr, e);
        fcp_buf_free(&wire);
        fcp_buf_free(&view);
    }
    /* decision receipts */
    for (int allow = 1; allow >= 0; allow--) {
        fcp_buf wire, view;
        uint8_t rid[32];
        memset(&r, 0, sizeof r);
        fcp_decision_receipt_schema(&s);
        fcp_object_header_init(&r.header, &s, "z:work", T0 + 120);
        memset(r.request_object_id, 0x11, 32);
        r.allow = allow;
        strcpy(r.reason_code, allow ? "FCP-0000" : "FCP-4218");
        r.n_evidence = allow ? 1 : 0;
        memset(r.evidence[0], 0xf1, 32);
        r.decided_at = T0 + 120;
        strcpy(r.decided_by, "node-a");
        if (!allow) {
            r.has_explanation = 1;
            strcpy(r.explanation, "public-tainted input cannot drive gmail.delete without elevation");
        }
        fcp_decision_receipt_sign(&r, sk);
        fcp_buf_init(&wire);
        fcp_buf_init(&view);
        fcp_decision_receipt_encode(&r, FCP_VIEW_WIRE, &wire);
        fcp_decision_receipt_encode(&r, FCP_VIEW_SIGNED, &view);
        fcp_decision_receipt_id(rid, &r, &key);
        json_array_append_new(arr, obj_entry(allow ? "decision_receipt_allow" : "decision_receipt_deny",
                                             "DecisionReceipt (D-DEC-3)", &s, &wire, &view, r.signature, 0x41, rid, &key));
        if (!allow) {
            fcp_buf bad;
            fcp_buf_init(&bad);
            fcp_buf_append(&bad, wire.data, wire.len);
            fcp_buf_put_u8(&bad, 0x00);
            json_array_append_new(arr, reject_entry("reject_receipt_trailing", "trailing byte after the receipt",
                                                    "DecisionReceipt", &bad, fcp_decision_receipt_decode(&r, bad.data, bad.len)));
            fcp_buf_free(&bad);
        }
        fcp_buf_free(&wire);
        fcp_buf_free(&view);
    }
    return arr;
}

/* ---- operations ---------------------------------------------------------- */

static json_t *build_operations(void)
{
    static fcp_operation_intent in;
    static fcp_operation_receipt r;
    json_t *arr = json_array();
    fcp_object_id_key key;
    uint8_t pk[32], sk[64], iid[32], rid[32];
    fcp_schema_id s;
    fcp_buf wire, view;
    memset(key.bytes, 0x5a, 32);
    keypair(0x41, pk, sk);
    memset(&in, 0, sizeof in);
    fcp_operation_intent_schema(&s);
    fcp_object_header_init(&in.header, &s, "z:work", 1704067200);
    memset(in.request_object_id, 0x96, 32);
    for (int i = 0; i < 16; i++)
        in.capability_token_jti[i] = (uint8_t)(i + 1);
    in.has_idempotency_key = 1;
    strcpy(in.idempotency_key, "idem-key-123");
    in.planned_at = 1704067200;
    strcpy(in.planned_by, "node-a");
    in.has_upstream_idempotency = 1;
    strcpy(in.upstream_idempotency, "stripe-idem-9");
    fcp_operation_intent_sign(&in, sk);
    fcp_operation_intent_id(iid, &in, &key);
    fcp_buf_init(&wire);
    fcp_buf_init(&view);
    fcp_operation_intent_encode(&in, FCP_VIEW_WIRE, &wire);
    fcp_operation_intent_encode(&in, FCP_VIEW_SIGNED, &view);
    json_array_append_new(arr, obj_entry("operation_intent", "OperationIntent (D-OP-1)", &s, &wire, &view,
                                         in.signature, 0x41, iid, &key));
    fcp_buf_free(&wire);
    fcp_buf_free(&view);
    memset(&r, 0, sizeof r);
    fcp_operation_receipt_schema(&s);
    fcp_object_header_init(&r.header, &s, "z:work", 1704067300);
    r.header.n_refs = 1;
    memcpy(r.header.refs[0], iid, 32);
    memcpy(r.request_object_id, in.request_object_id, 32);
    r.has_idempotency_key = 1;
    strcpy(r.idempotency_key, "idem-key-123");
    r.n_outcomes = 2;
    memset(r.outcome_object_ids[0], 0x30, 32);
    memset(r.outcome_object_ids[1], 0x48, 32);
    r.n_uris = 1;
    strcpy(r.resource_uris[0], "stripe://charges/ch_1");
    r.executed_at = 1704067300;
    strcpy(r.executed_by, "node-a");
    fcp_operation_receipt_sign(&r, sk);
    fcp_operation_receipt_id(rid, &r, &key);
    fcp_buf_init(&wire);
    fcp_buf_init(&view);
    fcp_operation_receipt_encode(&r, FCP_VIEW_WIRE, &wire);
    fcp_operation_receipt_encode(&r, FCP_VIEW_SIGNED, &view);
    json_t *e = obj_entry("operation_receipt", "OperationReceipt (D-OP-1): header.refs[0] = the intent's ObjectId",
                          &s, &wire, &view, r.signature, 0x41, rid, &key);
    json_object_set_new(json_object_get(e, "expected"), "intent_object_id_hex", vec_hex(iid, 32));
    json_array_append_new(arr, e);
    fcp_buf_free(&wire);
    fcp_buf_free(&view);
    return arr;
}

const vec_family vec_authz_audit_families[] = {
    { "authz_audit", "approvals.json", build_approvals },
    { "authz_audit", "provenance.json", build_provenance },
    { "authz_audit", "audit_chain.json", build_audit },
    { "authz_audit", "operations.json", build_operations },
    { "../decisions", "appendix-f.json", vec_build_appendix_f },
};
const size_t vec_authz_audit_family_count = sizeof vec_authz_audit_families / sizeof vec_authz_audit_families[0];
