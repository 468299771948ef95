/*
 * mesh_ctl.c - control messages between mesh nodes and the gossip digest
 * codec.
 *
 * Control messages (decision D-MESH-4) ride the same session datagrams as
 * symbols, inside an FCPS frame with flags CONTROL_PLANE|ENCRYPTED and one
 * record: esi 0, k 0, data = type u8 || body length u16le || body || zero
 * padding to a symbol size of max(256, roundup8(3 + len)).  The record is
 * sealed like a symbol (fcps_aead.h) under a per-session, per-sender subkey
 *     HKDF(salt = "FCP2MCTL", ikm = k_ctx, info = "FCP2-SENDER-KEY-V1" ||
 *          u32le len || sender node id || u64le 0)
 * with frame_seq counting from 1 per session and direction, and object id,
 * zone id hash, zone key id, epoch and sender instance all zero.  So control
 * traffic is authenticated twice (session MAC, AEAD) and confidential, and
 * the datagram engine's replay windows cover it like any frame.
 *
 * Over a reliable stream (a QUIC connection's FCPC stream, D-MESH-11) the
 * same message travels as one FCPC frame (spec §9.4, fcpc.h): payload
 * type u8 || body length u16le || body (no padding), flags ENCRYPTED, sealed
 * with ChaCha20-Poly1305 under the session's k_ctx itself with nonce
 * dir || 00 00 00 || seq (dir 0 from the session's initiator), seq from 1
 * per session and direction, replay window 1 (strictly increasing).  k_ctx
 * is used directly only there; the datagram form uses HKDF subkeys of it,
 * so no (key, nonce) pair is shared between the two forms.
 *
 * Gossip digest (D-MESH-2): canonical CBOR
 *     { "more": bool, ? "after": bstr .size 32,
 *       "entries": [* [bstr .size 32, count: uint, k: uint, flags: uint]],
 *       "zone_id": tstr }
 * at most FCP_MESH_GOSSIP_PAGE entries, ids strictly ascending and > after;
 * the page covers ids in (after, last id] when more is true, (after, end)
 * otherwise, and ids in that range that it does not list are not held.
 */
#include <string.h>

#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "mesh/mesh_internal.h"

/* ---- gossip digest --------------------------------------------------------- */

#define GOSSIP_MAX_ENCODED 4096u

static const fcp_cbor_limits GOSSIP_LIMITS = {
    .max_depth = 4, .max_items = FCP_MESH_GOSSIP_PAGE, .max_input = GOSSIP_MAX_ENCODED, .allow = 0
};

int mesh_gossip_validate(const mesh_gossip *g)
{
    int rc = fcp_zone_id_validate(g->zone_id, strlen(g->zone_id));
    if (rc < 0)
        return rc;
    if (g->n > FCP_MESH_GOSSIP_PAGE)
        return FCP_EMESH_GOSSIP;
    for (size_t i = 0; i < g->n; i++) {
        const mesh_gossip_entry *e = &g->e[i];
        if (e->k == 0 || e->k > 65535u || e->count > FCP_RQ_MAX_ESI + 1u ||
            (e->flags & ~(uint32_t)FCP_MESH_OBJ_ROOT) != 0)
            return FCP_EMESH_GOSSIP;
        if (i > 0 && memcmp(g->e[i - 1].id, e->id, 32) >= 0)
            return FCP_EMESH_GOSSIP;
        if (g->has_after && memcmp(g->after, e->id, 32) >= 0)
            return FCP_EMESH_GOSSIP;
    }
    return 0;
}

int mesh_gossip_encode(const mesh_gossip *g, fcp_buf *out)
{
    int rc = mesh_gossip_validate(g);
    if (rc < 0)
        return rc;
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_put_map(&e, g->has_after ? 4 : 3);
    fcp_cbor_put_cstr(&e, "more");
    fcp_cbor_put_bool(&e, g->more);
    if (g->has_after) {
        fcp_cbor_put_cstr(&e, "after");
        fcp_cbor_put_bytes(&e, g->after, 32);
    }
    fcp_cbor_put_cstr(&e, "entries");
    fcp_cbor_put_array(&e, g->n);
    for (size_t i = 0; i < g->n; i++) {
        fcp_cbor_put_array(&e, 4);
        fcp_cbor_put_bytes(&e, g->e[i].id, 32);
        fcp_cbor_put_uint(&e, g->e[i].count);
        fcp_cbor_put_uint(&e, g->e[i].k);
        fcp_cbor_put_uint(&e, g->e[i].flags);
    }
    fcp_cbor_put_cstr(&e, "zone_id");
    fcp_cbor_put_text(&e, g->zone_id, strlen(g->zone_id));
    rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return rc;
}

