/*
 * mesh_fetch.c - getting objects back: one "fetch" decodes one object from
 * the symbols we hold plus bounded SymbolRequests to up peers (spec §9.2.1),
 * the responder side that serves those requests under the allowance rule
 * (D-SESSION-5) and a per-peer token bucket (§8.4), and get operations that
 * assemble chunked payloads (Appendix B).
 *
 * A fetch asks each up peer for its part of what is still missing:
 * ceil((K + overhead - received) / up_peers) + 2 symbols, with a DecodeStatus
 * as proof of need (before K is known: no proof, so the unauthenticated cap of
 * 32 applies).  Each peer may then send us at most what we asked of it;
 * anything beyond is dropped as unsolicited, so a peer cannot make us buffer
 * more than we chose to.  What we ask of a peer is what it can send (never
 * more than its digest shows, exactly the ESIs a want_esi round names), so
 * `asked` drains when it has answered in full.  Silence for request_retry_ms
 * re-asks; every other re-ask names the ESIs of the peer's placement class
 * still missing (want_esi), so what the network lost comes back at once.
 * Each ESI is counted once (a bitmap filters duplicates before the decoder),
 * so the DecodeStatus never overstates what we hold.  The fetch fails at
 * get_timeout_ms.  When the decoder completes, the object is verified
 * (canonical form, zero padding, zone, keyed ObjectId) and every asked peer
 * gets a SymbolAck so it stops sending.
 *
 * Peers that stop answering (D-MESH-13): when a peer has sent all we asked
 * of it and the decoder still needs more, the rest is asked at once of the
 * peers that owe us nothing (D-MESH-10); a peer still owing symbols that
 * sent none since we asked it is "silent" (dead but not yet seen down, or
 * far slower) and is left out of the rounds until the next timer round, as
 * long as the other holders can supply enough.  A round that brought only
 * duplicates waits for the timer (no request storm).
 *
 * A get of an object whose zone this node does not know yet (put elsewhere
 * a moment ago) waits up to 3 gossip intervals (at most get_timeout_ms) for
 * the object to appear in the store or a digest before it fails with
 * FCP_EMESH_UNKNOWN_OBJECT (D-MESH-13).
 */
#include <stdlib.h>
#include <string.h>

#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/model_object.h"
#include "mesh/mesh_internal.h"

#define OBJECT_PREFIX     "FCP2-OBJECT-V1"
#define OBJECT_PREFIX_LEN 14u
/* Objects a fetch accepts: a RawChunk up to the chunk threshold plus its
 * header, or a manifest; K*T beyond this is refused before allocating. */
#define FETCH_MAX_BLOCK   (1u << 20)
/* A get of an object not known here waits this many gossip intervals for
 * the object to show up (D-MESH-13). */
#define MESH_DISCOVERY_ROUNDS 3u

/* ---- object parsing ----------------------------------------------------------- */

int mesh_object_parse(const uint8_t *obj, size_t len, size_t *hdr_len, size_t *obj_len)
{
    fcp_cbor_dec d;
    fcp_cbor_limits lim = { .max_depth = FCP_CBOR_DEFAULT_DEPTH,
                            .max_items = FCP_CBOR_DEFAULT_ITEMS, .max_input = len, .allow = 0 };
    if (len < OBJECT_PREFIX_LEN + 1 + FCP_SCHEMA_HASH_BYTES ||
        memcmp(obj, OBJECT_PREFIX, OBJECT_PREFIX_LEN) != 0)
        return FCP_EMESH_OBJECT;
    size_t off = OBJECT_PREFIX_LEN;
    fcp_cbor_dec_init(&d, obj + off, len - off, &lim);
    if (fcp_cbor_skip(&d) < 0)
        return FCP_EMESH_OBJECT;
    *hdr_len = fcp_cbor_dec_offset(&d);
    off += *hdr_len + FCP_SCHEMA_HASH_BYTES;
    if (off >= len)
        return FCP_EMESH_OBJECT;
    fcp_cbor_dec_init(&d, obj + off, len - off, &lim);
    if (fcp_cbor_skip(&d) < 0)
        return FCP_EMESH_OBJECT;
    *obj_len = off + fcp_cbor_dec_offset(&d);
    return 0;
}

/* ---- fetch slots ----------------------------------------------------------------- */

void mesh_fetch_free(fcp_mesh_node *n, mesh_fetch *f)
{
    if (!f->used)
        return;
    fcp_rq_block_decoder_free(f->dec);
    free(f->seen);
    n->decode_bytes -= f->bytes;
    free(f->obj);
    memset(f, 0, sizeof *f);
}

static int fetch_decoder(fcp_mesh_node *n, mesh_fetch *f, uint32_t k, uint16_t T)
{
    if (k == 0 || T < FCP_FCPS_MIN_SYMBOL_SIZE || (uint64_t)k * T > FETCH_MAX_BLOCK)
        return FCP_EMESH_BUDGET;
    uint64_t charge = (uint64_t)k * T;
    if (n->decode_bytes + charge > n->lim.max_decode_bytes) {
        n->c.drop_decode_budget++;
        return FCP_EMESH_BUDGET;
    }
    /* every ESI a placement or a repair puts on a member is below
     * n_members(zone) * (share + 1); those are counted once each (a duplicate,
     * from a retransmission, a repeated serve or the network, would
     * otherwise make `added` and the DecodeStatus overstate what we hold,
     * and the requests ask too little) */
    uint64_t smax = (uint64_t)n->zn[f->zone] * (mesh_share(n, f->zone, k) + 1u);
    if (smax > (uint64_t)FCP_RQ_MAX_ESI + 1u)
        smax = (uint64_t)FCP_RQ_MAX_ESI + 1u;
    if (!(f->seen = calloc((size_t)(smax + 7u) / 8u, 1)))
        return FCP_ENOMEM;
    f->seen_max = (uint32_t)smax;
    int rc = fcp_rq_block_decoder_new(&f->dec, k, T, NULL);
    if (rc < 0) {
        free(f->seen);
        f->seen = NULL;
        f->seen_max = 0;
        return rc;
    }
    f->have_kt = 1;
    f->k = k;
    f->T = T;
    f->bytes += charge;
    n->decode_bytes += charge;
    return 0;
}

