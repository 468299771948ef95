/*
 * model_golden_test.c - recompute every committed vector in
 * conformance/golden/model/ from its inputs alone and compare byte for byte,
 * so any drift in an encoding fails `make check`.  The JSON -> struct
 * conversions here are written independently of cmd/fcp-vectors (which goes
 * struct -> JSON).  Also runs `fcp-vectors --check` when the tool is built.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/model_attest.h"
#include "fcp/model_ids.h"
#include "fcp/model_object.h"
#include "fcp/model_sealed.h"
#include "fcp/model_sign.h"

#define GOLD "conformance/golden/model/"

static json_t *load(const char *file)
{
    char path[256];
    json_error_t e;
    snprintf(path, sizeof path, GOLD "%s", file);
    json_t *j = json_load_file(path, 0, &e);
    if (!j)
        fprintf(stderr, "cannot load %s: %s\n", path, e.text);
    CHECK(j != NULL);
    return j;
}

static const char *js(const json_t *o, const char *k)
{
    return fcp_t_jstr(o, k);
}

static uint64_t ju(const json_t *o, const char *k)
{
    return (uint64_t)json_integer_value(json_object_get(o, k));
}

/* Compare bytes with the hex string exp[k]. */
static void check_hex(const uint8_t *got, size_t n, const json_t *exp, const char *k)
{
    size_t wl = 0;
    uint8_t *w = fcp_t_unhex(js(exp, k), &wl);
    if (!CHECK_EQ(n, wl) || !CHECK_MEM(got, w, n))
        fprintf(stderr, "  field %s\n", k);
    free(w);
}

static void fixed(uint8_t *out, size_t n, const json_t *o, const char *k)
{
    CHECK_ERR(fcp_hex_decode_exact(out, n, js(o, k)), 0);
}

static int schema_of(fcp_schema_id *s, const json_t *j)
{
    uint32_t a, b, c;
    const char *v = js(j, "version");
    int rc = fcp_semver_parse(v, strlen(v), &a, &b, &c);
    if (rc)
        return rc;
    return fcp_schema_id_init(s, js(j, "namespace"), js(j, "name"), a, b, c);
}

static int error_is(int rc, const json_t *exp)
{
    const char *want = js(exp, "error");
    const char *got = rc ? fcp_error_name(rc) : "OK";
    if (!CHECK(got && strcmp(got, want) == 0)) {
        fprintf(stderr, "  got %s want %s\n", got ? got : "?", want);
        return 0;
    }
    return 1;
}

static int count;

static void t_zone_ids(void)
{
    json_t *all = load("zone_ids.json");
    size_t i;
    json_t *e;
    json_array_foreach(all, i, e) {
        json_t *in = json_object_get(e, "inputs"), *ex = json_object_get(e, "expected");
        const char *z = js(in, "zone_id");
        if (json_object_get(ex, "error") && json_object_get(in, "tag")) {
            char out[FCP_TAG_MAX];
            const char *t = js(in, "tag");
            error_is(fcp_zone_id_from_tag(out, sizeof out, t, strlen(t)), ex);
        } else if (json_object_get(ex, "error")) {
            error_is(fcp_zone_id_validate(z, strlen(z)), ex);
        } else {
            uint8_t h[32];
            CHECK_ERR(fcp_zone_id_hash(h, z, strlen(z)), 0);
            check_hex(h, 32, ex, "zone_id_hash_hex");
            char tag[FCP_TAG_MAX], back[FCP_TAG_MAX];
            int rc = fcp_zone_id_to_tag(tag, sizeof tag, z, strlen(z));
            json_t *tj = json_object_get(ex, "tailscale_tag");
            if (json_is_string(tj)) {
                CHECK_ERR(rc, 0);
                CHECK(strcmp(tag, json_string_value(tj)) == 0);
                CHECK_ERR(fcp_zone_id_from_tag(back, sizeof back, tag, strlen(tag)), 0);
                CHECK(strcmp(back, z) == 0);
            } else {
                CHECK(rc != 0);
                CHECK(strcmp(fcp_error_name(rc), js(ex, "tag_error")) == 0);
            }
            CHECK_EQ(fcp_zone_id_is_standard(z, strlen(z)), json_is_true(json_object_get(ex, "standard")));
        }
        count++;
    }
    json_decref(all);
}

