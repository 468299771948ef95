/*
 * crypto_hpke_test.c - RFC 9180 HPKE (include/fcp/hpke.h).
 *
 * 1. The 4 RFC 9180 vectors for our suite (base/psk x ChaCha20-Poly1305 /
 *    export-only): DeriveKeyPair, enc, key schedule outputs, all 257
 *    encryptions in order on one sender and one receiver context, exports,
 *    and export-only contexts refusing seal/open.
 * 2. Negatives: all-zero DH (small-order public keys) on both sides, wrong
 *    psk / psk_id, modified ct and tag (seq not advanced, plaintext zeroed),
 *    sequence overflow, the PSK consistency rules of RFC 9180 §5.1, suite and
 *    role checks, export length limit.
 * 3. The upstream hpke family: open the 3 conformance sealed boxes with their
 *    AAD, and re-seal deterministically (ChaCha20Rng seed and derived ikm)
 *    reproducing enc and ct byte for byte; AAD encodings; size invariants;
 *    the zone_keys round trips and AAD-binding negatives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto_vec.h"
#include "fcp/buf.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hpke.h"
#include "test.h"

static void params_from(fcp_hpke_params *p, const json_t *v, vbytes *info, vbytes *psk, vbytes *psk_id)
{
    memset(p, 0, sizeof *p);
    p->mode = (uint8_t)json_integer_value(json_object_get(v, "mode"));
    p->aead_id = (uint16_t)json_integer_value(json_object_get(v, "aead_id"));
    p->info = info->p;
    p->info_len = info->n;
    p->psk = psk->p;
    p->psk_len = psk->n;
    p->psk_id = psk_id->p;
    p->psk_id_len = psk_id->n;
}

static void test_rfc9180(void)
{
    json_t *root = fcp_t_load_json("hpke/test-vectors-5f503c5-filtered.json");
    size_t vi, nvec = 0, nenc = 0, nexp = 0;
    json_t *v;

    if (!root)
        return;
    json_array_foreach(root, vi, v) {
        CHECK_EQ(json_integer_value(json_object_get(v, "kem_id")), 0x20);
        CHECK_EQ(json_integer_value(json_object_get(v, "kdf_id")), 1);
        vbytes info = vb_get(v, "info"), psk = vb_get(v, "psk"), psk_id = vb_get(v, "psk_id");
        vbytes ikmE = vb_get(v, "ikmE"), ikmR = vb_get(v, "ikmR");
        vbytes skEm = vb_get(v, "skEm"), pkEm = vb_get(v, "pkEm"), skRm = vb_get(v, "skRm"), pkRm = vb_get(v, "pkRm");
        vbytes enc = vb_get(v, "enc"), key = vb_get(v, "key"), base_nonce = vb_get(v, "base_nonce");
        vbytes exp_secret = vb_get(v, "exporter_secret");
        fcp_hpke_params p;
        fcp_hpke_ctx s, r;
        uint8_t sk[32], pk[32], genc[32];

        params_from(&p, v, &info, &psk, &psk_id);
        CHECK_EQ(fcp_hpke_derive_keypair(sk, pk, ikmE.p, ikmE.n), 0);
        CHECK_MEM(sk, skEm.p, 32);
        CHECK_MEM(pk, pkEm.p, 32);
        CHECK_EQ(fcp_hpke_derive_keypair(sk, pk, ikmR.p, ikmR.n), 0);
        CHECK_MEM(sk, skRm.p, 32);
        CHECK_MEM(pk, pkRm.p, 32);

        CHECK_EQ(fcp_hpke_setup_sender_derand(&s, genc, &p, pkRm.p, ikmE.p, ikmE.n), 0);
        CHECK_MEM(genc, enc.p, 32);
        CHECK_EQ(fcp_hpke_setup_receiver(&r, &p, enc.p, skRm.p), 0);
        CHECK_MEM(s.exporter_secret, exp_secret.p, 32);
        CHECK_MEM(r.exporter_secret, exp_secret.p, 32);
        if (p.aead_id == FCP_HPKE_AEAD_CHACHA20POLY1305) {
            CHECK_MEM(s.key, key.p, 32);
            CHECK_MEM(s.base_nonce, base_nonce.p, 12);
            CHECK_MEM(r.key, key.p, 32);
            CHECK_MEM(r.base_nonce, base_nonce.p, 12);
        } else {
            CHECK_EQ(key.n, 0);
            CHECK(fcp_ct_is_zero(s.key, sizeof s.key));
        }

        size_t ei;
        json_t *e;
        json_array_foreach(json_object_get(v, "encryptions"), ei, e) {
            vbytes aad = vb_get(e, "aad"), ct = vb_get(e, "ct"), nonce = vb_get(e, "nonce"), pt = vb_get(e, "pt");
            uint8_t *c = malloc(pt.n + 16), *m = malloc(pt.n + 1);
            /* the vector's nonce is base_nonce XOR I2OSP(i, 12): our seq is i */
            uint8_t want_nonce[12];
            memcpy(want_nonce, base_nonce.p, 12);
            want_nonce[11] ^= (uint8_t)ei;
            want_nonce[10] ^= (uint8_t)(ei >> 8);
            CHECK_MEM(want_nonce, nonce.p, 12);
            CHECK_EQ(s.seq, ei);
            CHECK_EQ(fcp_hpke_ctx_seal(&s, c, aad.p, aad.n, pt.p, pt.n), 0);
            CHECK_EQ(ct.n, pt.n + 16);
            CHECK_MEM(c, ct.p, ct.n);
            CHECK_EQ(fcp_hpke_ctx_open(&r, m, aad.p, aad.n, ct.p, ct.n), 0);
            CHECK_MEM(m, pt.p, pt.n);
            free(c); free(m);
            vb_free(&aad); vb_free(&ct); vb_free(&nonce); vb_free(&pt);
            nenc++;
        }
        if (p.aead_id == FCP_HPKE_AEAD_CHACHA20POLY1305) {
            CHECK_EQ(json_array_size(json_object_get(v, "encryptions")), 257);
            CHECK_EQ(s.seq, 257);
            CHECK_EQ(r.seq, 257);
        } else {
            uint8_t buf[32] = { 0 }, out[16];
            CHECK_EQ(fcp_hpke_ctx_seal(&s, out, NULL, 0, buf, 0), FCP_EHPKE_EXPORT_ONLY);
            CHECK_EQ(fcp_hpke_ctx_open(&r, buf, NULL, 0, out, 16), FCP_EHPKE_EXPORT_ONLY);
            CHECK_EQ(fcp_hpke_seal(genc, out, &p, pkRm.p, NULL, 0, buf, 0, fcp_rng_system()),
                     FCP_EHPKE_EXPORT_ONLY);
            CHECK(fcp_ct_is_zero(genc, 32));
        }

        json_array_foreach(json_object_get(v, "exports"), ei, e) {
            vbytes ectx = vb_get(e, "exporter_context"), val = vb_get(e, "exported_value");
            size_t L = (size_t)json_integer_value(json_object_get(e, "L"));
            uint8_t out[64];
            CHECK_EQ(L, val.n);
            CHECK_EQ(fcp_hpke_ctx_export(&s, out, L, ectx.p, ectx.n), 0);
            CHECK_MEM(out, val.p, L);
            CHECK_EQ(fcp_hpke_ctx_export(&r, out, L, ectx.p, ectx.n), 0);
            CHECK_MEM(out, val.p, L);
            vb_free(&ectx); vb_free(&val);
            nexp++;
        }
        CHECK_EQ(fcp_hpke_ctx_export(&s, genc, FCP_HPKE_EXPORT_MAXBYTES + 1, NULL, 0), FCP_EOUT_OF_RANGE);

        fcp_hpke_ctx_wipe(&s);
        fcp_hpke_ctx_wipe(&r);
        CHECK(fcp_ct_is_zero(&s, sizeof s));
        CHECK_EQ(fcp_hpke_ctx_export(&s, genc, 32, NULL, 0), FCP_EINVAL);
        nvec++;
        vb_free(&info); vb_free(&psk); vb_free(&psk_id); vb_free(&ikmE); vb_free(&ikmR);
        vb_free(&skEm); vb_free(&pkEm); vb_free(&skRm); vb_free(&pkRm); vb_free(&enc);
        vb_free(&key); vb_free(&base_nonce); vb_free(&exp_secret);
    }
    CHECK_EQ(nvec, 4);
    CHECK_EQ(nenc, 514);
    CHECK_EQ(nexp, 12);
    printf("  rfc9180: %zu vectors, %zu sequential encryptions, %zu exports\n", nvec, nenc, nexp);
    json_decref(root);
}

