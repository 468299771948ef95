/*
 * cmd_grant.c - `fcp grant create`: an owner-signed CapabilityObject (spec
 * §7.4, model_cap.h) written where fcpd looks for grant objects
 * (FCP_HOME/grants/NAME.cap, D-RUNTIME-5), and cmd_grant_make, which
 * `fcp token mint` uses when no --grant is given.  A CapabilityObject names
 * a capability, a grantee and constraints; operations and the connector are
 * token claims (aud, operations), so --operation / --connector only name the
 * file (D-CLI-4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "fcp/clock.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/model_object.h"

static void usage(void)
{
    printf("usage: fcp grant create --zone Z --capability CAP [options]\n"
           "\n"
           "An owner-signed CapabilityObject (grant object) for tokens of this zone and\n"
           "capability.  fcpd reads FCP_HOME/grants/*.cap (new files need no restart).\n"
           "  --zone Z            the zone (header zone_id; grantee: the zone, unless --principal)\n"
           "  --capability CAP    capability_id\n"
           "  --principal P       grantee is principal P (tokens must carry sub P)\n"
           "  --operation OP      (repeatable) and --connector ID: recorded in the file name\n"
           "                      only; operations and audience are claims of the token\n"
           "  --max-calls N       constraint max_calls\n"
           "  --max-bytes N       constraint max_bytes\n"
           "  --resource PREFIX   constraint resource_allow (repeatable)\n"
           "  --valid DUR         validity from now (default 30d; e.g. 1h, 7d)\n"
           "  -o FILE             write there (default FCP_HOME/grants/<zone>-<cap>-<id8>.cap)\n"
           "  --home DIR          FCP_HOME (default $FCP_HOME)\n"
           "  --json              print {file, grant_id, zone, capability}\n"
           "Needs owner.key (the owner's machine).  Prints the grant's ObjectId.\n");
}

static void sanitize(char *dst, size_t cap, const char *s)
{
    size_t j = 0;
    for (; *s && j + 1 < cap; s++)
        dst[j++] = ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
                    *s == '.' || *s == '-')
                       ? *s
                       : '_';
    dst[j] = 0;
}

int cmd_grant_make(const char *home, const cmd_grant_spec *g, const char *out, char *path, size_t path_cap,
                   uint8_t id[32])
{
    static fcp_cap_object o;
    memset(&o, 0, sizeof o);
    fcp_schema_id s;
    fcp_cap_object_schema(&s);
    uint64_t now = fcp_clock_unix_secs(fcp_clock_system());
    int rc = fcp_zone_id_validate(g->zone, strlen(g->zone));
    if (rc == 0)
        rc = fcp_object_header_init(&o.header, &s, g->zone, now);
    if (rc == 0 && strlen(g->capability) > FCP_CAP_ID_MAX)
        rc = FCP_EINVAL;
    if (rc < 0)
        return rc;
    snprintf(o.capability_id, sizeof o.capability_id, "%s", g->capability);
    if (g->principal) {
        o.grantee = FCP_GRANTEE_PRINCIPAL;
        snprintf(o.grantee_value, sizeof o.grantee_value, "%s", g->principal);
    } else {
        o.grantee = FCP_GRANTEE_ZONE;
        snprintf(o.grantee_value, sizeof o.grantee_value, "%s", g->zone);
    }
    o.constraints = g->constraints;
    o.valid_from = now - 60;   /* a minute of clock skew between owner and nodes */
    o.valid_until = now + g->valid_secs;
    static cmd_zone_key zk[CMD_ZONES_MAX];
    size_t nz = 0;
    const cmd_zone_key *z = NULL;
    uint8_t owner_pk[32], owner_sk[64];
    fcp_buf b;
    fcp_buf_init(&b);
    if ((rc = cmd_load_zone_keys(home, zk, CMD_ZONES_MAX, &nz)) == 0 && !(z = cmd_find_zone_key(zk, nz, g->zone)))
        rc = FCP_EZONE_UNKNOWN;
    if (rc == 0)
        rc = cmd_load_owner(home, owner_pk, owner_sk);
    if (rc == 0)
        rc = fcp_cap_object_sign(&o, owner_sk);
    fcp_memzero(owner_sk, sizeof owner_sk);
    if (rc == 0)
        rc = fcp_cap_object_encode(&o, &b);
    if (rc == 0)
        rc = fcp_cap_object_id(id, &o, &z->oid_key);
    fcp_memzero(zk, sizeof zk);
    if (rc == 0) {
        char idh[65];
        fcp_hex_encode(idh, sizeof idh, id, 32);
        if (out) {
            snprintf(path, path_cap, "%s", out);
            FILE *f = fopen(out, "wb");
            if (!f || fwrite(b.data, 1, b.len, f) != b.len || fclose(f) != 0)
                rc = FCP_EIO;
        } else {
            char zs[64], cs[96], name[300];
            sanitize(zs, sizeof zs, g->zone);
            sanitize(cs, sizeof cs, g->capability);
            snprintf(name, sizeof name, "grants/%s-%s-%.16s.cap", zs, cs, idh);
            char dir[4200];
            snprintf(dir, sizeof dir, "%s/grants", home);
            (void)mkdir(dir, 0700);
            rc = cmd_write_home_file(home, name, b.data, b.len, 0600);
            snprintf(path, path_cap, "%s/%s", home, name);
        }
    }
    fcp_buf_free(&b);
    return rc;
}

