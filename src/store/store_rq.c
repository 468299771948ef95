/*
 * store_rq.c - the mesh engine's symbol store on SQLite (schema 2): objects
 * held only as RaptorQ symbols (rq_objects: zone, K, T, flags) and their
 * symbols keyed by (object, ESI) (rq_symbols).
 *
 * Writes follow the rest of the store: one transaction per call (or one
 * savepoint inside a caller's fcp_store_txn_begin), all or nothing.  Each
 * record keeps its symbol count (n_symbols) in step, so stat and list are
 * one row each however many symbols an object has; fcp_store_check
 * recounts.
 */
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

#include "fcp/error.h"

static void row_to_obj(sqlite3_stmt *q, int col0, fcp_store_rq_object *o)
{
    /* columns from col0: zone, k, symbol_size, flags, count */
    const unsigned char *z = sqlite3_column_text(q, col0);
    snprintf(o->zone_id, sizeof o->zone_id, "%s", z ? (const char *)z : "");
    o->k = (uint32_t)sqlite3_column_int64(q, col0 + 1);
    o->symbol_size = (uint16_t)sqlite3_column_int64(q, col0 + 2);
    o->flags = (uint32_t)sqlite3_column_int64(q, col0 + 3);
    o->n_symbols = (uint32_t)sqlite3_column_int64(q, col0 + 4);
}

/* 1 found (o filled), 0 absent, <0 error. */
static int rq_lookup(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], fcp_store_rq_object *o)
{
    sqlite3_stmt *q = fcp_store__stmt(s, ST_RQ_OBJ_GET);
    fcp_store__bind_id(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        memcpy(o->object_id, id, FCP_OBJECT_ID_BYTES);
        row_to_obj(q, 0, o);
    }
    sqlite3_reset(q);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : fcp_store__err(s, rc);
}

int fcp_store_rq_put(fcp_store *s, const fcp_store_rq_object *o, const fcp_store_rq_symbol *syms,
                     size_t n, size_t *added)
{
    if (added)
        *added = 0;
    if (!s || !o || (n && !syms) || o->k == 0 || o->k > 65535 || o->symbol_size == 0)
        return FCP_EINVAL;
    if (fcp_zone_id_validate(o->zone_id, strnlen(o->zone_id, sizeof o->zone_id)) < 0)
        return FCP_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!syms[i].data)
            return FCP_EINVAL;
    int r = fcp_store__begin(s);
    if (r)
        return r;
    fcp_store_rq_object cur;
    int f = rq_lookup(s, o->object_id, &cur);
    if (f < 0)
        return fcp_store__end(s, f);
    if (f == 1) {
        if (cur.k != o->k || cur.symbol_size != o->symbol_size || strcmp(cur.zone_id, o->zone_id) != 0)
            return fcp_store__end(s, FCP_ESTORE_RQ_CONFLICT);
        if ((cur.flags | o->flags) != cur.flags) {
            sqlite3_stmt *q = fcp_store__stmt(s, ST_RQ_OBJ_FLAGS);
            fcp_store__bind_id(q, 1, o->object_id);
            sqlite3_bind_int64(q, 2, o->flags);
            r = fcp_store__exec(s, q);
        }
    } else {
        sqlite3_stmt *q = fcp_store__stmt(s, ST_RQ_OBJ_INSERT);
        fcp_store__bind_id(q, 1, o->object_id);
        sqlite3_bind_text(q, 2, o->zone_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, o->k);
        sqlite3_bind_int64(q, 4, o->symbol_size);
        sqlite3_bind_int64(q, 5, o->flags);
        sqlite3_bind_int64(q, 6, (sqlite3_int64)fcp_store__now(s));
        r = fcp_store__exec(s, q);
    }
    size_t nadd = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        sqlite3_stmt *q = fcp_store__stmt(s, ST_RQ_SYM_GET);
        fcp_store__bind_id(q, 1, o->object_id);
        sqlite3_bind_int64(q, 2, syms[i].esi);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            int same = sqlite3_column_bytes(q, 0) == (int)o->symbol_size &&
                       memcmp(sqlite3_column_blob(q, 0), syms[i].data, o->symbol_size) == 0;
            sqlite3_reset(q);
            if (!same)
                r = FCP_ESTORE_SYMBOL_CONFLICT;
            continue;
        }
        sqlite3_reset(q);
        if (rc != SQLITE_DONE) {
            r = fcp_store__err(s, rc);
            break;
        }
        q = fcp_store__stmt(s, ST_RQ_SYM_INSERT);
        fcp_store__bind_id(q, 1, o->object_id);
        sqlite3_bind_int64(q, 2, syms[i].esi);
        sqlite3_bind_blob(q, 3, syms[i].data, (int)o->symbol_size, SQLITE_STATIC);
        r = fcp_store__exec(s, q);
        nadd++;
    }
    if (r == 0 && nadd) {
        sqlite3_stmt *q = fcp_store__stmt(s, ST_RQ_OBJ_ADD);
        fcp_store__bind_id(q, 1, o->object_id);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)nadd);
        r = fcp_store__exec(s, q);
    }
    r = fcp_store__end(s, r);
    if (r == 0 && added)
        *added = nadd;
    return r;
}

int fcp_store_rq_stat(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], fcp_store_rq_object *o)
{
    if (!s || !id || !o)
        return FCP_EINVAL;
    memset(o, 0, sizeof *o);
    int f = rq_lookup(s, id, o);
    return f < 0 ? f : f ? 0 : FCP_ESTORE_NOT_FOUND;
}