static int get_u32_max(fcp_cbor_dec *d, uint32_t *v, uint64_t max)
{
    uint64_t x;
    int rc = fcp_cbor_get_uint(d, &x);
    if (rc < 0)
        return rc;
    if (x > max)
        return FCP_EMESH_GOSSIP;
    *v = (uint32_t)x;
    return 0;
}

static int get_id(fcp_cbor_dec *d, uint8_t out[32])
{
    const uint8_t *p;
    size_t n;
    int rc = fcp_cbor_get_bytes(d, &p, &n);
    if (rc < 0)
        return rc;
    if (n != 32)
        return FCP_EMESH_GOSSIP;
    memcpy(out, p, 32);
    return 0;
}

int mesh_gossip_decode(mesh_gossip *g, const uint8_t *p, size_t n)
{
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    int rc;
    memset(g, 0, sizeof *g);
    if (n > GOSSIP_MAX_ENCODED)
        return FCP_ETOO_LARGE;
    fcp_cbor_dec_init(&d, p, n, &GOSSIP_LIMITS);
    if ((rc = fcp_cbor_map_begin(&d, &it)) < 0)
        goto out;
    if ((rc = fcp_cbor_expect_key(&d, &it, "more")) < 0 || (rc = fcp_cbor_get_bool(&d, &g->more)) < 0)
        goto out;
    if ((rc = fcp_cbor_opt_key(&d, &it, "after")) < 0)
        goto out;
    if (rc == 1) {
        g->has_after = 1;
        if ((rc = get_id(&d, g->after)) < 0)
            goto out;
    }
    if ((rc = fcp_cbor_expect_key(&d, &it, "entries")) < 0)
        goto out;
    uint64_t cnt;
    if ((rc = fcp_cbor_get_array(&d, &cnt)) < 0)
        goto out;
    if (cnt > FCP_MESH_GOSSIP_PAGE) {
        rc = FCP_EMESH_GOSSIP;
        goto out;
    }
    for (uint64_t i = 0; i < cnt; i++) {
        uint64_t four;
        mesh_gossip_entry *e = &g->e[i];
        if ((rc = fcp_cbor_get_array(&d, &four)) < 0)
            goto out;
        if (four != 4) {
            rc = FCP_EMESH_GOSSIP;
            goto out;
        }
        if ((rc = get_id(&d, e->id)) < 0 || (rc = get_u32_max(&d, &e->count, FCP_RQ_MAX_ESI + 1u)) < 0 ||
            (rc = get_u32_max(&d, &e->k, 65535u)) < 0 || (rc = get_u32_max(&d, &e->flags, 255u)) < 0)
            goto out;
    }
    g->n = (size_t)cnt;
    if ((rc = fcp_cbor_expect_key(&d, &it, "zone_id")) < 0)
        goto out;
    const char *z;
    size_t zl;
    if ((rc = fcp_cbor_get_text(&d, &z, &zl)) < 0)
        goto out;
    if (zl > FCP_ZONE_ID_MAX) {
        rc = FCP_EZONE_ID;
        goto out;
    }
    memcpy(g->zone_id, z, zl);
    g->zone_id[zl] = 0;
    {
        const char *k;
        size_t kn;
        rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kn);
        if (rc > 0)
            rc = FCP_EUNKNOWN_FIELD;
        if (rc < 0)
            goto out;
    }
    if ((rc = fcp_cbor_dec_finish(&d)) < 0)
        goto out;
    rc = mesh_gossip_validate(g);
out:
    if (rc < 0)
        memset(g, 0, sizeof *g);
    return rc;
}

/* ---- control framing ----------------------------------------------------------- */

