/*
 * fcpd_conn_state.c - externalised connector state (spec §10.4,
 * D-RUNTIME-8): the "state_get" / "state_put" requests a connector sends
 * during a call, served with one singleton-writer slot per connector
 * (host_state.h).
 *
 * Threads.  A request arrives on the connector's worker thread
 * (rt_state_on_request, called by the egress dispatcher).  Mesh objects
 * may only be put from the loop thread, so the worker queues the request,
 * wakes the loop through this module's eventfd and waits (bounded by
 * RT_STATE_WAIT_MS); the loop checks the fence and the chain, puts the new
 * ConnectorStateObject into the connector's zone as a mesh object, records
 * it in the store, rewrites the head file, and signals the worker.  A
 * worker that gave up leaves the request marked abandoned and the loop
 * frees it.  Slots, epochs and head files are loop-only.
 *
 * Every version stays a mesh object of the zone; the head's is pinned in
 * the local store (the previous head unpinned).
 *
 * Head file <data_dir>/state/<connector id>.head (canonical CBOR, 0600,
 * fsync'd before the connector is answered):
 *   { "epoch": uint, ? "mesh_id": bytes 32, ? "head": bytes (the encoded
 *     head ConnectorStateObject) }
 * Each activation of a connector whose manifest says [state] model = "mesh"
 * bumps the epoch (rt_state_activate, from the START job's submission).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fcp/cbor.h"
#include "fcp/clock.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/host_state.h"
#include "fcpd_conn.h"

#define RT_STATE_WAIT_MS  10000u
#define HEAD_FILE_MAX     (FCP_HOST_STATE_ENC_MAX + 256)
#define INSTANCE_ID       "default"

enum { REQ_GET = 1, REQ_PUT = 2 };

typedef struct st_req {
    struct st_req *next;
    rt_connector *c;
    int       kind;
    uint64_t  epoch;
    int       has_prev;
    uint8_t   prev[32];
    size_t    prev_len;
    fcp_buf   state;          /* put input */
    /* results (under S.mu once done) */
    int       done, abandoned;
    int       rc;
    fcp_buf   reply;
} st_req;

typedef struct st_conn {
    char            id[FCP_MANIFEST_MAX_ID + 1];   /* the connector the slot is for */
    fcp_state_slot *slot;     /* NULL until initialised and restored */
    uint8_t        mesh_id[32];
    int            has_mesh_id;
} st_conn;

static struct {
    fcpd_runtime   *rt;
    int             fd;
    int             closing;
    pthread_mutex_t mu;
    pthread_cond_t  cv;
    st_req         *head, *tail;
    st_conn        *c[RT_MAX_CONNECTORS];
} S = { .fd = -1, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static void req_free(st_req *r)
{
    if (!r)
        return;
    fcp_buf_free(&r->state);
    fcp_buf_free(&r->reply);
    free(r);
}

/* ---- head file ------------------------------------------------------------------ */

static void head_path(const rt_connector *c, char *out, size_t cap)
{
    snprintf(out, cap, "%s/state/%s.head", c->rt->d->cfg.data_dir, c->id);
}

static int write_head(rt_connector *c, st_conn *sc)
{
    fcp_buf b;
    fcp_buf_init(&b);
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, &b);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "epoch");
    fcp_cbor_put_uint(&e, fcp_state_slot_epoch(sc->slot));
    const uint8_t *enc;
    size_t el;
    if (fcp_state_slot_head(sc->slot, NULL, NULL, NULL, NULL, &enc, &el) == 1) {
        fcp_cbor_put_cstr(&e, "head");
        fcp_cbor_put_bytes(&e, enc, el);
    }
    if (sc->has_mesh_id) {
        fcp_cbor_put_cstr(&e, "mesh_id");
        fcp_cbor_put_bytes(&e, sc->mesh_id, 32);
    }
    fcp_cbor_map_close(&e);
    int rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    char dir[FCP_CONFIG_PATH_MAX + 16], path[FCP_CONFIG_PATH_MAX + 300], tmp[FCP_CONFIG_PATH_MAX + 310];
    snprintf(dir, sizeof dir, "%s/state", c->rt->d->cfg.data_dir);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        rc = rc < 0 ? rc : FCP_EIO;
    head_path(c, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (rc == 0) {
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) {
            rc = FCP_EIO;
        } else {
            ssize_t w = write(fd, b.data, b.len);
            if (w != (ssize_t)b.len || fsync(fd) < 0)
                rc = FCP_EIO;
            close(fd);
            if (rc == 0 && rename(tmp, path) < 0)
                rc = FCP_EIO;
            if (rc < 0)
                unlink(tmp);
        }
    }
    if (rc == 0) {
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
    }
    fcp_buf_free(&b);
    return rc;
}