static void send_acks(fcp_mesh_node *n, mesh_fetch *f)
{
    fcp_symbol_ack *a = &n->sack;
    fcp_buf b;
    for (size_t pi = 0; pi < n->n_peers; pi++) {
        if (!f->asked_any[pi] || !n->peers[pi].up)
            continue;
        memset(a, 0, sizeof *a);
        memcpy(a->t.object_id, f->id, 32);
        memcpy(a->t.zone_id, n->zones[f->zone].cfg.zone_id, sizeof a->t.zone_id);
        memcpy(a->t.zone_key_id, n->zones[f->zone].cfg.zone_key_id, 8);
        memcpy(a->recipient, n->peers[pi].id, n->peers[pi].id_len);
        a->request_nonce = f->nonce;
        a->reason = FCP_SYMACK_COMPLETE;
        a->final_symbol_count = f->added;
        fcp_buf_init(&b);
        if (fcp_symbol_ack_encode(a, &b) == 0)
            (void)mesh_queue_control(n, pi, MESH_CTL_SYMBOL_ACK, b.data, b.len);
        fcp_buf_free(&b);
        f->asked_any[pi] = 0;
        f->asked[pi] = 0;
    }
}

/* The decoder finished: verify the object and keep its bytes. */
static int fetch_finish(fcp_mesh_node *n, mesh_fetch *f)
{
    const uint8_t *data = fcp_rq_block_decoder_data(f->dec);
    size_t blen = (size_t)f->k * f->T, hl, ol;
    int rc = mesh_object_parse(data, blen, &hl, &ol);
    fcp_object_header *h = NULL;
    if (rc == 0 && fcp_rq_fcp_unpad(data, f->k, f->T, ol) < 0)
        rc = FCP_EMESH_OBJECT;
    if (rc == 0 && !(h = malloc(sizeof *h)))
        rc = FCP_ENOMEM;
    if (rc == 0 && fcp_object_header_decode(h, data + OBJECT_PREFIX_LEN, hl) < 0)
        rc = FCP_EMESH_OBJECT;
    if (rc == 0 && strcmp(h->zone_id, n->zones[f->zone].cfg.zone_id) != 0)
        rc = FCP_EMESH_OBJECT_ID;
    if (rc == 0) {
        uint8_t id[32];
        rc = fcp_object_id(id, &n->zones[f->zone].cfg.oid_key, h->zone_id, strlen(h->zone_id),
                           &h->schema, data, ol);
        if (rc == 0 && memcmp(id, f->id, 32) != 0)
            rc = FCP_EMESH_OBJECT_ID;
    }
    if (rc == 0) {
        fcp_schema_id s;
        fcp_raw_chunk_schema(&s);
        f->schema = fcp_schema_id_equal(&s, &h->schema) ? MESH_SCHEMA_RAW : MESH_SCHEMA_OTHER;
        fcp_chunk_manifest_schema(&s);
        if (fcp_schema_id_equal(&s, &h->schema))
            f->schema = MESH_SCHEMA_MANIFEST;
        f->body_off = OBJECT_PREFIX_LEN + hl;
        if (!(f->obj = malloc(ol)))
            rc = FCP_ENOMEM;
        else {
            memcpy(f->obj, data, ol);
            f->obj_len = ol;
        }
    }
    free(h);
    fcp_rq_block_decoder_free(f->dec);
    f->dec = NULL;
    free(f->seen);
    f->seen = NULL;
    n->decode_bytes -= f->bytes;
    f->bytes = 0;
    send_acks(n, f);
    n->ops_kick = 1; /* its op collects it and starts the next fetch now */
    if (rc < 0) {
        f->done = rc;
        n->c.decodes_failed++;
        return 0;
    }
    f->done = 1;
    n->c.decodes_ok++;
    mesh_event(n, FCP_MESH_EV_OBJECT_COMPLETE, 0, f->owner, -1, f->id, f->added);
    return 0;
}

static int fetch_add(fcp_mesh_node *n, mesh_fetch *f, uint32_t esi, const uint8_t *sym)
{
    if (n->decode_bytes + f->T > n->lim.max_decode_bytes) {
        n->c.drop_decode_budget++;
        return FCP_EMESH_BUDGET;
    }
    int known = esi < f->seen_max;
    if (known && (f->seen[esi / 8u] >> (esi % 8u) & 1u))
        return 0; /* duplicate: the decoder has it */
    int rc = fcp_rq_block_decoder_add(f->dec, esi, sym, f->T);
    if (rc == FCP_ERQ_NEED_MORE || rc == 0) {
        if (known)
            f->seen[esi / 8u] |= (uint8_t)(1u << (esi % 8u));
        f->added++;
        f->bytes += f->T;
        n->decode_bytes += f->T;
    }
    if (rc == 0)
        return fetch_finish(n, f);
    if (rc == FCP_ERQ_NEED_MORE)
        return 0;
    if (rc == FCP_ENOMEM)
        return rc;
    n->c.drop_decode_budget++;
    return FCP_EMESH_BUDGET;
}

