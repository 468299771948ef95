/*
 * fcpd_admin.c - the admin socket of fcpd: accepting credential-checked
 * clients, reading FCPA frames into a bounded buffer, answering requests
 * (admin.h, D-ADMIN-1..3) and streaming puts and gets through the mesh.
 *
 * Rules that keep the loop safe against any client: the input buffer holds
 * one maximal frame and no more; a bad frame header gets one error frame and
 * the connection is closed after it is flushed; a malformed request gets an
 * error response and the connection stays usable; output is bounded
 * (FCPD_ADMIN_OUT_MAX) and a get only queues its next chunk when there is
 * room, so a slow reader stalls itself, never the daemon.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/model_object.h"
#include "fcpd.h"

#define ADMIN_IN_CAP (FCP_ADMIN_HEADER_BYTES + FCP_ADMIN_MAX_PAYLOAD)
#define PUT_SPREAD_TIMEOUT_NS (60ull * 1000000000ull)
#define LS_MAX 2000

static void conn_update(fcpd_admin_conn *a);

/* ---- responses ---------------------------------------------------------- */

static void send_payload(fcpd_admin_conn *a, uint64_t seq, const fcp_buf *pl)
{
    fcp_buf fr;
    fcp_buf_init(&fr);
    if (pl->err == 0 && fcp_admin_frame_encode(&fr, seq, pl->data, pl->len) == 0 &&
        fcp_net_conn_queue(&a->c, fr.data, fr.len) == 0) {
        fcp_buf_free(&fr);
        return;
    }
    fcp_buf_free(&fr);
    a->closing = 1;   /* cannot answer: the client would wait forever otherwise */
}

static void send_error(fcpd_admin_conn *a, uint64_t seq, int err, const char *detail)
{
    fcp_buf pl;
    fcp_buf_init(&pl);
    fcp_admin_error_encode(&pl, err, detail);
    send_payload(a, seq, &pl);
    fcp_buf_free(&pl);
    a->d->n.admin_errors++;
    fcp_log_field f[] = { FCP_LF_STR("detail", detail ? detail : "") };
    fcpd_log(a->d, FCP_LOG_INFO, "admin.refused", err, f, 1);
}

/* Start a {ok: true, ...} response map; caller adds pairs then calls end. */
static void resp_begin(fcp_cbor_enc *e, fcp_buf *pl)
{
    fcp_buf_init(pl);
    fcp_cbor_enc_init(e, pl);
    fcp_cbor_map_open(e);
    fcp_cbor_put_cstr(e, "ok");
    fcp_cbor_put_bool(e, 1);
}

static void resp_end(fcpd_admin_conn *a, uint64_t seq, fcp_cbor_enc *e, fcp_buf *pl)
{
    fcp_cbor_map_close(e);
    if (fcp_cbor_enc_finish(e) < 0)
        pl->err = FCP_EINTERNAL;
    fcp_cbor_enc_free(e);
    send_payload(a, seq, pl);
    fcp_buf_free(pl);
}

static void kv_uint(fcp_cbor_enc *e, const char *k, uint64_t v)
{
    fcp_cbor_put_cstr(e, k);
    fcp_cbor_put_uint(e, v);
}

static void kv_str(fcp_cbor_enc *e, const char *k, const char *v)
{
    fcp_cbor_put_cstr(e, k);
    fcp_cbor_put_cstr(e, v);
}

/* ---- requests ------------------------------------------------------------ */

static int zone_served(fcpd *d, const char *zone)
{
    fcp_mesh_coverage c;
    return d->mesh && fcp_mesh_zone_coverage(d->mesh, zone, &c) == 0;
}

