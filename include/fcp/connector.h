/*
 * connector.h - the connector SDK (spec §10): a connector is a main() and a
 * table of operations.  The SDK owns the local transport (host_transport.h
 * frames and messages on the fd the host hands over), answers the standard
 * methods (§9.2, §10.3) from the manifest embedded in the binary (§11.3),
 * checks that every invoked operation is declared in it, turns handler
 * failures into structured errors (FCP-XXXX codes) and offers the egress
 * helper fcp_egress_http, which sends an EgressHttpRequest (host_egress.h,
 * D-EGRESS-1) to the host over the transport: the connector names a
 * credential by id and never sees the secret or a socket.
 *
 *   FCP_CONNECTOR_EMBED_MANIFEST("connectors/notes/manifest.toml");
 *   static int put(fcp_conn_ctx *c, const char *in, size_t n, fcp_buf *out) {...}
 *   static const fcp_conn_op ops[] = {{"notes_put", put, NULL}, ...};
 *   int main(void) {
 *       fcp_connector_def d = {FCP_EMBEDDED_MANIFEST, FCP_EMBEDDED_MANIFEST_LEN,
 *                              ops, 4, NULL, NULL};
 *       return fcp_connector_main(&d);
 *   }
 *
 * Methods answered: handshake, describe, introspect, capabilities,
 * configure, invoke, simulate, health, shutdown, subscribe; connector ->
 * host: event, egress_http, state_get, state_put.  Bodies are documented in docs/connectors.md.
 * The SDK is single-threaded and blocking: it waits for the host's next
 * request; the host enforces every deadline.
 */
#ifndef FCP_CONNECTOR_H
#define FCP_CONNECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/host_egress.h"

/* Put the manifest file (path relative to the directory make runs in) into
 * the ELF section ".fcp_manifest", NUL-terminated, and define the symbols
 * fcp_embedded_manifest / fcp_embedded_manifest_end around it.  Use once,
 * at file scope, in the connector's main.c. */
#define FCP_CONNECTOR_EMBED_MANIFEST(path)                                                 \
    __asm__(".pushsection .fcp_manifest,\"a\",%progbits\n"                                 \
            ".globl fcp_embedded_manifest\n"                                               \
            "fcp_embedded_manifest:\n"                                                     \
            ".incbin \"" path "\"\n"                                                       \
            ".globl fcp_embedded_manifest_end\n"                                           \
            "fcp_embedded_manifest_end:\n"                                                 \
            ".byte 0\n"                                                                    \
            ".popsection\n")
extern const char fcp_embedded_manifest[];
extern const char fcp_embedded_manifest_end[];
#define FCP_EMBEDDED_MANIFEST     fcp_embedded_manifest
#define FCP_EMBEDDED_MANIFEST_LEN ((size_t)(fcp_embedded_manifest_end - fcp_embedded_manifest))

typedef struct fcp_conn_ctx fcp_conn_ctx;

/* An operation handler: input_json[0..input_len) is the caller's JSON text
 * (NUL-terminated as well); append the result JSON text to *output_json and
 * return 0, or return a negative FCP code (fcp_conn_fail sets its message).
 * Returning an error after appending output discards the output. */
typedef int (*fcp_conn_op_fn)(fcp_conn_ctx *ctx, const char *input_json, size_t input_len,
                              fcp_buf *output_json);

typedef struct fcp_conn_op {
    const char    *name;      /* must be declared in the manifest */
    fcp_conn_op_fn invoke;
    fcp_conn_op_fn simulate;  /* NULL: "simulate" answers with the declared tier only */
} fcp_conn_op;

typedef struct fcp_connector_def {
    const char        *manifest_text; /* manifest.toml text (usually the embedded one) */
    size_t             manifest_len;
    const fcp_conn_op *ops;
    size_t             n_ops;
    /* "configure": body is the host's canonical CBOR configuration; NULL
     * accepts any configuration. */
    int (*configure)(fcp_conn_ctx *ctx, const uint8_t *cbor, size_t len);
    void              *user;
} fcp_connector_def;

/* Run the connector on the fd named by FCP_TRANSPORT_FD (default 3) until
 * "shutdown" or until the host closes the transport.  Returns the process
 * exit status: 0 after a clean shutdown, 1 if the manifest is invalid or an
 * operation in ops is not declared in it, 2 on a transport error. */
int fcp_connector_main(const fcp_connector_def *def);

/* The same on an explicit fd (tests). */
int fcp_connector_serve(const fcp_connector_def *def, int fd);

/* Inside a handler. */
void       *fcp_conn_user(fcp_conn_ctx *ctx);
/* $CONNECTOR_STATE, or "." when unset. */
const char *fcp_conn_state_dir(fcp_conn_ctx *ctx);
/* Record a message for the error reply and return code (negative FCP code). */
int fcp_conn_fail(fcp_conn_ctx *ctx, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Send an "event" (spec §9.5) on a subscribed topic: body
 * {"topic": topic, "data": data_json}.  FCP_EHOST_STATE if the host did not
 * subscribe to the topic. */
int fcp_conn_emit_event(fcp_conn_ctx *ctx, const char *topic, const char *data_json);

/* Egress through the host (spec §11.2 network guard): send req as an
 * EgressHttpRequest in an "egress_http" message and wait for the host's
 * answer.  On success *resp views *storage (the caller frees it with
 * fcp_buf_free) and 0 is returned; a refusal by the proxy returns its
 * FCP-43xx code with the text available via fcp_conn_last_error. */
int fcp_egress_http(fcp_conn_ctx *ctx, const fcp_egress_request *req, fcp_egress_response *resp,
                    fcp_buf *storage);

/* Externalised state (spec §10.4, D-RUNTIME-8): for a connector whose
 * manifest says [state] model = "mesh", the host keeps the state as signed
 * ConnectorStateObjects in the connector's zone (mesh objects); local
 * files are a cache at most.  Only inside a call or configure.
 *
 * fcp_conn_state_get: 1 and the state bytes appended to *state (head, when
 * not NULL, receives the ObjectId of that version), or 0 when no state was
 * written yet, or a negative code (FCP_ERT_STATE_MODEL when the manifest
 * does not declare mesh state). */
int fcp_conn_state_get(fcp_conn_ctx *ctx, fcp_buf *state, uint8_t head[32]);

/* Write the next version (at most 256 KiB).  expect_head NULL: on top of
 * whatever is current; otherwise expect_len 32 names the version this write
 * replaces and expect_len 0 says "no state yet" — the host refuses a write
 * whose expectation is out of date (FCP_ESTATE_PREV / FCP_ESTATE_SEQ /
 * FCP_ESTATE_GENESIS) and a write by an earlier activation of this
 * connector (FCP_ESTATE_FENCE_STALE).  new_head (may be NULL) receives the
 * new version's ObjectId. */
int fcp_conn_state_put(fcp_conn_ctx *ctx, const void *state, size_t len, const uint8_t *expect_head,
                       size_t expect_len, uint8_t new_head[32]);

/* Text of the last error the host sent back to this connector. */
const char *fcp_conn_last_error(fcp_conn_ctx *ctx);

#endif
