/*
 * store_object.c - objects, symbols, pins, frontiers and zone quotas.
 *
 * Each public write is one transaction (fcp_store__begin ... __end), so a
 * failure anywhere in it (a conflict, a quota, a full disk) rolls the whole
 * call back.  Zone usage is kept by hand in the same transaction as the
 * write that changes it, and fcp_store_check recomputes it from scratch.
 */
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

#include "fcp/error.h"

int fcp_store__bind_id(sqlite3_stmt *q, int col, const uint8_t id[FCP_OBJECT_ID_BYTES])
{
    return sqlite3_bind_blob(q, col, id, FCP_OBJECT_ID_BYTES, SQLITE_STATIC);
}

static int bind_text(sqlite3_stmt *q, int col, const char *s)
{
    return sqlite3_bind_text(q, col, s, -1, SQLITE_STATIC);
}

static int check_zone(const char *zone)
{
    if (!zone)
        return FCP_EINVAL;
    return fcp_zone_id_validate(zone, strlen(zone));
}

static int check_retention(const fcp_retention *r)
{
    if (!r)
        return FCP_EINVAL;
    if (r->kind != FCP_RETENTION_PINNED && r->kind != FCP_RETENTION_LEASE && r->kind != FCP_RETENTION_EPHEMERAL)
        return FCP_EINVAL;
    return 0;
}

static void bind_retention(sqlite3_stmt *q, int kind_col, const fcp_retention *r)
{
    sqlite3_bind_int(q, kind_col, (int)r->kind);
    if (r->kind == FCP_RETENTION_LEASE)
        sqlite3_bind_int64(q, kind_col + 1, (sqlite3_int64)(r->lease_expires_at > INT64_MAX
                                                                ? INT64_MAX : r->lease_expires_at));
    else
        sqlite3_bind_null(q, kind_col + 1);
}

/* ---- zone usage ------------------------------------------------------------ */

int fcp_store__usage_add(fcp_store *s, const char *zone, int64_t dbytes, int64_t dobjects, int check_quota)
{
    if (check_quota && dbytes > 0) {
        sqlite3_stmt *q = fcp_store__stmt(s, ST_QUOTA_GET);
        bind_text(q, 1, zone);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            int64_t max = sqlite3_column_int64(q, 0);
            sqlite3_reset(q);
            sqlite3_stmt *u = fcp_store__stmt(s, ST_USAGE_GET);
            bind_text(u, 1, zone);
            rc = sqlite3_step(u);
            int64_t used = rc == SQLITE_ROW ? sqlite3_column_int64(u, 0) : 0;
            sqlite3_reset(u);
            if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                return fcp_store__err(s, rc);
            if (used + dbytes > max)
                return FCP_ESTORE_QUOTA;
        } else {
            sqlite3_reset(q);
            if (rc != SQLITE_DONE)
                return fcp_store__err(s, rc);
        }
    }
    /* UPDATE, then INSERT for a zone's first object (an upsert would test the
     * CHECKs against the negative delta row before resolving the conflict) */
    for (int pass = 0; pass < 2; pass++) {
        sqlite3_stmt *q = fcp_store__stmt(s, pass ? ST_USAGE_INSERT : ST_USAGE_ADD);
        bind_text(q, 1, zone);
        sqlite3_bind_int64(q, 2, dbytes);
        sqlite3_bind_int64(q, 3, dobjects);
        int r = fcp_store__exec(s, q);
        if (r || pass || sqlite3_changes(s->db) > 0)
            return r;
    }
    return 0;
}

