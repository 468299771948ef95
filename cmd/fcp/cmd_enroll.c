/*
 * cmd_enroll.c - `fcp node enroll|join|remove`: device enrollment and
 * removal (spec §19.4; decisions D-ENROLL-1..3).
 *
 *   enroll  (owner's home) sign the new node's attestation and issue, for
 *           every zone of zones.key, a ZoneKeyManifest that seals the zone
 *           key and ObjectIdKey to every member (this node, nodes/<id>.attest,
 *           the new node) with HPKE (authz_keys.h).  The bundle directory
 *           gets owner.pub, node.attest and zones/<zone>.zkm; no raw key
 *           leaves the owner's home.
 *   join    (the new node's home, or any member after a rotation) verify the
 *           bundle against its owner.pub, check the attestation names this
 *           node's keys, open every manifest with node.key's X25519 key and
 *           write zones.key (active key first; one superseded key per zone
 *           is kept after it for decryption during the overlap).
 *   remove  (owner's home) revoke the node (RevocationObject scope
 *           NodeAttestation over its signing key, then IssuerKey over its
 *           issuance key) on each named fcpd, rotate every zone key to a new
 *           one in a manifest that excludes it (the removed node provably
 *           cannot open it), update the owner's zones.key, write the
 *           rotation bundle for the remaining members, and mark the node
 *           nodes/<id>.removed (never a manifest member again; its
 *           attestation stays so fcpd can match it to the revocation).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "fcp/admin.h"
#include "fcp/authz_keys.h"
#include "fcp/clock.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/rng.h"

#define MAX_MEMBERS FCP_ZK_MAX_MEMBERS

static void zkm_name(char *out, size_t cap, const char *dir, const char *zone)
{
    char z[FCP_ZONE_ID_MAX + 1];
    snprintf(z, sizeof z, "%s", zone);
    for (char *p = z; *p; p++)
        if (*p == ':')
            *p = '_';
    snprintf(out, cap, "%s%szones/%s.zkm", dir ? dir : "", dir ? "/" : "", z);
}

/* Members: this node and every owner-verified nodes/<id>.attest, except skip_id. */
typedef struct members {
    size_t n;
    fcp_node_attestation at[MAX_MEMBERS];
    fcp_zk_member m[MAX_MEMBERS];
} members;

static int members_add(members *ms, const fcp_node_attestation *a)
{
    for (size_t i = 0; i < ms->n; i++)
        if (!strcmp(ms->at[i].node_id, a->node_id)) {
            ms->at[i] = *a;   /* a newer attestation of the same node */
            return 0;
        }
    if (ms->n >= MAX_MEMBERS)
        return FCP_ELIMIT;
    ms->at[ms->n++] = *a;
    return 0;
}

static int members_load(members *ms, const char *home, const uint8_t owner_pk[32], const char *skip_id)
{
    ms->n = 0;
    fcp_node_attestation a;
    uint64_t now = fcp_clock_unix_secs(fcp_clock_system());
    int rc;
    if ((rc = cmd_load_attestation(home, "node.attest", &a)) < 0 || (rc = fcp_attestation_verify(&a, owner_pk, now)) < 0)
        return rc;
    if (!skip_id || strcmp(a.node_id, skip_id))
        members_add(ms, &a);
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/nodes", home);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 8 || strcmp(e->d_name + l - 7, ".attest"))
            continue;
        char name[600];
        snprintf(name, sizeof name, "nodes/%s", e->d_name);
        if (cmd_load_attestation(home, name, &a) < 0 || fcp_attestation_verify(&a, owner_pk, now) < 0)
            continue;   /* another owner's or expired: not a member */
        if (skip_id && !strcmp(a.node_id, skip_id))
            continue;
        char rm[600];
        uint8_t *x;
        size_t xl;
        snprintf(rm, sizeof rm, "nodes/%s.removed", a.node_id);
        if (cmd_read_home_file(home, rm, &x, &xl) == 0) {   /* removed: never a member again */
            free(x);
            continue;
        }
        if ((rc = members_add(ms, &a)) < 0)
            break;
    }
    if (d)
        closedir(d);
    return rc < 0 ? rc : 0;
}

