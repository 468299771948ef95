/*
 * model_chunked.c - RaptorQConfig, the FCP object -> OTI rule (D-RQ-1) and chunk
 * planning / reassembly of chunked payloads (spec Appendix B).
 *
 * This half works on raw bytes only (BLAKE3 from crypto/ is its one outside
 * dependency); the RawChunk / ChunkedObjectManifest objects built on the
 * object model are in chunked_obj.c.  Every count taken from a manifest is
 * checked against the receiver's config before anything is allocated.
 */
#include <stdlib.h>
#include <string.h>

#include "fcp/chunked.h"
#include "fcp/crypto.h"
#include "fcp/error.h"

void fcp_rq_config_default(fcp_rq_config *c)
{
    c->symbol_size = FCP_RQ_DEFAULT_SYMBOL_SIZE;
    c->repair_ratio_bps = FCP_RQ_DEFAULT_REPAIR_BPS;
    c->max_object_size = FCP_RQ_DEFAULT_MAX_OBJECT;
    c->decode_timeout_ms = FCP_RQ_DEFAULT_DECODE_TIMEOUT;
    c->max_chunk_threshold = FCP_RQ_DEFAULT_CHUNK_THRESHOLD;
    c->chunk_size = FCP_RQ_DEFAULT_CHUNK_SIZE;
}

int fcp_rq_config_validate(const fcp_rq_config *c)
{
    if (!c || c->symbol_size == 0 || c->repair_ratio_bps > 10000 || c->chunk_size == 0 ||
        c->chunk_size > c->max_chunk_threshold || c->max_chunk_threshold > c->max_object_size ||
        c->decode_timeout_ms == 0)
        return FCP_EINVAL;
    /* an unchunked object is one RaptorQ block (D-RQ-1) */
    if (((uint64_t)c->max_chunk_threshold + c->symbol_size - 1) / c->symbol_size > FCP_RQ_MAX_K)
        return FCP_EINVAL;
    return 0;
}

uint64_t fcp_rq_config_source_symbols(const fcp_rq_config *c, uint64_t len)
{
    return c->symbol_size ? (len + c->symbol_size - 1) / c->symbol_size : 0;
}

uint32_t fcp_rq_config_repair_symbols(const fcp_rq_config *c, uint32_t K)
{
    /* D-RQ-2: round up, so a small object still gets a repair symbol */
    return (uint32_t)(((uint64_t)K * c->repair_ratio_bps + 9999) / 10000);
}

int fcp_rq_config_requires_chunking(const fcp_rq_config *c, uint64_t len)
{
    return len > c->max_chunk_threshold; /* spec Appendix B: "exceeds this threshold" */
}

/* ---- D-RQ-1: one block, one sub-block, F = K*T ---------------------------- */

int fcp_rq_fcp_k(uint64_t len, uint16_t T, uint32_t *K)
{
    if (len == 0 || T == 0)
        return FCP_ERQ_OTI;
    uint64_t k = (len + T - 1) / T;
    if (k > FCP_RQ_MAX_K)
        return FCP_ERQ_OTI;
    *K = (uint32_t)k;
    return 0;
}

int fcp_rq_fcp_oti(uint32_t K, uint16_t T, uint64_t max_object, fcp_rq_oti *oti)
{
    if (K == 0 || K > FCP_RQ_MAX_K || T == 0)
        return FCP_ERQ_OTI;
    if (!max_object)
        max_object = FCP_RQ_DEFAULT_MAX_OBJECT;
    if ((uint64_t)K * T > max_object)
        return FCP_ERQ_LIMIT;
    oti->F = (uint64_t)K * T;
    oti->T = T;
    oti->Z = 1;
    oti->N = 1;
    oti->Al = FCP_RQ_FCP_ALIGNMENT;
    return 0;
}

int fcp_rq_fcp_pad(const uint8_t *obj, size_t len, uint16_t T, uint8_t *block, size_t block_len)
{
    uint32_t K;
    int rc = fcp_rq_fcp_k(len, T, &K);
    if (rc)
        return rc;
    if (block_len != (size_t)K * T)
        return FCP_EBUFFER_TOO_SMALL;
    memcpy(block, obj, len);
    memset(block + len, 0, block_len - len);
    return 0;
}

int fcp_rq_fcp_unpad(const uint8_t *decoded, uint32_t K, uint16_t T, uint64_t len)
{
    uint32_t want;
    if (fcp_rq_fcp_k(len, T, &want) || want != K)
        return FCP_ERQ_PADDING; /* a length that would need a different K */
    uint8_t acc = 0;
    for (uint64_t i = len; i < (uint64_t)K * T; i++)
        acc |= decoded[i];
    return acc ? FCP_ERQ_PADDING : 0;
}

