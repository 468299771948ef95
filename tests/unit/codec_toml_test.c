/*
 * codec_toml_test.c - the strict TOML subset parser and its schema helpers
 * (src/codec/codec_toml*.c): every value form, every redefinition rule,
 * and one negative case per rejection with the exact error code and place.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/error.h"
#include "fcp/toml.h"
#include "test.h"

static fcp_toml_doc *ok_doc(const char *text)
{
    fcp_toml_doc *d = NULL;
    fcp_toml_error e;
    int r = fcp_toml_parse(&d, "t.toml", text, strlen(text), NULL, &e);
    if (!CHECK_EQ(r, 0))
        fprintf(stderr, "  unexpected error: %s\n  input: %s\n", e.msg, text);
    return d;
}

/* Parse text, expect error code at line:col (col 0 = do not check). */
static void bad(const char *text, int code, unsigned line, unsigned col)
{
    fcp_toml_doc *d = NULL;
    fcp_toml_error e;
    int r = fcp_toml_parse(&d, "t.toml", text, strlen(text), NULL, &e);
    int ok = CHECK_EQ(r, code);
    ok &= CHECK(d == NULL);
    ok &= CHECK_EQ(e.code, code);
    if (line)
        ok &= CHECK_EQ(e.line, line);
    if (col)
        ok &= CHECK_EQ(e.col, col);
    ok &= CHECK(strncmp(e.msg, "t.toml:", 7) == 0);
    if (!ok)
        fprintf(stderr, "  input: %s\n  got: %d %s\n", text, r, e.msg);
    fcp_toml_free(d);
}

static const fcp_toml_node *at(const fcp_toml_doc *d, const char *path)
{
    /* dotted path of bare keys, [n] for array elements */
    const fcp_toml_node *n = fcp_toml_root(d);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *s = strtok(buf, "."); s && n; s = strtok(NULL, ".")) {
        char *br = strchr(s, '[');
        if (br)
            *br = '\0';
        n = fcp_toml_table_get(n, s);
        while (br && n) {
            n = fcp_toml_array_at(n, (size_t)strtoul(br + 1, NULL, 10));
            br = strchr(br + 1, '[');
        }
    }
    return n;
}

static int64_t ival(const fcp_toml_doc *d, const char *path)
{
    int64_t v = -12345;
    CHECK_EQ(fcp_toml_int(at(d, path), &v), 0);
    return v;
}

static int str_is(const fcp_toml_doc *d, const char *path, const char *want, size_t wl)
{
    const char *s;
    size_t n;
    if (fcp_toml_string(at(d, path), &s, &n) != 0)
        return 0;
    return n == wl && memcmp(s, want, wl) == 0;
}

