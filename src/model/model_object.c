/*
 * model_object.c - ObjectHeader / Provenance / ObjectPlacementPolicy codecs, the
 * canonical object bytes, ObjectId derivation and schema-prefixed payloads
 * (spec §3.5, §3.6, §6.1).
 *
 * Encoding goes through the CBOR sorting-map builder, so field order in this
 * file never matters for the bytes.  Decoding walks each map once with the
 * strict decoder (which enforces canonical key order and rejects duplicates),
 * dispatches on the key, and afterwards checks that every required field was
 * seen; an unexpected key is FCP_EUNKNOWN_FIELD.  The decoded struct is then
 * run through the same validator the encoder uses, so anything the decoder
 * accepts re-encodes to identical bytes.
 */
#include "fcp/model_object.h"

#include <string.h>

#include "fcp/cbor.h"
#include "fcp/error.h"
#include "model_internal.h"

#define TRY(x)                 \
    do {                       \
        int rc_ = (x);         \
        if (rc_ < 0)           \
            return rc_;        \
    } while (0)

/* ---- construction and validation --------------------------------------- */

static int copy_zone(char dst[FCP_ZONE_ID_MAX + 1], const char *zone)
{
    size_t n = zone ? strnlen(zone, FCP_ZONE_ID_MAX + 1) : 0;
    int rc = fcp_zone_id_validate(zone, n);
    if (rc)
        return rc;
    memcpy(dst, zone, n);
    dst[n] = '\0';
    return 0;
}

int fcp_provenance_init(fcp_provenance *p, const char *zone, uint64_t created_at)
{
    memset(p, 0, sizeof *p);
    TRY(copy_zone(p->origin_zone, zone));
    memcpy(p->current_zone, p->origin_zone, sizeof p->current_zone);
    p->created_at = created_at;
    return 0;
}

int fcp_object_header_init(fcp_object_header *h, const fcp_schema_id *schema, const char *zone,
                           uint64_t created_at)
{
    memset(h, 0, sizeof *h);
    h->schema = *schema;
    TRY(copy_zone(h->zone_id, zone));
    h->created_at = created_at;
    return fcp_provenance_init(&h->provenance, zone, created_at);
}

static int zone_ok(const char *z)
{
    return fcp_zone_id_validate(z, strnlen(z, FCP_ZONE_ID_MAX + 1));
}

static int schema_ok(const fcp_schema_id *s)
{
    fcp_schema_id t;
    return fcp_schema_id_init(&t, s->ns, s->name, s->major, s->minor, s->patch);
}

static int device_ok(const char *s, size_t n)
{
    return fcp_m_printable_id(s, n, FCP_HDR_DEVICE_MAX);
}

static int principal_ok(const char *s, size_t n)
{
    return fcp_m_printable_id(s, n, FCP_PRINCIPAL_MAX);
}

static int provenance_validate(const fcp_provenance *p)
{
    TRY(zone_ok(p->origin_zone));
    TRY(zone_ok(p->current_zone));
    if (p->has_origin_principal)
        TRY(principal_ok(p->origin_principal, strnlen(p->origin_principal, FCP_PRINCIPAL_MAX + 1)));
    if (p->taint & ~FCP_TAINT_ALL)
        return FCP_EOUT_OF_RANGE;
    if (p->n_reductions > FCP_HDR_MAX_REDUCTIONS || p->n_crossings > FCP_HDR_MAX_CROSSINGS)
        return FCP_ELIMIT;
    for (size_t i = 0; i < p->n_reductions; i++)
        if (p->reductions[i].clears & ~FCP_TAINT_ALL)
            return FCP_EOUT_OF_RANGE;
    for (size_t i = 0; i < p->n_crossings; i++) {
        TRY(zone_ok(p->crossings[i].from_zone));
        TRY(zone_ok(p->crossings[i].to_zone));
    }
    return 0;
}

