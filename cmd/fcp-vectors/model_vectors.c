/*
 * model_vectors.c - golden vectors of the object model (src/model/):
 * zone ids and tags, schema hashes, ObjectIds and key ids, ObjectHeader
 * canonical CBOR and derived ids, signing bytes and signatures, quorum
 * arrays, NodeKeyAttestations, HpkeSealedBoxes, and decoder rejections.
 *
 * All keys come from fixed seeds ("XX*32" means byte XX repeated 32 times),
 * Ed25519 is deterministic, and sealed boxes use a fixed ephemeral ikm, so
 * the output is identical on every run.  tests/unit/model_golden_test.c
 * recomputes every entry independently from its inputs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/model_attest.h"
#include "fcp/model_ids.h"
#include "fcp/model_object.h"
#include "fcp/model_sealed.h"
#include "fcp/model_sign.h"
#include "vectors.h"

static json_t *hexbuf(const fcp_buf *b)
{
    return vec_hex(b->data, b->len);
}

static json_t *schema_json(const fcp_schema_id *s)
{
    char ver[40];
    fcp_schema_id_format_version(s, ver, sizeof ver);
    json_t *j = json_object();
    json_object_set_new(j, "namespace", json_string(s->ns));
    json_object_set_new(j, "name", json_string(s->name));
    json_object_set_new(j, "version", json_string(ver));
    return j;
}

static void fill(uint8_t *p, uint8_t v, size_t n)
{
    memset(p, v, n);
}

/* ---- zone ids ----------------------------------------------------------- */

static json_t *build_zone_ids(void)
{
    static const char *zones[] = { "z:owner", "z:private", "z:work", "z:community", "z:public",
                                   "z:project:foo", "z:project:a-b", "z:lab_2:x" };
    static const char *rejects[] = { "", "work", "Z:work", "z:Work", "z:wo rk", "z:a.b", "z:",
                                     "z::x", "z:x:", "z:-x", "z:x_",
                                     "z:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
    static const char *bad_tags[] = { "", "fcp-work", "tag:other-work", "tag:fcp", "work",
                                      "tag:fcp-", "tag:fcp-proj-", "tag:fcp-Work", "tag:fcp-a_b" };
    json_t *arr = json_array();
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        uint8_t h[32];
        char tag[FCP_TAG_MAX];
        const char *z = zones[i];
        if (fcp_zone_id_hash(h, z, strlen(z)))
            return NULL;
        json_t *in = json_object(), *ex = json_object();
        json_object_set_new(in, "zone_id", json_string(z));
        json_object_set_new(ex, "zone_id_hash_hex", vec_hex(h, 32));
        int rc = fcp_zone_id_to_tag(tag, sizeof tag, z, strlen(z));
        json_object_set_new(ex, "tailscale_tag", rc == 0 ? json_string(tag) : json_null());
        if (rc)
            json_object_set_new(ex, "tag_error", json_string(fcp_error_name(rc)));
        json_object_set_new(ex, "standard", json_boolean(fcp_zone_id_is_standard(z, strlen(z))));
        char name[96];
        snprintf(name, sizeof name, "zone_%s", z + 2);
        for (char *p = name; *p; p++)
            if (*p == ':' || *p == '-')
                *p = '_';
        json_array_append_new(arr, vec_entry(name, "ZoneIdHash = BLAKE3(\"FCP2-ZONE-ID-V1\" || zone_id); Tailscale tag mapping (D-MODEL-1, D-MODEL-3)", in, ex));
    }
    for (size_t i = 0; i < sizeof rejects / sizeof rejects[0]; i++) {
        json_t *in = json_object(), *ex = json_object();
        json_object_set_new(in, "zone_id", json_string(rejects[i]));
        json_object_set_new(ex, "error", json_string(fcp_error_name(fcp_zone_id_validate(rejects[i], strlen(rejects[i])))));
        char name[32];
        snprintf(name, sizeof name, "reject_zone_%zu", i);
        json_array_append_new(arr, vec_entry(name, "non-canonical zone id is rejected, never normalised (D-MODEL-1)", in, ex));
    }
    for (size_t i = 0; i < sizeof bad_tags / sizeof bad_tags[0]; i++) {
        char z[FCP_TAG_MAX];
        json_t *in = json_object(), *ex = json_object();
        json_object_set_new(in, "tag", json_string(bad_tags[i]));
        json_object_set_new(ex, "error", json_string(fcp_error_name(fcp_zone_id_from_tag(z, sizeof z, bad_tags[i], strlen(bad_tags[i])))));
        char name[32];
        snprintf(name, sizeof name, "reject_tag_%zu", i);
        json_array_append_new(arr, vec_entry(name, "tag that maps to no zone (D-MODEL-3)", in, ex));
    }
    return arr;
}

/* ---- schema hashes ------------------------------------------------------ */

