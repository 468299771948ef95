/*
 * host_transport.h - the local connector transport (spec §9.2, §9.3, §10.3):
 * canonical-CBOR control-plane messages between the host and a connector
 * process over an inherited socketpair, and the host-side client that spawns
 * a connector, performs the handshake and enforces deadlines.
 *
 * Framing (D-MANIFEST-4).  The FCPC frame shape (magic, version, length
 * prefix, maximum payload, incremental decoder with backpressure) without
 * its session id, sequence number and AEAD tag: the socketpair is private to
 * the two processes, so there is nothing to encrypt or replay-protect.
 *
 *   frame = "FCPL" | version u8 (=1) | flags u8 (=0) | reserved u16 (=0)
 *           | len u32le | payload[len]            (12-byte header)
 *
 * A frame whose header is wrong or whose len exceeds the receiver's limit
 * (default 1 MiB) is refused before any payload is buffered.
 *
 * Message (payload) = canonical CBOR map with text keys:
 *   "t"    method or kind (text, 1..32 bytes): "handshake", "describe",
 *          "introspect", "capabilities", "configure", "invoke", "simulate",
 *          "health", "shutdown", "subscribe" (host -> connector requests),
 *          "event", "egress_http" (connector -> host), "response", "error"
 *   "id"   uint; a reply carries the id of its request; events use 0
 *   "body" any canonical CBOR item (optional)
 *   "code" int, "msg" text   (only in "error": an FCP error code and text)
 * Unknown keys, non-canonical encodings and wrong types are refused
 * (FCP_EHOST_MESSAGE).
 *
 * The host never blocks on a connector: the fd is non-blocking and every
 * wait is a poll() against a monotonic deadline.  A connector that sends
 * garbage, an oversized frame or nothing before the deadline is killed
 * (its whole process group) and the connection is dead with a message
 * saying why.
 */
#ifndef FCP_HOST_TRANSPORT_H
#define FCP_HOST_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fcp/buf.h"

#define FCP_LT_MAGIC            "FCPL"
#define FCP_LT_VERSION          1u
#define FCP_LT_HEADER_BYTES     12u
#define FCP_LT_DEFAULT_MAX      (1024u * 1024u)
#define FCP_LT_HARD_MAX         (16u * 1024u * 1024u)
#define FCP_LT_TYPE_MAX         32u
#define FCP_LT_MSG_TEXT_MAX     512u
/* The connector finds its end of the socketpair in this fd. */
#define FCP_LT_CONNECTOR_FD     3
#define FCP_LT_PROTOCOL         "fcp2-local/1"

/* ---- frames ------------------------------------------------------------ */

/* Write a frame header for a payload of len bytes.  FCP_EHOST_FRAME_TOO_LARGE
 * if len > FCP_LT_HARD_MAX. */
int fcp_lt_header_encode(uint8_t out[FCP_LT_HEADER_BYTES], size_t len);
/* Check a header; *len gets the payload length.  FCP_EHOST_FRAME (magic,
 * version, flags, reserved) or FCP_EHOST_FRAME_TOO_LARGE (> max). */
int fcp_lt_header_decode(const uint8_t in[FCP_LT_HEADER_BYTES], uint32_t max, uint32_t *len);

/* Incremental receiver: owns one buffer of 12 + max bytes. */
typedef struct fcp_lt_rx {
    uint8_t *buf;
    size_t   have;       /* bytes of the current frame */
    size_t   need;       /* total bytes of the current frame (12 until the header is in) */
    uint32_t max;
    int      ready;      /* a whole frame is buffered: take it first (backpressure) */
    int      err;        /* sticky */
} fcp_lt_rx;

/* max 0 means FCP_LT_DEFAULT_MAX; above FCP_LT_HARD_MAX is FCP_EINVAL. */
int fcp_lt_rx_init(fcp_lt_rx *rx, uint32_t max);
void fcp_lt_rx_free(fcp_lt_rx *rx);
/* Consume up to n bytes; *used says how many (it stops at the end of a
 * frame).  Returns 1 when a frame is ready, 0 when more bytes are needed, or
 * the sticky error. */
