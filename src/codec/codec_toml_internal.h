/*
 * codec_toml_internal.h - the node and document layout shared by the TOML
 * parser (codec_toml.c) and the reader / schema helpers (codec_toml_read.c).
 * Not installed; nothing outside src/codec/codec_toml*.c includes it.
 */
#ifndef FCP_CODEC_TOML_INTERNAL_H
#define FCP_CODEC_TOML_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/toml.h"

/* Node flags: how a table or array came to exist (TOML 1.0 redefinition rules). */
#define TN_HDR_IMPLICIT 0x01u  /* table created as an intermediate of a [header] path */
#define TN_EXPLICIT     0x02u  /* table defined by [header] or [[header]] */
#define TN_DOTTED       0x04u  /* table created by a dotted key */
#define TN_FROZEN       0x08u  /* inline table (or inside one) or static array: closed */
#define TN_AOT          0x10u  /* array created by [[header]] */

struct fcp_toml_node {
    fcp_toml_type type;
    unsigned      flags;
    uint32_t      line, col;
    struct fcp_toml_node *parent;   /* NULL for the root */
    size_t        index;            /* position in the parent (key index or array index) */
    /* table: keys[i] / klen[i] -> kids[i]; array: kids[i] */
    size_t        n, cap;
    struct fcp_toml_node **kids;
    char        **keys;
    size_t       *klen;
    /* scalars */
    int64_t       i;
    double        f;
    int           b;
    char         *s;
    size_t        slen;
};

struct fcp_toml_doc {
    char            *name;
    fcp_toml_node   *root;
    fcp_toml_node  **all;           /* every node, for freeing */
    size_t           n_all, cap_all;
    /* (parent, key) -> child index: open addressing, power-of-two size */
    struct toml_slot { const fcp_toml_node *parent; uint32_t idx; uint32_t used; uint64_t h; } *slots;
    size_t           n_slots, used_slots;
};

/* Find key[0..klen) in table t; returns its index or -1. */
long fcp_toml__find(const fcp_toml_doc *doc, const fcp_toml_node *t, const char *key, size_t klen);

#endif
