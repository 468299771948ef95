/*
 * fcpd_conn_invoke.c - the admin op "invoke" wired through the invoke
 * pipeline (host_invoke.h): decide on the loop thread, run the connector
 * call on the connector's worker, complete on the loop thread, persist what
 * the pipeline produced, answer the client.
 *
 * What fcpd supplies to the pipeline:
 *   - this node's id and signing key, the owner key;
 *   - token lookups: issuer attestations (this node's node.attest and
 *     FCP_HOME/nodes/ID.attest, owner signature checked by the verifier),
 *     CapabilityObjects (FCP_HOME/grants/NAME.cap, owner-signed, id under each
 *     served zone's ObjectIdKey; D-RUNTIME-5), node signing keys;
 *   - the revocation set of fcpd_authority.c (fcpd_revset); this node holds
 *     the owner's revocation chain itself (no RevocationHead gossip), so the
 *     set is marked fresh before every decision (D-RUNTIME-5);
 *   - one zone policy per served zone: the connectors installed in that
 *     zone are allowed, every principal and capability pattern, default
 *     deny otherwise, Execution approvals for Dangerous (none configured);
 *   - the checkpoint tokens for Risky/Dangerous bind to: the revocation
 *     chain head (seq, event id; seq 0 = 32 zero bytes; D-RUNTIME-7);
 *   - the holder proof for Risky/Dangerous tokens whose holder_node is this
 *     node: the local admin client is this node's own user, so fcpd presents
 *     the token as its holder and signs the proof over a fresh request id
 *     (D-RUNTIME-6).
 *
 * Persistence (D-RUNTIME-10): every record is written (write(2): appended
 * to a log or created once under its id) on the loop thread in audit-chain
 * order, and made durable by
 * one syncer thread with syncfs(2) of the data directory's file system.
 * FCPD_INVOKE_DURABILITY selects when the client is answered:
 *   fsync (default)  only after the records are durable: the intent before
 *                    the connector runs, the receipt + audit event (or the
 *                    DecisionReceipt + audit event of a deny) before the
 *                    answer.  Invokes arriving while a sync runs share the
 *                    next one (group commit); the loop never blocks on it.
 *   batch            right after write(2); the syncer syncs within
 *                    FCPD_INVOKE_BATCH_MS (default 5, 1..1000).  A crash of
 *                    fcpd loses nothing (the page cache survives it); a power
 *                    loss can lose the records of the last batch window
 *                    (a torn audit tail is cut at the next start).
 *   <data_dir>/audit/<zone, ':' -> '_'>.cbor   the zone's AuditEvents, concatenated
 *                                               canonical CBOR exactly as
 *                                               fcp_audit_append produced them
 *   <data_dir>/intents/<zone>.cbor              the zone's OperationIntents, concatenated
 *   <data_dir>/receipts/<hex id>.cbor           OperationReceipts, DecisionReceipts
 *                                               (one file each, created once, named by id)
 *   <data_dir>/receipts/<hex id>.out            the output JSON of an OperationReceipt of
 *                                               a call with an idempotency key
 *                                               (<= FCPD_INVOKE_MAX_STORED_OUTPUT),
 *                                               returned by an idempotent replay
 * On start each zone's chain is read back and the pipeline resumes after its
 * last event, so the file stays one chain across restarts.
 *
 * Verified objects are cached: an issuer attestation or grant object whose
 * owner signature verified once is handed to the verifier as preverified
 * (time and revocation are still checked on every call); a grant file that
 * changes is read again and verified again.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fcp/cbor.h"
#include "fcp/clock.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/model_approval.h"
#include "fcp/model_audit.h"
#include "fcp/rng.h"
#include "fcpd_conn.h"

#define MAX_ATTEST  (FCP_CONFIG_MAX_PEERS + 1)
#define MAX_GRANTS  256
#define GRANT_FILE_MAX FCP_CAP_MAX_ENCODED
#define FCPD_INVOKE_MAX_STORED_OUTPUT (1024u * 1024u)   /* bytes of output kept for replays */

typedef struct inv_grant {
    fcp_cap_object obj;
    uint8_t ids[FCP_MESH_MAX_ZONES][32];   /* its id under each served zone's key */
    int sig_ok;                            /* owner signature verified once */
} inv_grant;

enum { DUR_FSYNC = 0, DUR_BATCH = 1 };

/* The syncer: makes what the loop wrote durable, then hands the waiting
 * RT_EV_SYNCED jobs back to the loop. */
typedef struct inv_sync {
    fcpd_runtime *rt;
    int mode;                  /* DUR_* */
    uint32_t batch_ms;
    int dir_fd;                /* the data dir: syncfs(2) */
    pthread_t th;
    int th_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    rt_job *head, *tail;       /* under mu: waiting for the next sync */
    int dirty;                 /* under mu: written since the last sync */
    int stop;                  /* under mu */
    uint64_t syncs;            /* under mu */
} inv_sync;

typedef struct inv_state {
    fcpd *d;
    fcp_token_lookup lk;
    size_t n_att;
    fcp_node_attestation att[MAX_ATTEST];
    int att_ok[MAX_ATTEST];    /* owner signature verified once */
    int audit_fd[FCP_INVOKE_MAX_ZONES];   /* open append fds, by zone index */
    int intent_fd[FCP_INVOKE_MAX_ZONES];
    char zone_ids[FCP_INVOKE_MAX_ZONES][FCP_ZONE_ID_MAX + 1];
    inv_sync sy;
    size_t n_grants;
    inv_grant *grants;
    uint64_t grants_scanned_ns;
    size_t n_zones;
    fcp_dec_policy pol[FCP_INVOKE_MAX_ZONES];
    const char *conn_allow[FCP_INVOKE_MAX_ZONES][RT_MAX_CONNECTORS];
    fcp_audit_anchor anchor[FCP_INVOKE_MAX_ZONES];
} inv_state;

static const char *const ANY[] = { "*" };

static uint64_t unix_ms(void)
{
    return fcp_clock_system()->unix_ns(fcp_clock_system()->ctx) / 1000000u;
}

