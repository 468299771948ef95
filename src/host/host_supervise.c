/*
 * host_supervise.c - the host side of the local transport: spawn a
 * connector (socketpair + fork + sandbox + exec), call it with deadlines,
 * and cut it off when it misbehaves (host_transport.h).
 *
 * The host never blocks because of a connector: the fd is non-blocking, and
 * every read or write waits in poll() for at most the time left until the
 * call's monotonic deadline.  Any framing or message error, an early EOF or
 * a deadline passing kills the connector's whole process group (SIGKILL)
 * and marks the connection dead; later calls fail at once with that error.
 */
#include "fcp/host_transport.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/host_sandbox.h"

extern char **environ;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int fcp_host_attach(fcp_host_conn *c, int fd, pid_t pid, uint32_t max_payload)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->exit_status = -1;
    int rc = fcp_lt_rx_init(&c->rx, max_payload);
    if (rc < 0) return rc;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        fcp_lt_rx_free(&c->rx);
        return FCP_EHOST_SPAWN;
    }
    c->fd = fd;
    c->pid = pid;
    c->next_id = 1;
    return 0;
}

static void reap(fcp_host_conn *c, int block)
{
    if (c->pid <= 0) return;
    int st;
    pid_t r;
    do r = waitpid(c->pid, &st, block ? 0 : WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == c->pid || (r < 0 && errno == ECHILD)) {
        c->exit_status = r == c->pid ? st : -1;
        c->pid = 0;
    }
}

int fcp_host_kill(fcp_host_conn *c, int err, const char *why)
{
    if (c->pid > 0) {
        kill(-c->pid, SIGKILL);
        kill(c->pid, SIGKILL);
        reap(c, 1);
    }
    if (!c->dead) {
        c->dead = 1;
        c->err = err;
        snprintf(c->why, sizeof c->why, "%s", why);
    }
    return c->err;
}

/* Write all of p[0..n) before the deadline. */
static int send_all(fcp_host_conn *c, const uint8_t *p, size_t n, int64_t deadline)
{
    size_t off = 0;
    int guard = 0;
    while (off < n) {
        ssize_t w = send(c->fd, p + off, n - off, MSG_NOSIGNAL);
        if (w > 0) {
            off += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return fcp_host_kill(c, FCP_EHOST_CLOSED, "connector closed the transport while we wrote");
        int64_t left = deadline - now_ms();
        if (left <= 0 || ++guard > 1000000)
            return fcp_host_kill(c, FCP_EHOST_TIMEOUT, "connector did not read its input before the deadline");
        struct pollfd pf = {c->fd, POLLOUT, 0};
        poll(&pf, 1, (int)(left > 1000 ? 1000 : left));
    }
    return 0;
}

/* Receive one message before the deadline; *msg points into c->rx. */
static int recv_msg(fcp_host_conn *c, fcp_lt_msg *msg, int64_t deadline)
{
    uint8_t chunk[16384];
    int rc;
    /* bounded: each pass either consumes bytes, waits in poll until the
     * deadline, or ends the call */
    for (;;) {
        if (c->rx.ready) {
            const uint8_t *p;
            size_t n;
            fcp_lt_rx_take(&c->rx, &p, &n);
            if (fcp_lt_msg_decode(p, n, msg) < 0)
                return fcp_host_kill(c, FCP_EHOST_MESSAGE,
                                     "connector sent a frame that is not a canonical control message");
            return 0;
        }
        int64_t left = deadline - now_ms();
        if (left <= 0) return fcp_host_kill(c, FCP_EHOST_TIMEOUT, "connector sent no answer before the deadline");
        struct pollfd pf = {c->fd, POLLIN, 0};
        int pr = poll(&pf, 1, (int)(left > 1000 ? 1000 : left));
        if (pr < 0 && errno != EINTR)
            return fcp_host_kill(c, FCP_EHOST_CLOSED, "poll on the connector transport failed");
        if (pr <= 0) continue;
        /* Read only what the current frame still needs, so a frame that
         * follows stays in the socket (backpressure). */
        size_t want = c->rx.need - c->rx.have;
        if (want > sizeof chunk) want = sizeof chunk;
        ssize_t r = recv(c->fd, chunk, want, 0);
        if (r == 0) return fcp_host_kill(c, FCP_EHOST_CLOSED, "connector closed the transport (exited?)");
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
            if (errno == ECONNRESET)
                return fcp_host_kill(c, FCP_EHOST_CLOSED, "connector closed the transport (exited?)");
            return fcp_host_kill(c, FCP_EHOST_CLOSED, "connector transport read failed");
        }
        size_t used;
        rc = fcp_lt_rx_feed(&c->rx, chunk, (size_t)r, &used);
        if (rc == FCP_EHOST_FRAME_TOO_LARGE)
            return fcp_host_kill(c, rc, "connector sent a frame larger than the limit");
        if (rc < 0) return fcp_host_kill(c, rc, "connector sent garbage (bad frame header)");
    }
}