static int placement_validate(const fcp_placement *pl)
{
    if (pl->min_nodes < 1)
        return FCP_EOUT_OF_RANGE;
    if (!(pl->max_node_fraction > 0.0 && pl->max_node_fraction <= 1.0))
        return FCP_EOUT_OF_RANGE;
    if (!(pl->target_coverage >= 1.0 && pl->target_coverage <= 1000.0))
        return FCP_EOUT_OF_RANGE;
    if (pl->n_preferred > FCP_HDR_MAX_DEVICES || pl->n_excluded > FCP_HDR_MAX_DEVICES)
        return FCP_ELIMIT;
    for (size_t i = 0; i < pl->n_preferred; i++)
        TRY(device_ok(pl->preferred_devices[i], strnlen(pl->preferred_devices[i], FCP_HDR_DEVICE_MAX + 1)));
    for (size_t i = 0; i < pl->n_excluded; i++)
        TRY(device_ok(pl->excluded_devices[i], strnlen(pl->excluded_devices[i], FCP_HDR_DEVICE_MAX + 1)));
    return 0;
}

int fcp_object_header_validate(const fcp_object_header *h)
{
    TRY(schema_ok(&h->schema));
    TRY(zone_ok(h->zone_id));
    TRY(provenance_validate(&h->provenance));
    if (h->n_refs > FCP_HDR_MAX_REFS)
        return FCP_ELIMIT;
    if (h->has_placement)
        TRY(placement_validate(&h->placement));
    return 0;
}

uint32_t fcp_provenance_effective_taint(const fcp_provenance *p)
{
    uint32_t t = p->taint;
    for (size_t i = 0; i < p->n_reductions && i < FCP_HDR_MAX_REDUCTIONS; i++)
        t &= ~p->reductions[i].clears;
    return t;
}

/* ---- encoding ------------------------------------------------------------ */

static void put_schema(fcp_cbor_enc *e, const fcp_schema_id *s)
{
    char ver[40];
    fcp_schema_id_format_version(s, ver, sizeof ver);
    fcp_cbor_map_open(e);
    fcp_cbor_put_kv_text(e, "namespace", s->ns);
    fcp_cbor_put_kv_text(e, "name", s->name);
    fcp_cbor_put_kv_text(e, "version", ver);
    fcp_cbor_map_close(e);
}

int fcp_provenance_encode_to(const fcp_provenance *p, fcp_cbor_enc *e)
{
    TRY(provenance_validate(p));
    fcp_cbor_map_open(e);
    fcp_cbor_put_kv_text(e, "origin_zone", p->origin_zone);
    fcp_cbor_put_kv_text(e, "current_zone", p->current_zone);
    fcp_cbor_put_kv_uint(e, "origin_integrity", p->origin_integrity);
    fcp_cbor_put_kv_uint(e, "origin_confidentiality", p->origin_confidentiality);
    if (p->has_origin_principal)
        fcp_cbor_put_kv_text(e, "origin_principal", p->origin_principal);
    fcp_cbor_put_kv_uint(e, "taint", p->taint);
    fcp_m_text_key(e, "taint_reductions");
    fcp_cbor_put_array(e, p->n_reductions);
    for (size_t i = 0; i < p->n_reductions; i++) {
        const fcp_taint_reduction *r = &p->reductions[i];
        fcp_cbor_map_open(e);
        fcp_cbor_put_kv_uint(e, "clears", r->clears);
        fcp_cbor_put_kv_bytes(e, "by_attestation", r->by_attestation, FCP_OBJECT_ID_BYTES);
        fcp_cbor_put_kv_uint(e, "applied_at", r->applied_at);
        fcp_cbor_map_close(e);
    }
    fcp_m_text_key(e, "zone_crossings");
    fcp_cbor_put_array(e, p->n_crossings);
    for (size_t i = 0; i < p->n_crossings; i++) {
        const fcp_zone_crossing *c = &p->crossings[i];
        fcp_cbor_map_open(e);
        fcp_cbor_put_kv_text(e, "from_zone", c->from_zone);
        fcp_cbor_put_kv_text(e, "to_zone", c->to_zone);
        fcp_cbor_put_kv_uint(e, "crossed_at", c->crossed_at);
        if (c->has_authorized_by)
            fcp_cbor_put_kv_bytes(e, "authorized_by", c->authorized_by, FCP_OBJECT_ID_BYTES);
        fcp_cbor_map_close(e);
    }
    fcp_cbor_put_kv_uint(e, "created_at", p->created_at);
    return fcp_cbor_map_close(e);
}

