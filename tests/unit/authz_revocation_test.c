/*
 * authz_revocation_test.c - revocation objects, events and heads (codecs,
 * owner signatures, quorum order), the exact set (windows, scopes, growth,
 * one million ids), chain application against the upstream chain_vectors,
 * freshness against the upstream freshness_vectors and the tiered policy,
 * the scope names of the upstream scope_vectors, the five enforcement
 * points, and the property "revocation always wins".
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/authz_revocation.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_revocation.h"

static uint8_t owner_pk[32], owner_sk[64];
static const uint8_t KEY[16] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };

static void hdr(fcp_object_header *h, void (*schema)(fcp_schema_id *))
{
    fcp_schema_id s;
    schema(&s);
    fcp_object_header_init(h, &s, "z:owner", 1700000000);
}

static void test_objects(void)
{
    static fcp_revocation_object r, rb;
    static fcp_revocation_event e, eb;
    static fcp_revocation_head h, hb;
    fcp_buf b, b2;
    fcp_object_id_key key;
    memset(key.bytes, 5, 32);
    memset(&r, 0, sizeof r);
    hdr(&r.header, fcp_revocation_object_schema);
    r.n_revoked = 2;
    memset(r.revoked[0], 1, 32);
    memset(r.revoked[1], 2, 32);
    r.scope = FCP_REV_ISSUER_KEY;
    strcpy(r.reason, "device lost");
    r.effective_at = 1700000000;
    CHECK_EQ(fcp_revocation_object_sign(&r, owner_sk), 0);
    fcp_buf_init(&b);
    fcp_buf_init(&b2);
    CHECK_EQ(fcp_revocation_object_encode(&r, &b), 0);
    CHECK_EQ(fcp_revocation_object_decode(&rb, b.data, b.len), 0);
    CHECK_EQ(fcp_revocation_object_verify(&rb, owner_pk), 0);
    CHECK_EQ(fcp_revocation_object_encode(&rb, &b2), 0);
    CHECK(b.len == b2.len && !memcmp(b.data, b2.data, b.len));
    rb.effective_at++;
    CHECK_ERR(fcp_revocation_object_verify(&rb, owner_pk), FCP_EBAD_SIGNATURE);
    /* validation */
    rb = r;
    memset(rb.revoked[1], 1, 32);
    CHECK_ERR(fcp_revocation_object_validate(&rb), FCP_EREV_OBJECT);
    rb = r;
    rb.n_revoked = 0;
    CHECK_ERR(fcp_revocation_object_validate(&rb), FCP_EREV_OBJECT);
    rb = r;
    rb.has_expires_at = 1;
    rb.expires_at = rb.effective_at;
    CHECK_ERR(fcp_revocation_object_validate(&rb), FCP_EREV_OBJECT);
    rb = r;
    rb.scope = (enum fcp_rev_scope)7;
    CHECK_ERR(fcp_revocation_object_validate(&rb), FCP_EREV_SCOPE);
    /* an unknown scope on the wire */
    {
        size_t at = 0;
        for (size_t i = 0; i + 10 <= b.len; i++)
            if (!memcmp(b.data + i, "issuer_key", 10))
                at = i;
        CHECK(at > 0);
        memcpy(b2.data, b.data, b.len);
        memcpy(b2.data + at, "issuer_kez", 10);
        CHECK_ERR(fcp_revocation_object_decode(&rb, b2.data, b.len), FCP_EREV_SCOPE);
    }
    /* events */
    memset(&e, 0, sizeof e);
    hdr(&e.header, fcp_revocation_event_schema);
    CHECK_EQ(fcp_revocation_object_id(e.revocation_object_id, &r, &key), 0);
    e.seq = 1;
    e.occurred_at = 1700000001;
    CHECK_EQ(fcp_revocation_event_sign(&e, owner_sk), 0);
    fcp_buf_reset(&b);
    CHECK_EQ(fcp_revocation_event_encode(&e, &b), 0);
    CHECK_EQ(fcp_revocation_event_decode(&eb, b.data, b.len), 0);
    CHECK_EQ(fcp_revocation_event_verify(&eb, owner_pk), 0);
    eb.has_prev = 1;
    CHECK_ERR(fcp_revocation_event_validate(&eb), FCP_EREV_OBJECT);
    eb.seq = 2;
    CHECK_EQ(fcp_revocation_event_validate(&eb), 0);
    eb.has_prev = 0;
    CHECK_ERR(fcp_revocation_event_validate(&eb), FCP_EREV_OBJECT);
    /* head with a sorted quorum */
    memset(&h, 0, sizeof h);
    hdr(&h.header, fcp_revocation_head_schema);
    strcpy(h.zone_id, "z:owner");
    memset(h.head_event, 3, 32);
    h.head_seq = 1;
    h.epoch_id = 5666666;
    uint8_t pk[3][32], sk[3][64], seed[32];
    const char *names[3] = { "node:c", "node:a", "node:b" };
    for (int i = 0; i < 3; i++) {
        memset(seed, 0x30 + i, 32);
        fcp_ed25519_keypair_from_seed(pk[i], sk[i], seed);
        CHECK_EQ(fcp_revocation_head_add_signature(&h, names[i], sk[i]), 0);
    }
    CHECK(!strcmp(h.signer[0], "node:a") && !strcmp(h.signer[2], "node:c"));
    fcp_buf_reset(&b);
    CHECK_EQ(fcp_revocation_head_encode(&h, &b), 0);
    CHECK_EQ(fcp_revocation_head_decode(&hb, b.data, b.len), 0);
    CHECK_EQ(hb.n_sigs, 3);
    hb = h;
    memcpy(hb.signer[0], "node:z", 7);
    CHECK_ERR(fcp_revocation_head_validate(&hb), FCP_EUNSORTED_SIGNERS);
    hb = h;
    hb.head_seq = 0;
    CHECK_ERR(fcp_revocation_head_validate(&hb), FCP_EREV_HEAD);
    fcp_buf_free(&b);
    fcp_buf_free(&b2);
}