static void test_values(void)
{
    fcp_toml_doc *d = ok_doc(
        "# comment\n"
        "a = 1\n"
        "b = -0\n"
        "c = +99\n"
        "d = 1_000_000\n"
        "e = 0xDEAD_beef\n"
        "f = 0o755\n"
        "g = 0b1101\n"
        "h = 9223372036854775807\n"
        "i = -9223372036854775808\n"
        "j = 3.14\n"
        "k = -1e-3\n"
        "l = 6.626E+34\n"
        "m = inf\n"
        "n = -nan\n"
        "o = true\n"
        "p = false\n"
        "q = 1e06\n"
        "r = 0.0\n"
        "s = 5e+2_2\n"
        "t = 0x0000_0001\n"
        "u = 0e0\n");
    if (!d)
        return;
    CHECK_EQ(ival(d, "a"), 1);
    CHECK_EQ(ival(d, "b"), 0);
    CHECK_EQ(ival(d, "c"), 99);
    CHECK_EQ(ival(d, "d"), 1000000);
    CHECK_EQ(ival(d, "e"), 0xDEADBEEFLL);
    CHECK_EQ(ival(d, "f"), 0755);
    CHECK_EQ(ival(d, "g"), 13);
    CHECK(ival(d, "h") == INT64_MAX);
    CHECK(ival(d, "i") == INT64_MIN);
    CHECK_EQ(ival(d, "t"), 1);
    double f;
    CHECK_EQ(fcp_toml_float(at(d, "j"), &f), 0);
    CHECK(f == 3.14);
    CHECK_EQ(fcp_toml_float(at(d, "k"), &f), 0);
    CHECK(f == -1e-3);
    CHECK_EQ(fcp_toml_float(at(d, "l"), &f), 0);
    CHECK(f == 6.626e34);
    CHECK_EQ(fcp_toml_float(at(d, "m"), &f), 0);
    CHECK(isinf(f) && f > 0);
    CHECK_EQ(fcp_toml_float(at(d, "n"), &f), 0);
    CHECK(isnan(f));
    CHECK_EQ(fcp_toml_float(at(d, "q"), &f), 0);
    CHECK(f == 1e6);
    CHECK_EQ(fcp_toml_float(at(d, "s"), &f), 0);
    CHECK(f == 5e22);
    CHECK_EQ(fcp_toml_float(at(d, "u"), &f), 0);
    CHECK(f == 0.0);
    int b = -1;
    CHECK_EQ(fcp_toml_bool(at(d, "o"), &b), 0);
    CHECK_EQ(b, 1);
    CHECK_EQ(fcp_toml_bool(at(d, "p"), &b), 0);
    CHECK_EQ(b, 0);
    /* no conversions between types */
    CHECK_EQ(fcp_toml_float(at(d, "a"), &f), FCP_ETOML_WRONG_TYPE);
    CHECK_EQ(fcp_toml_int(at(d, "j"), &(int64_t){ 0 }), FCP_ETOML_WRONG_TYPE);
    CHECK_EQ(fcp_toml_type_of(at(d, "a")), FCP_TOML_INTEGER);
    CHECK_EQ(fcp_toml_line(at(d, "c")), 4);
    CHECK_EQ(fcp_toml_table_len(fcp_toml_root(d)), 21);
    const char *k;
    CHECK(fcp_toml_table_at(fcp_toml_root(d), 0, &k, NULL) != NULL && strcmp(k, "a") == 0);
    CHECK(fcp_toml_table_at(fcp_toml_root(d), 21, &k, NULL) == NULL);
    fcp_toml_free(d);
}

static void test_strings(void)
{
    fcp_toml_doc *d = ok_doc(
        "a = \"tab\\there \\\"q\\\" \\\\ \\u00E9 \\U0001F600 \\b\\f\\r\\n\"\n"
        "b = 'C:\\path\\no\\escapes'\n"
        "c = \"\"\"\nline1\nline2\"\"\"\n"
        "d = \"\"\"one \\\n     two \\\n\n   three\"\"\"\n"
        "e = '''\nraw \\n ''text'' '''\n"
        "f = \"\"\"two quotes at the end\"\"\"\"\"\n"
        "g = \"\"\n"
        "h = \"nul\\u0000inside\"\n"
        "i = \"\"\"crlf\r\nline\"\"\"\n"
        "j = \"héllo wörld\"\n");
    if (!d)
        return;
    const char want_a[] = "tab\there \"q\" \\ \xC3\xA9 \xF0\x9F\x98\x80 \b\f\r\n";
    CHECK(str_is(d, "a", want_a, sizeof want_a - 1));
    CHECK(str_is(d, "b", "C:\\path\\no\\escapes", 18));
    CHECK(str_is(d, "c", "line1\nline2", 11));
    CHECK(str_is(d, "d", "one two three", 13));
    CHECK(str_is(d, "e", "raw \\n ''text'' ", 16));
    CHECK(str_is(d, "f", "two quotes at the end\"\"", 23));
    CHECK(str_is(d, "g", "", 0));
    CHECK(str_is(d, "h", "nul\0inside", 10));
    CHECK(str_is(d, "i", "crlf\nline", 9));
    CHECK(str_is(d, "j", "h\xC3\xA9llo w\xC3\xB6rld", 13));
    fcp_toml_free(d);
}

