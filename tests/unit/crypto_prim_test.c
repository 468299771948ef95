/*
 * crypto_prim_test.c - known-answer and API tests for the primitive suite
 * (include/fcp/crypto.h): RFC 5869 HKDF, RFC 8032 Ed25519, the official
 * BLAKE3 vectors (35 lengths x 3 modes at 131 bytes, one-shot, incremental in
 * odd pieces, seek), the upstream crypto_primitives family, the seeded
 * ChaCha20 RNG, HMAC incremental/truncation rules and the error contracts
 * (nothing released on failure).  Wycheproof lives in crypto_wycheproof_test.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto_vec.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "test.h"

static void test_rfc5869(void)
{
    json_t *root = fcp_t_load_json("rfc5869/hkdf_sha256_rfc5869_test_vectors.json");
    size_t i, ncase = 0;
    json_t *t;

    if (!root)
        return;
    json_array_foreach(json_object_get(root, "tests"), i, t) {
        vbytes ikm = vb_get(t, "ikm"), salt = vb_get(t, "salt"), info = vb_get(t, "info");
        vbytes prk = vb_get(t, "prk"), okm = vb_get(t, "okm");
        size_t L = (size_t)json_integer_value(json_object_get(t, "L"));
        uint8_t p[32], out[128];

        CHECK_EQ(fcp_hkdf_sha256_extract(p, salt.p, salt.n, ikm.p, ikm.n), 0);
        CHECK_MEM(p, prk.p, 32);
        CHECK_EQ(fcp_hkdf_sha256_expand(out, L, p, info.p, info.n), 0);
        CHECK_EQ(L, okm.n);
        CHECK_MEM(out, okm.p, L);
        memset(out, 0, sizeof out);
        CHECK_EQ(fcp_hkdf_sha256(out, L, salt.p, salt.n, ikm.p, ikm.n, info.p, info.n), 0);
        CHECK_MEM(out, okm.p, L);
        /* prefix property: a shorter L is a prefix of the longer output */
        CHECK_EQ(fcp_hkdf_sha256(out, 5, salt.p, salt.n, ikm.p, ikm.n, info.p, info.n), 0);
        CHECK_MEM(out, okm.p, 5);
        ncase++;
        vb_free(&ikm); vb_free(&salt); vb_free(&info); vb_free(&prk); vb_free(&okm);
    }
    CHECK_EQ(ncase, 3);
    printf("  rfc5869: %zu cases\n", ncase);
    json_decref(root);
}

static void test_hkdf_limits(void)
{
    static uint8_t big[FCP_HKDF_SHA256_MAXBYTES + 1];
    uint8_t prk[32] = { 1 }, zero_salt[32] = { 0 }, a[64], b[64];

    /* L = 255*32 is the maximum; L + 1 is refused and nothing is written. */
    memset(big, 0xA5, sizeof big);
    CHECK_EQ(fcp_hkdf_sha256_expand(big, FCP_HKDF_SHA256_MAXBYTES + 1, prk, NULL, 0), FCP_EOUT_OF_RANGE);
    int untouched = 1;
    for (size_t i = 0; i < sizeof big; i++)
        untouched &= big[i] == 0xA5;
    CHECK(untouched);
    CHECK_EQ(fcp_hkdf_sha256(big, FCP_HKDF_SHA256_MAXBYTES + 1, NULL, 0, prk, 32, NULL, 0), FCP_EOUT_OF_RANGE);
    CHECK_EQ(big[0], 0xA5);
    CHECK_EQ(fcp_hkdf_sha256_expand(big, FCP_HKDF_SHA256_MAXBYTES, prk, NULL, 0), 0);
    CHECK(big[FCP_HKDF_SHA256_MAXBYTES - 1] != 0xA5 || big[FCP_HKDF_SHA256_MAXBYTES - 2] != 0xA5);
    CHECK_EQ(big[FCP_HKDF_SHA256_MAXBYTES], 0xA5);
    CHECK_EQ(fcp_hkdf_sha256_expand(a, 0, prk, NULL, 0), 0);
    /* NULL salt, empty salt and 32 zero bytes are the same salt (RFC 5869 §2.2) */
    CHECK_EQ(fcp_hkdf_sha256(a, 64, NULL, 0, prk, 32, (const uint8_t *)"x", 1), 0);
    CHECK_EQ(fcp_hkdf_sha256(b, 64, zero_salt, 32, prk, 32, (const uint8_t *)"x", 1), 0);
    CHECK_MEM(a, b, 64);
}

