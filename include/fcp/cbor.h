/*
 * cbor.h - deterministic CBOR (spec §3.5, RFC 8949 §4.2.1 "core deterministic
 * encoding"): the one encoding every FCP object, frame payload and signature
 * input is built from.
 *
 * Three parts:
 *
 *  - An encoder that appends to an fcp_buf and can only produce canonical
 *    bytes: every head is in shortest form, floats take the shortest exact
 *    width, and maps built with fcp_cbor_map_open/fcp_cbor_map_close are
 *    sorted bytewise by encoded key (duplicates are refused).
 *
 *  - A strict cursor decoder over a caller byte range.  It accepts only
 *    canonical input (no indefinite lengths, no non-shortest heads, map keys
 *    strictly increasing bytewise, no NaN, no -0.0, shortest floats, valid
 *    UTF-8 text) and checks every length against the remaining input and the
 *    caller's limits before using it.  Byte and text strings are returned
 *    zero-copy, pointing into the input.  Floats, tags and simple values other
 *    than false/true/null are refused unless the limits allow them (a schema
 *    decides where they may appear).
 *
 *  - Diagnostics: a lenient parse to a small tree (accepts any well-formed
 *    CBOR, including indefinite lengths), RFC 8949 §8 diagnostic notation, and
 *    fcp_cbor_validate_ex, which says whether bytes are canonical and if not
 *    which rule failed at which byte offset.
 *
 * All functions return 0 (or a documented non-negative value) on success and a
 * negative FCP_ECBOR_* / FCP_E* code from fcp/error.h on failure.  Both the
 * encoder and the decoder keep their first error (sticky): after a failure
 * every later call returns the same error, so callers may check once at the end.
 */
#ifndef FCP_CBOR_H
#define FCP_CBOR_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"

/* CBOR major types (RFC 8949 §3.1). */
enum fcp_cbor_major {
    FCP_CBOR_UINT   = 0,
    FCP_CBOR_NEGINT = 1,
    FCP_CBOR_BYTES  = 2,
    FCP_CBOR_TEXT   = 3,
    FCP_CBOR_ARRAY  = 4,
    FCP_CBOR_MAP    = 5,
    FCP_CBOR_TAG    = 6,
    FCP_CBOR_SIMPLE = 7   /* false, true, null, undefined, simple(n), floats */
};

/* Simple values (major type 7) that have names. */
#define FCP_CBOR_FALSE     20
#define FCP_CBOR_TRUE      21
#define FCP_CBOR_NULL      22
#define FCP_CBOR_UNDEFINED 23

/* Largest encoded head: initial byte + 8-byte argument. */
#define FCP_CBOR_HEAD_MAX 9

/* ------------------------------------------------------------------------ */
/* Limits                                                                    */
/* ------------------------------------------------------------------------ */

/* Flags in fcp_cbor_limits.allow. */
#define FCP_CBOR_ALLOW_FLOAT  0x01u  /* major 7 floats (never NaN, never -0.0) */
#define FCP_CBOR_ALLOW_TAG    0x02u  /* major 6 tags (content not interpreted) */
#define FCP_CBOR_ALLOW_SIMPLE 0x04u  /* undefined and simple(0..19, 32..255) */
#define FCP_CBOR_ALLOW_ALL    0x07u

/* Hard ceiling on max_depth: the decoder keeps one fixed frame per level. */
#define FCP_CBOR_DEPTH_CAP         64
#define FCP_CBOR_DEFAULT_DEPTH     32
#define FCP_CBOR_DEFAULT_ITEMS     (1u << 20)           /* per container */
#define FCP_CBOR_DEFAULT_INPUT     ((size_t)64 << 20)   /* 64 MiB */

typedef struct fcp_cbor_limits {
    uint32_t max_depth;  /* open arrays/maps/tags around an item; <= FCP_CBOR_DEPTH_CAP */
    uint64_t max_items;  /* elements of one array, entries (pairs) of one map */
    size_t   max_input;  /* bytes given to one decoder or validation */
    unsigned allow;      /* FCP_CBOR_ALLOW_* bits; 0 = strict FCP default */
} fcp_cbor_limits;

/* The defaults: depth 32, 2^20 items per container, 64 MiB input, no floats,
 * no tags, no simple values besides false/true/null.  Passing NULL wherever a
 * const fcp_cbor_limits * is taken means these. */
