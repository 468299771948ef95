/*
 * node_config_connector_test.c - the [[connector]] and [[credential]]
 * sections of fcpd.toml (config.h): defaults, every key, and refusals that
 * name the key and line (unknown key, wrong type, bad id, bad signature hex,
 * unknown restart mode, zone not served, duplicates, max < initial).
 */
#include <string.h>

#include "fcp/config.h"
#include "fcp/error.h"
#include "test.h"

static const char SIG[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
                          "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

static int parse(fcp_config *c, const char *text, fcp_toml_error *e)
{
    fcp_config_defaults(c, "/tmp/fcp-data");
    memset(e, 0, sizeof *e);
    return fcp_config_parse(c, "fcpd.toml", text, strlen(text), e);
}

int main(void)
{
    static fcp_config c;
    fcp_toml_error e;
    char doc[4096];
    snprintf(doc, sizeof doc,
             "[[connector]]\nid = \"fcp.notes\"\nmanifest = \"connectors/notes/manifest.toml\"\n"
             "binary = \"build/connector-notes\"\nsignature = \"%s\"\n"
             "[[connector]]\nid = \"fcp.http\"\nmanifest = \"m.toml\"\nbinary = \"b\"\nsignature = \"%s\"\n"
             "publisher_key = \"4fd099ccd47d7893dfe9ec24414ecb0d9b5420232aad30d91c465be33cbe65c4\"\n"
             "zone = \"z:owner\"\nstate_dir = \"/tmp/s\"\nrestart = \"always\"\nrestart_initial_ms = 100\n"
             "restart_max_ms = 1000\nrestart_stable_ms = 0\nmax_restarts = 4\nhealth_interval_ms = 250\n"
             "[[credential]]\nid = \"cred:example.token\"\nsecret_file = \"/tmp/secret\"\n"
             "prefix = \"Bearer \"\nhost_allow = [\"api.example.com\"]\n",
             SIG, SIG);
    CHECK_EQ(parse(&c, doc, &e), 0);
    CHECK_EQ(c.n_connectors, 2);
    CHECK(!strcmp(c.connectors[0].id, "fcp.notes"));
    CHECK(!strcmp(c.connectors[0].zone, "z:private"));      /* defaults */
    CHECK(!strcmp(c.connectors[0].restart, "on-failure"));
    CHECK_EQ(c.connectors[0].restart_initial_ms, 500);
    CHECK_EQ(c.connectors[0].restart_max_ms, 30000);
    CHECK_EQ(c.connectors[0].restart_stable_ms, 60000);
    CHECK_EQ(c.connectors[0].max_restarts, 0);
    CHECK_EQ(c.connectors[0].health_interval_ms, 5000);
    CHECK_EQ(c.connectors[0].has_publisher_key, 0);
    CHECK(c.connectors[0].state_dir[0] == 0);
    CHECK_EQ(c.connectors[0].signature[1], 0x11);
    CHECK_EQ(c.connectors[0].signature[63], 0xff);
    CHECK(!strcmp(c.connectors[1].zone, "z:owner"));
    CHECK(!strcmp(c.connectors[1].restart, "always"));
    CHECK_EQ(c.connectors[1].restart_initial_ms, 100);
    CHECK_EQ(c.connectors[1].restart_max_ms, 1000);
    CHECK_EQ(c.connectors[1].restart_stable_ms, 0);
    CHECK_EQ(c.connectors[1].max_restarts, 4);
    CHECK_EQ(c.connectors[1].health_interval_ms, 250);
    CHECK_EQ(c.connectors[1].has_publisher_key, 1);
    CHECK_EQ(c.connectors[1].publisher_key[0], 0x4f);
    CHECK(!strcmp(c.connectors[1].state_dir, "/tmp/s"));
    CHECK_EQ(c.n_credentials, 1);
    CHECK(!strcmp(c.credentials[0].id, "cred:example.token"));
    CHECK(!strcmp(c.credentials[0].name, "authorization"));
    CHECK(!strcmp(c.credentials[0].prefix, "Bearer "));
    CHECK_EQ(c.credentials[0].apply_query, 0);
    CHECK_EQ(c.credentials[0].n_host_allow, 1);

    /* refusals: code, line, key named */
    struct { const char *text; int code; unsigned line; const char *needle; } bad[] = {
        { "[[connector]]\nid = \"a\"\nmanifest = \"m\"\nbinary = \"b\"\nsignature = \"SIG\"\ncolour = 1\n",
          FCP_ETOML_UNKNOWN_KEY, 6, "colour" },
        { "[[connector]]\nid = \"a\"\nmanifest = 3\nbinary = \"b\"\nsignature = \"SIG\"\n",
          FCP_ETOML_WRONG_TYPE, 3, "manifest" },
        { "[[connector]]\nid = \"a\"\nbinary = \"b\"\nsignature = \"SIG\"\n", FCP_ETOML_MISSING_KEY, 0, "manifest" },
        { "[[connector]]\nid = \"Bad Id\"\nmanifest = \"m\"\nbinary = \"b\"\nsignature = \"SIG\"\n",
          FCP_ERT_CONFIG, 2, "connector[0].id" },
        { "[[connector]]\nid = \"a\"\nmanifest = \"m\"\nbinary = \"b\"\nsignature = \"00ff\"\n",
          FCP_ERT_CONFIG, 5, "signature" },
        { "[[connector]]\nid = \"a\"\nmanifest = \"m\"\nbinary = \"b\"\nsignature = \"SIG\"\nrestart = \"sometimes\"\n",
          FCP_ERT_CONFIG, 6, "restart" },
        { "[[connector]]\nid = \"a\"\nmanifest = \"m\"\nbinary = \"b\"\nsignature = \"SIG\"\nzone = \"z:work\"\n",
          FCP_ECONFIG_ZONE, 6, "not served" },
        { "[[connector]]\nid = \"a\"\nmanifest = \"m\"\nbinary = \"b\"\nsignature = \"SIG\"\n"
          "[[connector]]\nid = \"a\"\nmanifest = \"m\"\nbinary = \"b\"\nsignature = \"SIG\"\n",
          FCP_ERT_CONFIG, 7, "twice" },
        { "[[connector]]\nid = \"a\"\nmanifest = \"m\"\nbinary = \"b\"\nsignature = \"SIG\"\n"
          "restart_initial_ms = 5000\nrestart_max_ms = 100\n", FCP_ERT_CONFIG, 0, "restart_max_ms" },
        { "[[connector]]\nid = \"a\"\nmanifest = \"m\"\nbinary = \"b\"\nsignature = \"SIG\"\nhealth_interval_ms = 5\n",
          FCP_ETOML_RANGE, 6, "health_interval_ms" },
        { "[[credential]]\nid = \"token\"\nsecret_file = \"/s\"\n", FCP_ERT_CONFIG, 2, "credential id" },
        { "[[credential]]\nid = \"cred:x\"\nsecret_file = \"/s\"\napply = \"body\"\n", FCP_ERT_CONFIG, 4, "apply" },
        { "[[credential]]\nid = \"cred:x\"\nsecret_file = \"/s\"\nhost_allow = \"a\"\n", FCP_ETOML_WRONG_TYPE, 4,
          "host_allow" },
        { "[[credential]]\nid = \"cred:x\"\n", FCP_ETOML_MISSING_KEY, 0, "secret_file" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char t[2048];
        const char *src = bad[i].text;
        size_t o = 0;
        while (*src && o + 130 < sizeof t) {   /* expand SIG */
            if (!strncmp(src, "SIG", 3)) {
                memcpy(t + o, SIG, 128);
                o += 128;
                src += 3;
            } else {
                t[o++] = *src++;
            }
        }
        t[o] = 0;
        int rc = parse(&c, t, &e);
        if (!CHECK_EQ(rc, bad[i].code))
            fprintf(stderr, "  case %zu: %s\n", i, e.msg);
        if (bad[i].line)
            CHECK_EQ(e.line, bad[i].line);
        if (!CHECK(strstr(e.msg, bad[i].needle) != NULL))
            fprintf(stderr, "  case %zu: '%s' not in '%s'\n", i, bad[i].needle, e.msg);
    }
    return fcp_t_done("node_config_connector_test");
}
