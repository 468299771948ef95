/*
 * session.h - MeshSession handshake (spec §4.2): Hello / HelloRetry / Ack
 * messages, transcripts, cookies, suite and transport-limit negotiation, the
 * session key schedule, sans-IO initiator and responder engines, the
 * handshake envelope that tells handshake datagrams from FCPS data datagrams,
 * and a session channel that rekeys with a grace period.
 *
 * Byte rules come from the reference implementation's pinned files
 * (shared/vectors/upstream session.json, bin/sessions__*):
 *
 *   Hello     = canonical CBOR map {"to","from","nonce","cookie"?,"suites",
 *               "signature"?,"timestamp","eph_pubkey","transport_limits"?}
 *   HelloRetry= {"to","from","cookie","timestamp"}
 *   Ack       = {"to","from","nonce","suite","signature"?,"timestamp",
 *               "eph_pubkey","session_id"}
 *   hello transcript = "FCP2-HELLO-V1" || cbor(from) || cbor(to) ||
 *       cbor(eph_pubkey) || cbor(nonce) || cbor(cookie|null) ||
 *       cbor(timestamp) || cbor(suites) || cbor(transport_limits|null)
 *   ack transcript = "FCP2-ACK-V1" || cbor(from) || cbor(to) ||
 *       cbor(eph_pubkey) || cbor(nonce) || cbor(session_id) || cbor(suite) ||
 *       cbor(timestamp) || cbor(hello.eph_pubkey) || cbor(hello.nonce)
 *   cookie = HMAC-SHA256(cookie_key, cbor(from) || cbor(to) ||
 *       cbor(eph_pubkey) || cbor(nonce) || cbor(timestamp) || cbor(suites) ||
 *       cbor(transport_limits|null))
 *   okm[96] = HKDF-SHA256(salt = session_id, ikm = X25519 shared,
 *       info = "FCP2-SESSION-V1" || suite u8 || u32le len || initiator_id ||
 *       u32le len || responder_id || hello_nonce || ack_nonce)
 *       = k_mac_i2r | k_mac_r2i | k_ctx                 (decision D-SESSION-1)
 * Signatures are Ed25519 by the node signing keys of NodeKeyAttestations the
 * caller's trust store holds (verified against the owner key when added).
 *
 * Carrying (D-SESSION-2): a handshake datagram is
 *   "FCPH" || version u8 (1) || type u8 (1 Hello, 2 HelloRetry, 3 Ack) || CBOR
 * on the same UDP port as FCPS data datagrams.  Data datagrams begin with the
 * 16-byte session id, and no session id may begin with "FCPH" (responders
 * redraw, initiators refuse such an Ack), so the first four bytes decide.
 *
 * Every function returns 0 (or a documented non-negative value) or a negative
 * code from fcp/error.h.  Decoders are strict (canonical CBOR, exact field
 * lengths, nothing unknown, nothing trailing) and zero their output on error.
 * Engines reject a bad message with a specific code and leave their state
 * exactly as it was.
 */
#ifndef FCP_SESSION_H
#define FCP_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/clock.h"
#include "fcp/datagram.h"
#include "fcp/model_attest.h"
#include "fcp/model_ids.h"
#include "fcp/rng.h"

/* Sizes and upstream constants (session.json session_constants). */
#define FCP_SESSION_NONCE_BYTES       16u
#define FCP_SESSION_COOKIE_BYTES      32u
#define FCP_SESSION_EPH_BYTES         32u
#define FCP_SESSION_SIG_BYTES         64u
#define FCP_SESSION_MAX_HANDSHAKE     16384u /* MAX_HANDSHAKE_BYTES: CBOR body */
#define FCP_SESSION_MIN_SUITE         1u     /* MINIMUM_SUITE */
#define FCP_SESSION_MAX_SUITES        16u    /* entries in a Hello's suite list */
#define FCP_SESSION_DEFAULT_SKEW      120u   /* TimePolicy.max_skew_secs */
#define FCP_SESSION_HELLO_REPLAY_DEFAULT 1024u /* DEFAULT_HELLO_REPLAY_WINDOW_SIZE */