static void t_schema_hashes(void)
{
    json_t *all = load("schema_hashes.json");
    size_t i;
    json_t *e;
    json_array_foreach(all, i, e) {
        json_t *in = json_object_get(e, "inputs"), *ex = json_object_get(e, "expected");
        fcp_schema_id s, p1, p2;
        if (json_object_get(ex, "error")) {
            const char *t = js(in, "schema_id_text");
            error_is(fcp_schema_id_parse(&s, t, strlen(t)), ex);
        } else {
            CHECK_ERR(schema_of(&s, in), 0);
            uint8_t h[32], h8[8];
            fcp_schema_hash(h, &s);
            fcp_signing_schema_hash(h8, &s);
            check_hex(h, 32, ex, "schema_hash_hex");
            check_hex(h8, 8, ex, "signing_schema_hash8_hex");
            const char *sf = js(ex, "signing_form"), *pf = js(ex, "spec_form");
            CHECK_ERR(fcp_schema_id_parse(&p1, sf, strlen(sf)), 0);
            CHECK_ERR(fcp_schema_id_parse(&p2, pf, strlen(pf)), 0);
            CHECK(fcp_schema_id_equal(&p1, &s));
            CHECK(fcp_schema_id_equal(&p2, &s));
        }
        count++;
    }
    json_decref(all);
}

static void t_object_ids(void)
{
    json_t *all = load("object_ids.json");
    size_t i;
    json_t *e;
    json_array_foreach(all, i, e) {
        json_t *in = json_object_get(e, "inputs"), *ex = json_object_get(e, "expected");
        const char *name = js(e, "name");
        if (!strncmp(name, "keyed_object_id", 15)) {
            fcp_object_id_key k;
            fcp_schema_id s;
            uint8_t id[32];
            size_t cl;
            fixed(k.bytes, 32, in, "object_id_key_hex");
            CHECK_ERR(schema_of(&s, json_object_get(in, "schema")), 0);
            uint8_t *c = fcp_t_unhex(js(in, "content_hex"), &cl);
            const char *z = js(in, "zone_id");
            CHECK_ERR(fcp_object_id(id, &k, z, strlen(z), &s, c, cl), 0);
            check_hex(id, 32, ex, "object_id_hex");
            free(c);
        } else if (!strcmp(name, "unscoped_content_id")) {
            size_t cl;
            uint8_t id[32];
            uint8_t *c = fcp_t_unhex(js(in, "content_hex"), &cl);
            fcp_content_id(id, c, cl);
            check_hex(id, 32, ex, "content_id_hex");
            free(c);
        } else if (!strncmp(name, "kid_ed25519", 11)) {
            uint8_t seed[32], pk[32], sk[64], kid[8];
            fixed(seed, 32, in, "ed25519_seed_hex");
            fcp_ed25519_keypair_from_seed(pk, sk, seed);
            fcp_key_id(kid, pk);
            check_hex(pk, 32, ex, "public_key_hex");
            check_hex(kid, 8, ex, "kid_hex");
        } else if (!strncmp(name, "kid_x25519", 10)) {
            uint8_t sk[32], pk[32], kid[8];
            fixed(sk, 32, in, "x25519_secret_key_hex");
            fcp_x25519_base(pk, sk);
            fcp_key_id(kid, pk);
            check_hex(pk, 32, ex, "public_key_hex");
            check_hex(kid, 8, ex, "kid_hex");
        } else if (!strncmp(name, "epoch_", 6)) {
            CHECK_EQ(fcp_epoch_from_timestamp(ju(in, "timestamp"), ju(in, "granularity_secs")),
                     ju(ex, "epoch_id"));
        } else {
            CHECK(0 && "unknown object_ids entry");
        }
        count++;
    }
    json_decref(all);
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    CHECK(strlen(src) < cap);
    snprintf(dst, cap, "%s", src);
}

