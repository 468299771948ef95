/*
 * codec_toml.c - strict TOML 1.0 subset parser (see include/fcp/toml.h).
 *
 * Shape: one pass over the text with a cursor that tracks line and column.
 * Before parsing, the whole input is checked once for valid UTF-8 and for
 * raw control characters (TOML allows only TAB, LF and CR+LF anywhere), so
 * the rest of the parser never meets an invalid byte.  The parser builds
 * the tree directly; every node is also listed in doc->all, so an error at
 * any point frees everything with fcp_toml_free and nothing leaks.
 *
 * Redefinition rules (TOML 1.0 "Table" and "Array of Tables") are tracked
 * with per-node flags (codec_toml_internal.h):
 *   [a.b]   intermediates may be any non-frozen table (or the last element
 *           of an array of tables); the final table must be new, or an
 *           intermediate created by an earlier header and not yet defined.
 *   a.b = v intermediates must be new or created by dotted keys; the final
 *           key must be new.
 *   [[a]]   the final key must be new or an array created by [[...]].
 * Inline tables and static arrays are frozen: nothing may add to them.
 *
 * Recursion happens only for nested arrays / inline tables and is capped by
 * limits.max_depth.  Key lookup uses one hash table per document keyed by
 * (parent, key), so large tables stay linear.
 */
#include "fcp/toml.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/error.h"
#include "codec_toml_internal.h"

void fcp_toml_limits_default(fcp_toml_limits *l)
{
    l->max_input = 1u << 20;
    l->max_depth = 32;
    l->max_nodes = 65536;
    l->max_key_parts = 32;
    l->max_key_len = 1024;
}

/* ---- parser state ------------------------------------------------------- */

typedef struct tp {
    const char     *p, *end;
    uint32_t        line, col;
    fcp_toml_doc   *doc;
    fcp_toml_limits lim;
    fcp_toml_error *err;
    unsigned        depth;
} tp;

typedef struct sbuf { char *d; size_t n, cap; } sbuf;

struct kpart { char *s; size_t len; uint32_t line, col; };
struct tkey { struct kpart *parts; unsigned n; };

