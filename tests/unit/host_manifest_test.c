/*
 * host_manifest_test.c - manifest.toml parsing and validation (spec §11.1):
 * the reference connectors' manifests parse; each bad manifest is refused
 * with its own code and the line of the offending key; the canonical CBOR
 * form and hash match the golden vector in conformance/golden/manifest/
 * (hash cross-checked with b3sum --derive-key when it was generated); the
 * install check (embedded ELF manifest + publisher signature, §11.3/§13.2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/host_manifest.h"
#include "test.h"

static const char BASE[] =
    "[manifest]\n"                                                        /* 1 */
    "format = \"fcp-connector-manifest\"\n"                               /* 2 */
    "schema_version = \"2.0\"\n"                                          /* 3 */
    "[connector]\n"                                                       /* 4 */
    "id = \"fcp.test\"\n"                                                 /* 5 */
    "name = \"Test\"\n"                                                   /* 6 */
    "version = \"1.2.3\"\n"                                               /* 7 */
    "archetypes = [\"storage\"]\n"                                        /* 8 */
    "publisher_key = \"4fd099ccd47d7893dfe9ec24414ecb0d9b5420232aad30d91c465be33cbe65c4\"\n" /* 9 */
    "[capabilities]\n"                                                    /* 10 */
    "required = [\"storage.persistent\"]\n"                               /* 11 */
    "forbidden = [\"system.exec\"]\n"                                     /* 12 */
    "[provides.operations.op_a]\n"                                        /* 13 */
    "capability = \"test.a\"\n"                                           /* 14 */
    "safety_tier = \"safe\"\n"                                            /* 15 */
    "input_schema = '{\"type\":\"object\"}'\n"                            /* 16 */
    "output_schema = '{\"type\":\"object\"}'\n"                           /* 17 */
    "rate_limit = \"10/sec\"\n"                                           /* 18 */
    "[sandbox]\n"                                                         /* 19 */
    "profile = \"strict\"\n"                                              /* 20 */
    "memory_mb = 64\n"                                                    /* 21 */
    "wall_clock_timeout_ms = 1000\n"                                      /* 22 */
    "[state]\n"                                                           /* 23 */
    "model = \"local\"\n";                                                /* 24 */

/* BASE with the first occurrence of `from` replaced by `to`. */
static char *with(const char *from, const char *to)
{
    const char *at = strstr(BASE, from);
    if (!at) return NULL;
    size_t a = (size_t)(at - BASE), fl = strlen(from), tl = strlen(to);
    char *s = malloc(sizeof BASE + tl);
    memcpy(s, BASE, a);
    memcpy(s + a, to, tl);
    strcpy(s + a + tl, at + fl);
    return s;
}

typedef struct bad {
    const char *from, *to;
    int code;
    unsigned line;
    const char *needle; /* must appear in the message */
} bad;

