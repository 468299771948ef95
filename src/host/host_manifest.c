/*
 * host_manifest.c - manifest.toml -> fcp_manifest (spec §11.1), strictly.
 *
 * Each table is first checked against its field list with
 * fcp_toml_check_table (unknown key, wrong type, missing key: all reported
 * with key path and line); then each value is checked for its meaning and a
 * failure names the key and line through fcp_toml_fail.  Strings are copied
 * out of the TOML tree so the document can be freed at the end.
 */
#include "fcp/host_manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/error.h"
#include "fcp/hex.h"

typedef struct mctx {
    const fcp_toml_doc *doc;
    fcp_toml_error     *err;
} mctx;

static char *dupn(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

/* [a-z0-9] then [a-z0-9._-]; 1..FCP_MANIFEST_MAX_ID bytes.  Operation
 * names additionally allow '_' (they already do) and nothing else. */
static int ident_ok(const char *s, size_t n, int allow_colon)
{
    if (n == 0 || n > FCP_MANIFEST_MAX_ID) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (i == 0 && !alnum) return 0;
        if (!alnum && c != '.' && c != '_' && c != '-' && !(allow_colon && c == ':')) return 0;
    }
    return 1;
}

/* A required string with a length range. */
static int get_str(mctx *c, const fcp_toml_node *t, const char *key, size_t min, size_t max,
                   char **out)
{
    const char *s = NULL;
    int rc = fcp_toml_get_string(c->doc, t, key, min, max, &s, c->err);
    if (rc < 0) return rc;
    if (rc == 1) {
        *out = dupn("", 0);
    } else {
        *out = dupn(s, strlen(s));
    }
    return *out ? 0 : FCP_ENOMEM;
}

/* Find which of names[] s equals; -1 if none. */
static int pick(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

static int get_enum(mctx *c, const fcp_toml_node *t, const char *key, const char *const *names,
                    int n, int dflt, int code, int *out)
{
    const char *s = NULL;
    int rc = fcp_toml_get_string(c->doc, t, key, 1, 64, &s, c->err);
    if (rc < 0) return rc;
    if (rc == 1) {
        *out = dflt;
        return 0;
    }
    int v = pick(s, names, n);
    if (v < 0) {
        char path[128];
        const fcp_toml_node *node = fcp_toml_table_get(t, key);
        return fcp_toml_fail(c->err, c->doc, node, code, "key '%s' has unknown value \"%s\"",
                             fcp_toml_path(node, path, sizeof path), s);
    }
    *out = v;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An array of identifier-like strings: each checked, copied, then sorted;
 * duplicates refused.  Absent key = empty list. */
static int get_list(mctx *c, const fcp_toml_node *t, const char *key, size_t max_n, size_t max_len,
                    int ident, int code, char ***out, size_t *n_out)
{
    const fcp_toml_node *a = fcp_toml_table_get(t, key);
    char path[160];
    *out = NULL;
    *n_out = 0;
    if (!a) return 0;
    size_t n = fcp_toml_array_len(a);
    if (n > max_n)
        return fcp_toml_fail(c->err, c->doc, a, FCP_EHOST_MANIFEST_LIMIT,
                             "key '%s' has %zu entries, more than %zu",
                             fcp_toml_path(a, path, sizeof path), n, max_n);
    char **v = calloc(n ? n : 1, sizeof *v);
    if (!v) return FCP_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const fcp_toml_node *e = fcp_toml_array_at(a, i);
        const char *s;
        size_t sl;
        if (fcp_toml_string(e, &s, &sl) < 0) {
            free_list(v, i);
            return fcp_toml_fail(c->err, c->doc, e, FCP_ETOML_WRONG_TYPE,
                                 "key '%s' must be a string, got %s",
                                 fcp_toml_path(e, path, sizeof path),
                                 fcp_toml_type_name(fcp_toml_type_of(e)));
        }
        if (sl == 0 || sl > max_len || memchr(s, 0, sl) || (ident && !ident_ok(s, sl, 1))) {
            free_list(v, i);
            return fcp_toml_fail(c->err, c->doc, e, code, "key '%s' has a malformed entry \"%.64s\"",
                                 fcp_toml_path(e, path, sizeof path), s);
        }
        v[i] = dupn(s, sl);
        if (!v[i]) {
            free_list(v, i);
            return FCP_ENOMEM;
        }
    }
    qsort(v, n, sizeof *v, cmp_str);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(v[i - 1], v[i]) == 0) {
            int rc = fcp_toml_fail(c->err, c->doc, a, code, "key '%s' lists \"%s\" twice",
                                   fcp_toml_path(a, path, sizeof path), v[i]);
            free_list(v, n);
            return rc;
        }
    }
    *out = v;
    *n_out = n;
    return 0;
}