/* Small-order X25519 u-coordinates (RFC 7748 / Wycheproof ZeroSharedSecret
 * set): every one makes the DH output all zero. */
static const char *const LOW_ORDER[] = {
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
};

static void test_negatives(void)
{
    uint8_t ikm[32], skR[32], pkR[32], enc[32], ct[64], pt[48], msg[32];
    uint8_t psk[32], psk_id[4] = { 'i', 'd', '0', '1' }, wrong[32];
    fcp_hpke_params p = { FCP_HPKE_MODE_BASE, FCP_HPKE_AEAD_CHACHA20POLY1305, (const uint8_t *)"info", 4,
                          NULL, 0, NULL, 0 };
    fcp_hpke_ctx s, r;
    fcp_rng_chacha20 rng;
    size_t nneg = 0;

    memset(ikm, 0x42, sizeof ikm);
    memset(psk, 0x17, sizeof psk);
    memset(msg, 0x99, sizeof msg);
    fcp_rng_chacha20_init(&rng, ikm);
    CHECK_EQ(fcp_hpke_derive_keypair(skR, pkR, ikm, sizeof ikm), 0);

    /* all-zero DH: sender refuses such pkR, receiver refuses such enc */
    for (size_t i = 0; i < sizeof LOW_ORDER / sizeof LOW_ORDER[0]; i++) {
        vbytes lo = vb_hex(LOW_ORDER[i]);
        memset(enc, 0xEE, sizeof enc);
        CHECK_EQ(fcp_hpke_setup_sender(&s, enc, &p, lo.p, &rng.rng), FCP_EBAD_KEY);
        CHECK(fcp_ct_is_zero(enc, 32));
        CHECK(fcp_ct_is_zero(&s, sizeof s));
        CHECK_EQ(fcp_hpke_setup_receiver(&r, &p, lo.p, skR), FCP_EBAD_KEY);
        CHECK(fcp_ct_is_zero(&r, sizeof r));
        CHECK_EQ(fcp_hpke_seal(enc, ct, &p, lo.p, NULL, 0, msg, 32, &rng.rng), FCP_EBAD_KEY);
        CHECK_EQ(fcp_hpke_open(pt, &p, skR, lo.p, NULL, 0, ct, 48), FCP_EBAD_KEY);
        vb_free(&lo);
        nneg += 4;
    }

    /* psk mode: wrong psk, wrong psk_id -> open fails, pt zeroed, seq kept */
    fcp_hpke_params pp = p;
    pp.mode = FCP_HPKE_MODE_PSK;
    pp.psk = psk;
    pp.psk_len = sizeof psk;
    pp.psk_id = psk_id;
    pp.psk_id_len = sizeof psk_id;
    CHECK_EQ(fcp_hpke_setup_sender(&s, enc, &pp, pkR, &rng.rng), 0);
    CHECK_EQ(fcp_hpke_ctx_seal(&s, ct, (const uint8_t *)"aad", 3, msg, 32), 0);
    memcpy(wrong, psk, sizeof wrong);
    wrong[31] ^= 1;
    fcp_hpke_params bad = pp;
    bad.psk = wrong;
    CHECK_EQ(fcp_hpke_setup_receiver(&r, &bad, enc, skR), 0);
    memset(pt, 0x33, sizeof pt);
    CHECK_EQ(fcp_hpke_ctx_open(&r, pt, (const uint8_t *)"aad", 3, ct, 48), FCP_EDECRYPT);
    CHECK(fcp_ct_is_zero(pt, 32));
    CHECK_EQ(r.seq, 0);
    bad = pp;
    bad.psk_id = (const uint8_t *)"id02";
    CHECK_EQ(fcp_hpke_setup_receiver(&r, &bad, enc, skR), 0);
    CHECK_EQ(fcp_hpke_ctx_open(&r, pt, (const uint8_t *)"aad", 3, ct, 48), FCP_EDECRYPT);
    /* base-mode receiver for a psk-mode message */
    CHECK_EQ(fcp_hpke_setup_receiver(&r, &p, enc, skR), 0);
    CHECK_EQ(fcp_hpke_ctx_open(&r, pt, (const uint8_t *)"aad", 3, ct, 48), FCP_EDECRYPT);
    /* wrong info */
    bad = pp;
    bad.info = (const uint8_t *)"infO";
    CHECK_EQ(fcp_hpke_setup_receiver(&r, &bad, enc, skR), 0);
    CHECK_EQ(fcp_hpke_ctx_open(&r, pt, (const uint8_t *)"aad", 3, ct, 48), FCP_EDECRYPT);
    nneg += 4;

    /* modified ct / tag / aad / truncated: rejected without advancing seq */
    CHECK_EQ(fcp_hpke_setup_receiver(&r, &pp, enc, skR), 0);
    for (size_t pos = 0; pos < 48; pos += 47) {
        ct[pos] ^= 0x01;
        memset(pt, 0x33, sizeof pt);
        CHECK_EQ(fcp_hpke_ctx_open(&r, pt, (const uint8_t *)"aad", 3, ct, 48), FCP_EDECRYPT);
        CHECK(fcp_ct_is_zero(pt, 32));
        ct[pos] ^= 0x01;
        nneg++;
    }
    CHECK_EQ(fcp_hpke_ctx_open(&r, pt, (const uint8_t *)"aaD", 3, ct, 48), FCP_EDECRYPT);
    CHECK_EQ(fcp_hpke_ctx_open(&r, pt, (const uint8_t *)"aad", 3, ct, 15), FCP_EDECRYPT);
    CHECK_EQ(fcp_hpke_ctx_open(&r, pt, (const uint8_t *)"aad", 3, ct, 47), FCP_EDECRYPT);
    nneg += 3;
    CHECK_EQ(r.seq, 0);
    CHECK_EQ(fcp_hpke_ctx_open(&r, pt, (const uint8_t *)"aad", 3, ct, 48), 0);
    CHECK_MEM(pt, msg, 32);
    CHECK_EQ(r.seq, 1);
    /* a replayed message at the next seq fails (different nonce) */
    CHECK_EQ(fcp_hpke_ctx_open(&r, pt, (const uint8_t *)"aad", 3, ct, 48), FCP_EDECRYPT);
    nneg++;

    /* roles: a sender cannot open, a receiver cannot seal */
    CHECK_EQ(fcp_hpke_ctx_open(&s, pt, NULL, 0, ct, 48), FCP_EINVAL);
    CHECK_EQ(fcp_hpke_ctx_seal(&r, ct, NULL, 0, msg, 32), FCP_EINVAL);
    nneg += 2;

    /* sequence overflow: 2^64-2 is the last usable number */
    s.seq = UINT64_MAX - 1;
    r.seq = UINT64_MAX - 1;
    CHECK_EQ(fcp_hpke_ctx_seal(&s, ct, NULL, 0, msg, 32), 0);
    CHECK_EQ(fcp_hpke_ctx_open(&r, pt, NULL, 0, ct, 48), 0);
    CHECK_MEM(pt, msg, 32);
    memset(ct, 0x11, sizeof ct);
    CHECK_EQ(fcp_hpke_ctx_seal(&s, ct, NULL, 0, msg, 32), FCP_EHPKE_SEQ_OVERFLOW);
    CHECK_EQ(ct[0], 0x11); /* nothing sealed */
    CHECK_EQ(fcp_hpke_ctx_open(&r, pt, NULL, 0, ct, 48), FCP_EHPKE_SEQ_OVERFLOW);
    CHECK_EQ(s.seq, UINT64_MAX);
    nneg += 2;
    /* the seq byte carry: seq 255 -> 256 uses nonce bytes 10 and 11 */
    CHECK_EQ(fcp_hpke_setup_sender(&s, enc, &p, pkR, &rng.rng), 0);
    CHECK_EQ(fcp_hpke_setup_receiver(&r, &p, enc, skR), 0);
    s.seq = r.seq = 0xFFFFFFFFull;
    CHECK_EQ(fcp_hpke_ctx_seal(&s, ct, NULL, 0, msg, 32), 0);
    CHECK_EQ(fcp_hpke_ctx_seal(&s, ct, NULL, 0, msg, 32), 0);
    CHECK_EQ(fcp_hpke_ctx_open(&r, pt, NULL, 0, ct, 48), FCP_EDECRYPT); /* r at 2^32-1, ct at 2^32 */
    r.seq++;
    CHECK_EQ(fcp_hpke_ctx_open(&r, pt, NULL, 0, ct, 48), 0);

    /* RFC 9180 §5.1 VerifyPSKInputs and suite checks, on both sides */
    struct {
        uint8_t mode;
        uint16_t aead;
        size_t psk_len, id_len;
        int want;
    } rules[] = {
        { FCP_HPKE_MODE_BASE, 3, 32, 4, FCP_EINVAL },   /* PSK given when not needed */
        { FCP_HPKE_MODE_BASE, 3, 32, 0, FCP_EINVAL },   /* inconsistent: psk without id */
        { FCP_HPKE_MODE_BASE, 3, 0, 4, FCP_EINVAL },    /* inconsistent: id without psk */
        { FCP_HPKE_MODE_PSK, 3, 0, 0, FCP_EINVAL },     /* missing required PSK */
        { FCP_HPKE_MODE_PSK, 3, 32, 0, FCP_EINVAL },
        { FCP_HPKE_MODE_PSK, 3, 0, 4, FCP_EINVAL },
        { FCP_HPKE_MODE_PSK, 3, 31, 4, FCP_EINVAL },    /* psk shorter than 32 bytes */
        { 2, 3, 0, 0, FCP_EHPKE_SUITE },                /* auth mode not offered */
        { 3, 3, 32, 4, FCP_EHPKE_SUITE },
        { FCP_HPKE_MODE_BASE, 1, 0, 0, FCP_EHPKE_SUITE }, /* AES-128-GCM not offered */
        { FCP_HPKE_MODE_BASE, 0, 0, 0, FCP_EHPKE_SUITE },
        { FCP_HPKE_MODE_PSK, 3, 32, 4, 0 },
        { FCP_HPKE_MODE_BASE, 0xFFFF, 0, 0, 0 },
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        fcp_hpke_params q = p;
        q.mode = rules[i].mode;
        q.aead_id = rules[i].aead;
        q.psk = psk;
        q.psk_len = rules[i].psk_len;
        q.psk_id = psk_id;
        q.psk_id_len = rules[i].id_len;
        CHECK_EQ(fcp_hpke_setup_sender(&s, enc, &q, pkR, &rng.rng), rules[i].want);
        CHECK_EQ(fcp_hpke_setup_receiver(&r, &q, pkR, skR), rules[i].want);
        if (rules[i].want != 0) {
            CHECK(fcp_ct_is_zero(enc, 32));
            CHECK(fcp_ct_is_zero(&s, sizeof s));
            nneg++;
        }
    }
    CHECK_EQ(fcp_hpke_derive_keypair(skR, pkR, ikm, 31), FCP_EINVAL);
    CHECK(fcp_ct_is_zero(skR, 32));
    nneg++;

    /* single-shot: round trip, and wrong AAD zeroes the plaintext */
    CHECK_EQ(fcp_hpke_derive_keypair(skR, pkR, ikm, sizeof ikm), 0);
    CHECK_EQ(fcp_hpke_seal(enc, ct, &p, pkR, (const uint8_t *)"A", 1, msg, 32, &rng.rng), 0);
    CHECK_EQ(fcp_hpke_open(pt, &p, skR, enc, (const uint8_t *)"A", 1, ct, 48), 0);
    CHECK_MEM(pt, msg, 32);
    memset(pt, 0x33, sizeof pt);
    CHECK_EQ(fcp_hpke_open(pt, &p, skR, enc, (const uint8_t *)"B", 1, ct, 48), FCP_EDECRYPT);
    CHECK(fcp_ct_is_zero(pt, 32));
    CHECK_EQ(fcp_hpke_seal(enc, ct, &p, pkR, NULL, 0, msg, 32, NULL), FCP_ERNG);
    nneg += 2;
    /* the same plaintext sealed twice gives different enc (fresh ephemeral) */
    uint8_t enc2[32];
    CHECK_EQ(fcp_hpke_seal(enc2, ct, &p, pkR, NULL, 0, msg, 32, fcp_rng_system()), 0);
    CHECK(!fcp_ct_equal(enc, enc2, 32));

    fcp_hpke_ctx_wipe(&s);
    fcp_hpke_ctx_wipe(&r);
    fcp_rng_chacha20_wipe(&rng);
    printf("  hpke negatives: %zu refused cases\n", nneg);
}

