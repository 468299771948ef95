/*
 * model_audit.c - AuditEvent, AuditHead and DecisionReceipt codecs, signing
 * and ObjectIds (spec §23.4; D-AUDIT-1..3, D-DEC-3).  One encoder per type
 * emits any of the three views; the decoders read the wire view strictly and
 * accept exactly what the encoder emits.
 */
#include "fcp/model_audit.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "model_internal.h"

#define TRY(x)                 \
    do {                       \
        int rc_ = (x);         \
        if (rc_ < 0)           \
            return rc_;        \
    } while (0)

void fcp_audit_event_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.audit", "AuditEvent", 1, 0, 0);
}

void fcp_audit_head_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.audit", "AuditHead", 1, 0, 0);
}

void fcp_decision_receipt_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.audit", "DecisionReceipt", 1, 0, 0);
}

/* ---- shared helpers ----------------------------------------------------- */

static int printable(const char *s, size_t max)
{
    return fcp_m_printable_id(s, fcp_m_slen(s, max), max);
}

static int zone_ok(const char *s, size_t n)
{
    return fcp_zone_id_validate(s, n);
}

static int conn_ok(const char *s, size_t n)
{
    return fcp_m_printable_id(s, n, FCP_CONNECTOR_ID_MAX);
}

static int op_ok(const char *s, size_t n)
{
    return fcp_m_printable_id(s, n, FCP_OPERATION_ID_MAX);
}

static int principal_ok(const char *s, size_t n)
{
    return fcp_m_printable_id(s, n, FCP_PRINCIPAL_MAX);
}

static int event_type_ok(const char *s, size_t n)
{
    if (n == 0 || n > FCP_AUDIT_EVENT_TYPE_MAX)
        return FCP_EIDENTIFIER;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return FCP_EIDENTIFIER;
    }
    return 0;
}

static int explanation_ok(const char *s, size_t n)
{
    if (n > FCP_RECEIPT_EXPLANATION_MAX || memchr(s, 0, n) || !fcp_utf8_valid((const uint8_t *)s, n))
        return FCP_EIDENTIFIER;
    return 0;
}

/* "FCP-" followed by four digits. */
static int reason_ok(const char *s, size_t n)
{
    if (n != 8 || memcmp(s, "FCP-", 4) != 0)
        return FCP_EIDENTIFIER;
    for (size_t i = 4; i < 8; i++)
        if (s[i] < '0' || s[i] > '9')
            return FCP_EIDENTIFIER;
    return 0;
}

static int header_ok(const fcp_object_header *h, void (*schema)(fcp_schema_id *), const char *zone)
{
    TRY(fcp_m_header_of(h, schema));
    if (zone && strcmp(zone, h->zone_id) != 0)
        return FCP_EAUDIT_ZONE;
    return 0;
}

/* ---- AuditEvent --------------------------------------------------------- */

int fcp_audit_event_validate(const fcp_audit_event *ev)
{
    TRY(zone_ok(ev->zone_id, fcp_m_slen(ev->zone_id, FCP_ZONE_ID_MAX)));
    TRY(header_ok(&ev->header, fcp_audit_event_schema, ev->zone_id));
    TRY(event_type_ok(ev->event_type, fcp_m_slen(ev->event_type, FCP_AUDIT_EVENT_TYPE_MAX)));
    TRY(printable(ev->actor, FCP_PRINCIPAL_MAX));
    if (ev->has_connector_id)
        TRY(printable(ev->connector_id, FCP_CONNECTOR_ID_MAX));
    if (ev->has_operation)
        TRY(printable(ev->operation, FCP_OPERATION_ID_MAX));
    TRY(fcp_node_id_validate(ev->signer, fcp_m_slen(ev->signer, FCP_NODE_ID_MAX)));
    return 0;
}

/* Where the entries of an encoded AuditEvent map lie in the output buffer
 * (absolute offsets), so that the signed view and the ObjectId input can be
 * cut out of one encoding instead of re-encoding or re-parsing it. */
typedef struct ev_offs {
    size_t body;              /* just after the map head */
    size_t hkey, hval, hend;  /* "header": key start, value start, value end */
    size_t skey, send;        /* "signature": key start, value end */
    size_t end;
    size_t n;                 /* entries */
} ev_offs;

/* A literal ASCII key: head and bytes, without a UTF-8 scan per key. */
#define KEY(e, lit)                                                  \
    do {                                                             \
        fcp_cbor_put_head((e), FCP_CBOR_TEXT, sizeof(lit) - 1);      \
        fcp_cbor_put_raw((e), (lit), sizeof(lit) - 1);               \
    } while (0)

static void put_val_str(fcp_cbor_enc *e, const char *v)
{
    fcp_cbor_put_text(e, v, strlen(v));
}

/* The entries in RFC 8949 §4.2.1 order (bytewise by encoded key, which for
 * these short text keys is: shorter first, then by bytes), written after a
 * definite map head: no sorting pass.  The decoder's name table lists the
 * same order, and canonical decoding refuses any other. */
