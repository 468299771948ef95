/*
 * fcpd.h - shared state of the fcpd daemon (one process, one epoll loop).
 *
 * fcpd owns: the configuration (fcpd.toml via config.h), the keys in
 * FCP_HOME, the SQLite store (object records, pins and the engine's symbols),
 * the MeshNode engine (mesh.h; sessions, gossip, repair), the UDP sockets, the admin
 * unix socket and the metrics endpoint.  The files of cmd/fcpd/ split it by
 * concern: fcpd_main.c (startup, loop, shutdown), fcpd_home.c (key files),
 * fcpd_mesh.c (driving the engine over UDP), fcpd_symstore.c (the engine's
 * symbol store on SQLite), fcpd_admin.c (admin requests),
 * fcpd_metrics.c (Prometheus text over HTTP/1.0).
 */
#ifndef FCPD_H
#define FCPD_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/admin.h"
#include "fcp/authz_revocation.h"
#include "fcp/config.h"
#include "fcp/log.h"
#include "fcp/mesh.h"
#include "fcp/net.h"
#include "fcp/store.h"

#define FCPD_MAX_ADMIN      16
#define FCPD_MAX_METRICS    8
#define FCPD_TICK_MS        20
/* After this long without puts, gets, repairs or stored symbols, the RaptorQ
 * layer's process-wide caches (plans, scratch pool, planning arena: up to
 * ~184 MiB after large work) are handed back, so an idle node stays small. */
#define FCPD_RQ_IDLE_SECS   30
#define FCPD_RX_BATCH       512     /* datagrams read per readiness event */
#define FCPD_ADMIN_OUT_MAX  (2u << 20)
#define FCPD_PUT_MAX        (64u << 20)   /* mesh put limit */
#define FCPD_HIST_BUCKETS   13
#define FCPD_ADMIN_PARTIAL_NS (10ull * 1000000000ull)  /* a started frame must complete */
#define FCPD_ADMIN_IDLE_NS    (300ull * 1000000000ull) /* silent client without an operation */
#define FCPD_METRICS_REQ_NS   (5ull * 1000000000ull)   /* whole HTTP exchange */
#define FCPD_SYM_BATCH      4096    /* symbols per symbol-store transaction at most */

/* ---- key material in FCP_HOME (fcpd_home.c; written by `fcp init`) ------ */
typedef struct fcpd_keys {
    char                 node_id[FCP_NODE_ID_MAX + 1];
    uint8_t              sig_sk[64];
    uint8_t              owner_pk[32];
    fcp_node_attestation attestation;
    size_t               n_zones;
    fcp_mesh_zone_config zones[FCP_MESH_MAX_ZONES];
} fcpd_keys;

/* Load node.key, owner.pub, node.attest and zones.key from home.  Refuses key
 * files readable by group or others.  On error writes a message to why. */
int fcpd_keys_load(fcpd_keys *k, const char *home, char *why, size_t whylen);
/* Load the owner-signed attestation of peer id from home/nodes/<id>.attest. */
int fcpd_peer_attestation(fcp_node_attestation *a, const char *home, const char *id);
void fcpd_keys_wipe(fcpd_keys *k);

typedef struct fcpd_hist {
    uint64_t buckets[FCPD_HIST_BUCKETS];   /* cumulative counts filled at render time */
    uint64_t count;
    double   sum;
} fcpd_hist;

struct fcpd;

typedef struct fcpd_admin_conn {
    struct fcpd  *d;
    int           used;
    fcp_net_conn  c;
    int           closing;       /* close once output is flushed */
    uint64_t      last_ns;       /* last byte received (idle timeout) */
    /* put in progress */
    int           put_active, put_failed, put_waiting;
    uint64_t      put_seq, put_size, put_op, put_t0;
    uint64_t      put_commit_failures; /* symstore failures when the put began */
    char          put_zone[FCP_ZONE_ID_MAX + 1];
    fcp_buf       put_data;
    uint8_t       put_id[FCP_OBJECT_ID_BYTES];
    /* invoke in progress: when the request arrived (0 = none); observed
     * into fcpd.invoke_hist when its answer is queued */
    uint64_t      invoke_t0;
    /* get in progress */
    int           get_active, get_ready;
    uint64_t      get_seq, get_op, get_t0;
    const uint8_t *get_data;
    size_t        get_len, get_off;
    /* connector runtime (fcpd_connectors.c): an invoke waiting for its
     * connector, or an install receiving its binary through put_data */
    uint64_t      rt_wait;          /* job id answered later, 0 = none */
    int           rt_install;
    fcp_buf       rt_manifest;
    uint8_t       rt_sig[64];
} fcpd_admin_conn;