static void members_view(members *ms)
{
    for (size_t i = 0; i < ms->n; i++) {
        ms->m[i].node_id = ms->at[i].node_id;
        ms->m[i].node_id_len = strlen(ms->at[i].node_id);
        memcpy(ms->m[i].enc_pk, ms->at[i].node_enc_pubkey, 32);
    }
}

static int write_manifest_as(const char *dir, const fcp_zone_key_manifest *m, const char *suffix)
{
    fcp_buf b;
    fcp_buf_init(&b);
    int rc = fcp_zk_manifest_encode(m, &b);
    char name[600], zd[4300];
    snprintf(zd, sizeof zd, "%s/zones", dir);
    mkdir(zd, 0700);
    zkm_name(name, sizeof name, NULL, m->zone_id);
    if (suffix && strlen(name) > 4 && strlen(name) + strlen(suffix) < sizeof name)
        strcpy(name + strlen(name) - 4, suffix);
    if (rc == 0)
        rc = cmd_write_home_file(dir, name, b.data, b.len, 0644);
    fcp_buf_free(&b);
    return rc;
}

static int write_manifest(const char *dir, const fcp_zone_key_manifest *m)
{
    return write_manifest_as(dir, m, NULL);
}

/* The owner's zones.key active entries (first line of each zone). */
static size_t active_zones(const cmd_zone_key *zk, size_t nz, size_t *idx)
{
    size_t n = 0;
    for (size_t i = 0; i < nz; i++) {
        int seen = 0;
        for (size_t j = 0; j < n; j++)
            seen |= !strcmp(zk[idx[j]].zone, zk[i].zone);
        if (!seen)
            idx[n++] = i;
    }
    return n;
}

static int issue_all(const char *verb, const char *home, const char *outdir, members *ms, const cmd_zone_key *zk,
                     size_t nz, const uint8_t owner_sk[64], size_t *issued)
{
    static fcp_zone_key_manifest m;
    size_t idx[CMD_ZONES_MAX];
    size_t na = active_zones(zk, nz, idx);
    uint64_t now = fcp_clock_unix_secs(fcp_clock_system());
    members_view(ms);
    *issued = 0;
    for (size_t k = 0; k < na; k++) {
        const cmd_zone_key *z = &zk[idx[k]];
        uint8_t kid[8];
        fcp_zone_key_id(kid, z->zone, strlen(z->zone), z->key);
        if (memcmp(kid, z->kid, 8)) {
            cmd_error(verb, FCP_EDAEMON_LEGACY_ZONE_KEY, z->zone);
            fprintf(stderr, "  run 'fcp zone rotate -o DIR' first (and 'fcp node join DIR' on the members)\n");
            return FCP_EDAEMON_LEGACY_ZONE_KEY;
        }
        fcp_zk_params p;
        memset(&p, 0, sizeof p);
        p.zone_id = z->zone;
        p.zone_id_len = strlen(z->zone);
        p.algorithm = FCP_ZK_ALG_CHACHA20POLY1305;
        p.issued_at = now;
        p.valid_from = now;
        int rc = fcp_zk_issue(&m, &p, ms->m, ms->n, z->key, z->oid_key.bytes, NULL, owner_sk, fcp_rng_system());
        if (rc == 0)
            rc = write_manifest(outdir, &m);
        if (rc == 0)
            rc = write_manifest(home, &m);   /* the owner keeps the current manifest */
        /* the superseded key (the zone's next zones.key line) too, so the new
         * member reads data sealed before the last rotation (D-ENROLL-3) */
        const cmd_zone_key *old = NULL;
        for (size_t i = idx[k] + 1; rc == 0 && i < nz && !old; i++)
            if (!strcmp(zk[i].zone, z->zone))
                old = &zk[i];
        if (rc == 0 && old && fcp_zone_key_id(kid, old->zone, strlen(old->zone), old->key) == 0 &&
            !memcmp(kid, old->kid, 8)) {
            rc = fcp_zk_issue(&m, &p, ms->m, ms->n, old->key, old->oid_key.bytes, NULL, owner_sk, fcp_rng_system());
            if (rc == 0)
                rc = write_manifest_as(outdir, &m, ".prev.zkm");
        }
        if (rc < 0) {
            cmd_error(verb, rc, z->zone);
            return rc;
        }
        (*issued)++;
    }
    return 0;
}

