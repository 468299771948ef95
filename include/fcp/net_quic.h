/*
 * net_quic.h - the QUIC carrier: FCPC frames over QUIC streams and, as an
 * option, FCPS datagrams over QUIC DATAGRAM frames (RFC 9000, RFC 9221),
 * built on ngtcp2 0.12 and GnuTLS.  This header is the only place the rest of
 * libfcp meets QUIC; ngtcp2's 0.x API stays behind it (ARCHITECTURE.md,
 * docs/adr/0005-quic-carrier.md, docs/quic.md).
 *
 * Sans-IO.  A fcp_quic_conn never touches a socket, a clock or a thread.  It
 * is driven by the caller:
 *
 *   datagram in   fcp_quic_recv(conn, bytes, len, now)
 *   datagrams out fcp_quic_send(conn, buf, cap, &len, now)   until len == 0
 *   timer         fcp_quic_expiry(conn) -> deadline; fcp_quic_on_timer(conn, now)
 *   events        fcp_quic_state / fcp_quic_error, and the receive queues
 *
 * `now` is a monotonic time in nanoseconds from the caller's clock (tests use
 * a manual clock).  Every call that may have produced output should be
 * followed by draining fcp_quic_send.
 *
 * Authentication (D-QUIC-2).  No PKI.  Each node presents a self-signed X.509
 * certificate whose subject public key is its Ed25519 node signing key
 * (fcp_quic_identity_new builds it deterministically from the 32-byte seed).
 * TLS 1.3 proves possession of that key (CertificateVerify); our verify
 * callback accepts the peer iff its certificate's key is
 *   client side: exactly the pinned key of the node we dialled;
 *   server side: a key the caller's peer_key_ok callback accepts (a node
 *                whose attestation we hold).
 * The server requires a client certificate.  ALPN is "fcp/2" (D-QUIC-1) and
 * mandatory.
 *
 * Streams (D-QUIC-3).  Each side sends its FCPC frames on the first
 * unidirectional stream it opens (client: stream 2, server: stream 3); a peer
 * may open exactly one such stream and no bidirectional stream.  Frames are
 * queued whole (all or nothing) into a bounded send ring: a full ring is
 * backpressure (FCP_EQUIC_BLOCKED), never a silent drop.  On receive, flow
 * control credit is returned to the peer only as the application takes whole
 * frames, so a slow reader throttles the sender through QUIC flow control.
 *
 * Datagrams (D-QUIC-4).  With datagrams enabled both sides advertise
 * max_datagram_frame_size; one FCPS datagram (its 40-byte envelope included,
 * unchanged from the UDP carrier) travels per QUIC DATAGRAM frame.
 * fcp_quic_dgram_max gives the largest payload the current path carries
 * (following path-MTU discovery); fcp_quic_symbol_size_for turns a path size
 * into the FCPS symbol size (1200-byte path -> 984-byte symbols).
 */
#ifndef FCP_NET_QUIC_H
#define FCP_NET_QUIC_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/net.h"
#include "fcp/rng.h"

#define FCP_QUIC_ALPN              "fcp/2"   /* D-QUIC-1 */
#define FCP_QUIC_CID_BYTES         16u       /* our connection ids (D-QUIC-4 formula) */
#define FCP_QUIC_MIN_UDP_PAYLOAD   1200u     /* RFC 9000 §14: every path carries this */
#define FCP_QUIC_MAX_UDP_PAYLOAD   1452u     /* ceiling of path-MTU probing (D-QUIC-4) */
#define FCP_QUIC_DGRAM_OVERHEAD(cid_len) ((size_t)(cid_len) + 24u) /* D-QUIC-4 */
#define FCP_QUIC_PK_BYTES          32u

/* ---- identity: the node key as a TLS certificate (D-QUIC-2) --------------- */

typedef struct fcp_quic_identity fcp_quic_identity;