int fcp_store_rq_set_flags(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], uint32_t flags)
{
    if (!s || !id)
        return FCP_EINVAL;
    int r = fcp_store__begin(s);
    if (r)
        return r;
    sqlite3_stmt *q = fcp_store__stmt(s, ST_RQ_OBJ_FLAGS);
    fcp_store__bind_id(q, 1, id);
    sqlite3_bind_int64(q, 2, flags);
    r = fcp_store__exec(s, q);
    if (r == 0 && sqlite3_changes(s->db) == 0)
        r = FCP_ESTORE_NOT_FOUND;
    return fcp_store__end(s, r);
}

int fcp_store_rq_list_esis(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], uint32_t from,
                           uint32_t *esis, size_t cap, size_t *n)
{
    if (!n)
        return FCP_EINVAL;
    *n = 0;
    if (!s || !id || (cap && !esis))
        return FCP_EINVAL;
    fcp_store_rq_object o;
    int f = rq_lookup(s, id, &o);
    if (f <= 0)
        return f < 0 ? f : FCP_ESTORE_NOT_FOUND;
    sqlite3_stmt *q = fcp_store__stmt(s, ST_RQ_SYM_ESIS);
    fcp_store__bind_id(q, 1, id);
    sqlite3_bind_int64(q, 2, from);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)(cap > INT32_MAX ? INT32_MAX : cap));
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW && *n < cap)
        esis[(*n)++] = (uint32_t)sqlite3_column_int64(q, 0);
    sqlite3_reset(q);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : fcp_store__err(s, rc);
}

int fcp_store_rq_get_symbol(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], uint32_t esi,
                            uint8_t *out, size_t cap, size_t *len)
{
    if (!len)
        return FCP_EINVAL;
    *len = 0;
    if (!s || !id || (cap && !out))
        return FCP_EINVAL;
    sqlite3_stmt *q = fcp_store__stmt(s, ST_RQ_SYM_GET);
    fcp_store__bind_id(q, 1, id);
    sqlite3_bind_int64(q, 2, esi);
    int rc = sqlite3_step(q), r = 0;
    if (rc == SQLITE_ROW) {
        size_t l = (size_t)sqlite3_column_bytes(q, 0);
        if (l > cap) {
            r = FCP_EBUFFER_TOO_SMALL;
        } else {
            memcpy(out, sqlite3_column_blob(q, 0), l);
            *len = l;
        }
    } else {
        r = rc == SQLITE_DONE ? FCP_ESTORE_NOT_FOUND : fcp_store__err(s, rc);
    }
    sqlite3_reset(q);
    return r;
}

int fcp_store_rq_list(fcp_store *s, const char *zone, const uint8_t *after, fcp_store_rq_object *out,
                      size_t cap, size_t *n)
{
    if (!n)
        return FCP_EINVAL;
    *n = 0;
    if (!s || (cap && !out))
        return FCP_EINVAL;
    static const uint8_t none[1] = { 0 };
    sqlite3_stmt *q = fcp_store__stmt(s, zone ? ST_RQ_OBJ_LIST_ZONE : ST_RQ_OBJ_LIST);
    /* any blob compares greater than the empty blob */
    if (after)
        fcp_store__bind_id(q, 1, after);
    else
        sqlite3_bind_blob(q, 1, none, 0, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)(cap > INT32_MAX ? INT32_MAX : cap));
    if (zone)
        sqlite3_bind_text(q, 3, zone, -1, SQLITE_STATIC);
    int rc = SQLITE_DONE;
    while (*n < cap && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        fcp_store_rq_object *o = &out[*n];
        memset(o, 0, sizeof *o);
        if (sqlite3_column_bytes(q, 0) == FCP_OBJECT_ID_BYTES)
            memcpy(o->object_id, sqlite3_column_blob(q, 0), FCP_OBJECT_ID_BYTES);
        row_to_obj(q, 1, o);
        (*n)++;
    }
    if (*n < cap && rc != SQLITE_DONE) {
        sqlite3_reset(q);
        *n = 0;
        return fcp_store__err(s, rc);
    }
    sqlite3_reset(q);
    return 0;
}

int fcp_store_rq_delete(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES])
{
    if (!s || !id)
        return FCP_EINVAL;
    int r = fcp_store__begin(s);
    if (r)
        return r;
    sqlite3_stmt *q = fcp_store__stmt(s, ST_RQ_OBJ_DELETE);
    fcp_store__bind_id(q, 1, id);
    r = fcp_store__exec(s, q);
    if (r == 0 && sqlite3_changes(s->db) == 0)
        r = FCP_ESTORE_NOT_FOUND;
    return fcp_store__end(s, r);
}

int fcp_store_rq_totals(fcp_store *s, uint64_t *objects, uint64_t *symbols, uint64_t *bytes)
{
    if (!s)
        return FCP_EINVAL;
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT (SELECT count(*) FROM rq_objects), count(*), coalesce(sum(length(data)), 0)"
                                " FROM rq_symbols",
                                -1, &q, NULL);
    if (rc != SQLITE_OK)
        return fcp_store__err(s, rc);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        if (objects)
            *objects = (uint64_t)sqlite3_column_int64(q, 0);
        if (symbols)
            *symbols = (uint64_t)sqlite3_column_int64(q, 1);
        if (bytes)
            *bytes = (uint64_t)sqlite3_column_int64(q, 2);
    }
    sqlite3_finalize(q);
    return rc == SQLITE_ROW ? 0 : fcp_store__err(s, rc);
}
