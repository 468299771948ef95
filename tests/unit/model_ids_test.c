/*
 * model_ids_test.c - zone ids, tags, node ids, schema ids and the BLAKE3
 * identifiers, against the upstream pinned vectors (schema_hash.json,
 * object_id.json) plus negative tests for every validation rule.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "test.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/model_ids.h"

#define ZV(s) fcp_zone_id_validate((s), strlen(s))

static void test_zone_validate(void)
{
    CHECK_ERR(ZV("z:owner"), 0);
    CHECK_ERR(ZV("z:project:foo"), 0);
    CHECK_ERR(ZV("z:a"), 0);
    CHECK_ERR(ZV("z:a_b-c:d9"), 0);
    CHECK_ERR(ZV(""), FCP_EZONE_ID_EMPTY);
    CHECK_ERR(fcp_zone_id_validate(NULL, 0), FCP_EZONE_ID_EMPTY);
    char big[80];
    memset(big, 'a', sizeof big);
    big[0] = 'z';
    big[1] = ':';
    CHECK_ERR(fcp_zone_id_validate(big, 64), 0);
    CHECK_ERR(fcp_zone_id_validate(big, 65), FCP_EZONE_ID_TOO_LONG);
    CHECK_ERR(ZV("work"), FCP_EZONE_ID_PREFIX);
    CHECK_ERR(ZV("invalid-zone"), FCP_EZONE_ID_PREFIX);
    CHECK_ERR(ZV("Z:work"), FCP_EZONE_ID_PREFIX);
    CHECK_ERR(ZV("z"), FCP_EZONE_ID_PREFIX);
    CHECK_ERR(ZV(" z:work"), FCP_EZONE_ID_PREFIX);
    CHECK_ERR(ZV("z:Work"), FCP_EZONE_ID_CHAR);
    CHECK_ERR(ZV("z:work "), FCP_EZONE_ID_CHAR);
    CHECK_ERR(ZV("z:wo rk"), FCP_EZONE_ID_CHAR);
    CHECK_ERR(ZV("z:w\xc3\xa9rk"), FCP_EZONE_ID_CHAR);
    CHECK_ERR(ZV("z:a.b"), FCP_EZONE_ID_CHAR);
    CHECK_ERR(fcp_zone_id_validate("z:a\0b", 5), FCP_EZONE_ID_CHAR);
    CHECK_ERR(ZV("z:"), FCP_EZONE_ID_FORM);
    CHECK_ERR(ZV("z::x"), FCP_EZONE_ID_FORM);
    CHECK_ERR(ZV("z:x:"), FCP_EZONE_ID_FORM);
    CHECK_ERR(ZV("z:x::y"), FCP_EZONE_ID_FORM);
    CHECK_ERR(ZV("z:-x"), FCP_EZONE_ID_EDGE);
    CHECK_ERR(ZV("z:x_"), FCP_EZONE_ID_EDGE);
    CHECK_ERR(ZV("z:a:_b"), FCP_EZONE_ID_EDGE);
    CHECK_ERR(ZV("z:-"), FCP_EZONE_ID_EDGE);
    CHECK(fcp_zone_id_is_standard("z:work", 6));
    CHECK(fcp_zone_id_is_standard(FCP_ZONE_COMMUNITY, strlen(FCP_ZONE_COMMUNITY)));
    CHECK(!fcp_zone_id_is_standard("z:worker", 8));
    CHECK(!fcp_zone_id_is_standard("z:wor", 5));
}

static void test_zone_hash(void)
{
    json_t *all = fcp_t_load_json("upstream/object_id.json");
    size_t i;
    json_t *e;
    int seen = 0;
    json_array_foreach(all, i, e) {
        if (strcmp(fcp_t_jstr(e, "name"), "zone_id_hash_rule") != 0)
            continue;
        /* rule-only upstream; the collector's recomputation (b3sum) is used
         * as a cross-check of the rule. */
        json_t *d = json_object_get(json_object_get(e, "derived"), "zone_id_hash_hex");
        const char *zone;
        json_t *hv;
        json_object_foreach(d, zone, hv) {
            uint8_t want[32], got[32];
            CHECK_ERR(fcp_hex_decode_exact(want, 32, json_string_value(hv)), 0);
            CHECK_ERR(fcp_zone_id_hash(got, zone, strlen(zone)), 0);
            CHECK_MEM(got, want, 32);
            CHECK(fcp_zone_id_is_standard(zone, strlen(zone)));
            seen++;
        }
    }
    CHECK_EQ(seen, 5);
    uint8_t h[32];
    memset(h, 0xee, sizeof h);
    CHECK_ERR(fcp_zone_id_hash(h, "z:Work", 6), FCP_EZONE_ID_CHAR);
    CHECK_EQ(h[0], 0xee);
    json_decref(all);
}

