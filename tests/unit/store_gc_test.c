/*
 * store_gc_test.c - reachability GC (spec §3.7) and the peer quarantine
 * (spec §8.4) of the SQLite store: roots (explicit pins, frontier, Pinned,
 * unexpired Leases under an injected clock), ref chains across zones,
 * cycles, per-zone sweeps, symbols and usage following evictions; the
 * quarantine's per-peer / total / count caps evicting oldest first,
 * promotion, expiry, and symbols growing a quarantined object.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fcp/error.h"
#include "fcp/store.h"
#include "test.h"

static char dir[512], path[600];
static fcp_clock_manual clk;
static fcp_schema_id schema;
static fcp_object_header H;

static void rm_db(void)
{
    char b[700];
    unlink(path);
    snprintf(b, sizeof b, "%s-wal", path);
    unlink(b);
    snprintf(b, sizeof b, "%s-shm", path);
    unlink(b);
}

static fcp_store *open_with(const fcp_store_options *o)
{
    fcp_store *s = NULL;
    CHECK_EQ(fcp_store_open(&s, path, o), 0);
    return s;
}

static fcp_store_options defaults(void)
{
    fcp_store_options o;
    fcp_store_options_default(&o);
    o.clock = &clk.clock;
    return o;
}

/* An id chosen by the test (the store never re-derives ids, so cycles can
 * be built to prove the walk terminates). */
static void mkid(uint8_t id[32], int n)
{
    memset(id, 0, 32);
    id[0] = (uint8_t)(n >> 8);
    id[1] = (uint8_t)n;
    id[31] = 0xAA;
}

static int put(fcp_store *s, int n, const char *zone, enum fcp_retention_kind k, uint64_t lease,
               const int *refs, size_t nrefs)
{
    uint8_t id[32];
    mkid(id, n);
    fcp_object_header_init(&H, &schema, zone, 100000 + (uint64_t)n);
    for (size_t i = 0; i < nrefs; i++)
        mkid(H.refs[i], refs[i]);
    H.n_refs = nrefs;
    fcp_retention r = { k, lease };
    uint8_t body[64];
    memset(body, n, sizeof body);
    return fcp_store_put(s, id, &H, body, sizeof body, 0, &r);
}

static int has(fcp_store *s, int n)
{
    uint8_t id[32];
    mkid(id, n);
    return fcp_store_has(s, id);
}

enum { A = 1, B, C, D, E, F, G, HH, X, Y, F0, K, P, Q, L };

