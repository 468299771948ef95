/*
 * mesh.h - the MeshNode engine (spec §8 mesh architecture, §8.4 admission
 * and PeerBudget, §9.2.1 bounded symbol requests, §21.3 repair): sessions
 * with every configured peer, put (encode, seal, place, push), get (local
 * symbols, then bounded SymbolRequests), gossip of what each node holds,
 * a repair loop that restores coverage, and admission control.
 *
 * Sans-IO, like the wire engines under it: the node never touches a socket,
 * reads the system clock or a global RNG.  The caller (fcpd's epoll loop, a
 * test, a simulator) hands it
 *   - received datagrams with an opaque address token (fcp_mesh_on_datagram),
 *   - the passage of time (fcp_mesh_on_tick; the node reads the fcp_clock
 *     given in its config),
 * and drains
 *   - datagrams to send, each with the address token of its destination
 *     (fcp_mesh_poll_tx),
 *   - events (fcp_mesh_poll_event).
 * Address tokens are opaque bytes (a sockaddr, an index, a name): the node
 * only stores and compares them.
 *
 * Objects (docs/mesh.md, decisions D-MESH-*): put(zone, bytes) stores the
 * bytes as one RawChunk object, or - above the 256 KiB chunk threshold - as
 * 64 KiB RawChunk objects listed by a ChunkedObjectManifest (chunked.h); the
 * id returned is that of the RawChunk or of the manifest.  Each object's
 * canonical bytes are RaptorQ-encoded as one source block (D-RQ-1) with
 * 1024-byte symbols, one symbol per FCPS frame per 1200-byte datagram,
 * sealed under the zone key with this node's per-sender subkey.
 *
 * Placement (D-MESH-1, D-MESH-9): a zone's members are this node and the
 * peers that serve the zone (a peer's zone list, default every zone this
 * node serves), sorted by node id (index 0..n-1).  Member j holds the ESIs e with
 * e mod n == j and e < n * share, share = ceil((K + overhead) / (n - 1)) +
 * margin, so any n - 1 members together hold at least K + overhead distinct
 * symbols: losing any one node leaves every object decodable.
 *
 * Symbols, requests and digests of a zone only go to (and are only taken
 * from) members of that zone.  Members can be added, removed, moved to
 * another address or given other zones at runtime (fcp_mesh_member_*):
 * placement is recomputed and the repair loop moves the shares.
 *
 * A put keeps each object's bytes in memory (put_cache_bytes) until gossip
 * shows every peer holding its share, so a push lost to a budget or a down
 * peer is re-sent by the repair loop without any decode (D-MESH-3); a put
 * that does not fit in the cache fails with FCP_EMESH_BUSY.
 *
 * Storage goes through fcp_mesh_store (callbacks): fcpd backs it with the
 * SQLite store, tests with fcp_mesh_memstore_new.  Zone keys come from the
 * config; keys of other key ids (rotation) from an optional lookup callback.
 *
 * Every function returns 0 (or a documented non-negative value) or a negative
 * code from fcp/error.h.  The node is single-threaded: one caller at a time.
 */
#ifndef FCP_MESH_H
#define FCP_MESH_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/clock.h"
#include "fcp/model_attest.h"
#include "fcp/model_ids.h"
#include "fcp/rng.h"

#define FCP_MESH_ADDR_MAX      64u  /* bytes of an opaque address token */
#define FCP_MESH_MAX_PEERS     32u  /* configured peers per node */
#define FCP_MESH_MAX_ZONES     16u  /* zones served per node */
#define FCP_MESH_MAX_DATAGRAM  1200u /* datagrams the node builds (D-SESSION-3 default) */
#define FCP_MESH_GOSSIP_PAGE   20u  /* entries per gossip digest page (D-MESH-2) */

/* An opaque peer address (whatever the I/O layer needs to send a datagram). */
typedef struct fcp_mesh_addr {
    uint8_t len;                     /* 0..FCP_MESH_ADDR_MAX */
    uint8_t bytes[FCP_MESH_ADDR_MAX];
} fcp_mesh_addr;

