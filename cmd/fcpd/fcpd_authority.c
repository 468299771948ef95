/*
 * fcpd_authority.c - the daemon's revocation state (spec §14.3, §19.4):
 * owner-signed RevocationObjects, each chained by an owner-signed
 * RevocationEvent, arrive through the admin op "revoke"; they are verified,
 * written to <data_dir>/revocations/<seq>.rev (a CBOR array
 * [bstr RevocationObject, bstr RevocationEvent], written to a temporary file,
 * fsynced and renamed) and applied to one fcp_revset.  At start every file is
 * reloaded in seq order and re-verified; a file that does not verify stops
 * the daemon (fail closed: a revocation is never silently forgotten).
 *
 * Removed nodes (scope NodeAttestation over the node's signing key): their
 * peers are left out of the mesh engine at start; when the revocation
 * arrives while the daemon runs, the peer is taken out of the running engine
 * (fcp_mesh_member_remove: session closed, its attestation out of the trust
 * store) and every datagram from its configured address is dropped before
 * the engine sees it (fcpd_authority_gate; counted, logged FCP-6356), so a
 * removed node gets no new session.  Decision D-ENROLL-2.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fcp/cbor.h"
#include "fcp/clock.h"
#include "fcp/error.h"
#include "fcp/rng.h"
#include "fcpd.h"

#define AUTH_MAX_BLOCKED FCP_CONFIG_MAX_PEERS

struct fcpd_authority {
    fcp_revset    set;
    char          dir[FCP_CONFIG_PATH_MAX + 16];
    uint64_t      loaded;              /* events reloaded at start */
    uint64_t      applied;             /* events applied since start */
    uint64_t      refused_datagrams;   /* dropped by the gate */
    uint64_t      refused_peers;       /* configured peers left out at start */
    uint64_t      removed_live;        /* peers taken out of the running engine */
    size_t        n_blocked;
    fcp_mesh_addr blocked[AUTH_MAX_BLOCKED];
    char          blocked_id[AUTH_MAX_BLOCKED][FCP_NODE_ID_MAX + 1];
    uint64_t      last_log_ns[AUTH_MAX_BLOCKED];
};

static uint64_t unix_now(void)
{
    return fcp_clock_unix_secs(fcp_clock_system());
}

static const fcp_object_id_key *zone_oid_key(const fcpd *d, const char *zone)
{
    for (size_t i = 0; i < d->keys.n_zones; i++)
        if (!strcmp(d->keys.zones[i].zone_id, zone))
            return &d->keys.zones[i].oid_key;
    return NULL;
}

/* Decode [bstr obj, bstr event] and verify both against the owner key; the
 * event must name the object.  Fills obj, ev, evid. */
static int decode_pair(const fcpd *d, const uint8_t *p, size_t n, fcp_revocation_object *obj,
                       fcp_revocation_event *ev, uint8_t evid[32], char *det, size_t dl)
{
    const uint8_t *ob, *eb;
    size_t ol, el;
    int rc = fcp_admin_revoke_decode(p, n, &ob, &ol, &eb, &el);
    if (rc < 0) {
        snprintf(det, dl, "data is not the CBOR array [RevocationObject bytes, RevocationEvent bytes]");
        return rc;
    }
    if ((rc = fcp_revocation_object_decode(obj, ob, ol)) < 0) {
        snprintf(det, dl, "RevocationObject does not decode");
        return rc;
    }
    if ((rc = fcp_revocation_object_verify(obj, d->keys.owner_pk)) < 0) {
        snprintf(det, dl, "RevocationObject is not signed by this node's owner");
        return rc;
    }
    if ((rc = fcp_revocation_event_decode(ev, eb, el)) < 0) {
        snprintf(det, dl, "RevocationEvent does not decode");
        return rc;
    }
    if ((rc = fcp_revocation_event_verify(ev, d->keys.owner_pk)) < 0) {
        snprintf(det, dl, "RevocationEvent is not signed by this node's owner");
        return rc;
    }
    const fcp_object_id_key *ko = zone_oid_key(d, obj->header.zone_id);
    const fcp_object_id_key *ke = zone_oid_key(d, ev->header.zone_id);
    if (!ko || !ke) {
        snprintf(det, dl, "no ObjectIdKey for zone %s", !ko ? obj->header.zone_id : ev->header.zone_id);
        return FCP_EADMIN_ZONE;
    }
    uint8_t oid[32];
    if ((rc = fcp_revocation_object_id(oid, obj, ko)) < 0 ||
        (rc = fcp_revocation_event_id(evid, ev, ke)) < 0)
        return rc;
    if (memcmp(oid, ev->revocation_object_id, 32)) {
        snprintf(det, dl, "event names another RevocationObject");
        return FCP_EDAEMON_REV_MISMATCH;
    }
    return 0;
}

