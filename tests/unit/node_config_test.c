/*
 * node_config_test.c - the fcpd configuration model (src/node/node_config.c):
 * defaults, the documented example file, every section read back, sizes
 * and addresses, and one negative case per validation rule with its exact
 * code and a message naming the file, line and key.
 */
#include <stdlib.h>
#include <string.h>

#include "fcp/config.h"
#include "fcp/error.h"
#include "test.h"

static fcp_config *cfg;

static int parse(const char *text, fcp_toml_error *e)
{
    fcp_config_defaults(cfg, "/data/fcp");
    return fcp_config_parse(cfg, "fcpd.toml", text, strlen(text), e);
}

static void bad(const char *text, int code, const char *msg_part)
{
    fcp_toml_error e;
    int r = parse(text, &e);
    int ok = CHECK_EQ(r, code);
    ok &= CHECK(strstr(e.msg, msg_part) != NULL);
    ok &= CHECK(strncmp(e.msg, "fcpd.toml", 9) == 0);
    if (!ok)
        fprintf(stderr, "  input: %s\n  got %d: %s\n", text, r, e.msg);
}

static void test_defaults(void)
{
    fcp_toml_error e;
    CHECK_EQ(parse("", &e), 0);
    CHECK(strcmp(cfg->data_dir, "/data/fcp") == 0);
    CHECK_EQ(cfg->n_listen, 1);
    CHECK_EQ(cfg->listen[0].port, 7447);
    CHECK_EQ(cfg->n_zones, 2);
    CHECK(strcmp(cfg->zones[0], "z:owner") == 0);
    CHECK_EQ(cfg->max_peers, 64);
    CHECK_EQ(cfg->peer_memory_bytes, 64u << 20);
    CHECK_EQ(cfg->quarantine_bytes, 256u << 20);
    CHECK_EQ(cfg->quarantine_bytes_per_peer, 32u << 20);
    CHECK_EQ(cfg->max_symbols_per_min, 200000);
    CHECK_EQ(cfg->require_authenticated_requests, 1);
    CHECK_EQ(cfg->metrics_enabled, 0);
    /* no default data dir: required */
    fcp_config_defaults(cfg, NULL);
    CHECK_EQ(fcp_config_parse(cfg, "fcpd.toml", "", 0, &e), FCP_ETOML_MISSING_KEY);
    CHECK(strstr(e.msg, "node.data_dir") != NULL);
    char d[64];
    CHECK_EQ(fcp_config_default_data_dir(d, sizeof d, "/srv/fcp", "/home/u"), 0);
    CHECK(strcmp(d, "/srv/fcp") == 0);
    CHECK_EQ(fcp_config_default_data_dir(d, sizeof d, "", "/home/u"), 0);
    CHECK(strcmp(d, "/home/u/.local/share/fcp") == 0);
    CHECK_EQ(fcp_config_default_data_dir(d, sizeof d, NULL, NULL), FCP_ECONFIG_PATH);
    CHECK_EQ(fcp_config_default_data_dir(d, sizeof d, "rel/dir", NULL), FCP_ECONFIG_PATH);
    CHECK_EQ(fcp_config_default_data_dir(d, 8, NULL, "/home/u"), FCP_EBUFFER_TOO_SMALL);
}

static void test_example(void)
{
    const char *src = getenv("FCP_SRCDIR");
    char p[512];
    snprintf(p, sizeof p, "%s/docs/fcpd.toml.example", src && *src ? src : ".");
    fcp_toml_error e;
    fcp_config_defaults(cfg, NULL);
    int r = fcp_config_load(cfg, p, &e);
    if (!CHECK_EQ(r, 0)) {
        fprintf(stderr, "  %s\n", e.msg);
        return;
    }
    CHECK(strcmp(cfg->node_id, "desktop-1") == 0);
    CHECK(strcmp(cfg->data_dir, "/var/lib/fcp") == 0);
    CHECK_EQ(cfg->n_listen, 2);
    CHECK(cfg->listen[1].is_ipv6 && strcmp(cfg->listen[1].host, "::") == 0);
    char a[80];
    CHECK(fcp_config_format_addr(&cfg->listen[1], a, sizeof a) > 0 && strcmp(a, "[::]:7447") == 0);
    CHECK_EQ(cfg->metrics_enabled, 1);
    CHECK_EQ(cfg->metrics.port, 9464);
    CHECK_EQ(cfg->n_zones, 3);
    CHECK_EQ(cfg->n_peers, 2);
    CHECK(strcmp(cfg->peers[0].id, "laptop-2") == 0);
    CHECK_EQ(cfg->peers[0].n_zones, 2);
    CHECK(strcmp(cfg->peers[1].addr.host, "nas.tailnet-example.ts.net") == 0);
    CHECK_EQ(cfg->store_quota_bytes, 10ull << 30);
    CHECK_EQ(cfg->n_zone_quotas, 2);
    CHECK(strcmp(cfg->zone_quotas[0].zone, "z:work") == 0);
    CHECK_EQ(cfg->zone_quotas[0].max_bytes, 2ull << 30);
    CHECK_EQ(cfg->max_decode_cpu_ms_per_min, 5000);
    CHECK_EQ(cfg->quic_enabled, 1);
    CHECK_EQ(cfg->quic_listen.port, 7448);
    CHECK_EQ(cfg->quic_keepalive_ms, 10000);
    CHECK_EQ(cfg->n_quic_dial, 1);
    CHECK(strcmp(cfg->quic_dial[0].id, "laptop-2") == 0 && cfg->quic_dial[0].addr.port == 7448);
    CHECK_EQ(fcp_config_load(cfg, "/nonexistent/fcpd.toml", &e), FCP_ECONFIG_READ);
    CHECK(strstr(e.msg, "/nonexistent/fcpd.toml") != NULL);
}