/* 1 if peer pi is known (from gossip) to hold symbols of f's object and has
 * not left a request unanswered for two retry periods (a peer that died but
 * is not yet declared down). */
static int peer_holds(const fcp_mesh_node *n, size_t pi, const mesh_fetch *f, uint64_t now)
{
    const mesh_peer *p = &n->peers[pi];
    const mesh_view_entry *e = mesh_view_find(&p->view[f->zone], f->id);
    if (!e || e->count == 0)
        return 0;
    return !(p->ask_since_ns &&
             now - p->ask_since_ns > 2ull * n->lim.request_retry_ms * MESH_NS_PER_MS);
}

/* Symbols peer pi can still give f (D-MESH-13): the ESIs of its placement
 * class (D-MESH-1) we lack, at most what its digest says it holds, plus
 * what it holds beyond its class (older placements); UINT32_MAX when its
 * digest does not list the object or K is not known yet. */
static uint32_t peer_avail(const fcp_mesh_node *n, size_t pi, const mesh_fetch *f)
{
    const mesh_view_entry *e = mesh_view_find(&n->peers[pi].view[f->zone], f->id);
    if (!e)
        return UINT32_MAX;
    if (!f->have_kt || !f->seen)
        return e->count;
    size_t nm = n->zn[f->zone];
    uint32_t share = mesh_share(n, f->zone, f->k), missing = 0;
    for (uint32_t i = 0; i < share; i++) {
        uint64_t esi = n->peers[pi].zmember[f->zone] + (uint64_t)nm * i;
        if (esi >= f->seen_max)
            break;
        missing += !(f->seen[esi / 8u] >> (esi % 8u) & 1u);
    }
    uint32_t extra = e->count > share ? e->count - share : 0;
    return (missing < e->count ? missing : e->count) + extra;
}

/* Which peers a round asks (D-MESH-13): the first of these sets that is
 * not empty and, where digests tell, can give enough symbols to decode:
 * the holders (gossip) that are not silent, then every holder, then the up
 * members that are not silent, then every up member.  Silence only keeps
 * the rounds in between timer rounds from waiting for a peer: a timer round
 * starts at "every holder", so no holder stays unasked for longer than a
 * retry period.  A round started by an answer asks only peers that owe us
 * nothing (the others' requests still stand); no round but a timer round
 * asks a peer that can give nothing new. */
enum { ASK_HOLDERS, ASK_HOLDERS_ANY, ASK_UP, ASK_UP_ANY };
enum { ROUND_START, ROUND_ANSWER, ROUND_TIMER };

static int ask_eligible(const fcp_mesh_node *n, size_t pi, const mesh_fetch *f, uint64_t now,
                        int mode, int kind, uint32_t *avail)
{
    const mesh_peer *p = &n->peers[pi];
    if (!p->up || !mesh_serves(p, f->zone) || (kind == ROUND_ANSWER && f->asked[pi]))
        return 0;
    if ((mode == ASK_HOLDERS || mode == ASK_UP) && f->silent[pi])
        return 0;
    if (mode < ASK_UP && !peer_holds(n, pi, f, now))
        return 0;
    *avail = peer_avail(n, pi, f);
    return *avail > 0 || kind == ROUND_TIMER;
}

/* The set of peers to ask: mode, and their number in *askn. */
static int ask_choose(const fcp_mesh_node *n, const mesh_fetch *f, uint64_t now, int kind,
                      size_t *askn)
{
    uint64_t need = f->have_kt ? (uint64_t)f->k + n->lim.decode_overhead : 0;
    int mode = kind == ROUND_TIMER ? ASK_HOLDERS_ANY : ASK_HOLDERS;
    for (; mode <= ASK_UP_ANY; mode++) {
        uint64_t cover = f->added;
        uint32_t av;
        *askn = 0;
        for (size_t pi = 0; pi < n->n_peers; pi++)
            if (ask_eligible(n, pi, f, now, mode, kind, &av)) {
                (*askn)++;
                cover += av;
            }
        if (*askn && (cover >= need || mode == ASK_UP_ANY))
            return mode;
    }
    return ASK_UP_ANY;
}

/* Ask the peers chosen above for what is missing: the first round splits
 * it among them, later rounds ask each for all of it (a holder may have
 * fewer than its part).  What a peer is asked for is what it will send
 * (D-MESH-13): never more than its digest says it holds nor than a request
 * may carry, and exactly the ESIs named in a want_esi round; so `asked`
 * drains to 0 when a peer has answered in full. */