static const bad BADS[] = {
    {"name = \"Test\"\n", "name = \"Test\"\ncolour = \"red\"\n", FCP_ETOML_UNKNOWN_KEY, 7, "connector.colour"},
    {"memory_mb = 64", "memory_mb = \"64\"", FCP_ETOML_WRONG_TYPE, 21, "sandbox.memory_mb"},
    {"memory_mb = 64", "memory_mb = 1", FCP_ETOML_RANGE, 21, "sandbox.memory_mb"},
    {"memory_mb = 64\n", "", FCP_ETOML_MISSING_KEY, 0, "memory_mb"},
    {"format = \"fcp-connector-manifest\"", "format = \"other\"", FCP_EHOST_MANIFEST_FORMAT, 2, "manifest.format"},
    {"schema_version = \"2.0\"", "schema_version = \"1.0\"", FCP_EHOST_MANIFEST_FORMAT, 3, "schema_version"},
    {"id = \"fcp.test\"", "id = \"Fcp.Test\"", FCP_EHOST_MANIFEST_ID, 5, "connector.id"},
    {"version = \"1.2.3\"", "version = \"1.02.3\"", FCP_EHOST_MANIFEST_VERSION, 7, "connector.version"},
    {"archetypes = [\"storage\"]", "archetypes = [\"storage\", \"teleport\"]", FCP_EHOST_MANIFEST_TIER, 8, "archetypes"},
    {"archetypes = [\"storage\"]", "archetypes = []", FCP_EHOST_MANIFEST_LIMIT, 8, "archetypes"},
    {"publisher_key = \"4f", "publisher_key = \"zz", FCP_EHOST_MANIFEST_KEY, 9, "publisher_key"},
    {"forbidden = [\"system.exec\"]", "forbidden = [\"storage.persistent\"]", FCP_EHOST_MANIFEST_CAP, 12, "storage.persistent"},
    {"required = [\"storage.persistent\"]", "required = [\"a.b\", \"a.b\"]", FCP_EHOST_MANIFEST_CAP, 11, "twice"},
    {"required = [\"storage.persistent\"]", "required = [\"Bad Cap\"]", FCP_EHOST_MANIFEST_CAP, 11, "capabilities.required"},
    {"required = [\"storage.persistent\"]", "required = [1]", FCP_ETOML_WRONG_TYPE, 11, "capabilities.required"},
    {"safety_tier = \"safe\"", "safety_tier = \"harmless\"", FCP_EHOST_MANIFEST_TIER, 15, "safety_tier"},
    {"safety_tier = \"safe\"", "safety_tier = \"dangerous\"\nidempotency = \"none\"", FCP_EHOST_MANIFEST_TIER, 16, "strict"},
    {"input_schema = '{\"type\":\"object\"}'", "input_schema = '[1,2]'", FCP_EHOST_MANIFEST_SCHEMA, 16, "input_schema"},
    {"output_schema = '{\"type\":\"object\"}'", "output_schema = 7", FCP_ETOML_WRONG_TYPE, 17, "output_schema"},
    {"rate_limit = \"10/sec\"", "rate_limit = \"10/fortnight\"", FCP_EHOST_MANIFEST_RATE, 18, "rate_limit"},
    {"rate_limit = \"10/sec\"", "rate_limit = \"0/sec\"", FCP_EHOST_MANIFEST_RATE, 18, "rate_limit"},
    {"[provides.operations.op_a]", "[provides.operations.\"Op A\"]", FCP_EHOST_MANIFEST_ID, 13, "Op A"},
    {"profile = \"strict\"", "profile = \"lax\"", FCP_EHOST_MANIFEST_SANDBOX, 20, "sandbox.profile"},
    {"wall_clock_timeout_ms = 1000", "wall_clock_timeout_ms = 1.5", FCP_ETOML_WRONG_TYPE, 22, "wall_clock_timeout_ms"},
    {"model = \"local\"", "model = \"cloud\"", FCP_EHOST_MANIFEST_STATE, 24, "state.model"},
    {"rate_limit = \"10/sec\"", "network_constraints = { host_allow = [\"API.example.com\"], port_allow = [443] }", FCP_EHOST_MANIFEST_HOST, 18, "host_allow"},
    {"rate_limit = \"10/sec\"", "network_constraints = { host_allow = [\"a.example\"], port_allow = [0] }", FCP_EHOST_MANIFEST_PORT, 18, "port_allow"},
    /* D-MANIFEST-6: the CapabilityObject's rules, one case per rule */
    {"rate_limit = \"10/sec\"", "network_constraints = { host_allow = [\"-a.example\"], port_allow = [443] }", FCP_EHOST_MANIFEST_HOST, 18, "-a.example"},
    {"rate_limit = \"10/sec\"", "network_constraints = { host_allow = [\"a-.example\"], port_allow = [443] }", FCP_EHOST_MANIFEST_HOST, 18, "a-.example"},
    {"rate_limit = \"10/sec\"", "network_constraints = { host_allow = [\"a..example\"], port_allow = [443] }", FCP_EHOST_MANIFEST_HOST, 18, "a..example"},
    {"rate_limit = \"10/sec\"", "network_constraints = { host_allow = [\"a.example.\"], port_allow = [443] }", FCP_EHOST_MANIFEST_HOST, 18, "a.example."},
    {"rate_limit = \"10/sec\"", "network_constraints = { host_allow = [\"*\"], port_allow = [443] }", FCP_EHOST_MANIFEST_HOST, 18, "host_allow"},
    {"rate_limit = \"10/sec\"", "network_constraints = { host_allow = [\"a.*.example\"], port_allow = [443] }", FCP_EHOST_MANIFEST_HOST, 18, "a.*.example"},
    {"rate_limit = \"10/sec\"", "network_constraints = { host_allow = [\"*example.com\"], port_allow = [443] }", FCP_EHOST_MANIFEST_HOST, 18, "*example.com"},
    {"rate_limit = \"10/sec\"", "network_constraints = { host_allow = [\"a_b.example\"], port_allow = [443] }", FCP_EHOST_MANIFEST_HOST, 18, "a_b.example"},
    {"rate_limit = \"10/sec\"", "network_constraints = { host_allow = [\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example\"], port_allow = [443] }", FCP_EHOST_MANIFEST_HOST, 18, "host_allow"},
    {"rate_limit = \"10/sec\"", "network_constraints = { host_allow = [\"a.example\"], port_allow = [443, 8443, 443] }", FCP_EHOST_MANIFEST_PORT, 18, "twice"},
    {"rate_limit = \"10/sec\"", "network_constraints = { host_allow = [\"a.example\"], port_allow = [65536] }", FCP_EHOST_MANIFEST_PORT, 18, "port_allow"},
    {"rate_limit = \"10/sec\"", "network_constraints = { host_allow = [\"a.example\"], port_allow = [443], spki_pins = [\"short=\"] }", FCP_EHOST_MANIFEST_PIN, 18, "spki_pins"},
    {"rate_limit = \"10/sec\"", "network_constraints = { host_allow = [\"a.example\"], port_allow = [443], spki_pins = [\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-A=\"] }", FCP_EHOST_MANIFEST_PIN, 18, "spki_pins"},
    {"rate_limit = \"10/sec\"", "network_constraints = { host_allow = [\"a.example\"], port_allow = [443], spki_pins = [\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"] }", FCP_EHOST_MANIFEST_PIN, 18, "spki_pins"},
    {"rate_limit = \"10/sec\"", "network_constraints = { host_allow = [\"a.example\"], port_allow = [443], spki_pins = [\"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"] }", FCP_EHOST_MANIFEST_PIN, 18, "spki_pins"},
    {"rate_limit = \"10/sec\"", "network_constraints = { host_allow = [\"a.example\"], port_allow = [443], proxy = true }", FCP_ETOML_UNKNOWN_KEY, 18, "proxy"},
    {"[state]\n", "[extras]\nx = 1\n[state]\n", FCP_ETOML_UNKNOWN_KEY, 23, "extras"},
    {"id = \"fcp.test\"", "id = \"fcp.test\"\nid = \"x\"", FCP_ETOML_DUPLICATE_KEY, 6, "duplicate"},
};