static void test_set_basics(void)
{
    fcp_revset s;
    uint8_t a[32], b[32];
    memset(a, 0xaa, 32);
    memset(b, 0xbb, 32);
    CHECK_EQ(fcp_revset_init(&s, 0, KEY), 0);
    CHECK(!fcp_revset_contains(&s, a, FCP_REV_CAPABILITY, 100));
    CHECK_EQ(fcp_revset_add(&s, a, FCP_REV_CAPABILITY, 100, 200), 0);
    CHECK(!fcp_revset_contains(&s, a, FCP_REV_CAPABILITY, 99));
    CHECK(fcp_revset_contains(&s, a, FCP_REV_CAPABILITY, 100));
    CHECK(fcp_revset_contains(&s, a, FCP_REV_CAPABILITY, 199));
    CHECK(!fcp_revset_contains(&s, a, FCP_REV_CAPABILITY, 200));
    CHECK(!fcp_revset_contains(&s, a, FCP_REV_ZONE_KEY, 150));
    CHECK(fcp_revset_contains_any(&s, a, 150));
    CHECK(!fcp_revset_contains_any(&s, b, 150));
    /* re-adding only widens: permanent wins, earlier start wins */
    CHECK_EQ(fcp_revset_add(&s, a, FCP_REV_CAPABILITY, 50, 0), 0);
    CHECK(fcp_revset_contains(&s, a, FCP_REV_CAPABILITY, 60));
    CHECK(fcp_revset_contains(&s, a, FCP_REV_CAPABILITY, 1u << 30));
    CHECK_EQ(fcp_revset_add(&s, a, FCP_REV_CAPABILITY, 500, 600), 0);
    CHECK(fcp_revset_contains(&s, a, FCP_REV_CAPABILITY, 60));
    CHECK(fcp_revset_contains(&s, a, FCP_REV_CAPABILITY, 700));
    CHECK_ERR(fcp_revset_add(&s, a, (enum fcp_rev_scope)9, 0, 0), FCP_EREV_SCOPE);
    CHECK_ERR(fcp_revset_add(&s, b, FCP_REV_CAPABILITY, 10, 10), FCP_EREV_OBJECT);
    /* growth keeps every id */
    uint8_t id[32];
    memset(id, 0, 32);
    int add_err = 0, missing = 0, extra = 0;
    for (uint32_t i = 0; i < 5000; i++) {
        memcpy(id, &i, 4);
        add_err += fcp_revset_add(&s, id, FCP_REV_CONNECTOR_BINARY, 0, 0) != 0;
    }
    CHECK_EQ(add_err, 0);
    for (uint32_t i = 0; i < 10000; i++) {
        memcpy(id, &i, 4);
        int in = fcp_revset_contains(&s, id, FCP_REV_CONNECTOR_BINARY, 1);
        if (i < 5000 && !in)
            missing++;
        if (i >= 5000 && in)
            extra++;
    }
    CHECK_EQ(missing, 0);
    CHECK_EQ(extra, 0);
    fcp_revset_free(&s);
}

