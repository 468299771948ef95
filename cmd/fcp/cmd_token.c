/*
 * cmd_token.c - `fcp token mint` and `fcp token inspect`: CapabilityTokens
 * (spec §7.5, authz_token.h) minted with this node's issuance key (the "iss"
 * line of node.key, attested as node_iss_pubkey in node.attest by `fcp
 * init`), and decoded and checked: envelope, issuer attestation (by kid,
 * owner-signed), issuer signature, iss_node, and time (nbf / iat / exp with
 * the default skew).  Decision D-CLI-2 (which claims mint sets).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "cmd.h"
#include "fcp/admin.h"
#include "fcp/cbor.h"
#include "fcp/authz_token.h"
#include "fcp/clock.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/rng.h"

static void usage(void)
{
    printf("usage: fcp token mint --zone Z --audience CONNECTOR --capability CAP [options]\n"
           "       fcp token inspect FILE|- [--daemon] [--home DIR] [--json]\n"
           "\n"
           "mint: a CapabilityToken (COSE_Sign1 over CWT claims) signed with this node's\n"
           "token issuance key (node.key 'iss', attested in node.attest).\n"
           "  --zone Z            zone the token is valid in (zone_id claim)\n"
           "  --audience ID       connector id (aud)\n"
           "  --capability CAP    capability_id\n"
           "  --operation OP      granted operation (repeatable; none = the whole capability)\n"
           "  --ttl DUR           lifetime (default 300s; e.g. 90s, 15m, 1h)\n"
           "  --subject P         principal (sub and principal_id; default \"agent\")\n"
           "  --grant FILE|NAME   an owner-signed CapabilityObject whose id the token lists\n"
           "                      (grant_object_ids; a file, or NAME[.cap] in FCP_HOME/grants);\n"
           "                      none: `fcp grant create` is run for zone + capability (needs\n"
           "                      owner.key; said on stderr)\n"
           "  --no-grant          list no grant object (the token is then refused by fcpd)\n"
           "  --aud-binary HEX    aud_binary: the connector's runtime binary_id (64 hex)\n"
           "  --connector-binary-from-daemon  ask fcpd for it (admin op connectors; an\n"
           "                      error if fcpd cannot say).  Default: asked when fcpd runs\n"
           "  --holder NODE_ID    holder_node (default this node; 'none' leaves it out)\n"
           "  --checkpoint SEQ:HEX  chk_seq / chk_id (revocation head; 0:000..0 = empty chain).\n"
           "                      Default: fcpd's current revocation head when fcpd runs\n"
           "  --offline           ask fcpd nothing (only what options give is bound)\n"
           "  --socket PATH       the fcpd to ask (default FCP_HOME/fcpd.sock)\n"
           "  -o FILE             write the token there (default stdout, binary)\n"
           "inspect: decode FILE (- = stdin) and check it: envelope, issuer attestation\n"
           "found by kid in FCP_HOME (node.attest, nodes/*.attest) and signed by the\n"
           "owner, token signature, iss_node, time.  Exit 1 names the first failure.\n"
           "  --daemon            also ask the local fcpd whether the token, or its issuer's\n"
           "                      attestation or issuance key, is revoked\n"
           "  --socket PATH       the same, asking the fcpd at PATH\n"
           "  --home DIR          FCP_HOME (default $FCP_HOME)\n"
           "  --json              print the result as JSON\n");
}

/* The grant's ObjectId: arg is a file, or NAME / NAME.cap in FCP_HOME/grants. */
static int grant_id(const char *home, const char *arg, uint8_t id[32], char *path, size_t pcap)
{
    FILE *f = fopen(arg, "rb");
    if (f)
        snprintf(path, pcap, "%s", arg);
    else {
        size_t l = strlen(arg);
        snprintf(path, pcap, "%s/grants/%s%s", home, arg, l > 4 && !strcmp(arg + l - 4, ".cap") ? "" : ".cap");
        if (strchr(arg, '/') || !(f = fopen(path, "rb")))
            return FCP_ECLI_GRANT_NOT_FOUND;
    }
    static uint8_t g[FCP_CAP_MAX_ENCODED + 1];
    size_t gl = fread(g, 1, sizeof g, f);
    fclose(f);
    static fcp_cap_object co;
    static cmd_zone_key zk[CMD_ZONES_MAX];
    size_t nz = 0;
    const cmd_zone_key *z = NULL;
    int rc = fcp_cap_object_decode(&co, g, gl);
    if (rc == 0 && ((rc = cmd_load_zone_keys(home, zk, CMD_ZONES_MAX, &nz)) < 0 ||
                    !(z = cmd_find_zone_key(zk, nz, co.header.zone_id))))
        rc = rc < 0 ? rc : FCP_EDAEMON_KEY;
    if (rc == 0)
        rc = fcp_cap_object_id(id, &co, &z->oid_key);
    fcp_memzero(zk, sizeof zk);
    return rc;
}

