/*
 * host_egress_url.c - URL canonicaliser and address classifier of the egress
 * proxy (spec §11.2 network guard; docs/egress.md steps 3, 5 and 9).
 *
 * The canonicaliser accepts one spelling per destination: lowercase scheme
 * and host, no trailing dot, ASCII only (IDNs must arrive as punycode), no
 * userinfo, no percent-encoded or backslash tricks, and IPv4 only as a strict
 * dotted quad.  Every other numeric host ("2130706433", "0x7f.1",
 * "0177.0.0.1", "127.1") is refused rather than interpreted, because resolvers
 * and HTTP stacks disagree on how to read them - exactly the gap SSRF lives in.
 *
 * The classifier judges one address.  IPv6 forms that carry an IPv4 address
 * (mapped ::ffff:0:0/96, compatible ::/96, NAT64 64:ff9b::/96, 6to4
 * 2002::/16) are judged by that IPv4 address too, so ::ffff:127.0.0.1 is
 * loopback.  Pure: inet_pton/inet_ntop are text conversions only.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fcp/error.h"
#include "fcp/host_egress.h"

/* ---- URL ------------------------------------------------------------------ */

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }

/* Strict dotted quad: four decimal labels 0..255 without leading zeros. */
static int parse_quad(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        size_t st = i;
        unsigned v = 0;
        while (i < n && is_digit(s[i]) && i - st < 3)
            v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == st || v > 255 || (i - st > 1 && s[st] == '0'))
            return -1;
        out[part] = (uint8_t)v;
        if (part < 3) {
            if (i >= n || s[i] != '.')
                return -1;
            i++;
        }
    }
    return i == n ? 0 : -1;
}

/* Host looks numeric the way WHATWG URL parsers and inet_aton read it: its
 * last label is all digits, or 0x followed by hex digits. */
static int looks_numeric(const char *h, size_t n)
{
    size_t st = n;
    while (st > 0 && h[st - 1] != '.')
        st--;
    const char *l = h + st;
    size_t ln = n - st;
    if (ln == 0)
        return 0;
    if (ln >= 2 && l[0] == '0' && l[1] == 'x') {
        for (size_t i = 2; i < ln; i++)
            if (!is_hex(l[i]))
                return 0;
        return 1;
    }
    for (size_t i = 0; i < ln; i++)
        if (!is_digit(l[i]))
            return 0;
    return 1;
}

static int ldh_ok(const char *h, size_t n)
{
    if (n == 0 || n > FCP_EGRESS_HOST_MAX)
        return FCP_EEGRESS_HOST;
    size_t lab = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || h[i] == '.') {
            if (lab == 0 || lab > 63 || h[i - 1] == '-' || h[i - lab] == '-')
                return FCP_EEGRESS_HOST;
            lab = 0;
            continue;
        }
        char c = h[i];
        if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '-'))
            return FCP_EEGRESS_HOST;
        lab++;
    }
    return 0;
}

static int parse_host(const char *a, size_t n, fcp_egress_url *u)
{
    char tmp[FCP_EGRESS_HOST_MAX + 2];
    if (n == 0)
        return FCP_EEGRESS_HOST;
    if (a[0] == '[') {                        /* IPv6 literal */
        if (n < 3 || a[n - 1] != ']' || n - 2 > 45)
            return FCP_EEGRESS_HOST;
        for (size_t i = 1; i < n - 1; i++)
            if (!(is_hex((char)(a[i] | 0x20)) || a[i] == ':' || a[i] == '.'))
                return FCP_EEGRESS_HOST;      /* zone ids ("%25eth0") included */
        memcpy(tmp, a + 1, n - 2);
        tmp[n - 2] = 0;
        if (inet_pton(AF_INET6, tmp, u->ip) != 1)
            return FCP_EEGRESS_HOST;
        u->host_kind = FCP_EGRESS_HOST_IPV6;
        inet_ntop(AF_INET6, u->ip, u->host, sizeof u->host);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)a[i] >= 0x80)
            return FCP_EEGRESS_HOST_IDNA;     /* spec: punycode (A-labels) only */
    if (n > FCP_EGRESS_HOST_MAX + 1)
        return FCP_EEGRESS_HOST;
    for (size_t i = 0; i < n; i++)
        tmp[i] = (a[i] >= 'A' && a[i] <= 'Z') ? (char)(a[i] + 32) : a[i];
    if (tmp[n - 1] == '.')                    /* one trailing dot: same name */
        n--;
    tmp[n] = 0;
    if (n == 0)
        return FCP_EEGRESS_HOST;
    if (looks_numeric(tmp, n)) {
        if (parse_quad(tmp, n, u->ip) < 0)
            return FCP_EEGRESS_HOST_NUMERIC;
        u->host_kind = FCP_EGRESS_HOST_IPV4;
        inet_ntop(AF_INET, u->ip, u->host, sizeof u->host);
        return 0;
    }
    if (ldh_ok(tmp, n) < 0)
        return FCP_EEGRESS_HOST;
    u->host_kind = FCP_EGRESS_HOST_NAME;
    memcpy(u->host, tmp, n + 1);
    return 0;
}

