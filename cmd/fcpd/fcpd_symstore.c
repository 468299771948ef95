/*
 * fcpd_symstore.c - the MeshNode engine's symbol store (fcp_mesh_store
 * callbacks) on fcpd's SQLite store (the rq_* tables, store.h), so a node
 * keeps its symbols across restarts and crashes.
 *
 * Batching: the engine stores one symbol per call.  The first write opens a
 * caller transaction on the store (fcp_store_txn_begin); later writes join it
 * as savepoints, and reads see them.  fcpd_symstore_flush commits it: at the
 * end of every loop pass (fcpd_mesh_pump), before any admin answer that
 * depends on stored state (a put is acknowledged only after its local share
 * is committed, synchronous=FULL: D-STORE-2), and after FCPD_SYM_BATCH
 * symbols so a long burst never builds one huge transaction.  A crash loses
 * at most the writes of the pass in progress, none of them acknowledged; a
 * failed commit loses the same (the engine sees the symbols missing and its
 * repair loop restores them from peers) and is logged.
 *
 * limits.store_quota_bytes caps the symbol bytes held (FCP_ELIMIT beyond it,
 * as the in-memory store did); the total is read at open and kept in step.
 *
 * At rest every symbol is sealed by the store under a subkey of its zone's
 * key (D-STORE-6); the keyring below hands the store the zone keys fcpd
 * loaded from zones.key (the first line of a zone is its active key; any
 * line with the row's key id opens it).  A row that no longer opens is
 * dropped by the store and reads as missing: it is logged here, taken off
 * the byte count, and the engine's repair loop fetches it again.
 */
#include <string.h>

#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcpd.h"

static int kr_active(void *ctx, const char *zone, uint8_t kid[8], uint8_t key[32])
{
    const fcpd *d = ctx;
    for (size_t i = 0; i < d->keys.n_zones; i++)
        if (!strcmp(d->keys.zones[i].zone_id, zone)) {
            memcpy(kid, d->keys.zones[i].zone_key_id, 8);
            memcpy(key, d->keys.zones[i].zone_key, 32);
            return 0;
        }
    return FCP_ENOENT;
}

static int kr_key(void *ctx, const char *zone, const uint8_t kid[8], uint8_t key[32])
{
    const fcpd *d = ctx;
    for (size_t i = 0; i < d->keys.n_zones; i++)
        if (!strcmp(d->keys.zones[i].zone_id, zone) && !memcmp(d->keys.zones[i].zone_key_id, kid, 8)) {
            memcpy(key, d->keys.zones[i].zone_key, 32);
            return 0;
        }
    return FCP_ENOENT;
}

void fcpd_symstore_keyring(fcpd *d, fcp_store_keyring *kr)
{
    kr->ctx = d;
    kr->active_key = kr_active;
    kr->key = kr_key;
}

static int map_err(int rc)
{
    if (rc == FCP_ESTORE_NOT_FOUND)
        return FCP_ENOENT;
    if (rc == FCP_ESTORE_RQ_CONFLICT)
        return FCP_EMESH_STORE_CONFLICT;
    return rc;
}

static void to_meta(const fcp_store_rq_object *o, fcp_mesh_obj_meta *m)
{
    memset(m, 0, sizeof *m);
    memcpy(m->object_id, o->object_id, sizeof m->object_id);
    memcpy(m->zone_id, o->zone_id, sizeof m->zone_id);
    m->k = o->k;
    m->symbol_size = o->symbol_size;
    m->flags = o->flags;
    m->n_symbols = o->n_symbols;
}

/* Open the batch transaction if none is open. */
static int batch_open(fcpd *d)
{
    if (fcp_store_txn_active(d->store))
        return 0;
    int rc = fcp_store_txn_begin(d->store);
    if (rc == 0) {
        d->sym.pending = 0;
        d->sym.pending_bytes = 0;
    }
    return rc;
}

