/*
 * authz_audit_test.c - AuditEvent / AuditHead / DecisionReceipt codecs and
 * the audit chain: append, verify, and exact (index, kind) reports for
 * modified, dropped, reordered, forked, foreign-zone and malformed events;
 * property: every single-byte change of event i is reported at index i.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/authz_audit.h"
#include "fcp/cbor.h"
#include "fcp/hex.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/rng.h"

#define NODES 3
static const char *node_names[NODES] = { "node-a", "node-b", "node-c" };
static uint8_t node_pk[NODES][32], node_sk[NODES][64];

static int lookup(void *ctx, const uint8_t *id, size_t n, uint8_t pk[32])
{
    (void)ctx;
    for (int i = 0; i < NODES; i++)
        if (strlen(node_names[i]) == n && memcmp(node_names[i], id, n) == 0) {
            memcpy(pk, node_pk[i], 32);
            return 0;
        }
    return FCP_EUNKNOWN_PRINCIPAL;
}

static void keys(void)
{
    for (int i = 0; i < NODES; i++) {
        uint8_t seed[32];
        memset(seed, 0x41 + i, 32);
        fcp_ed25519_keypair_from_seed(node_pk[i], node_sk[i], seed);
    }
}

#define MAXEV 16
typedef struct chain {
    fcp_buf  b[MAXEV];
    const uint8_t *p[MAXEV];
    size_t   len[MAXEV];
    uint8_t  id[MAXEV][32];
    size_t   n;
} chain;

static fcp_object_id_key zkey;

static void build(chain *c, size_t n, const char *zone)
{
    static fcp_audit_writer w;
    static fcp_audit_event ev;
    CHECK_ERR(fcp_audit_writer_init(&w, zone, node_names[0], node_sk[0], &zkey), 0);
    c->n = n;
    for (size_t i = 0; i < n; i++) {
        fcp_schema_id s;
        fcp_audit_event_schema(&s);
        memset(&ev, 0, sizeof ev);
        CHECK_ERR(fcp_object_header_init(&ev.header, &s, zone, 1700000000 + i), 0);
        memset(ev.correlation_id, (int)i, 16);
        strcpy(ev.event_type, "capability.invoke");
        strcpy(ev.actor, "user:alice");
        ev.has_operation = 1;
        strcpy(ev.operation, "gmail.send");
        ev.occurred_at = 1700000000 + i;
        if (i == 2) {
            ev.has_trace_context = 1;
            memset(ev.trace_context.trace_id, 7, 16);
            memset(ev.trace_context.span_id, 8, 8);
            ev.trace_context.flags = 1;
        }
        fcp_buf_init(&c->b[i]);
        CHECK_ERR(fcp_audit_append(&w, &ev, &c->b[i], c->id[i]), 0);
        c->p[i] = c->b[i].data;
        c->len[i] = c->b[i].len;
    }
    fcp_audit_writer_wipe(&w);
}

static void chain_free(chain *c)
{
    for (size_t i = 0; i < c->n; i++)
        fcp_buf_free(&c->b[i]);
}

static int verify(const uint8_t *const *p, const size_t *len, size_t n, fcp_audit_report *rep)
{
    return fcp_audit_chain_verify(p, len, n, "z:work", &zkey, NULL, lookup, NULL, rep);
}

static void test_chain_ok_and_roundtrip(void)
{
    chain c;
    fcp_audit_report rep;
    static fcp_audit_event ev;
    build(&c, 6, "z:work");
    CHECK_ERR(verify(c.p, c.len, c.n, &rep), 0);
    CHECK_EQ(rep.verified, 6);
    CHECK_EQ(rep.head_seq, 5);
    CHECK_MEM(rep.head_id, c.id[5], 32);
    for (size_t i = 0; i < c.n; i++) {
        fcp_buf b;
        fcp_buf_init(&b);
        CHECK_ERR(fcp_audit_event_decode(&ev, c.p[i], c.len[i]), 0);
        CHECK_ERR(fcp_audit_event_encode(&ev, FCP_VIEW_WIRE, &b), 0);
        CHECK(b.len == c.len[i] && memcmp(b.data, c.p[i], b.len) == 0);
        CHECK_EQ(ev.seq, i);
        CHECK_EQ(ev.has_prev, i > 0);
        /* the wire fast paths agree with the re-encoding ones */
        uint8_t id1[32], id2[32];
        CHECK_ERR(fcp_audit_event_id(id1, &ev, &zkey), 0);
        CHECK_ERR(fcp_audit_event_wire_id(id2, &ev, c.p[i], c.len[i], &zkey), 0);
        CHECK_MEM(id1, id2, 32);
        CHECK_MEM(id1, c.id[i], 32);
        CHECK_ERR(fcp_audit_event_verify(&ev, node_pk[0]), 0);
        CHECK_ERR(fcp_audit_event_verify_wire(&ev, c.p[i], c.len[i], node_pk[0]), 0);
        CHECK_ERR(fcp_audit_event_verify_wire(&ev, c.p[i], c.len[i], node_pk[1]), FCP_EBAD_SIGNATURE);
        fcp_buf_free(&b);
    }
    /* anchored segment: events 3..5 after event 2 */
    fcp_audit_anchor a;
    memcpy(a.prev, c.id[2], 32);
    a.seq = 2;
    a.occurred_at = 1700000002;
    CHECK_ERR(fcp_audit_chain_verify(c.p + 3, c.len + 3, 3, "z:work", &zkey, &a, lookup, NULL, &rep), 0);
    /* a segment without its anchor is not a genesis */
    CHECK_ERR(verify(c.p + 3, c.len + 3, 3, &rep), FCP_EAUDIT_GENESIS);
    CHECK_EQ(rep.index, 0);
    /* other zone */
    CHECK_ERR(fcp_audit_chain_verify(c.p, c.len, c.n, "z:private", &zkey, NULL, lookup, NULL, &rep),
              FCP_EAUDIT_ZONE);
    CHECK_EQ(rep.index, 0);
    chain_free(&c);
}

