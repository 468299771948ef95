/*
 * store_seal_test.c - the mesh symbols sealed at rest (schema 3, D-STORE-6):
 * the golden vectors of conformance/golden/store/symbol_seal.json recomputed
 * (subkey, AAD, ciphertext, tag, and the open); a distinctive plaintext put
 * through the store is absent from the raw database files; rows tampered
 * with (data, tag, nonce, key id) or moved to another object, ESI or zone
 * never open: they read as missing, are counted and dropped, and a put of
 * the symbol restores them; rotation overlap (rows under the old key id
 * still open, a forgotten key id reads as missing); no keyring; and the
 * migration of a schema-2 database with plaintext rows (sealed in one
 * transaction, still decoding, no plaintext left in the file; refused
 * without a key, leaving the database at schema 2).
 * Runs from the repository root.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fcp/error.h"
#include "fcp/crypto.h"
#include "fcp/hex.h"
#include "fcp/store.h"
#include "test.h"

#define T 256u

static char dir[512], path[600];

static void rm_db(void)
{
    char b[700];
    unlink(path);
    snprintf(b, sizeof b, "%s-wal", path);
    unlink(b);
    snprintf(b, sizeof b, "%s-shm", path);
    unlink(b);
}

/* ---- keyring: key ids "kid-one!" and "kid-two!"; which is active and
 * which are known is switched by the test ---- */
static struct {
    int active;          /* 1 or 2 */
    int known[3];        /* known[1], known[2] */
    int calls;
} kr = { 1, { 0, 1, 1 }, 0 };

static const char *kid_of(int i)
{
    return i == 1 ? "kid-one!" : "kid-two!";
}

static int kr_key(void *ctx, const char *zone, const uint8_t kid[8], uint8_t key[32])
{
    (void)ctx;
    kr.calls++;
    for (int i = 1; i <= 2; i++)
        if (kr.known[i] && memcmp(kid, kid_of(i), 8) == 0) {
            memset(key, 0x30 + i, 32);
            for (size_t j = 0; zone[j] && j < 32; j++)
                key[j] ^= (uint8_t)zone[j];
            return 0;
        }
    return FCP_ENOENT;
}

static int kr_active(void *ctx, const char *zone, uint8_t kid[8], uint8_t key[32])
{
    memcpy(kid, kid_of(kr.active), 8);
    return kr_key(ctx, zone, kid, key);
}

static void opts(fcp_store_options *o)
{
    fcp_store_options_default(o);
    o->keyring.active_key = kr_active;
    o->keyring.key = kr_key;
}

static fcp_store *open_store(int with_keys)
{
    fcp_store_options o;
    opts(&o);
    if (!with_keys)
        memset(&o.keyring, 0, sizeof o.keyring);
    fcp_store *s = NULL;
    int r = fcp_store_open(&s, path, &o);
    if (!CHECK_EQ(r, 0))
        return NULL;
    return s;
}