/* ---- persistence ------------------------------------------------------------------- */

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void audit_path(const fcpd *d, const char *zone, char *out, size_t cap)
{
    out[0] = 0;
    char z[FCP_ZONE_ID_MAX + 1];
    snprintf(z, sizeof z, "%s", zone);
    for (char *p = z; *p; p++)
        if (*p == ':')
            *p = '_';
    if (snprintf(out, cap, "%s/audit/%s.cbor", d->cfg.data_dir, z) >= (int)cap)
        out[0] = 0;
}

/* ---- the syncer ------------------------------------------------------------------- */

static void sy_post(fcpd_runtime *rt, rt_job *list)
{
    if (!list)
        return;
    rt_job *tail = list;
    while (tail->next)
        tail = tail->next;
    pthread_mutex_lock(&rt->out_mu);
    if (rt->out_tail)
        rt->out_tail->next = list;
    else
        rt->out_head = list;
    rt->out_tail = tail;
    pthread_mutex_unlock(&rt->out_mu);
    uint64_t one = 1;
    ssize_t w = write(rt->ev_fd, &one, sizeof one);
    (void)w;
}

static void *sy_main(void *arg)
{
    inv_sync *y = arg;
    pthread_mutex_lock(&y->mu);
    for (;;) {
        while (!y->stop && !y->head && !y->dirty)
            pthread_cond_wait(&y->cv, &y->mu);
        if (!y->head && !y->dirty)
            break;   /* stop, nothing left */
        if (y->mode == DUR_BATCH && !y->head && !y->stop) {
            /* collect a batch window's writes into one sync */
            pthread_mutex_unlock(&y->mu);
            struct timespec ts = { (time_t)(y->batch_ms / 1000u), (long)(y->batch_ms % 1000u) * 1000000L };
            nanosleep(&ts, NULL);
            pthread_mutex_lock(&y->mu);
        }
        rt_job *list = y->head;
        y->head = y->tail = NULL;
        y->dirty = 0;
        pthread_mutex_unlock(&y->mu);
        int rc = syncfs(y->dir_fd) < 0 ? FCP_ERT_PERSIST : 0;
        for (rt_job *j = list; j; j = j->next)
            j->status = rc;
        sy_post(y->rt, list);
        pthread_mutex_lock(&y->mu);
        y->syncs++;
    }
    pthread_mutex_unlock(&y->mu);
    return NULL;
}

/* Something was written: the syncer makes it durable (batch: within the window). */
static void sy_dirty(inv_sync *y)
{
    pthread_mutex_lock(&y->mu);
    y->dirty = 1;
    pthread_cond_signal(&y->cv);
    pthread_mutex_unlock(&y->mu);
}

/* Hand j (RT_EV_SYNCED) to the syncer: it comes back to the loop once what
 * was written before is durable, its status the sync's result. */
static void sy_wait(inv_sync *y, rt_job *j)
{
    j->kind = RT_EV_SYNCED;
    j->next = NULL;
    pthread_mutex_lock(&y->mu);
    if (y->tail)
        y->tail->next = j;
    else
        y->head = j;
    y->tail = j;
    pthread_cond_signal(&y->cv);
    pthread_mutex_unlock(&y->mu);
}

