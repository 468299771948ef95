/*
 * admin.h - the fcpd admin protocol: what `fcp` says to its local daemon over
 * the unix admin socket (docs/fcpd.md; decisions D-ADMIN-1..3).
 *
 * Framing (D-ADMIN-1): the FCPC header shape with its own magic and no AEAD,
 * because the socket is local, mode 0600 and every client is checked with
 * SO_PEERCRED against the daemon's uid:
 *
 *   header (36) = "FCPA" | version u16le (=1) | reserved[16] (zero)
 *                 | seq u64le | flags u16le (=0) | len u32le
 *   frame       = header || payload[len]          (len <= FCP_ADMIN_MAX_PAYLOAD)
 *
 * The distinct magic means an admin frame can never be mistaken for an FCPC
 * frame (or the reverse) if a socket is miswired.  seq is chosen by the
 * client; every response frame repeats the seq of the request it answers.
 *
 * Payloads (D-ADMIN-2) are canonical CBOR maps with text keys.  A request is
 *   { "op": text, ? "zone": text, ? "id": bstr(32), ? "size": uint, ? "data": bstr }
 * with op one of status, peers, put, put_data, put_end, get, ls, pin, unpin,
 * rm, stop, revoke, revocations.  Unknown keys, wrong types, non-canonical
 * CBOR and fields an op does not take are refused (each with its own code).  A response is a map
 * with "ok": bool; failures carry "code" ("FCP-6327"), "error" (the stable
 * message) and "detail" (what exactly was wrong).
 *
 * Streams (D-ADMIN-3): put is "put" {zone, size}, then put_data frames of at
 * most FCP_ADMIN_CHUNK bytes, then "put_end"; the daemon answers once, after
 * put_end (or at the first error, after which it discards the rest of that
 * put).  get answers {ok, size}, then {data} frames of at most
 * FCP_ADMIN_CHUNK bytes, then {ok, end: true}.
 *
 * The codec is pure (no I/O); the blocking client at the end lives in net/.
 */
#ifndef FCP_ADMIN_H
#define FCP_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/model_ids.h"

#define FCP_ADMIN_MAGIC         "FCPA"
#define FCP_ADMIN_VERSION       1u
#define FCP_ADMIN_HEADER_BYTES  36u
#define FCP_ADMIN_MAX_PAYLOAD   (1u << 20)    /* 1 MiB */
#define FCP_ADMIN_CHUNK         (256u << 10)  /* bytes of data per put_data / get frame */
#define FCP_ADMIN_DETAIL_MAX    200u
#define FCP_ADMIN_NAME_MAX      128u          /* connector id, operation name */
#define FCP_ADMIN_IDEM_MAX      128u          /* idempotency key (= FCP_IDEMPOTENCY_KEY_MAX) */
#define FCP_ADMIN_MAX_APPROVALS 8u
#define FCP_ADMIN_TOKEN_MAX     65536u        /* = FCP_TOKEN_MAX_BYTES */

enum fcp_admin_op {
    FCP_ADMIN_OP_NONE = 0,
    FCP_ADMIN_OP_STATUS,
    FCP_ADMIN_OP_PEERS,
    FCP_ADMIN_OP_PUT,
    FCP_ADMIN_OP_PUT_DATA,
    FCP_ADMIN_OP_PUT_END,
    FCP_ADMIN_OP_GET,
    FCP_ADMIN_OP_LS,
    FCP_ADMIN_OP_PIN,
    FCP_ADMIN_OP_UNPIN,
    FCP_ADMIN_OP_RM,
    FCP_ADMIN_OP_STOP,
    FCP_ADMIN_OP_REVOKE,        /* data: cbor [RevocationObject, RevocationEvent] (fcpd_authority.c) */
    FCP_ADMIN_OP_REVOCATIONS,   /* the daemon's revocation state; ? id: is it revoked */
    /* connector runtime (cmd/fcpd/fcpd_connectors.c, docs/connectors.md) */
    FCP_ADMIN_OP_CONNECTORS,          /* ? connector: list (or one) with operations */
    FCP_ADMIN_OP_INVOKE,              /* connector, operation, input, token, ? idempotency_key,
                                         ? approvals, ? simulate */
    FCP_ADMIN_OP_CONNECTOR_INSTALL,   /* manifest, signature, size; then put_data..., put_end */
    FCP_ADMIN_OP_CONNECTOR_ACTIVATE,  /* connector */
    FCP_ADMIN_OP_CONNECTOR_STOP,      /* connector */
    FCP_ADMIN_OP_CONNECTOR_ROLLBACK,  /* connector */
    FCP_ADMIN_OP_PEERS_RELOAD,        /* re-read [[peers]]: add / update at runtime (D-MESH-9) */
    FCP_ADMIN_OP_COUNT_
};

