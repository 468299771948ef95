/*
 * model_sealed_test.c - HpkeSealedBox: the upstream pinned Fcp2Aad encodings,
 * the three upstream sealed boxes (open, and deterministic re-seal both from
 * the ChaCha20Rng seed and from the ephemeral ikm), AAD-binding negatives
 * (upstream zone_keys cases), box CBOR round trip and strict-decode errors.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/model_sealed.h"

static uint8_t *hexj(const json_t *o, const char *k, size_t *n)
{
    return fcp_t_unhex(fcp_t_jstr(o, k), n);
}

static void binding_from(fcp_seal_binding *b, const json_t *in, uint8_t **z, uint8_t **node,
                         const char *zkey, const char *nkey, const char *tkey)
{
    memset(b, 0, sizeof *b);
    const char *purpose = fcp_t_jstr(in, "purpose");
    CHECK_ERR(fcp_seal_purpose_parse(purpose, strlen(purpose), &b->purpose), 0);
    *z = hexj(in, zkey, &b->zone_id_len);
    *node = hexj(in, nkey, &b->recipient_len);
    b->zone_id = (const char *)*z;
    b->recipient_node_id = (const char *)*node;
    b->issued_at = (uint64_t)json_integer_value(json_object_get(in, tkey));
}

static void test_upstream(void)
{
    json_t *all = fcp_t_load_json("upstream/hpke.json");
    size_t i;
    json_t *e;
    int aads = 0, boxes = 0, neg = 0, rt = 0;
    json_array_foreach(all, i, e) {
        const char *name = fcp_t_jstr(e, "name");
        json_t *in = json_object_get(e, "inputs"), *exp = json_object_get(e, "expected");
        uint8_t *z = NULL, *node = NULL;
        fcp_seal_binding b;
        if (strncmp(name, "aad_", 4) == 0 || strncmp(name, "conformance_", 12) == 0) {
            binding_from(&b, in, &z, &node, "zone_id_hex", "recipient_node_id_hex", "issued_at");
            fcp_buf aad;
            fcp_buf_init(&aad);
            CHECK_ERR(fcp_seal_aad(&b, &aad), 0);
            size_t wl;
            uint8_t *w = hexj(exp, "aad_cbor_hex", &wl);
            CHECK_EQ(aad.len, wl);
            CHECK_MEM(aad.data, w, wl);
            free(w);
            fcp_buf_free(&aad);
            aads++;
        }
        if (strncmp(name, "conformance_", 12) == 0) {
            uint8_t sk[32], pk[32], wpk[32];
            fcp_hex_decode_exact(sk, 32, fcp_t_jstr(in, "recipient_sk_hex"));
            fcp_hex_decode_exact(wpk, 32, fcp_t_jstr(exp, "recipient_pk_hex"));
            CHECK_ERR(fcp_x25519_base(pk, sk), 0);
            CHECK_MEM(pk, wpk, 32);
            size_t fl, ptl;
            uint8_t *flat = hexj(exp, "sealed_box_bytes_hex", &fl);
            uint8_t *pt = hexj(in, "plaintext_hex", &ptl);
            fcp_sealed_box box;
            CHECK_ERR(fcp_sealed_box_from_flat(&box, flat, fl), 0);
            uint8_t *out = malloc(fl);
            CHECK_ERR(fcp_sealed_box_open(out, &box, sk, &b), 0);
            CHECK_EQ(box.ct_len, ptl + 16);
            CHECK_MEM(out, pt, ptl);
            /* deterministic re-seal from the upstream RNG seed */
            uint8_t seed[32];
            fcp_hex_decode_exact(seed, 32, fcp_t_jstr(in, "rng_seed_hex"));
            fcp_rng_chacha20 r;
            fcp_rng_chacha20_init(&r, seed);
            uint8_t *ct = malloc(ptl + 16);
            fcp_sealed_box s2;
            CHECK_ERR(fcp_sealed_box_seal(&s2, ct, pk, &b, pt, ptl, &r.rng), 0);
            fcp_rng_chacha20_wipe(&r);
            fcp_buf fb;
            fcp_buf_init(&fb);
            CHECK_ERR(fcp_sealed_box_to_flat(&s2, &fb), 0);
            CHECK_EQ(fb.len, fl);
            CHECK_MEM(fb.data, flat, fl);
            /* and from the ephemeral ikm */
            size_t il;
            uint8_t *ikm = hexj(json_object_get(e, "derived"), "ephemeral_ikm_hex", &il);
            CHECK_ERR(fcp_sealed_box_seal_derand(&s2, ct, pk, &b, pt, ptl, ikm, il), 0);
            CHECK_MEM(s2.enc, flat, 32);
            CHECK_MEM(s2.ct, flat + 32, fl - 32);
            /* CBOR box round trip opens too */
            fcp_buf cb;
            fcp_buf_init(&cb);
            CHECK_ERR(fcp_sealed_box_encode(&s2, &cb), 0);
            fcp_sealed_box s3;
            CHECK_ERR(fcp_sealed_box_decode(&s3, cb.data, cb.len), 0);
            memset(out, 0, fl);
            CHECK_ERR(fcp_sealed_box_open(out, &s3, sk, &b), 0);
            CHECK_MEM(out, pt, ptl);
            /* binding mismatch: every field */
            fcp_seal_binding w = b;
            w.issued_at++;
            CHECK_ERR(fcp_sealed_box_open(out, &s3, sk, &w), FCP_EDECRYPT);
            w = b;
            w.purpose = (b.purpose + 1) % 4;
            CHECK_ERR(fcp_sealed_box_open(out, &s3, sk, &w), FCP_EDECRYPT);
            w = b;
            w.zone_id = "z:other";
            w.zone_id_len = 7;
            CHECK_ERR(fcp_sealed_box_open(out, &s3, sk, &w), FCP_EDECRYPT);
            w = b;
            w.recipient_node_id = "node-x";
            w.recipient_len = 6;
            CHECK_ERR(fcp_sealed_box_open(out, &s3, sk, &w), FCP_EDECRYPT);
            fcp_buf_free(&cb);
            fcp_buf_free(&fb);
            free(ikm);
            free(ct);
            free(out);
            free(pt);
            free(flat);
            boxes++;
        }
        if (strncmp(name, "zone_keys_", 10) == 0) {
            int wrong = strstr(name, "fails") != NULL;
            const char *zs = wrong && json_object_get(in, "seal_zone_id_hex") ? "seal_zone_id_hex" : "zone_id_hex";
            const char *ns = wrong && json_object_get(in, "seal_recipient_node_id_hex") ? "seal_recipient_node_id_hex" : "recipient_node_id_hex";
            const char *ts = wrong && json_object_get(in, "seal_issued_at") ? "seal_issued_at" : "issued_at";
            binding_from(&b, in, &z, &node, zs, ns, ts);
            uint8_t sk[32], pk[32];
            fcp_hex_decode_exact(sk, 32, fcp_t_jstr(in, "recipient_secret_key_hex"));
            fcp_x25519_base(pk, sk);
            size_t ptl;
            uint8_t *pt = hexj(in, "plaintext_hex", &ptl);
            uint8_t ct[64 + 16], out[64];
            fcp_sealed_box box;
            CHECK_ERR(fcp_sealed_box_seal(&box, ct, pk, &b, pt, ptl, fcp_rng_system()), 0);
            CHECK_EQ(box.ct_len, ptl + 16);
            fcp_seal_binding ob = b;
            uint8_t *z2 = NULL, *n2 = NULL;
            if (wrong) {
                const char *zo = json_object_get(in, "open_zone_id_hex") ? "open_zone_id_hex" : "zone_id_hex";
                const char *no = json_object_get(in, "open_recipient_node_id_hex") ? "open_recipient_node_id_hex" : "recipient_node_id_hex";
                const char *to = json_object_get(in, "open_issued_at") ? "open_issued_at" : "issued_at";
                binding_from(&ob, in, &z2, &n2, zo, no, to);
                CHECK_ERR(fcp_sealed_box_open(out, &box, sk, &ob), FCP_EDECRYPT);
                neg++;
            } else {
                CHECK_ERR(fcp_sealed_box_open(out, &box, sk, &ob), 0);
                CHECK_MEM(out, pt, ptl);
                rt++;
            }
            free(z2);
            free(n2);
            free(pt);
        }
        free(z);
        free(node);
    }
    CHECK_EQ(aads, 7);
    CHECK_EQ(boxes, 3);
    CHECK_EQ(neg, 3);
    CHECK_EQ(rt, 2);
    json_decref(all);
}

