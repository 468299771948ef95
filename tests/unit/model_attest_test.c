/*
 * model_attest_test.c - NodeKeyAttestation: encode/decode round trip, owner
 * signature, expiry against an injected time, key ids, and one negative test
 * per validation rule with its exact error code.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/model_attest.h"
#include "fcp/model_sign.h"

static uint8_t owner_pk[32], owner_sk[64];

static void make(fcp_node_attestation *a)
{
    uint8_t seed[32], sk[64];
    memset(a, 0, sizeof *a);
    strcpy(a->node_id, "node:laptop.mesh.ts.net");
    memset(seed, 0x01, 32);
    fcp_ed25519_keypair_from_seed(a->node_sig_pubkey, sk, seed);
    uint8_t xsk[32];
    memset(xsk, 0x10, 32);
    fcp_x25519_base(a->node_enc_pubkey, xsk);
    memset(seed, 0x02, 32);
    fcp_ed25519_keypair_from_seed(a->node_iss_pubkey, sk, seed);
    a->n_tags = 2;
    strcpy(a->tags[0], "tag:fcp-private");
    strcpy(a->tags[1], "tag:fcp-work");
    a->issued_at = 1700000000;
    a->has_expires_at = 1;
    a->expires_at = 1700000000 + 86400 * 30;
}

static void test_roundtrip(void)
{
    fcp_node_attestation a, d;
    fcp_buf b, b2, u;
    fcp_buf_init(&b);
    fcp_buf_init(&b2);
    fcp_buf_init(&u);
    make(&a);
    CHECK_ERR(fcp_attestation_sign(&a, owner_sk), 0);
    CHECK_ERR(fcp_attestation_encode(&a, &b), 0);
    CHECK_ERR(fcp_attestation_decode(&d, b.data, b.len), 0);
    CHECK_ERR(fcp_attestation_encode(&d, &b2), 0);
    CHECK_EQ(b.len, b2.len);
    CHECK_MEM(b.data, b2.data, b.len);
    CHECK(strcmp(d.node_id, a.node_id) == 0);
    CHECK_EQ(d.n_tags, 2);
    CHECK_EQ(d.expires_at, a.expires_at);
    CHECK_ERR(fcp_attestation_verify(&d, owner_pk, 1700000000), 0);
    CHECK_ERR(fcp_attestation_decode_verify(&d, b.data, b.len, owner_pk, 1700000100), 0);
    /* the signature is the generic object signature over the unsigned view */
    CHECK_ERR(fcp_unsigned_view(&u, b.data, b.len), 0);
    fcp_buf_reset(&b2);
    CHECK_ERR(fcp_attestation_encode_unsigned(&a, &b2), 0);
    CHECK_EQ(u.len, b2.len);
    CHECK_MEM(u.data, b2.data, u.len);
    fcp_schema_id s;
    fcp_attestation_schema(&s);
    CHECK_ERR(fcp_object_verify(a.signature, &s, u.data, u.len, owner_pk), 0);
    /* every truncation fails */
    int all_fail = 1;
    for (size_t n = 0; n < b.len; n++)
        if (fcp_attestation_decode(&d, b.data, n) == 0)
            all_fail = 0;
    CHECK(all_fail);
    /* every single-bit flip either fails to decode or fails to verify */
    int all_rejected = 1;
    for (size_t i = 0; i < b.len; i++)
        for (int bit = 0; bit < 8; bit++) {
            b.data[i] ^= (uint8_t)(1 << bit);
            if (fcp_attestation_decode_verify(&d, b.data, b.len, owner_pk, 1700000000) == 0)
                all_rejected = 0;
            b.data[i] ^= (uint8_t)(1 << bit);
        }
    CHECK(all_rejected);
    /* no expiry */
    a.has_expires_at = 0;
    CHECK_ERR(fcp_attestation_sign(&a, owner_sk), 0);
    fcp_buf_reset(&b);
    CHECK_ERR(fcp_attestation_encode(&a, &b), 0);
    CHECK_ERR(fcp_attestation_decode_verify(&d, b.data, b.len, owner_pk, UINT64_MAX), 0);
    CHECK_EQ(d.has_expires_at, 0);
    fcp_buf_free(&b);
    fcp_buf_free(&b2);
    fcp_buf_free(&u);
}