static void do_status(fcpd_admin_conn *a, uint64_t seq)
{
    fcpd *d = a->d;
    fcp_cbor_enc e;
    fcp_buf pl;
    fcp_mesh_counters mc;
    memset(&mc, 0, sizeof mc);
    if (d->mesh)
        fcp_mesh_get_counters(d->mesh, &mc);
    size_t np = d->mesh ? fcp_mesh_peer_count(d->mesh) : 0, up = 0;
    for (size_t i = 0; i < np; i++) {
        fcp_mesh_peer_info pi;
        if (fcp_mesh_peer_info_get(d->mesh, i, &pi) == 0 && pi.up)
            up++;
    }
    fcp_store_stats st;
    memset(&st, 0, sizeof st);
    if (d->store)
        fcp_store_stats_get(d->store, &st);
    resp_begin(&e, &pl);
    kv_str(&e, "node_id", d->keys.node_id);
    kv_str(&e, "version", "0.1.0");
    kv_uint(&e, "pid", (uint64_t)getpid());
    kv_uint(&e, "uptime_s", (fcpd_now_ns() - d->start_ns) / 1000000000u);
    kv_uint(&e, "peers", np);
    kv_uint(&e, "peers_up", up);
    kv_uint(&e, "datagrams_in", d->n.dgram_in);
    kv_uint(&e, "datagrams_out", d->n.dgram_out);
    kv_uint(&e, "datagrams_dropped", d->n.drop_oversize + d->n.drop_socket + mc.drop_empty +
            mc.drop_hs_rate + mc.drop_hs_invalid + mc.drop_unknown_session + mc.drop_dgram +
            mc.drop_control + mc.drop_symbol_auth + mc.drop_zone + mc.drop_unsolicited);
    kv_uint(&e, "store_objects", st.objects);
    kv_uint(&e, "store_pins", st.pins);
    kv_uint(&e, "symbol_bytes", d->mstore_open ? fcpd_symstore_bytes(d) : 0);
    kv_uint(&e, "mesh_memory_bytes", d->mesh ? fcp_mesh_memory_bytes(d->mesh) : 0);
    kv_uint(&e, "repairs_done", mc.repairs_done);
    kv_uint(&e, "repair_symbols", mc.repair_symbols);
    fcp_cbor_put_cstr(&e, "counters");
    fcp_cbor_map_open(&e);
    const struct { const char *k; uint64_t v; } cs[] = {
        { "rx_datagrams", mc.rx_datagrams }, { "tx_datagrams", mc.tx_datagrams },
        { "drop_oversize_net", d->n.drop_oversize }, { "drop_socket", d->n.drop_socket },
        { "drop_empty", mc.drop_empty }, { "drop_hs_rate", mc.drop_hs_rate },
        { "drop_hs_invalid", mc.drop_hs_invalid }, { "drop_unknown_session", mc.drop_unknown_session },
        { "drop_dgram", mc.drop_dgram }, { "drop_control", mc.drop_control },
        { "drop_symbol_auth", mc.drop_symbol_auth }, { "drop_zone", mc.drop_zone },
        { "drop_unsolicited", mc.drop_unsolicited }, { "drop_push_rate", mc.drop_push_rate },
        { "drop_store", mc.drop_store }, { "drop_request_rate", mc.drop_request_rate },
        { "drop_request_invalid", mc.drop_request_invalid }, { "drop_serve_budget", mc.drop_serve_budget },
        { "drop_tx_budget", mc.drop_tx_budget }, { "drop_decode_budget", mc.drop_decode_budget },
        { "symbols_pushed", mc.symbols_pushed }, { "symbols_stored", mc.symbols_stored },
        { "symbols_served", mc.symbols_served }, { "symbols_received", mc.symbols_received },
        { "gossip_sent", mc.gossip_sent }, { "gossip_received", mc.gossip_received },
        { "repairs_started", mc.repairs_started }, { "repairs_done", mc.repairs_done },
        { "decodes_ok", mc.decodes_ok }, { "decodes_failed", mc.decodes_failed },
        { "sessions_established", mc.sessions_established },
        { "admin_requests", d->n.admin_requests }, { "admin_errors", d->n.admin_errors },
    };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++)
        kv_uint(&e, cs[i].k, cs[i].v);
    fcp_cbor_map_close(&e);
    fcp_cbor_put_cstr(&e, "zones");
    fcp_cbor_map_open(&e);
    for (size_t i = 0; i < d->cfg.n_zones; i++) {
        fcp_mesh_coverage c;
        if (!d->mesh || fcp_mesh_zone_coverage(d->mesh, d->cfg.zones[i], &c) < 0)
            continue;
        fcp_cbor_put_cstr(&e, d->cfg.zones[i]);
        fcp_cbor_map_open(&e);
        kv_uint(&e, "objects", c.objects);
        kv_uint(&e, "min_coverage_bps", c.min_coverage_bps);
        kv_uint(&e, "min_worst_loss_bps", c.min_worst_loss_bps);
        kv_uint(&e, "at_risk", c.objects_at_risk);
        fcp_cbor_map_close(&e);
    }
    fcp_cbor_map_close(&e);
    resp_end(a, seq, &e, &pl);
}