static int fetch_request(fcp_mesh_node *n, mesh_fetch *f, int kind)
{
    uint64_t now = mesh_now(n);
    size_t askn = 0;
    int mode;
    for (size_t pi = 0; pi < n->n_peers; pi++)
        if (!f->asked_any[pi])   /* never asked, or its session went down since */
            f->silent[pi] = f->heard[pi] = 0;
    f->added_at_round = f->added;
    mode = ask_choose(n, f, now, kind, &askn);
    f->next_request_ns = now + (uint64_t)n->lim.request_retry_ms * MESH_NS_PER_MS;
    if (askn == 0)
        return 0;
    f->rounds++;
    uint32_t want = FCP_SYMREQ_UNAUTH_CAP;
    if (f->have_kt) {
        uint64_t need = (uint64_t)f->k + n->lim.decode_overhead;
        need = need > f->added ? need - f->added : 1;
        want = (uint32_t)(f->rounds == 1 ? (need + askn - 1) / askn + 2 : need + 2);
    }
    if (want > n->symreq.max_per_request)
        want = n->symreq.max_per_request;
    fcp_symbol_request *r = &n->sreq;
    for (size_t pi = 0; pi < n->n_peers; pi++) {
        uint32_t ask = want, avail;
        if (!ask_eligible(n, pi, f, now, mode, kind, &avail))
            continue;
        if (avail && avail < ask)
            ask = avail;
        memset(r, 0, sizeof *r);
        memcpy(r->t.object_id, f->id, 32);
        memcpy(r->t.zone_id, n->zones[f->zone].cfg.zone_id, sizeof r->t.zone_id);
        memcpy(r->t.zone_key_id, n->zones[f->zone].cfg.zone_key_id, 8);
        memcpy(r->requester, n->self_id, n->self_len);
        r->request_nonce = f->nonce;
        if (f->have_kt) {
            fcp_decode_status *s = &r->decode_status;
            r->has_decode_status = 1;
            s->t = r->t;
            memcpy(s->recipient, n->peers[pi].id, n->peers[pi].id_len);
            s->request_nonce = f->nonce;
            s->needed = f->k + n->lim.decode_overhead;
            s->received_unique = f->added < s->needed ? f->added : s->needed - 1;
        }
        /* every other retry names the ESIs of the peer's placement class
         * (D-MESH-1) that we still lack, so what the network lost is
         * re-sent at once instead of when the peer's serve cursor comes
         * round to it again; the rounds between use the cursor, which also
         * finds symbols outside the class */
        if (f->have_kt && f->seen && f->rounds > 1 && (f->rounds & 1u) == 0) {
            size_t nm = n->zn[f->zone], cnt = 0;
            uint32_t share = mesh_share(n, f->zone, f->k);
            uint32_t lim = ask < FCP_SYMREQ_MAX_ESIS ? ask : FCP_SYMREQ_MAX_ESIS;
            for (uint32_t i = 0; i < share && cnt < lim; i++) {
                uint64_t esi = n->peers[pi].zmember[f->zone] + (uint64_t)nm * i;
                if (esi >= f->seen_max)
                    break;
                if (!(f->seen[esi / 8u] >> (esi % 8u) & 1u))
                    r->want_esi[cnt++] = (uint32_t)esi;
            }
            if (cnt) {
                r->has_want_esi = 1;
                r->n_want = cnt;
                ask = (uint32_t)cnt;
            }
        }
        r->max_symbols = ask;
        r->requested_at = fcp_clock_unix_secs(n->clk);
        fcp_buf b;
        fcp_buf_init(&b);
        int rc = fcp_symbol_request_encode(r, &b);
        if (rc == 0)
            rc = mesh_queue_control(n, pi, MESH_CTL_SYMBOL_REQUEST, b.data, b.len);
        fcp_buf_free(&b);
        if (rc == FCP_ENOMEM)
            return rc;
        if (rc == 0) {
            uint64_t a = (uint64_t)f->asked[pi] + ask;
            uint64_t cap = f->have_kt ? 2ull * f->k + 64 : 2ull * FCP_SYMREQ_UNAUTH_CAP;
            f->asked[pi] = (uint32_t)(a > cap ? cap : a);
            f->asked_any[pi] = 1;
            f->heard[pi] = 0;
            if (!n->peers[pi].ask_since_ns)
                n->peers[pi].ask_since_ns = now;
        }
    }
    return 0;
}

int mesh_fetch_start(fcp_mesh_node *n, const uint8_t id[32], size_t zone, uint64_t owner,
                     int *slot)
{
    mesh_fetch *f = NULL;
    for (size_t i = 0; i < n->n_fetches; i++)
        if (!n->fetches[i].used) {
            f = &n->fetches[i];
            *slot = (int)i;
            break;
        }
    if (!f)
        return FCP_EMESH_BUSY;
    memset(f, 0, sizeof *f);
    f->used = 1;
    memcpy(f->id, id, 32);
    f->zone = zone;
    f->owner = owner;
    uint64_t now = mesh_now(n);
    f->deadline_ns = now + (uint64_t)n->lim.get_timeout_ms * MESH_NS_PER_MS;
    int rc = fcp_rng_fill(n->rng, &f->nonce, sizeof f->nonce);
    if (rc < 0)
        goto fail;
    fcp_mesh_obj_meta m;
    if (n->store.stat(n->store.ctx, id, &m) == 0 && strcmp(m.zone_id, n->zones[zone].cfg.zone_id) == 0) {
        if ((rc = fetch_decoder(n, f, m.k, m.symbol_size)) < 0)
            goto fail;
        uint32_t esis[128];
        uint8_t *sym = malloc(m.symbol_size);
        if (!sym) {
            rc = FCP_ENOMEM;
            goto fail;
        }
        uint32_t from = 0;
        while (!f->done) {
            size_t got;
            if (n->store.list_esis(n->store.ctx, id, from, esis, 128, &got) < 0 || got == 0)
                break;
            for (size_t i = 0; i < got && !f->done; i++) {
                size_t sl;
                if (n->store.get_symbol(n->store.ctx, id, esis[i], sym, m.symbol_size, &sl) < 0 ||
                    sl != m.symbol_size)
                    continue;
                if ((rc = fetch_add(n, f, esis[i], sym)) < 0 && rc != FCP_EMESH_BUDGET) {
                    free(sym);
                    goto fail;
                }
            }
            from += (uint32_t)got;
        }
        free(sym);
    }
    if (!f->done && (rc = fetch_request(n, f, ROUND_START)) < 0)
        goto fail;
    return 0;
fail:
    mesh_fetch_free(n, f);
    return rc;
}

