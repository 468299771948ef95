/*
 * wire_symreq_test.c - bounded symbol requests: the upstream mesh_wire
 * SymbolAck / DecodeStatus transcripts byte for byte, the D-SESSION-5 golden
 * file (request CBOR and transcripts, a signed request, the allowance table),
 * codec round trips, and one negative test per bound with its exact code.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/symreq.h"

static void hexfill(uint8_t *out, size_t n, const char *hex)
{
    size_t len = 0;
    uint8_t *p = fcp_t_unhex(hex, &len);
    CHECK(p != NULL && len == n);
    if (p && len == n)
        memcpy(out, p, n);
    free(p);
}

static int buf_is_hex(const fcp_buf *b, const char *hex)
{
    size_t len = 0;
    uint8_t *p = fcp_t_unhex(hex, &len);
    int ok = p && len == b->len && memcmp(p, b->data, len) == 0;
    free(p);
    return ok;
}

static uint64_t ju64(const json_t *v)
{
    if (json_is_string(v))
        return strtoull(json_string_value(v), NULL, 10);
    return (uint64_t)json_integer_value(v);
}

static void target_from(fcp_symreq_target *t, const json_t *in, const char *zk_key)
{
    hexfill(t->object_id, 32, fcp_t_jstr(in, "object_id_hex"));
    strcpy(t->zone_id, fcp_t_jstr(in, "zone_id"));
    hexfill(t->zone_key_id, 8, fcp_t_jstr(in, zk_key));
    t->epoch_id = ju64(json_object_get(in, "epoch_id"));
}

static void test_upstream_mesh_wire(void)
{
    json_t *j = fcp_t_load_json("upstream/mesh_wire.json");
    size_t i, acks = 0, statuses = 0;
    json_t *e;
    json_array_foreach(j, i, e) {
        const char *name = fcp_t_jstr(e, "name");
        const json_t *in = json_object_get(e, "inputs");
        const char *want = fcp_t_jstr(json_object_get(e, "expected"), "transcript_hex");
        fcp_buf b, c;
        fcp_buf_init(&b);
        fcp_buf_init(&c);
        if (!strncmp(name, "symbol_ack_", 11)) {
            fcp_symbol_ack a, d;
            memset(&a, 0, sizeof a);
            target_from(&a.t, in, "zone_key_id_hex");
            strcpy(a.recipient, fcp_t_jstr(in, "recipient_node_id"));
            a.request_nonce = ju64(json_object_get(in, "request_nonce"));
            a.reason = (uint8_t)json_integer_value(json_object_get(in, "reason_byte"));
            a.final_symbol_count = (uint32_t)json_integer_value(json_object_get(in, "final_symbol_count"));
            CHECK_ERR(fcp_symbol_ack_transcript(&a, &b), 0);
            CHECK(buf_is_hex(&b, want));
            CHECK_ERR(fcp_symbol_ack_encode(&a, &c), 0);
            CHECK_ERR(fcp_symbol_ack_decode(&d, c.data, c.len), 0);
            CHECK(memcmp(&a, &d, sizeof a) == 0);
            acks++;
        } else if (!strncmp(name, "decode_status_", 14)) {
            fcp_decode_status s, d;
            memset(&s, 0, sizeof s);
            target_from(&s.t, in, "zone_key_id_hex");
            strcpy(s.recipient, fcp_t_jstr(in, "recipient_node_id"));
            s.request_nonce = ju64(json_object_get(in, "request_nonce"));
            s.received_unique = (uint32_t)json_integer_value(json_object_get(in, "received_unique"));
            s.needed = (uint32_t)json_integer_value(json_object_get(in, "needed"));
            s.complete = json_is_true(json_object_get(in, "complete"));
            const json_t *h = json_object_get(in, "missing_hint");
            if (json_is_array(h)) {
                s.has_missing_hint = 1;
                s.n_missing = json_array_size(h);
                for (size_t k = 0; k < s.n_missing; k++)
                    s.missing_hint[k] = (uint32_t)json_integer_value(json_array_get(h, k));
            }
            CHECK_ERR(fcp_decode_status_transcript(&s, &b), 0);
            CHECK(buf_is_hex(&b, want));
            CHECK_ERR(fcp_decode_status_encode(&s, &c), 0);
            CHECK_ERR(fcp_decode_status_decode(&d, c.data, c.len), 0);
            CHECK(memcmp(&s, &d, sizeof s) == 0);
            statuses++;
        }
        fcp_buf_free(&b);
        fcp_buf_free(&c);
    }
    CHECK_EQ(acks, 2);
    CHECK_EQ(statuses, 2);
    json_decref(j);
}

static json_t *g_gold;

static void load_req(fcp_symbol_request *r, const char *name)
{
    const json_t *q = json_object_get(json_object_get(g_gold, "requests"), name);
    size_t n = 0;
    uint8_t *p = fcp_t_unhex(fcp_t_jstr(q, "cbor_hex"), &n);
    CHECK_ERR(fcp_symbol_request_decode(r, p, n), 0);
    fcp_buf b;
    fcp_buf_init(&b);
    CHECK_ERR(fcp_symbol_request_encode(r, &b), 0);
    CHECK(b.len == n && memcmp(b.data, p, n) == 0);
    fcp_buf_reset(&b);
    CHECK_ERR(fcp_symbol_request_transcript(r, &b), 0);
    CHECK(buf_is_hex(&b, fcp_t_jstr(q, "transcript_hex")));
    fcp_buf_free(&b);
    free(p);
}

static void test_golden(void)
{
    json_error_t err;
    g_gold = json_load_file("conformance/golden/session/d-session-5-symbol-requests.json", 0, &err);
    CHECK(g_gold != NULL);
    if (!g_gold)
        return;
    static fcp_symbol_request r;
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(g_gold, "requests"), k, v) load_req(&r, k);
    /* signed request */
    const json_t *s = json_object_get(g_gold, "signed");
    uint8_t seed[32], pk[32], sk[64], want_pk[32];
    hexfill(seed, 32, fcp_t_jstr(s, "ed25519_seed_hex"));
    fcp_ed25519_keypair_from_seed(pk, sk, seed);
    hexfill(want_pk, 32, fcp_t_jstr(s, "ed25519_pk_hex"));
    CHECK_MEM(pk, want_pk, 32);
    size_t n = 0;
    uint8_t *p = fcp_t_unhex(fcp_t_jstr(s, "cbor_hex"), &n);
    CHECK_ERR(fcp_symbol_request_decode(&r, p, n), 0);
    CHECK_ERR(fcp_symbol_request_verify(&r, pk), 0);
    r.max_symbols++;
    CHECK_ERR(fcp_symbol_request_verify(&r, pk), FCP_ESESSION_BAD_SIGNATURE);
    r.max_symbols--;
    uint8_t sig[64];
    memcpy(sig, r.signature, 64);
    r.has_signature = 0;
    CHECK_ERR(fcp_symbol_request_verify(&r, pk), FCP_ESESSION_MISSING_SIGNATURE);
    CHECK_ERR(fcp_symbol_request_sign(&r, sk), 0);
    CHECK_MEM(r.signature, sig, 64);
    free(p);
    /* allowance table */
    fcp_symreq_policy pols[2];
    const json_t *pj[2] = {json_object_get(json_object_get(g_gold, "policies"), "default"),
                           json_object_get(json_object_get(g_gold, "policies"), "public_ingress")};
    for (int i = 0; i < 2; i++) {
        fcp_symreq_policy_default(&pols[i]);
        CHECK_EQ(pols[0].max_per_request, json_integer_value(json_object_get(pj[i], "max_per_request")));
        CHECK_EQ(pols[0].max_unauthenticated, json_integer_value(json_object_get(pj[i], "max_unauthenticated")));
        CHECK_EQ(pols[0].repair_margin, json_integer_value(json_object_get(pj[i], "repair_margin")));
        pols[i].require_authenticated = json_is_true(json_object_get(pj[i], "require_authenticated"));
    }
    size_t i, rows = 0;
    json_array_foreach(json_object_get(g_gold, "allowance"), i, v) {
        load_req(&r, fcp_t_jstr(v, "request"));
        const fcp_symreq_policy *pol = !strcmp(fcp_t_jstr(v, "policy"), "default") ? &pols[0] : &pols[1];
        uint32_t got = 99;
        int rc = fcp_symreq_allowance(pol, &r, json_is_true(json_object_get(v, "authenticated")),
                                      (uint32_t)json_integer_value(json_object_get(v, "available")), &got);
        const json_t *want = json_object_get(v, "allowed");
        if (json_is_string(want)) {
            CHECK(fcp_error_name(rc) && !strcmp(fcp_error_name(rc), json_string_value(want)));
            CHECK_EQ(got, 0);
        } else {
            CHECK_ERR(rc, 0);
            CHECK_EQ(got, json_integer_value(want));
        }
        rows++;
    }
    CHECK_EQ(rows, 40);
    json_decref(g_gold);
}