static void test_time_and_sig(void)
{
    fcp_node_attestation a;
    make(&a);
    fcp_attestation_sign(&a, owner_sk);
    CHECK_ERR(fcp_attestation_verify(&a, owner_pk, a.expires_at - 1), 0);
    CHECK_ERR(fcp_attestation_verify(&a, owner_pk, a.expires_at), FCP_EATTESTATION_EXPIRED);
    CHECK_ERR(fcp_attestation_verify(&a, owner_pk, a.issued_at - FCP_ATTEST_MAX_SKEW), 0);
    CHECK_ERR(fcp_attestation_verify(&a, owner_pk, a.issued_at - FCP_ATTEST_MAX_SKEW - 1),
              FCP_EATTESTATION);
    uint8_t other_pk[32], other_sk[64], seed[32];
    memset(seed, 0x77, 32);
    fcp_ed25519_keypair_from_seed(other_pk, other_sk, seed);
    CHECK_ERR(fcp_attestation_verify(&a, other_pk, a.issued_at), FCP_EBAD_SIGNATURE);
    fcp_node_attestation t = a;
    t.node_enc_pubkey[0] ^= 1;
    CHECK_ERR(fcp_attestation_verify(&t, owner_pk, a.issued_at), FCP_EBAD_SIGNATURE);
    t = a;
    strcpy(t.tags[1], "tag:fcp-works");
    CHECK_ERR(fcp_attestation_verify(&t, owner_pk, a.issued_at), FCP_EBAD_SIGNATURE);
    t = a;
    t.expires_at++;
    CHECK_ERR(fcp_attestation_verify(&t, owner_pk, a.issued_at), FCP_EBAD_SIGNATURE);
    /* key ids */
    uint8_t k1[8], k2[8], k3[8], want[8];
    fcp_attestation_kids(&a, k1, k2, k3);
    fcp_hex_decode_exact(want, 8, "a0c1f01ec0c902d8"); /* upstream kid of seed 01x32 */
    CHECK_MEM(k1, want, 8);
    fcp_hex_decode_exact(want, 8, "50aecc5471a5c774"); /* seed 02x32 */
    CHECK_MEM(k3, want, 8);
    uint8_t kx[8];
    fcp_key_id(kx, a.node_enc_pubkey);
    CHECK_MEM(k2, kx, 8);
    fcp_attestation_kids(&a, NULL, NULL, NULL);
}

static void test_validation(void)
{
    fcp_node_attestation a;
    fcp_buf b;
    fcp_buf_init(&b);
#define BAD(edit, want)                                              \
    do {                                                             \
        make(&a);                                                    \
        edit;                                                        \
        CHECK_ERR(fcp_attestation_validate(&a), want);               \
        CHECK_ERR(fcp_attestation_encode(&a, &b), want);             \
    } while (0)
    BAD(strcpy(a.node_id, ""), FCP_ENODE_ID);
    BAD(strcpy(a.node_id, "node 1"), FCP_ENODE_ID);
    BAD(strcpy(a.tags[0], "fcp-private"), FCP_ETAG);
    BAD(strcpy(a.tags[0], "tag:"), FCP_ETAG);
    BAD(strcpy(a.tags[0], "tag:1abc"), FCP_ETAG);
    BAD(strcpy(a.tags[0], "tag:a_b"), FCP_ETAG);
    BAD(strcpy(a.tags[0], "tag:fcp-zzz"), FCP_EATTESTATION);     /* unsorted */
    BAD(strcpy(a.tags[0], "tag:fcp-work"), FCP_EATTESTATION);    /* duplicate */
    BAD(a.n_tags = FCP_ATTEST_MAX_TAGS + 1, FCP_ELIMIT);
    BAD(memcpy(a.node_iss_pubkey, a.node_sig_pubkey, 32), FCP_EATTESTATION);
    BAD(a.expires_at = a.issued_at, FCP_EATTESTATION);
#undef BAD
    make(&a);
    a.n_tags = 0;
    CHECK_ERR(fcp_attestation_validate(&a), 0);
    fcp_buf_free(&b);
}