int fcp_store_zone_usage(fcp_store *s, const char *zone, uint64_t *bytes, uint64_t *objects)
{
    int r = check_zone(zone);
    if (r)
        return r;
    sqlite3_stmt *q = fcp_store__stmt(s, ST_USAGE_GET);
    bind_text(q, 1, zone);
    int rc = sqlite3_step(q);
    *bytes = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(q, 0) : 0;
    *objects = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(q, 1) : 0;
    sqlite3_reset(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fcp_store__err(s, rc);
}

int fcp_store_set_quota(fcp_store *s, const char *zone, uint64_t max_bytes)
{
    int r = check_zone(zone);
    if (r)
        return r;
    if (max_bytes > INT64_MAX)
        return FCP_EOUT_OF_RANGE;
    if ((r = fcp_store__begin(s)) != 0)
        return r;
    sqlite3_stmt *q = fcp_store__stmt(s, max_bytes ? ST_QUOTA_SET : ST_QUOTA_DELETE);
    bind_text(q, 1, zone);
    if (max_bytes)
        sqlite3_bind_int64(q, 2, (sqlite3_int64)max_bytes);
    return fcp_store__end(s, fcp_store__exec(s, q));
}

/* ---- objects ------------------------------------------------------------------ */

/* Look up an object: 1 found (zone copied, flags set), 0 absent, <0 error. */
int fcp_store__lookup(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], char zone[FCP_ZONE_ID_MAX + 1],
                      int *quarantined, uint64_t *stored_bytes, int *retention)
{
    sqlite3_stmt *q = fcp_store__stmt(s, ST_OBJ_HAS);
    fcp_store__bind_id(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        if (zone) {
            const unsigned char *z = sqlite3_column_text(q, 0);
            int zl = sqlite3_column_bytes(q, 0);
            if (zl > FCP_ZONE_ID_MAX)
                zl = FCP_ZONE_ID_MAX;
            memcpy(zone, z ? (const char *)z : "", (size_t)zl);
            zone[zl] = '\0';
        }
        if (quarantined)
            *quarantined = sqlite3_column_int(q, 1);
        if (stored_bytes)
            *stored_bytes = (uint64_t)sqlite3_column_int64(q, 2);
        if (retention)
            *retention = sqlite3_column_int(q, 3);
        sqlite3_reset(q);
        return 1;
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? 0 : fcp_store__err(s, rc);
}

int fcp_store__delete_locked(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], uint64_t *bytes)
{
    char zone[FCP_ZONE_ID_MAX + 1];
    int quarantined;
    uint64_t stored;
    int f = fcp_store__lookup(s, id, zone, &quarantined, &stored, NULL);
    if (f < 0)
        return f;
    if (f == 0)
        return FCP_ESTORE_NOT_FOUND;
    sqlite3_stmt *q = fcp_store__stmt(s, ST_OBJ_DELETE);
    fcp_store__bind_id(q, 1, id);
    int r = fcp_store__exec(s, q);
    if (r == 0 && !quarantined)
        r = fcp_store__usage_add(s, zone, -(int64_t)stored, -1, 0);
    if (r == 0 && bytes)
        *bytes = stored;
    return r;
}

/* Shared by put and quarantine admit: insert a new object row and its refs,
 * or reconcile with an existing row.  *existed tells which happened. */