static void test_binding_validation(void)
{
    fcp_seal_binding b = { FCP_SEAL_ZONE_KEY, "z:work", 6, "node-1", 6, 1 };
    fcp_buf aad;
    fcp_buf_init(&aad);
    CHECK_ERR(fcp_seal_aad(&b, &aad), 0);
    b.purpose = 9;
    CHECK_ERR(fcp_seal_aad(&b, &aad), FCP_EINVAL);
    b.purpose = FCP_SEAL_OWNER_SHARE;
    b.zone_id = "z:Work";
    CHECK_ERR(fcp_seal_aad(&b, &aad), FCP_EZONE_ID_CHAR);
    b.zone_id = "z:work";
    b.recipient_node_id = "node 1";
    CHECK_ERR(fcp_seal_aad(&b, &aad), FCP_ENODE_ID);
    fcp_buf_free(&aad);
    int p;
    CHECK_ERR(fcp_seal_purpose_parse("FCP2-ZONE-KEYS", 14, &p), FCP_EINVAL);
    CHECK(fcp_seal_purpose_name(-1) == NULL);
    CHECK(strcmp(fcp_seal_purpose_name(FCP_SEAL_SECRET_SHARE), "FCP2-SECRET-SHARE") == 0);
    /* plaintext size limit */
    uint8_t pk[32], sk[32];
    memset(sk, 0x42, 32);
    fcp_x25519_base(pk, sk);
    fcp_seal_binding ok = { FCP_SEAL_ZONE_KEY, "z:work", 6, "node-1", 6, 1 };
    fcp_sealed_box box;
    uint8_t dummy[16];
    CHECK_ERR(fcp_sealed_box_seal(&box, dummy, pk, &ok, dummy, FCP_SEALED_MAX_PLAINTEXT + 1,
                                  fcp_rng_system()), FCP_ETOO_LARGE);
    CHECK_ERR(fcp_sealed_box_seal(&box, dummy, pk, &ok, dummy, 0, NULL), FCP_EINVAL);
    /* empty plaintext works */
    CHECK_ERR(fcp_sealed_box_seal(&box, dummy, pk, &ok, NULL, 0, fcp_rng_system()), 0);
    CHECK_EQ(box.ct_len, 16);
    CHECK_ERR(fcp_sealed_box_open(dummy, &box, sk, &ok), 0);
    /* longest zone id and node id still fit the AAD buffer */
    {
        char zone[65], node[129];
        memset(zone, 'a', 64);
        zone[0] = 'z';
        zone[1] = ':';
        zone[64] = 0;
        memset(node, 'n', 128);
        node[128] = 0;
        fcp_seal_binding big = { FCP_SEAL_SECRET_SHARE, zone, 64, node, 128, UINT64_MAX };
        fcp_buf a2;
        fcp_buf_init(&a2);
        CHECK_ERR(fcp_seal_aad(&big, &a2), 0);
        CHECK(a2.len <= FCP_SEALED_AAD_MAX);
        fcp_buf_free(&a2);
        CHECK_ERR(fcp_sealed_box_seal(&box, dummy, pk, &big, NULL, 0, fcp_rng_system()), 0);
        CHECK_ERR(fcp_sealed_box_open(dummy, &box, sk, &big), 0);
    }
    /* wrong recipient key */
    uint8_t sk2[32];
    memset(sk2, 0x43, 32);
    CHECK_ERR(fcp_sealed_box_open(dummy, &box, sk2, &ok), FCP_EDECRYPT);
}

