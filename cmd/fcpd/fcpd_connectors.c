/*
 * fcpd_connectors.c - the connector runtime inside fcpd: installed
 * connectors and their versions, one worker thread per connector that owns
 * the connector process (spawn in its manifest's sandbox, handshake,
 * configure, periodic health checks, calls), the lifecycle
 * (host_lifecycle.h: restart with backoff, rollback, the revocation start
 * gate) driven from the loop thread, and the admin ops connectors,
 * connector_install / _activate / _stop / _rollback.
 *
 * The loop never waits for a connector: it queues a job and returns; the
 * worker runs it with the deadlines of host_transport.h and hands the
 * finished job back through a queue and an eventfd (fcpd_conn.h).  A worker
 * that is idle polls its connector's socket, so a connector that dies
 * (SIGKILL, crash) is seen at once, and runs a health check every
 * health_interval_ms.
 *
 * Versions (D-RUNTIME-2): a [[connector]] from fcpd.toml runs from its
 * configured paths; connector_install stores the binary as a
 * content-addressed object in the node's store (ObjectId = the binary hash)
 * and writes the manifest and an executable copy under
 * <data_dir>/connectors/<id>/<binary hash>/, then verifies and activates it;
 * the version it replaces is kept for connector_rollback.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fcp/cbor.h"
#include "fcp/clock.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/host_sandbox.h"
#include "fcpd_conn.h"

static void record_current(struct rt_connector *c);
static int write_file_sync(const char *path, const void *p, size_t n, int mode);

static uint64_t now_ms(void)
{
    return fcpd_now_ns() / 1000000u;
}

static uint64_t unix_now(void)
{
    return fcp_clock_unix_secs(fcp_clock_system());
}

/* ---- jobs and queues ----------------------------------------------------------- */

rt_job *rt_job_new(fcpd_runtime *rt, int kind)
{
    rt_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->kind = kind;
    j->id = ++rt->next_job_id;
    j->admin_idx = -1;
    j->exit_status = -1;
    fcp_buf_init(&j->input);
    fcp_buf_init(&j->out);
    return j;
}

void rt_job_free(rt_job *j)
{
    if (!j)
        return;
    fcp_buf_free(&j->input);
    fcp_buf_free(&j->out);
    rt_job_free(j->then);
    if (j->plan) {
        fcp_invoke_plan_free(j->plan);
        free(j->plan);
    }
    free(j);
}

static void wake(int fd)
{
    uint64_t one = 1;
    ssize_t w = write(fd, &one, sizeof one);
    (void)w;
}

int rt_submit(rt_connector *c, rt_job *j)
{
    pthread_mutex_lock(&c->mu);
    if (c->in_len >= RT_QUEUE_MAX) {
        pthread_mutex_unlock(&c->mu);
        return FCP_ERT_BUSY;
    }
    j->next = NULL;
    j->owner = c;
    if (c->in_tail)
        c->in_tail->next = j;
    else
        c->in_head = j;
    c->in_tail = j;
    c->in_len++;
    pthread_mutex_unlock(&c->mu);
    wake(c->wake_fd);
    return 0;
}

/* Worker -> loop. */
static void post(rt_connector *c, rt_job *j)
{
    fcpd_runtime *rt = c->rt;
    pthread_mutex_lock(&rt->out_mu);
    j->next = NULL;
    if (rt->out_tail)
        rt->out_tail->next = j;
    else
        rt->out_head = j;
    rt->out_tail = j;
    pthread_mutex_unlock(&rt->out_mu);
    wake(rt->ev_fd);
}

rt_connector *rt_find(fcpd_runtime *rt, const char *id)
{
    for (size_t i = 0; i < RT_MAX_CONNECTORS; i++)
        if (rt->c[i].used && !strcmp(rt->c[i].id, id))
            return &rt->c[i];
    return NULL;
}

/* ---- the worker thread ---------------------------------------------------------- */

static void conn_dead_status(rt_connector *c, rt_job *j)
{
    /* reap and remember how it ended; the connection is closed */
    fcp_host_kill(&c->conn, c->conn.err ? c->conn.err : FCP_EHOST_CLOSED, "connector died");
    j->exit_status = c->conn.exit_status;
    fcp_host_close(&c->conn, 0);
    c->alive = 0;
    j->conn_died = 1;
    pthread_mutex_lock(&c->mu);
    c->pid = 0;
    pthread_mutex_unlock(&c->mu);
}

static pthread_mutex_t spawn_mu = PTHREAD_MUTEX_INITIALIZER;

static void do_start(rt_connector *c, rt_job *j)
{
    if (c->alive) {
        fcp_host_close(&c->conn, RT_STOP_GRACE_MS);
        c->alive = 0;
    }
    fcp_host_spawn_opts o;
    memset(&o, 0, sizeof o);
    o.path = (const char *)j->input.data;       /* binary path */
    o.state_dir = c->state_dir;
    o.sandbox = (const fcp_manifest_sandbox *)j->out.data; /* copied sandbox */
    j->t_start_ns = fcpd_now_ns();
    /* one fork at a time: a child forked while another worker is inside
     * its own fork/exec sequence inherits fewer held locks */
    pthread_mutex_lock(&spawn_mu);
    int rc = fcp_host_spawn(&c->conn, &o);
    pthread_mutex_unlock(&spawn_mu);
    if (rc < 0) {
        (void)!snprintf(j->why, sizeof j->why, "spawn: %.200s", c->conn.why[0] ? c->conn.why : fcp_strerror(rc));
        j->status = rc;
        j->t_done_ns = fcpd_now_ns();
        return;
    }
    c->conn.on_request = rt_egress_on_request;
    c->state_epoch = j->state_epoch;
    c->conn.user = c;
    pthread_mutex_lock(&c->mu);
    c->pid = c->conn.pid;
    pthread_mutex_unlock(&c->mu);
    rc = fcp_host_handshake(&c->conn, c->zone, c->id, RT_HANDSHAKE_MS, NULL);
    const char *stage = "handshake";
    if (rc == 0) {
        static const uint8_t empty_map = 0xa0;
        stage = "configure";
        rc = fcp_host_call(&c->conn, "configure", &empty_map, 1, RT_HANDSHAKE_MS, NULL);
    }
    if (rc == 0) {
        stage = "health";
        rc = fcp_host_call(&c->conn, "health", NULL, 0, RT_HEALTH_MS, NULL);
    }
    j->t_done_ns = fcpd_now_ns();
    if (rc < 0) {
        (void)!snprintf(j->why, sizeof j->why, "%s: %.200s", stage, c->conn.why[0] ? c->conn.why : fcp_strerror(rc));
        j->status = rc;
        conn_dead_status(c, j);
        return;
    }
    c->alive = 1;
    c->next_health_ns = fcpd_now_ns() + (uint64_t)c->health_interval_ms * 1000000u;
    j->status = 0;
    fcp_buf_free(&j->out);
    fcp_buf_init(&j->out);
}

