/*
 * chunked.h - RaptorQ configuration for FCP objects, the FCP object -> OTI
 * mapping, and chunked objects (spec §4, Appendix B).
 *
 * Three pieces:
 *
 *   1. fcp_rq_config: the Appendix B RaptorQConfig with its defaults and the
 *      derived counts (K, repair symbols, whether an object must be chunked).
 *
 *   2. The OTI a receiver uses for an FCP object (decision D-RQ-1).  FCPS
 *      symbol records carry only (esi u32, k u16) and the frame symbol_size
 *      T; no transfer length, block structure or SBN is on the wire.  So an
 *      FCP object is always ONE source block of ONE sub-block:
 *
 *          OTI = { F = K*T, T = symbol_size, Z = 1, N = 1, Al = 1 }
 *
 *      The sender encodes the object's bytes zero-padded to K*T, with
 *      K = ceil(len/T); the receiver decodes K*T bytes and takes the object
 *      length from the object itself (its encoding is self-delimiting) or from
 *      context (a manifest).  With Z = N = 1 every symbol is identical to what
 *      an encoder given the exact F would produce (RFC 6330 pads the last
 *      symbol with zeros either way), so only the receiver's bookkeeping
 *      depends on this rule.  fcp_rq_fcp_unpad checks that the padding is
 *      zero and minimal, so each object has exactly one encoding.
 *
 *   3. Chunking (Appendix B): a payload longer than max_chunk_threshold is
 *      split into chunk_size pieces (the last one shorter, never empty), each
 *      stored as a RawChunk object, listed in order by a
 *      ChunkedObjectManifest {total_len, chunk_size, chunks[], payload_hash =
 *      BLAKE3(payload)}.  fcp_chunk_assembler rebuilds the payload from chunks
 *      arriving in any order and verifies the payload hash end to end.  The
 *      CBOR objects themselves (RawChunk, ChunkedObjectManifest with their
 *      ObjectHeader and ObjectId checks) are in the second half of this file.
 *
 * Nothing here allocates from a length read off the wire before checking it
 * against the config's max_object_size.
 */
#ifndef FCP_CHUNKED_H
#define FCP_CHUNKED_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/raptorq.h"

#define FCP_RQ_DEFAULT_SYMBOL_SIZE     1024u
#define FCP_RQ_DEFAULT_REPAIR_BPS      500u            /* 5 %: spec repair_ratio 0.05 */
#define FCP_RQ_DEFAULT_MAX_OBJECT      (64u << 20)     /* 64 MiB */
#define FCP_RQ_DEFAULT_DECODE_TIMEOUT  30000u          /* milliseconds */
#define FCP_RQ_DEFAULT_CHUNK_THRESHOLD (256u << 10)    /* 256 KiB */
#define FCP_RQ_DEFAULT_CHUNK_SIZE      (64u << 10)     /* 64 KiB */
#define FCP_RQ_FCP_ALIGNMENT           1u              /* Al of the FCP object OTI (D-RQ-1) */
#define FCP_CHUNK_HASH_BYTES           32u             /* BLAKE3 */

/* ---- configuration (spec Appendix B RaptorQConfig) ---------------------- */

typedef struct fcp_rq_config {
    uint16_t symbol_size;          /* T, bytes per symbol */
    uint16_t repair_ratio_bps;     /* repair symbols per source symbol, basis points */
    uint32_t max_object_size;      /* largest object (or chunked payload), bytes */
    uint32_t decode_timeout_ms;    /* give up on an object after this long */
    uint32_t max_chunk_threshold;  /* payloads longer than this MUST be chunked */
    uint32_t chunk_size;           /* bytes per chunk (last one shorter) */
} fcp_rq_config;

/* Fill c with the Appendix B defaults: 1024, 500 bps, 64 MiB, 30 s, 256 KiB,
 * 64 KiB. */
void fcp_rq_config_default(fcp_rq_config *c);

/* Check c: symbol_size >= 1, repair_ratio_bps <= 10000, chunk_size >= 1,
 * chunk_size <= max_chunk_threshold <= max_object_size, decode_timeout_ms
 * >= 1, and a chunk threshold that fits one RaptorQ block:
 * ceil(max_chunk_threshold / symbol_size) <= FCP_RQ_MAX_K.
 * 0 or FCP_EINVAL. */
int fcp_rq_config_validate(const fcp_rq_config *c);

/* K = ceil(len / symbol_size): source symbols of an object of len bytes. */
uint64_t fcp_rq_config_source_symbols(const fcp_rq_config *c, uint64_t len);

/* Repair symbols a sender generates for K source symbols:
 * ceil(K * repair_ratio_bps / 10000), so any K >= 1 gets at least one when
 * the ratio is non-zero (decision D-RQ-2). */
uint32_t fcp_rq_config_repair_symbols(const fcp_rq_config *c, uint32_t K);

/* 1 if a payload of len bytes must be chunked (len > max_chunk_threshold). */
int fcp_rq_config_requires_chunking(const fcp_rq_config *c, uint64_t len);

/* ---- FCP object <-> OTI (decision D-RQ-1) -------------------------------- */