static void test_million(void)
{
    fcp_revset s;
    uint8_t id[32];
    CHECK_EQ(fcp_revset_init(&s, 1000000, KEY), 0);
    for (uint32_t i = 0; i < 1000000; i++) {
        fcp_blake3(id, &i, sizeof i);
        if (fcp_revset_add(&s, id, FCP_REV_CAPABILITY, 0, 0)) {
            CHECK(0);
            break;
        }
    }
    CHECK_EQ(s.n, 1000000);
    int bad = 0;
    for (uint32_t i = 0; i < 2000000; i += 97) {
        fcp_blake3(id, &i, sizeof i);
        if (fcp_revset_contains(&s, id, FCP_REV_CAPABILITY, 1) != (i < 1000000))
            bad++;
    }
    CHECK_EQ(bad, 0);
    fcp_revset_free(&s);
}

static void test_upstream_chain_freshness_scope(void)
{
    json_t *arr = fcp_t_load_json("upstream/core_objects.json");
    size_t i, j;
    json_t *e, *v;
    int chain_seen = 0, fresh_seen = 0, scope_seen = 0;
    json_array_foreach(arr, i, e) {
        const char *nm = fcp_t_jstr(e, "name");
        json_t *dec = json_object_get(json_object_get(e, "inputs"), "decoded");
        if (strstr(nm, "revocation__chain_vectors")) {
            json_array_foreach(dec, j, v) {
                fcp_rev_chain_link l[8];
                json_t *evs = json_object_get(v, "events"), *ev;
                size_t k, n = json_array_size(evs);
                json_array_foreach(evs, k, ev) {
                    json_t *ps = json_object_get(ev, "prev_seq");
                    l[k].seq = (uint64_t)json_integer_value(json_object_get(ev, "seq"));
                    l[k].has_prev = json_is_integer(ps);
                    l[k].prev_seq = l[k].has_prev ? (uint64_t)json_integer_value(ps) : 0;
                }
                int rc = fcp_rev_chain_check(l, n);
                const char *et = json_is_string(json_object_get(v, "error_type"))
                                     ? fcp_t_jstr(v, "error_type") : "";
                int want = !strcmp(et, "sequence_gap")         ? FCP_EREV_CHAIN_GAP
                           : !strcmp(et, "duplicate_sequence") ? FCP_EREV_CHAIN_DUPLICATE
                           : !strcmp(et, "broken_chain")       ? FCP_EREV_CHAIN_BROKEN
                                                               : 0;
                CHECK_EQ(rc, want);
                CHECK_EQ(rc == 0, json_is_true(json_object_get(v, "is_valid_chain")));
                chain_seen++;
            }
        } else if (strstr(nm, "revocation__freshness_vectors")) {
            json_array_foreach(dec, j, v) {
                const char *pol = fcp_t_jstr(v, "policy");
                enum fcp_rev_fresh_mode m = !strcmp(pol, "strict") ? FCP_REV_STRICT
                                            : !strcmp(pol, "warn") ? FCP_REV_WARN
                                                                   : FCP_REV_BEST_EFFORT;
                unsigned flags;
                int rc = fcp_rev_freshness_mode_check(
                    m, (uint64_t)json_integer_value(json_object_get(v, "local_seq")),
                    (uint64_t)json_integer_value(json_object_get(v, "remote_seq")),
                    (uint64_t)json_integer_value(json_object_get(v, "last_updated")),
                    (uint64_t)json_integer_value(json_object_get(v, "now")),
                    (uint64_t)json_integer_value(json_object_get(v, "max_age_secs")), &flags);
                CHECK_EQ(rc == 0, json_is_true(json_object_get(v, "expected_allowed")));
                CHECK_EQ((flags & FCP_REV_STALE) != 0, json_is_true(json_object_get(v, "expected_stale")));
                fresh_seen++;
            }
        } else if (strstr(nm, "revocation__scope_vectors")) {
            json_array_foreach(dec, j, v) {
                const char *sc = fcp_t_jstr(v, "scope");
                int found = 0;
                for (int k = 0; k < FCP_REV_SCOPE_COUNT; k++)
                    if (!strcmp(fcp_rev_scope_name((enum fcp_rev_scope)k), sc)) {
                        found = 1;
                        /* permanent revocation: active at creation and long after */
                        fcp_revset s;
                        uint8_t id[32];
                        memset(id, (int)j + 1, 32);
                        fcp_revset_init(&s, 4, KEY);
                        fcp_revset_add(&s, id, (enum fcp_rev_scope)k,
                                       (uint64_t)json_integer_value(json_object_get(v, "effective_at")), 0);
                        CHECK(fcp_revset_contains(&s, id, (enum fcp_rev_scope)k, 1700000000));
                        CHECK(fcp_revset_contains(&s, id, (enum fcp_rev_scope)k, 4000000000u));
                        fcp_revset_free(&s);
                    }
                CHECK(found);
                scope_seen++;
            }
        }
    }
    CHECK_EQ(chain_seen, 4);
    CHECK_EQ(fresh_seen, 5);
    CHECK_EQ(scope_seen, 5);
    json_decref(arr);
}