/* ---- enroll ---------------------------------------------------------------- */

int cmd_node_enroll(int argc, char **argv)
{
    const char *homeopt = NULL, *afile = NULL, *outdir = NULL, *node_id = NULL;
    const char *sigh = NULL, *ench = NULL, *issh = NULL;
    int json = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--json")) json = 1;
        else if (v && !strcmp(a, "--home")) { homeopt = v; i++; }
        else if (v && !strcmp(a, "--attestation")) { afile = v; i++; }
        else if (v && (!strcmp(a, "-o") || !strcmp(a, "--out"))) { outdir = v; i++; }
        else if (v && (!strcmp(a, "--pubkey") || !strcmp(a, "--sig-pubkey"))) { sigh = v; i++; }
        else if (v && !strcmp(a, "--enc-pubkey")) { ench = v; i++; }
        else if (v && !strcmp(a, "--iss-pubkey")) { issh = v; i++; }
        else if (a[0] != '-' && !node_id) node_id = a;
        else {
            fprintf(stderr, "fcp node enroll: unknown or incomplete option '%s' (try --help)\n", a);
            return 2;
        }
    }
    if (!outdir || (!afile && !(node_id && sigh && ench && issh))) {
        fprintf(stderr, "fcp node enroll: -o DIR and either --attestation FILE or\n"
                        "  NODE_ID --pubkey HEX --enc-pubkey HEX --iss-pubkey HEX are required\n");
        return 2;
    }
    char home[4096];
    if (cmd_home_path(home, sizeof home, homeopt) < 0)
        return 2;
    fcp_node_attestation at;
    memset(&at, 0, sizeof at);
    int rc = 0;
    if (afile) {
        size_t n;
        uint8_t *b = cmd_read_input(afile, &n, FCP_ATTEST_MAX_ENCODED + 1);
        rc = b ? fcp_attestation_decode(&at, b, n) : FCP_EIO;
        free(b);
        if (rc < 0) {
            cmd_error("node enroll", rc, afile);
            return 1;
        }
        if (node_id && strcmp(node_id, at.node_id)) {
            cmd_error("node enroll", FCP_EDAEMON_ENROLL, "NODE_ID differs from the attestation's node_id");
            return 1;
        }
    } else {
        if (fcp_node_id_validate(node_id, strlen(node_id)) < 0 ||
            fcp_hex_decode_exact(at.node_sig_pubkey, 32, sigh) < 0 ||
            fcp_hex_decode_exact(at.node_enc_pubkey, 32, ench) < 0 ||
            fcp_hex_decode_exact(at.node_iss_pubkey, 32, issh) < 0) {
            cmd_error("node enroll", FCP_EDAEMON_ENROLL, "node id or a 64-hex-digit public key");
            return 2;
        }
        snprintf(at.node_id, sizeof at.node_id, "%s", node_id);
    }
    /* the owner re-issues it: fresh issued_at, no expiry, the owner's signature */
    at.issued_at = fcp_clock_unix_secs(fcp_clock_system());
    at.has_expires_at = 0;
    uint8_t owner_pk[32], owner_sk[64];
    if ((rc = cmd_load_owner(home, owner_pk, owner_sk)) < 0) {
        cmd_error("node enroll", rc, home);
        return 1;
    }
    static members ms;
    static cmd_zone_key zk[CMD_ZONES_MAX];
    size_t nz = 0, issued = 0;
    fcp_buf ab;
    fcp_buf_init(&ab);
    /* refuse legacy key ids before anything is written */
    if ((rc = cmd_load_zone_keys(home, zk, CMD_ZONES_MAX, &nz)) < 0) {
        cmd_error("node enroll", rc, "zones.key");
        goto out;
    }
    for (size_t i = 0; i < nz; i++) {
        uint8_t kid[8];
        if (cmd_find_zone_key(zk, i, zk[i].zone))
            continue;   /* only active keys must travel */
        fcp_zone_key_id(kid, zk[i].zone, strlen(zk[i].zone), zk[i].key);
        if (memcmp(kid, zk[i].kid, 8)) {
            rc = FCP_EDAEMON_LEGACY_ZONE_KEY;
            cmd_error("node enroll", rc, zk[i].zone);
            fprintf(stderr, "  run 'fcp zone rotate -o DIR' first (and 'fcp node join DIR' on the members)\n");
            goto out;
        }
    }
    char name[600];
    snprintf(name, sizeof name, "nodes/%s.attest", at.node_id);
    if ((rc = fcp_attestation_sign(&at, owner_sk)) < 0 || (rc = fcp_attestation_encode(&at, &ab)) < 0) {
        cmd_error("node enroll", rc, "signing the attestation");
        goto out;
    }
    mkdir(outdir, 0700);
    char nd[4200];
    snprintf(nd, sizeof nd, "%s/nodes", home);
    mkdir(nd, 0700);
    char pkh[66];
    fcp_hex_encode(pkh, sizeof pkh, owner_pk, 32);
    pkh[64] = '\n';
    pkh[65] = 0;
    if ((rc = cmd_write_home_file(outdir, "node.attest", ab.data, ab.len, 0644)) < 0 ||
        (rc = cmd_write_home_file(outdir, "owner.pub", pkh, 65, 0644)) < 0 ||
        (rc = cmd_write_home_file(home, name, ab.data, ab.len, 0644)) < 0) {
        cmd_error("node enroll", rc, outdir);
        goto out;
    }
    if ((rc = members_load(&ms, home, owner_pk, NULL)) < 0 || (rc = cmd_load_zone_keys(home, zk, CMD_ZONES_MAX, &nz)) < 0) {
        cmd_error("node enroll", rc, "members (node.attest, nodes/) or zones.key");
        goto out;
    }
    if ((rc = issue_all("node enroll", home, outdir, &ms, zk, nz, owner_sk, &issued)) < 0)
        goto out;
    if (json)
        printf("{\"node_id\":\"%s\",\"bundle\":\"%s\",\"zones\":%zu,\"members\":%zu}\n", at.node_id, outdir, issued,
               ms.n);
    else
        printf("enrolled %s: attestation signed, %zu zone key manifests for %zu members in %s\n"
               "on the new node: fcp node join %s\n",
               at.node_id, issued, ms.n, outdir, outdir);