static int send_msg(fcp_host_conn *c, const char *type, uint64_t id, const uint8_t *body,
                    size_t body_len, int64_t code, const char *text, int64_t deadline)
{
    fcp_buf out;
    fcp_buf_init(&out);
    fcp_lt_msg m = {type, 0, id, body, body_len, code, text, 0};
    int rc = fcp_lt_msg_encode(&m, &out);
    if (rc == 0) rc = send_all(c, out.data, out.len, deadline);
    fcp_buf_free(&out);
    return rc;
}

/* A request from the connector while we wait (egress_http, state_get,
 * state_put, event). */
static int serve_request(fcp_host_conn *c, const fcp_lt_msg *req, int64_t deadline)
{
    int is_event = fcp_lt_msg_is(req, "event");
    if (!is_event && !fcp_lt_msg_is(req, "egress_http") && !fcp_lt_msg_is(req, "state_get") &&
        !fcp_lt_msg_is(req, "state_put"))
        return fcp_host_kill(c, FCP_EHOST_UNEXPECTED, "connector sent an unexpected message type");
    fcp_buf reply;
    fcp_buf_init(&reply);
    int rc = c->on_request ? c->on_request(c->user, c, req, &reply) : FCP_EHOST_UNEXPECTED;
    if (is_event) {
        fcp_buf_free(&reply);
        return 0;
    }
    if (rc == 0 && reply.len == 0) fcp_buf_put_u8(&reply, 0xf6); /* null */
    if (rc == 0)
        rc = send_msg(c, "response", req->id, reply.data, reply.len, 0, NULL, deadline);
    else
        rc = send_msg(c, "error", req->id, NULL, 0, -(int64_t)rc, fcp_strerror(rc), deadline);
    fcp_buf_free(&reply);
    return rc;
}

int fcp_host_call(fcp_host_conn *c, const char *method, const uint8_t *body, size_t body_len,
                  uint32_t timeout_ms, fcp_buf *reply)
{
    if (c->dead) return c->err;
    if (c->fd < 0) return FCP_EHOST_CLOSED;
    int64_t deadline = now_ms() + timeout_ms;
    uint64_t id = c->next_id++;
    int rc = send_msg(c, method, id, body, body_len, 0, NULL, deadline);
    if (rc < 0) return rc;
    /* bounded by the deadline: every pass receives one message */
    for (;;) {
        fcp_lt_msg m;
        if ((rc = recv_msg(c, &m, deadline)) < 0) return rc;
        if (fcp_lt_msg_is(&m, "response") || fcp_lt_msg_is(&m, "error")) {
            if (m.id != id)
                return fcp_host_kill(c, FCP_EHOST_UNEXPECTED, "connector answered another request id");
            if (fcp_lt_msg_is(&m, "error")) {
                int code = (int)-m.code;
                if (m.code < 1000 || m.code > 9999 || !fcp_error_known(code)) code = FCP_EHOST_OP_FAILED;
                /* clipped at a code point boundary: why may be re-encoded as text */
                size_t wl = fcp_lt_text_clip(m.text, m.text_len, sizeof c->why - 1, c->why);
                c->why[wl] = 0;
                return code;
            }
            if (reply) {
                if (m.body) fcp_buf_append(reply, m.body, m.body_len);
                else fcp_buf_put_u8(reply, 0xf6);
                if (reply->err) return reply->err;
            }
            return 0;
        }
        if ((rc = serve_request(c, &m, deadline)) < 0) return rc;
    }
}