static void test_hmac(void)
{
    uint8_t key[200], msg[300], one[32], inc[32];
    fcp_hmac_sha256_state st;

    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(i * 7 + 1);
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)i;
    /* RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?" */
    static const uint8_t rfc4231_2[32] = {
        0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
        0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43,
    };
    fcp_hmac_sha256(one, (const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28);
    CHECK_MEM(one, rfc4231_2, 32);

    /* every key length class: empty, short, block, long (hashed) */
    static const size_t klens[] = { 0, 1, 31, 32, 63, 64, 65, 131, 200 };
    for (size_t k = 0; k < sizeof klens / sizeof klens[0]; k++) {
        fcp_hmac_sha256(one, key, klens[k], msg, sizeof msg);
        fcp_hmac_sha256_init(&st, key, klens[k]);
        for (size_t off = 0, piece = 1; off < sizeof msg; piece = piece * 3 % 67 + 1) {
            size_t n = sizeof msg - off < piece ? sizeof msg - off : piece;
            fcp_hmac_sha256_update(&st, msg + off, n);
            off += n;
        }
        fcp_hmac_sha256_final(&st, inc);
        CHECK_MEM(one, inc, 32);
        CHECK(fcp_ct_is_zero(&st, sizeof st)); /* final wipes the state */
        CHECK_EQ(fcp_hmac_sha256_verify(one, 32, key, klens[k], msg, sizeof msg), 0);
        CHECK_EQ(fcp_hmac_sha256_verify(one, 16, key, klens[k], msg, sizeof msg), 0);
        one[15] ^= 1;
        CHECK_EQ(fcp_hmac_sha256_verify(one, 16, key, klens[k], msg, sizeof msg), FCP_EBAD_MAC);
        CHECK_EQ(fcp_hmac_sha256_verify(one, 32, key, klens[k], msg, sizeof msg), FCP_EBAD_MAC);
    }
    CHECK_EQ(fcp_hmac_sha256_verify(one, 15, key, 32, msg, 1), FCP_EINVAL);
    CHECK_EQ(fcp_hmac_sha256_verify(one, 33, key, 32, msg, 1), FCP_EINVAL);
    CHECK_EQ(fcp_hmac_sha256_verify(NULL, 32, key, 32, msg, 1), FCP_EINVAL);
}