static void test_alterations(void)
{
    chain c;
    fcp_audit_report rep;
    const uint8_t *p[MAXEV];
    size_t len[MAXEV];
    build(&c, 6, "z:work");

    /* dropped: remove event 3 */
    size_t k = 0;
    for (size_t i = 0; i < 6; i++)
        if (i != 3) {
            p[k] = c.p[i];
            len[k++] = c.len[i];
        }
    CHECK_ERR(verify(p, len, k, &rep), FCP_EAUDIT_DROPPED);
    CHECK_EQ(rep.index, 3);
    CHECK_EQ(rep.verified, 3);

    /* reordered: swap 2 and 3 */
    memcpy(p, c.p, sizeof(c.p[0]) * 6);
    memcpy(len, c.len, sizeof(len[0]) * 6);
    p[2] = c.p[3]; len[2] = c.len[3];
    p[3] = c.p[2]; len[3] = c.len[2];
    CHECK_ERR(verify(p, len, 6, &rep), FCP_EAUDIT_REORDERED);
    CHECK_EQ(rep.index, 2);

    /* reordered: an older event repeated later */
    memcpy(p, c.p, sizeof(c.p[0]) * 6);
    memcpy(len, c.len, sizeof(len[0]) * 6);
    p[4] = c.p[1]; len[4] = c.len[1];
    CHECK_ERR(verify(p, len, 6, &rep), FCP_EAUDIT_REORDERED);
    CHECK_EQ(rep.index, 4);

    /* duplicated event: same seq twice is a fork */
    p[4] = c.p[3]; len[4] = c.len[3];
    CHECK_ERR(verify(p, len, 5, &rep), FCP_EAUDIT_FORKED);
    CHECK_EQ(rep.index, 4);

    /* forked: a second chain with different content spliced in at 3 */
    chain d;
    build(&d, 6, "z:work");
    CHECK_MEM(d.id[0], c.id[0], 32);  /* deterministic writer: same history */
    static fcp_audit_writer w;
    static fcp_audit_event ev;
    CHECK_ERR(fcp_audit_writer_init(&w, "z:work", node_names[1], node_sk[1], &zkey), 0);
    w.next_seq = 3;
    w.have_prev = 1;
    memcpy(w.prev, c.id[2], 32);
    w.last_occurred_at = 1700000002;
    memset(&ev, 0, sizeof ev);
    fcp_schema_id s;
    fcp_audit_event_schema(&s);
    fcp_object_header_init(&ev.header, &s, "z:work", 1700000003);
    strcpy(ev.event_type, "secret.access");
    strcpy(ev.actor, "user:mallory");
    ev.occurred_at = 1700000003;
    fcp_buf fb;
    fcp_buf_init(&fb);
    CHECK_ERR(fcp_audit_append(&w, &ev, &fb, NULL), 0);
    memcpy(p, c.p, sizeof(c.p[0]) * 6);
    memcpy(len, c.len, sizeof(len[0]) * 6);
    p[3] = fb.data; len[3] = fb.len;
    CHECK_ERR(verify(p, len, 6, &rep), FCP_EAUDIT_FORKED);
    CHECK_EQ(rep.index, 4);   /* event 3' is valid; event 4 no longer links */
    fcp_buf_free(&fb);
    fcp_audit_writer_wipe(&w);

    /* unknown signer -> modified */
    static const char *saved;
    saved = node_names[0];
    node_names[0] = "node-x";
    CHECK_ERR(verify(c.p, c.len, 6, &rep), FCP_EAUDIT_MODIFIED);
    CHECK_EQ(rep.index, 0);
    node_names[0] = saved;

    /* truncated event -> malformed */
    memcpy(p, c.p, sizeof(c.p[0]) * 6);
    memcpy(len, c.len, sizeof(len[0]) * 6);
    len[1] -= 1;
    CHECK_ERR(verify(p, len, 6, &rep), FCP_EAUDIT_MALFORMED);
    CHECK_EQ(rep.index, 1);

    /* time going backwards is refused by the writer */
    CHECK_ERR(fcp_audit_writer_init(&w, "z:work", node_names[0], node_sk[0], &zkey), 0);
    memset(&ev, 0, sizeof ev);
    fcp_object_header_init(&ev.header, &s, "z:work", 10);
    strcpy(ev.event_type, "a");
    strcpy(ev.actor, "u");
    ev.occurred_at = 10;
    fcp_buf_init(&fb);
    CHECK_ERR(fcp_audit_append(&w, &ev, &fb, NULL), 0);
    ev.occurred_at = 9;
    CHECK_ERR(fcp_audit_append(&w, &ev, &fb, NULL), FCP_EAUDIT_TIME);
    CHECK_EQ(w.next_seq, 1);
    fcp_buf_free(&fb);
    fcp_audit_writer_wipe(&w);
    chain_free(&c);
    chain_free(&d);
}

