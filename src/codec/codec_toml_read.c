/*
 * codec_toml_read.c - reading a parsed TOML document: accessors, key paths,
 * and the schema helpers that turn "unknown key" and "wrong type" into
 * messages naming the file, line and full key path.
 *
 * Kept apart from the parser so the parser stays about syntax and this file
 * about what a caller is allowed to find in a table.
 */
#include "fcp/toml.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fcp/error.h"
#include "codec_toml_internal.h"

const fcp_toml_node *fcp_toml_root(const fcp_toml_doc *doc) { return doc->root; }
const char *fcp_toml_doc_name(const fcp_toml_doc *doc) { return doc->name; }
fcp_toml_type fcp_toml_type_of(const fcp_toml_node *n) { return n->type; }
uint32_t fcp_toml_line(const fcp_toml_node *n) { return n->line; }
uint32_t fcp_toml_col(const fcp_toml_node *n) { return n->col; }

const char *fcp_toml_type_name(fcp_toml_type t)
{
    switch (t) {
    case FCP_TOML_TABLE: return "a table";
    case FCP_TOML_ARRAY: return "an array";
    case FCP_TOML_STRING: return "a string";
    case FCP_TOML_INTEGER: return "an integer";
    case FCP_TOML_FLOAT: return "a float";
    case FCP_TOML_BOOL: return "a boolean";
    }
    return "a value";
}

static int bare_key(const char *k, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = k[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-'))
            return 0;
    }
    return 1;
}

/* Append s to buf at *o, keeping room for the terminator; sets *full. */
static void put(char *buf, size_t cap, size_t *o, const char *s, size_t n, int *full)
{
    for (size_t i = 0; i < n; i++) {
        if (*o + 1 >= cap) {
            *full = 1;
            return;
        }
        buf[(*o)++] = s[i];
    }
}

#define PATH_MAX_SEGS 48

const char *fcp_toml_path(const fcp_toml_node *n, char *buf, size_t buflen)
{
    if (buflen == 0)
        return buf;
    const fcp_toml_node *segs[PATH_MAX_SEGS];
    size_t ns = 0;
    int cut = 0;
    for (const fcp_toml_node *c = n; c && c->parent; c = c->parent) {
        if (ns == PATH_MAX_SEGS) {
            cut = 1;
            break;
        }
        segs[ns++] = c;
    }
    size_t o = 0;
    int full = 0;
    if (cut)
        put(buf, buflen, &o, "...", 3, &full);
    for (size_t i = ns; i-- > 0 && !full;) {
        const fcp_toml_node *c = segs[i], *p = c->parent;
        if (p->type == FCP_TOML_ARRAY) {
            char ix[32];
            int k = snprintf(ix, sizeof ix, "[%zu]", c->index);
            put(buf, buflen, &o, ix, (size_t)k, &full);
            continue;
        }
        if (o > 0)
            put(buf, buflen, &o, ".", 1, &full);
        const char *k = p->keys[c->index];
        size_t kl = p->klen[c->index];
        if (bare_key(k, kl)) {
            put(buf, buflen, &o, k, kl, &full);
        } else {
            put(buf, buflen, &o, "\"", 1, &full);
            for (size_t j = 0; j < kl && !full; j++) {
                unsigned char ch = (unsigned char)k[j];
                if (ch == '"' || ch == '\\') {
                    char e[2] = { '\\', (char)ch };
                    put(buf, buflen, &o, e, 2, &full);
                } else if (ch < 0x20 || ch == 0x7f) {
                    char e[8];
                    int m = snprintf(e, sizeof e, "\\u%04X", ch);
                    put(buf, buflen, &o, e, (size_t)m, &full);
                } else {
                    put(buf, buflen, &o, (const char *)&ch, 1, &full);
                }
            }
            put(buf, buflen, &o, "\"", 1, &full);
        }
    }
    if (full && buflen > 4) {
        o = buflen - 4;
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o < buflen ? o : buflen - 1] = '\0';
    return buf;
}

