/*
 * model_cap.c - CapabilityConstraints, NetworkConstraints, CapabilityGrant,
 * CredentialObject, CapabilityObject, RoleObject and RoleAssignment codecs
 * (spec §7.2-§7.6, review Change 6; decisions D-CAP-1..5).
 *
 * Encoders build canonical maps with the sorting map builder; decoders walk
 * the map in canonical order, dispatch on the key name, refuse unknown and
 * missing keys, and finish with the same validate function the encoder runs
 * first, so decode -> encode is the identity on accepted input.
 */
#include "fcp/model_cap.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_sign.h"
#include "model_authz_internal.h"
#include "model_internal.h"

#define TRY FCP_MA_TRY

/* ---- small helpers ------------------------------------------------------ */

static int printable(const char *s, size_t n, size_t max)
{
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f)
            return 0;
    }
    return 1;
}

int fcp_cap_id_validate(const char *s, size_t n)
{
    return printable(s, n, FCP_CAP_ID_MAX) ? 0 : FCP_ECAP_OBJECT;
}

static int cap_id_ok(const char *s, size_t n) { return fcp_cap_id_validate(s, n); }

static int prefix_ok(const char *s, size_t n)
{
    return printable(s, n, FCP_CAP_PREFIX_MAX) ? 0 : FCP_ECAP_OBJECT;
}

/* Lowercase DNS name, optionally "*." + name; labels 1..63 of [a-z0-9-]
 * not starting or ending with '-'. */
static int host_ok(const char *s, size_t n)
{
    if (n >= 2 && s[0] == '*' && s[1] == '.') {
        s += 2;
        n -= 2;
    }
    if (n == 0 || n > FCP_NET_HOST_MAX)
        return FCP_ECAP_NETWORK;
    size_t lab = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (lab == 0 || lab > 63 || s[i - 1] == '-' || s[i - lab] == '-')
                return FCP_ECAP_NETWORK;
            lab = 0;
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return FCP_ECAP_NETWORK;
        lab++;
    }
    return 0;
}

static int ip_ok(const char *s, size_t n)
{
    char tmp[FCP_NET_CIDR_MAX + 1];
    uint8_t a[16];
    if (n == 0 || n > FCP_NET_CIDR_MAX)
        return FCP_ECAP_NETWORK;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    if (inet_pton(AF_INET, tmp, a) == 1 || inet_pton(AF_INET6, tmp, a) == 1)
        return 0;
    return FCP_ECAP_NETWORK;
}

static int cidr_ok(const char *s, size_t n)
{
    char tmp[FCP_NET_CIDR_MAX + 1];
    uint8_t a[16];
    if (n == 0 || n > FCP_NET_CIDR_MAX)
        return FCP_ECAP_NETWORK;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    char *slash = strchr(tmp, '/');
    if (!slash || slash[1] == 0 || strlen(slash + 1) > 3)
        return FCP_ECAP_NETWORK;
    *slash = 0;
    unsigned bits = 0;
    for (const char *q = slash + 1; *q; q++) {
        if (*q < '0' || *q > '9' || (q == slash + 1 && *q == '0' && q[1]))
            return FCP_ECAP_NETWORK;
        bits = bits * 10 + (unsigned)(*q - '0');
    }
    if (inet_pton(AF_INET, tmp, a) == 1)
        return bits <= 32 ? 0 : FCP_ECAP_NETWORK;
    if (inet_pton(AF_INET6, tmp, a) == 1)
        return bits <= 128 ? 0 : FCP_ECAP_NETWORK;
    return FCP_ECAP_NETWORK;
}

static int pin_ok(const char *s, size_t n)
{
    if (n != FCP_NET_PIN_MAX || s[43] != '=')
        return FCP_ECAP_NETWORK;
    for (size_t i = 0; i < 43; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
              c == '/'))
            return FCP_ECAP_NETWORK;
    }
    return 0;
}

int fcp_net_host_pattern_validate(const char *s, size_t n) { return host_ok(s, n); }
int fcp_net_pin_validate(const char *s, size_t n) { return pin_ok(s, n); }

/* A string list of n entries of stride bytes: every entry valid and the list
 * strictly ascending (a set with one encoding). */
static int str_set_ok(const char *base, size_t n, size_t stride, int (*ok)(const char *, size_t),
                      int order_err)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = base + i * stride;
        TRY(ok(s, strlen(s)));
        if (i > 0 && strcmp(base + (i - 1) * stride, s) >= 0)
            return order_err;
    }
    return 0;
}

static int put_str_list(fcp_cbor_enc *e, const char *key, const char *base, size_t n, size_t stride,
                        int skip_empty)
{
    if (n == 0 && skip_empty)
        return 0;
    fcp_m_text_key(e, key);
    fcp_cbor_put_array(e, n);
    for (size_t i = 0; i < n; i++)
        fcp_cbor_put_cstr(e, base + i * stride);
    return 0;
}

/* Read a text array into base (n entries of stride, each <= max bytes). */
static int get_str_list(fcp_cbor_dec *d, char *base, size_t *n, size_t cap, size_t stride, size_t max,
                        int (*ok)(const char *, size_t), int err, int allow_empty)
{
    uint64_t cnt;
    TRY(fcp_cbor_get_array(d, &cnt));
    if (cnt > cap)
        return FCP_ELIMIT;
    if (cnt == 0 && !allow_empty)
        return err;
    *n = (size_t)cnt;
    for (size_t i = 0; i < *n; i++)
        TRY(fcp_m_get_text(d, base + i * stride, max, ok, err));
    return 0;
}

/* ---- NetworkConstraints -------------------------------------------------- */

static const char *const default_cidrs[FCP_NET_DEFAULT_CIDRS] = {
    "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.168.0.0/16", "::1/128",
};

void fcp_net_constraints_default(fcp_net_constraints *n)
{
    memset(n, 0, sizeof *n);
    n->n_cidr_deny = FCP_NET_DEFAULT_CIDRS;
    for (size_t i = 0; i < FCP_NET_DEFAULT_CIDRS; i++)
        strcpy(n->cidr_deny[i], default_cidrs[i]);
    n->deny_localhost = n->deny_private_ranges = n->deny_tailnet_ranges = 1;
    n->require_sni = 1;
    n->connect_timeout_ms = 10000;
    n->total_timeout_ms = 30000;
}