static int event_put(const fcp_audit_event *ev, unsigned view, fcp_cbor_enc *e, ev_offs *o)
{
    const fcp_buf *b = e->out;
    size_t n = 7 + (ev->has_prev != 0) + (ev->has_operation != 0) +
               (ev->has_connector_id != 0) + (ev->has_trace_context != 0) +
               (ev->has_capability_token_jti != 0) + (ev->has_request_object_id != 0) +
               (ev->has_result_object_id != 0) + ((view & FCP_VIEW_HEADER) != 0) +
               ((view & FCP_VIEW_SIG) != 0);
    o->n = n;
    o->hkey = o->hval = o->hend = o->skey = o->send = 0;
    fcp_cbor_put_map(e, n);
    o->body = b->len;
    KEY(e, "seq");
    fcp_cbor_put_uint(e, ev->seq);
    if (ev->has_prev) {
        KEY(e, "prev");
        fcp_cbor_put_bytes(e, ev->prev, 32);
    }
    KEY(e, "actor");
    put_val_str(e, ev->actor);
    if (view & FCP_VIEW_HEADER) {
        o->hkey = b->len;
        KEY(e, "header");
        o->hval = b->len;
        TRY(fcp_object_header_encode_to(&ev->header, e));
        o->hend = b->len;
    }
    KEY(e, "signer");
    put_val_str(e, ev->signer);
    KEY(e, "zone_id");
    put_val_str(e, ev->zone_id);
    if (ev->has_operation) {
        KEY(e, "operation");
        put_val_str(e, ev->operation);
    }
    if (view & FCP_VIEW_SIG) {
        o->skey = b->len;
        KEY(e, "signature");
        fcp_cbor_put_bytes(e, ev->signature, FCP_SIG_BYTES);
        o->send = b->len;
    }
    KEY(e, "event_type");
    put_val_str(e, ev->event_type);
    KEY(e, "occurred_at");
    fcp_cbor_put_uint(e, ev->occurred_at);
    if (ev->has_connector_id) {
        KEY(e, "connector_id");
        put_val_str(e, ev->connector_id);
    }
    if (ev->has_trace_context) {
        KEY(e, "trace_context");
        fcp_cbor_put_map(e, 3);
        KEY(e, "flags");
        fcp_cbor_put_uint(e, ev->trace_context.flags);
        KEY(e, "span_id");
        fcp_cbor_put_bytes(e, ev->trace_context.span_id, 8);
        KEY(e, "trace_id");
        fcp_cbor_put_bytes(e, ev->trace_context.trace_id, 16);
    }
    KEY(e, "correlation_id");
    fcp_cbor_put_bytes(e, ev->correlation_id, 16);
    if (ev->has_result_object_id) {
        KEY(e, "result_object_id");
        fcp_cbor_put_bytes(e, ev->result_object_id, 32);
    }
    if (ev->has_request_object_id) {
        KEY(e, "request_object_id");
        fcp_cbor_put_bytes(e, ev->request_object_id, 32);
    }
    if (ev->has_capability_token_jti) {
        KEY(e, "capability_token_jti");
        fcp_cbor_put_bytes(e, ev->capability_token_jti, 16);
    }
    o->end = b->len;
    return e->err ? e->err : b->err;
}

int fcp_audit_event_encode(const fcp_audit_event *ev, unsigned view, fcp_buf *out)
{
    fcp_cbor_enc e;
    ev_offs o;
    TRY(fcp_audit_event_validate(ev));
    fcp_cbor_enc_init(&e, out);
    int rc = event_put(ev, view, &e, &o);
    if (rc == 0)
        rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return rc;
}

static int dec_trace(fcp_cbor_dec *d, fcp_trace_context *t)
{
    fcp_cbor_map_iter it;
    uint64_t v;
    TRY(fcp_cbor_map_begin(d, &it));
    TRY(fcp_cbor_expect_key(d, &it, "flags"));
    TRY(fcp_m_get_uint_max(d, &v, 255));
    t->flags = (uint8_t)v;
    TRY(fcp_cbor_expect_key(d, &it, "span_id"));
    TRY(fcp_m_get_fixed(d, t->span_id, 8));
    TRY(fcp_cbor_expect_key(d, &it, "trace_id"));
    TRY(fcp_m_get_fixed(d, t->trace_id, 16));
    return fcp_m_map_end(d, &it);
}

/* Index of key k in the event's name table (sorted by length, so the length
 * picks the candidates without a strlen per name); -1 if unknown. */
static int event_key_index(const char *k, size_t kl, const char *const names[16])
{
    static const uint8_t lens[16] = { 3, 4, 5, 6, 6, 7, 9, 9, 10, 11, 12, 13, 14, 16, 17, 20 };
    for (int i = 0; i < 16 && lens[i] <= kl; i++)
        if (lens[i] == kl && memcmp(k, names[i], kl) == 0)
            return i;
    return -1;
}

/* Strict decode; when m is given, also record where each entry lies (the
 * wire fast paths cut the signed view and the ObjectId input from these). */
