/*
 * store_rq.c - the mesh engine's symbol store on SQLite (schema 2): objects
 * held only as RaptorQ symbols (rq_objects: zone, K, T, flags) and their
 * symbols keyed by (object, ESI) (rq_symbols), sealed since schema 3.
 *
 * Writes follow the rest of the store: one transaction per call (or one
 * savepoint inside a caller's fcp_store_txn_begin), all or nothing.  Each
 * record keeps its symbol count (n_symbols) in step, so stat and list are
 * one row each however many symbols an object has; fcp_store_check
 * recounts.
 *
 * Symbols are sealed at rest (schema 3, D-STORE-6; primitives in
 * store_seal.c): a put seals each new symbol under the zone's active key
 * with a fresh random nonce and stores (kid, nonce, tag, ciphertext); a get
 * opens it with the key of the row's kid.  A row that does not open is
 * never returned: it is deleted and reported missing (repair restores it),
 * or replaced when a put brings that ESI again.
 */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/crypto.h"
#include "fcp/error.h"

/* One sealed row, copied out of its statement. */
typedef struct sealed_row {
    uint8_t kid[8];
    uint8_t nonce[FCP_STORE_SEAL_NONCE_BYTES];
    uint8_t tag[FCP_STORE_SEAL_TAG_BYTES];
    char    zone[FCP_ZONE_ID_MAX + 1];
    int     well_formed;   /* column sizes as the schema says */
} sealed_row;

/* Columns kid, nonce, tag, data, zone of ST_RQ_SYM_GET into r (not data). */
static void row_meta(sqlite3_stmt *q, sealed_row *r)
{
    memset(r, 0, sizeof *r);
    r->well_formed = sqlite3_column_bytes(q, 0) == 8 &&
                     sqlite3_column_bytes(q, 1) == FCP_STORE_SEAL_NONCE_BYTES &&
                     sqlite3_column_bytes(q, 2) == FCP_STORE_SEAL_TAG_BYTES;
    if (r->well_formed) {
        memcpy(r->kid, sqlite3_column_blob(q, 0), 8);
        memcpy(r->nonce, sqlite3_column_blob(q, 1), FCP_STORE_SEAL_NONCE_BYTES);
        memcpy(r->tag, sqlite3_column_blob(q, 2), FCP_STORE_SEAL_TAG_BYTES);
    }
    const unsigned char *z = sqlite3_column_text(q, 4);
    snprintf(r->zone, sizeof r->zone, "%s", z ? (const char *)z : "");
}

/* Open the data column (len bytes) of the current row of q into out.
 * 0, FCP_ESTORE_SEAL_AUTH or FCP_ESTORE_NO_KEY (counted; out zeroed). */
static int row_open(fcp_store *s, sqlite3_stmt *q, const sealed_row *r, const uint8_t id[FCP_OBJECT_ID_BYTES],
                    uint32_t esi, uint8_t *out, size_t len)
{
    const uint8_t *sk;
    int rc = r->well_formed ? fcp_store__seal_subkey(s, r->zone, r->kid, &sk) : FCP_ESTORE_SEAL_AUTH;
    if (rc == 0)
        rc = fcp_store_symbol_open(sk, r->zone, id, esi, r->kid, r->nonce, sqlite3_column_blob(q, 3), len,
                                   r->tag, out);
    if (rc == 0) {
        s->seal_stats.opened++;
        return 0;
    }
    memset(out, 0, len);
    if (rc == FCP_ESTORE_NO_KEY) {
        s->seal_stats.no_key++;
        return rc;
    }
    s->seal_stats.auth_failures++;
    return FCP_ESTORE_SEAL_AUTH;
}

/* Seal data (len bytes) as symbol esi of (zone, id) under the active subkey
 * sk / kid and bind it to statement q (ST_RQ_SYM_INSERT or _REPLACE; the
 * columns are numbered alike).  ct receives the ciphertext (bound static). */