/* ---- symbol store interface ----------------------------------------------- */

#define FCP_MESH_OBJ_ROOT 0x01u /* object was put as a whole (not a chunk) */

/* What a store keeps per object besides its symbols. */
typedef struct fcp_mesh_obj_meta {
    uint8_t  object_id[FCP_OBJECT_ID_BYTES];
    char     zone_id[FCP_ZONE_ID_MAX + 1];
    uint32_t k;            /* RaptorQ source symbols (1..65535) */
    uint16_t symbol_size;  /* T */
    uint32_t flags;        /* FCP_MESH_OBJ_* */
    uint32_t n_symbols;    /* symbols held (filled by the store on read) */
} fcp_mesh_obj_meta;

/*
 * Callbacks the node stores symbols through.  Symbols are held in plaintext
 * form (the store encrypts at rest if it wants to); each is exactly
 * symbol_size bytes.  All callbacks return 0 or a negative fcp error.
 */
typedef struct fcp_mesh_store {
    void *ctx;
    /* Store symbol esi of object m->object_id, creating the object record
     * from m (zone, k, symbol_size, flags) on its first symbol.  Returns 0,
     * 1 if that ESI was already held (nothing changed), FCP_EMESH_STORE_CONFLICT
     * if the record exists with another k / symbol_size / zone. */
    int (*put_symbol)(void *ctx, const fcp_mesh_obj_meta *m, uint32_t esi, const uint8_t *data,
                      size_t len);
    /* The record of an object, n_symbols filled: 0 or FCP_ENOENT. */
    int (*stat)(void *ctx, const uint8_t id[FCP_OBJECT_ID_BYTES], fcp_mesh_obj_meta *m);
    /* OR flags into an existing record: 0 or FCP_ENOENT. */
    int (*set_flags)(void *ctx, const uint8_t id[FCP_OBJECT_ID_BYTES], uint32_t flags);
    /* ESIs held, ascending, skipping the first `from` of them, at most cap:
     * *n written.  0 or FCP_ENOENT. */
    int (*list_esis)(void *ctx, const uint8_t id[FCP_OBJECT_ID_BYTES], uint32_t from,
                     uint32_t *esis, size_t cap, size_t *n);
    /* Copy symbol esi into out[0..cap): 0 (*len set), FCP_ENOENT,
     * FCP_EBUFFER_TOO_SMALL. */
    int (*get_symbol)(void *ctx, const uint8_t id[FCP_OBJECT_ID_BYTES], uint32_t esi,
                      uint8_t *out, size_t cap, size_t *len);
    /* Records of zone with id > after (after NULL: from the smallest id),
     * ascending by id, at most cap: *n written. */
    int (*list_objects)(void *ctx, const char *zone, const uint8_t *after,
                        fcp_mesh_obj_meta *out, size_t cap, size_t *n);
    /* Forget an object and its symbols: 0 or FCP_ENOENT. */
    int (*drop)(void *ctx, const uint8_t id[FCP_OBJECT_ID_BYTES]);
} fcp_mesh_store;

/* In-memory store for tests and simulations.  max_bytes bounds the symbol
 * bytes held (0 = unbounded; beyond it put_symbol returns FCP_ELIMIT).
 * 0 or FCP_ENOMEM; free with fcp_mesh_memstore_free. */
int fcp_mesh_memstore_new(fcp_mesh_store *out, uint64_t max_bytes);
void fcp_mesh_memstore_free(fcp_mesh_store *s);
/* Bytes of symbol data it holds. */
uint64_t fcp_mesh_memstore_bytes(const fcp_mesh_store *s);

/* ---- configuration --------------------------------------------------------- */

typedef struct fcp_mesh_peer_config {
    char                 node_id[FCP_NODE_ID_MAX + 1];
    fcp_mesh_addr        addr;
    fcp_node_attestation attestation; /* owner-signed; checked at fcp_mesh_node_new */
    /* Zones the peer serves (D-MESH-9): 0 = every zone this node serves;
     * listed zones this node does not serve are ignored (a peer may then be
     * a member of no zone: this node starts no session with it and sends it
     * nothing). */
    size_t               n_zones;
    char                 zones[FCP_MESH_MAX_ZONES][FCP_ZONE_ID_MAX + 1];
} fcp_mesh_peer_config;