static json_t *build_schema_hashes(void)
{
    static const struct { const char *ns, *name; uint32_t a, b, c; } s[] = {
        { "fcp.test", "GoldenStruct", 1, 0, 0 },
        { "fcp.core", "CapabilityObject", 1, 0, 0 },
        { "fcp.core", "NodeKeyAttestation", 1, 0, 0 },
        { "fcp.core", "ObjectHeader", 1, 0, 0 },
        { "fcp.zone", "ZoneKeyManifest", 1, 0, 0 },
        { "fcp.connector_state", "snapshot", 12, 0, 345 },
    };
    static const char *rejects[] = { "fcp.core.X/1.0", "fcp.core.X/01.0.0", "fcp.core.X/1.0.0-rc1",
                                     "Fcp.core.X/1.0.0", "fcp.core.9X/1.0.0", "fcp.core:X@1.0.0@1",
                                     "fcp.core:X/1.0.0", "X/1.0.0" };
    json_t *arr = json_array();
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        fcp_schema_id id;
        if (fcp_schema_id_init(&id, s[i].ns, s[i].name, s[i].a, s[i].b, s[i].c))
            return NULL;
        uint8_t h[32], h8[8];
        char sig[FCP_SCHEMA_TEXT_MAX], spec[FCP_SCHEMA_TEXT_MAX];
        fcp_schema_hash(h, &id);
        fcp_signing_schema_hash(h8, &id);
        fcp_schema_id_format_signing(&id, sig, sizeof sig);
        fcp_schema_id_format_spec(&id, spec, sizeof spec);
        json_t *in = schema_json(&id), *ex = json_object();
        json_object_set_new(ex, "signing_form", json_string(sig));
        json_object_set_new(ex, "spec_form", json_string(spec));
        json_object_set_new(ex, "schema_hash_hex", vec_hex(h, 32));
        json_object_set_new(ex, "signing_schema_hash8_hex", vec_hex(h8, 8));
        char name[FCP_SCHEMA_TEXT_MAX + 16];
        snprintf(name, sizeof name, "schema_%s", sig);
        json_array_append_new(arr, vec_entry(name, "SchemaHash = BLAKE3(\"FCP2-SCHEMA-V1\" || u64le|ns| ns || u64le|name| name || u64le|ver| ver); hash8 = BLAKE3(signing_form)[0..8] (D-MODEL-4, D-MODEL-5)", in, ex));
    }
    for (size_t i = 0; i < sizeof rejects / sizeof rejects[0]; i++) {
        fcp_schema_id id;
        json_t *in = json_object(), *ex = json_object();
        json_object_set_new(in, "schema_id_text", json_string(rejects[i]));
        json_object_set_new(ex, "error", json_string(fcp_error_name(fcp_schema_id_parse(&id, rejects[i], strlen(rejects[i])))));
        char name[32];
        snprintf(name, sizeof name, "reject_schema_%zu", i);
        json_array_append_new(arr, vec_entry(name, "schema id text rejected by the strict parser (D-MODEL-4)", in, ex));
    }
    return arr;
}

/* ---- object ids and key ids ------------------------------------------- */