static int put_locked(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], const fcp_object_header *h,
                      const fcp_buf *hb, const uint8_t *body, size_t body_len, uint64_t size,
                      const fcp_retention *ret, int quarantined, int *existed, uint64_t *stored_out)
{
    int r;
    sqlite3_stmt *q = fcp_store__stmt(s, ST_OBJ_META);
    fcp_store__bind_id(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *existed = 1;
        const void *oh = sqlite3_column_blob(q, 1);
        size_t ohl = (size_t)sqlite3_column_bytes(q, 1);
        int same_header = ohl == hb->len && (ohl == 0 || memcmp(oh, hb->data, ohl) == 0);
        int has_body = sqlite3_column_type(q, 2) != SQLITE_NULL;
        const void *ob = has_body ? sqlite3_column_blob(q, 2) : NULL;
        size_t obl = (size_t)sqlite3_column_bytes(q, 2);
        int same_body = !body || !has_body || (obl == body_len && (obl == 0 || memcmp(ob, body, obl) == 0));
        int was_q = sqlite3_column_int(q, 3);
        sqlite3_reset(q);
        if (!same_header || !same_body) {
            snprintf(s->errmsg, sizeof s->errmsg, "object already stored with a different %s",
                     same_header ? "body" : "header");
            return FCP_ESTORE_CONFLICT;
        }
        if (was_q && !quarantined)
            return FCP_ESTORE_QUARANTINED;
        if (body && !has_body) {
            q = fcp_store__stmt(s, ST_OBJ_SET_BODY);
            fcp_store__bind_id(q, 1, id);
            sqlite3_bind_blob(q, 2, body_len ? (const void *)body : "", (int)body_len, SQLITE_STATIC);
            sqlite3_bind_int64(q, 3, (sqlite3_int64)body_len);
            sqlite3_bind_int64(q, 4, (sqlite3_int64)body_len);
            if ((r = fcp_store__exec(s, q)) != 0)
                return r;
            if (!was_q)
                return fcp_store__usage_add(s, h->zone_id, (int64_t)body_len, 0, 1);
        }
        return 0;
    }
    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return fcp_store__err(s, rc);
    *existed = 0;
    uint8_t sh[FCP_SCHEMA_HASH_BYTES];
    fcp_schema_hash(sh, &h->schema);
    uint64_t stored = hb->len + (body ? body_len : 0);
    q = fcp_store__stmt(s, ST_OBJ_INSERT);
    fcp_store__bind_id(q, 1, id);
    bind_text(q, 2, h->zone_id);
    sqlite3_bind_blob(q, 3, sh, sizeof sh, SQLITE_STATIC);
    sqlite3_bind_blob(q, 4, hb->data, (int)hb->len, SQLITE_STATIC);
    if (body)
        sqlite3_bind_blob(q, 5, body_len ? (const void *)body : "", (int)body_len, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 5);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)size);
    sqlite3_bind_int64(q, 7, (sqlite3_int64)stored);
    bind_retention(q, 8, ret);
    sqlite3_bind_int(q, 10, quarantined);
    sqlite3_bind_int64(q, 11, (sqlite3_int64)fcp_store__now(s));
    if ((r = fcp_store__exec(s, q)) != 0)
        return r;
    for (size_t i = 0; i < h->n_refs; i++) {
        q = fcp_store__stmt(s, ST_REF_INSERT);
        fcp_store__bind_id(q, 1, id);
        fcp_store__bind_id(q, 2, h->refs[i]);
        if ((r = fcp_store__exec(s, q)) != 0)
            return r;
    }
    if (stored_out)
        *stored_out = stored;
    if (!quarantined)
        return fcp_store__usage_add(s, h->zone_id, (int64_t)stored, 1, 1);
    return 0;
}

/* Validate put arguments and encode the header into hb. */
static int put_prepare(const uint8_t *id, const fcp_object_header *h, const uint8_t *body, size_t body_len,
                       uint64_t *size, fcp_buf *hb)
{
    if (!id || !h || (!body && body_len))
        return FCP_EINVAL;
    if (body_len > FCP_STORE_BODY_MAX)
        return FCP_ETOO_LARGE;
    if (body)
        *size = body_len;
    if (*size > INT64_MAX)
        return FCP_EOUT_OF_RANGE;
    fcp_buf_init(hb);
    int r = fcp_object_header_encode(h, hb);
    if (r == 0 && hb->err)
        r = hb->err;
    if (r)
        fcp_buf_free(hb);
    return r;
}

int fcp_store_put(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], const fcp_object_header *h,
                  const uint8_t *body, size_t body_len, uint64_t object_size, const fcp_retention *retention)
{
    int r = check_retention(retention);
    if (r)
        return r;
    fcp_buf hb;
    uint64_t size = object_size;
    if ((r = put_prepare(id, h, body, body_len, &size, &hb)) != 0)
        return r;
    if ((r = fcp_store__begin(s)) == 0) {
        int existed;
        r = fcp_store__end(s, put_locked(s, id, h, &hb, body, body_len, size, retention, 0, &existed, NULL));
    }
    fcp_buf_free(&hb);
    return r;
}

/* After a put that found the object already there: if it is quarantined,
 * bring its quarantine byte count in step (a body may have arrived) and
 * re-apply the caps. */
