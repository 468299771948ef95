/*
 * toml.h - a strict parser for the subset of TOML 1.0 that fcpd.toml and
 * connector manifest.toml use, plus a typed, schema-checked reader.
 *
 * Accepted: tables, arrays of tables, dotted / bare / quoted keys, basic and
 * literal strings (single- and multi-line, every TOML 1.0 escape), integers
 * (decimal, 0x / 0o / 0b, underscores between digits), floats (incl. inf and
 * nan), booleans, arrays (mixed types allowed, as in TOML 1.0), inline
 * tables, comments.  Refused with FCP_ETOML_DATETIME: offset/local date-times,
 * dates and times (D-TOML-1: no configuration value needs them).
 *
 * Strict: every TOML 1.0 rule is enforced (duplicate keys, table
 * redefinition, extending inline tables or static arrays, invalid escapes,
 * leading zeros, misplaced underscores, control characters, bare CR, invalid
 * UTF-8, text after a value).  An error names the file, line and column and
 * what was wrong:  "fcpd.toml:12:17: duplicate key 'limits.max_peers'
 * (first defined at line 9)".
 *
 * Bounded: input size, nesting depth of arrays / inline tables, number of
 * nodes, key parts and key length all have limits (fcp_toml_limits); the
 * parser recurses only into nested arrays and inline tables, so stack use
 * is bounded by max_depth.
 *
 * The parsed document is an immutable tree owned by the fcp_toml_doc; every
 * node pointer stays valid until fcp_toml_free.  Tables keep their keys in
 * document order.  Strings are stored with their length (a "\u0000" escape
 * may put a NUL inside) and also NUL-terminated for convenience.
 */
#ifndef FCP_TOML_H
#define FCP_TOML_H

#include <stddef.h>
#include <stdint.h>

typedef enum fcp_toml_type {
    FCP_TOML_TABLE = 1,
    FCP_TOML_ARRAY,
    FCP_TOML_STRING,
    FCP_TOML_INTEGER,
    FCP_TOML_FLOAT,
    FCP_TOML_BOOL,
} fcp_toml_type;

typedef struct fcp_toml_doc fcp_toml_doc;
typedef struct fcp_toml_node fcp_toml_node;

typedef struct fcp_toml_limits {
    size_t   max_input;      /* bytes of TOML text (default 1 MiB) */
    unsigned max_depth;      /* nesting of arrays / inline tables (default 32) */
    size_t   max_nodes;      /* tables + arrays + values (default 65536) */
    unsigned max_key_parts;  /* parts in one dotted key or header (default 32) */
    size_t   max_key_len;    /* bytes in one key part (default 1024) */
} fcp_toml_limits;

#define FCP_TOML_ERROR_MSG_MAX 320

/* Where and why parsing or checking failed.  msg is a complete sentence for
 * a person: "<name>:<line>:<col>: <what>" for syntax errors,
 * "<name>:<line>: key '<path>' ..." for schema errors. */
typedef struct fcp_toml_error {
    int      code;            /* FCP_ETOML_* / FCP_ECONFIG_* (or 0) */
    uint32_t line, col;       /* 1-based; 0 when not tied to a place */
    char     msg[FCP_TOML_ERROR_MSG_MAX];
} fcp_toml_error;

/* Fill l with the defaults listed above. */
void fcp_toml_limits_default(fcp_toml_limits *l);

/* Parse text[0..len) (which need not be NUL-terminated).  name is used in
 * messages only ("fcpd.toml"; NULL means "<input>") and is copied.  lim NULL
 * means the defaults.  On success *out is a new document (free with
 * fcp_toml_free) and 0 is returned; on failure *out is NULL, err (if not
 * NULL) says why, and the negative FCP_ETOML_* code is returned
 * (FCP_ENOMEM when memory runs out). */
int fcp_toml_parse(fcp_toml_doc **out, const char *name, const char *text, size_t len,
                   const fcp_toml_limits *lim, fcp_toml_error *err);

/* Free a document and every node in it.  NULL is allowed. */
void fcp_toml_free(fcp_toml_doc *doc);

/* The root table; never NULL for a parsed document. */
const fcp_toml_node *fcp_toml_root(const fcp_toml_doc *doc);
/* The name given to fcp_toml_parse. */
const char *fcp_toml_doc_name(const fcp_toml_doc *doc);