static void do_invoke(rt_connector *c, rt_job *j)
{
    j->t_start_ns = fcpd_now_ns();
    if (!c->alive) {
        j->status = FCP_ERT_NOT_ACTIVE;
        snprintf(j->why, sizeof j->why, "connector %s is not running", c->id);
        j->t_done_ns = fcpd_now_ns();
        return;
    }
    uint64_t a0 = c->px.stats.allowed, d0 = 0;
    for (size_t i = 0; i < FCP_EGRESS_NCODES; i++)
        d0 += c->px.stats.denied[i];
    c->cur = j;
    c->conn.why[0] = 0;
    int rc = fcp_host_invoke(&c->conn, j->method, j->operation, (const char *)j->input.data, j->timeout_ms,
                             &j->out);
    c->cur = NULL;
    uint64_t d1 = 0;
    for (size_t i = 0; i < FCP_EGRESS_NCODES; i++)
        d1 += c->px.stats.denied[i];
    j->egress_allowed = c->px.stats.allowed - a0;
    j->egress_denied = d1 - d0;
    j->status = rc;
    if (rc < 0) {
        snprintf(j->why, sizeof j->why, "%s", c->conn.why[0] ? c->conn.why : fcp_strerror(rc));
        if (c->conn.dead)
            conn_dead_status(c, j);
    }
    j->t_done_ns = fcpd_now_ns();
    c->next_health_ns = fcpd_now_ns() + (uint64_t)c->health_interval_ms * 1000000u;
}

/* While idle: notice a dead connector at once, check health periodically.
 * Returns a crash event or NULL. */
static rt_job *idle_wait(rt_connector *c)
{
    struct pollfd pf[2] = { { c->wake_fd, POLLIN, 0 }, { c->alive ? c->conn.fd : -1, POLLIN, 0 } };
    int timeout = -1;
    if (c->alive) {
        uint64_t now = fcpd_now_ns();
        timeout = c->next_health_ns > now ? (int)((c->next_health_ns - now) / 1000000u) + 1 : 0;
    }
    int n = poll(pf, 2, timeout);
    if (n < 0)
        return NULL;
    if (pf[0].revents & POLLIN) {
        uint64_t v;
        ssize_t r = read(c->wake_fd, &v, sizeof v);
        (void)r;
    }
    if (!c->alive)
        return NULL;
    int check = fcpd_now_ns() >= c->next_health_ns;
    if (pf[1].revents & (POLLIN | POLLHUP | POLLERR)) {
        char b;
        ssize_t r = recv(c->conn.fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            rt_job *e = calloc(1, sizeof *e);
            if (!e)
                return NULL;
            e->kind = RT_EV_CRASH;
            e->owner = c;
            e->admin_idx = -1;
            e->status = FCP_EHOST_CLOSED;
            fcp_buf_init(&e->input);
            fcp_buf_init(&e->out);
            conn_dead_status(c, e);
            snprintf(e->why, sizeof e->why, "connector exited (%s %d)",
                     e->exit_status >= 0 && WIFSIGNALED(e->exit_status) ? "signal" : "status",
                     e->exit_status < 0 ? -1
                     : WIFSIGNALED(e->exit_status) ? WTERMSIG(e->exit_status) : WEXITSTATUS(e->exit_status));
            return e;
        }
        check = 1;   /* something unsolicited: a health call reads it */
    }
    if (!check)
        return NULL;
    int rc = fcp_host_call(&c->conn, "health", NULL, 0, RT_HEALTH_MS, NULL);
    c->next_health_ns = fcpd_now_ns() + (uint64_t)c->health_interval_ms * 1000000u;
    if (rc == 0)
        return NULL;
    rt_job *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->kind = RT_EV_CRASH;
    e->owner = c;
    e->admin_idx = -1;
    e->status = c->conn.dead ? rc : FCP_ERT_HEALTH;   /* answered, but not healthy */
    fcp_buf_init(&e->input);
    fcp_buf_init(&e->out);
    (void)!snprintf(e->why, sizeof e->why, "health check failed: %.200s", c->conn.why[0] ? c->conn.why : fcp_strerror(rc));
    if (c->conn.dead) {
        conn_dead_status(c, e);
    } else {
        /* answered with an error: not healthy, stop it */
        fcp_host_close(&c->conn, 0);
        c->alive = 0;
        e->conn_died = 1;
    }
    return e;
}

static void *worker_main(void *arg)
{
    rt_connector *c = arg;
    for (;;) {
        pthread_mutex_lock(&c->mu);
        rt_job *j = c->in_head;
        if (j) {
            c->in_head = j->next;
            if (!c->in_head)
                c->in_tail = NULL;
            c->in_len--;
            c->busy = 1;
        }
        pthread_mutex_unlock(&c->mu);
        if (!j) {
            rt_job *e = idle_wait(c);
            if (e)
                post(c, e);
            continue;
        }
        int exit_now = 0;
        switch (j->kind) {
        case RT_JOB_START:
            do_start(c, j);
            break;
        case RT_JOB_INVOKE:
            do_invoke(c, j);
            break;
        case RT_JOB_STOP:
        case RT_JOB_EXIT:
            if (c->alive)
                fcp_host_close(&c->conn, RT_STOP_GRACE_MS);
            c->alive = 0;
            pthread_mutex_lock(&c->mu);
            c->pid = 0;
            pthread_mutex_unlock(&c->mu);
            exit_now = j->kind == RT_JOB_EXIT;
            break;
        default:
            break;
        }
        pthread_mutex_lock(&c->mu);
        c->busy = 0;
        pthread_mutex_unlock(&c->mu);
        if (exit_now) {
            rt_job_free(j);
            break;
        }
        post(c, j);
    }
    return NULL;
}

/* ---- versions ------------------------------------------------------------------- */

static uint8_t *read_file(const char *path, size_t *len, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *b = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            if (cap > max + 1)
                cap = max + 1;
            uint8_t *nb = realloc(b, cap + 1);
            if (!nb) {
                free(b);
                fclose(f);
                return NULL;
            }
            b = nb;
        }
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (r == 0 || n > max)
            break;
    }
    int bad = ferror(f) || n > max;
    fclose(f);
    if (bad) {
        free(b);
        return NULL;
    }
    b[n] = 0;
    *len = n;
    return b;
}

/* Load version slot of c from files, verify it (ELF-embedded manifest equals
 * the installed one, publisher signature, trusted key) and fill *v.
 * 0, or the error with why filled. */