static int get_u32(mctx *c, const fcp_toml_node *t, const char *key, int64_t min, int64_t max,
                   uint32_t dflt, uint32_t *out)
{
    int64_t v;
    int rc = fcp_toml_get_int(c->doc, t, key, min, max, &v, c->err);
    if (rc < 0) return rc;
    *out = rc == 1 ? dflt : (uint32_t)v;
    return 0;
}

static int get_flag(mctx *c, const fcp_toml_node *t, const char *key, int dflt, int *out)
{
    int v;
    int rc = fcp_toml_get_bool(c->doc, t, key, &v, c->err);
    if (rc < 0) return rc;
    *out = rc == 1 ? dflt : v;
    return 0;
}

/* ---- tables ----------------------------------------------------------- */

static int parse_header(mctx *c, const fcp_toml_node *root)
{
    static const fcp_toml_field f[] = {
        {"format", FCP_TOML_STRING, 1},
        {"schema_version", FCP_TOML_STRING, 1},
    };
    const fcp_toml_node *t = fcp_toml_table_get(root, "manifest");
    int rc = fcp_toml_check_table(c->doc, t, f, 2, c->err);
    if (rc < 0) return rc;
    const char *s;
    fcp_toml_string(fcp_toml_table_get(t, "format"), &s, NULL);
    if (strcmp(s, "fcp-connector-manifest") != 0)
        return fcp_toml_fail(c->err, c->doc, fcp_toml_table_get(t, "format"),
                             FCP_EHOST_MANIFEST_FORMAT,
                             "key 'manifest.format' must be \"fcp-connector-manifest\"");
    fcp_toml_string(fcp_toml_table_get(t, "schema_version"), &s, NULL);
    if (strcmp(s, "2.0") != 0)
        return fcp_toml_fail(c->err, c->doc, fcp_toml_table_get(t, "schema_version"),
                             FCP_EHOST_MANIFEST_FORMAT,
                             "key 'manifest.schema_version' must be \"2.0\"");
    return 0;
}

static int version_ok(const char *s)
{
    /* MAJOR.MINOR.PATCH, each 1..9 digits, no leading zero unless "0". */
    for (int part = 0; part < 3; part++) {
        size_t n = 0;
        while (s[n] >= '0' && s[n] <= '9') n++;
        if (n == 0 || n > 9 || (n > 1 && s[0] == '0')) return 0;
        s += n;
        if (part < 2) {
            if (*s != '.') return 0;
            s++;
        }
    }
    return *s == '\0';
}