uint16_t mesh_ctl_symbol_size(size_t body_len)
{
    if (body_len > MESH_CTL_MAX_BODY)
        return 0;
    size_t t = (MESH_CTL_HEAD + body_len + 7u) & ~(size_t)7u;
    if (t < FCP_FCPS_MIN_SYMBOL_SIZE)
        t = FCP_FCPS_MIN_SYMBOL_SIZE;
    return (uint16_t)t;
}

static const uint8_t ZERO32[32];

void mesh_ctl_install(mesh_peer *p, const fcp_session_keys *k, const char *self_id,
                      size_t self_len)
{
    mesh_ctl_keys *slot = NULL;
    for (size_t i = 0; i < 3; i++) {
        if (!p->ctl[i].used) {
            slot = &p->ctl[i];
            break;
        }
        if (!slot || p->ctl[i].installed < slot->installed)
            slot = &p->ctl[i];
    }
    fcp_memzero(slot, sizeof *slot);
    slot->used = 1;
    memcpy(slot->session_id, k->session_id, 16);
    /* An error here can only be a bad id length, which the config excluded;
     * the keys then stay zero and every control message fails to open. */
    (void)fcp_fcps_sender_subkey(slot->send, k->k_ctx, (const uint8_t *)MESH_CTL_LABEL,
                                 (const uint8_t *)self_id, self_len, 0);
    (void)fcp_fcps_sender_subkey(slot->recv, k->k_ctx, (const uint8_t *)MESH_CTL_LABEL,
                                 (const uint8_t *)p->id, p->id_len, 0);
    slot->next_seq = 1;
    slot->installed = ++p->ctl_installs;
    /* the FCPC stream form (D-MESH-11): k_ctx itself, nonce by direction */
    fcp_wire_dir me = k->is_initiator ? FCP_WIRE_I2R : FCP_WIRE_R2I;
    fcp_wire_dir them = k->is_initiator ? FCP_WIRE_R2I : FCP_WIRE_I2R;
    fcp_fcpc_tx_init(&slot->ftx, k->session_id, k->k_ctx, me, MESH_STREAM_MAX_PAYLOAD);
    fcp_fcpc_rx_init(&slot->frx, k->session_id, k->k_ctx, them, MESH_STREAM_MAX_PAYLOAD, 1);
}

static mesh_ctl_keys *ctl_find(mesh_peer *p, const uint8_t sid[16])
{
    for (size_t i = 0; i < 3; i++)
        if (p->ctl[i].used && memcmp(p->ctl[i].session_id, sid, 16) == 0)
            return &p->ctl[i];
    return NULL;
}

/* Keys of the session a control message goes out under: the current one
 * once the peer confirmed it, else the previous (the datagram engine's
 * rule, so both carriers agree). */
static mesh_ctl_keys *ctl_send_keys(mesh_peer *p)
{
    fcp_session_chan *c = &p->chan;
    if (!c->has_cur)
        return NULL;
    const fcp_dgram_tx *tx = (c->cur_confirmed || !c->has_prev) ? &c->tx_cur : &c->tx_prev;
    return ctl_find(p, tx->session_id);
}

int mesh_ctl_seal(fcp_mesh_node *n, mesh_peer *p, const mesh_tx *t, uint8_t *out, size_t cap,
                  size_t *out_len)
{
    fcp_session_chan *c = &p->chan;
    *out_len = 0;
    mesh_ctl_keys *ck = ctl_send_keys(p);
    if (!ck)
        return FCP_EMESH_NO_SESSION;
    uint16_t T = mesh_ctl_symbol_size((size_t)t->len - MESH_CTL_HEAD);
    if (T == 0 || cap < FCP_MESH_MAX_DATAGRAM)
        return FCP_EMESH_CONTROL;
    uint8_t *frame = out + FCP_DGRAM_HEADER_BYTES;
    uint8_t *data = frame + FCP_FCPS_HEADER_BYTES + 6;
    memset(data, 0, T);
    memcpy(data, t->data, t->len);
    fcp_fcps_header h = {
        .flags = MESH_CTL_FLAGS, .symbol_count = 1, .object_id = ZERO32, .symbol_size = T,
        .zone_key_id = ZERO32, .zone_id_hash = ZERO32, .epoch_id = 0, .sender_instance_id = 0,
        .frame_seq = ck->next_seq
    };
    fcp_fcps_record r = { .esi = 0, .k = 0, .data = data, .tag = NULL };
    size_t flen;
    int rc = fcp_fcps_encode(frame, cap - FCP_DGRAM_HEADER_BYTES, &flen, &h, &r, 1, &n->flim);
    if (rc < 0)
        return rc;
    if ((rc = fcp_fcps_frame_seal(frame, flen, &n->flim, FCP_FCPS_AEAD_CHACHA20POLY1305,
                                  ck->send)) < 0)
        return rc;
    if ((rc = fcp_session_chan_seal(c, out, cap, out_len, frame, flen)) < 0)
        return rc;
    ck->next_seq++;
    return 0;
}