static void test_apply_chain(void)
{
    static fcp_revocation_object r[3];
    static fcp_revocation_event ev[3];
    uint8_t eid[3][32];
    fcp_object_id_key key;
    fcp_revset s;
    memset(key.bytes, 5, 32);
    fcp_revset_init(&s, 8, KEY);
    for (int i = 0; i < 3; i++) {
        memset(&r[i], 0, sizeof r[i]);
        hdr(&r[i].header, fcp_revocation_object_schema);
        r[i].n_revoked = 1;
        memset(r[i].revoked[0], 0x10 + i, 32);
        r[i].scope = FCP_REV_CAPABILITY;
        r[i].effective_at = 1700000000;
        fcp_revocation_object_sign(&r[i], owner_sk);
        memset(&ev[i], 0, sizeof ev[i]);
        hdr(&ev[i].header, fcp_revocation_event_schema);
        fcp_revocation_object_id(ev[i].revocation_object_id, &r[i], &key);
        ev[i].seq = (uint64_t)i + 1;
        if (i) {
            ev[i].has_prev = 1;
            memcpy(ev[i].prev, eid[i - 1], 32);
        }
        fcp_revocation_event_sign(&ev[i], owner_sk);
        fcp_revocation_event_id(eid[i], &ev[i], &key);
    }
    CHECK_ERR(fcp_revset_apply_event(&s, &ev[1], eid[1], &r[1], 10), FCP_EREV_CHAIN_GAP);
    CHECK_EQ(fcp_revset_apply_event(&s, &ev[0], eid[0], &r[0], 10), 0);
    CHECK_ERR(fcp_revset_apply_event(&s, &ev[0], eid[0], &r[0], 10), FCP_EREV_CHAIN_DUPLICATE);
    {
        fcp_revocation_event bad = ev[1];
        bad.prev[0] ^= 1;
        CHECK_ERR(fcp_revset_apply_event(&s, &bad, eid[1], &r[1], 10), FCP_EREV_CHAIN_BROKEN);
    }
    CHECK_EQ(fcp_revset_apply_event(&s, &ev[1], eid[1], &r[1], 11), 0);
    CHECK_EQ(fcp_revset_apply_event(&s, &ev[2], eid[2], &r[2], 12), 0);
    CHECK_EQ(s.seq, 3);
    CHECK_EQ(s.last_updated, 12);
    for (int i = 0; i < 3; i++)
        CHECK(fcp_revset_contains(&s, r[i].revoked[0], FCP_REV_CAPABILITY, 1700000000));
    fcp_revset_free(&s);
}