static int parse_connector(mctx *c, const fcp_toml_node *root, fcp_manifest *m)
{
    static const fcp_toml_field f[] = {
        {"id", FCP_TOML_STRING, 1},          {"name", FCP_TOML_STRING, 1},
        {"version", FCP_TOML_STRING, 1},     {"description", FCP_TOML_STRING, 0},
        {"archetypes", FCP_TOML_ARRAY, 1},   {"format", FCP_TOML_STRING, 0},
        {"publisher_key", FCP_TOML_STRING, 1}, {"singleton_writer", FCP_TOML_BOOL, 0},
    };
    static const char *const arch[] = {"bidirectional", "streaming", "operational", "storage",
                                       "knowledge"};
    const fcp_toml_node *t = fcp_toml_table_get(root, "connector");
    char path[96];
    int rc = fcp_toml_check_table(c->doc, t, f, sizeof f / sizeof f[0], c->err);
    if (rc < 0) return rc;
    if ((rc = get_str(c, t, "id", 1, FCP_MANIFEST_MAX_ID, &m->id)) < 0) return rc;
    if (!ident_ok(m->id, strlen(m->id), 0))
        return fcp_toml_fail(c->err, c->doc, fcp_toml_table_get(t, "id"), FCP_EHOST_MANIFEST_ID,
                             "key 'connector.id' must be [a-z0-9][a-z0-9._-]*, got \"%s\"", m->id);
    if ((rc = get_str(c, t, "name", 1, FCP_MANIFEST_MAX_NAME, &m->name)) < 0) return rc;
    if ((rc = get_str(c, t, "version", 5, 32, &m->version)) < 0) return rc;
    if (!version_ok(m->version))
        return fcp_toml_fail(c->err, c->doc, fcp_toml_table_get(t, "version"),
                             FCP_EHOST_MANIFEST_VERSION,
                             "key 'connector.version' must be MAJOR.MINOR.PATCH, got \"%s\"",
                             m->version);
    if ((rc = get_str(c, t, "description", 0, FCP_MANIFEST_MAX_DESC, &m->description)) < 0) return rc;
    const fcp_toml_node *fmt = fcp_toml_table_get(t, "format");
    if (fmt) {
        const char *s;
        fcp_toml_string(fmt, &s, NULL);
        if (strcmp(s, "native") != 0)
            return fcp_toml_fail(c->err, c->doc, fmt, FCP_EHOST_MANIFEST_FORMAT,
                                 "key 'connector.format' must be \"native\" (wasi is not supported)");
    }
    const fcp_toml_node *a = fcp_toml_table_get(t, "archetypes");
    size_t na = fcp_toml_array_len(a);
    if (na == 0 || na > 5)
        return fcp_toml_fail(c->err, c->doc, a, FCP_EHOST_MANIFEST_LIMIT,
                             "key 'connector.archetypes' must list 1 to 5 archetypes");
    for (size_t i = 0; i < na; i++) {
        const fcp_toml_node *e = fcp_toml_array_at(a, i);
        const char *s;
        int k = fcp_toml_string(e, &s, NULL) < 0 ? -1 : pick(s, arch, 5);
        if (k < 0 || (m->archetypes & (1u << k)))
            return fcp_toml_fail(c->err, c->doc, e, FCP_EHOST_MANIFEST_TIER,
                                 "key '%s' is not a known archetype or is repeated",
                                 fcp_toml_path(e, path, sizeof path));
        m->archetypes |= 1u << k;
    }
    const char *pk;
    fcp_toml_string(fcp_toml_table_get(t, "publisher_key"), &pk, NULL);
    if (strlen(pk) != 64 || fcp_hex_decode_exact(m->publisher_key, 32, pk) < 0)
        return fcp_toml_fail(c->err, c->doc, fcp_toml_table_get(t, "publisher_key"),
                             FCP_EHOST_MANIFEST_KEY,
                             "key 'connector.publisher_key' must be 64 hex digits");
    return get_flag(c, t, "singleton_writer", 0, &m->singleton_writer);
}

static int parse_caps(mctx *c, const fcp_toml_node *root, fcp_manifest *m)
{
    static const fcp_toml_field f[] = {
        {"required", FCP_TOML_ARRAY, 0},
        {"optional", FCP_TOML_ARRAY, 0},
        {"forbidden", FCP_TOML_ARRAY, 0},
    };
    const fcp_toml_node *t = fcp_toml_table_get(root, "capabilities");
    int rc = fcp_toml_check_table(c->doc, t, f, 3, c->err);
    if (rc < 0) return rc;
    if ((rc = get_list(c, t, "required", FCP_MANIFEST_MAX_CAPS, FCP_MANIFEST_MAX_ID, 1,
                       FCP_EHOST_MANIFEST_CAP, &m->caps_required, &m->n_required)) < 0 ||
        (rc = get_list(c, t, "optional", FCP_MANIFEST_MAX_CAPS, FCP_MANIFEST_MAX_ID, 1,
                       FCP_EHOST_MANIFEST_CAP, &m->caps_optional, &m->n_optional)) < 0 ||
        (rc = get_list(c, t, "forbidden", FCP_MANIFEST_MAX_CAPS, FCP_MANIFEST_MAX_ID, 1,
                       FCP_EHOST_MANIFEST_CAP, &m->caps_forbidden, &m->n_forbidden)) < 0)
        return rc;
    /* A capability may not be both wanted and forbidden. */
    for (size_t i = 0; i < m->n_forbidden; i++) {
        for (size_t j = 0; j < m->n_required + m->n_optional; j++) {
            const char *w = j < m->n_required ? m->caps_required[j]
                                              : m->caps_optional[j - m->n_required];
            if (strcmp(w, m->caps_forbidden[i]) == 0)
                return fcp_toml_fail(c->err, c->doc, fcp_toml_table_get(t, "forbidden"),
                                     FCP_EHOST_MANIFEST_CAP,
                                     "key 'capabilities.forbidden' forbids \"%s\", which is also "
                                     "required or optional", w);
        }
    }
    return 0;
}