int mesh_on_response_symbol(fcp_mesh_node *n, size_t pi, const fcp_fcps_frame *fr,
                            const fcp_fcps_record *r, size_t zone)
{
    mesh_fetch *f = NULL;
    for (size_t i = 0; i < n->n_fetches; i++) {
        mesh_fetch *x = &n->fetches[i];
        if (x->used && !x->done && x->zone == zone && x->asked[pi] > 0 &&
            memcmp(x->id, fr->h.object_id, 32) == 0) {
            f = x;
            break;
        }
    }
    if (!f) { /* nobody asked this peer for this object (or no longer) */
        n->c.drop_unsolicited++;
        return 0;
    }
    f->asked[pi]--;
    f->heard[pi] = 1;
    f->silent[pi] = 0;
    n->peers[pi].ask_since_ns = 0; /* it answers */
    if (!f->have_kt) {
        int rc = fetch_decoder(n, f, r->k, fr->h.symbol_size);
        if (rc == FCP_ENOMEM)
            return rc;
        if (rc < 0) {
            n->c.drop_unsolicited++;
            return 0;
        }
        /* K is known now, so we can prove our need: re-ask soon rather than
         * after a whole retry period (without proof each peer sends at most
         * FCP_SYMREQ_UNAUTH_CAP, which rarely covers K: an empty node would
         * wait request_retry_ms for every chunk it gets) */
        uint64_t soon = mesh_now(n) + (uint64_t)n->lim.request_retry_ms * MESH_NS_PER_MS / 10u;
        if (f->next_request_ns > soon)
            f->next_request_ns = soon;
    } else if (r->k != f->k || fr->h.symbol_size != f->T) {
        n->c.drop_unsolicited++;
        return 0;
    }
    int rc = fetch_add(n, f, r->esi, r->data);
    if (rc < 0 || f->done || f->asked[pi])
        return rc;
    if (f->added == f->added_at_round)
        return 0;   /* the round brought nothing new (duplicates): the timer re-asks */
    /* peer pi has sent all we asked of it and the decoder still needs more
     * (a first round under the unauthenticated cap, dependent symbols, or
     * another peer's part still missing): ask the peers that owe us nothing
     * for the rest now, with proof, instead of waiting for the timer
     * (D-MESH-10).  Peers still owing symbols keep their requests; those
     * that sent nothing since we asked them are silent (dead, or far slower
     * than pi) and are not asked again before the timer (D-MESH-13).  A
     * silent peer's late symbols still count. */
    for (size_t i = 0; i < n->n_peers; i++)
        if (f->asked[i] && !f->heard[i])
            f->silent[i] = 1;
    return fetch_request(n, f, ROUND_ANSWER);
}

