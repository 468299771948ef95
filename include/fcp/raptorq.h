/*
 * raptorq.h - RFC 6330 RaptorQ forward error correction (spec §4, §20).
 *
 * Three levels, each usable on its own:
 *
 *   1. Wire formats: the 12-byte Object Transmission Information (OTI,
 *      RFC 6330 §3.3.2/§3.3.3) and the 4-byte FEC Payload ID (SBN, ESI,
 *      RFC 6330 §3.2), plus the partitioning of an object into source blocks
 *      and sub-blocks (RFC 6330 §4.4.1).
 *   2. One source block: fcp_rq_encoder (any encoding symbol by ESI) and
 *      fcp_rq_block_decoder (incremental, any order).
 *   3. A whole object: fcp_rq_object_encoder and fcp_rq_decoder, which apply
 *      the partitioning and the sub-block interleaving (RFC 6330 §4.4.1.2) so
 *      the symbols are exactly those of any conforming RFC 6330 sender.
 *
 * Symbols are bit-identical with RFC 6330: the intermediate symbols of a
 * block are unique, so any correct solver produces the same repair symbols.
 *
 * Nothing here allocates from a count read off the wire before checking it
 * against the caller's fcp_rq_limits; every decoder input error is a return
 * code, never a crash.  Objects are not thread-safe; distinct objects may be
 * used from distinct threads (the shared K' plan cache is locked).
 */
#ifndef FCP_RAPTORQ_H
#define FCP_RAPTORQ_H

#include <stddef.h>
#include <stdint.h>

#define FCP_RQ_OTI_BYTES        12          /* common (8) + scheme-specific (4) */
#define FCP_RQ_PAYLOAD_ID_BYTES 4           /* SBN (8 bits) + ESI (24 bits) */
#define FCP_RQ_MAX_TRANSFER     946270874880ULL /* RFC 6330 §4.3: max F */
#define FCP_RQ_MAX_K            56403u      /* largest K' (RFC 6330 Table 2) */
#define FCP_RQ_MAX_ESI          0xFFFFFFu   /* ESI is 24 bits */
#define FCP_RQ_MAX_Z            255u        /* Z is an 8-bit field; SBN 0..Z-1 */
#define FCP_RQ_NUM_KPRIME       477u        /* rows of RFC 6330 Table 2 */

/* ------------------------------------------------------------------ */
/* Object Transmission Information (RFC 6330 §3.3)                     */
/* ------------------------------------------------------------------ */

typedef struct fcp_rq_oti {
    uint64_t F;   /* transfer length in bytes, 1..FCP_RQ_MAX_TRANSFER (40-bit field) */
    uint16_t T;   /* symbol size in bytes, >= 1, multiple of Al */
    uint16_t Z;   /* number of source blocks, 1..FCP_RQ_MAX_Z */
    uint16_t N;   /* sub-blocks per source block, 1..T/Al */
    uint8_t  Al;  /* symbol alignment in bytes, >= 1 */
} fcp_rq_oti;

/* Check an OTI for range and consistency: F in 1..FCP_RQ_MAX_TRANSFER,
 * T >= 1, Al >= 1, T % Al == 0, 1 <= N <= T/Al, 1 <= Z <= 255, Z <= Kt and
 * every source block has at most FCP_RQ_MAX_K symbols (Kt = ceil(F/T)).
 * 0 or FCP_ERQ_OTI. */
int fcp_rq_oti_validate(const fcp_rq_oti *oti);

/* Serialise to the 12-byte wire form: F (40 bits) | reserved (8) | T (16) |
 * Z (8) | N (16) | Al (8), big-endian.  Does not validate. */
void fcp_rq_oti_encode(const fcp_rq_oti *oti, uint8_t out[FCP_RQ_OTI_BYTES]);

/* Parse and validate the 12-byte form.  The reserved byte must be zero.
 * 0 or FCP_ERQ_OTI (*oti is then unspecified). */
int fcp_rq_oti_decode(const uint8_t in[FCP_RQ_OTI_BYTES], fcp_rq_oti *oti);

/* Choose Z and N for an object as RFC 6330 §4.3 recommends: F bytes, symbol
 * size T, alignment Al, decoder working-memory budget WS bytes (per block),
 * minimum sub-symbol size SS (sub-symbols are >= SS*Al bytes).  Fills *oti.
 * Typical FCP values: T = 1024, Al = 4, SS = 8, WS = 16 MiB.
 * 0, or FCP_ERQ_OTI if no valid partition exists (e.g. F == 0, T % Al != 0,
 * or WS too small for even one symbol per sub-block). */
int fcp_rq_oti_derive(uint64_t F, uint16_t T, uint8_t Al, uint64_t WS, uint16_t SS,
                      fcp_rq_oti *oti);