out:
    fcp_memzero(owner_sk, sizeof owner_sk);
    fcp_memzero(zk, sizeof zk);
    fcp_buf_free(&ab);
    return rc < 0 ? 1 : 0;
}

/* ---- join ------------------------------------------------------------------ */

int cmd_node_join(int argc, char **argv)
{
    const char *homeopt = NULL, *dir = NULL;
    int json = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--json")) json = 1;
        else if (v && !strcmp(a, "--home")) { homeopt = v; i++; }
        else if (a[0] != '-' && !dir) dir = a;
        else {
            fprintf(stderr, "fcp node join: unknown or incomplete option '%s' (try --help)\n", a);
            return 2;
        }
    }
    if (!dir) {
        fprintf(stderr, "fcp node join: name the bundle directory\n");
        return 2;
    }
    char home[4096];
    if (cmd_home_path(home, sizeof home, homeopt) < 0)
        return 2;
    uint8_t owner_pk[32], mine[32], sig_sk[64], enc_sk[32], iss_sk[64];
    int rc, have_owner = cmd_load_owner(home, owner_pk, NULL) == 0;
    uint8_t bundle_pk[32];
    int bundle_owner = cmd_load_owner(dir, bundle_pk, NULL) == 0;
    if (!have_owner && !bundle_owner) {
        cmd_error("node join", FCP_EDAEMON_ENROLL, "neither FCP_HOME nor the bundle has owner.pub");
        return 1;
    }
    if (have_owner && bundle_owner && memcmp(owner_pk, bundle_pk, 32)) {
        cmd_error("node join", FCP_EDAEMON_ENROLL, "the bundle is from another owner");
        return 1;
    }
    if (!have_owner)
        memcpy(owner_pk, bundle_pk, 32);
    if ((rc = cmd_load_node_keys(home, sig_sk, enc_sk, iss_sk)) < 0) {
        cmd_error("node join", rc, "node.key (run fcp init --join first)");
        return 1;
    }
    /* the attestation (new node) or this node's existing one (rotation) */
    fcp_node_attestation at;
    uint64_t now = fcp_clock_unix_secs(fcp_clock_system());
    int new_att = cmd_load_attestation(dir, "node.attest", &at) == 0;
    if (!new_att && (rc = cmd_load_attestation(home, "node.attest", &at)) < 0) {
        cmd_error("node join", FCP_EDAEMON_ENROLL, "no node.attest in the bundle or in FCP_HOME");
        goto fail;
    }
    rc = fcp_attestation_verify(&at, owner_pk, now);
    fcp_ed25519_sk_to_pk(mine, sig_sk);
    int keys_ok = !memcmp(mine, at.node_sig_pubkey, 32);
    fcp_x25519_base(mine, enc_sk);
    keys_ok &= !memcmp(mine, at.node_enc_pubkey, 32);
    fcp_ed25519_sk_to_pk(mine, iss_sk);
    keys_ok &= !memcmp(mine, at.node_iss_pubkey, 32);
    if (rc < 0 || !keys_ok) {
        cmd_error("node join", rc < 0 ? rc : FCP_EDAEMON_ENROLL, "the attestation does not attest this node's keys");
        rc = rc < 0 ? rc : FCP_EDAEMON_ENROLL;
        goto fail;
    }
    /* open every manifest */
    static cmd_zone_key old[CMD_ZONES_MAX], nk[CMD_ZONES_MAX], pk[CMD_ZONES_MAX];
    size_t nold = 0, nn = 0, np = 0;
    cmd_load_zone_keys(home, old, CMD_ZONES_MAX, &nold);
    char zd[4300];
    snprintf(zd, sizeof zd, "%s/zones", dir);
    DIR *d = opendir(zd);
    struct dirent *e;
    static fcp_zone_key_manifest m;
    size_t opened = 0;
    rc = 0;
    while (d && rc == 0 && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".zkm"))
            continue;
        char name[600];
        snprintf(name, sizeof name, "zones/%s", e->d_name);
        uint8_t *b;
        size_t n;
        if ((rc = cmd_read_home_file(dir, name, &b, &n)) < 0)
            break;
        rc = fcp_zk_manifest_decode(&m, b, n);
        free(b);
        if (rc == 0)
            rc = fcp_zk_manifest_verify(&m, owner_pk);
        int is_prev = l > 9 && !strcmp(e->d_name + l - 9, ".prev.zkm");
        cmd_zone_key *arr = is_prev ? pk : nk;
        size_t *cnt = is_prev ? &np : &nn;
        if (rc == 0 && *cnt < CMD_ZONES_MAX) {
            cmd_zone_key *z = &arr[*cnt];
            memset(z, 0, sizeof *z);
            snprintf(z->zone, sizeof z->zone, "%s", m.zone_id);
            rc = fcp_zk_open(&m, at.node_id, strlen(at.node_id), enc_sk, z->key, z->oid_key.bytes);
            memcpy(z->kid, m.zone_key_id, 8);
            if (rc == 0) {
                (*cnt)++;
                opened += !is_prev;
            }
        }
        if (rc < 0)
            cmd_error("node join", rc, name);
    }
    if (d)
        closedir(d);
    if (rc == 0 && !opened) {
        rc = FCP_EDAEMON_ENROLL;
        cmd_error("node join", rc, "the bundle holds no zone key manifest");
    }
    if (rc < 0)
        goto fail;
    /* zones.key: per zone the opened key first, then the previous active key
     * (decryption during the overlap); zones the bundle does not name stay */
    static cmd_zone_key out[CMD_ZONES_MAX];
    size_t no = 0;
    for (size_t i = 0; i < nn && no < CMD_ZONES_MAX; i++) {
        out[no++] = nk[i];
        /* the superseded key: this node's previous active one, else the
         * bundle's .prev manifest (a new member) */
        const cmd_zone_key *prev = cmd_find_zone_key(old, nold, nk[i].zone);
        if (!prev || !memcmp(prev->kid, nk[i].kid, 8))
            prev = cmd_find_zone_key(pk, np, nk[i].zone);
        if (prev && memcmp(prev->kid, nk[i].kid, 8) && no < CMD_ZONES_MAX)
            out[no++] = *prev;
    }
    for (size_t i = 0; i < nold && no < CMD_ZONES_MAX; i++)
        if (!cmd_find_zone_key(nk, nn, old[i].zone) && cmd_find_zone_key(old, i, old[i].zone) == NULL)
            out[no++] = old[i];
    if ((rc = cmd_write_zone_keys(home, out, no)) < 0) {
        cmd_error("node join", rc, "writing zones.key");
        goto fail;
    }
    if (new_att) {
        fcp_buf ab;
        fcp_buf_init(&ab);
        char pkh[66];
        fcp_hex_encode(pkh, sizeof pkh, owner_pk, 32);
        pkh[64] = '\n';
        if ((rc = fcp_attestation_encode(&at, &ab)) == 0 && (rc = cmd_write_home_file(home, "node.attest", ab.data, ab.len, 0644)) == 0)
            rc = cmd_write_home_file(home, "owner.pub", pkh, 65, 0644);
        fcp_buf_free(&ab);
        if (rc < 0) {
            cmd_error("node join", rc, "writing node.attest / owner.pub");
            goto fail;
        }
        char rq[4200];
        snprintf(rq, sizeof rq, "%s/node.request", home);
        remove(rq);
    }
    if (json)
        printf("{\"node_id\":\"%s\",\"zones\":%zu,\"attestation\":%s}\n", at.node_id, opened, new_att ? "true" : "false");
    else
        printf("%s: opened %zu zone key manifest%s%s; restart fcpd to use the keys\n", at.node_id, opened,
               opened == 1 ? "" : "s", new_att ? ", attestation installed" : "");
    fcp_memzero(nk, sizeof nk);
    fcp_memzero(pk, sizeof pk);
    fcp_memzero(old, sizeof old);
    fcp_memzero(out, sizeof out);