static int g_v;

static void build(fcp_cbor_enc *e)
{
    uint8_t enc[33] = { 0 }, ct[20] = { 0 };
    fcp_cbor_map_open(e);
    fcp_cbor_put_cstr(e, "kem_id");
    fcp_cbor_put_uint(e, g_v == 1 ? 0x21 : 0x20);
    fcp_cbor_put_cstr(e, "kdf_id");
    fcp_cbor_put_uint(e, g_v == 2 ? 0x10001 : 1);
    if (g_v != 3) {
        fcp_cbor_put_cstr(e, "aead_id");
        fcp_cbor_put_uint(e, g_v == 4 ? 0xffff : 3);
    }
    fcp_cbor_put_cstr(e, "enc");
    fcp_cbor_put_bytes(e, enc, g_v == 5 ? 33 : 32);
    fcp_cbor_put_cstr(e, "ct");
    fcp_cbor_put_bytes(e, ct, g_v == 6 ? 15 : 20);
    if (g_v == 7) {
        fcp_cbor_put_cstr(e, "info");
        fcp_cbor_put_bytes(e, ct, 1);
    }
    if (g_v == 8) {
        fcp_cbor_put_cstr(e, "aad");
        fcp_cbor_put_bytes(e, ct, 1);
    }
    fcp_cbor_map_close(e);
}