static int quarantine_resync(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], size_t *evicted)
{
    int quarantined = 0;
    uint64_t stored = 0;
    int f = fcp_store__lookup(s, id, NULL, &quarantined, &stored, NULL);
    if (f <= 0)
        return f < 0 ? f : FCP_ESTORE_NOT_FOUND;
    if (!quarantined)
        return 0;
    sqlite3_stmt *q = fcp_store__stmt(s, ST_Q_GET);
    fcp_store__bind_id(q, 1, id);
    int rc = sqlite3_step(q);
    char peer[FCP_STORE_PEER_MAX + 1] = "";
    int64_t qb = 0;
    if (rc == SQLITE_ROW) {
        snprintf(peer, sizeof peer, "%s", (const char *)sqlite3_column_text(q, 0));
        qb = sqlite3_column_int64(q, 1);
    }
    sqlite3_reset(q);
    if (rc != SQLITE_ROW)
        return fcp_store__err(s, rc);
    if ((int64_t)stored == qb)
        return 0;
    q = fcp_store__stmt(s, ST_Q_ADD_BYTES);
    fcp_store__bind_id(q, 1, id);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)stored - qb);
    int r = fcp_store__exec(s, q);
    return r ? r : fcp_store__quarantine_enforce(s, peer, id, evicted);
}

int fcp_store_quarantine_admit(fcp_store *s, const char *peer, const uint8_t id[FCP_OBJECT_ID_BYTES],
                               const fcp_object_header *h, const uint8_t *body, size_t body_len,
                               uint64_t object_size, size_t *evicted)
{
    if (evicted)
        *evicted = 0;
    if (!peer)
        return FCP_EINVAL;
    int r = fcp_node_id_validate(peer, strlen(peer));
    if (r)
        return r;
    fcp_buf hb;
    uint64_t size = object_size;
    if ((r = put_prepare(id, h, body, body_len, &size, &hb)) != 0)
        return r;
    uint64_t stored = hb.len + (body ? body_len : 0);
    if (stored > s->opt.quarantine_max_bytes_per_peer || stored > s->opt.quarantine_max_bytes) {
        fcp_buf_free(&hb);
        return FCP_ESTORE_QUARANTINE_CAP;
    }
    if ((r = fcp_store__begin(s)) != 0) {
        fcp_buf_free(&hb);
        return r;
    }
    fcp_retention eph = { FCP_RETENTION_EPHEMERAL, 0 };
    int existed = 0;
    r = put_locked(s, id, h, &hb, body, body_len, size, &eph, 1, &existed, &stored);
    if (r == FCP_ESTORE_QUARANTINED)
        r = 0;
    if (r == 0 && !existed) {
        sqlite3_stmt *q = fcp_store__stmt(s, ST_Q_INSERT);
        fcp_store__bind_id(q, 1, id);
        bind_text(q, 2, peer);
        sqlite3_bind_int64(q, 3, (sqlite3_int64)stored);
        sqlite3_bind_int64(q, 4, (sqlite3_int64)fcp_store__now(s));
        r = fcp_store__exec(s, q);
        if (r == 0)
            r = fcp_store__quarantine_enforce(s, peer, id, evicted);
    } else if (r == 0 && existed) {
        r = quarantine_resync(s, id, evicted);
    }
    fcp_buf_free(&hb);
    r = fcp_store__end(s, r);
    if (r && evicted)
        *evicted = 0;
    return r;
}

int fcp_store_get(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], fcp_store_record *rec, fcp_buf *header,
                  fcp_buf *body)
{
    if (!id)
        return FCP_EINVAL;
    sqlite3_stmt *q = fcp_store__stmt(s, ST_OBJ_GET);
    fcp_store__bind_id(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(q);
        return rc == SQLITE_DONE ? FCP_ESTORE_NOT_FOUND : fcp_store__err(s, rc);
    }
    int r = 0;
    if (rec) {
        memset(rec, 0, sizeof *rec);
        memcpy(rec->object_id, id, FCP_OBJECT_ID_BYTES);
        const unsigned char *z = sqlite3_column_text(q, 0);
        int zl = sqlite3_column_bytes(q, 0);
        if (zl > FCP_ZONE_ID_MAX)
            zl = FCP_ZONE_ID_MAX;
        memcpy(rec->zone_id, z ? (const char *)z : "", (size_t)zl);
        if (sqlite3_column_bytes(q, 1) == FCP_SCHEMA_HASH_BYTES)
            memcpy(rec->schema_hash, sqlite3_column_blob(q, 1), FCP_SCHEMA_HASH_BYTES);
        rec->has_body = sqlite3_column_type(q, 3) != SQLITE_NULL;
        rec->size = (uint64_t)sqlite3_column_int64(q, 4);
        rec->retention.kind = (enum fcp_retention_kind)sqlite3_column_int(q, 5);
        rec->retention.lease_expires_at = (uint64_t)sqlite3_column_int64(q, 6);
        rec->stored_at = (uint64_t)sqlite3_column_int64(q, 7);
        rec->quarantined = sqlite3_column_int(q, 8);
        rec->stored_bytes = (uint64_t)sqlite3_column_int64(q, 9);
        rec->pinned = sqlite3_column_int(q, 10);
    }
    if (header)
        r = fcp_buf_append(header, sqlite3_column_blob(q, 2), (size_t)sqlite3_column_bytes(q, 2));
    if (r == 0 && body && sqlite3_column_type(q, 3) != SQLITE_NULL) {
        const void *b = sqlite3_column_blob(q, 3);
        size_t bl = (size_t)sqlite3_column_bytes(q, 3);
        if (bl)
            r = fcp_buf_append(body, b, bl);
    }
    sqlite3_reset(q);
    return r;
}