static json_t *build_object_ids(void)
{
    json_t *arr = json_array();
    static const struct { uint8_t key; const char *zone; const char *content; } c[] = {
        { 0x00, "z:work", "hello" }, { 0x42, "z:private", "" }, { 0x42, "z:project:foo", "object body" },
    };
    fcp_schema_id s;
    fcp_schema_id_init(&s, "fcp.core", "CapabilityObject", 1, 0, 0);
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        fcp_object_id_key k;
        uint8_t id[32];
        fill(k.bytes, c[i].key, 32);
        if (fcp_object_id(id, &k, c[i].zone, strlen(c[i].zone), &s, (const uint8_t *)c[i].content,
                          strlen(c[i].content)))
            return NULL;
        json_t *in = json_object(), *ex = json_object();
        json_object_set_new(in, "object_id_key_hex", vec_hex(k.bytes, 32));
        json_object_set_new(in, "zone_id", json_string(c[i].zone));
        json_object_set_new(in, "schema", schema_json(&s));
        json_object_set_new(in, "content_hex", vec_hex((const uint8_t *)c[i].content, strlen(c[i].content)));
        json_object_set_new(ex, "object_id_hex", vec_hex(id, 32));
        char name[32];
        snprintf(name, sizeof name, "keyed_object_id_%zu", i);
        json_array_append_new(arr, vec_entry(name, "ObjectId = BLAKE3_keyed(key, \"FCP2-OBJECT-V2\" || zone_id || SchemaHash || content)", in, ex));
    }
    {
        uint8_t id[32];
        fcp_content_id(id, (const uint8_t *)"object-fixture-a", 16);
        json_t *in = json_object(), *ex = json_object();
        json_object_set_new(in, "content_hex", vec_hex((const uint8_t *)"object-fixture-a", 16));
        json_object_set_new(ex, "content_id_hex", vec_hex(id, 32));
        json_array_append_new(arr, vec_entry("unscoped_content_id", "BLAKE3(\"FCP2-CONTENT-V2\" || content); non-normative", in, ex));
    }
    for (int i = 1; i <= 3; i++) {
        uint8_t seed[32], pk[32], sk[64], kid[8];
        fill(seed, (uint8_t)i, 32);
        fcp_ed25519_keypair_from_seed(pk, sk, seed);
        fcp_key_id(kid, pk);
        json_t *in = json_object(), *ex = json_object();
        json_object_set_new(in, "ed25519_seed_hex", vec_hex(seed, 32));
        json_object_set_new(ex, "public_key_hex", vec_hex(pk, 32));
        json_object_set_new(ex, "kid_hex", vec_hex(kid, 8));
        char name[32];
        snprintf(name, sizeof name, "kid_ed25519_seed_%02x", i);
        json_array_append_new(arr, vec_entry(name, "kid = BLAKE3(\"fcp.kid.v2\" || public_key)[0..8]", in, ex));
    }
    {
        uint8_t sk[32], pk[32], kid[8];
        fill(sk, 0x10, 32);
        fcp_x25519_base(pk, sk);
        fcp_key_id(kid, pk);
        json_t *in = json_object(), *ex = json_object();
        json_object_set_new(in, "x25519_secret_key_hex", vec_hex(sk, 32));
        json_object_set_new(ex, "public_key_hex", vec_hex(pk, 32));
        json_object_set_new(ex, "kid_hex", vec_hex(kid, 8));
        json_array_append_new(arr, vec_entry("kid_x25519_sk_10", "node_enc_kid = BLAKE3(\"fcp.kid.v2\" || x25519_public_key)[0..8]", in, ex));
    }
    for (int i = 0; i < 3; i++) {
        static const uint64_t ts[] = { 1700000000, 299, 1700000000 };
        static const uint64_t g[] = { 300, 300, 3600 };
        json_t *in = json_object(), *ex = json_object();
        json_object_set_new(in, "timestamp", json_integer((json_int_t)ts[i]));
        json_object_set_new(in, "granularity_secs", json_integer((json_int_t)g[i]));
        json_object_set_new(ex, "epoch_id", json_integer((json_int_t)fcp_epoch_from_timestamp(ts[i], g[i])));
        char name[32];
        snprintf(name, sizeof name, "epoch_%d", i);
        json_array_append_new(arr, vec_entry(name, "EpochId = timestamp / granularity_secs", in, ex));
    }
    return arr;
}

/* ---- headers -------------------------------------------------------------- */

static json_t *provenance_json(const fcp_provenance *p)
{
    json_t *j = json_object();
    json_object_set_new(j, "origin_zone", json_string(p->origin_zone));
    json_object_set_new(j, "current_zone", json_string(p->current_zone));
    json_object_set_new(j, "origin_integrity", json_integer(p->origin_integrity));
    json_object_set_new(j, "origin_confidentiality", json_integer(p->origin_confidentiality));
    if (p->has_origin_principal)
        json_object_set_new(j, "origin_principal", json_string(p->origin_principal));
    json_object_set_new(j, "taint", json_integer(p->taint));
    json_t *r = json_array();
    for (size_t i = 0; i < p->n_reductions; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "clears", json_integer(p->reductions[i].clears));
        json_object_set_new(o, "by_attestation_hex", vec_hex(p->reductions[i].by_attestation, 32));
        json_object_set_new(o, "applied_at", json_integer((json_int_t)p->reductions[i].applied_at));
        json_array_append_new(r, o);
    }
    json_object_set_new(j, "taint_reductions", r);
    json_t *c = json_array();
    for (size_t i = 0; i < p->n_crossings; i++) {
        const fcp_zone_crossing *x = &p->crossings[i];
        json_t *o = json_object();
        json_object_set_new(o, "from_zone", json_string(x->from_zone));
        json_object_set_new(o, "to_zone", json_string(x->to_zone));
        json_object_set_new(o, "crossed_at", json_integer((json_int_t)x->crossed_at));
        if (x->has_authorized_by)
            json_object_set_new(o, "authorized_by_hex", vec_hex(x->authorized_by, 32));
        json_array_append_new(c, o);
    }
    json_object_set_new(j, "zone_crossings", c);
    json_object_set_new(j, "created_at", json_integer((json_int_t)p->created_at));
    return j;
}

static json_t *strings_json(char (*s)[FCP_HDR_DEVICE_MAX + 1], size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(s[i]));
    return a;
}

