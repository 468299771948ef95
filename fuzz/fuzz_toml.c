/*
 * fuzz_toml.c - libFuzzer target for the strict TOML parser
 * (src/codec/codec_toml*.c) and the fcpd configuration reader built on it
 * (src/node/node_config.c).
 *
 * Properties: no crash, leak or out-of-bounds access on any input; every
 * error carries a code and a "name:line:col:" message; an accepted document
 * re-emitted as TOML (every table inline, every key quoted, every string
 * escaped) parses again to an identical tree; key paths of every node can
 * be formatted.  A broken property calls abort().
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/buf.h"
#include "fcp/config.h"
#include "fcp/error.h"
#include "fcp/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put_str(fcp_buf *b, const char *s, size_t n)
{
    fcp_buf_put_u8(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            fcp_buf_put_u8(b, '\\');
            fcp_buf_put_u8(b, c);
        } else if (c < 0x20 || c == 0x7f) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04X", c);
            fcp_buf_append(b, e, 6);
        } else {
            fcp_buf_put_u8(b, c);
        }
    }
    fcp_buf_put_u8(b, '"');
}

static void emit(fcp_buf *b, const fcp_toml_node *n)
{
    char t[64];
    switch (fcp_toml_type_of(n)) {
    case FCP_TOML_TABLE:
        fcp_buf_put_u8(b, '{');
        for (size_t i = 0; i < fcp_toml_table_len(n); i++) {
            const char *k;
            size_t kl;
            const fcp_toml_node *v = fcp_toml_table_at(n, i, &k, &kl);
            if (i)
                fcp_buf_put_u8(b, ',');
            put_str(b, k, kl);
            fcp_buf_put_u8(b, '=');
            emit(b, v);
        }
        fcp_buf_put_u8(b, '}');
        break;
    case FCP_TOML_ARRAY:
        fcp_buf_put_u8(b, '[');
        for (size_t i = 0; i < fcp_toml_array_len(n); i++) {
            if (i)
                fcp_buf_put_u8(b, ',');
            emit(b, fcp_toml_array_at(n, i));
        }
        fcp_buf_put_u8(b, ']');
        break;
    case FCP_TOML_STRING: {
        const char *s;
        size_t l;
        fcp_toml_string(n, &s, &l);
        put_str(b, s, l);
        break;
    }
    case FCP_TOML_INTEGER: {
        int64_t v;
        fcp_toml_int(n, &v);
        int k = snprintf(t, sizeof t, "%lld", (long long)v);
        fcp_buf_append(b, t, (size_t)k);
        break;
    }
    case FCP_TOML_FLOAT: {
        double v;
        fcp_toml_float(n, &v);
        int k;
        if (isnan(v))
            k = snprintf(t, sizeof t, "nan");
        else if (isinf(v))
            k = snprintf(t, sizeof t, v > 0 ? "inf" : "-inf");
        else {
            k = snprintf(t, sizeof t, "%.17g", v);
            if (!strpbrk(t, ".e"))
                k += snprintf(t + k, sizeof t - (size_t)k, ".0");
        }
        fcp_buf_append(b, t, (size_t)k);
        break;
    }
    case FCP_TOML_BOOL: {
        int v;
        fcp_toml_bool(n, &v);
        fcp_buf_append(b, v ? "true" : "false", v ? 4 : 5);
        break;
    }
    }
}

static int same(const fcp_toml_node *a, const fcp_toml_node *b)
{
    if (fcp_toml_type_of(a) != fcp_toml_type_of(b))
        return 0;
    switch (fcp_toml_type_of(a)) {
    case FCP_TOML_TABLE:
        if (fcp_toml_table_len(a) != fcp_toml_table_len(b))
            return 0;
        for (size_t i = 0; i < fcp_toml_table_len(a); i++) {
            const char *ka, *kb;
            size_t la, lb;
            const fcp_toml_node *va = fcp_toml_table_at(a, i, &ka, &la), *vb = fcp_toml_table_at(b, i, &kb, &lb);
            if (la != lb || memcmp(ka, kb, la) != 0 || !same(va, vb))
                return 0;
        }
        return 1;
    case FCP_TOML_ARRAY:
        if (fcp_toml_array_len(a) != fcp_toml_array_len(b))
            return 0;
        for (size_t i = 0; i < fcp_toml_array_len(a); i++)
            if (!same(fcp_toml_array_at(a, i), fcp_toml_array_at(b, i)))
                return 0;
        return 1;
    case FCP_TOML_STRING: {
        const char *sa, *sb;
        size_t la, lb;
        fcp_toml_string(a, &sa, &la);
        fcp_toml_string(b, &sb, &lb);
        return la == lb && memcmp(sa, sb, la) == 0;
    }
    case FCP_TOML_INTEGER: {
        int64_t x, y;
        fcp_toml_int(a, &x);
        fcp_toml_int(b, &y);
        return x == y;
    }
    case FCP_TOML_FLOAT: {
        double x, y;
        fcp_toml_float(a, &x);
        fcp_toml_float(b, &y);
        return (isnan(x) && isnan(y)) || memcmp(&x, &y, sizeof x) == 0;
    }
    case FCP_TOML_BOOL: {
        int x, y;
        fcp_toml_bool(a, &x);
        fcp_toml_bool(b, &y);
        return x == y;
    }
    }
    return 0;
}

static void paths(const fcp_toml_node *n)
{
    char buf[96];
    fcp_toml_path(n, buf, sizeof buf);
    if (strlen(buf) >= sizeof buf)
        abort();
    if (fcp_toml_type_of(n) == FCP_TOML_TABLE)
        for (size_t i = 0; i < fcp_toml_table_len(n); i++)
            paths(fcp_toml_table_at(n, i, NULL, NULL));
    else if (fcp_toml_type_of(n) == FCP_TOML_ARRAY)
        for (size_t i = 0; i < fcp_toml_array_len(n); i++)
            paths(fcp_toml_array_at(n, i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fcp_toml_doc *d = NULL;
    fcp_toml_error e;
    int r = fcp_toml_parse(&d, "f", (const char *)data, size, NULL, &e);
    if (r) {
        if (d || e.code != r || (r != FCP_ENOMEM && strncmp(e.msg, "f:", 2) != 0))
            abort();
    } else {
        paths(fcp_toml_root(d));
        /* round trip: the whole document as one inline table under a key */
        fcp_buf b;
        fcp_buf_init(&b);
        fcp_buf_append(&b, "root=", 5);
        emit(&b, fcp_toml_root(d));
        fcp_buf_put_u8(&b, '\n');
        if (b.err)
            abort();
        fcp_toml_limits lim;
        fcp_toml_limits_default(&lim);
        lim.max_depth = 4096;
        lim.max_input = b.len + 1;
        lim.max_nodes += 1;
        fcp_toml_doc *d2 = NULL;
        if (fcp_toml_parse(&d2, "re", (const char *)b.data, b.len, &lim, &e) != 0) {
            fprintf(stderr, "re-parse failed: %s\n", e.msg);
            abort();
        }
        if (!same(fcp_toml_root(d), fcp_toml_table_get(fcp_toml_root(d2), "root")))
            abort();
        fcp_toml_free(d2);
        fcp_buf_free(&b);
        fcp_toml_free(d);
    }
    /* the configuration reader on the same bytes */
    static fcp_config cfg;
    fcp_config_defaults(&cfg, "/data");
    r = fcp_config_parse(&cfg, "fcpd.toml", (const char *)data, size, &e);
    if (r && r != FCP_ENOMEM && strncmp(e.msg, "fcpd.toml", 9) != 0)
        abort();
    if (r == 0 && (cfg.n_listen == 0 || cfg.n_zones == 0 || cfg.n_peers > cfg.max_peers ||
                   cfg.quarantine_bytes_per_peer > cfg.quarantine_bytes))
        abort();
    return 0;
}