int fcp_store_has(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES])
{
    if (!id)
        return FCP_EINVAL;
    return fcp_store__lookup(s, id, NULL, NULL, NULL, NULL);
}

int fcp_store_set_retention(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], const fcp_retention *retention)
{
    int r = check_retention(retention);
    if (r || !id)
        return r ? r : FCP_EINVAL;
    if ((r = fcp_store__begin(s)) != 0)
        return r;
    int quarantined = 0;
    int f = fcp_store__lookup(s, id, NULL, &quarantined, NULL, NULL);
    if (f <= 0 || quarantined)
        return fcp_store__end(s, f < 0 ? f : FCP_ESTORE_NOT_FOUND);
    sqlite3_stmt *q = fcp_store__stmt(s, ST_OBJ_SET_RETENTION);
    fcp_store__bind_id(q, 1, id);
    bind_retention(q, 2, retention);
    return fcp_store__end(s, fcp_store__exec(s, q));
}

/* 1 if id is explicitly pinned or a zone frontier, 0 if not, <0 error. */
static int is_root_locked(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES])
{
    enum st_id which[2] = { ST_PIN_HAS, ST_FRONTIER_IS };
    for (int i = 0; i < 2; i++) {
        sqlite3_stmt *q = fcp_store__stmt(s, which[i]);
        fcp_store__bind_id(q, 1, id);
        int rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc == SQLITE_ROW)
            return 1;
        if (rc != SQLITE_DONE)
            return fcp_store__err(s, rc);
    }
    return 0;
}

int fcp_store_delete(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES])
{
    if (!id)
        return FCP_EINVAL;
    int r = fcp_store__begin(s);
    if (r)
        return r;
    int retention = -1;
    int f = fcp_store__lookup(s, id, NULL, NULL, NULL, &retention);
    if (f <= 0)
        return fcp_store__end(s, f < 0 ? f : FCP_ESTORE_NOT_FOUND);
    int root = is_root_locked(s, id);
    if (root < 0)
        return fcp_store__end(s, root);
    if (root || retention == FCP_RETENTION_PINNED)
        return fcp_store__end(s, FCP_ESTORE_PINNED);
    return fcp_store__end(s, fcp_store__delete_locked(s, id, NULL));
}

int fcp_store_list_zone(fcp_store *s, const char *zone, const uint8_t *after, uint8_t (*ids)[FCP_OBJECT_ID_BYTES],
                        size_t max, size_t *n)
{
    *n = 0;
    int r = check_zone(zone);
    if (r)
        return r;
    if (max == 0)
        return 0;
    if (!ids)
        return FCP_EINVAL;
    sqlite3_stmt *q = fcp_store__stmt(s, ST_OBJ_LIST_ZONE);
    bind_text(q, 1, zone);
    if (after)
        fcp_store__bind_id(q, 2, after);
    else
        sqlite3_bind_zeroblob(q, 2, 0);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)(max > INT64_MAX ? INT64_MAX : max));
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW && *n < max) {
        if (sqlite3_column_bytes(q, 0) != FCP_OBJECT_ID_BYTES)
            continue;
        memcpy(ids[*n], sqlite3_column_blob(q, 0), FCP_OBJECT_ID_BYTES);
        (*n)++;
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : fcp_store__err(s, rc);
}

