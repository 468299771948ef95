/*
 * hpke_helper.c - a tiny command-line face of libfcp's HPKE, driven by
 * tests/interop/hpke_oracle.mjs so that an independent implementation
 * (npm @hpke/core + @hpke/chacha20poly1305) can check us in both directions.
 * Built by hpke_oracle.sh against $FCP_BUILD/libfcp.a; never installed.
 *
 * All byte arguments are lowercase hex; "-" means empty.  MODE is 0 or 1,
 * AEAD is 3 or 65535, IKME is hex or "rand" (system RNG).
 *
 *   keypair IKM                                   -> "sk pk"
 *   seal   MODE AEAD PKR INFO PSK PSKID IKME [AAD PT]...
 *                                                 -> enc, then one ct per line
 *   open   MODE AEAD SKR ENC INFO PSK PSKID [AAD CT]...
 *                                                 -> one pt (or "ERR name") per line
 *   sexport MODE AEAD PKR INFO PSK PSKID IKME [CTX L]...  -> enc, then exports
 *   rexport MODE AEAD SKR ENC INFO PSK PSKID [CTX L]...   -> exports
 *   sseal  MODE AEAD PKR INFO PSK PSKID AAD PT    -> "enc ct" (single-shot, system RNG)
 *   sopen  MODE AEAD SKR ENC INFO PSK PSKID AAD CT -> pt or "ERR name"
 *
 * Exit status 0 when the command ran (per-message failures are printed),
 * 2 on a setup failure or bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/hpke.h"
#include "fcp/rng.h"

typedef struct bytes {
    uint8_t *p;
    size_t   n;
} bytes;

static bytes unhex(const char *s)
{
    bytes b = { calloc(1, strlen(s) / 2 + 1), 0 };
    if (strcmp(s, "-") != 0 && fcp_hex_decode(b.p, strlen(s) / 2 + 1, &b.n, s, strlen(s)) != 0) {
        fprintf(stderr, "bad hex: %s\n", s);
        exit(2);
    }
    return b;
}

static void put(const uint8_t *p, size_t n)
{
    if (n == 0)
        fputc('-', stdout);
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
}

static void err_line(int rc)
{
    const char *name = fcp_error_name(rc);
    printf("ERR %s\n", name ? name : "?");
}

/* argv[2..8]: MODE AEAD KEY (ENC) INFO PSK PSKID -> params; returns next index. */
static int parse_params(fcp_hpke_params *p, bytes *info, bytes *psk, bytes *psk_id, char **argv, int i)
{
    memset(p, 0, sizeof *p);
    p->mode = (uint8_t)strtoul(argv[i], NULL, 10);
    p->aead_id = (uint16_t)strtoul(argv[i + 1], NULL, 10);
    *info = unhex(argv[i + 2]);
    *psk = unhex(argv[i + 3]);
    *psk_id = unhex(argv[i + 4]);
    p->info = info->p;
    p->info_len = info->n;
    p->psk = psk->p;
    p->psk_len = psk->n;
    p->psk_id = psk_id->p;
    p->psk_id_len = psk_id->n;
    return i + 5;
}