int fcp_lt_rx_feed(fcp_lt_rx *rx, const uint8_t *p, size_t n, size_t *used);
/* The ready frame's payload (valid until the next feed); then the receiver
 * starts on the next frame.  FCP_EINVAL if no frame is ready. */
int fcp_lt_rx_take(fcp_lt_rx *rx, const uint8_t **payload, size_t *len);

/* ---- messages ---------------------------------------------------------- */

typedef struct fcp_lt_msg {
    const char    *type;     /* not NUL-terminated when decoded; type_len bytes */
    size_t         type_len;
    uint64_t       id;
    const uint8_t *body;     /* raw canonical CBOR item, or NULL */
    size_t         body_len;
    int64_t        code;     /* "error" only */
    const char    *text;     /* "error" only; text_len bytes */
    size_t         text_len;
} fcp_lt_msg;

/* Append one whole frame holding msg to out.  body (if any) must be one
 * canonical CBOR item (checked).  For an "error" message code/text are
 * written (text clipped by fcp_lt_text_clip to FCP_LT_MSG_TEXT_MAX bytes of
 * valid UTF-8).  type is NUL-terminated when encoding (type_len ignored). */
int fcp_lt_msg_encode(const fcp_lt_msg *msg, fcp_buf *out);
/* Decode a frame payload.  Pointers in *msg point into p.  Errors:
 * FCP_EHOST_MESSAGE for anything but a canonical map of known keys with
 * the right types. */
int fcp_lt_msg_decode(const uint8_t *p, size_t n, fcp_lt_msg *msg);
/* 1 if msg->type equals s. */
int fcp_lt_msg_is(const fcp_lt_msg *msg, const char *s);
/* Copy at most max bytes of s[0..n) into out as valid UTF-8, cutting only
 * at a code point boundary: a sequence cut by the end of s is dropped, any
 * other invalid byte (and NUL) becomes '?'.  Returns the bytes written.  The
 * "msg" of an error message goes through it with max FCP_LT_MSG_TEXT_MAX
 * (D-MANIFEST-7); callers that shorten text for people can use it too. */
size_t fcp_lt_text_clip(const char *s, size_t n, size_t max, char *out);

/* ---- host-side client -------------------------------------------------- */

struct fcp_manifest_sandbox;
struct fcp_host_conn;

/* Called for a request the connector sends while the host waits for a reply
 * ("egress_http", "event").  Fill *reply with a canonical CBOR body and
 * return 0, or return a negative FCP code to answer with an "error".  For
 * "event" the return value is ignored and nothing is sent back. */
typedef int (*fcp_host_request_fn)(void *user, struct fcp_host_conn *c, const fcp_lt_msg *req,
                                   fcp_buf *reply);

typedef struct fcp_host_conn {
    int       fd;          /* host end, non-blocking; -1 when closed */
    pid_t     pid;         /* connector process (group leader) or 0 */
    int       dead;        /* 1 after a fatal error: every call fails with err */
    int       err;
    char      why[256];    /* what went wrong, for a person */
    uint64_t  next_id;
    fcp_lt_rx rx;
    fcp_host_request_fn on_request;
    void     *user;
    int       exit_status; /* wait status once reaped, else -1 */
} fcp_host_conn;

typedef struct fcp_host_spawn_opts {
    const char  *path;            /* executable */
    char *const *argv;            /* NULL: {path, NULL} */
    const char  *state_dir;       /* $CONNECTOR_STATE (created if missing); NULL = none */
    const struct fcp_manifest_sandbox *sandbox; /* NULL = no sandbox (tests only) */
    uint32_t     max_payload;     /* 0 = FCP_LT_DEFAULT_MAX */
} fcp_host_spawn_opts;

#define FCP_HOST_SPAWN_REPORT_MS 5000u