typedef struct fcpd_metrics_conn {
    int          used;
    uint64_t     t0;            /* accepted at (request timeout) */
    fcp_net_conn c;
    int          responded;
} fcpd_metrics_conn;

typedef struct fcpd_udp {
    int          fd;
    int          family;
    fcp_net_addr bound;
    /* datagrams on their way out, sent FCP_NET_UDP_BATCH per sendmmsg;
     * what a full socket buffer did not take stays queued, in order, and
     * goes first when the socket is writable again (fcpd_mesh.c) */
    int              blocked;   /* the last flush hit FCP_ELIMIT: EPOLLOUT armed */
    fcp_net_udp_txq *txq;       /* heap (~85 KiB), only for sockets in use */
} fcpd_udp;

typedef struct fcpd_counters {
    uint64_t dgram_in, dgram_out, bytes_in, bytes_out;
    uint64_t drop_oversize, drop_socket, drop_tx_full, drop_no_socket;
    uint64_t admin_conns, admin_requests, admin_errors, admin_refused_cred;
    uint64_t puts, gets, put_bytes, get_bytes;
    uint64_t sessions_up, sessions_down, repairs;
} fcpd_counters;

/* The engine's symbol store on SQLite (fcpd_symstore.c). */
typedef struct fcpd_symstore_state {
    uint64_t bytes;            /* symbol bytes held (committed + pending) */
    uint64_t pending, pending_bytes; /* in the open batch transaction */
    uint64_t committed;        /* symbols committed since start */
    uint64_t commits, commit_ns, commit_failures;
    uint64_t unopenable;       /* sealed rows that failed to open, dropped (D-STORE-6) */
} fcpd_symstore_state;

typedef struct fcpd {
    char            home[FCP_CONFIG_PATH_MAX + 1];
    char            config_path[FCP_CONFIG_PATH_MAX + 1];
    char            sock_path[FCP_CONFIG_PATH_MAX + 1];
    fcp_config      cfg;
    fcpd_keys       keys;
    fcp_logger      log;
    fcp_net_loop   *loop;
    int             sig_fd;
    int             admin_fd;
    int             metrics_fd;
    fcp_net_addr    metrics_bound;
    size_t          n_udp;
    fcpd_udp        udp[FCP_CONFIG_MAX_LISTEN];
    fcpd_admin_conn admin[FCPD_MAX_ADMIN];
    fcpd_metrics_conn mconn[FCPD_MAX_METRICS];
    fcp_store      *store;
    fcp_mesh_store  mstore;
    int             mstore_open;
    fcpd_symstore_state sym;
    struct fcpd_tailscale *ts;     /* fcpd_tailscale.c: NULL unless [tailscale] enabled */
    struct { uint64_t polls, poll_failures, changes; } ts_counters;
    fcp_mesh_node  *mesh;
    fcpd_counters   n;
    fcpd_hist       put_hist, get_hist, invoke_hist;
    uint64_t        start_ns, last_tick_ns;
    int             mesh_tx_more;  /* the last pump left datagrams in the engine: poll, don't sleep */
    uint64_t        rq_activity, rq_active_ns; /* last activity count and when it changed */
    int             rq_released;               /* caches handed back since then */
    int             stopping;
    int             pid_written;   /* we own <home>/fcpd.pid */
    struct fcpd_authority *auth;   /* fcpd_authority.c: revocations, removed nodes */
    struct fcpd_quic *quic;        /* fcpd_quic.c: the QUIC carrier (NULL unless [quic]) */
    struct fcpd_runtime *rt;       /* fcpd_connectors.c: connectors, workers, invoke */
} fcpd;