int main(int argc, char **argv)
{
    fcp_hpke_params p;
    bytes info, psk, psk_id;
    fcp_hpke_ctx ctx;
    uint8_t enc[32];
    int rc;

    if (fcp_crypto_init() != 0 || argc < 3)
        return 2;
    const char *cmd = argv[1];

    if (!strcmp(cmd, "keypair")) {
        bytes ikm = unhex(argv[2]);
        uint8_t sk[32], pk[32];
        if (fcp_hpke_derive_keypair(sk, pk, ikm.p, ikm.n) != 0)
            return 2;
        put(sk, 32);
        putchar(' ');
        put(pk, 32);
        putchar('\n');
        return 0;
    }
    if (argc < 9)
        return 2;
    if (!strcmp(cmd, "seal") || !strcmp(cmd, "sexport")) {
        /* MODE AEAD PKR INFO PSK PSKID IKME ... : PKR sits between AEAD and INFO */
        bytes pkR = unhex(argv[4]);
        char *av[5] = { argv[2], argv[3], argv[5], argv[6], argv[7] };
        parse_params(&p, &info, &psk, &psk_id, av, 0);
        if (pkR.n != 32)
            return 2;
        if (!strcmp(argv[8], "rand")) {
            rc = fcp_hpke_setup_sender(&ctx, enc, &p, pkR.p, fcp_rng_system());
        } else {
            bytes ikm = unhex(argv[8]);
            rc = fcp_hpke_setup_sender_derand(&ctx, enc, &p, pkR.p, ikm.p, ikm.n);
        }
        if (rc != 0) {
            err_line(rc);
            return 2;
        }
        put(enc, 32);
        putchar('\n');
        for (int i = 9; i + 1 < argc; i += 2) {
            bytes a = unhex(argv[i]);
            if (!strcmp(cmd, "seal")) {
                bytes m = unhex(argv[i + 1]);
                uint8_t *c = malloc(m.n + 16);
                rc = fcp_hpke_ctx_seal(&ctx, c, a.p, a.n, m.p, m.n);
                if (rc != 0)
                    err_line(rc);
                else {
                    put(c, m.n + 16);
                    putchar('\n');
                }
                free(c);
            } else {
                size_t L = strtoul(argv[i + 1], NULL, 10);
                uint8_t *o = malloc(L + 1);
                rc = fcp_hpke_ctx_export(&ctx, o, L, a.p, a.n);
                if (rc != 0)
                    err_line(rc);
                else {
                    put(o, L);
                    putchar('\n');
                }
                free(o);
            }
        }
        fcp_hpke_ctx_wipe(&ctx);
        return 0;
    }
    if (!strcmp(cmd, "open") || !strcmp(cmd, "rexport")) {
        if (argc < 10)
            return 2;
        bytes skR = unhex(argv[4]), e = unhex(argv[5]);
        char *av[5] = { argv[2], argv[3], argv[6], argv[7], argv[8] };
        parse_params(&p, &info, &psk, &psk_id, av, 0);
        if (skR.n != 32 || e.n != 32)
            return 2;
        rc = fcp_hpke_setup_receiver(&ctx, &p, e.p, skR.p);
        if (rc != 0) {
            err_line(rc);
            return 2;
        }
        for (int i = 9; i + 1 < argc; i += 2) {
            bytes a = unhex(argv[i]);
            if (!strcmp(cmd, "open")) {
                bytes c = unhex(argv[i + 1]);
                uint8_t *m = malloc(c.n + 1);
                rc = fcp_hpke_ctx_open(&ctx, m, a.p, a.n, c.p, c.n);
                if (rc != 0)
                    err_line(rc);
                else {
                    put(m, c.n - 16);
                    putchar('\n');
                }
                free(m);
            } else {
                size_t L = strtoul(argv[i + 1], NULL, 10);
                uint8_t *o = malloc(L + 1);
                rc = fcp_hpke_ctx_export(&ctx, o, L, a.p, a.n);
                if (rc != 0)
                    err_line(rc);
                else {
                    put(o, L);
                    putchar('\n');
                }
                free(o);
            }
        }
        fcp_hpke_ctx_wipe(&ctx);
        return 0;
    }
    if (!strcmp(cmd, "sseal") && argc >= 10) {
        bytes pkR = unhex(argv[4]), a = unhex(argv[8]), m = unhex(argv[9]);
        char *av[5] = { argv[2], argv[3], argv[5], argv[6], argv[7] };
        parse_params(&p, &info, &psk, &psk_id, av, 0);
        uint8_t *c = malloc(m.n + 16);
        rc = fcp_hpke_seal(enc, c, &p, pkR.p, a.p, a.n, m.p, m.n, fcp_rng_system());
        if (rc != 0)
            err_line(rc);
        else {
            put(enc, 32);
            putchar(' ');
            put(c, m.n + 16);
            putchar('\n');
        }
        return 0;
    }
    if (!strcmp(cmd, "sopen") && argc >= 11) {
        bytes skR = unhex(argv[4]), e = unhex(argv[5]), a = unhex(argv[9]), c = unhex(argv[10]);
        char *av[5] = { argv[2], argv[3], argv[6], argv[7], argv[8] };
        parse_params(&p, &info, &psk, &psk_id, av, 0);
        uint8_t *m = malloc(c.n + 1);
        rc = fcp_hpke_open(m, &p, skR.p, e.p, a.p, a.n, c.p, c.n);
        if (rc != 0)
            err_line(rc);
        else {
            put(m, c.n - 16);
            putchar('\n');
        }
        return 0;
    }
    return 2;
}