/* Handshake envelope (D-SESSION-2). */
#define FCP_SESSION_ENV_MAGIC         "FCPH"
#define FCP_SESSION_ENV_VERSION       1u
#define FCP_SESSION_ENV_HEADER        6u
/* Handshake datagrams never exceed the default datagram limit: TransportLimits
 * are not agreed yet while they fly. */
#define FCP_SESSION_ENV_MAX           FCP_WIRE_DEFAULT_MAX_DATAGRAM

typedef enum fcp_session_msg_type {
    FCP_SESSION_MSG_HELLO = 1,
    FCP_SESSION_MSG_RETRY = 2,
    FCP_SESSION_MSG_ACK   = 3
} fcp_session_msg_type;

/* ------------------------------------------------------------------------ */
/* Messages                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct fcp_session_hello {
    char     from[FCP_NODE_ID_MAX + 1];
    char     to[FCP_NODE_ID_MAX + 1];
    uint8_t  eph_pubkey[32];
    uint8_t  nonce[16];
    int      has_cookie;
    uint8_t  cookie[32];
    uint64_t timestamp;
    size_t   n_suites;                         /* 1..FCP_SESSION_MAX_SUITES */
    uint64_t suites[FCP_SESSION_MAX_SUITES];   /* initiator preference order */
    int      has_transport_limits;
    uint64_t transport_limits;                 /* max_datagram_bytes, <= 65535 */
    int      has_signature;
    uint8_t  signature[64];
} fcp_session_hello;

typedef struct fcp_session_retry {
    char     from[FCP_NODE_ID_MAX + 1];
    char     to[FCP_NODE_ID_MAX + 1];
    uint8_t  cookie[32];
    uint64_t timestamp;
} fcp_session_retry;

typedef struct fcp_session_ack {
    char     from[FCP_NODE_ID_MAX + 1];
    char     to[FCP_NODE_ID_MAX + 1];
    uint8_t  eph_pubkey[32];
    uint8_t  nonce[16];
    uint8_t  session_id[16];
    uint64_t suite;
    uint64_t timestamp;
    int      has_signature;
    uint8_t  signature[64];
} fcp_session_ack;

/* Node ids in handshake messages: the TailscaleNodeId text form of D-MODEL-2
 * (fcp_node_id_validate), at most FCP_NODE_ID_MAX bytes; the trust store
 * matches ids bytewise.  0 or FCP_ESESSION_NODE_ID. */
int fcp_session_node_id_check(const char *id, size_t len);

/* Canonical CBOR of each message, appended to out.  The struct is checked
 * first (node ids, suite count 1..16, transport_limits <= 65535):
 * FCP_ESESSION_NODE_ID, FCP_ESESSION_SUITES, FCP_ESESSION_LIMITS. */
int fcp_session_hello_encode(const fcp_session_hello *h, fcp_buf *out);
int fcp_session_retry_encode(const fcp_session_retry *r, fcp_buf *out);
int fcp_session_ack_encode(const fcp_session_ack *a, fcp_buf *out);

/* Strict decoders of one CBOR body p[0..n).  Errors: FCP_ESESSION_TOO_LARGE
 * (n > 16384), FCP_ECBOR_*, FCP_EMISSING_FIELD / FCP_EUNKNOWN_FIELD,
 * FCP_ESESSION_FIELD (byte string of the wrong length), FCP_ESESSION_NODE_ID,
 * FCP_ESESSION_SUITES, FCP_ESESSION_LIMITS.  Output zeroed on error. */
int fcp_session_hello_decode(fcp_session_hello *h, const uint8_t *p, size_t n);
int fcp_session_retry_decode(fcp_session_retry *r, const uint8_t *p, size_t n);
int fcp_session_ack_decode(fcp_session_ack *a, const uint8_t *p, size_t n);