/* fcpd_symstore.c */
/* The store's keyring over d->keys.zones (symbols sealed at rest, D-STORE-6);
 * set in the store options before fcp_store_open. */
void fcpd_symstore_keyring(fcpd *d, fcp_store_keyring *kr);
/* fcpd_tailscale.c: discovery hints from tailscaled ([tailscale], D-TS-1..3).
 * discover runs once before the mesh starts (adds attested candidates to
 * d->cfg.peers; never fails for tailscaled's sake); pump polls without
 * blocking and logs changes; stop frees. */
int  fcpd_tailscale_discover(fcpd *d);
void fcpd_tailscale_pump(fcpd *d);
void fcpd_tailscale_stop(fcpd *d);
int  fcpd_symstore_open(fcpd *d, fcp_mesh_store *out); /* needs d->store */
/* Commit the pending batch: 0 (also when nothing was pending) or the error
 * (the batch is lost and logged). */
int  fcpd_symstore_flush(fcpd *d);
void fcpd_symstore_close(fcpd *d);                     /* flush */
uint64_t fcpd_symstore_bytes(const fcpd *d);

/* fcpd_mesh.c */
int  fcpd_mesh_start(fcpd *d);               /* UDP sockets + engine */
void fcpd_mesh_stop(fcpd *d);
void fcpd_mesh_pump(fcpd *d);                /* tick if due, send, handle events */
/* Runtime membership (D-MESH-9): add a peer to the running engine, or move
 * it / change its zones if it is one (by: who asks, for the log); remove
 * one; re-read the [[peers]] of the config file and apply added or changed
 * entries (not removals). */
int  fcpd_mesh_peer_upsert(fcpd *d, const fcp_config_peer *cp, const char *by);
int  fcpd_mesh_peer_drop(fcpd *d, const char *id, const char *by);
int  fcpd_mesh_peers_reload(fcpd *d, size_t *added, size_t *updated, char *det, size_t dl);
/* Address token <-> socket address (the token is the sockaddr's bytes). */
void fcpd_addr_to_token(const fcp_net_addr *a, fcp_mesh_addr *t);
int  fcpd_token_to_addr(const fcp_mesh_addr *t, fcp_net_addr *a);

/* fcpd_quic.c: the QUIC carrier ([quic] in fcpd.toml, docs/quic.md).  start
 * after the mesh (needs the loop and the keys); pump once per loop pass;
 * send_mesh is asked first for every datagram the engine sends: 1 when it
 * went to the peer over QUIC, 0 to send it over UDP as usual. */
int  fcpd_quic_start(fcpd *d);
void fcpd_quic_stop(fcpd *d);
void fcpd_quic_pump(fcpd *d);
int  fcpd_quic_send_mesh(fcpd *d, const fcp_mesh_addr *to, const uint8_t *b, size_t len);
/* A peer added or moved at runtime: bind its attested key (and dial it if
 * [quic.dial] names it).  A peer removed or revoked: refuse its key, close
 * its connections. */
void fcpd_quic_peer_upsert(fcpd *d, const fcp_config_peer *cp);
void fcpd_quic_peer_drop(fcpd *d, const char *id);
void fcpd_quic_metrics(fcpd *d, fcp_buf *out);

/* fcpd_admin.c */
int  fcpd_admin_start(fcpd *d);
void fcpd_admin_stop(fcpd *d);
/* Mesh events that finish admin operations. */
void fcpd_admin_put_done(fcpd *d, uint64_t op, int err);
void fcpd_admin_get_done(fcpd *d, uint64_t op, int err);
/* Continue streaming gets whose connections have room. */
void fcpd_admin_resume(fcpd *d);
/* Close admin clients stuck in a partial frame or silent for too long. */
void fcpd_admin_sweep(fcpd *d);