/* A zone this node serves, with its active zone key.  Its members are this
 * node and the peers whose zone list names it (D-MESH-9). */
typedef struct fcp_mesh_zone_config {
    char              zone_id[FCP_ZONE_ID_MAX + 1];
    uint8_t           zone_key_id[8];
    uint8_t           zone_key[32];
    fcp_object_id_key oid_key;
} fcp_mesh_zone_config;

/* Zone key of (zone, key id) for symbols sealed under a key other than the
 * active one (rotation overlap): 0 and key written, or FCP_ENOENT. */
typedef int (*fcp_mesh_zone_key_fn)(void *ctx, const char *zone_id, const uint8_t key_id[8],
                                    uint8_t zone_key[32]);

/* Zero in a field means the default in brackets. */
typedef struct fcp_mesh_limits {
    uint32_t symbol_size;          /* T of objects we encode                       [1024] */
    uint32_t decode_overhead;      /* symbols beyond K a placement guarantees      [2] */
    uint32_t placement_margin;     /* extra symbols per member (D-MESH-1)          [2] */
    uint64_t peer_tx_bytes;        /* bytes queued toward one peer                 [64 MiB] */
    uint64_t total_tx_bytes;       /* bytes queued toward all peers                [256 MiB] */
    uint32_t peer_requests_per_sec;/* SymbolRequests served per peer per second    [200] */
    uint32_t peer_request_burst;   /* token bucket depth                           [400] */
    uint32_t peer_pending_serves;  /* response symbols queued toward one peer      [4096] */
    uint32_t peer_push_per_sec;    /* pushed symbols stored per peer per second    [50000] */
    uint32_t max_ops;              /* concurrent gets + repairs                    [16] */
    uint64_t max_decode_bytes;     /* symbol bytes held by all decoders            [256 MiB] */
    uint32_t hs_per_sec;           /* handshake datagrams processed per second     [200] */
    uint32_t gossip_interval_ms;   /* digest round to every up peer                [1000] */
    uint32_t gossip_max_pages;     /* pages per peer per zone per round            [64] */
    uint32_t peer_dead_ms;         /* silence after which a session is down        [4000] */
    uint32_t handshake_retry_ms;   /* initiator retry after a failed handshake     [1000] */
    uint32_t repair_interval_ms;   /* repair scan period                           [500] */
    uint32_t repair_objects_per_scan; /* objects examined per scan                 [64] */
    uint32_t repair_max_active;    /* concurrent repairs                           [4] */
    uint32_t repair_grace_ms;      /* a peer must be up this long before repair    [1500] */
    uint32_t request_retry_ms;     /* re-request for a stalled get                 [250] */
    uint32_t get_timeout_ms;       /* give up a get                                [30000] */
    uint32_t get_max_objects;      /* chunk fetches in flight per get              [8] */
    uint64_t put_cache_bytes;      /* objects kept after put until peers confirm   [256 MiB] */
    uint32_t repair_timeout_ms;    /* give up one repair and free its slot         [5000] */
} fcp_mesh_limits;

/* The defaults above. */
void fcp_mesh_limits_default(fcp_mesh_limits *l);

typedef struct fcp_mesh_config {
    const char                 *node_id;    /* NUL-terminated, D-MODEL-2 grammar */
    const uint8_t              *sig_sk;     /* [64] Ed25519 node signing key */
    const uint8_t              *owner_pk;   /* [32] owner key the attestations chain to */
    const fcp_mesh_peer_config *peers;      /* 0..FCP_MESH_MAX_PEERS, distinct ids != node_id */
    size_t                      n_peers;
    const fcp_mesh_zone_config *zones;      /* 1..FCP_MESH_MAX_ZONES, distinct */
    size_t                      n_zones;
    fcp_mesh_zone_key_fn        zone_key_lookup; /* may be NULL */
    void                       *zone_key_ctx;
    fcp_mesh_store              store;      /* required; not owned */
    const fcp_clock            *clock;      /* required; must outlive the node */
    const fcp_rng              *rng;        /* required; must outlive the node */
    fcp_mesh_limits             limits;     /* zero fields: defaults */
} fcp_mesh_config;