static void test_rfc8032(void)
{
    json_t *root = fcp_t_load_json("rfc8032/ed25519_rfc8032_test_vectors.json");
    size_t i, ncase = 0;
    json_t *t;

    if (!root)
        return;
    json_array_foreach(json_object_get(root, "tests"), i, t) {
        vbytes seed = vb_get(t, "secret_key"), pk = vb_get(t, "public_key");
        vbytes msg = vb_get(t, "message"), sig = vb_get(t, "signature");
        uint8_t gpk[32], sk[64], gsig[64], back[32];

        CHECK_EQ(msg.n, (size_t)json_integer_value(json_object_get(t, "message_len")));
        CHECK_EQ(fcp_ed25519_keypair_from_seed(gpk, sk, seed.p), 0);
        CHECK_MEM(gpk, pk.p, 32);
        fcp_ed25519_sk_to_pk(back, sk);
        CHECK_MEM(back, pk.p, 32);
        fcp_ed25519_sk_to_seed(back, sk);
        CHECK_MEM(back, seed.p, 32);
        CHECK_EQ(fcp_ed25519_sign(gsig, msg.p, msg.n, sk), 0);
        CHECK_MEM(gsig, sig.p, 64);
        CHECK_EQ(fcp_ed25519_verify(sig.p, msg.p, msg.n, pk.p), 0);
        CHECK_EQ(fcp_ed25519_verify_buf(sig.p, sig.n, msg.p, msg.n, pk.p), 0);
        CHECK_EQ(fcp_ed25519_verify_buf(sig.p, 63, msg.p, msg.n, pk.p), FCP_EBAD_SIGNATURE);
        gsig[10] ^= 0x40;
        CHECK_EQ(fcp_ed25519_verify(gsig, msg.p, msg.n, pk.p), FCP_EBAD_SIGNATURE);
        gsig[10] ^= 0x40;
        gsig[40] ^= 0x01;
        CHECK_EQ(fcp_ed25519_verify(gsig, msg.p, msg.n, pk.p), FCP_EBAD_SIGNATURE);
        fcp_memzero(sk, sizeof sk);
        ncase++;
        vb_free(&seed); vb_free(&pk); vb_free(&msg); vb_free(&sig);
    }
    CHECK_EQ(ncase, 5);
    printf("  rfc8032: %zu cases\n", ncase);
    json_decref(root);
}

static void fill_input(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i % 251);
}

static void test_blake3(void)
{
    json_t *root = fcp_t_load_json("blake3/test_vectors.json");
    size_t i, ncase = 0;
    json_t *t;

    if (!root)
        return;
    const char *key = fcp_t_jstr(root, "key");
    const char *ctxs = fcp_t_jstr(root, "context_string");
    CHECK_EQ(strlen(key), 32);
    json_array_foreach(json_object_get(root, "cases"), i, t) {
        size_t n = (size_t)json_integer_value(json_object_get(t, "input_len"));
        vbytes eh = vb_get(t, "hash"), ek = vb_get(t, "keyed_hash"), ed = vb_get(t, "derive_key");
        uint8_t *in = malloc(n + 1), out[131], out32[32];
        fcp_blake3_hasher h;

        fill_input(in, n);
        CHECK_EQ(eh.n, 131);
        /* one-shot */
        fcp_blake3_xof(out, 131, in, n);
        CHECK_MEM(out, eh.p, 131);
        fcp_blake3(out32, in, n);
        CHECK_MEM(out32, eh.p, 32);
        fcp_blake3_keyed(out32, (const uint8_t *)key, in, n);
        CHECK_MEM(out32, ek.p, 32);
        fcp_blake3_derive_key(out, 131, ctxs, in, n);
        CHECK_MEM(out, ed.p, 131);

        /* incremental, odd-sized pieces, for all three modes */
        for (int mode = 0; mode < 3; mode++) {
            if (mode == 0)
                fcp_blake3_hasher_init(&h);
            else if (mode == 1)
                fcp_blake3_hasher_init_keyed(&h, (const uint8_t *)key);
            else
                fcp_blake3_hasher_init_derive_key(&h, ctxs);
            for (size_t off = 0, piece = 1; off < n; piece = (piece * 5 + 3) % 1031 | 1) {
                size_t take = n - off < piece ? n - off : piece;
                fcp_blake3_hasher_update(&h, in + off, take);
                off += take;
            }
            fcp_blake3_hasher_finalize(&h, out, 131);
            const vbytes *want = mode == 0 ? &eh : mode == 1 ? &ek : &ed;
            CHECK_MEM(out, want->p, 131);
            /* seek: bytes [17, 131) of the stream */
            fcp_blake3_hasher_finalize_seek(&h, 17, out, 131 - 17);
            CHECK_MEM(out, want->p + 17, 131 - 17);
            fcp_blake3_hasher_wipe(&h);
        }
        ncase++;
        free(in);
        vb_free(&eh); vb_free(&ek); vb_free(&ed);
    }
    CHECK_EQ(ncase, 35);
    printf("  blake3: %zu lengths x 3 modes (one-shot, incremental, seek)\n", ncase);
    json_decref(root);
}

