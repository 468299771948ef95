/*
 * cmd_cbor.c - `fcp cbor`: look inside CBOR bytes.
 *
 *   fcp cbor diag [--hex] [--strict] FILE|-
 *       RFC 8949 diagnostic notation of one item, then whether the bytes are
 *       deterministic (spec §3.5, RFC 8949 §4.2.1) and if not, which rule
 *       fails at which byte.  Exit 0 canonical, 1 not canonical or malformed,
 *       2 usage.
 *
 * Two undocumented line-oriented verbs serve the interop test
 * (tests/interop/cbor_oracle.sh), so that other CBOR implementations can be
 * checked against this one without a C harness:
 *   fcp cbor _check   each stdin line is hex; prints "ok HEX" (strictly
 *                     accepted, HEX = our canonical re-encoding) or "err NAME"
 *   fcp cbor _encode  each stdin line is a typed JSON value (see enc_json);
 *                     prints the hex of our encoding or "err NAME"
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"
#include "fcp/buf.h"
#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/hex.h"

static const fcp_cbor_limits cbor_all = {
    FCP_CBOR_DEFAULT_DEPTH, FCP_CBOR_DEFAULT_ITEMS, FCP_CBOR_DEFAULT_INPUT, FCP_CBOR_ALLOW_ALL
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: fcp cbor diag [--hex] [--strict] FILE|-\n\n"
            "Print one CBOR item in RFC 8949 diagnostic notation, then\n"
            "\"canonical: yes\" or \"canonical: no — RULE at byte OFFSET\" (RFC 8949\n"
            "deterministic encoding as FCP requires it: no NaN, -0.0 as 0.0).\n\n"
            "  --hex      the input is hex text (whitespace ignored), not raw bytes\n"
            "  --strict   also apply FCP's default limits: no floats, tags or simple\n"
            "             values besides false/true/null (a schema may allow them)\n\n"
            "Exit status: 0 canonical, 1 not canonical or malformed, 2 usage.\n");
}

/* Hex text (whitespace ignored) to bytes, in place; -1 on bad hex. */
static long unhex_inplace(uint8_t *buf, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isspace(buf[i]))
            buf[k++] = buf[i];
    size_t out;
    if (fcp_hex_decode(buf, k, &out, (const char *)buf, k) != 0)
        return -1;
    return (long)out;
}

static int cmd_diag(int argc, char **argv)
{
    int hex = 0, strict = 0;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--hex"))
            hex = 1;
        else if (!strcmp(argv[i], "--strict"))
            strict = 1;
        else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "fcp cbor diag: unknown option %s\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (!path)
            path = argv[i];
        else {
            usage(stderr);
            return 2;
        }
    }
    if (!path) {
        usage(stderr);
        return 2;
    }
    size_t n = 0;
    uint8_t *buf = cmd_read_input(path, &n, 0);
    if (!buf)
        return 1;
    if (hex) {
        long m = unhex_inplace(buf, n);
        if (m < 0) {
            cmd_error("cbor diag", FCP_EHEX, path);
            free(buf);
            return 1;
        }
        n = (size_t)m;
    }
    fcp_buf text;
    fcp_buf_init(&text);
    int rc = fcp_cbor_diag(buf, n, &text);
    if (rc == 0)
        printf("%.*s\n", (int)text.len, (const char *)text.data);
    size_t off = 0;
    fcp_cbor_limits lim = strict ? fcp_cbor_limits_default : cbor_all;
    lim.max_input = n > lim.max_input ? n : lim.max_input;
    int v = fcp_cbor_validate_ex(buf, n, &lim, &off);
    char code[16];
    if (v == 0)
        printf("canonical: yes\n");
    else
        printf("canonical: no \xe2\x80\x94 %s at byte %zu (%s %s)\n", fcp_cbor_rule_name(v), off,
               fcp_error_code(v, code, sizeof code), fcp_error_name(v));
    if (rc != 0 && rc != v)
        cmd_error("cbor diag", rc, "not well-formed");
    fcp_buf_free(&text);
    free(buf);
    return v == 0 ? 0 : 1;
}

/* ---- interop helpers ---- */

static void print_hex_line(const char *prefix, const uint8_t *p, size_t n)
{
    fputs(prefix, stdout);
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
    putchar('\n');
}

static int cmd_check(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    fcp_buf out;
    fcp_cbor_enc enc;
    fcp_buf_init(&out);
    while ((got = getline(&line, &cap, stdin)) >= 0) {
        long n = unhex_inplace((uint8_t *)line, (size_t)got);
        if (n < 0) {
            printf("err FCP_EHEX\n");
            continue;
        }
        int rc = fcp_cbor_validate(line, (size_t)n, &cbor_all);
        fcp_cbor_tree t = { 0 };
        fcp_buf_reset(&out);
        fcp_cbor_enc_init(&enc, &out);
        if (rc == 0 && (rc = fcp_cbor_tree_parse(&t, line, (size_t)n)) == 0 &&
            (rc = fcp_cbor_tree_encode(t.root, &enc)) == 0)
            rc = fcp_cbor_enc_finish(&enc);
        if (rc)
            printf("err %s\n", fcp_error_name(rc) ? fcp_error_name(rc) : "?");
        else
            print_hex_line("ok ", out.data, out.len);
        fcp_cbor_tree_free(&t);
        fcp_cbor_enc_free(&enc);
    }
    free(line);
    fcp_buf_free(&out);
    fflush(stdout);
    return 0;
}