static void test_bad_cases(void)
{
    for (size_t i = 0; i < sizeof BADS / sizeof BADS[0]; i++) {
        char *t = with(BADS[i].from, BADS[i].to);
        CHECK(t != NULL);
        if (!t) continue;
        fcp_manifest m;
        fcp_toml_error err;
        int rc = fcp_manifest_parse(&m, "m.toml", t, strlen(t), &err);
        if (!CHECK_EQ(rc, BADS[i].code) || (BADS[i].line && !CHECK_EQ(err.line, BADS[i].line)) ||
            !CHECK(strstr(err.msg, BADS[i].needle) != NULL))
            fprintf(stderr, "  case %zu: %s\n", i, err.msg);
        CHECK(m.id == NULL && m.ops == NULL);
        free(t);
    }
}

static uint8_t *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long l = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)l + 1);
    *n = fread(b, 1, (size_t)l, f);
    b[*n] = 0;
    fclose(f);
    return b;
}

static void test_base_and_refs(void)
{
    fcp_manifest m;
    fcp_toml_error err;
    CHECK_EQ(fcp_manifest_parse(&m, "m.toml", BASE, strlen(BASE), &err), 0);
    CHECK(strcmp(m.id, "fcp.test") == 0);
    CHECK_EQ(m.n_ops, 1);
    CHECK_EQ(m.ops[0].rate_count, 10);
    CHECK_EQ(m.ops[0].rate_per_s, 1);
    CHECK_EQ(m.sandbox.max_pids, 16);   /* default */
    CHECK_EQ(m.sandbox.deny_exec, 1);   /* default */
    CHECK_EQ(m.state_model, FCP_STATE_LOCAL);
    fcp_manifest_free(&m);

    static const char *const refs[] = {"connectors/notes/manifest.toml",
                                       "connectors/http/manifest.toml"};
    for (int i = 0; i < 2; i++) {
        size_t n;
        uint8_t *t = read_all(refs[i], &n);
        CHECK(t != NULL);
        if (!t) continue;
        int rc = fcp_manifest_parse(&m, refs[i], (const char *)t, n, &err);
        if (!CHECK_EQ(rc, 0)) fprintf(stderr, "  %s\n", err.msg);
        fcp_manifest_free(&m);
        free(t);
    }
}

