/*
 * host_invoke_json.c - the strict JSON syntax checker and the small part of
 * JSON Schema the invoke pipeline enforces (host_invoke.h, D-INVOKE-6).
 *
 * The checker is a recursive-descent walk with an explicit depth limit; it
 * allocates nothing and never reads past n.  The schema check looks only at
 * the schema's top-level "type" and "required" members and at the input's
 * top-level keys (unescaped before comparison).
 */
#include <string.h>

#include "fcp/error.h"
#include "fcp/host_invoke.h"

typedef struct jp {
    const unsigned char *p;
    size_t n, i;
    int max_depth;
} jp;

static void ws(jp *j)
{
    while (j->i < j->n) {
        unsigned char c = j->p[j->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        j->i++;
    }
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int hex4(jp *j, unsigned *out)
{
    unsigned v = 0;
    if (j->n - j->i < 4)
        return -1;
    for (int k = 0; k < 4; k++) {
        int h = hexval(j->p[j->i + (size_t)k]);
        if (h < 0)
            return -1;
        v = (v << 4) | (unsigned)h;
    }
    j->i += 4;
    *out = v;
    return 0;
}

/* Append code point cp as UTF-8 to out (when out is not NULL and fits). */
static void put_utf8(unsigned char *out, size_t cap, size_t *len, unsigned cp)
{
    unsigned char b[4];
    size_t k;
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        k = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xc0 | (cp >> 6));
        b[1] = (unsigned char)(0x80 | (cp & 0x3f));
        k = 2;
    } else if (cp < 0x10000) {
        b[0] = (unsigned char)(0xe0 | (cp >> 12));
        b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (unsigned char)(0x80 | (cp & 0x3f));
        k = 3;
    } else {
        b[0] = (unsigned char)(0xf0 | (cp >> 18));
        b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (unsigned char)(0x80 | (cp & 0x3f));
        k = 4;
    }
    if (out && *len + k <= cap)
        memcpy(out + *len, b, k);
    *len += k;
}

/* A string starting at the opening quote.  When out is set, the unescaped
 * UTF-8 is written there (up to cap; *olen is the full length). */