/* Transcripts (signature inputs), appended to out. */
int fcp_session_hello_transcript(const fcp_session_hello *h, fcp_buf *out);
int fcp_session_ack_transcript(const fcp_session_ack *a, const uint8_t hello_eph[32],
                               const uint8_t hello_nonce[16], fcp_buf *out);

/* Sign with the node's Ed25519 secret key (sets has_signature) / verify with
 * its public key: 0, FCP_ESESSION_MISSING_SIGNATURE, FCP_ESESSION_BAD_SIGNATURE. */
int fcp_session_hello_sign(fcp_session_hello *h, const uint8_t sk[64]);
int fcp_session_hello_verify(const fcp_session_hello *h, const uint8_t pk[32]);
int fcp_session_ack_sign(fcp_session_ack *a, const uint8_t hello_eph[32],
                         const uint8_t hello_nonce[16], const uint8_t sk[64]);
int fcp_session_ack_verify(const fcp_session_ack *a, const uint8_t hello_eph[32],
                           const uint8_t hello_nonce[16], const uint8_t pk[32]);

/* Stateless cookie of a Hello (its cookie and signature fields are not
 * input). */
int fcp_session_cookie(uint8_t out[32], const uint8_t key[32], const fcp_session_hello *h);

/* Suite negotiation: the responder's first suite (its preference order) that
 * the initiator also offers and that is >= FCP_SESSION_MIN_SUITE.  Returns the
 * suite id (> 0) or FCP_ESESSION_NO_MUTUAL_SUITE. */
int fcp_session_negotiate(const uint64_t *initiator, size_t n_init, const uint64_t *responder,
                          size_t n_resp);

/* Effective datagram limit: a limit that is absent or 0 means 1200 (upstream
 * effective_max); the session uses min(local, peer). */
uint32_t fcp_session_effective_limit(int has_limit, uint64_t limit);

/* ------------------------------------------------------------------------ */
/* Key schedule (D-SESSION-1)                                                */
/* ------------------------------------------------------------------------ */

typedef struct fcp_session_keys {
    uint8_t  session_id[16];
    uint8_t  suite;            /* 1 or 2 */
    uint8_t  k_mac_i2r[32];
    uint8_t  k_mac_r2i[32];
    uint8_t  k_ctx[32];
    uint32_t send_max;         /* datagram limit toward the peer (D-SESSION-3) */
    uint32_t recv_max;         /* datagram limit we accept (our TransportLimits) */
    int      is_initiator;     /* 1: we sent the Hello */
    char     peer[FCP_NODE_ID_MAX + 1];
} fcp_session_keys;

/* Single-stage production schedule (header comment).  ids are text of the
 * given lengths (each <= FCP_NODE_ID_MAX).  FCP_EINVAL on bad lengths. */
int fcp_session_derive(uint8_t okm[96], const uint8_t shared[32], const uint8_t session_id[16],
                       uint8_t suite, const char *initiator_id, size_t ilen,
                       const char *responder_id, size_t rlen, const uint8_t hello_nonce[16],
                       const uint8_t ack_nonce[16]);

/* Wipe every key in *k. */
void fcp_session_keys_wipe(fcp_session_keys *k);

/* ------------------------------------------------------------------------ */
/* Envelope (D-SESSION-2)                                                    */
/* ------------------------------------------------------------------------ */

/* 1 if buf[0..len) is a handshake datagram (starts with "FCPH"), 0 if it is
 * to be handled as an FCPS data datagram. */
int fcp_session_is_handshake(const uint8_t *buf, size_t len);

/* Write "FCPH" || 1 || type || body into out[0..cap).  FCP_ESESSION_TOO_LARGE
 * if the total exceeds FCP_SESSION_ENV_MAX, FCP_EBUFFER_TOO_SMALL, FCP_EINVAL
 * (unknown type). */
int fcp_session_env_encode(uint8_t *out, size_t cap, size_t *out_len, fcp_session_msg_type type,
                           const uint8_t *body, size_t body_len);

