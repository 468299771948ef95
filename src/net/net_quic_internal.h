/*
 * net_quic_internal.h - what the two halves of the QUIC carrier share:
 * net_quic_tls.c (node certificate, GnuTLS session, pinned-key verification)
 * and net_quic.c (the ngtcp2 connection, streams, datagrams).
 */
#ifndef FCP_NET_QUIC_INTERNAL_H
#define FCP_NET_QUIC_INTERNAL_H

#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include "fcp/net_quic.h"

/* Why our side refused the peer during the handshake (set by the verify
 * callback, read when ngtcp2 reports the TLS failure). */
typedef enum fcp_quic_auth {
    FCP_QUIC_AUTH_NONE = 0,
    FCP_QUIC_AUTH_OK,
    FCP_QUIC_AUTH_WRONG_KEY,
    FCP_QUIC_AUTH_BAD_CERT,
    FCP_QUIC_AUTH_NO_CERT
} fcp_quic_auth;

/* The per-connection TLS state.  conn_ref must be the session's ptr
 * (ngtcp2_crypto_gnutls finds the ngtcp2_conn through it). */
typedef struct fcp_quic_tls {
    gnutls_session_t       session;
    ngtcp2_crypto_conn_ref conn_ref;
    int                    server;
    uint8_t                pinned[32];     /* client: the node we dialled */
    fcp_quic_peer_key_ok   key_ok;         /* server */
    void                  *key_ok_ctx;
    fcp_quic_auth          auth;
    uint8_t                peer_pk[32];    /* set when auth == OK */
    gnutls_certificate_credentials_t own_cred; /* client without identity */
} fcp_quic_tls;

/* Set up t->session for one connection (client or server) with the
 * identity's credentials, ALPN "fcp/2", TLS 1.3 only, no tickets, and the
 * pinned-key verification.  conn_ref must already be filled.  id may be
 * NULL for a client only: it then presents no certificate (tests use this to
 * check that servers refuse it).  0 or FCP_EQUIC_TLS. */
int fcp_quic_tls_init(fcp_quic_tls *t, const fcp_quic_identity *id, int server);
void fcp_quic_tls_deinit(fcp_quic_tls *t);
/* After a completed handshake: 0 when ALPN is fcp/2 and the peer was
 * verified, else the FCP error. */
int fcp_quic_tls_check_done(fcp_quic_tls *t);

#endif