/* Does the admin socket exist?  (Default bindings ask fcpd only when it runs.) */
static int daemon_socket_exists(const char *sock)
{
    char p[4200];
    if (sock)
        snprintf(p, sizeof p, "%s", sock);
    else if (getenv("FCP_HOME"))
        snprintf(p, sizeof p, "%s/fcpd.sock", getenv("FCP_HOME"));
    else
        return 1;   /* let cmd_admin_call resolve it */
    FILE *f = fopen(p, "r");
    if (f) {
        fclose(f);
        return 1;
    }
    return access(p, F_OK) == 0;
}

/* fcpd's runtime binary_id of connector aud (admin op connectors). */
static int daemon_binary_id(const char *sock, const char *aud, uint8_t out[32], int quiet)
{
    if (quiet && !daemon_socket_exists(sock))
        return FCP_EADMIN_CONNECT;
    fcp_admin_request rq;
    memset(&rq, 0, sizeof rq);
    rq.op = FCP_ADMIN_OP_CONNECTORS;
    rq.has_connector = 1;
    snprintf(rq.connector, sizeof rq.connector, "%s", aud);
    fcp_buf resp;
    fcp_buf_init(&resp);
    int rc = cmd_admin_call("token", sock, &rq, &resp) ? FCP_EADMIN_CONNECT : FCP_EADMIN_RESPONSE;
    const uint8_t *arr, *cv, *rtv;
    size_t al, cl, rtl;
    if (rc == FCP_EADMIN_RESPONSE && fcp_admin_resp_raw(resp.data, resp.len, "connectors", &arr, &al) == 1) {
        fcp_cbor_dec d;
        fcp_cbor_dec_init(&d, arr, al, NULL);
        uint64_t n;
        const char *h;
        size_t hl;
        if (fcp_cbor_get_array(&d, &n) == 0 && n >= 1 && fcp_cbor_get_raw(&d, &cv, &cl) == 0 &&
            fcp_admin_resp_raw(cv, cl, "runtime", &rtv, &rtl) == 1 &&
            fcp_admin_resp_text(rtv, rtl, "binary_id", &h, &hl) == 1 && hl == 64) {
            char hx[65];
            memcpy(hx, h, 64);
            hx[64] = 0;
            if (fcp_hex_decode_exact(out, 32, hx) == 0)
                rc = 0;
        }
    }
    fcp_buf_free(&resp);
    return rc;
}