/* ---- symbols ---------------------------------------------------------------- */

int fcp_store_put_symbols(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], const fcp_store_symbol *syms,
                          size_t n, size_t *added)
{
    if (added)
        *added = 0;
    if (!id || (n && !syms))
        return FCP_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!syms[i].data || syms[i].len == 0 || syms[i].len > FCP_STORE_SYMBOL_MAX)
            return FCP_EINVAL;
    int r = fcp_store__begin(s);
    if (r)
        return r;
    char zone[FCP_ZONE_ID_MAX + 1];
    int quarantined = 0;
    int f = fcp_store__lookup(s, id, zone, &quarantined, NULL, NULL);
    if (f <= 0)
        return fcp_store__end(s, f < 0 ? f : FCP_ESTORE_NOT_FOUND);
    uint64_t total = 0;
    size_t nadd = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        const fcp_store_symbol *y = &syms[i];
        sqlite3_stmt *q = fcp_store__stmt(s, ST_SYM_GET);
        fcp_store__bind_id(q, 1, id);
        sqlite3_bind_int(q, 2, y->sbn);
        sqlite3_bind_int64(q, 3, y->esi);
        sqlite3_bind_blob(q, 4, y->zone_key_id, 8, SQLITE_STATIC);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            int same = (size_t)sqlite3_column_bytes(q, 0) == y->len &&
                       memcmp(sqlite3_column_blob(q, 0), y->data, y->len) == 0;
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
        q = fcp_store__stmt(s, ST_SYM_INSERT);
        fcp_store__bind_id(q, 1, id);
        sqlite3_bind_int(q, 2, y->sbn);
        sqlite3_bind_int64(q, 3, y->esi);
        sqlite3_bind_blob(q, 4, y->zone_key_id, 8, SQLITE_STATIC);
        sqlite3_bind_blob(q, 5, y->data, (int)y->len, SQLITE_STATIC);
        r = fcp_store__exec(s, q);
        total += y->len;
        nadd++;
    }
    if (r == 0 && total) {
        sqlite3_stmt *q = fcp_store__stmt(s, ST_OBJ_ADD_BYTES);
        fcp_store__bind_id(q, 1, id);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)total);
        r = fcp_store__exec(s, q);
        if (r == 0 && quarantined) {
            q = fcp_store__stmt(s, ST_Q_ADD_BYTES);
            fcp_store__bind_id(q, 1, id);
            sqlite3_bind_int64(q, 2, (sqlite3_int64)total);
            r = fcp_store__exec(s, q);
            if (r == 0) {
                q = fcp_store__stmt(s, ST_Q_GET);
                fcp_store__bind_id(q, 1, id);
                int rc = sqlite3_step(q);
                char peer[FCP_STORE_PEER_MAX + 1] = "";
                if (rc == SQLITE_ROW)
                    snprintf(peer, sizeof peer, "%s", (const char *)sqlite3_column_text(q, 0));
                sqlite3_reset(q);
                r = rc == SQLITE_ROW ? fcp_store__quarantine_enforce(s, peer, id, NULL) : fcp_store__err(s, rc);
            }
        } else if (r == 0) {
            r = fcp_store__usage_add(s, zone, (int64_t)total, 0, 1);
        }
    }
    r = fcp_store__end(s, r);
    if (r == 0 && added)
        *added = nadd;
    return r;
}

int fcp_store_foreach_symbol(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], fcp_store_symbol_cb cb, void *ctx)
{
    if (!id || !cb)
        return FCP_EINVAL;
    sqlite3_stmt *q = fcp_store__stmt(s, ST_SYM_LIST);
    fcp_store__bind_id(q, 1, id);
    int rc, r = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        fcp_store_symbol y;
        y.sbn = (uint8_t)sqlite3_column_int(q, 0);
        y.esi = (uint32_t)sqlite3_column_int64(q, 1);
        memset(y.zone_key_id, 0, 8);
        if (sqlite3_column_bytes(q, 2) == 8)
            memcpy(y.zone_key_id, sqlite3_column_blob(q, 2), 8);
        y.data = sqlite3_column_blob(q, 3);
        y.len = (size_t)sqlite3_column_bytes(q, 3);
        if ((r = cb(ctx, &y)) != 0)
            break;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = fcp_store__err(s, rc);
    sqlite3_reset(q);
    return r;
}