static void do_peers(fcpd_admin_conn *a, uint64_t seq)
{
    fcpd *d = a->d;
    fcp_cbor_enc e;
    fcp_buf pl;
    size_t np = d->mesh ? fcp_mesh_peer_count(d->mesh) : 0;
    resp_begin(&e, &pl);
    fcp_cbor_put_cstr(&e, "peers");
    fcp_cbor_put_array(&e, np);
    for (size_t i = 0; i < np; i++) {
        fcp_mesh_peer_info pi;
        memset(&pi, 0, sizeof pi);
        fcp_mesh_peer_info_get(d->mesh, i, &pi);
        fcp_net_addr na;
        char at[FCP_NET_ADDR_TEXT_MAX] = "?";
        if (fcpd_token_to_addr(&pi.addr, &na) == 0)
            fcp_net_addr_format(&na, at, sizeof at);
        fcp_cbor_map_open(&e);
        kv_str(&e, "id", pi.node_id);
        kv_str(&e, "address", at);
        fcp_cbor_put_cstr(&e, "up");
        fcp_cbor_put_bool(&e, pi.up);
        kv_uint(&e, "last_rx_ms", pi.last_rx_ms_ago == UINT64_MAX ? 0 : pi.last_rx_ms_ago);
        kv_uint(&e, "datagrams_in", pi.datagrams_in);
        kv_uint(&e, "datagrams_out", pi.datagrams_out);
        kv_uint(&e, "tx_queued_bytes", pi.tx_queued_bytes);
        fcp_cbor_map_close(&e);
    }
    resp_end(a, seq, &e, &pl);
}

static void put_reset(fcpd_admin_conn *a)
{
    a->put_active = a->put_failed = a->put_waiting = 0;
    fcp_buf_free(&a->put_data);
}

/* Record the object in the SQLite store (header only; its symbols are in
 * the rq tables through fcpd_symstore.c) so ls, pin and rm have a record.
 * Called right after fcp_mesh_put, it joins the symbol batch transaction. */
static int record_object(fcpd *d, const uint8_t id[32], const char *zone, uint64_t size)
{
    if (!d->store)
        return 0;
    int has = fcp_store_has(d->store, id);
    if (has != 0)
        return has < 0 ? has : 0;
    fcp_schema_id s;
    fcp_object_header h;
    fcp_schema_id_init(&s, "fcp.node", "StoredBlob", 1, 0, 0);
    int rc = fcp_object_header_init(&h, &s, zone, fcp_clock_unix_secs(fcp_clock_system()));
    fcp_retention r = { .kind = FCP_RETENTION_EPHEMERAL };
    if (rc == 0)
        rc = fcp_store_put(d->store, id, &h, NULL, 0, size ? size : 1, &r);
    return rc;
}

static void do_put_end(fcpd_admin_conn *a, uint64_t seq)
{
    fcpd *d = a->d;
    if (a->put_failed) {       /* already answered */
        put_reset(a);
        return;
    }
    if (a->put_data.len != a->put_size) {
        char det[96];
        snprintf(det, sizeof det, "announced %llu bytes, received %zu",
                 (unsigned long long)a->put_size, a->put_data.len);
        send_error(a, seq, FCP_EADMIN_PUT_SIZE, det);
        put_reset(a);
        return;
    }
    uint64_t op = 0;
    a->put_commit_failures = d->sym.commit_failures;
    int rc = fcp_mesh_put(d->mesh, a->put_zone, a->put_data.data, a->put_data.len, a->put_id, &op);
    if (rc < 0) {
        send_error(a, seq, rc, "mesh put failed");
        put_reset(a);
        return;
    }
    rc = record_object(d, a->put_id, a->put_zone, a->put_size);
    if (rc < 0) {
        fcp_log_field f[] = { FCP_LF_STR("sqlite", fcp_store_errmsg(d->store)) };
        fcpd_log(d, FCP_LOG_WARN, "store.record", rc, f, 1);
    }
    fcp_buf_free(&a->put_data);
    a->put_waiting = 1;
    a->put_op = op;
    a->put_seq = seq;
    d->n.puts++;
    d->n.put_bytes += a->put_size;
    fcp_log_field f[] = { FCP_LF_HEX("object_id", a->put_id, 32), FCP_LF_STR("zone", a->put_zone),
                          FCP_LF_UINT("bytes", a->put_size) };
    fcpd_log(d, FCP_LOG_INFO, "object.put", 0, f, 3);
}