static int load_version(rt_connector *c, uint32_t slot, const char *mpath, const char *bpath,
                        const uint8_t sig[64], const uint8_t *trusted_key, fcp_lc_version *v, char *why,
                        size_t whylen)
{
    rt_version *rv = &c->ver[slot];
    if (rv->have_m)
        fcp_manifest_free(&rv->m);
    memset(rv, 0, sizeof *rv);
    snprintf(rv->manifest_path, sizeof rv->manifest_path, "%s", mpath);
    snprintf(rv->binary_path, sizeof rv->binary_path, "%s", bpath);
    memset(v, 0, sizeof *v);
    v->slot = slot;
    size_t ml = 0, bl = 0;
    char *mt = (char *)read_file(mpath, &ml, FCP_MANIFEST_MAX_TEXT);
    if (!mt) {
        snprintf(why, whylen, "cannot read manifest %s", mpath);
        return FCP_ERT_CONFIG;
    }
    fcp_toml_error te;
    memset(&te, 0, sizeof te);
    int rc = fcp_manifest_parse(&rv->m, mpath, mt, ml, &te);
    free(mt);
    if (rc < 0) {
        snprintf(why, whylen, "%s", te.msg);
        return rc;
    }
    rv->have_m = 1;
    snprintf(v->version, sizeof v->version, "%s", rv->m.version);
    if (strcmp(rv->m.id, c->id)) {
        snprintf(why, whylen, "manifest %s declares connector '%s', not '%s'", mpath, rv->m.id, c->id);
        return FCP_ERT_CONFIG;
    }
    fcp_manifest_hash(&rv->m, v->manifest_id);
    uint8_t *bin = read_file(bpath, &bl, FCP_STORE_BODY_MAX);
    if (!bin) {
        snprintf(why, whylen, "cannot read binary %s", bpath);
        return FCP_ERT_CONFIG;
    }
    fcp_manifest_binary_hash(bin, bl, v->binary_id);
    memset(&te, 0, sizeof te);
    rc = fcp_manifest_verify_install(&rv->m, bin, bl, sig, trusted_key, &te);
    free(bin);
    if (rc < 0) {
        snprintf(why, whylen, "%s", te.msg[0] ? te.msg : fcp_strerror(rc));
        return rc;
    }
    return 0;
}

static const rt_version *cur_version(const rt_connector *c)
{
    return &c->ver[c->lc.cur.slot & 1];
}

/* ---- lifecycle driving (loop thread) ---------------------------------------------- */

static void rt_log(rt_connector *c, int level, const char *event, int err, const char *detail)
{
    fcp_log_field f[] = { FCP_LF_STR("connector", c->id), FCP_LF_STR("version", c->lc.cur.version),
                          FCP_LF_STR("state", fcp_lc_state_name(c->lc.state)), FCP_LF_STR("detail", detail ? detail : "") };
    fcpd_log(c->rt->d, level, event, err, f, 4);
}

/* From VERIFIED: the revocation gate, then a START job. */
static int try_start(rt_connector *c)
{
    if (c->lc.state != FCP_LC_VERIFIED)
        return 0;
    const fcp_revset *rs = fcpd_revset(c->rt->d);
    int rc = fcp_lc_start_gate(&c->lc, rs, unix_now());
    if (rc < 0) {
        rt_log(c, FCP_LOG_ERROR, "connector.refused", rc, c->lc.why);
        return rc;
    }
    rt_job *j = rt_job_new(c->rt, RT_JOB_START);
    if (!j)
        return FCP_ENOMEM;
    const rt_version *v = cur_version(c);
    j->version_slot = c->lc.cur.slot;
    j->state_epoch = rt_state_activate(c, &v->m);
    fcp_buf_append(&j->input, v->binary_path, strlen(v->binary_path) + 1);
    fcp_buf_append(&j->out, &v->m.sandbox, sizeof v->m.sandbox);
    if (j->input.err || j->out.err) {
        rt_job_free(j);
        return FCP_ENOMEM;
    }
    if ((rc = rt_submit(c, j)) < 0) {
        rt_job_free(j);
        return rc;
    }
    c->starting++;
    c->starts++;
    return 0;
}

static void on_failed(rt_connector *c, int err, const char *why, int exit_status)
{
    int clean = exit_status >= 0 && WIFEXITED(exit_status) && WEXITSTATUS(exit_status) == 0;
    if (c->lc.state == FCP_LC_STOPPED)
        return;
    c->crashes++;
    int r = fcp_lc_failed(&c->lc, err, why, clean, now_ms());
    if (r < 0)
        return;
    if (fcp_lc_should_rollback(&c->lc)) {
        rt_log(c, FCP_LOG_WARN, "connector.rollback", err, "new version failed before it became active");
        fcp_lc_rollback(&c->lc);
        record_current(c);
        try_start(c);
        return;
    }
    char det[320];
    if (r == 1)
        snprintf(det, sizeof det, "%s; restart in %llu ms", why, (unsigned long long)c->lc.last_delay_ms);
    else
        snprintf(det, sizeof det, "%s; not restarted (%s)", why, c->lc.gave_up ? "gave up" : "policy");
    rt_log(c, FCP_LOG_WARN, "connector.failed", err, det);
}

static void job_done(fcpd_runtime *rt, rt_job *j, rt_connector *c)
{
    c->egress_allowed += j->egress_allowed;
    c->egress_denied += j->egress_denied;
    rt->egress_allowed += j->egress_allowed;
    rt->egress_denied += j->egress_denied;
    switch (j->kind) {
    case RT_JOB_START:
        if (c->starting)
            c->starting--;
        if (j->version_slot != c->lc.cur.slot || c->lc.state != FCP_LC_VERIFIED)
            break;   /* superseded by a stop, update, rollback or a later start */
        if (c->starting)
            break;   /* a later start is queued: it decides */
        if (j->status == 0 && fcp_lc_configured(&c->lc) == 0 && fcp_lc_activated(&c->lc, now_ms()) == 0) {
            c->activation_ms = (j->t_done_ns - j->t_start_ns) / 1000000u;
            char det[64];
            snprintf(det, sizeof det, "ready in %.1f ms", (double)(j->t_done_ns - j->t_start_ns) / 1e6);
            rt_log(c, FCP_LOG_INFO, "connector.active", 0, det);
        } else {
            on_failed(c, j->status ? j->status : FCP_ERT_STATE, j->why, j->exit_status);
        }
        break;
    case RT_JOB_INVOKE:
        rt_invoke_done(rt, c, j);
        if (j->conn_died && (c->lc.state == FCP_LC_ACTIVE || c->lc.state == FCP_LC_CONFIGURED))
            on_failed(c, j->status, j->why, j->exit_status);
        break;
    case RT_EV_CRASH:
        if (c->lc.state == FCP_LC_ACTIVE || c->lc.state == FCP_LC_CONFIGURED)
            on_failed(c, j->status, j->why, j->exit_status);
        break;
    case RT_EV_SYNCED:
        rt_invoke_synced(rt, c, j);
        break;
    default:
        break;
    }
}

static void on_event(void *ctx, int fd, unsigned ev)
{
    fcpd_runtime *rt = ctx;
    (void)ev;
    uint64_t v;
    ssize_t r = read(fd, &v, sizeof v);
    (void)r;
    pthread_mutex_lock(&rt->out_mu);
    rt_job *list = rt->out_head;
    rt->out_head = rt->out_tail = NULL;
    pthread_mutex_unlock(&rt->out_mu);
    while (list) {
        rt_job *j = list;
        list = j->next;
        if (j->owner)
            job_done(rt, j, j->owner);
        rt_job_free(j);
    }
}

/* A binary or manifest revoked while its connector runs: stop it now
 * (spec §14.3: revocation always wins); the restart the failure schedules
 * meets the start gate, which refuses it for good. */
int rt_revoked_check(rt_connector *c)
{
    const fcp_revset *rs = fcpd_revset(c->rt->d);
    if (!rs || (c->lc.state != FCP_LC_ACTIVE && c->lc.state != FCP_LC_CONFIGURED) ||
        fcp_rev_enforce_connector_start(rs, c->lc.cur.binary_id, c->lc.cur.manifest_id, unix_now()) == 0)
        return 0;
    rt_job *j = rt_job_new(c->rt, RT_JOB_STOP);
    if (j && rt_submit(c, j) < 0)
        rt_job_free(j);
    on_failed(c, FCP_EREV_CONNECTOR, "connector binary or manifest revoked while running; stopped", -1);
    return FCP_EREV_CONNECTOR;
}