/* ------------------------------------------------------------------ */
/* FEC Payload ID (RFC 6330 §3.2)                                      */
/* ------------------------------------------------------------------ */

/* 4 bytes: SBN (8 bits) | ESI (24 bits), big-endian.  esi must be
 * <= FCP_RQ_MAX_ESI (higher bits are dropped). */
void fcp_rq_payload_id_encode(uint8_t sbn, uint32_t esi, uint8_t out[FCP_RQ_PAYLOAD_ID_BYTES]);
void fcp_rq_payload_id_decode(const uint8_t in[FCP_RQ_PAYLOAD_ID_BYTES], uint8_t *sbn,
                              uint32_t *esi);

/* ------------------------------------------------------------------ */
/* Partitioning and K' (RFC 6330 §4.4.1.2, §5.6)                       */
/* ------------------------------------------------------------------ */

/* Partition[I, J] (RFC 6330 §4.4.1.2): I items into J parts, JL parts of IL
 * and JS parts of IS, IL = ceil(I/J), IS = floor(I/J).  J must be >= 1. */
typedef struct fcp_rq_part {
    uint64_t IL, IS, JL, JS;
} fcp_rq_part;
fcp_rq_part fcp_rq_partition(uint64_t I, uint64_t J);

/* Layout of an object under an OTI (RFC 6330 §4.4.1.2): Kt source symbols,
 * Z blocks (ZL of KL symbols, then ZS of KS), N sub-blocks per block (NL of
 * TL*Al bytes per sub-symbol, then NS of TS*Al). */
typedef struct fcp_rq_layout {
    uint64_t Kt;
    uint32_t KL, KS, ZL, ZS;
    uint32_t TL, TS, NL, NS;   /* in units of Al */
} fcp_rq_layout;

/* Compute the layout of a validated OTI.  0 or FCP_ERQ_OTI. */
int fcp_rq_layout_of(const fcp_rq_oti *oti, fcp_rq_layout *lay);

/* Number of source symbols in block sbn (0 if sbn >= Z). */
uint32_t fcp_rq_block_symbols(const fcp_rq_layout *lay, uint32_t sbn);

/* Smallest K' >= K from RFC 6330 Table 2, or 0 if K > FCP_RQ_MAX_K or K == 0. */
uint32_t fcp_rq_kprime(uint32_t K);

/* The Table 2 row for K' (exact match), or -1 if K' is not a table value. */
typedef struct fcp_rq_params {
    uint32_t Kp;   /* K' */
    uint32_t J;    /* systematic index J(K') */
    uint32_t S;    /* LDPC symbols */
    uint32_t H;    /* HDPC symbols */
    uint32_t W;    /* LT symbols */
    uint32_t L, P, P1, U, B; /* derived (RFC 6330 §5.3.3.3) */
} fcp_rq_params;
int fcp_rq_params_for(uint32_t Kp, fcp_rq_params *out);

/* ------------------------------------------------------------------ */
/* Limits (admission control)                                          */
/* ------------------------------------------------------------------ */

/* Zero in any field means "library default" (shown in brackets). */
typedef struct fcp_rq_limits {
    uint64_t max_transfer;   /* largest F accepted            [64 MiB] */
    uint64_t max_symbols;    /* symbols buffered per decoder  [K'*2 + 64 per block, 1M total] */
    uint64_t max_memory;     /* bytes of symbol storage+work  [256 MiB] */
} fcp_rq_limits;

/* ------------------------------------------------------------------ */
/* Source-block encoder                                                */
/* ------------------------------------------------------------------ */

typedef struct fcp_rq_encoder fcp_rq_encoder;

/* Build the encoder for one source block of K symbols of T bytes: block
 * holds K*T bytes (the last symbol already zero-padded by the caller).
 * Computes the intermediate symbols (the expensive step).  The block bytes
 * are copied; the caller may free them afterwards.  limits may be NULL.
 * 0, FCP_EINVAL (NULL args), FCP_ERQ_OTI (K == 0, K > FCP_RQ_MAX_K, T == 0),
 * FCP_ERQ_LIMIT, FCP_ENOMEM.  Free with fcp_rq_encoder_free. */
int fcp_rq_encoder_new(fcp_rq_encoder **out, const uint8_t *block, uint32_t K, uint16_t T,
                       const fcp_rq_limits *limits);
void fcp_rq_encoder_free(fcp_rq_encoder *enc);

/* Write encoding symbol esi (T bytes) into out: the source symbol for
 * esi < K, a repair symbol otherwise.  0, FCP_ERQ_ESI (esi > 2^24-1), or
 * FCP_ENOMEM (small-K encoders solve lazily, on the first repair symbol for
 * which that is cheaper; an encoder is therefore not safe for concurrent
 * calls even through this const pointer). */