typedef struct fcp_mesh_node fcp_mesh_node;

/* Build a node: copies the config (keys included; wiped by free), verifies
 * every peer attestation against owner_pk at the clock's time, draws the
 * sender instance id.  Sessions start on the first fcp_mesh_on_tick.
 * Errors: FCP_EMESH_CONFIG (missing field, duplicate peer/zone, bad limits),
 * FCP_ENODE_ID, zone errors, attestation errors, FCP_ENOMEM. */
int fcp_mesh_node_new(fcp_mesh_node **out, const fcp_mesh_config *cfg);
/* Free everything, wiping keys.  NULL is allowed. */
void fcp_mesh_node_free(fcp_mesh_node *n);

/* ---- runtime membership (D-MESH-9) ------------------------------------------ */

/* Add a peer (verified like a configured one; its session starts on the next
 * tick).  Placement of its zones is recomputed; the repair loop gives it its
 * share of every object (at most repair_max_active repairs at once).
 * Errors: FCP_EMESH_MEMBER_EXISTS, FCP_EMESH_MEMBERS_FULL, FCP_EMESH_CONFIG,
 * FCP_ENODE_ID, attestation errors.  Peer indices of the others do not
 * change. */
int fcp_mesh_member_add(fcp_mesh_node *n, const fcp_mesh_peer_config *pc);
/* Remove a peer: its session is closed, everything queued toward it and
 * its handshakes dropped, its datagrams refused from now on (its
 * attestation leaves the trust store), repairs toward it cancelled.
 * Placement is recomputed over the rest and the repair loop re-spreads its
 * symbols.  Peers after it move down one index (events already queued are
 * renumbered; those naming it get peer -1).  FCP_EMESH_UNKNOWN_PEER. */
int fcp_mesh_member_remove(fcp_mesh_node *n, const char *node_id);
/* A peer's new address: a session that was up is closed
 * (FCP_MESH_EV_SESSION_DOWN, FCP_EMESH_PEER_MOVED) and a handshake to the
 * new address starts at once, whichever side of the pair initiates (the
 * other side sees a restart, D-MESH-8).  Same address: nothing happens.
 * FCP_EMESH_UNKNOWN_PEER, FCP_EMESH_CONFIG. */
int fcp_mesh_member_set_addr(fcp_mesh_node *n, const char *node_id, const fcp_mesh_addr *addr);
/* A peer's zones (same rules as fcp_mesh_peer_config.zones): its view and
 * queued symbols of zones it left are dropped, placement recomputed.
 * FCP_EMESH_UNKNOWN_PEER, FCP_EMESH_CONFIG. */
int fcp_mesh_member_set_zones(fcp_mesh_node *n, const char *node_id,
                              const char (*zones)[FCP_ZONE_ID_MAX + 1], size_t n_zones);

/* ---- carriers (D-MESH-11, D-MESH-12) ---------------------------------------- */

/* What the I/O layer knows of its path to a peer, beyond the UDP default
 * (fcpd's QUIC carrier calls this when a connection comes up, when path-MTU
 * discovery changes its datagram limit, and with (0, 0) when it closes):
 *   dgram_max  the largest datagram the path carries now (0: the 1200-byte
 *              default).  New puts in the peer's zones use the symbol size
 *              that fits it (D-WIRE-4, one symbol per datagram) when that is
 *              smaller than the symbol_size limit, so their datagrams fit
 *              the path and still fit 1200 bytes (D-MESH-12).
 *   stream     1: a reliable, ordered, authenticated byte stream to the peer
 *              is up.  Control messages (SymbolRequest, SymbolAck, gossip)
 *              for the peer are then queued as FCPC frames (spec §9.4, sealed
 *              under the session's k_ctx, D-MESH-11) taken with
 *              fcp_mesh_poll_stream instead of datagrams; 0: back to
 *              datagrams (frames not yet taken are sent as datagrams).
 * FCP_EMESH_UNKNOWN_PEER. */