void fcpd_connectors_pump(fcpd *d)
{
    fcpd_runtime *rt = d->rt;
    if (!rt)
        return;
    uint64_t t = now_ms();
    if (t - rt->last_rev_check_ms >= 250) {
        rt->last_rev_check_ms = t;
        for (size_t i = 0; i < RT_MAX_CONNECTORS; i++)
            if (rt->c[i].used)
                rt_revoked_check(&rt->c[i]);
    }
    for (size_t i = 0; i < RT_MAX_CONNECTORS; i++) {
        rt_connector *c = &rt->c[i];
        if (c->used && fcp_lc_restart_due(&c->lc, t)) {
            rt_log(c, FCP_LOG_INFO, "connector.restart", 0, "");
            try_start(c);
        }
    }
}

/* ---- connectors: creation, start, stop ---------------------------------------------- */

static int mkdirs(const char *path)
{
    char tmp[FCP_CONFIG_PATH_MAX + 1];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(tmp, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

/* As root the sandbox runs the connector as uid 65534 (docs/sandbox.md),
 * which must be able to reach its state directory: the directories fcpd
 * owns on the way (data_dir, data_dir/connectors, .../<id>) become 0711
 * (traverse, no listing; their files keep their own modes, and Landlock
 * limits the connector to the state directory anyway).  A path that stays
 * unreachable is reported here, not as an opaque spawn failure later. */
static void make_reachable(fcpd *d, rt_connector *c)
{
    size_t dl = strlen(d->cfg.data_dir);
    char p[FCP_CONFIG_PATH_MAX + 1];
    snprintf(p, sizeof p, "%s", c->state_dir);
    if (!strncmp(p, d->cfg.data_dir, dl) && p[dl] == '/') {
        for (char *q = p + dl; q; q = strchr(q + 1, '/')) {
            char save = *q;
            *q = 0;
            chmod(p, 0711);
            *q = save;
        }
    }
    /* every parent must be traversable by others */
    for (char *q = strchr(p + 1, '/'); q; q = strchr(q + 1, '/')) {
        *q = 0;
        struct stat st;
        if (stat(p, &st) == 0 && !(st.st_mode & S_IXOTH) && st.st_uid != 65534) {
            char det[FCP_CONFIG_PATH_MAX + 160];
            (void)!snprintf(det, sizeof det, "directory %.3800s is not traversable by the sandbox uid 65534: "
                            "the connector cannot reach its state directory (chmod o+x it or move data_dir)", p);
            fcp_log_field f[] = { FCP_LF_STR("connector", c->id), FCP_LF_STR("detail", det) };
            fcpd_log(d, FCP_LOG_ERROR, "connector.state_dir", FCP_ERT_CONFIG, f, 2);
            break;
        }
        *q = '/';
    }
}

static rt_connector *new_connector(fcpd_runtime *rt, const char *id, const char *zone, const char *state_dir,
                                   const fcp_restart_policy *pol, uint32_t health_ms)
{
    rt_connector *c = NULL;
    for (size_t i = 0; i < RT_MAX_CONNECTORS && !c; i++)
        if (!rt->c[i].used)
            c = &rt->c[i];
    if (!c)
        return NULL;
    memset(c, 0, sizeof *c);
    c->rt = rt;
    snprintf(c->id, sizeof c->id, "%s", id);
    snprintf(c->zone, sizeof c->zone, "%s", zone);
    if (state_dir && *state_dir)
        snprintf(c->state_dir, sizeof c->state_dir, "%s", state_dir);
    else
        if (snprintf(c->state_dir, sizeof c->state_dir, "%s/connectors/%s/state", rt->d->cfg.data_dir, id) >=
            (int)sizeof c->state_dir)
            return NULL;
    c->health_interval_ms = health_ms ? health_ms : 5000;
    fcp_lc_init(&c->lc, pol, NULL);
    c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (c->wake_fd < 0)
        return NULL;
    pthread_mutex_init(&c->mu, NULL);
    memset(&c->conn, 0, sizeof c->conn);
    c->conn.fd = -1;
    rt_egress_init(c);
    /* the state dir's parents; the spawn creates the last component */
    char parent[FCP_CONFIG_PATH_MAX + 1];
    snprintf(parent, sizeof parent, "%s", c->state_dir);
    char *sl = strrchr(parent, '/');
    if (sl && sl != parent) {
        *sl = 0;
        mkdirs(parent);
    }
    if (geteuid() == 0)
        make_reachable(rt->d, c);
    c->used = 1;
    rt->n++;
    return c;
}

static int start_thread(rt_connector *c)
{
    if (c->th_started)
        return 0;
    if (pthread_create(&c->th, NULL, worker_main, c) != 0)
        return FCP_ERT_LIMIT;
    c->th_started = 1;
    return 0;
}

static void policy_from_config(const fcp_config_connector *cc, fcp_restart_policy *p)
{
    fcp_restart_policy_default(p);
    fcp_restart_mode_parse(cc->restart, &p->mode);
    p->initial_ms = cc->restart_initial_ms;
    p->max_ms = cc->restart_max_ms;
    p->stable_ms = cc->restart_stable_ms;
    p->max_restarts = cc->max_restarts;
}

/* <data_dir>/connectors/<id>/current names the installed version that runs
 * (absent: the [[connector]] entry's files), so an install survives a
 * restart of fcpd. */
static void record_current(rt_connector *c)
{
    fcpd *d = c->rt->d;
    char path[FCP_CONFIG_PATH_MAX + 1];
    if (snprintf(path, sizeof path, "%s/connectors/%s/current", d->cfg.data_dir, c->id) >= (int)sizeof path)
        return;
    const rt_version *v = &c->ver[c->lc.cur.slot & 1];
    if (!v->dir[0]) {
        unlink(path);
        return;
    }
    char line[FCP_CONFIG_PATH_MAX + 2];
    int n = snprintf(line, sizeof line, "%s\n", v->dir);
    if (n > 0 && n < (int)sizeof line && write_file_sync(path, line, (size_t)n, 0600) < 0)
        rt_log(c, FCP_LOG_WARN, "connector.record", FCP_ERT_PERSIST, path);
}

static int read_line(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int ok = fgets(out, (int)cap, f) != NULL;
    fclose(f);
    if (!ok)
        return -1;
    out[strcspn(out, "\r\n")] = 0;
    return out[0] ? 0 : -1;
}

static void restore_installed(fcpd_runtime *rt)
{
    fcpd *d = rt->d;
    char base[FCP_CONFIG_PATH_MAX + 1];
    if (snprintf(base, sizeof base, "%s/connectors", d->cfg.data_dir) >= (int)sizeof base)
        return;
    DIR *dh = opendir(base);
    if (!dh)
        return;
    struct dirent *de;
    while ((de = readdir(dh))) {
        if (de->d_name[0] == '.' || strlen(de->d_name) > FCP_MANIFEST_MAX_ID)
            continue;
        char p[FCP_CONFIG_PATH_MAX + 1], dir[FCP_CONFIG_PATH_MAX + 1], sighex[160];
        char mp[FCP_CONFIG_PATH_MAX + 1], bp[FCP_CONFIG_PATH_MAX + 1];
        uint8_t sig[64];
        if (snprintf(p, sizeof p, "%s/%s/current", base, de->d_name) >= (int)sizeof p || read_line(p, dir, sizeof dir) < 0 ||
            snprintf(p, sizeof p, "%s/signature", dir) >= (int)sizeof p || read_line(p, sighex, sizeof sighex) < 0 ||
            strlen(sighex) != 128 || fcp_hex_decode_exact(sig, 64, sighex) < 0 ||
            snprintf(mp, sizeof mp, "%s/manifest.toml", dir) >= (int)sizeof mp ||
            snprintf(bp, sizeof bp, "%s/binary", dir) >= (int)sizeof bp)
            continue;
        const uint8_t *trusted = NULL;
        for (size_t i = 0; i < d->cfg.n_connectors; i++)
            if (!strcmp(d->cfg.connectors[i].id, de->d_name) && d->cfg.connectors[i].has_publisher_key)
                trusted = d->cfg.connectors[i].publisher_key;
        rt_connector *c = rt_find(rt, de->d_name);
        int fresh = !c;
        if (fresh) {
            fcp_restart_policy pol;
            fcp_restart_policy_default(&pol);
            if (!(c = new_connector(rt, de->d_name, FCP_ZONE_PRIVATE, NULL, &pol, 0)))
                break;
        }
        uint32_t slot = fresh ? 0 : (c->lc.cur.slot ^ 1u);
        fcp_lc_version v;
        char why[512] = "";
        int rc = load_version(c, slot, mp, bp, sig, trusted, &v, why, sizeof why);
        snprintf(c->ver[slot].dir, sizeof c->ver[slot].dir, "%s", dir);
        if (fresh)
            c->lc.cur = v;
        else
            fcp_lc_update(&c->lc, &v);
        fcp_lc_verified(&c->lc, rc, why);
        if (rc < 0) {
            rt_log(c, FCP_LOG_ERROR, "connector.unverified", rc, why);
            if (fcp_lc_should_rollback(&c->lc))
                fcp_lc_rollback(&c->lc);
        } else {
            rt_log(c, FCP_LOG_INFO, "connector.restored", 0, dir);
        }
    }
    closedir(dh);
}

int fcpd_connectors_start(fcpd *d)
{
    fcpd_runtime *rt = calloc(1, sizeof *rt);
    if (!rt)
        return FCP_ENOMEM;
    rt->d = d;
    d->rt = rt;
    pthread_mutex_init(&rt->out_mu, NULL);
    rt->ev_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (rt->ev_fd < 0 || fcp_net_loop_add(d->loop, rt->ev_fd, FCP_NET_EV_IN, on_event, rt) < 0 ||
        rt_state_start(rt) < 0)
        return FCP_ENET_LOOP;
    /* the sandbox probe forks: run it once here, before worker threads;
     * libcurl's global init is not thread-safe: also before them (idempotent) */
    fcp_sandbox_probe pr;
    fcp_sandbox_probe_features(&pr);
    if (fcp_egress_curl_global_init() < 0)
        fcpd_log(d, FCP_LOG_WARN, "egress.init", FCP_EINTERNAL, NULL, 0);
    int rc = rt_invoke_start(rt);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < d->cfg.n_connectors; i++) {
        const fcp_config_connector *cc = &d->cfg.connectors[i];
        fcp_restart_policy pol;
        policy_from_config(cc, &pol);
        rt_connector *c = new_connector(rt, cc->id, cc->zone, cc->state_dir, &pol, cc->health_interval_ms);
        if (!c)
            return FCP_ERT_LIMIT;
        c->from_config = 1;
        fcp_lc_version v;
        char why[512] = "";
        rc = load_version(c, 0, cc->manifest, cc->binary, cc->signature,
                          cc->has_publisher_key ? cc->publisher_key : NULL, &v, why, sizeof why);
        c->lc.cur = v;
        fcp_lc_verified(&c->lc, rc, why);
        if (rc < 0) {
            rt_log(c, FCP_LOG_ERROR, "connector.unverified", rc, why);
            continue;
        }
    }
    restore_installed(rt);
    for (size_t i = 0; i < RT_MAX_CONNECTORS; i++) {
        rt_connector *c = &rt->c[i];
        if (!c->used || c->lc.state != FCP_LC_VERIFIED)
            continue;
        if ((rc = start_thread(c)) < 0)
            return rc;
        try_start(c);
    }
    return 0;
}

void fcpd_connectors_stop(fcpd *d)
{
    fcpd_runtime *rt = d->rt;
    if (!rt)
        return;
    for (size_t i = 0; i < RT_MAX_CONNECTORS; i++) {
        rt_connector *c = &rt->c[i];
        if (!c->used || !c->th_started)
            continue;
        rt_job *j = rt_job_new(rt, RT_JOB_EXIT);
        if (j) {
            /* bypass the queue limit: the thread must hear it */
            pthread_mutex_lock(&c->mu);
            j->owner = c;
            if (c->in_tail)
                c->in_tail->next = j;
            else
                c->in_head = j;
            c->in_tail = j;
            pthread_mutex_unlock(&c->mu);
            wake(c->wake_fd);
        }
    }
    rt_state_closing(rt);   /* a worker waiting for a state answer returns */
    for (size_t i = 0; i < RT_MAX_CONNECTORS; i++) {
        rt_connector *c = &rt->c[i];
        if (!c->used)
            continue;
        if (c->th_started)
            pthread_join(c->th, NULL);
        while (c->in_head) {
            rt_job *j = c->in_head;
            c->in_head = j->next;
            rt_job_free(j);
        }
        for (int k = 0; k < 2; k++)
            if (c->ver[k].have_m)
                fcp_manifest_free(&c->ver[k].m);
        if (c->wake_fd >= 0)
            close(c->wake_fd);
        pthread_mutex_destroy(&c->mu);
    }
    while (rt->out_head) {
        rt_job *j = rt->out_head;
        rt->out_head = j->next;
        rt_job_free(j);
    }
    rt_state_stop(rt);
    rt_invoke_stop(rt);
    if (rt->ev_fd >= 0) {
        fcp_net_loop_del(d->loop, rt->ev_fd);
        close(rt->ev_fd);
    }
    pthread_mutex_destroy(&rt->out_mu);
    free(rt);
    d->rt = NULL;
}

/* ---- admin ops ------------------------------------------------------------------------ */

static void kv_str(fcp_cbor_enc *e, const char *k, const char *v)
{
    fcp_cbor_put_cstr(e, k);
    fcp_cbor_put_cstr(e, v ? v : "");
}

static void kv_uint(fcp_cbor_enc *e, const char *k, uint64_t v)
{
    fcp_cbor_put_cstr(e, k);
    fcp_cbor_put_uint(e, v);
}

static void kv_bool(fcp_cbor_enc *e, const char *k, int v)
{
    fcp_cbor_put_cstr(e, k);
    fcp_cbor_put_bool(e, v);
}

static void put_operation(fcp_cbor_enc *e, const fcp_manifest_op *o)
{
    fcp_cbor_map_open(e);
    kv_str(e, "name", o->name);
    kv_str(e, "description", o->description);
    kv_str(e, "tier", fcp_safety_tier_name(o->tier));
    kv_bool(e, "idempotent", o->idempotency == FCP_IDEMPOTENCY_STRICT);
    kv_bool(e, "requires_approval", o->approval != FCP_APPROVAL_NONE);
    kv_str(e, "input_schema", o->input_schema && *o->input_schema ? o->input_schema : "{}");
    if (o->rate_count) {
        char rl[32];
        snprintf(rl, sizeof rl, "%u/%s", o->rate_count,
                 o->rate_per_s == 1 ? "sec" : o->rate_per_s == 60 ? "min" : "hour");
        kv_str(e, "rate_limit", rl);
    }
    kv_str(e, "capability", o->capability);
    fcp_cbor_map_close(e);
}

static void put_connector(fcp_cbor_enc *e, rt_connector *c, int detail)
{
    const rt_version *v = cur_version(c);
    fcp_cbor_map_open(e);
    kv_str(e, "id", c->id);
    kv_str(e, "version", v->have_m ? v->m.version : c->lc.cur.version);
    kv_str(e, "state", fcp_lc_state_name(c->lc.state));
    kv_str(e, "description", v->have_m ? v->m.description : "");
    fcp_cbor_put_cstr(e, "operations");
    fcp_cbor_put_array(e, v->have_m ? v->m.n_ops : 0);
    for (size_t i = 0; v->have_m && i < v->m.n_ops; i++)
        put_operation(e, &v->m.ops[i]);
    if (detail) {
        char hex[65], code[16];
        fcp_cbor_put_cstr(e, "runtime");
        fcp_cbor_map_open(e);
        kv_str(e, "zone", c->zone);
        pthread_mutex_lock(&c->mu);
        uint64_t pid = (uint64_t)(c->pid > 0 ? c->pid : 0);
        int busy = c->busy;
        size_t queued = c->in_len;
        pthread_mutex_unlock(&c->mu);
        kv_uint(e, "pid", pid);
        kv_bool(e, "busy", busy);
        kv_uint(e, "queued", queued);
        kv_uint(e, "starts", c->starts);
        kv_uint(e, "crashes", c->crashes);
        kv_uint(e, "restarts", c->lc.restarts);
        kv_uint(e, "consecutive_failures", c->lc.failures);
        kv_uint(e, "activation_ms", c->activation_ms);
        uint64_t t = now_ms();
        kv_uint(e, "restart_in_ms", c->lc.restart_pending && c->lc.next_start_ms > t ? c->lc.next_start_ms - t : 0);
        kv_bool(e, "gave_up", c->lc.gave_up);
        kv_str(e, "restart_policy", fcp_restart_mode_name(c->lc.policy.mode));
        kv_str(e, "last_error", c->lc.last_error ? fcp_error_code(c->lc.last_error, code, sizeof code) : "");
        kv_str(e, "last_error_detail", c->lc.why);
        fcp_hex_encode(hex, sizeof hex, c->lc.cur.binary_id, 32);
        kv_str(e, "binary_id", hex);
        fcp_hex_encode(hex, sizeof hex, c->lc.cur.manifest_id, 32);
        kv_str(e, "manifest_id", hex);
        kv_str(e, "binary", v->binary_path);
        kv_str(e, "previous_version", c->lc.has_prev ? c->lc.prev.version : "");
        kv_uint(e, "invokes_ok", c->invokes_ok);
        kv_uint(e, "invokes_failed", c->invokes_failed);
        kv_uint(e, "egress_allowed", c->egress_allowed);
        kv_uint(e, "egress_denied", c->egress_denied);
        fcp_cbor_map_close(e);
    }
    fcp_cbor_map_close(e);
}

static void answer_ok(fcpd_admin_conn *a, uint64_t seq, rt_connector *c, int detail)
{
    fcp_buf pl;
    fcp_buf_init(&pl);
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, &pl);
    fcp_cbor_map_open(&e);
    kv_bool(&e, "ok", 1);
    if (c) {
        fcp_cbor_put_cstr(&e, "connector");
        put_connector(&e, c, detail);
    }
    fcp_cbor_map_close(&e);
    if (fcp_cbor_enc_finish(&e) < 0)
        pl.err = FCP_EINTERNAL;
    fcp_cbor_enc_free(&e);
    rt_send_payload(a, seq, &pl);
    fcp_buf_free(&pl);
}