static void put_devices(fcp_cbor_enc *e, const char *k, char (*d)[FCP_HDR_DEVICE_MAX + 1], size_t n)
{
    fcp_m_text_key(e, k);
    fcp_cbor_put_array(e, n);
    for (size_t i = 0; i < n; i++)
        fcp_cbor_put_text(e, d[i], strlen(d[i]));
}

int fcp_object_header_encode_to(const fcp_object_header *h, fcp_cbor_enc *e)
{
    TRY(fcp_object_header_validate(h));
    fcp_cbor_map_open(e);
    fcp_m_text_key(e, "schema");
    put_schema(e, &h->schema);
    fcp_cbor_put_kv_text(e, "zone_id", h->zone_id);
    fcp_cbor_put_kv_uint(e, "created_at", h->created_at);
    fcp_m_text_key(e, "provenance");
    TRY(fcp_provenance_encode_to(&h->provenance, e));
    fcp_m_text_key(e, "refs");
    fcp_cbor_put_array(e, h->n_refs);
    for (size_t i = 0; i < h->n_refs; i++)
        fcp_cbor_put_bytes(e, h->refs[i], FCP_OBJECT_ID_BYTES);
    if (h->has_ttl_secs)
        fcp_cbor_put_kv_uint(e, "ttl_secs", h->ttl_secs);
    if (h->has_placement) {
        const fcp_placement *pl = &h->placement;
        fcp_m_text_key(e, "placement");
        fcp_cbor_map_open(e);
        fcp_cbor_put_kv_uint(e, "min_nodes", pl->min_nodes);
        fcp_m_text_key(e, "max_node_fraction");
        fcp_cbor_put_float(e, pl->max_node_fraction);
        put_devices(e, "preferred_devices", (char (*)[FCP_HDR_DEVICE_MAX + 1])pl->preferred_devices,
                    pl->n_preferred);
        put_devices(e, "excluded_devices", (char (*)[FCP_HDR_DEVICE_MAX + 1])pl->excluded_devices,
                    pl->n_excluded);
        fcp_m_text_key(e, "target_coverage");
        fcp_cbor_put_float(e, pl->target_coverage);
        fcp_cbor_map_close(e);
    }
    return fcp_cbor_map_close(e);
}

int fcp_object_header_encode(const fcp_object_header *h, fcp_buf *out)
{
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    int rc = fcp_object_header_encode_to(h, &e);
    if (rc == 0)
        rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return rc;
}

/* ---- decoding ------------------------------------------------------------ */

static int missing(unsigned seen, unsigned required)
{
    return (seen & required) != required ? FCP_EMISSING_FIELD : 0;
}

/* Read the text-keyed map at d by field(obj, d, i) over keys[0..n);
 * FCP_EMISSING_FIELD unless every key in required was present. */
static int read_map(fcp_cbor_dec *d, const char *const *keys, int n, fcp_cbor_field_fn field,
                    void *obj, unsigned required)
{
    unsigned seen = 0;
    TRY(fcp_cbor_read_fields(d, keys, n, field, obj, &seen));
    return missing(seen, required);
}

static int get_zone(fcp_cbor_dec *d, char out[FCP_ZONE_ID_MAX + 1])
{
    return fcp_m_get_text(d, out, FCP_ZONE_ID_MAX, fcp_zone_id_validate, FCP_EZONE_ID_TOO_LONG);
}