static json_t *header_json(const fcp_object_header *h)
{
    json_t *j = json_object();
    json_object_set_new(j, "schema", schema_json(&h->schema));
    json_object_set_new(j, "zone_id", json_string(h->zone_id));
    json_object_set_new(j, "created_at", json_integer((json_int_t)h->created_at));
    json_object_set_new(j, "provenance", provenance_json(&h->provenance));
    json_t *r = json_array();
    for (size_t i = 0; i < h->n_refs; i++)
        json_array_append_new(r, vec_hex(h->refs[i], 32));
    json_object_set_new(j, "refs_hex", r);
    if (h->has_ttl_secs)
        json_object_set_new(j, "ttl_secs", json_integer((json_int_t)h->ttl_secs));
    if (h->has_placement) {
        const fcp_placement *p = &h->placement;
        json_t *o = json_object();
        json_object_set_new(o, "min_nodes", json_integer(p->min_nodes));
        json_object_set_new(o, "max_node_fraction", json_real(p->max_node_fraction));
        json_object_set_new(o, "preferred_devices",
                            strings_json((char (*)[FCP_HDR_DEVICE_MAX + 1])p->preferred_devices, p->n_preferred));
        json_object_set_new(o, "excluded_devices",
                            strings_json((char (*)[FCP_HDR_DEVICE_MAX + 1])p->excluded_devices, p->n_excluded));
        json_object_set_new(o, "target_coverage", json_real(p->target_coverage));
        json_object_set_new(j, "placement", o);
    }
    return j;
}

/* Canonical CBOR of {"id": 12345, "name": "test", "active": true} (the
 * upstream GoldenStruct value). */
static const uint8_t GOLDEN_BODY[] = { 0xa3, 0x62, 0x69, 0x64, 0x19, 0x30, 0x39, 0x64, 0x6e,
                                       0x61, 0x6d, 0x65, 0x64, 0x74, 0x65, 0x73, 0x74, 0x66,
                                       0x61, 0x63, 0x74, 0x69, 0x76, 0x65, 0xf5 };

static json_t *header_entry(const char *name, const char *desc, const fcp_object_header *h,
                            uint8_t keybyte)
{
    fcp_buf hb, pb, cb;
    fcp_object_id_key k;
    uint8_t id[32];
    fcp_buf_init(&hb);
    fcp_buf_init(&pb);
    fcp_buf_init(&cb);
    fill(k.bytes, keybyte, 32);
    json_t *res = NULL;
    if (fcp_object_header_encode(h, &hb) || fcp_payload_encode(&h->schema, GOLDEN_BODY, sizeof GOLDEN_BODY, &pb) ||
        fcp_object_canonical_bytes(h, pb.data, pb.len, &cb) ||
        fcp_object_derive_id(id, h, pb.data, pb.len, &k))
        goto out;
    json_t *in = json_object(), *ex = json_object();
    json_object_set_new(in, "header", header_json(h));
    json_object_set_new(in, "body_cbor_hex", vec_hex(GOLDEN_BODY, sizeof GOLDEN_BODY));
    json_object_set_new(in, "object_id_key_hex", vec_hex(k.bytes, 32));
    json_object_set_new(ex, "header_cbor_hex", hexbuf(&hb));
    json_object_set_new(ex, "payload_hex", hexbuf(&pb));
    json_object_set_new(ex, "canonical_bytes_hex", hexbuf(&cb));
    json_object_set_new(ex, "object_id_hex", vec_hex(id, 32));
    res = vec_entry(name, desc, in, ex);
out:
    fcp_buf_free(&hb);
    fcp_buf_free(&pb);
    fcp_buf_free(&cb);
    return res;
}