static int raw_exec(const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

static long long raw_int(const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    long long v = -1;
    if (sqlite3_open(path, &db) == SQLITE_OK && sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

/* Flip one bit of byte `at` of the data of (object tag..., esi). */
static int raw_flip(uint8_t tag, uint32_t esi, int at)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    uint8_t id[32], buf[T];
    memset(id, tag, sizeof id);
    int rc = sqlite3_open(path, &db), len = 0;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "SELECT data FROM rq_symbols WHERE object_id = ?1 AND esi = ?2", -1, &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(q, 1, id, 32, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, esi);
        rc = sqlite3_step(q) == SQLITE_ROW ? SQLITE_OK : SQLITE_ERROR;
        len = sqlite3_column_bytes(q, 0);
        if (rc == SQLITE_OK && len == T)
            memcpy(buf, sqlite3_column_blob(q, 0), T);
        else
            rc = SQLITE_ERROR;
    }
    sqlite3_finalize(q);
    q = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "UPDATE rq_symbols SET data = ?3 WHERE object_id = ?1 AND esi = ?2", -1, &q, NULL);
    if (rc == SQLITE_OK) {
        buf[at] ^= 0x01;
        sqlite3_bind_blob(q, 1, id, 32, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, esi);
        sqlite3_bind_blob(q, 3, buf, T, SQLITE_STATIC);
        rc = sqlite3_step(q) == SQLITE_DONE && sqlite3_changes(db) == 1 ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return rc;
}

/* 1 if needle occurs in the database file or its WAL. */
static int file_has(const uint8_t *needle, size_t n)
{
    const char *suffix[] = { "", "-wal" };
    int found = 0;
    for (int i = 0; i < 2 && !found; i++) {
        char p[700];
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        FILE *f = fopen(p, "rb");
        if (!f)
            continue;
        fseek(f, 0, SEEK_END);
        long len = ftell(f);
        fseek(f, 0, SEEK_SET);
        uint8_t *b = len > 0 ? malloc((size_t)len) : NULL;
        if (b && fread(b, 1, (size_t)len, f) == (size_t)len)
            found = memmem(b, (size_t)len, needle, n) != NULL;
        free(b);
        fclose(f);
    }
    return found;
}

static void mk_obj(fcp_store_rq_object *o, uint8_t tag, const char *zone)
{
    memset(o, 0, sizeof *o);
    memset(o->object_id, tag, 32);
    snprintf(o->zone_id, sizeof o->zone_id, "%s", zone);
    o->k = 4;
    o->symbol_size = T;
}

/* A recognisable symbol: the canary text repeated, then the ESI. */
static const char CANARY[] = "FCP-PLAINTEXT-CANARY-0f1e2d3c";
static void mk_sym(uint8_t out[T], uint32_t esi, uint8_t salt)
{
    for (unsigned i = 0; i < T; i++)
        out[i] = (uint8_t)CANARY[i % (sizeof CANARY - 1)];
    out[T - 1] = (uint8_t)esi;
    out[T - 2] = salt;
}

static int put_syms(fcp_store *s, const fcp_store_rq_object *o, uint32_t esi0, uint32_t n, uint8_t salt)
{
    static uint8_t buf[16][T];
    fcp_store_rq_symbol y[16];
    for (uint32_t i = 0; i < n && i < 16; i++) {
        mk_sym(buf[i], esi0 + i, salt);
        y[i].esi = esi0 + i;
        y[i].data = buf[i];
    }
    return fcp_store_rq_put(s, o, y, n, NULL);
}

/* 1 if esi of o reads back as mk_sym(esi, salt). */
static int reads_back(fcp_store *s, const fcp_store_rq_object *o, uint32_t esi, uint8_t salt)
{
    uint8_t got[T], want[T];
    size_t len = 0;
    mk_sym(want, esi, salt);
    return fcp_store_rq_get_symbol(s, o->object_id, esi, got, sizeof got, &len) == 0 && len == T &&
           memcmp(got, want, T) == 0;
}

/* ---- golden vectors ------------------------------------------------------ */

static uint8_t *hexf(const json_t *c, const char *k, size_t *n)
{
    size_t l = 0;
    uint8_t *b = fcp_t_unhex(fcp_t_jstr(c, k), &l);
    if (n)
        *n = l;
    return b;
}

static void test_golden(void)
{
    json_error_t jerr;
    json_t *j = json_load_file("conformance/golden/store/symbol_seal.json", 0, &jerr);
    if (!CHECK(j != NULL))
        return;
    json_t *cases = json_object_get(j, "cases");
    CHECK(json_array_size(cases) >= 3);
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        size_t ml = 0, cl = 0, al = 0;
        uint8_t *zk = hexf(c, "zone_key", NULL), *kid = hexf(c, "key_id", NULL), *oid = hexf(c, "object_id", NULL);
        uint8_t *nonce = hexf(c, "nonce", NULL), *msg = hexf(c, "symbol", &ml), *wsk = hexf(c, "subkey", NULL);
        uint8_t *waad = hexf(c, "aad", &al), *wct = hexf(c, "ciphertext", &cl), *wtag = hexf(c, "tag", NULL);
        const char *zone = fcp_t_jstr(c, "zone");
        uint32_t esi = (uint32_t)json_integer_value(json_object_get(c, "esi"));
        if (!CHECK(zk && kid && oid && nonce && msg && wsk && waad && wct && wtag && cl == ml))
            goto next;
        uint8_t sk[32], aad[FCP_STORE_SEAL_AAD_MAX], tag[16];
        CHECK_EQ(fcp_store_seal_subkey(sk, zk, kid, zone), 0);
        CHECK_MEM(sk, wsk, 32);
        CHECK_EQ(fcp_store_seal_aad(aad, zone, oid, esi, kid), (int)al);
        CHECK_MEM(aad, waad, al);
        uint8_t *ct = malloc(ml), *pt = malloc(ml);
        CHECK_EQ(fcp_store_symbol_seal(sk, zone, oid, esi, kid, nonce, msg, ml, ct, tag), 0);
        CHECK_MEM(ct, wct, ml);
        CHECK_MEM(tag, wtag, 16);
        CHECK_EQ(fcp_store_symbol_open(sk, zone, oid, esi, kid, nonce, wct, ml, wtag, pt), 0);
        CHECK_MEM(pt, msg, ml);
        /* each bound input matters */
        CHECK_EQ(fcp_store_symbol_open(sk, zone, oid, esi + 1, kid, nonce, wct, ml, wtag, pt), FCP_ESTORE_SEAL_AUTH);
        CHECK(fcp_ct_is_zero(pt, ml));
        oid[0] ^= 1;
        CHECK_EQ(fcp_store_symbol_open(sk, zone, oid, esi, kid, nonce, wct, ml, wtag, pt), FCP_ESTORE_SEAL_AUTH);
        oid[0] ^= 1;
        kid[7] ^= 1;
        CHECK_EQ(fcp_store_symbol_open(sk, zone, oid, esi, kid, nonce, wct, ml, wtag, pt), FCP_ESTORE_SEAL_AUTH);
        kid[7] ^= 1;
        CHECK_EQ(fcp_store_symbol_open(sk, "z:other", oid, esi, kid, nonce, wct, ml, wtag, pt), FCP_ESTORE_SEAL_AUTH);
        wct[ml - 1] ^= 0x80;
        CHECK_EQ(fcp_store_symbol_open(sk, zone, oid, esi, kid, nonce, wct, ml, wtag, pt), FCP_ESTORE_SEAL_AUTH);
        free(ct);
        free(pt);
    next:
        free(zk), free(kid), free(oid), free(nonce), free(msg), free(wsk), free(waad), free(wct), free(wtag);
    }
    json_decref(j);
    uint8_t sk[32], z[32] = { 0 }, aad[FCP_STORE_SEAL_AAD_MAX];
    CHECK_EQ(fcp_store_seal_subkey(sk, z, z, ""), FCP_EINVAL);
    CHECK_EQ(fcp_store_seal_aad(aad, "", z, 0, z), FCP_EINVAL);
}