int fcpd_symstore_flush(fcpd *d)
{
    if (!d->store || !fcp_store_txn_active(d->store))
        return 0;
    uint64_t t0 = fcpd_now_ns();
    int rc = fcp_store_txn_commit(d->store);
    uint64_t t1 = fcpd_now_ns();
    d->sym.commits++;
    d->sym.commit_ns += t1 - t0;
    if (rc < 0) {
        /* everything since the batch began is gone */
        d->sym.bytes -= d->sym.pending_bytes < d->sym.bytes ? d->sym.pending_bytes : d->sym.bytes;
        d->sym.commit_failures++;
        fcp_log_field f[] = { FCP_LF_UINT("symbols", d->sym.pending),
                              FCP_LF_STR("sqlite", fcp_store_errmsg(d->store)) };
        fcpd_log(d, FCP_LOG_WARN, "symstore.commit", rc, f, 2);
    } else {
        d->sym.committed += d->sym.pending;
    }
    d->sym.pending = 0;
    d->sym.pending_bytes = 0;
    return rc;
}

static int ss_put(void *ctx, const fcp_mesh_obj_meta *m, uint32_t esi, const uint8_t *data, size_t len)
{
    fcpd *d = ctx;
    if (len != m->symbol_size || len == 0)
        return FCP_EINVAL;
    if (d->cfg.store_quota_bytes && d->sym.bytes + len > d->cfg.store_quota_bytes) {
        /* full: a symbol already held is still "held", anything else refused */
        uint8_t probe[1];
        size_t pl;
        return fcp_store_rq_get_symbol(d->store, m->object_id, esi, probe, 0, &pl) == FCP_EBUFFER_TOO_SMALL
                   ? 1 : FCP_ELIMIT;
    }
    int rc = batch_open(d);
    if (rc < 0)
        return rc;
    fcp_store_rq_object o;
    memset(&o, 0, sizeof o);
    memcpy(o.object_id, m->object_id, sizeof o.object_id);
    memcpy(o.zone_id, m->zone_id, sizeof o.zone_id);
    o.k = m->k;
    o.symbol_size = m->symbol_size;
    o.flags = m->flags;
    fcp_store_rq_symbol y = { esi, data };
    size_t added = 0;
    rc = fcp_store_rq_put(d->store, &o, &y, 1, &added);
    if (rc == FCP_ESTORE_SYMBOL_CONFLICT)
        return FCP_EMESH_STORE_CONFLICT;
    if (rc < 0)
        return map_err(rc);
    if (!added)
        return 1;
    d->sym.bytes += len;
    d->sym.pending++;
    d->sym.pending_bytes += len;
    if (d->sym.pending >= FCPD_SYM_BATCH)
        fcpd_symstore_flush(d);
    return 0;
}

static int ss_stat(void *ctx, const uint8_t id[32], fcp_mesh_obj_meta *m)
{
    fcpd *d = ctx;
    fcp_store_rq_object o;
    int rc = fcp_store_rq_stat(d->store, id, &o);
    if (rc < 0)
        return map_err(rc);
    to_meta(&o, m);
    return 0;
}

static int ss_set_flags(void *ctx, const uint8_t id[32], uint32_t flags)
{
    fcpd *d = ctx;
    fcp_store_rq_object o;
    int rc = fcp_store_rq_stat(d->store, id, &o);
    if (rc < 0)
        return map_err(rc);
    if ((o.flags | flags) == o.flags)
        return 0;
    if ((rc = batch_open(d)) < 0)
        return rc;
    return map_err(fcp_store_rq_set_flags(d->store, id, flags));
}

static int ss_list_esis(void *ctx, const uint8_t id[32], uint32_t from, uint32_t *esis, size_t cap,
                        size_t *n)
{
    fcpd *d = ctx;
    return map_err(fcp_store_rq_list_esis(d->store, id, from, esis, cap, n));
}