/* Property: change any single byte of event i (to a random other value) and
 * the verifier reports index i, kind MALFORMED or MODIFIED. */
static void test_single_byte_property(void)
{
    chain c;
    fcp_audit_report rep;
    fcp_rng_xoshiro x;
    const uint8_t *p[MAXEV];
    size_t len[MAXEV];
    unsigned long tried = 0, wrong = 0;
    fcp_rng_xoshiro_init(&x, 42);
    build(&c, 4, "z:work");
    memcpy(len, c.len, sizeof(len[0]) * 4);
    for (size_t i = 0; i < 4; i++) {
        uint8_t *copy = malloc(c.len[i]);
        memcpy(p, c.p, sizeof(c.p[0]) * 4);
        p[i] = copy;
        for (size_t off = 0; off < c.len[i]; off++) {
            memcpy(copy, c.p[i], c.len[i]);
            copy[off] ^= (uint8_t)(1 + fcp_rng_xoshiro_below(&x, 255));
            int rc = verify(p, len, 4, &rep);
            tried++;
            if (!((rc == FCP_EAUDIT_MALFORMED || rc == FCP_EAUDIT_MODIFIED) && rep.index == i)) {
                if (wrong++ < 5)
                    fprintf(stderr, "event %zu byte %zu: rc %d index %zu\n", i, off, rc, rep.index);
            }
        }
        free(copy);
    }
    CHECK_EQ(wrong, 0);
    CHECK(tried > 400);
    chain_free(&c);
}