/* Hand-built maps for decode-only failures. */
static int g_v;

static void build(fcp_cbor_enc *e)
{
    fcp_node_attestation a;
    make(&a);
    uint8_t sig[65] = { 0 };
    fcp_cbor_map_open(e);
    fcp_cbor_put_cstr(e, "node_id");
    fcp_cbor_put_cstr(e, a.node_id);
    fcp_cbor_put_cstr(e, "node_sig_pubkey");
    fcp_cbor_put_bytes(e, a.node_sig_pubkey, g_v == 1 ? 31 : 32);
    fcp_cbor_put_cstr(e, "node_enc_pubkey");
    fcp_cbor_put_bytes(e, a.node_enc_pubkey, 32);
    if (g_v != 2) {
        fcp_cbor_put_cstr(e, "node_iss_pubkey");
        fcp_cbor_put_bytes(e, a.node_iss_pubkey, 32);
    }
    fcp_cbor_put_cstr(e, "tags");
    fcp_cbor_put_array(e, 1);
    if (g_v == 3)
        fcp_cbor_put_bytes(e, "tag:x", 5);
    else
        fcp_cbor_put_cstr(e, "tag:x");
    fcp_cbor_put_cstr(e, "issued_at");
    fcp_cbor_put_uint(e, 5);
    if (g_v == 4) {
        fcp_cbor_put_cstr(e, "hostname");
        fcp_cbor_put_cstr(e, "laptop");
    }
    if (g_v == 5) {
        fcp_cbor_put_cstr(e, "expires_at");
        fcp_cbor_put_null(e);
    }
    fcp_cbor_put_cstr(e, "signature");
    fcp_cbor_put_bytes(e, sig, g_v == 6 ? 65 : 64);
    fcp_cbor_map_close(e);
}

static void test_decode_negatives(void)
{
    static const struct { int v; int want; } cases[] = {
        { 0, 0 }, { 1, FCP_EOBJECT }, { 2, FCP_EMISSING_FIELD }, { 3, FCP_ECBOR_TYPE },
        { 4, FCP_EUNKNOWN_FIELD }, { 5, FCP_ECBOR_TYPE }, { 6, FCP_EOBJECT },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fcp_buf b;
        fcp_cbor_enc e;
        fcp_node_attestation d;
        fcp_buf_init(&b);
        fcp_cbor_enc_init(&e, &b);
        g_v = cases[i].v;
        build(&e);
        CHECK_ERR(fcp_cbor_enc_finish(&e), 0);
        int rc = fcp_attestation_decode(&d, b.data, b.len);
        if (!CHECK_ERR(rc, cases[i].want))
            fprintf(stderr, "  variant %d\n", cases[i].v);
        if (rc)
            CHECK_EQ(d.issued_at, 0);
        fcp_cbor_enc_free(&e);
        fcp_buf_free(&b);
    }
    fcp_node_attestation d;
    uint8_t big[FCP_ATTEST_MAX_ENCODED + 1];
    memset(big, 0, sizeof big);
    CHECK_ERR(fcp_attestation_decode(&d, big, sizeof big), FCP_ETOO_LARGE);
    CHECK_ERR(fcp_attestation_decode(&d, (const uint8_t *)"\xa0", 1), FCP_EMISSING_FIELD);
}

int main(void)
{
    if (fcp_crypto_init() != 0)
        return 1;
    uint8_t seed[32];
    memset(seed, 0xee, 32);
    fcp_ed25519_keypair_from_seed(owner_pk, owner_sk, seed);
    test_roundtrip();
    test_time_and_sig();
    test_validation();
    test_decode_negatives();
    return fcp_t_done("model_attest_test");
}