int fcp_mesh_member_set_link(fcp_mesh_node *n, const char *node_id, size_t dgram_max,
                             int stream);

/* Largest FCPC frame fcp_mesh_poll_stream produces. */
#define FCP_MESH_STREAM_FRAME_MAX 1100u

/* Next FCPC frame for peer node_id's stream into buf[0..cap): 1 with *len,
 * 0 when none is queued (or the peer has no stream / no session),
 * FCP_EBUFFER_TOO_SMALL (cap < FCP_MESH_STREAM_FRAME_MAX),
 * FCP_EMESH_UNKNOWN_PEER.  A caller with less room in its stream than
 * FCP_MESH_STREAM_FRAME_MAX should wait (the frame stays queued). */
int fcp_mesh_poll_stream(fcp_mesh_node *n, const char *node_id, uint8_t *buf, size_t cap,
                         size_t *len);
/* One whole FCPC frame received on the stream from peer node_id (the
 * carrier authenticated the peer as that node).  Like fcp_mesh_on_datagram:
 * bad input is counted (drop_stream) and 0 returned; negative only for local
 * failures; FCP_EMESH_UNKNOWN_PEER. */
int fcp_mesh_on_stream(fcp_mesh_node *n, const char *node_id, const uint8_t *frame,
                       size_t len);

/* ---- driving --------------------------------------------------------------- */

/* One received datagram from address token `from` (any bytes, any length).
 * Never fails for bad input: every refusal is counted (fcp_mesh_counters) and
 * 0 is returned; a negative return is a local failure (FCP_ENOMEM, store
 * errors). */
int fcp_mesh_on_datagram(fcp_mesh_node *n, const fcp_mesh_addr *from, const uint8_t *buf,
                         size_t len);
/* Timers: handshakes and retries, liveness, gossip, request retries and
 * timeouts, repair.  Call at least every 50 ms (and after on_datagram when
 * convenient).  Bounded work per call. */
int fcp_mesh_on_tick(fcp_mesh_node *n);
/* Next datagram to send: returns 1 with *to, buf[0..*len) filled, 0 when
 * nothing is queued, or FCP_EBUFFER_TOO_SMALL (cap < FCP_MESH_MAX_DATAGRAM).
 * Call until it returns 0. */
int fcp_mesh_poll_tx(fcp_mesh_node *n, fcp_mesh_addr *to, uint8_t *buf, size_t cap, size_t *len);

/* ---- events ---------------------------------------------------------------- */

typedef enum fcp_mesh_event_type {
    FCP_MESH_EV_NONE = 0,
    FCP_MESH_EV_SESSION_UP,      /* peer: session established (or rekeyed: ev.error 1) */
    FCP_MESH_EV_SESSION_DOWN,    /* peer: silent for peer_dead_ms (error FCP_EMESH_TIMEOUT),
                                  * or restarted: a new handshake while its session was up
                                  * (error FCP_EMESH_PEER_RESTARTED, SESSION_UP follows) */
    FCP_MESH_EV_PUT_DONE,        /* op: put stored locally; count = symbols queued to peers */
    FCP_MESH_EV_GET_DONE,        /* op: result ready (error 0) or failed (error < 0) */
    FCP_MESH_EV_OBJECT_COMPLETE, /* object_id: a decode finished and verified */
    FCP_MESH_EV_REPAIR           /* object_id: repair pushed `count` symbols to peer; error < 0:
                                  * it failed, timed out (FCP_EMESH_REPAIR_TIMEOUT) or was
                                  * cancelled because the peer went down or restarted */
} fcp_mesh_event_type;

typedef struct fcp_mesh_event {
    fcp_mesh_event_type type;
    int      error;
    uint64_t op;                              /* operation id, if any */
    int      peer;                            /* peer index, -1 if none */
    uint8_t  object_id[FCP_OBJECT_ID_BYTES];  /* if any */
    uint32_t count;
} fcp_mesh_event;