extern const fcp_cbor_limits fcp_cbor_limits_default;

/* ------------------------------------------------------------------------ */
/* Encoder                                                                   */
/* ------------------------------------------------------------------------ */

/* One open sorting-map frame (internal to the encoder). */
typedef struct fcp_cbor_map_frame {
    size_t start;      /* offset in out of the map's placeholder head byte */
    size_t first_ent;  /* index in ents of this map's first entry */
} fcp_cbor_map_frame;

/* One entry of an open sorting map (internal to the encoder). */
typedef struct fcp_cbor_map_ent {
    size_t key;        /* offset of the key in out */
    size_t val;        /* offset of the value (= end of key) */
    size_t end;        /* offset just past the value */
} fcp_cbor_map_ent;

typedef struct fcp_cbor_enc {
    fcp_buf *out;
    int      err;                     /* first error; sticky */
    /* sorting-map builder state: a growable offset stack, reused across maps */
    fcp_cbor_map_frame *frames;
    size_t   nframes, cframes;
    fcp_cbor_map_ent *ents;
    size_t   nents, cents;
    uint8_t *scratch;                 /* body copy used when sorting */
    size_t   cscratch;
} fcp_cbor_enc;

/* Start encoding, appending to *out (which the caller owns and keeps alive).
 * Never fails.  Call fcp_cbor_enc_free when done (frees only builder scratch). */
void fcp_cbor_enc_init(fcp_cbor_enc *enc, fcp_buf *out);
/* Free the map builder's scratch memory; *out is untouched. */
void fcp_cbor_enc_free(fcp_cbor_enc *enc);
/* First error seen by the encoder or its buffer (0 if none).  Also fails with
 * FCP_ECBOR_COUNT if a sorting map is still open. */
int fcp_cbor_enc_finish(fcp_cbor_enc *enc);

/* Append a head (major type + argument) in shortest form.  Used by all the
 * put functions; exposed for framing a byte string whose contents the
 * caller appends itself (put_head(BYTES, n) then n raw bytes). */
int fcp_cbor_put_head(fcp_cbor_enc *enc, unsigned major, uint64_t arg);
int fcp_cbor_put_uint(fcp_cbor_enc *enc, uint64_t v);
/* Any int64; negative values use major type 1. */
int fcp_cbor_put_int(fcp_cbor_enc *enc, int64_t v);
/* The negative integer -1 - arg (reaches -2^64, below int64). */
int fcp_cbor_put_negint_raw(fcp_cbor_enc *enc, uint64_t arg);
int fcp_cbor_put_bytes(fcp_cbor_enc *enc, const void *p, size_t n);
/* Text string; fails with FCP_ECBOR_UTF8 (nothing appended) if p is not UTF-8. */
int fcp_cbor_put_text(fcp_cbor_enc *enc, const char *p, size_t n);
/* NUL-terminated text string. */
int fcp_cbor_put_cstr(fcp_cbor_enc *enc, const char *s);
int fcp_cbor_put_bool(fcp_cbor_enc *enc, int v);
int fcp_cbor_put_null(fcp_cbor_enc *enc);
/* Simple value v (0..19 or 32..255 besides the named ones); 24..31 fail
 * with FCP_EINVAL. */
int fcp_cbor_put_simple(fcp_cbor_enc *enc, unsigned v);
/* Tag head; the caller then puts exactly one item (the tag content). */
int fcp_cbor_put_tag(fcp_cbor_enc *enc, uint64_t tag);
/* Shortest of half/single/double that represents v exactly (RFC 8949
 * §4.2.1/§4.2.2).  -0.0 is written as +0.0 (f90000), as the reference
 * implementation does (decision D-CBOR-1).  NaN fails with FCP_ECBOR_NAN. */
int fcp_cbor_put_float(fcp_cbor_enc *enc, double v);
/* Array / map heads with a definite count; the caller then puts n items
 * (array) or n key/value pairs already in canonical key order (map). */
int fcp_cbor_put_array(fcp_cbor_enc *enc, uint64_t n);
int fcp_cbor_put_map(fcp_cbor_enc *enc, uint64_t n);
/* Append bytes that already are one or more complete canonical items (for
 * example a value returned by fcp_cbor_get_raw).  Not checked. */