static void base_req(fcp_symbol_request *r)
{
    memset(r, 0, sizeof *r);
    memset(r->t.object_id, 1, 32);
    strcpy(r->t.zone_id, "z:work");
    memset(r->t.zone_key_id, 2, 8);
    r->t.epoch_id = 5;
    strcpy(r->requester, "node:a");
    r->request_nonce = 9;
    r->max_symbols = 4;
    r->requested_at = 1;
}

static int enc_dec_req(const fcp_symbol_request *r, int expect_enc)
{
    fcp_buf b;
    fcp_buf_init(&b);
    int rc = fcp_symbol_request_encode(r, &b);
    CHECK_ERR(rc, expect_enc);
    fcp_buf_free(&b);
    return rc;
}

/* Encode a request map by hand (for shapes the encoder refuses). */
static size_t raw_req(uint8_t *out, size_t cap, int variant)
{
    fcp_buf b;
    fcp_cbor_enc e;
    uint8_t oid[32] = {1}, zk[8] = {2};
    fcp_buf_init_fixed(&b, out, cap);
    fcp_cbor_enc_init(&e, &b);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "object_id");
    fcp_cbor_put_bytes(&e, oid, variant == 1 ? 31 : 32);
    fcp_cbor_put_cstr(&e, "zone_id");
    fcp_cbor_put_cstr(&e, variant == 2 ? "z:Work" : "z:work");
    fcp_cbor_put_cstr(&e, "zone_key_id");
    fcp_cbor_put_bytes(&e, zk, 8);
    fcp_cbor_put_cstr(&e, "epoch_id");
    fcp_cbor_put_uint(&e, 1);
    fcp_cbor_put_cstr(&e, "requester");
    fcp_cbor_put_cstr(&e, "node:a");
    fcp_cbor_put_cstr(&e, "request_nonce");
    fcp_cbor_put_uint(&e, 1);
    if (variant != 3) {
        fcp_cbor_put_cstr(&e, "max_symbols");
        fcp_cbor_put_uint(&e, variant == 4 ? 0x100000000ull : 2000);
    }
    fcp_cbor_put_cstr(&e, "requested_at");
    fcp_cbor_put_uint(&e, 1);
    if (variant == 5 || variant == 6) {
        size_t n = variant == 5 ? 1025 : 0;
        fcp_cbor_put_cstr(&e, "want_esi");
        fcp_cbor_put_array(&e, n);
        for (size_t i = 0; i < n; i++)
            fcp_cbor_put_uint(&e, i);
    }
    if (variant == 7) {
        fcp_cbor_put_cstr(&e, "extra");
        fcp_cbor_put_uint(&e, 1);
    }
    fcp_cbor_map_close(&e);
    CHECK_ERR(fcp_cbor_enc_finish(&e), 0);
    fcp_cbor_enc_free(&e);
    return b.len;
}