static void put_answer(fcpd_admin_conn *a, int spread_done)
{
    fcp_cbor_enc e;
    fcp_buf pl;
    fcp_mesh_obj_status st;
    memset(&st, 0, sizeof st);
    fcp_mesh_stat(a->d->mesh, a->put_id, &st);
    double secs = (double)(fcpd_now_ns() - a->put_t0) / 1e9;
    fcpd_hist_observe(&a->d->put_hist, secs);
    resp_begin(&e, &pl);
    fcp_cbor_put_cstr(&e, "id");
    fcp_cbor_put_bytes(&e, a->put_id, 32);
    kv_str(&e, "zone", a->put_zone);
    kv_uint(&e, "size", a->put_size);
    kv_uint(&e, "local_symbols", st.local_symbols);
    kv_uint(&e, "elapsed_ms", (uint64_t)(secs * 1000));
    fcp_cbor_put_cstr(&e, "spread");
    fcp_cbor_put_bool(&e, spread_done);
    resp_end(a, a->put_seq, &e, &pl);
    put_reset(a);
    conn_update(a);
}

void fcpd_admin_put_done(fcpd *d, uint64_t op, int err)
{
    /* acknowledge only a committed local share (D-STORE-2) */
    int frc = fcpd_symstore_flush(d);
    for (size_t i = 0; i < FCPD_MAX_ADMIN; i++) {
        fcpd_admin_conn *a = &d->admin[i];
        if (a->used && a->put_waiting && a->put_op == op) {
            if (err >= 0 && (frc < 0 || d->sym.commit_failures != a->put_commit_failures))
                err = frc < 0 ? frc : FCP_ESTORE_IO;
            if (err < 0) {
                send_error(a, a->put_seq, err, "put failed while pushing symbols");
                put_reset(a);
                conn_update(a);
            } else {
                put_answer(a, 1);
            }
        }
    }
}

void fcpd_admin_get_done(fcpd *d, uint64_t op, int err)
{
    for (size_t i = 0; i < FCPD_MAX_ADMIN; i++) {
        fcpd_admin_conn *a = &d->admin[i];
        if (!a->used || !a->get_active || a->get_ready || a->get_op != op)
            continue;
        const uint8_t *data = NULL;
        size_t len = 0;
        int rc = err < 0 ? err : fcp_mesh_get_result(d->mesh, op, &data, &len);
        if (rc < 0) {
            send_error(a, a->get_seq, rc, "get failed");
            fcp_mesh_op_release(d->mesh, op);
            a->get_active = 0;
            conn_update(a);
            continue;
        }
        a->get_ready = 1;
        a->get_data = data;
        a->get_len = len;
        a->get_off = 0;
        fcp_cbor_enc e;
        fcp_buf pl;
        resp_begin(&e, &pl);
        kv_uint(&e, "size", len);
        resp_end(a, a->get_seq, &e, &pl);
        conn_update(a);
    }
}

void fcpd_admin_resume(fcpd *d)
{
    uint64_t now = fcpd_now_ns();
    for (size_t i = 0; i < FCPD_MAX_ADMIN; i++) {
        fcpd_admin_conn *a = &d->admin[i];
        if (!a->used)
            continue;
        if (a->put_waiting && now - a->put_t0 > PUT_SPREAD_TIMEOUT_NS)
            put_answer(a, 0);
        if (!a->get_active || !a->get_ready)
            continue;
        int queued = 0;
        while (a->get_off < a->get_len &&
               fcp_net_conn_pending(&a->c) + FCP_ADMIN_CHUNK + 64 <= FCPD_ADMIN_OUT_MAX) {
            size_t n = a->get_len - a->get_off;
            if (n > FCP_ADMIN_CHUNK)
                n = FCP_ADMIN_CHUNK;
            fcp_cbor_enc e;
            fcp_buf pl;
            fcp_buf_init(&pl);
            fcp_cbor_enc_init(&e, &pl);
            fcp_cbor_put_map(&e, 1);
            fcp_cbor_put_cstr(&e, "data");
            fcp_cbor_put_bytes(&e, a->get_data + a->get_off, n);
            fcp_cbor_enc_free(&e);
            send_payload(a, a->get_seq, &pl);
            fcp_buf_free(&pl);
            a->get_off += n;
            queued = 1;
        }
        if (a->get_off >= a->get_len &&
            fcp_net_conn_pending(&a->c) + 64 <= FCPD_ADMIN_OUT_MAX) {
            fcp_cbor_enc e;
            fcp_buf pl;
            resp_begin(&e, &pl);
            fcp_cbor_put_cstr(&e, "end");
            fcp_cbor_put_bool(&e, 1);
            resp_end(a, a->get_seq, &e, &pl);
            d->n.gets++;
            d->n.get_bytes += a->get_len;
            fcpd_hist_observe(&d->get_hist, (double)(now - a->get_t0) / 1e9);
            fcp_mesh_op_release(d->mesh, a->get_op);
            a->get_active = a->get_ready = 0;
            a->get_data = NULL;
            queued = 1;
        }
        if (queued)
            conn_update(a);
    }
}