/* The seeded ChaCha20 RNG: RFC 8439 §A.1 keystream (zero key and nonce, so
 * the djb and IETF variants coincide), word-granular fills, block carry. */
static void test_rng_chacha20(void)
{
    static const uint8_t block0_16[16] = { 0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90,
                                           0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86, 0xbd, 0x28 };
    static const uint8_t block1_16[16] = { 0x9f, 0x07, 0xe7, 0xbe, 0x55, 0x51, 0x38, 0x7a,
                                           0x98, 0xba, 0x97, 0x7c, 0x73, 0x2d, 0x08, 0x0d };
    uint8_t seed[32] = { 0 }, a[200], b[8];
    fcp_rng_chacha20 r;

    fcp_rng_chacha20_init(&r, seed);
    CHECK_EQ(fcp_rng_fill(&r.rng, a, 200), 0);
    CHECK_MEM(a, block0_16, 16);
    CHECK_MEM(a + 64, block1_16, 16);

    /* 3 bytes then 4: the 4th byte of word 0 is discarded, as rand_core does */
    fcp_rng_chacha20_init(&r, seed);
    CHECK_EQ(fcp_rng_fill(&r.rng, b, 3), 0);
    CHECK_MEM(b, a, 3);
    CHECK_EQ(fcp_rng_fill(&r.rng, b, 4), 0);
    CHECK_MEM(b, a + 4, 4);
    /* crossing a block boundary mid-request */
    uint8_t c[100];
    CHECK_EQ(fcp_rng_fill(&r.rng, c, 100), 0);
    CHECK_MEM(c, a + 8, 100);
    fcp_rng_chacha20_wipe(&r);
    CHECK(fcp_ct_is_zero(r.key, sizeof r.key));
}

static void test_ct_helpers(void)
{
    uint8_t a[40], b[40];
    memset(a, 3, sizeof a);
    memcpy(b, a, sizeof b);
    CHECK(fcp_ct_equal(a, b, 40));
    b[39] ^= 0x80;
    CHECK(!fcp_ct_equal(a, b, 40));
    CHECK(fcp_ct_equal(a, b, 0));
    fcp_memzero(a, sizeof a);
    CHECK(fcp_ct_is_zero(a, sizeof a));
    CHECK(!fcp_ct_is_zero(b, sizeof b));
    fcp_memzero(NULL, 0);
    CHECK_EQ(fcp_crypto_init(), 0);
    CHECK_EQ(fcp_crypto_init(), 0); /* idempotent */
}