/* 1 and *ev filled, or 0 when no event is pending.  The queue is bounded
 * (oldest events are dropped and counted in events_dropped). */
int fcp_mesh_poll_event(fcp_mesh_node *n, fcp_mesh_event *ev);

/* ---- operations ------------------------------------------------------------ */

/* Store data[0..len) (1 byte .. 64 MiB) in zone: objects built, encoded,
 * this node's share stored, the peers' shares queued (sent by poll_tx).
 * object_id gets the root id; *op (may be NULL) the id of the
 * FCP_MESH_EV_PUT_DONE event.  Errors: FCP_EMESH_UNKNOWN_ZONE, FCP_ETOO_LARGE,
 * FCP_EMESH_BUSY (queues full), FCP_EINVAL, model/RaptorQ/store errors. */
int fcp_mesh_put(fcp_mesh_node *n, const char *zone, const uint8_t *data, size_t len,
                 uint8_t object_id[FCP_OBJECT_ID_BYTES], uint64_t *op);

/* Start fetching object id.  zone names the zone to ask its members at once;
 * NULL takes it from the local store or the gossip view, and an object known
 * to neither yet is waited for (at most 3 gossip intervals, never past
 * get_timeout_ms; D-MESH-13) - if it never shows up the get completes with
 * FCP_EMESH_UNKNOWN_OBJECT.  Completion: FCP_MESH_EV_GET_DONE with *op.
 * Errors: FCP_EMESH_UNKNOWN_ZONE, FCP_EMESH_BUSY (max_ops). */
int fcp_mesh_get_start(fcp_mesh_node *n, const uint8_t id[FCP_OBJECT_ID_BYTES], const char *zone,
                       uint64_t *op);
/* State of get op: 0 done (*data, *len valid until fcp_mesh_op_release),
 * FCP_ERQ_NEED_MORE still running, the failure code, or FCP_EMESH_OP. */
int fcp_mesh_get_result(fcp_mesh_node *n, uint64_t op, const uint8_t **data, size_t *len);
/* Forget a finished (or cancel a running) get. 0 or FCP_EMESH_OP. */
int fcp_mesh_op_release(fcp_mesh_node *n, uint64_t op);

/* What the node knows about one object. */
typedef struct fcp_mesh_obj_status {
    uint8_t  object_id[FCP_OBJECT_ID_BYTES];
    char     zone_id[FCP_ZONE_ID_MAX + 1];
    uint32_t k;
    uint32_t flags;
    uint32_t local_symbols;
    uint32_t total_symbols;   /* over every member, from the gossip view */
    uint32_t coverage_bps;    /* total_symbols * 10000 / k */
    uint32_t worst_loss_bps;  /* min over members j of (total - held by j) * 10000 / k */
    uint32_t n_holders;       /* members holding at least one symbol */
} fcp_mesh_obj_status;

/* Status of one object (held locally or seen in gossip).  0 or
 * FCP_EMESH_UNKNOWN_OBJECT. */
int fcp_mesh_stat(fcp_mesh_node *n, const uint8_t id[FCP_OBJECT_ID_BYTES],
                  fcp_mesh_obj_status *st);
/* Locally held objects of zone with id > after (NULL: from the start),
 * ascending, at most cap; roots_only skips chunks.  *count written. */
int fcp_mesh_list(fcp_mesh_node *n, const char *zone, const uint8_t *after, int roots_only,
                  fcp_mesh_obj_status *out, size_t cap, size_t *count);

/* Coverage summary of every object of a zone known to this node. */
typedef struct fcp_mesh_coverage {
    uint32_t objects;
    uint32_t min_coverage_bps;   /* 0 if no objects */
    uint32_t min_worst_loss_bps; /* >= 10000: every object survives any one loss */
    uint32_t objects_at_risk;    /* objects with worst_loss_bps < 10000 */
    uint32_t peers_down;         /* configured peers without a session */
    uint32_t views_pending;      /* up peers whose first full digest round has not arrived:
                                  * until 0, objects only they hold are not counted */
} fcp_mesh_coverage;