/* "N/sec", "N/min", "N/hour" with 1 <= N <= 1000000. */
static int parse_rate(const char *s, uint32_t *count, uint32_t *per)
{
    uint64_t n = 0;
    size_t i = 0;
    while (s[i] >= '0' && s[i] <= '9' && i < 8) n = n * 10 + (uint64_t)(s[i++] - '0');
    if (i == 0 || n == 0 || n > 1000000 || s[i] != '/') return -1;
    const char *u = s + i + 1;
    if (strcmp(u, "sec") == 0) *per = 1;
    else if (strcmp(u, "min") == 0) *per = 60;
    else if (strcmp(u, "hour") == 0) *per = 3600;
    else return -1;
    *count = (uint32_t)n;
    return 0;
}

/* A JSON schema is stored as text; it must look like one JSON object. */
static int schema_ok(const char *s, size_t n)
{
    size_t a = 0, b = n;
    while (a < b && (s[a] == ' ' || s[a] == '\n' || s[a] == '\t' || s[a] == '\r')) a++;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\n' || s[b - 1] == '\t' || s[b - 1] == '\r')) b--;
    return b - a >= 2 && s[a] == '{' && s[b - 1] == '}';
}

static int parse_network(mctx *c, const fcp_toml_node *t, fcp_manifest_network *net)
{
    static const fcp_toml_field f[] = {
        {"host_allow", FCP_TOML_ARRAY, 1},     {"port_allow", FCP_TOML_ARRAY, 1},
        {"spki_pins", FCP_TOML_ARRAY, 0},      {"require_sni", FCP_TOML_BOOL, 0},
        {"deny_localhost", FCP_TOML_BOOL, 0},  {"deny_private_ranges", FCP_TOML_BOOL, 0},
        {"deny_tailnet_ranges", FCP_TOML_BOOL, 0},
    };
    char path[160];
    int rc = fcp_toml_check_table(c->doc, t, f, sizeof f / sizeof f[0], c->err);
    if (rc < 0) return rc;
    net->present = 1;
    if ((rc = get_list(c, t, "host_allow", FCP_MANIFEST_MAX_HOSTS, 253, 0,
                       FCP_EHOST_MANIFEST_NETWORK, &net->host_allow, &net->n_host)) < 0)
        return rc;
    /* the CapabilityObject's own per-entry rule (model_cap.c), so that every
     * manifest constraint can become a NetworkConstraints (D-MANIFEST-6) */
    for (size_t i = 0; i < net->n_host; i++) {
        if (fcp_net_host_pattern_validate(net->host_allow[i], strlen(net->host_allow[i])) < 0)
            return fcp_toml_fail(c->err, c->doc, fcp_toml_table_get(t, "host_allow"),
                                 FCP_EHOST_MANIFEST_HOST,
                                 "key '%s' has \"%.64s\", which is not a lower-case DNS name "
                                 "(labels of 1..63 letters, digits or '-', no '-' at either end) "
                                 "or '*.' followed by one",
                                 fcp_toml_path(fcp_toml_table_get(t, "host_allow"), path, sizeof path),
                                 net->host_allow[i]);
    }
    const fcp_toml_node *pa = fcp_toml_table_get(t, "port_allow");
    size_t np = fcp_toml_array_len(pa);
    if (np == 0 || np > FCP_MANIFEST_MAX_PORTS)
        return fcp_toml_fail(c->err, c->doc, pa, FCP_EHOST_MANIFEST_NETWORK,
                             "key '%s' must list 1 to %u ports", fcp_toml_path(pa, path, sizeof path),
                             FCP_MANIFEST_MAX_PORTS);
    for (size_t i = 0; i < np; i++) {
        int64_t v;
        const fcp_toml_node *e = fcp_toml_array_at(pa, i);
        if (fcp_toml_int(e, &v) < 0 || v < 1 || v > 65535)
            return fcp_toml_fail(c->err, c->doc, e, FCP_EHOST_MANIFEST_PORT,
                                 "key '%s' must be a port number 1..65535",
                                 fcp_toml_path(e, path, sizeof path));
        for (size_t k = 0; k < net->n_port; k++)
            if (net->port_allow[k] == (uint16_t)v)
                return fcp_toml_fail(c->err, c->doc, e, FCP_EHOST_MANIFEST_PORT,
                                     "key '%s' lists port %d twice",
                                     fcp_toml_path(e, path, sizeof path), (int)v);
        net->port_allow[net->n_port++] = (uint16_t)v;
    }
    if ((rc = get_list(c, t, "spki_pins", FCP_MANIFEST_MAX_PINS, 128, 0,
                       FCP_EHOST_MANIFEST_PIN, &net->spki_pins, &net->n_pins)) < 0)
        return rc;
    for (size_t i = 0; i < net->n_pins; i++) {
        if (fcp_net_pin_validate(net->spki_pins[i], strlen(net->spki_pins[i])) < 0)
            return fcp_toml_fail(c->err, c->doc, fcp_toml_table_get(t, "spki_pins"),
                                 FCP_EHOST_MANIFEST_PIN,
                                 "key '%s' has \"%.64s\", which is not base64 of a SHA-256 "
                                 "(43 characters of A-Z a-z 0-9 + / and a final '=')",
                                 fcp_toml_path(fcp_toml_table_get(t, "spki_pins"), path, sizeof path),
                                 net->spki_pins[i]);
    }
    if (
        (rc = get_flag(c, t, "require_sni", 0, &net->require_sni)) < 0 ||
        (rc = get_flag(c, t, "deny_localhost", 1, &net->deny_localhost)) < 0 ||
        (rc = get_flag(c, t, "deny_private_ranges", 1, &net->deny_private_ranges)) < 0 ||
        (rc = get_flag(c, t, "deny_tailnet_ranges", 1, &net->deny_tailnet_ranges)) < 0)
        return rc;
    return 0;
}