static void header_of(fcp_object_header *h, const json_t *j)
{
    memset(h, 0, sizeof *h);
    CHECK_ERR(schema_of(&h->schema, json_object_get(j, "schema")), 0);
    copy_str(h->zone_id, sizeof h->zone_id, js(j, "zone_id"));
    h->created_at = ju(j, "created_at");
    json_t *refs = json_object_get(j, "refs_hex");
    h->n_refs = json_array_size(refs);
    for (size_t i = 0; i < h->n_refs && i < FCP_HDR_MAX_REFS; i++)
        CHECK_ERR(fcp_hex_decode_exact(h->refs[i], 32, json_string_value(json_array_get(refs, i))), 0);
    if (json_object_get(j, "ttl_secs")) {
        h->has_ttl_secs = 1;
        h->ttl_secs = ju(j, "ttl_secs");
    }
    json_t *pl = json_object_get(j, "placement");
    if (pl) {
        h->has_placement = 1;
        h->placement.min_nodes = (uint8_t)ju(pl, "min_nodes");
        h->placement.max_node_fraction = json_number_value(json_object_get(pl, "max_node_fraction"));
        h->placement.target_coverage = json_number_value(json_object_get(pl, "target_coverage"));
        json_t *a = json_object_get(pl, "preferred_devices");
        h->placement.n_preferred = json_array_size(a);
        for (size_t i = 0; i < h->placement.n_preferred; i++)
            copy_str(h->placement.preferred_devices[i], FCP_HDR_DEVICE_MAX + 1, json_string_value(json_array_get(a, i)));
        a = json_object_get(pl, "excluded_devices");
        h->placement.n_excluded = json_array_size(a);
        for (size_t i = 0; i < h->placement.n_excluded; i++)
            copy_str(h->placement.excluded_devices[i], FCP_HDR_DEVICE_MAX + 1, json_string_value(json_array_get(a, i)));
    }
    json_t *p = json_object_get(j, "provenance");
    fcp_provenance *v = &h->provenance;
    copy_str(v->origin_zone, sizeof v->origin_zone, js(p, "origin_zone"));
    copy_str(v->current_zone, sizeof v->current_zone, js(p, "current_zone"));
    v->origin_integrity = (uint8_t)ju(p, "origin_integrity");
    v->origin_confidentiality = (uint8_t)ju(p, "origin_confidentiality");
    if (json_object_get(p, "origin_principal")) {
        v->has_origin_principal = 1;
        copy_str(v->origin_principal, sizeof v->origin_principal, js(p, "origin_principal"));
    }
    v->taint = (uint32_t)ju(p, "taint");
    v->created_at = ju(p, "created_at");
    json_t *r = json_object_get(p, "taint_reductions");
    v->n_reductions = json_array_size(r);
    for (size_t i = 0; i < v->n_reductions; i++) {
        json_t *o = json_array_get(r, i);
        v->reductions[i].clears = (uint32_t)ju(o, "clears");
        v->reductions[i].applied_at = ju(o, "applied_at");
        fixed(v->reductions[i].by_attestation, 32, o, "by_attestation_hex");
    }
    json_t *c = json_object_get(p, "zone_crossings");
    v->n_crossings = json_array_size(c);
    for (size_t i = 0; i < v->n_crossings; i++) {
        json_t *o = json_array_get(c, i);
        fcp_zone_crossing *x = &v->crossings[i];
        copy_str(x->from_zone, sizeof x->from_zone, js(o, "from_zone"));
        copy_str(x->to_zone, sizeof x->to_zone, js(o, "to_zone"));
        x->crossed_at = ju(o, "crossed_at");
        if (json_object_get(o, "authorized_by_hex")) {
            x->has_authorized_by = 1;
            fixed(x->authorized_by, 32, o, "authorized_by_hex");
        }
    }
}