/* Build the node's certificate and TLS credentials from its Ed25519 seed (the
 * first 32 bytes of a libsodium secret key).  The certificate is fully
 * determined by the seed (see docs/quic.md for its fields).  Free with
 * fcp_quic_identity_free (wipes the key).  FCP_EQUIC_CERT, FCP_ENOMEM. */
int fcp_quic_identity_new(fcp_quic_identity **out, const uint8_t seed[32]);
void fcp_quic_identity_free(fcp_quic_identity *id);
/* The DER certificate (valid while id lives) and the public key. */
void fcp_quic_identity_cert(const fcp_quic_identity *id, const uint8_t **der, size_t *len);
void fcp_quic_identity_pk(const fcp_quic_identity *id, uint8_t pk[32]);
/* The Ed25519 key inside a DER certificate: 0, or FCP_EQUIC_PEER_CERT when it
 * does not parse or its key is not Ed25519. */
int fcp_quic_cert_ed25519_key(const uint8_t *der, size_t len, uint8_t pk[32]);

/* ---- configuration -------------------------------------------------------- */

/* Server side: accept a client presenting this key?  1 yes, 0 no. */
typedef int (*fcp_quic_peer_key_ok)(void *ctx, const uint8_t pk[32]);

typedef struct fcp_quic_config {
    const fcp_quic_identity *id;     /* required; must outlive the conns */
    const fcp_rng *rng;              /* connection ids, reset tokens (required) */
    fcp_quic_peer_key_ok peer_key_ok; /* server: required */
    void    *peer_key_ctx;
    uint64_t idle_timeout_ms;        /* 0: 30000 */
    uint64_t handshake_timeout_ms;   /* 0: 10000 */
    uint64_t keepalive_ms;           /* 0: none; else PING after this much quiet */
    size_t   max_udp_payload;        /* 0: 1452 (probed); 1200: no path-MTU probing */
    int      datagrams;              /* advertise and accept QUIC DATAGRAM */
    size_t   stream_window;          /* receive buffer and flow-control window; 0: 2 MiB */
    size_t   send_buffer;            /* FCPC send ring; 0: 2 MiB */
    uint32_t fcpc_max_payload;       /* 0: 1 MiB; frame must fit the window */
    unsigned dgram_queue;            /* datagrams queued each way; 0: 64 */
} fcp_quic_config;

/* ---- connections ---------------------------------------------------------- */

typedef struct fcp_quic_conn fcp_quic_conn;

typedef enum fcp_quic_state_t {
    FCP_QUIC_HANDSHAKE = 0,   /* TLS running */
    FCP_QUIC_ESTABLISHED,     /* peer authenticated; streams and datagrams usable */
    FCP_QUIC_CLOSED           /* closed or failed: fcp_quic_error says why */
} fcp_quic_state_t;

/* Dial: a client connection to `remote` whose node key must be peer_pk.
 * The first flight is produced by fcp_quic_send.  local/remote only label the
 * path (ngtcp2 keeps them; they are never used to send).  Free with
 * fcp_quic_conn_free.  FCP_EQUIC_CONFIG, FCP_EQUIC_TLS, FCP_ENOMEM. */
int fcp_quic_client_new(fcp_quic_conn **out, const fcp_quic_config *cfg, const fcp_net_addr *local,
                        const fcp_net_addr *remote, const uint8_t peer_pk[32], uint64_t now_ns);

/* Accept: a server connection for the first datagram a client sent from
 * `remote` (which must be a QUIC Initial packet; anything else is
 * FCP_EQUIC_NOT_INITIAL and nothing is allocated).  The datagram is consumed.
 * 0 exactly when *out is set: the connection may already be CLOSED (then
 * fcp_quic_error says why and fcp_quic_send yields the CONNECTION_CLOSE to
 * send).  Otherwise errors as fcp_quic_client_new, or the fcp_quic_recv error
 * of a first datagram that could not even be answered.  There is no Retry
 * (address validation relies on the anti-amplification limit, D-QUIC-5). */