static void test_tables(void)
{
    fcp_toml_doc *d = ok_doc(
        "title = \"x\"\n"
        "[server]\n"
        "listen = [\"a\", \"b\",]\n"
        "[server.limits]\n"
        "max = 3\n"
        "[\"quoted key\".'lit'] # comment\n"
        "v = 1\n"
        "[ spaced . header ]\n"
        "x.y.z = 2\n"
        "x.y.w = 3\n"
        "[[peers]]\n"
        "id = \"p1\"\n"
        "[[peers]]\n"
        "id = \"p2\"\n"
        "[peers.extra]\n"
        "k = 1\n"
        "[[peers.sub]]\n"
        "n = 1\n"
        "[a.b.c]\n"
        "[a]\n"
        "d = 1\n"
        "[fruit]\n"
        "apple.color = \"red\"\n"
        "[fruit.apple.texture]\n"
        "smooth = true\n"
        "[mix]\n"
        "arr = [1, \"two\", [3.0], {four = 4}]\n"
        "nested = [[1, 2], [\"a\"]]\n"
        "multi = [\n  1, # one\n  2,\n\n]\n"
        "inl = { a = 1, b.c = 2, \"q k\" = { d = [] } }\n"
        "empty = {}\n");
    if (!d)
        return;
    CHECK(str_is(d, "title", "x", 1));
    CHECK_EQ(fcp_toml_array_len(at(d, "server.listen")), 2);
    CHECK_EQ(ival(d, "server.limits.max"), 3);
    const fcp_toml_node *q = fcp_toml_table_get(fcp_toml_root(d), "quoted key");
    CHECK(q && fcp_toml_table_get(fcp_toml_table_get(q, "lit"), "v"));
    CHECK_EQ(ival(d, "spaced.header.x.y.z"), 2);
    CHECK_EQ(ival(d, "spaced.header.x.y.w"), 3);
    CHECK_EQ(fcp_toml_array_len(at(d, "peers")), 2);
    CHECK(str_is(d, "peers[1].id", "p2", 2));
    CHECK_EQ(ival(d, "peers[1].extra.k"), 1);
    CHECK_EQ(ival(d, "peers[1].sub[0].n"), 1);
    CHECK_EQ(ival(d, "a.d"), 1);
    CHECK(at(d, "a.b.c") != NULL);
    CHECK(str_is(d, "fruit.apple.color", "red", 3));
    CHECK_EQ(fcp_toml_array_len(at(d, "mix.arr")), 4);
    CHECK_EQ(fcp_toml_type_of(fcp_toml_array_at(at(d, "mix.arr"), 3)), FCP_TOML_TABLE);
    CHECK_EQ(fcp_toml_array_len(at(d, "mix.multi")), 2);
    CHECK_EQ(ival(d, "mix.inl.b.c"), 2);
    CHECK_EQ(fcp_toml_table_len(at(d, "mix.empty")), 0);
    char pb[128];
    CHECK(strcmp(fcp_toml_path(at(d, "peers[1].sub[0].n"), pb, sizeof pb), "peers[1].sub[0].n") == 0);
    const fcp_toml_node *qv = fcp_toml_table_get(fcp_toml_table_get(q, "lit"), "v");
    CHECK(strcmp(fcp_toml_path(qv, pb, sizeof pb), "\"quoted key\".lit.v") == 0);
    char tiny[8];
    fcp_toml_path(at(d, "server.limits.max"), tiny, sizeof tiny);
    CHECK(strlen(tiny) == 7 && strcmp(tiny + 4, "...") == 0);
    fcp_toml_free(d);

    /* empty document, BOM, CRLF, comments only */
    d = ok_doc("");
    CHECK(d && fcp_toml_table_len(fcp_toml_root(d)) == 0);
    fcp_toml_free(d);
    d = ok_doc("\xEF\xBB\xBF# only a comment\r\n\r\nk = 1\r\n");
    CHECK(d && ival(d, "k") == 1);
    fcp_toml_free(d);
    d = ok_doc("k = 1"); /* no final newline */
    CHECK(d && ival(d, "k") == 1);
    fcp_toml_free(d);
}