static void test_sizes_addrs(void)
{
    uint64_t v;
    CHECK_EQ(fcp_config_parse_size("0", 1, &v), 0);
    CHECK_EQ(v, 0);
    CHECK_EQ(fcp_config_parse_size("64 MiB", 6, &v), 0);
    CHECK_EQ(v, 64u << 20);
    CHECK_EQ(fcp_config_parse_size("512KiB", 6, &v), 0);
    CHECK_EQ(v, 512u << 10);
    CHECK_EQ(fcp_config_parse_size("100 B", 5, &v), 0);
    CHECK_EQ(v, 100);
    CHECK_EQ(fcp_config_parse_size("16777216 TiB", 12, &v), FCP_ECONFIG_VALUE);
    const char *bads[] = { "", "MiB", "64 mb", "64MB", "64  MiB", "64 ", "-1", "1.5 GiB", "64 MiBs", " 64" };
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++)
        if (!CHECK_EQ(fcp_config_parse_size(bads[i], strlen(bads[i]), &v), FCP_ECONFIG_VALUE))
            fprintf(stderr, "  size '%s' accepted\n", bads[i]);
    fcp_config_addr a;
    const char *why;
    CHECK_EQ(fcp_config_parse_addr(&a, "10.0.0.1:1", 10, &why), 0);
    CHECK_EQ(fcp_config_parse_addr(&a, "[fe80::1]:65535", 15, &why), 0);
    CHECK(a.is_ipv6 && a.port == 65535);
    CHECK_EQ(fcp_config_parse_addr(&a, "host-1.example:80", 17, &why), 0);
    const char *badaddrs[] = { "", "host", ":80", "host:", "host:0", "host:65536", "host:080", "fe80::1:80",
                               "[fe80::1]80", "[zz::1]:80", "300.1.1.1:80", "-bad.example:80", "a..b:80",
                               "bad_host:80", "[::1:80", "host:8x" };
    for (size_t i = 0; i < sizeof badaddrs / sizeof badaddrs[0]; i++)
        if (!CHECK_EQ(fcp_config_parse_addr(&a, badaddrs[i], strlen(badaddrs[i]), &why), FCP_ECONFIG_ADDRESS))
            fprintf(stderr, "  address '%s' accepted\n", badaddrs[i]);
}