static int event_decode(fcp_audit_event *ev, const uint8_t *p, size_t n, fcp_audit_wire_map *m)
{
    static const char *const names[] = {
        "seq", "prev", "actor", "header", "signer", "zone_id", "operation", "signature",
        "event_type", "occurred_at", "connector_id", "trace_context", "correlation_id",
        "result_object_id", "request_object_id", "capability_token_jti"
    };
    /* required: seq actor header signer zone_id signature event_type
     * occurred_at correlation_id */
    const unsigned required = (1u << 0) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) |
                              (1u << 7) | (1u << 8) | (1u << 9) | (1u << 12);
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    const char *k;
    size_t kl;
    unsigned seen = 0;
    int rc;
    if (n > FCP_AUDIT_MAX_ENCODED)
        return FCP_ETOO_LARGE;
    fcp_m_view_dec_init(&d, p, n);
    TRY(fcp_cbor_map_begin(&d, &it));
    if (m) {
        m->n = 0;
        m->header = m->signature = -1;
    }
    for (;;) {
        const uint8_t *kstart = d.p, *vstart;
        if ((rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kl)) <= 0)
            break;
        vstart = d.p;
        int i = event_key_index(k, kl, names);
        if (i < 0)
            return FCP_EUNKNOWN_FIELD;
        seen |= 1u << i;
        switch (i) {
        case 0: TRY(fcp_cbor_get_uint(&d, &ev->seq)); break;
        case 1: TRY(fcp_m_get_fixed(&d, ev->prev, 32)); ev->has_prev = 1; break;
        case 2: TRY(fcp_m_get_text(&d, ev->actor, FCP_PRINCIPAL_MAX, principal_ok, FCP_EIDENTIFIER)); break;
        case 3: TRY(fcp_object_header_decode_from(&ev->header, &d)); break;
        case 4: TRY(fcp_m_get_node(&d, ev->signer)); break;
        case 5: TRY(fcp_m_get_text(&d, ev->zone_id, FCP_ZONE_ID_MAX, zone_ok, FCP_EZONE_ID_TOO_LONG)); break;
        case 6:
            TRY(fcp_m_get_text(&d, ev->operation, FCP_OPERATION_ID_MAX, op_ok, FCP_EIDENTIFIER));
            ev->has_operation = 1;
            break;
        case 7: TRY(fcp_m_get_fixed(&d, ev->signature, FCP_SIG_BYTES)); break;
        case 8: TRY(fcp_m_get_text(&d, ev->event_type, FCP_AUDIT_EVENT_TYPE_MAX, event_type_ok, FCP_EIDENTIFIER)); break;
        case 9: TRY(fcp_cbor_get_uint(&d, &ev->occurred_at)); break;
        case 10:
            TRY(fcp_m_get_text(&d, ev->connector_id, FCP_CONNECTOR_ID_MAX, conn_ok, FCP_EIDENTIFIER));
            ev->has_connector_id = 1;
            break;
        case 11: TRY(dec_trace(&d, &ev->trace_context)); ev->has_trace_context = 1; break;
        case 12: TRY(fcp_m_get_fixed(&d, ev->correlation_id, 16)); break;
        case 13: TRY(fcp_m_get_fixed(&d, ev->result_object_id, 32)); ev->has_result_object_id = 1; break;
        case 14: TRY(fcp_m_get_fixed(&d, ev->request_object_id, 32)); ev->has_request_object_id = 1; break;
        default:
            TRY(fcp_m_get_fixed(&d, ev->capability_token_jti, 16));
            ev->has_capability_token_jti = 1;
            break;
        }
        if (m) {
            /* 16 names, and the strict decoder refuses repeated keys */
            if (i == 3)
                m->header = (int)m->n;
            else if (i == 7)
                m->signature = (int)m->n;
            m->k[m->n] = kstart;
            m->v[m->n] = vstart;
            m->end[m->n++] = d.p;
        }
    }
    TRY(rc);
    TRY(fcp_cbor_dec_finish(&d));
    if ((seen & required) != required)
        return FCP_EMISSING_FIELD;
    return fcp_audit_event_validate(ev);
}

/* Zero ev except its header: fcp_object_header_decode_from zeroes the header
 * itself, and the header is required, so a successful decode has set it.
 * Saves clearing the (large) header twice per event on the chain verifier's
 * path; the error path below still clears everything. */
_Static_assert(offsetof(fcp_audit_event, header) == 0, "header must lead fcp_audit_event");
static void zero_after_header(fcp_audit_event *ev)
{
    memset((uint8_t *)ev + sizeof ev->header, 0, sizeof *ev - sizeof ev->header);
}

int fcp_audit_event_decode(fcp_audit_event *ev, const uint8_t *p, size_t n)
{
    zero_after_header(ev);
    int rc = event_decode(ev, p, n, NULL);
    if (rc)
        memset(ev, 0, sizeof *ev);
    return rc;
}