int fcp_net_constraints_validate(const fcp_net_constraints *n)
{
    if (n->connect_timeout_ms == 0 || n->total_timeout_ms == 0 ||
        n->connect_timeout_ms > n->total_timeout_ms)
        return FCP_ECAP_NETWORK_NO_TIMEOUT;
    if (n->n_host_allow > FCP_NET_MAX_HOSTS || n->n_port_allow > FCP_NET_MAX_PORTS ||
        n->n_ip_allow > FCP_NET_MAX_IPS || n->n_cidr_deny > FCP_NET_MAX_CIDRS ||
        n->n_spki_pins > FCP_NET_MAX_PINS)
        return FCP_ELIMIT;
    if (n->deny_localhost > 1 || n->deny_private_ranges > 1 || n->deny_tailnet_ranges > 1 ||
        n->require_sni > 1)
        return FCP_ECAP_NETWORK;
    TRY(str_set_ok(n->host_allow[0], n->n_host_allow, sizeof n->host_allow[0], host_ok, FCP_ECAP_NETWORK));
    for (size_t i = 0; i < n->n_port_allow; i++)
        if (n->port_allow[i] == 0 || (i > 0 && n->port_allow[i - 1] >= n->port_allow[i]))
            return FCP_ECAP_NETWORK;
    TRY(str_set_ok(n->ip_allow[0], n->n_ip_allow, sizeof n->ip_allow[0], ip_ok, FCP_ECAP_NETWORK));
    TRY(str_set_ok(n->cidr_deny[0], n->n_cidr_deny, sizeof n->cidr_deny[0], cidr_ok, FCP_ECAP_NETWORK));
    TRY(str_set_ok(n->spki_pins[0], n->n_spki_pins, sizeof n->spki_pins[0], pin_ok, FCP_ECAP_NETWORK));
    return 0;
}

int fcp_net_host_allowed(const fcp_net_constraints *n, const char *host)
{
    size_t hl = strlen(host);
    for (size_t i = 0; i < n->n_host_allow; i++) {
        const char *p = n->host_allow[i];
        if (p[0] == '*' && p[1] == '.') {
            size_t sl = strlen(p + 1); /* ".suffix" */
            if (hl > sl && memcmp(host + hl - sl, p + 1, sl) == 0)
                return 1;
        } else if (strcmp(p, host) == 0) {
            return 1;
        }
    }
    return 0;
}

static int net_encode_to(const fcp_net_constraints *n, fcp_cbor_enc *e)
{
    fcp_cbor_map_open(e);
    put_str_list(e, "host_allow", n->host_allow[0], n->n_host_allow, sizeof n->host_allow[0], 1);
    if (n->n_port_allow) {
        fcp_m_text_key(e, "port_allow");
        fcp_cbor_put_array(e, n->n_port_allow);
        for (size_t i = 0; i < n->n_port_allow; i++)
            fcp_cbor_put_uint(e, n->port_allow[i]);
    }
    put_str_list(e, "ip_allow", n->ip_allow[0], n->n_ip_allow, sizeof n->ip_allow[0], 1);
    put_str_list(e, "cidr_deny", n->cidr_deny[0], n->n_cidr_deny, sizeof n->cidr_deny[0], 1);
    fcp_m_text_key(e, "deny_localhost");
    fcp_cbor_put_bool(e, n->deny_localhost);
    fcp_m_text_key(e, "deny_private_ranges");
    fcp_cbor_put_bool(e, n->deny_private_ranges);
    fcp_m_text_key(e, "deny_tailnet_ranges");
    fcp_cbor_put_bool(e, n->deny_tailnet_ranges);
    fcp_m_text_key(e, "require_sni");
    fcp_cbor_put_bool(e, n->require_sni);
    put_str_list(e, "spki_pins", n->spki_pins[0], n->n_spki_pins, sizeof n->spki_pins[0], 1);
    fcp_cbor_put_kv_uint(e, "connect_timeout_ms", n->connect_timeout_ms);
    fcp_cbor_put_kv_uint(e, "total_timeout_ms", n->total_timeout_ms);
    return fcp_cbor_map_close(e);
}

static int get_bool01(fcp_cbor_dec *d, uint8_t *v)
{
    int b;
    TRY(fcp_cbor_get_bool(d, &b));
    *v = (uint8_t)(b != 0);
    return 0;
}

static const char *const net_keys[] = { "host_allow", "port_allow", "ip_allow", "cidr_deny",
                                        "deny_localhost", "deny_private_ranges",
                                        "deny_tailnet_ranges", "require_sni", "spki_pins",
                                        "connect_timeout_ms", "total_timeout_ms" };

static int net_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_net_constraints *n = obj;
    uint64_t v;
    switch (i) {
    case 0:
        return get_str_list(d, n->host_allow[0], &n->n_host_allow, FCP_NET_MAX_HOSTS,
                            sizeof n->host_allow[0], FCP_NET_HOST_MAX, host_ok, FCP_ECAP_NETWORK, 0);
    case 1: {
        uint64_t cnt;
        TRY(fcp_cbor_get_array(d, &cnt));
        if (cnt > FCP_NET_MAX_PORTS)
            return FCP_ELIMIT;
        if (cnt == 0)
            return FCP_ECAP_NETWORK;
        n->n_port_allow = (size_t)cnt;
        for (size_t j = 0; j < n->n_port_allow; j++) {
            TRY(fcp_m_get_uint_max(d, &v, 65535));
            n->port_allow[j] = (uint16_t)v;
        }
        return 0;
    }
    case 2:
        return get_str_list(d, n->ip_allow[0], &n->n_ip_allow, FCP_NET_MAX_IPS, sizeof n->ip_allow[0],
                            FCP_NET_CIDR_MAX, ip_ok, FCP_ECAP_NETWORK, 0);
    case 3:
        return get_str_list(d, n->cidr_deny[0], &n->n_cidr_deny, FCP_NET_MAX_CIDRS,
                            sizeof n->cidr_deny[0], FCP_NET_CIDR_MAX, cidr_ok, FCP_ECAP_NETWORK, 0);
    case 4: return get_bool01(d, &n->deny_localhost);
    case 5: return get_bool01(d, &n->deny_private_ranges);
    case 6: return get_bool01(d, &n->deny_tailnet_ranges);
    case 7: return get_bool01(d, &n->require_sni);
    case 8:
        return get_str_list(d, n->spki_pins[0], &n->n_spki_pins, FCP_NET_MAX_PINS,
                            sizeof n->spki_pins[0], FCP_NET_PIN_MAX, pin_ok, FCP_ECAP_NETWORK, 0);
    case 9:
        TRY(fcp_m_get_uint_max(d, &v, UINT32_MAX));
        n->connect_timeout_ms = (uint32_t)v;
        return 0;
    default:
        TRY(fcp_m_get_uint_max(d, &v, UINT32_MAX));
        n->total_timeout_ms = (uint32_t)v;
        return 0;
    }
}