fcp_toml_type fcp_toml_type_of(const fcp_toml_node *n);
/* "a table", "an array", "a string", "an integer", "a float", "a boolean". */
const char *fcp_toml_type_name(fcp_toml_type t);
/* Line and column where the node was defined (its key, or its header). */
uint32_t fcp_toml_line(const fcp_toml_node *n);
uint32_t fcp_toml_col(const fcp_toml_node *n);

/* Write the node's full key path into buf ("limits.max_peers",
 * "peers[1].address", quoted parts as "a.\"b c\""; the root is "").
 * Always NUL-terminates when buflen > 0; truncates with "..." if needed.
 * Returns buf. */
const char *fcp_toml_path(const fcp_toml_node *n, char *buf, size_t buflen);

/* ---- tables ---------------------------------------------------------- */

/* Number of keys in table t (0 if t is not a table). */
size_t fcp_toml_table_len(const fcp_toml_node *t);
/* The i-th key (document order) and its value; NULL if out of range.
 * *key_len (if not NULL) receives the key's length. */
const fcp_toml_node *fcp_toml_table_at(const fcp_toml_node *t, size_t i, const char **key,
                                       size_t *key_len);
/* Value under one key (not a dotted path); NULL if absent or t not a table. */
const fcp_toml_node *fcp_toml_table_get(const fcp_toml_node *t, const char *key);

/* ---- arrays ---------------------------------------------------------- */

size_t fcp_toml_array_len(const fcp_toml_node *a);
const fcp_toml_node *fcp_toml_array_at(const fcp_toml_node *a, size_t i);

/* ---- scalar values ----------------------------------------------------
 * Each returns 0, or FCP_ETOML_WRONG_TYPE if n is not of that type (nothing
 * written).  No conversions: an integer is not a float. */
int fcp_toml_int(const fcp_toml_node *n, int64_t *v);
int fcp_toml_float(const fcp_toml_node *n, double *v);
int fcp_toml_bool(const fcp_toml_node *n, int *v);
int fcp_toml_string(const fcp_toml_node *n, const char **s, size_t *len);

/* ---- schema checks ------------------------------------------------------ */

/* One allowed key of a table.  type 0 means "any type". */
typedef struct fcp_toml_field {
    const char   *key;
    fcp_toml_type type;
    int           required;
} fcp_toml_field;

/* Check table t against fields[0..n): every key present must be listed
 * (FCP_ETOML_UNKNOWN_KEY), have the listed type (FCP_ETOML_WRONG_TYPE), and
 * every required key must be present (FCP_ETOML_MISSING_KEY).  Keys are
 * checked in document order and the first problem is reported, e.g.
 * "fcpd.toml:12: key 'limits.max_peers' must be an integer, got a string".
 * t must be a table (FCP_ETOML_WRONG_TYPE otherwise). */
int fcp_toml_check_table(const fcp_toml_doc *doc, const fcp_toml_node *t,
                         const fcp_toml_field *fields, size_t n, fcp_toml_error *err);

/* Typed getters on table t that report problems like fcp_toml_check_table.
 * Return 1 if the key is absent (*v untouched), 0 if present and valid, or
 * a negative error: FCP_ETOML_WRONG_TYPE, FCP_ETOML_RANGE (outside
 * [min, max], or for strings a length outside [min_len, max_len] or an
 * embedded NUL). */
int fcp_toml_get_int(const fcp_toml_doc *doc, const fcp_toml_node *t, const char *key,
                     int64_t min, int64_t max, int64_t *v, fcp_toml_error *err);
int fcp_toml_get_bool(const fcp_toml_doc *doc, const fcp_toml_node *t, const char *key, int *v,
                      fcp_toml_error *err);
int fcp_toml_get_string(const fcp_toml_doc *doc, const fcp_toml_node *t, const char *key,
                        size_t min_len, size_t max_len, const char **v, fcp_toml_error *err);

/* Record an error about node `at` (may be NULL) in err:
 * msg = "<doc name>:<line>: " + the formatted text.  Returns code, so a
 * caller can write `return fcp_toml_fail(err, doc, n, FCP_ECONFIG_PEER, ...)`. */
int fcp_toml_fail(fcp_toml_error *err, const fcp_toml_doc *doc, const fcp_toml_node *at, int code,
                  const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

#endif