static void op_connectors(fcpd_runtime *rt, fcpd_admin_conn *a, uint64_t seq, const fcp_admin_request *r)
{
    rt_connector *one = NULL;
    if (r->has_connector && !(one = rt_find(rt, r->connector))) {
        rt_send_error(a, seq, FCP_ERT_UNKNOWN_CONNECTOR, r->connector);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < RT_MAX_CONNECTORS; i++)
        if (rt->c[i].used && (!one || &rt->c[i] == one))
            n++;
    fcp_buf pl;
    fcp_buf_init(&pl);
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, &pl);
    fcp_cbor_map_open(&e);
    kv_bool(&e, "ok", 1);
    fcp_cbor_put_cstr(&e, "connectors");
    fcp_cbor_put_array(&e, n);
    for (size_t i = 0; i < RT_MAX_CONNECTORS; i++)
        if (rt->c[i].used && (!one || &rt->c[i] == one))
            put_connector(&e, &rt->c[i], one != NULL);
    fcp_cbor_map_close(&e);
    if (fcp_cbor_enc_finish(&e) < 0)
        pl.err = FCP_EINTERNAL;
    fcp_cbor_enc_free(&e);
    rt_send_payload(a, seq, &pl);
    fcp_buf_free(&pl);
}

static void stop_connector(rt_connector *c)
{
    fcp_lc_stop(&c->lc);
    rt_job *j = rt_job_new(c->rt, RT_JOB_STOP);
    if (j && rt_submit(c, j) < 0)
        rt_job_free(j);
}