static void test_syntax_errors(void)
{
    bad("a = 1\nb = \n", FCP_ETOML_VALUE, 2, 5);
    bad("a = 1 2\n", FCP_ETOML_TRAILING, 1, 7);
    bad("[t] x\n", FCP_ETOML_TRAILING, 1, 5);
    bad("a 1\n", FCP_ETOML_SYNTAX, 1, 3);
    bad("= 1\n", FCP_ETOML_KEY, 1, 1);
    bad("a.= 1\n", FCP_ETOML_KEY, 1, 3);
    bad("a$b = 1\n", FCP_ETOML_SYNTAX, 1, 2);
    bad("x = yes\n", FCP_ETOML_VALUE, 1, 5);
    bad("x = True\n", FCP_ETOML_VALUE, 1, 5);
    bad("x = truex\n", FCP_ETOML_VALUE, 1, 5);
    bad("[a\nb = 1\n", FCP_ETOML_SYNTAX, 1, 3);
    bad("[[a]\n", FCP_ETOML_SYNTAX, 1, 4);
    bad("[]\n", FCP_ETOML_KEY, 1, 2);
    bad("\"\"\"k\"\"\" = 1\n", FCP_ETOML_KEY, 1, 1);
    /* strings */
    bad("s = \"abc\n", FCP_ETOML_STRING, 1, 5);
    bad("s = 'abc\n", FCP_ETOML_STRING, 1, 5);
    bad("s = \"\"\"abc\n", FCP_ETOML_STRING, 1, 5);
    bad("s = '''abc''''''\n", FCP_ETOML_STRING, 1, 11);
    bad("s = \"a\\qb\"\n", FCP_ETOML_ESCAPE, 1, 7);
    bad("s = \"a\\x41\"\n", FCP_ETOML_ESCAPE, 1, 7);
    bad("s = \"a\\e\"\n", FCP_ETOML_ESCAPE, 1, 7);
    bad("s = \"\\u12\"\n", FCP_ETOML_ESCAPE, 1, 6);
    bad("s = \"\\uD800\"\n", FCP_ETOML_ESCAPE, 1, 6);
    bad("s = \"\\U00110000\"\n", FCP_ETOML_ESCAPE, 1, 6);
    bad("s = \"\"\"a \\ b\"\"\"\n", FCP_ETOML_ESCAPE, 1, 10);
    /* raw control characters, bad newlines, bad UTF-8 */
    bad("s = \"a\x01\"\n", FCP_ETOML_CONTROL, 1, 7);
    bad("# comment \x7f\n", FCP_ETOML_CONTROL, 1, 11);
    bad("a = 1\rb = 2\n", FCP_ETOML_NEWLINE, 1, 6);
    bad("s = \"\xC3\x28\"\n", FCP_ETOML_UTF8, 1, 6);
    bad("s = \"\xC0\xAF\"\n", FCP_ETOML_UTF8, 1, 6);
    bad("s = \"\xED\xA0\x80\"\n", FCP_ETOML_UTF8, 1, 6);
    bad("s = \"\xF4\x90\x80\x80\"\n", FCP_ETOML_UTF8, 1, 6);
    bad("s = \"\xE2\x82\"", FCP_ETOML_UTF8, 1, 6);
    {
        const char nul[] = "a = 1\nb\0 = 2\n";
        fcp_toml_doc *d;
        fcp_toml_error e;
        CHECK_EQ(fcp_toml_parse(&d, NULL, nul, sizeof nul - 1, NULL, &e), FCP_ETOML_CONTROL);
        CHECK_EQ(e.line, 2);
        CHECK(strncmp(e.msg, "<input>:2:2:", 12) == 0);
    }
}