/* Split an envelope: FCP_ESESSION_TOO_LARGE (len > FCP_SESSION_ENV_MAX),
 * FCP_ESESSION_ENVELOPE (shorter than 6 or bad magic), FCP_ESESSION_VERSION,
 * FCP_ESESSION_MSG_TYPE. */
int fcp_session_env_decode(const uint8_t *buf, size_t len, fcp_session_msg_type *type,
                           const uint8_t **body, size_t *body_len);

/* ------------------------------------------------------------------------ */
/* Trust store and hello replay window                                       */
/* ------------------------------------------------------------------------ */

#define FCP_SESSION_TRUST_MAX 64u

/* Attested peers.  fcp_session_trust_add verifies each attestation's owner
 * signature once; the handshake then checks only its validity period (a
 * peer's attestation can expire while it is in the store). */
typedef struct fcp_session_trust {
    uint8_t              owner_pk[32];
    size_t               n;
    fcp_node_attestation att[FCP_SESSION_TRUST_MAX];
} fcp_session_trust;

void fcp_session_trust_init(fcp_session_trust *t, const uint8_t owner_pk[32]);
/* Verify a against the owner key at time now and store it (replacing an
 * earlier entry for the same node id).  Errors of fcp_attestation_verify,
 * FCP_ELIMIT when full. */
int fcp_session_trust_add(fcp_session_trust *t, const fcp_node_attestation *a, uint64_t now);
/* The signing key of node id[0..len) valid at now: 0 and *pk, or
 * FCP_ESESSION_UNKNOWN_PEER, FCP_ESESSION_ATTESTATION_EXPIRED (now >=
 * expires_at), FCP_ESESSION_ATTESTATION (issued_at more than
 * FCP_ATTEST_MAX_SKEW in the future). */
int fcp_session_trust_lookup(const fcp_session_trust *t, const char *id, size_t len, uint64_t now,
                             const uint8_t **pk);

/* Hellos already answered, keyed by (from, nonce), FIFO eviction at
 * capacity (upstream HelloReplayWindow). */
typedef struct fcp_hello_replay {
    uint8_t (*keys)[16]; /* BLAKE3(u32le len || from || nonce)[0..16] */
    size_t  cap, n, head;
} fcp_hello_replay;

/* cap 0 means FCP_SESSION_HELLO_REPLAY_DEFAULT.  FCP_ENOMEM. */
int fcp_hello_replay_init(fcp_hello_replay *w, size_t cap);
void fcp_hello_replay_free(fcp_hello_replay *w);
/* 0 if (from, nonce) is new, else FCP_ESESSION_DUPLICATE_HELLO.  Unchanged. */
int fcp_hello_replay_check(const fcp_hello_replay *w, const char *from, size_t len,
                           const uint8_t nonce[16]);
/* check, then record (evicting the oldest entry at capacity). */
int fcp_hello_replay_insert(fcp_hello_replay *w, const char *from, size_t len,
                            const uint8_t nonce[16]);

/* ------------------------------------------------------------------------ */
/* Engines                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct fcp_session_config {
    const char              *self_id;        /* NUL-terminated */
    const uint8_t           *sig_sk;         /* [64] our Ed25519 signing key */
    const fcp_session_trust *trust;
    uint64_t suites[FCP_SESSION_MAX_SUITES]; /* our preference order */
    size_t   n_suites;                       /* 0 = {1, 2} */
    uint32_t max_datagram;                   /* our TransportLimits; 0 = 1200 */
    uint64_t max_skew_secs;                  /* 0 = 120 */
    uint64_t hello_timeout_ms;               /* initiator: 0 = 1000 */
    uint32_t max_attempts;                   /* initiator: Hellos before failing; 0 = 5 */
    int      require_cookie;                 /* responder: answer cookieless Hellos with HelloRetry */
    uint64_t cookie_rotate_secs;             /* responder: 0 = 120 */
    size_t   hello_replay_cap;               /* responder: 0 = 1024 */
} fcp_session_config;