static void test_decode_negatives(void)
{
    static const struct { int v; int want; } cases[] = {
        { 0, 0 }, { 1, FCP_EHPKE_SUITE }, { 2, FCP_EOUT_OF_RANGE }, { 3, FCP_EMISSING_FIELD },
        { 4, FCP_EHPKE_SUITE }, { 5, FCP_EOBJECT }, { 6, FCP_EOBJECT }, { 7, FCP_EUNKNOWN_FIELD },
        { 8, FCP_EUNKNOWN_FIELD },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fcp_buf b;
        fcp_cbor_enc e;
        fcp_sealed_box box;
        fcp_buf_init(&b);
        fcp_cbor_enc_init(&e, &b);
        g_v = cases[i].v;
        build(&e);
        CHECK_ERR(fcp_cbor_enc_finish(&e), 0);
        int rc = fcp_sealed_box_decode(&box, b.data, b.len);
        if (!CHECK_ERR(rc, cases[i].want))
            fprintf(stderr, "  variant %d\n", cases[i].v);
        if (rc == 0) {
            fcp_buf b2;
            fcp_buf_init(&b2);
            CHECK_ERR(fcp_sealed_box_encode(&box, &b2), 0);
            CHECK_EQ(b2.len, b.len);
            CHECK_MEM(b2.data, b.data, b.len);
            fcp_buf_free(&b2);
        }
        fcp_cbor_enc_free(&e);
        fcp_buf_free(&b);
    }
    fcp_sealed_box box;
    uint8_t flat[47] = { 0 };
    CHECK_ERR(fcp_sealed_box_from_flat(&box, flat, 47), FCP_EOBJECT);
    CHECK_ERR(fcp_sealed_box_from_flat(&box, flat, 48 - 1), FCP_EOBJECT);
    CHECK_ERR(fcp_sealed_box_from_flat(&box, NULL, 0), FCP_EOBJECT);
}

int main(void)
{
    if (fcp_crypto_init() != 0)
        return 1;
    test_upstream();
    test_binding_validation();
    test_decode_negatives();
    return fcp_t_done("model_sealed_test");
}