static void op_lifecycle(fcpd_runtime *rt, fcpd_admin_conn *a, uint64_t seq, const fcp_admin_request *r)
{
    rt_connector *c = rt_find(rt, r->connector);
    if (!c) {
        rt_send_error(a, seq, FCP_ERT_UNKNOWN_CONNECTOR, r->connector);
        return;
    }
    int rc = 0;
    const char *ev = "";
    switch (r->op) {
    case FCP_ADMIN_OP_CONNECTOR_STOP:
        stop_connector(c);
        ev = "connector.stopped";
        break;
    case FCP_ADMIN_OP_CONNECTOR_ACTIVATE:
        if (c->lc.state == FCP_LC_ACTIVE || c->lc.state == FCP_LC_VERIFIED || c->lc.state == FCP_LC_CONFIGURED)
            break;   /* already running or starting: nothing to do */
        if ((rc = fcp_lc_activate(&c->lc)) == 0 && (rc = start_thread(c)) == 0)
            rc = try_start(c);
        ev = "connector.activate";
        break;
    case FCP_ADMIN_OP_CONNECTOR_ROLLBACK:
        if ((rc = fcp_lc_rollback(&c->lc)) == 0 && (rc = start_thread(c)) == 0)
            rc = try_start(c);
        if (rc == 0)
            record_current(c);
        ev = "connector.rollback";
        break;
    default:
        rc = FCP_EADMIN_UNKNOWN_OP;
    }
    if (rc < 0) {
        rt_send_error(a, seq, rc, rc == FCP_ERT_STATE ? fcp_lc_state_name(c->lc.state) : c->lc.why);
        return;
    }
    rt_log(c, FCP_LOG_INFO, ev, 0, "by the operator");
    answer_ok(a, seq, c, 0);
}