static json_t *build_headers(void)
{
    static fcp_object_header h;
    fcp_schema_id s;
    json_t *arr = json_array(), *e;
    fcp_schema_id_init(&s, "fcp.test", "GoldenStruct", 1, 0, 0);
    fcp_object_header_init(&h, &s, "z:work", 1700000000);
    if (!(e = header_entry("header_minimal", "minimal ObjectHeader (no ttl, no placement, untainted provenance); canonical_bytes = \"FCP2-OBJECT-V1\" || header_cbor || payload; payload = SchemaHash || body_cbor (D-MODEL-6)", &h, 0x00)))
        return NULL;
    json_array_append_new(arr, e);

    h.has_ttl_secs = 1;
    h.ttl_secs = 3600;
    h.n_refs = 1;
    fill(h.refs[0], 0xab, 32);
    if (!(e = header_entry("header_ttl_refs", "ObjectHeader with ttl_secs and one ref", &h, 0x42)))
        return NULL;
    json_array_append_new(arr, e);

    fcp_schema_id_init(&s, "fcp.core", "CapabilityObject", 1, 0, 0);
    fcp_object_header_init(&h, &s, "z:work", 1700000000);
    h.n_refs = 2;
    fill(h.refs[0], 0x11, 32);
    fill(h.refs[1], 0x22, 32);
    h.has_ttl_secs = 1;
    h.ttl_secs = 86400;
    h.has_placement = 1;
    h.placement.min_nodes = 3;
    h.placement.max_node_fraction = 0.5;
    h.placement.target_coverage = 1.5;
    h.placement.n_preferred = 2;
    strcpy(h.placement.preferred_devices[0], "tag:fcp-private");
    strcpy(h.placement.preferred_devices[1], "class:desktop");
    h.placement.n_excluded = 1;
    strcpy(h.placement.excluded_devices[0], "tag:fcp-public");
    fcp_provenance *p = &h.provenance;
    strcpy(p->origin_zone, "z:public");
    strcpy(p->current_zone, "z:work");
    p->origin_integrity = 1;
    p->origin_confidentiality = 4;
    p->has_origin_principal = 1;
    strcpy(p->origin_principal, "principal:alice");
    p->taint = FCP_TAINT_PUBLIC_INPUT | FCP_TAINT_UNVERIFIED_LINK;
    p->n_reductions = 1;
    p->reductions[0].clears = FCP_TAINT_UNVERIFIED_LINK;
    fill(p->reductions[0].by_attestation, 0x33, 32);
    p->reductions[0].applied_at = 1700000100;
    p->n_crossings = 2;
    strcpy(p->crossings[0].from_zone, "z:public");
    strcpy(p->crossings[0].to_zone, "z:community");
    p->crossings[0].crossed_at = 1700000050;
    strcpy(p->crossings[1].from_zone, "z:community");
    strcpy(p->crossings[1].to_zone, "z:work");
    p->crossings[1].crossed_at = 1700000060;
    p->crossings[1].has_authorized_by = 1;
    fill(p->crossings[1].authorized_by, 0x44, 32);
    p->created_at = 1699999999;
    if (!(e = header_entry("header_full", "ObjectHeader with every optional field: placement (CBOR floats), principal, taint reductions, zone crossings", &h, 0x42)))
        return NULL;
    json_array_append_new(arr, e);
    return arr;
}

/* ---- signatures and quorum ------------------------------------------- */

static json_t *build_signatures(void)
{
    static const struct { const char *schema; const char *cbor_hex; } c[] = {
        { "fcp.core.CapabilityObject/1.0.0", "" },
        { "fcp.core.CapabilityObject/1.0.0", "a16474657374f5" },
        { "fcp.zone.ZoneCheckpoint/1.0.0", "a2616101616202" },
        { "fcp.audit.AuditHead/1.0.0", "a163736571182a" },
    };
    json_t *arr = json_array();
    uint8_t seed[32], pk[32], sk[64];
    fill(seed, 0x01, 32);
    fcp_ed25519_keypair_from_seed(pk, sk, seed);
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        fcp_schema_id s;
        uint8_t u[64], sig[64];
        size_t ul = 0;
        fcp_buf sb;
        if (fcp_schema_id_parse(&s, c[i].schema, strlen(c[i].schema)))
            return NULL;
        if (*c[i].cbor_hex && fcp_hex_decode(u, sizeof u, &ul, c[i].cbor_hex, strlen(c[i].cbor_hex)))
            return NULL;
        fcp_buf_init(&sb);
        fcp_signing_bytes(&sb, &s, u, ul);
        if (fcp_object_sign(sig, &s, u, ul, sk))
            return NULL;
        json_t *in = json_object(), *ex = json_object();
        json_object_set_new(in, "schema_id", json_string(c[i].schema));
        json_object_set_new(in, "unsigned_cbor_hex", json_string(c[i].cbor_hex));
        json_object_set_new(in, "ed25519_seed_hex", vec_hex(seed, 32));
        json_object_set_new(ex, "public_key_hex", vec_hex(pk, 32));
        json_object_set_new(ex, "signing_bytes_hex", hexbuf(&sb));
        json_object_set_new(ex, "signature_hex", vec_hex(sig, 64));
        fcp_buf_free(&sb);
        char name[32];
        snprintf(name, sizeof name, "object_signature_%zu", i);
        json_array_append_new(arr, vec_entry(name, "signing_bytes = \"FCP2-SIGN-V1\" || BLAKE3(schema_id)[0..8] || unsigned_cbor; signature = Ed25519(signing_bytes) (D-MODEL-7)", in, ex));
    }
    {
        /* unsigned view of a signed object */
        static const char *obj_hex = "a3616101627a7a8101"
                                     "697369676e6174757265"
                                     "4400010203";
        uint8_t obj[64];
        size_t ol;
        fcp_buf v;
        fcp_hex_decode(obj, sizeof obj, &ol, obj_hex, strlen(obj_hex));
        fcp_buf_init(&v);
        if (fcp_unsigned_view(&v, obj, ol))
            return NULL;
        json_t *in = json_object(), *ex = json_object();
        json_object_set_new(in, "signed_cbor_hex", json_string(obj_hex));
        json_object_set_new(ex, "unsigned_cbor_hex", hexbuf(&v));
        fcp_buf_free(&v);
        json_array_append_new(arr, vec_entry("unsigned_view", "the unsigned view drops the top-level \"signature\" and \"quorum_signatures\" entries", in, ex));
    }
    {
        /* quorum over AuditHead {"seq": 42}, signers given unsorted */
        static const char *ids[] = { "node-c", "node-a", "node-b" };
        static const uint8_t seeds[] = { 0x13, 0x11, 0x12 };
        const uint8_t u[] = { 0xa1, 0x63, 's', 'e', 'q', 0x18, 0x2a };
        fcp_schema_id s;
        fcp_schema_id_parse(&s, "fcp.audit.AuditHead/1.0.0", 25);
        fcp_quorum_sig q[3];
        json_t *in = json_object(), *signers = json_array();
        for (int i = 0; i < 3; i++) {
            uint8_t sd[32], qpk[32], qsk[64];
            fill(sd, seeds[i], 32);
            fcp_ed25519_keypair_from_seed(qpk, qsk, sd);
            q[i].node_id = (const uint8_t *)ids[i];
            q[i].node_id_len = strlen(ids[i]);
            if (fcp_object_sign(q[i].sig, &s, u, sizeof u, qsk))
                return NULL;
            json_t *o = json_object();
            json_object_set_new(o, "node_id", json_string(ids[i]));
            json_object_set_new(o, "ed25519_seed_hex", vec_hex(sd, 32));
            json_array_append_new(signers, o);
        }
        fcp_quorum_sort(q, 3);
        fcp_buf qb;
        fcp_cbor_enc e;
        fcp_buf_init(&qb);
        fcp_cbor_enc_init(&e, &qb);
        int rc = fcp_quorum_encode_to(q, 3, &e);
        if (rc == 0)
            rc = fcp_cbor_enc_finish(&e);
        fcp_cbor_enc_free(&e);
        if (rc)
            return NULL;
        json_object_set_new(in, "schema_id", json_string("fcp.audit.AuditHead/1.0.0"));
        json_object_set_new(in, "unsigned_cbor_hex", vec_hex(u, sizeof u));
        json_object_set_new(in, "signers_unsorted", signers);
        json_t *ex = json_object(), *order = json_array();
        for (int i = 0; i < 3; i++)
            json_array_append_new(order, json_stringn((const char *)q[i].node_id, q[i].node_id_len));
        json_object_set_new(ex, "sorted_node_ids", order);
        json_object_set_new(ex, "quorum_signatures_cbor_hex", hexbuf(&qb));
        fcp_buf_free(&qb);
        json_array_append_new(arr, vec_entry("quorum_audit_head", "quorum_signatures = [[node_id, sig], ...] sorted by node id bytes; each sig over the same signing bytes (D-MODEL-7)", in, ex));
    }
    return arr;
}