static void do_ls(fcpd_admin_conn *a, uint64_t seq, const fcp_admin_request *r)
{
    fcpd *d = a->d;
    static fcp_mesh_obj_status list[LS_MAX];
    size_t total = 0;
    for (size_t zi = 0; zi < d->cfg.n_zones && total < LS_MAX; zi++) {
        const char *zone = d->cfg.zones[zi];
        if (r->has_zone && strcmp(zone, r->zone))
            continue;
        const uint8_t *after = NULL;
        while (total < LS_MAX) {
            size_t n = 0, cap = LS_MAX - total < 64 ? LS_MAX - total : 64;
            if (fcp_mesh_list(d->mesh, zone, after, 1, list + total, cap, &n) < 0 || !n)
                break;
            total += n;
            after = list[total - 1].object_id;
            if (n < cap)
                break;
        }
    }
    fcp_cbor_enc e;
    fcp_buf pl;
    resp_begin(&e, &pl);
    fcp_cbor_put_cstr(&e, "objects");
    fcp_cbor_put_array(&e, total);
    for (size_t k = 0; k < total; k++) {
        fcp_store_record rec;
        int known = d->store && fcp_store_get(d->store, list[k].object_id, &rec, NULL, NULL) == 0;
        fcp_cbor_map_open(&e);
        fcp_cbor_put_cstr(&e, "id");
        fcp_cbor_put_bytes(&e, list[k].object_id, 32);
        kv_str(&e, "zone", list[k].zone_id);
        if (known)
            kv_uint(&e, "size", rec.size);
        kv_uint(&e, "k", list[k].k);
        kv_uint(&e, "local_symbols", list[k].local_symbols);
        kv_uint(&e, "total_symbols", list[k].total_symbols);
        kv_uint(&e, "coverage_bps", list[k].coverage_bps);
        kv_uint(&e, "worst_loss_bps", list[k].worst_loss_bps);
        kv_uint(&e, "holders", list[k].n_holders);
        fcp_cbor_put_cstr(&e, "pinned");
        fcp_cbor_put_bool(&e, known && rec.pinned);
        fcp_cbor_map_close(&e);
    }
    resp_end(a, seq, &e, &pl);
}

static void do_pin(fcpd_admin_conn *a, uint64_t seq, const fcp_admin_request *r)
{
    fcpd *d = a->d;
    int rc;
    if (r->op == FCP_ADMIN_OP_PIN) {
        fcp_mesh_obj_status st;
        if (fcp_store_has(d->store, r->id) != 1) {
            if (fcp_mesh_stat(d->mesh, r->id, &st) < 0) {
                send_error(a, seq, FCP_ESTORE_NOT_FOUND, "no such object on this node");
                return;
            }
            if ((rc = record_object(d, r->id, st.zone_id, 0)) < 0) {
                send_error(a, seq, rc, fcp_store_errmsg(d->store));
                return;
            }
        }
        rc = fcp_store_pin(d->store, r->id);
    } else if (r->op == FCP_ADMIN_OP_UNPIN) {
        rc = fcp_store_unpin(d->store, r->id);
    } else {
        rc = fcp_store_delete(d->store, r->id);
        if (rc == FCP_ESTORE_PINNED) {
            send_error(a, seq, rc, "object is pinned: unpin it first");
            return;
        }
        /* the record is gone (or there was none): drop the local symbols */
        int dropped = (rc == 0 || rc == FCP_ESTORE_NOT_FOUND) && d->mstore_open
                          ? d->mstore.drop(d->mstore.ctx, r->id) : FCP_ENOENT;
        if (rc == FCP_ESTORE_NOT_FOUND && dropped == 0)
            rc = 0;
    }
    if (rc < 0) {
        send_error(a, seq, rc, rc == FCP_ESTORE_NOT_FOUND ? "no such object (or pin) on this node" : "");
        return;
    }
    fcp_cbor_enc e;
    fcp_buf pl;
    resp_begin(&e, &pl);
    resp_end(a, seq, &e, &pl);
}