/* fcpd_metrics.c */
int  fcpd_metrics_start(fcpd *d);
void fcpd_metrics_stop(fcpd *d);
/* Close metrics clients that did not finish within FCPD_METRICS_REQ_NS. */
void fcpd_metrics_sweep(fcpd *d);
void fcpd_hist_observe(fcpd_hist *h, double seconds);
/* Render the Prometheus text exposition into out. */
int  fcpd_metrics_render(fcpd *d, fcp_buf *out);

/* fcpd_authority.c: the daemon's revocation state.  Owner-signed
 * RevocationObjects arrive through the admin op "revoke", each with the
 * owner-signed RevocationEvent that chains it (seq = previous + 1); they are
 * verified, applied to one fcp_revset and persisted under
 * <data_dir>/revocations/ so they survive a restart.
 *
 * Freshness for the invoke runtime: fcpd_revset(d)->seq is the last applied
 * event seq (0 = none) and ->last_updated the Unix second the state was last
 * changed or loaded from disk (this node holds the owner's chain itself; no
 * RevocationHead gossip yet).  Call fcp_rev_freshness_check /
 * fcp_rev_enforce_* / fcp_revset_lookup_cb with the returned set. */
int  fcpd_authority_start(fcpd *d);          /* before the admin socket and the mesh */
void fcpd_authority_stop(fcpd *d);
/* The current set; never NULL once fcpd_authority_start succeeded (NULL before). */
const fcp_revset *fcpd_revset(const fcpd *d);
/* 1 if node_id's attestation (its signing key, scope NodeAttestation) is
 * revoked now: the node was removed (`fcp node remove`). */
int  fcpd_node_revoked(const fcpd *d, const char *node_id, const uint8_t node_sig_pk[32]);
/* Admin ops "revoke" and "revocations": 0 with the {ok: true, seq, head,
 * ids, ...} payload in resp, or the error (detail in det). */
int  fcpd_authority_admin(fcpd *d, const fcp_admin_request *r, fcp_buf *resp, char *det, size_t dl);
/* 1 if a datagram from `from` comes from a removed peer (dropped, counted). */
int  fcpd_authority_gate(fcpd *d, const fcp_mesh_addr *from);
/* Revocations over the mesh (z:owner, D-CLI-5): fetch and apply new ones
 * (call every loop turn); Prometheus lines of the revocation state. */
void fcpd_authority_pump(fcpd *d);
void fcpd_authority_metrics(fcpd *d, fcp_buf *o);
/* 1 if the configured peer with attestation at is removed: leave it out of
 * the engine (logged FCP-6356). */
int  fcpd_authority_skip_peer(fcpd *d, const fcp_node_attestation *at);
/* fcp_mesh_zone_key_fn over zones.key (ctx = fcpd): a zone's key by key id,
 * for symbols sealed under a superseded key (D-ENROLL-3). */
int  fcpd_zone_key_lookup(void *ctx, const char *zone_id, const uint8_t key_id[8], uint8_t zone_key[32]);

/* fcpd_connectors.c (+ fcpd_conn_*.c): the connector runtime.  start after
 * the admin socket and the authority state (needs the loop); pump once per
 * loop pass (restarts due); admin dispatch returns 1 when it handled the
 * request (connectors, invoke, connector_*; put_end of an install). */
int  fcpd_connectors_start(fcpd *d);
void fcpd_connectors_stop(fcpd *d);
void fcpd_connectors_pump(fcpd *d);
int  fcpd_connectors_admin(fcpd_admin_conn *a, uint64_t seq, const fcp_admin_request *r);
void fcpd_connectors_conn_closed(fcpd_admin_conn *a);
void fcpd_connectors_metrics(fcpd *d, fcp_buf *out);
/* fcpd_admin.c: flush a connection's output and update its poll interest
 * (for answers sent outside the request handler). */
void fcpd_admin_update(fcpd_admin_conn *a);

/* fcpd_main.c */
uint64_t fcpd_now_ns(void);
void fcpd_log(fcpd *d, int level, const char *event, int err, const fcp_log_field *f, size_t n);

#endif
