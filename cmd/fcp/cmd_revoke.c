/*
 * cmd_revoke.c - `fcp revoke`: build an owner-signed RevocationObject (spec
 * §14.3) for a token (its token id) or explicit ids, chain it with an
 * owner-signed RevocationEvent after the local daemon's head (seq + 1, prev =
 * head), and send both with the admin op "revoke"; fcpd verifies, persists
 * and applies them (cmd/fcpd/fcpd_authority.c).  `fcp revoke --status` shows
 * the daemon's revocation state.  Decisions D-CLI-1 (objects and events live
 * in zone z:owner, ids under its ObjectIdKey).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "fcp/admin.h"
#include "fcp/authz_token.h"
#include "fcp/cbor.h"
#include "fcp/clock.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/model_revocation.h"

#define REV_ZONE FCP_ZONE_OWNER

static void usage(void)
{
    printf("usage: fcp revoke TOKEN_FILE|- [options]\n"
           "       fcp revoke --id HEX [--id HEX]... [options]\n"
           "       fcp revoke --status [--json]\n"
           "\n"
           "Owner-sign a RevocationObject and the RevocationEvent that chains it after\n"
           "the local fcpd's revocation head, and apply it there.  fcpd verifies both\n"
           "against the owner key, persists them under <data_dir>/revocations/ and\n"
           "refuses the revoked ids from then on (also after a restart).  Needs\n"
           "owner.key in FCP_HOME.\n"
           "\n"
           "  TOKEN_FILE         a capability token (COSE_Sign1): its token id is revoked\n"
           "  --id HEX           a 32-byte id (64 hex digits) to revoke (repeatable)\n"
           "  --scope S          capability (default; alias token), issuer_key,\n"
           "                     node_attestation, zone_key, connector_binary\n"
           "  --reason TEXT      recorded in the object (default \"revoked by owner\")\n"
           "  --expires DUR      temporary revocation (e.g. 1h); default permanent\n"
           "  --status           print the daemon's revocation state and exit\n"
           "  --home DIR         FCP_HOME holding owner.key and zones.key\n"
           "  --socket PATH      admin socket (default $FCP_HOME/fcpd.sock)\n"
           "  --json             print the daemon's answer as JSON\n"
           "\n"
           "Exit status: 0 applied, 1 refused or failed, 2 usage.\n");
}

static int scope_parse(const char *s, enum fcp_rev_scope *out)
{
    if (!strcmp(s, "token")) {   /* the spec's Capability scope covers tokens */
        *out = FCP_REV_CAPABILITY;
        return 0;
    }
    for (int i = 0; i < FCP_REV_SCOPE_COUNT; i++)
        if (fcp_rev_scope_name((enum fcp_rev_scope)i) && !strcmp(s, fcp_rev_scope_name((enum fcp_rev_scope)i))) {
            *out = (enum fcp_rev_scope)i;
            return 0;
        }
    return FCP_EREV_SCOPE;
}