int fcp_audit_event_decode_wire(fcp_audit_event *ev, fcp_audit_wire_map *m, const uint8_t *p,
                                size_t n)
{
    zero_after_header(ev);
    int rc = event_decode(ev, p, n, m);
    if (rc) {
        memset(ev, 0, sizeof *ev);
        m->n = 0;
        m->header = m->signature = -1;
    }
    return rc;
}

static int enc_event(const void *ev, unsigned view, fcp_buf *out)
{
    return fcp_audit_event_encode(ev, view, out);
}

int fcp_audit_event_sign(fcp_audit_event *ev, const uint8_t sk[64])
{
    return fcp_m_view_sign(ev->signature, ev, enc_event, fcp_audit_event_schema, sk);
}

int fcp_audit_event_verify(const fcp_audit_event *ev, const uint8_t pk[32])
{
    return fcp_m_view_verify(ev->signature, ev, enc_event, fcp_audit_event_schema, pk);
}

int fcp_audit_event_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_audit_event *ev,
                       const fcp_object_id_key *key)
{
    return fcp_m_view_id(out, ev, &ev->header, enc_event, key);
}

/* ---- wire fast paths ----------------------------------------------------
 *
 * Appending and verifying chains is dominated by Ed25519; everything around
 * the signature works on one encoding: the signed view (the wire map minus
 * "signature") and the ObjectId input (the header value, then the wire map
 * minus "header") are cut from the wire bytes by entry offsets, into a stack
 * buffer (heap only for events above AE_STACK bytes), and the ObjectId is
 * hashed straight from those pieces.  The two schema hashes of the
 * AuditEvent schema are computed once per thread. */

#define AE_STACK 2048

typedef struct ae_hashes {
    int     ready;
    uint8_t schema[FCP_SCHEMA_HASH_BYTES];
    uint8_t signing[FCP_SIGNING_SCHEMA_HASH_BYTES];
} ae_hashes;

static const ae_hashes *event_hashes(void)
{
    static _Thread_local ae_hashes h;
    if (!h.ready) {
        fcp_schema_id s;
        fcp_audit_event_schema(&s);
        fcp_schema_hash(h.schema, &s);
        fcp_signing_schema_hash(h.signing, &s);
        h.ready = 1;
    }
    return &h;
}

/* A definite map head for n (< 65536) entries; returns its length. */
static size_t map_head(uint8_t p[3], size_t n)
{
    if (n < 24) {
        p[0] = (uint8_t)(0xa0 | n);
        return 1;
    }
    if (n < 256) {
        p[0] = 0xb8;
        p[1] = (uint8_t)n;
        return 2;
    }
    p[0] = 0xb9;
    p[1] = (uint8_t)(n >> 8);
    p[2] = (uint8_t)n;
    return 3;
}

/* Two byte ranges of one map body, [a0, a1) and [b0, b1): the map's entries
 * without the one entry between them. */
typedef struct ae_cut {
    const uint8_t *a0, *a1, *b0, *b1;
    size_t n;   /* entries left */
} ae_cut;

/* Signing bytes (model_sign.h): "FCP2-SIGN-V1" || signing schema hash ||
 * the map without "signature".  Written to stack memory when they fit, else
 * to *heap (caller frees); *msg points at them. */
static int signing_msg(const ae_cut *c, uint8_t stack[AE_STACK], uint8_t **heap,
                       const uint8_t **msg, size_t *len)
{
    uint8_t head[3];
    size_t hl = map_head(head, c->n);
    size_t la = (size_t)(c->a1 - c->a0), lb = (size_t)(c->b1 - c->b0);
    size_t total = FCP_SIGN_DOMAIN_BYTES + FCP_SIGNING_SCHEMA_HASH_BYTES + hl + la + lb;
    uint8_t *p = stack;
    *heap = NULL;
    if (total > AE_STACK) {
        if (!(p = *heap = malloc(total)))
            return FCP_ENOMEM;
    }
    memcpy(p, FCP_SIGN_DOMAIN, FCP_SIGN_DOMAIN_BYTES);
    memcpy(p + FCP_SIGN_DOMAIN_BYTES, event_hashes()->signing, FCP_SIGNING_SCHEMA_HASH_BYTES);
    size_t o = FCP_SIGN_DOMAIN_BYTES + FCP_SIGNING_SCHEMA_HASH_BYTES;
    memcpy(p + o, head, hl);
    if (la)
        memcpy(p + o + hl, c->a0, la);
    if (lb)
        memcpy(p + o + hl + la, c->b0, lb);
    *msg = p;
    *len = total;
    return 0;
}

/* ObjectId = fcp_object_id(key, zone, schema, canonical bytes) with
 * canonical bytes = "FCP2-OBJECT-V1" || header || SchemaHash || body
 * (fcp_object_derive_id over fcp_payload_encode), i.e. keyed
 * BLAKE3("FCP2-OBJECT-V2" || zone || SchemaHash || canonical bytes), fed
 * piecewise.  The golden vectors and the re-encoding fcp_audit_event_id pin
 * it to the generic path. */
