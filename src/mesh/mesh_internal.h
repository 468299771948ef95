/*
 * mesh_internal.h - private state of the MeshNode engine, shared by the
 * src/mesh/mesh_*.c modules:
 *
 *   mesh_node.c     config, peers, sessions, datagram dispatch, tx queues,
 *                   events, counters, token buckets
 *   mesh_ctl.c      control messages inside FCPS frames (D-MESH-4) and the
 *                   gossip digest codec (D-MESH-2)
 *   mesh_put.c      objects -> RaptorQ -> placement (D-MESH-1) -> store/push
 *   mesh_fetch.c    decoding one object from local and requested symbols,
 *                   serving SymbolRequests, get operations
 *   mesh_repair.c   gossip view, coverage, repair loop (D-MESH-3)
 *   mesh_memstore.c in-memory fcp_mesh_store
 *
 * Nothing here is API: tests include it to reach the codecs.
 */
#ifndef FCP_MESH_INTERNAL_H
#define FCP_MESH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/chunked.h"
#include "fcp/fcpc.h"
#include "fcp/fcps.h"
#include "fcp/fcps_aead.h"
#include "fcp/mesh.h"
#include "fcp/raptorq.h"
#include "fcp/session.h"
#include "fcp/symreq.h"

#define MESH_NS_PER_MS 1000000ull

/* ---- control messages (D-MESH-4) ------------------------------------------ */

enum mesh_ctl_type {
    MESH_CTL_SYMBOL_REQUEST = 1,
    MESH_CTL_SYMBOL_ACK     = 2,
    MESH_CTL_GOSSIP         = 3
};

#define MESH_CTL_FLAGS       (FCP_FCPS_FLAG_CONTROL_PLANE | FCP_FCPS_FLAG_ENCRYPTED)
#define MESH_CTL_LABEL       "FCP2MCTL" /* 8 bytes: HKDF salt of control subkeys */
#define MESH_CTL_HEAD        3u         /* type u8 || body length u16le */
/* Largest body: one record filling a 1200-byte datagram (symbol 1024). */
#define MESH_CTL_MAX_BODY    (FCP_FCPS_DEFAULT_SYMBOL_SIZE - MESH_CTL_HEAD)
/* FCPC payload of a control message on a stream (D-MESH-11). */
#define MESH_STREAM_MAX_PAYLOAD (MESH_CTL_HEAD + MESH_CTL_MAX_BODY)

/* Symbol size of a control record carrying body_len bytes (>= 256, multiple
 * of 8), or 0 if the body is too large. */
uint16_t mesh_ctl_symbol_size(size_t body_len);

/* ---- gossip digest (D-MESH-2) -------------------------------------------- */

typedef struct mesh_gossip_entry {
    uint8_t  id[FCP_OBJECT_ID_BYTES];
    uint32_t count;   /* symbols held, <= 2^24 */
    uint32_t k;       /* 1..65535 */
    uint32_t flags;   /* FCP_MESH_OBJ_* */
} mesh_gossip_entry;

typedef struct mesh_gossip {
    char              zone_id[FCP_ZONE_ID_MAX + 1];
    int               has_after;
    uint8_t           after[FCP_OBJECT_ID_BYTES];
    int               more;
    size_t            n;
    mesh_gossip_entry e[FCP_MESH_GOSSIP_PAGE];
} mesh_gossip;

/* Canonical CBOR {"more","after"?,"entries","zone_id"} appended to out.
 * Validates first (FCP_EMESH_GOSSIP, zone errors). */
int mesh_gossip_encode(const mesh_gossip *g, fcp_buf *out);
/* Strict decode of p[0..n): FCP_ETOO_LARGE, FCP_ECBOR_*, FCP_EMISSING_FIELD,
 * FCP_EUNKNOWN_FIELD, FCP_EMESH_GOSSIP (bounds, order), zone errors. */
int mesh_gossip_decode(mesh_gossip *g, const uint8_t *p, size_t n);
int mesh_gossip_validate(const mesh_gossip *g);

/* ---- transmit queue -------------------------------------------------------- */

enum mesh_tx_kind { MESH_TX_SYMBOL = 1, MESH_TX_CONTROL = 2 };

typedef struct mesh_tx {
    struct mesh_tx *next;
    uint8_t  kind;
    uint8_t  zone;        /* symbol: zone index */
    uint16_t fcps_flags;  /* symbol: FCPS flags */
    uint16_t k;
    uint16_t len;         /* data bytes */
    uint32_t esi;
    uint8_t  object_id[FCP_OBJECT_ID_BYTES];
    uint8_t  data[];      /* symbol bytes, or type||len||body for control */
} mesh_tx;