static void test_errors(void)
{
    /* TOML syntax errors pass through with line and column */
    bad("[limits]\nmax_peers = 01\n", FCP_ETOML_INTEGER, "fcpd.toml:2:13:");
    /* unknown keys and wrong types, named with their path and line */
    bad("[limits]\nmax_peer = 3\n", FCP_ETOML_UNKNOWN_KEY, "fcpd.toml:2: unknown key 'limits.max_peer'");
    bad("\n[limits]\nmax_peers = \"ten\"\n", FCP_ETOML_WRONG_TYPE,
        "fcpd.toml:3: key 'limits.max_peers' must be an integer, got a string");
    bad("colour = 1\n", FCP_ETOML_UNKNOWN_KEY, "unknown key 'colour'");
    bad("node = 1\n", FCP_ETOML_WRONG_TYPE, "key 'node' must be a table, got an integer");
    bad("[zones]\nserve = [\"z:work\", 5]\n", FCP_ETOML_WRONG_TYPE, "key 'zones.serve[1]' must be a string");
    bad("[metrics]\nenabled = \"yes\"\n", FCP_ETOML_WRONG_TYPE, "must be a boolean");
    bad("[[peers]]\nid = \"a\"\n", FCP_ETOML_MISSING_KEY, "peers[0].address");
    bad("peers = [1]\n", FCP_ETOML_WRONG_TYPE, "key 'peers[0]' must be a table");
    bad("[admission]\nmax_symbols_per_min = 1.5\n", FCP_ETOML_WRONG_TYPE, "must be an integer, got a float");
    /* ranges */
    bad("[limits]\nmax_peers = 0\n", FCP_ETOML_RANGE, "'limits.max_peers' must be between 1 and 4096, got 0");
    bad("[limits]\npeer_memory_bytes = \"1 KiB\"\n", FCP_ETOML_RANGE, "limits.peer_memory_bytes");
    bad("[limits]\npeer_memory_bytes = -5\n", FCP_ETOML_RANGE, "must not be negative");
    bad("[limits]\npeer_memory_bytes = \"lots\"\n", FCP_ECONFIG_VALUE, "must be a size");
    bad("[limits]\npeer_memory_bytes = true\n", FCP_ETOML_WRONG_TYPE, "must be a size");
    bad("[limits]\nstore_quota_bytes = 1000\n", FCP_ETOML_RANGE, "at least 1 MiB");
    bad("[admission]\nmax_inflight_decodes = 0\n", FCP_ETOML_RANGE, "max_inflight_decodes");
    /* node */
    bad("[node]\ndata_dir = \"relative/dir\"\n", FCP_ECONFIG_PATH, "absolute path");
    bad("[node]\ndata_dir = \"/a/../etc\"\n", FCP_ECONFIG_PATH, "'..'");
    bad("[node]\ndata_dir = \"/a\\u0000b\"\n", FCP_ETOML_RANGE, "NUL");
    bad("[node]\nid = \"-bad-\"\n", FCP_ECONFIG_PEER, "not a valid node id");
    /* listen */
    bad("[listen]\naddresses = []\n", FCP_ECONFIG_ADDRESS, "at least one address");
    bad("[listen]\naddresses = [\"1.2.3.4\"]\n", FCP_ECONFIG_ADDRESS, "fcpd.toml:2: key 'listen.addresses[0]'");
    bad("[listen]\naddresses = [\"1.2.3.4:1\", \"1.2.3.4:1\"]\n", FCP_ECONFIG_ADDRESS, "listed twice");
    bad("[listen]\naddresses = [\"::1:80\"]\n", FCP_ECONFIG_ADDRESS, "brackets");
    bad("[listen]\n", FCP_ETOML_MISSING_KEY, "listen.addresses");
    bad("[metrics]\naddress = \"localhost\"\n", FCP_ECONFIG_ADDRESS, "metrics.address");
    /* zones */
    bad("[zones]\nserve = [\"work\"]\n", FCP_ECONFIG_ZONE, "not a valid zone id");
    bad("[zones]\nserve = [\"z:Work\"]\n", FCP_ECONFIG_ZONE, "not a valid zone id");
    bad("[zones]\nserve = [\"z:work\", \"z:work\"]\n", FCP_ECONFIG_ZONE, "listed twice");
    bad("[zones]\nserve = []\n", FCP_ECONFIG_ZONE, "at least one zone");
    /* peers */
    bad("[[peers]]\nid = \"a\"\naddress = \"h:1\"\n[[peers]]\nid = \"a\"\naddress = \"h:2\"\n", FCP_ECONFIG_PEER,
        "fcpd.toml:5: key 'peers[1].id': peer \"a\" is listed twice");
    bad("[[peers]]\nid = \"a\"\naddress = \"h:1\"\n[[peers]]\nid = \"b\"\naddress = \"h:1\"\n", FCP_ECONFIG_PEER,
        "already used by peer \"a\"");
    bad("[node]\nid = \"me\"\n[[peers]]\nid = \"me\"\naddress = \"h:1\"\n", FCP_ECONFIG_PEER, "is this node");
    bad("[[peers]]\nid = \"a\"\naddress = \"h:1\"\nzones = [\"z:work\"]\n", FCP_ECONFIG_ZONE, "not served");
    bad("[[peers]]\nid = \"a b\"\naddress = \"h:1\"\n", FCP_ECONFIG_PEER, "not a valid node id");
    bad("[[peers]]\nid = \"a\"\naddress = \"h:1\"\ncolor = 1\n", FCP_ETOML_UNKNOWN_KEY, "peers[0].color");
    bad("[limits]\nmax_peers = 1\n[[peers]]\nid = \"a\"\naddress = \"h:1\"\n[[peers]]\nid = \"b\"\naddress = "
        "\"h:2\"\n", FCP_ECONFIG_LIMITS, "limits.max_peers is 1");
    /* limits across keys */
    bad("[limits]\nquarantine_bytes = \"1 MiB\"\nquarantine_bytes_per_peer = \"2 MiB\"\n", FCP_ECONFIG_LIMITS,
        "quarantine_bytes_per_peer");
    bad("[limits.zone_quota]\n\"z:work\" = \"1 GiB\"\n", FCP_ECONFIG_ZONE, "not served");
    bad("[limits.zone_quota]\n\"z:Bad\" = \"1 GiB\"\n", FCP_ECONFIG_ZONE, "not a valid zone id");
    bad("[limits]\nstore_quota_bytes = \"1 GiB\"\n[limits.zone_quota]\n\"z:owner\" = \"2 GiB\"\n", FCP_ECONFIG_LIMITS,
        "larger than limits.store_quota_bytes");
    bad("[limits.zone_quota]\n\"z:owner\" = \"1 KiB\"\n", FCP_ETOML_RANGE, "limits.zone_quota.\"z:owner\"");
}