static void t_headers(void)
{
    json_t *all = load("headers.json");
    size_t i;
    json_t *e;
    json_array_foreach(all, i, e) {
        json_t *in = json_object_get(e, "inputs"), *ex = json_object_get(e, "expected");
        static fcp_object_header h, d;
        header_of(&h, json_object_get(in, "header"));
        fcp_object_id_key k;
        fixed(k.bytes, 32, in, "object_id_key_hex");
        size_t bl;
        uint8_t *body = fcp_t_unhex(js(in, "body_cbor_hex"), &bl);
        fcp_buf hb, pb, cb;
        fcp_buf_init(&hb);
        fcp_buf_init(&pb);
        fcp_buf_init(&cb);
        CHECK_ERR(fcp_object_header_encode(&h, &hb), 0);
        check_hex(hb.data, hb.len, ex, "header_cbor_hex");
        CHECK_ERR(fcp_payload_encode(&h.schema, body, bl, &pb), 0);
        check_hex(pb.data, pb.len, ex, "payload_hex");
        CHECK_ERR(fcp_object_canonical_bytes(&h, pb.data, pb.len, &cb), 0);
        check_hex(cb.data, cb.len, ex, "canonical_bytes_hex");
        uint8_t id[32];
        CHECK_ERR(fcp_object_derive_id(id, &h, pb.data, pb.len, &k), 0);
        check_hex(id, 32, ex, "object_id_hex");
        /* the committed bytes decode and re-encode identically */
        CHECK_ERR(fcp_object_header_decode(&d, hb.data, hb.len), 0);
        fcp_buf_reset(&cb);
        CHECK_ERR(fcp_object_header_encode(&d, &cb), 0);
        CHECK_EQ(cb.len, hb.len);
        CHECK_MEM(cb.data, hb.data, hb.len);
        free(body);
        fcp_buf_free(&hb);
        fcp_buf_free(&pb);
        fcp_buf_free(&cb);
        count++;
    }
    json_decref(all);
}

static void t_signatures(void)
{
    json_t *all = load("signatures.json");
    size_t i;
    json_t *e;
    json_array_foreach(all, i, e) {
        json_t *in = json_object_get(e, "inputs"), *ex = json_object_get(e, "expected");
        const char *name = js(e, "name");
        if (!strncmp(name, "object_signature", 16)) {
            fcp_schema_id s;
            const char *sid = js(in, "schema_id");
            CHECK_ERR(fcp_schema_id_parse(&s, sid, strlen(sid)), 0);
            uint8_t seed[32], pk[32], sk[64], sig[64];
            fixed(seed, 32, in, "ed25519_seed_hex");
            fcp_ed25519_keypair_from_seed(pk, sk, seed);
            check_hex(pk, 32, ex, "public_key_hex");
            size_t ul;
            uint8_t *u = fcp_t_unhex(js(in, "unsigned_cbor_hex"), &ul);
            fcp_buf b;
            fcp_buf_init(&b);
            CHECK_ERR(fcp_signing_bytes(&b, &s, u, ul), 0);
            check_hex(b.data, b.len, ex, "signing_bytes_hex");
            CHECK_ERR(fcp_object_sign(sig, &s, u, ul, sk), 0);
            check_hex(sig, 64, ex, "signature_hex");
            CHECK_ERR(fcp_object_verify(sig, &s, u, ul, pk), 0);
            fcp_buf_free(&b);
            free(u);
        } else if (!strcmp(name, "unsigned_view")) {
            size_t n;
            uint8_t *o = fcp_t_unhex(js(in, "signed_cbor_hex"), &n);
            fcp_buf b;
            fcp_buf_init(&b);
            CHECK_ERR(fcp_unsigned_view(&b, o, n), 0);
            check_hex(b.data, b.len, ex, "unsigned_cbor_hex");
            fcp_buf_free(&b);
            free(o);
        } else if (!strncmp(name, "quorum", 6)) {
            fcp_schema_id s;
            const char *sid = js(in, "schema_id");
            CHECK_ERR(fcp_schema_id_parse(&s, sid, strlen(sid)), 0);
            size_t ul;
            uint8_t *u = fcp_t_unhex(js(in, "unsigned_cbor_hex"), &ul);
            json_t *signers = json_object_get(in, "signers_unsorted");
            fcp_quorum_sig q[8];
            size_t n = json_array_size(signers);
            CHECK(n <= 8);
            for (size_t j = 0; j < n && j < 8; j++) {
                json_t *o = json_array_get(signers, j);
                uint8_t seed[32], pk[32], sk[64];
                fixed(seed, 32, o, "ed25519_seed_hex");
                fcp_ed25519_keypair_from_seed(pk, sk, seed);
                q[j].node_id = (const uint8_t *)js(o, "node_id");
                q[j].node_id_len = strlen(js(o, "node_id"));
                CHECK_ERR(fcp_object_sign(q[j].sig, &s, u, ul, sk), 0);
            }
            fcp_quorum_sort(q, n);
            json_t *order = json_object_get(ex, "sorted_node_ids");
            for (size_t j = 0; j < n; j++)
                CHECK(strlen(json_string_value(json_array_get(order, j))) == q[j].node_id_len &&
                      memcmp(json_string_value(json_array_get(order, j)), q[j].node_id, q[j].node_id_len) == 0);
            fcp_buf b;
            fcp_cbor_enc enc;
            fcp_buf_init(&b);
            fcp_cbor_enc_init(&enc, &b);
            CHECK_ERR(fcp_quorum_encode_to(q, n, &enc), 0);
            CHECK_ERR(fcp_cbor_enc_finish(&enc), 0);
            fcp_cbor_enc_free(&enc);
            check_hex(b.data, b.len, ex, "quorum_signatures_cbor_hex");
            fcp_buf_free(&b);
            free(u);
        } else {
            CHECK(0 && "unknown signatures entry");
        }
        count++;
    }
    json_decref(all);
}