int fcp_store_count_symbols(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], uint64_t *count)
{
    if (!id)
        return FCP_EINVAL;
    sqlite3_stmt *q = fcp_store__stmt(s, ST_SYM_COUNT);
    fcp_store__bind_id(q, 1, id);
    int rc = sqlite3_step(q);
    *count = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(q, 0) : 0;
    sqlite3_reset(q);
    return rc == SQLITE_ROW ? 0 : fcp_store__err(s, rc);
}

int fcp_store_has_symbol(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES], uint8_t sbn, uint32_t esi,
                         const uint8_t zone_key_id[8])
{
    if (!id || !zone_key_id)
        return FCP_EINVAL;
    sqlite3_stmt *q = fcp_store__stmt(s, ST_SYM_GET);
    fcp_store__bind_id(q, 1, id);
    sqlite3_bind_int(q, 2, sbn);
    sqlite3_bind_int64(q, 3, esi);
    sqlite3_bind_blob(q, 4, zone_key_id, 8, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : fcp_store__err(s, rc);
}

/* ---- pins and frontiers ------------------------------------------------------- */

int fcp_store_pin(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES])
{
    if (!id)
        return FCP_EINVAL;
    int r = fcp_store__begin(s);
    if (r)
        return r;
    int quarantined = 0;
    int f = fcp_store__lookup(s, id, NULL, &quarantined, NULL, NULL);
    if (f <= 0 || quarantined)
        return fcp_store__end(s, f < 0 ? f : FCP_ESTORE_NOT_FOUND);
    sqlite3_stmt *q = fcp_store__stmt(s, ST_PIN_INSERT);
    fcp_store__bind_id(q, 1, id);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)fcp_store__now(s));
    return fcp_store__end(s, fcp_store__exec(s, q));
}

int fcp_store_unpin(fcp_store *s, const uint8_t id[FCP_OBJECT_ID_BYTES])
{
    if (!id)
        return FCP_EINVAL;
    int r = fcp_store__begin(s);
    if (r)
        return r;
    sqlite3_stmt *q = fcp_store__stmt(s, ST_PIN_DELETE);
    fcp_store__bind_id(q, 1, id);
    r = fcp_store__exec(s, q);
    if (r == 0 && sqlite3_changes(s->db) == 0)
        r = FCP_ESTORE_NOT_FOUND;
    return fcp_store__end(s, r);
}

int fcp_store_set_frontier(fcp_store *s, const char *zone, const uint8_t id[FCP_OBJECT_ID_BYTES])
{
    int r = check_zone(zone);
    if (r || !id)
        return r ? r : FCP_EINVAL;
    if ((r = fcp_store__begin(s)) != 0)
        return r;
    char oz[FCP_ZONE_ID_MAX + 1];
    int quarantined = 0;
    int f = fcp_store__lookup(s, id, oz, &quarantined, NULL, NULL);
    if (f <= 0 || quarantined)
        return fcp_store__end(s, f < 0 ? f : FCP_ESTORE_NOT_FOUND);
    if (strcmp(oz, zone) != 0)
        return fcp_store__end(s, FCP_ESTORE_HEADER);
    sqlite3_stmt *q = fcp_store__stmt(s, ST_FRONTIER_SET);
    bind_text(q, 1, zone);
    fcp_store__bind_id(q, 2, id);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)fcp_store__now(s));
    return fcp_store__end(s, fcp_store__exec(s, q));
}

int fcp_store_get_frontier(fcp_store *s, const char *zone, uint8_t id[FCP_OBJECT_ID_BYTES])
{
    int r = check_zone(zone);
    if (r)
        return r;
    sqlite3_stmt *q = fcp_store__stmt(s, ST_FRONTIER_GET);
    bind_text(q, 1, zone);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(q, 0) == FCP_OBJECT_ID_BYTES)
        memcpy(id, sqlite3_column_blob(q, 0), FCP_OBJECT_ID_BYTES);
    sqlite3_reset(q);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? FCP_ESTORE_NOT_FOUND : fcp_store__err(s, rc);
}