int fcp_cbor_put_raw(fcp_cbor_enc *enc, const void *p, size_t n);

/* One map entry with a text key: key then value.  Like every put, an
 * error is sticky, so callers may ignore these and check at the end. */
int fcp_cbor_put_kv_text(fcp_cbor_enc *enc, const char *key, const char *v);
int fcp_cbor_put_kv_uint(fcp_cbor_enc *enc, const char *key, uint64_t v);
int fcp_cbor_put_kv_bytes(fcp_cbor_enc *enc, const char *key, const void *p, size_t n);
/* fcp_cbor_enc_finish then fcp_cbor_enc_free; returns the finish result. */
int fcp_cbor_enc_done(fcp_cbor_enc *enc);

/* Sorting map builder.  After map_open, put key, value, key, value, ... in
 * any order (values may be nested sorting maps); map_close writes the head
 * with the entry count and reorders the entries bytewise by encoded key
 * (RFC 8949 §4.2.1).  Errors at close: FCP_ECBOR_DUPLICATE_KEY (two equal
 * encoded keys), FCP_ECBOR_COUNT (odd number of items, or no map open),
 * FCP_ECBOR_TRUNCATED (an entry's value is incomplete, e.g. an array head
 * without all its items).  Per entry the builder records three offsets on a
 * reused growable stack; no other allocation besides a reused scratch copy
 * of the body when the entries need reordering. */
int fcp_cbor_map_open(fcp_cbor_enc *enc);
int fcp_cbor_map_close(fcp_cbor_enc *enc);

/* ------------------------------------------------------------------------ */
/* Strict decoder                                                            */
/* ------------------------------------------------------------------------ */

/* One open container in the decoder (internal). */
typedef struct fcp_cbor_dec_frame {
    uint64_t       remaining;   /* items left (a map counts 2 per entry) */
    const uint8_t *prev_key;    /* previous key's encoded bytes (maps) */
    size_t         prev_len;
    int            is_map;
} fcp_cbor_dec_frame;

typedef struct fcp_cbor_dec {
    const uint8_t  *p;          /* next unread byte */
    const uint8_t  *start;
    const uint8_t  *end;
    fcp_cbor_limits lim;
    int             err;        /* first error; sticky */
    size_t          key_len;    /* encoded length of the key being read */
    uint32_t        depth;      /* open containers (a tag counts as a one-item
                                   container); frame[0] is the top level */
    fcp_cbor_dec_frame frame[FCP_CBOR_DEPTH_CAP + 1];
} fcp_cbor_dec;

/* Start decoding exactly one item from p[0..n).  lim NULL = defaults.  Input
 * longer than lim->max_input makes every call fail with FCP_ECBOR_TOO_LARGE. */
void fcp_cbor_dec_init(fcp_cbor_dec *dec, const void *p, size_t n, const fcp_cbor_limits *lim);
/* Offset of the next unread byte from the start of the input. */
size_t fcp_cbor_dec_offset(const fcp_cbor_dec *dec);
/* 0 if the one top-level item was fully read and nothing follows;
 * FCP_ECBOR_TRAILING if bytes remain after it; FCP_ECBOR_COUNT if the item
 * (or a container in it) was not fully read; or the sticky error. */
int fcp_cbor_dec_finish(fcp_cbor_dec *dec);

/* Major type of the next item, without consuming it.  Checks the head
 * (reserved values, indefinite lengths) but not the item's body. */
int fcp_cbor_peek(fcp_cbor_dec *dec, unsigned *major);
/* 1 if the next item is null, 0 if it is something else, or an error. */
int fcp_cbor_is_null(fcp_cbor_dec *dec);

/* Each get_* consumes one item of the named type, or fails (consuming
 * nothing) with FCP_ECBOR_TYPE if the next item has another type. */