/* fcpd's revocation head: seq and the head event id (32 zero bytes at seq 0). */
static int daemon_checkpoint(const char *sock, uint64_t *seq, uint8_t id[32])
{
    if (!daemon_socket_exists(sock))
        return FCP_EADMIN_CONNECT;
    fcp_admin_request rq;
    memset(&rq, 0, sizeof rq);
    rq.op = FCP_ADMIN_OP_REVOCATIONS;
    fcp_buf resp;
    fcp_buf_init(&resp);
    int rc = cmd_admin_call("token", sock, &rq, &resp) ? FCP_EADMIN_CONNECT : 0;
    const uint8_t *h;
    size_t hl;
    if (rc == 0 && fcp_admin_resp_uint(resp.data, resp.len, "seq", seq) != 1)
        rc = FCP_EADMIN_RESPONSE;
    if (rc == 0 && *seq == 0)
        memset(id, 0, 32);
    else if (rc == 0 && (fcp_admin_resp_bytes(resp.data, resp.len, "head", &h, &hl) != 1 || hl != 32))
        rc = FCP_EADMIN_RESPONSE;
    else if (rc == 0)
        memcpy(id, h, 32);
    fcp_buf_free(&resp);
    return rc;
}

static int mint(int argc, char **argv)
{
    const char *homeopt = NULL, *zone = NULL, *aud = NULL, *cap = NULL, *subject = NULL, *out = NULL;
    const char *grant = NULL, *ops[FCP_TOKEN_MAX_OPS], *aud_bin = NULL, *holder = NULL, *chk = NULL, *sock = NULL;
    size_t n_ops = 0;
    uint64_t ttl = FCP_TOKEN_DEFAULT_TTL;
    int json = 0, no_grant = 0, offline = 0, bin_from_daemon = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--json")) json = 1;
        else if (v && !strcmp(a, "--home")) { homeopt = v; i++; }
        else if (v && !strcmp(a, "--zone")) { zone = v; i++; }
        else if (v && !strcmp(a, "--audience")) { aud = v; i++; }
        else if (v && !strcmp(a, "--capability")) { cap = v; i++; }
        else if (v && !strcmp(a, "--subject")) { subject = v; i++; }
        else if (v && !strcmp(a, "--grant")) { grant = v; i++; }
        else if (!strcmp(a, "--no-grant")) no_grant = 1;
        else if (!strcmp(a, "--offline")) offline = 1;
        else if (!strcmp(a, "--connector-binary-from-daemon")) bin_from_daemon = 1;
        else if (v && !strcmp(a, "--aud-binary")) { aud_bin = v; i++; }
        else if (v && !strcmp(a, "--holder")) { holder = v; i++; }
        else if (v && !strcmp(a, "--checkpoint")) { chk = v; i++; }
        else if (v && !strcmp(a, "--socket")) { sock = v; i++; }
        else if (v && !strcmp(a, "-o")) { out = v; i++; }
        else if (v && !strcmp(a, "--operation") && n_ops < FCP_TOKEN_MAX_OPS) { ops[n_ops++] = v; i++; }
        else if (v && !strcmp(a, "--ttl")) {
            if (cmd_parse_duration(v, &ttl) < 0 || !ttl) {
                fprintf(stderr, "fcp token: --ttl wants a duration such as 90s, 15m, 1h\n");
                return 2;
            }
            i++;
        } else {
            fprintf(stderr, "fcp token mint: unknown or incomplete option '%s' (try --help)\n", a);
            return 2;
        }
    }
    if (!zone || !aud || !cap) {
        fprintf(stderr, "fcp token mint: --zone, --audience and --capability are required\n");
        return 2;
    }
    char home[4096];
    if (cmd_home_path(home, sizeof home, homeopt) < 0) {
        cmd_error("token", FCP_EDAEMON_HOME, "set FCP_HOME or --home");
        return 2;
    }
    fcp_node_attestation at;
    uint8_t iss_sk[64], pk[32];
    int rc = cmd_load_attestation(home, "node.attest", &at);
    if (rc < 0 || (rc = cmd_load_node_keys(home, NULL, NULL, iss_sk)) < 0) {
        cmd_error("token", rc, "node.attest / node.key 'iss' line (run fcp init)");
        return 1;
    }
    fcp_ed25519_sk_to_pk(pk, iss_sk);
    if (memcmp(pk, at.node_iss_pubkey, 32)) {
        fcp_memzero(iss_sk, sizeof iss_sk);
        cmd_error("token", FCP_EDAEMON_KEY, "node.key's issuance key is not the one node.attest attests");
        return 1;
    }
    static fcp_token_claims c;
    fcp_token_claims_init(&c);
    uint64_t now = fcp_clock_unix_secs(fcp_clock_system());
    rc = 0;
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_ISS, at.node_id);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_ISS_NODE, at.node_id);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_AUD, aud);
    if (!rc) rc = fcp_zone_id_validate(zone, strlen(zone));
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_ZONE_ID, zone);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_CAPABILITY_ID, cap);
    if (!subject)
        subject = "agent";
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_SUB, subject);
    if (!rc) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_PRINCIPAL_ID, subject);
    if (!holder)
        holder = at.node_id;
    if (!rc && strcmp(holder, "none")) rc = fcp_token_claims_set_text(&c, FCP_CLAIM_HOLDER_NODE, holder);
    for (size_t i = 0; !rc && i < n_ops; i++)
        rc = fcp_token_claims_add_operation(&c, ops[i]);
    if (rc < 0) {
        fcp_memzero(iss_sk, sizeof iss_sk);
        cmd_error("token", rc, "claims");
        return 2;
    }
    c.iat = now;
    c.nbf = now;
    c.exp = now + ttl;
    c.present |= FCP_TC_IAT | FCP_TC_NBF | FCP_TC_EXP | FCP_TC_CTI;
    c.cti_len = 16;
    if (fcp_rng_fill(fcp_rng_system(), c.cti, 16) < 0) {
        fcp_memzero(iss_sk, sizeof iss_sk);
        return 1;
    }
    char gpath[4400] = "";
    int auto_grant = 0;
    if (!grant && !no_grant) {
        static cmd_grant_spec gs;
        memset(&gs, 0, sizeof gs);
        gs.zone = zone;
        gs.capability = cap;
        gs.valid_secs = ttl + 86400;   /* outlives the token */
        if ((rc = cmd_grant_make(home, &gs, NULL, gpath, sizeof gpath, c.grant_object_ids[0])) < 0) {
            /* a member node without owner.key: the token lists no grant (fcpd refuses it) */
            char code[16];
            fprintf(stderr, "fcp token mint: note: no --grant and no grant object could be created (%s %s): "
                            "the token lists none\n", fcp_error_code(rc, code, sizeof code), fcp_strerror(rc));
            gpath[0] = 0;
            rc = 0;
        } else {
            auto_grant = 1;
            c.n_grant_object_ids = 1;
            c.present |= FCP_TC_GRANT_IDS;
            fprintf(stderr, "fcp token mint: no --grant given: created grant object %s\n", gpath);
        }
    } else if (grant && (rc = grant_id(home, grant, c.grant_object_ids[0], gpath, sizeof gpath)) < 0) {
        fcp_memzero(iss_sk, sizeof iss_sk);
        cmd_error("token", rc, grant);
        return 1;
    } else if (grant) {
        c.n_grant_object_ids = 1;
        c.present |= FCP_TC_GRANT_IDS;
        /* fcpd finds grant objects only in FCP_HOME/grants (D-RUNTIME-5) */
        char gdir[4200], *rp = realpath(gpath, NULL), *rd;
        snprintf(gdir, sizeof gdir, "%s/grants", home);
        rd = realpath(gdir, NULL);
        size_t rdl = rd ? strlen(rd) : 0;
        if (!rp || !rd || strncmp(rp, rd, rdl) || rp[rdl] != '/' || strchr(rp + rdl + 1, '/'))
            fprintf(stderr, "fcp token mint: note: grant %s is not in %s/grants: fcpd will not find it there "
                            "(copy it in)\n", gpath, home);
        free(rp);
        free(rd);
    }
    /* aud_binary and the checkpoint (D-RUNTIME-7): options first, then fcpd */
    const char *bound_bin = "none", *bound_chk = "none";
    if (aud_bin) {
        if (fcp_hex_decode_exact(c.aud_binary, 32, aud_bin) < 0) {
            fcp_memzero(iss_sk, sizeof iss_sk);
            fprintf(stderr, "fcp token mint: --aud-binary wants 64 hex digits\n");
            return 2;
        }
        c.present |= FCP_TC_AUD_BINARY;
        bound_bin = "option";
    } else if (bin_from_daemon || !offline) {
        rc = daemon_binary_id(sock, aud, c.aud_binary, !bin_from_daemon);
        if (rc == 0) {
            c.present |= FCP_TC_AUD_BINARY;
            bound_bin = "fcpd";
        } else if (bin_from_daemon) {
            fcp_memzero(iss_sk, sizeof iss_sk);
            cmd_error("token", FCP_ECLI_BINDING, "asking fcpd for the connector's binary_id");
            return 1;
        }
    }
    if (chk) {
        unsigned long long sq;
        char hx[80];
        if (sscanf(chk, "%llu:%70s", &sq, hx) != 2 || fcp_hex_decode_exact(c.chk_id, 32, hx) < 0) {
            fcp_memzero(iss_sk, sizeof iss_sk);
            cmd_error("token", FCP_ECLI_CHECKPOINT, chk);
            return 2;
        }
        c.chk_seq = sq;
        c.chk_id_len = 32;
        c.present |= FCP_TC_CHK_ID | FCP_TC_CHK_SEQ;
        bound_chk = "option";
    } else if (!offline) {
        if (daemon_checkpoint(sock, &c.chk_seq, c.chk_id) == 0) {
            c.chk_id_len = 32;
            c.present |= FCP_TC_CHK_ID | FCP_TC_CHK_SEQ;
            bound_chk = "fcpd";
        }
    }
    if (!offline && (strcmp(bound_bin, "none") == 0 || strcmp(bound_chk, "none") == 0))
        fprintf(stderr, "fcp token mint: note: fcpd gave no %s%s%s; the token is good for Safe operations only "
                        "(give --aud-binary / --checkpoint, or start fcpd)\n",
                strcmp(bound_bin, "none") ? "" : "connector binary_id", strcmp(bound_bin, "none") ||
                strcmp(bound_chk, "none") ? "" : " or ", strcmp(bound_chk, "none") ? "" : "revocation head");
    fcp_buf tok;
    fcp_buf_init(&tok);
    rc = fcp_token_mint(&c, iss_sk, &tok);
    fcp_memzero(iss_sk, sizeof iss_sk);
    if (rc < 0) {
        fcp_buf_free(&tok);
        cmd_error("token", rc, "minting");
        return 1;
    }
    fcp_cose_sign1 s;
    uint8_t tid[32];
    char tidh[65], ctih[33];
    fcp_cose_sign1_decode(&s, tok.data, tok.len);
    fcp_token_id(tid, &s);
    fcp_hex_encode(tidh, sizeof tidh, tid, 32);
    fcp_hex_encode(ctih, sizeof ctih, c.cti, 16);
    if (out) {
        FILE *f = fopen(out, "wb");
        if (!f || fwrite(tok.data, 1, tok.len, f) != tok.len || fclose(f) != 0) {
            fprintf(stderr, "fcp token: cannot write %s\n", out);
            fcp_buf_free(&tok);
            return 1;
        }
        if (json)
            printf("{\"file\":\"%s\",\"token_id\":\"%s\",\"cti\":\"%s\",\"bytes\":%zu,\"exp\":%llu,"
                   "\"grant\":\"%s\",\"grant_created\":%s,\"aud_binary\":\"%s\",\"checkpoint\":\"%s\","
                   "\"chk_seq\":%llu}\n",
                   out, tidh, ctih, tok.len, (unsigned long long)c.exp, gpath, auto_grant ? "true" : "false",
                   bound_bin, bound_chk, (unsigned long long)c.chk_seq);
        else
            printf("minted %s (%zu bytes)\n  token id %s\n  issuer %s  zone %s  aud %s  cap %s\n  expires %llu (in %llus)\n",
                   out, tok.len, tidh, at.node_id, zone, aud, cap, (unsigned long long)c.exp,
                   (unsigned long long)ttl);
        if (!json)
            printf("  grant %s%s\n  holder %s  aud_binary from %s  checkpoint from %s (seq %llu)\n",
                   gpath[0] ? gpath : "(none)", auto_grant ? " (created)" : "", holder, bound_bin, bound_chk,
                   (unsigned long long)c.chk_seq);
    } else {
        fwrite(tok.data, 1, tok.len, stdout);
    }
    fcp_buf_free(&tok);
    return 0;
}