static int verr_at(tp *P, uint32_t line, uint32_t col, int code, const char *fmt, va_list ap)
{
    if (P->err) {
        P->err->code = code;
        P->err->line = line;
        P->err->col = col;
        int k = snprintf(P->err->msg, sizeof P->err->msg, "%s:%u:%u: ", P->doc->name, line, col);
        if (k < 0)
            k = 0;
        if ((size_t)k < sizeof P->err->msg)
            vsnprintf(P->err->msg + k, sizeof P->err->msg - (size_t)k, fmt, ap);
    }
    return code;
}

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static int err_at(tp *P, uint32_t line, uint32_t col, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = verr_at(P, line, col, code, fmt, ap);
    va_end(ap);
    return r;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int err_here(tp *P, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = verr_at(P, P->line, P->col, code, fmt, ap);
    va_end(ap);
    return r;
}

static int oom(tp *P) { return err_here(P, FCP_ENOMEM, "out of memory"); }

static int peek(const tp *P) { return P->p < P->end ? (unsigned char)*P->p : -1; }
static int peek_at(const tp *P, size_t k)
{
    return (size_t)(P->end - P->p) > k ? (unsigned char)P->p[k] : -1;
}

static void adv(tp *P)
{
    unsigned char c = (unsigned char)*P->p++;
    if (c == '\n') {
        P->line++;
        P->col = 1;
    } else if ((c & 0xC0) != 0x80) {
        P->col++;
    }
}

static void advn(tp *P, size_t n)
{
    while (n--)
        adv(P);
}

static void skip_ws(tp *P)
{
    while (P->p < P->end && (*P->p == ' ' || *P->p == '\t'))
        adv(P);
}

/* At '#': skip to (not past) the end of the line. */
static void skip_comment(tp *P)
{
    while (P->p < P->end && *P->p != '\n' && *P->p != '\r')
        adv(P);
}

/* 1 if at LF or CR LF (the input check guarantees CR is followed by LF). */
static int at_newline(const tp *P) { return peek(P) == '\n' || peek(P) == '\r'; }

static void skip_newline(tp *P)
{
    if (peek(P) == '\r')
        adv(P);
    if (peek(P) == '\n')
        adv(P);
}

/* Whitespace, newlines and comments (inside arrays). */
static void skip_ws_nl(tp *P)
{
    for (;;) {
        skip_ws(P);
        if (peek(P) == '#')
            skip_comment(P);
        if (at_newline(P))
            skip_newline(P);
        else
            return;
    }
}

/* ---- input check ---------------------------------------------------------- */

/* Valid UTF-8 (no overlongs, surrogates or values above U+10FFFF) and no raw
 * control characters except TAB, LF and CR LF (TOML 1.0). */
static int check_input(tp *P)
{
    const unsigned char *s = (const unsigned char *)P->p, *e = (const unsigned char *)P->end;
    uint32_t line = 1, col = 1;
    while (s < e) {
        unsigned c = *s;
        if (c < 0x80) {
            if (c == '\n') {
                line++;
                col = 1;
                s++;
                continue;
            }
            if (c == '\r') {
                if (s + 1 >= e || s[1] != '\n')
                    return err_at(P, line, col, FCP_ETOML_NEWLINE,
                                  "carriage return not followed by a line feed");
                s++;
                continue;
            }
            if ((c < 0x20 && c != '\t') || c == 0x7f)
                return err_at(P, line, col, FCP_ETOML_CONTROL,
                              "control character U+%04X not allowed (use an escape in a basic string)", c);
            s++;
            col++;
            continue;
        }
        size_t n;
        uint32_t cp, min;
        if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; min = 0x80; }
        else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; min = 0x800; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; min = 0x10000; }
        else
            return err_at(P, line, col, FCP_ETOML_UTF8, "invalid UTF-8 lead byte 0x%02X", c);
        if ((size_t)(e - s) < n)
            return err_at(P, line, col, FCP_ETOML_UTF8, "truncated UTF-8 sequence");
        for (size_t k = 1; k < n; k++) {
            if ((s[k] & 0xC0) != 0x80)
                return err_at(P, line, col, FCP_ETOML_UTF8, "invalid UTF-8 continuation byte");
            cp = (cp << 6) | (s[k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return err_at(P, line, col, FCP_ETOML_UTF8,
                          "overlong, surrogate or out-of-range UTF-8 sequence");
        s += n;
        col++;
    }
    return 0;
}

/* ---- string buffer ---------------------------------------------------------- */

static int sb_push(sbuf *b, const char *p, size_t n)
{
    if (b->cap - b->n <= n) {
        size_t nc = b->cap ? b->cap : 32;
        while (nc - b->n <= n)
            nc *= 2;
        char *d = realloc(b->d, nc);
        if (!d)
            return FCP_ENOMEM;
        b->d = d;
        b->cap = nc;
    }
    memcpy(b->d + b->n, p, n);
    b->n += n;
    b->d[b->n] = '\0';
    return 0;
}

static int sb_putc(sbuf *b, char c) { return sb_push(b, &c, 1); }

static int sb_put_utf8(sbuf *b, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) { u[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { u[0] = (char)(0xC0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18)); u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    return sb_push(b, u, n);
}

/* ---- nodes and the (parent, key) index ---------------------------------------- */

static uint64_t key_hash(const fcp_toml_node *parent, const char *k, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    uintptr_t pp = (uintptr_t)parent;
    for (size_t i = 0; i < sizeof pp; i++) {
        h ^= (uint8_t)(pp >> (8 * i));
        h *= 1099511628211ull;
    }
    for (size_t i = 0; i < n; i++) {
        h ^= (uint8_t)k[i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

long fcp_toml__find(const fcp_toml_doc *doc, const fcp_toml_node *t, const char *key, size_t klen)
{
    if (!doc->n_slots)
        return -1;
    uint64_t h = key_hash(t, key, klen);
    size_t mask = doc->n_slots - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        const struct toml_slot *s = &doc->slots[i];
        if (!s->used)
            return -1;
        if (s->h == h && s->parent == t && t->klen[s->idx] == klen &&
            memcmp(t->keys[s->idx], key, klen) == 0)
            return (long)s->idx;
    }
}

static int index_insert(fcp_toml_doc *doc, const fcp_toml_node *t, uint32_t idx, uint64_t h)
{
    if ((doc->used_slots + 1) * 2 > doc->n_slots) {
        size_t nn = doc->n_slots ? doc->n_slots * 2 : 64;
        struct toml_slot *ns = calloc(nn, sizeof *ns);
        if (!ns)
            return FCP_ENOMEM;
        for (size_t i = 0; i < doc->n_slots; i++) {
            if (!doc->slots[i].used)
                continue;
            size_t j = (size_t)doc->slots[i].h & (nn - 1);
            while (ns[j].used)
                j = (j + 1) & (nn - 1);
            ns[j] = doc->slots[i];
        }
        free(doc->slots);
        doc->slots = ns;
        doc->n_slots = nn;
    }
    size_t mask = doc->n_slots - 1;
    size_t i = (size_t)h & mask;
    while (doc->slots[i].used)
        i = (i + 1) & mask;
    doc->slots[i].parent = t;
    doc->slots[i].idx = idx;
    doc->slots[i].used = 1;
    doc->slots[i].h = h;
    doc->used_slots++;
    return 0;
}

static fcp_toml_node *new_node(tp *P, fcp_toml_type type, uint32_t line, uint32_t col, int *rc)
{
    fcp_toml_doc *doc = P->doc;
    if (doc->n_all >= P->lim.max_nodes) {
        *rc = err_at(P, line, col, FCP_ETOML_LIMIT, "more than %zu values and tables", P->lim.max_nodes);
        return NULL;
    }
    if (doc->n_all == doc->cap_all) {
        size_t nc = doc->cap_all ? doc->cap_all * 2 : 64;
        fcp_toml_node **na = realloc(doc->all, nc * sizeof *na);
        if (!na) {
            *rc = oom(P);
            return NULL;
        }
        doc->all = na;
        doc->cap_all = nc;
    }
    fcp_toml_node *n = calloc(1, sizeof *n);
    if (!n) {
        *rc = oom(P);
        return NULL;
    }
    n->type = type;
    n->line = line;
    n->col = col;
    doc->all[doc->n_all++] = n;
    return n;
}

static int grow_kids(fcp_toml_node *t, int with_keys)
{
    if (t->n < t->cap)
        return 0;
    size_t nc = t->cap ? t->cap * 2 : 4;
    fcp_toml_node **k = realloc(t->kids, nc * sizeof *k);
    if (!k)
        return FCP_ENOMEM;
    t->kids = k;
    if (with_keys) {
        char **ks = realloc(t->keys, nc * sizeof *ks);
        if (!ks)
            return FCP_ENOMEM;
        t->keys = ks;
        size_t *kl = realloc(t->klen, nc * sizeof *kl);
        if (!kl)
            return FCP_ENOMEM;
        t->klen = kl;
    }
    t->cap = nc;
    return 0;
}

static int table_add(tp *P, fcp_toml_node *t, const struct kpart *k, fcp_toml_node *child)
{
    if (grow_kids(t, 1) != 0)
        return oom(P);
    char *ks = malloc(k->len + 1);
    if (!ks)
        return oom(P);
    memcpy(ks, k->s, k->len);
    ks[k->len] = '\0';
    size_t idx = t->n;
    t->keys[idx] = ks;
    t->klen[idx] = k->len;
    t->kids[idx] = child;
    t->n++;
    child->parent = t;
    child->index = idx;
    if (index_insert(P->doc, t, (uint32_t)idx, key_hash(t, k->s, k->len)) != 0)
        return oom(P);
    return 0;
}

static int array_add(tp *P, fcp_toml_node *a, fcp_toml_node *child)
{
    if (grow_kids(a, 0) != 0)
        return oom(P);
    child->parent = a;
    child->index = a->n;
    a->kids[a->n++] = child;
    return 0;
}

static fcp_toml_node *table_lookup(tp *P, fcp_toml_node *t, const struct kpart *k)
{
    long i = fcp_toml__find(P->doc, t, k->s, k->len);
    return i < 0 ? NULL : t->kids[i];
}

/* "'a.b.c'" style display of table t's path plus key part k. */
static const char *path_with(char *buf, size_t n, const fcp_toml_node *t, const struct kpart *k)
{
    char base[200];
    fcp_toml_path(t, base, sizeof base);
    char part[120];
    size_t o = 0;
    int bare = k->len > 0;
    for (size_t i = 0; i < k->len; i++) {
        char c = k->s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-'))
            bare = 0;
    }
    if (bare) {
        snprintf(part, sizeof part, "%.*s", (int)(k->len > 100 ? 100 : k->len), k->s);
    } else {
        part[o++] = '"';
        for (size_t i = 0; i < k->len && o + 8 < sizeof part; i++) {
            unsigned char c = (unsigned char)k->s[i];
            if (c == '"' || c == '\\') {
                part[o++] = '\\';
                part[o++] = (char)c;
            } else if (c < 0x20 || c == 0x7f) {
                o += (size_t)snprintf(part + o, sizeof part - o, "\\u%04X", c);
            } else {
                part[o++] = (char)c;
            }
        }
        part[o++] = '"';
        part[o] = '\0';
    }
    snprintf(buf, n, "%s%s%s", base, base[0] ? "." : "", part);
    return buf;
}

static const char *node_path(const fcp_toml_node *t, char *buf, size_t n)
{
    return fcp_toml_path(t, buf, n);
}

/* ---- strings ----------------------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* At a backslash inside a basic string: decode one escape into b. */
static int parse_escape(tp *P, sbuf *b)
{
    uint32_t l = P->line, c0 = P->col;
    adv(P); /* backslash */
    int c = peek(P);
    char out;
    switch (c) {
    case 'b': out = '\b'; break;
    case 't': out = '\t'; break;
    case 'n': out = '\n'; break;
    case 'f': out = '\f'; break;
    case 'r': out = '\r'; break;
    case '"': out = '"'; break;
    case '\\': out = '\\'; break;
    case 'u':
    case 'U': {
        size_t nd = c == 'u' ? 4 : 8;
        adv(P);
        uint32_t cp = 0;
        for (size_t i = 0; i < nd; i++) {
            int h = hexval(peek(P));
            if (h < 0)
                return err_at(P, l, c0, FCP_ETOML_ESCAPE, "\\%c escape needs exactly %zu hex digits",
                              c, nd);
            cp = (cp << 4) | (uint32_t)h;
            adv(P);
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return err_at(P, l, c0, FCP_ETOML_ESCAPE,
                          "\\%c%0*X is not a Unicode scalar value", c, (int)nd, (unsigned)cp);
        return sb_put_utf8(b, cp) ? oom(P) : 0;
    }
    case -1:
        return err_at(P, l, c0, FCP_ETOML_STRING, "unterminated string");
    default:
        if (c >= 0x20 && c < 0x7f)
            return err_at(P, l, c0, FCP_ETOML_ESCAPE, "invalid escape sequence '\\%c'", c);
        return err_at(P, l, c0, FCP_ETOML_ESCAPE, "invalid escape sequence after '\\'");
    }
    adv(P);
    return sb_putc(b, out) ? oom(P) : 0;
}

/* Copy one (already validated) UTF-8 character. */
static int copy_char(tp *P, sbuf *b)
{
    unsigned char c = (unsigned char)*P->p;
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (sb_push(b, P->p, n))
        return oom(P);
    advn(P, n);
    return 0;
}

/* At the opening quote.  Parses any of the four string forms into b.
 * allow_multi = 0 for keys.  *multi (may be NULL) receives 1 for """/'''. */
static int parse_string(tp *P, sbuf *b, int allow_multi)
{
    uint32_t l = P->line, c0 = P->col;
    char q = *P->p;
    int literal = q == '\'';
    int multi = peek_at(P, 1) == q && peek_at(P, 2) == q;
    b->n = 0;
    if (sb_push(b, "", 0))
        return oom(P);
    if (multi && !allow_multi)
        return err_here(P, FCP_ETOML_KEY, "multi-line strings cannot be keys");
    if (!multi) {
        adv(P);
        for (;;) {
            int c = peek(P);
            if (c == -1 || c == '\n' || c == '\r')
                return err_at(P, l, c0, FCP_ETOML_STRING, "unterminated string (strings end on the same line)");
            if (c == q) {
                adv(P);
                return 0;
            }
            if (c == '\\' && !literal) {
                int r = parse_escape(P, b);
                if (r)
                    return r;
                continue;
            }
            int r = copy_char(P, b);
            if (r)
                return r;
        }
    }
    advn(P, 3);
    if (at_newline(P))
        skip_newline(P); /* a newline right after the opening delimiter is trimmed */
    for (;;) {
        int c = peek(P);
        if (c == -1)
            return err_at(P, l, c0, FCP_ETOML_STRING, "unterminated multi-line string");
        if (c == q) {
            size_t run = 0;
            while (peek_at(P, run) == q)
                run++;
            if (run >= 3) {
                if (run > 5)
                    return err_here(P, FCP_ETOML_STRING, "too many quotes at the end of a multi-line string");
                for (size_t i = 0; i < run - 3; i++)
                    if (sb_putc(b, q))
                        return oom(P);
                advn(P, run);
                return 0;
            }
            for (size_t i = 0; i < run; i++)
                if (sb_putc(b, q))
                    return oom(P);
            advn(P, run);
            continue;
        }
        if (c == '\r' || c == '\n') {
            skip_newline(P);
            if (sb_putc(b, '\n'))
                return oom(P);
            continue;
        }
        if (c == '\\' && !literal) {
            /* line-ending backslash: "\" then optional blanks then a newline */
            size_t k = 1;
            while (peek_at(P, k) == ' ' || peek_at(P, k) == '\t')
                k++;
            int nx = peek_at(P, k);
            if (nx == '\n' || nx == '\r') {
                advn(P, k);
                for (;;) {
                    skip_ws(P);
                    if (at_newline(P))
                        skip_newline(P);
                    else
                        break;
                }
                continue;
            }
            int r = parse_escape(P, b);
            if (r)
                return r;
            continue;
        }
        int r = copy_char(P, b);
        if (r)
            return r;
    }
}

/* ---- keys -------------------------------------------------------------------- */

static int is_bare(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

static void key_free(struct tkey *k)
{
    if (!k->parts)
        return;
    for (unsigned i = 0; i < k->n; i++)
        free(k->parts[i].s);
    free(k->parts);
    k->parts = NULL;
    k->n = 0;
}

/* key = simple-key *( ws "." ws simple-key ).  Leaves the cursor after the
 * last part (blanks after it are not consumed). */
static int parse_key(tp *P, struct tkey *k)
{
    k->n = 0;
    k->parts = calloc(P->lim.max_key_parts, sizeof *k->parts);
    if (!k->parts)
        return oom(P);
    sbuf b = { 0 };
    for (;;) {
        if (k->n >= P->lim.max_key_parts) {
            free(b.d);
            return err_here(P, FCP_ETOML_LIMIT, "key has more than %u dotted parts", P->lim.max_key_parts);
        }
        struct kpart *kp = &k->parts[k->n];
        kp->line = P->line;
        kp->col = P->col;
        int c = peek(P);
        b.n = 0;
        if (c == '"' || c == '\'') {
            int r = parse_string(P, &b, 0);
            if (r) {
                free(b.d);
                return r;
            }
        } else if (is_bare(c)) {
            const char *s = P->p;
            while (is_bare(peek(P)))
                adv(P);
            if (sb_push(&b, s, (size_t)(P->p - s))) {
                free(b.d);
                return oom(P);
            }
        } else {
            free(b.d);
            if (c == -1 || c == '\n' || c == '\r')
                return err_here(P, FCP_ETOML_KEY, "expected a key");
            if (c == '=')
                return err_here(P, FCP_ETOML_KEY, "expected a key before '='");
            return err_here(P, FCP_ETOML_KEY,
                            "invalid character in a bare key (allowed: A-Z a-z 0-9 _ -; quote other keys)");
        }
        if (b.n > P->lim.max_key_len) {
            free(b.d);
            return err_at(P, kp->line, kp->col, FCP_ETOML_LIMIT, "key part longer than %zu bytes",
                          P->lim.max_key_len);
        }
        kp->s = malloc(b.n + 1);
        if (!kp->s) {
            free(b.d);
            return oom(P);
        }
        if (b.n)
            memcpy(kp->s, b.d, b.n);
        kp->s[b.n] = '\0';
        kp->len = b.n;
        k->n++;
        /* look past blanks for a '.' */
        const char *save = P->p;
        uint32_t sl = P->line, sc = P->col;
        skip_ws(P);
        if (peek(P) == '.') {
            adv(P);
            skip_ws(P);
            continue;
        }
        P->p = save;
        P->line = sl;
        P->col = sc;
        free(b.d);
        return 0;
    }
}

/* ---- numbers ------------------------------------------------------------------ */

static int is_digit_radix(int c, int radix)
{
    if (radix == 16)
        return hexval(c) >= 0;
    if (radix == 8)
        return c >= '0' && c <= '7';
    if (radix == 2)
        return c == '0' || c == '1';
    return c >= '0' && c <= '9';
}

/* Digits of `radix` with single underscores between digits; copies the
 * digits (no underscores) to out.  0 or -1. */
static int digits_ok(const char *s, size_t n, int radix, char *out, size_t *on)
{
    if (n == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_') {
            if (i == 0 || i + 1 == n || !is_digit_radix(s[i - 1], radix) || !is_digit_radix(s[i + 1], radix))
                return -1;
            continue;
        }
        if (!is_digit_radix(s[i], radix))
            return -1;
        out[(*on)++] = s[i];
    }
    return 0;
}

static int is_tok_char(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c == '+' || c == '-' || c == '.' || c == ':';
}

static int parse_number(tp *P, fcp_toml_node *n)
{
    uint32_t l = P->line, c0 = P->col;
    const char *s = P->p;
    size_t len = 0;
    while (P->p + len < P->end && is_tok_char((unsigned char)P->p[len]))
        len++;
    /* dates and times: "1979-05-27", "07:32:00" */
    {
        size_t d = 0;
        while (d < len && s[d] >= '0' && s[d] <= '9')
            d++;
        if ((d == 4 && d < len && s[d] == '-') || (d == 2 && d < len && s[d] == ':') ||
            memchr(s, ':', len))
            return err_at(P, l, c0, FCP_ETOML_DATETIME,
                          "dates and times are not supported by this parser; use a string or an integer");
    }
    if (len > 512)
        return err_at(P, l, c0, FCP_ETOML_INTEGER, "number is too long");
    char tok[520], clean[520];
    memcpy(tok, s, len);
    tok[len] = '\0';
    size_t cn = 0;
    const char *b = tok;
    int neg = 0, sign = 0;
    if (*b == '+' || *b == '-') {
        neg = *b == '-';
        sign = 1;
        b++;
    }
    size_t bl = len - (size_t)sign;
    if (strcmp(b, "inf") == 0 || strcmp(b, "nan") == 0) {
        n->type = FCP_TOML_FLOAT;
        n->f = b[0] == 'i' ? (neg ? -INFINITY : INFINITY) : (neg ? -NAN : NAN);
        advn(P, len);
        return 0;
    }
    if (strncmp(b, "inf", 3) == 0 || strncmp(b, "nan", 3) == 0)
        return err_at(P, l, c0, FCP_ETOML_FLOAT, "'%s' is not a valid float (write inf or nan)", tok);
    if (bl >= 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'o' || b[1] == 'b')) {
        int radix = b[1] == 'x' ? 16 : b[1] == 'o' ? 8 : 2;
        if (sign)
            return err_at(P, l, c0, FCP_ETOML_INTEGER, "'%s': a sign is not allowed on 0x/0o/0b integers", tok);
        if (digits_ok(b + 2, bl - 2, radix, clean, &cn) != 0)
            return err_at(P, l, c0, FCP_ETOML_INTEGER, "'%s' is not a valid base-%d integer", tok, radix);
        uint64_t v = 0;
        for (size_t i = 0; i < cn; i++) {
            uint64_t d = (uint64_t)hexval(clean[i]);
            if (v > (UINT64_C(0x7fffffffffffffff) - d) / (uint64_t)radix)
                return err_at(P, l, c0, FCP_ETOML_INT_RANGE, "'%s' does not fit in a signed 64-bit integer", tok);
            v = v * (uint64_t)radix + d;
        }
        n->type = FCP_TOML_INTEGER;
        n->i = (int64_t)v;
        advn(P, len);
        return 0;
    }
    const char *dot = strchr(b, '.');
    const char *ex = strpbrk(b, "eE");
    if (dot || ex) {
        /* float = int-part [ "." digits ] [ e [sign] digits ] */
        size_t ilen = dot ? (size_t)(dot - b) : (size_t)(ex - b);
        if (ex && dot && ex < dot)
            return err_at(P, l, c0, FCP_ETOML_FLOAT, "'%s' is not a valid float", tok);
        if (sign)
            clean[cn++] = neg ? '-' : '+';
        if (digits_ok(b, ilen, 10, clean, &cn) != 0 || (ilen > 1 && b[0] == '0'))
            return err_at(P, l, c0, FCP_ETOML_FLOAT,
                          "'%s' is not a valid float (integer part: digits, no leading zeros)", tok);
        if (dot) {
            size_t flen = ex ? (size_t)(ex - dot - 1) : strlen(dot + 1);
            clean[cn++] = '.';
            if (digits_ok(dot + 1, flen, 10, clean, &cn) != 0)
                return err_at(P, l, c0, FCP_ETOML_FLOAT,
                              "'%s' is not a valid float (a digit must follow the '.')", tok);
        }
        if (ex) {
            const char *e = ex + 1;
            clean[cn++] = 'e';
            if (*e == '+' || *e == '-')
                clean[cn++] = *e++;
            if (digits_ok(e, strlen(e), 10, clean, &cn) != 0)
                return err_at(P, l, c0, FCP_ETOML_FLOAT, "'%s' is not a valid float (bad exponent)", tok);
        }
        clean[cn] = '\0';
        errno = 0;
        char *endp;
        double v = strtod(clean, &endp);
        if (*endp != '\0')
            return err_at(P, l, c0, FCP_ETOML_FLOAT, "'%s' is not a valid float", tok);
        if (errno == ERANGE && isinf(v))
            return err_at(P, l, c0, FCP_ETOML_FLOAT, "'%s' is outside the range of a 64-bit float", tok);
        n->type = FCP_TOML_FLOAT;
        n->f = v;
        advn(P, len);
        return 0;
    }
    if (digits_ok(b, bl, 10, clean, &cn) != 0)
        return err_at(P, l, c0, FCP_ETOML_INTEGER, "'%s' is not a valid integer", tok);
    if (cn > 1 && clean[0] == '0')
        return err_at(P, l, c0, FCP_ETOML_INTEGER, "'%s': leading zeros are not allowed", tok);
    uint64_t v = 0, lim = neg ? UINT64_C(0x8000000000000000) : UINT64_C(0x7fffffffffffffff);
    for (size_t i = 0; i < cn; i++) {
        uint64_t d = (uint64_t)(clean[i] - '0');
        if (v > (lim - d) / 10)
            return err_at(P, l, c0, FCP_ETOML_INT_RANGE, "'%s' does not fit in a signed 64-bit integer", tok);
        v = v * 10 + d;
    }
    n->type = FCP_TOML_INTEGER;
    n->i = neg ? (v == UINT64_C(0x8000000000000000) ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    advn(P, len);
    return 0;
}

/* ---- values ------------------------------------------------------------------- */

static int parse_value(tp *P, fcp_toml_node **out);
static int keyval(tp *P, fcp_toml_node *t);

static void freeze_since(tp *P, size_t first)
{
    for (size_t i = first; i < P->doc->n_all; i++)
        P->doc->all[i]->flags |= TN_FROZEN;
}

static int parse_array(tp *P, fcp_toml_node *a)
{
    uint32_t l = P->line, c0 = P->col;
    adv(P); /* [ */
    for (;;) {
        skip_ws_nl(P);
        int c = peek(P);
        if (c == ']') {
            adv(P);
            return 0;
        }
        if (c == -1)
            return err_at(P, l, c0, FCP_ETOML_ARRAY, "unterminated array");
        if (c == ',')
            return err_here(P, FCP_ETOML_ARRAY, "expected a value in the array, got ','");
        fcp_toml_node *v;
        int r = parse_value(P, &v);
        if (r)
            return r;
        if ((r = array_add(P, a, v)) != 0)
            return r;
        skip_ws_nl(P);
        c = peek(P);
        if (c == ',') {
            adv(P);
            continue;
        }
        if (c == ']') {
            adv(P);
            return 0;
        }
        if (c == -1)
            return err_at(P, l, c0, FCP_ETOML_ARRAY, "unterminated array");
        return err_here(P, FCP_ETOML_ARRAY, "expected ',' or ']' in the array");
    }
}

static int parse_inline_table(tp *P, fcp_toml_node *t)
{
    uint32_t l = P->line, c0 = P->col;
    size_t first = P->doc->n_all;
    adv(P); /* { */
    skip_ws(P);
    if (peek(P) == '}') {
        adv(P);
        freeze_since(P, first - 1);
        return 0;
    }
    for (;;) {
        skip_ws(P);
        int c = peek(P);
        if (c == '\n' || c == '\r')
            return err_here(P, FCP_ETOML_INLINE_TABLE, "newlines are not allowed inside an inline table");
        if (c == -1)
            return err_at(P, l, c0, FCP_ETOML_INLINE_TABLE, "unterminated inline table");
        if (c == '}' || c == ',')
            return err_here(P, FCP_ETOML_INLINE_TABLE, "expected a key in the inline table, got '%c'", c);
        int r = keyval(P, t);
        if (r)
            return r;
        skip_ws(P);
        c = peek(P);
        if (c == ',') {
            adv(P);
            continue;
        }
        if (c == '}') {
            adv(P);
            freeze_since(P, first - 1);
            return 0;
        }
        if (c == '\n' || c == '\r')
            return err_here(P, FCP_ETOML_INLINE_TABLE, "newlines are not allowed inside an inline table");
        if (c == -1)
            return err_at(P, l, c0, FCP_ETOML_INLINE_TABLE, "unterminated inline table");
        return err_here(P, FCP_ETOML_INLINE_TABLE, "expected ',' or '}' in the inline table");
    }
}

static int bare_word_error(tp *P)
{
    size_t n = 0;
    while (P->p + n < P->end && n < 40 && is_bare((unsigned char)P->p[n]))
        n++;
    if (n == 0)
        return err_here(P, FCP_ETOML_VALUE, "expected a value");
    return err_here(P, FCP_ETOML_VALUE, "invalid value '%.*s' (strings must be quoted; booleans are true/false)",
                    (int)n, P->p);
}

static int parse_value(tp *P, fcp_toml_node **out)
{
    int rc = 0;
    uint32_t l = P->line, c0 = P->col;
    int c = peek(P);
    fcp_toml_node *n;
    switch (c) {
    case '"':
    case '\'': {
        if (!(n = new_node(P, FCP_TOML_STRING, l, c0, &rc)))
            return rc;
        sbuf b = { 0 };
        int r = parse_string(P, &b, 1);
        if (r) {
            free(b.d);
            return r;
        }
        n->s = b.d;
        n->slen = b.n;
        *out = n;
        return 0;
    }
    case '[':
    case '{': {
        if (P->depth >= P->lim.max_depth)
            return err_here(P, FCP_ETOML_DEPTH, "arrays and inline tables nested deeper than %u",
                            P->lim.max_depth);
        if (!(n = new_node(P, c == '[' ? FCP_TOML_ARRAY : FCP_TOML_TABLE, l, c0, &rc)))
            return rc;
        n->flags |= TN_FROZEN;
        if (c == '{')
            n->flags &= ~TN_FROZEN; /* frozen when closed */
        P->depth++;
        int r = c == '[' ? parse_array(P, n) : parse_inline_table(P, n);
        P->depth--;
        if (r)
            return r;
        *out = n;
        return 0;
    }
    case 't':
    case 'f': {
        const char *w = c == 't' ? "true" : "false";
        size_t wl = strlen(w);
        if ((size_t)(P->end - P->p) >= wl && memcmp(P->p, w, wl) == 0 && !is_bare(peek_at(P, wl))) {
            if (!(n = new_node(P, FCP_TOML_BOOL, l, c0, &rc)))
                return rc;
            n->b = c == 't';
            advn(P, wl);
            *out = n;
            return 0;
        }
        return bare_word_error(P);
    }
    default:
        if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'i' || c == 'n') {
            if ((c == 'i' || c == 'n') && !((size_t)(P->end - P->p) >= 3 &&
                                             (memcmp(P->p, "inf", 3) == 0 || memcmp(P->p, "nan", 3) == 0)))
                return bare_word_error(P);
            if (!(n = new_node(P, FCP_TOML_INTEGER, l, c0, &rc)))
                return rc;
            int r = parse_number(P, n);
            if (r)
                return r;
            *out = n;
            return 0;
        }
        if (c == -1 || c == '\n' || c == '\r' || c == '#')
            return err_here(P, FCP_ETOML_VALUE, "expected a value after '='");
        return bare_word_error(P);
    }
}

/* ---- key/value pairs and headers --------------------------------------------- */

static const char *type_word(const fcp_toml_node *n)
{
    return fcp_toml_type_name(n->type);
}

/* key = value, into table t (the current [table] or an inline table). */
static int keyval(tp *P, fcp_toml_node *t)
{
    struct tkey k = { 0 };
    char pb[256];
    int r = parse_key(P, &k);
    if (r)
        goto out;
    skip_ws(P);
    if (peek(P) != '=') {
        r = err_here(P, FCP_ETOML_SYNTAX, "expected '=' after the key '%s'", path_with(pb, sizeof pb, t, &k.parts[k.n - 1]));
        goto out;
    }
    adv(P);
    skip_ws(P);
    /* walk / create the dotted intermediates */
    fcp_toml_node *cur = t;
    for (unsigned i = 0; i + 1 < k.n; i++) {
        struct kpart *kp = &k.parts[i];
        fcp_toml_node *ch = table_lookup(P, cur, kp);
        if (!ch) {
            if (!(ch = new_node(P, FCP_TOML_TABLE, kp->line, kp->col, &r)))
                goto out;
            ch->flags |= TN_DOTTED;
            if ((r = table_add(P, cur, kp, ch)) != 0)
                goto out;
        } else if (ch->type != FCP_TOML_TABLE) {
            r = err_at(P, kp->line, kp->col, FCP_ETOML_NOT_A_TABLE,
                       "key '%s' is already %s (line %u), it cannot hold keys", path_with(pb, sizeof pb, cur, kp),
                       type_word(ch), ch->line);
            goto out;
        } else if (ch->flags & TN_FROZEN) {
            r = err_at(P, kp->line, kp->col, FCP_ETOML_FROZEN, "inline table '%s' (line %u) cannot be extended",
                       path_with(pb, sizeof pb, cur, kp), ch->line);
            goto out;
        } else if (!(ch->flags & TN_DOTTED)) {
            r = err_at(P, kp->line, kp->col, FCP_ETOML_TABLE_REDEFINED,
                       "table '%s' was defined with a [header] (line %u); dotted keys cannot add to it",
                       path_with(pb, sizeof pb, cur, kp), ch->line);
            goto out;
        }
        cur = ch;
    }
    struct kpart *last = &k.parts[k.n - 1];
    fcp_toml_node *prev = table_lookup(P, cur, last);
    if (prev) {
        r = err_at(P, last->line, last->col, FCP_ETOML_DUPLICATE_KEY,
                   "duplicate key '%s' (first defined at line %u)", path_with(pb, sizeof pb, cur, last), prev->line);
        goto out;
    }
    fcp_toml_node *v;
    if ((r = parse_value(P, &v)) != 0)
        goto out;
    v->line = last->line;
    v->col = last->col;
    r = table_add(P, cur, last, v);
out:
    key_free(&k);
    return r;
}

/* [a.b.c] (aot = 0) or [[a.b.c]] (aot = 1); returns the new current table. */
static int header(tp *P, int aot, fcp_toml_node **current)
{
    uint32_t hl = P->line, hc = P->col;
    struct tkey k = { 0 };
    char pb[256];
    int r;
    advn(P, aot ? 2 : 1);
    skip_ws(P);
    if ((r = parse_key(P, &k)) != 0)
        goto out;
    skip_ws(P);
    if (peek(P) != ']' || (aot && peek_at(P, 1) != ']')) {
        r = err_here(P, FCP_ETOML_SYNTAX, aot ? "expected ']]' to close the array-of-tables header"
                                              : "expected ']' to close the table header");
        goto out;
    }
    advn(P, aot ? 2 : 1);
    fcp_toml_node *cur = P->doc->root;
    for (unsigned i = 0; i + 1 < k.n; i++) {
        struct kpart *kp = &k.parts[i];
        fcp_toml_node *ch = table_lookup(P, cur, kp);
        if (!ch) {
            if (!(ch = new_node(P, FCP_TOML_TABLE, hl, hc, &r)))
                goto out;
            ch->flags |= TN_HDR_IMPLICIT;
            if ((r = table_add(P, cur, kp, ch)) != 0)
                goto out;
        } else if (ch->type == FCP_TOML_ARRAY && (ch->flags & TN_AOT)) {
            ch = ch->kids[ch->n - 1];
        } else if (ch->type == FCP_TOML_ARRAY) {
            r = err_at(P, kp->line, kp->col, FCP_ETOML_FROZEN,
                       "'%s' is a static array (line %u); a header cannot add to it",
                       path_with(pb, sizeof pb, cur, kp), ch->line);
            goto out;
        } else if (ch->type != FCP_TOML_TABLE) {
            r = err_at(P, kp->line, kp->col, FCP_ETOML_NOT_A_TABLE, "key '%s' is already %s (line %u)",
                       path_with(pb, sizeof pb, cur, kp), type_word(ch), ch->line);
            goto out;
        } else if (ch->flags & TN_FROZEN) {
            r = err_at(P, kp->line, kp->col, FCP_ETOML_FROZEN, "inline table '%s' (line %u) cannot be extended",
                       path_with(pb, sizeof pb, cur, kp), ch->line);
            goto out;
        }
        cur = ch;
    }
    struct kpart *last = &k.parts[k.n - 1];
    fcp_toml_node *ch = table_lookup(P, cur, last);
    if (aot) {
        fcp_toml_node *arr = ch;
        if (!arr) {
            if (!(arr = new_node(P, FCP_TOML_ARRAY, hl, hc, &r)))
                goto out;
            arr->flags |= TN_AOT;
            if ((r = table_add(P, cur, last, arr)) != 0)
                goto out;
        } else if (arr->type != FCP_TOML_ARRAY || !(arr->flags & TN_AOT)) {
            r = err_at(P, last->line, last->col,
                       arr->type == FCP_TOML_ARRAY ? FCP_ETOML_FROZEN
                       : arr->type == FCP_TOML_TABLE ? FCP_ETOML_TABLE_REDEFINED
                                                     : FCP_ETOML_NOT_A_TABLE,
                       "'%s' is already %s (line %u); [[%s]] needs an array of tables",
                       path_with(pb, sizeof pb, cur, last), type_word(arr), arr->line,
                       path_with(pb, sizeof pb, cur, last));
            goto out;
        }
        fcp_toml_node *t;
        if (!(t = new_node(P, FCP_TOML_TABLE, hl, hc, &r)))
            goto out;
        t->flags |= TN_EXPLICIT;
        if ((r = array_add(P, arr, t)) != 0)
            goto out;
        *current = t;
    } else {
        if (!ch) {
            if (!(ch = new_node(P, FCP_TOML_TABLE, hl, hc, &r)))
                goto out;
            ch->flags |= TN_EXPLICIT;
            if ((r = table_add(P, cur, last, ch)) != 0)
                goto out;
        } else if (ch->type == FCP_TOML_TABLE && ch->flags == TN_HDR_IMPLICIT) {
            ch->flags = TN_EXPLICIT;
            ch->line = hl;
            ch->col = hc;
        } else if (ch->type == FCP_TOML_TABLE) {
            r = err_at(P, hl, hc, FCP_ETOML_TABLE_REDEFINED, "table '%s' is already defined (line %u)",
                       node_path(ch, pb, sizeof pb), ch->line);
            goto out;
        } else {
            r = err_at(P, hl, hc, ch->type == FCP_TOML_ARRAY ? FCP_ETOML_FROZEN : FCP_ETOML_NOT_A_TABLE,
                       "key '%s' is already %s (line %u), not a table", node_path(ch, pb, sizeof pb),
                       type_word(ch), ch->line);
            goto out;
        }
        *current = ch;
    }
    r = 0;
out:
    key_free(&k);
    return r;
}

/* After a key/value or header: blanks, an optional comment, then a newline or EOF. */
static int end_of_line(tp *P, const char *what)
{
    skip_ws(P);
    if (peek(P) == '#')
        skip_comment(P);
    if (P->p == P->end)
        return 0;
    if (at_newline(P)) {
        skip_newline(P);
        return 0;
    }
    return err_here(P, FCP_ETOML_TRAILING, "unexpected text after %s (expected a newline or a comment)", what);
}

static int parse_doc(tp *P)
{
    int rc = 0;
    fcp_toml_node *root = new_node(P, FCP_TOML_TABLE, 1, 1, &rc);
    if (!root)
        return rc;
    root->flags = TN_EXPLICIT;
    P->doc->root = root;
    fcp_toml_node *cur = root;
    while (P->p < P->end) {
        skip_ws(P);
        int c = peek(P);
        int r;
        if (c == -1)
            break;
        if (c == '#') {
            skip_comment(P);
            r = end_of_line(P, "a comment");
        } else if (c == '\n' || c == '\r') {
            skip_newline(P);
            continue;
        } else if (c == '[') {
            int aot = peek_at(P, 1) == '[';
            r = header(P, aot, &cur);
            if (!r)
                r = end_of_line(P, "a table header");
        } else {
            r = keyval(P, cur);
            if (!r)
                r = end_of_line(P, "the value");
        }
        if (r)
            return r;
    }
    return 0;
}

int fcp_toml_parse(fcp_toml_doc **out, const char *name, const char *text, size_t len,
                   const fcp_toml_limits *lim, fcp_toml_error *err)
{
    *out = NULL;
    if (err) {
        err->code = 0;
        err->line = err->col = 0;
        err->msg[0] = '\0';
    }
    fcp_toml_doc *doc = calloc(1, sizeof *doc);
    if (!doc)
        return FCP_ENOMEM;
    const char *nm = name ? name : "<input>";
    doc->name = malloc(strlen(nm) + 1);
    if (!doc->name) {
        free(doc);
        return FCP_ENOMEM;
    }
    strcpy(doc->name, nm);
    tp P = { .p = text, .end = text + len, .line = 1, .col = 1, .doc = doc, .err = err };
    if (lim)
        P.lim = *lim;
    else
        fcp_toml_limits_default(&P.lim);
    if (P.lim.max_key_parts == 0)
        P.lim.max_key_parts = 1;
    int r;
    if (len > P.lim.max_input)
        r = err_at(&P, 0, 0, FCP_ETOML_LIMIT, "input is %zu bytes, more than the limit of %zu", len,
                   P.lim.max_input);
    else if (!text && len)
        r = err_at(&P, 0, 0, FCP_EINVAL, "no input");
    else if ((r = check_input(&P)) == 0) {
        if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) /* a UTF-8 BOM is ignored */
            advn(&P, 3), P.col = 1;
        r = parse_doc(&P);
    }
    if (r) {
        fcp_toml_free(doc);
        return r;
    }
    *out = doc;
    return 0;
}

void fcp_toml_free(fcp_toml_doc *doc)
{
    if (!doc)
        return;
    for (size_t i = 0; i < doc->n_all; i++) {
        fcp_toml_node *n = doc->all[i];
        if (n->type == FCP_TOML_TABLE)
            for (size_t k = 0; k < n->n; k++)
                free(n->keys[k]);
        free(n->keys);
        free(n->klen);
        free(n->kids);
        free(n->s);
        free(n);
    }
    free(doc->all);
    free(doc->slots);
    free(doc->name);
    free(doc);
}