static void handle(fcpd_admin_conn *a, uint64_t seq, const uint8_t *p, size_t n)
{
    fcpd *d = a->d;
    fcp_admin_request r;
    const char *why = NULL;
    d->n.admin_requests++;
    /* commit the engine's pending symbols first, so this request's own
     * store writes are transactions of their own, durable when answered */
    fcpd_symstore_flush(d);
    int rc = fcp_admin_request_decode(&r, p, n, &why);
    if (rc < 0) {
        send_error(a, seq, rc, why);
        return;
    }
    if ((a->put_active || a->put_waiting) && r.op != FCP_ADMIN_OP_PUT_DATA && r.op != FCP_ADMIN_OP_PUT_END) {
        send_error(a, seq, FCP_EADMIN_STATE, "a put is in progress on this connection");
        return;
    }
    if (a->get_active) {
        send_error(a, seq, FCP_EADMIN_STATE, "a get is in progress on this connection");
        return;
    }
    if (a->rt_wait) {
        send_error(a, seq, FCP_EADMIN_STATE, "an invoke is in progress on this connection");
        return;
    }
    if (fcpd_connectors_admin(a, seq, &r))   /* connector runtime ops */
        return;
    switch (r.op) {
    case FCP_ADMIN_OP_STATUS:
        do_status(a, seq);
        break;
    case FCP_ADMIN_OP_PEERS:
        do_peers(a, seq);
        break;
    case FCP_ADMIN_OP_PUT:
        if (!zone_served(d, r.zone)) {
            send_error(a, seq, FCP_EADMIN_ZONE, r.zone);
            break;
        }
        if (r.size == 0 || r.size > FCPD_PUT_MAX) {
            send_error(a, seq, FCP_ETOO_LARGE, "put size must be 1 byte .. 64 MiB");
            break;
        }
        put_reset(a);
        fcp_buf_init(&a->put_data);
        if (fcp_buf_reserve(&a->put_data, r.size) < 0) {
            send_error(a, seq, FCP_ENOMEM, "cannot buffer the put");
            break;
        }
        a->put_active = 1;
        a->put_size = r.size;
        a->put_seq = seq;
        a->put_t0 = fcpd_now_ns();
        snprintf(a->put_zone, sizeof a->put_zone, "%s", r.zone);
        break;
    case FCP_ADMIN_OP_PUT_DATA:
        if (!a->put_active) {
            send_error(a, seq, FCP_EADMIN_STATE, "put_data without put");
            break;
        }
        if (a->put_failed)
            break;
        if (a->put_data.len + r.data_len > a->put_size) {
            send_error(a, a->put_seq, FCP_EADMIN_PUT_SIZE, "more data than the announced size");
            a->put_failed = 1;
            fcp_buf_free(&a->put_data);
            break;
        }
        fcp_buf_append(&a->put_data, r.data, r.data_len);
        break;
    case FCP_ADMIN_OP_PUT_END:
        if (!a->put_active || a->put_waiting) {
            send_error(a, seq, FCP_EADMIN_STATE, "put_end without put");
            break;
        }
        a->put_active = 0;
        do_put_end(a, seq);
        break;
    case FCP_ADMIN_OP_GET: {
        uint64_t op;
        if (r.has_zone && !zone_served(d, r.zone)) {
            send_error(a, seq, FCP_EADMIN_ZONE, r.zone);
            break;
        }
        /* no zone: the engine finds it, waiting a few gossip intervals for an
         * object put elsewhere a moment ago (D-MESH-13) */
        rc = fcp_mesh_get_start(d->mesh, r.id, r.has_zone ? r.zone : NULL, &op);
        if (rc < 0) {
            send_error(a, seq, rc, "cannot start the get");
            break;
        }
        a->get_active = 1;
        a->get_ready = 0;
        a->get_op = op;
        a->get_seq = seq;
        a->get_t0 = fcpd_now_ns();
        break;
    }
    case FCP_ADMIN_OP_LS:
        if (r.has_zone && !zone_served(d, r.zone)) {
            send_error(a, seq, FCP_EADMIN_ZONE, r.zone);
            break;
        }
        do_ls(a, seq, &r);
        break;
    case FCP_ADMIN_OP_PIN:
    case FCP_ADMIN_OP_UNPIN:
    case FCP_ADMIN_OP_RM:
        do_pin(a, seq, &r);
        break;
    case FCP_ADMIN_OP_STOP: {
        fcp_cbor_enc e;
        fcp_buf pl;
        resp_begin(&e, &pl);
        resp_end(a, seq, &e, &pl);
        fcpd_log(d, FCP_LOG_INFO, "admin.stop", 0, NULL, 0);
        d->stopping = 1;
        break;
    }
    case FCP_ADMIN_OP_PEERS_RELOAD: {   /* fcpd_mesh.c (D-MESH-9) */
        size_t added = 0, updated = 0;
        char det[FCP_ADMIN_DETAIL_MAX + 1] = "";
        if ((rc = fcpd_mesh_peers_reload(d, &added, &updated, det, sizeof det)) < 0) {
            send_error(a, seq, rc, det);
            break;
        }
        fcp_cbor_enc e;
        fcp_buf pl;
        resp_begin(&e, &pl);
        kv_uint(&e, "added", added);
        kv_uint(&e, "updated", updated);
        resp_end(a, seq, &e, &pl);
        break;
    }
    case FCP_ADMIN_OP_REVOKE:
    case FCP_ADMIN_OP_REVOCATIONS: {   /* fcpd_authority.c */
        fcp_buf pl;
        char det[FCP_ADMIN_DETAIL_MAX + 1] = "";
        fcp_buf_init(&pl);
        if ((rc = fcpd_authority_admin(d, &r, &pl, det, sizeof det)) < 0)
            send_error(a, seq, rc, det);
        else
            send_payload(a, seq, &pl);
        fcp_buf_free(&pl);
        break;
    }
    default:
        send_error(a, seq, FCP_EADMIN_UNKNOWN_OP, why);
        break;
    }
}