static int read_head(rt_connector *c, st_conn *sc, fcp_state_slot *slot)
{
    char path[FCP_CONFIG_PATH_MAX + 300];
    head_path(c, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno == ENOENT ? 0 : FCP_EIO;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > HEAD_FILE_MAX) {
        close(fd);
        return FCP_EIO;
    }
    uint8_t *p = malloc((size_t)st.st_size);
    ssize_t r = p ? read(fd, p, (size_t)st.st_size) : -1;
    close(fd);
    if (r != st.st_size) {
        free(p);
        return FCP_EIO;
    }
    uint64_t epoch = 0;
    const uint8_t *head = NULL, *mid = NULL;
    size_t hl = 0, ml = 0;
    fcp_cbor_dec d;
    fcp_cbor_dec_init(&d, p, (size_t)r, NULL);
    fcp_cbor_map_iter it;
    const char *k;
    size_t kl;
    int rc = fcp_cbor_map_begin(&d, &it);
    while (rc >= 0 && (rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kl)) > 0) {
        if (fcp_cbor_key_is(k, kl, "epoch"))
            rc = fcp_cbor_get_uint(&d, &epoch);
        else if (fcp_cbor_key_is(k, kl, "head"))
            rc = fcp_cbor_get_bytes(&d, &head, &hl);
        else if (fcp_cbor_key_is(k, kl, "mesh_id"))
            rc = fcp_cbor_get_bytes(&d, &mid, &ml);
        else
            rc = fcp_cbor_skip(&d);
    }
    if (rc == 0 && mid && ml == 32) {
        memcpy(sc->mesh_id, mid, 32);
        sc->has_mesh_id = 1;
    }
    if (rc == 0)
        rc = fcp_state_slot_restore(slot, epoch, head, hl);
    free(p);
    return rc;
}

/* The slot of c, initialised and restored on first use; NULL if the zone
 * is not served with keys or the head file is unreadable. */
static st_conn *slot_of(rt_connector *c)
{
    fcpd_runtime *rt = c->rt;
    size_t idx = (size_t)(c - rt->c);
    st_conn *sc = S.c[idx];
    if (sc && sc->slot && strcmp(sc->id, c->id)) {   /* the runtime slot now holds another connector */
        fcp_state_slot_free(sc->slot);
        memset(sc, 0, sizeof *sc);
    }
    if (sc && sc->slot)
        return sc;
    if (!sc && !(sc = S.c[idx] = calloc(1, sizeof *sc)))
        return NULL;
    fcpd *d = rt->d;
    const fcp_mesh_zone_config *zk = NULL;
    for (size_t z = 0; z < d->keys.n_zones && !zk; z++)
        if (!strcmp(d->keys.zones[z].zone_id, c->zone))
            zk = &d->keys.zones[z];
    if (!zk)
        return NULL;
    uint8_t pk[32];
    fcp_ed25519_sk_to_pk(pk, d->keys.sig_sk);
    int rc;
    fcp_state_slot *slot = fcp_state_slot_new(c->zone, c->id, INSTANCE_ID, d->keys.node_id, pk, &zk->oid_key, &rc);
    if (!slot)
        return NULL;
    if ((rc = read_head(c, sc, slot)) < 0) {
        fcp_log_field f[] = { FCP_LF_STR("connector", c->id) };
        fcpd_log(d, FCP_LOG_ERROR, "state.head_unreadable", rc, f, 1);
        fcp_state_slot_free(slot);
        return NULL;
    }
    sc->slot = slot;
    snprintf(sc->id, sizeof sc->id, "%s", c->id);
    return sc;
}