static void t_attestations(void)
{
    json_t *all = load("attestations.json");
    size_t i;
    json_t *e;
    json_array_foreach(all, i, e) {
        json_t *in = json_object_get(e, "inputs"), *ex = json_object_get(e, "expected");
        fcp_node_attestation a, d;
        uint8_t oseed[32], opk[32], osk[64], seed[32], sk[64], xsk[32];
        memset(&a, 0, sizeof a);
        fixed(oseed, 32, in, "owner_ed25519_seed_hex");
        fcp_ed25519_keypair_from_seed(opk, osk, oseed);
        check_hex(opk, 32, ex, "owner_public_key_hex");
        copy_str(a.node_id, sizeof a.node_id, js(in, "node_id"));
        fixed(seed, 32, in, "node_sig_seed_hex");
        fcp_ed25519_keypair_from_seed(a.node_sig_pubkey, sk, seed);
        fixed(seed, 32, in, "node_iss_seed_hex");
        fcp_ed25519_keypair_from_seed(a.node_iss_pubkey, sk, seed);
        fixed(xsk, 32, in, "node_enc_x25519_sk_hex");
        fcp_x25519_base(a.node_enc_pubkey, xsk);
        json_t *tags = json_object_get(in, "tags");
        a.n_tags = json_array_size(tags);
        for (size_t t = 0; t < a.n_tags; t++)
            copy_str(a.tags[t], sizeof a.tags[t], json_string_value(json_array_get(tags, t)));
        a.issued_at = ju(in, "issued_at");
        if (json_object_get(in, "expires_at")) {
            a.has_expires_at = 1;
            a.expires_at = ju(in, "expires_at");
        }
        CHECK_ERR(fcp_attestation_sign(&a, osk), 0);
        fcp_buf ub, fb, sb;
        fcp_schema_id s;
        fcp_attestation_schema(&s);
        fcp_buf_init(&ub);
        fcp_buf_init(&fb);
        fcp_buf_init(&sb);
        CHECK_ERR(fcp_attestation_encode_unsigned(&a, &ub), 0);
        CHECK_ERR(fcp_attestation_encode(&a, &fb), 0);
        CHECK_ERR(fcp_signing_bytes(&sb, &s, ub.data, ub.len), 0);
        check_hex(a.node_sig_pubkey, 32, ex, "node_sig_pubkey_hex");
        check_hex(a.node_enc_pubkey, 32, ex, "node_enc_pubkey_hex");
        check_hex(a.node_iss_pubkey, 32, ex, "node_iss_pubkey_hex");
        check_hex(ub.data, ub.len, ex, "unsigned_cbor_hex");
        check_hex(sb.data, sb.len, ex, "signing_bytes_hex");
        check_hex(a.signature, 64, ex, "signature_hex");
        check_hex(fb.data, fb.len, ex, "attestation_cbor_hex");
        uint8_t k1[8], k2[8], k3[8];
        fcp_attestation_kids(&a, k1, k2, k3);
        check_hex(k1, 8, ex, "node_sig_kid_hex");
        check_hex(k2, 8, ex, "node_enc_kid_hex");
        check_hex(k3, 8, ex, "node_iss_kid_hex");
        CHECK_ERR(fcp_attestation_decode_verify(&d, fb.data, fb.len, opk, a.issued_at), 0);
        fcp_buf_free(&ub);
        fcp_buf_free(&fb);
        fcp_buf_free(&sb);
        count++;
    }
    json_decref(all);
}