/* Operation order and capability order do not change the hash; a changed
 * limit does. */
static void test_canonical(void)
{
    static const char two_a[] =
        "[provides.operations.op_a]\ncapability = \"t.a\"\nsafety_tier = \"safe\"\n"
        "input_schema = '{}'\noutput_schema = '{}'\n"
        "[provides.operations.op_b]\ncapability = \"t.b\"\nsafety_tier = \"safe\"\n"
        "input_schema = '{}'\noutput_schema = '{}'\n";
    static const char two_b[] =
        "[provides.operations.op_b]\ncapability = \"t.b\"\nsafety_tier = \"safe\"\n"
        "input_schema = '{}'\noutput_schema = '{}'\n"
        "[provides.operations.op_a]\ncapability = \"t.a\"\nsafety_tier = \"safe\"\n"
        "input_schema = '{}'\noutput_schema = '{}'\n";
    const char *op_block = "[provides.operations.op_a]\ncapability = \"test.a\"\nsafety_tier = \"safe\"\n"
                           "input_schema = '{\"type\":\"object\"}'\n"
                           "output_schema = '{\"type\":\"object\"}'\nrate_limit = \"10/sec\"\n";
    char *a = with(op_block, two_a), *b = with(op_block, two_b);
    char *c = with("required = [\"storage.persistent\"]", "required = [\"x.y\", \"storage.persistent\"]");
    char *d = with("required = [\"storage.persistent\"]", "required = [\"storage.persistent\", \"x.y\"]");
    char *e = with("memory_mb = 64", "memory_mb = 65");
    CHECK(a && b && c && d && e);
    uint8_t h[5][32];
    char *t[5] = {a, b, c, d, e};
    for (int i = 0; i < 5; i++) {
        fcp_manifest m;
        fcp_toml_error err;
        int rc = t[i] ? fcp_manifest_parse(&m, "m", t[i], strlen(t[i]), &err) : -1;
        if (!CHECK_EQ(rc, 0)) {
            fprintf(stderr, "  canonical %d: %s\n", i, err.msg);
            memset(h[i], i, 32);
            continue;
        }
        CHECK_EQ(fcp_manifest_hash(&m, h[i]), 0);
        fcp_manifest_free(&m);
    }
    CHECK(memcmp(h[0], h[1], 32) == 0);
    CHECK(memcmp(h[2], h[3], 32) == 0);
    CHECK(memcmp(h[2], h[4], 32) != 0);
    for (int i = 0; i < 5; i++) free(t[i]);
}

/* conformance/golden/manifest/notes.json: canonical CBOR and hash of the
 * notes manifest.  FCP_GOLDEN_WRITE=1 prints the current values. */