int fcp_quic_server_accept(fcp_quic_conn **out, const fcp_quic_config *cfg,
                           const fcp_net_addr *local, const fcp_net_addr *remote,
                           const uint8_t *pkt, size_t len, uint64_t now_ns);

void fcp_quic_conn_free(fcp_quic_conn *c);

/* 1 if the datagram's destination connection id is one of c's (a server with
 * several connections demultiplexes with this), else 0. */
int fcp_quic_conn_owns(fcp_quic_conn *c, const uint8_t *pkt, size_t len);

/* Feed one received UDP payload.  Undecryptable, malformed or stray packets
 * are dropped silently (0; counted in fcp_quic_stats.dropped).  A fatal
 * condition closes the connection and returns its error (the same one
 * fcp_quic_error gives later): FCP_EQUIC_PEER_KEY, FCP_EQUIC_NO_PEER_CERT,
 * FCP_EQUIC_PEER_CERT, FCP_EQUIC_HANDSHAKE, FCP_EQUIC_REFUSED,
 * FCP_EQUIC_PEER_CLOSED, FCP_EQUIC_FCPC_FRAMING, FCP_EQUIC_STREAM,
 * FCP_EQUIC_PROTOCOL, FCP_ENOMEM.  After close: FCP_EQUIC_STATE. */
int fcp_quic_recv(fcp_quic_conn *c, const uint8_t *pkt, size_t len, uint64_t now_ns);

/* Produce the next UDP payload to send to the peer into buf[0..cap) (cap >=
 * the configured max_udp_payload).  *len = 0 when there is nothing to send
 * now (call again after the next recv, timer or queued data).  Errors: as
 * fcp_quic_recv, FCP_EBUFFER_TOO_SMALL. */
int fcp_quic_send(fcp_quic_conn *c, uint8_t *buf, size_t cap, size_t *len, uint64_t now_ns);

/* Monotonic deadline (ns) at which fcp_quic_on_timer must run; UINT64_MAX
 * when none. */
uint64_t fcp_quic_expiry(fcp_quic_conn *c);
/* Handle timers due at now (retransmission, ack, idle and handshake
 * timeouts).  Closes with FCP_EQUIC_IDLE_TIMEOUT or
 * FCP_EQUIC_HANDSHAKE_TIMEOUT (returned).  Follow with fcp_quic_send. */
int fcp_quic_on_timer(fcp_quic_conn *c, uint64_t now_ns);

fcp_quic_state_t fcp_quic_state(const fcp_quic_conn *c);
/* Why the connection closed (0 while open, or after a local clean close). */
int fcp_quic_error(const fcp_quic_conn *c);
/* The peer's authenticated node key: 0 once established, FCP_EQUIC_STATE before. */
int fcp_quic_peer_key(const fcp_quic_conn *c, uint8_t pk[32]);
/* Start a clean close (CONNECTION_CLOSE with application code app_code on
 * the next fcp_quic_send); the state becomes CLOSED. */
void fcp_quic_close(fcp_quic_conn *c, uint64_t app_code, uint64_t now_ns);

/* ---- FCPC stream ---------------------------------------------------------- */

/* Queue one whole FCPC frame (its 36-byte header is checked: magic, version,
 * flags, length == len, payload <= fcpc_max_payload; FCP_EFCPC_* otherwise).
 * FCP_EQUIC_BLOCKED when the send ring lacks room (nothing queued: retry
 * after the peer acknowledges, see fcp_quic_fcpc_room); FCP_EQUIC_STATE when
 * not established. */