static int string(jp *j, unsigned char *out, size_t cap, size_t *olen)
{
    size_t len = 0;
    j->i++; /* '"' */
    while (j->i < j->n) {
        unsigned char c = j->p[j->i];
        if (c == '"') {
            j->i++;
            if (olen)
                *olen = len;
            return 0;
        }
        if (c < 0x20)
            return -1;
        if (c == '\\') {
            unsigned cp;
            if (++j->i >= j->n)
                return -1;
            c = j->p[j->i++];
            switch (c) {
            case '"': cp = '"'; break;
            case '\\': cp = '\\'; break;
            case '/': cp = '/'; break;
            case 'b': cp = '\b'; break;
            case 'f': cp = '\f'; break;
            case 'n': cp = '\n'; break;
            case 'r': cp = '\r'; break;
            case 't': cp = '\t'; break;
            case 'u':
                if (hex4(j, &cp) < 0)
                    return -1;
                if (cp >= 0xdc00 && cp <= 0xdfff)
                    return -1; /* lone low surrogate */
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    unsigned lo;
                    if (j->n - j->i < 2 || j->p[j->i] != '\\' || j->p[j->i + 1] != 'u')
                        return -1;
                    j->i += 2;
                    if (hex4(j, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
                        return -1;
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                }
                break;
            default:
                return -1;
            }
            put_utf8(out, cap, &len, cp);
            continue;
        }
        if (c < 0x80) {
            if (out && len < cap)
                out[len] = c;
            len++;
            j->i++;
            continue;
        }
        /* strict UTF-8 */
        size_t k;
        unsigned cp, min;
        if (c >= 0xc2 && c <= 0xdf) {
            k = 1; cp = c & 0x1f; min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            k = 2; cp = c & 0x0f; min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            k = 3; cp = c & 0x07; min = 0x10000;
        } else {
            return -1;
        }
        if (j->n - j->i < k + 1)
            return -1;
        for (size_t t = 1; t <= k; t++) {
            unsigned char d = j->p[j->i + t];
            if ((d & 0xc0) != 0x80)
                return -1;
            cp = (cp << 6) | (d & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return -1;
        if (out && len + k + 1 <= cap)
            memcpy(out + len, j->p + j->i, k + 1);
        len += k + 1;
        j->i += k + 1;
    }
    return -1;
}

static int digits(jp *j)
{
    size_t s = j->i;
    while (j->i < j->n && j->p[j->i] >= '0' && j->p[j->i] <= '9')
        j->i++;
    return j->i > s ? 0 : -1;
}

static int number(jp *j)
{
    if (j->p[j->i] == '-')
        j->i++;
    if (j->i >= j->n)
        return -1;
    if (j->p[j->i] == '0')
        j->i++;
    else if (digits(j) < 0)
        return -1;
    if (j->i < j->n && j->p[j->i] == '.') {
        j->i++;
        if (digits(j) < 0)
            return -1;
    }
    if (j->i < j->n && (j->p[j->i] == 'e' || j->p[j->i] == 'E')) {
        j->i++;
        if (j->i < j->n && (j->p[j->i] == '+' || j->p[j->i] == '-'))
            j->i++;
        if (digits(j) < 0)
            return -1;
    }
    return 0;
}

static int literal(jp *j, const char *w)
{
    size_t l = strlen(w);
    if (j->n - j->i < l || memcmp(j->p + j->i, w, l) != 0)
        return -1;
    j->i += l;
    return 0;
}

static int value(jp *j, int depth)
{
    ws(j);
    if (j->i >= j->n)
        return -1;
    unsigned char c = j->p[j->i];
    if (c == '{' || c == '[') {
        unsigned char close = c == '{' ? '}' : ']';
        if (depth >= j->max_depth)
            return -1;
        j->i++;
        ws(j);
        if (j->i < j->n && j->p[j->i] == close) {
            j->i++;
            return 0;
        }
        for (;;) {
            if (c == '{') {
                ws(j);
                if (j->i >= j->n || j->p[j->i] != '"' || string(j, NULL, 0, NULL) < 0)
                    return -1;
                ws(j);
                if (j->i >= j->n || j->p[j->i] != ':')
                    return -1;
                j->i++;
            }
            if (value(j, depth + 1) < 0)
                return -1;
            ws(j);
            if (j->i >= j->n)
                return -1;
            if (j->p[j->i] == ',') {
                j->i++;
                continue;
            }
            if (j->p[j->i] == close) {
                j->i++;
                return 0;
            }
            return -1;
        }
    }
    if (c == '"')
        return string(j, NULL, 0, NULL);
    if (c == '-' || (c >= '0' && c <= '9'))
        return number(j);
    if (c == 't')
        return literal(j, "true");
    if (c == 'f')
        return literal(j, "false");
    if (c == 'n')
        return literal(j, "null");
    return -1;
}

int fcp_invoke_json_check(const char *p, size_t n, int max_depth)
{
    jp j = { (const unsigned char *)p, n, 0, max_depth };
    if (!p && n)
        return FCP_EINVOKE_INPUT_JSON;
    if (value(&j, 0) < 0)
        return FCP_EINVOKE_INPUT_JSON;
    ws(&j);
    return j.i == n ? 0 : FCP_EINVOKE_INPUT_JSON;
}

/* ---- top-level members -------------------------------------------------- */

#define KEY_MAX 256

typedef int (*member_fn)(void *u, const unsigned char *key, size_t klen, const char *val,
                         size_t vlen);

/* Call fn for every member of the top-level object of an already checked
 * text (keys unescaped; keys longer than KEY_MAX are passed truncated with
 * their full length, so they never compare equal to a shorter key).
 * Returns 1 if the text is not an object, 0, or fn's non-zero value. */
static int each_member(const char *p, size_t n, member_fn fn, void *u)
{
    jp j = { (const unsigned char *)p, n, 0, FCP_INVOKE_JSON_MAX_DEPTH + 1 };
    unsigned char key[KEY_MAX];
    ws(&j);
    if (j.i >= n || j.p[j.i] != '{')
        return 1;
    j.i++;
    ws(&j);
    if (j.i < n && j.p[j.i] == '}')
        return 0;
    for (;;) {
        size_t klen, vs;
        ws(&j);
        if (string(&j, key, KEY_MAX, &klen) < 0)
            return FCP_EINVOKE_INPUT_JSON;
        ws(&j);
        j.i++; /* ':' */
        ws(&j);
        vs = j.i;
        if (value(&j, 1) < 0)
            return FCP_EINVOKE_INPUT_JSON;
        int rc = fn(u, key, klen, p + vs, j.i - vs);
        if (rc)
            return rc;
        ws(&j);
        if (j.i >= n || j.p[j.i] != ',')
            return 0;
        j.i++;
    }
}

static int key_eq(const unsigned char *key, size_t klen, const char *s)
{
    size_t l = strlen(s);
    return klen == l && l <= KEY_MAX && memcmp(key, s, l) == 0;
}

typedef struct schema_view {
    int type_object;
    const char *required;
    size_t rlen;
} schema_view;

static int schema_member(void *u, const unsigned char *key, size_t klen, const char *val,
                         size_t vlen)
{
    schema_view *s = u;
    /* a repeated key: the last one counts (as in common JSON parsers) */
    if (key_eq(key, klen, "type")) {
        unsigned char t[8];
        size_t tl = 0;
        jp j = { (const unsigned char *)val, vlen, 0, 1 };
        s->type_object = val[0] == '"' && string(&j, t, sizeof t, &tl) == 0 && tl == 6 &&
                         memcmp(t, "object", 6) == 0;
    }
    if (key_eq(key, klen, "required")) {
        s->required = val[0] == '[' ? val : NULL;
        s->rlen = val[0] == '[' ? vlen : 0;
    }
    return 0;
}

typedef struct find_key {
    const unsigned char *want;
    size_t wlen;
    int found;
} find_key;

static int find_member(void *u, const unsigned char *key, size_t klen, const char *val,
                       size_t vlen)
{
    find_key *f = u;
    (void)val;
    (void)vlen;
    if (klen == f->wlen && klen <= KEY_MAX && memcmp(key, f->want, klen) == 0) {
        f->found = 1;
        return 2; /* stop */
    }
    return 0;
}

int fcp_invoke_schema_check(const char *schema, size_t slen, const char *input, size_t ilen)
{
    schema_view sv = { 0, NULL, 0 };
    int rc;
    if (fcp_invoke_json_check(schema, slen, FCP_INVOKE_JSON_MAX_DEPTH) != 0 ||
        fcp_invoke_json_check(input, ilen, FCP_INVOKE_JSON_MAX_DEPTH) != 0)
        return FCP_EINVOKE_INPUT_JSON;
    rc = each_member(schema, slen, schema_member, &sv);
    if (rc < 0)
        return rc;
    if (rc == 1)
        return 0; /* schema not an object: nothing to enforce */
    if (!sv.type_object && !sv.required)
        return 0;
    /* "type": "object" refuses any other input; "required" alone applies to
     * objects only (JSON Schema: other types pass) */
    {
        jp j = { (const unsigned char *)input, ilen, 0, 1 };
        ws(&j);
        if (j.i >= ilen || j.p[j.i] != '{')
            return sv.type_object ? FCP_EINVOKE_INPUT_SCHEMA : 0;
    }
    if (!sv.required)
        return 0;
    /* walk the required array's strings */
    jp r = { (const unsigned char *)sv.required, sv.rlen, 1, 2 };
    for (;;) {
        unsigned char want[KEY_MAX];
        size_t wlen;
        ws(&r);
        if (r.i >= r.n || r.p[r.i] == ']')
            return 0;
        if (r.p[r.i] == ',') {
            r.i++;
            continue;
        }
        if (r.p[r.i] != '"') {
            /* not a string (malformed schema): skip the value */
            if (value(&r, 1) < 0)
                return 0;
            continue;
        }
        if (string(&r, want, KEY_MAX, &wlen) < 0)
            return FCP_EINVOKE_INPUT_JSON;
        if (wlen > KEY_MAX)
            return FCP_EINVOKE_INPUT_SCHEMA; /* no input key can match what we cannot hold */
        find_key f = { want, wlen, 0 };
        rc = each_member(input, ilen, find_member, &f);
        if (rc < 0)
            return rc;
        if (!f.found)
            return FCP_EINVOKE_INPUT_SCHEMA;
    }
}