static void t_sealed(void)
{
    json_t *all = load("sealed_boxes.json");
    size_t i;
    json_t *e;
    json_array_foreach(all, i, e) {
        json_t *in = json_object_get(e, "inputs"), *ex = json_object_get(e, "expected");
        uint8_t sk[32], pk[32], ikm[32];
        fixed(sk, 32, in, "recipient_sk_hex");
        fixed(ikm, 32, in, "ephemeral_ikm_hex");
        CHECK(strcmp(js(in, "info"), "FCP2-HPKE") == 0);
        fcp_x25519_base(pk, sk);
        check_hex(pk, 32, ex, "recipient_pk_hex");
        fcp_seal_binding b;
        const char *purpose = js(in, "purpose");
        CHECK_ERR(fcp_seal_purpose_parse(purpose, strlen(purpose), &b.purpose), 0);
        b.zone_id = js(in, "zone_id");
        b.zone_id_len = strlen(b.zone_id);
        b.recipient_node_id = js(in, "recipient_node_id");
        b.recipient_len = strlen(b.recipient_node_id);
        b.issued_at = ju(in, "issued_at");
        size_t ptl;
        uint8_t *pt = fcp_t_unhex(js(in, "plaintext_hex"), &ptl);
        uint8_t *ct = malloc(ptl + 16), *out = malloc(ptl + 16);
        fcp_sealed_box box, d;
        fcp_buf aad, cb, flat;
        fcp_buf_init(&aad);
        fcp_buf_init(&cb);
        fcp_buf_init(&flat);
        CHECK_ERR(fcp_seal_aad(&b, &aad), 0);
        check_hex(aad.data, aad.len, ex, "aad_cbor_hex");
        CHECK_ERR(fcp_sealed_box_seal_derand(&box, ct, pk, &b, pt, ptl, ikm, 32), 0);
        check_hex(box.enc, 32, ex, "enc_hex");
        check_hex(box.ct, box.ct_len, ex, "ct_hex");
        CHECK_ERR(fcp_sealed_box_encode(&box, &cb), 0);
        check_hex(cb.data, cb.len, ex, "sealed_box_cbor_hex");
        CHECK_ERR(fcp_sealed_box_to_flat(&box, &flat), 0);
        check_hex(flat.data, flat.len, ex, "sealed_box_flat_hex");
        CHECK_ERR(fcp_sealed_box_decode(&d, cb.data, cb.len), 0);
        CHECK_ERR(fcp_sealed_box_open(out, &d, sk, &b), 0);
        CHECK(ptl == 0 || memcmp(out, pt, ptl) == 0);
        fcp_buf_free(&aad);
        fcp_buf_free(&cb);
        fcp_buf_free(&flat);
        free(pt);
        free(ct);
        free(out);
        count++;
    }
    json_decref(all);
}

static void t_rejects(void)
{
    json_t *all = load("decode_rejects.json");
    size_t i;
    json_t *e;
    json_array_foreach(all, i, e) {
        json_t *in = json_object_get(e, "inputs"), *ex = json_object_get(e, "expected");
        size_t n;
        uint8_t *p = fcp_t_unhex(js(in, "cbor_hex"), &n);
        const char *obj = js(in, "object");
        int rc;
        if (!strcmp(obj, "header")) {
            static fcp_object_header h;
            rc = fcp_object_header_decode(&h, p, n);
        } else if (!strcmp(obj, "attestation")) {
            fcp_node_attestation a;
            rc = fcp_attestation_decode(&a, p, n);
        } else {
            fcp_sealed_box b;
            rc = fcp_sealed_box_decode(&b, p, n);
        }
        error_is(rc, ex);
        free(p);
        count++;
    }
    json_decref(all);
}

static void t_tool_check(void)
{
    const char *build = getenv("FCP_BUILD");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s/fcp-vectors", build && *build ? build : "build");
    FILE *f = fopen(cmd, "rb");
    if (!f)
        return; /* tool not built in this configuration */
    fclose(f);
    snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), " --check " GOLD " >/dev/null");
    CHECK_EQ(system(cmd), 0);
}

int main(void)
{
    if (fcp_crypto_init() != 0)
        return 1;
    t_zone_ids();
    t_schema_hashes();
    t_object_ids();
    t_headers();
    t_signatures();
    t_attestations();
    t_sealed();
    t_rejects();
    CHECK(count >= 60);
    t_tool_check();
    printf("model_golden_test: %d committed vectors recomputed\n", count);
    return fcp_t_done("model_golden_test");
}