static void test_negatives(void)
{
    static fcp_symbol_request r, d;
    base_req(&r);
    CHECK_ERR(enc_dec_req(&r, 0), 0);
    r.max_symbols = 0;
    enc_dec_req(&r, FCP_ESYMREQ_MAX_SYMBOLS);
    base_req(&r);
    r.has_want_esi = 1;
    r.n_want = 5; /* > max_symbols 4 */
    for (int i = 0; i < 5; i++)
        r.want_esi[i] = (uint32_t)i;
    enc_dec_req(&r, FCP_ESYMREQ_WANT_ESI);
    r.n_want = 0;
    enc_dec_req(&r, FCP_ESYMREQ_WANT_ESI);
    r.n_want = 3;
    r.want_esi[2] = 1; /* 0,1,1 */
    enc_dec_req(&r, FCP_ESYMREQ_ESI_ORDER);
    r.want_esi[2] = 2;
    CHECK_ERR(enc_dec_req(&r, 0), 0);
    base_req(&r);
    strcpy(r.t.zone_id, "work");
    enc_dec_req(&r, FCP_EZONE_ID_PREFIX);
    base_req(&r);
    r.requester[0] = 0;
    enc_dec_req(&r, FCP_ESESSION_NODE_ID);
    /* decode status rules */
    base_req(&r);
    r.has_decode_status = 1;
    fcp_decode_status *s = &r.decode_status;
    s->t = r.t;
    strcpy(s->recipient, "node:a");
    s->needed = 0;
    enc_dec_req(&r, FCP_ESYMREQ_STATUS);
    s->needed = 10;
    s->complete = 1;
    s->received_unique = 9;
    enc_dec_req(&r, FCP_ESYMREQ_STATUS);
    s->received_unique = 10;
    CHECK_ERR(enc_dec_req(&r, 0), 0);
    s->has_missing_hint = 1;
    s->n_missing = 1;
    enc_dec_req(&r, FCP_ESYMREQ_STATUS); /* complete with a hint */
    s->complete = 0;
    s->n_missing = FCP_SYMREQ_MAX_ESIS + 1;
    enc_dec_req(&r, FCP_ESYMREQ_HINT);
    s->n_missing = 2;
    s->missing_hint[0] = 5;
    s->missing_hint[1] = 5;
    enc_dec_req(&r, FCP_ESYMREQ_ESI_ORDER);
    /* SymbolAck reason */
    fcp_symbol_ack a, ad;
    memset(&a, 0, sizeof a);
    a.t = r.t;
    strcpy(a.recipient, "node:a");
    a.reason = 4;
    fcp_buf b;
    fcp_buf_init(&b);
    CHECK_ERR(fcp_symbol_ack_encode(&a, &b), FCP_ESYMREQ_REASON);
    a.reason = FCP_SYMACK_REASON_2;
    CHECK_ERR(fcp_symbol_ack_encode(&a, &b), 0);
    CHECK_ERR(fcp_symbol_ack_decode(&ad, b.data, b.len), 0);
    /* reason byte 4 on the wire: find the "reason" value byte and patch it */
    uint8_t *pos = memmem(b.data, b.len, "\x66reason\x02", 8);
    CHECK(pos != NULL);
    if (pos) {
        pos[7] = 4;
        CHECK_ERR(fcp_symbol_ack_decode(&ad, b.data, b.len), FCP_ESYMREQ_REASON);
    }
    fcp_buf_free(&b);
    /* delivery hint */
    fcp_symbol_delivery_hint h = {0, 0, 0}, hd;
    fcp_buf_init(&b);
    CHECK_ERR(fcp_delivery_hint_encode(&h, &b), FCP_ESYMREQ_DELIVERY_HINT);
    h.stop_after_symbols = 64;
    h.has_preferred_symbol_size = 1;
    h.preferred_symbol_size = 100;
    CHECK_ERR(fcp_delivery_hint_encode(&h, &b), FCP_ESYMREQ_DELIVERY_HINT);
    h.preferred_symbol_size = 1024;
    CHECK_ERR(fcp_delivery_hint_encode(&h, &b), 0);
    CHECK_ERR(fcp_delivery_hint_decode(&hd, b.data, b.len), 0);
    CHECK(hd.stop_after_symbols == 64 && hd.has_preferred_symbol_size && hd.preferred_symbol_size == 1024);
    CHECK_ERR(fcp_delivery_hint_decode(&hd, b.data, b.len - 1), FCP_ECBOR_TRUNCATED);
    static const uint8_t empty_map[] = {0xa0};
    CHECK_ERR(fcp_delivery_hint_decode(&hd, empty_map, 1), FCP_EMISSING_FIELD);
    fcp_buf_free(&b);
    /* decoder-only rules */
    static uint8_t raw[16384];
    size_t n = raw_req(raw, sizeof raw, 0);
    CHECK_ERR(fcp_symbol_request_decode(&d, raw, n), 0);
    n = raw_req(raw, sizeof raw, 1);
    CHECK_ERR(fcp_symbol_request_decode(&d, raw, n), FCP_ESYMREQ_FIELD);
    n = raw_req(raw, sizeof raw, 2);
    CHECK_ERR(fcp_symbol_request_decode(&d, raw, n), FCP_EZONE_ID_CHAR);
    n = raw_req(raw, sizeof raw, 3);
    CHECK_ERR(fcp_symbol_request_decode(&d, raw, n), FCP_EMISSING_FIELD);
    n = raw_req(raw, sizeof raw, 4);
    CHECK_ERR(fcp_symbol_request_decode(&d, raw, n), FCP_ESYMREQ_FIELD);
    n = raw_req(raw, sizeof raw, 5);
    CHECK_ERR(fcp_symbol_request_decode(&d, raw, n), FCP_ESYMREQ_WANT_ESI);
    n = raw_req(raw, sizeof raw, 6);
    CHECK_ERR(fcp_symbol_request_decode(&d, raw, n), FCP_ESYMREQ_WANT_ESI);
    n = raw_req(raw, sizeof raw, 7);
    CHECK_ERR(fcp_symbol_request_decode(&d, raw, n), FCP_EUNKNOWN_FIELD);
    CHECK_ERR(fcp_symbol_request_decode(&d, raw, FCP_SYMREQ_MAX_ENCODED + 1), FCP_ETOO_LARGE);
    CHECK(d.max_symbols == 0); /* zeroed on error */
    /* allowance: invalid request, unauthenticated refused */
    fcp_symreq_policy pol;
    fcp_symreq_policy_default(&pol);
    uint32_t got = 7;
    base_req(&r);
    r.max_symbols = 0;
    CHECK_ERR(fcp_symreq_allowance(&pol, &r, 1, 10, &got), FCP_ESYMREQ_MAX_SYMBOLS);
    CHECK_EQ(got, 0);
    base_req(&r);
    CHECK_ERR(fcp_symreq_allowance(&pol, &r, 0, 10, &got), FCP_ESYMREQ_UNAUTHENTICATED);
    r.max_symbols = 1000000;
    CHECK_ERR(fcp_symreq_allowance(&pol, &r, 1, 1000000, &got), 0);
    CHECK_EQ(got, FCP_SYMREQ_UNAUTH_CAP); /* no proof of need */
}

int main(void)
{
    if (fcp_crypto_init() != 0)
        return 1;
    test_upstream_mesh_wire();
    test_golden();
    test_negatives();
    return fcp_t_done("wire_symreq_test");
}
