/*
 * crypto_golden_test.c - the crypto decisions of docs/protocol/decisions.md,
 * checked against their golden vectors in conformance/golden/crypto/:
 *
 *   D-CRYPTO-1  ed25519_strict_verify.json   Ed25519 strictness (speccheck 0-11)
 *   D-CRYPTO-2  x25519_zero_shared.json      X25519 refuses exactly all-zero output
 *   D-CRYPTO-3  hpke_input_rules.json        HPKE psk / ikm / sequence / export limits
 *   D-CRYPTO-4  hpke_input_rules.json        HPKE variable-length inputs are not capped
 *
 * The speccheck golden is also compared with the shared speccheck data
 * (cases.json and the transcribed libsodium row) so that the golden file and
 * its source cannot drift apart.  Run from the repository root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto_vec.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hpke.h"
#include "test.h"

static json_t *load_golden(const char *name)
{
    char path[512];
    json_error_t e;
    snprintf(path, sizeof path, "conformance/golden/crypto/%s", name);
    json_t *j = json_load_file(path, 0, &e);
    if (!j)
        fprintf(stderr, "cannot load %s: %s\n", path, e.text);
    CHECK(j != NULL);
    return j;
}

static void test_ed25519_strictness(void)
{
    json_t *g = load_golden("ed25519_strict_verify.json");
    json_t *src = fcp_t_load_json("ed25519-speccheck/cases.json");
    json_t *exp = fcp_t_load_json("ed25519-speccheck/cases_expected.json");
    char row[13] = { 0 };
    size_t i, naccept = 0;
    json_t *c;

    if (!g || !src || !exp)
        goto out;
    CHECK(!strcmp(fcp_t_jstr(g, "decision"), "D-CRYPTO-1"));
    CHECK_EQ(json_array_size(json_object_get(g, "cases")), 12);
    CHECK_EQ(json_array_size(src), 12);
    json_array_foreach(json_object_get(g, "cases"), i, c) {
        json_t *s = json_array_get(src, i);
        json_t *e = json_object_get(json_array_get(json_object_get(exp, "cases"), i), "upstream_results");
        vbytes msg = vb_get(c, "message_hex"), pk = vb_get(c, "pub_key_hex"), sig = vb_get(c, "signature_hex");
        int accept = !strcmp(fcp_t_jstr(c, "expected"), "accept");

        /* golden == shared source data */
        CHECK(!strcmp(fcp_t_jstr(c, "message_hex"), fcp_t_jstr(s, "message")));
        CHECK(!strcmp(fcp_t_jstr(c, "pub_key_hex"), fcp_t_jstr(s, "pub_key")));
        CHECK(!strcmp(fcp_t_jstr(c, "signature_hex"), fcp_t_jstr(s, "signature")));
        CHECK_EQ(accept, !strcmp(fcp_t_jstr(e, "LibSodium"), "V"));
        /* our verifier does what the golden says */
        int rc = fcp_ed25519_verify_buf(sig.p, sig.n, msg.p, msg.n, pk.p);
        if (!CHECK_EQ(rc, accept ? 0 : FCP_EBAD_SIGNATURE))
            fprintf(stderr, "speccheck case %zu (%s)\n", i, fcp_t_jstr(c, "condition"));
        row[i] = rc == 0 ? 'V' : 'X';
        naccept += rc == 0;
        vb_free(&msg); vb_free(&pk); vb_free(&sig);
    }
    CHECK(!strcmp(row, "XXXVXXXXXXXX"));
    CHECK(!strcmp(row, fcp_t_jstr(g, "result_row")));
    CHECK_EQ(naccept, 1);
    printf("  D-CRYPTO-1 ed25519 speccheck: row %s (12 cases, only case 3 accepted)\n", row);
out:
    json_decref(g);
    json_decref(src);
    json_decref(exp);
}