/* Raw datagram (handshakes) to an address. */
typedef struct mesh_raw {
    fcp_mesh_addr to;
    size_t        len;
    uint8_t       buf[FCP_SESSION_ENV_MAX];
} mesh_raw;

#define MESH_RAW_QUEUE 32u

/* ---- token bucket ---------------------------------------------------------- */

typedef struct mesh_bucket {
    uint64_t tokens_milli; /* tokens * 1000 */
    uint64_t last_ns;
    uint32_t rate;         /* tokens per second */
    uint32_t burst;
} mesh_bucket;

void mesh_bucket_init(mesh_bucket *b, uint32_t rate, uint32_t burst, uint64_t now_ns);
/* 1 and one token taken, or 0 when empty. */
int mesh_bucket_take(mesh_bucket *b, uint64_t now_ns);

/* ---- peers ---------------------------------------------------------------- */

/* Control-message keys of one session (keyed by its session id): the
 * datagram form's subkeys (D-MESH-4) and the FCPC stream form's per-direction
 * state under k_ctx (D-MESH-11). */
typedef struct mesh_ctl_keys {
    int      used;
    uint8_t  session_id[16];
    uint8_t  send[32];
    uint8_t  recv[32];
    uint64_t next_seq;
    uint64_t installed;    /* install order, for replacement */
    fcp_fcpc_tx ftx;
    fcp_fcpc_rx frx;
} mesh_ctl_keys;

typedef struct mesh_view_entry {
    uint8_t  id[FCP_OBJECT_ID_BYTES];
    uint32_t count;
    uint16_t k;
    uint8_t  flags;
} mesh_view_entry;

/* What one peer said it holds in one zone: sorted by id. */
typedef struct mesh_view {
    mesh_view_entry *e;
    size_t           n, cap;
    int              complete; /* a full digest round arrived since session up */
} mesh_view;

/* Serve cursor: how far we got through our ESIs of an object for a peer. */
#define MESH_SERVE_SLOTS 8u
typedef struct mesh_serve {
    int      used;
    uint8_t  id[FCP_OBJECT_ID_BYTES];
    uint32_t next_index;
    uint64_t last_ns;
} mesh_serve;

/* Cached receive subkey for (zone, key id, peer instance). */
typedef struct mesh_rxkey {
    int      used;
    uint8_t  key_id[8];
    uint64_t instance;
    uint8_t  subkey[32];
} mesh_rxkey;

typedef struct mesh_peer {
    char          id[FCP_NODE_ID_MAX + 1];
    size_t        id_len;
    fcp_mesh_addr addr;
    uint32_t      zmask;           /* bit z: member of zone z (D-MESH-9) */
    size_t        zmember[FCP_MESH_MAX_ZONES]; /* index in zone z's sorted members */
    int           initiator;       /* 1: our id sorts first, we send the Hello */
    fcp_session_initiator ini;
    int           hs_running;
    int           hs_rekey;        /* the running handshake started while up: a rekey */
    int           heard;           /* an authentic datagram arrived since the last install */
    uint64_t      next_hs_ns;
    fcp_session_chan chan;
    mesh_ctl_keys ctl[3];
    uint64_t      ctl_installs;
    int           up;
    uint64_t      up_since_ns;
    uint64_t      last_rx_ns;
    mesh_tx      *hq_head, *hq_tail; /* datagrams that go first: control, response symbols */
    mesh_tx      *q_head, *q_tail;   /* pushed symbols (put, repair) */
    mesh_tx      *sq_head, *sq_tail; /* control messages for the FCPC stream (D-MESH-11) */
    uint64_t      q_bytes;         /* all three queues */
    size_t        dgram_max;       /* path's datagram limit from the carrier, 0 = default */
    int           stream;          /* a reliable FCPC stream to the peer is up */
    uint32_t      q_serves;        /* response symbols queued */
    mesh_bucket   req_bucket, push_bucket, hs_bucket;
    mesh_serve    serve[MESH_SERVE_SLOTS];
    mesh_view     view[FCP_MESH_MAX_ZONES];
    mesh_rxkey    rxkey[FCP_MESH_MAX_ZONES];
    uint64_t      gossip_next_ns;
    int           gossip_has_cursor[FCP_MESH_MAX_ZONES];
    uint8_t       gossip_cursor[FCP_MESH_MAX_ZONES][FCP_OBJECT_ID_BYTES];
    uint64_t      dgrams_in, dgrams_out;
    uint64_t      ask_since_ns;    /* oldest unanswered SymbolRequest, 0 = none */
} mesh_peer;