/* ---- connections ---------------------------------------------------------- */

static void conn_close(fcpd_admin_conn *a)
{
    fcpd *d = a->d;
    fcp_net_loop_del(d->loop, a->c.fd);
    fcp_net_conn_close(&a->c);
    if (a->get_active && d->mesh)
        fcp_mesh_op_release(d->mesh, a->get_op);
    put_reset(a);
    fcpd_connectors_conn_closed(a);
    memset(a, 0, sizeof *a);
}

static void conn_update(fcpd_admin_conn *a)
{
    if (!a->used)
        return;
    if (fcp_net_conn_flush(&a->c) < 0) {
        conn_close(a);
        return;
    }
    if (a->closing && fcp_net_conn_pending(&a->c) == 0) {
        conn_close(a);
        return;
    }
    unsigned ev = a->closing ? 0 : FCP_NET_EV_IN;
    if (fcp_net_conn_pending(&a->c))
        ev |= FCP_NET_EV_OUT;
    fcp_net_loop_mod(a->d->loop, a->c.fd, ev);
}

void fcpd_admin_update(fcpd_admin_conn *a)
{
    conn_update(a);
}

static void on_conn(void *ctx, int fd, unsigned ev)
{
    fcpd_admin_conn *a = ctx;
    (void)fd;
    if (ev & (FCP_NET_EV_IN | FCP_NET_EV_ERR)) {
        for (int round = 0; round < 64 && !a->closing; round++) {
            int r = fcp_net_conn_read(&a->c);
            if (r < 0) {
                conn_close(a);
                return;
            }
            if (r > 0)
                a->last_ns = fcpd_now_ns();
            /* process every complete frame held */
            for (;;) {
                uint64_t seq;
                uint32_t len;
                if (!a->c.in_len)
                    break;
                int rc = fcp_admin_frame_check(a->c.in, a->c.in_len, FCP_ADMIN_MAX_PAYLOAD, &seq, &len);
                if (rc == 0)
                    break;
                if (rc < 0) {
                    send_error(a, 0, rc, "bad frame header; closing");
                    a->closing = 1;
                    a->c.in_len = 0;
                    break;
                }
                handle(a, seq, a->c.in + FCP_ADMIN_HEADER_BYTES, len);
                if (!a->used)
                    return;
                fcp_net_conn_consume(&a->c, FCP_ADMIN_HEADER_BYTES + (size_t)len);
            }
            if (a->c.eof) {
                if (!a->put_waiting && !a->get_active)
                    a->closing = 1;
                break;
            }
            if (r == 0)
                break;
        }
    }
    conn_update(a);
}