static void sy_start(inv_sync *y, fcpd_runtime *rt)
{
    fcpd *d = rt->d;
    y->rt = rt;
    y->dir_fd = -1;
    y->mode = DUR_FSYNC;
    y->batch_ms = 5;
    const char *m = getenv("FCPD_INVOKE_DURABILITY");
    if (m && !strcmp(m, "batch"))
        y->mode = DUR_BATCH;
    else if (m && *m && strcmp(m, "fsync"))
        fcpd_log(d, FCP_LOG_WARN, "invoke.durability", FCP_EINVAL, NULL, 0);   /* unknown: the safe mode */
    const char *b = getenv("FCPD_INVOKE_BATCH_MS");
    if (b && atoi(b) >= 1 && atoi(b) <= 1000)
        y->batch_ms = (uint32_t)atoi(b);
    pthread_mutex_init(&y->mu, NULL);
    pthread_cond_init(&y->cv, NULL);
    y->dir_fd = open(d->cfg.data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (y->dir_fd >= 0 && pthread_create(&y->th, NULL, sy_main, y) == 0)
        y->th_started = 1;
    else
        fcpd_log(d, FCP_LOG_ERROR, "invoke.syncer", FCP_ERT_PERSIST, NULL, 0);
}

static void sy_stop(inv_sync *y)
{
    if (y->th_started) {
        pthread_mutex_lock(&y->mu);
        y->stop = 1;
        pthread_cond_signal(&y->cv);
        pthread_mutex_unlock(&y->mu);
        pthread_join(y->th, NULL);   /* it syncs what is left first */
        y->th_started = 0;
    }
    while (y->head) {
        rt_job *j = y->head;
        y->head = j->next;
        rt_job_free(j);
    }
    if (y->dir_fd >= 0)
        close(y->dir_fd);
    y->dir_fd = -1;
    pthread_mutex_destroy(&y->mu);
    pthread_cond_destroy(&y->cv);
}

/* ---- writes (loop thread; durable once the syncer has run) --------------------------- */

static int zone_index(const inv_state *s, const char *zone)
{
    for (size_t z = 0; z < s->n_zones; z++)
        if (!strcmp(s->zone_ids[z], zone))
            return (int)z;
    return -1;
}

/* Append ev to the zone's log: the audit chain (audit/) or the intents
 * (intents/), both concatenated canonical CBOR; the fds stay open. */
static int persist_log(inv_state *s, const char *sub, int *fds, const char *zone, const fcp_buf *ev)
{
    if (!ev->len)
        return 0;
    int zi = zone_index(s, zone);
    int fd = zi >= 0 ? fds[zi] : -1;
    if (fd < 0) {
        char path[FCP_CONFIG_PATH_MAX + 64];
        audit_path(s->d, zone, path, sizeof path);
        if (strcmp(sub, "audit")) {
            char z[FCP_ZONE_ID_MAX + 1];
            const char *slash = strrchr(path, '/');
            snprintf(z, sizeof z, "%s", slash ? slash + 1 : "");
            if (snprintf(path, sizeof path, "%s/%s/%s", s->d->cfg.data_dir, sub, z) >= (int)sizeof path)
                return FCP_ERT_PERSIST;
        }
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
            return FCP_ERT_PERSIST;
        if (zi >= 0)
            fds[zi] = fd;
    }
    int rc = write_all(fd, ev->data, ev->len) < 0 ? FCP_ERT_PERSIST : 0;
    if (zi < 0)
        close(fd);
    sy_dirty(&s->sy);
    return rc;
}

static int persist_audit(inv_state *s, const char *zone, const fcp_buf *ev)
{
    return persist_log(s, "audit", s->audit_fd, zone, ev);
}

static int persist_intent(inv_state *s, const char *zone, const fcp_buf *intent)
{
    return persist_log(s, "intents", s->intent_fd, zone, intent);
}

/* A content-addressed file: created once under its final name (no temp
 * file and rename: one inode per object; an existing file has the same
 * content, its name being its ObjectId). */
static int write_file(const char *path, const uint8_t *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == EEXIST ? 0 : FCP_ERT_PERSIST;
    int bad = write_all(fd, p, n) < 0;
    bad |= close(fd) < 0;
    if (bad) {
        unlink(path);
        return FCP_ERT_PERSIST;
    }
    return 0;
}

static void object_path(const fcpd *d, const uint8_t id[32], const char *ext, char *out, size_t cap)
{
    char hex[65];
    fcp_hex_encode(hex, sizeof hex, id, 32);
    if (snprintf(out, cap, "%s/receipts/%s.%s", d->cfg.data_dir, hex, ext) >= (int)cap)
        out[0] = 0;
}

static int persist_object(inv_state *s, const uint8_t id[32], const fcp_buf *b)
{
    if (!b->len)
        return 0;
    char path[FCP_CONFIG_PATH_MAX + 100];
    object_path(s->d, id, "cbor", path, sizeof path);
    int rc = write_file(path, b->data, b->len);
    sy_dirty(&s->sy);
    return rc;
}

/* The output of an OperationReceipt, for replays (bounded; larger outputs
 * are not kept and a replay then says {"replayed":true}). */
static void persist_output(inv_state *s, const uint8_t receipt_id[32], const fcp_buf *out)
{
    if (!out->len || out->len > FCPD_INVOKE_MAX_STORED_OUTPUT)
        return;
    char path[FCP_CONFIG_PATH_MAX + 100];
    object_path(s->d, receipt_id, "out", path, sizeof path);
    if (write_file(path, out->data, out->len) < 0)
        fcpd_log(s->d, FCP_LOG_WARN, "output.persist", FCP_ERT_PERSIST, NULL, 0);
    sy_dirty(&s->sy);
}

static int load_output(inv_state *s, const uint8_t receipt_id[32], fcp_buf *out)
{
    char path[FCP_CONFIG_PATH_MAX + 100];
    object_path(s->d, receipt_id, "out", path, sizeof path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return FCP_ENOENT;
    uint8_t chunk[65536];
    size_t r;
    while ((r = fread(chunk, 1, sizeof chunk, f)) > 0 && out->len <= FCPD_INVOKE_MAX_STORED_OUTPUT)
        fcp_buf_append(out, chunk, r);
    fclose(f);
    if (!out->len || out->len > FCPD_INVOKE_MAX_STORED_OUTPUT || out->err ||
        fcp_invoke_json_check((const char *)out->data, out->len, FCP_INVOKE_JSON_MAX_DEPTH) < 0)
        return FCP_ENOENT;
    return 0;
}

static int load_receipt(void *user, const char *zone, const uint8_t id[32], fcp_buf *out)
{
    inv_state *s = user;
    (void)zone;
    char hex[65], path[FCP_CONFIG_PATH_MAX + 100];
    fcp_hex_encode(hex, sizeof hex, id, 32);
    snprintf(path, sizeof path, "%s/receipts/%s.cbor", s->d->cfg.data_dir, hex);
    FILE *f = fopen(path, "rb");
    if (!f)
        return FCP_ENOENT;
    uint8_t buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return n ? fcp_buf_append(out, buf, n) : FCP_ENOENT;
}

/* Walk a zone's chain file and set the anchor after its last event. */
static int chain_resume(inv_state *s, const char *zone, const fcp_object_id_key *key, fcp_audit_anchor *a)
{
    char path[FCP_CONFIG_PATH_MAX + 64];
    audit_path(s->d, zone, path, sizeof path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    fcp_buf b;
    fcp_buf_init(&b);
    uint8_t chunk[65536];
    size_t r;
    while ((r = fread(chunk, 1, sizeof chunk, f)) > 0)
        fcp_buf_append(&b, chunk, r);
    fclose(f);
    int found = 0;
    size_t off = 0;
    while (off < b.len) {
        fcp_cbor_dec dec;
        fcp_cbor_dec_init(&dec, b.data + off, b.len - off, NULL);
        if (fcp_cbor_skip(&dec) < 0)
            break;   /* a torn tail: the next event continues after the last whole one */
        size_t len = (size_t)(dec.p - dec.start);
        fcp_audit_event ev;
        if (fcp_audit_event_decode(&ev, b.data + off, len) == 0 &&
            fcp_audit_event_id(a->prev, &ev, key) == 0) {
            a->seq = ev.seq;
            a->occurred_at = ev.occurred_at;
            found = 1;
        }
        off += len;
    }
    if (found && off < b.len) {
        /* drop the torn tail so the file stays a chain */
        if (truncate(path, (off_t)off) < 0)
            found = -1;
    }
    fcp_buf_free(&b);
    return found;
}

/* ---- lookups ----------------------------------------------------------------------- */

static int issuer_by_kid(void *ctx, const uint8_t kid[FCP_KID_BYTES], fcp_token_issuer_ref *ref)
{
    inv_state *s = ctx;
    for (size_t i = 0; i < s->n_att; i++) {
        uint8_t k[FCP_KID_BYTES];
        fcp_attestation_kids(&s->att[i], NULL, NULL, k);
        if (!memcmp(k, kid, FCP_KID_BYTES)) {
            ref->att = &s->att[i];
            /* the owner signature once (D-RUNTIME-10); time is checked on every verify */
            if (!s->att_ok[i] &&
                fcp_attestation_verify(&s->att[i], s->d->keys.owner_pk, fcp_clock_unix_secs(fcp_clock_system())) == 0)
                s->att_ok[i] = 1;
            ref->preverified = s->att_ok[i];
            return 0;
        }
    }
    return FCP_ENOENT;
}

static int node_key(void *ctx, const char *node_id, uint8_t pk[32])
{
    inv_state *s = ctx;
    for (size_t i = 0; i < s->n_att; i++)
        if (!strcmp(s->att[i].node_id, node_id)) {
            memcpy(pk, s->att[i].node_sig_pubkey, 32);
            return 0;
        }
    return FCP_ENOENT;
}

static void scan_grants(inv_state *s)
{
    char dir[FCP_CONFIG_PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/grants", s->d->home);
    s->n_grants = 0;
    s->grants_scanned_ns = fcpd_now_ns();
    DIR *dh = opendir(dir);
    if (!dh)
        return;
    struct dirent *de;
    while ((de = readdir(dh)) && s->n_grants < MAX_GRANTS) {
        size_t nl = strlen(de->d_name);
        if (nl < 5 || strcmp(de->d_name + nl - 4, ".cap"))
            continue;
        char path[FCP_CONFIG_PATH_MAX + 300];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        static uint8_t buf[GRANT_FILE_MAX + 1];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        inv_grant *g = &s->grants[s->n_grants];
        g->sig_ok = 0;
        if (n == 0 || n > GRANT_FILE_MAX || fcp_cap_object_decode(&g->obj, buf, n) < 0)
            continue;
        for (size_t z = 0; z < s->d->keys.n_zones && z < FCP_MESH_MAX_ZONES; z++)
            fcp_cap_object_id(g->ids[z], &g->obj, &s->d->keys.zones[z].oid_key);
        s->n_grants++;
    }
    closedir(dh);
}

static int grant_object(void *ctx, const uint8_t id[FCP_OBJECT_ID_BYTES], fcp_token_grant_ref *ref)
{
    inv_state *s = ctx;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < s->n_grants; i++)
            for (size_t z = 0; z < s->d->keys.n_zones && z < FCP_MESH_MAX_ZONES; z++)
                if (!memcmp(s->grants[i].ids[z], id, 32)) {
                    inv_grant *g = &s->grants[i];
                    ref->obj = &g->obj;
                    /* the owner signature once; a failure is left to the verifier's own code */
                    if (!g->sig_ok && fcp_cap_object_verify(&g->obj, s->d->keys.owner_pk) == 0)
                        g->sig_ok = 1;
                    ref->preverified = g->sig_ok;
                    return 0;
                }
        /* unknown: look at the directory again (new grants need no restart) */
        if (pass == 0 && fcpd_now_ns() - s->grants_scanned_ns > 200000000ull)
            scan_grants(s);
        else
            break;
    }
    return FCP_ENOENT;
}

/* The checkpoint a token binds to (chk_id / chk_seq, the spec's
 * rev_head / rev_seq): this node's revocation chain head (D-RUNTIME-7).
 * Only the current head is known by id; an empty chain's head is seq 0 with
 * 32 zero bytes.  A token bound to an older head must be minted again. */
static int checkpoint(void *ctx, const char *zone, uint64_t at, uint64_t *our_seq, uint8_t *id, size_t *id_len)
{
    inv_state *s = ctx;
    (void)zone;
    const fcp_revset *rs = fcpd_revset(s->d);
    uint64_t seq = rs ? rs->seq : 0;
    *our_seq = seq;
    *id_len = 0;
    if (at != seq)
        return 0;
    if (seq == 0 || !rs)
        memset(id, 0, 32);
    else
        memcpy(id, rs->head_event, 32);
    *id_len = 32;
    return 0;
}

static int approver_key(void *user, const char *principal, uint8_t pk[32])
{
    inv_state *s = user;
    /* the owner approves (D-RUNTIME-5); other approvers need zone policy objects */
    if (!strcmp(principal, "owner")) {
        memcpy(pk, s->d->keys.owner_pk, 32);
        return 0;
    }
    return FCP_ENOENT;
}

static void load_attestations(inv_state *s)
{
    fcpd *d = s->d;
    s->att[s->n_att++] = d->keys.attestation;
    char dir[FCP_CONFIG_PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/nodes", d->home);
    DIR *dh = opendir(dir);
    if (!dh)
        return;
    struct dirent *de;
    while ((de = readdir(dh)) && s->n_att < MAX_ATTEST) {
        size_t nl = strlen(de->d_name);
        if (nl < 8 || strcmp(de->d_name + nl - 7, ".attest"))
            continue;
        char id[FCP_NODE_ID_MAX + 1];
        if (nl - 7 > FCP_NODE_ID_MAX)
            continue;
        memcpy(id, de->d_name, nl - 7);
        id[nl - 7] = 0;
        if (!strcmp(id, d->keys.node_id))
            continue;
        if (fcpd_peer_attestation(&s->att[s->n_att], d->home, id) == 0)
            s->n_att++;
    }
    closedir(dh);
}

/* ---- start / stop ------------------------------------------------------------------- */

int rt_invoke_start(fcpd_runtime *rt)
{
    fcpd *d = rt->d;
    inv_state *s = calloc(1, sizeof *s);
    if (!s)
        return FCP_ENOMEM;
    s->grants = calloc(MAX_GRANTS, sizeof *s->grants);
    if (!s->grants) {
        free(s);
        return FCP_ENOMEM;
    }
    rt->inv_state = s;
    s->d = d;
    load_attestations(s);
    scan_grants(s);
    char p[FCP_CONFIG_PATH_MAX + 16];
    snprintf(p, sizeof p, "%s/audit", d->cfg.data_dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/receipts", d->cfg.data_dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/intents", d->cfg.data_dir);
    mkdir(p, 0700);
    for (size_t z = 0; z < FCP_INVOKE_MAX_ZONES; z++)
        s->audit_fd[z] = s->intent_fd[z] = -1;
    sy_start(&s->sy, rt);
    s->lk.ctx = s;
    s->lk.issuer_by_kid = issuer_by_kid;
    s->lk.grant_object = grant_object;
    s->lk.node_key = node_key;
    s->lk.checkpoint = checkpoint;
    uint8_t hk[32];
    fcp_rng_fill(fcp_rng_system(), hk, sizeof hk);
    fcp_invoke_config cfg;
    fcp_invoke_config_init(&cfg);
    cfg.node_id = d->keys.node_id;
    cfg.node_sk = d->keys.sig_sk;
    cfg.owner_pk = d->keys.owner_pk;
    cfg.lookup = &s->lk;
    cfg.revset = (fcp_revset *)fcpd_revset(d);   /* NULL: the context owns an empty set */
    cfg.approver_key = approver_key;
    cfg.load_receipt = load_receipt;
    cfg.user = s;
    cfg.hash_key = hk;
    int rc = fcp_invoke_ctx_new(&rt->inv, &cfg);
    fcp_memzero(hk, sizeof hk);
    if (rc < 0)
        return rc;
    if (!cfg.revset)
        fcp_revset_mark_fresh(fcp_invoke_ctx_revset(rt->inv), fcp_clock_unix_secs(fcp_clock_system()));
    /* one zone policy per served zone with keys */
    for (size_t z = 0; z < d->keys.n_zones && s->n_zones < FCP_INVOKE_MAX_ZONES; z++) {
        const fcp_mesh_zone_config *zk = &d->keys.zones[z];
        int seen = 0;   /* a later zones.key line of a zone is a superseded key (D-ENROLL-3) */
        for (size_t y = 0; y < z; y++)
            seen |= !strcmp(d->keys.zones[y].zone_id, zk->zone_id);
        if (seen)
            continue;
        size_t k = s->n_zones;
        fcp_dec_policy *pol = &s->pol[k];
        fcp_dec_policy_defaults(pol);
        size_t nc = 0;
        for (size_t i = 0; i < d->cfg.n_connectors && nc < RT_MAX_CONNECTORS; i++)
            if (!strcmp(d->cfg.connectors[i].zone, zk->zone_id))
                s->conn_allow[k][nc++] = d->cfg.connectors[i].id;
        pol->connectors_allow = s->conn_allow[k];
        pol->n_connectors_allow = nc;
        pol->principals_allow = ANY;
        pol->n_principals_allow = 1;
        pol->caps_allow = ANY;
        pol->n_caps_allow = 1;
        pol->default_deny = 1;
        fcp_invoke_zone_config zc;
        memset(&zc, 0, sizeof zc);
        zc.zone_id = zk->zone_id;
        zc.policy = pol;
        zc.oid_key = zk->oid_key;
        int found = chain_resume(s, zk->zone_id, &zk->oid_key, &s->anchor[k]);
        zc.resume = found == 1 ? &s->anchor[k] : NULL;
        if ((rc = fcp_invoke_ctx_add_zone(rt->inv, &zc)) < 0)
            return rc;
        snprintf(s->zone_ids[k], sizeof s->zone_ids[k], "%s", zk->zone_id);
        s->n_zones++;
    }
    return 0;
}

void rt_invoke_stop(fcpd_runtime *rt)
{
    inv_state *s = rt->inv_state;
    if (s) {
        sy_stop(&s->sy);   /* syncs what was written; its last jobs go to rt->out */
        pthread_mutex_lock(&rt->out_mu);
        rt_job *list = rt->out_head;
        rt->out_head = rt->out_tail = NULL;
        pthread_mutex_unlock(&rt->out_mu);
        while (list) {
            rt_job *j = list;
            list = j->next;
            rt_job_free(j);
        }
        for (size_t z = 0; z < FCP_INVOKE_MAX_ZONES; z++)
            for (int k = 0; k < 2; k++)
                if ((k ? s->intent_fd : s->audit_fd)[z] >= 0)
                    close((k ? s->intent_fd : s->audit_fd)[z]);
    }
    fcp_invoke_ctx_free(rt->inv);
    rt->inv = NULL;
    if (s) {
        free(s->grants);
        free(s);
    }
    rt->inv_state = NULL;
}

/* ---- answers ------------------------------------------------------------------------ */

void rt_send_payload(fcpd_admin_conn *a, uint64_t seq, const fcp_buf *pl)
{
    if (a->invoke_t0) {   /* the answer of an invoke (allow, deny, error, replay) */
        fcpd_hist_observe(&a->d->invoke_hist, (double)(fcpd_now_ns() - a->invoke_t0) / 1e9);
        a->invoke_t0 = 0;
    }
    fcp_buf fr;
    fcp_buf_init(&fr);
    if (pl->err || fcp_admin_frame_encode(&fr, seq, pl->data, pl->len) < 0 ||
        fcp_net_conn_queue(&a->c, fr.data, fr.len) < 0)
        a->closing = 1;
    fcp_buf_free(&fr);
}

void rt_send_error(fcpd_admin_conn *a, uint64_t seq, int err, const char *detail)
{
    fcp_buf pl;
    fcp_buf_init(&pl);
    fcp_admin_error_encode(&pl, err, detail);
    rt_send_payload(a, seq, &pl);
    fcp_buf_free(&pl);
    a->d->n.admin_errors++;
}

fcpd_admin_conn *rt_waiter(fcpd_runtime *rt, const rt_job *j)
{
    if (j->admin_idx < 0 || (size_t)j->admin_idx >= FCPD_MAX_ADMIN)
        return NULL;
    fcpd_admin_conn *a = &rt->d->admin[j->admin_idx];
    return a->used && a->rt_wait == j->id ? a : NULL;
}

/* {ok:false, code, error, detail, ? decision_receipt} */
static void enc_deny(fcp_buf *out, int err, const char *detail, const fcp_buf *receipt)
{
    fcp_buf pl;
    fcp_buf_init(&pl);
    char code[16];
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, &pl);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "ok");
    fcp_cbor_put_bool(&e, 0);
    fcp_cbor_put_cstr(&e, "code");
    fcp_cbor_put_cstr(&e, fcp_error_code(err, code, sizeof code));
    fcp_cbor_put_cstr(&e, "error");
    fcp_cbor_put_cstr(&e, fcp_strerror(err));
    fcp_cbor_put_cstr(&e, "detail");
    size_t dl = detail ? strnlen(detail, FCP_ADMIN_DETAIL_MAX) : 0;
    if (fcp_cbor_put_text(&e, detail ? detail : "", dl) < 0) {
        e.err = 0;
        e.out->err = 0;
        fcp_cbor_put_cstr(&e, "");
    }
    if (receipt && receipt->len) {
        fcp_cbor_put_cstr(&e, "decision_receipt");
        fcp_cbor_put_bytes(&e, receipt->data, receipt->len);
    }
    fcp_cbor_map_close(&e);
    if (fcp_cbor_enc_finish(&e) < 0)
        pl.err = FCP_EINTERNAL;
    fcp_cbor_enc_free(&e);
    *out = pl;
}

static void enc_allow(fcp_buf *res, const char *out, size_t out_len, const uint8_t rid[32], const fcp_buf *receipt,
                      int replayed)
{
    fcp_buf pl;
    fcp_buf_init(&pl);
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, &pl);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "ok");
    fcp_cbor_put_bool(&e, 1);
    fcp_cbor_put_cstr(&e, "output");
    fcp_cbor_put_text(&e, out ? out : "null", out ? out_len : 4);
    fcp_cbor_put_cstr(&e, "receipt_id");
    fcp_cbor_put_bytes(&e, rid, 32);
    fcp_cbor_put_cstr(&e, "receipt");
    fcp_cbor_put_bytes(&e, receipt->data, receipt->len);
    if (replayed) {
        fcp_cbor_put_cstr(&e, "replayed");
        fcp_cbor_put_bool(&e, 1);
    }
    fcp_cbor_map_close(&e);
    if (fcp_cbor_enc_finish(&e) < 0)
        pl.err = FCP_EINTERNAL;
    fcp_cbor_enc_free(&e);
    *res = pl;
}