static void test_aead_api(void)
{
    uint8_t key[32], n12[12] = { 1 }, n24[24] = { 2 }, m[100], c[116], d[100], tag[16];
    size_t cl = 0, ml = 99;

    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)i;
    for (size_t i = 0; i < sizeof m; i++)
        m[i] = (uint8_t)(i ^ 0x5c);

    /* combined and detached agree; in-place works; failure zeroes plaintext */
    CHECK_EQ(fcp_aead_chacha20poly1305_ietf_encrypt(c, &cl, m, 100, m, 7, n12, key), 0);
    CHECK_EQ(cl, 116);
    uint8_t c2[100];
    CHECK_EQ(fcp_aead_chacha20poly1305_ietf_encrypt_detached(c2, tag, m, 100, m, 7, n12, key), 0);
    CHECK_MEM(c2, c, 100);
    CHECK_MEM(tag, c + 100, 16);
    CHECK_EQ(fcp_aead_chacha20poly1305_ietf_decrypt(d, &ml, c, 116, m, 7, n12, key), 0);
    CHECK_EQ(ml, 100);
    CHECK_MEM(d, m, 100);
    c[50] ^= 1;
    memset(d, 0x77, sizeof d);
    CHECK_EQ(fcp_aead_chacha20poly1305_ietf_decrypt(d, &ml, c, 116, m, 7, n12, key), FCP_EDECRYPT);
    CHECK_EQ(ml, 0);
    CHECK(fcp_ct_is_zero(d, 100));
    CHECK_EQ(fcp_aead_chacha20poly1305_ietf_decrypt(d, &ml, c, 15, NULL, 0, n12, key), FCP_EDECRYPT);
    memcpy(c2, m, 100);
    CHECK_EQ(fcp_aead_chacha20poly1305_ietf_encrypt_detached(c2, tag, c2, 100, NULL, 0, n12, key), 0);
    CHECK_EQ(fcp_aead_chacha20poly1305_ietf_decrypt_detached(c2, c2, 100, tag, NULL, 0, n12, key), 0);
    CHECK_MEM(c2, m, 100);

    CHECK_EQ(fcp_aead_xchacha20poly1305_encrypt(c, &cl, m, 100, NULL, 0, n24, key), 0);
    CHECK_EQ(cl, 116);
    CHECK_EQ(fcp_aead_xchacha20poly1305_encrypt_detached(c2, tag, m, 100, NULL, 0, n24, key), 0);
    CHECK_MEM(c2, c, 100);
    CHECK_MEM(tag, c + 100, 16);
    CHECK_EQ(fcp_aead_xchacha20poly1305_decrypt(d, &ml, c, 116, NULL, 0, n24, key), 0);
    CHECK_MEM(d, m, 100);
    n24[23] ^= 1;
    memset(d, 0x77, sizeof d);
    CHECK_EQ(fcp_aead_xchacha20poly1305_decrypt(d, &ml, c, 116, NULL, 0, n24, key), FCP_EDECRYPT);
    CHECK(fcp_ct_is_zero(d, 100));
    tag[0] ^= 1;
    n24[23] ^= 1;
    memset(d, 0x77, sizeof d);
    CHECK_EQ(fcp_aead_xchacha20poly1305_decrypt_detached(d, c2, 100, tag, NULL, 0, n24, key), FCP_EDECRYPT);
    CHECK(fcp_ct_is_zero(d, 100));
}

static void test_x25519_api(void)
{
    uint8_t sk[32], pk[32], sh[32], low[32] = { 0 };
    fcp_rng_chacha20 r;
    uint8_t seed[32] = { 9 };

    fcp_rng_chacha20_init(&r, seed);
    CHECK_EQ(fcp_x25519_keypair(pk, sk, &r.rng), 0);
    /* u = 0 and u = 1 are small-order: shared secret all zero -> refused */
    memset(sh, 0x55, sizeof sh);
    CHECK_EQ(fcp_x25519(sh, sk, low), FCP_EBAD_KEY);
    CHECK(fcp_ct_is_zero(sh, 32));
    low[0] = 1;
    CHECK_EQ(fcp_x25519(sh, sk, low), FCP_EBAD_KEY);
    CHECK_EQ(fcp_x25519(sh, sk, pk), 0);
    uint8_t epk[32], esk[64], sig[64];
    CHECK_EQ(fcp_ed25519_keypair(epk, esk, &r.rng), 0);
    CHECK_EQ(fcp_ed25519_sign(sig, (const uint8_t *)"m", 1, esk), 0);
    CHECK_EQ(fcp_ed25519_verify(sig, (const uint8_t *)"m", 1, epk), 0);
    CHECK_EQ(fcp_ed25519_verify(sig, (const uint8_t *)"n", 1, epk), FCP_EBAD_SIGNATURE);
    fcp_rng_chacha20_wipe(&r);
}

/* Upstream crypto_primitives family (vectors/upstream/crypto_primitives.json):
 * gate on `expected`; the derived key tables are checked too and counted
 * apart. */
