/*
 * invoke_helper.c - test helper for tests/e2e/invoke_e2e.sh, built by the
 * script against libfcp.a: owner-signed CapabilityObjects (grant objects,
 * written where fcpd looks: FCP_HOME/grants/NAME.cap) and CapabilityTokens
 * minted with the node's issuance key, including the bad ones the e2e test
 * expects fcpd to refuse (forged signature, expired, wrong audience, wider
 * constraints than the grant).
 *
 *   invoke_helper grant HOME ZONE CAP OUT [MAX_CALLS]
 *   invoke_helper token HOME ZONE AUD CAP OP GRANT OUT [options]
 *       --aud-binary HEX   --holder NODE   --expired   --forge   --max-calls N
 *       --principal P      --ttl SECONDS      --checkpoint (bind to revocation head seq 0)
 * Exit 0 on success; prints what failed otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/authz_token.h"
#include "fcp/clock.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/model_cap.h"
#include "fcp/model_object.h"
#include "fcp/rng.h"

static int read_text(const char *home, const char *name, char *buf, size_t cap)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", home, name);
    FILE *f = fopen(p, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = 0;
    return 0;
}

static int owner_sk(const char *home, uint8_t sk[64])
{
    char b[512];
    if (read_text(home, "owner.key", b, sizeof b) < 0)
        return -1;
    b[128] = 0;
    return fcp_hex_decode_exact(sk, 64, b);
}

static int node_line(const char *home, const char *tag, uint8_t sk[64])
{
    char b[2048];
    if (read_text(home, "node.key", b, sizeof b) < 0)
        return -1;
    for (char *l = strtok(b, "\n"); l; l = strtok(NULL, "\n"))
        if (!strncmp(l, tag, strlen(tag)) && l[strlen(tag)] == ' ') {
            char *h = l + strlen(tag) + 1;
            h[128] = 0;
            return fcp_hex_decode_exact(sk, 64, h);
        }
    return -1;
}

static int zone_oid(const char *home, const char *zone, fcp_object_id_key *k)
{
    char b[8192];
    if (read_text(home, "zones.key", b, sizeof b) < 0)
        return -1;
    for (char *l = strtok(b, "\n"); l; l = strtok(NULL, "\n")) {
        char z[80], kid[20], key[70], oid[70];
        if (sscanf(l, "%79s %19s %69s %69s", z, kid, key, oid) == 4 && !strcmp(z, zone))
            return fcp_hex_decode_exact(k->bytes, 32, oid);
    }
    return -1;
}

static int write_out(const char *path, const fcp_buf *b)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0)
        return -1;
    return 0;
}

static int grant(int argc, char **argv)
{
    if (argc < 6)
        return 2;
    const char *home = argv[2], *zone = argv[3], *cap = argv[4], *out = argv[5];
    static fcp_cap_object o;
    memset(&o, 0, sizeof o);
    fcp_schema_id s;
    fcp_cap_object_schema(&s);
    uint64_t now = fcp_clock_unix_secs(fcp_clock_system());
    int rc = fcp_object_header_init(&o.header, &s, zone, now);
    snprintf(o.capability_id, sizeof o.capability_id, "%s", cap);
    o.grantee = FCP_GRANTEE_ZONE;
    snprintf(o.grantee_value, sizeof o.grantee_value, "%s", zone);
    o.valid_from = now - 60;
    o.valid_until = now + 86400;
    if (argc > 6) {
        o.constraints.has_max_calls = 1;
        o.constraints.max_calls = (uint32_t)atoi(argv[6]);
    }
    uint8_t sk[64];
    fcp_buf b;
    fcp_buf_init(&b);
    if (rc == 0 && owner_sk(home, sk) < 0)
        rc = FCP_EIO;
    if (rc == 0)
        rc = fcp_cap_object_sign(&o, sk);
    if (rc == 0)
        rc = fcp_cap_object_encode(&o, &b);
    if (rc == 0 && write_out(out, &b) < 0)
        rc = FCP_EIO;
    fcp_buf_free(&b);
    if (rc < 0)
        fprintf(stderr, "grant: %s\n", fcp_strerror(rc));
    return rc < 0;
}

static int token(int argc, char **argv)
{
    if (argc < 9)
        return 2;
    const char *home = argv[2], *zone = argv[3], *aud = argv[4], *cap = argv[5], *op = argv[6], *gf = argv[7],
               *out = argv[8];
    const char *aud_bin = NULL, *holder = NULL, *principal = "agent";
    int expired = 0, forge = 0, max_calls = -1;
    static fcp_token_claims c;
    fcp_token_claims_init(&c);
    uint64_t ttl = 300;
    for (int i = 9; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--expired")) expired = 1;
        else if (!strcmp(argv[i], "--forge")) forge = 1;
        else if (!strcmp(argv[i], "--checkpoint")) {
            /* bound to the node's revocation head at seq 0 (D-RUNTIME-7) */
            c.chk_seq = 0;
            c.chk_id_len = 32;
            memset(c.chk_id, 0, 32);
            c.present |= FCP_TC_CHK_ID | FCP_TC_CHK_SEQ;
        }
        else if (v && !strcmp(argv[i], "--aud-binary")) { aud_bin = v; i++; }
        else if (v && !strcmp(argv[i], "--holder")) { holder = v; i++; }
        else if (v && !strcmp(argv[i], "--principal")) { principal = v; i++; }
        else if (v && !strcmp(argv[i], "--max-calls")) { max_calls = atoi(v); i++; }
        else if (v && !strcmp(argv[i], "--ttl")) { ttl = (uint64_t)atoll(v); i++; }
        else return 2;
    }
    char b[4096];
    if (read_text(home, "node.attest", b, sizeof b) < 0)
        return 1;
    /* iss / iss_node: the node id is in fcpd.toml; take it from the file name convention */
    char cfg[8192], node[128] = "";
    if (read_text(home, "fcpd.toml", cfg, sizeof cfg) == 0) {
        char *p = strstr(cfg, "\nid = \"");
        if (p)
            sscanf(p + 7, "%127[^\"]", node);
    }
    uint64_t now = fcp_clock_unix_secs(fcp_clock_system());
    int rc = 0;
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_ISS, node);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_ISS_NODE, node);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_AUD, aud);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_ZONE_ID, zone);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_CAPABILITY_ID, cap);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_SUB, principal);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_PRINCIPAL_ID, principal);
    if (!rc) rc = fcp_token_claims_add_operation(&c, op);
    if (!rc && holder) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_HOLDER_NODE, holder);
    if (rc < 0) {
        fprintf(stderr, "token claims: %s\n", fcp_strerror(rc));
        return 1;
    }
    c.iat = expired ? now - 2000 : now;
    c.nbf = c.iat;
    c.exp = expired ? now - 1000 : now + ttl;
    c.present |= FCP_TC_IAT | FCP_TC_NBF | FCP_TC_EXP | FCP_TC_CTI;
    c.cti_len = 16;
    fcp_rng_fill(fcp_rng_system(), c.cti, 16);
    if (aud_bin) {
        if (fcp_hex_decode_exact(c.aud_binary, 32, aud_bin) < 0)
            return 2;
        c.present |= FCP_TC_AUD_BINARY;
    }
    if (max_calls >= 0) {
        c.constraints.has_max_calls = 1;
        c.constraints.max_calls = (uint32_t)max_calls;
        c.present |= FCP_TC_CONSTRAINTS;
    }
    /* the grant object's id under the zone's key */
    FILE *f = fopen(gf, "rb");
    static uint8_t g[FCP_CAP_MAX_ENCODED + 1];
    size_t gl = f ? fread(g, 1, sizeof g, f) : 0;
    if (f)
        fclose(f);
    static fcp_cap_object co;
    fcp_object_id_key k;
    if (fcp_cap_object_decode(&co, g, gl) < 0 || zone_oid(home, co.header.zone_id, &k) < 0 ||
        fcp_cap_object_id(c.grant_object_ids[0], &co, &k) < 0) {
        fprintf(stderr, "token: grant file %s unusable\n", gf);
        return 1;
    }
    c.n_grant_object_ids = 1;
    c.present |= FCP_TC_GRANT_IDS;
    uint8_t sk[64];
    if (forge) {
        /* a key nobody attested */
        uint8_t pk[32];
        fcp_ed25519_keypair(pk, sk, fcp_rng_system());
    } else if (node_line(home, "iss", sk) < 0) {
        fprintf(stderr, "token: node.key has no iss line\n");
        return 1;
    }
    fcp_buf t;
    fcp_buf_init(&t);
    rc = fcp_token_mint(&c, sk, &t);
    if (rc == 0 && forge) {
        /* keep the real kid so the issuer is found, and the bad signature is the reason */
        uint8_t real[64], rpk[32];
        fcp_buf t2;
        fcp_buf_init(&t2);
        if (node_line(home, "iss", real) == 0 && fcp_token_mint(&c, real, &t2) == 0 && t2.len == t.len) {
            memcpy(t2.data + t2.len - 64, t.data + t.len - 64, 64);   /* signature of the wrong key */
            fcp_buf_free(&t);
            t = t2;
        } else {
            fcp_buf_free(&t2);
        }
        (void)rpk;
    }
    if (rc == 0 && write_out(out, &t) < 0)
        rc = FCP_EIO;
    fcp_buf_free(&t);
    if (rc < 0)
        fprintf(stderr, "token: %s\n", fcp_strerror(rc));
    return rc < 0;
}

int main(int argc, char **argv)
{
    if (fcp_crypto_init() < 0 || argc < 2)
        return 2;
    if (!strcmp(argv[1], "grant"))
        return grant(argc, argv);
    if (!strcmp(argv[1], "token"))
        return token(argc, argv);
    return 2;
}