/* Send pl (taken) to a: at once, or (durability fsync, something was
 * written for this answer) once the syncer has made it durable. */
static void answer(fcpd_runtime *rt, rt_connector *c, fcpd_admin_conn *a, uint64_t seq, fcp_buf *pl, int is_err,
                   int wrote)
{
    inv_state *s = rt->inv_state;
    if (wrote && s->sy.mode == DUR_FSYNC) {
        rt_job *j = s->sy.th_started ? rt_job_new(rt, RT_EV_SYNCED) : NULL;
        if (j) {
            j->phase = RT_PH_ANSWER;
            j->owner = c;
            j->admin_idx = (int)(a - rt->d->admin);
            j->seq = seq;
            snprintf(j->method, sizeof j->method, "%s", is_err ? "deny" : "allow");
            j->out = *pl;
            fcp_buf_init(pl);
            a->rt_wait = j->id;   /* the connection waits, as for a connector call */
            sy_wait(&s->sy, j);
            return;
        }
        /* no syncer: sync here */
        if (s->sy.dir_fd < 0 || syncfs(s->sy.dir_fd) < 0)
            fcpd_log(rt->d, FCP_LOG_ERROR, "receipt.persist", FCP_ERT_PERSIST, NULL, 0);
    }
    rt_send_payload(a, seq, pl);
    fcp_buf_free(pl);
    if (is_err)
        a->d->n.admin_errors++;
    fcpd_admin_update(a);
}