static int event_id_from(uint8_t out[FCP_OBJECT_ID_BYTES], const char *zone,
                         const uint8_t *hdr, size_t hdr_len, const ae_cut *body,
                         const fcp_object_id_key *key)
{
    size_t zl = strlen(zone);
    TRY(fcp_zone_id_validate(zone, zl));
    const uint8_t *sh = event_hashes()->schema;
    uint8_t head[3];
    size_t hl = map_head(head, body->n);
    fcp_blake3_hasher h;
    fcp_blake3_hasher_init_keyed(&h, key->bytes);
    fcp_blake3_hasher_update(&h, "FCP2-OBJECT-V2", 14);
    fcp_blake3_hasher_update(&h, zone, zl);
    fcp_blake3_hasher_update(&h, sh, FCP_SCHEMA_HASH_BYTES);
    fcp_blake3_hasher_update(&h, "FCP2-OBJECT-V1", 14);
    fcp_blake3_hasher_update(&h, hdr, hdr_len);
    fcp_blake3_hasher_update(&h, sh, FCP_SCHEMA_HASH_BYTES);
    fcp_blake3_hasher_update(&h, head, hl);
    fcp_blake3_hasher_update(&h, body->a0, (size_t)(body->a1 - body->a0));
    fcp_blake3_hasher_update(&h, body->b0, (size_t)(body->b1 - body->b0));
    fcp_blake3_hasher_finalize(&h, out, FCP_OBJECT_ID_BYTES);
    fcp_blake3_hasher_wipe(&h);
    return 0;
}

/* The map m without entry i. */
static ae_cut cut_map(const fcp_audit_wire_map *m, int i)
{
    ae_cut c;
    c.n = m->n - 1;
    c.a0 = m->k[0];
    c.a1 = m->k[i];
    c.b0 = m->end[i];
    c.b1 = m->end[m->n - 1];
    return c;
}

static int wire_parse(fcp_audit_wire_map *m, const uint8_t *wire, size_t n)
{
    static const uint8_t hkey[] = { 0x66, 'h', 'e', 'a', 'd', 'e', 'r' };
    static const uint8_t skey[] = { 0x69, 's', 'i', 'g', 'n', 'a', 't', 'u', 'r', 'e' };
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    const uint8_t *k, *v;
    size_t kl, vl;
    int rc;
    m->n = 0;
    m->header = m->signature = -1;
    fcp_m_view_dec_init(&d, wire, n);
    TRY(fcp_cbor_map_begin(&d, &it));
    if (it.remaining > FCP_AUDIT_WIRE_MAX_ENTRIES)
        return FCP_ELIMIT;
    while ((rc = fcp_cbor_map_next_key(&d, &it, &k, &kl)) > 0) {
        TRY(fcp_cbor_get_raw(&d, &v, &vl));
        if (kl == sizeof hkey && memcmp(k, hkey, kl) == 0)
            m->header = (int)m->n;
        if (kl == sizeof skey && memcmp(k, skey, kl) == 0 && vl == 2 + FCP_SIG_BYTES)
            m->signature = (int)m->n;
        m->k[m->n] = k;
        m->v[m->n] = v;
        m->end[m->n++] = v + vl;
    }
    TRY(rc);
    TRY(fcp_cbor_dec_finish(&d));
    return m->header < 0 || m->signature < 0 ? FCP_EMISSING_FIELD : 0;
}

static int map_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_audit_wire_map *m,
                  const char *zone, const fcp_object_id_key *key)
{
    ae_cut c = cut_map(m, m->header);
    return event_id_from(out, zone, m->v[m->header],
                         (size_t)(m->end[m->header] - m->v[m->header]), &c, key);
}

static int map_verify(const fcp_audit_wire_map *m, const fcp_audit_event *ev, const uint8_t pk[32])
{
    uint8_t stack[AE_STACK], *heap;
    const uint8_t *msg;
    size_t len;
    ae_cut c = cut_map(m, m->signature);
    TRY(signing_msg(&c, stack, &heap, &msg, &len));
    int rc = fcp_ed25519_verify(ev->signature, msg, len, pk);
    free(heap);
    return rc ? FCP_EBAD_SIGNATURE : 0;
}

int fcp_audit_event_wire_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_audit_event *ev,
                            const uint8_t *wire, size_t n, const fcp_object_id_key *key)
{
    fcp_audit_wire_map m;
    TRY(wire_parse(&m, wire, n));
    return map_id(out, &m, ev->header.zone_id, key);
}

int fcp_audit_event_verify_wire(const fcp_audit_event *ev, const uint8_t *wire, size_t n,
                                const uint8_t pk[32])
{
    fcp_audit_wire_map m;
    TRY(wire_parse(&m, wire, n));
    return map_verify(&m, ev, pk);
}