size_t fcp_toml_table_len(const fcp_toml_node *t)
{
    return t && t->type == FCP_TOML_TABLE ? t->n : 0;
}

const fcp_toml_node *fcp_toml_table_at(const fcp_toml_node *t, size_t i, const char **key,
                                       size_t *key_len)
{
    if (!t || t->type != FCP_TOML_TABLE || i >= t->n)
        return NULL;
    if (key)
        *key = t->keys[i];
    if (key_len)
        *key_len = t->klen[i];
    return t->kids[i];
}

const fcp_toml_node *fcp_toml_table_get(const fcp_toml_node *t, const char *key)
{
    if (!t || t->type != FCP_TOML_TABLE || !key)
        return NULL;
    /* The index lives in the document; tables are small, and a linear scan
     * here keeps the accessor independent of it. */
    size_t kl = strlen(key);
    for (size_t i = 0; i < t->n; i++)
        if (t->klen[i] == kl && memcmp(t->keys[i], key, kl) == 0)
            return t->kids[i];
    return NULL;
}

size_t fcp_toml_array_len(const fcp_toml_node *a)
{
    return a && a->type == FCP_TOML_ARRAY ? a->n : 0;
}

const fcp_toml_node *fcp_toml_array_at(const fcp_toml_node *a, size_t i)
{
    return a && a->type == FCP_TOML_ARRAY && i < a->n ? a->kids[i] : NULL;
}

int fcp_toml_int(const fcp_toml_node *n, int64_t *v)
{
    if (!n || n->type != FCP_TOML_INTEGER)
        return FCP_ETOML_WRONG_TYPE;
    *v = n->i;
    return 0;
}

int fcp_toml_float(const fcp_toml_node *n, double *v)
{
    if (!n || n->type != FCP_TOML_FLOAT)
        return FCP_ETOML_WRONG_TYPE;
    *v = n->f;
    return 0;
}

int fcp_toml_bool(const fcp_toml_node *n, int *v)
{
    if (!n || n->type != FCP_TOML_BOOL)
        return FCP_ETOML_WRONG_TYPE;
    *v = n->b;
    return 0;
}

int fcp_toml_string(const fcp_toml_node *n, const char **s, size_t *len)
{
    if (!n || n->type != FCP_TOML_STRING)
        return FCP_ETOML_WRONG_TYPE;
    *s = n->s ? n->s : "";
    if (len)
        *len = n->slen;
    return 0;
}

int fcp_toml_fail(fcp_toml_error *err, const fcp_toml_doc *doc, const fcp_toml_node *at, int code,
                  const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    err->line = at ? at->line : 0;
    err->col = at ? at->col : 0;
    int k;
    if (at)
        k = snprintf(err->msg, sizeof err->msg, "%s:%u: ", doc ? doc->name : "<input>", at->line);
    else
        k = snprintf(err->msg, sizeof err->msg, "%s: ", doc ? doc->name : "<input>");
    if (k < 0)
        k = 0;
    if ((size_t)k < sizeof err->msg) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg + k, sizeof err->msg - (size_t)k, fmt, ap);
        va_end(ap);
    }
    return code;
}