uint64_t rt_state_activate(rt_connector *c, const fcp_manifest *m)
{
    if (!m || m->state_model != FCP_STATE_MESH)
        return 0;
    st_conn *sc = slot_of(c);
    uint64_t epoch = 0;
    if (!sc || fcp_state_activate(sc->slot, fcp_clock_unix_secs(fcp_clock_system()), &epoch) < 0)
        return 0;
    if (write_head(c, sc) < 0) {
        fcp_log_field f[] = { FCP_LF_STR("connector", c->id) };
        fcpd_log(c->rt->d, FCP_LOG_ERROR, "state.head_write", FCP_ERT_STATE_UNAVAILABLE, f, 1);
        return 0;   /* never hand out an epoch that a restart could reuse */
    }
    return epoch;
}

/* ---- loop side ------------------------------------------------------------------ */

/* The store record `fcp ls` lists (header only; the symbols are in the rq
 * tables through fcpd_symstore.c), as the admin put path records a blob. */
static int record(fcpd *d, const char *zone, const uint8_t mesh_id[32], size_t size)
{
    if (!d->store)
        return 0;
    int has = fcp_store_has(d->store, mesh_id);
    if (has != 0)
        return has < 0 ? has : 0;
    fcp_schema_id sc;
    fcp_object_header h;
    fcp_schema_id_init(&sc, "fcp.node", "StoredBlob", 1, 0, 0);
    int rc = fcp_object_header_init(&h, &sc, zone, fcp_clock_unix_secs(fcp_clock_system()));
    fcp_retention r = { .kind = FCP_RETENTION_EPHEMERAL };
    if (rc == 0)
        rc = fcp_store_put(d->store, mesh_id, &h, NULL, 0, size, &r);
    return rc;
}

/* {"epoch", ? "seq", ? "head", ? "state", ? "object"} */
static void reply_head(const fcp_state_slot *s, const uint8_t *mesh_id, fcp_buf *out, int with_state)
{
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    uint64_t seq;
    uint8_t id[32];
    const uint8_t *st;
    size_t sl;
    if (fcp_state_slot_head(s, &seq, id, &st, &sl, NULL, NULL) == 1) {
        fcp_cbor_put_cstr(&e, "seq");
        fcp_cbor_put_uint(&e, seq);
        fcp_cbor_put_cstr(&e, "head");
        fcp_cbor_put_bytes(&e, id, 32);
        if (with_state) {
            fcp_cbor_put_cstr(&e, "state");
            fcp_cbor_put_bytes(&e, st, sl);
        }
        if (mesh_id) {
            fcp_cbor_put_cstr(&e, "object");
            fcp_cbor_put_bytes(&e, mesh_id, 32);
        }
    }
    fcp_cbor_put_cstr(&e, "epoch");
    fcp_cbor_put_uint(&e, fcp_state_slot_epoch(s));
    fcp_cbor_map_close(&e);
    (void)fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
}