/* ---- chunk plan ------------------------------------------------------------- */

int fcp_chunk_plan_make(const fcp_rq_config *c, uint64_t total_len, fcp_chunk_plan *p)
{
    if (fcp_rq_config_validate(c) || total_len == 0)
        return FCP_EINVAL;
    if (total_len > c->max_object_size)
        return FCP_ETOO_LARGE;
    p->total_len = total_len;
    p->chunk_size = c->chunk_size;
    p->n_chunks = (uint32_t)((total_len + c->chunk_size - 1) / c->chunk_size);
    return 0;
}

int fcp_chunk_plan_check(const fcp_rq_config *c, const fcp_chunk_plan *p)
{
    if (fcp_rq_config_validate(c))
        return FCP_EINVAL;
    if (p->total_len > c->max_object_size ||
        (uint64_t)p->n_chunks > ((uint64_t)c->max_object_size + c->chunk_size - 1) / c->chunk_size)
        return FCP_ETOO_LARGE;
    if (p->total_len == 0 || p->chunk_size == 0 || p->chunk_size > c->max_chunk_threshold)
        return FCP_ERQ_CHUNK;
    if ((uint64_t)p->n_chunks != (p->total_len + p->chunk_size - 1) / p->chunk_size)
        return FCP_ERQ_CHUNK;
    return 0;
}

int fcp_chunk_span(const fcp_chunk_plan *p, uint32_t i, uint64_t *off, uint32_t *len)
{
    if (i >= p->n_chunks)
        return FCP_EOUT_OF_RANGE;
    uint64_t o = (uint64_t)i * p->chunk_size, rest = p->total_len - o;
    *off = o;
    *len = rest < p->chunk_size ? (uint32_t)rest : p->chunk_size;
    return 0;
}

void fcp_chunk_payload_hash(uint8_t out[FCP_CHUNK_HASH_BYTES], const uint8_t *payload, size_t len)
{
    fcp_blake3(out, payload, len);
}

/* ---- reassembly ---------------------------------------------------------------- */

int fcp_chunk_assembler_init(fcp_chunk_assembler *a, const fcp_rq_config *c,
                             const fcp_chunk_plan *plan,
                             const uint8_t payload_hash[FCP_CHUNK_HASH_BYTES])
{
    memset(a, 0, sizeof *a);
    int rc = fcp_chunk_plan_check(c, plan);
    if (rc)
        return rc;
    a->plan = *plan;
    memcpy(a->payload_hash, payload_hash, FCP_CHUNK_HASH_BYTES);
    a->buf = malloc((size_t)plan->total_len);
    a->have = calloc(plan->n_chunks, 1);
    if (!a->buf || !a->have) {
        fcp_chunk_assembler_free(a);
        return FCP_ENOMEM;
    }
    return 0;
}

int fcp_chunk_assembler_add(fcp_chunk_assembler *a, uint32_t i, const uint8_t *bytes, size_t len)
{
    uint64_t off;
    uint32_t want;
    if (!a->buf)
        return FCP_EINVAL;
    if (fcp_chunk_span(&a->plan, i, &off, &want))
        return FCP_EOUT_OF_RANGE;
    if (len != want)
        return FCP_ERQ_CHUNK;
    if (a->have[i])
        return memcmp(a->buf + off, bytes, len) ? FCP_ERQ_CHUNK : 0;
    memcpy(a->buf + off, bytes, len);
    a->have[i] = 1;
    a->n_have++;
    return 0;
}

uint32_t fcp_chunk_assembler_missing(const fcp_chunk_assembler *a)
{
    return a->plan.n_chunks - a->n_have;
}

int fcp_chunk_assembler_finish(fcp_chunk_assembler *a, const uint8_t **payload, size_t *len)
{
    if (!a->buf)
        return FCP_EINVAL;
    if (a->n_have != a->plan.n_chunks)
        return FCP_ERQ_NEED_MORE;
    if (!a->verified) {
        uint8_t h[FCP_CHUNK_HASH_BYTES];
        fcp_chunk_payload_hash(h, a->buf, (size_t)a->plan.total_len);
        if (!fcp_ct_equal(h, a->payload_hash, FCP_CHUNK_HASH_BYTES))
            return FCP_ERQ_PAYLOAD_HASH;
        a->verified = 1;
    }
    *payload = a->buf;
    *len = (size_t)a->plan.total_len;
    return 0;
}

void fcp_chunk_assembler_free(fcp_chunk_assembler *a)
{
    free(a->buf);
    free(a->have);
    a->buf = NULL;
    a->have = NULL;
}