static void test_head(void)
{
    chain c;
    fcp_audit_report rep;
    static fcp_audit_head h, h2;
    fcp_schema_id s;
    build(&c, 3, "z:work");
    CHECK_ERR(verify(c.p, c.len, c.n, &rep), 0);
    memset(&h, 0, sizeof h);
    fcp_audit_head_schema(&s);
    CHECK_ERR(fcp_object_header_init(&h.header, &s, "z:work", 1700000100), 0);
    strcpy(h.zone_id, "z:work");
    memcpy(h.head_event, c.id[2], 32);
    h.head_seq = 2;
    h.coverage_bps = 10000;
    h.epoch_id = 5666666;
    /* signed out of order: stored sorted */
    CHECK_ERR(fcp_audit_head_add_signature(&h, "node-c", node_sk[2]), 0);
    CHECK_ERR(fcp_audit_head_add_signature(&h, "node-a", node_sk[0]), 0);
    CHECK_ERR(fcp_audit_head_add_signature(&h, "node-a", node_sk[0]), FCP_EDUPLICATE_SIGNER);
    CHECK_ERR(fcp_audit_head_add_signature(&h, "node-b", node_sk[1]), 0);
    CHECK(strcmp(h.signer[0], "node-a") == 0 && strcmp(h.signer[2], "node-c") == 0);
    CHECK_ERR(fcp_audit_head_check(&h, &rep, "z:work", 3, lookup, NULL), 0);
    CHECK_ERR(fcp_audit_head_check(&h, &rep, "z:work", 4, lookup, NULL), FCP_EQUORUM);
    fcp_buf b, b2;
    fcp_buf_init(&b);
    fcp_buf_init(&b2);
    CHECK_ERR(fcp_audit_head_encode(&h, FCP_VIEW_WIRE, &b), 0);
    CHECK_ERR(fcp_audit_head_decode(&h2, b.data, b.len), 0);
    CHECK_ERR(fcp_audit_head_encode(&h2, FCP_VIEW_WIRE, &b2), 0);
    CHECK(b.len == b2.len && memcmp(b.data, b2.data, b.len) == 0);
    h2.head_seq = 1;
    CHECK_ERR(fcp_audit_head_check(&h2, &rep, "z:work", 1, lookup, NULL), FCP_EAUDIT_HEAD);
    h2.head_seq = 2;
    h2.signature[1][0] ^= 1;
    CHECK_ERR(fcp_audit_head_check(&h2, &rep, "z:work", 1, lookup, NULL), FCP_EBAD_SIGNATURE);
    h2.coverage_bps = 10001;
    fcp_buf_reset(&b2);
    CHECK_ERR(fcp_audit_head_encode(&h2, FCP_VIEW_WIRE, &b2), FCP_EOUT_OF_RANGE);
    fcp_buf_free(&b);
    fcp_buf_free(&b2);
    chain_free(&c);
}

static void test_receipt(void)
{
    static fcp_decision_receipt r, r2;
    fcp_schema_id s;
    fcp_buf b, b2;
    memset(&r, 0, sizeof r);
    fcp_decision_receipt_schema(&s);
    CHECK_ERR(fcp_object_header_init(&r.header, &s, "z:work", 1700000000), 0);
    memset(r.request_object_id, 0x11, 32);
    r.allow = 0;
    strcpy(r.reason_code, "FCP-4218");
    r.n_evidence = 1;
    memset(r.evidence[0], 0x22, 32);
    r.decided_at = 1700000000;
    strcpy(r.decided_by, "node-a");
    r.has_explanation = 1;
    strcpy(r.explanation, "public input cannot drive gmail.delete");
    CHECK_ERR(fcp_decision_receipt_sign(&r, node_sk[0]), 0);
    CHECK_ERR(fcp_decision_receipt_verify(&r, node_pk[0]), 0);
    CHECK_ERR(fcp_decision_receipt_verify(&r, node_pk[1]), FCP_EBAD_SIGNATURE);
    fcp_buf_init(&b);
    fcp_buf_init(&b2);
    CHECK_ERR(fcp_decision_receipt_encode(&r, FCP_VIEW_WIRE, &b), 0);
    CHECK_ERR(fcp_decision_receipt_decode(&r2, b.data, b.len), 0);
    CHECK_ERR(fcp_decision_receipt_encode(&r2, FCP_VIEW_WIRE, &b2), 0);
    CHECK(b.len == b2.len && memcmp(b.data, b2.data, b.len) == 0);
    CHECK_ERR(fcp_decision_receipt_verify(&r2, node_pk[0]), 0);
    /* Allow must carry FCP-0000 and Deny must not */
    r2.allow = 1;
    CHECK_ERR(fcp_decision_receipt_validate(&r2), FCP_EIDENTIFIER);
    strcpy(r2.reason_code, "FCP-0000");
    CHECK_ERR(fcp_decision_receipt_validate(&r2), 0);
    strcpy(r2.reason_code, "FCP-42x8");
    CHECK_ERR(fcp_decision_receipt_validate(&r2), FCP_EIDENTIFIER);
    /* decode rejects: truncated, trailing byte */
    CHECK(fcp_decision_receipt_decode(&r2, b.data, b.len - 1) < 0);
    fcp_buf_put_u8(&b, 0);
    CHECK_ERR(fcp_decision_receipt_decode(&r2, b.data, b.len), FCP_ECBOR_TRAILING);
    fcp_buf_free(&b);
    fcp_buf_free(&b2);
}