int fcp_audit_event_check_map(const fcp_audit_event *ev, const fcp_audit_wire_map *m,
                              const uint8_t pk[32], const fcp_object_id_key *key,
                              uint8_t id[FCP_OBJECT_ID_BYTES])
{
    if (m->n == 0 || m->header < 0 || m->signature < 0)
        return FCP_EMISSING_FIELD;
    TRY(map_verify(m, ev, pk));
    return map_id(id, m, ev->header.zone_id, key);
}

int fcp_audit_event_check_wire(const fcp_audit_event *ev, const uint8_t *wire, size_t n,
                               const uint8_t pk[32], const fcp_object_id_key *key,
                               uint8_t id[FCP_OBJECT_ID_BYTES])
{
    fcp_audit_wire_map m;
    TRY(wire_parse(&m, wire, n));
    return fcp_audit_event_check_map(ev, &m, pk, key, id);
}

int fcp_audit_event_seal(fcp_audit_event *ev, const uint8_t sk[64], const fcp_object_id_key *key,
                         fcp_buf *out, uint8_t id[FCP_OBJECT_ID_BYTES])
{
    size_t start = out->len;
    uint8_t stack[AE_STACK], *heap = NULL;
    const uint8_t *msg;
    size_t len;
    fcp_cbor_enc e;
    ev_offs o;
    ae_cut c;
    memset(ev->signature, 0, sizeof ev->signature);
    int rc = fcp_audit_event_validate(ev);
    if (rc == 0) {
        fcp_cbor_enc_init(&e, out);
        rc = event_put(ev, FCP_VIEW_WIRE, &e, &o);
        if (rc == 0)
            rc = fcp_cbor_enc_finish(&e);
        fcp_cbor_enc_free(&e);
    }
    if (rc == 0) {
        /* offsets, not pointers, until here: the buffer may have moved */
        c.n = o.n - 1;
        c.a0 = out->data + o.body;
        c.a1 = out->data + o.skey;
        c.b0 = out->data + o.send;
        c.b1 = out->data + o.end;
        rc = signing_msg(&c, stack, &heap, &msg, &len);
    }
    if (rc == 0) {
        rc = fcp_ed25519_sign(ev->signature, msg, len, sk);
        free(heap);
    }
    if (rc == 0) {
        memcpy(out->data + o.send - FCP_SIG_BYTES, ev->signature, FCP_SIG_BYTES);
        c.n = o.n - 1;
        c.a0 = out->data + o.body;
        c.a1 = out->data + o.hkey;
        c.b0 = out->data + o.hend;
        c.b1 = out->data + o.end;
        rc = event_id_from(id, ev->header.zone_id, out->data + o.hval, o.hend - o.hval, &c, key);
    }
    if (rc)
        out->len = start;
    return rc;
}

int fcp_audit_head_validate(const fcp_audit_head *h)
{
    TRY(zone_ok(h->zone_id, fcp_m_slen(h->zone_id, FCP_ZONE_ID_MAX)));
    TRY(header_ok(&h->header, fcp_audit_head_schema, h->zone_id));
    if (h->coverage_bps > FCP_BPS_MAX)
        return FCP_EOUT_OF_RANGE;
    if (h->n_signatures > FCP_QUORUM_MAX)
        return FCP_ELIMIT;
    for (size_t i = 0; i < h->n_signatures; i++) {
        size_t l = fcp_m_slen(h->signer[i], FCP_NODE_ID_MAX);
        TRY(fcp_node_id_validate(h->signer[i], l));
        if (i > 0) {
            int c = fcp_node_id_cmp((const uint8_t *)h->signer[i - 1], strlen(h->signer[i - 1]),
                                    (const uint8_t *)h->signer[i], l);
            if (c == 0)
                return FCP_EDUPLICATE_SIGNER;
            if (c > 0)
                return FCP_EUNSORTED_SIGNERS;
        }
    }
    return 0;
}

static size_t head_quorum(const fcp_audit_head *h, fcp_quorum_sig *q)
{
    fcp_m_quorum_view(h->signer, h->signature, h->n_signatures, q);
    return h->n_signatures;
}

int fcp_audit_head_encode(const fcp_audit_head *h, unsigned view, fcp_buf *out)
{
    fcp_cbor_enc e;
    fcp_quorum_sig q[FCP_QUORUM_MAX];
    TRY(fcp_audit_head_validate(h));
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    if (view & FCP_VIEW_HEADER) {
        fcp_m_text_key(&e, "header");
        fcp_object_header_encode_to(&h->header, &e);
    }
    fcp_cbor_put_kv_text(&e, "zone_id", h->zone_id);
    fcp_cbor_put_kv_bytes(&e, "head_event", h->head_event, 32);
    fcp_cbor_put_kv_uint(&e, "head_seq", h->head_seq);
    fcp_cbor_put_kv_uint(&e, "coverage_bps", h->coverage_bps);
    fcp_cbor_put_kv_uint(&e, "epoch_id", h->epoch_id);
    if (view & FCP_VIEW_SIG) {
        size_t nq = head_quorum(h, q);
        fcp_m_text_key(&e, "quorum_signatures");
        fcp_quorum_encode_to(q, nq, &e);
    }
    fcp_cbor_map_close(&e);
    return fcp_cbor_enc_done(&e);
}