/* 20 MiB worth of this is what `make demo` puts; here: a distinctive
 * payload put, the files searched for it. */
static void test_no_plaintext_at_rest(void)
{
    rm_db();
    fcp_store *s = open_store(1);
    if (!s)
        return;
    CHECK_EQ(fcp_store_schema_version(s), 3);
    fcp_store_rq_object o;
    mk_obj(&o, 0xa1, "z:work");
    CHECK_EQ(put_syms(s, &o, 0, 8, 0), 0);
    CHECK(reads_back(s, &o, 3, 0));
    fcp_store_close(s);
    uint8_t probe[T];
    mk_sym(probe, 3, 0);
    CHECK(!file_has((const uint8_t *)CANARY, sizeof CANARY - 1));
    CHECK(!file_has(probe, 32));
    /* the rows carry the active key id, a nonce and a tag */
    CHECK_EQ(raw_int("SELECT count(*) FROM rq_symbols WHERE kid = CAST('kid-one!' AS BLOB)"
                     " AND length(nonce) = 24 AND length(tag) = 16 AND length(data) = 256"), 8);
    CHECK_EQ(raw_int("SELECT count(DISTINCT nonce) FROM rq_symbols"), 8);
    /* control: the search does find what is in the file */
    CHECK_EQ(raw_exec("CREATE TABLE control(x BLOB); INSERT INTO control VALUES(CAST('FCP-PLAINTEXT-CANARY-0f1e2d3c' AS BLOB))"),
             SQLITE_OK);
    CHECK(file_has((const uint8_t *)CANARY, sizeof CANARY - 1));
}