int mesh_fetch_tick(fcp_mesh_node *n)
{
    uint64_t now = mesh_now(n);
    for (size_t i = 0; i < n->n_fetches; i++) {
        mesh_fetch *f = &n->fetches[i];
        if (!f->used || f->done)
            continue;
        if (now >= f->deadline_ns) {
            fcp_rq_block_decoder_free(f->dec);
            f->dec = NULL;
            free(f->seen);
            f->seen = NULL;
            n->decode_bytes -= f->bytes;
            f->bytes = 0;
            f->done = FCP_EMESH_TIMEOUT;
            n->c.decodes_failed++;
            continue;
        }
        if (now >= f->next_request_ns) {
            /* a peer that sent nothing for a whole retry period is silent */
            for (size_t pi = 0; pi < n->n_peers; pi++)
                if (f->asked[pi] && !f->heard[pi])
                    f->silent[pi] = 1;
            int rc = fetch_request(n, f, ROUND_TIMER);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

/* ---- serving requests ----------------------------------------------------------- */

static mesh_serve *serve_slot(fcp_mesh_node *n, mesh_peer *p, const uint8_t id[32])
{
    mesh_serve *oldest = &p->serve[0];
    for (size_t i = 0; i < MESH_SERVE_SLOTS; i++) {
        mesh_serve *s = &p->serve[i];
        if (s->used && memcmp(s->id, id, 32) == 0)
            return s;
        if (!s->used || (oldest->used && s->last_ns < oldest->last_ns))
            oldest = s;
    }
    memset(oldest, 0, sizeof *oldest);
    oldest->used = 1;
    memcpy(oldest->id, id, 32);
    (void)n;
    return oldest;
}

static int serve_one(fcp_mesh_node *n, size_t pi, size_t zi, const fcp_mesh_obj_meta *m,
                     uint32_t esi, uint8_t *sym)
{
    size_t sl;
    if (n->store.get_symbol(n->store.ctx, m->object_id, esi, sym, m->symbol_size, &sl) < 0 ||
        sl != m->symbol_size)
        return 0;
    return mesh_queue_symbol(n, pi, zi, FCP_FCPS_FLAGS_DEFAULT | FCP_FCPS_FLAG_RESPONSE,
                             m->object_id, esi, (uint16_t)m->k, sym, m->symbol_size);
}

int mesh_on_symbol_request(fcp_mesh_node *n, size_t pi, const uint8_t *body, size_t len)
{
    mesh_peer *p = &n->peers[pi];
    if (!mesh_bucket_take(&p->req_bucket, mesh_now(n))) {
        n->c.drop_request_rate++;
        return 0;
    }
    fcp_symbol_request *r = &n->sreq;
    size_t zi;
    if (fcp_symbol_request_decode(r, body, len) < 0 || strcmp(r->requester, p->id) != 0 ||
        mesh_zone_index(n, r->t.zone_id, &zi) < 0) {
        n->c.drop_request_invalid++;
        return 0;
    }
    if (!mesh_serves(p, zi)) {
        n->c.drop_not_member++;   /* a zone's symbols only go to its members (D-MESH-9) */
        return 0;
    }
    fcp_mesh_obj_meta m;
    uint32_t available = 0;
    if (n->store.stat(n->store.ctx, r->t.object_id, &m) == 0 && strcmp(m.zone_id, r->t.zone_id) == 0)
        available = m.n_symbols;
    uint32_t allowed;
    if (fcp_symreq_allowance(&n->symreq, r, 1, available, &allowed) < 0) {
        n->c.drop_request_invalid++;
        return 0;
    }
    if (allowed < r->max_symbols)
        n->c.requests_capped++;
    if (allowed == 0)
        return 0;
    uint8_t *sym = malloc(m.symbol_size);
    if (!sym)
        return FCP_ENOMEM;
    int rc = 0;
    uint32_t sent = 0;
    if (r->has_want_esi) {
        for (size_t i = 0; i < r->n_want && sent < allowed; i++) {
            rc = serve_one(n, pi, zi, &m, r->want_esi[i], sym);
            if (rc < 0)
                break;
            sent++;
        }
    } else {
        mesh_serve *s = serve_slot(n, p, m.object_id);
        s->last_ns = mesh_now(n);
        uint32_t esis[128];
        uint32_t wraps = 0;
        while (sent < allowed && wraps < 2) {
            size_t got;
            if (s->next_index >= m.n_symbols)
                s->next_index = 0;
            uint32_t chunk = allowed - sent < 128 ? allowed - sent : 128;
            if (n->store.list_esis(n->store.ctx, m.object_id, s->next_index, esis, chunk, &got) < 0 ||
                got == 0) {
                s->next_index = 0;
                wraps++;
                continue;
            }
            for (size_t i = 0; i < got; i++) {
                rc = serve_one(n, pi, zi, &m, esis[i], sym);
                if (rc < 0)
                    break;
                sent++;
            }
            if (rc < 0)
                break;
            s->next_index += (uint32_t)got;
            if (s->next_index >= m.n_symbols)
                wraps++;
        }
    }
    free(sym);
    if (rc == FCP_EMESH_BUSY)
        return 0;
    return rc;
}

int mesh_on_symbol_ack(fcp_mesh_node *n, size_t pi, const uint8_t *body, size_t len)
{
    fcp_symbol_ack *a = &n->sack;
    if (fcp_symbol_ack_decode(a, body, len) < 0 || strcmp(a->recipient, n->self_id) != 0) {
        n->c.drop_control++;
        return 0;
    }
    mesh_cancel_serves(n, pi, a->t.object_id);
    mesh_peer *p = &n->peers[pi];
    for (size_t i = 0; i < MESH_SERVE_SLOTS; i++)
        if (p->serve[i].used && memcmp(p->serve[i].id, a->t.object_id, 32) == 0)
            memset(&p->serve[i], 0, sizeof p->serve[i]);
    return 0;
}

/* ---- operations ----------------------------------------------------------------- */

mesh_op *mesh_op_find(fcp_mesh_node *n, uint64_t id)
{
    for (size_t i = 0; i < n->lim.max_ops; i++)
        if (n->ops[i].used && n->ops[i].id == id)
            return &n->ops[i];
    return NULL;
}

static void release_fetches(fcp_mesh_node *n, uint64_t owner)
{
    for (size_t i = 0; i < n->n_fetches; i++)
        if (n->fetches[i].used && n->fetches[i].owner == owner)
            mesh_fetch_free(n, &n->fetches[i]);
}

void mesh_op_clear(fcp_mesh_node *n, mesh_op *op)
{
    release_fetches(n, op->id);
    if (op->asm_live)
        fcp_chunk_assembler_free(&op->asm_);
    free(op->manifest_obj);
    free(op->result);
    memset(op, 0, sizeof *op);
}

static mesh_op *op_alloc(fcp_mesh_node *n, int kind)
{
    for (size_t i = 0; i < n->lim.max_ops; i++)
        if (!n->ops[i].used) {
            mesh_op *op = &n->ops[i];
            memset(op, 0, sizeof *op);
            op->used = 1;
            op->kind = kind;
            op->id = n->next_op_id++;
            op->state = FCP_ERQ_NEED_MORE;
            op->root_fetch = -1;
            return op;
        }
    return NULL;
}

static void op_finish(fcp_mesh_node *n, mesh_op *op, int state)
{
    op->state = state;
    release_fetches(n, op->id);
    op->root_fetch = -1;
    if (op->asm_live) {
        fcp_chunk_assembler_free(&op->asm_);
        op->asm_live = 0;
    }
    free(op->manifest_obj);
    op->manifest_obj = NULL;
    if (op->kind == MESH_OP_GET)
        mesh_event(n, FCP_MESH_EV_GET_DONE, state, op->id, -1, op->root, 0);
}

int mesh_op_start_repair(fcp_mesh_node *n, const uint8_t id[32], size_t zone, size_t peer)
{
    mesh_op *op = op_alloc(n, MESH_OP_REPAIR);
    if (!op)
        return FCP_EMESH_BUSY;
    memcpy(op->root, id, 32);
    op->zone = zone;
    op->repair_peer = peer;
    int slot, rc = mesh_fetch_start(n, id, zone, op->id, &slot);
    if (rc < 0) {
        mesh_op_clear(n, op);
        return rc;
    }
    op->root_fetch = slot;
    /* a repair has its own, shorter deadline: a stuck one must free its slot
     * long before a get would give up (D-MESH-8) */
    mesh_fetch *f = &n->fetches[slot];
    if (!f->done)
        f->deadline_ns = mesh_now(n) + (uint64_t)n->lim.repair_timeout_ms * MESH_NS_PER_MS;
    return 0;
}

static int body_of(const mesh_fetch *f, const uint8_t **body, size_t *len)
{
    *body = f->obj + f->body_off;
    *len = f->obj_len - f->body_off;
    return 0;
}

static int get_root_done(fcp_mesh_node *n, mesh_op *op, mesh_fetch *f)
{
    const uint8_t *body, *bytes;
    size_t blen, len;
    body_of(f, &body, &blen);
    if (f->schema == MESH_SCHEMA_RAW) {
        int rc = fcp_raw_chunk_body_decode(body, blen, n->rq.max_chunk_threshold, &bytes, &len);
        if (rc < 0)
            return rc;
        if (!(op->result = malloc(len ? len : 1)))
            return FCP_ENOMEM;
        memcpy(op->result, bytes, len);
        op->result_len = len;
        op_finish(n, op, 0);
        return 0;
    }
    if (f->schema != MESH_SCHEMA_MANIFEST)
        return FCP_EMESH_OBJECT;
    /* keep the manifest bytes: the chunk ids point into them */
    op->manifest_obj = f->obj;
    f->obj = NULL;
    body = op->manifest_obj + f->body_off;
    int rc = fcp_chunk_manifest_body_decode(&n->rq, body, blen, &op->man);
    if (rc < 0)
        return rc;
    if ((rc = fcp_chunk_assembler_init(&op->asm_, &n->rq, &op->man.plan, op->man.payload_hash)) < 0) {
        fcp_chunk_assembler_free(&op->asm_);
        return rc;
    }
    op->asm_live = 1;
    op->next_chunk = 0;
    return 0;
}

static int get_discover(fcp_mesh_node *n, mesh_op *op);

static int get_tick(fcp_mesh_node *n, mesh_op *op)
{
    int rc;
    if (op->discover_until_ns && (rc = get_discover(n, op)) <= 0)
        return rc;
    if (op->root_fetch >= 0) {
        mesh_fetch *f = &n->fetches[op->root_fetch];
        if (!f->done)
            return 0;
        if (f->done < 0) {
            op_finish(n, op, f->done);
            return 0;
        }
        rc = get_root_done(n, op, f);
        mesh_fetch_free(n, f);
        op->root_fetch = -1;
        if (rc == FCP_ENOMEM)
            return rc;
        if (rc < 0) {
            op_finish(n, op, rc);
            return 0;
        }
        if (op->state != FCP_ERQ_NEED_MORE)
            return 0;
    }
    if (!op->asm_live)
        return 0;
    for (int again = 1; again;) {
        again = 0;
        /* collect finished chunk fetches */
        size_t in_flight = 0;
        for (size_t i = 0; i < n->n_fetches; i++) {
            mesh_fetch *f = &n->fetches[i];
            if (!f->used || f->owner != op->id)
                continue;
            if (!f->done) {
                in_flight++;
                continue;
            }
            if (f->done < 0) {
                op_finish(n, op, f->done);
                return 0;
            }
            const uint8_t *body, *bytes = NULL;
            size_t blen, len = 0;
            body_of(f, &body, &blen);
            rc = f->schema == MESH_SCHEMA_RAW
                     ? fcp_raw_chunk_body_decode(body, blen, n->rq.max_chunk_threshold, &bytes, &len)
                     : FCP_EMESH_OBJECT;
            if (rc == 0)
                rc = fcp_chunk_assembler_add(&op->asm_, f->chunk, bytes, len);
            mesh_fetch_free(n, f);
            if (rc < 0) {
                op_finish(n, op, rc);
                return 0;
            }
        }
        /* start more */
        while (in_flight < n->lim.get_max_objects && op->next_chunk < op->man.plan.n_chunks) {
            int slot;
            const uint8_t *cid = fcp_chunk_manifest_id(&op->man, op->next_chunk);
            rc = mesh_fetch_start(n, cid, op->zone, op->id, &slot);
            if (rc == FCP_EMESH_BUSY)
                break;
            if (rc < 0) {
                op_finish(n, op, rc);
                return 0;
            }
            n->fetches[slot].chunk = op->next_chunk++;
            in_flight++;
            if (n->fetches[slot].done)
                again = 1; /* decoded from local symbols at once: collect it */
        }
        if (!again && in_flight == 0 && fcp_chunk_assembler_missing(&op->asm_) == 0) {
            const uint8_t *payload;
            size_t len;
            rc = fcp_chunk_assembler_finish(&op->asm_, &payload, &len);
            if (rc == 0) {
                if (!(op->result = malloc(len)))
                    return FCP_ENOMEM;
                memcpy(op->result, payload, len);
                op->result_len = len;
            }
            op_finish(n, op, rc);
        }
    }
    return 0;
}

static int repair_tick_op(fcp_mesh_node *n, mesh_op *op)
{
    mesh_fetch *f = &n->fetches[op->root_fetch];
    if (!f->done)
        return 0;
    int rc = f->done < 0 ? f->done : 0;
    uint64_t pushed = 0;
    if (rc == 0) {
        fcp_mesh_obj_meta m;
        uint32_t flags = 0;
        if (n->store.stat(n->store.ctx, op->root, &m) == 0)
            flags = m.flags;
        rc = mesh_encode_and_place(n, op->zone, op->root, f->obj, f->obj_len, f->T, flags,
                                   (long)op->repair_peer, &pushed);
    }
    if (rc == FCP_ENOMEM) {
        mesh_op_clear(n, op);
        return rc;
    }
    if (rc == 0) {
        n->c.repairs_done++;
        n->c.repair_symbols += pushed;
    } else {
        n->c.repairs_failed++;
        if (rc == FCP_EMESH_TIMEOUT)
            rc = FCP_EMESH_REPAIR_TIMEOUT;
    }
    mesh_event(n, FCP_MESH_EV_REPAIR, rc, op->id, (int)op->repair_peer, op->root,
               (uint32_t)pushed);
    mesh_op_clear(n, op);
    return 0;
}

int mesh_ops_tick(fcp_mesh_node *n)
{
    for (size_t i = 0; i < n->lim.max_ops; i++) {
        mesh_op *op = &n->ops[i];
        if (!op->used || op->state != FCP_ERQ_NEED_MORE)
            continue;
        int rc = op->kind == MESH_OP_GET ? get_tick(n, op) : repair_tick_op(n, op);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ---- get API ---------------------------------------------------------------------- */

/* The zone of object id as this node knows it: from its store, else from a
 * member's gossip digest.  0 and *zi, or FCP_EMESH_UNKNOWN_OBJECT. */
static int object_zone(fcp_mesh_node *n, const uint8_t id[32], size_t *zi)
{
    fcp_mesh_obj_meta m;
    if (n->store.stat(n->store.ctx, id, &m) == 0 && mesh_zone_index(n, m.zone_id, zi) == 0)
        return 0;
    for (size_t pi = 0; pi < n->n_peers; pi++)
        for (size_t z = 0; z < n->n_zones; z++)
            if (n->peers[pi].up && mesh_serves(&n->peers[pi], z) &&
                mesh_view_find(&n->peers[pi].view[z], id)) {
                *zi = z;
                return 0;
            }
    return FCP_EMESH_UNKNOWN_OBJECT;
}

/* Start the root fetch of get op in zone zi (its deadline is the get's). */
static int get_fetch_root(fcp_mesh_node *n, mesh_op *op, size_t zi)
{
    int slot, rc = mesh_fetch_start(n, op->root, zi, op->id, &slot);
    if (rc < 0)
        return rc;
    op->zone = zi;
    op->root_fetch = slot;
    mesh_fetch *f = &n->fetches[slot];
    if (!f->done && f->deadline_ns > op->get_deadline_ns)
        f->deadline_ns = op->get_deadline_ns;
    return 0;
}

/* A get whose object's zone is not known yet (D-MESH-13): look again (the
 * store gets the object's first pushed symbol, a digest lists it), start
 * the fetch once known, fail with FCP_EMESH_UNKNOWN_OBJECT when the
 * discovery window ends.  1 once the fetch runs, 0 still waiting or
 * finished, or FCP_ENOMEM. */
static int get_discover(fcp_mesh_node *n, mesh_op *op)
{
    uint64_t now = mesh_now(n);
    size_t zi;
    if (object_zone(n, op->root, &zi) < 0) {
        if (now >= op->discover_until_ns) {
            op->discover_until_ns = 0;
            op_finish(n, op, FCP_EMESH_UNKNOWN_OBJECT);
        }
        return 0;
    }
    int rc = get_fetch_root(n, op, zi);
    if (rc == FCP_EMESH_BUSY && now < op->get_deadline_ns)
        return 0;   /* every fetch slot taken: again on the next tick */
    op->discover_until_ns = 0;
    if (rc < 0) {
        op_finish(n, op, rc);
        return rc == FCP_ENOMEM ? rc : 0;
    }
    return 1;
}

int fcp_mesh_get_start(fcp_mesh_node *n, const uint8_t id[FCP_OBJECT_ID_BYTES], const char *zone,
                       uint64_t *op_out)
{
    size_t zi = SIZE_MAX;
    int rc;
    if (zone && (rc = mesh_zone_index(n, zone, &zi)) < 0)
        return rc;
    if (!zone && object_zone(n, id, &zi) < 0)
        zi = SIZE_MAX;
    mesh_op *op = op_alloc(n, MESH_OP_GET);
    if (!op)
        return FCP_EMESH_BUSY;
    memcpy(op->root, id, 32);
    uint64_t now = mesh_now(n);
    op->get_deadline_ns = now + (uint64_t)n->lim.get_timeout_ms * MESH_NS_PER_MS;
    if (zi == SIZE_MAX) {
        /* not known here yet, e.g. put on another node a moment ago: wait
         * for its pushed symbols or a digest, at most MESH_DISCOVERY_ROUNDS
         * gossip intervals and never beyond get_timeout_ms (D-MESH-13) */
        uint64_t w = (uint64_t)MESH_DISCOVERY_ROUNDS * n->lim.gossip_interval_ms;
        if (w > n->lim.get_timeout_ms)
            w = n->lim.get_timeout_ms;
        op->zone = SIZE_MAX;
        op->discover_until_ns = now + w * MESH_NS_PER_MS;
        if (op_out)
            *op_out = op->id;
        return 0;
    }
    if ((rc = get_fetch_root(n, op, zi)) < 0) {
        mesh_op_clear(n, op);
        return rc;
    }
    if (op_out)
        *op_out = op->id;
    return get_tick(n, op);
}

int fcp_mesh_get_result(fcp_mesh_node *n, uint64_t id, const uint8_t **data, size_t *len)
{
    mesh_op *op = mesh_op_find(n, id);
    *data = NULL;
    *len = 0;
    if (!op || op->kind != MESH_OP_GET)
        return FCP_EMESH_OP;
    if (op->state == 0) {
        *data = op->result;
        *len = op->result_len;
    }
    return op->state;
}

int fcp_mesh_op_release(fcp_mesh_node *n, uint64_t id)
{
    mesh_op *op = mesh_op_find(n, id);
    if (!op || op->kind != MESH_OP_GET)
        return FCP_EMESH_OP;
    mesh_op_clear(n, op);
    return 0;
}