static void test_x25519_policy(void)
{
    json_t *g = load_golden("x25519_zero_shared.json");
    size_t i, nrej = 0, nacc = 0;
    json_t *c;

    if (!g)
        return;
    CHECK(!strcmp(fcp_t_jstr(g, "decision"), "D-CRYPTO-2"));
    json_array_foreach(json_object_get(g, "cases"), i, c) {
        vbytes sk = vb_get(c, "private_hex"), pk = vb_get(c, "public_hex"), sh = vb_get(c, "shared_hex");
        uint8_t out[32];
        int rc = fcp_x25519(out, sk.p, pk.p);
        if (!strcmp(fcp_t_jstr(c, "expected"), "reject")) {
            CHECK_EQ(rc, FCP_EBAD_KEY);
            CHECK(fcp_ct_is_zero(out, 32));
            CHECK(vb_has_flag(c, "ZeroSharedSecret"));
            nrej++;
        } else {
            CHECK_EQ(rc, 0);
            CHECK_MEM(out, sh.p, 32);
            CHECK(!vb_has_flag(c, "ZeroSharedSecret"));
            nacc++;
        }
        vb_free(&sk); vb_free(&pk); vb_free(&sh);
    }
    CHECK_EQ(nrej, 31);
    CHECK(nacc >= 5);
    printf("  D-CRYPTO-2 x25519: %zu all-zero cases refused, %zu edge cases accepted\n", nrej, nacc);
    json_decref(g);
}