static int parse_op(mctx *c, const char *name, size_t nlen, const fcp_toml_node *t,
                    fcp_manifest_op *op)
{
    static const fcp_toml_field f[] = {
        {"description", FCP_TOML_STRING, 0},   {"capability", FCP_TOML_STRING, 1},
        {"safety_tier", FCP_TOML_STRING, 1},   {"idempotency", FCP_TOML_STRING, 0},
        {"requires_approval", FCP_TOML_STRING, 0}, {"rate_limit", FCP_TOML_STRING, 0},
        {"input_schema", FCP_TOML_STRING, 1},  {"output_schema", FCP_TOML_STRING, 1},
        {"network_constraints", FCP_TOML_TABLE, 0},
    };
    static const char *const tiers[] = {"safe", "risky", "dangerous"};
    static const char *const idem[] = {"none", "best_effort", "strict"};
    static const char *const appr[] = {"none", "policy", "interactive", "approval_required"};
    char path[160];
    int rc = fcp_toml_check_table(c->doc, t, f, sizeof f / sizeof f[0], c->err);
    if (rc < 0) return rc;
    if (!ident_ok(name, nlen, 0) || memchr(name, 0, nlen))
        return fcp_toml_fail(c->err, c->doc, t, FCP_EHOST_MANIFEST_ID,
                             "operation name '%.64s' must be [a-z0-9][a-z0-9._-]* (1..64 bytes)",
                             name);
    if (!(op->name = dupn(name, nlen))) return FCP_ENOMEM;
    if ((rc = get_str(c, t, "description", 0, FCP_MANIFEST_MAX_DESC, &op->description)) < 0 ||
        (rc = get_str(c, t, "capability", 1, FCP_MANIFEST_MAX_ID, &op->capability)) < 0)
        return rc;
    if (!ident_ok(op->capability, strlen(op->capability), 1))
        return fcp_toml_fail(c->err, c->doc, fcp_toml_table_get(t, "capability"),
                             FCP_EHOST_MANIFEST_CAP, "key '%s' is not a capability id",
                             fcp_toml_path(fcp_toml_table_get(t, "capability"), path, sizeof path));
    int v;
    if ((rc = get_enum(c, t, "safety_tier", tiers, 3, 0, FCP_EHOST_MANIFEST_TIER, &v)) < 0) return rc;
    op->tier = (fcp_safety_tier)v;
    /* spec §9.4: Dangerous operations MUST be Strict; default follows the tier. */
    if ((rc = get_enum(c, t, "idempotency", idem, 3,
                       op->tier == FCP_TIER_DANGEROUS ? 2 : 0, FCP_EHOST_MANIFEST_TIER, &v)) < 0)
        return rc;
    op->idempotency = (fcp_idempotency)v;
    if (op->tier == FCP_TIER_DANGEROUS && op->idempotency != FCP_IDEMPOTENCY_STRICT)
        return fcp_toml_fail(c->err, c->doc, fcp_toml_table_get(t, "idempotency"),
                             FCP_EHOST_MANIFEST_TIER,
                             "operation '%s': a dangerous operation must have idempotency \"strict\"",
                             op->name);
    if ((rc = get_enum(c, t, "requires_approval", appr, 4, 0, FCP_EHOST_MANIFEST_TIER, &v)) < 0)
        return rc;
    op->approval = (fcp_approval_mode)v;
    const char *s;
    rc = fcp_toml_get_string(c->doc, t, "rate_limit", 1, 32, &s, c->err);
    if (rc < 0) return rc;
    if (rc == 0 && parse_rate(s, &op->rate_count, &op->rate_per_s) < 0)
        return fcp_toml_fail(c->err, c->doc, fcp_toml_table_get(t, "rate_limit"),
                             FCP_EHOST_MANIFEST_RATE,
                             "key '%s' must be N/sec, N/min or N/hour (1 <= N <= 1000000)",
                             fcp_toml_path(fcp_toml_table_get(t, "rate_limit"), path, sizeof path));
    static const char *const sk[2] = {"input_schema", "output_schema"};
    for (int i = 0; i < 2; i++) {
        const fcp_toml_node *sn = fcp_toml_table_get(t, sk[i]);
        size_t sl;
        fcp_toml_string(sn, &s, &sl);
        if (sl > FCP_MANIFEST_MAX_SCHEMA || memchr(s, 0, sl) || !schema_ok(s, sl))
            return fcp_toml_fail(c->err, c->doc, sn, FCP_EHOST_MANIFEST_SCHEMA,
                                 "key '%s' must be a JSON object of at most %u bytes",
                                 fcp_toml_path(sn, path, sizeof path), FCP_MANIFEST_MAX_SCHEMA);
        char *d = dupn(s, sl);
        if (!d) return FCP_ENOMEM;
        if (i == 0) op->input_schema = d;
        else op->output_schema = d;
    }
    op->net.deny_localhost = op->net.deny_private_ranges = op->net.deny_tailnet_ranges = 1;
    const fcp_toml_node *nt = fcp_toml_table_get(t, "network_constraints");
    if (nt && (rc = parse_network(c, nt, &op->net)) < 0) return rc;
    return 0;
}