static void test_golden(void)
{
    size_t n, gl;
    uint8_t *t = read_all("connectors/notes/manifest.toml", &n);
    uint8_t *g = read_all("conformance/golden/manifest/notes.json", &gl);
    CHECK(t && g);
    if (!t || !g) goto out;
    fcp_manifest m;
    CHECK_EQ(fcp_manifest_parse(&m, "notes", (const char *)t, n, NULL), 0);
    fcp_buf b;
    fcp_buf_init(&b);
    CHECK_EQ(fcp_manifest_encode(&m, &b), 0);
    uint8_t h[32];
    CHECK_EQ(fcp_manifest_hash(&m, h), 0);
    CHECK_EQ(fcp_cbor_validate(b.data, b.len, NULL), 0);
    json_error_t je;
    json_t *j = json_loadb((const char *)g, gl, 0, &je);
    CHECK(j != NULL);
    size_t cl = 0, hl = 0;
    uint8_t *cb = fcp_t_unhex(fcp_t_jstr(j, "canonical_cbor_hex"), &cl);
    uint8_t *hb = fcp_t_unhex(fcp_t_jstr(j, "manifest_hash_hex"), &hl);
    CHECK(cb && hb);
    CHECK_EQ(cl, b.len);
    if (cb && cl == b.len) CHECK_MEM(cb, b.data, cl);
    CHECK_EQ(hl, 32);
    if (hb && hl == 32) CHECK_MEM(hb, h, 32);
    if (getenv("FCP_GOLDEN_WRITE")) {
        for (size_t i = 0; i < b.len; i++) printf("%02x", b.data[i]);
        printf("\n");
        for (int i = 0; i < 32; i++) printf("%02x", h[i]);
        printf("\n");
    }
    free(cb);
    free(hb);
    json_decref(j);
    fcp_buf_free(&b);
    fcp_manifest_free(&m);
out:
    free(t);
    free(g);
}

/* A tiny ELF64 with one .fcp_manifest section built by hand, then the
 * install check: embedded == installed, signature, tampering. */
static size_t build_elf(uint8_t *out, const char *payload, size_t plen)
{
    static const char shstr[] = "\0.shstrtab\0.fcp_manifest\0";
    size_t off_payload = 64, off_str = off_payload + plen, off_sh = (off_str + sizeof shstr + 7) & ~7u;
    memset(out, 0, off_sh + 3 * 64);
    memcpy(out, "\x7f" "ELF\x02\x01\x01", 7);
    fcp_store_u16le(out + 16, 2);     /* ET_EXEC */
    fcp_store_u16le(out + 18, 62);    /* x86-64 */
    fcp_store_u32le(out + 20, 1);
    fcp_store_u64le(out + 40, off_sh);
    fcp_store_u16le(out + 52, 64);
    fcp_store_u16le(out + 58, 64);
    fcp_store_u16le(out + 60, 3);
    fcp_store_u16le(out + 62, 1);
    memcpy(out + off_payload, payload, plen);
    memcpy(out + off_str, shstr, sizeof shstr);
    uint8_t *s1 = out + off_sh + 64, *s2 = out + off_sh + 128;
    fcp_store_u32le(s1, 1);           /* .shstrtab */
    fcp_store_u32le(s1 + 4, 3);
    fcp_store_u64le(s1 + 24, off_str);
    fcp_store_u64le(s1 + 32, sizeof shstr);
    fcp_store_u32le(s2, 11);          /* .fcp_manifest */
    fcp_store_u32le(s2 + 4, 1);
    fcp_store_u64le(s2 + 24, off_payload);
    fcp_store_u64le(s2 + 32, plen);
    return off_sh + 3 * 64;
}