/* ---- attestations --------------------------------------------------------- */

static json_t *build_attestations(void)
{
    json_t *arr = json_array();
    for (int v = 0; v < 2; v++) {
        fcp_node_attestation a;
        uint8_t oseed[32], opk[32], osk[64], sseed[32], seed[32], sk[64], xsk[32];
        memset(&a, 0, sizeof a);
        fill(oseed, 0xa0, 32);
        fcp_ed25519_keypair_from_seed(opk, osk, oseed);
        strcpy(a.node_id, v ? "nBR4q4wCNTRL" : "node:laptop.mesh.ts.net");
        fill(sseed, 0x01, 32);
        fcp_ed25519_keypair_from_seed(a.node_sig_pubkey, sk, sseed);
        fill(xsk, 0x10, 32);
        fcp_x25519_base(a.node_enc_pubkey, xsk);
        fill(seed, 0x02, 32);
        fcp_ed25519_keypair_from_seed(a.node_iss_pubkey, sk, seed);
        if (v == 0) {
            a.n_tags = 2;
            strcpy(a.tags[0], "tag:fcp-private");
            strcpy(a.tags[1], "tag:fcp-work");
            a.has_expires_at = 1;
            a.expires_at = 1702592000;
        }
        a.issued_at = 1700000000;
        if (fcp_attestation_sign(&a, osk))
            return NULL;
        fcp_buf ub, fb, sb;
        fcp_schema_id s;
        fcp_attestation_schema(&s);
        fcp_buf_init(&ub);
        fcp_buf_init(&fb);
        fcp_buf_init(&sb);
        if (fcp_attestation_encode_unsigned(&a, &ub) || fcp_attestation_encode(&a, &fb) ||
            fcp_signing_bytes(&sb, &s, ub.data, ub.len))
            return NULL;
        uint8_t k1[8], k2[8], k3[8];
        fcp_attestation_kids(&a, k1, k2, k3);
        json_t *in = json_object(), *ex = json_object(), *tags = json_array();
        json_object_set_new(in, "owner_ed25519_seed_hex", vec_hex(oseed, 32));
        json_object_set_new(in, "node_id", json_string(a.node_id));
        json_object_set_new(in, "node_sig_seed_hex", vec_hex(sseed, 32));
        json_object_set_new(in, "node_enc_x25519_sk_hex", vec_hex(xsk, 32));
        json_object_set_new(in, "node_iss_seed_hex", vec_hex(seed, 32));
        for (size_t i = 0; i < a.n_tags; i++)
            json_array_append_new(tags, json_string(a.tags[i]));
        json_object_set_new(in, "tags", tags);
        json_object_set_new(in, "issued_at", json_integer((json_int_t)a.issued_at));
        if (a.has_expires_at)
            json_object_set_new(in, "expires_at", json_integer((json_int_t)a.expires_at));
        json_object_set_new(ex, "owner_public_key_hex", vec_hex(opk, 32));
        json_object_set_new(ex, "node_sig_pubkey_hex", vec_hex(a.node_sig_pubkey, 32));
        json_object_set_new(ex, "node_enc_pubkey_hex", vec_hex(a.node_enc_pubkey, 32));
        json_object_set_new(ex, "node_iss_pubkey_hex", vec_hex(a.node_iss_pubkey, 32));
        json_object_set_new(ex, "unsigned_cbor_hex", hexbuf(&ub));
        json_object_set_new(ex, "signing_bytes_hex", hexbuf(&sb));
        json_object_set_new(ex, "signature_hex", vec_hex(a.signature, 64));
        json_object_set_new(ex, "attestation_cbor_hex", hexbuf(&fb));
        json_object_set_new(ex, "node_sig_kid_hex", vec_hex(k1, 8));
        json_object_set_new(ex, "node_enc_kid_hex", vec_hex(k2, 8));
        json_object_set_new(ex, "node_iss_kid_hex", vec_hex(k3, 8));
        fcp_buf_free(&ub);
        fcp_buf_free(&fb);
        fcp_buf_free(&sb);
        json_array_append_new(arr, vec_entry(v ? "attestation_no_expiry" : "attestation_with_expiry",
                                             "NodeKeyAttestation signed by the owner under fcp.core.NodeKeyAttestation/1.0.0 (D-MODEL-8)",
                                             in, ex));
    }
    return arr;
}