static int cmp_op(const void *a, const void *b)
{
    return strcmp(((const fcp_manifest_op *)a)->name, ((const fcp_manifest_op *)b)->name);
}

static int parse_ops(mctx *c, const fcp_toml_node *root, fcp_manifest *m)
{
    static const fcp_toml_field pf[] = {{"operations", FCP_TOML_TABLE, 1}};
    const fcp_toml_node *prov = fcp_toml_table_get(root, "provides");
    int rc = fcp_toml_check_table(c->doc, prov, pf, 1, c->err);
    if (rc < 0) return rc;
    const fcp_toml_node *ops = fcp_toml_table_get(prov, "operations");
    size_t n = fcp_toml_table_len(ops);
    if (n == 0 || n > FCP_MANIFEST_MAX_OPS)
        return fcp_toml_fail(c->err, c->doc, ops, FCP_EHOST_MANIFEST_LIMIT,
                             "table 'provides.operations' must declare 1 to %u operations",
                             FCP_MANIFEST_MAX_OPS);
    m->ops = calloc(n, sizeof *m->ops);
    if (!m->ops) return FCP_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *k;
        size_t kl;
        const fcp_toml_node *t = fcp_toml_table_at(ops, i, &k, &kl);
        m->n_ops = i + 1;
        if (fcp_toml_type_of(t) != FCP_TOML_TABLE) {
            char path[160];
            return fcp_toml_fail(c->err, c->doc, t, FCP_ETOML_WRONG_TYPE,
                                 "key '%s' must be a table, got %s",
                                 fcp_toml_path(t, path, sizeof path),
                                 fcp_toml_type_name(fcp_toml_type_of(t)));
        }
        if ((rc = parse_op(c, k, kl, t, &m->ops[i])) < 0) return rc;
    }
    qsort(m->ops, m->n_ops, sizeof *m->ops, cmp_op);
    return 0;
}