/* K for an object of len bytes with symbol size T: ceil(len/T).
 * FCP_ERQ_OTI if len == 0, T == 0 or K > FCP_RQ_MAX_K. */
int fcp_rq_fcp_k(uint64_t len, uint16_t T, uint32_t *K);

/* The receiver's OTI for an object announced with K source symbols of T
 * bytes: {F = K*T, T, Z = 1, N = 1, Al = 1}.  Checks 1 <= K <= FCP_RQ_MAX_K,
 * T >= 1 and K*T <= max_object (0 = FCP_RQ_DEFAULT_MAX_OBJECT).
 * 0, FCP_ERQ_OTI (K or T out of range) or FCP_ERQ_LIMIT (too large). */
int fcp_rq_fcp_oti(uint32_t K, uint16_t T, uint64_t max_object, fcp_rq_oti *oti);

/* Sender side: copy obj[0..len) into block (K*T bytes, K from fcp_rq_fcp_k)
 * and zero the padding.  FCP_ERQ_OTI as fcp_rq_fcp_k; FCP_EBUFFER_TOO_SMALL if
 * block_len != K*T. */
int fcp_rq_fcp_pad(const uint8_t *obj, size_t len, uint16_t T, uint8_t *block, size_t block_len);

/* Receiver side, once the object's length len is known (from its
 * self-delimiting encoding or from a manifest): check that decoded[0..K*T)
 * holds exactly one object of len bytes, i.e. K == ceil(len/T) (padding is
 * minimal) and every byte after len is zero.  0 or FCP_ERQ_PADDING. */
int fcp_rq_fcp_unpad(const uint8_t *decoded, uint32_t K, uint16_t T, uint64_t len);

/* ---- chunk plan ----------------------------------------------------------- */

typedef struct fcp_chunk_plan {
    uint64_t total_len;
    uint32_t chunk_size;
    uint32_t n_chunks;    /* ceil(total_len / chunk_size) */
} fcp_chunk_plan;

/* Plan the chunks of a payload of total_len bytes under c: chunk_size =
 * c->chunk_size.  FCP_EINVAL (bad config, total_len == 0), FCP_ETOO_LARGE
 * (total_len > max_object_size). */
int fcp_chunk_plan_make(const fcp_rq_config *c, uint64_t total_len, fcp_chunk_plan *p);

/* Check a plan read from a manifest against the receiver's config:
 * total_len <= max_object_size and n_chunks <= ceil(max_object_size /
 * c->chunk_size) (FCP_ETOO_LARGE: a sender with smaller chunks can send only
 * smaller payloads, so a manifest never lists more ids than our own
 * chunking of our largest object would); total_len >= 1, chunk_size in
 * 1..max_chunk_threshold and n_chunks == ceil(total_len/chunk_size)
 * (FCP_ERQ_CHUNK otherwise). */
int fcp_chunk_plan_check(const fcp_rq_config *c, const fcp_chunk_plan *p);

/* Byte range of chunk i: [*off, *off + *len).  FCP_EOUT_OF_RANGE if
 * i >= n_chunks. */
int fcp_chunk_span(const fcp_chunk_plan *p, uint32_t i, uint64_t *off, uint32_t *len);

/* payload_hash = BLAKE3(payload) (spec Appendix B). */
void fcp_chunk_payload_hash(uint8_t out[FCP_CHUNK_HASH_BYTES], const uint8_t *payload, size_t len);

/* ---- reassembly ------------------------------------------------------------ */

typedef struct fcp_chunk_assembler {
    fcp_chunk_plan plan;
    uint8_t        payload_hash[FCP_CHUNK_HASH_BYTES];
    uint8_t       *buf;     /* total_len bytes */
    uint8_t       *have;    /* one flag per chunk */
    uint32_t       n_have;
    int            verified;
} fcp_chunk_assembler;

/* Start reassembling a payload described by a manifest's plan and hash.
 * The plan is checked with fcp_chunk_plan_check before total_len bytes are
 * allocated.  0, its errors, or FCP_ENOMEM.  Free with
 * fcp_chunk_assembler_free (also after an error). */
int fcp_chunk_assembler_init(fcp_chunk_assembler *a, const fcp_rq_config *c,
                             const fcp_chunk_plan *plan,
                             const uint8_t payload_hash[FCP_CHUNK_HASH_BYTES]);

/* Add chunk i (its bytes, already verified against the manifest's chunk id by
 * the caller, see fcp_raw_chunk_verify).  Chunks may come in any order; a
 * repeat of an identical chunk is ignored.  0, FCP_EOUT_OF_RANGE (i >=
 * n_chunks), FCP_ERQ_CHUNK (wrong length, or different bytes for a chunk
 * already added). */
int fcp_chunk_assembler_add(fcp_chunk_assembler *a, uint32_t i, const uint8_t *bytes, size_t len);

/* Number of chunks still missing. */
uint32_t fcp_chunk_assembler_missing(const fcp_chunk_assembler *a);

/* Once every chunk is in: check BLAKE3(payload) == payload_hash and give the
 * payload (valid until free).  FCP_ERQ_NEED_MORE (chunks missing) or
 * FCP_ERQ_PAYLOAD_HASH. */