/* ---- sealed boxes ---------------------------------------------------------- */

static json_t *build_sealed(void)
{
    static const struct {
        const char *name;
        uint8_t sk, ikm;
        int purpose;
        const char *zone, *node, *pt_hex;
        uint64_t issued_at;
    } c[] = {
        { "sealed_zone_key", 0x10, 0x01, FCP_SEAL_ZONE_KEY, "z:work", "node:laptop.mesh.ts.net",
          "deadbeefcafebabedeadbeefcafebabedeadbeefcafebabedeadbeefcafebabe", 1700000000 },
        { "sealed_objectid_key", 0x20, 0x02, FCP_SEAL_OBJECTID_KEY, "z:private", "node-123",
          "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 1700086400 },
        { "sealed_owner_share", 0x30, 0x03, FCP_SEAL_OWNER_SHARE, "z:owner", "node-primary",
          "feedface", 1700172800 },
        { "sealed_secret_share_empty", 0x40, 0x04, FCP_SEAL_SECRET_SHARE, "z:project:foo", "nBR4q4wCNTRL",
          "", 1700259200 },
    };
    json_t *arr = json_array();
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        uint8_t sk[32], pk[32], ikm[32], pt[64], ct[64 + 16];
        size_t ptl = 0;
        fill(sk, c[i].sk, 32);
        fill(ikm, c[i].ikm, 32);
        fcp_x25519_base(pk, sk);
        if (*c[i].pt_hex && fcp_hex_decode(pt, sizeof pt, &ptl, c[i].pt_hex, strlen(c[i].pt_hex)))
            return NULL;
        fcp_seal_binding b = { c[i].purpose, c[i].zone, strlen(c[i].zone), c[i].node, strlen(c[i].node),
                               c[i].issued_at };
        fcp_sealed_box box;
        fcp_buf aad, cb, flat;
        fcp_buf_init(&aad);
        fcp_buf_init(&cb);
        fcp_buf_init(&flat);
        if (fcp_seal_aad(&b, &aad) ||
            fcp_sealed_box_seal_derand(&box, ct, pk, &b, pt, ptl, ikm, sizeof ikm) ||
            fcp_sealed_box_encode(&box, &cb) || fcp_sealed_box_to_flat(&box, &flat))
            return NULL;
        json_t *in = json_object(), *ex = json_object();
        json_object_set_new(in, "recipient_sk_hex", vec_hex(sk, 32));
        json_object_set_new(in, "ephemeral_ikm_hex", vec_hex(ikm, 32));
        json_object_set_new(in, "plaintext_hex", json_string(c[i].pt_hex));
        json_object_set_new(in, "purpose", json_string(fcp_seal_purpose_name(c[i].purpose)));
        json_object_set_new(in, "zone_id", json_string(c[i].zone));
        json_object_set_new(in, "recipient_node_id", json_string(c[i].node));
        json_object_set_new(in, "issued_at", json_integer((json_int_t)c[i].issued_at));
        json_object_set_new(in, "info", json_string(FCP_HPKE_INFO));
        json_object_set_new(ex, "recipient_pk_hex", vec_hex(pk, 32));
        json_object_set_new(ex, "aad_cbor_hex", hexbuf(&aad));
        json_object_set_new(ex, "enc_hex", vec_hex(box.enc, 32));
        json_object_set_new(ex, "ct_hex", vec_hex(box.ct, box.ct_len));
        json_object_set_new(ex, "sealed_box_cbor_hex", hexbuf(&cb));
        json_object_set_new(ex, "sealed_box_flat_hex", hexbuf(&flat));
        fcp_buf_free(&aad);
        fcp_buf_free(&cb);
        fcp_buf_free(&flat);
        json_array_append_new(arr, vec_entry(c[i].name, "RFC 9180 base mode X25519/HKDF-SHA256/ChaCha20-Poly1305, info \"FCP2-HPKE\", ephemeral key = DeriveKeyPair(ephemeral_ikm); AAD = Fcp2Aad CBOR (D-MODEL-9)", in, ex));
    }
    return arr;
}

