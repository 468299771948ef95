/*
 * cose_helper.c - libfcp side of the COSE capability-token oracle
 * (tests/interop/cose_oracle.sh).  Verbs, all hex in and out:
 *   mint SEEDHEX I     mint token variant I (0..7) with the Ed25519 seed;
 *                      prints "PKHEX TOKENHEX"
 *   verify PKHEX TOKENHEX
 *                      signature-level verification (COSE structure, alg,
 *                      kid, Sig_structure signature, strict claims);
 *                      prints "ok" or the error name
 * Test code only: never installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/authz_token.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"

static uint8_t *unhex(const char *h, size_t *n)
{
    size_t l = strlen(h);
    uint8_t *b = malloc(l / 2 + 1);
    if (!b || fcp_hex_decode(b, l / 2 + 1, n, h, l) != 0) {
        free(b);
        return NULL;
    }
    return b;
}

static void puthex(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
}

static void variant(fcp_token_claims *c, int i)
{
    fcp_token_claims_init(c);
    fcp_token_claims_set_text(c, FCP_CLAIM_ISS, "node:issuer");
    fcp_token_claims_set_text(c, FCP_CLAIM_ISS_NODE, "node:issuer.mesh.ts.net");
    fcp_token_claims_set_text(c, FCP_CLAIM_ZONE_ID, i % 2 ? "z:private" : "z:work");
    fcp_token_claims_set_text(c, FCP_CLAIM_CAPABILITY_ID, "cap:test.read");
    for (int k = 0; k <= i % 4; k++) {
        char op[32];
        snprintf(op, sizeof op, "test.op_%d", k);
        fcp_token_claims_add_operation(c, op);
    }
    c->nbf = 1700000000u + (uint64_t)i;
    c->exp = c->nbf + 300;
    c->present |= FCP_TC_NBF | FCP_TC_EXP;
    if (i >= 2) {
        memset(c->cti, 0x40 + i, 16);
        c->cti_len = 16;
        memset(c->grant_object_ids[0], i, 32);
        c->n_grant_object_ids = 1;
        c->present |= FCP_TC_CTI | FCP_TC_GRANT_IDS;
        fcp_token_claims_set_text(c, FCP_CLAIM_HOLDER_NODE, "node:laptop.mesh.ts.net");
    }
    if (i >= 4) {
        c->constraints.n_resource_allow = 1;
        strcpy(c->constraints.resource_allow[0], "/v1/");
        c->constraints.has_max_calls = 1;
        c->constraints.max_calls = (uint32_t)i;
        c->present |= FCP_TC_CONSTRAINTS;
    }
    if (i >= 6) {
        c->n_grants = 1;
        strcpy(c->grants[0].capability, "cap:test.read");
        strcpy(c->grants[0].operation, "test.op_0");
        c->grants[0].has_operation = 1;
        c->chk_seq = 1000000000000ull;
        memset(c->chk_id, 0xcc, 32);
        c->chk_id_len = 32;
        c->present |= FCP_TC_GRANTS | FCP_TC_CHK_SEQ | FCP_TC_CHK_ID;
    }
}

int main(int argc, char **argv)
{
    if (fcp_crypto_init())
        return 1;
    if (argc == 4 && !strcmp(argv[1], "mint")) {
        size_t n;
        uint8_t *seed = unhex(argv[2], &n), pk[32], sk[64];
        fcp_token_claims *c = malloc(sizeof *c);
        fcp_buf t;
        if (!seed || n != 32 || !c)
            return 1;
        fcp_ed25519_keypair_from_seed(pk, sk, seed);
        variant(c, atoi(argv[3]));
        fcp_buf_init(&t);
        if (fcp_token_mint(c, sk, &t))
            return 1;
        puthex(pk, 32);
        printf(" ");
        puthex(t.data, t.len);
        printf("\n");
        fcp_buf_free(&t);
        free(c);
        free(seed);
        return 0;
    }
    if (argc == 4 && !strcmp(argv[1], "verify")) {
        size_t pn, tn;
        uint8_t *pk = unhex(argv[2], &pn), *tok = unhex(argv[3], &tn);
        fcp_token_claims *c = malloc(sizeof *c);
        if (!pk || pn != 32 || !tok || !c) {
            printf("bad-input\n");
            return 0;
        }
        int rc = fcp_token_verify_signature(tok, tn, pk, c);
        printf("%s\n", rc ? fcp_error_name(rc) : "ok");
        free(pk);
        free(tok);
        free(c);
        return 0;
    }
    fprintf(stderr, "usage: cose_helper mint SEEDHEX I | verify PKHEX TOKENHEX\n");
    return 2;
}