static void test_event_rejects(void)
{
    static fcp_audit_event ev;
    chain c;
    build(&c, 1, "z:work");
    CHECK_ERR(fcp_audit_event_decode(&ev, c.p[0], c.len[0]), 0);
    fcp_buf b;
    fcp_buf_init(&b);
    strcpy(ev.event_type, "Capability");
    CHECK_ERR(fcp_audit_event_encode(&ev, FCP_VIEW_WIRE, &b), FCP_EIDENTIFIER);
    strcpy(ev.event_type, "ok");
    strcpy(ev.header.zone_id, "z:private");
    CHECK_ERR(fcp_audit_event_encode(&ev, FCP_VIEW_WIRE, &b), FCP_EAUDIT_ZONE);
    strcpy(ev.header.zone_id, "z:work");
    fcp_audit_head_schema(&ev.header.schema);
    CHECK_ERR(fcp_audit_event_encode(&ev, FCP_VIEW_WIRE, &b), FCP_ESCHEMA_MISMATCH);
    fcp_audit_event_schema(&ev.header.schema);
    strcpy(ev.signer, "-bad");
    CHECK_ERR(fcp_audit_event_encode(&ev, FCP_VIEW_WIRE, &b), FCP_ENODE_ID);
    CHECK_ERR(fcp_audit_event_decode(&ev, c.p[0], FCP_AUDIT_MAX_ENCODED + 1), FCP_ETOO_LARGE);
    fcp_buf_free(&b);
    chain_free(&c);
}

/* Upstream AuditEntry (fcp-audit) vectors, reproduced with our CBOR encoder
 * to record how they relate to our AuditEvent (D-AUDIT-1): canonical CBOR of
 * the entry, computed_id = BLAKE3("FCP2-AUDIT-ENTRY-V1" || cbor(entry minus
 * id)), signing bytes, and the fcp-core chain's unscoped prev ids. */
static void put_kv(fcp_cbor_enc *e, const char *k, const json_t *v)
{
    fcp_cbor_put_cstr(e, k);
    if (json_is_string(v))
        fcp_cbor_put_cstr(e, json_string_value(v));
    else if (json_is_integer(v))
        fcp_cbor_put_uint(e, (uint64_t)json_integer_value(v));
    else if (json_is_object(v)) {
        const char *kk;
        json_t *vv;
        fcp_cbor_map_open(e);
        json_object_foreach((json_t *)v, kk, vv)
            put_kv(e, kk, vv);
        fcp_cbor_map_close(e);
    } else
        fcp_cbor_put_null(e);
}