static void send_deny(fcpd_runtime *rt, rt_connector *c, fcpd_admin_conn *a, uint64_t seq, int err,
                      const char *detail, const fcp_buf *receipt, int wrote)
{
    fcp_buf pl;
    enc_deny(&pl, err, detail, receipt);
    answer(rt, c, a, seq, &pl, 1, wrote);
}

static void send_allow(fcpd_runtime *rt, rt_connector *c, fcpd_admin_conn *a, uint64_t seq, const char *out,
                       size_t out_len, const uint8_t rid[32], const fcp_buf *receipt, int replayed, int wrote)
{
    fcp_buf pl;
    enc_allow(&pl, out, out_len, rid, receipt, replayed);
    answer(rt, c, a, seq, &pl, 0, wrote);
}

static void log_invoke(fcpd *d, const char *event, int err, const fcp_invoke_plan *p)
{
    fcp_log_field f[] = { FCP_LF_STR("connector", p->connector_id), FCP_LF_STR("operation", p->operation),
                          FCP_LF_STR("zone", p->zone_id), FCP_LF_STR("principal", p->principal),
                          FCP_LF_STR("detail", p->message) };
    fcpd_log(d, err ? FCP_LOG_INFO : FCP_LOG_INFO, event, err, f, 5);
}

/* The output of a replay when the original output was not kept (larger
 * than FCPD_INVOKE_MAX_STORED_OUTPUT, or stored before outputs were kept). */