fail:
    fcp_memzero(sig_sk, sizeof sig_sk);
    fcp_memzero(enc_sk, sizeof enc_sk);
    fcp_memzero(iss_sk, sizeof iss_sk);
    return rc < 0 ? 1 : 0;
}

/* Rotate zones (all when n_only is 0) of the owner's zones.key: a fresh key
 * each, the ObjectIdKey kept, sealed to the members (without `removed`) in a
 * manifest written to outdir and the owner's zones/; zones.key gets the new
 * key first and the superseded one after it; other zones stay as they are. */
static int rotate_zones(const char *verb, const char *home, const char *outdir, const char *removed,
                        const char *const *only, size_t n_only, size_t *rotated, size_t *n_members)
{
    uint8_t owner_pk[32], owner_sk[64];
    int rc = cmd_load_owner(home, owner_pk, owner_sk);
    if (rc < 0) {
        cmd_error(verb, rc, home);
        return rc;
    }
    static members ms;
    static cmd_zone_key zk[CMD_ZONES_MAX], out[CMD_ZONES_MAX];
    static fcp_zone_key_manifest m, prev;
    size_t nz = 0, no = 0, idx[CMD_ZONES_MAX];
    *rotated = 0;
    if ((rc = members_load(&ms, home, owner_pk, removed)) < 0 || (rc = cmd_load_zone_keys(home, zk, CMD_ZONES_MAX, &nz)) < 0) {
        cmd_error(verb, rc, "members or zones.key");
        goto out;
    }
    *n_members = ms.n;
    members_view(&ms);
    for (size_t i = 0; i < n_only; i++)
        if (!cmd_find_zone_key(zk, nz, only[i])) {
            rc = FCP_EZONE_UNKNOWN;
            cmd_error(verb, rc, only[i]);
            goto out;
        }
    mkdir(outdir, 0700);
    uint64_t now = fcp_clock_unix_secs(fcp_clock_system());
    size_t na = active_zones(zk, nz, idx);
    for (size_t k = 0; k < na && rc == 0; k++) {
        const cmd_zone_key *z = &zk[idx[k]];
        int wanted = n_only == 0;
        for (size_t i = 0; i < n_only; i++)
            wanted |= !strcmp(only[i], z->zone);
        if (!wanted) {
            for (size_t i = 0; i < nz && no < CMD_ZONES_MAX; i++)   /* unchanged, every line */
                if (!strcmp(zk[i].zone, z->zone))
                    out[no++] = zk[i];
            continue;
        }
        if (no + 2 > CMD_ZONES_MAX) {
            rc = FCP_ELIMIT;
            break;
        }
        cmd_zone_key *nzk = &out[no];
        memset(nzk, 0, sizeof *nzk);
        snprintf(nzk->zone, sizeof nzk->zone, "%s", z->zone);
        nzk->oid_key = z->oid_key;   /* routine rotation keeps the ObjectIdKey (authz_keys.h) */
        char pn[600];
        zkm_name(pn, sizeof pn, NULL, z->zone);
        uint8_t *b;
        size_t n;
        int have_prev = 0;
        if (removed && cmd_read_home_file(home, pn, &b, &n) == 0) {
            have_prev = fcp_zk_manifest_decode(&prev, b, n) == 0 && fcp_zk_manifest_verify(&prev, owner_pk) == 0 &&
                        !memcmp(prev.zone_key_id, z->kid, 8);
            free(b);
        }
        if (have_prev) {
            rc = fcp_zk_remove_node(&m, nzk->key, &prev, removed, strlen(removed), ms.m, ms.n, z->oid_key.bytes, now,
                                    owner_sk, fcp_rng_system());
        } else {
            /* routine rotation, or a zone never distributed by manifest
             * (zones.key copied by init --owner-home, or a legacy key id) */
            fcp_zk_params p;
            memset(&p, 0, sizeof p);
            p.zone_id = z->zone;
            p.zone_id_len = strlen(z->zone);
            p.algorithm = FCP_ZK_ALG_CHACHA20POLY1305;
            p.issued_at = now;
            p.valid_from = now;
            if ((rc = fcp_rng_fill(fcp_rng_system(), nzk->key, 32)) == 0)
                rc = fcp_zk_issue(&m, &p, ms.m, ms.n, nzk->key, z->oid_key.bytes, z->kid, owner_sk, fcp_rng_system());
        }
        if (rc == 0) {
            memcpy(nzk->kid, m.zone_key_id, 8);
            no++;
            out[no++] = *z;   /* the superseded key, kept for decryption */
            rc = write_manifest(outdir, &m);
        }
        if (rc == 0)
            rc = write_manifest(home, &m);
        if (rc < 0)
            cmd_error(verb, rc, z->zone);
        else
            (*rotated)++;
    }
    if (rc == 0 && (rc = cmd_write_zone_keys(home, out, no)) < 0)
        cmd_error(verb, rc, "writing zones.key");
out:
    fcp_memzero(owner_sk, sizeof owner_sk);
    fcp_memzero(zk, sizeof zk);
    fcp_memzero(out, sizeof out);
    return rc;
}