static void test_number_errors(void)
{
    bad("n = 01\n", FCP_ETOML_INTEGER, 1, 5);
    bad("n = +01\n", FCP_ETOML_INTEGER, 1, 5);
    bad("n = 1__0\n", FCP_ETOML_INTEGER, 1, 5);
    bad("n = _1\n", FCP_ETOML_VALUE, 1, 5);
    bad("n = 1_\n", FCP_ETOML_INTEGER, 1, 5);
    bad("n = 0x\n", FCP_ETOML_INTEGER, 1, 5);
    bad("n = 0xG1\n", FCP_ETOML_INTEGER, 1, 5);
    bad("n = 0o8\n", FCP_ETOML_INTEGER, 1, 5);
    bad("n = 0b102\n", FCP_ETOML_INTEGER, 1, 5);
    bad("n = +0x1\n", FCP_ETOML_INTEGER, 1, 5);
    bad("n = 0x_1\n", FCP_ETOML_INTEGER, 1, 5);
    bad("n = 0X1\n", FCP_ETOML_INTEGER, 1, 5);
    bad("n = 9223372036854775808\n", FCP_ETOML_INT_RANGE, 1, 5);
    bad("n = -9223372036854775809\n", FCP_ETOML_INT_RANGE, 1, 5);
    bad("n = 0x8000000000000000\n", FCP_ETOML_INT_RANGE, 1, 5);
    bad("n = 1.\n", FCP_ETOML_FLOAT, 1, 5);
    bad("n = .5\n", FCP_ETOML_VALUE, 1, 5);
    bad("n = 1.e5\n", FCP_ETOML_FLOAT, 1, 5);
    bad("n = 1e\n", FCP_ETOML_FLOAT, 1, 5);
    bad("n = 1e+\n", FCP_ETOML_FLOAT, 1, 5);
    bad("n = 03.14\n", FCP_ETOML_FLOAT, 1, 5);
    bad("n = 1.2.3\n", FCP_ETOML_FLOAT, 1, 5);
    bad("n = 1e5.0\n", FCP_ETOML_FLOAT, 1, 5);
    bad("n = 1_.5\n", FCP_ETOML_FLOAT, 1, 5);
    bad("n = 1e400\n", FCP_ETOML_FLOAT, 1, 5);
    bad("n = infinity\n", FCP_ETOML_FLOAT, 1, 5);
    bad("n = Inf\n", FCP_ETOML_VALUE, 1, 5);
    bad("n = --1\n", FCP_ETOML_INTEGER, 1, 5);
    bad("n = 1-2\n", FCP_ETOML_INTEGER, 1, 5);
    /* dates and times are refused with their own code (D-TOML-1) */
    bad("d = 1979-05-27\n", FCP_ETOML_DATETIME, 1, 5);
    bad("d = 1979-05-27T07:32:00Z\n", FCP_ETOML_DATETIME, 1, 5);
    bad("d = 07:32:00\n", FCP_ETOML_DATETIME, 1, 5);
    bad("d = 1979-05-27 07:32:00\n", FCP_ETOML_DATETIME, 1, 5);
}

