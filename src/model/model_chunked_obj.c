/*
 * model_chunked_obj.c - RawChunk and ChunkedObjectManifest as FCP objects (spec
 * Appendix B, decision D-RQ-4): schema-prefixed canonical CBOR bodies beside
 * an ObjectHeader, ObjectIds from the object model, and the split of a large
 * payload into chunk objects plus their manifest.
 *
 * This file sits on the object model (model_object.h) and the CBOR codec;
 * the raw-byte half (plans, reassembly, hash) is chunked.c.
 */
#include <stdlib.h>
#include <string.h>

#include "fcp/buf.h"
#include "fcp/cbor.h"
#include "fcp/chunked.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_ids.h"
#include "fcp/model_object.h"

#define TRY(x)                  \
    do {                        \
        int rc_ = (x);          \
        if (rc_ < 0)            \
            return rc_;         \
    } while (0)

/* Largest manifest body we decode: the 32-byte schema prefix, the map with
 * its keys and integers (< 128 bytes), and at most ceil(max_object_size /
 * chunk_size) ids of 34 encoded bytes each (fcp_chunk_plan_check's bound). */
static size_t manifest_max_body(const fcp_rq_config *c)
{
    uint64_t n = ((uint64_t)c->max_object_size + c->chunk_size - 1) / c->chunk_size;
    return (size_t)(FCP_SCHEMA_HASH_BYTES + 128 + n * 35);
}

void fcp_raw_chunk_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.core", "RawChunk", 1, 0, 0);
}

void fcp_chunk_manifest_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.core", "ChunkedObjectManifest", 1, 0, 0);
}

/* Body = SchemaHash(schema) || cbor, built in a scratch buffer. */
static int prefixed(const fcp_schema_id *schema, const fcp_buf *cbor, fcp_buf *out)
{
    if (cbor->err)
        return cbor->err;
    return fcp_payload_encode(schema, cbor->data, cbor->len, out);
}

int fcp_raw_chunk_body_encode(const uint8_t *bytes, size_t len, fcp_buf *out)
{
    fcp_schema_id s;
    fcp_buf cbor;
    fcp_cbor_enc e;
    fcp_raw_chunk_schema(&s);
    fcp_buf_init(&cbor);
    fcp_cbor_enc_init(&e, &cbor);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "bytes");
    fcp_cbor_put_bytes(&e, bytes, len);
    fcp_cbor_map_close(&e);
    int rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    if (!rc)
        rc = prefixed(&s, &cbor, out);
    fcp_buf_free(&cbor);
    return rc;
}

int fcp_raw_chunk_body_decode(const uint8_t *body, size_t body_len, size_t max_len,
                              const uint8_t **bytes, size_t *len)
{
    fcp_schema_id s;
    const uint8_t *cbor;
    size_t cbor_len;
    fcp_raw_chunk_schema(&s);
    if (body_len > max_len + FCP_SCHEMA_HASH_BYTES + 16)
        return FCP_ETOO_LARGE;
    TRY(fcp_payload_decode(&s, body, body_len, &cbor, &cbor_len));

    fcp_cbor_limits lim = fcp_cbor_limits_default;
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    lim.max_depth = 1;
    lim.max_items = 4; /* one key; a few more so an extra one is named */
    fcp_cbor_dec_init(&d, cbor, cbor_len, &lim);
    TRY(fcp_cbor_map_begin(&d, &it));
    TRY(fcp_cbor_expect_key(&d, &it, "bytes"));
    TRY(fcp_cbor_get_bytes(&d, bytes, len));
    const char *k;
    size_t kl;
    int rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kl);
    if (rc > 0)
        return FCP_EUNKNOWN_FIELD;
    TRY(rc);
    TRY(fcp_cbor_dec_finish(&d));
    if (*len > max_len)
        return FCP_ETOO_LARGE;
    return 0;
}