static int net_decode_from(fcp_net_constraints *n, fcp_cbor_dec *d)
{
    unsigned seen = 0;
    memset(n, 0, sizeof *n);
    TRY(fcp_cbor_read_fields(d, net_keys, 11, net_field, n, &seen));
    /* the four booleans are required; a missing timeout is the
     * configuration error the spec names, not a generic missing field */
    if ((seen & 0xf0u) != 0xf0u)
        return FCP_EMISSING_FIELD;
    return fcp_net_constraints_validate(n);
}

/* ---- CapabilityConstraints ------------------------------------------------ */

int fcp_cap_constraints_validate(const fcp_cap_constraints *c)
{
    if (c->n_resource_allow > FCP_CAP_MAX_PREFIXES || c->n_resource_deny > FCP_CAP_MAX_PREFIXES ||
        c->n_credential_allow > FCP_CAP_MAX_CREDENTIALS)
        return FCP_ELIMIT;
    TRY(str_set_ok(c->resource_allow[0], c->n_resource_allow, sizeof c->resource_allow[0], prefix_ok,
                   FCP_ECAP_OBJECT));
    TRY(str_set_ok(c->resource_deny[0], c->n_resource_deny, sizeof c->resource_deny[0], prefix_ok,
                   FCP_ECAP_OBJECT));
    TRY(str_set_ok(c->credential_allow[0], c->n_credential_allow, sizeof c->credential_allow[0],
                   cap_id_ok, FCP_ECAP_OBJECT));
    if (c->has_idempotency_scope)
        TRY(cap_id_ok(c->idempotency_scope, strlen(c->idempotency_scope)));
    if (c->has_network)
        TRY(fcp_net_constraints_validate(&c->network));
    return 0;
}

int fcp_cap_constraints_encode_to(const fcp_cap_constraints *c, fcp_cbor_enc *e)
{
    TRY(fcp_cap_constraints_validate(c));
    if (!c->n_resource_allow && !c->n_resource_deny && !c->has_max_calls && !c->has_max_bytes &&
        !c->has_idempotency_scope && !c->has_network && !c->n_credential_allow)
        return fcp_cbor_put_map(e, 0); /* {} without the sorting builder (no entries to sort) */
    fcp_cbor_map_open(e);
    put_str_list(e, "resource_allow", c->resource_allow[0], c->n_resource_allow,
                 sizeof c->resource_allow[0], 1);
    put_str_list(e, "resource_deny", c->resource_deny[0], c->n_resource_deny,
                 sizeof c->resource_deny[0], 1);
    if (c->has_max_calls)
        fcp_cbor_put_kv_uint(e, "max_calls", c->max_calls);
    if (c->has_max_bytes)
        fcp_cbor_put_kv_uint(e, "max_bytes", c->max_bytes);
    if (c->has_idempotency_scope)
        fcp_cbor_put_kv_text(e, "idempotency_scope", c->idempotency_scope);
    if (c->has_network) {
        fcp_m_text_key(e, "network");
        net_encode_to(&c->network, e);
    }
    put_str_list(e, "credential_allow", c->credential_allow[0], c->n_credential_allow,
                 sizeof c->credential_allow[0], 1);
    return fcp_cbor_map_close(e);
}

static const char *const constraint_keys[] = { "resource_allow", "resource_deny", "max_calls",
                                               "max_bytes", "idempotency_scope", "network",
                                               "credential_allow" };

static int constraint_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_cap_constraints *c = obj;
    uint64_t v;
    switch (i) {
    case 0:
        return get_str_list(d, c->resource_allow[0], &c->n_resource_allow, FCP_CAP_MAX_PREFIXES,
                            sizeof c->resource_allow[0], FCP_CAP_PREFIX_MAX, prefix_ok, FCP_ECAP_OBJECT,
                            0);
    case 1:
        return get_str_list(d, c->resource_deny[0], &c->n_resource_deny, FCP_CAP_MAX_PREFIXES,
                            sizeof c->resource_deny[0], FCP_CAP_PREFIX_MAX, prefix_ok, FCP_ECAP_OBJECT,
                            0);
    case 2:
        TRY(fcp_m_get_uint_max(d, &v, UINT32_MAX));
        c->max_calls = (uint32_t)v;
        c->has_max_calls = 1;
        return 0;
    case 3:
        TRY(fcp_cbor_get_uint(d, &c->max_bytes));
        c->has_max_bytes = 1;
        return 0;
    case 4:
        TRY(fcp_m_get_text(d, c->idempotency_scope, FCP_CAP_ID_MAX, cap_id_ok, FCP_ECAP_OBJECT));
        c->has_idempotency_scope = 1;
        return 0;
    case 5:
        TRY(net_decode_from(&c->network, d));
        c->has_network = 1;
        return 0;
    default:
        return get_str_list(d, c->credential_allow[0], &c->n_credential_allow, FCP_CAP_MAX_CREDENTIALS,
                            sizeof c->credential_allow[0], FCP_CAP_ID_MAX, cap_id_ok, FCP_ECAP_OBJECT,
                            0);
    }
}

int fcp_cap_constraints_decode_from(fcp_cap_constraints *c, fcp_cbor_dec *d)
{
    unsigned seen = 0;
    memset(c, 0, sizeof *c);
    TRY(fcp_cbor_read_fields(d, constraint_keys, 7, constraint_field, c, &seen));
    return fcp_cap_constraints_validate(c);
}

int fcp_cap_constraints_encode(const fcp_cap_constraints *c, fcp_buf *out)
{
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    int rc = fcp_cap_constraints_encode_to(c, &e);
    int rc2 = fcp_cbor_enc_done(&e);
    return rc ? rc : rc2;
}

static void limits_obj(fcp_cbor_limits *lim)
{
    *lim = fcp_cbor_limits_default;
    lim->max_depth = 12;
    lim->max_items = 1100;
}

int fcp_cap_constraints_decode(fcp_cap_constraints *c, const uint8_t *p, size_t n)
{
    fcp_cbor_limits lim;
    fcp_cbor_dec d;
    if (n > FCP_CAP_MAX_ENCODED)
        return FCP_ETOO_LARGE;
    limits_obj(&lim);
    fcp_cbor_dec_init(&d, p, n, &lim);
    int rc = fcp_cap_constraints_decode_from(c, &d);
    if (rc == 0)
        rc = fcp_cbor_dec_finish(&d);
    if (rc)
        memset(c, 0, sizeof *c);
    return rc;
}

/* ---- CapabilityGrant ------------------------------------------------------ */

int fcp_cap_grant_validate(const fcp_cap_grant *g)
{
    TRY(cap_id_ok(g->capability, strlen(g->capability)));
    if (g->has_operation)
        TRY(cap_id_ok(g->operation, strlen(g->operation)));
    return 0;
}