static void test_tags(void)
{
    json_t *all = fcp_t_load_json("upstream/object_id.json");
    size_t i, j;
    json_t *e, *v;
    char out[FCP_TAG_MAX], back[FCP_TAG_MAX];
    json_array_foreach(all, i, e) {
        if (strcmp(fcp_t_jstr(e, "name"), "zone_tailscale_tags") != 0)
            continue;
        json_t *zones = json_object_get(json_object_get(e, "inputs"), "zone_ids");
        json_t *exp = json_object_get(e, "expected");
        json_t *tags = json_object_get(exp, "tags");
        CHECK_EQ(json_array_size(zones), json_array_size(tags));
        json_array_foreach(zones, j, v) {
            const char *z = json_string_value(v);
            const char *t = json_string_value(json_array_get(tags, j));
            CHECK_ERR(fcp_zone_id_to_tag(out, sizeof out, z, strlen(z)), 0);
            CHECK(strcmp(out, t) == 0);
            CHECK_ERR(fcp_zone_id_from_tag(back, sizeof back, t, strlen(t)), 0);
            CHECK(strcmp(back, z) == 0);
        }
        json_array_foreach(json_object_get(exp, "rejected_zone_ids"), j, v) {
            const char *z = json_string_value(v);
            int rc = fcp_zone_id_to_tag(out, sizeof out, z, strlen(z));
            CHECK(rc != 0);
        }
        json_array_foreach(json_object_get(exp, "rejected_tags"), j, v) {
            const char *t = json_string_value(v);
            CHECK_ERR(fcp_zone_id_from_tag(back, sizeof back, t, strlen(t)), FCP_ETAG);
        }
    }
    /* exact codes for the upstream rejected zone ids */
    CHECK_ERR(fcp_zone_id_to_tag(out, sizeof out, "z:proj-foo", 10), FCP_ETAG);
    CHECK_ERR(fcp_zone_id_to_tag(out, sizeof out, "z:project:foo_bar", 17), FCP_ETAG);
    CHECK_ERR(fcp_zone_id_to_tag(out, sizeof out, "z:project:foo:bar", 17), FCP_ETAG);
    CHECK_ERR(fcp_zone_id_to_tag(out, sizeof out, "invalid-zone", 12), FCP_EZONE_ID_PREFIX);
    CHECK_ERR(fcp_zone_id_to_tag(out, sizeof out, "z:a:b", 5), FCP_ETAG);
    CHECK_ERR(fcp_zone_id_to_tag(out, 8, "z:work", 6), FCP_EBUFFER_TOO_SMALL);
    CHECK_ERR(fcp_zone_id_to_tag(out, sizeof out, "z:project", 9), 0);
    CHECK(strcmp(out, "tag:fcp-project") == 0);
    CHECK_ERR(fcp_zone_id_from_tag(back, sizeof back, "tag:fcp-project", 15), 0);
    CHECK(strcmp(back, "z:project") == 0);
    CHECK_ERR(fcp_zone_id_from_tag(back, sizeof back, "tag:fcp-proj-a-b", 16), 0);
    CHECK(strcmp(back, "z:project:a-b") == 0);
    static const char *bad_tags[] = { "tag:fcp-", "tag:fcp-proj-", "tag:fcp-Work", "tag:fcp-a_b",
                                      "tag:fcp--a", "tag:fcp-a-", "tag:fcp-a:b", "TAG:fcp-work",
                                      "tag:fcp-work " };
    for (size_t k = 0; k < sizeof bad_tags / sizeof bad_tags[0]; k++)
        CHECK_ERR(fcp_zone_id_from_tag(back, sizeof back, bad_tags[k], strlen(bad_tags[k])), FCP_ETAG);
    json_decref(all);
}