static int serve_put(fcpd *d, rt_connector *c, st_conn *sc, st_req *r)
{
    fcp_state_slot *s = sc->slot;
    /* keep the head: a failed mesh put or head write rolls back */
    fcp_buf saved_obj;
    fcp_buf_init(&saved_obj);
    const uint8_t *henc;
    size_t hl;
    if (fcp_state_slot_head(s, NULL, NULL, NULL, NULL, &henc, &hl) == 1 && fcp_buf_append(&saved_obj, henc, hl) < 0)
        return FCP_ENOMEM;
    fcp_buf enc;
    fcp_buf_init(&enc);
    uint8_t id[32], mesh_id[32];
    int rc = fcp_state_slot_write(s, r->epoch, r->has_prev ? r->prev : NULL, r->prev_len, r->state.data,
                                  r->state.len, fcp_clock_unix_secs(fcp_clock_system()), d->keys.sig_sk, &enc, id);
    if (rc == 0) {
        uint64_t op = 0;
        rc = d->mesh ? fcp_mesh_put(d->mesh, c->zone, enc.data, enc.len, mesh_id, &op) : FCP_ERT_STATE_UNAVAILABLE;
        if (rc == 0) {
            if (record(d, c->zone, mesh_id, enc.len) < 0) {
                fcp_log_field f[] = { FCP_LF_STR("connector", c->id) };
                fcpd_log(d, FCP_LOG_WARN, "state.record", FCP_ERT_STATE_UNAVAILABLE, f, 1);
            }
            (void)fcpd_symstore_flush(d);   /* the local share committed before answering */
            /* the head version is pinned here, the one it replaces no longer */
            if (d->store && fcp_store_pin(d->store, mesh_id) == 0 && sc->has_mesh_id &&
                memcmp(sc->mesh_id, mesh_id, 32))
                (void)fcp_store_unpin(d->store, sc->mesh_id);
            uint8_t old_mid[32];
            int old_has = sc->has_mesh_id;
            memcpy(old_mid, sc->mesh_id, 32);
            memcpy(sc->mesh_id, mesh_id, 32);
            sc->has_mesh_id = 1;
            if ((rc = write_head(c, sc)) < 0) {
                memcpy(sc->mesh_id, old_mid, 32);
                sc->has_mesh_id = old_has;
            }
        }
        if (rc < 0)   /* roll the slot back to the saved head */
            (void)fcp_state_slot_restore(s, fcp_state_slot_epoch(s), saved_obj.len ? saved_obj.data : NULL,
                                         saved_obj.len);
    }
    if (rc == 0) {
        reply_head(s, mesh_id, &r->reply, 0);
        fcp_log_field f[] = { FCP_LF_STR("connector", c->id), FCP_LF_HEX("object_id", mesh_id, 32),
                              FCP_LF_UINT("epoch", r->epoch), FCP_LF_UINT("bytes", enc.len) };
        fcpd_log(d, FCP_LOG_INFO, "state.put", 0, f, 4);
    } else {
        fcp_log_field f[] = { FCP_LF_STR("connector", c->id), FCP_LF_UINT("epoch", r->epoch) };
        fcpd_log(d, FCP_LOG_WARN, "state.put_refused", rc, f, 2);
    }
    fcp_buf_free(&saved_obj);
    fcp_buf_free(&enc);
    return rc;
}

static void serve(st_req *r)
{
    rt_connector *c = r->c;
    fcpd *d = c->rt->d;
    st_conn *sc = slot_of(c);
    if (!sc) {
        r->rc = FCP_ERT_STATE_UNAVAILABLE;
        return;
    }
    if (r->kind == REQ_GET) {
        reply_head(sc->slot, sc->has_mesh_id ? sc->mesh_id : NULL, &r->reply, 1);
        r->rc = r->reply.err;
        return;
    }
    r->rc = serve_put(d, c, sc, r);
}

static void on_wake(void *ctx, int fd, unsigned ev)
{
    (void)ctx;
    (void)ev;
    uint64_t v;
    ssize_t rd = read(fd, &v, sizeof v);
    (void)rd;
    pthread_mutex_lock(&S.mu);
    st_req *list = S.head;
    S.head = S.tail = NULL;
    pthread_mutex_unlock(&S.mu);
    while (list) {
        st_req *r = list;
        list = r->next;
        pthread_mutex_lock(&S.mu);
        int gone = r->abandoned;
        pthread_mutex_unlock(&S.mu);
        if (!gone)
            serve(r);
        pthread_mutex_lock(&S.mu);
        r->done = 1;
        gone = r->abandoned;
        pthread_cond_broadcast(&S.cv);
        pthread_mutex_unlock(&S.mu);
        if (gone)
            req_free(r);
    }
}

int rt_state_start(fcpd_runtime *rt)
{
    S.rt = rt;
    S.closing = 0;
    S.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (S.fd < 0)
        return FCP_EIO;
    if (fcp_net_loop_add(rt->d->loop, S.fd, FCP_NET_EV_IN, on_wake, rt) < 0) {
        close(S.fd);
        S.fd = -1;
        return FCP_EIO;
    }
    return 0;
}

void rt_state_closing(fcpd_runtime *rt)
{
    (void)rt;
    pthread_mutex_lock(&S.mu);
    S.closing = 1;
    pthread_cond_broadcast(&S.cv);
    pthread_mutex_unlock(&S.mu);
}