typedef struct mesh_zone {
    fcp_mesh_zone_config cfg;
    uint8_t  hash[FCP_ZONE_ID_HASH_BYTES];
    uint8_t  send_subkey[32];
} mesh_zone;

/* ---- fetches and operations ------------------------------------------------ */

/* One object being decoded (for a get or a repair). */
typedef struct mesh_fetch {
    int      used;
    uint8_t  id[FCP_OBJECT_ID_BYTES];
    size_t   zone;
    int      have_kt;
    uint32_t k;
    uint16_t T;
    fcp_rq_block_decoder *dec;
    uint8_t *seen;                       /* bitmap of ESIs < seen_max given to the decoder */
    uint32_t seen_max;
    uint32_t added;                      /* distinct symbols given to the decoder */
    uint64_t bytes;                      /* decode budget charged */
    uint64_t nonce;
    uint32_t asked[FCP_MESH_MAX_PEERS];  /* symbols still expected per peer */
    uint64_t next_request_ns;
    uint64_t deadline_ns;
    uint32_t rounds;
    int      done;                       /* 1 ok, <0 failed */
    uint8_t *obj;                        /* verified canonical bytes */
    size_t   obj_len;
    size_t   body_off;                   /* body within obj */
    int      schema;                     /* MESH_SCHEMA_* of the verified object */
    uint32_t chunk;                      /* chunk index (get of a manifest) */
    uint8_t  asked_any[FCP_MESH_MAX_PEERS];
    uint64_t owner;                      /* op id */
    /* silent peers (D-MESH-13): heard = the peer sent a symbol since we
     * last asked it; silent = it sent nothing since then while another
     * peer answered in full (or for request_retry_ms): left out of the
     * rounds until the next timer round while the other holders suffice.
     * Its late symbols still count. */
    uint8_t  heard[FCP_MESH_MAX_PEERS];
    uint8_t  silent[FCP_MESH_MAX_PEERS];
    uint32_t added_at_round;             /* `added` when the last round was asked */
} mesh_fetch;

enum mesh_schema { MESH_SCHEMA_OTHER = 0, MESH_SCHEMA_RAW = 1, MESH_SCHEMA_MANIFEST = 2 };

enum mesh_op_kind { MESH_OP_GET = 1, MESH_OP_REPAIR = 2, MESH_OP_PUT = 3 };

typedef struct mesh_op {
    int      used;
    int      kind;
    uint64_t id;
    int      state;            /* FCP_ERQ_NEED_MORE running, 0 done, < 0 failed */
    uint8_t  root[FCP_OBJECT_ID_BYTES];
    size_t   zone;
    int      root_fetch;       /* fetch slot of the root, -1 when done */
    /* get of a chunked object */
    uint8_t *manifest_obj;     /* owns the manifest's canonical bytes */
    fcp_chunk_manifest man;
    fcp_chunk_assembler asm_;
    int      asm_live;
    uint32_t next_chunk;
    uint8_t *result;
    size_t   result_len;
    /* repair */
    size_t   repair_peer;
    /* put: pushes still queued */
    uint64_t put_pending;
    /* get whose object's zone is not known yet (D-MESH-13): the store and
     * the gossip views are re-checked until this time (0: not waiting) */
    uint64_t discover_until_ns;
    uint64_t get_deadline_ns;  /* get: started + get_timeout_ms */
} mesh_op;

/* ---- the node ------------------------------------------------------------------ */

#define MESH_EVENT_QUEUE 256u
#define MESH_RECENT_REPAIRS 256u

/* An object we put, kept until every peer confirmed its share. */
typedef struct mesh_pending {
    uint8_t  id[FCP_OBJECT_ID_BYTES];
    size_t   zone;
    uint32_t flags;
    uint16_t T;           /* symbol size the put chose (D-MESH-12) */
    uint8_t *obj;
    size_t   len;
} mesh_pending;

typedef struct mesh_recent {
    uint8_t  id[FCP_OBJECT_ID_BYTES];
    size_t   peer;
    uint64_t until_ns;
} mesh_recent;