static void test_structure_errors(void)
{
    bad("a = 1\na = 2\n", FCP_ETOML_DUPLICATE_KEY, 2, 1);
    bad("a = 1\n\"a\" = 2\n", FCP_ETOML_DUPLICATE_KEY, 2, 1);
    bad("a.b = 1\na.b = 2\n", FCP_ETOML_DUPLICATE_KEY, 2, 3);
    bad("a = 1\na.b = 2\n", FCP_ETOML_NOT_A_TABLE, 2, 1);
    bad("[a]\n[a]\n", FCP_ETOML_TABLE_REDEFINED, 2, 1);
    bad("[a]\nb = 1\n[a.b]\n", FCP_ETOML_NOT_A_TABLE, 3, 1);
    bad("[a.b]\n[a]\n[a.b]\n", FCP_ETOML_TABLE_REDEFINED, 3, 1);
    bad("[a]\nb.c = 1\n[a.b]\n", FCP_ETOML_TABLE_REDEFINED, 3, 1);
    bad("[a.b.c]\nz = 9\n[a]\nb.c.t = 1\n", FCP_ETOML_TABLE_REDEFINED, 4, 1);
    bad("[fruit]\napple.color = 1\n[fruit.apple]\n", FCP_ETOML_TABLE_REDEFINED, 3, 1);
    bad("a = {}\n[a]\n", FCP_ETOML_TABLE_REDEFINED, 2, 1);
    bad("a = {b = 1}\n[a.c]\n", FCP_ETOML_FROZEN, 2, 2);
    bad("a = {b = 1}\na.c = 2\n", FCP_ETOML_FROZEN, 2, 1);
    bad("a = {b = {c = 1}}\na.b.d = 2\n", FCP_ETOML_FROZEN, 2, 1);
    bad("a = {b.c = 1, b = 2}\n", FCP_ETOML_DUPLICATE_KEY, 1, 15);
    bad("a = {b = {}, b.c = 2}\n", FCP_ETOML_FROZEN, 1, 14);
    bad("a = [1]\n[[a]]\n", FCP_ETOML_FROZEN, 2, 3);
    bad("a = [{b = 1}]\n[a.c]\n", FCP_ETOML_FROZEN, 2, 2);
    bad("[a]\n[[a]]\n", FCP_ETOML_TABLE_REDEFINED, 2, 3);
    bad("[[a]]\n[a]\n", FCP_ETOML_FROZEN, 2, 1);
    bad("a = 1\n[[a]]\n", FCP_ETOML_NOT_A_TABLE, 2, 3);
    bad("a = \"s\"\n[a.b]\n", FCP_ETOML_NOT_A_TABLE, 2, 2);
    /* arrays and inline tables */
    bad("a = [1 2]\n", FCP_ETOML_ARRAY, 1, 8);
    bad("a = [,]\n", FCP_ETOML_ARRAY, 1, 6);
    bad("a = [1,,2]\n", FCP_ETOML_ARRAY, 1, 8);
    bad("a = [1\n", FCP_ETOML_ARRAY, 1, 5);
    bad("a = {b = 1,}\n", FCP_ETOML_INLINE_TABLE, 1, 12);
    bad("a = {b = 1\n}\n", FCP_ETOML_INLINE_TABLE, 1, 11);
    bad("a = {\nb = 1}\n", FCP_ETOML_INLINE_TABLE, 1, 6);
    bad("a = {b = 1 c = 2}\n", FCP_ETOML_INLINE_TABLE, 1, 12);
    bad("a = {b = 1", FCP_ETOML_INLINE_TABLE, 1, 5);
    bad("a = {,}\n", FCP_ETOML_INLINE_TABLE, 1, 6);
}

static void test_limits(void)
{
    fcp_toml_limits l;
    fcp_toml_limits_default(&l);
    CHECK_EQ(l.max_depth, 32);
    /* nesting: 32 levels parse, 33 do not */
    char deep[200];
    size_t o = 0;
    o += (size_t)sprintf(deep + o, "a = ");
    for (int i = 0; i < 32; i++)
        deep[o++] = '[';
    for (int i = 0; i < 32; i++)
        deep[o++] = ']';
    deep[o++] = '\n';
    deep[o] = '\0';
    fcp_toml_doc *d = ok_doc(deep);
    fcp_toml_free(d);
    o = 4;
    for (int i = 0; i < 33; i++)
        deep[o++] = '[';
    for (int i = 0; i < 33; i++)
        deep[o++] = ']';
    deep[o++] = '\n';
    deep[o] = '\0';
    bad(deep, FCP_ETOML_DEPTH, 1, 37);
    bad("a = {b = {c = {d = {e = {f = {g = {h = {i = {j = {k = {l = {m = {n = {o = {p = {q = {r = {s = {t "
        "= {u = {v = {w = {x = {y = {z = {A = {B = {C = {D = {E = {F = {G = {H = 1}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}\n",
        FCP_ETOML_DEPTH, 0, 0);
    /* a deep attack far past the limit fails fast without deep recursion */
    size_t big = 200000;
    char *s = malloc(big + 8);
    memcpy(s, "a = ", 4);
    memset(s + 4, '[', big);
    fcp_toml_error e;
    CHECK_EQ(fcp_toml_parse(&d, "t", s, big + 4, NULL, &e), FCP_ETOML_DEPTH);
    free(s);

    /* input size, node count, key parts, key length */
    fcp_toml_limits small = l;
    small.max_input = 8;
    CHECK_EQ(fcp_toml_parse(&d, "t", "a = 12345", 9, &small, &e), FCP_ETOML_LIMIT);
    small = l;
    small.max_nodes = 3;
    CHECK_EQ(fcp_toml_parse(&d, "t", "a = 1\nb = 2\n", 12, &small, &e), 0);
    fcp_toml_free(d);
    CHECK_EQ(fcp_toml_parse(&d, "t", "a = 1\nb = 2\nc = 3\n", 18, &small, &e), FCP_ETOML_LIMIT);
    CHECK_EQ(e.line, 3);
    small = l;
    small.max_key_parts = 2;
    CHECK_EQ(fcp_toml_parse(&d, "t", "a.b = 1", 7, &small, &e), 0);
    fcp_toml_free(d);
    CHECK_EQ(fcp_toml_parse(&d, "t", "a.b.c = 1", 9, &small, &e), FCP_ETOML_LIMIT);
    small = l;
    small.max_key_len = 3;
    CHECK_EQ(fcp_toml_parse(&d, "t", "abcd = 1", 8, &small, &e), FCP_ETOML_LIMIT);

    /* a wide table stays fast (hash index): 20000 keys */
    size_t cap = 20000 * 16;
    char *w = malloc(cap);
    o = 0;
    for (int i = 0; i < 20000; i++)
        o += (size_t)snprintf(w + o, cap - o, "k%d = %d\n", i, i);
    CHECK_EQ(fcp_toml_parse(&d, "t", w, o, NULL, &e), 0);
    CHECK_EQ(fcp_toml_table_len(fcp_toml_root(d)), 20000);
    CHECK(fcp_toml_table_get(fcp_toml_root(d), "k19999") != NULL);
    fcp_toml_free(d);
    /* the duplicate at the end is still found */
    o += (size_t)snprintf(w + o, cap - o, "k777 = 1\n");
    CHECK_EQ(fcp_toml_parse(&d, "t", w, o, NULL, &e), FCP_ETOML_DUPLICATE_KEY);
    CHECK_EQ(e.line, 20001);
    free(w);
}