/* The chain step the event must be (without applying it). */
static int chain_check(const fcp_revset *s, const fcp_revocation_event *e)
{
    if (e->seq <= s->seq)
        return FCP_EREV_CHAIN_DUPLICATE;
    if (e->seq != s->seq + 1)
        return FCP_EREV_CHAIN_GAP;
    if (s->seq == 0 ? e->has_prev : (!e->has_prev || memcmp(e->prev, s->head_event, 32) != 0))
        return FCP_EREV_CHAIN_BROKEN;
    return 0;
}

static int write_atomic(const char *dir, uint64_t seq, const uint8_t *p, size_t n)
{
    char tmp[FCP_CONFIG_PATH_MAX + 64], fin[FCP_CONFIG_PATH_MAX + 64];
    snprintf(tmp, sizeof tmp, "%s/.%020llu.tmp", dir, (unsigned long long)seq);
    snprintf(fin, sizeof fin, "%s/%020llu.rev", dir, (unsigned long long)seq);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return FCP_EDAEMON_REV_STORE;
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, p + off, n - off);
        if (w <= 0) {
            close(fd);
            unlink(tmp);
            return FCP_EDAEMON_REV_STORE;
        }
        off += (size_t)w;
    }
    if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, fin) < 0) {
        unlink(tmp);
        return FCP_EDAEMON_REV_STORE;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

/* Which configured peers are removed now; their address tokens are gated. */
static void refresh_blocked(fcpd *d)
{
    struct fcpd_authority *au = d->auth;
    au->n_blocked = 0;
    uint64_t now = unix_now();
    for (size_t i = 0; i < d->cfg.n_peers && au->n_blocked < AUTH_MAX_BLOCKED; i++) {
        fcp_node_attestation at;
        if (fcpd_peer_attestation(&at, d->home, d->cfg.peers[i].id) < 0)
            continue;
        if (!fcp_revset_contains(&au->set, at.node_sig_pubkey, FCP_REV_NODE_ATTESTATION, now))
            continue;
        fcp_net_addr a;
        if (fcp_net_addr_resolve(&a, d->cfg.peers[i].addr.host, d->cfg.peers[i].addr.port) < 0)
            continue;
        fcpd_addr_to_token(&a, &au->blocked[au->n_blocked]);
        snprintf(au->blocked_id[au->n_blocked], sizeof au->blocked_id[0], "%s", d->cfg.peers[i].id);
        au->last_log_ns[au->n_blocked] = 0;
        au->n_blocked++;
        /* a running engine drops it now: session closed, queues and repairs
         * toward it dropped, its attestation out of the trust store */
        if (d->mesh && fcp_mesh_member_remove(d->mesh, d->cfg.peers[i].id) == 0) {
            au->removed_live++;
            fcp_log_field f[] = { FCP_LF_STR("peer", d->cfg.peers[i].id),
                                  FCP_LF_STR("why", "node attestation revoked (removed)") };
            fcpd_log(d, FCP_LOG_WARN, "peer.removed", FCP_EDAEMON_PEER_REVOKED, f, 2);
        }
    }
}

/* Verify and apply one [obj, event] pair; persist it first when persist. */
static int apply_pair(fcpd *d, const uint8_t *p, size_t n, int persist, char *det, size_t dl,
                      fcp_revocation_event *ev_out)
{
    struct fcpd_authority *au = d->auth;
    static fcp_revocation_object obj;   /* ~33 KiB: not on the stack */
    fcp_revocation_event ev;
    uint8_t evid[32];
    int rc = decode_pair(d, p, n, &obj, &ev, evid, det, dl);
    if (rc < 0)
        return rc;
    if ((rc = chain_check(&au->set, &ev)) < 0) {
        snprintf(det, dl, "event seq %llu does not follow the daemon's seq %llu", (unsigned long long)ev.seq,
                 (unsigned long long)au->set.seq);
        return rc;
    }
    if (persist && (rc = write_atomic(au->dir, ev.seq, p, n)) < 0) {
        snprintf(det, dl, "cannot write %s/%020llu.rev: %s", au->dir, (unsigned long long)ev.seq, strerror(errno));
        return rc;
    }
    if ((rc = fcp_revset_apply_event(&au->set, &ev, evid, &obj, unix_now())) < 0) {
        snprintf(det, dl, "applying the revocation");
        return rc;
    }
    if (obj.scope == FCP_REV_NODE_ATTESTATION)
        refresh_blocked(d);
    if (ev_out)
        *ev_out = ev;
    fcp_log_field f[] = { FCP_LF_UINT("seq", ev.seq), FCP_LF_STR("scope", fcp_rev_scope_name(obj.scope)),
                          FCP_LF_UINT("ids", obj.n_revoked), FCP_LF_STR("reason", obj.reason),
                          FCP_LF_BOOL("reloaded", !persist) };
    fcpd_log(d, persist ? FCP_LOG_INFO : FCP_LOG_DEBUG, "revocation.applied", 0, f, 5);
    return 0;
}

static int load_all(fcpd *d)
{
    struct fcpd_authority *au = d->auth;
    /* files are <seq>.rev with seq 1, 2, ...: load in order until one is missing,
     * then make sure no later file exists (a gap would hide revocations) */
    for (uint64_t seq = 1;; seq++) {
        char path[FCP_CONFIG_PATH_MAX + 64];
        snprintf(path, sizeof path, "%s/%020llu.rev", au->dir, (unsigned long long)seq);
        FILE *f = fopen(path, "rb");
        if (!f)
            break;
        uint8_t *buf = malloc(2 * FCP_REV_MAX_ENCODED + 64);
        size_t n = buf ? fread(buf, 1, 2 * FCP_REV_MAX_ENCODED + 64, f) : 0;
        fclose(f);
        char det[256] = "";
        int rc = buf ? apply_pair(d, buf, n, 0, det, sizeof det, NULL) : FCP_ENOMEM;
        free(buf);
        if (rc < 0) {
            fcp_log_field lf[] = { FCP_LF_STR("path", path), FCP_LF_STR("detail", det) };
            fcpd_log(d, FCP_LOG_ERROR, "revocation.reload", rc, lf, 2);
            return FCP_EDAEMON_REV_STORE;
        }
        au->loaded++;
    }
    DIR *dir = opendir(au->dir);
    if (!dir)
        return FCP_EDAEMON_REV_STORE;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(dir))) {
        unsigned long long s;
        if (sscanf(e->d_name, "%20llu.rev", &s) == 1 && s > au->set.seq) {
            fcp_log_field lf[] = { FCP_LF_STR("file", e->d_name), FCP_LF_UINT("seq", au->set.seq) };
            fcpd_log(d, FCP_LOG_ERROR, "revocation.gap", FCP_EREV_CHAIN_GAP, lf, 2);
            rc = FCP_EDAEMON_REV_STORE;
        }
    }
    closedir(dir);
    return rc;
}