static const char REPLAY_OUTPUT[] = "{\"replayed\":true}";

/* ---- the op -------------------------------------------------------------------------- */

/* Queue the connector call j (its intent is durable); on failure nothing ran:
 * a clean failure, answered at once. */
static void submit(fcpd_runtime *rt, rt_connector *c, rt_job *j)
{
    inv_state *s = rt->inv_state;
    fcpd_admin_conn *a = rt_waiter(rt, j);
    int rc = rt_submit(c, j);
    if (rc == 0)
        return;
    fcp_invoke_plan *plan = j->plan;
    j->plan = NULL;
    uint64_t seq = j->seq;
    if (a)
        a->rt_wait = 0;
    rt_job_free(j);
    fcp_invoke_result res;
    fcp_invoke_result_init(&res);
    if (fcp_invoke_complete(rt->inv, plan, rc, NULL, 0, unix_ms(), &res) == 0)
        persist_audit(s, plan->zone_id, &res.audit_event);
    fcp_invoke_result_free(&res);
    if (a) {
        rt_send_error(a, seq, rc, "connector queue full");
        fcpd_admin_update(a);
    }
    fcp_invoke_plan_free(plan);
    free(plan);
}

void rt_invoke_synced(fcpd_runtime *rt, rt_connector *c, rt_job *w)
{
    if (w->phase == RT_PH_EXEC) {
        rt_job *j = w->then;
        w->then = NULL;
        if (!j)
            return;
        if (w->status == 0) {
            submit(rt, c, j);
            return;
        }
        /* the intent is not durable: the connector must not run */
        fcpd_log(rt->d, FCP_LOG_ERROR, "intent.persist", w->status, NULL, 0);
        fcpd_admin_conn *a = rt_waiter(rt, j);
        if (a)
            a->rt_wait = 0;
        if (j->plan)
            fcp_invoke_complete(rt->inv, j->plan, FCP_ERT_PERSIST, NULL, 0, unix_ms(), NULL);
        if (a) {
            rt_send_error(a, j->seq, FCP_ERT_PERSIST, "cannot persist the operation intent");
            fcpd_admin_update(a);
        }
        rt_job_free(j);
        return;
    }
    /* RT_PH_ANSWER */
    fcpd_admin_conn *a = rt_waiter(rt, w);
    if (w->status < 0)
        fcpd_log(rt->d, FCP_LOG_ERROR, "receipt.persist", w->status, NULL, 0);
    if (!a)
        return;
    a->rt_wait = 0;
    rt_send_payload(a, w->seq, &w->out);
    if (!strcmp(w->method, "deny"))
        a->d->n.admin_errors++;
    fcpd_admin_update(a);
}