static int ids_cmp(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

/* The daemon's seq and head. */
static int daemon_head(const char *verb, const char *sock, uint64_t *seq, uint8_t head[32])
{
    fcp_admin_request rq;
    memset(&rq, 0, sizeof rq);
    rq.op = FCP_ADMIN_OP_REVOCATIONS;
    fcp_buf resp;
    fcp_buf_init(&resp);
    int ec = cmd_admin_call(verb, sock, &rq, &resp);
    if (ec == 0) {
        const uint8_t *h;
        size_t hl = 0;
        *seq = 0;
        if (fcp_admin_resp_uint(resp.data, resp.len, "seq", seq) != 1 ||
            (*seq && (fcp_admin_resp_bytes(resp.data, resp.len, "head", &h, &hl) != 1 || hl != 32))) {
            cmd_error(verb, FCP_EADMIN_RESPONSE, "revocation state");
            ec = 1;
        } else if (*seq) {
            memcpy(head, h, 32);
        }
    }
    fcp_buf_free(&resp);
    return ec;
}

int cmd_revoke_send(const char *verb, const char *home, const char *sock, enum fcp_rev_scope scope,
                    const uint8_t (*ids)[32], size_t n_ids, const char *reason, uint64_t expires_secs,
                    fcp_buf *resp)
{
    uint8_t owner_pk[32], owner_sk[64];
    int rc = cmd_load_owner(home, owner_pk, owner_sk);
    if (rc < 0) {
        cmd_error(verb, rc, home);
        return 1;
    }
    static cmd_zone_key zk[CMD_ZONES_MAX];
    size_t nz = 0;
    const cmd_zone_key *z = NULL;
    if ((rc = cmd_load_zone_keys(home, zk, CMD_ZONES_MAX, &nz)) < 0 ||
        !(z = cmd_find_zone_key(zk, nz, REV_ZONE))) {
        fcp_memzero(owner_sk, sizeof owner_sk);
        cmd_error(verb, rc < 0 ? rc : FCP_EDAEMON_KEY, "zones.key has no z:owner key");
        return 1;
    }
    uint64_t seq = 0;
    uint8_t head[32];
    int ec = daemon_head(verb, sock, &seq, head);
    if (ec) {
        fcp_memzero(owner_sk, sizeof owner_sk);
        return ec;
    }
    uint64_t now = fcp_clock_unix_secs(fcp_clock_system());
    static fcp_revocation_object obj;
    fcp_revocation_event ev;
    memset(&obj, 0, sizeof obj);
    memset(&ev, 0, sizeof ev);
    fcp_schema_id sch;
    fcp_revocation_object_schema(&sch);
    fcp_object_header_init(&obj.header, &sch, REV_ZONE, now);
    obj.n_revoked = n_ids;
    memcpy(obj.revoked, ids, n_ids * 32);
    qsort(obj.revoked, n_ids, 32, ids_cmp);
    obj.scope = scope;
    snprintf(obj.reason, sizeof obj.reason, "%s", reason);
    obj.effective_at = now;
    if (expires_secs) {
        obj.has_expires_at = 1;
        obj.expires_at = now + expires_secs;
    }
    fcp_buf ob, eb, data;
    fcp_buf_init(&ob);
    fcp_buf_init(&eb);
    fcp_buf_init(&data);
    if ((rc = fcp_revocation_object_sign(&obj, owner_sk)) < 0 || (rc = fcp_revocation_object_encode(&obj, &ob)) < 0 ||
        (rc = fcp_revocation_object_id(ev.revocation_object_id, &obj, &z->oid_key)) < 0)
        goto out;
    fcp_revocation_event_schema(&sch);
    fcp_object_header_init(&ev.header, &sch, REV_ZONE, now);
    ev.seq = seq + 1;
    ev.has_prev = seq > 0;
    if (seq)
        memcpy(ev.prev, head, 32);
    ev.occurred_at = now;
    if ((rc = fcp_revocation_event_sign(&ev, owner_sk)) < 0 || (rc = fcp_revocation_event_encode(&ev, &eb)) < 0)
        goto out;
    if ((rc = fcp_admin_revoke_encode(&data, ob.data, ob.len, eb.data, eb.len)) < 0)
        goto out;
    fcp_admin_request rq;
    memset(&rq, 0, sizeof rq);
    rq.op = FCP_ADMIN_OP_REVOKE;
    rq.has_data = 1;
    rq.data = data.data;
    rq.data_len = data.len;
    ec = cmd_admin_call(verb, sock, &rq, resp);
out:
    fcp_memzero(owner_sk, sizeof owner_sk);
    fcp_buf_free(&ob);
    fcp_buf_free(&eb);
    fcp_buf_free(&data);
    if (rc < 0) {
        cmd_error(verb, rc, "building the revocation");
        return 1;
    }
    return ec;
}

static void print_state(const fcp_buf *resp, const char *what)
{
    uint64_t seq = 0, ids = 0, lu = 0, rp = 0, rd = 0;
    fcp_admin_resp_uint(resp->data, resp->len, "seq", &seq);
    fcp_admin_resp_uint(resp->data, resp->len, "ids", &ids);
    fcp_admin_resp_uint(resp->data, resp->len, "last_updated", &lu);
    fcp_admin_resp_uint(resp->data, resp->len, "removed_peers", &rp);
    fcp_admin_resp_uint(resp->data, resp->len, "refused_datagrams", &rd);
    const uint8_t *h;
    size_t hl = 0;
    char hh[65] = "-";
    if (fcp_admin_resp_bytes(resp->data, resp->len, "head", &h, &hl) == 1 && hl == 32)
        fcp_hex_encode(hh, sizeof hh, h, 32);
    if (what)
        printf("%s\n", what);
    printf("revocation seq %llu  head %s\n  ids revoked %llu  removed peers %llu  refused datagrams %llu\n"
           "  last updated %llu (unix)\n",
           (unsigned long long)seq, hh, (unsigned long long)ids, (unsigned long long)rp, (unsigned long long)rd,
           (unsigned long long)lu);
}

int cmd_revoke(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        usage();
        return 0;
    }
    const char *homeopt = NULL, *sock = NULL, *file = NULL, *reason = "revoked by owner";
    int json = 0, status = 0, have_scope = 0;
    uint64_t expires = 0;
    enum fcp_rev_scope scope = FCP_REV_CAPABILITY;
    static uint8_t ids[FCP_REV_MAX_IDS][32];
    size_t n_ids = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "--status")) status = 1;
        else if (v && !strcmp(a, "--home")) { homeopt = v; i++; }
        else if (v && !strcmp(a, "--socket")) { sock = v; i++; }
        else if (v && !strcmp(a, "--reason")) { reason = v; i++; }
        else if (v && !strcmp(a, "--scope")) {
            if (scope_parse(v, &scope) < 0) {
                cmd_error("revoke", FCP_EREV_SCOPE, v);
                return 2;
            }
            have_scope = 1;
            i++;
        } else if (v && !strcmp(a, "--expires")) {
            if (cmd_parse_duration(v, &expires) < 0 || !expires) {
                fprintf(stderr, "fcp revoke: --expires wants a duration such as 90s, 15m, 1h, 2d\n");
                return 2;
            }
            i++;
        } else if (v && !strcmp(a, "--id")) {
            if (n_ids >= FCP_REV_MAX_IDS || fcp_hex_decode_exact(ids[n_ids], 32, v) < 0) {
                cmd_error("revoke", FCP_EADMIN_OBJECT_ID, v);
                return 2;
            }
            n_ids++;
            i++;
        } else if ((a[0] != '-' || !strcmp(a, "-")) && !file) {
            file = a;
        } else {
            fprintf(stderr, "fcp revoke: unknown or incomplete option '%s' (try --help)\n", a);
            return 2;
        }
    }
    (void)have_scope;
    if (status) {
        fcp_admin_request rq;
        memset(&rq, 0, sizeof rq);
        rq.op = FCP_ADMIN_OP_REVOCATIONS;
        fcp_buf resp;
        fcp_buf_init(&resp);
        int ec = cmd_admin_call("revoke", sock, &rq, &resp);
        if (ec == 0) {
            if (json)
                cmd_print_json(&resp);
            else
                print_state(&resp, NULL);
        }
        fcp_buf_free(&resp);
        return ec;
    }
    if (file) {
        size_t len;
        uint8_t *tok = cmd_read_input(file, &len, FCP_TOKEN_MAX_BYTES + 1);
        if (!tok)
            return 1;
        fcp_cose_sign1 s;
        int rc = fcp_cose_sign1_decode(&s, tok, len);
        if (rc == 0)
            rc = fcp_token_id(ids[n_ids], &s);
        free(tok);
        if (rc < 0) {
            cmd_error("revoke", rc, file);
            return 1;
        }
        n_ids++;
    }
    if (!n_ids) {
        fprintf(stderr, "fcp revoke: name a token file or --id HEX (try --help)\n");
        return 2;
    }
    char home[4096];
    if (cmd_home_path(home, sizeof home, homeopt) < 0) {
        cmd_error("revoke", FCP_EDAEMON_HOME, "set FCP_HOME or --home");
        return 2;
    }
    fcp_buf resp;
    fcp_buf_init(&resp);
    int ec = cmd_revoke_send("revoke", home, sock, scope, (const uint8_t (*)[32])ids, n_ids, reason, expires, &resp);
    if (ec == 0) {
        if (json)
            cmd_print_json(&resp);
        else {
            char what[160];
            char h[65];
            fcp_hex_encode(h, sizeof h, ids[0], 32);
            snprintf(what, sizeof what, "revoked %zu id%s (%s)%s%s", n_ids, n_ids == 1 ? "" : "s",
                     fcp_rev_scope_name(scope), n_ids == 1 ? " " : "", n_ids == 1 ? h : "");
            print_state(&resp, what);
        }
    }
    fcp_buf_free(&resp);
    return ec;
}