static int enc_head(const void *h, unsigned view, fcp_buf *out)
{
    return fcp_audit_head_encode(h, view, out);
}

static const char *const head_keys[] = { "header", "zone_id", "epoch_id", "head_seq",
                                         "head_event", "coverage_bps", "quorum_signatures" };

static int head_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_audit_head *h = obj;
    uint64_t v;
    switch (i) {
    case 0: return fcp_object_header_decode_from(&h->header, d);
    case 1: return fcp_m_get_text(d, h->zone_id, FCP_ZONE_ID_MAX, zone_ok, FCP_EZONE_ID_TOO_LONG);
    case 2: return fcp_cbor_get_uint(d, &h->epoch_id);
    case 3: return fcp_cbor_get_uint(d, &h->head_seq);
    case 4: return fcp_m_get_fixed(d, h->head_event, 32);
    case 5:
        TRY(fcp_m_get_uint_max(d, &v, FCP_BPS_MAX));
        h->coverage_bps = (uint32_t)v;
        return 0;
    default: return fcp_m_quorum_decode(d, h->signer, h->signature, &h->n_signatures);
    }
}

static int head_decode(void *obj, const uint8_t *p, size_t n)
{
    fcp_cbor_dec d;
    unsigned seen = 0;
    if (n > FCP_AUDIT_MAX_ENCODED)
        return FCP_ETOO_LARGE;
    fcp_m_view_dec_init(&d, p, n);
    TRY(fcp_cbor_read_fields(&d, head_keys, 7, head_field, obj, &seen));
    TRY(fcp_cbor_dec_finish(&d));
    if (seen != 0x7fu)
        return FCP_EMISSING_FIELD;
    return fcp_audit_head_validate(obj);
}

int fcp_audit_head_decode(fcp_audit_head *h, const uint8_t *p, size_t n)
{
    return fcp_m_decode_zeroed(h, sizeof *h, p, n, head_decode);
}

int fcp_audit_head_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_audit_head *h,
                      const fcp_object_id_key *key)
{
    return fcp_m_view_id(out, h, &h->header, enc_head, key);
}

int fcp_audit_head_add_signature(fcp_audit_head *h, const char *node, const uint8_t sk[64])
{
    size_t nl = fcp_m_slen(node, FCP_NODE_ID_MAX), pos = 0;
    uint8_t sig[FCP_SIG_BYTES];
    TRY(fcp_node_id_validate(node, nl));
    TRY(fcp_audit_head_validate(h));
    if (h->n_signatures >= FCP_QUORUM_MAX)
        return FCP_ELIMIT;
    while (pos < h->n_signatures) {
        int c = fcp_node_id_cmp((const uint8_t *)h->signer[pos], strlen(h->signer[pos]),
                                (const uint8_t *)node, nl);
        if (c == 0)
            return FCP_EDUPLICATE_SIGNER;
        if (c > 0)
            break;
        pos++;
    }
    TRY(fcp_m_view_sign(sig, h, enc_head, fcp_audit_head_schema, sk));
    memmove(h->signer[pos + 1], h->signer[pos], (h->n_signatures - pos) * sizeof h->signer[0]);
    memmove(h->signature[pos + 1], h->signature[pos], (h->n_signatures - pos) * FCP_SIG_BYTES);
    memcpy(h->signer[pos], node, nl + 1);
    memcpy(h->signature[pos], sig, FCP_SIG_BYTES);
    h->n_signatures++;
    return 0;
}

int fcp_audit_head_verify(const fcp_audit_head *h, size_t threshold, fcp_node_key_lookup lookup,
                          void *ctx)
{
    fcp_buf b;
    fcp_schema_id s;
    fcp_quorum_sig q[FCP_QUORUM_MAX];
    fcp_buf_init(&b);
    fcp_audit_head_schema(&s);
    int rc = fcp_audit_head_encode(h, FCP_VIEW_SIGNED, &b);
    if (rc == 0)
        rc = fcp_quorum_verify(q, head_quorum(h, q), threshold, &s, b.data, b.len, lookup, ctx);
    fcp_buf_free(&b);
    return rc;
}

/* ---- DecisionReceipt ---------------------------------------------------- */

int fcp_decision_receipt_validate(const fcp_decision_receipt *r)
{
    TRY(header_ok(&r->header, fcp_decision_receipt_schema, NULL));
    TRY(reason_ok(r->reason_code, fcp_m_slen(r->reason_code, sizeof r->reason_code - 1)));
    if ((r->allow != 0) != (strcmp(r->reason_code, "FCP-0000") == 0))
        return FCP_EIDENTIFIER;
    if (r->n_evidence > FCP_RECEIPT_MAX_EVIDENCE)
        return FCP_ELIMIT;
    TRY(fcp_node_id_validate(r->decided_by, fcp_m_slen(r->decided_by, FCP_NODE_ID_MAX)));
    if (r->has_explanation)
        TRY(explanation_ok(r->explanation, fcp_m_slen(r->explanation, FCP_RECEIPT_EXPLANATION_MAX)));
    return 0;
}

