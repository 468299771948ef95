/*
 * ed25519_helper.c - command-line face of libfcp's Ed25519 for
 * tests/interop/ed25519_oracle.mjs (checked against npm @noble/curves).
 * Built by ed25519_oracle.sh against $FCP_BUILD/libfcp.a; never installed.
 * Byte arguments are lowercase hex, "-" = empty.  One output line per item:
 *
 *   pk     SEED...              -> public key per seed
 *   sign   SEED MSG [SEED MSG]... -> signature per pair
 *   verify PK MSG SIG [...]       -> "ok" or "bad" per triple
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/crypto.h"
#include "fcp/hex.h"

static uint8_t *unhex(const char *s, size_t *n)
{
    uint8_t *p = calloc(1, strlen(s) / 2 + 1);
    *n = 0;
    if (strcmp(s, "-") != 0 && fcp_hex_decode(p, strlen(s) / 2 + 1, n, s, strlen(s)) != 0) {
        fprintf(stderr, "bad hex: %s\n", s);
        exit(2);
    }
    return p;
}

static void put(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
    putchar('\n');
}

int main(int argc, char **argv)
{
    uint8_t pk[32], sk[64], sig[64];
    size_t n1, n2, n3;

    if (fcp_crypto_init() != 0 || argc < 2)
        return 2;
    if (!strcmp(argv[1], "pk")) {
        for (int i = 2; i < argc; i++) {
            uint8_t *seed = unhex(argv[i], &n1);
            if (n1 != 32 || fcp_ed25519_keypair_from_seed(pk, sk, seed) != 0)
                return 2;
            put(pk, 32);
            free(seed);
        }
    } else if (!strcmp(argv[1], "sign")) {
        for (int i = 2; i + 1 < argc; i += 2) {
            uint8_t *seed = unhex(argv[i], &n1), *msg = unhex(argv[i + 1], &n2);
            if (n1 != 32 || fcp_ed25519_keypair_from_seed(pk, sk, seed) != 0 ||
                fcp_ed25519_sign(sig, msg, n2, sk) != 0)
                return 2;
            put(sig, 64);
            fcp_memzero(sk, sizeof sk);
            free(seed);
            free(msg);
        }
    } else if (!strcmp(argv[1], "verify")) {
        for (int i = 2; i + 2 < argc; i += 3) {
            uint8_t *k = unhex(argv[i], &n1), *msg = unhex(argv[i + 1], &n2), *s = unhex(argv[i + 2], &n3);
            int ok = n1 == 32 && fcp_ed25519_verify_buf(s, n3, msg, n2, k) == 0;
            puts(ok ? "ok" : "bad");
            free(k);
            free(msg);
            free(s);
        }
    } else {
        return 2;
    }
    return 0;
}