static void test_elf_and_signature(void)
{
    static uint8_t elfb[8192];
    size_t n = build_elf(elfb, BASE, strlen(BASE));
    const uint8_t *sec;
    size_t sl;
    CHECK_EQ(fcp_elf_find_manifest(elfb, n, &sec, &sl), 0);
    CHECK_EQ(sl, strlen(BASE));
    /* truncations never read out of bounds and fail cleanly */
    for (size_t cut = 0; cut < n; cut += 7) {
        int rc = fcp_elf_find_manifest(elfb, cut, &sec, &sl);
        CHECK(rc == FCP_EHOST_ELF || rc == FCP_EHOST_ELF_NO_MANIFEST);
    }
    CHECK_EQ(fcp_elf_find_manifest((const uint8_t *)"hello world, not an ELF file at all. padding padding", 52, &sec, &sl), FCP_EHOST_ELF);

    fcp_manifest m;
    CHECK_EQ(fcp_manifest_parse(&m, "m", BASE, strlen(BASE), NULL), 0);
    uint8_t seed[32], pk[32], sk[64], mh[32], bh[32], sig[64];
    for (int i = 0; i < 32; i++) seed[i] = (uint8_t)(0xa0 + i);
    fcp_ed25519_keypair_from_seed(pk, sk, seed);
    CHECK_MEM(pk, m.publisher_key, 32);
    CHECK_EQ(fcp_manifest_hash(&m, mh), 0);
    fcp_manifest_binary_hash(elfb, n, bh);
    CHECK_EQ(fcp_manifest_sign(sig, mh, bh, sk), 0);
    fcp_toml_error err;
    CHECK_EQ(fcp_manifest_verify_install(&m, elfb, n, sig, pk, &err), 0);
    CHECK_EQ(fcp_manifest_verify_install(&m, elfb, n, sig, NULL, &err), 0);
    uint8_t other[32];
    memset(other, 7, 32);
    CHECK_EQ(fcp_manifest_verify_install(&m, elfb, n, sig, other, &err), FCP_EHOST_SIGNATURE);
    sig[5] ^= 1;
    CHECK_EQ(fcp_manifest_verify_install(&m, elfb, n, sig, pk, &err), FCP_EHOST_SIGNATURE);
    sig[5] ^= 1;
    elfb[n - 1] ^= 0x40; /* tamper with the binary outside the manifest */
    CHECK_EQ(fcp_manifest_verify_install(&m, elfb, n, sig, pk, &err), FCP_EHOST_SIGNATURE);
    elfb[n - 1] ^= 0x40;
    /* an installed manifest that differs from the embedded one */
    m.sandbox.memory_mb++;
    CHECK_EQ(fcp_manifest_verify_install(&m, elfb, n, sig, pk, &err), FCP_EHOST_MANIFEST_MISMATCH);
    fcp_manifest_free(&m);
}

/* D-MANIFEST-6: a host pattern is accepted by the manifest exactly when a
 * CapabilityObject's NetworkConstraints accept it (same rule, shared code),
 * and fcp_manifest_net_constraints turns an accepted table into constraints
 * that validate. */