static void test_upstream_audit_entry(void)
{
    json_t *all = fcp_t_load_json("upstream/audit.json");
    size_t i;
    json_t *e;
    int cbor_ok = 0, id_ok = 0, chain_ok = 0;
    json_array_foreach(all, i, e) {
        const char *name = fcp_t_jstr(e, "name");
        json_t *entry = json_object_get(json_object_get(e, "inputs"), "entry");
        json_t *ex = json_object_get(e, "expected");
        if (entry) {
            fcp_buf full, mat;
            fcp_cbor_enc a, b;
            const char *k;
            json_t *v;
            fcp_buf_init(&full);
            fcp_buf_init(&mat);
            fcp_cbor_enc_init(&a, &full);
            fcp_cbor_enc_init(&b, &mat);
            fcp_cbor_map_open(&a);
            fcp_cbor_map_open(&b);
            json_object_foreach(entry, k, v) {
                put_kv(&a, k, v);
                if (strcmp(k, "id") != 0)
                    put_kv(&b, k, v);
            }
            fcp_cbor_map_close(&a);
            fcp_cbor_map_close(&b);
            CHECK_ERR(fcp_cbor_enc_finish(&a), 0);
            CHECK_ERR(fcp_cbor_enc_finish(&b), 0);
            const char *want = fcp_t_jstr(ex, "cbor_hex");
            if (*want) {
                size_t wl;
                uint8_t *w = fcp_t_unhex(want, &wl);
                CHECK(full.len == wl && memcmp(full.data, w, wl) == 0);
                cbor_ok++;
                free(w);
            }
            const char *wid = fcp_t_jstr(ex, "computed_id");
            if (*wid) {
                uint8_t h[32];
                char hex[65];
                fcp_blake3_hasher hs;
                fcp_blake3_hasher_init(&hs);
                fcp_blake3_hasher_update(&hs, "FCP2-AUDIT-ENTRY-V1", 19);
                fcp_blake3_hasher_update(&hs, mat.data, mat.len);
                fcp_blake3_hasher_finalize(&hs, h, 32);
                for (int j = 0; j < 32; j++)
                    snprintf(hex + 2 * j, 3, "%02x", h[j]);
                CHECK(strcmp(hex, wid) == 0);
                /* signing bytes: domain || u32le(64) || id text || u32le(0) */
                fcp_buf sb;
                fcp_buf_init(&sb);
                fcp_buf_append(&sb, "FCP2-AUDIT-ENTRY-SIG-V1", 23);
                fcp_buf_put_u32le(&sb, 64);
                fcp_buf_append(&sb, hex, 64);
                fcp_buf_put_u32le(&sb, 0);
                size_t wl;
                uint8_t *w = fcp_t_unhex(fcp_t_jstr(ex, "signing_bytes_hex"), &wl);
                CHECK(sb.len == wl && memcmp(sb.data, w, wl) == 0);
                free(w);
                fcp_buf_free(&sb);
                id_ok++;
            }
            fcp_cbor_enc_free(&a);
            fcp_cbor_enc_free(&b);
            fcp_buf_free(&full);
            fcp_buf_free(&mat);
        }
        if (strcmp(name, "core_valid_audit_chain") == 0) {
            json_t *labels = json_object_get(json_object_get(e, "inputs"), "prev_labels");
            json_t *prev = json_object_get(ex, "prev_hex");
            for (size_t j = 1; j < json_array_size(labels); j++) {
                const char *l = json_string_value(json_array_get(labels, j));
                uint8_t id[32], w[32];
                fcp_content_id(id, (const uint8_t *)l, strlen(l));
                fcp_hex_decode_exact(w, 32, json_string_value(json_array_get(prev, j)));
                CHECK_MEM(id, w, 32);
                chain_ok++;
            }
        }
    }
    CHECK_EQ(cbor_ok, 4);
    CHECK_EQ(id_ok, 1);
    CHECK_EQ(chain_ok, 2);
    json_decref(all);
}

/* The one-pass seal and the decode-with-offsets check agree with the generic
 * encode / sign / id paths for every optional field set, and for an event
 * larger than the seal's 2 KiB stack view (many header refs). */