struct fcp_mesh_node {
    char              self_id[FCP_NODE_ID_MAX + 1];
    size_t            self_len;
    uint8_t           sig_sk[64];
    const fcp_clock  *clk;
    const fcp_rng    *rng;
    fcp_mesh_store    store;
    fcp_mesh_zone_key_fn zk_fn;
    void             *zk_ctx;
    fcp_mesh_limits   lim;
    fcp_rq_config     rq;
    fcp_symreq_policy symreq;
    fcp_fcps_limits   flim;
    uint64_t          instance;
    size_t            zself[FCP_MESH_MAX_ZONES];   /* our index among zone z's members */
    size_t            zn[FCP_MESH_MAX_ZONES];      /* members of zone z, us included */
    fcp_session_trust trust;
    fcp_session_config scfg;
    fcp_session_responder resp;
    mesh_bucket       hs_bucket;   /* handshakes from unconfigured addresses */
    mesh_zone         zones[FCP_MESH_MAX_ZONES];
    size_t            n_zones;
    mesh_peer         peers[FCP_MESH_MAX_PEERS];
    size_t            n_peers;
    fcp_fcps_seq_slot seq_slots[FCP_MESH_MAX_ZONES * 2];
    fcp_fcps_seq_table seqs;
    mesh_raw          raw[MESH_RAW_QUEUE];
    size_t            raw_head, raw_n;
    size_t            tx_rr;       /* round-robin start for poll_tx */
    uint64_t          tx_bytes;
    fcp_mesh_event    ev[MESH_EVENT_QUEUE];
    size_t            ev_head, ev_n;
    mesh_op          *ops;         /* lim.max_ops */
    mesh_fetch       *fetches;     /* lim.max_ops * (get_max_objects + 1) */
    size_t            n_fetches;
    uint64_t          next_op_id;
    uint64_t          decode_bytes;
    int               ops_kick;    /* a fetch finished: run the ops at once */
    uint64_t          repair_next_ns;
    int               repair_has_cursor[FCP_MESH_MAX_ZONES];
    uint8_t           repair_cursor[FCP_MESH_MAX_ZONES][FCP_OBJECT_ID_BYTES];
    mesh_recent       recent[MESH_RECENT_REPAIRS];
    size_t            recent_next;
    mesh_pending     *pending;     /* put cache, in put order */
    size_t            n_pending, cap_pending;
    uint64_t          pending_bytes;
    fcp_mesh_counters c;
    fcp_session_out   hs_out;      /* handshake engine output (large) */
    fcp_symbol_request sreq;       /* request being decoded or built (large) */
    fcp_symbol_ack    sack;
    uint8_t           scratch[FCP_MESH_MAX_DATAGRAM];
};

/* ---- cross-module helpers ------------------------------------------------------ */

uint64_t mesh_now(const fcp_mesh_node *n);
void mesh_event(fcp_mesh_node *n, fcp_mesh_event_type t, int err, uint64_t op, int peer,
                const uint8_t *id, uint32_t count);
int mesh_zone_index(const fcp_mesh_node *n, const char *zone, size_t *idx);
int mesh_zone_by_hash(const fcp_mesh_node *n, const uint8_t hash[32], size_t *idx);
/* 1 if peer p is a member of zone z (D-MESH-9). */
static inline int mesh_serves(const mesh_peer *p, size_t z) { return (p->zmask >> z) & 1u; }
/* Member index of zone z -> peer index (or SIZE_MAX for self). */
size_t mesh_member_peer(const fcp_mesh_node *n, size_t zone, size_t member);
/* Symbols each member of zone holds of an object with k source symbols
 * (D-MESH-1 over the zone's members, D-MESH-9). */
uint32_t mesh_share(const fcp_mesh_node *n, size_t zone, uint32_t k);
/* Recompute every zone's sorted member list (zself, zn, peers' zmember). */
void mesh_members_compute(fcp_mesh_node *n);

/* Queue a symbol toward peer p (copying data).  0, FCP_EMESH_BUSY (budget;
 * counted). */
int mesh_queue_symbol(fcp_mesh_node *n, size_t p, size_t zone, uint16_t flags,
                      const uint8_t id[32], uint32_t esi, uint16_t k, const uint8_t *data,
                      uint16_t T);
/* Queue a control message (type, body) toward peer p. */
int mesh_queue_control(fcp_mesh_node *n, size_t p, uint8_t type, const uint8_t *body,
                       size_t len);
/* Drop queued response symbols of object id toward peer p. */
void mesh_cancel_serves(fcp_mesh_node *n, size_t p, const uint8_t id[32]);