int fcp_cbor_get_uint(fcp_cbor_dec *dec, uint64_t *v);
/* Major 0 or 1; FCP_ECBOR_INT_RANGE if outside int64. */
int fcp_cbor_get_int(fcp_cbor_dec *dec, int64_t *v);
/* Any integer: *neg = 0 for v, 1 for -1 - v. */
int fcp_cbor_get_int_raw(fcp_cbor_dec *dec, int *neg, uint64_t *v);
/* Zero-copy: *p points into the input, valid while the input is. */
int fcp_cbor_get_bytes(fcp_cbor_dec *dec, const uint8_t **p, size_t *n);
/* Zero-copy, validated UTF-8 (not NUL-terminated). */
int fcp_cbor_get_text(fcp_cbor_dec *dec, const char **p, size_t *n);
int fcp_cbor_get_bool(fcp_cbor_dec *dec, int *v);
int fcp_cbor_get_null(fcp_cbor_dec *dec);
/* Needs FCP_CBOR_ALLOW_SIMPLE for values other than false/true/null. */
int fcp_cbor_get_simple(fcp_cbor_dec *dec, unsigned *v);
/* Needs FCP_CBOR_ALLOW_FLOAT. */
int fcp_cbor_get_float(fcp_cbor_dec *dec, double *v);
/* Needs FCP_CBOR_ALLOW_TAG.  The tag's content is the next item read. */
int fcp_cbor_get_tag(fcp_cbor_dec *dec, uint64_t *tag);
/* Container heads: the next *n items (array) or *n key/value pairs (map)
 * belong to the container.  Map keys are checked as they are read: each
 * key's encoded bytes must sort strictly after the previous key's
 * (FCP_ECBOR_UNSORTED_KEYS, FCP_ECBOR_DUPLICATE_KEY), whichever get_*,
 * skip or get_raw reads them. */
int fcp_cbor_get_array(fcp_cbor_dec *dec, uint64_t *n);
int fcp_cbor_get_map(fcp_cbor_dec *dec, uint64_t *n);
/* Consume one whole item (any type, validated under the limits). */
int fcp_cbor_skip(fcp_cbor_dec *dec);
/* Consume one whole validated item and return its encoded bytes. */
int fcp_cbor_get_raw(fcp_cbor_dec *dec, const uint8_t **p, size_t *n);

/* Map iteration.  Usage:
 *     fcp_cbor_map_iter it;
 *     if ((rc = fcp_cbor_map_begin(dec, &it)) < 0) return rc;
 *     while ((rc = fcp_cbor_map_next_text_key(dec, &it, &k, &klen)) > 0)
 *         ... read the value with a get_* or fcp_cbor_skip ...
 *     if (rc < 0) return rc;
 * next returns 1 with the key consumed (the value is next), 0 when the map
 * has no more entries, or an error.  Order is enforced by the decoder. */
typedef struct fcp_cbor_map_iter {
    uint64_t remaining;          /* entries not yet started */
} fcp_cbor_map_iter;

int fcp_cbor_map_begin(fcp_cbor_dec *dec, fcp_cbor_map_iter *it);
/* Any key type: *key and *klen give the key's encoded bytes. */
int fcp_cbor_map_next_key(fcp_cbor_dec *dec, fcp_cbor_map_iter *it,
                          const uint8_t **key, size_t *klen);
/* Text keys only (FCP_ECBOR_TYPE otherwise): *key is the decoded text. */
int fcp_cbor_map_next_text_key(fcp_cbor_dec *dec, fcp_cbor_map_iter *it,
                               const char **key, size_t *klen);

/* Text-keyed structs whose fields are read in canonical order.
 * fcp_cbor_expect_key: the next key of the map must be the text `name`;
 * consumes it.  FCP_EMISSING_FIELD if the map has no more entries or the
 * next key sorts after name; FCP_EUNKNOWN_FIELD if it sorts before (an
 * entry the caller does not know).
 * fcp_cbor_opt_key: like expect_key, but returns 1 (consumed) when present
 * and 0 (nothing consumed) when absent. */
int fcp_cbor_expect_key(fcp_cbor_dec *dec, fcp_cbor_map_iter *it, const char *name);
int fcp_cbor_opt_key(fcp_cbor_dec *dec, fcp_cbor_map_iter *it, const char *name);
/* 1 if text (k, klen) equals the NUL-terminated s, else 0. */
int fcp_cbor_key_is(const char *k, size_t klen, const char *s);

/* Index of text (k, klen) among names[0..n), or -1. */
int fcp_cbor_key_index(const char *k, size_t klen, const char *const *names, int n);