static int parse_port(const char *s, size_t n, uint16_t *port)
{
    unsigned v = 0;
    if (n == 0 || n > 5 || s[0] == '0')
        return FCP_EEGRESS_URL;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return FCP_EEGRESS_URL;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v == 0 || v > 65535)
        return FCP_EEGRESS_URL;
    *port = (uint16_t)v;
    return 0;
}

static int url_parse(const char *s, size_t n, fcp_egress_url *u)
{
    size_t i = 0;
    if (n == 0)
        return FCP_EEGRESS_URL;
    if (n > FCP_EGRESS_URL_MAX)
        return FCP_EEGRESS_LIMIT;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)s[k];
        if (c <= 0x20 || c == 0x7f || c == '\\')
            return FCP_EEGRESS_URL;
    }
    /* scheme */
    while (i < n && s[i] != ':' && i < 16)
        i++;
    if (i >= n || s[i] != ':')
        return FCP_EEGRESS_URL;
    if (i == 5 && strncasecmp(s, "https", 5) == 0)
        u->https = 1;
    else if (i == 4 && strncasecmp(s, "http", 4) == 0)
        u->https = 0;
    else
        return FCP_EEGRESS_SCHEME;
    i++;
    if (n - i < 2 || s[i] != '/' || s[i + 1] != '/')
        return FCP_EEGRESS_URL;
    i += 2;
    /* authority */
    size_t as = i;
    while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
        i++;
    const char *a = s + as;
    size_t an = i - as;
    if (memchr(a, '@', an))
        return FCP_EEGRESS_USERINFO;
    if (memchr(a, '%', an))
        return FCP_EEGRESS_HOST;              /* no percent-encoded hosts */
    size_t hn = an;
    const char *colon = NULL;
    if (an > 0 && a[0] == '[') {
        const char *rb = memchr(a, ']', an);
        if (!rb)
            return FCP_EEGRESS_HOST;
        hn = (size_t)(rb - a) + 1;
        if (hn < an) {
            if (a[hn] != ':')
                return FCP_EEGRESS_HOST;
            colon = a + hn;
        }
    } else {
        colon = memchr(a, ':', an);
        if (colon) {
            hn = (size_t)(colon - a);
            if (memchr(colon + 1, ':', an - hn - 1))
                return FCP_EEGRESS_HOST;
        }
    }
    u->port = u->https ? 443 : 80;
    if (colon) {
        int rc = parse_port(colon + 1, an - hn - 1, &u->port);
        if (rc < 0)
            return rc;
    }
    int rc = parse_host(a, hn, u);
    if (rc < 0)
        return rc;
    /* path and query; the fragment never leaves the client */
    size_t ps = i, pe = i;
    while (pe < n && s[pe] != '#')
        pe++;
    for (size_t k = ps; k < pe; k++)
        if ((unsigned char)s[k] >= 0x80)
            return FCP_EEGRESS_URL;       /* the path must be percent-encoded */
    size_t tl = 0;
    if (ps == pe || s[ps] != '/')
        u->target[tl++] = '/';
    if (tl + (pe - ps) > FCP_EGRESS_URL_MAX)
        return FCP_EEGRESS_LIMIT;
    memcpy(u->target + tl, s + ps, pe - ps);
    u->target[tl + pe - ps] = 0;
    return 0;
}

int fcp_egress_url_parse(const char *url, size_t n, fcp_egress_url *u)
{
    memset(u, 0, sizeof *u);
    int rc = url_parse(url, n, u);
    if (rc < 0)
        memset(u, 0, sizeof *u);
    return rc;
}

int fcp_egress_url_format(const fcp_egress_url *u, char *out, size_t cap)
{
    int dflt = u->port == (u->https ? 443 : 80);
    char port[8] = "";
    if (!dflt)
        snprintf(port, sizeof port, ":%u", (unsigned)u->port);
    int v6 = u->host_kind == FCP_EGRESS_HOST_IPV6;
    int w = snprintf(out, cap, "%s://%s%s%s%s%s", u->https ? "https" : "http", v6 ? "[" : "", u->host,
                     v6 ? "]" : "", port, u->target);
    if (w < 0 || (size_t)w >= cap)
        return FCP_EBUFFER_TOO_SMALL;
    return 0;
}

/* ---- addresses -------------------------------------------------------------- */

void fcp_egress_addr_format(const fcp_egress_addr *a, char out[46])
{
    if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->ip, out, 46))
        strcpy(out, "?");
}

static int in_prefix(const uint8_t *a, const uint8_t *net, unsigned bits)
{
    unsigned full = bits / 8, rest = bits % 8;
    if (memcmp(a, net, full) != 0)
        return 0;
    if (rest == 0)
        return 1;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (a[full] & mask) == (net[full] & mask);
}

static int is_loop4(const uint8_t *a) { return a[0] == 127; }

static const uint8_t V6_LOOP[16] = { [15] = 1 };