int fcp_toml_check_table(const fcp_toml_doc *doc, const fcp_toml_node *t,
                         const fcp_toml_field *fields, size_t n, fcp_toml_error *err)
{
    char pb[200];
    if (!t || t->type != FCP_TOML_TABLE)
        return fcp_toml_fail(err, doc, t, FCP_ETOML_WRONG_TYPE, "'%s' must be a table, got %s",
                             t ? fcp_toml_path(t, pb, sizeof pb) : "?",
                             t ? fcp_toml_type_name(t->type) : "nothing");
    for (size_t i = 0; i < t->n; i++) {
        const fcp_toml_field *f = NULL;
        for (size_t j = 0; j < n; j++)
            if (strlen(fields[j].key) == t->klen[i] && memcmp(fields[j].key, t->keys[i], t->klen[i]) == 0) {
                f = &fields[j];
                break;
            }
        const fcp_toml_node *v = t->kids[i];
        if (!f)
            return fcp_toml_fail(err, doc, v, FCP_ETOML_UNKNOWN_KEY, "unknown key '%s'",
                                 fcp_toml_path(v, pb, sizeof pb));
        if (f->type && v->type != f->type)
            return fcp_toml_fail(err, doc, v, FCP_ETOML_WRONG_TYPE, "key '%s' must be %s, got %s",
                                 fcp_toml_path(v, pb, sizeof pb), fcp_toml_type_name(f->type),
                                 fcp_toml_type_name(v->type));
    }
    for (size_t j = 0; j < n; j++) {
        if (!fields[j].required || fcp_toml_table_get(t, fields[j].key))
            continue;
        fcp_toml_path(t, pb, sizeof pb);
        if (pb[0])
            return fcp_toml_fail(err, doc, t, FCP_ETOML_MISSING_KEY, "table '%s' is missing the required key '%s.%s'",
                                 pb, pb, fields[j].key);
        return fcp_toml_fail(err, doc, NULL, FCP_ETOML_MISSING_KEY, "missing the required top-level key '%s'",
                             fields[j].key);
    }
    return 0;
}

static const fcp_toml_node *typed(const fcp_toml_doc *doc, const fcp_toml_node *t, const char *key,
                                  fcp_toml_type type, int *rc, fcp_toml_error *err)
{
    char pb[200];
    const fcp_toml_node *v = fcp_toml_table_get(t, key);
    *rc = 1;
    if (!v)
        return NULL;
    if (v->type != type) {
        *rc = fcp_toml_fail(err, doc, v, FCP_ETOML_WRONG_TYPE, "key '%s' must be %s, got %s",
                            fcp_toml_path(v, pb, sizeof pb), fcp_toml_type_name(type),
                            fcp_toml_type_name(v->type));
        return NULL;
    }
    *rc = 0;
    return v;
}

int fcp_toml_get_int(const fcp_toml_doc *doc, const fcp_toml_node *t, const char *key,
                     int64_t min, int64_t max, int64_t *v, fcp_toml_error *err)
{
    int rc;
    char pb[200];
    const fcp_toml_node *n = typed(doc, t, key, FCP_TOML_INTEGER, &rc, err);
    if (!n)
        return rc;
    if (n->i < min || n->i > max)
        return fcp_toml_fail(err, doc, n, FCP_ETOML_RANGE,
                             "key '%s' must be between %lld and %lld, got %lld",
                             fcp_toml_path(n, pb, sizeof pb), (long long)min, (long long)max,
                             (long long)n->i);
    *v = n->i;
    return 0;
}

int fcp_toml_get_bool(const fcp_toml_doc *doc, const fcp_toml_node *t, const char *key, int *v,
                      fcp_toml_error *err)
{
    int rc;
    const fcp_toml_node *n = typed(doc, t, key, FCP_TOML_BOOL, &rc, err);
    if (!n)
        return rc;
    *v = n->b;
    return 0;
}

int fcp_toml_get_string(const fcp_toml_doc *doc, const fcp_toml_node *t, const char *key,
                        size_t min_len, size_t max_len, const char **v, fcp_toml_error *err)
{
    int rc;
    char pb[200];
    const fcp_toml_node *n = typed(doc, t, key, FCP_TOML_STRING, &rc, err);
    if (!n)
        return rc;
    if (n->slen < min_len || n->slen > max_len)
        return fcp_toml_fail(err, doc, n, FCP_ETOML_RANGE, "key '%s' must be %zu to %zu bytes long, got %zu",
                             fcp_toml_path(n, pb, sizeof pb), min_len, max_len, n->slen);
    if (n->slen && memchr(n->s, '\0', n->slen))
        return fcp_toml_fail(err, doc, n, FCP_ETOML_RANGE, "key '%s' must not contain a NUL character",
                             fcp_toml_path(n, pb, sizeof pb));
    *v = n->s ? n->s : "";
    return 0;
}