static void test_schema(void)
{
    const char *text =
        "name = \"node\"\n"
        "\n"
        "[limits]\n"
        "max_peers = \"ten\"\n"
        "budget = 5\n";
    fcp_toml_doc *d = ok_doc(text);
    if (!d)
        return;
    fcp_toml_error e;
    const fcp_toml_field top[] = {
        { "name", FCP_TOML_STRING, 1 },
        { "limits", FCP_TOML_TABLE, 0 },
    };
    CHECK_EQ(fcp_toml_check_table(d, fcp_toml_root(d), top, 2, &e), 0);
    const fcp_toml_field lim[] = {
        { "max_peers", FCP_TOML_INTEGER, 0 },
        { "budget", FCP_TOML_INTEGER, 0 },
    };
    const fcp_toml_node *lt = at(d, "limits");
    CHECK_EQ(fcp_toml_check_table(d, lt, lim, 2, &e), FCP_ETOML_WRONG_TYPE);
    CHECK(strcmp(e.msg, "t.toml:4: key 'limits.max_peers' must be an integer, got a string") == 0);
    CHECK_EQ(e.line, 4);
    /* unknown key */
    const fcp_toml_field lim2[] = { { "max_peers", FCP_TOML_STRING, 0 } };
    CHECK_EQ(fcp_toml_check_table(d, lt, lim2, 1, &e), FCP_ETOML_UNKNOWN_KEY);
    CHECK(strcmp(e.msg, "t.toml:5: unknown key 'limits.budget'") == 0);
    /* missing required key */
    const fcp_toml_field lim3[] = {
        { "max_peers", 0, 0 }, { "budget", 0, 0 }, { "quota", FCP_TOML_INTEGER, 1 },
    };
    CHECK_EQ(fcp_toml_check_table(d, lt, lim3, 3, &e), FCP_ETOML_MISSING_KEY);
    CHECK(strstr(e.msg, "'limits.quota'") != NULL);
    const fcp_toml_field top2[] = { { "limits", 0, 0 }, { "name", 0, 0 }, { "zones", 0, 1 } };
    CHECK_EQ(fcp_toml_check_table(d, fcp_toml_root(d), top2, 3, &e), FCP_ETOML_MISSING_KEY);
    CHECK(strcmp(e.msg, "t.toml: missing the required top-level key 'zones'") == 0);
    CHECK_EQ(fcp_toml_check_table(d, at(d, "name"), top2, 3, &e), FCP_ETOML_WRONG_TYPE);
    /* typed getters */
    int64_t v = 0;
    CHECK_EQ(fcp_toml_get_int(d, lt, "budget", 0, 10, &v, &e), 0);
    CHECK_EQ(v, 5);
    CHECK_EQ(fcp_toml_get_int(d, lt, "budget", 6, 10, &v, &e), FCP_ETOML_RANGE);
    CHECK(strcmp(e.msg, "t.toml:5: key 'limits.budget' must be between 6 and 10, got 5") == 0);
    CHECK_EQ(fcp_toml_get_int(d, lt, "absent", 0, 10, &v, &e), 1);
    CHECK_EQ(fcp_toml_get_int(d, lt, "max_peers", 0, 10, &v, &e), FCP_ETOML_WRONG_TYPE);
    const char *s = NULL;
    CHECK_EQ(fcp_toml_get_string(d, fcp_toml_root(d), "name", 1, 10, &s, &e), 0);
    CHECK(s && strcmp(s, "node") == 0);
    CHECK_EQ(fcp_toml_get_string(d, fcp_toml_root(d), "name", 5, 10, &s, &e), FCP_ETOML_RANGE);
    int b;
    CHECK_EQ(fcp_toml_get_bool(d, lt, "budget", &b, &e), FCP_ETOML_WRONG_TYPE);
    CHECK(strstr(e.msg, "must be a boolean, got an integer") != NULL);
    CHECK_EQ(fcp_toml_fail(&e, d, lt, FCP_ECONFIG_VALUE, "x %d", 7), FCP_ECONFIG_VALUE);
    CHECK(strcmp(e.msg, "t.toml:3: x 7") == 0);
    fcp_toml_free(d);

    d = ok_doc("s = \"a\\u0000b\"\n");
    CHECK_EQ(fcp_toml_get_string(d, fcp_toml_root(d), "s", 0, 10, &s, &e), FCP_ETOML_RANGE);
    fcp_toml_free(d);
}

