/*
 * mcp_helper.c - test helper for tests/interop/mcp_sdk.sh.
 *
 *   mcp_helper sign MANIFEST.toml BINARY
 *       prints the publisher signature (hex) that fcpd's [[connector]]
 *       "signature" key wants, made with the reference connectors' TEST
 *       publisher key (Ed25519 seed a0 a1 .. bf, the key in
 *       connectors/notes/manifest.toml).  Never for real keys.
 *   mcp_helper mint HOME ZONE CAPABILITY PRINCIPAL BINARY OUT
 *       what an owner does to let an agent call a connector: an owner-signed
 *       CapabilityObject granting CAPABILITY to PRINCIPAL in ZONE, written to
 *       HOME/grants/<capability>.cap (where fcpd looks, D-RUNTIME-5), and a
 *       CapabilityToken from this node's issuance key listing its id, with
 *       aud = the connector id fcp.notes, aud_binary = BINARY's id,
 *       holder_node = this node (fcpd signs the holder proof, D-RUNTIME-6)
 *       and the checkpoint of a node with no revocations (seq 0, D-RUNTIME-7).
 *       `fcp token mint` does not set aud_binary / holder_node or make grant
 *       objects (yet); this helper is linked with cmd/fcp/ (all but main.c)
 *       to read FCP_HOME the way fcp does.
 *   mcp_helper connectors SOCK
 *       sends {"op":"connectors"} to fcpd and prints the answer as JSON.
 *       Exit 0 for {ok: true}, 3 when fcpd does not know the op (or the
 *       request), 1 for anything else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "../../cmd/fcp/cmd.h"
#include "fcp/admin.h"
#include "fcp/authz_token.h"
#include "fcp/clock.h"
#include "fcp/model_cap.h"
#include "fcp/model_object.h"
#include "fcp/rng.h"
#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/host_manifest.h"
#include "fcp/toml.h"

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0, got;
    unsigned char *b = malloc(cap);
    while (b && (got = fread(b + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            unsigned char *nb = realloc(b, cap * 2);
            if (!nb)
                free(b);
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    *n = len;
    return b;
}

static int sign(const char *mpath, const char *bpath)
{
    size_t ml = 0, bl = 0;
    unsigned char *mt = slurp(mpath, &ml), *bin = slurp(bpath, &bl);
    if (!mt || !bin) {
        fprintf(stderr, "mcp_helper: cannot read inputs\n");
        return 1;
    }
    fcp_manifest m;
    fcp_toml_error te;
    if (fcp_manifest_parse(&m, mpath, (const char *)mt, ml, &te) < 0) {
        fprintf(stderr, "mcp_helper: manifest: %s\n", te.msg);
        return 1;
    }
    uint8_t seed[32], pk[32], sk[64], mh[32], bh[32], sig[64];
    for (int i = 0; i < 32; i++)
        seed[i] = (uint8_t)(0xa0 + i);
    crypto_sign_seed_keypair(pk, sk, seed);
    fcp_manifest_hash(&m, mh);
    fcp_manifest_binary_hash(bin, bl, bh);
    int rc = fcp_manifest_sign(sig, mh, bh, sk);
    if (rc == 0) {
        char hex[129];
        fcp_hex_encode(hex, sizeof hex, sig, 64);
        printf("%s\n", hex);
    }
    fcp_manifest_free(&m);
    free(mt);
    free(bin);
    return rc == 0 ? 0 : 1;
}

static int connectors(const char *sock)
{
    fcp_buf req, frame, resp;
    fcp_buf_init(&req);
    fcp_buf_init(&frame);
    fcp_buf_init(&resp);
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, &req);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "op");
    fcp_cbor_put_cstr(&e, "connectors");
    fcp_cbor_map_close(&e);
    fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    fcp_admin_client c;
    int rc = fcp_admin_client_open(&c, sock);
    if (rc == 0) {
        fcp_admin_frame_encode(&frame, 1, req.data, req.len);
        rc = (size_t)write(c.fd, frame.data, frame.len) == frame.len ? 0 : FCP_EADMIN_CONNECT;
        if (rc == 0)
            rc = fcp_admin_client_recv(&c, 1, &resp);
        fcp_admin_client_close(&c);
    }
    int status = 1;
    if (rc == 0) {
        fcp_buf js;
        fcp_buf_init(&js);
        fcp_admin_to_json(resp.data, resp.len, &js);
        printf("%.*s\n", (int)js.len, (const char *)js.data);
        fcp_buf_free(&js);
        int err = 0, ok = 0;
        char detail[256];
        int f = fcp_admin_resp_failed(resp.data, resp.len, &err, detail, sizeof detail);
        if (f == 0 && fcp_admin_resp_bool(resp.data, resp.len, "ok", &ok) == 1 && ok)
            status = 0;
        else if (f == 1 && (err == FCP_EADMIN_UNKNOWN_OP || err == FCP_EADMIN_MALFORMED))
            status = 3;
    } else {
        fprintf(stderr, "mcp_helper: no answer from %s (%s)\n", sock, fcp_strerror(rc));
    }
    fcp_buf_free(&req);
    fcp_buf_free(&frame);
    fcp_buf_free(&resp);
    return status;
}

static int mint(char **a)
{
    const char *home = a[0], *zone = a[1], *cap = a[2], *principal = a[3], *binpath = a[4], *out = a[5];
    static fcp_node_attestation at;
    static cmd_zone_key zk[CMD_ZONES_MAX];
    static fcp_cap_object co;
    static fcp_token_claims c;
    uint8_t owner_pk[32], owner_sk[64], iss_sk[64];
    size_t nz = 0, bl = 0;
    const cmd_zone_key *z = NULL;
    int rc = cmd_load_attestation(home, "node.attest", &at);
    if (!rc) rc = cmd_load_owner(home, owner_pk, owner_sk);
    if (!rc) rc = cmd_load_node_keys(home, NULL, NULL, iss_sk);
    if (!rc) rc = cmd_load_zone_keys(home, zk, CMD_ZONES_MAX, &nz);
    if (!rc && !(z = cmd_find_zone_key(zk, nz, zone))) rc = FCP_ENOENT;
    unsigned char *bin = rc ? NULL : slurp(binpath, &bl);
    if (!rc && !bin) rc = FCP_EIO;
    if (rc < 0) {
        fprintf(stderr, "mcp_helper mint: reading %s: %s\n", home, fcp_strerror(rc));
        return 1;
    }
    uint64_t now = fcp_clock_unix_secs(fcp_clock_system());
    fcp_schema_id s;
    fcp_cap_object_schema(&s);
    rc = fcp_object_header_init(&co.header, &s, zone, now - 60);
    snprintf(co.capability_id, sizeof co.capability_id, "%s", cap);
    co.grantee = FCP_GRANTEE_PRINCIPAL;
    snprintf(co.grantee_value, sizeof co.grantee_value, "%s", principal);
    co.valid_from = now - 60;
    co.valid_until = now + 3600;
    if (!rc) rc = fcp_cap_object_sign(&co, owner_sk);
    fcp_buf enc, tok;
    fcp_buf_init(&enc);
    fcp_buf_init(&tok);
    if (!rc) rc = fcp_cap_object_encode(&co, &enc);
    char name[300];
    snprintf(name, sizeof name, "grants/%s.cap", cap);
    if (!rc) {
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/grants", home);
        mkdir(dir, 0700);
        rc = cmd_write_home_file(home, name, enc.data, enc.len, 0600);
    }
    fcp_token_claims_init(&c);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_ISS, at.node_id);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_ISS_NODE, at.node_id);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_AUD, "fcp.notes");
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_ZONE_ID, zone);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_CAPABILITY_ID, cap);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_SUB, principal);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_PRINCIPAL_ID, principal);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_HOLDER_NODE, at.node_id);
    if (!rc) rc = fcp_cap_object_id(c.grant_object_ids[0], &co, &z->oid_key);
    c.n_grant_object_ids = 1;
    fcp_manifest_binary_hash(bin, bl, c.aud_binary);
    c.iat = c.nbf = now;
    c.exp = now + 600;
    c.cti_len = 16;
    /* checkpoint binding (Risky/Dangerous): fcpd's revocation chain head,
     * which for a node that never applied a revocation is seq 0 with a
     * 32-byte zero id (D-RUNTIME-7) */
    c.chk_seq = 0;
    c.chk_id_len = 32;
    memset(c.chk_id, 0, 32);
    c.present |= FCP_TC_IAT | FCP_TC_NBF | FCP_TC_EXP | FCP_TC_CTI | FCP_TC_GRANT_IDS | FCP_TC_AUD_BINARY |
                 FCP_TC_CHK_ID | FCP_TC_CHK_SEQ;
    if (!rc) rc = fcp_rng_fill(fcp_rng_system(), c.cti, 16);
    if (!rc) rc = fcp_token_mint(&c, iss_sk, &tok);
    FILE *f = rc ? NULL : fopen(out, "wb");
    if (!rc && (!f || fwrite(tok.data, 1, tok.len, f) != tok.len))
        rc = FCP_EIO;
    if (f)
        fclose(f);
    sodium_memzero(owner_sk, sizeof owner_sk);
    sodium_memzero(iss_sk, sizeof iss_sk);
    sodium_memzero(zk, sizeof zk);
    fcp_buf_free(&enc);
    fcp_buf_free(&tok);
    free(bin);
    if (rc < 0) {
        fprintf(stderr, "mcp_helper mint: %s\n", fcp_strerror(rc));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        return 1;
    if (argc == 4 && !strcmp(argv[1], "sign"))
        return sign(argv[2], argv[3]);
    if (argc == 8 && !strcmp(argv[1], "mint"))
        return mint(argv + 2);
    if (argc == 3 && !strcmp(argv[1], "connectors"))
        return connectors(argv[2]);
    fprintf(stderr, "usage: mcp_helper sign MANIFEST BINARY | mint HOME ZONE CAP PRINCIPAL BINARY OUT | connectors SOCK\n");
    return 2;
}