static int ss_get_symbol(void *ctx, const uint8_t id[32], uint32_t esi, uint8_t *out, size_t cap,
                         size_t *len)
{
    fcpd *d = ctx;
    fcp_store_seal_stats a, b;
    fcp_store_seal_stats_get(d->store, &a);
    int rc = fcp_store_rq_get_symbol(d->store, id, esi, out, cap, len);
    fcp_store_seal_stats_get(d->store, &b);
    if (b.auth_failures + b.no_key != a.auth_failures + a.no_key) {
        /* a sealed row that did not open: dropped by the store, never served */
        fcp_store_rq_object o;
        if (b.dropped != a.dropped && fcp_store_rq_stat(d->store, id, &o) == 0)
            d->sym.bytes -= o.symbol_size < d->sym.bytes ? o.symbol_size : d->sym.bytes;
        d->sym.unopenable++;
        char hex[2 * 32 + 1];
        fcp_hex_encode(hex, sizeof hex, id, 32);
        fcp_log_field f[] = { FCP_LF_STR("object", hex), FCP_LF_UINT("esi", esi),
                              FCP_LF_BOOL("unknown_key", b.no_key != a.no_key) };
        fcpd_log(d, FCP_LOG_WARN, "symstore.unopenable", FCP_ESTORE_SEAL_AUTH, f, 3);
    }
    return map_err(rc);
}

static int ss_list_objects(void *ctx, const char *zone, const uint8_t *after, fcp_mesh_obj_meta *out,
                           size_t cap, size_t *n)
{
    fcpd *d = ctx;
    fcp_store_rq_object tmp[32];
    *n = 0;
    while (*n < cap) {
        size_t want = cap - *n < 32 ? cap - *n : 32, got = 0;
        const uint8_t *from = *n ? out[*n - 1].object_id : after;
        int rc = fcp_store_rq_list(d->store, zone, from, tmp, want, &got);
        if (rc < 0)
            return map_err(rc);
        for (size_t i = 0; i < got; i++)
            to_meta(&tmp[i], &out[(*n)++]);
        if (got < want)
            break;
    }
    return 0;
}

static int ss_drop(void *ctx, const uint8_t id[32])
{
    fcpd *d = ctx;
    fcp_store_rq_object o;
    int rc = fcp_store_rq_stat(d->store, id, &o);
    if (rc < 0)
        return map_err(rc);
    /* a drop is answered to an admin client at once: commit what is
     * pending, then delete in a transaction of its own */
    fcpd_symstore_flush(d);
    rc = fcp_store_rq_delete(d->store, id);
    if (rc == 0) {
        uint64_t b = (uint64_t)o.n_symbols * o.symbol_size;
        d->sym.bytes -= b < d->sym.bytes ? b : d->sym.bytes;
    }
    return map_err(rc);
}

int fcpd_symstore_open(fcpd *d, fcp_mesh_store *out)
{
    memset(out, 0, sizeof *out);
    memset(&d->sym, 0, sizeof d->sym);
    if (!d->store)
        return FCP_EINVAL;
    uint64_t objects = 0, symbols = 0, bytes = 0;
    int rc = fcp_store_rq_totals(d->store, &objects, &symbols, &bytes);
    if (rc < 0)
        return rc;
    d->sym.bytes = bytes;
    out->ctx = d;
    out->put_symbol = ss_put;
    out->stat = ss_stat;
    out->set_flags = ss_set_flags;
    out->list_esis = ss_list_esis;
    out->get_symbol = ss_get_symbol;
    out->list_objects = ss_list_objects;
    out->drop = ss_drop;
    fcp_log_field f[] = { FCP_LF_UINT("objects", objects), FCP_LF_UINT("symbols", symbols),
                          FCP_LF_UINT("bytes", bytes) };
    fcpd_log(d, FCP_LOG_INFO, "symstore.open", 0, f, 3);
    return 0;
}

void fcpd_symstore_close(fcpd *d)
{
    fcpd_symstore_flush(d);
}

uint64_t fcpd_symstore_bytes(const fcpd *d)
{
    return d->sym.bytes;
}