/* A realistic manifest (spec §11.1 shape) parses and reads back. */
static void test_manifest(void)
{
    fcp_toml_doc *d = ok_doc(
        "[manifest]\n"
        "format = \"fcp-connector-manifest\"\n"
        "schema_version = \"2.0\"\n"
        "[connector]\n"
        "id = \"fcp.telegram\"\n"
        "archetypes = [\"bidirectional\", \"streaming\"]\n"
        "[provides.operations.telegram_send_message]\n"
        "rate_limit = \"60/min\"\n"
        "input_schema = { type = \"object\", required = [\"chat_id\", \"text\"] }\n"
        "network_constraints = { host_allow = [\"api.telegram.org\"], port_allow = [443], require_sni = true }\n"
        "[provides.operations.telegram_send_message.ai_hints]\n"
        "common_mistakes = [\"Sending secrets\", \"Responding to tainted inputs\"]\n"
        "[sandbox]\n"
        "memory_mb = 256\n"
        "wall_clock_timeout_ms = 30000 # per operation\n"
        "[signatures]\n"
        "publisher_signatures = [\n"
        "  { kid = \"pubkey1\", sig = \"base64:...\" },\n"
        "  { kid = \"pubkey2\", sig = \"base64:...\" },\n"
        "]\n");
    if (!d)
        return;
    CHECK_EQ(ival(d, "provides.operations.telegram_send_message.network_constraints.port_allow[0]"), 443);
    CHECK(str_is(d, "signatures.publisher_signatures[1].kid", "pubkey2", 7));
    CHECK_EQ(ival(d, "sandbox.memory_mb"), 256);
    fcp_toml_free(d);
}

int main(void)
{
    test_values();
    test_strings();
    test_tables();
    test_syntax_errors();
    test_number_errors();
    test_structure_errors();
    test_limits();
    test_schema();
    test_manifest();
    return fcp_t_done("codec_toml_test");
}