int fcpd_authority_start(fcpd *d)
{
    struct fcpd_authority *au = calloc(1, sizeof *au);
    if (!au)
        return FCP_ENOMEM;
    d->auth = au;
    uint8_t key[16];
    int rc;
    if ((rc = fcp_rng_fill(fcp_rng_system(), key, sizeof key)) < 0 ||
        (rc = fcp_revset_init(&au->set, 64, key)) < 0)
        return rc;
    snprintf(au->dir, sizeof au->dir, "%s/revocations", d->cfg.data_dir);
    if (mkdir(au->dir, 0700) < 0 && errno != EEXIST) {
        fcp_log_field f[] = { FCP_LF_STR("path", au->dir) };
        fcpd_log(d, FCP_LOG_ERROR, "revocation.dir", FCP_EDAEMON_REV_STORE, f, 1);
        return FCP_EDAEMON_REV_STORE;
    }
    if ((rc = load_all(d)) < 0)
        return rc;
    if (!au->set.last_updated)
        au->set.last_updated = unix_now();   /* the local chain is as fresh as its load */
    refresh_blocked(d);
    fcp_log_field f[] = { FCP_LF_UINT("seq", au->set.seq), FCP_LF_UINT("ids", au->set.n),
                          FCP_LF_UINT("removed_peers", au->n_blocked) };
    fcpd_log(d, FCP_LOG_INFO, "revocation.loaded", 0, f, 3);
    return 0;
}

void fcpd_authority_stop(fcpd *d)
{
    if (!d->auth)
        return;
    fcp_revset_free(&d->auth->set);
    free(d->auth);
    d->auth = NULL;
}

const fcp_revset *fcpd_revset(const fcpd *d)
{
    return d->auth ? &d->auth->set : NULL;
}

int fcpd_node_revoked(const fcpd *d, const char *node_id, const uint8_t node_sig_pk[32])
{
    (void)node_id;
    return d->auth && fcp_revset_contains(&d->auth->set, node_sig_pk, FCP_REV_NODE_ATTESTATION, unix_now());
}