int fcp_chunk_assembler_finish(fcp_chunk_assembler *a, const uint8_t **payload, size_t *len);

void fcp_chunk_assembler_free(fcp_chunk_assembler *a);

/* ---- RawChunk and ChunkedObjectManifest objects (decision D-RQ-4) -------- */
/*
 * Both are ordinary FCP objects: an ObjectHeader (model_object.h) plus a
 * schema-prefixed canonical CBOR body (spec §3.5); the header is not repeated
 * inside the body.  ObjectId = fcp_object_derive_id(header, body, key).
 *
 *   RawChunk               schema fcp.core:RawChunk@1.0.0
 *     body CBOR  { "bytes": bstr }
 *   ChunkedObjectManifest  schema fcp.core:ChunkedObjectManifest@1.0.0
 *     body CBOR  { "total_len": uint, "chunk_size": uint,
 *                  "chunks": [+ bstr .size 32], "payload_hash": bstr .size 32 }
 *
 * (canonical key order is bytewise over the encoded keys, so shorter keys
 * first: "chunks", "total_len", "chunk_size", "payload_hash".)
 */

struct fcp_buf;
struct fcp_object_header;
struct fcp_schema_id;
struct fcp_object_id_key;

void fcp_raw_chunk_schema(struct fcp_schema_id *s);
void fcp_chunk_manifest_schema(struct fcp_schema_id *s);

/* Append the schema-prefixed body of a RawChunk holding bytes[0..len). */
int fcp_raw_chunk_body_encode(const uint8_t *bytes, size_t len, struct fcp_buf *out);

/* Parse a RawChunk body strictly; *bytes / *len point into body.
 * FCP_ESCHEMA_MISMATCH, FCP_ECBOR_*, FCP_EMISSING_FIELD, FCP_EUNKNOWN_FIELD,
 * FCP_ETOO_LARGE (more than max_len bytes). */
int fcp_raw_chunk_body_decode(const uint8_t *body, size_t body_len, size_t max_len,
                              const uint8_t **bytes, size_t *len);

/* Check that (header, body) is a RawChunk whose ObjectId under key equals
 * want_id, and give its bytes.  FCP_ESCHEMA_MISMATCH (header schema is not
 * RawChunk), body errors, FCP_ERQ_CHUNK (id mismatch). */
int fcp_raw_chunk_verify(const struct fcp_object_header *h, const uint8_t *body, size_t body_len,
                         const struct fcp_object_id_key *key,
                         const uint8_t want_id[32], size_t max_len,
                         const uint8_t **bytes, size_t *len);

/* A manifest body.  Chunk id i is at chunks + i * stride: after decoding,
 * chunks points into the body (stride 34: each id keeps its 2-byte CBOR
 * head); when encoding, the caller's ids are usually packed (stride 32; 0
 * also means 32).  Use fcp_chunk_manifest_id rather than indexing. */
typedef struct fcp_chunk_manifest {
    fcp_chunk_plan plan;
    const uint8_t *chunks;
    size_t         stride;
    uint8_t        payload_hash[FCP_CHUNK_HASH_BYTES];
} fcp_chunk_manifest;

/* The 32-byte id of chunk i, or NULL if i >= n_chunks. */
const uint8_t *fcp_chunk_manifest_id(const fcp_chunk_manifest *m, uint32_t i);

int fcp_chunk_manifest_body_encode(const fcp_chunk_manifest *m, struct fcp_buf *out);

/* Strict decode; the plan is checked with fcp_chunk_plan_check under c
 * before any chunk id is looked at.  Errors: FCP_ESCHEMA_MISMATCH,
 * FCP_ECBOR_*, FCP_EMISSING_FIELD, FCP_EUNKNOWN_FIELD, FCP_EOBJECT (id or
 * hash not 32 bytes), FCP_ETOO_LARGE, FCP_ERQ_CHUNK. */
int fcp_chunk_manifest_body_decode(const fcp_rq_config *c, const uint8_t *body, size_t body_len,
                                   fcp_chunk_manifest *m);

/* Split payload into RawChunk objects and their manifest, all under header
 * template h (its schema is replaced by each object's own schema).  For each
 * chunk i, emit(ctx, i, chunk_header, body, body_len, id) is called in order;
 * then the manifest body is appended to manifest_body and its id written to
 * manifest_id.  Requires fcp_rq_config_requires_chunking(c, len) unless
 * force is non-zero.  0, FCP_EINVAL, FCP_ETOO_LARGE, emit's non-zero
 * return, model/CBOR errors, FCP_ENOMEM. */
typedef int (*fcp_chunk_emit_fn)(void *ctx, uint32_t i, const struct fcp_object_header *h,
                                 const uint8_t *body, size_t body_len, const uint8_t id[32]);
int fcp_chunked_split(const fcp_rq_config *c, const struct fcp_object_header *h,
                      const struct fcp_object_id_key *key, const uint8_t *payload, size_t len,
                      int force, fcp_chunk_emit_fn emit, void *ctx,
                      struct fcp_buf *manifest_body, uint8_t manifest_id[32]);

#endif