typedef struct fcp_admin_request {
    int            op;                         /* enum fcp_admin_op */
    int            has_zone, has_id, has_size, has_data;
    char           zone[FCP_ZONE_ID_MAX + 1];
    uint8_t        id[FCP_OBJECT_ID_BYTES];
    uint64_t       size;
    const uint8_t *data;                       /* points into the decoded payload */
    size_t         data_len;
    /* connector runtime fields (D-RUNTIME-4): texts are NUL-terminated copies
     * except input and manifest, which point into the payload (input_len /
     * manifest_len bytes, valid UTF-8, not NUL-terminated) */
    int            has_connector, has_operation, has_input, has_token, has_idempotency_key,
                   has_approvals, has_simulate, has_manifest, has_signature;
    char           connector[FCP_ADMIN_NAME_MAX + 1];
    char           operation[FCP_ADMIN_NAME_MAX + 1];
    const char    *input;                      /* JSON text */
    size_t         input_len;
    const uint8_t *token;                      /* CapabilityToken (COSE_Sign1) */
    size_t         token_len;
    char           idempotency_key[FCP_ADMIN_IDEM_MAX + 1];
    size_t         n_approvals;                /* 1..FCP_ADMIN_MAX_APPROVALS when present */
    const uint8_t *approvals[FCP_ADMIN_MAX_APPROVALS];
    size_t         approval_lens[FCP_ADMIN_MAX_APPROVALS];
    int            simulate;
    const char    *manifest;                   /* manifest.toml text */
    size_t         manifest_len;
    uint8_t        signature[64];              /* publisher signature */
} fcp_admin_request;

/* "status", "put_data", ...; NULL for an unknown op. */
const char *fcp_admin_op_name(int op);

/* Append one frame (header + payload) to out.  FCP_EADMIN_TOO_LARGE when
 * len > FCP_ADMIN_MAX_PAYLOAD. */
int fcp_admin_frame_encode(fcp_buf *out, uint64_t seq, const uint8_t *payload, size_t len);
/* Look at the bytes received so far.  Returns 0 if more are needed, 1 if a
 * whole frame is there (*seq, *len set; the payload is p[36..36+len)), or the
 * first header error in this order: FCP_EADMIN_MAGIC, FCP_EADMIN_VERSION,
 * FCP_EADMIN_RESERVED, FCP_EADMIN_FLAGS, FCP_EADMIN_TOO_LARGE (len above
 * max_payload).  The header is checked as soon as its 36 bytes are there,
 * before the payload is waited for. */
int fcp_admin_frame_check(const uint8_t *p, size_t n, uint32_t max_payload, uint64_t *seq, uint32_t *len);

/* Encode a request payload (canonical CBOR). */
int fcp_admin_request_encode(const fcp_admin_request *r, fcp_buf *out);
/* Decode and validate a request payload.  r->data points into p.  Errors:
 * FCP_EADMIN_MALFORMED (not canonical CBOR, not a map, unknown key, wrong
 * type, a field the op does not take, bad zone or id length),
 * FCP_EADMIN_UNKNOWN_OP, FCP_EADMIN_MISSING.  *why (may be NULL) receives a
 * static description of the problem. */
int fcp_admin_request_decode(fcp_admin_request *r, const uint8_t *p, size_t n, const char **why);

/* Append the payload of an error response {ok:false, code, error, detail}. */
int fcp_admin_error_encode(fcp_buf *out, int err, const char *detail);