typedef enum fcp_session_event {
    FCP_SESSION_EV_NONE = 0,
    FCP_SESSION_EV_SENT,        /* out->msg holds a handshake datagram to send */
    FCP_SESSION_EV_ESTABLISHED, /* out->keys is a new session (msg may be set too) */
    FCP_SESSION_EV_FAILED       /* out->error says why; the engine is FAILED */
} fcp_session_event;

/* What one engine step produced: at most one datagram and one event. */
typedef struct fcp_session_out {
    fcp_session_event event;
    int               error;
    uint8_t           msg[FCP_SESSION_ENV_MAX];
    size_t            msg_len;   /* 0 = nothing to send */
    fcp_session_keys  keys;      /* valid with FCP_SESSION_EV_ESTABLISHED */
} fcp_session_out;

typedef enum fcp_session_istate {
    FCP_SESSION_I_IDLE = 0,
    FCP_SESSION_I_HELLO_SENT,   /* waiting for HelloRetry or Ack */
    FCP_SESSION_I_COOKIE_SENT,  /* Hello with cookie sent, waiting for Ack */
    FCP_SESSION_I_ESTABLISHED,
    FCP_SESSION_I_FAILED
} fcp_session_istate;

typedef struct fcp_session_initiator {
    fcp_session_config cfg;
    char               peer[FCP_NODE_ID_MAX + 1];
    fcp_session_istate state;
    fcp_session_hello  hello;       /* the Hello in flight (signed) */
    uint8_t            eph_sk[32];  /* wiped once used */
    uint64_t           deadline_ns; /* monotonic retransmit deadline */
    uint32_t           attempts;
    int                last_error;
} fcp_session_initiator;

/* Prepare an initiator toward peer.  FCP_EINVAL (bad config),
 * FCP_ESESSION_NODE_ID. */
int fcp_session_initiator_init(fcp_session_initiator *in, const fcp_session_config *cfg,
                               const char *peer);
/* Send a fresh Hello (new ephemeral key, nonce, timestamp).  Allowed in IDLE,
 * ESTABLISHED (rekey) and FAILED (restart); FCP_ESESSION_STATE while a
 * handshake is in flight. */
int fcp_session_initiator_start(fcp_session_initiator *in, const fcp_clock *clk,
                                const fcp_rng *rng, fcp_session_out *out);
/* Handle one received handshake datagram (envelope included).  A HelloRetry
 * in HELLO_SENT makes it resend the Hello with the cookie; a valid Ack
 * establishes the session.  Anything else is rejected with its code and the
 * state is unchanged. */
int fcp_session_initiator_receive(fcp_session_initiator *in, const uint8_t *buf, size_t len,
                                  const fcp_clock *clk, const fcp_rng *rng, fcp_session_out *out);
/* Timeouts: past the deadline, a fresh Hello is sent (up to max_attempts),
 * then the engine fails with FCP_ESESSION_TIMEOUT. */
int fcp_session_initiator_tick(fcp_session_initiator *in, const fcp_clock *clk,
                               const fcp_rng *rng, fcp_session_out *out);
void fcp_session_initiator_wipe(fcp_session_initiator *in);

typedef struct fcp_session_responder {
    fcp_session_config cfg;
    uint8_t            cookie_key[32];
    uint8_t            cookie_prev[32];
    int                has_prev;
    uint64_t           cookie_rotated_at; /* unix seconds */
    fcp_hello_replay   replay;
    uint64_t           retries_sent, established, rejected;
} fcp_session_responder;

/* Allocates the hello replay window and draws the first cookie key.
 * Free with fcp_session_responder_free. */
int fcp_session_responder_init(fcp_session_responder *r, const fcp_session_config *cfg,
                               const fcp_clock *clk, const fcp_rng *rng);