/* [quic] (docs/quic.md): off by default, every key read back, each rule. */
static void test_quic(void)
{
    fcp_toml_error e;
    CHECK_EQ(parse("", &e), 0);
    CHECK_EQ(cfg->quic_enabled, 0);
    CHECK_EQ(cfg->quic_datagrams, 1);
    CHECK_EQ(cfg->quic_idle_timeout_ms, 30000);
    CHECK_EQ(cfg->quic_keepalive_ms, 10000);
    CHECK_EQ(cfg->quic_max_udp_payload, 1452);
    CHECK_EQ(parse("[[peers]]\nid = \"node-2\"\naddress = \"10.0.0.2:7443\"\n"
                   "[quic]\nlisten = \"[::1]:7444\"\ndatagrams = false\nidle_timeout_ms = 5000\n"
                   "keepalive_ms = 1000\nmax_udp_payload = 1200\n[quic.dial]\nnode-2 = \"10.0.0.2:7444\"\n",
                   &e),
             0);
    CHECK_EQ(cfg->quic_enabled, 1);
    CHECK(strcmp(cfg->quic_listen.host, "::1") == 0 && cfg->quic_listen.port == 7444 && cfg->quic_listen.is_ipv6);
    CHECK_EQ(cfg->quic_datagrams, 0);
    CHECK_EQ(cfg->quic_idle_timeout_ms, 5000);
    CHECK_EQ(cfg->quic_keepalive_ms, 1000);
    CHECK_EQ(cfg->quic_max_udp_payload, 1200);
    CHECK_EQ(cfg->n_quic_dial, 1);
    CHECK(strcmp(cfg->quic_dial[0].id, "node-2") == 0 && cfg->quic_dial[0].addr.port == 7444);
    bad("[quic]\ndatagrams = true\n", FCP_ETOML_MISSING_KEY, "quic.listen");
    bad("[quic]\nlisten = \"nohost\"\n", FCP_ECONFIG_ADDRESS, "key 'quic.listen'");
    bad("[quic]\nlisten = \"1.2.3.4:1\"\nmax_udp_payload = 1500\n", FCP_ETOML_RANGE, "quic.max_udp_payload");
    bad("[quic]\nlisten = \"1.2.3.4:1\"\nidle_timeout_ms = 2000\nkeepalive_ms = 2000\n", FCP_ECONFIG_LIMITS,
        "shorter than quic.idle_timeout_ms");
    bad("[quic]\nlisten = \"1.2.3.4:1\"\n[quic.dial]\nghost = \"1.2.3.4:2\"\n", FCP_ECONFIG_PEER,
        "\"ghost\" is not a [[peers]] id");
    bad("[[peers]]\nid = \"a\"\naddress = \"h:1\"\n[quic]\nlisten = \"1.2.3.4:1\"\n[quic.dial]\na = \"h\"\n",
        FCP_ECONFIG_ADDRESS, "quic.dial.a");
    bad("[quic]\nlisten = \"1.2.3.4:1\"\nport = 3\n", FCP_ETOML_UNKNOWN_KEY, "quic.port");
}

int main(void)
{
    cfg = malloc(sizeof *cfg);
    if (!cfg)
        return 1;
    test_defaults();
    test_example();
    test_sizes_addrs();
    test_errors();
    test_quic();
    free(cfg);
    return fcp_t_done("node_config_test");
}