int fcp_raw_chunk_verify(const fcp_object_header *h, const uint8_t *body, size_t body_len,
                         const fcp_object_id_key *key, const uint8_t want_id[32], size_t max_len,
                         const uint8_t **bytes, size_t *len)
{
    fcp_schema_id s;
    uint8_t id[FCP_OBJECT_ID_BYTES];
    fcp_raw_chunk_schema(&s);
    if (!fcp_schema_id_equal(&h->schema, &s))
        return FCP_ESCHEMA_MISMATCH;
    TRY(fcp_raw_chunk_body_decode(body, body_len, max_len, bytes, len));
    TRY(fcp_object_derive_id(id, h, body, body_len, key));
    return fcp_ct_equal(id, want_id, FCP_OBJECT_ID_BYTES) ? 0 : FCP_ERQ_CHUNK;
}

int fcp_chunk_manifest_body_encode(const fcp_chunk_manifest *m, fcp_buf *out)
{
    fcp_schema_id s;
    fcp_buf cbor;
    fcp_cbor_enc e;
    fcp_chunk_manifest_schema(&s);
    fcp_buf_init(&cbor);
    fcp_cbor_enc_init(&e, &cbor);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "total_len");
    fcp_cbor_put_uint(&e, m->plan.total_len);
    fcp_cbor_put_cstr(&e, "chunk_size");
    fcp_cbor_put_uint(&e, m->plan.chunk_size);
    fcp_cbor_put_cstr(&e, "chunks");
    fcp_cbor_put_array(&e, m->plan.n_chunks);
    for (uint32_t i = 0; i < m->plan.n_chunks; i++)
        fcp_cbor_put_bytes(&e, fcp_chunk_manifest_id(m, i), FCP_OBJECT_ID_BYTES);
    fcp_cbor_put_cstr(&e, "payload_hash");
    fcp_cbor_put_bytes(&e, m->payload_hash, FCP_CHUNK_HASH_BYTES);
    fcp_cbor_map_close(&e);
    int rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    if (!rc)
        rc = prefixed(&s, &cbor, out);
    fcp_buf_free(&cbor);
    return rc;
}

const uint8_t *fcp_chunk_manifest_id(const fcp_chunk_manifest *m, uint32_t i)
{
    size_t stride = m->stride ? m->stride : FCP_OBJECT_ID_BYTES;
    return i < m->plan.n_chunks ? m->chunks + (size_t)i * stride : NULL;
}

static int get_fixed32(fcp_cbor_dec *d, const uint8_t **p)
{
    size_t n;
    TRY(fcp_cbor_get_bytes(d, p, &n));
    return n == 32 ? 0 : FCP_EOBJECT;
}

static int get_u32(fcp_cbor_dec *d, uint32_t *v)
{
    uint64_t x;
    TRY(fcp_cbor_get_uint(d, &x));
    if (x > UINT32_MAX)
        return FCP_ECBOR_INT_RANGE;
    *v = (uint32_t)x;
    return 0;
}