/* SchemaId text parts, checked and joined once the map is read. */
typedef struct schema_text {
    char ns[FCP_SCHEMA_NS_MAX + 1], name[FCP_SCHEMA_NAME_MAX + 1];
    char ver[40]; /* longest version text is 32 bytes */
} schema_text;

static const char *const schema_keys[] = { "name", "version", "namespace" };

static int schema_field(void *obj, fcp_cbor_dec *d, int i)
{
    schema_text *t = obj;
    if (i == 0)
        return fcp_m_get_text(d, t->name, FCP_SCHEMA_NAME_MAX, NULL, FCP_ESCHEMA_ID);
    if (i == 1)
        return fcp_m_get_text(d, t->ver, sizeof t->ver - 1, NULL, FCP_ESCHEMA_ID);
    return fcp_m_get_text(d, t->ns, FCP_SCHEMA_NS_MAX, NULL, FCP_ESCHEMA_ID);
}

static int get_schema(fcp_cbor_dec *d, fcp_schema_id *s)
{
    schema_text t;
    uint32_t a, b, c;
    TRY(read_map(d, schema_keys, 3, schema_field, &t, 7));
    TRY(fcp_semver_parse(t.ver, strlen(t.ver), &a, &b, &c));
    return fcp_schema_id_init(s, t.ns, t.name, a, b, c);
}

static int get_array_bounded(fcp_cbor_dec *d, size_t *n, size_t max)
{
    uint64_t v;
    TRY(fcp_cbor_get_array(d, &v));
    if (v > max)
        return FCP_ELIMIT;
    *n = (size_t)v;
    return 0;
}

static int get_u32_taint(fcp_cbor_dec *d, uint32_t *out)
{
    uint64_t v;
    TRY(fcp_m_get_uint_max(d, &v, FCP_TAINT_ALL));
    *out = (uint32_t)v;
    return 0;
}

static const char *const reduction_keys[] = { "clears", "applied_at", "by_attestation" };

static int reduction_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_taint_reduction *r = obj;
    if (i == 0)
        return get_u32_taint(d, &r->clears);
    if (i == 1)
        return fcp_cbor_get_uint(d, &r->applied_at);
    return fcp_m_get_fixed(d, r->by_attestation, FCP_OBJECT_ID_BYTES);
}

static const char *const crossing_keys[] = { "to_zone", "from_zone", "crossed_at", "authorized_by" };

static int crossing_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_zone_crossing *c = obj;
    switch (i) {
    case 0: return get_zone(d, c->to_zone);
    case 1: return get_zone(d, c->from_zone);
    case 2: return fcp_cbor_get_uint(d, &c->crossed_at);
    default:
        TRY(fcp_m_get_fixed(d, c->authorized_by, FCP_OBJECT_ID_BYTES));
        c->has_authorized_by = 1;
        return 0;
    }
}

static const char *const provenance_keys[] = {
    "taint", "created_at", "origin_zone", "current_zone", "zone_crossings",
    "origin_integrity", "origin_principal", "taint_reductions", "origin_confidentiality",
};

static int provenance_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_provenance *p = obj;
    uint64_t v;
    switch (i) {
    case 0: return get_u32_taint(d, &p->taint);
    case 1: return fcp_cbor_get_uint(d, &p->created_at);
    case 2: return get_zone(d, p->origin_zone);
    case 3: return get_zone(d, p->current_zone);
    case 4:
        TRY(get_array_bounded(d, &p->n_crossings, FCP_HDR_MAX_CROSSINGS));
        for (size_t j = 0; j < p->n_crossings; j++)
            TRY(read_map(d, crossing_keys, 4, crossing_field, &p->crossings[j], 7));
        return 0;
    case 5:
        TRY(fcp_m_get_uint_max(d, &v, 255));
        p->origin_integrity = (uint8_t)v;
        return 0;
    case 6:
        TRY(fcp_m_get_text(d, p->origin_principal, FCP_PRINCIPAL_MAX, principal_ok, FCP_EIDENTIFIER));
        p->has_origin_principal = 1;
        return 0;
    case 7:
        TRY(get_array_bounded(d, &p->n_reductions, FCP_HDR_MAX_REDUCTIONS));
        for (size_t j = 0; j < p->n_reductions; j++)
            TRY(read_map(d, reduction_keys, 3, reduction_field, &p->reductions[j], 7));
        return 0;
    default:
        TRY(fcp_m_get_uint_max(d, &v, 255));
        p->origin_confidentiality = (uint8_t)v;
        return 0;
    }
}