int cmd_grant(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || cmd_wants_help(argc, argv)) {
        usage();
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "create")) {
        fprintf(stderr, "fcp grant: unknown subcommand '%s' (create)\n", argv[1]);
        return 2;
    }
    static cmd_grant_spec g;
    memset(&g, 0, sizeof g);
    g.valid_secs = 30ull * 86400;
    const char *homeopt = NULL, *out = NULL;
    int json = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--json")) json = 1;
        else if (v && !strcmp(a, "--home")) { homeopt = v; i++; }
        else if (v && !strcmp(a, "--zone")) { g.zone = v; i++; }
        else if (v && !strcmp(a, "--capability")) { g.capability = v; i++; }
        else if (v && !strcmp(a, "--principal")) { g.principal = v; i++; }
        else if (v && (!strcmp(a, "--operation") || !strcmp(a, "--connector"))) { i++; }
        else if (v && !strcmp(a, "-o")) { out = v; i++; }
        else if (v && !strcmp(a, "--max-calls")) {
            g.constraints.has_max_calls = 1;
            g.constraints.max_calls = (uint32_t)strtoul(v, NULL, 10);
            i++;
        } else if (v && !strcmp(a, "--max-bytes")) {
            g.constraints.has_max_bytes = 1;
            g.constraints.max_bytes = strtoull(v, NULL, 10);
            i++;
        } else if (v && !strcmp(a, "--resource") && g.constraints.n_resource_allow < FCP_CAP_MAX_PREFIXES &&
                   strlen(v) <= FCP_CAP_PREFIX_MAX) {
            snprintf(g.constraints.resource_allow[g.constraints.n_resource_allow++], FCP_CAP_PREFIX_MAX + 1, "%s", v);
            i++;
        } else if (v && !strcmp(a, "--valid")) {
            if (cmd_parse_duration(v, &g.valid_secs) < 0 || !g.valid_secs) {
                fprintf(stderr, "fcp grant: --valid wants a duration such as 1h, 7d\n");
                return 2;
            }
            i++;
        } else {
            fprintf(stderr, "fcp grant create: unknown or incomplete option '%s' (try --help)\n", a);
            return 2;
        }
    }
    if (!g.zone || !g.capability) {
        fprintf(stderr, "fcp grant create: --zone and --capability are required\n");
        return 2;
    }
    char home[4096], path[4400];
    if (cmd_home_path(home, sizeof home, homeopt) < 0) {
        cmd_error("grant", FCP_EDAEMON_HOME, "set FCP_HOME or --home");
        return 2;
    }
    uint8_t id[32];
    int rc = cmd_grant_make(home, &g, out, path, sizeof path, id);
    if (rc < 0) {
        cmd_error("grant", rc, rc == FCP_EZONE_UNKNOWN ? g.zone : "creating the grant object");
        return 1;
    }
    char idh[65];
    fcp_hex_encode(idh, sizeof idh, id, 32);
    if (json) {
        printf("{\"file\":");
        cmd_json_str(stdout, path);
        printf(",\"grant_id\":\"%s\",\"zone\":", idh);
        cmd_json_str(stdout, g.zone);
        printf(",\"capability\":");
        cmd_json_str(stdout, g.capability);
        printf("}\n");
    } else {
        printf("grant %s\n  file %s\n  zone %s  capability %s  grantee %s\n", idh, path, g.zone, g.capability,
               g.principal ? g.principal : g.zone);
    }
    return 0;
}