int fcp_decision_receipt_encode(const fcp_decision_receipt *r, unsigned view, fcp_buf *out)
{
    fcp_cbor_enc e;
    TRY(fcp_decision_receipt_validate(r));
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    if (view & FCP_VIEW_HEADER) {
        fcp_m_text_key(&e, "header");
        fcp_object_header_encode_to(&r->header, &e);
    }
    fcp_cbor_put_kv_bytes(&e, "request_object_id", r->request_object_id, 32);
    fcp_cbor_put_kv_text(&e, "decision", r->allow ? "Allow" : "Deny");
    fcp_cbor_put_kv_text(&e, "reason_code", r->reason_code);
    fcp_m_text_key(&e, "evidence");
    fcp_cbor_put_array(&e, r->n_evidence);
    for (size_t i = 0; i < r->n_evidence; i++)
        fcp_cbor_put_bytes(&e, r->evidence[i], 32);
    fcp_cbor_put_kv_uint(&e, "decided_at", r->decided_at);
    fcp_cbor_put_kv_text(&e, "decided_by", r->decided_by);
    if (r->has_explanation)
        fcp_cbor_put_kv_text(&e, "explanation", r->explanation);
    if (view & FCP_VIEW_SIG)
        fcp_cbor_put_kv_bytes(&e, "signature", r->signature, FCP_SIG_BYTES);
    fcp_cbor_map_close(&e);
    return fcp_cbor_enc_done(&e);
}

static int enc_receipt(const void *r, unsigned view, fcp_buf *out)
{
    return fcp_decision_receipt_encode(r, view, out);
}

static const char *const receipt_keys[] = { "header", "decision", "evidence", "signature",
                                            "decided_at", "decided_by", "explanation",
                                            "reason_code", "request_object_id" };

static int receipt_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_decision_receipt *r = obj;
    const char *t;
    size_t tl;
    uint64_t cnt;
    switch (i) {
    case 0: return fcp_object_header_decode_from(&r->header, d);
    case 1:
        TRY(fcp_cbor_get_text(d, &t, &tl));
        if (fcp_cbor_key_is(t, tl, "Allow"))
            r->allow = 1;
        else if (!fcp_cbor_key_is(t, tl, "Deny"))
            return FCP_EIDENTIFIER;
        return 0;
    case 2:
        TRY(fcp_cbor_get_array(d, &cnt));
        if (cnt > FCP_RECEIPT_MAX_EVIDENCE)
            return FCP_ELIMIT;
        r->n_evidence = (size_t)cnt;
        for (size_t j = 0; j < r->n_evidence; j++)
            TRY(fcp_m_get_fixed(d, r->evidence[j], 32));
        return 0;
    case 3: return fcp_m_get_fixed(d, r->signature, FCP_SIG_BYTES);
    case 4: return fcp_cbor_get_uint(d, &r->decided_at);
    case 5: return fcp_m_get_node(d, r->decided_by);
    case 6:
        TRY(fcp_m_get_text(d, r->explanation, FCP_RECEIPT_EXPLANATION_MAX, explanation_ok,
                           FCP_EIDENTIFIER));
        r->has_explanation = 1;
        return 0;
    case 7: return fcp_m_get_text(d, r->reason_code, 8, reason_ok, FCP_EIDENTIFIER);
    default: return fcp_m_get_fixed(d, r->request_object_id, 32);
    }
}

static int receipt_decode(void *obj, const uint8_t *p, size_t n)
{
    fcp_cbor_dec d;
    unsigned seen = 0;
    if (n > FCP_AUDIT_MAX_ENCODED)
        return FCP_ETOO_LARGE;
    fcp_m_view_dec_init(&d, p, n);
    TRY(fcp_cbor_read_fields(&d, receipt_keys, 9, receipt_field, obj, &seen));
    TRY(fcp_cbor_dec_finish(&d));
    if ((seen & 0x1bfu) != 0x1bfu)
        return FCP_EMISSING_FIELD;
    return fcp_decision_receipt_validate(obj);
}

int fcp_decision_receipt_decode(fcp_decision_receipt *r, const uint8_t *p, size_t n)
{
    return fcp_m_decode_zeroed(r, sizeof *r, p, n, receipt_decode);
}

int fcp_decision_receipt_sign(fcp_decision_receipt *r, const uint8_t sk[64])
{
    return fcp_m_view_sign(r->signature, r, enc_receipt, fcp_decision_receipt_schema, sk);
}

int fcp_decision_receipt_verify(const fcp_decision_receipt *r, const uint8_t pk[32])
{
    return fcp_m_view_verify(r->signature, r, enc_receipt, fcp_decision_receipt_schema, pk);
}

int fcp_decision_receipt_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_decision_receipt *r,
                            const fcp_object_id_key *key)
{
    return fcp_m_view_id(out, r, &r->header, enc_receipt, key);
}