/* Tampered and moved rows: never served, counted, dropped, restorable. */
static void test_tamper(void)
{
    rm_db();
    fcp_store *s = open_store(1);
    if (!s)
        return;
    fcp_store_rq_object a, b, c;
    mk_obj(&a, 0xa1, "z:work");
    mk_obj(&b, 0xb2, "z:work");
    mk_obj(&c, 0xc3, "z:private");
    CHECK_EQ(put_syms(s, &a, 0, 8, 0), 0);
    CHECK_EQ(put_syms(s, &b, 0, 4, 0), 0);
    CHECK_EQ(put_syms(s, &c, 0, 4, 0), 0);
    fcp_store_close(s);

    /* a flipped data byte, tag byte, nonce byte, key id */
    CHECK_EQ(raw_flip(0xa1, 1, 100), SQLITE_OK);
    CHECK_EQ(raw_exec("UPDATE rq_symbols SET tag = zeroblob(16) WHERE esi = 2 AND object_id = x'"
                      "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1'"),
             SQLITE_OK);
    CHECK_EQ(raw_exec("UPDATE rq_symbols SET nonce = zeroblob(24) WHERE esi = 3 AND object_id = x'"
                      "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1'"),
             SQLITE_OK);
    CHECK_EQ(raw_exec("UPDATE rq_symbols SET kid = CAST('kid-two!' AS BLOB) WHERE esi = 4 AND object_id = x'"
                      "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1'"),
             SQLITE_OK);
    /* moved: b's ESI 0 row replaced by a's ESI 0 row (same zone, other
     * object); b's ESI 1 row by its own ESI 2 row (other ESI); c's ESI 0 by
     * a's ESI 5 (other zone, other object) */
    CHECK_EQ(raw_exec("UPDATE rq_symbols SET (kid, nonce, tag, data) = (SELECT kid, nonce, tag, data FROM rq_symbols"
                      " WHERE esi = 0 AND object_id = x'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1')"
                      " WHERE esi = 0 AND object_id = x'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2'"),
             SQLITE_OK);
    CHECK_EQ(raw_exec("UPDATE rq_symbols SET (kid, nonce, tag, data) = (SELECT kid, nonce, tag, data FROM rq_symbols"
                      " WHERE esi = 2 AND object_id = x'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2')"
                      " WHERE esi = 1 AND object_id = x'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2'"),
             SQLITE_OK);
    CHECK_EQ(raw_exec("UPDATE rq_symbols SET (kid, nonce, tag, data) = (SELECT kid, nonce, tag, data FROM rq_symbols"
                      " WHERE esi = 5 AND object_id = x'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1')"
                      " WHERE esi = 0 AND object_id = x'c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3'"),
             SQLITE_OK);

    if (!(s = open_store(1)))
        return;
    fcp_store_seal_stats st0, st;
    fcp_store_seal_stats_get(s, &st0);
    uint8_t out[T];
    size_t len = 99;
    for (uint32_t e = 1; e <= 4; e++) {
        memset(out, 0xee, sizeof out);
        CHECK_EQ(fcp_store_rq_get_symbol(s, a.object_id, e, out, sizeof out, &len), FCP_ESTORE_NOT_FOUND);
        CHECK_EQ(len, 0);
        CHECK(fcp_ct_is_zero(out, sizeof out));   /* nothing unauthenticated released */
    }
    CHECK_EQ(fcp_store_rq_get_symbol(s, b.object_id, 0, out, sizeof out, &len), FCP_ESTORE_NOT_FOUND);
    CHECK_EQ(fcp_store_rq_get_symbol(s, b.object_id, 1, out, sizeof out, &len), FCP_ESTORE_NOT_FOUND);
    CHECK_EQ(fcp_store_rq_get_symbol(s, c.object_id, 0, out, sizeof out, &len), FCP_ESTORE_NOT_FOUND);
    fcp_store_seal_stats_get(s, &st);
    CHECK_EQ(st.auth_failures - st0.auth_failures, 7);   /* kid-two! is known: its tag fails */
    CHECK_EQ(st.no_key - st0.no_key, 0);
    CHECK_EQ(st.dropped - st0.dropped, 7);
    /* the untouched rows still open */
    CHECK(reads_back(s, &a, 0, 0));
    CHECK(reads_back(s, &a, 5, 0));
    CHECK(reads_back(s, &b, 2, 0));
    CHECK(reads_back(s, &c, 1, 0));
    /* dropped = missing: counts and ESI lists follow, the check agrees */
    fcp_store_rq_object got;
    CHECK_EQ(fcp_store_rq_stat(s, a.object_id, &got), 0);
    CHECK_EQ(got.n_symbols, 4);
    uint32_t esis[8];
    size_t n = 0;
    CHECK_EQ(fcp_store_rq_list_esis(s, a.object_id, 0, esis, 8, &n), 0);
    CHECK_EQ(n, 4);
    CHECK(n == 4 && esis[0] == 0 && esis[1] == 5 && esis[2] == 6 && esis[3] == 7);
    CHECK_EQ(fcp_store_check(s, NULL, 0), 0);
    /* repair: putting the symbols again restores them */
    size_t added = 0;
    uint8_t sy[4][T];
    fcp_store_rq_symbol y[4];
    for (uint32_t e = 1; e <= 4; e++) {
        mk_sym(sy[e - 1], e, 0);
        y[e - 1].esi = e;
        y[e - 1].data = sy[e - 1];
    }
    CHECK_EQ(fcp_store_rq_put(s, &a, y, 4, &added), 0);
    CHECK_EQ(added, 4);
    for (uint32_t e = 0; e < 8; e++)
        CHECK(reads_back(s, &a, e, 0));
    CHECK_EQ(fcp_store_rq_stat(s, a.object_id, &got), 0);
    CHECK_EQ(got.n_symbols, 8);
    fcp_store_close(s);

    /* a put over a row that no longer opens replaces it (not a conflict) */
    CHECK_EQ(raw_exec("UPDATE rq_symbols SET tag = zeroblob(16) WHERE esi = 6 AND object_id = x'"
                      "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1'"),
             SQLITE_OK);
    if (!(s = open_store(1)))
        return;
    CHECK_EQ(put_syms(s, &a, 6, 1, 0), 0);
    fcp_store_seal_stats_get(s, &st);
    CHECK_EQ(st.auth_failures, 1);
    CHECK_EQ(st.dropped, 1);
    CHECK(reads_back(s, &a, 6, 0));
    CHECK_EQ(fcp_store_rq_stat(s, a.object_id, &got), 0);
    CHECK_EQ(got.n_symbols, 8);
    /* and a different symbol at a held, intact ESI is still a conflict */
    CHECK_EQ(put_syms(s, &a, 6, 1, 9), FCP_ESTORE_SYMBOL_CONFLICT);
    CHECK(reads_back(s, &a, 6, 0));
    fcp_store_close(s);

    /* read-only: a bad row is refused but left in place */
    CHECK_EQ(raw_exec("UPDATE rq_symbols SET tag = zeroblob(16) WHERE esi = 7 AND object_id = x'"
                      "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1'"),
             SQLITE_OK);
    fcp_store_options ro;
    opts(&ro);
    ro.read_only = 1;
    s = NULL;
    if (!CHECK_EQ(fcp_store_open(&s, path, &ro), 0))
        return;
    CHECK_EQ(fcp_store_rq_get_symbol(s, a.object_id, 7, out, sizeof out, &len), FCP_ESTORE_NOT_FOUND);
    fcp_store_seal_stats_get(s, &st);
    CHECK_EQ(st.auth_failures, 1);
    CHECK_EQ(st.dropped, 0);
    fcp_store_close(s);
    CHECK_EQ(raw_int("SELECT count(*) FROM rq_symbols WHERE esi = 7 AND object_id = x'"
                     "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1'"),
             1);
}

