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
 * Persistence (all fsync'd before the client is answered):
 *   <data_dir>/audit/<zone, ':' -> '_'>.cbor   the zone's AuditEvents, concatenated
 *                                               canonical CBOR exactly as
 *                                               fcp_audit_append produced them
 *   <data_dir>/receipts/<hex id>.cbor           OperationReceipts, DecisionReceipts,
 *                                               OperationIntents (one file each)
 * On start each zone's chain is read back and the pipeline resumes after its
 * last event, so the file stays one chain across restarts.
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

typedef struct inv_grant {
    fcp_cap_object obj;
    uint8_t ids[FCP_MESH_MAX_ZONES][32];   /* its id under each served zone's key */
} inv_grant;

typedef struct inv_state {
    fcpd *d;
    fcp_token_lookup lk;
    size_t n_att;
    fcp_node_attestation att[MAX_ATTEST];
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

static int persist_audit(const fcpd *d, const char *zone, const fcp_buf *ev)
{
    if (!ev->len)
        return 0;
    char path[FCP_CONFIG_PATH_MAX + 64];
    audit_path(d, zone, path, sizeof path);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return FCP_ERT_PERSIST;
    int rc = write_all(fd, ev->data, ev->len) < 0 || fsync(fd) < 0 ? FCP_ERT_PERSIST : 0;
    close(fd);
    return rc;
}

static int persist_object(const fcpd *d, const uint8_t id[32], const fcp_buf *b)
{
    if (!b->len)
        return 0;
    char hex[65], path[FCP_CONFIG_PATH_MAX + 100], tmp[FCP_CONFIG_PATH_MAX + 110];
    fcp_hex_encode(hex, sizeof hex, id, 32);
    snprintf(path, sizeof path, "%s/receipts/%s.cbor", d->cfg.data_dir, hex);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return FCP_ERT_PERSIST;
    int bad = write_all(fd, b->data, b->len) < 0 || fsync(fd) < 0;
    bad |= close(fd) < 0;
    if (bad || rename(tmp, path) < 0) {
        unlink(tmp);
        return FCP_ERT_PERSIST;
    }
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
            ref->preverified = 0;
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
                    ref->obj = &s->grants[i].obj;
                    ref->preverified = 0;   /* the verifier checks the owner signature */
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
        s->n_zones++;
    }
    return 0;
}

void rt_invoke_stop(fcpd_runtime *rt)
{
    fcp_invoke_ctx_free(rt->inv);
    rt->inv = NULL;
    inv_state *s = rt->inv_state;
    if (s) {
        free(s->grants);
        free(s);
    }
    rt->inv_state = NULL;
}

/* ---- answers ------------------------------------------------------------------------ */

void rt_send_payload(fcpd_admin_conn *a, uint64_t seq, const fcp_buf *pl)
{
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
static void send_deny(fcpd_admin_conn *a, uint64_t seq, int err, const char *detail, const fcp_buf *receipt)
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
    rt_send_payload(a, seq, &pl);
    fcp_buf_free(&pl);
    a->d->n.admin_errors++;
}

static void send_allow(fcpd_admin_conn *a, uint64_t seq, const char *out, size_t out_len, const uint8_t rid[32],
                       const fcp_buf *receipt, int replayed)
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
    rt_send_payload(a, seq, &pl);
    fcp_buf_free(&pl);
}

static void log_invoke(fcpd *d, const char *event, int err, const fcp_invoke_plan *p)
{
    fcp_log_field f[] = { FCP_LF_STR("connector", p->connector_id), FCP_LF_STR("operation", p->operation),
                          FCP_LF_STR("zone", p->zone_id), FCP_LF_STR("principal", p->principal),
                          FCP_LF_STR("detail", p->message) };
    fcpd_log(d, err ? FCP_LOG_INFO : FCP_LOG_INFO, event, err, f, 5);
}

/* The output of a replay: the prior receipt only (the output itself is not
 * kept); clients get {"replayed": true} and the receipt. */