static void test_gc(void)
{
    rm_db();
    fcp_store_options o = defaults();
    fcp_store *s = open_with(&o);
    if (!s)
        return;
    const uint64_t now = 1700000000;
    int r;
    /* cross-zone target first (refs may also point at objects not stored) */
    CHECK_EQ(put(s, Q, "z:private", FCP_RETENTION_EPHEMERAL, 0, NULL, 0), 0);
    CHECK_EQ(put(s, P, "z:private", FCP_RETENTION_EPHEMERAL, 0, NULL, 0), 0);
    CHECK_EQ(put(s, C, "z:work", FCP_RETENTION_EPHEMERAL, 0, NULL, 0), 0);
    CHECK_EQ(put(s, B, "z:work", FCP_RETENTION_EPHEMERAL, 0, (int[]){ C, 999 }, 2), 0);
    CHECK_EQ(put(s, A, "z:work", FCP_RETENTION_EPHEMERAL, 0, (int[]){ B, Q }, 2), 0);
    CHECK_EQ(put(s, D, "z:work", FCP_RETENTION_EPHEMERAL, 0, NULL, 0), 0);
    CHECK_EQ(put(s, HH, "z:work", FCP_RETENTION_EPHEMERAL, 0, NULL, 0), 0);
    CHECK_EQ(put(s, E, "z:work", FCP_RETENTION_LEASE, now + 60, (int[]){ HH }, 1), 0);
    CHECK_EQ(put(s, F, "z:work", FCP_RETENTION_LEASE, now, NULL, 0), 0);    /* expires exactly now */
    CHECK_EQ(put(s, G, "z:work", FCP_RETENTION_PINNED, 0, NULL, 0), 0);
    CHECK_EQ(put(s, X, "z:work", FCP_RETENTION_EPHEMERAL, 0, (int[]){ Y }, 1), 0);
    CHECK_EQ(put(s, Y, "z:work", FCP_RETENTION_EPHEMERAL, 0, (int[]){ X }, 1), 0);
    CHECK_EQ(put(s, K, "z:work", FCP_RETENTION_EPHEMERAL, 0, NULL, 0), 0);
    CHECK_EQ(put(s, F0, "z:work", FCP_RETENTION_EPHEMERAL, 0, (int[]){ K }, 1), 0);
    CHECK_EQ(put(s, L, "z:work", FCP_RETENTION_EPHEMERAL, 0, (int[]){ D }, 1), 0);
    uint8_t id[32];
    mkid(id, A);
    CHECK_EQ(fcp_store_pin(s, id), 0);
    mkid(id, F0);
    CHECK_EQ(fcp_store_set_frontier(s, "z:work", id), 0);
    /* symbols on a victim go with it */
    mkid(id, D);
    uint8_t sym[1024] = { 1 };
    fcp_store_symbol y = { .esi = 5, .data = sym, .len = sizeof sym };
    CHECK_EQ(fcp_store_put_symbols(s, id, &y, 1, NULL), 0);

    fcp_store_gc_result res;
    r = fcp_store_gc(s, "z:work", &res);
    CHECK_EQ(r, 0);
    /* roots: A (pin), F0 (frontier), G (Pinned), E (lease) */
    CHECK_EQ(res.roots, 4);
    /* live: A B C 999 Q F0 K G E HH */
    CHECK_EQ(res.live, 10);
    /* evicted: D F X Y L (the cycle ends; L refs D but nothing refs L) */
    CHECK_EQ(res.evicted, 5);
    CHECK(res.evicted_bytes > 5 * 64 + 1024);
    int live[] = { A, B, C, E, G, HH, F0, K, Q, P };
    for (size_t i = 0; i < sizeof live / sizeof live[0]; i++)
        if (!CHECK_EQ(has(s, live[i]), 1))
            fprintf(stderr, "  object %d evicted\n", live[i]);
    int dead[] = { D, F, X, Y, L };
    for (size_t i = 0; i < sizeof dead / sizeof dead[0]; i++)
        if (!CHECK_EQ(has(s, dead[i]), 0))
            fprintf(stderr, "  object %d kept\n", dead[i]);
    uint64_t n;
    mkid(id, D);
    CHECK_EQ(fcp_store_count_symbols(s, id, &n), 0);
    CHECK_EQ(n, 0);
    char rep[256];
    CHECK_EQ(fcp_store_check(s, rep, sizeof rep), 0);

    /* a second run changes nothing */
    CHECK_EQ(fcp_store_gc(s, "z:work", &res), 0);
    CHECK_EQ(res.evicted, 0);

    /* the lease runs out: E and what only it held (HH) go; G (Pinned) stays */
    fcp_clock_manual_advance(&clk, 61ull * 1000000000ull);
    CHECK_EQ(fcp_store_gc(s, "z:work", &res), 0);
    CHECK_EQ(res.evicted, 2);
    CHECK_EQ(has(s, E), 0);
    CHECK_EQ(has(s, HH), 0);
    CHECK_EQ(has(s, G), 1);

    /* unpinning A releases A, B, C, but Q in z:private only goes in a sweep of its zone */
    mkid(id, A);
    CHECK_EQ(fcp_store_unpin(s, id), 0);
    CHECK_EQ(fcp_store_gc(s, "z:work", &res), 0);
    CHECK_EQ(res.evicted, 3);
    CHECK_EQ(has(s, Q), 1);
    CHECK_EQ(has(s, P), 1);
    CHECK_EQ(fcp_store_gc(s, NULL, &res), 0);
    CHECK_EQ(res.evicted, 2);
    CHECK_EQ(has(s, Q), 0);
    CHECK_EQ(has(s, P), 0);
    CHECK_EQ(has(s, F0), 1);
    CHECK_EQ(has(s, K), 1);
    uint64_t ub, uo;
    CHECK_EQ(fcp_store_zone_usage(s, "z:private", &ub, &uo), 0);
    CHECK_EQ(ub, 0);
    CHECK_EQ(uo, 0);
    CHECK_EQ(fcp_store_gc(s, "bad zone", &res), FCP_EZONE_ID_PREFIX);
    CHECK_EQ(fcp_store_check(s, rep, sizeof rep), 0);
    fcp_store_close(s);
}

/* stored bytes of one quarantine test object (header + 64-byte body) */
static uint64_t one_size(void)
{
    fcp_object_header_init(&H, &schema, "z:public", 100000);
    fcp_buf b;
    fcp_buf_init(&b);
    fcp_object_header_encode(&H, &b);
    uint64_t n = b.len + 64;
    fcp_buf_free(&b);
    return n;
}