void rt_invoke_admin(fcpd_runtime *rt, fcpd_admin_conn *a, uint64_t seq, const fcp_admin_request *r)
{
    fcpd *d = rt->d;
    inv_state *s = rt->inv_state;
    rt_connector *c = rt_find(rt, r->connector);
    if (!c) {
        rt_send_error(a, seq, FCP_ERT_UNKNOWN_CONNECTOR, r->connector);
        return;
    }
    const fcp_revset *crs = fcpd_revset(d);
    if (crs && fcp_rev_enforce_connector_start(crs, c->lc.cur.binary_id, c->lc.cur.manifest_id,
                                               fcp_clock_unix_secs(fcp_clock_system())) < 0) {
        rt_revoked_check(c);   /* stop it if it still runs */
        rt_send_error(a, seq, FCP_EREV_CONNECTOR, "this connector's binary or manifest is revoked");
        return;
    }
    const rt_version *v = &c->ver[c->lc.cur.slot & 1];
    int simulate = r->has_simulate && r->simulate;
    if (!v->have_m || (!simulate && c->lc.state != FCP_LC_ACTIVE)) {
        char det[128];
        (void)!snprintf(det, sizeof det, "connector %s is %s", c->id, fcp_lc_state_name(c->lc.state));
        rt_send_error(a, seq,
                      c->lc.state == FCP_LC_STOPPED ? FCP_ERT_STOPPED
                      : c->lc.gave_up               ? FCP_ERT_GAVE_UP
                                                    : FCP_ERT_NOT_ACTIVE,
                      det);
        return;
    }
    if (!rt->inv) {
        rt_send_error(a, seq, FCP_ERT_NOT_ACTIVE, "invoke pipeline not available");
        return;
    }
    /* this node holds the owner's revocation chain: its state is current */
    fcp_revset *rs = fcp_invoke_ctx_revset(rt->inv);
    if (rs)
        fcp_revset_mark_fresh(rs, fcp_clock_unix_secs(fcp_clock_system()));
    fcp_invoke_request req;
    fcp_invoke_request_init(&req);
    req.zone_id = c->zone;
    req.connector_id = c->id;
    req.operation = r->operation;
    req.input_json = r->input;
    req.input_len = r->input_len;
    req.token = r->token;
    req.token_len = r->token_len;
    req.idempotency_key = r->has_idempotency_key ? r->idempotency_key : NULL;
    req.approvals = r->has_approvals ? r->approvals : NULL;
    req.approval_lens = r->has_approvals ? r->approval_lens : NULL;
    req.n_approvals = r->has_approvals ? r->n_approvals : 0;
    req.aud_binary = c->lc.cur.binary_id;
    req.simulate = simulate;
    /* holder proof when the token names this node as holder (D-RUNTIME-6) */
    char request_id[40];
    uint8_t rid_raw[16], holder_sig[64];
    fcp_rng_fill(fcp_rng_system(), rid_raw, sizeof rid_raw);
    fcp_hex_encode(request_id, sizeof request_id, rid_raw, sizeof rid_raw);
    req.request_id = request_id;
    req.presenter_node = d->keys.node_id;
    fcp_cose_sign1 cs;
    fcp_token_claims claims;
    int have_claims = fcp_cose_sign1_decode(&cs, r->token, r->token_len) == 0 &&
                      fcp_token_claims_decode(&claims, cs.payload, cs.payload_len) == 0;
    if (have_claims && (claims.present & FCP_TC_HOLDER) && (claims.present & FCP_TC_CTI) &&
        !strcmp(claims.holder_node, d->keys.node_id) &&
        fcp_holder_proof_sign(holder_sig, request_id, r->operation, claims.cti, claims.cti_len,
                              d->keys.sig_sk) == 0)
        req.holder_sig = holder_sig;
    fcp_invoke_plan *plan = calloc(1, sizeof *plan);
    if (!plan) {
        rt_send_error(a, seq, FCP_ENOMEM, "");
        return;
    }
    fcp_invoke_plan_init(plan);
    int rc = fcp_invoke_decide(rt->inv, &v->m, &req, unix_ms(), plan);
    fcp_memzero(holder_sig, sizeof holder_sig);
    if (rc < 0) {
        rt_send_error(a, seq, rc, "the invoke pipeline could not decide");
        goto free_plan;
    }
    /* what a deny produced is persisted before the answer */
    int wrote = plan->decision_receipt.len || plan->audit_event.len;
    if (plan->decision_receipt.len)
        persist_object(s, plan->decision_receipt_id, &plan->decision_receipt);
    if (plan->audit_event.len && persist_audit(s, plan->zone_id, &plan->audit_event) < 0)
        fcpd_log(d, FCP_LOG_ERROR, "audit.persist", FCP_ERT_PERSIST, NULL, 0);
    switch (plan->verdict) {
    case FCP_INVOKE_DENIED:
        rt->denies++;
        log_invoke(d, "invoke.deny", plan->reason, plan);
        send_deny(rt, c, a, seq, plan->reason, plan->message, &plan->decision_receipt, wrote);
        goto free_plan;
    case FCP_INVOKE_SIMULATED: {
        rt->simulations++;
        fcp_buf pl;
        fcp_buf_init(&pl);
        fcp_cbor_enc e;
        fcp_cbor_enc_init(&e, &pl);
        fcp_cbor_map_open(&e);
        fcp_cbor_put_cstr(&e, "ok");
        fcp_cbor_put_bool(&e, 1);
        fcp_cbor_put_cstr(&e, "simulated");
        fcp_cbor_put_bool(&e, 1);
        fcp_cbor_put_cstr(&e, "decision");
        fcp_cbor_put_cstr(&e, "allow");
        fcp_cbor_map_close(&e);
        if (fcp_cbor_enc_finish(&e) < 0)
            pl.err = FCP_EINTERNAL;
        fcp_cbor_enc_free(&e);
        rt_send_payload(a, seq, &pl);
        fcp_buf_free(&pl);
        goto free_plan;
    }
    case FCP_INVOKE_REPLAY: {
        rt->replays++;
        log_invoke(d, "invoke.replay", 0, plan);
        /* the original output when it was kept */
        fcp_buf prior;
        fcp_buf_init(&prior);
        if (load_output(s, plan->receipt_id, &prior) == 0)
            send_allow(rt, c, a, seq, (const char *)prior.data, prior.len, plan->receipt_id, &plan->receipt, 1, wrote);
        else
            send_allow(rt, c, a, seq, REPLAY_OUTPUT, sizeof REPLAY_OUTPUT - 1, plan->receipt_id, &plan->receipt, 1,
                       wrote);
        fcp_buf_free(&prior);
        goto free_plan;
    }
    case FCP_INVOKE_EXECUTE:
        break;
    default:
        rt_send_error(a, seq, FCP_EINTERNAL, "unknown verdict");
        goto free_plan;
    }
    /* the intent is durable before the connector runs */
    if (persist_intent(s, plan->zone_id, &plan->intent) < 0) {
        fcp_invoke_complete(rt->inv, plan, FCP_ERT_PERSIST, NULL, 0, unix_ms(), NULL);
        rt_send_error(a, seq, FCP_ERT_PERSIST, "cannot persist the operation intent");
        goto free_plan;
    }
    rt_job *j = rt_job_new(rt, RT_JOB_INVOKE);
    if (!j) {
        rt_send_error(a, seq, FCP_ENOMEM, "");
        goto free_plan;
    }
    snprintf(j->method, sizeof j->method, "invoke");
    snprintf(j->operation, sizeof j->operation, "%s", plan->operation);
    fcp_buf_append(&j->input, plan->input.data, plan->input.len);
    fcp_buf_put_u8(&j->input, 0);
    j->timeout_ms = plan->timeout_ms;
    rt_egress_caps(fcp_manifest_find_op(&v->m, plan->operation), have_claims ? &claims : NULL, &j->caps,
                   &j->has_caps);
    j->plan = plan;
    j->admin_idx = (int)(a - d->admin);
    j->seq = seq;
    j->owner = c;
    a->rt_wait = j->id;
    if (s->sy.mode == DUR_FSYNC) {
        rt_job *w = s->sy.th_started ? rt_job_new(rt, RT_EV_SYNCED) : NULL;
        if (w) {
            /* submitted once the intent is durable (rt_invoke_synced) */
            w->phase = RT_PH_EXEC;
            w->owner = c;
            w->then = j;
            sy_wait(&s->sy, w);
            return;
        }
        if (s->sy.dir_fd < 0 || syncfs(s->sy.dir_fd) < 0) {
            a->rt_wait = 0;
            j->plan = NULL;
            rt_job_free(j);
            fcp_invoke_complete(rt->inv, plan, FCP_ERT_PERSIST, NULL, 0, unix_ms(), NULL);
            rt_send_error(a, seq, FCP_ERT_PERSIST, "cannot persist the operation intent");
            goto free_plan;
        }
    }
    submit(rt, c, j);
    return;
free_plan:
    fcp_invoke_plan_free(plan);
    free(plan);
}