static void on_listen(void *ctx, int lfd, unsigned ev)
{
    fcpd *d = ctx;
    (void)ev;
    for (int i = 0; i < 16; i++) {
        int cfd;
        int rc = fcp_net_unix_accept(lfd, &cfd, getuid());
        if (rc == FCP_ENOENT)
            return;
        if (rc == FCP_ENET_PEER_CRED) {
            d->n.admin_refused_cred++;
            fcpd_log(d, FCP_LOG_WARN, "admin.refused", rc, NULL, 0);
            continue;
        }
        if (rc < 0)
            return;
        fcpd_admin_conn *a = NULL;
        for (size_t k = 0; k < FCPD_MAX_ADMIN && !a; k++)
            if (!d->admin[k].used)
                a = &d->admin[k];
        if (!a) {
            close(cfd);
            fcpd_log(d, FCP_LOG_WARN, "admin.refused", FCP_ENET_CONN_LIMIT, NULL, 0);
            continue;
        }
        memset(a, 0, sizeof *a);
        if (fcp_net_conn_init(&a->c, cfd, ADMIN_IN_CAP, FCPD_ADMIN_OUT_MAX) < 0) {
            fcp_net_conn_close(&a->c);
            continue;
        }
        a->d = d;
        a->used = 1;
        a->last_ns = fcpd_now_ns();
        d->n.admin_conns++;
        if (fcp_net_loop_add(d->loop, cfd, FCP_NET_EV_IN, on_conn, a) < 0) {
            fcp_net_conn_close(&a->c);
            a->used = 0;
        }
    }
}

void fcpd_admin_sweep(fcpd *d)
{
    uint64_t now = fcpd_now_ns();
    for (size_t i = 0; i < FCPD_MAX_ADMIN; i++) {
        fcpd_admin_conn *a = &d->admin[i];
        if (!a->used || a->put_waiting || a->get_active)
            continue;
        uint64_t idle = now - a->last_ns;
        if ((a->c.in_len > 0 && idle > FCPD_ADMIN_PARTIAL_NS) || idle > FCPD_ADMIN_IDLE_NS) {
            fcp_log_field f[] = { FCP_LF_UINT("idle_ms", idle / 1000000u), FCP_LF_UINT("buffered", a->c.in_len) };
            fcpd_log(d, FCP_LOG_INFO, "admin.timeout", 0, f, 2);
            conn_close(a);
        }
    }
}

int fcpd_admin_start(fcpd *d)
{
    int rc = fcp_net_unix_listen(&d->admin_fd, d->sock_path);
    if (rc < 0) {
        fcp_log_field f[] = { FCP_LF_STR("path", d->sock_path) };
        fcpd_log(d, FCP_LOG_ERROR, "admin.listen", rc, f, 1);
        d->admin_fd = -1;
        return rc;
    }
    fcp_log_field f[] = { FCP_LF_STR("path", d->sock_path) };
    fcpd_log(d, FCP_LOG_INFO, "admin.listen", 0, f, 1);
    return fcp_net_loop_add(d->loop, d->admin_fd, FCP_NET_EV_IN, on_listen, d);
}

void fcpd_admin_stop(fcpd *d)
{
    /* flush what can be flushed without waiting, then close everything */
    for (size_t i = 0; i < FCPD_MAX_ADMIN; i++)
        if (d->admin[i].used) {
            fcp_net_conn_flush(&d->admin[i].c);
            conn_close(&d->admin[i]);
        }
    if (d->admin_fd >= 0) {
        fcp_net_loop_del(d->loop, d->admin_fd);
        close(d->admin_fd);
        unlink(d->sock_path);
        d->admin_fd = -1;
    }
}