static void test_upstream(void)
{
    json_t *root = fcp_t_load_json("upstream/crypto_primitives.json");
    size_t i, n_exp = 0, n_derived = 0, n_rule = 0;
    json_t *e;

    if (!root)
        return;
    json_array_foreach(root, i, e) {
        const char *name = fcp_t_jstr(e, "name");
        json_t *in = json_object_get(e, "inputs"), *ex = json_object_get(e, "expected");
        json_t *der = json_object_get(e, "derived");

        if (!strncmp(name, "ed25519_test_vector_", 20)) {
            vbytes seed = vb_get(in, "seed_hex"), msg = vb_get(in, "message_hex");
            vbytes pk = vb_get(ex, "public_key_hex"), sig = vb_get(ex, "signature_hex");
            uint8_t gpk[32], sk[64], gsig[64];
            CHECK_EQ(fcp_ed25519_keypair_from_seed(gpk, sk, seed.p), 0);
            CHECK_MEM(gpk, pk.p, 32);
            CHECK_EQ(fcp_ed25519_sign(gsig, msg.p, msg.n, sk), 0);
            CHECK_MEM(gsig, sig.p, 64);
            CHECK_EQ(fcp_ed25519_verify(sig.p, msg.p, msg.n, pk.p), 0);
            vb_free(&seed); vb_free(&msg); vb_free(&pk); vb_free(&sig);
            n_exp++;
        } else if (!strncmp(name, "ed25519_invalid_", 16)) {
            vbytes pk = vb_get(in, "public_key_hex"), msg = vb_get(in, "message_hex");
            vbytes sig = vb_get(in, "signature_hex");
            CHECK(!strcmp(fcp_t_jstr(ex, "result"), "invalid"));
            CHECK_EQ(fcp_ed25519_verify_buf(sig.p, sig.n, msg.p, msg.n, pk.p), FCP_EBAD_SIGNATURE);
            vb_free(&pk); vb_free(&msg); vb_free(&sig);
            n_exp++;
        } else if (!strcmp(name, "ed25519_zero_seed")) {
            vbytes seed = vb_get(in, "seed_hex"), pk = vb_get(ex, "public_key_hex");
            uint8_t gpk[32], sk[64];
            CHECK_EQ(fcp_ed25519_keypair_from_seed(gpk, sk, seed.p), 0);
            CHECK_MEM(gpk, pk.p, 32);
            vb_free(&seed); vb_free(&pk);
            n_exp++;
        } else if (!strcmp(name, "ed25519_seed_table") || !strcmp(name, "x25519_sk_table")) {
            const char *k;
            json_t *v;
            json_object_foreach(json_object_get(der, "public_keys_hex"), k, v) {
                vbytes s = vb_hex(k), pk = vb_hex(json_string_value(v));
                uint8_t gpk[32], sk[64];
                if (name[0] == 'e')
                    CHECK_EQ(fcp_ed25519_keypair_from_seed(gpk, sk, s.p), 0);
                else
                    CHECK_EQ(fcp_x25519_base(gpk, s.p), 0);
                CHECK_MEM(gpk, pk.p, 32);
                vb_free(&s); vb_free(&pk);
                n_derived++;
            }
        } else if (!strcmp(name, "x25519_sk_ones")) {
            vbytes sk = vb_get(in, "sk_hex"), pk = vb_get(ex, "public_key_hex");
            uint8_t g[32];
            CHECK_EQ(fcp_x25519_base(g, sk.p), 0);
            CHECK_MEM(g, pk.p, 32);
            vb_free(&sk); vb_free(&pk);
            n_exp++;
        } else if (!strcmp(name, "x25519_rfc7748_6_1")) {
            vbytes a = vb_get(in, "alice_sk_hex"), b = vb_get(in, "bob_sk_hex");
            vbytes apk = vb_get(ex, "alice_pk_hex"), bpk = vb_get(ex, "bob_pk_hex");
            vbytes sh = vb_get(ex, "shared_hex");
            uint8_t g[32];
            CHECK_EQ(fcp_x25519_base(g, a.p), 0);
            CHECK_MEM(g, apk.p, 32);
            CHECK_EQ(fcp_x25519_base(g, b.p), 0);
            CHECK_MEM(g, bpk.p, 32);
            CHECK_EQ(fcp_x25519(g, a.p, bpk.p), 0);
            CHECK_MEM(g, sh.p, 32);
            CHECK_EQ(fcp_x25519(g, b.p, apk.p), 0);
            CHECK_MEM(g, sh.p, 32);
            vb_free(&a); vb_free(&b); vb_free(&apk); vb_free(&bpk); vb_free(&sh);
            n_exp++;
        } else if (!strncmp(name, "hkdf_sha256_rfc5869_", 20)) {
            vbytes ikm = vb_get(in, "ikm_hex"), salt = vb_get(in, "salt_hex"), info = vb_get(in, "info_hex");
            vbytes okm = vb_get(ex, "okm_hex");
            size_t L = (size_t)json_integer_value(json_object_get(in, "length"));
            uint8_t out[128];
            CHECK_EQ(L, okm.n);
            CHECK_EQ(fcp_hkdf_sha256(out, L, salt.p, salt.n, ikm.p, ikm.n, info.p, info.n), 0);
            CHECK_MEM(out, okm.p, L);
            vb_free(&ikm); vb_free(&salt); vb_free(&info); vb_free(&okm);
            n_exp++;
        } else if (!strcmp(name, "chacha20poly1305_rfc8439_2_8_2")) {
            vbytes key = vb_get(in, "key_hex"), nonce = vb_get(in, "nonce_hex"), aad = vb_get(in, "aad_hex");
            vbytes pt = vb_get(in, "plaintext_hex"), ct = vb_get(ex, "ciphertext_and_tag_hex");
            uint8_t *c = malloc(ct.n), *m = malloc(pt.n);
            size_t cl, ml;
            CHECK_EQ(fcp_aead_chacha20poly1305_ietf_encrypt(c, &cl, pt.p, pt.n, aad.p, aad.n, nonce.p, key.p), 0);
            CHECK_EQ(cl, ct.n);
            CHECK_MEM(c, ct.p, ct.n);
            CHECK_EQ(fcp_aead_chacha20poly1305_ietf_decrypt(m, &ml, ct.p, ct.n, aad.p, aad.n, nonce.p, key.p), 0);
            CHECK_MEM(m, pt.p, pt.n);
            free(c); free(m);
            vb_free(&key); vb_free(&nonce); vb_free(&aad); vb_free(&pt); vb_free(&ct);
            n_exp++;
        } else if (!strcmp(name, "blake3_keyed_zero_key_empty")) {
            vbytes key = vb_get(in, "key_hex"), msg = vb_get(in, "message_hex"), h = vb_get(ex, "hash_hex");
            uint8_t out[32];
            fcp_blake3_keyed(out, key.p, msg.p, msg.n);
            CHECK_MEM(out, h.p, 32);
            vb_free(&key); vb_free(&msg); vb_free(&h);
            n_exp++;
        } else if (!strcmp(fcp_t_jstr(e, "status"), "rule-only")) {
            n_rule++; /* no bytes to check (fcp-crypto-hw round-trip rule) */
        } else {
            fprintf(stderr, "crypto_primitives: unhandled entry %s\n", name);
            CHECK(0);
        }
    }
    CHECK_EQ(n_exp, 14);
    CHECK_EQ(n_exp + n_rule + 2, json_array_size(root));
    printf("  upstream crypto_primitives: %zu expected-pinned entries, %zu derived keys, %zu rule-only skipped\n",
           n_exp, n_derived, n_rule);
    json_decref(root);
}

int main(void)
{
    CHECK_EQ(fcp_crypto_init(), 0);
    test_ct_helpers();
    test_rfc5869();
    test_hkdf_limits();
    test_hmac();
    test_rfc8032();
    test_blake3();
    test_rng_chacha20();
    test_aead_api();
    test_x25519_api();
    test_upstream();
    return fcp_t_done("crypto_prim_test");
}