/* Find the attestation whose issuance kid is kid: node.attest, then nodes/. */
static int issuer_by_kid(const char *home, const uint8_t kid[FCP_KID_BYTES], fcp_node_attestation *a)
{
    uint8_t k[FCP_KID_BYTES];
    if (cmd_load_attestation(home, "node.attest", a) == 0) {
        fcp_attestation_kids(a, NULL, NULL, k);
        if (!memcmp(k, kid, FCP_KID_BYTES))
            return 0;
    }
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/nodes", home);
    DIR *d = opendir(dir);
    if (!d)
        return FCP_ENOENT;
    struct dirent *e;
    int rc = FCP_ENOENT;
    while (rc && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 8 || strcmp(e->d_name + l - 7, ".attest"))
            continue;
        char name[600];
        snprintf(name, sizeof name, "nodes/%s", e->d_name);
        if (cmd_load_attestation(home, name, a) < 0)
            continue;
        fcp_attestation_kids(a, NULL, NULL, k);
        if (!memcmp(k, kid, FCP_KID_BYTES))
            rc = 0;
    }
    closedir(d);
    return rc;
}

/* Ask fcpd whether id is revoked in scope: 1 yes, 0 no, < 0 the call failed. */
static int daemon_revoked(const char *sock, const uint8_t id[32], enum fcp_rev_scope scope)
{
    fcp_admin_request rq;
    memset(&rq, 0, sizeof rq);
    rq.op = FCP_ADMIN_OP_REVOCATIONS;
    rq.has_id = 1;
    memcpy(rq.id, id, 32);
    fcp_buf resp;
    fcp_buf_init(&resp);
    uint64_t scopes = 0;
    int rc = cmd_admin_call("token", sock, &rq, &resp) ? FCP_EADMIN_CONNECT : 0;
    if (rc == 0 && fcp_admin_resp_uint(resp.data, resp.len, "scopes", &scopes) != 1)
        rc = FCP_EADMIN_RESPONSE;
    fcp_buf_free(&resp);
    return rc < 0 ? rc : (int)((scopes >> scope) & 1u);
}