/* Response reading (top-level keys of a response map).  Each returns 1 if the
 * key is present with that type (value set), 0 if absent, or
 * FCP_EADMIN_RESPONSE if the payload is not a canonical map or the type
 * differs.  Text and byte values point into p (text is not NUL-terminated). */
int fcp_admin_resp_uint(const uint8_t *p, size_t n, const char *key, uint64_t *v);
int fcp_admin_resp_bool(const uint8_t *p, size_t n, const char *key, int *v);
int fcp_admin_resp_text(const uint8_t *p, size_t n, const char *key, const char **s, size_t *len);
int fcp_admin_resp_bytes(const uint8_t *p, size_t n, const char *key, const uint8_t **b, size_t *len);
/* The raw encoded value of key (any type). */
int fcp_admin_resp_raw(const uint8_t *p, size_t n, const char *key, const uint8_t **v, size_t *len);
/* For a failure response: 1 with *err (the FCP error its "code" names, or
 * FCP_EADMIN_RESPONSE if unknown) and detail copied (NUL-terminated);
 * 0 for {ok: true}; FCP_EADMIN_RESPONSE if malformed. */
int fcp_admin_resp_failed(const uint8_t *p, size_t n, int *err, char *detail, size_t cap);

/* The "revoke" request's data (D-CLI-1): the canonical CBOR array
 * [bstr RevocationObject, bstr RevocationEvent], both owner-signed; the
 * event chains the object after the daemon's head (fcpd_authority.c).
 * decode returns pointers into p; FCP_EADMIN_MALFORMED for anything else
 * (other shape, trailing bytes, non-canonical CBOR), FCP_ETOO_LARGE when
 * either part exceeds FCP_REV_MAX_ENCODED (64 KiB). */
int fcp_admin_revoke_encode(fcp_buf *out, const uint8_t *obj, size_t obj_len, const uint8_t *ev,
                            size_t ev_len);
int fcp_admin_revoke_decode(const uint8_t *p, size_t n, const uint8_t **obj, size_t *obj_len,
                            const uint8_t **ev, size_t *ev_len);

/* Render any canonical CBOR value as JSON (maps with text keys become
 * objects, byte strings become lowercase hex strings). */
int fcp_admin_to_json(const uint8_t *p, size_t n, fcp_buf *out);

/* ---- blocking client (src/net/net_admin_client.c) ---------------------- */

typedef struct fcp_admin_client {
    int      fd;
    uint64_t next_seq;
    uint8_t  hdr[FCP_ADMIN_HEADER_BYTES];
} fcp_admin_client;

/* Connect to the admin socket at path.  FCP_EADMIN_CONNECT if nobody listens. */
int fcp_admin_client_open(fcp_admin_client *c, const char *path);
void fcp_admin_client_close(fcp_admin_client *c);
/* Send one request (blocking); *seq (may be NULL) receives its seq. */
int fcp_admin_client_send(fcp_admin_client *c, const fcp_admin_request *r, uint64_t *seq);
/* Receive one response frame (blocking); its payload replaces out's content.
 * FCP_EADMIN_CONNECT if the daemon closed the connection, FCP_EADMIN_*
 * header errors, FCP_EADMIN_RESPONSE if the seq is not want_seq. */
int fcp_admin_client_recv(fcp_admin_client *c, uint64_t want_seq, fcp_buf *out);
/* send + recv. */
int fcp_admin_client_call(fcp_admin_client *c, const fcp_admin_request *r, fcp_buf *out);

/* The admin socket path: explicit_path if non-empty, else
 * "$FCP_HOME/fcpd.sock", else "$HOME/.config/fcp/fcpd.sock" (the caller
 * passes the environment values).  FCP_ENET_ADDRESS if none applies or the
 * result does not fit in cap or in a unix socket address (107 bytes). */
int fcp_admin_socket_path(char *out, size_t cap, const char *explicit_path, const char *fcp_home,
                          const char *home);
/* One request, one response: connect to sock, send r, receive the answer
 * into resp.  Returns 0 for {ok: true}; for a failure response the error it
 * names (detail copied into detail[0..cap)); connection and framing errors
 * otherwise (detail then says what failed). */
int fcp_admin_client_simple(const char *sock, const fcp_admin_request *r, fcp_buf *resp,
                            char *detail, size_t cap);

#endif