static const char REPLAY_OUTPUT[] = "{\"replayed\":true}";

/* ---- the op -------------------------------------------------------------------------- */

void rt_invoke_admin(fcpd_runtime *rt, fcpd_admin_conn *a, uint64_t seq, const fcp_admin_request *r)
{
    fcpd *d = rt->d;
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
    if (plan->decision_receipt.len)
        persist_object(d, plan->decision_receipt_id, &plan->decision_receipt);
    if (plan->audit_event.len && persist_audit(d, plan->zone_id, &plan->audit_event) < 0)
        fcpd_log(d, FCP_LOG_ERROR, "audit.persist", FCP_ERT_PERSIST, NULL, 0);
    switch (plan->verdict) {
    case FCP_INVOKE_DENIED:
        rt->denies++;
        log_invoke(d, "invoke.deny", plan->reason, plan);
        send_deny(a, seq, plan->reason, plan->message, &plan->decision_receipt);
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
    case FCP_INVOKE_REPLAY:
        rt->replays++;
        log_invoke(d, "invoke.replay", 0, plan);
        send_allow(a, seq, REPLAY_OUTPUT, sizeof REPLAY_OUTPUT - 1, plan->receipt_id, &plan->receipt, 1);
        goto free_plan;
    case FCP_INVOKE_EXECUTE:
        break;
    default:
        rt_send_error(a, seq, FCP_EINTERNAL, "unknown verdict");
        goto free_plan;
    }
    /* the intent is durable before the connector runs */
    if (persist_object(d, plan->intent_id, &plan->intent) < 0) {
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
    a->rt_wait = j->id;
    if ((rc = rt_submit(c, j)) < 0) {
        a->rt_wait = 0;
        j->plan = NULL;
        rt_job_free(j);
        /* nothing ran: a clean failure */
        fcp_invoke_result res;
        fcp_invoke_result_init(&res);
        if (fcp_invoke_complete(rt->inv, plan, rc, NULL, 0, unix_ms(), &res) == 0)
            persist_audit(d, plan->zone_id, &res.audit_event);
        fcp_invoke_result_free(&res);
        rt_send_error(a, seq, rc, "connector queue full");
        goto free_plan;
    }
    return;
free_plan:
    fcp_invoke_plan_free(plan);
    free(plan);
}

void rt_invoke_done(fcpd_runtime *rt, rt_connector *c, rt_job *j)
{
    fcpd *d = rt->d;
    fcp_invoke_plan *plan = j->plan;
    fcpd_admin_conn *a = rt_waiter(rt, j);
    if (a)
        a->rt_wait = 0;
    if (!plan)
        return;
    fcp_invoke_result res;
    fcp_invoke_result_init(&res);
    int rc = fcp_invoke_complete(rt->inv, plan, j->status, (const char *)j->out.data, j->out.len, unix_ms(), &res);
    if (rc == 0) {
        int prc = persist_object(d, res.receipt_id, &res.receipt);
        int arc = persist_audit(d, plan->zone_id, &res.audit_event);
        if (prc < 0 || arc < 0)
            fcpd_log(d, FCP_LOG_ERROR, "receipt.persist", FCP_ERT_PERSIST, NULL, 0);
    }
    rt->invokes++;
    if (rc == 0 && res.status == 0 && res.receipt.len) {
        c->invokes_ok++;
        log_invoke(d, "invoke.complete", 0, plan);
        if (a) {
            send_allow(a, j->seq, (const char *)res.output.data, res.output.len, res.receipt_id, &res.receipt, 0);
            fcpd_admin_update(a);
        }
    } else {
        c->invokes_failed++;
        int err = rc < 0 ? rc : res.status < 0 ? res.status : j->status < 0 ? j->status : FCP_EHOST_OP_FAILED;
        log_invoke(d, "invoke.failed", err, plan);
        if (a) {
            send_deny(a, j->seq, err, j->why[0] ? j->why : fcp_strerror(err), NULL);
            fcpd_admin_update(a);
        }
    }
    fcp_invoke_result_free(&res);
}