int fcp_chunk_manifest_body_decode(const fcp_rq_config *c, const uint8_t *body, size_t body_len,
                                   fcp_chunk_manifest *m)
{
    fcp_schema_id s;
    const uint8_t *cbor, *p;
    size_t cbor_len;
    uint64_t n;
    memset(m, 0, sizeof *m);
    if (fcp_rq_config_validate(c))
        return FCP_EINVAL;
    if (body_len > manifest_max_body(c))
        return FCP_ETOO_LARGE;
    fcp_chunk_manifest_schema(&s);
    TRY(fcp_payload_decode(&s, body, body_len, &cbor, &cbor_len));

    fcp_cbor_limits lim = fcp_cbor_limits_default;
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    lim.max_depth = 2;
    lim.max_items = ((uint64_t)c->max_object_size + c->chunk_size - 1) / c->chunk_size;
    fcp_cbor_dec_init(&d, cbor, cbor_len, &lim);
    TRY(fcp_cbor_map_begin(&d, &it));
    /* canonical key order: shorter encoded keys first */
    TRY(fcp_cbor_expect_key(&d, &it, "chunks"));
    TRY(fcp_cbor_get_array(&d, &n));
    if (n > UINT32_MAX)
        return FCP_ERQ_CHUNK;
    m->plan.n_chunks = (uint32_t)n;
    /* the ids are read after the plan is checked: remember where they start */
    const uint8_t *ids = NULL;
    for (uint64_t i = 0; i < n; i++) {
        TRY(get_fixed32(&d, &p));
        if (i == 0)
            ids = p;
        else if (p != ids + i * (FCP_OBJECT_ID_BYTES + 2))
            return FCP_EOBJECT; /* each id is the 2-byte head 58 20 + 32 bytes */
    }
    TRY(fcp_cbor_expect_key(&d, &it, "total_len"));
    TRY(fcp_cbor_get_uint(&d, &m->plan.total_len));
    TRY(fcp_cbor_expect_key(&d, &it, "chunk_size"));
    TRY(get_u32(&d, &m->plan.chunk_size));
    TRY(fcp_cbor_expect_key(&d, &it, "payload_hash"));
    TRY(get_fixed32(&d, &p));
    memcpy(m->payload_hash, p, FCP_CHUNK_HASH_BYTES);
    const char *k;
    size_t kl;
    int rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kl);
    if (rc > 0)
        return FCP_EUNKNOWN_FIELD;
    TRY(rc);
    TRY(fcp_cbor_dec_finish(&d));
    TRY(fcp_chunk_plan_check(c, &m->plan));
    m->chunks = ids;
    m->stride = FCP_OBJECT_ID_BYTES + 2;
    return 0;
}

int fcp_chunked_split(const fcp_rq_config *c, const fcp_object_header *h,
                      const fcp_object_id_key *key, const uint8_t *payload, size_t len, int force,
                      fcp_chunk_emit_fn emit, void *ctx, fcp_buf *manifest_body,
                      uint8_t manifest_id[32])
{
    fcp_chunk_plan plan;
    fcp_object_header *ch = NULL;
    fcp_buf ids, body;
    int rc;
    if (!c || !h || !key || !payload || !emit || !manifest_body)
        return FCP_EINVAL;
    if (!force && !fcp_rq_config_requires_chunking(c, len))
        return FCP_EINVAL;
    TRY(fcp_chunk_plan_make(c, len, &plan));

    fcp_buf_init(&ids);
    fcp_buf_init(&body);
    /* headers are large (refs, provenance): keep the copy off the stack */
    ch = malloc(sizeof *ch);
    if (!ch) {
        rc = FCP_ENOMEM;
        goto out;
    }
    *ch = *h;
    fcp_raw_chunk_schema(&ch->schema);
    for (uint32_t i = 0; i < plan.n_chunks; i++) {
        uint64_t off;
        uint32_t n;
        uint8_t id[FCP_OBJECT_ID_BYTES];
        fcp_chunk_span(&plan, i, &off, &n);
        fcp_buf_reset(&body);
        if ((rc = fcp_raw_chunk_body_encode(payload + off, n, &body)) != 0 ||
            (rc = fcp_object_derive_id(id, ch, body.data, body.len, key)) != 0 ||
            (rc = fcp_buf_append(&ids, id, sizeof id)) != 0 ||
            (rc = emit(ctx, i, ch, body.data, body.len, id)) != 0)
            goto out;
    }
    fcp_chunk_manifest m = { .plan = plan, .chunks = ids.data, .stride = FCP_OBJECT_ID_BYTES };
    fcp_chunk_payload_hash(m.payload_hash, payload, len);
    *ch = *h;
    fcp_chunk_manifest_schema(&ch->schema);
    size_t start = manifest_body->len;
    if ((rc = fcp_chunk_manifest_body_encode(&m, manifest_body)) != 0)
        goto out;
    rc = fcp_object_derive_id(manifest_id, ch, manifest_body->data + start,
                              manifest_body->len - start, key);
out:
    free(ch);
    fcp_buf_free(&ids);
    fcp_buf_free(&body);
    return rc;
}