static void test_network_rules(void)
{
    FILE *f = fopen("conformance/golden/manifest/network_rules.json", "rb");
    CHECK(f != NULL);
    if (!f) return;
    json_error_t je;
    json_t *doc = json_loadf(f, 0, &je);
    fclose(f);
    json_t *hosts = json_object_get(doc, "hosts"), *pins = json_object_get(doc, "pins");
    CHECK(json_array_size(hosts) >= 20 && json_array_size(pins) >= 6);
    for (int kind = 0; kind < 2; kind++) {
        json_t *list = kind ? pins : hosts;
        for (size_t i = 0; i < json_array_size(list); i++) {
            const char *v = fcp_t_jstr(json_array_get(list, i), "value");
            int valid = json_is_true(json_object_get(json_array_get(list, i), "valid"));
            char to[512];
            if (kind)
                snprintf(to, sizeof to, "network_constraints = { host_allow = [\"a.example\"], port_allow = [443], "
                         "spki_pins = [\"%s\"] }", v);
            else
                snprintf(to, sizeof to, "network_constraints = { host_allow = [\"%s\"], port_allow = [443] }", v);
            char *t = with("rate_limit = \"10/sec\"", to);
            fcp_manifest m;
            fcp_toml_error err;
            int man = fcp_manifest_parse(&m, "m.toml", t, strlen(t), &err);
            fcp_net_constraints n;
            fcp_net_constraints_default(&n);
            if (kind) {
                n.n_spki_pins = 1;
                snprintf(n.spki_pins[0], sizeof n.spki_pins[0], "%.44s", v);
                if (strlen(v) > FCP_NET_PIN_MAX) n.spki_pins[0][0] = '!';
            } else {
                n.n_host_allow = 1;
                snprintf(n.host_allow[0], sizeof n.host_allow[0], "%s", v);
            }
            int cap = fcp_net_constraints_validate(&n);
            /* golden verdict == manifest == CapabilityObject */
            if (!CHECK_EQ(man == 0, valid) || !CHECK_EQ(cap == 0, valid))
                fprintf(stderr, "  %s \"%s\": manifest %d, CapabilityObject %d, golden %d\n",
                        kind ? "pin" : "host", v, man, cap, valid);
            if (man == 0) {
                fcp_net_constraints c;
                CHECK_EQ(fcp_manifest_net_constraints(&m.ops[0].net, &c), 0);
                if (!kind) CHECK(c.n_host_allow == 1 && strcmp(c.host_allow[0], v) == 0);
                else CHECK(c.n_spki_pins == 1 && strcmp(c.spki_pins[0], v) == 0);
                fcp_manifest_free(&m);
            } else if (kind) {
                CHECK_EQ(man, FCP_EHOST_MANIFEST_PIN);
            } else {
                /* the rule's code, or the TOML parser refusing the string first */
                CHECK(man == FCP_EHOST_MANIFEST_HOST || man == FCP_EHOST_MANIFEST_NETWORK);
            }
            free(t);
        }
    }
    json_decref(doc);
    /* a full table: ports sorted, pins kept, flags carried, spec defaults */
    char *t = with("rate_limit = \"10/sec\"",
                   "network_constraints = { host_allow = [\"b.example\", \"*.a.example\"], port_allow = [8443, 443], "
                   "spki_pins = [\"Bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb=\", \"Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=\"], "
                   "require_sni = true, deny_private_ranges = false }");
    fcp_manifest m;
    fcp_toml_error err;
    if (CHECK_EQ(fcp_manifest_parse(&m, "m.toml", t, strlen(t), &err), 0)) {
        fcp_net_constraints c;
        CHECK_EQ(fcp_manifest_net_constraints(&m.ops[0].net, &c), 0);
        CHECK_EQ(fcp_net_constraints_validate(&c), 0);
        CHECK(c.n_port_allow == 2 && c.port_allow[0] == 443 && c.port_allow[1] == 8443);
        CHECK(c.n_host_allow == 2 && strcmp(c.host_allow[0], "*.a.example") == 0);
        CHECK(c.n_spki_pins == 2 && c.spki_pins[0][0] == 'A');
        CHECK(c.require_sni == 1 && c.deny_private_ranges == 0 && c.deny_localhost == 1);
        CHECK(c.n_cidr_deny == FCP_NET_DEFAULT_CIDRS && c.connect_timeout_ms == 10000);
        CHECK(fcp_net_host_allowed(&c, "x.a.example") && !fcp_net_host_allowed(&c, "a.example"));
        /* an operation without network_constraints has none to give */
        fcp_manifest_network none;
        memset(&none, 0, sizeof none);
        CHECK_EQ(fcp_manifest_net_constraints(&none, &c), FCP_EHOST_MANIFEST_NETWORK);
        fcp_manifest_free(&m);
    }
    free(t);
    /* more hosts than a NetworkConstraints holds */
    char big[2048] = "network_constraints = { host_allow = [";
    for (int i = 0; i < 17; i++)
        snprintf(big + strlen(big), sizeof big - strlen(big), "%s\"h%02d.example\"", i ? ", " : "", i);
    strcat(big, "], port_allow = [443] }");
    t = with("rate_limit = \"10/sec\"", big);
    CHECK_EQ(fcp_manifest_parse(&m, "m.toml", t, strlen(t), &err), FCP_EHOST_MANIFEST_LIMIT);
    free(t);
}

int main(void)
{
    fcp_crypto_init();
    test_base_and_refs();
    test_bad_cases();
    test_network_rules();
    test_canonical();
    test_golden();
    test_elf_and_signature();
    return fcp_t_done("host_manifest_test");
}