void rt_invoke_done(fcpd_runtime *rt, rt_connector *c, rt_job *j)
{
    fcpd *d = rt->d;
    inv_state *s = rt->inv_state;
    fcp_invoke_plan *plan = j->plan;
    fcpd_admin_conn *a = rt_waiter(rt, j);
    if (a)
        a->rt_wait = 0;
    if (!plan)
        return;
    fcp_invoke_result res;
    fcp_invoke_result_init(&res);
    int rc = fcp_invoke_complete(rt->inv, plan, j->status, (const char *)j->out.data, j->out.len, unix_ms(), &res);
    int wrote = 0;
    if (rc == 0) {
        if (res.status == 0 && res.receipt.len && plan->has_idempotency_key)
            persist_output(s, res.receipt_id, &res.output);   /* only a keyed call can be replayed */
        int prc = persist_object(s, res.receipt_id, &res.receipt);
        int arc = persist_audit(s, plan->zone_id, &res.audit_event);
        wrote = res.receipt.len || res.audit_event.len;
        if (prc < 0 || arc < 0)
            fcpd_log(d, FCP_LOG_ERROR, "receipt.persist", FCP_ERT_PERSIST, NULL, 0);
    }
    rt->invokes++;
    if (rc == 0 && res.status == 0 && res.receipt.len) {
        c->invokes_ok++;
        log_invoke(d, "invoke.complete", 0, plan);
        if (a)
            send_allow(rt, c, a, j->seq, (const char *)res.output.data, res.output.len, res.receipt_id, &res.receipt,
                       0, wrote);
    } else {
        c->invokes_failed++;
        int err = rc < 0 ? rc : res.status < 0 ? res.status : j->status < 0 ? j->status : FCP_EHOST_OP_FAILED;
        log_invoke(d, "invoke.failed", err, plan);
        if (a)
            send_deny(rt, c, a, j->seq, err, j->why[0] ? j->why : fcp_strerror(err), NULL, wrote);
    }
    fcp_invoke_result_free(&res);
}