/* mesh_ctl.c: seal a queued control item into a datagram / open one. */
int mesh_ctl_seal(fcp_mesh_node *n, mesh_peer *p, const mesh_tx *t, uint8_t *out, size_t cap,
                  size_t *out_len);
int mesh_ctl_open(fcp_mesh_node *n, mesh_peer *p, const uint8_t session_id[16],
                  const fcp_fcps_frame *f, uint8_t *frame, size_t frame_len, uint8_t *type,
                  const uint8_t **body, size_t *body_len);
void mesh_ctl_install(mesh_peer *p, const fcp_session_keys *k, const char *self_id,
                      size_t self_len);
/* The FCPC stream form (D-MESH-11): seal queued control item t into one
 * frame / open one received frame into pt[0..cap) (type, body point into pt). */
int mesh_ctl_stream_seal(mesh_peer *p, const mesh_tx *t, uint8_t *out, size_t cap,
                         size_t *out_len);
int mesh_ctl_stream_open(mesh_peer *p, const uint8_t *frame, size_t len, uint8_t *pt,
                         size_t cap, uint8_t *type, const uint8_t **body, size_t *body_len);

/* mesh_put.c: encode obj with symbol size T and place it (only_peer >= 0:
 * that peer's share only).  T must be the object's symbol size everywhere
 * (the put's choice, or the stored/decoded object's). */
int mesh_encode_and_place(fcp_mesh_node *n, size_t zone, const uint8_t id[32], const uint8_t *obj,
                          size_t len, uint16_t T, uint32_t flags, long only_peer, uint64_t *pushed);
/* Symbol size of a new put in zone (D-MESH-12): the symbol_size limit, or
 * less when a member's path carries only smaller datagrams. */
uint16_t mesh_put_symbol_size(const fcp_mesh_node *n, size_t zone);

/* mesh_repair.c: the put cache */
const mesh_pending *mesh_pending_find(const fcp_mesh_node *n, const uint8_t id[32]);
/* Make room for `bytes` more (evicting confirmed objects): 0 or FCP_EMESH_BUSY. */
int mesh_pending_reserve(fcp_mesh_node *n, uint64_t bytes);
int mesh_pending_add(fcp_mesh_node *n, const uint8_t id[32], size_t zone, uint32_t flags,
                     uint16_t T, const uint8_t *obj, size_t len);
void mesh_pending_free(fcp_mesh_node *n);

/* mesh_fetch.c */
int mesh_fetch_start(fcp_mesh_node *n, const uint8_t id[32], size_t zone, uint64_t owner,
                     int *slot);
void mesh_fetch_free(fcp_mesh_node *n, mesh_fetch *f);
int mesh_on_response_symbol(fcp_mesh_node *n, size_t p, const fcp_fcps_frame *f,
                            const fcp_fcps_record *r, size_t zone);
int mesh_on_symbol_request(fcp_mesh_node *n, size_t p, const uint8_t *body, size_t len);
int mesh_on_symbol_ack(fcp_mesh_node *n, size_t p, const uint8_t *body, size_t len);
int mesh_fetch_tick(fcp_mesh_node *n);
int mesh_ops_tick(fcp_mesh_node *n);
mesh_op *mesh_op_find(fcp_mesh_node *n, uint64_t id);
void mesh_op_clear(fcp_mesh_node *n, mesh_op *op);
/* Start repairing object id (zone) for peer: decode, then push its share. */
int mesh_op_start_repair(fcp_mesh_node *n, const uint8_t id[32], size_t zone, size_t peer);
/* Parse verified canonical object bytes: header end and body span. */
int mesh_object_parse(const uint8_t *obj, size_t len, size_t *hdr_len, size_t *obj_len);

/* mesh_repair.c */
int mesh_on_gossip(fcp_mesh_node *n, size_t p, const uint8_t *body, size_t len);
int mesh_gossip_tick(fcp_mesh_node *n);
int mesh_repair_tick(fcp_mesh_node *n);
/* Peer pi went down or restarted: cancel the repairs toward it (slots freed,
 * FCP_MESH_EV_REPAIR with err) and make its (object, peer) pairs eligible
 * for the next scan, which runs at once. */
void mesh_repair_cancel_peer(fcp_mesh_node *n, size_t pi, int err);
void mesh_view_clear(mesh_peer *p);
const mesh_view_entry *mesh_view_find(const mesh_view *v, const uint8_t id[32]);
void mesh_view_free(mesh_peer *p);
uint64_t mesh_view_bytes(const mesh_peer *p);

#endif