static void test_fast_paths(void)
{
    static fcp_audit_writer w;
    static fcp_audit_event ev, dec;
    CHECK_ERR(fcp_audit_writer_init(&w, "z:work", node_names[1], node_sk[1], &zkey), 0);
    for (unsigned mask = 0; mask < 128; mask++) {
        fcp_schema_id s;
        fcp_buf b, g;
        fcp_audit_wire_map m;
        uint8_t id[32], id2[32], id3[32];
        fcp_audit_event_schema(&s);
        memset(&ev, 0, sizeof ev);
        CHECK_ERR(fcp_object_header_init(&ev.header, &s, "z:work", 1700000000 + mask), 0);
        if (mask == 127) {
            ev.header.n_refs = 100;   /* 100 x 34 bytes: beyond the stack view */
            for (size_t r = 0; r < 100; r++)
                memset(ev.header.refs[r], (int)r + 1, 32);
        }
        memset(ev.correlation_id, 3, 16);
        strcpy(ev.event_type, "x.y");
        strcpy(ev.actor, "user:bob");
        ev.occurred_at = 1700000000 + mask;
        if (mask & 1) { ev.has_connector_id = 1; strcpy(ev.connector_id, "fcp.gmail"); }
        if (mask & 2) { ev.has_operation = 1; strcpy(ev.operation, "gmail.send"); }
        if (mask & 4) { ev.has_trace_context = 1; memset(ev.trace_context.trace_id, 9, 16);
                        memset(ev.trace_context.span_id, 8, 8); ev.trace_context.flags = 3; }
        if (mask & 8) { ev.has_capability_token_jti = 1; memset(ev.capability_token_jti, 4, 16); }
        if (mask & 16) { ev.has_request_object_id = 1; memset(ev.request_object_id, 5, 32); }
        if (mask & 32) { ev.has_result_object_id = 1; memset(ev.result_object_id, 6, 32); }
        if ((mask & 64) && ev.has_operation)
            ev.has_operation = 7;   /* any non-zero flag means present */
        fcp_buf_init(&b);
        fcp_buf_init(&g);
        CHECK_ERR(fcp_audit_append(&w, &ev, &b, id), 0);
        if (mask == 127)
            CHECK(b.len > 3400);
        CHECK_ERR(fcp_audit_event_encode(&ev, FCP_VIEW_WIRE, &g), 0);
        CHECK(g.len == b.len && memcmp(g.data, b.data, b.len) == 0);
        CHECK_ERR(fcp_audit_event_verify(&ev, node_pk[1]), 0);
        CHECK_ERR(fcp_audit_event_id(id2, &ev, &zkey), 0);
        CHECK_MEM(id, id2, 32);
        CHECK_ERR(fcp_audit_event_decode_wire(&dec, &m, b.data, b.len), 0);
        CHECK_ERR(fcp_audit_event_check_map(&dec, &m, node_pk[1], &zkey, id3), 0);
        CHECK_MEM(id, id3, 32);
        CHECK_ERR(fcp_audit_event_check_map(&dec, &m, node_pk[0], &zkey, id3), FCP_EBAD_SIGNATURE);
        CHECK_ERR(fcp_audit_event_check_wire(&dec, b.data, b.len, node_pk[1], &zkey, id3), 0);
        CHECK_MEM(id, id3, 32);
        /* a flipped signature byte fails on both paths */
        b.data[m.end[m.signature] - b.data - 1] ^= 1;
        CHECK_ERR(fcp_audit_event_decode_wire(&dec, &m, b.data, b.len), 0);
        CHECK_ERR(fcp_audit_event_check_map(&dec, &m, node_pk[1], &zkey, id3), FCP_EBAD_SIGNATURE);
        /* a failed decode leaves an empty map that check_map refuses */
        CHECK(fcp_audit_event_decode_wire(&dec, &m, b.data, b.len - 1) != 0);
        CHECK_EQ(m.n, 0);
        CHECK_ERR(fcp_audit_event_check_map(&dec, &m, node_pk[1], &zkey, id3), FCP_EMISSING_FIELD);
        fcp_buf_free(&b);
        fcp_buf_free(&g);
    }
    fcp_audit_writer_wipe(&w);
}

int main(void)
{
    if (fcp_crypto_init() != 0)
        return 1;
    keys();
    memset(zkey.bytes, 0x5a, sizeof zkey.bytes);
    test_chain_ok_and_roundtrip();
    test_fast_paths();
    test_alterations();
    test_single_byte_property();
    test_head();
    test_receipt();
    test_event_rejects();
    test_upstream_audit_entry();
    return fcp_t_done("authz_audit_test");
}