int fcp_cap_grant_cmp(const fcp_cap_grant *a, const fcp_cap_grant *b)
{
    int c = strcmp(a->capability, b->capability);
    if (c)
        return c;
    if (a->has_operation != b->has_operation)
        return a->has_operation ? 1 : -1;
    return a->has_operation ? strcmp(a->operation, b->operation) : 0;
}

int fcp_cap_grant_encode_to(const fcp_cap_grant *g, fcp_cbor_enc *e)
{
    TRY(fcp_cap_grant_validate(g));
    fcp_cbor_map_open(e);
    fcp_cbor_put_kv_text(e, "capability", g->capability);
    if (g->has_operation)
        fcp_cbor_put_kv_text(e, "operation", g->operation);
    return fcp_cbor_map_close(e);
}

int fcp_cap_grant_decode_from(fcp_cap_grant *g, fcp_cbor_dec *d)
{
    fcp_cbor_map_iter it;
    memset(g, 0, sizeof *g);
    TRY(fcp_cbor_map_begin(d, &it));
    /* canonical order: "operation" (9 bytes) sorts before "capability" (10) */
    int r = fcp_cbor_opt_key(d, &it, "operation");
    TRY(r);
    if (r) {
        TRY(fcp_m_get_text(d, g->operation, FCP_CAP_ID_MAX, cap_id_ok, FCP_ECAP_OBJECT));
        g->has_operation = 1;
    }
    TRY(fcp_cbor_expect_key(d, &it, "capability"));
    TRY(fcp_m_get_text(d, g->capability, FCP_CAP_ID_MAX, cap_id_ok, FCP_ECAP_OBJECT));
    return fcp_m_map_end(d, &it);
}

static int grants_ok(const fcp_cap_grant *g, size_t n)
{
    if (n > FCP_CAP_MAX_GRANTS)
        return FCP_ELIMIT;
    for (size_t i = 0; i < n; i++) {
        TRY(fcp_cap_grant_validate(&g[i]));
        if (i > 0 && fcp_cap_grant_cmp(&g[i - 1], &g[i]) >= 0)
            return FCP_ECAP_OBJECT;
    }
    return 0;
}

/* ---- signing helper ------------------------------------------------------- */

typedef int (*dec_fn)(void *obj, fcp_cbor_dec *d);

static int decode_top(void *obj, size_t objsize, const uint8_t *p, size_t n, dec_fn fn)
{
    fcp_cbor_limits lim;
    fcp_cbor_dec d;
    memset(obj, 0, objsize);
    if (n > FCP_CAP_MAX_ENCODED)
        return FCP_ETOO_LARGE;
    limits_obj(&lim);
    fcp_cbor_dec_init(&d, p, n, &lim);
    int rc = fn(obj, &d);
    if (rc == 0)
        rc = fcp_cbor_dec_finish(&d);
    if (rc)
        memset(obj, 0, objsize);
    return rc;
}

/* ---- CredentialObject ----------------------------------------------------- */

void fcp_credential_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.core", "CredentialObject", 1, 0, 0);
}

static int cred_name_ok(const char *s, size_t n)
{
    /* an HTTP token (RFC 9110 tchar) for header and parameter names */
    if (n == 0 || n > FCP_CRED_NAME_MAX)
        return FCP_ECAP_CREDENTIAL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              strchr("!#$%&'*+-.^_`|~", c)))
            return FCP_ECAP_CREDENTIAL;
    }
    return 0;
}

static int cred_prefix_ok(const char *s, size_t n)
{
    /* visible ASCII and space; no CR/LF (header injection) */
    if (n == 0 || n > FCP_CRED_PREFIX_MAX)
        return FCP_ECAP_CREDENTIAL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f)
            return FCP_ECAP_CREDENTIAL;
    }
    return 0;
}

static int cred_host_ok(const char *s, size_t n)
{
    return host_ok(s, n) ? FCP_ECAP_CREDENTIAL : 0;
}

static int cred_id_ok(const char *s, size_t n)
{
    return fcp_cap_id_validate(s, n) ? FCP_ECAP_CREDENTIAL : 0;
}

int fcp_credential_validate(const fcp_credential_object *c)
{
    TRY(fcp_object_header_validate(&c->header));
    TRY(cred_id_ok(c->credential_id, strlen(c->credential_id)));
    TRY(cred_id_ok(c->secret_id, strlen(c->secret_id)));
    if (c->apply != FCP_CRED_HTTP_HEADER && c->apply != FCP_CRED_QUERY_PARAM)
        return FCP_ECAP_CREDENTIAL;
    TRY(cred_name_ok(c->name, strlen(c->name)));
    if (c->format == FCP_CRED_PREFIX)
        TRY(cred_prefix_ok(c->prefix, strlen(c->prefix)));
    else if (c->format != FCP_CRED_RAW)
        return FCP_ECAP_CREDENTIAL;
    if (c->n_host_allow > FCP_CRED_MAX_HOSTS)
        return FCP_ELIMIT;
    return str_set_ok(c->host_allow[0], c->n_host_allow, sizeof c->host_allow[0], cred_host_ok,
                      FCP_ECAP_CREDENTIAL);
}

static int cred_encode(const fcp_credential_object *c, fcp_buf *out, int with_sig)
{
    fcp_cbor_enc e;
    TRY(fcp_credential_validate(c));
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    fcp_m_text_key(&e, "header");
    fcp_object_header_encode_to(&c->header, &e);
    fcp_cbor_put_kv_text(&e, "credential_id", c->credential_id);
    fcp_cbor_put_kv_text(&e, "secret_id", c->secret_id);
    fcp_m_text_key(&e, "apply");
    fcp_cbor_map_open(&e);
    fcp_m_text_key(&e, c->apply == FCP_CRED_HTTP_HEADER ? "HttpHeader" : "QueryParam");
    fcp_cbor_map_open(&e);
    fcp_cbor_put_kv_text(&e, "name", c->name);
    fcp_m_text_key(&e, "format");
    if (c->format == FCP_CRED_RAW) {
        fcp_cbor_put_cstr(&e, "Raw");
    } else {
        fcp_cbor_map_open(&e);
        fcp_m_text_key(&e, "Prefix");
        fcp_cbor_map_open(&e);
        fcp_cbor_put_kv_text(&e, "prefix", c->prefix);
        fcp_cbor_map_close(&e);
        fcp_cbor_map_close(&e);
    }
    fcp_cbor_map_close(&e);
    fcp_cbor_map_close(&e);
    put_str_list(&e, "host_allow", c->host_allow[0], c->n_host_allow, sizeof c->host_allow[0], 0);
    fcp_cbor_put_kv_uint(&e, "created_at", c->created_at);
    if (with_sig)
        fcp_cbor_put_kv_bytes(&e, "signature", c->signature, 64);
    fcp_cbor_map_close(&e);
    return fcp_cbor_enc_done(&e);
}