/*
 * Typed JSON, so that every CBOR value survives the trip through JSON:
 *   {"u":"DEC"} uint   {"n":"DEC"} negative -1-DEC   {"b":"HEX"} bytes
 *   {"s":"text"}       {"a":[...]}                   {"m":[[k,v],...]} map
 *                      (entries in any order: our map builder sorts them)
 *   {"f":"HEX16"} IEEE double bits   {"tag":"DEC","v":x}   {"simple":N}
 *   true false null
 */
static int enc_json(fcp_cbor_enc *e, const json_t *j)
{
    if (json_is_true(j) || json_is_false(j))
        return fcp_cbor_put_bool(e, json_is_true(j));
    if (json_is_null(j))
        return fcp_cbor_put_null(e);
    if (!json_is_object(j))
        return FCP_EINVAL;
    const json_t *v;
    if ((v = json_object_get(j, "u")))
        return fcp_cbor_put_uint(e, strtoull(json_string_value(v), NULL, 10));
    if ((v = json_object_get(j, "n")))
        return fcp_cbor_put_negint_raw(e, strtoull(json_string_value(v), NULL, 10));
    if ((v = json_object_get(j, "s")))
        return fcp_cbor_put_text(e, json_string_value(v), json_string_length(v));
    if ((v = json_object_get(j, "b"))) {
        size_t hl = json_string_length(v), n = 0;
        uint8_t *b = malloc(hl / 2 + 1);
        int rc = b ? fcp_hex_decode(b, hl / 2 + 1, &n, json_string_value(v), hl) : FCP_ENOMEM;
        if (rc == 0)
            rc = fcp_cbor_put_bytes(e, b, n);
        free(b);
        return rc;
    }
    if ((v = json_object_get(j, "f"))) {
        uint64_t bits = strtoull(json_string_value(v), NULL, 16);
        double d;
        memcpy(&d, &bits, 8);
        return fcp_cbor_put_float(e, d);
    }
    if ((v = json_object_get(j, "simple")))
        return fcp_cbor_put_simple(e, (unsigned)json_integer_value(v));
    if ((v = json_object_get(j, "tag"))) {
        int rc = fcp_cbor_put_tag(e, strtoull(json_string_value(v), NULL, 10));
        return rc ? rc : enc_json(e, json_object_get(j, "v"));
    }
    if ((v = json_object_get(j, "a"))) {
        int rc = fcp_cbor_put_array(e, json_array_size(v));
        for (size_t i = 0; !rc && i < json_array_size(v); i++)
            rc = enc_json(e, json_array_get(v, i));
        return rc;
    }
    if ((v = json_object_get(j, "m"))) {
        int rc = fcp_cbor_map_open(e);
        for (size_t i = 0; !rc && i < json_array_size(v); i++) {
            const json_t *pair = json_array_get(v, i);
            rc = enc_json(e, json_array_get(pair, 0));
            if (!rc)
                rc = enc_json(e, json_array_get(pair, 1));
        }
        return rc ? rc : fcp_cbor_map_close(e);
    }
    return FCP_EINVAL;
}

static int cmd_encode(void)
{
    char *line = NULL;
    size_t cap = 0;
    fcp_buf out;
    fcp_buf_init(&out);
    while (getline(&line, &cap, stdin) >= 0) {
        json_error_t je;
        json_t *j = json_loads(line, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
        fcp_cbor_enc enc;
        fcp_buf_reset(&out);
        fcp_cbor_enc_init(&enc, &out);
        int rc = j ? enc_json(&enc, j) : FCP_EINVAL;
        if (rc == 0)
            rc = fcp_cbor_enc_finish(&enc);
        if (rc)
            printf("err %s\n", fcp_error_name(rc) ? fcp_error_name(rc) : "?");
        else
            print_hex_line("", out.data, out.len);
        fcp_cbor_enc_free(&enc);
        json_decref(j);
    }
    free(line);
    fcp_buf_free(&out);
    fflush(stdout);
    return 0;
}

int cmd_cbor(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || cmd_wants_help(argc - 1, argv + 1)) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "diag"))
        return cmd_diag(argc - 1, argv + 1);
    if (!strcmp(argv[1], "_check"))
        return cmd_check();
    if (!strcmp(argv[1], "_encode"))
        return cmd_encode();
    fprintf(stderr, "fcp cbor: unknown subcommand '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