/* Fcp2Aad = canonical CBOR map {purpose: bstr, zone_id: bstr, issued_at:
 * uint, recipient_node_id: bstr}, built by hand here because crypto/ has no
 * CBOR (the model layer owns that encoding). */
static size_t cbor_head(uint8_t *o, uint8_t major, uint64_t v)
{
    if (v < 24) { o[0] = (uint8_t)(major << 5 | v); return 1; }
    if (v < 0x100) { o[0] = (uint8_t)(major << 5 | 24); o[1] = (uint8_t)v; return 2; }
    if (v < 0x10000) { o[0] = (uint8_t)(major << 5 | 25); fcp_store_u16be(o + 1, (uint16_t)v); return 3; }
    if (v < 0x100000000ull) { o[0] = (uint8_t)(major << 5 | 26); fcp_store_u32be(o + 1, (uint32_t)v); return 5; }
    o[0] = (uint8_t)(major << 5 | 27);
    fcp_store_u64be(o + 1, v);
    return 9;
}

static size_t cbor_text(uint8_t *o, const char *s)
{
    size_t n = cbor_head(o, 3, strlen(s));
    memcpy(o + n, s, strlen(s));
    return n + strlen(s);
}

static size_t cbor_bytes(uint8_t *o, const void *p, size_t len)
{
    size_t n = cbor_head(o, 2, len);
    memcpy(o + n, p, len);
    return n + len;
}