static int parse_sandbox(mctx *c, const fcp_toml_node *root, fcp_manifest *m)
{
    static const fcp_toml_field f[] = {
        {"profile", FCP_TOML_STRING, 1},      {"memory_mb", FCP_TOML_INTEGER, 1},
        {"cpu_seconds", FCP_TOML_INTEGER, 0}, {"wall_clock_timeout_ms", FCP_TOML_INTEGER, 1},
        {"max_pids", FCP_TOML_INTEGER, 0},    {"deny_exec", FCP_TOML_BOOL, 0},
    };
    static const char *const prof[] = {"strict", "moderate", "permissive"};
    const fcp_toml_node *t = fcp_toml_table_get(root, "sandbox");
    int rc = fcp_toml_check_table(c->doc, t, f, sizeof f / sizeof f[0], c->err);
    if (rc < 0) return rc;
    int v;
    if ((rc = get_enum(c, t, "profile", prof, 3, 0, FCP_EHOST_MANIFEST_SANDBOX, &v)) < 0) return rc;
    m->sandbox.profile = (fcp_sandbox_profile)v;
    if ((rc = get_u32(c, t, "memory_mb", 16, 65536, 0, &m->sandbox.memory_mb)) < 0 ||
        (rc = get_u32(c, t, "cpu_seconds", 1, 86400, 60, &m->sandbox.cpu_seconds)) < 0 ||
        (rc = get_u32(c, t, "wall_clock_timeout_ms", 10, 3600000, 0,
                      &m->sandbox.wall_clock_timeout_ms)) < 0 ||
        (rc = get_u32(c, t, "max_pids", 1, 4096, 16, &m->sandbox.max_pids)) < 0 ||
        (rc = get_flag(c, t, "deny_exec", 1, &m->sandbox.deny_exec)) < 0)
        return rc;
    return 0;
}

static int parse_state(mctx *c, const fcp_toml_node *root, fcp_manifest *m)
{
    static const fcp_toml_field f[] = {{"model", FCP_TOML_STRING, 1}};
    static const char *const models[] = {"none", "local", "mesh"};
    const fcp_toml_node *t = fcp_toml_table_get(root, "state");
    if (!t) return 0; /* no state */
    int rc = fcp_toml_check_table(c->doc, t, f, 1, c->err);
    if (rc < 0) return rc;
    int v;
    if ((rc = get_enum(c, t, "model", models, 3, 0, FCP_EHOST_MANIFEST_STATE, &v)) < 0) return rc;
    m->state_model = (fcp_state_model)v;
    return 0;
}

int fcp_manifest_parse(fcp_manifest *m, const char *name, const char *text, size_t len,
                       fcp_toml_error *err)
{
    static const fcp_toml_field top[] = {
        {"manifest", FCP_TOML_TABLE, 1},     {"connector", FCP_TOML_TABLE, 1},
        {"capabilities", FCP_TOML_TABLE, 1}, {"provides", FCP_TOML_TABLE, 1},
        {"sandbox", FCP_TOML_TABLE, 1},      {"state", FCP_TOML_TABLE, 0},
    };
    fcp_toml_error local;
    if (!err) err = &local;
    memset(err, 0, sizeof *err);
    memset(m, 0, sizeof *m);
    if (len > FCP_MANIFEST_MAX_TEXT) {
        err->code = FCP_ETOO_LARGE;
        snprintf(err->msg, sizeof err->msg, "%s: manifest larger than %u bytes",
                 name ? name : "<manifest>", FCP_MANIFEST_MAX_TEXT);
        return FCP_ETOO_LARGE;
    }
    fcp_toml_limits lim;
    fcp_toml_limits_default(&lim);
    lim.max_input = FCP_MANIFEST_MAX_TEXT;
    lim.max_depth = 8;
    lim.max_nodes = 8192;
    fcp_toml_doc *doc = NULL;
    int rc = fcp_toml_parse(&doc, name ? name : "manifest.toml", text, len, &lim, err);
    if (rc < 0) return rc;
    mctx c = {doc, err};
    const fcp_toml_node *root = fcp_toml_root(doc);
    if ((rc = fcp_toml_check_table(doc, root, top, sizeof top / sizeof top[0], err)) < 0 ||
        (rc = parse_header(&c, root)) < 0 || (rc = parse_connector(&c, root, m)) < 0 ||
        (rc = parse_caps(&c, root, m)) < 0 || (rc = parse_ops(&c, root, m)) < 0 ||
        (rc = parse_sandbox(&c, root, m)) < 0 || (rc = parse_state(&c, root, m)) < 0) {
        fcp_manifest_free(m);
    }
    fcp_toml_free(doc);
    return rc < 0 ? rc : 0;
}