static int err_code(const char *name)
{
    if (!strcmp(name, "ok"))
        return 0;
#define E_(n, num, m)                                                                                              \
    if (!strcmp(name, #n))                                                                                         \
        return n;
    FCP_ERRORS(E_)
#undef E_
    return 1; /* never a real code: the check fails */
}

static void test_hpke_rules(void)
{
    json_t *g = load_golden("hpke_input_rules.json");
    uint8_t ikm[64], sk[32], pk[32], enc[32], psk[64], id[8], buf[FCP_HPKE_EXPORT_MAXBYTES + 1];
    fcp_hpke_ctx s, r;
    size_t i, n = 0;
    json_t *c;

    if (!g)
        return;
    CHECK(!strcmp(fcp_t_jstr(g, "decision"), "D-CRYPTO-3"));
    memset(ikm, 7, sizeof ikm);
    memset(psk, 8, sizeof psk);
    memset(id, 9, sizeof id);
    CHECK_EQ(fcp_hpke_derive_keypair(sk, pk, ikm, 32), 0);
    json_array_foreach(json_object_get(g, "setup_cases"), i, c) {
        fcp_hpke_params p = { 0 };
        p.mode = (uint8_t)json_integer_value(json_object_get(c, "mode"));
        p.aead_id = (uint16_t)json_integer_value(json_object_get(c, "aead_id"));
        p.psk = psk;
        p.psk_len = (size_t)json_integer_value(json_object_get(c, "psk_len"));
        p.psk_id = id;
        p.psk_id_len = (size_t)json_integer_value(json_object_get(c, "psk_id_len"));
        int want = err_code(fcp_t_jstr(c, "expected"));
        CHECK_EQ(fcp_hpke_setup_sender_derand(&s, enc, &p, pk, ikm + 32, 32), want);
        if (want == 0)
            CHECK_EQ(fcp_hpke_setup_receiver(&r, &p, enc, sk), 0);
        else
            CHECK_EQ(fcp_hpke_setup_receiver(&r, &p, pk, sk), want);
        n++;
    }
    json_array_foreach(json_object_get(g, "derive_keypair_cases"), i, c) {
        size_t len = (size_t)json_integer_value(json_object_get(c, "ikm_len"));
        CHECK_EQ(fcp_hpke_derive_keypair(sk, pk, ikm, len), err_code(fcp_t_jstr(c, "expected")));
        n++;
    }
    /* sequence limit */
    fcp_hpke_params p = { FCP_HPKE_MODE_BASE, FCP_HPKE_AEAD_CHACHA20POLY1305, NULL, 0, NULL, 0, NULL, 0 };
    json_t *seq = json_object_get(g, "sequence");
    CHECK_EQ(fcp_hpke_derive_keypair(sk, pk, ikm, 32), 0);
    CHECK_EQ(fcp_hpke_setup_sender_derand(&s, enc, &p, pk, ikm + 32, 32), 0);
    s.seq = strtoull(fcp_t_jstr(seq, "last_usable_seq"), NULL, 10);
    CHECK_EQ(fcp_hpke_ctx_seal(&s, buf, NULL, 0, ikm, 1), 0);
    CHECK_EQ(s.seq, strtoull(fcp_t_jstr(seq, "refused_seq"), NULL, 10));
    CHECK_EQ(fcp_hpke_ctx_seal(&s, buf, NULL, 0, ikm, 1), err_code(fcp_t_jstr(seq, "expected")));
    n += 2;
    json_array_foreach(json_object_get(g, "export_cases"), i, c) {
        size_t L = (size_t)json_integer_value(json_object_get(c, "L"));
        CHECK_EQ(fcp_hpke_ctx_export(&s, buf, L, NULL, 0), err_code(fcp_t_jstr(c, "expected")));
        n++;
    }
    /* D-CRYPTO-4: long inputs are accepted (no cap beyond memory) */
    json_t *lr = json_object_get(g, "length_rule");
    CHECK(!strcmp(fcp_t_jstr(lr, "decision"), "D-CRYPTO-4"));
    json_array_foreach(json_object_get(lr, "cases"), i, c) {
        const char *field = fcp_t_jstr(c, "field");
        size_t len = (size_t)json_integer_value(json_object_get(c, "len"));
        uint8_t *big = calloc(1, len), pt[4] = { 1, 2, 3, 4 }, ct[20], back[4], e1[32], e2[32];
        fcp_hpke_params q = { FCP_HPKE_MODE_PSK, FCP_HPKE_AEAD_CHACHA20POLY1305, NULL, 0, psk, 32, id, 8 };
        int want = err_code(fcp_t_jstr(c, "expected"));
        if (!strcmp(field, "info")) {
            q.info = big;
            q.info_len = len;
        } else if (!strcmp(field, "psk_id")) {
            q.psk_id = big;
            q.psk_id_len = len;
        } else if (!strcmp(field, "psk")) {
            memset(big, 0x5a, len);
            q.psk = big;
            q.psk_len = len;
        }
        CHECK_EQ(fcp_hpke_setup_sender_derand(&s, enc, &q, pk, ikm + 32, 32), want);
        CHECK_EQ(fcp_hpke_setup_receiver(&r, &q, enc, sk), want);
        if (want == 0 && !strcmp(field, "exporter_context")) {
            CHECK_EQ(fcp_hpke_ctx_export(&s, e1, 32, big, len), 0);
            CHECK_EQ(fcp_hpke_ctx_export(&r, e2, 32, big, len), 0);
            CHECK_MEM(e1, e2, 32);
        } else if (want == 0) {
            CHECK_EQ(fcp_hpke_ctx_seal(&s, ct, big, len, pt, 4), 0); /* long AAD too */
            CHECK_EQ(fcp_hpke_ctx_open(&r, back, big, len, ct, 20), 0);
            CHECK_MEM(back, pt, 4);
        }
        free(big);
        n++;
    }
    fcp_hpke_ctx_wipe(&s);
    fcp_hpke_ctx_wipe(&r);
    printf("  D-CRYPTO-3/4 hpke input rules: %zu cases\n", n);
    json_decref(g);
}

int main(void)
{
    CHECK_EQ(fcp_crypto_init(), 0);
    test_ed25519_strictness();
    test_x25519_policy();
    test_hpke_rules();
    return fcp_t_done("crypto_golden_test");
}