/* Rotation overlap: symbols under the old key id open while it is known. */
static void test_rotation(void)
{
    rm_db();
    kr.active = 1;
    kr.known[1] = kr.known[2] = 1;
    fcp_store *s = open_store(1);
    if (!s)
        return;
    fcp_store_rq_object a;
    mk_obj(&a, 0xa1, "z:work");
    CHECK_EQ(put_syms(s, &a, 0, 4, 0), 0);
    kr.active = 2;
    CHECK_EQ(put_syms(s, &a, 4, 4, 0), 0);
    /* the same symbols again: opened under either key, skipped */
    size_t added = 9;
    uint8_t sy[T];
    mk_sym(sy, 1, 0);
    fcp_store_rq_symbol y = { 1, sy };
    CHECK_EQ(fcp_store_rq_put(s, &a, &y, 1, &added), 0);
    CHECK_EQ(added, 0);
    for (uint32_t e = 0; e < 8; e++)
        CHECK(reads_back(s, &a, e, 0));
    fcp_store_close(s);
    CHECK_EQ(raw_int("SELECT count(*) FROM rq_symbols WHERE kid = CAST('kid-one!' AS BLOB)"), 4);
    CHECK_EQ(raw_int("SELECT count(*) FROM rq_symbols WHERE kid = CAST('kid-two!' AS BLOB)"), 4);
    /* the old key forgotten: its rows read as missing (no_key), dropped */
    kr.known[1] = 0;
    if (!(s = open_store(1)))
        return;
    uint8_t out[T];
    size_t len;
    CHECK_EQ(fcp_store_rq_get_symbol(s, a.object_id, 0, out, sizeof out, &len), FCP_ESTORE_NOT_FOUND);
    CHECK(reads_back(s, &a, 4, 0));
    fcp_store_seal_stats st;
    fcp_store_seal_stats_get(s, &st);
    CHECK_EQ(st.no_key, 1);
    CHECK_EQ(st.auth_failures, 0);
    CHECK_EQ(st.dropped, 1);
    fcp_store_close(s);
    kr.known[1] = 1;
    kr.active = 1;
}