int fcp_credential_encode_unsigned(const fcp_credential_object *c, fcp_buf *out)
{
    return cred_encode(c, out, 0);
}
int fcp_credential_encode(const fcp_credential_object *c, fcp_buf *out)
{
    return cred_encode(c, out, 1);
}

static int cred_apply_decode(fcp_credential_object *c, fcp_cbor_dec *d)
{
    fcp_cbor_map_iter it, it2, it3;
    const char *k;
    size_t kl;
    uint64_t cnt;
    unsigned major;
    TRY(fcp_cbor_get_map(d, &cnt));
    if (cnt != 1)
        return FCP_ECAP_CREDENTIAL;
    it.remaining = 1;
    TRY(fcp_cbor_map_next_text_key(d, &it, &k, &kl));
    if (fcp_cbor_key_is(k, kl, "HttpHeader"))
        c->apply = FCP_CRED_HTTP_HEADER;
    else if (fcp_cbor_key_is(k, kl, "QueryParam"))
        c->apply = FCP_CRED_QUERY_PARAM;
    else
        return FCP_ECAP_CREDENTIAL;
    TRY(fcp_cbor_map_begin(d, &it2));
    TRY(fcp_cbor_expect_key(d, &it2, "name"));
    TRY(fcp_m_get_text(d, c->name, FCP_CRED_NAME_MAX, cred_name_ok, FCP_ECAP_CREDENTIAL));
    TRY(fcp_cbor_expect_key(d, &it2, "format"));
    TRY(fcp_cbor_peek(d, &major));
    if (major == FCP_CBOR_TEXT) {
        char f[8];
        TRY(fcp_m_get_text(d, f, 7, NULL, FCP_ECAP_CREDENTIAL));
        if (strcmp(f, "Raw") != 0)
            return FCP_ECAP_CREDENTIAL;
        c->format = FCP_CRED_RAW;
    } else {
        TRY(fcp_cbor_get_map(d, &cnt));
        if (cnt != 1)
            return FCP_ECAP_CREDENTIAL;
        it3.remaining = 1;
        TRY(fcp_cbor_map_next_text_key(d, &it3, &k, &kl));
        if (!fcp_cbor_key_is(k, kl, "Prefix"))
            return FCP_ECAP_CREDENTIAL;
        fcp_cbor_map_iter it4;
        TRY(fcp_cbor_map_begin(d, &it4));
        TRY(fcp_cbor_expect_key(d, &it4, "prefix"));
        TRY(fcp_m_get_text(d, c->prefix, FCP_CRED_PREFIX_MAX, cred_prefix_ok, FCP_ECAP_CREDENTIAL));
        TRY(fcp_m_map_end(d, &it4));
        c->format = FCP_CRED_PREFIX;
    }
    return fcp_m_map_end(d, &it2);
}

static int cred_decode_from(void *obj, fcp_cbor_dec *d)
{
    fcp_credential_object *c = obj;
    fcp_cbor_map_iter it;
    /* canonical order of the keys */
    TRY(fcp_cbor_map_begin(d, &it));
    TRY(fcp_cbor_expect_key(d, &it, "apply"));
    TRY(cred_apply_decode(c, d));
    TRY(fcp_cbor_expect_key(d, &it, "header"));
    TRY(fcp_object_header_decode_from(&c->header, d));
    TRY(fcp_cbor_expect_key(d, &it, "secret_id"));
    TRY(fcp_m_get_text(d, c->secret_id, FCP_CAP_ID_MAX, cred_id_ok, FCP_ECAP_CREDENTIAL));
    TRY(fcp_cbor_expect_key(d, &it, "signature"));
    TRY(fcp_m_get_fixed(d, c->signature, 64));
    TRY(fcp_cbor_expect_key(d, &it, "created_at"));
    TRY(fcp_cbor_get_uint(d, &c->created_at));
    TRY(fcp_cbor_expect_key(d, &it, "host_allow"));
    TRY(get_str_list(d, c->host_allow[0], &c->n_host_allow, FCP_CRED_MAX_HOSTS, sizeof c->host_allow[0],
                     FCP_NET_HOST_MAX, cred_host_ok, FCP_ECAP_CREDENTIAL, 1));
    TRY(fcp_cbor_expect_key(d, &it, "credential_id"));
    TRY(fcp_m_get_text(d, c->credential_id, FCP_CAP_ID_MAX, cred_id_ok, FCP_ECAP_CREDENTIAL));
    TRY(fcp_m_map_end(d, &it));
    return fcp_credential_validate(c);
}

int fcp_credential_decode(fcp_credential_object *c, const uint8_t *p, size_t n)
{
    return decode_top(c, sizeof *c, p, n, cred_decode_from);
}

static int cred_enc_u(const void *o, fcp_buf *b) { return fcp_credential_encode_unsigned(o, b); }

int fcp_credential_sign(fcp_credential_object *c, const uint8_t owner_sk[64])
{
    return fcp_ma_sign(c, cred_enc_u, fcp_credential_schema, owner_sk, c->signature);
}

int fcp_credential_verify(const fcp_credential_object *c, const uint8_t owner_pk[32])
{
    return fcp_ma_verify(c, cred_enc_u, fcp_credential_schema, owner_pk, c->signature);
}

int fcp_credential_check_use(const fcp_cap_constraints *c, const fcp_credential_object *cred,
                             const char *host)
{
    int found = 0;
    for (size_t i = 0; i < c->n_credential_allow && !found; i++)
        found = strcmp(c->credential_allow[i], cred->credential_id) == 0;
    if (!found)
        return FCP_ECAP_CREDENTIAL_NOT_ALLOWED;
    if (cred->n_host_allow == 0)
        return 0;
    size_t hl = strlen(host);
    for (size_t i = 0; i < cred->n_host_allow; i++) {
        const char *p = cred->host_allow[i];
        if (p[0] == '*' && p[1] == '.') {
            size_t sl = strlen(p + 1);
            if (hl > sl && memcmp(host + hl - sl, p + 1, sl) == 0)
                return 0;
        } else if (strcmp(p, host) == 0) {
            return 0;
        }
    }
    return FCP_ECAP_HOST_NOT_ALLOWED;
}

int fcp_credential_render(const fcp_credential_object *c, const uint8_t *secret, size_t secret_len,
                          fcp_buf *out)
{
    for (size_t i = 0; i < secret_len; i++)
        if (secret[i] == '\r' || secret[i] == '\n' || secret[i] == 0)
            return FCP_ECAP_CREDENTIAL; /* never let a secret split a header */
    if (c->format == FCP_CRED_PREFIX)
        TRY(fcp_buf_append(out, c->prefix, strlen(c->prefix)));
    return fcp_buf_append(out, secret, secret_len);
}

