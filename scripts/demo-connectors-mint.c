/*
 * demo-connectors-mint.c - the owner's two authority steps of
 * scripts/demo-connectors.sh that `fcp token mint` cannot do yet, built by
 * the script against libfcp.a:
 *
 *   demo-connectors-mint grant HOME ZONE CAP HOST PORT CREDENTIAL OUT
 *       an owner-signed CapabilityObject (owner.key in HOME) granting CAP to
 *       every principal of ZONE for one day, with network constraints that
 *       allow exactly HOST:PORT (https, SNI required, the spec's default
 *       cidr_deny list without the loopback entries and deny_localhost off,
 *       because the demo's server is on 127.0.0.1) and only CREDENTIAL to be
 *       injected.  fcpd reads it from HOME/grants/NAME.cap.
 *   demo-connectors-mint token HOME ZONE AUD CAP OP GRANT OUT BINARY_ID NODE
 *                        [--ttl SECONDS] [--chk-seq N --chk-id HEX]
 *       a CapabilityToken signed with node.key's issuance key ('iss' line)
 *       for operation OP of connector AUD, listing GRANT's ObjectId (under
 *       the zone's ObjectIdKey from zones.key) and carrying the grant's
 *       constraints, aud_binary = BINARY_ID (the running connector's binary,
 *       `fcp connector show`), holder_node = NODE (fcpd presents the holder
 *       proof) and the revocation checkpoint (default: the empty chain, seq 0
 *       with 32 zero bytes; D-RUNTIME-7).  Prints the token id (hex).
 *
 * Exit 0 on success, 1 with a message on stderr, 2 on usage.
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

static int read_file(const char *path, void *buf, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, cap, f);
    int again = fgetc(f) != EOF;
    fclose(f);
    if (again)
        return -1;
    *len = n;
    return 0;
}

static int read_text(const char *home, const char *name, char *buf, size_t cap)
{
    char p[4096];
    size_t n = 0;
    snprintf(p, sizeof p, "%s/%s", home, name);
    if (read_file(p, buf, cap - 1, &n) < 0)
        return -1;
    buf[n] = 0;
    return 0;
}

static int write_out(const char *path, const fcp_buf *b)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int bad = fwrite(b->data, 1, b->len, f) != b->len;
    return (fclose(f) != 0 || bad) ? -1 : 0;
}

/* owner.key: the owner's Ed25519 secret key, 128 hex digits */
static int owner_sk(const char *home, uint8_t sk[64])
{
    char b[512];
    if (read_text(home, "owner.key", b, sizeof b) < 0 || strlen(b) < 128)
        return -1;
    b[128] = 0;
    return fcp_hex_decode_exact(sk, 64, b);
}

/* node.key: "TAG HEX" lines; the token issuance key is 'iss' */
static int node_sk(const char *home, const char *tag, uint8_t sk[64])
{
    char b[4096];
    if (read_text(home, "node.key", b, sizeof b) < 0)
        return -1;
    size_t tl = strlen(tag);
    for (char *l = strtok(b, "\n"); l; l = strtok(NULL, "\n"))
        if (!strncmp(l, tag, tl) && l[tl] == ' ' && strlen(l + tl + 1) >= 128) {
            l[tl + 1 + 128] = 0;
            return fcp_hex_decode_exact(sk, 64, l + tl + 1);
        }
    return -1;
}

/* zones.key: "ZONE KID KEY OBJECTIDKEY" lines */
static int zone_oid(const char *home, const char *zone, fcp_object_id_key *k)
{
    char b[16384];
    if (read_text(home, "zones.key", b, sizeof b) < 0)
        return -1;
    for (char *l = strtok(b, "\n"); l; l = strtok(NULL, "\n")) {
        char z[80], kid[40], key[80], oid[80];
        if (sscanf(l, "%79s %39s %79s %79s", z, kid, key, oid) == 4 && !strcmp(z, zone))
            return fcp_hex_decode_exact(k->bytes, 32, oid);
    }
    return -1;
}

/* fcpd.toml's [node] id (the issuer and holder node) */
static int node_id(const char *home, char *out, size_t cap)
{
    static char cfg[65536];
    if (read_text(home, "fcpd.toml", cfg, sizeof cfg) < 0)
        return -1;
    const char *p = strstr(cfg, "\nid = \"");
    if (!p)
        return -1;
    p += 7;
    size_t n = strcspn(p, "\"");
    if (n == 0 || n >= cap)
        return -1;
    memcpy(out, p, n);
    out[n] = 0;
    return 0;
}

static int grant(int argc, char **argv)
{
    if (argc != 9)
        return 2;
    const char *home = argv[2], *zone = argv[3], *cap = argv[4], *host = argv[5], *cred = argv[7],
               *out = argv[8];
    long port = strtol(argv[6], NULL, 10);
    if (port < 1 || port > 65535)
        return 2;
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
    fcp_cap_constraints *c = &o.constraints;
    c->has_network = 1;
    fcp_net_constraints *n = &c->network;
    fcp_net_constraints_default(n);
    n->n_host_allow = 1;
    snprintf(n->host_allow[0], sizeof n->host_allow[0], "%s", host);
    n->n_port_allow = 1;
    n->port_allow[0] = (uint16_t)port;
    /* the server is on loopback: drop 127.0.0.0/8 and ::1/128, keep the rest */
    size_t k = 0;
    for (size_t i = 0; i < n->n_cidr_deny; i++)
        if (strcmp(n->cidr_deny[i], "127.0.0.0/8") && strcmp(n->cidr_deny[i], "::1/128"))
            memmove(n->cidr_deny[k++], n->cidr_deny[i], sizeof n->cidr_deny[0]);
    n->n_cidr_deny = k;
    n->deny_localhost = 0;
    c->n_credential_allow = 1;
    snprintf(c->credential_allow[0], sizeof c->credential_allow[0], "%s", cred);
    uint8_t sk[64];
    fcp_buf b;
    fcp_buf_init(&b);
    if (rc == 0 && owner_sk(home, sk) < 0)
        rc = FCP_EIO;
    if (rc == 0)
        rc = fcp_cap_object_sign(&o, sk);
    fcp_memzero(sk, sizeof sk);
    if (rc == 0)
        rc = fcp_cap_object_encode(&o, &b);
    if (rc == 0 && write_out(out, &b) < 0)
        rc = FCP_EIO;
    fcp_buf_free(&b);
    if (rc < 0)
        fprintf(stderr, "demo-connectors-mint grant: %s\n", fcp_strerror(rc));
    return rc < 0;
}