int fcp_provenance_decode_from(fcp_provenance *p, fcp_cbor_dec *d)
{
    memset(p, 0, sizeof *p);
    return read_map(d, provenance_keys, 9, provenance_field, p, 0x1ffu & ~(1u << 6));
}

static int get_devices(fcp_cbor_dec *d, char (*out)[FCP_HDR_DEVICE_MAX + 1], size_t *n)
{
    TRY(get_array_bounded(d, n, FCP_HDR_MAX_DEVICES));
    for (size_t i = 0; i < *n; i++)
        TRY(fcp_m_get_text(d, out[i], FCP_HDR_DEVICE_MAX, device_ok, FCP_EIDENTIFIER));
    return 0;
}

static const char *const placement_keys[] = { "min_nodes", "target_coverage", "excluded_devices",
                                              "max_node_fraction", "preferred_devices" };

static int placement_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_placement *pl = obj;
    uint64_t v;
    switch (i) {
    case 0:
        TRY(fcp_m_get_uint_max(d, &v, 255));
        pl->min_nodes = (uint8_t)v;
        return 0;
    case 1: return fcp_cbor_get_float(d, &pl->target_coverage);
    case 2: return get_devices(d, pl->excluded_devices, &pl->n_excluded);
    case 3: return fcp_cbor_get_float(d, &pl->max_node_fraction);
    default: return get_devices(d, pl->preferred_devices, &pl->n_preferred);
    }
}

static const char *const header_keys[] = { "refs", "schema", "zone_id", "ttl_secs",
                                           "placement", "created_at", "provenance" };

static int header_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_object_header *h = obj;
    switch (i) {
    case 0:
        TRY(get_array_bounded(d, &h->n_refs, FCP_HDR_MAX_REFS));
        for (size_t j = 0; j < h->n_refs; j++)
            TRY(fcp_m_get_fixed(d, h->refs[j], FCP_OBJECT_ID_BYTES));
        return 0;
    case 1: return get_schema(d, &h->schema);
    case 2: return get_zone(d, h->zone_id);
    case 3:
        TRY(fcp_cbor_get_uint(d, &h->ttl_secs));
        h->has_ttl_secs = 1;
        return 0;
    case 4:
        TRY(read_map(d, placement_keys, 5, placement_field, &h->placement, 0x1f));
        TRY(placement_validate(&h->placement));
        h->has_placement = 1;
        return 0;
    case 5: return fcp_cbor_get_uint(d, &h->created_at);
    default: return fcp_provenance_decode_from(&h->provenance, d);
    }
}

static int header_decode_from(fcp_object_header *h, fcp_cbor_dec *d)
{
    TRY(read_map(d, header_keys, 7, header_field, h, 0x67));
    return fcp_object_header_validate(h);
}

int fcp_object_header_decode_from(fcp_object_header *h, fcp_cbor_dec *d)
{
    memset(h, 0, sizeof *h);
    int rc = header_decode_from(h, d);
    if (rc)
        memset(h, 0, sizeof *h);
    return rc;
}