int mesh_ctl_stream_seal(mesh_peer *p, const mesh_tx *t, uint8_t *out, size_t cap,
                         size_t *out_len)
{
    *out_len = 0;
    mesh_ctl_keys *ck = ctl_send_keys(p);
    if (!ck)
        return FCP_EMESH_NO_SESSION;
    return fcp_fcpc_tx_seal(&ck->ftx, out, cap, out_len, 0, t->data, t->len);
}

int mesh_ctl_stream_open(mesh_peer *p, const uint8_t *frame, size_t len, uint8_t *pt,
                         size_t cap, uint8_t *type, const uint8_t **body, size_t *body_len)
{
    fcp_fcpc_frame f;
    int rc = fcp_fcpc_decode(frame, len, MESH_STREAM_MAX_PAYLOAD, &f);
    if (rc < 0)
        return rc;
    mesh_ctl_keys *ck = ctl_find(p, f.session_id);
    if (!ck)
        return FCP_EMESH_NO_SESSION;
    size_t pl;
    uint16_t flags;
    if ((rc = fcp_fcpc_rx_open(&ck->frx, frame, len, pt, cap, &pl, &flags)) < 0)
        return rc;
    if (flags != FCP_FCPC_FLAG_ENCRYPTED || pl < MESH_CTL_HEAD)
        return FCP_EMESH_CONTROL;
    size_t bl = (size_t)pt[1] | ((size_t)pt[2] << 8);
    if (bl != pl - MESH_CTL_HEAD || bl > MESH_CTL_MAX_BODY)
        return FCP_EMESH_CONTROL;
    *type = pt[0];
    *body = pt + MESH_CTL_HEAD;
    *body_len = bl;
    return 0;
}

int mesh_ctl_open(fcp_mesh_node *n, mesh_peer *p, const uint8_t session_id[16],
                  const fcp_fcps_frame *f, uint8_t *frame, size_t frame_len, uint8_t *type,
                  const uint8_t **body, size_t *body_len)
{
    mesh_ctl_keys *ck = ctl_find(p, session_id);
    if (!ck || f->h.symbol_count != 1 || f->h.flags != MESH_CTL_FLAGS)
        return FCP_EMESH_CONTROL;
    fcp_fcps_frame of;
    int rc = fcp_fcps_frame_open(frame, frame_len, &n->flim, FCP_FCPS_AEAD_CHACHA20POLY1305,
                                 ck->recv, &of);
    if (rc < 0)
        return rc;
    fcp_fcps_record r;
    fcp_fcps_record_at(&of, 0, &r);
    uint16_t T = of.h.symbol_size;
    if (r.esi != 0 || r.k != 0 || T < MESH_CTL_HEAD)
        return FCP_EMESH_CONTROL;
    size_t len = (size_t)r.data[1] | ((size_t)r.data[2] << 8);
    if (len > (size_t)T - MESH_CTL_HEAD || mesh_ctl_symbol_size(len) != T)
        return FCP_EMESH_CONTROL;
    for (size_t i = MESH_CTL_HEAD + len; i < T; i++)
        if (r.data[i] != 0)
            return FCP_EMESH_CONTROL;
    *type = r.data[0];
    *body = r.data + MESH_CTL_HEAD;
    *body_len = len;
    return 0;
}