/* ---- CapabilityObject ------------------------------------------------------ */

void fcp_cap_object_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.core", "CapabilityObject", 1, 0, 0);
}

static int placement_item_ok(const fcp_cap_placement_item *it)
{
    if (it->len == 0 || it->len > FCP_CAP_PLACEMENT_ITEM_MAX)
        return FCP_ECAP_OBJECT;
    return fcp_cbor_validate(it->cbor, it->len, NULL) ? FCP_ECAP_OBJECT : 0;
}

static int zone_ok(const char *s, size_t n) { return fcp_zone_id_validate(s, n); }

static int placement_ok(const fcp_cap_placement *p)
{
    if (p->n_requires > FCP_CAP_MAX_PLACEMENT || p->n_prefers > FCP_CAP_MAX_PLACEMENT ||
        p->n_excludes > FCP_CAP_MAX_PLACEMENT || p->n_zones > FCP_CAP_MAX_PLACEMENT)
        return FCP_ELIMIT;
    for (size_t i = 0; i < p->n_requires; i++)
        TRY(placement_item_ok(&p->requires[i]));
    for (size_t i = 0; i < p->n_prefers; i++)
        TRY(placement_item_ok(&p->prefers[i]));
    for (size_t i = 0; i < p->n_excludes; i++)
        TRY(placement_item_ok(&p->excludes[i]));
    return str_set_ok(p->zones[0], p->n_zones, sizeof p->zones[0], zone_ok, FCP_ECAP_OBJECT);
}

int fcp_cap_object_validate(const fcp_cap_object *o)
{
    TRY(fcp_object_header_validate(&o->header));
    TRY(cap_id_ok(o->capability_id, strlen(o->capability_id)));
    switch (o->grantee) {
    case FCP_GRANTEE_PRINCIPAL:
    case FCP_GRANTEE_TAG:
        TRY(cap_id_ok(o->grantee_value, strlen(o->grantee_value)));
        break;
    case FCP_GRANTEE_ZONE:
        TRY(fcp_zone_id_validate(o->grantee_value, strlen(o->grantee_value)));
        break;
    case FCP_GRANTEE_BEARER:
        if (o->grantee_value[0])
            return FCP_ECAP_OBJECT;
        break;
    default:
        return FCP_ECAP_OBJECT;
    }
    TRY(fcp_cap_constraints_validate(&o->constraints));
    TRY(placement_ok(&o->placement));
    if (o->valid_until <= o->valid_from)
        return FCP_ECAP_WINDOW;
    return 0;
}

static void put_items(fcp_cbor_enc *e, const char *key, const fcp_cap_placement_item *it, size_t n)
{
    fcp_m_text_key(e, key);
    fcp_cbor_put_array(e, n);
    for (size_t i = 0; i < n; i++)
        fcp_cbor_put_raw(e, it[i].cbor, it[i].len);
}

static const char *grantee_names[] = { "Principal", "Zone", "Tag", "Bearer" };

static int capobj_encode(const fcp_cap_object *o, fcp_buf *out, int with_sig)
{
    fcp_cbor_enc e;
    TRY(fcp_cap_object_validate(o));
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    fcp_m_text_key(&e, "header");
    fcp_object_header_encode_to(&o->header, &e);
    fcp_cbor_put_kv_text(&e, "capability_id", o->capability_id);
    fcp_m_text_key(&e, "grantee");
    if (o->grantee == FCP_GRANTEE_BEARER) {
        fcp_cbor_put_cstr(&e, "Bearer");
    } else {
        fcp_cbor_put_map(&e, 1);
        fcp_cbor_put_cstr(&e, grantee_names[o->grantee]);
        fcp_cbor_put_cstr(&e, o->grantee_value);
    }
    fcp_m_text_key(&e, "constraints");
    fcp_cap_constraints_encode_to(&o->constraints, &e);
    fcp_m_text_key(&e, "placement");
    fcp_cbor_map_open(&e);
    put_items(&e, "requires", o->placement.requires, o->placement.n_requires);
    put_items(&e, "prefers", o->placement.prefers, o->placement.n_prefers);
    put_items(&e, "excludes", o->placement.excludes, o->placement.n_excludes);
    put_str_list(&e, "zones", o->placement.zones[0], o->placement.n_zones, sizeof o->placement.zones[0], 0);
    fcp_cbor_map_close(&e);
    fcp_cbor_put_kv_uint(&e, "valid_from", o->valid_from);
    fcp_cbor_put_kv_uint(&e, "valid_until", o->valid_until);
    if (with_sig)
        fcp_cbor_put_kv_bytes(&e, "signature", o->signature, 64);
    fcp_cbor_map_close(&e);
    return fcp_cbor_enc_done(&e);
}

int fcp_cap_object_encode_unsigned(const fcp_cap_object *o, fcp_buf *out)
{
    return capobj_encode(o, out, 0);
}
int fcp_cap_object_encode(const fcp_cap_object *o, fcp_buf *out)
{
    return capobj_encode(o, out, 1);
}

static int get_items(fcp_cbor_dec *d, fcp_cap_placement_item *it, size_t *n)
{
    uint64_t cnt;
    TRY(fcp_cbor_get_array(d, &cnt));
    if (cnt > FCP_CAP_MAX_PLACEMENT)
        return FCP_ELIMIT;
    *n = (size_t)cnt;
    for (size_t i = 0; i < *n; i++) {
        const uint8_t *p;
        size_t len;
        TRY(fcp_cbor_get_raw(d, &p, &len));
        if (len > FCP_CAP_PLACEMENT_ITEM_MAX)
            return FCP_ELIMIT;
        memcpy(it[i].cbor, p, len);
        it[i].len = len;
    }
    return 0;
}

static int grantee_decode(fcp_cap_object *o, fcp_cbor_dec *d)
{
    unsigned major;
    uint64_t cnt;
    TRY(fcp_cbor_peek(d, &major));
    if (major == FCP_CBOR_TEXT) {
        char b[8];
        TRY(fcp_m_get_text(d, b, 7, NULL, FCP_ECAP_OBJECT));
        if (strcmp(b, "Bearer") != 0)
            return FCP_ECAP_OBJECT;
        o->grantee = FCP_GRANTEE_BEARER;
        return 0;
    }
    TRY(fcp_cbor_get_map(d, &cnt));
    if (cnt != 1)
        return FCP_ECAP_OBJECT;
    fcp_cbor_map_iter it = { 1 };
    const char *k;
    size_t kl;
    TRY(fcp_cbor_map_next_text_key(d, &it, &k, &kl));
    int i = fcp_cbor_key_index(k, kl, grantee_names, 3);
    if (i < 0)
        return FCP_ECAP_OBJECT;
    o->grantee = (enum fcp_grantee_kind)i;
    return fcp_m_get_text(d, o->grantee_value, FCP_CAP_ID_MAX, NULL, FCP_ECAP_OBJECT);
}