/* Text value of key in a CBOR map body, or NULL. */
static int body_text(const uint8_t *b, size_t n, const char *key, const char **v, size_t *vl)
{
    fcp_cbor_dec d;
    fcp_cbor_dec_init(&d, b, n, NULL);
    fcp_cbor_map_iter it;
    const char *k;
    size_t kl;
    int rc = fcp_cbor_map_begin(&d, &it);
    while (rc >= 0 && (rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kl)) > 0) {
        if (fcp_cbor_key_is(k, kl, key)) return fcp_cbor_get_text(&d, v, vl) < 0 ? -1 : 0;
        rc = fcp_cbor_skip(&d);
    }
    return -1;
}

int fcp_host_handshake(fcp_host_conn *c, const char *zone, const char *expect_id,
                       uint32_t timeout_ms, fcp_buf *ack)
{
    fcp_buf body, r;
    fcp_buf_init(&body);
    fcp_buf_init(&r);
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, &body);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "protocol");
    fcp_cbor_put_cstr(&e, FCP_LT_PROTOCOL);
    fcp_cbor_put_cstr(&e, "zone");
    fcp_cbor_put_cstr(&e, zone ? zone : "z:private");
    fcp_cbor_map_close(&e);
    int rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    if (rc == 0) rc = fcp_host_call(c, "handshake", body.data, body.len, timeout_ms, &r);
    if (rc == 0) {
        const char *v;
        size_t vl;
        if (body_text(r.data, r.len, "protocol", &v, &vl) < 0 || vl != strlen(FCP_LT_PROTOCOL) ||
            memcmp(v, FCP_LT_PROTOCOL, vl) != 0)
            rc = fcp_host_kill(c, FCP_EHOST_HANDSHAKE, "connector acked another protocol");
        else if (expect_id && (body_text(r.data, r.len, "connector_id", &v, &vl) < 0 ||
                               vl != strlen(expect_id) || memcmp(v, expect_id, vl) != 0))
            rc = fcp_host_kill(c, FCP_EHOST_HANDSHAKE, "connector id in the ack is not the expected one");
    } else if (!c->dead) {
        rc = fcp_host_kill(c, FCP_EHOST_HANDSHAKE, "connector refused the handshake");
    }
    if (rc == 0 && ack) fcp_buf_append(ack, r.data, r.len);
    fcp_buf_free(&body);
    fcp_buf_free(&r);
    return rc;
}

int fcp_host_invoke(fcp_host_conn *c, const char *method, const char *op, const char *input_json,
                    uint32_t timeout_ms, fcp_buf *result_json)
{
    fcp_buf body, r;
    fcp_buf_init(&body);
    fcp_buf_init(&r);
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, &body);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "operation");
    fcp_cbor_put_cstr(&e, op);
    fcp_cbor_put_cstr(&e, "input");
    fcp_cbor_put_cstr(&e, input_json ? input_json : "{}");
    fcp_cbor_map_close(&e);
    int rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    if (rc == 0) rc = fcp_host_call(c, method ? method : "invoke", body.data, body.len, timeout_ms, &r);
    if (rc == 0) {
        const char *v;
        size_t vl;
        if (body_text(r.data, r.len, "output", &v, &vl) < 0)
            rc = fcp_host_kill(c, FCP_EHOST_MESSAGE, "invoke response has no output text");
        else if (result_json)
            fcp_buf_append(result_json, v, vl);
    }
    fcp_buf_free(&body);
    fcp_buf_free(&r);
    return rc;
}