static int admit(fcp_store *s, const char *peer, int n, size_t *ev)
{
    uint8_t id[32];
    mkid(id, n);
    fcp_object_header_init(&H, &schema, "z:public", 100000 + (uint64_t)(n % 10));
    uint8_t body[64];
    memset(body, n, sizeof body);
    return fcp_store_quarantine_admit(s, peer, id, &H, body, sizeof body, 0, ev);
}

static void test_quarantine(void)
{
    rm_db();
    uint64_t S = one_size();
    fcp_store_options o = defaults();
    o.quarantine_max_bytes_per_peer = 3 * S;
    o.quarantine_max_bytes = 5 * S;
    o.quarantine_max_objects_per_peer = 100;
    fcp_store *s = open_with(&o);
    if (!s)
        return;
    size_t ev = 99;
    uint64_t b, n;
    /* peer-a fills its share; the 4th evicts its oldest */
    for (int i = 1; i <= 3; i++) {
        CHECK_EQ(admit(s, "peer-a", 100 + i, &ev), 0);
        CHECK_EQ(ev, 0);
        fcp_clock_manual_advance(&clk, 1000000000ull);
    }
    CHECK_EQ(admit(s, "peer-a", 104, &ev), 0);
    CHECK_EQ(ev, 1);
    CHECK_EQ(has(s, 101), 0);
    CHECK_EQ(has(s, 104), 1);
    CHECK_EQ(fcp_store_quarantine_usage(s, "peer-a", &b, &n), 0);
    CHECK_EQ(b, 3 * S);
    CHECK_EQ(n, 3);
    /* admitting the same object again changes nothing */
    CHECK_EQ(admit(s, "peer-a", 104, &ev), 0);
    CHECK_EQ(ev, 0);
    /* peer-b: the total cap (5) evicts the oldest overall, which is peer-a's */
    CHECK_EQ(admit(s, "peer-b", 201, &ev), 0);
    CHECK_EQ(admit(s, "peer-b", 202, &ev), 0);
    CHECK_EQ(ev, 0);
    CHECK_EQ(admit(s, "peer-b", 203, &ev), 0);
    CHECK_EQ(ev, 1);
    CHECK_EQ(has(s, 102), 0);
    CHECK_EQ(fcp_store_quarantine_usage(s, NULL, &b, &n), 0);
    CHECK_EQ(b, 5 * S);
    CHECK_EQ(n, 5);
    /* quarantined objects are invisible to listing and pins, and put() says so */
    uint8_t id[32], ids[8][32];
    size_t cnt;
    CHECK_EQ(fcp_store_list_zone(s, "z:public", NULL, ids, 8, &cnt), 0);
    CHECK_EQ(cnt, 0);
    mkid(id, 201);
    CHECK_EQ(fcp_store_pin(s, id), FCP_ESTORE_NOT_FOUND);
    fcp_store_record rec;
    CHECK_EQ(fcp_store_get(s, id, &rec, NULL, NULL), 0);
    CHECK_EQ(rec.quarantined, 1);
    fcp_object_header_init(&H, &schema, "z:public", 100000 + 201 % 10);
    uint8_t body[64];
    memset(body, 201, sizeof body);
    fcp_retention eph = { FCP_RETENTION_EPHEMERAL, 0 };
    CHECK_EQ(fcp_store_put(s, id, &H, body, sizeof body, 0, &eph), FCP_ESTORE_QUARANTINED);
    uint64_t zb, zo;
    CHECK_EQ(fcp_store_zone_usage(s, "z:public", &zb, &zo), 0);
    CHECK_EQ(zo, 0);
    /* promotion: now a normal object, counted against the zone, quota enforced */
    CHECK_EQ(fcp_store_set_quota(s, "z:public", S + S / 2), 0);
    fcp_retention lease = { FCP_RETENTION_LEASE, 1800000000 };
    CHECK_EQ(fcp_store_quarantine_promote(s, id, &lease), 0);
    CHECK_EQ(fcp_store_get(s, id, &rec, NULL, NULL), 0);
    CHECK_EQ(rec.quarantined, 0);
    CHECK_EQ(rec.retention.kind, FCP_RETENTION_LEASE);
    CHECK_EQ(fcp_store_zone_usage(s, "z:public", &zb, &zo), 0);
    CHECK_EQ(zb, S);
    CHECK_EQ(zo, 1);
    uint8_t id2[32];
    mkid(id2, 202);
    CHECK_EQ(fcp_store_quarantine_promote(s, id2, &eph), FCP_ESTORE_QUOTA);
    CHECK_EQ(fcp_store_get(s, id2, &rec, NULL, NULL), 0);
    CHECK_EQ(rec.quarantined, 1);
    CHECK_EQ(fcp_store_quarantine_promote(s, id, &eph), FCP_ESTORE_NOT_FOUND);
    CHECK_EQ(fcp_store_list_zone(s, "z:public", NULL, ids, 8, &cnt), 0);
    CHECK_EQ(cnt, 1);
    CHECK_EQ(fcp_store_set_quota(s, "z:public", 0), 0);
    char rep[256];
    CHECK_EQ(fcp_store_check(s, rep, sizeof rep), 0);

    /* symbols grow a quarantined object: its peer's older objects make room,
     * and a symbol that would make it alone exceed the cap is refused */
    CHECK_EQ(fcp_store_quarantine_usage(s, "peer-a", &b, &n), 0);
    CHECK_EQ(n, 2); /* 103, 104 */
    mkid(id, 104);
    static uint8_t big[2048];
    fcp_store_symbol y = { .esi = 1, .data = big, .len = (size_t)(S + 1) };
    CHECK_EQ(fcp_store_put_symbols(s, id, &y, 1, NULL), 0);
    CHECK_EQ(has(s, 103), 0);
    CHECK_EQ(fcp_store_quarantine_usage(s, "peer-a", &b, &n), 0);
    CHECK_EQ(n, 1);
    CHECK_EQ(b, 2 * S + 1);
    y.esi = 2;
    y.len = (size_t)S;
    CHECK_EQ(fcp_store_put_symbols(s, id, &y, 1, NULL), FCP_ESTORE_QUARANTINE_CAP);
    CHECK_EQ(fcp_store_has_symbol(s, id, 0, 2, y.zone_key_id), 0);
    CHECK_EQ(fcp_store_check(s, rep, sizeof rep), 0);

    /* an object larger than a cap by itself; a bad peer id */
    static uint8_t huge[4096];
    mkid(id, 300);
    fcp_object_header_init(&H, &schema, "z:public", 100000);
    CHECK_EQ(fcp_store_quarantine_admit(s, "peer-c", id, &H, huge, (size_t)(3 * S), 0, &ev),
             FCP_ESTORE_QUARANTINE_CAP);
    CHECK_EQ(fcp_store_has(s, id), 0);
    CHECK_EQ(fcp_store_quarantine_admit(s, "bad peer!", id, &H, huge, 10, 0, &ev), FCP_ENODE_ID);
    CHECK_EQ(fcp_store_quarantine_admit(s, NULL, id, &H, huge, 10, 0, &ev), FCP_EINVAL);

    /* GC leaves quarantined objects alone */
    fcp_store_gc_result res;
    CHECK_EQ(fcp_store_gc(s, NULL, &res), 0);
    CHECK_EQ(has(s, 104), 1);
    CHECK_EQ(has(s, 202), 1);

    /* expiry: everything admitted before now+1 goes */
    CHECK_EQ(fcp_store_quarantine_expire(s, fcp_clock_unix_secs(&clk.clock) + 1, &ev), 0);
    CHECK_EQ(ev, 3); /* 104, 202, 203 */
    CHECK_EQ(fcp_store_quarantine_usage(s, NULL, &b, &n), 0);
    CHECK_EQ(n, 0);
    CHECK_EQ(b, 0);
    CHECK_EQ(fcp_store_check(s, rep, sizeof rep), 0);
    fcp_store_close(s);

    /* the per-peer object count cap */
    rm_db();
    o.quarantine_max_objects_per_peer = 2;
    o.quarantine_max_bytes_per_peer = 1000 * S;
    o.quarantine_max_bytes = 1000 * S;
    s = open_with(&o);
    if (!s)
        return;
    CHECK_EQ(admit(s, "peer-a", 1, &ev), 0);
    CHECK_EQ(admit(s, "peer-a", 2, &ev), 0);
    CHECK_EQ(admit(s, "peer-a", 3, &ev), 0);
    CHECK_EQ(ev, 1);
    CHECK_EQ(has(s, 1), 0);
    CHECK_EQ(fcp_store_check(s, rep, sizeof rep), 0);
    fcp_store_close(s);
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/fcp-store-gc-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/store.sqlite3", dir);
    fcp_clock_manual_init(&clk, 1700000000ull * 1000000000ull);
    fcp_schema_id_init(&schema, "fcp.test", "GcThing", 1, 0, 0);
    test_gc();
    test_quarantine();
    rm_db();
    rmdir(dir);
    return fcp_t_done("store_gc_test");
}