static void test_freshness_tiers(void)
{
    fcp_rev_freshness_policy p;
    fcp_revset s;
    unsigned f;
    fcp_rev_freshness_policy_default(&p);
    fcp_revset_init(&s, 4, KEY);
    s.seq = 10;
    s.last_updated = 1000;
    /* fresh */
    CHECK_EQ(fcp_rev_freshness_check(&p, FCP_OP_DANGEROUS, &s, 10, 1030, 0, &f), 0);
    CHECK_EQ(f, FCP_REV_FRESH);
    /* Dangerous: too old, or behind */
    CHECK_ERR(fcp_rev_freshness_check(&p, FCP_OP_DANGEROUS, &s, 10, 1061, 0, &f), FCP_EREV_STALE);
    CHECK_ERR(fcp_rev_freshness_check(&p, FCP_OP_DANGEROUS, &s, 11, 1001, 1, &f), FCP_EREV_STALE);
    p.allow_risky_override = 1;
    CHECK_ERR(fcp_rev_freshness_check(&p, FCP_OP_DANGEROUS, &s, 11, 1001, 1, &f), FCP_EREV_STALE);
    /* Risky: override only when policy allows and the user gave it */
    p.allow_risky_override = 0;
    CHECK_ERR(fcp_rev_freshness_check(&p, FCP_OP_RISKY, &s, 11, 1100, 1, &f), FCP_EREV_STALE);
    p.allow_risky_override = 1;
    CHECK_ERR(fcp_rev_freshness_check(&p, FCP_OP_RISKY, &s, 11, 1100, 0, &f), FCP_EREV_STALE);
    CHECK_EQ(fcp_rev_freshness_check(&p, FCP_OP_RISKY, &s, 11, 1100, 1, &f), 0);
    CHECK_EQ(f, FCP_REV_STALE | FCP_REV_OVERRIDDEN);
    CHECK_ERR(fcp_rev_freshness_check(&p, FCP_OP_RISKY, &s, 11, 1301, 1, &f), FCP_EREV_STALE);
    /* Safe: degraded mode with an audit flag */
    CHECK_EQ(fcp_rev_freshness_check(&p, FCP_OP_SAFE, &s, 99, 999999, 0, &f), 0);
    CHECK_EQ(f, FCP_REV_STALE | FCP_REV_DEGRADED);
    CHECK_EQ(fcp_rev_freshness_check(&p, FCP_OP_SAFE, &s, 10, 1001, 0, &f), 0);
    CHECK_EQ(f, FCP_REV_FRESH);
    CHECK_ERR(fcp_rev_freshness_check(&p, FCP_OP_FORBIDDEN, &s, 10, 1001, 0, &f), FCP_ETOKEN_TIER);
    fcp_revset_free(&s);
}