int fcp_host_wait_exit(fcp_host_conn *c, uint32_t timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    /* bounded by the deadline; 5 ms naps */
    while (c->pid > 0 && now_ms() < deadline) {
        reap(c, 0);
        if (c->pid > 0) {
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    if (c->pid > 0) {
        fcp_host_kill(c, FCP_EHOST_TIMEOUT, "connector did not exit before the deadline");
        return FCP_EHOST_TIMEOUT;
    }
    return 0;
}

void fcp_host_close(fcp_host_conn *c, uint32_t grace_ms)
{
    if (c->fd >= 0 && !c->dead && c->pid > 0) {
        fcp_host_call(c, "shutdown", NULL, 0, grace_ms, NULL);
        int64_t deadline = now_ms() + grace_ms;
        while (c->pid > 0 && now_ms() < deadline) {
            reap(c, 0);
            if (c->pid > 0) {
                struct timespec ts = {0, 5 * 1000 * 1000};
                nanosleep(&ts, NULL);
            }
        }
    }
    if (c->pid > 0) {
        kill(-c->pid, SIGKILL);
        kill(c->pid, SIGKILL);
        reap(c, 1);
    }
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    fcp_lt_rx_free(&c->rx);
}

/* ---- spawn ---------------------------------------------------------------- */

typedef struct spawn_report {
    int  code;
    char why[200];
} spawn_report;

static void child_fail(int rfd, int code, const char *why)
{
    spawn_report r;
    memset(&r, 0, sizeof r);
    r.code = code;
    snprintf(r.why, sizeof r.why, "%s", why);
    ssize_t w = write(rfd, &r, sizeof r);
    (void)w;
    _exit(127);
}

static void child_main(const fcp_host_spawn_opts *o, int sfd, int rfd, unsigned stall_ms)
{
    char why[200] = "";
    setpgid(0, 0);
    /* Signals the host may have blocked or ignored must not leak in. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    if (sfd != FCP_LT_CONNECTOR_FD) {
        if (dup2(sfd, FCP_LT_CONNECTOR_FD) < 0) child_fail(rfd, FCP_EHOST_SPAWN, "dup2 transport fd");
        close(sfd);
    }
    int fl = fcntl(FCP_LT_CONNECTOR_FD, F_GETFD);
    fcntl(FCP_LT_CONNECTOR_FD, F_SETFD, fl & ~FD_CLOEXEC);
    /* Close every other inherited descriptor except stdio and the report pipe
     * (rfd > FCP_LT_CONNECTOR_FD: the socketpair was made first). */
    if (rfd > FCP_LT_CONNECTOR_FD + 1) close_range(FCP_LT_CONNECTOR_FD + 1, (unsigned)rfd - 1, 0);
    close_range((unsigned)rfd + 1, ~0u, 0);
    if (o->sandbox) {
        int rc = fcp_sandbox_enter(o->sandbox, o->path, o->state_dir, FCP_LT_CONNECTOR_FD, rfd, why,
                                   sizeof why);
        if (rc < 0) child_fail(rfd, rc, why);
    }
    if (o->state_dir && chdir(o->state_dir) < 0) child_fail(rfd, FCP_EHOST_SPAWN, "chdir to state directory");
    char *argv0[2] = {(char *)o->path, NULL};
    static char envbuf[2][1100];
    char *envp[4];
    int ne = 0;
    snprintf(envbuf[0], sizeof envbuf[0], "FCP_TRANSPORT_FD=%d", FCP_LT_CONNECTOR_FD);
    envp[ne++] = envbuf[0];
    if (o->state_dir) {
        snprintf(envbuf[1], sizeof envbuf[1], "CONNECTOR_STATE=%s", o->state_dir);
        envp[ne++] = envbuf[1];
    }
    /* LeakSanitizer needs ptrace, which the sandbox forbids. */
    static char asan_opts[] = "ASAN_OPTIONS=detect_leaks=0";
    envp[ne++] = asan_opts;
    envp[ne] = NULL;
    if (stall_ms) {   /* test hook: a child that hangs before exec */
        struct timespec ts = {stall_ms / 1000, (long)(stall_ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
    }
    execve(o->path, o->argv ? o->argv : argv0, envp);
    child_fail(rfd, FCP_EHOST_SPAWN, "execve failed");
}

static uint32_t report_timeout_ms = FCP_HOST_SPAWN_REPORT_MS;

void fcp_host_spawn_set_report_timeout(uint32_t ms)
{
    report_timeout_ms = ms ? ms : FCP_HOST_SPAWN_REPORT_MS;
}

uint32_t fcp_host_spawn_report_timeout(void) { return report_timeout_ms; }

int fcp_host_spawn(fcp_host_conn *c, const fcp_host_spawn_opts *o)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->exit_status = -1;
    if (!o || !o->path) return FCP_EINVAL;
    /* The child changes into the state directory before exec and Landlock
     * needs the real file: resolve the path now. */
    char exe[PATH_MAX];
    if (!realpath(o->path, exe)) {
        snprintf(c->why, sizeof c->why, "connector binary %s not found", o->path);
        return FCP_EHOST_SPAWN;
    }
    fcp_host_spawn_opts ro = *o;
    ro.path = exe;
    o = &ro;
    if (o->state_dir && mkdir(o->state_dir, 0700) < 0 && errno != EEXIST) {
        snprintf(c->why, sizeof c->why, "cannot create state directory %s", o->state_dir);
        return FCP_EHOST_SPAWN;
    }
    if (o->sandbox) {
        fcp_sandbox_probe p;
        if (fcp_sandbox_probe_features(&p) < 0) return FCP_EHOST_SANDBOX;
    }
    int sv[2], rp[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) return FCP_EHOST_SPAWN;
    if (pipe2(rp, O_CLOEXEC) < 0) {
        close(sv[0]);
        close(sv[1]);
        return FCP_EHOST_SPAWN;
    }
    /* FCP_HOST_TEST_SPAWN_STALL_MS: tests only, makes the child sleep before
     * exec so the report deadline can be exercised (read before fork). */
    const char *stall_env = getenv("FCP_HOST_TEST_SPAWN_STALL_MS");
    unsigned stall_ms = stall_env ? (unsigned)strtoul(stall_env, NULL, 10) : 0;
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        close(rp[0]);
        close(rp[1]);
        return FCP_EHOST_SPAWN;
    }
    if (pid == 0) {
        close(sv[0]);
        close(rp[0]);
        child_main(o, sv[1], rp[1], stall_ms);
    }
    setpgid(pid, pid); /* also in the child: whichever runs first wins */
    close(sv[1]);
    close(rp[1]);
    /* the report (or EOF at exec), bounded: a child stuck before exec is killed */
    uint32_t tmo = fcp_host_spawn_report_timeout();
    int64_t deadline = now_ms() + tmo;
    spawn_report r;
    ssize_t n = -1;
    int timed_out = 0;
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            timed_out = 1;
            break;
        }
        struct pollfd pf = {rp[0], POLLIN, 0};
        int pr = poll(&pf, 1, (int)left);
        if (pr < 0 && errno == EINTR) continue;
        if (pr == 0) {
            timed_out = 1;
            break;
        }
        if (pr < 0) break;   /* n stays -1: treated as started; the handshake decides */
        n = read(rp[0], &r, sizeof r);
        if (n < 0 && errno == EINTR) continue;
        break;
    }
    close(rp[0]);
    if (timed_out) {
        close(sv[0]);
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
        snprintf(c->why, sizeof c->why, "no start report within %u ms (child killed before exec)", (unsigned)tmo);
        return FCP_ERT_SPAWN_TIMEOUT;
    }
    int rc = fcp_host_attach(c, sv[0], pid, o->max_payload);
    if (rc < 0) {
        close(sv[0]);
        kill(-pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
        return rc;
    }
    if (n == (ssize_t)sizeof r) {
        r.why[sizeof r.why - 1] = '\0';
        int code = r.code < 0 && fcp_error_known(r.code) ? r.code : FCP_EHOST_SPAWN;
        fcp_host_kill(c, code, r.why);
        fcp_host_close(c, 0);
        return code;
    }
    return 0;
}