/* ---- decoder rejections -------------------------------------------------- */

static json_t *reject(const char *name, const char *object, const char *hex, int err)
{
    json_t *in = json_object(), *ex = json_object();
    json_object_set_new(in, "object", json_string(object));
    json_object_set_new(in, "cbor_hex", json_string(hex));
    json_object_set_new(ex, "error", json_string(fcp_error_name(err)));
    return vec_entry(name, "strict decoder rejects this input with exactly this error", in, ex);
}

static int decode_as(const char *object, const char *hex)
{
    uint8_t buf[512];
    size_t n;
    if (fcp_hex_decode(buf, sizeof buf, &n, hex, strlen(hex)))
        return FCP_EHEX;
    if (!strcmp(object, "header")) {
        static fcp_object_header h;
        return fcp_object_header_decode(&h, buf, n);
    }
    if (!strcmp(object, "attestation")) {
        fcp_node_attestation a;
        return fcp_attestation_decode(&a, buf, n);
    }
    fcp_sealed_box b;
    return fcp_sealed_box_decode(&b, buf, n);
}

static json_t *build_rejects(void)
{
    static const struct { const char *name, *object, *hex; } r[] = {
        /* header with an unknown "object_id" key (the header must not embed its id) */
        { "header_unknown_field", "header", "a1696f626a6563745f69644100" },
        { "header_empty_map", "header", "a0" },
        { "header_not_a_map", "header", "80" },
        { "header_indefinite_map", "header", "bfff" },
        { "header_unsorted_keys", "header", "a26a637265617465645f6174006472656673" "80" },
        { "attestation_empty_map", "attestation", "a0" },
        { "attestation_trailing", "attestation", "a000" },
        { "sealed_box_wrong_kem", "sealed_box",
          "a5626374" "50" "00000000000000000000000000000000" "63656e63" "5820"
          "0000000000000000000000000000000000000000000000000000000000000000"
          "666b64665f696401" "666b656d5f69641821" "67616561645f696403" },
        { "sealed_box_short_ct", "sealed_box",
          "a5626374" "4f" "000000000000000000000000000000" "63656e63" "5820"
          "0000000000000000000000000000000000000000000000000000000000000000"
          "666b64665f696401" "666b656d5f69641820" "67616561645f696403" },
        { "sealed_box_null_ct", "sealed_box", "a1626374f6" },
    };
    json_t *arr = json_array();
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
        int rc = decode_as(r[i].object, r[i].hex);
        if (rc == 0 || rc == FCP_EHEX) {
            fprintf(stderr, "fcp-vectors: reject vector %s was accepted\n", r[i].name);
            return NULL;
        }
        json_array_append_new(arr, reject(r[i].name, r[i].object, r[i].hex, rc));
    }
    return arr;
}

const vec_family vec_model_families[] = {
    { "model", "zone_ids.json", build_zone_ids },
    { "model", "schema_hashes.json", build_schema_hashes },
    { "model", "object_ids.json", build_object_ids },
    { "model", "headers.json", build_headers },
    { "model", "signatures.json", build_signatures },
    { "model", "attestations.json", build_attestations },
    { "model", "sealed_boxes.json", build_sealed },
    { "model", "decode_rejects.json", build_rejects },
};
const size_t vec_model_family_count = sizeof vec_model_families / sizeof vec_model_families[0];