/* Start a connector: socketpair, fork, the child gets its end as fd 3
 * (FCP_LT_CONNECTOR_FD, env FCP_TRANSPORT_FD=3, CONNECTOR_STATE=state_dir),
 * its own process group, the sandbox (host_sandbox.h), then exec.  The
 * child reports sandbox/exec failures over a close-on-exec pipe, so a
 * failure to start is returned here (FCP_EHOST_SPAWN, or
 * FCP_EHOST_SANDBOX_UNAVAILABLE / FCP_EHOST_SANDBOX with c->why saying which
 * feature) rather than seen later as a dead connection.  The report is
 * awaited at most fcp_host_spawn_report_timeout() ms (default
 * FCP_HOST_SPAWN_REPORT_MS): a child that has neither reported nor exec'd by
 * then is killed with its group and reaped (FCP_ERT_SPAWN_TIMEOUT, c->why
 * says so). */
int fcp_host_spawn(fcp_host_conn *c, const fcp_host_spawn_opts *o);
/* Process-wide report deadline of fcp_host_spawn (0 restores the default);
 * set it before spawning from several threads. */
void     fcp_host_spawn_set_report_timeout(uint32_t ms);
uint32_t fcp_host_spawn_report_timeout(void);

/* Wrap an already connected fd (made non-blocking) and an optional process
 * (pid 0: none).  Used by tests and by callers that fork themselves. */
int fcp_host_attach(fcp_host_conn *c, int fd, pid_t pid, uint32_t max_payload);

/* Send request `method` with body (canonical CBOR item or NULL) and wait
 * until timeout_ms for its reply, serving connector requests meanwhile via
 * c->on_request.  On "response", the reply body (or CBOR null) is appended
 * to *reply and 0 returned.  On "error", the connector's code is returned
 * if it is a known FCP code (else FCP_EHOST_OP_FAILED) and its text is in
 * c->why.  Fatal errors (the connector is killed, c->dead set):
 * FCP_EHOST_TIMEOUT, FCP_EHOST_CLOSED, FCP_EHOST_FRAME,
 * FCP_EHOST_FRAME_TOO_LARGE, FCP_EHOST_MESSAGE, FCP_EHOST_UNEXPECTED. */
int fcp_host_call(fcp_host_conn *c, const char *method, const uint8_t *body, size_t body_len,
                  uint32_t timeout_ms, fcp_buf *reply);

/* Handshake (spec §10.3): sends {"protocol": FCP_LT_PROTOCOL, "zone": zone}
 * and checks the ack names the same protocol and, when expect_id is not
 * NULL, that connector id.  The ack body is appended to *ack if not NULL.
 * FCP_EHOST_HANDSHAKE on a wrong answer (connector killed). */
int fcp_host_handshake(fcp_host_conn *c, const char *zone, const char *expect_id,
                       uint32_t timeout_ms, fcp_buf *ack);

/* Invoke an operation: body {"operation": op, "input": input_json}; the
 * result JSON text is appended to *result_json. */
int fcp_host_invoke(fcp_host_conn *c, const char *method, const char *op, const char *input_json,
                    uint32_t timeout_ms, fcp_buf *result_json);

/* Kill the connector's process group now, mark the connection dead with
 * err and why.  Returns err. */
int fcp_host_kill(fcp_host_conn *c, int err, const char *why);

/* Wait up to timeout_ms for the connector to exit by itself and reap it
 * (c->exit_status is then its wait status).  If it is still running at the
 * deadline its process group is killed and FCP_EHOST_TIMEOUT returned. */
int fcp_host_wait_exit(fcp_host_conn *c, uint32_t timeout_ms);

/* Graceful stop: "shutdown" with grace_ms to answer and exit, then SIGKILL
 * to the process group; reaps the process; closes the fd; frees buffers.
 * Safe on a dead or never-started connection. */
void fcp_host_close(fcp_host_conn *c, uint32_t grace_ms);

#endif