static int token(int argc, char **argv)
{
    if (argc < 11)
        return 2;
    const char *home = argv[2], *zone = argv[3], *aud = argv[4], *cap = argv[5], *op = argv[6], *gf = argv[7],
               *out = argv[8], *bin = argv[9], *holder = argv[10];
    static fcp_token_claims c;
    fcp_token_claims_init(&c);
    uint64_t ttl = 600;
    /* the checkpoint: the empty revocation chain unless told (D-RUNTIME-7) */
    c.chk_seq = 0;
    c.chk_id_len = 32;
    memset(c.chk_id, 0, 32);
    c.present |= FCP_TC_CHK_ID | FCP_TC_CHK_SEQ;
    for (int i = 11; i < argc; i += 2) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v && !strcmp(argv[i], "--ttl")) ttl = strtoull(v, NULL, 10);
        else if (v && !strcmp(argv[i], "--chk-seq")) c.chk_seq = strtoull(v, NULL, 10);
        else if (v && !strcmp(argv[i], "--chk-id")) {
            if (fcp_hex_decode_exact(c.chk_id, 32, v) < 0)
                return 2;
        } else
            return 2;
    }
    if (ttl == 0)
        return 2;
    char node[128];
    if (node_id(home, node, sizeof node) < 0) {
        fprintf(stderr, "demo-connectors-mint token: no node id in %s/fcpd.toml\n", home);
        return 1;
    }
    static uint8_t g[FCP_CAP_MAX_ENCODED + 1];
    size_t gl = 0;
    static fcp_cap_object co;
    fcp_object_id_key k;
    if (read_file(gf, g, sizeof g, &gl) < 0 || fcp_cap_object_decode(&co, g, gl) < 0 ||
        zone_oid(home, co.header.zone_id, &k) < 0 || fcp_cap_object_id(c.grant_object_ids[0], &co, &k) < 0) {
        fprintf(stderr, "demo-connectors-mint token: grant file %s unusable\n", gf);
        return 1;
    }
    c.n_grant_object_ids = 1;
    c.present |= FCP_TC_GRANT_IDS;
    c.constraints = co.constraints;
    c.present |= FCP_TC_CONSTRAINTS;
    uint64_t now = fcp_clock_unix_secs(fcp_clock_system());
    int rc = 0;
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_ISS, node);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_ISS_NODE, node);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_AUD, aud);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_ZONE_ID, zone);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_CAPABILITY_ID, cap);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_SUB, "agent");
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_PRINCIPAL_ID, "agent");
    if (!rc) rc = fcp_token_claims_add_operation(&c, op);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_HOLDER_NODE, holder);
    if (!rc && fcp_hex_decode_exact(c.aud_binary, 32, bin) < 0)
        rc = FCP_EINVAL;
    if (rc < 0) {
        fprintf(stderr, "demo-connectors-mint token: claims: %s\n", fcp_strerror(rc));
        return 1;
    }
    c.present |= FCP_TC_AUD_BINARY;
    c.iat = c.nbf = now;
    c.exp = now + ttl;
    c.present |= FCP_TC_IAT | FCP_TC_NBF | FCP_TC_EXP | FCP_TC_CTI;
    c.cti_len = 16;
    fcp_rng_fill(fcp_rng_system(), c.cti, 16);
    uint8_t sk[64];
    if (node_sk(home, "iss", sk) < 0) {
        fprintf(stderr, "demo-connectors-mint token: %s/node.key has no iss line\n", home);
        return 1;
    }
    fcp_buf t;
    fcp_buf_init(&t);
    rc = fcp_token_mint(&c, sk, &t);
    fcp_memzero(sk, sizeof sk);
    if (rc == 0 && write_out(out, &t) < 0)
        rc = FCP_EIO;
    fcp_buf_free(&t);
    if (rc < 0) {
        fprintf(stderr, "demo-connectors-mint token: %s\n", fcp_strerror(rc));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 2;
    if (argc >= 2 && fcp_crypto_init() == 0) {
        if (!strcmp(argv[1], "grant"))
            rc = grant(argc, argv);
        else if (!strcmp(argv[1], "token"))
            rc = token(argc, argv);
    }
    if (rc == 2)
        fprintf(stderr, "usage: demo-connectors-mint grant HOME ZONE CAP HOST PORT CREDENTIAL OUT\n"
                        "       demo-connectors-mint token HOME ZONE AUD CAP OP GRANT OUT BINARY_ID NODE\n"
                        "                            [--ttl S] [--chk-seq N --chk-id HEX]\n");
    return rc;
}