void fcp_session_responder_free(fcp_session_responder *r);
/* Retire the current cookie key to "previous" and draw a new one (also done
 * automatically every cookie_rotate_secs).  Cookies under either verify. */
int fcp_session_responder_rotate(fcp_session_responder *r, const fcp_clock *clk,
                                 const fcp_rng *rng);
/*
 * Handle one received handshake datagram.  Order (cheap before expensive):
 * envelope, decode, to == self, timestamp skew, signature present, suite
 * negotiation, cookie (absent and required -> HelloRetry, event SENT; wrong
 * -> FCP_ESESSION_COOKIE), trust lookup, signature, hello replay, then the
 * Ack (event ESTABLISHED with the keys and the Ack in out->msg).
 */
int fcp_session_responder_receive(fcp_session_responder *r, const uint8_t *buf, size_t len,
                                  const fcp_clock *clk, const fcp_rng *rng, fcp_session_out *out);

/* ------------------------------------------------------------------------ */
/* Session channel: data datagrams, rekey triggers and grace (D-SESSION-4)   */
/* ------------------------------------------------------------------------ */

typedef struct fcp_session_policy {
    uint64_t max_reorder_window;  /* 128 */
    uint64_t rekey_after_frames;  /* 1e9 */
    uint64_t rekey_after_seconds; /* 86400 */
    uint64_t rekey_after_bytes;   /* 2^40 */
    uint64_t grace_ms;            /* 10000: old receive keys still verify */
} fcp_session_policy;

void fcp_session_policy_default(fcp_session_policy *p);

typedef struct fcp_session_chan {
    fcp_session_policy pol;
    int          has_cur, has_prev;
    int          cur_confirmed;     /* peer proved it holds the current keys */
    fcp_dgram_tx tx_cur, tx_prev;
    fcp_dgram_rx rx_cur, rx_prev;
    uint64_t     prev_deadline_ns;  /* monotonic; UINT64_MAX until confirmation */
    uint64_t     established_ns;
    uint64_t     frames_sent, bytes_sent;
    uint64_t     grace_expired;     /* datagrams refused for a retired session */
    uint64_t     installs;
} fcp_session_chan;

void fcp_session_chan_init(fcp_session_chan *c, const fcp_session_policy *p);
/* Install new session keys (D-SESSION-4).  The current session becomes the
 * previous one and its receive keys keep verifying until grace_ms after the
 * new session is confirmed.  The initiator (it holds the peer's Ack) confirms
 * at once and sends under the new keys; the responder keeps sending under the
 * previous keys until the first authentic datagram arrives under the new ones.
 * A current session that was never confirmed is replaced, not retired (its
 * Ack was lost and the initiator never used it).  Errors of
 * fcp_dgram_tx_init / fcp_dgram_rx_init. */
int fcp_session_chan_install(fcp_session_chan *c, const fcp_session_keys *k,
                             const fcp_clock *clk);
/* Seal frame into a data datagram under the sending session (datagram.h
 * fcp_dgram_tx_seal); FCP_ESESSION_NO_SESSION before the first install.
 * Counts frames and bytes toward the rekey triggers. */
int fcp_session_chan_seal(fcp_session_chan *c, uint8_t *out, size_t cap, size_t *out_len,
                          const uint8_t *frame, size_t frame_len);
/* Receive a data datagram: by session id, the current or (within grace) the
 * previous session's receive engine.  A datagram for the previous session
 * after its grace period is FCP_ESESSION_GRACE_EXPIRED; other errors are those
 * of fcp_dgram_rx_receive. */
int fcp_session_chan_receive(fcp_session_chan *c, const uint8_t *buf, size_t len,
                             const fcp_clock *clk, fcp_dgram *d, fcp_fcps_frame *f);
/* 1 when a rekey trigger (frames, bytes, seconds since install) has fired. */
int fcp_session_chan_rekey_due(const fcp_session_chan *c, const fcp_clock *clk);
void fcp_session_chan_wipe(fcp_session_chan *c);

#endif