static size_t build_aad(uint8_t *o, const char *purpose, const vbytes *zone, uint64_t issued_at, const vbytes *node)
{
    size_t n = cbor_head(o, 5, 4);
    n += cbor_text(o + n, "purpose");
    n += cbor_bytes(o + n, purpose, strlen(purpose));
    n += cbor_text(o + n, "zone_id");
    n += cbor_bytes(o + n, zone->p, zone->n);
    n += cbor_text(o + n, "issued_at");
    n += cbor_head(o + n, 0, issued_at);
    n += cbor_text(o + n, "recipient_node_id");
    n += cbor_bytes(o + n, node->p, node->n);
    return n;
}

static void test_upstream(void)
{
    json_t *root = fcp_t_load_json("upstream/hpke.json");
    size_t i, nbox = 0, naad = 0, nrt = 0, nother = 0;
    json_t *e;
    const char *info = "FCP2-HPKE";
    fcp_hpke_params p = { FCP_HPKE_MODE_BASE, FCP_HPKE_AEAD_CHACHA20POLY1305, (const uint8_t *)info, 9,
                          NULL, 0, NULL, 0 };

    if (!root)
        return;
    json_array_foreach(root, i, e) {
        const char *name = fcp_t_jstr(e, "name");
        json_t *in = json_object_get(e, "inputs"), *ex = json_object_get(e, "expected");
        json_t *der = json_object_get(e, "derived");
        uint8_t aad[256];

        if (!strncmp(name, "conformance_v", 13)) {
            vbytes sk = vb_get(in, "recipient_sk_hex"), seed = vb_get(in, "rng_seed_hex");
            vbytes pt = vb_get(in, "plaintext_hex"), zone = vb_get(in, "zone_id_hex");
            vbytes node = vb_get(in, "recipient_node_id_hex"), pk = vb_get(ex, "recipient_pk_hex");
            vbytes want_aad = vb_get(ex, "aad_cbor_hex"), enc = vb_get(ex, "enc_hex");
            vbytes ct = vb_get(ex, "ciphertext_hex"), boxb = vb_get(ex, "sealed_box_bytes_hex");
            vbytes ikm = vb_get(der, "ephemeral_ikm_hex"), esk = vb_get(der, "ephemeral_sk_hex");
            uint64_t issued = (uint64_t)json_integer_value(json_object_get(in, "issued_at"));
            uint8_t gpk[32], genc[32], gikm[32], gsk[32], epk[32];
            uint8_t *m = malloc(ct.n), *c = malloc(ct.n);
            fcp_rng_chacha20 rng;

            CHECK_EQ(fcp_x25519_base(gpk, sk.p), 0);
            CHECK_MEM(gpk, pk.p, 32);
            size_t alen = build_aad(aad, fcp_t_jstr(in, "purpose"), &zone, issued, &node);
            CHECK_EQ(alen, want_aad.n);
            CHECK_MEM(aad, want_aad.p, want_aad.n);
            CHECK_EQ(boxb.n, 32 + ct.n);
            CHECK_MEM(boxb.p, enc.p, 32);
            CHECK_MEM(boxb.p + 32, ct.p, ct.n);
            /* open with the pinned AAD bytes */
            CHECK_EQ(fcp_hpke_open(m, &p, sk.p, enc.p, want_aad.p, want_aad.n, ct.p, ct.n), 0);
            CHECK_EQ(ct.n, pt.n + 16);
            CHECK_MEM(m, pt.p, pt.n);
            /* the RNG: ChaCha20Rng::from_seed(seed) first 32 bytes = ikm */
            fcp_rng_chacha20_init(&rng, seed.p);
            CHECK_EQ(fcp_rng_fill(&rng.rng, gikm, 32), 0);
            CHECK_MEM(gikm, ikm.p, 32);
            CHECK_EQ(fcp_hpke_derive_keypair(gsk, epk, gikm, 32), 0);
            CHECK_MEM(gsk, esk.p, 32);
            CHECK_MEM(epk, enc.p, 32);
            /* deterministic re-seal through the injected RNG ... */
            fcp_rng_chacha20_init(&rng, seed.p);
            CHECK_EQ(fcp_hpke_seal(genc, c, &p, pk.p, want_aad.p, want_aad.n, pt.p, pt.n, &rng.rng), 0);
            CHECK_MEM(genc, enc.p, 32);
            CHECK_MEM(c, ct.p, ct.n);
            /* ... and through the derived ikm */
            memset(c, 0, ct.n);
            CHECK_EQ(fcp_hpke_seal_derand(genc, c, &p, pk.p, want_aad.p, want_aad.n, pt.p, pt.n, ikm.p, ikm.n), 0);
            CHECK_MEM(genc, enc.p, 32);
            CHECK_MEM(c, ct.p, ct.n);
            /* a one-byte AAD change must fail */
            want_aad.p[want_aad.n - 1] ^= 1;
            CHECK_EQ(fcp_hpke_open(m, &p, sk.p, enc.p, want_aad.p, want_aad.n, ct.p, ct.n), FCP_EDECRYPT);
            fcp_rng_chacha20_wipe(&rng);
            free(m); free(c);
            vb_free(&sk); vb_free(&seed); vb_free(&pt); vb_free(&zone); vb_free(&node); vb_free(&pk);
            vb_free(&want_aad); vb_free(&enc); vb_free(&ct); vb_free(&boxb); vb_free(&ikm); vb_free(&esk);
            nbox++;
        } else if (!strncmp(name, "aad_", 4)) {
            vbytes zone = vb_get(in, "zone_id_hex"), node = vb_get(in, "recipient_node_id_hex");
            vbytes want = vb_get(ex, "aad_cbor_hex");
            uint64_t issued = (uint64_t)json_integer_value(json_object_get(in, "issued_at"));
            size_t alen = build_aad(aad, fcp_t_jstr(in, "purpose"), &zone, issued, &node);
            CHECK_EQ(alen, want.n);
            CHECK_MEM(aad, want.p, want.n);
            vb_free(&zone); vb_free(&node); vb_free(&want);
            naad++;
        } else if (!strcmp(name, "purpose_strings")) {
            CHECK(!strcmp(fcp_t_jstr(ex, "info"), info));
            nother++;
        } else if (!strcmp(name, "size_invariants")) {
            CHECK_EQ(json_integer_value(json_object_get(ex, "enc_size")), FCP_HPKE_ENCBYTES);
            CHECK_EQ(json_integer_value(json_object_get(ex, "tag_size")), FCP_HPKE_TAGBYTES);
            CHECK_EQ(json_integer_value(json_object_get(ex, "ciphertext_overhead")), FCP_HPKE_TAGBYTES);
            nother++;
        } else if (!strncmp(name, "roundtrip_len_", 14)) {
            vbytes pt = vb_get(in, "plaintext_hex");
            uint8_t sk[32], pk[32], enc[32], *c = malloc(pt.n + 16), *m = malloc(pt.n + 1);
            CHECK_EQ(fcp_hpke_generate_keypair(sk, pk, fcp_rng_system()), 0);
            CHECK_EQ(fcp_hpke_seal(enc, c, &p, pk, NULL, 0, pt.p, pt.n, fcp_rng_system()), 0);
            CHECK_EQ(pt.n + 16, (size_t)json_integer_value(json_object_get(ex, "ciphertext_len")));
            CHECK_EQ(fcp_hpke_open(m, &p, sk, enc, NULL, 0, c, pt.n + 16), 0);
            CHECK_MEM(m, pt.p, pt.n);
            free(c); free(m);
            vb_free(&pt);
            nrt++;
        } else if (!strncmp(name, "zone_keys_", 10)) {
            /* seal with the "seal_" inputs, open with the "open_" ones */
            vbytes sk = vb_get(in, "recipient_secret_key_hex"), pt = vb_get(in, "plaintext_hex");
            const char *zs = json_object_get(in, "zone_id_hex") ? "zone_id_hex" : "seal_zone_id_hex";
            const char *zo = json_object_get(in, "zone_id_hex") ? "zone_id_hex" : "open_zone_id_hex";
            const char *ns = json_object_get(in, "recipient_node_id_hex") ? "recipient_node_id_hex"
                                                                           : "seal_recipient_node_id_hex";
            const char *no = json_object_get(in, "recipient_node_id_hex") ? "recipient_node_id_hex"
                                                                           : "open_recipient_node_id_hex";
            const char *ts = json_object_get(in, "issued_at") ? "issued_at" : "seal_issued_at";
            const char *to = json_object_get(in, "issued_at") ? "issued_at" : "open_issued_at";
            vbytes zseal = vb_get(in, zs), zopen = vb_get(in, zo), nseal = vb_get(in, ns), nopen = vb_get(in, no);
            uint8_t aad2[256], pk[32], enc[32], *c = malloc(pt.n + 16), *m = malloc(pt.n + 1);
            const char *purpose = fcp_t_jstr(in, "purpose");
            size_t a1 = build_aad(aad, purpose, &zseal, (uint64_t)json_integer_value(json_object_get(in, ts)), &nseal);
            size_t a2 = build_aad(aad2, purpose, &zopen, (uint64_t)json_integer_value(json_object_get(in, to)), &nopen);
            int expect_fail = json_object_get(ex, "error") != NULL;

            CHECK_EQ(fcp_x25519_base(pk, sk.p), 0);
            CHECK_EQ(fcp_hpke_seal(enc, c, &p, pk, aad, a1, pt.p, pt.n, fcp_rng_system()), 0);
            if (!expect_fail) {
                CHECK_EQ((size_t)json_integer_value(json_object_get(ex, "ciphertext_size")), pt.n + 16);
                CHECK_EQ(aad[0], 0xa4);
            }
            CHECK_EQ(fcp_hpke_open(m, &p, sk.p, enc, aad2, a2, c, pt.n + 16), expect_fail ? FCP_EDECRYPT : 0);
            if (!expect_fail)
                CHECK_MEM(m, pt.p, pt.n);
            else
                CHECK(fcp_ct_is_zero(m, pt.n));
            free(c); free(m);
            vb_free(&sk); vb_free(&pt); vb_free(&zseal); vb_free(&zopen); vb_free(&nseal); vb_free(&nopen);
            nrt++;
        } else if (!strcmp(fcp_t_jstr(e, "status"), "shape-only")) {
            nother++; /* threshold HPKE: shape only, no bytes */
        } else {
            fprintf(stderr, "hpke.json: unhandled entry %s\n", name);
            CHECK(0);
        }
    }
    CHECK_EQ(nbox, 3);
    CHECK_EQ(naad, 4);
    CHECK_EQ(nbox + naad + nrt + nother, json_array_size(root));
    printf("  upstream hpke: %zu sealed boxes opened + re-sealed byte-exact, %zu AADs, %zu round trips/negatives, "
           "%zu other\n", nbox, naad, nrt, nother);
    json_decref(root);
}

int main(void)
{
    CHECK_EQ(fcp_crypto_init(), 0);
    test_rfc9180();
    test_negatives();
    test_upstream();
    return fcp_t_done("crypto_hpke_test");
}