/* The IPv4 address an IPv6 form carries, if any. */
static int embedded_v4(const uint8_t *a, uint8_t v4[4])
{
    static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
    static const uint8_t nat64[12] = { 0x00, 0x64, 0xff, 0x9b };
    static const uint8_t zero12[12] = { 0 };
    if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0 ||
        (memcmp(a, zero12, 12) == 0 && !(a[12] == 0 && a[13] == 0 && a[14] == 0 && a[15] <= 1))) {
        memcpy(v4, a + 12, 4);
        return 1;
    }
    if (a[0] == 0x20 && a[1] == 0x02) {       /* 6to4 */
        memcpy(v4, a + 2, 4);
        return 1;
    }
    return 0;
}

static int class_v4(const fcp_net_constraints *n, const fcp_egress_config *cfg, const uint8_t *a)
{
    if (a[0] == 0)
        return FCP_EEGRESS_UNSPECIFIED;
    if (is_loop4(a))
        return n->deny_localhost && !cfg->test_allow_loopback ? FCP_EEGRESS_LOOPBACK : 0;
    if (a[0] == 169 && a[1] == 254)
        return (a[2] == 169 && a[3] == 254) ? FCP_EEGRESS_METADATA : FCP_EEGRESS_LINK_LOCAL;
    if (a[0] >= 224 && a[0] <= 239)
        return FCP_EEGRESS_MULTICAST;
    if (a[0] >= 240)
        return FCP_EEGRESS_RESERVED;
    if (a[0] == 100 && (a[1] & 0xc0) == 64)
        return n->deny_tailnet_ranges ? FCP_EEGRESS_TAILNET : 0;
    if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168))
        return n->deny_private_ranges ? FCP_EEGRESS_PRIVATE : 0;
    return 0;
}

static int class_v6(const fcp_net_constraints *n, const fcp_egress_config *cfg, const uint8_t *a)
{
    static const uint8_t zero[16] = { 0 };
    static const uint8_t ec2[16] = { 0xfd, 0x00, 0x0e, 0xc2, [14] = 0x02, [15] = 0x54 };
    static const uint8_t ts[6] = { 0xfd, 0x7a, 0x11, 0x5c, 0xa1, 0xe0 };
    uint8_t v4[4];
    if (memcmp(a, zero, 16) == 0)
        return FCP_EEGRESS_UNSPECIFIED;
    if (memcmp(a, V6_LOOP, 16) == 0)
        return n->deny_localhost && !cfg->test_allow_loopback ? FCP_EEGRESS_LOOPBACK : 0;
    if (embedded_v4(a, v4))
        return class_v4(n, cfg, v4);
    if (memcmp(a, ec2, 16) == 0)
        return FCP_EEGRESS_METADATA;
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
        return FCP_EEGRESS_LINK_LOCAL;
    if (a[0] == 0xff)
        return FCP_EEGRESS_MULTICAST;
    if (memcmp(a, ts, 6) == 0)
        return n->deny_tailnet_ranges ? FCP_EEGRESS_TAILNET : 0;
    if ((a[0] & 0xfe) == 0xfc)
        return n->deny_private_ranges ? FCP_EEGRESS_PRIVATE : 0;
    return 0;
}

/* Is a (or the IPv4 it carries) inside the textual CIDR c? */
static int cidr_match(const char *c, const fcp_egress_addr *a)
{
    char tmp[FCP_NET_CIDR_MAX + 1];
    uint8_t net[16], v4[4];
    size_t l = strlen(c);
    if (l > FCP_NET_CIDR_MAX)
        return 0;
    memcpy(tmp, c, l + 1);
    char *slash = strchr(tmp, '/');
    if (!slash)
        return 0;
    *slash = 0;
    unsigned bits = 0;
    for (const char *q = slash + 1; *q; q++)
        bits = bits * 10 + (unsigned)(*q - '0');
    if (inet_pton(AF_INET, tmp, net) == 1) {
        if (bits > 32)
            return 0;
        if (a->family == 4)
            return in_prefix(a->ip, net, bits);
        return embedded_v4(a->ip, v4) && in_prefix(v4, net, bits);
    }
    if (inet_pton(AF_INET6, tmp, net) == 1 && bits <= 128 && a->family == 6)
        return in_prefix(a->ip, net, bits);
    return 0;
}

static int addr_is_loopback(const fcp_egress_addr *a)
{
    uint8_t v4[4];
    if (a->family == 4)
        return is_loop4(a->ip);
    if (memcmp(a->ip, V6_LOOP, 16) == 0)
        return 1;
    return embedded_v4(a->ip, v4) && is_loop4(v4);
}

int fcp_egress_addr_check(const fcp_net_constraints *n, const fcp_egress_config *cfg,
                          const fcp_egress_addr *a)
{
    int rc;
    if (a->family == 4)
        rc = class_v4(n, cfg, a->ip);
    else if (a->family == 6)
        rc = class_v6(n, cfg, a->ip);
    else
        return FCP_EEGRESS_DNS;
    if (rc < 0)
        return rc;
    if (cfg->test_allow_loopback && addr_is_loopback(a))
        return 0;
    for (size_t i = 0; i < n->n_cidr_deny && i < FCP_NET_MAX_CIDRS; i++)
        if (cidr_match(n->cidr_deny[i], a))
            return FCP_EEGRESS_CIDR_DENY;
    return 0;
}