/* ---- install (connector_install, then put_data..., put_end) --------------------------- */

static int write_file_sync(const char *path, const void *p, size_t n, int mode)
{
    char tmp[FCP_CONFIG_PATH_MAX + 16];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    const uint8_t *b = p;
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, b + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            unlink(tmp);
            return -1;
        }
        off += (size_t)w;
    }
    if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* The sandbox uid (65534 when fcpd runs as root) must reach and execute the
 * installed copy: its directories become 0711 (traverse only), the binary
 * 0755 and the manifest 0644 (neither is secret; modes set explicitly, the
 * umask may have narrowed them). */
static int version_dir_reachable(fcpd *d, const char *dir)
{
    char f[FCP_CONFIG_PATH_MAX + 1];
    if (snprintf(f, sizeof f, "%s/binary", dir) >= (int)sizeof f || chmod(f, 0755) < 0 ||
        snprintf(f, sizeof f, "%s/manifest.toml", dir) >= (int)sizeof f || chmod(f, 0644) < 0)
        return -1;
    if (geteuid() != 0)
        return 0;
    size_t dl = strlen(d->cfg.data_dir);
    char p[FCP_CONFIG_PATH_MAX + 1];
    snprintf(p, sizeof p, "%s", dir);
    if (strncmp(p, d->cfg.data_dir, dl) || p[dl] != '/')
        return 0;
    for (char *q = p + dl; q; q = strchr(q + 1, '/')) {
        char save = *q;
        *q = 0;
        chmod(p, 0711);
        *q = save;
    }
    return chmod(p, 0711);
}

static void op_install_begin(fcpd_admin_conn *a, uint64_t seq, const fcp_admin_request *r)
{
    if (r->size == 0 || r->size > FCP_STORE_BODY_MAX) {
        rt_send_error(a, seq, FCP_ETOO_LARGE, "connector binary must be 1 byte .. 64 MiB");
        return;
    }
    if (r->manifest_len > FCP_MANIFEST_MAX_TEXT) {
        rt_send_error(a, seq, FCP_ETOO_LARGE, "manifest larger than 256 KiB");
        return;
    }
    fcp_buf_free(&a->put_data);
    fcp_buf_init(&a->put_data);
    fcp_buf_free(&a->rt_manifest);
    fcp_buf_init(&a->rt_manifest);
    if (fcp_buf_reserve(&a->put_data, r->size) < 0 ||
        fcp_buf_append(&a->rt_manifest, r->manifest, r->manifest_len) < 0) {
        rt_send_error(a, seq, FCP_ENOMEM, "cannot buffer the install");
        return;
    }
    memcpy(a->rt_sig, r->signature, 64);
    a->put_active = 1;
    a->put_failed = 0;
    a->put_size = r->size;
    a->put_seq = seq;
    a->put_t0 = fcpd_now_ns();
    a->rt_install = 1;
}

static void install_reset(fcpd_admin_conn *a)
{
    a->rt_install = 0;
    a->put_active = a->put_failed = 0;
    fcp_buf_free(&a->put_data);
    fcp_buf_free(&a->rt_manifest);
}

static void op_install_end(fcpd_runtime *rt, fcpd_admin_conn *a, uint64_t seq)
{
    fcpd *d = rt->d;
    if (a->put_failed) {
        install_reset(a);
        return;
    }
    if (a->put_data.len != a->put_size) {
        rt_send_error(a, seq, FCP_EADMIN_PUT_SIZE, "binary size differs from the announced size");
        install_reset(a);
        return;
    }
    fcp_manifest m;
    fcp_toml_error te;
    memset(&te, 0, sizeof te);
    int rc = fcp_manifest_parse(&m, "manifest.toml", (const char *)a->rt_manifest.data, a->rt_manifest.len, &te);
    if (rc < 0) {
        rt_send_error(a, seq, rc, te.msg);
        install_reset(a);
        return;
    }
    char id[FCP_MANIFEST_MAX_ID + 1];
    snprintf(id, sizeof id, "%s", m.id);
    rt_connector *c = rt_find(rt, id);
    const uint8_t *trusted = NULL;
    for (size_t i = 0; i < d->cfg.n_connectors; i++)
        if (!strcmp(d->cfg.connectors[i].id, id) && d->cfg.connectors[i].has_publisher_key)
            trusted = d->cfg.connectors[i].publisher_key;
    uint8_t bid[32];
    fcp_manifest_binary_hash(a->put_data.data, a->put_data.len, bid);
    memset(&te, 0, sizeof te);
    rc = fcp_manifest_verify_install(&m, a->put_data.data, a->put_data.len, a->rt_sig, trusted, &te);
    uint8_t mid[32];
    fcp_manifest_hash(&m, mid);
    fcp_manifest_free(&m);
    if (rc < 0) {
        rt_send_error(a, seq, rc, te.msg[0] ? te.msg : "verification failed");
        install_reset(a);
        return;
    }
    const fcp_revset *rs = fcpd_revset(d);
    if (rs && fcp_rev_enforce_connector_start(rs, bid, mid, unix_now()) < 0) {
        rt_send_error(a, seq, FCP_ERT_REVOKED, "this connector binary or manifest is revoked");
        install_reset(a);
        return;
    }
    /* content-addressed object in the node's store (offline installs) */
    if (d->store) {
        fcp_schema_id sch;
        fcp_object_header h;
        fcp_schema_id_init(&sch, "fcp.node", "ConnectorBinary", 1, 0, 0);
        fcp_retention ret = { .kind = FCP_RETENTION_PINNED };
        rc = fcp_object_header_init(&h, &sch, FCP_ZONE_OWNER, unix_now());
        if (rc == 0)
            rc = fcp_store_put(d->store, bid, &h, a->put_data.data, a->put_data.len, a->put_data.len, &ret);
        if (rc < 0 && rc != FCP_ESTORE_CONFLICT) {
            rt_send_error(a, seq, FCP_ERT_INSTALL, "cannot store the binary in the node's store");
            install_reset(a);
            return;
        }
    }
    char hex[65], dir[FCP_CONFIG_PATH_MAX + 1], mp[FCP_CONFIG_PATH_MAX + 1], bp[FCP_CONFIG_PATH_MAX + 1];
    fcp_hex_encode(hex, sizeof hex, bid, 32);
    if (snprintf(dir, sizeof dir - 20, "%s/connectors/%s/%.16s", d->cfg.data_dir, id, hex) >= (int)sizeof dir - 20 ||
        snprintf(mp, sizeof mp, "%s/manifest.toml", dir) >= (int)sizeof mp ||
        snprintf(bp, sizeof bp, "%s/binary", dir) >= (int)sizeof bp || mkdirs(dir) < 0 || write_file_sync(mp, a->rt_manifest.data, a->rt_manifest.len, 0644) < 0 ||
        write_file_sync(bp, a->put_data.data, a->put_data.len, 0755) < 0 || version_dir_reachable(d, dir) < 0) {
        rt_send_error(a, seq, FCP_ERT_INSTALL, "cannot write the version directory");
        install_reset(a);
        return;
    }
    uint8_t sig[64];
    memcpy(sig, a->rt_sig, 64);
    install_reset(a);
    char sighex[130], sp[FCP_CONFIG_PATH_MAX + 1];
    fcp_hex_encode(sighex, sizeof sighex, sig, 64);
    sighex[128] = '\n';
    if (snprintf(sp, sizeof sp, "%s/signature", dir) >= (int)sizeof sp ||
        write_file_sync(sp, sighex, 129, 0644) < 0) {
        rt_send_error(a, seq, FCP_ERT_INSTALL, "cannot write the version directory");
        return;
    }
    int fresh = 0;
    if (!c) {
        fcp_restart_policy pol;
        fcp_restart_policy_default(&pol);
        c = new_connector(rt, id, FCP_ZONE_PRIVATE, NULL, &pol, 0);
        if (!c) {
            rt_send_error(a, seq, FCP_ERT_LIMIT, "too many connectors");
            return;
        }
        fresh = 1;
    }
    uint32_t slot = fresh ? 0 : (c->lc.cur.slot ^ 1u);
    fcp_lc_version v;
    char why[512] = "";
    rc = load_version(c, slot, mp, bp, sig, trusted, &v, why, sizeof why);
    snprintf(c->ver[slot].dir, sizeof c->ver[slot].dir, "%s", dir);
    if (fresh) {
        c->lc.cur = v;
    } else {
        if (c->lc.state == FCP_LC_ACTIVE || c->lc.state == FCP_LC_CONFIGURED) {
            /* the old process is replaced by the START job (it closes it first) */
        }
        fcp_lc_update(&c->lc, &v);
    }
    fcp_lc_verified(&c->lc, rc, why);
    if (rc < 0) {
        rt_log(c, FCP_LOG_ERROR, "connector.install", rc, why);
        if (fcp_lc_should_rollback(&c->lc)) {
            fcp_lc_rollback(&c->lc);
            try_start(c);
        }
        rt_send_error(a, seq, rc, why);
        return;
    }
    if ((rc = start_thread(c)) == 0)
        rc = try_start(c);
    if (rc < 0) {
        rt_send_error(a, seq, rc, c->lc.why);
        return;
    }
    record_current(c);
    rt_log(c, FCP_LOG_INFO, "connector.installed", 0, dir);
    answer_ok(a, seq, c, 1);
}