/* ---- zone rotate (cmd_zone.c dispatches here) ------------------------------ */

int cmd_zone_rotate(int argc, char **argv, const char *home)
{
    const char *outdir = NULL, *only[CMD_ZONES_MAX];
    size_t n_only = 0;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--json")) json = 1;
        else if (v && (!strcmp(a, "-o") || !strcmp(a, "--out"))) { outdir = v; i++; }
        else if (a[0] != '-' && n_only < CMD_ZONES_MAX) only[n_only++] = a;
        else {
            fprintf(stderr, "fcp zone rotate: unknown or incomplete option '%s' (try --help)\n", a);
            return 2;
        }
    }
    if (!outdir) {
        fprintf(stderr, "fcp zone rotate: -o DIR (the rotation bundle) is required\n");
        return 2;
    }
    size_t rotated = 0, n_members = 0;
    int rc = rotate_zones("zone rotate", home, outdir, NULL, only, n_only, &rotated, &n_members);
    if (rc < 0)
        return 1;
    if (json)
        printf("{\"zones_rotated\":%zu,\"members\":%zu,\"bundle\":\"%s\"}\n", rotated, n_members, outdir);
    else
        printf("rotated %zu zone key%s for %zu members: fcp node join %s on each, then restart fcpd\n", rotated,
               rotated == 1 ? "" : "s", n_members, outdir);
    return 0;
}