int fcp_object_header_decode(fcp_object_header *h, const uint8_t *p, size_t n)
{
    fcp_cbor_limits lim = fcp_cbor_limits_default;
    fcp_cbor_dec d;
    if (n > FCP_HDR_MAX_ENCODED) {
        memset(h, 0, sizeof *h);
        return FCP_ETOO_LARGE;
    }
    lim.allow = FCP_CBOR_ALLOW_FLOAT;
    lim.max_depth = 8;
    fcp_cbor_dec_init(&d, p, n, &lim);
    int rc = fcp_object_header_decode_from(h, &d);
    if (rc == 0)
        rc = fcp_cbor_dec_finish(&d);
    if (rc)
        memset(h, 0, sizeof *h);
    return rc;
}

/* ---- canonical bytes, ObjectId, payloads -------------------------------- */

int fcp_object_canonical_bytes(const fcp_object_header *h, const uint8_t *body, size_t body_len,
                               fcp_buf *out)
{
    TRY(fcp_buf_append(out, "FCP2-OBJECT-V1", 14));
    TRY(fcp_object_header_encode(h, out));
    if (body_len)
        TRY(fcp_buf_append(out, body, body_len));
    return out->err;
}

int fcp_object_derive_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_object_header *h,
                         const uint8_t *body, size_t body_len, const fcp_object_id_key *key)
{
    fcp_buf b;
    fcp_buf_init(&b);
    int rc = fcp_object_canonical_bytes(h, body, body_len, &b);
    if (rc == 0)
        rc = fcp_object_id(out, key, h->zone_id, strlen(h->zone_id), &h->schema, b.data, b.len);
    fcp_buf_free(&b);
    return rc;
}

/* Payload bodies may carry floats (e.g. placement fractions); never tags. */
static fcp_cbor_limits payload_limits(void)
{
    fcp_cbor_limits lim = fcp_cbor_limits_default;
    lim.allow = FCP_CBOR_ALLOW_FLOAT;
    return lim;
}

int fcp_payload_encode(const fcp_schema_id *schema, const uint8_t *cbor, size_t cbor_len,
                       fcp_buf *out)
{
    uint8_t sh[FCP_SCHEMA_HASH_BYTES];
    fcp_cbor_limits lim = payload_limits();
    TRY(fcp_cbor_validate(cbor, cbor_len, &lim));
    fcp_schema_hash(sh, schema);
    TRY(fcp_buf_append(out, sh, sizeof sh));
    TRY(fcp_buf_append(out, cbor, cbor_len));
    return 0;
}

int fcp_payload_decode(const fcp_schema_id *expected, const uint8_t *data, size_t len,
                       const uint8_t **cbor, size_t *cbor_len)
{
    uint8_t sh[FCP_SCHEMA_HASH_BYTES];
    fcp_cbor_limits lim = payload_limits();
    if (!data || len < FCP_SCHEMA_HASH_BYTES)
        return FCP_ESCHEMA_MISMATCH;
    fcp_schema_hash(sh, expected);
    if (memcmp(sh, data, FCP_SCHEMA_HASH_BYTES) != 0)
        return FCP_ESCHEMA_MISMATCH;
    TRY(fcp_cbor_validate(data + FCP_SCHEMA_HASH_BYTES, len - FCP_SCHEMA_HASH_BYTES,
                          &lim));
    *cbor = data + FCP_SCHEMA_HASH_BYTES;
    *cbor_len = len - FCP_SCHEMA_HASH_BYTES;
    return 0;
}

int fcp_stored_object_verify(const fcp_stored_object *o, const fcp_object_id_key *key)
{
    const uint8_t *c;
    size_t cl;
    uint8_t id[FCP_OBJECT_ID_BYTES];
    TRY(fcp_payload_decode(&o->header.schema, o->body, o->body_len, &c, &cl));
    TRY(fcp_object_derive_id(id, &o->header, o->body, o->body_len, key));
    return memcmp(id, o->object_id, sizeof id) == 0 ? 0 : FCP_ECHECKSUM;
}