static void test_node_ids(void)
{
    static const char *good[] = { "node-123", "node:laptop.mesh.ts.net", "nBR4q4wCNTRL", "a",
                                  "node_primary" };
    static const char *bad[] = { "", "-node", "node-", "node 1", "node\n", ".x", "x:", "n\xc3\xa9" };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK_ERR(fcp_node_id_validate(good[i], strlen(good[i])), 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_ERR(fcp_node_id_validate(bad[i], strlen(bad[i])), FCP_ENODE_ID);
    char big[FCP_NODE_ID_MAX + 1];
    memset(big, 'n', sizeof big);
    CHECK_ERR(fcp_node_id_validate(big, FCP_NODE_ID_MAX), 0);
    CHECK_ERR(fcp_node_id_validate(big, FCP_NODE_ID_MAX + 1), FCP_ENODE_ID);
    CHECK_ERR(fcp_node_id_validate(NULL, 0), FCP_ENODE_ID);
}

static void test_schema_parse(void)
{
    fcp_schema_id s, t;
    char buf[FCP_SCHEMA_TEXT_MAX];
    CHECK_ERR(fcp_schema_id_parse(&s, "fcp.core.CapabilityObject/1.0.0", 31), 0);
    CHECK(strcmp(s.ns, "fcp.core") == 0);
    CHECK(strcmp(s.name, "CapabilityObject") == 0);
    CHECK_EQ(s.major, 1);
    CHECK_ERR(fcp_schema_id_parse(&t, "fcp.core:CapabilityObject@1.0.0", 31), 0);
    CHECK(fcp_schema_id_equal(&s, &t));
    CHECK_EQ(fcp_schema_id_format_spec(&s, buf, sizeof buf), 31);
    CHECK(strcmp(buf, "fcp.core:CapabilityObject@1.0.0") == 0);
    CHECK_EQ(fcp_schema_id_format_signing(&s, buf, sizeof buf), 31);
    CHECK(strcmp(buf, "fcp.core.CapabilityObject/1.0.0") == 0);
    CHECK_EQ(fcp_schema_id_format_signing(&s, buf, 10), FCP_EBUFFER_TOO_SMALL);
    CHECK_ERR(fcp_schema_id_parse(&s, "fcp.connector_state:snapshot@12.0.345", 37), 0);
    CHECK_EQ(s.minor, 0);
    CHECK_EQ(s.patch, 345);
    static const char *bad[] = {
        "", "fcp.core.CapabilityObject", "fcp.core.CapabilityObject/1.0", "fcp.core.X/1.0.0.0",
        "fcp.core.X/01.0.0", "fcp.core.X/1.0.0-rc1", "fcp.core.X/1.0.0+b", "fcp.core.X/ 1.0.0",
        "fcp.core.X/1..0", "fcp.core.X/4294967296.0.0", "Fcp.core.X/1.0.0", "fcp..core.X/1.0.0",
        "fcp.core./1.0.0", ".core.X/1.0.0", "fcp.core.9X/1.0.0", "fcp.core.X-Y/1.0.0",
        "X/1.0.0", "fcp.core:X@1.0.0@1", "fcp.core:X:Y@1.0.0", "fcp.core:@1.0.0", ":X@1.0.0",
        "fcp.core:X/1.0.0", "fcp.core:X@", "fcp.1core.X/1.0.0", "fcp.core.X/1.0.0/",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = fcp_schema_id_parse(&s, bad[i], strlen(bad[i]));
        if (!CHECK_ERR(rc, FCP_ESCHEMA_ID))
            fprintf(stderr, "  accepted: %s\n", bad[i]);
    }
    CHECK_ERR(fcp_schema_id_parse(&s, "fcp.core.X/4294967295.0.0", 25), 0);
    CHECK_EQ(s.major, 4294967295u);
    CHECK_ERR(fcp_schema_id_init(&s, "fcp.core", "Bad Name", 1, 0, 0), FCP_ESCHEMA_ID);
    CHECK_ERR(fcp_schema_id_init(&s, "", "X", 1, 0, 0), FCP_ESCHEMA_ID);
    char longns[80];
    memset(longns, 'a', sizeof longns - 1);
    longns[79] = 0;
    CHECK_ERR(fcp_schema_id_init(&s, longns, "X", 1, 0, 0), FCP_ESCHEMA_ID);
    longns[64] = 0;
    CHECK_ERR(fcp_schema_id_init(&s, longns, "X", 1, 0, 0), 0);
}

static void test_schema_hashes(void)
{
    json_t *all = fcp_t_load_json("upstream/schema_hash.json");
    size_t i;
    json_t *e;
    int n32 = 0, n8 = 0;
    json_array_foreach(all, i, e) {
        const char *status = fcp_t_jstr(e, "status");
        if (strcmp(status, "stale") == 0 || strcmp(status, "placeholder") == 0)
            continue;
        json_t *in = json_object_get(e, "inputs"), *exp = json_object_get(e, "expected");
        const char *h32 = fcp_t_jstr(exp, "schema_hash_hex");
        const char *h8 = fcp_t_jstr(exp, "schema_hash8_hex");
        if (*h32) {
            fcp_schema_id s;
            uint32_t a, b, c;
            const char *ver = fcp_t_jstr(in, "version");
            CHECK_ERR(fcp_semver_parse(ver, strlen(ver), &a, &b, &c), 0);
            CHECK_ERR(fcp_schema_id_init(&s, fcp_t_jstr(in, "namespace"), fcp_t_jstr(in, "name"), a,
                                         b, c), 0);
            uint8_t want[32], got[32];
            CHECK_ERR(fcp_hex_decode_exact(want, 32, h32), 0);
            fcp_schema_hash(got, &s);
            CHECK_MEM(got, want, 32);
            n32++;
        }
        if (*h8) {
            fcp_schema_id s;
            const char *id = fcp_t_jstr(in, "schema_id");
            CHECK_ERR(fcp_schema_id_parse(&s, id, strlen(id)), 0);
            uint8_t want[8], got[8];
            CHECK_ERR(fcp_hex_decode_exact(want, 8, h8), 0);
            fcp_signing_schema_hash(got, &s);
            CHECK_MEM(got, want, 8);
            n8++;
        }
    }
    CHECK_EQ(n32, 1);
    CHECK_EQ(n8, 8);
    json_decref(all);
}

static void test_object_ids(void)
{
    json_t *all = fcp_t_load_json("upstream/object_id.json");
    size_t i;
    json_t *e;
    int keyed = 0, content = 0, kids = 0;
    json_array_foreach(all, i, e) {
        const char *name = fcp_t_jstr(e, "name");
        json_t *in = json_object_get(e, "inputs"), *exp = json_object_get(e, "expected");
        if (strncmp(name, "keyed_object_id", 15) == 0) {
            fcp_object_id_key k;
            fcp_schema_id s;
            json_t *sj = json_object_get(in, "schema");
            const char *ver = fcp_t_jstr(sj, "version");
            uint32_t a, b, c;
            CHECK_ERR(fcp_semver_parse(ver, strlen(ver), &a, &b, &c), 0);
            CHECK_ERR(fcp_schema_id_init(&s, fcp_t_jstr(sj, "namespace"), fcp_t_jstr(sj, "name"), a,
                                         b, c), 0);
            CHECK_ERR(fcp_hex_decode_exact(k.bytes, 32, fcp_t_jstr(in, "object_id_key_hex")), 0);
            size_t cl;
            uint8_t *ct = fcp_t_unhex(fcp_t_jstr(in, "content_hex"), &cl);
            uint8_t want[32], got[32];
            CHECK_ERR(fcp_hex_decode_exact(want, 32, fcp_t_jstr(exp, "object_id_hex")), 0);
            const char *z = fcp_t_jstr(in, "zone_id");
            CHECK_ERR(fcp_object_id(got, &k, z, strlen(z), &s, ct, cl), 0);
            CHECK_MEM(got, want, 32);
            /* the derived schema hash is consistent with the pinned ObjectId */
            uint8_t sh[32], wsh[32];
            fcp_schema_hash(sh, &s);
            CHECK_ERR(fcp_hex_decode_exact(wsh, 32,
                                           fcp_t_jstr(json_object_get(e, "derived"), "schema_hash_hex")), 0);
            CHECK_MEM(sh, wsh, 32);
            CHECK_ERR(fcp_object_id(got, &k, "z:Work", 6, &s, ct, cl), FCP_EZONE_ID_CHAR);
            free(ct);
            keyed++;
        } else if (strncmp(name, "unscoped_content_id", 19) == 0) {
            size_t cl;
            uint8_t *ct = fcp_t_unhex(fcp_t_jstr(in, "content_hex"), &cl);
            uint8_t want[32], got[32];
            CHECK_ERR(fcp_hex_decode_exact(want, 32, fcp_t_jstr(exp, "object_id_hex")), 0);
            fcp_content_id(got, ct, cl);
            CHECK_MEM(got, want, 32);
            free(ct);
            content++;
        } else if (strncmp(name, "kid_", 4) == 0) {
            uint8_t pk[32], sk[64], seed[32], want[8], got[8];
            const char *seedhex = fcp_t_jstr(in, "ed25519_seed_hex");
            if (*seedhex) {
                CHECK_ERR(fcp_hex_decode_exact(seed, 32, seedhex), 0);
                crypto_sign_seed_keypair(pk, sk, seed);
                uint8_t wpk[32];
                CHECK_ERR(fcp_hex_decode_exact(wpk, 32, fcp_t_jstr(exp, "public_key_hex")), 0);
                CHECK_MEM(pk, wpk, 32);
            } else {
                CHECK_ERR(fcp_hex_decode_exact(pk, 32, fcp_t_jstr(in, "public_key_hex")), 0);
            }
            CHECK_ERR(fcp_hex_decode_exact(want, 8, fcp_t_jstr(exp, "kid_hex")), 0);
            fcp_key_id(got, pk);
            CHECK_MEM(got, want, 8);
            kids++;
        }
    }
    CHECK_EQ(keyed, 2);
    CHECK_EQ(content, 2);
    CHECK_EQ(kids, 4);
    json_decref(all);
}

static void test_epoch(void)
{
    CHECK_EQ(fcp_epoch_from_timestamp(1700000000, 0), 1700000000 / 300);
    CHECK_EQ(fcp_epoch_from_timestamp(1700000000, 300), 5666666);
    CHECK_EQ(fcp_epoch_from_timestamp(299, 300), 0);
    CHECK_EQ(fcp_epoch_from_timestamp(300, 300), 1);
    CHECK_EQ(fcp_epoch_from_timestamp(UINT64_MAX, 1), UINT64_MAX);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    test_zone_validate();
    test_zone_hash();
    test_tags();
    test_node_ids();
    test_schema_parse();
    test_schema_hashes();
    test_object_ids();
    test_epoch();
    return fcp_t_done("model_ids_test");
}