int fcp_quic_fcpc_send(fcp_quic_conn *c, const uint8_t *frame, size_t len);
/* Free bytes in the send ring (how large a frame can be queued now). */
size_t fcp_quic_fcpc_room(const fcp_quic_conn *c);
/* Bytes queued and not yet acknowledged by the peer. */
size_t fcp_quic_fcpc_unacked(const fcp_quic_conn *c);
/* Take the next whole received frame into out[0..cap).  1 with *len set, 0
 * when no whole frame is buffered, FCP_EBUFFER_TOO_SMALL (the frame stays),
 * FCP_EQUIC_STATE after close.  Taking a frame returns its bytes of flow-
 * control credit to the peer. */
int fcp_quic_fcpc_recv(fcp_quic_conn *c, uint8_t *out, size_t cap, size_t *len);

/* ---- datagrams ------------------------------------------------------------ */

/* Largest datagram payload the current path carries: min(path UDP payload -
 * FCP_QUIC_DGRAM_OVERHEAD(dcid length), peer's max_datagram_frame_size - 3);
 * 0 when datagrams are not negotiated or not established. */
size_t fcp_quic_dgram_max(fcp_quic_conn *c);
/* Queue one datagram (sent on the next fcp_quic_send; never retransmitted).
 * FCP_EQUIC_DGRAM_DISABLED, FCP_EQUIC_DGRAM_SIZE (> fcp_quic_dgram_max),
 * FCP_EQUIC_BLOCKED (queue full), FCP_EQUIC_STATE. */
int fcp_quic_dgram_send(fcp_quic_conn *c, const uint8_t *p, size_t len);
/* Take the next received datagram: 1 with *len, 0 none, FCP_EBUFFER_TOO_SMALL. */
int fcp_quic_dgram_recv(fcp_quic_conn *c, uint8_t *out, size_t cap, size_t *len);

/* Pure sizing rule (D-QUIC-4): datagram payload of a path whose UDP payload
 * is udp_payload bytes with a destination connection id of cid_len bytes
 * (0 if the overhead does not fit). */
size_t fcp_quic_dgram_payload_for(size_t udp_payload, size_t cid_len);
/* FCPS symbol size (one symbol per datagram) for such a path with our
 * 16-byte connection ids: fcp_fcps_symbol_size_for(
 * fcp_quic_dgram_payload_for(udp_payload, 16), 1).  Errors as that. */
int fcp_quic_symbol_size_for(size_t udp_payload, uint16_t *symbol_size);

/* ---- socket I/O (net_quic_udp.c) ------------------------------------------- */

/* Send one QUIC packet (up to FCP_QUIC_MAX_UDP_PAYLOAD) on a socket from
 * fcp_net_udp_open.  FCP_ELIMIT when the socket buffer is full (the packet is
 * lost; QUIC recovers), FCP_ENET_DATAGRAM_SIZE when larger than the limit or
 * than the local path MTU, FCP_ENET_SOCKET. */
int fcp_quic_udp_send(int fd, const uint8_t *buf, size_t len, const fcp_net_addr *to);
/* Receive one datagram into buf[0..cap): its length, FCP_ENOENT when none is
 * pending, FCP_ENET_DATAGRAM_SIZE when it was larger than cap (dropped),
 * FCP_ENET_SOCKET. */
int fcp_quic_udp_recv(int fd, uint8_t *buf, size_t cap, fcp_net_addr *from);

/* ---- counters ------------------------------------------------------------- */

typedef struct fcp_quic_stats {
    uint64_t pkts_in, pkts_out, dropped;       /* UDP payloads */
    uint64_t fcpc_frames_in, fcpc_frames_out;
    uint64_t fcpc_bytes_in, fcpc_bytes_out;
    uint64_t dgrams_in, dgrams_out;
    uint64_t dgrams_dropped;                   /* receive queue full, or no longer fits the path */
    uint64_t blocked;                          /* FCP_EQUIC_BLOCKED answers */
    uint64_t rtt_ns;                           /* smoothed RTT */
    uint64_t path_udp_payload;                 /* current path maximum */
} fcp_quic_stats;

void fcp_quic_get_stats(fcp_quic_conn *c, fcp_quic_stats *st);

#endif