static void free_net(fcp_manifest_network *n)
{
    free_list(n->host_allow, n->n_host);
    free_list(n->spki_pins, n->n_pins);
}

void fcp_manifest_free(fcp_manifest *m)
{
    if (!m) return;
    free(m->id);
    free(m->name);
    free(m->version);
    free(m->description);
    free_list(m->caps_required, m->n_required);
    free_list(m->caps_optional, m->n_optional);
    free_list(m->caps_forbidden, m->n_forbidden);
    for (size_t i = 0; i < m->n_ops; i++) {
        fcp_manifest_op *o = &m->ops[i];
        free(o->name);
        free(o->description);
        free(o->capability);
        free(o->input_schema);
        free(o->output_schema);
        free_net(&o->net);
    }
    free(m->ops);
    memset(m, 0, sizeof *m);
}

const fcp_manifest_op *fcp_manifest_find_op(const fcp_manifest *m, const char *name)
{
    for (size_t i = 0; i < m->n_ops; i++)
        if (strcmp(m->ops[i].name, name) == 0) return &m->ops[i];
    return NULL;
}

const char *fcp_safety_tier_name(fcp_safety_tier t)
{
    switch (t) {
    case FCP_TIER_SAFE: return "safe";
    case FCP_TIER_RISKY: return "risky";
    case FCP_TIER_DANGEROUS: return "dangerous";
    }
    return "unknown";
}

const char *fcp_sandbox_profile_name(fcp_sandbox_profile p)
{
    switch (p) {
    case FCP_SANDBOX_STRICT: return "strict";
    case FCP_SANDBOX_MODERATE: return "moderate";
    case FCP_SANDBOX_PERMISSIVE: return "permissive";
    }
    return "unknown";
}

static int cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

int fcp_manifest_net_constraints(const fcp_manifest_network *net, fcp_net_constraints *out)
{
    fcp_net_constraints_default(out);
    if (!net || !net->present || net->n_host > FCP_NET_MAX_HOSTS || net->n_port > FCP_NET_MAX_PORTS ||
        net->n_pins > FCP_NET_MAX_PINS)
        return FCP_EHOST_MANIFEST_NETWORK;
    for (size_t i = 0; i < net->n_host; i++) {
        if (strlen(net->host_allow[i]) > FCP_NET_HOST_MAX) return FCP_EHOST_MANIFEST_NETWORK;
        strcpy(out->host_allow[i], net->host_allow[i]);
    }
    out->n_host_allow = net->n_host;
    memcpy(out->port_allow, net->port_allow, net->n_port * sizeof net->port_allow[0]);
    out->n_port_allow = net->n_port;
    qsort(out->port_allow, out->n_port_allow, sizeof out->port_allow[0], cmp_u16);
    for (size_t i = 0; i < net->n_pins; i++) {
        if (strlen(net->spki_pins[i]) > FCP_NET_PIN_MAX) return FCP_EHOST_MANIFEST_NETWORK;
        strcpy(out->spki_pins[i], net->spki_pins[i]);
    }
    out->n_spki_pins = net->n_pins;
    out->require_sni = net->require_sni ? 1 : 0;
    out->deny_localhost = net->deny_localhost ? 1 : 0;
    out->deny_private_ranges = net->deny_private_ranges ? 1 : 0;
    out->deny_tailnet_ranges = net->deny_tailnet_ranges ? 1 : 0;
    return fcp_net_constraints_validate(out) < 0 ? FCP_EHOST_MANIFEST_NETWORK : 0;
}