int fcpd_connectors_admin(fcpd_admin_conn *a, uint64_t seq, const fcp_admin_request *r)
{
    fcpd_runtime *rt = a->d->rt;
    if (r->op == FCP_ADMIN_OP_PUT_END && a->rt_install) {
        if (!rt) {
            install_reset(a);
            rt_send_error(a, seq, FCP_ERT_NOT_ACTIVE, "connector runtime not running");
        } else {
            op_install_end(rt, a, a->put_seq);   /* answered under the install's seq */
        }
        return 1;
    }
    switch (r->op) {
    case FCP_ADMIN_OP_CONNECTORS:
    case FCP_ADMIN_OP_INVOKE:
    case FCP_ADMIN_OP_CONNECTOR_INSTALL:
    case FCP_ADMIN_OP_CONNECTOR_ACTIVATE:
    case FCP_ADMIN_OP_CONNECTOR_STOP:
    case FCP_ADMIN_OP_CONNECTOR_ROLLBACK:
        break;
    default:
        return 0;
    }
    if (!rt) {
        rt_send_error(a, seq, FCP_ERT_NOT_ACTIVE, "connector runtime not running");
        return 1;
    }
    switch (r->op) {
    case FCP_ADMIN_OP_CONNECTORS:
        op_connectors(rt, a, seq, r);
        break;
    case FCP_ADMIN_OP_INVOKE:
        a->invoke_t0 = fcpd_now_ns();
        rt_invoke_admin(rt, a, seq, r);
        break;
    case FCP_ADMIN_OP_CONNECTOR_INSTALL:
        op_install_begin(a, seq, r);
        break;
    default:
        op_lifecycle(rt, a, seq, r);
        break;
    }
    return 1;
}

void fcpd_connectors_conn_closed(fcpd_admin_conn *a)
{
    fcp_buf_free(&a->rt_manifest);
    a->rt_install = 0;
    a->rt_wait = 0;
}

/* ---- metrics ------------------------------------------------------------------------- */

static void outf(fcp_buf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(fcp_buf *o, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0)
        fcp_buf_append(o, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

void fcpd_connectors_metrics(fcpd *d, fcp_buf *o)
{
    fcpd_runtime *rt = d->rt;
    if (!rt)
        return;
    outf(o, "# HELP fcp_connector_up Connector state is active (1) or not (0)\n# TYPE fcp_connector_up gauge\n");
    for (size_t i = 0; i < RT_MAX_CONNECTORS; i++)
        if (rt->c[i].used)
            outf(o, "fcp_connector_up{connector=\"%s\"} %d\n", rt->c[i].id, rt->c[i].lc.state == FCP_LC_ACTIVE);
    outf(o, "# HELP fcp_connector_restarts_total Restarts scheduled after failures\n"
            "# TYPE fcp_connector_restarts_total counter\n");
    for (size_t i = 0; i < RT_MAX_CONNECTORS; i++)
        if (rt->c[i].used)
            outf(o, "fcp_connector_restarts_total{connector=\"%s\"} %llu\n", rt->c[i].id,
                 (unsigned long long)rt->c[i].lc.restarts);
    outf(o, "# HELP fcp_connector_activation_seconds Spawn to ready of the last start\n"
            "# TYPE fcp_connector_activation_seconds gauge\n");
    for (size_t i = 0; i < RT_MAX_CONNECTORS; i++)
        if (rt->c[i].used)
            outf(o, "fcp_connector_activation_seconds{connector=\"%s\"} %.3f\n", rt->c[i].id,
                 (double)rt->c[i].activation_ms / 1000.0);
    outf(o, "# HELP fcp_invokes_total Invocations by outcome\n# TYPE fcp_invokes_total counter\n");
    outf(o, "fcp_invokes_total{result=\"executed\"} %llu\n", (unsigned long long)rt->invokes);
    outf(o, "fcp_invokes_total{result=\"denied\"} %llu\n", (unsigned long long)rt->denies);
    outf(o, "fcp_invokes_total{result=\"simulated\"} %llu\n", (unsigned long long)rt->simulations);
    outf(o, "fcp_invokes_total{result=\"replayed\"} %llu\n", (unsigned long long)rt->replays);
    outf(o, "# HELP fcp_egress_requests_total Connector egress requests by proxy verdict\n"
            "# TYPE fcp_egress_requests_total counter\n");
    outf(o, "fcp_egress_requests_total{result=\"allowed\"} %llu\n", (unsigned long long)rt->egress_allowed);
    outf(o, "fcp_egress_requests_total{result=\"denied\"} %llu\n", (unsigned long long)rt->egress_denied);
}