/* ---- remove ---------------------------------------------------------------- */

int cmd_node_remove(int argc, char **argv)
{
    const char *homeopt = NULL, *outdir = NULL, *node_id = NULL, *socks[8];
    size_t nsock = 0;
    int json = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--json")) json = 1;
        else if (v && !strcmp(a, "--home")) { homeopt = v; i++; }
        else if (v && (!strcmp(a, "-o") || !strcmp(a, "--out"))) { outdir = v; i++; }
        else if (v && !strcmp(a, "--socket") && nsock < 8) { socks[nsock++] = v; i++; }
        else if (a[0] != '-' && !node_id) node_id = a;
        else {
            fprintf(stderr, "fcp node remove: unknown or incomplete option '%s' (try --help)\n", a);
            return 2;
        }
    }
    if (!node_id || !outdir) {
        fprintf(stderr, "fcp node remove: NODE_ID and -o DIR (the rotation bundle) are required\n");
        return 2;
    }
    if (!nsock)
        socks[nsock++] = NULL;   /* the local fcpd */
    char home[4096];
    if (cmd_home_path(home, sizeof home, homeopt) < 0)
        return 2;
    fcp_node_attestation at;
    char name[600];
    snprintf(name, sizeof name, "nodes/%s.attest", node_id);
    if (fcp_node_id_validate(node_id, strlen(node_id)) < 0 || cmd_load_attestation(home, name, &at) < 0) {
        cmd_error("node remove", FCP_EDAEMON_KEY, "no nodes/<id>.attest for this node in FCP_HOME");
        return 1;
    }
    fcp_node_attestation self;
    if (cmd_load_attestation(home, "node.attest", &self) == 0 && !strcmp(self.node_id, node_id)) {
        cmd_error("node remove", FCP_EDAEMON_ENROLL, "a node cannot remove itself here; run this on another owner device");
        return 2;
    }
    /* 1. revoke: the attestation (its signing key) and its issuance key */
    uint64_t seq = 0;
    for (size_t s = 0; s < nsock; s++) {
        const uint8_t (*sig)[32] = (const uint8_t (*)[32])at.node_sig_pubkey;
        const uint8_t (*iss)[32] = (const uint8_t (*)[32])at.node_iss_pubkey;
        fcp_buf resp;
        fcp_buf_init(&resp);
        int ec = cmd_revoke_send("node remove", home, socks[s], FCP_REV_NODE_ATTESTATION, sig, 1,
                                 "device removed from the mesh", 0, &resp);
        if (ec == 0) {
            fcp_buf_free(&resp);
            fcp_buf_init(&resp);
            ec = cmd_revoke_send("node remove", home, socks[s], FCP_REV_ISSUER_KEY, iss, 1,
                                 "issuance key of a removed device", 0, &resp);
        }
        if (ec == 0)
            fcp_admin_resp_uint(resp.data, resp.len, "seq", &seq);
        fcp_buf_free(&resp);
        if (ec)
            return ec;
    }
    /* 2. rotate every zone key to a manifest without the node */
    size_t rotated = 0, n_members = 0;
    uint64_t now = fcp_clock_unix_secs(fcp_clock_system());
    int rc = rotate_zones("node remove", home, outdir, node_id, NULL, 0, &rotated, &n_members);
    if (rc == 0) {
        /* the attestation stays (fcpd matches it against the revocation and
         * leaves the peer out); the marker keeps it out of future manifests */
        char mark[600], txt[128];
        snprintf(mark, sizeof mark, "nodes/%s.removed", node_id);
        int tl = snprintf(txt, sizeof txt, "removed at %llu, revocation seq %llu\n", (unsigned long long)now,
                          (unsigned long long)seq);
        rc = cmd_write_home_file(home, mark, txt, (size_t)tl, 0644);
        if (json)
            printf("{\"node_id\":\"%s\",\"revocation_seq\":%llu,\"zones_rotated\":%zu,\"members\":%zu,\"bundle\":\"%s\"}\n",
                   node_id, (unsigned long long)seq, rotated, n_members, outdir);
        else
            printf("removed %s: attestation and issuance key revoked (seq %llu), %zu zone keys rotated\n"
                   "for the %zu remaining members: fcp node join %s (on each), then restart fcpd\n",
                   node_id, (unsigned long long)seq, rotated, n_members, outdir);
    }
    return rc < 0 ? 1 : 0;
}