/* A text-keyed map read entry by entry, for structs whose keys may be
 * absent (the decoder enforces canonical order and refuses duplicates).
 * Opens the map at dec; for each entry finds its key among names[0..n)
 * (n <= 32) and calls field(obj, dec, i), which must read the value of
 * names[i].  A key not in names is FCP_EUNKNOWN_FIELD; a field error is
 * returned as is.  *seen gets bit i for every names[i] present (it is not
 * cleared first), so the caller can then check its required keys. */
typedef int (*fcp_cbor_field_fn)(void *obj, fcp_cbor_dec *dec, int i);
int fcp_cbor_read_fields(fcp_cbor_dec *dec, const char *const *names, int n,
                         fcp_cbor_field_fn field, void *obj, unsigned *seen);

/* A byte string of exactly n bytes, copied to out; another length is
 * len_err (the caller's error space), another type FCP_ECBOR_TYPE. */
int fcp_cbor_get_fixed(fcp_cbor_dec *dec, void *out, size_t n, int len_err);

/* One whole item in p[0..n), strictly canonical under lim (NULL = defaults),
 * nothing trailing.  fcp_cbor_validate_ex also reports the byte offset where
 * the first violation was found (the head of the offending item, or n for
 * truncation); *offset is left unchanged on success. */
int fcp_cbor_validate(const void *p, size_t n, const fcp_cbor_limits *lim);
int fcp_cbor_validate_ex(const void *p, size_t n, const fcp_cbor_limits *lim, size_t *offset);

/* Short name of the deterministic-encoding rule an error code stands for
 * ("non-shortest head", "unsorted map keys", ...); "malformed" for codes
 * outside the CBOR block. */
const char *fcp_cbor_rule_name(int err);

/* ------------------------------------------------------------------------ */
/* Tree form and diagnostic notation                                        */
/* ------------------------------------------------------------------------ */

typedef struct fcp_cbor_item {
    uint8_t  major;          /* FCP_CBOR_* */
    uint8_t  indefinite;     /* 1 for (_ ...) strings and containers */
    uint8_t  is_float;       /* major 7 float; value in f */
    uint8_t  float_bytes;    /* 2, 4 or 8 when is_float */
    uint64_t arg;            /* uint value, -1-n argument, tag, simple value, length/count */
    double   f;
    const uint8_t *ptr;      /* definite byte/text string contents (into the input) */
    size_t   len;
    struct fcp_cbor_item *child;  /* array: nchild items; map: key,value,...; tag: 1;
                                     indefinite string: its chunks */
    size_t   nchild;
    size_t   offset;         /* byte offset of the item's head in the input */
} fcp_cbor_item;

typedef struct fcp_cbor_tree {
    fcp_cbor_item *root;     /* NULL until parsed */
    fcp_cbor_item *nodes;    /* one allocation holding every item */
    size_t         count;
} fcp_cbor_tree;

/* Parse one well-formed item (canonical or not: indefinite lengths,
 * non-shortest heads, unsorted keys, any float, tag or simple value are all
 * accepted) from p[0..n) into a tree pointing into p.  Depth is bounded by
 * FCP_CBOR_DEPTH_CAP; trailing bytes fail with FCP_ECBOR_TRAILING.  Caller
 * frees with fcp_cbor_tree_free (also safe after a failure). */
int fcp_cbor_tree_parse(fcp_cbor_tree *t, const void *p, size_t n);
void fcp_cbor_tree_free(fcp_cbor_tree *t);
/* Encode an item canonically (maps sorted, shortest heads, definite lengths,
 * indefinite strings joined).  Fails with FCP_ECBOR_NAN, _DUPLICATE_KEY or
 * _UTF8 when the value has no canonical form. */
int fcp_cbor_tree_encode(const fcp_cbor_item *it, fcp_cbor_enc *enc);

/* Append RFC 8949 §8 diagnostic notation of the one well-formed item in
 * p[0..n) to *out (not NUL-terminated).  Byte strings print as h'..',
 * indefinite items with "_", floats as shortest round-trip decimals with
 * NaN/Infinity/-Infinity.  Errors as for fcp_cbor_tree_parse. */
int fcp_cbor_diag(const void *p, size_t n, fcp_buf *out);
/* Same for an already parsed item. */
int fcp_cbor_diag_item(const fcp_cbor_item *it, fcp_buf *out);

/* Validate that p[0..n) is UTF-8 (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF).  1 if valid, else 0. */
int fcp_utf8_valid(const uint8_t *p, size_t n);

#endif