/* Without a keyring: a store opens, rq symbols are refused. */
static void test_no_keyring(void)
{
    rm_db();
    fcp_store *s = open_store(0);
    if (!s)
        return;
    fcp_store_rq_object a;
    mk_obj(&a, 0xa1, "z:work");
    CHECK_EQ(put_syms(s, &a, 0, 1, 0), FCP_ESTORE_NO_KEY);
    fcp_store_rq_object got;
    CHECK_EQ(fcp_store_rq_stat(s, a.object_id, &got), FCP_ESTORE_NOT_FOUND);   /* all or nothing */
    CHECK(strstr(fcp_store_errmsg(s), "z:work") != NULL);
    fcp_store_close(s);
    /* a zone the keyring does not know */
    if (!(s = open_store(1)))
        return;
    kr.known[1] = 0;
    CHECK_EQ(put_syms(s, &a, 0, 1, 0), FCP_ESTORE_NO_KEY);
    kr.known[1] = 1;
    fcp_store_close(s);
}

/* ---- migration from schema 2 ------------------------------------------------ */

/* Rewrite the current (schema 3) database as schema 2 holding plaintext
 * symbols: rq_symbols with migration 2's columns. */
static int make_schema2(int nobj, int nsym)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *qo = NULL, *qs = NULL;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db,
                          "BEGIN; DROP TABLE rq_symbols;"
                          "CREATE TABLE rq_symbols("
                          "  object_id BLOB NOT NULL REFERENCES rq_objects(object_id) ON DELETE CASCADE,"
                          "  esi INTEGER NOT NULL CHECK(esi BETWEEN 0 AND 4294967295),"
                          "  data BLOB NOT NULL CHECK(length(data) > 0),"
                          "  PRIMARY KEY(object_id, esi));"
                          "DELETE FROM schema_version WHERE version = 3;",
                          NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "INSERT INTO rq_objects(object_id, zone, k, symbol_size, flags, n_symbols,"
                                    " created_at) VALUES(?1, ?2, 4, 256, 1, ?3, 0)", -1, &qo, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "INSERT INTO rq_symbols(object_id, esi, data) VALUES(?1, ?2, ?3)", -1, &qs, NULL);
    for (int i = 0; i < nobj && rc == SQLITE_OK; i++) {
        fcp_store_rq_object o;
        mk_obj(&o, (uint8_t)(0x10 + i), i % 2 ? "z:private" : "z:work");
        sqlite3_reset(qo);
        sqlite3_bind_blob(qo, 1, o.object_id, 32, SQLITE_TRANSIENT);
        sqlite3_bind_text(qo, 2, o.zone_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(qo, 3, nsym);
        rc = sqlite3_step(qo) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        for (int e = 0; e < nsym && rc == SQLITE_OK; e++) {
            uint8_t d[T];
            mk_sym(d, (uint32_t)e, (uint8_t)i);
            sqlite3_reset(qs);
            sqlite3_bind_blob(qs, 1, o.object_id, 32, SQLITE_TRANSIENT);
            sqlite3_bind_int(qs, 2, e);
            sqlite3_bind_blob(qs, 3, d, T, SQLITE_TRANSIENT);
            rc = sqlite3_step(qs) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        }
    }
    sqlite3_finalize(qo);
    sqlite3_finalize(qs);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

static void test_migration(void)
{
    enum { NOBJ = 6, NSYM = 12 };
    rm_db();
    fcp_store *s = open_store(1);
    if (!s)
        return;
    fcp_store_close(s);
    CHECK_EQ(make_schema2(NOBJ, NSYM), SQLITE_OK);
    CHECK_EQ(raw_int("SELECT max(version) FROM schema_version"), 2);
    /* the setup did leave plaintext in the file */
    CHECK(file_has((const uint8_t *)CANARY, sizeof CANARY - 1));

    /* read-only: needs migrating, refused */
    fcp_store_options o;
    opts(&o);
    o.read_only = 1;
    s = NULL;
    CHECK_EQ(fcp_store_open(&s, path, &o), FCP_ESTORE_SCHEMA);
    /* no key for z:private: refused, nothing changed */
    opts(&o);
    memset(&o.keyring, 0, sizeof o.keyring);
    CHECK_EQ(fcp_store_open(&s, path, &o), FCP_ESTORE_NO_KEY);
    CHECK(s == NULL);
    CHECK_EQ(raw_int("SELECT max(version) FROM schema_version"), 2);
    CHECK_EQ(raw_int("SELECT count(*) FROM rq_symbols"), NOBJ * NSYM);
    CHECK_EQ(raw_int("SELECT count(*) FROM sqlite_master WHERE name = 'rq_symbols_sealed'"), 0);

    /* with the keys: sealed in one go, everything decodes */
    kr.active = 2;
    if (!(s = open_store(1)))
        return;
    CHECK_EQ(fcp_store_schema_version(s), 3);
    fcp_store_seal_stats st;
    fcp_store_seal_stats_get(s, &st);
    CHECK_EQ(st.migrated, NOBJ * NSYM);
    CHECK_EQ(st.sealed, NOBJ * NSYM);
    for (int i = 0; i < NOBJ; i++) {
        fcp_store_rq_object a, got;
        mk_obj(&a, (uint8_t)(0x10 + i), i % 2 ? "z:private" : "z:work");
        CHECK_EQ(fcp_store_rq_stat(s, a.object_id, &got), 0);
        CHECK_EQ(got.n_symbols, NSYM);
        CHECK_EQ(got.flags, 1);
        for (int e = 0; e < NSYM; e++)
            CHECK(reads_back(s, &a, (uint32_t)e, (uint8_t)i));
    }
    CHECK_EQ(fcp_store_check(s, NULL, 0), 0);
    fcp_store_close(s);
    kr.active = 1;
    CHECK_EQ(raw_int("SELECT count(*) FROM rq_symbols WHERE kid = CAST('kid-two!' AS BLOB)"
                     " AND length(nonce) = 24 AND length(tag) = 16 AND length(data) = 256"),
             NOBJ * NSYM);
    CHECK_EQ(raw_int("SELECT count(*) FROM schema_version"), 3);
    /* no plaintext left behind: not in live rows, freed pages, nor the WAL */
    CHECK(!file_has((const uint8_t *)CANARY, sizeof CANARY - 1));
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/fcp-store-seal-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/store.sqlite3", dir);
    test_golden();
    test_no_plaintext_at_rest();
    test_tamper();
    test_rotation();
    test_no_keyring();
    test_migration();
    rm_db();
    rmdir(dir);
    return fcp_t_done("store_seal");
}