static void test_enforcement_points(void)
{
    fcp_revset s;
    fcp_rev_freshness_policy p;
    uint8_t tok[32], iss[32], att[32], g[2][32], bin[32], man[32], zk[32];
    unsigned f;
    memset(tok, 1, 32);
    memset(iss, 2, 32);
    memset(att, 3, 32);
    memset(g[0], 4, 32);
    memset(g[1], 5, 32);
    memset(bin, 6, 32);
    memset(man, 7, 32);
    memset(zk, 8, 32);
    fcp_rev_freshness_policy_default(&p);
    fcp_revset_init(&s, 16, KEY);
    s.last_updated = 1000;
    /* nothing revoked */
    CHECK_EQ(fcp_rev_enforce_token_accept(&s, tok, iss, att, (const uint8_t(*)[32])g, 2, 1000), 0);
    CHECK_EQ(fcp_rev_enforce_execute(&s, &p, FCP_OP_DANGEROUS, tok, (const uint8_t(*)[32])g, 2, bin, 0, 0, 1000, &f), 0);
    CHECK_EQ(fcp_rev_enforce_audit_head(&s, (const uint8_t(*)[32])&att, 1, 1000), 0);
    CHECK_EQ(fcp_rev_enforce_zone_key(&s, zk, 1000), 0);
    CHECK_EQ(fcp_rev_enforce_connector_start(&s, bin, man, 1000), 0);
    /* 1 */
    fcp_revset_add(&s, g[1], FCP_REV_CAPABILITY, 0, 0);
    CHECK_ERR(fcp_rev_enforce_token_accept(&s, tok, iss, att, (const uint8_t(*)[32])g, 2, 1000), FCP_ETOKEN_GRANT_REVOKED);
    fcp_revset_add(&s, att, FCP_REV_NODE_ATTESTATION, 0, 0);
    CHECK_ERR(fcp_rev_enforce_token_accept(&s, tok, iss, att, (const uint8_t(*)[32])g, 2, 1000), FCP_ETOKEN_ISSUER_REVOKED);
    fcp_revset_add(&s, tok, FCP_REV_CAPABILITY, 0, 0);
    CHECK_ERR(fcp_rev_enforce_token_accept(&s, tok, iss, att, (const uint8_t(*)[32])g, 2, 1000), FCP_ETOKEN_REVOKED);
    /* 2: revocation wins even over a fresh state and a Safe tier */
    CHECK_ERR(fcp_rev_enforce_execute(&s, &p, FCP_OP_SAFE, tok, NULL, 0, bin, 0, 0, 1000, &f), FCP_ETOKEN_REVOKED);
    memset(tok, 0x11, 32);
    fcp_revset_add(&s, bin, FCP_REV_CONNECTOR_BINARY, 0, 0);
    CHECK_ERR(fcp_rev_enforce_execute(&s, &p, FCP_OP_SAFE, tok, NULL, 0, bin, 0, 0, 1000, &f), FCP_EREV_CONNECTOR);
    CHECK_ERR(fcp_rev_enforce_execute(&s, &p, FCP_OP_DANGEROUS, tok, NULL, 0, NULL, 0, 0, 5000, &f), FCP_EREV_STALE);
    /* 3 */
    CHECK_ERR(fcp_rev_enforce_audit_head(&s, (const uint8_t(*)[32])&att, 1, 1000), FCP_EREV_NODE);
    /* 4 */
    fcp_revset_add(&s, zk, FCP_REV_ZONE_KEY, 2000, 0);
    CHECK_EQ(fcp_rev_enforce_zone_key(&s, zk, 1999), 0);
    CHECK_ERR(fcp_rev_enforce_zone_key(&s, zk, 2000), FCP_EREV_ZONE_KEY);
    /* 5 */
    CHECK_ERR(fcp_rev_enforce_connector_start(&s, bin, man, 1000), FCP_EREV_CONNECTOR);
    memset(bin, 0x66, 32);
    CHECK_EQ(fcp_rev_enforce_connector_start(&s, bin, man, 1000), 0);
    fcp_revset_add(&s, man, FCP_REV_CONNECTOR_BINARY, 0, 0);
    CHECK_ERR(fcp_rev_enforce_connector_start(&s, bin, man, 1000), FCP_EREV_CONNECTOR);
    fcp_revset_free(&s);
}

/* Property: once an id is added it is reported revoked at every later time
 * inside its window, whatever else is added (adds never shrink). */
static void test_property_revocation_wins(void)
{
    fcp_revset s;
    uint64_t x = 88172645463325252ull;
    uint8_t ids[64][32];
    uint64_t from[64], until[64];
    int violations = 0;
    fcp_revset_init(&s, 8, KEY);
    for (int i = 0; i < 64; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        memset(ids[i], 0, 32);
        ids[i][x % 32] = (uint8_t)i;
        ids[i][0] = (uint8_t)(i + 1);
        from[i] = x % 1000;
        until[i] = (x >> 20) % 3 ? from[i] + 1 + (x >> 30) % 1000 : 0;
        fcp_revset_add(&s, ids[i], (enum fcp_rev_scope)(x % FCP_REV_SCOPE_COUNT), from[i], until[i]);
        for (int j = 0; j <= i; j++)
            for (uint64_t t = from[j]; t < from[j] + 50; t += 7)
                if ((until[j] == 0 || t < until[j]) && !fcp_revset_contains_any(&s, ids[j], t))
                    violations++;
    }
    CHECK_EQ(violations, 0);
    fcp_revset_free(&s);
}

int main(void)
{
    uint8_t seed[32];
    fcp_crypto_init();
    memset(seed, 0xa0, 32);
    fcp_ed25519_keypair_from_seed(owner_pk, owner_sk, seed);
    test_objects();
    test_set_basics();
    test_million();
    test_upstream_chain_freshness_scope();
    test_apply_chain();
    test_freshness_tiers();
    test_enforcement_points();
    test_property_revocation_wins();
    return fcp_t_done("authz_revocation");
}