static int bind_sealed(fcp_store *s, sqlite3_stmt *q, const char *zone, const uint8_t id[FCP_OBJECT_ID_BYTES],
                       uint32_t esi, const uint8_t kid[8], const uint8_t sk[32], const uint8_t *data,
                       size_t len, uint8_t *ct, uint8_t nonce[FCP_STORE_SEAL_NONCE_BYTES],
                       uint8_t tag[FCP_STORE_SEAL_TAG_BYTES])
{
    int rc = fcp_store__seal_nonce(s, nonce);
    if (rc == 0)
        rc = fcp_store_symbol_seal(sk, zone, id, esi, kid, nonce, data, len, ct, tag);
    if (rc)
        return rc;
    s->seal_stats.sealed++;
    fcp_store__bind_id(q, 1, id);
    sqlite3_bind_int64(q, 2, esi);
    sqlite3_bind_blob(q, 3, kid, 8, SQLITE_STATIC);
    sqlite3_bind_blob(q, 4, nonce, FCP_STORE_SEAL_NONCE_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(q, 5, tag, FCP_STORE_SEAL_TAG_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(q, 6, ct, (int)len, SQLITE_STATIC);
    return 0;
}

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
    /* the zone's active subkey, copied: opening an old row may evict the
     * cache entry it points into */
    uint8_t kid[8], sk[32];
    const uint8_t *skp;
    uint8_t *buf = NULL;
    if (r == 0 && n) {
        r = fcp_store__seal_active(s, o->zone_id, kid, &skp);
        if (r == 0) {
            memcpy(sk, skp, 32);
            buf = malloc(2u * o->symbol_size);
            if (!buf)
                r = FCP_ENOMEM;
        }
    }
    uint8_t *ct = buf, *pt = buf ? buf + o->symbol_size : NULL;
    uint8_t nonce[FCP_STORE_SEAL_NONCE_BYTES], tag[FCP_STORE_SEAL_TAG_BYTES];
    size_t nadd = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        sqlite3_stmt *q = fcp_store__stmt(s, ST_RQ_SYM_GET);
        fcp_store__bind_id(q, 1, o->object_id);
        sqlite3_bind_int64(q, 2, syms[i].esi);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            sealed_row row;
            row_meta(q, &row);
            int held = sqlite3_column_bytes(q, 3) == (int)o->symbol_size &&
                       row_open(s, q, &row, o->object_id, syms[i].esi, pt, o->symbol_size) == 0;
            if (!held && sqlite3_column_bytes(q, 3) != (int)o->symbol_size)
                s->seal_stats.auth_failures++;
            int same = held && fcp_ct_equal(pt, syms[i].data, o->symbol_size);
            sqlite3_reset(q);
            if (held) {
                if (!same)
                    r = FCP_ESTORE_SYMBOL_CONFLICT;
                continue;
            }
            /* the row held cannot be opened: the new symbol replaces it */
            q = fcp_store__stmt(s, ST_RQ_SYM_REPLACE);
            r = bind_sealed(s, q, o->zone_id, o->object_id, syms[i].esi, kid, sk, syms[i].data,
                            o->symbol_size, ct, nonce, tag);
            if (r == 0)
                r = fcp_store__exec(s, q);
            if (r == 0)
                s->seal_stats.dropped++;
            continue;
        }
        sqlite3_reset(q);
        if (rc != SQLITE_DONE) {
            r = fcp_store__err(s, rc);
            break;
        }
        q = fcp_store__stmt(s, ST_RQ_SYM_INSERT);
        r = bind_sealed(s, q, o->zone_id, o->object_id, syms[i].esi, kid, sk, syms[i].data, o->symbol_size,
                        ct, nonce, tag);
        if (r == 0)
            r = fcp_store__exec(s, q);
        nadd++;
    }
    fcp_memzero(sk, sizeof sk);
    if (buf) {
        fcp_memzero(buf, 2u * o->symbol_size);
        free(buf);
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

/* Delete a row that failed to open (a savepoint inside a caller's
 * transaction) and keep the record's count in step; read-only: left alone. */
static void drop_row(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], uint32_t esi)
{
    if (s->opt.read_only || fcp_store__begin(s) != 0)
        return;
    sqlite3_stmt *q = fcp_store__stmt(s, ST_RQ_SYM_DELETE);
    fcp_store__bind_id(q, 1, id);
    sqlite3_bind_int64(q, 2, esi);
    int r = fcp_store__exec(s, q);
    if (r == 0 && sqlite3_changes(s->db) == 1) {
        q = fcp_store__stmt(s, ST_RQ_OBJ_ADD);
        fcp_store__bind_id(q, 1, id);
        sqlite3_bind_int64(q, 2, -1);
        r = fcp_store__exec(s, q);
    }
    if (fcp_store__end(s, r) == 0)
        s->seal_stats.dropped++;
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
    int rc = sqlite3_step(q), r = 0, drop = 0;
    if (rc == SQLITE_ROW) {
        size_t l = (size_t)sqlite3_column_bytes(q, 3);
        if (l > cap) {
            r = FCP_EBUFFER_TOO_SMALL;
        } else {
            sealed_row row;
            row_meta(q, &row);
            r = row_open(s, q, &row, id, esi, out, l);
            if (r == 0) {
                *len = l;
            } else {
                /* never served; missing from now on, so repair restores it */
                drop = 1;
                r = FCP_ESTORE_NOT_FOUND;
            }
        }
    } else {
        r = rc == SQLITE_DONE ? FCP_ESTORE_NOT_FOUND : fcp_store__err(s, rc);
    }
    sqlite3_reset(q);
    if (drop)
        drop_row(s, id, esi);
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

int fcp_store__rq_seal_migrate(fcp_store *s)
{
    sqlite3_stmt *rd = NULL, *wr = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT y.object_id, y.esi, y.data, o.zone FROM rq_symbols y"
                                " JOIN rq_objects o ON o.object_id = y.object_id",
                                -1, &rd, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(s->db,
                                "INSERT INTO rq_symbols_sealed(object_id, esi, kid, nonce, tag, data)"
                                " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                                -1, &wr, NULL);
    int r = rc == SQLITE_OK ? 0 : fcp_store__err(s, rc);
    uint8_t *ct = malloc(65536);
    if (r == 0 && !ct)
        r = FCP_ENOMEM;
    uint8_t kid[8], sk[32], nonce[FCP_STORE_SEAL_NONCE_BYTES], tag[FCP_STORE_SEAL_TAG_BYTES];
    while (r == 0 && (rc = sqlite3_step(rd)) == SQLITE_ROW) {
        uint8_t id[FCP_OBJECT_ID_BYTES];
        char zone[FCP_ZONE_ID_MAX + 1];
        if (sqlite3_column_bytes(rd, 0) != FCP_OBJECT_ID_BYTES || sqlite3_column_bytes(rd, 2) <= 0 ||
            sqlite3_column_bytes(rd, 2) > 65535) {
            r = FCP_ESTORE_CORRUPT;
            break;
        }
        memcpy(id, sqlite3_column_blob(rd, 0), FCP_OBJECT_ID_BYTES);
        uint32_t esi = (uint32_t)sqlite3_column_int64(rd, 1);
        size_t len = (size_t)sqlite3_column_bytes(rd, 2);
        const unsigned char *z = sqlite3_column_text(rd, 3);
        snprintf(zone, sizeof zone, "%s", z ? (const char *)z : "");
        const uint8_t *skp;
        if ((r = fcp_store__seal_active(s, zone, kid, &skp)) != 0) {
            snprintf(s->errmsg, sizeof s->errmsg,
                     "schema 3 migration: no key for zone '%s' to seal its stored symbols", zone);
            break;
        }
        memcpy(sk, skp, 32);
        sqlite3_reset(wr);
        sqlite3_clear_bindings(wr);
        r = bind_sealed(s, wr, zone, id, esi, kid, sk, sqlite3_column_blob(rd, 2), len, ct, nonce, tag);
        if (r == 0) {
            rc = sqlite3_step(wr);
            r = rc == SQLITE_DONE ? 0 : fcp_store__err(s, rc);
        }
        if (r == 0)
            s->seal_stats.migrated++;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = fcp_store__err(s, rc);
    sqlite3_finalize(rd);
    sqlite3_finalize(wr);
    fcp_memzero(sk, sizeof sk);
    if (ct) {
        fcp_memzero(ct, 65536);
        free(ct);
    }
    if (r == 0)
        r = fcp_store__exec_sql(s, "DROP TABLE rq_symbols;"
                                   "ALTER TABLE rq_symbols_sealed RENAME TO rq_symbols;");
    return r;
}