void rt_state_stop(fcpd_runtime *rt)
{
    /* workers are joined: whatever is queued was abandoned or is answered
     * with an error nobody reads */
    pthread_mutex_lock(&S.mu);
    st_req *list = S.head;
    S.head = S.tail = NULL;
    pthread_mutex_unlock(&S.mu);
    while (list) {
        st_req *r = list;
        list = r->next;
        req_free(r);
    }
    if (S.fd >= 0) {
        fcp_net_loop_del(rt->d->loop, S.fd);
        close(S.fd);
        S.fd = -1;
    }
    for (size_t i = 0; i < RT_MAX_CONNECTORS; i++) {
        if (S.c[i]) {
            fcp_state_slot_free(S.c[i]->slot);
            free(S.c[i]);
            S.c[i] = NULL;
        }
    }
}

/* ---- worker side ---------------------------------------------------------------- */

static int decode_put(st_req *r, const uint8_t *p, size_t n)
{
    if (!p || !n)
        return FCP_EMISSING_FIELD;
    fcp_cbor_dec d;
    fcp_cbor_dec_init(&d, p, n, NULL);
    fcp_cbor_map_iter it;
    const char *k;
    size_t kl;
    const uint8_t *v;
    size_t vl;
    int have_state = 0;
    int rc = fcp_cbor_map_begin(&d, &it);
    while (rc >= 0 && (rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kl)) > 0) {
        if (fcp_cbor_key_is(k, kl, "state")) {
            if ((rc = fcp_cbor_get_bytes(&d, &v, &vl)) < 0)
                break;
            if (vl > FCP_HOST_STATE_MAX)
                return FCP_ETOO_LARGE;
            rc = fcp_buf_append(&r->state, v, vl);
            have_state = 1;
        } else if (fcp_cbor_key_is(k, kl, "prev")) {
            if ((rc = fcp_cbor_get_bytes(&d, &v, &vl)) < 0)
                break;
            if (vl != 0 && vl != 32)
                return FCP_EINVALID_REQUEST;
            r->has_prev = 1;
            r->prev_len = vl;
            memcpy(r->prev, v, vl);
        } else {
            return FCP_EUNKNOWN_FIELD;
        }
    }
    if (rc == 0)
        rc = fcp_cbor_dec_finish(&d);
    if (rc == 0 && !have_state)
        rc = FCP_EMISSING_FIELD;
    return rc;
}

int rt_state_on_request(rt_connector *c, const fcp_lt_msg *req, fcp_buf *reply)
{
    int put = fcp_lt_msg_is(req, "state_put");
    if (!c->state_epoch)
        return FCP_ERT_STATE_MODEL;
    st_req *r = calloc(1, sizeof *r);
    if (!r)
        return FCP_ENOMEM;
    fcp_buf_init(&r->state);
    fcp_buf_init(&r->reply);
    r->c = c;
    r->kind = put ? REQ_PUT : REQ_GET;
    r->epoch = c->state_epoch;
    int rc = put ? decode_put(r, req->body, req->body ? req->body_len : 0) : 0;
    if (rc < 0) {
        req_free(r);
        return rc;
    }
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += RT_STATE_WAIT_MS / 1000;
    pthread_mutex_lock(&S.mu);
    if (S.closing || S.fd < 0) {
        pthread_mutex_unlock(&S.mu);
        req_free(r);
        return FCP_ERT_STATE_UNAVAILABLE;
    }
    if (S.tail)
        S.tail->next = r;
    else
        S.head = r;
    S.tail = r;
    uint64_t one = 1;
    ssize_t w = write(S.fd, &one, sizeof one);
    (void)w;
    int to = 0;
    while (!r->done && !S.closing && !to)
        to = pthread_cond_timedwait(&S.cv, &S.mu, &dl) != 0;
    if (!r->done) {
        r->abandoned = 1;   /* the loop (or rt_state_stop) frees it */
        pthread_mutex_unlock(&S.mu);
        return FCP_ERT_STATE_UNAVAILABLE;
    }
    pthread_mutex_unlock(&S.mu);
    rc = r->rc;
    if (rc == 0)
        rc = fcp_buf_append(reply, r->reply.data, r->reply.len);
    req_free(r);
    return rc;
}