int fcpd_authority_skip_peer(fcpd *d, const fcp_node_attestation *at)
{
    if (!fcpd_node_revoked(d, at->node_id, at->node_sig_pubkey))
        return 0;
    d->auth->refused_peers++;
    fcp_log_field f[] = { FCP_LF_STR("peer", at->node_id), FCP_LF_STR("why", "node attestation revoked (removed)") };
    fcpd_log(d, FCP_LOG_WARN, "peer.revoked", FCP_EDAEMON_PEER_REVOKED, f, 2);
    return 1;
}

int fcpd_authority_gate(fcpd *d, const fcp_mesh_addr *from)
{
    struct fcpd_authority *au = d->auth;
    if (!au || !au->n_blocked)
        return 0;
    for (size_t i = 0; i < au->n_blocked; i++) {
        if (au->blocked[i].len != from->len || memcmp(au->blocked[i].bytes, from->bytes, from->len))
            continue;
        au->refused_datagrams++;
        uint64_t now = fcpd_now_ns();
        if (!au->last_log_ns[i] || now - au->last_log_ns[i] > 10ull * 1000000000ull) {
            au->last_log_ns[i] = now;   /* at most one line per peer per 10 s */
            fcp_log_field f[] = { FCP_LF_STR("peer", au->blocked_id[i]),
                                  FCP_LF_UINT("refused_datagrams", au->refused_datagrams) };
            fcpd_log(d, FCP_LOG_WARN, "peer.revoked", FCP_EDAEMON_PEER_REVOKED, f, 2);
        }
        return 1;
    }
    return 0;
}

int fcpd_zone_key_lookup(void *ctx, const char *zone_id, const uint8_t key_id[8], uint8_t zone_key[32])
{
    const fcpd *d = ctx;
    for (size_t i = 0; i < d->keys.n_zones; i++)
        if (!strcmp(d->keys.zones[i].zone_id, zone_id) && !memcmp(d->keys.zones[i].zone_key_id, key_id, 8)) {
            memcpy(zone_key, d->keys.zones[i].zone_key, 32);
            return 0;
        }
    return FCP_ENOENT;
}

static void state_map(fcpd *d, fcp_cbor_enc *e)
{
    struct fcpd_authority *au = d->auth;
    fcp_cbor_put_cstr(e, "seq");
    fcp_cbor_put_uint(e, au->set.seq);
    if (au->set.seq) {
        fcp_cbor_put_cstr(e, "head");
        fcp_cbor_put_bytes(e, au->set.head_event, 32);
    }
    fcp_cbor_put_cstr(e, "ids");
    fcp_cbor_put_uint(e, au->set.n);
    fcp_cbor_put_cstr(e, "last_updated");
    fcp_cbor_put_uint(e, au->set.last_updated);
    fcp_cbor_put_cstr(e, "removed_peers");
    fcp_cbor_put_uint(e, au->n_blocked);
    fcp_cbor_put_cstr(e, "refused_datagrams");
    fcp_cbor_put_uint(e, au->refused_datagrams);
    fcp_cbor_put_cstr(e, "refused_peers");
    fcp_cbor_put_uint(e, au->refused_peers);
    fcp_cbor_put_cstr(e, "removed_live");
    fcp_cbor_put_uint(e, au->removed_live);
}

int fcpd_authority_admin(fcpd *d, const fcp_admin_request *r, fcp_buf *resp, char *det, size_t dl)
{
    if (!d->auth) {
        snprintf(det, dl, "revocation state not loaded");
        return FCP_EADMIN_STATE;
    }
    int rc = 0;
    if (r->op == FCP_ADMIN_OP_REVOKE) {
        rc = apply_pair(d, r->data, r->data_len, 1, det, dl, NULL);
        if (rc < 0)
            return rc;
        d->auth->applied++;
    } else if (r->op != FCP_ADMIN_OP_REVOCATIONS) {
        return FCP_EADMIN_UNKNOWN_OP;
    }
    /* canonical map: keys sorted by encoded length then bytes */
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, resp);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "ok");
    fcp_cbor_put_bool(&e, 1);
    state_map(d, &e);
    if (r->op == FCP_ADMIN_OP_REVOCATIONS && r->has_id) {
        /* the scopes id is revoked in now (bit 1 << scope), e.g. for `fcp token inspect --daemon` */
        uint64_t now = unix_now(), scopes = 0;
        for (int sc = 0; sc < FCP_REV_SCOPE_COUNT; sc++)
            if (fcp_revset_contains(&d->auth->set, r->id, (enum fcp_rev_scope)sc, now))
                scopes |= 1u << sc;
        fcp_cbor_put_cstr(&e, "revoked");
        fcp_cbor_put_bool(&e, scopes != 0);
        fcp_cbor_put_cstr(&e, "scopes");
        fcp_cbor_put_uint(&e, scopes);
    }
    fcp_cbor_map_close(&e);
    rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return rc;
}
