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
 *
 * Over the mesh (D-CLI-5): an accepted admin revocation is also put into
 * z:owner; fcpd_authority_pump fetches the z:owner objects this node has not
 * looked at, verifies revocation pairs as the admin path does, persists them
 * in <data_dir>/revocations/mesh/<event id>.rev and applies their objects
 * to the set (not to this node's chain).  fcpd_authority_metrics renders
 * the revocation counters for /metrics.
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
#define AUTH_MESH_ZONE   "z:owner"          /* where revocations travel (D-CLI-5) */
#define AUTH_SEEN_MAX    4096
#define AUTH_PUMP_NS     (250ull * 1000000ull)
#define AUTH_GET_TIMEOUT_NS (5ull * 1000000000ull)

struct fcpd_authority {
    fcp_revset    set;
    char          dir[FCP_CONFIG_PATH_MAX + 16];
    uint64_t      loaded;              /* events reloaded at start */
    uint64_t      applied;             /* events applied since start */
    uint64_t      refused_datagrams;   /* dropped by the gate */
    uint64_t      refused_peers;       /* configured peers left out at start */
    uint64_t      removed_live;        /* peers taken out of the running engine */
    /* revocations over the mesh (D-CLI-5) */
    char          mesh_dir[FCP_CONFIG_PATH_MAX + 24];
    uint64_t      mesh_put;            /* accepted revocations put into z:owner */
    uint64_t      mesh_put_failed;
    size_t        n_unpublished;       /* chain seqs whose put failed: retried by the pump */
    uint64_t      unpublished[64];
    uint64_t      mesh_applied;        /* learned from the mesh and applied */
    uint64_t      mesh_loaded;         /* reloaded from revocations/mesh at start */
    uint64_t      mesh_rejected;       /* fetched, looked like a revocation, did not verify */
    uint64_t      mesh_known;          /* fetched, already applied here */
    uint64_t      mesh_fetch_failed;
    uint64_t      last_pump_ns;
    int           get_active;
    uint64_t      get_op, get_started_ns;
    uint8_t       get_id[32];
    size_t        n_seen, seen_next;
    uint8_t       (*seen)[32];          /* z:owner object ids already looked at (ring) */
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

static int write_named(const char *dir, const char *name, const uint8_t *p, size_t n)
{
    char tmp[FCP_CONFIG_PATH_MAX + 128], fin[FCP_CONFIG_PATH_MAX + 128];
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    snprintf(fin, sizeof fin, "%s/%s", dir, name);
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

static int write_atomic(const char *dir, uint64_t seq, const uint8_t *p, size_t n)
{
    char name[32];
    snprintf(name, sizeof name, "%020llu.rev", (unsigned long long)seq);
    return write_named(dir, name, p, n);
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
        fcpd_quic_peer_drop(d, d->cfg.peers[i].id); /* its QUIC connections close too */
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

/* ---- revocations over the mesh (D-CLI-5) ----------------------------------
 * An accepted admin revocation ([obj, event] bytes) is put as an object into
 * z:owner.  Every node lists its z:owner objects every AUTH_PUMP_NS, fetches
 * each one it has not looked at (one at a time), and when the bytes are a
 * revocation pair that verifies exactly as the admin path verifies it (owner
 * signature on object and event, the event names the object) applies the
 * RevocationObject to its set outside its own chain (the chain, seq and
 * checkpoint stay the node's own: no fork with revocations sent to this
 * node's admin socket), after writing it to revocations/mesh/<event id>.rev,
 * which start reloads and re-verifies (fail closed like the chain). */

static int seen(const struct fcpd_authority *au, const uint8_t id[32])
{
    for (size_t i = 0; i < au->n_seen; i++)
        if (!memcmp(au->seen[i], id, 32))
            return 1;
    return 0;
}

static void mark_seen(struct fcpd_authority *au, const uint8_t id[32])
{
    if (!au->seen || seen(au, id))
        return;
    memcpy(au->seen[au->seen_next], id, 32);
    au->seen_next = (au->seen_next + 1) % AUTH_SEEN_MAX;
    if (au->n_seen < AUTH_SEEN_MAX)
        au->n_seen++;
}

static void evid_name(char *name, size_t cap, const uint8_t evid[32])
{
    static const char hx[] = "0123456789abcdef";
    size_t j = 0;
    for (size_t i = 0; i < 32 && j + 3 < cap; i++) {
        name[j++] = hx[evid[i] >> 4];
        name[j++] = hx[evid[i] & 15];
    }
    snprintf(name + j, cap - j, ".rev");
}

/* Apply a verified pair outside the chain; persist first when persist. */
static int apply_mesh_pair(fcpd *d, const uint8_t *p, size_t n, int persist, char *det, size_t dl)
{
    struct fcpd_authority *au = d->auth;
    static fcp_revocation_object obj;
    fcp_revocation_event ev;
    uint8_t evid[32];
    int rc = decode_pair(d, p, n, &obj, &ev, evid, det, dl);
    if (rc < 0)
        return rc;
    char name[80], path[FCP_CONFIG_PATH_MAX + 128];
    evid_name(name, sizeof name, evid);
    snprintf(path, sizeof path, "%s/%s", au->mesh_dir, name);
    if (persist) {
        /* already here: our own chain's head, or learned before */
        if ((au->set.seq && !memcmp(evid, au->set.head_event, 32)) || access(path, F_OK) == 0)
            return 1;
        if ((rc = write_named(au->mesh_dir, name, p, n)) < 0) {
            snprintf(det, dl, "cannot write revocations/mesh/%.68s: %s", name, strerror(errno));
            return rc;
        }
    }
    if ((rc = fcp_revset_apply_object(&au->set, &obj)) < 0) {
        snprintf(det, dl, "applying the revocation");
        return rc;
    }
    if (obj.scope == FCP_REV_NODE_ATTESTATION)
        refresh_blocked(d);
    fcp_log_field f[] = { FCP_LF_UINT("origin_seq", ev.seq), FCP_LF_STR("scope", fcp_rev_scope_name(obj.scope)),
                          FCP_LF_UINT("ids", obj.n_revoked), FCP_LF_STR("reason", obj.reason),
                          FCP_LF_BOOL("reloaded", !persist) };
    fcpd_log(d, persist ? FCP_LOG_INFO : FCP_LOG_DEBUG, "revocation.mesh_applied", 0, f, 5);
    return 0;
}

static int load_mesh(fcpd *d)
{
    struct fcpd_authority *au = d->auth;
    DIR *dir = opendir(au->mesh_dir);
    if (!dir)
        return FCP_EDAEMON_REV_STORE;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(dir))) {
        size_t l = strlen(e->d_name);
        if (l != 68 || strcmp(e->d_name + 64, ".rev"))
            continue;
        char path[FCP_CONFIG_PATH_MAX + 128];
        snprintf(path, sizeof path, "%s/%.68s", au->mesh_dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        uint8_t *buf = malloc(2 * FCP_REV_MAX_ENCODED + 64);
        size_t n = buf ? fread(buf, 1, 2 * FCP_REV_MAX_ENCODED + 64, f) : 0;
        fclose(f);
        char det[256] = "";
        rc = buf ? apply_mesh_pair(d, buf, n, 0, det, sizeof det) : FCP_ENOMEM;
        free(buf);
        if (rc < 0) {
            fcp_log_field lf[] = { FCP_LF_STR("path", path), FCP_LF_STR("detail", det) };
            fcpd_log(d, FCP_LOG_ERROR, "revocation.reload", rc, lf, 2);
            rc = FCP_EDAEMON_REV_STORE;
        } else {
            au->mesh_loaded++;
        }
    }
    closedir(dir);
    return rc;
}

static int mesh_zone_served(const fcpd *d)
{
    if (!d->mesh || !zone_oid_key(d, AUTH_MESH_ZONE))
        return 0;
    for (size_t i = 0; i < d->cfg.n_zones; i++)
        if (!strcmp(d->cfg.zones[i], AUTH_MESH_ZONE))
            return 1;
    return 0;
}

/* Put an accepted admin revocation (chain seq) into z:owner for the other
 * nodes; a failed put (queues full) is retried by the pump from the file. */
static int mesh_publish(fcpd *d, const uint8_t *p, size_t n, uint64_t seq, int retry)
{
    struct fcpd_authority *au = d->auth;
    if (!mesh_zone_served(d))
        return 0;
    uint8_t id[32];
    int rc = fcp_mesh_put(d->mesh, AUTH_MESH_ZONE, p, n, id, NULL);
    if (rc == 0) {
        au->mesh_put++;
        mark_seen(au, id);
    } else {
        au->mesh_put_failed++;
        if (!retry && au->n_unpublished < sizeof au->unpublished / sizeof au->unpublished[0])
            au->unpublished[au->n_unpublished++] = seq;
    }
    fcp_log_field f[] = { FCP_LF_STR("zone", AUTH_MESH_ZONE), FCP_LF_UINT("seq", seq), FCP_LF_UINT("bytes", n),
                          FCP_LF_BOOL("retry", retry) };
    fcpd_log(d, rc == 0 ? FCP_LOG_INFO : FCP_LOG_WARN, "revocation.published", rc < 0 ? rc : 0, f, 4);
    return rc;
}

static void retry_publish(fcpd *d)
{
    struct fcpd_authority *au = d->auth;
    size_t keep = 0;
    for (size_t i = 0; i < au->n_unpublished; i++) {
        char path[FCP_CONFIG_PATH_MAX + 64];
        snprintf(path, sizeof path, "%s/%020llu.rev", au->dir, (unsigned long long)au->unpublished[i]);
        FILE *f = fopen(path, "rb");
        uint8_t *buf = f ? malloc(2 * FCP_REV_MAX_ENCODED + 64) : NULL;
        size_t n = buf ? fread(buf, 1, 2 * FCP_REV_MAX_ENCODED + 64, f) : 0;
        if (f)
            fclose(f);
        if (buf && n && mesh_publish(d, buf, n, au->unpublished[i], 1) < 0)
            au->unpublished[keep++] = au->unpublished[i];
        free(buf);
    }
    au->n_unpublished = keep;
}

static void mesh_got(fcpd *d, const uint8_t *p, size_t n)
{
    struct fcpd_authority *au = d->auth;
    const uint8_t *ob, *eb;
    size_t ol, el;
    if (fcp_admin_revoke_decode(p, n, &ob, &ol, &eb, &el) < 0)
        return;   /* another z:owner object */
    char det[256] = "";
    int rc = apply_mesh_pair(d, p, n, 1, det, sizeof det);
    if (rc == 1) {
        au->mesh_known++;
    } else if (rc == 0) {
        au->mesh_applied++;
    } else {
        au->mesh_rejected++;
        fcp_log_field f[] = { FCP_LF_HEX("object_id", au->get_id, 32), FCP_LF_STR("detail", det),
                              FCP_LF_INT("cause", rc) };
        fcpd_log(d, FCP_LOG_WARN, "revocation.mesh_rejected", FCP_EDAEMON_REV_MESH, f, 3);
    }
}

void fcpd_authority_pump(fcpd *d)
{
    struct fcpd_authority *au = d->auth;
    if (!au || !au->seen || !mesh_zone_served(d))
        return;
    uint64_t now = fcpd_now_ns();
    if (au->get_active) {
        const uint8_t *data;
        size_t len;
        int rc = fcp_mesh_get_result(d->mesh, au->get_op, &data, &len);
        if (rc == FCP_ERQ_NEED_MORE && now - au->get_started_ns < AUTH_GET_TIMEOUT_NS)
            return;
        if (rc == 0) {
            mark_seen(au, au->get_id);
            mesh_got(d, data, len);
        } else {
            au->mesh_fetch_failed++;   /* not marked seen: tried again later */
        }
        fcp_mesh_op_release(d->mesh, au->get_op);
        au->get_active = 0;
    }
    if (now - au->last_pump_ns < AUTH_PUMP_NS)
        return;
    au->last_pump_ns = now;
    if (au->n_unpublished)
        retry_publish(d);
    static fcp_mesh_obj_status st[64];
    uint8_t after[32];
    int have_after = 0;
    for (int page = 0; page < 64; page++) {
        size_t cnt = 0;
        if (fcp_mesh_list(d->mesh, AUTH_MESH_ZONE, have_after ? after : NULL, 1, st, 64, &cnt) < 0 || !cnt)
            return;
        for (size_t i = 0; i < cnt; i++) {
            if (seen(au, st[i].object_id))
                continue;
            if (fcp_mesh_get_start(d->mesh, st[i].object_id, AUTH_MESH_ZONE, &au->get_op) == 0) {
                au->get_active = 1;
                au->get_started_ns = now;
                memcpy(au->get_id, st[i].object_id, 32);
            }
            return;
        }
        memcpy(after, st[cnt - 1].object_id, 32);
        have_after = 1;
        if (cnt < 64)
            return;
    }
}

void fcpd_authority_metrics(fcpd *d, fcp_buf *o)
{
    struct fcpd_authority *au = d->auth;
    if (!au)
        return;
    char line[2048];
    int n = snprintf(line, sizeof line,
        "# HELP fcp_revocations_total Revocations applied (chain events reloaded + applied, and learned from the mesh)\n"
        "# TYPE fcp_revocations_total counter\nfcp_revocations_total %llu\n"
        "# HELP fcp_revocation_seq Sequence number of this node's revocation chain head\n"
        "# TYPE fcp_revocation_seq gauge\nfcp_revocation_seq %llu\n"
        "# HELP fcp_revoked_ids Ids in the revocation set\n"
        "# TYPE fcp_revoked_ids gauge\nfcp_revoked_ids %llu\n"
        "# HELP fcp_revocation_removed_peers Configured peers whose attestation is revoked\n"
        "# TYPE fcp_revocation_removed_peers gauge\nfcp_revocation_removed_peers %llu\n"
        "# HELP fcp_revocation_refused_datagrams_total Datagrams from removed nodes dropped\n"
        "# TYPE fcp_revocation_refused_datagrams_total counter\nfcp_revocation_refused_datagrams_total %llu\n"
        "# HELP fcp_revocation_refused_peers_total Configured peers left out at start (revoked)\n"
        "# TYPE fcp_revocation_refused_peers_total counter\nfcp_revocation_refused_peers_total %llu\n"
        "# HELP fcp_revocation_removed_live_total Peers taken out of the running engine\n"
        "# TYPE fcp_revocation_removed_live_total counter\nfcp_revocation_removed_live_total %llu\n"
        "# HELP fcp_revocation_mesh_total Revocations over the mesh (z:owner), by outcome\n"
        "# TYPE fcp_revocation_mesh_total counter\n"
        "fcp_revocation_mesh_total{outcome=\"published\"} %llu\n"
        "fcp_revocation_mesh_total{outcome=\"publish_failed\"} %llu\n"
        "fcp_revocation_mesh_total{outcome=\"applied\"} %llu\n"
        "fcp_revocation_mesh_total{outcome=\"already_known\"} %llu\n"
        "fcp_revocation_mesh_total{outcome=\"rejected\"} %llu\n"
        "fcp_revocation_mesh_total{outcome=\"fetch_failed\"} %llu\n",
        (unsigned long long)(au->loaded + au->applied + au->mesh_loaded + au->mesh_applied),
        (unsigned long long)au->set.seq, (unsigned long long)au->set.n, (unsigned long long)au->n_blocked,
        (unsigned long long)au->refused_datagrams, (unsigned long long)au->refused_peers,
        (unsigned long long)au->removed_live, (unsigned long long)au->mesh_put,
        (unsigned long long)au->mesh_put_failed, (unsigned long long)au->mesh_applied,
        (unsigned long long)au->mesh_known, (unsigned long long)au->mesh_rejected,
        (unsigned long long)au->mesh_fetch_failed);
    if (n > 0)
        fcp_buf_append(o, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
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
    snprintf(au->mesh_dir, sizeof au->mesh_dir, "%s/mesh", au->dir);
    if (mkdir(au->mesh_dir, 0700) < 0 && errno != EEXIST)
        return FCP_EDAEMON_REV_STORE;
    if ((rc = load_mesh(d)) < 0)
        return rc;
    au->seen = calloc(AUTH_SEEN_MAX, 32);
    if (!au->seen)
        return FCP_ENOMEM;
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
    if (d->auth->get_active && d->mesh)
        fcp_mesh_op_release(d->mesh, d->auth->get_op);
    free(d->auth->seen);
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
        fcp_revocation_event ev;
        rc = apply_pair(d, r->data, r->data_len, 1, det, dl, &ev);
        if (rc < 0)
            return rc;
        d->auth->applied++;
        mesh_publish(d, r->data, r->data_len, ev.seq, 0);
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