static int capobj_decode_from(void *obj, fcp_cbor_dec *d)
{
    fcp_cap_object *o = obj;
    fcp_cbor_map_iter it, pit;
    TRY(fcp_cbor_map_begin(d, &it));
    TRY(fcp_cbor_expect_key(d, &it, "header"));
    TRY(fcp_object_header_decode_from(&o->header, d));
    TRY(fcp_cbor_expect_key(d, &it, "grantee"));
    TRY(grantee_decode(o, d));
    TRY(fcp_cbor_expect_key(d, &it, "placement"));
    TRY(fcp_cbor_map_begin(d, &pit));
    TRY(fcp_cbor_expect_key(d, &pit, "zones"));
    TRY(get_str_list(d, o->placement.zones[0], &o->placement.n_zones, FCP_CAP_MAX_PLACEMENT,
                     sizeof o->placement.zones[0], FCP_ZONE_ID_MAX, zone_ok, FCP_ECAP_OBJECT, 1));
    TRY(fcp_cbor_expect_key(d, &pit, "prefers"));
    TRY(get_items(d, o->placement.prefers, &o->placement.n_prefers));
    TRY(fcp_cbor_expect_key(d, &pit, "excludes"));
    TRY(get_items(d, o->placement.excludes, &o->placement.n_excludes));
    TRY(fcp_cbor_expect_key(d, &pit, "requires"));
    TRY(get_items(d, o->placement.requires, &o->placement.n_requires));
    TRY(fcp_m_map_end(d, &pit));
    TRY(fcp_cbor_expect_key(d, &it, "signature"));
    TRY(fcp_m_get_fixed(d, o->signature, 64));
    TRY(fcp_cbor_expect_key(d, &it, "valid_from"));
    TRY(fcp_cbor_get_uint(d, &o->valid_from));
    TRY(fcp_cbor_expect_key(d, &it, "constraints"));
    TRY(fcp_cap_constraints_decode_from(&o->constraints, d));
    TRY(fcp_cbor_expect_key(d, &it, "valid_until"));
    TRY(fcp_cbor_get_uint(d, &o->valid_until));
    TRY(fcp_cbor_expect_key(d, &it, "capability_id"));
    TRY(fcp_m_get_text(d, o->capability_id, FCP_CAP_ID_MAX, cap_id_ok, FCP_ECAP_OBJECT));
    TRY(fcp_m_map_end(d, &it));
    return fcp_cap_object_validate(o);
}

int fcp_cap_object_decode(fcp_cap_object *o, const uint8_t *p, size_t n)
{
    return decode_top(o, sizeof *o, p, n, capobj_decode_from);
}

static int capobj_enc_u(const void *o, fcp_buf *b) { return fcp_cap_object_encode_unsigned(o, b); }

int fcp_cap_object_sign(fcp_cap_object *o, const uint8_t owner_sk[64])
{
    return fcp_ma_sign(o, capobj_enc_u, fcp_cap_object_schema, owner_sk, o->signature);
}

int fcp_cap_object_verify(const fcp_cap_object *o, const uint8_t owner_pk[32])
{
    return fcp_ma_verify(o, capobj_enc_u, fcp_cap_object_schema, owner_pk, o->signature);
}

int fcp_cap_object_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_cap_object *o,
                      const fcp_object_id_key *key)
{
    fcp_buf b;
    fcp_schema_id s;
    fcp_buf_init(&b);
    fcp_cap_object_schema(&s);
    int rc = fcp_cap_object_encode(o, &b);
    if (rc == 0)
        rc = fcp_object_id(out, key, o->header.zone_id, strlen(o->header.zone_id), &s, b.data, b.len);
    fcp_buf_free(&b);
    return rc;
}

/* ---- RoleObject / RoleAssignment ------------------------------------------ */

void fcp_role_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.core", "RoleObject", 1, 0, 0);
}

void fcp_role_assignment_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.core", "RoleAssignment", 1, 0, 0);
}

static int role_id_ok(const char *s, size_t n)
{
    return fcp_cap_id_validate(s, n) ? FCP_ECAP_ROLE : 0;
}

int fcp_role_validate(const fcp_role_object *r)
{
    TRY(fcp_object_header_validate(&r->header));
    TRY(role_id_ok(r->role_id, strlen(r->role_id)));
    if (r->n_grants == 0)
        return FCP_ECAP_ROLE;
    TRY(grants_ok(r->grants, r->n_grants));
    if (r->has_constraints)
        TRY(fcp_cap_constraints_validate(&r->constraints));
    if (r->n_inherits > FCP_ROLE_MAX_PARENTS)
        return FCP_ELIMIT;
    TRY(str_set_ok(r->inherits[0], r->n_inherits, sizeof r->inherits[0], role_id_ok, FCP_ECAP_ROLE));
    for (size_t i = 0; i < r->n_inherits; i++)
        if (strcmp(r->inherits[i], r->role_id) == 0)
            return FCP_ECAP_ROLE_CYCLE; /* a role cannot inherit from itself */
    return 0;
}

static int role_encode(const fcp_role_object *r, fcp_buf *out, int with_sig)
{
    fcp_cbor_enc e;
    TRY(fcp_role_validate(r));
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    fcp_m_text_key(&e, "header");
    fcp_object_header_encode_to(&r->header, &e);
    fcp_cbor_put_kv_text(&e, "role_id", r->role_id);
    fcp_m_text_key(&e, "grants");
    fcp_cbor_put_array(&e, r->n_grants);
    for (size_t i = 0; i < r->n_grants; i++)
        fcp_cap_grant_encode_to(&r->grants[i], &e);
    if (r->has_constraints) {
        fcp_m_text_key(&e, "constraints");
        fcp_cap_constraints_encode_to(&r->constraints, &e);
    }
    put_str_list(&e, "inherits", r->inherits[0], r->n_inherits, sizeof r->inherits[0], 0);
    if (with_sig)
        fcp_cbor_put_kv_bytes(&e, "signature", r->signature, 64);
    fcp_cbor_map_close(&e);
    return fcp_cbor_enc_done(&e);
}

int fcp_role_encode_unsigned(const fcp_role_object *r, fcp_buf *out) { return role_encode(r, out, 0); }
int fcp_role_encode(const fcp_role_object *r, fcp_buf *out) { return role_encode(r, out, 1); }