int fcp_rq_encoder_symbol(const fcp_rq_encoder *enc, uint32_t esi, uint8_t *out);

uint32_t fcp_rq_encoder_K(const fcp_rq_encoder *enc);
uint16_t fcp_rq_encoder_T(const fcp_rq_encoder *enc);

/* ------------------------------------------------------------------ */
/* Source-block decoder                                                */
/* ------------------------------------------------------------------ */

typedef struct fcp_rq_block_decoder fcp_rq_block_decoder;

/* Decoder for one block of K symbols of T bytes.  limits may be NULL.
 * 0, FCP_EINVAL, FCP_ERQ_OTI, FCP_ERQ_LIMIT, FCP_ENOMEM. */
int fcp_rq_block_decoder_new(fcp_rq_block_decoder **out, uint32_t K, uint16_t T,
                             const fcp_rq_limits *limits);
void fcp_rq_block_decoder_free(fcp_rq_block_decoder *dec);

/* Add encoding symbol esi (len must equal T).  Duplicates are ignored.
 * Returns 0 once the block is decoded (also for every later call),
 * FCP_ERQ_NEED_MORE while more symbols are needed, FCP_ERQ_SYMBOL_SIZE,
 * FCP_ERQ_ESI, FCP_ERQ_LIMIT (buffer limit reached before decoding),
 * FCP_ENOMEM. */
int fcp_rq_block_decoder_add(fcp_rq_block_decoder *dec, uint32_t esi, const uint8_t *sym,
                             size_t len);

/* The decoded K*T bytes (valid until free), or NULL if not decoded yet. */
const uint8_t *fcp_rq_block_decoder_data(const fcp_rq_block_decoder *dec);

/* ------------------------------------------------------------------ */
/* Object encoder / decoder                                            */
/* ------------------------------------------------------------------ */

typedef struct fcp_rq_object_encoder fcp_rq_object_encoder;

/* Encode an object of oti->F bytes (data) under a validated OTI.  Source
 * blocks and sub-blocks follow RFC 6330 §4.4.1.2.  limits may be NULL.
 * 0, FCP_EINVAL, FCP_ERQ_OTI, FCP_ERQ_LIMIT, FCP_ENOMEM. */
int fcp_rq_object_encoder_new(fcp_rq_object_encoder **out, const fcp_rq_oti *oti,
                              const uint8_t *data, const fcp_rq_limits *limits);
void fcp_rq_object_encoder_free(fcp_rq_object_encoder *enc);

/* Encoding symbol (sbn, esi) into out (oti.T bytes).
 * 0, FCP_ERQ_ESI (sbn >= Z or esi > 2^24-1). */
int fcp_rq_object_encoder_symbol(const fcp_rq_object_encoder *enc, uint32_t sbn, uint32_t esi,
                                 uint8_t *out);
/* Number of source symbols in block sbn (0 if out of range). */
uint32_t fcp_rq_object_encoder_block_K(const fcp_rq_object_encoder *enc, uint32_t sbn);

typedef struct fcp_rq_decoder fcp_rq_decoder;

/* Incremental object decoder.  oti is validated and oti->F is checked
 * against limits->max_transfer before anything is allocated.
 * 0, FCP_EINVAL, FCP_ERQ_OTI, FCP_ERQ_LIMIT, FCP_ENOMEM. */
int fcp_rq_decoder_new(fcp_rq_decoder **out, const fcp_rq_oti *oti, const fcp_rq_limits *limits);
void fcp_rq_decoder_free(fcp_rq_decoder *dec);

/* Add one encoding symbol, in any order; duplicates are ignored.
 * Returns 0 once the whole object is decoded, FCP_ERQ_NEED_MORE otherwise,
 * or FCP_ERQ_ESI (sbn >= Z or esi > 2^24-1), FCP_ERQ_SYMBOL_SIZE
 * (len != T), FCP_ERQ_LIMIT, FCP_ENOMEM.  Errors leave the decoder usable. */
int fcp_rq_decoder_add(fcp_rq_decoder *dec, uint32_t sbn, uint32_t esi, const uint8_t *sym,
                       size_t len);

/* The object (F bytes) once decoded: *data and *len point into the decoder.
 * 0 or FCP_ERQ_NEED_MORE. */
int fcp_rq_decoder_result(const fcp_rq_decoder *dec, const uint8_t **data, size_t *len);

/* 1 if block sbn is decoded, else 0. */
int fcp_rq_decoder_block_done(const fcp_rq_decoder *dec, uint32_t sbn);

/* Free the library's shared RaptorQ state that is not in use: cached
 * elimination plans (24 MiB in total at most), recycled scratch buffers (at
 * most 128 MiB) and the retained planning arena (at most 32 MiB).  Safe at
 * any time; later calls rebuild them. */
void fcp_rq_release_caches(void);

#endif