static int inspect(int argc, char **argv)
{
    const char *homeopt = NULL, *file = NULL, *sock = NULL;
    int json = 0, ask = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "--daemon")) ask = 1;
        else if (v && !strcmp(a, "--socket")) { sock = v; ask = 1; i++; }
        else if (v && !strcmp(a, "--home")) { homeopt = v; i++; }
        else if ((a[0] != '-' || !strcmp(a, "-")) && !file) file = a;
        else {
            fprintf(stderr, "fcp token inspect: unknown or incomplete option '%s' (try --help)\n", a);
            return 2;
        }
    }
    if (!file) {
        fprintf(stderr, "fcp token inspect: name a token file or - (try --help)\n");
        return 2;
    }
    char home[4096];
    if (cmd_home_path(home, sizeof home, homeopt) < 0)
        return 2;
    size_t len;
    uint8_t *p = cmd_read_input(file, &len, FCP_TOKEN_MAX_BYTES + 1);
    if (!p)
        return 1;
    static fcp_token_claims c;
    fcp_token_claims_init(&c);
    fcp_cose_sign1 s;
    fcp_node_attestation at;
    uint8_t owner_pk[32], tid[32];
    const char *step = "envelope";
    uint64_t now = fcp_clock_unix_secs(fcp_clock_system());
    int rc = fcp_cose_sign1_decode(&s, p, len);
    if (rc == 0)
        fcp_token_id(tid, &s);
    if (rc == 0) {
        step = "issuer";
        rc = issuer_by_kid(home, s.kid, &at);
        if (rc == FCP_ENOENT)
            rc = FCP_ETOKEN_UNKNOWN_ISSUER;
    }
    if (rc == 0) {
        step = "issuer attestation";
        rc = cmd_load_owner(home, owner_pk, NULL);
        if (rc == 0 && fcp_attestation_verify(&at, owner_pk, now) < 0)
            rc = FCP_ETOKEN_ISSUER_ATTESTATION;
    }
    if (rc == 0) {
        step = "signature";
        rc = fcp_token_verify_signature(p, len, at.node_iss_pubkey, &c);
    }
    if (rc == 0) {
        step = "claims";
        const uint32_t need = FCP_TC_ISS_NODE | FCP_TC_ZONE | FCP_TC_EXP;
        if ((c.present & need) != need)
            rc = FCP_ETOKEN_MISSING_CLAIM;
        else if (strcmp(c.iss_node, at.node_id))
            rc = FCP_ETOKEN_ISS_NODE;
    }
    if (rc == 0) {
        step = "time";
        uint64_t skew = FCP_TOKEN_DEFAULT_SKEW;
        if ((c.present & FCP_TC_NBF) && c.nbf > now + skew)
            rc = FCP_ETOKEN_NOT_YET_VALID;
        else if ((c.present & FCP_TC_IAT) && c.iat > now + skew)
            rc = FCP_ETOKEN_IAT_FUTURE;
        else if (now >= c.exp + skew)
            rc = FCP_ETOKEN_EXPIRED;
    }
    if (rc == 0 && ask) {
        /* fcpd's revocation state: the token (scope Capability), the issuer's
         * signing key (NodeAttestation) and issuance key (IssuerKey) */
        step = "revocation";
        int r1 = daemon_revoked(sock, tid, FCP_REV_CAPABILITY);
        int r2 = r1 < 0 ? r1 : daemon_revoked(sock, at.node_sig_pubkey, FCP_REV_NODE_ATTESTATION);
        int r3 = r2 < 0 ? r2 : daemon_revoked(sock, at.node_iss_pubkey, FCP_REV_ISSUER_KEY);
        rc = r3 < 0 ? r3 : r1 ? FCP_ETOKEN_REVOKED : (r2 || r3) ? FCP_ETOKEN_ISSUER_REVOKED : 0;
    }
    /* the claims are printed even when a later check failed, if they decoded */
    if (rc < 0 && !c.present && s.payload)
        fcp_token_claims_decode(&c, s.payload, s.payload_len);
    free(p);
    char tidh[65] = "", code[16];
    if (s.payload)
        fcp_hex_encode(tidh, sizeof tidh, tid, 32);
    if (json) {
        printf("{\"valid\":%s,\"token_id\":\"%s\"", rc == 0 ? "true" : "false", tidh);
        if (rc < 0) {
            printf(",\"failed_step\":\"%s\",\"code\":\"%s\"", step, fcp_error_code(rc, code, sizeof code));
        }
        if (c.present & FCP_TC_ISS_NODE) { printf(",\"iss_node\":"); cmd_json_str(stdout, c.iss_node); }
        if (c.present & FCP_TC_ZONE) { printf(",\"zone_id\":"); cmd_json_str(stdout, c.zone_id); }
        if (c.present & FCP_TC_AUD) { printf(",\"aud\":"); cmd_json_str(stdout, c.aud); }
        if (c.present & FCP_TC_CAPABILITY) { printf(",\"capability_id\":"); cmd_json_str(stdout, c.capability_id); }
        if (c.present & FCP_TC_SUB) { printf(",\"sub\":"); cmd_json_str(stdout, c.sub); }
        if (c.present & FCP_TC_OPERATIONS) {
            printf(",\"operations\":[");
            for (size_t i = 0; i < c.n_operations; i++) {
                printf(i ? "," : "");
                cmd_json_str(stdout, c.operations[i]);
            }
            printf("]");
        }
        if (c.present & FCP_TC_HOLDER) { printf(",\"holder_node\":"); cmd_json_str(stdout, c.holder_node); }
        if (c.present & FCP_TC_AUD_BINARY) {
            char bh[65];
            fcp_hex_encode(bh, sizeof bh, c.aud_binary, 32);
            printf(",\"aud_binary\":\"%s\"", bh);
        }
        if (c.present & FCP_TC_CHK_SEQ) printf(",\"chk_seq\":%llu", (unsigned long long)c.chk_seq);
        if (c.present & FCP_TC_IAT) printf(",\"iat\":%llu", (unsigned long long)c.iat);
        if (c.present & FCP_TC_NBF) printf(",\"nbf\":%llu", (unsigned long long)c.nbf);
        if (c.present & FCP_TC_EXP) printf(",\"exp\":%llu", (unsigned long long)c.exp);
        printf("}\n");
    } else {
        printf("token %s\n", tidh[0] ? tidh : "(undecodable)");
        if (c.present & FCP_TC_ISS_NODE) printf("  iss_node     %s\n", c.iss_node);
        if (c.present & FCP_TC_ZONE) printf("  zone         %s\n", c.zone_id);
        if (c.present & FCP_TC_AUD) printf("  audience     %s\n", c.aud);
        if (c.present & FCP_TC_CAPABILITY) printf("  capability   %s\n", c.capability_id);
        for (size_t i = 0; i < c.n_operations; i++) printf("  operation    %s\n", c.operations[i]);
        if (c.present & FCP_TC_SUB) printf("  subject      %s\n", c.sub);
        if (c.present & FCP_TC_HOLDER) printf("  holder node  %s\n", c.holder_node);
        if (c.present & FCP_TC_AUD_BINARY) {
            char bh[65];
            fcp_hex_encode(bh, sizeof bh, c.aud_binary, 32);
            printf("  aud binary   %s\n", bh);
        }
        if (c.present & FCP_TC_CHK_SEQ) printf("  checkpoint   seq %llu\n", (unsigned long long)c.chk_seq);
        if (c.present & FCP_TC_IAT) printf("  issued at    %llu\n", (unsigned long long)c.iat);
        if (c.present & FCP_TC_EXP)
            printf("  expires      %llu (%s)\n", (unsigned long long)c.exp, now < c.exp ? "in the future" : "past");
        if (c.present & FCP_TC_GRANT_IDS) printf("  grant ids    %zu\n", c.n_grant_object_ids);
        if (rc == 0)
            printf("valid: issuer %s attested by the owner, signature and time ok%s\n", at.node_id,
                   ask ? ", not revoked on fcpd" : "");
    }
    if (rc < 0) {
        char what[64];
        snprintf(what, sizeof what, "check '%s' failed", step);
        cmd_error("token", rc, what);
        return 1;
    }
    return 0;
}

int cmd_token(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage();
        return argc < 2 ? 2 : 0;
    }
    if (cmd_wants_help(argc, argv)) {
        usage();
        return 0;
    }
    if (!strcmp(argv[1], "mint"))
        return mint(argc - 1, argv + 1);
    if (!strcmp(argv[1], "inspect"))
        return inspect(argc - 1, argv + 1);
    fprintf(stderr, "fcp token: unknown subcommand '%s' (mint, inspect)\n", argv[1]);
    return 2;
}