static int get_grants(fcp_cbor_dec *d, fcp_cap_grant *g, size_t *n)
{
    uint64_t cnt;
    TRY(fcp_cbor_get_array(d, &cnt));
    if (cnt > FCP_CAP_MAX_GRANTS)
        return FCP_ELIMIT;
    *n = (size_t)cnt;
    for (size_t i = 0; i < *n; i++)
        TRY(fcp_cap_grant_decode_from(&g[i], d));
    return 0;
}

static int role_decode_from(void *obj, fcp_cbor_dec *d)
{
    fcp_role_object *r = obj;
    fcp_cbor_map_iter it;
    int o;
    TRY(fcp_cbor_map_begin(d, &it));
    TRY(fcp_cbor_expect_key(d, &it, "grants"));
    TRY(get_grants(d, r->grants, &r->n_grants));
    TRY(fcp_cbor_expect_key(d, &it, "header"));
    TRY(fcp_object_header_decode_from(&r->header, d));
    TRY(fcp_cbor_expect_key(d, &it, "role_id"));
    TRY(fcp_m_get_text(d, r->role_id, FCP_CAP_ID_MAX, role_id_ok, FCP_ECAP_ROLE));
    TRY(fcp_cbor_expect_key(d, &it, "inherits"));
    TRY(get_str_list(d, r->inherits[0], &r->n_inherits, FCP_ROLE_MAX_PARENTS, sizeof r->inherits[0],
                     FCP_CAP_ID_MAX, role_id_ok, FCP_ECAP_ROLE, 1));
    TRY(fcp_cbor_expect_key(d, &it, "signature"));
    TRY(fcp_m_get_fixed(d, r->signature, 64));
    TRY(o = fcp_cbor_opt_key(d, &it, "constraints"));
    if (o) {
        TRY(fcp_cap_constraints_decode_from(&r->constraints, d));
        r->has_constraints = 1;
    }
    TRY(fcp_m_map_end(d, &it));
    return fcp_role_validate(r);
}

int fcp_role_decode(fcp_role_object *r, const uint8_t *p, size_t n)
{
    return decode_top(r, sizeof *r, p, n, role_decode_from);
}

static int role_enc_u(const void *o, fcp_buf *b) { return fcp_role_encode_unsigned(o, b); }

int fcp_role_sign(fcp_role_object *r, const uint8_t owner_sk[64])
{
    return fcp_ma_sign(r, role_enc_u, fcp_role_schema, owner_sk, r->signature);
}

int fcp_role_verify(const fcp_role_object *r, const uint8_t owner_pk[32])
{
    return fcp_ma_verify(r, role_enc_u, fcp_role_schema, owner_pk, r->signature);
}

static int asg_principal_ok(const char *s, size_t n)
{
    return fcp_cap_id_validate(s, n) ? FCP_ECAP_ASSIGNMENT : 0;
}

int fcp_role_assignment_validate(const fcp_role_assignment *a)
{
    TRY(fcp_object_header_validate(&a->header));
    TRY(role_id_ok(a->role_id, strlen(a->role_id)));
    TRY(asg_principal_ok(a->principal, strlen(a->principal)));
    if (a->valid_until <= a->valid_from)
        return FCP_ECAP_ASSIGNMENT;
    if (a->has_constraints)
        TRY(fcp_cap_constraints_validate(&a->constraints));
    return 0;
}

static int asg_encode(const fcp_role_assignment *a, fcp_buf *out, int with_sig)
{
    fcp_cbor_enc e;
    TRY(fcp_role_assignment_validate(a));
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    fcp_m_text_key(&e, "header");
    fcp_object_header_encode_to(&a->header, &e);
    fcp_cbor_put_kv_text(&e, "role_id", a->role_id);
    fcp_cbor_put_kv_text(&e, "principal", a->principal);
    fcp_cbor_put_kv_uint(&e, "valid_from", a->valid_from);
    fcp_cbor_put_kv_uint(&e, "valid_until", a->valid_until);
    if (a->has_constraints) {
        fcp_m_text_key(&e, "constraints");
        fcp_cap_constraints_encode_to(&a->constraints, &e);
    }
    if (with_sig)
        fcp_cbor_put_kv_bytes(&e, "signature", a->signature, 64);
    fcp_cbor_map_close(&e);
    return fcp_cbor_enc_done(&e);
}

int fcp_role_assignment_encode_unsigned(const fcp_role_assignment *a, fcp_buf *out)
{
    return asg_encode(a, out, 0);
}
int fcp_role_assignment_encode(const fcp_role_assignment *a, fcp_buf *out)
{
    return asg_encode(a, out, 1);
}

static int asg_decode_from(void *obj, fcp_cbor_dec *d)
{
    fcp_role_assignment *a = obj;
    fcp_cbor_map_iter it;
    int o;
    TRY(fcp_cbor_map_begin(d, &it));
    TRY(fcp_cbor_expect_key(d, &it, "header"));
    TRY(fcp_object_header_decode_from(&a->header, d));
    TRY(fcp_cbor_expect_key(d, &it, "role_id"));
    TRY(fcp_m_get_text(d, a->role_id, FCP_CAP_ID_MAX, role_id_ok, FCP_ECAP_ROLE));
    TRY(fcp_cbor_expect_key(d, &it, "principal"));
    TRY(fcp_m_get_text(d, a->principal, FCP_CAP_ID_MAX, asg_principal_ok, FCP_ECAP_ASSIGNMENT));
    TRY(fcp_cbor_expect_key(d, &it, "signature"));
    TRY(fcp_m_get_fixed(d, a->signature, 64));
    TRY(fcp_cbor_expect_key(d, &it, "valid_from"));
    TRY(fcp_cbor_get_uint(d, &a->valid_from));
    TRY(o = fcp_cbor_opt_key(d, &it, "constraints"));
    if (o) {
        TRY(fcp_cap_constraints_decode_from(&a->constraints, d));
        a->has_constraints = 1;
    }
    TRY(fcp_cbor_expect_key(d, &it, "valid_until"));
    TRY(fcp_cbor_get_uint(d, &a->valid_until));
    TRY(fcp_m_map_end(d, &it));
    return fcp_role_assignment_validate(a);
}

int fcp_role_assignment_decode(fcp_role_assignment *a, const uint8_t *p, size_t n)
{
    return decode_top(a, sizeof *a, p, n, asg_decode_from);
}

static int asg_enc_u(const void *o, fcp_buf *b) { return fcp_role_assignment_encode_unsigned(o, b); }

int fcp_role_assignment_sign(fcp_role_assignment *a, const uint8_t owner_sk[64])
{
    return fcp_ma_sign(a, asg_enc_u, fcp_role_assignment_schema, owner_sk, a->signature);
}

int fcp_role_assignment_verify(const fcp_role_assignment *a, const uint8_t owner_pk[32])
{
    return fcp_ma_verify(a, asg_enc_u, fcp_role_assignment_schema, owner_pk, a->signature);
}