int fcp_mesh_zone_coverage(fcp_mesh_node *n, const char *zone, fcp_mesh_coverage *c);

/* ---- observability ----------------------------------------------------------- */

/* Every drop reason and budget refusal has its own counter. */
typedef struct fcp_mesh_counters {
    uint64_t rx_datagrams, rx_bytes, tx_datagrams, tx_bytes;
    uint64_t drop_empty;          /* zero-length or oversize datagram */
    uint64_t drop_hs_rate;        /* handshake datagrams over hs_per_sec */
    uint64_t drop_hs_invalid;     /* handshake refused by the session engines */
    uint64_t drop_unknown_session;/* data datagram for no session we hold */
    uint64_t drop_dgram;          /* refused by the datagram engine (MAC, replay, frame) */
    uint64_t drop_control;        /* malformed / unopenable control message */
    uint64_t drop_symbol_auth;    /* symbol AEAD failed */
    uint64_t drop_zone;           /* symbol for a zone / key we do not serve */
    uint64_t drop_unsolicited;    /* response symbol nobody asked for */
    uint64_t drop_push_rate;      /* pushed symbols over peer_push_per_sec */
    uint64_t drop_store;          /* store refused a symbol */
    uint64_t drop_request_rate;   /* SymbolRequests over the token bucket */
    uint64_t drop_request_invalid;/* SymbolRequest refused by the allowance rules */
    uint64_t drop_serve_budget;   /* deliveries refused: peer_pending_serves / tx bytes */
    uint64_t drop_tx_budget;      /* datagrams not queued: tx byte caps */
    uint64_t drop_decode_budget;  /* symbols not buffered: max_decode_bytes */
    uint64_t requests_capped;     /* requests served with fewer symbols than asked */
    uint64_t symbols_pushed, symbols_stored, symbols_served, symbols_received;
    uint64_t gossip_sent, gossip_received;
    uint64_t repairs_started, repairs_done, repair_symbols;
    uint64_t decodes_ok, decodes_failed;
    uint64_t events_dropped;
    uint64_t sessions_established;
    uint64_t peer_restarts;       /* handshakes from a peer whose session was up (D-MESH-8) */
    uint64_t repairs_failed;      /* repairs that failed or hit repair_timeout_ms */
    uint64_t repairs_cancelled;   /* repairs dropped because their target went down or restarted */
    uint64_t reverse_hellos;      /* Hellos sent as the pair's responder after a restart (D-MESH-8) */
    uint64_t drop_not_member;     /* symbols, requests or digests of a zone from a peer that is
                                   * not its member (D-MESH-9) */
    uint64_t members_added, members_removed, members_moved; /* runtime membership changes */
    uint64_t stream_frames_in;    /* control messages received as FCPC stream frames */
    uint64_t stream_frames_out;   /* control messages sent as FCPC stream frames */
    uint64_t drop_stream;         /* stream frames refused (framing, session, replay, AEAD) */
} fcp_mesh_counters;

void fcp_mesh_get_counters(const fcp_mesh_node *n, fcp_mesh_counters *c);

typedef struct fcp_mesh_peer_info {
    char          node_id[FCP_NODE_ID_MAX + 1];
    fcp_mesh_addr addr;
    int           up;
    uint64_t      tx_queued_bytes;
    uint64_t      last_rx_ms_ago;  /* UINT64_MAX if never */
    uint64_t      datagrams_in, datagrams_out;
    uint32_t      zones;           /* bit z: member of this node's zone z (config order) */
} fcp_mesh_peer_info;

/* Peer i (0..fcp_mesh_peer_count-1), in configuration order (peers added at
 * runtime last). */
size_t fcp_mesh_peer_count(const fcp_mesh_node *n);
int fcp_mesh_peer_info_get(const fcp_mesh_node *n, size_t i, fcp_mesh_peer_info *pi);

/* Bytes the node itself holds in queues, decoders and views (for the
 * bounded-memory checks). */
uint64_t fcp_mesh_memory_bytes(const fcp_mesh_node *n);

#endif
