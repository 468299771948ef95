/*
 * cmd_zone.c - `fcp zone create|list|show`: zones as owner-signed objects
 * (spec §5.2.1, model_zone.h).  create writes a ZoneDefinitionObject
 * (version 1, quorum_signers = this node) and its ZonePolicyObject (version
 * 1, the given allow/deny patterns) to FCP_HOME/zones/<zone with ':' as
 * '_'>.def / .policy, both signed with owner.key, and adds a fresh zone key
 * (key id derived per D-ZONE-2) to zones.key.  list shows the five standard
 * zones and the created ones; show verifies a zone's objects (owner
 * signature, the definition names the policy by ObjectId).  Decision
 * D-CLI-3.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "fcp/authz_zone.h"
#include "fcp/clock.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/model_zonekeys.h"
#include "fcp/rng.h"

static const char *const std_zones[] = { FCP_ZONE_OWNER, FCP_ZONE_PRIVATE, FCP_ZONE_WORK,
                                         FCP_ZONE_COMMUNITY, FCP_ZONE_PUBLIC };

static void usage(void)
{
    printf("usage: fcp zone create NAME [--integrity N] [--confidentiality N]\n"
           "                       [--symbol-port P] [--control-port P] [--default-deny]\n"
           "                       [--allow-principal PAT]... [--deny-principal PAT]...\n"
           "                       [--allow-connector PAT]... [--deny-connector PAT]...\n"
           "                       [--allow-cap PAT]... [--deny-cap PAT]...\n"
           "       fcp zone list [--json]\n"
           "       fcp zone show ZONE [--json]\n"           "       fcp zone rotate [ZONE]... -o DIR [--json]\n"
           "\n"
           "create: zone z:NAME as an owner-signed ZoneDefinitionObject (levels 0..100,\n"
           "default 50/50; ports default 7447/7448; quorum signer: this node) with its\n"
           "owner-signed ZonePolicyObject (patterns: text with at most one trailing '*'),\n"
           "stored in FCP_HOME/zones/, and a new zone key in zones.key.  Needs owner.key.\n"
           "Restart fcpd with the zone in [zones] serve to serve it.\n"
           "list: the standard zones and the created ones.  show: one zone's objects,\n"
           "verified against owner.pub.\n"           "rotate: new keys for the zones (default all) in ZoneKeyManifests for every\n"
           "member (bundle DIR: fcp node join DIR on each, restart fcpd); the old key\n"
           "stays for decryption; also moves zones.key ids to derived ones (D-ZONE-2).\n"
           "  --home DIR   FCP_HOME (default $FCP_HOME)\n"
           "  --json       JSON output\n");
}

static void zone_base(char *out, size_t cap, const char *zone)
{
    snprintf(out, cap, "zones/%s", zone);
    for (char *p = out; *p; p++)
        if (*p == ':')
            *p = '_';
}

int cmd_new_zone_key(cmd_zone_key *z, const char *zone)
{
    memset(z, 0, sizeof *z);
    snprintf(z->zone, sizeof z->zone, "%s", zone);
    const fcp_rng *rng = fcp_rng_system();
    if (fcp_rng_fill(rng, z->key, 32) < 0 || fcp_rng_fill(rng, z->oid_key.bytes, 32) < 0)
        return FCP_ERNG;
    return fcp_zone_key_id(z->kid, zone, strlen(zone), z->key);
}

typedef struct zone_objs {
    fcp_zone_definition    def;
    fcp_zone_policy_object pol;
    int have;
} zone_objs;

static int load_objs(const char *home, const char *zone, zone_objs *o)
{
    char base[200], name[220];
    zone_base(base, sizeof base, zone);
    uint8_t *b;
    size_t n;
    o->have = 0;
    snprintf(name, sizeof name, "%s.def", base);
    if (cmd_read_home_file(home, name, &b, &n) < 0)
        return FCP_EZONE_UNKNOWN;
    int rc = fcp_zone_definition_decode(&o->def, b, n);
    free(b);
    if (rc < 0)
        return rc;
    snprintf(name, sizeof name, "%s.policy", base);
    if (cmd_read_home_file(home, name, &b, &n) < 0)
        return FCP_EZONE_UNKNOWN;
    rc = fcp_zone_policy_object_decode(&o->pol, b, n);
    free(b);
    if (rc == 0)
        o->have = 1;
    return rc;
}

/* Owner signatures and the policy reference. */
static int verify_objs(const char *home, const zone_objs *o)
{
    uint8_t pk[32];
    int rc = cmd_load_owner(home, pk, NULL);
    if (rc < 0)
        return rc;
    if ((rc = fcp_zone_definition_verify(&o->def, pk)) < 0 || (rc = fcp_zone_policy_object_verify(&o->pol, pk)) < 0)
        return rc;
    static cmd_zone_key zk[CMD_ZONES_MAX];
    size_t nz;
    const cmd_zone_key *z;
    if ((rc = cmd_load_zone_keys(home, zk, CMD_ZONES_MAX, &nz)) < 0)
        return rc;
    if (!(z = cmd_find_zone_key(zk, nz, o->def.zone_id)))
        return FCP_EZK_NOT_MEMBER;
    rc = fcp_zone_policy_check_ref(&o->def, &o->pol, &z->oid_key);
    fcp_memzero(zk, sizeof zk);
    return rc;
}

static int add_pattern(fcp_zone_policy *p, int list, const char *pat)
{
    if (p->n[list] >= FCP_ZONE_PATTERNS_MAX)
        return FCP_ELIMIT;
    int rc = fcp_zone_pattern_validate(pat, strlen(pat));
    if (rc < 0)
        return rc;
    /* lists are sets in ascending order: insert in place, ignore duplicates */
    size_t i = 0;
    while (i < p->n[list] && strcmp(p->pat[list][i], pat) < 0)
        i++;
    if (i < p->n[list] && !strcmp(p->pat[list][i], pat))
        return 0;
    memmove(p->pat[list][i + 1], p->pat[list][i], (p->n[list] - i) * sizeof p->pat[list][0]);
    snprintf(p->pat[list][i], sizeof p->pat[list][i], "%s", pat);
    p->n[list]++;
    return 0;
}

static int do_create(int argc, char **argv, const char *home)
{
    const char *name = NULL;
    long integ = 50, conf = 50, sport = 7447, cport = 7448;
    int json = 0, rc;
    static zone_objs o;
    memset(&o, 0, sizeof o);
    static const struct { const char *opt; int list; } lists[] = {
        { "--allow-principal", FCP_ZP_PRINCIPALS_ALLOW }, { "--deny-principal", FCP_ZP_PRINCIPALS_DENY },
        { "--allow-connector", FCP_ZP_CONNECTORS_ALLOW }, { "--deny-connector", FCP_ZP_CONNECTORS_DENY },
        { "--allow-cap", FCP_ZP_CAP_ALLOW },               { "--deny-cap", FCP_ZP_CAP_DENY },
    };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int used = 0;
        for (size_t k = 0; v && k < sizeof lists / sizeof lists[0]; k++)
            if (!strcmp(a, lists[k].opt)) {
                if ((rc = add_pattern(&o.pol.policy, lists[k].list, v)) < 0) {
                    cmd_error("zone", rc, v);
                    return 2;
                }
                used = 1;
            }
        if (used) { i++; continue; }
        if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "--default-deny")) o.pol.policy.default_deny = 1;
        else if (v && !strcmp(a, "--integrity")) { integ = strtol(v, NULL, 10); i++; }
        else if (v && !strcmp(a, "--confidentiality")) { conf = strtol(v, NULL, 10); i++; }
        else if (v && !strcmp(a, "--symbol-port")) { sport = strtol(v, NULL, 10); i++; }
        else if (v && !strcmp(a, "--control-port")) { cport = strtol(v, NULL, 10); i++; }
        else if (a[0] != '-' && !name) name = a;
        else {
            fprintf(stderr, "fcp zone create: unknown or incomplete option '%s' (try --help)\n", a);
            return 2;
        }
    }
    if (!name || integ < 0 || integ > 100 || conf < 0 || conf > 100 || sport < 1 || sport > 65535 ||
        cport < 1 || cport > 65535 || sport == cport) {
        fprintf(stderr, "fcp zone create: NAME, levels 0..100 and two distinct ports 1..65535 required\n");
        return 2;
    }
    char zone[FCP_ZONE_ID_MAX + 2];
    if (snprintf(zone, sizeof zone, "%s%s", strncmp(name, "z:", 2) ? "z:" : "", name) >= (int)sizeof zone ||
        fcp_zone_id_validate(zone, strlen(zone)) < 0) {
        cmd_error("zone", FCP_EINVAL, "not a valid zone name");
        return 2;
    }
    static zone_objs old;
    if (load_objs(home, zone, &old) != FCP_EZONE_UNKNOWN) {
        cmd_error("zone", FCP_EZONE_EXISTS, zone);
        return 1;
    }
    uint8_t owner_pk[32], owner_sk[64];
    if ((rc = cmd_load_owner(home, owner_pk, owner_sk)) < 0) {
        cmd_error("zone", rc, home);
        return 1;
    }
    fcp_node_attestation at;
    static cmd_zone_key zk[CMD_ZONES_MAX];
    size_t nz = 0;
    if ((rc = cmd_load_attestation(home, "node.attest", &at)) < 0 ||
        (rc = cmd_load_zone_keys(home, zk, CMD_ZONES_MAX, &nz)) < 0) {
        fcp_memzero(owner_sk, sizeof owner_sk);
        cmd_error("zone", rc, "node.attest / zones.key");
        return 1;
    }
    cmd_zone_key *z = (cmd_zone_key *)cmd_find_zone_key(zk, nz, zone);
    if (!z) {
        if (nz >= CMD_ZONES_MAX || (rc = cmd_new_zone_key(&zk[nz], zone)) < 0) {
            fcp_memzero(owner_sk, sizeof owner_sk);
            cmd_error("zone", nz >= CMD_ZONES_MAX ? FCP_ELIMIT : rc, "zone key");
            return 1;
        }
        z = &zk[nz++];
    }
    uint64_t now = fcp_clock_unix_secs(fcp_clock_system());
    fcp_schema_id sch;
    fcp_zone_policy_object_schema(&sch);
    fcp_object_header_init(&o.pol.header, &sch, zone, now);
    memcpy(o.pol.zone_id, zone, strlen(zone) + 1);   /* validated: <= FCP_ZONE_ID_MAX */
    o.pol.version = 1;
    fcp_zone_definition_schema(&sch);
    fcp_object_header_init(&o.def.header, &sch, zone, now);
    memcpy(o.def.zone_id, zone, strlen(zone) + 1);   /* validated: <= FCP_ZONE_ID_MAX */
    snprintf(o.def.name, sizeof o.def.name, "%s", zone + 2);
    o.def.integrity_level = (uint8_t)integ;
    o.def.confidentiality_level = (uint8_t)conf;
    o.def.symbol_port = (uint16_t)sport;
    o.def.control_port = (uint16_t)cport;
    o.def.version = 1;
    o.def.n_signers = 1;
    snprintf(o.def.quorum_signers[0], sizeof o.def.quorum_signers[0], "%s", at.node_id);
    fcp_buf db, pb;
    fcp_buf_init(&db);
    fcp_buf_init(&pb);
    char base[200], fn[220];
    zone_base(base, sizeof base, zone);
    char zdir[4200];
    snprintf(zdir, sizeof zdir, "%s/zones", home);
    mkdir(zdir, 0700);
    if ((rc = fcp_zone_policy_object_sign(&o.pol, owner_sk)) == 0 &&
        (rc = fcp_zone_policy_object_encode(&o.pol, &pb)) == 0 &&
        (rc = fcp_zone_policy_object_id(o.def.policy_object_id, &o.pol, &z->oid_key)) == 0 &&
        (rc = fcp_zone_definition_sign(&o.def, owner_sk)) == 0 &&
        (rc = fcp_zone_definition_encode(&o.def, &db)) == 0) {
        snprintf(fn, sizeof fn, "%s.policy", base);
        rc = cmd_write_home_file(home, fn, pb.data, pb.len, 0644);
        snprintf(fn, sizeof fn, "%s.def", base);
        if (rc == 0)
            rc = cmd_write_home_file(home, fn, db.data, db.len, 0644);
        if (rc == 0)
            rc = cmd_write_zone_keys(home, zk, nz);
    }
    fcp_memzero(owner_sk, sizeof owner_sk);
    fcp_memzero(zk, sizeof zk);
    fcp_buf_free(&db);
    fcp_buf_free(&pb);
    if (rc < 0) {
        cmd_error("zone", rc, zone);
        return 1;
    }
    if (json)
        printf("{\"zone\":\"%s\",\"integrity\":%ld,\"confidentiality\":%ld,\"version\":1}\n", zone, integ, conf);
    else
        printf("created %s (integrity %ld, confidentiality %ld), owner-signed in %s/%s.def\n"
               "add it to [zones] serve in fcpd.toml and restart fcpd to serve it\n",
               zone, integ, conf, home, base);
    return 0;
}

static void list_one(const char *home, const char *zone, int json, int *first, const cmd_zone_key *zk, size_t nz)
{
    static zone_objs o;
    fcp_zone_levels lv = { 0, 0 };
    int std = fcp_zone_standard_levels(zone, strlen(zone), &lv) == 0;
    int have = load_objs(home, zone, &o) == 0;
    int ok = have && verify_objs(home, &o) == 0;
    if (have) {
        lv.integrity = o.def.integrity_level;
        lv.confidentiality = o.def.confidentiality_level;
    }
    int key = cmd_find_zone_key(zk, nz, zone) != NULL;
    if (json) {
        printf("%s{\"zone\":\"%s\",\"standard\":%s,\"integrity\":%u,\"confidentiality\":%u,\"key\":%s,"
               "\"definition\":%s}",
               *first ? "" : ",", zone, std ? "true" : "false", lv.integrity, lv.confidentiality,
               key ? "true" : "false", have ? (ok ? "\"verified\"" : "\"invalid\"") : "null");
    } else {
        char defs[48];
        snprintf(defs, sizeof defs, "%s", !have ? "-" : ok ? "owner-signed" : "INVALID");
        if (have && ok)
            snprintf(defs, sizeof defs, "owner-signed v%llu", (unsigned long long)o.def.version);
        printf("%-16s %3u/%-3u %-9s %-4s %s\n", zone, lv.integrity, lv.confidentiality, std ? "standard" : "created",
               key ? "yes" : "no", defs);
    }
    *first = 0;
}

static int do_list(int argc, char **argv, const char *home)
{
    int json = 0;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--json"))
            json = 1;
    static cmd_zone_key zk[CMD_ZONES_MAX];
    size_t nz = 0;
    cmd_load_zone_keys(home, zk, CMD_ZONES_MAX, &nz);
    int first = 1;
    if (json)
        printf("[");
    else
        printf("%-16s %-7s %-9s %-4s %s\n", "ZONE", "I/C", "KIND", "KEY", "DEFINITION");
    for (size_t i = 0; i < sizeof std_zones / sizeof std_zones[0]; i++)
        list_one(home, std_zones[i], json, &first, zk, nz);
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/zones", home);
    DIR *d = opendir(dir);
    while (d) {
        struct dirent *e = readdir(d);
        if (!e)
            break;
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".def") || l - 4 > FCP_ZONE_ID_MAX)
            continue;
        char zone[FCP_ZONE_ID_MAX + 1];
        snprintf(zone, sizeof zone, "%.*s", (int)(l - 4), e->d_name);
        if (zone[0] == 'z' && zone[1] == '_')
            zone[1] = ':';
        int is_std = 0;
        for (size_t i = 0; i < sizeof std_zones / sizeof std_zones[0]; i++)
            is_std |= !strcmp(zone, std_zones[i]);
        if (!is_std && fcp_zone_id_validate(zone, strlen(zone)) == 0)
            list_one(home, zone, json, &first, zk, nz);
    }
    if (d)
        closedir(d);
    if (json)
        printf("]\n");
    fcp_memzero(zk, sizeof zk);
    return 0;
}

static int do_show(int argc, char **argv, const char *home)
{
    const char *zone = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (argv[i][0] != '-' && !zone) zone = argv[i];
        else {
            fprintf(stderr, "fcp zone show: unknown option '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!zone) {
        fprintf(stderr, "fcp zone show: name a zone\n");
        return 2;
    }
    static zone_objs o;
    fcp_zone_levels lv;
    int std = fcp_zone_standard_levels(zone, strlen(zone), &lv) == 0;
    int rc = load_objs(home, zone, &o);
    if (rc == FCP_EZONE_UNKNOWN && std) {
        if (json)
            printf("{\"zone\":\"%s\",\"standard\":true,\"integrity\":%u,\"confidentiality\":%u,\"definition\":null}\n",
                   zone, lv.integrity, lv.confidentiality);
        else
            printf("%s: standard zone, integrity %u, confidentiality %u (no owner-signed definition)\n", zone,
                   lv.integrity, lv.confidentiality);
        return 0;
    }
    if (rc == 0)
        rc = verify_objs(home, &o);
    if (rc < 0) {
        cmd_error("zone", rc, zone);
        return 1;
    }
    const fcp_zone_policy *p = &o.pol.policy;
    static const char *const ln[FCP_ZP_LISTS] = { "principals_allow", "principals_deny", "connectors_allow",
                                                  "connectors_deny", "cap_allow", "cap_deny" };
    if (json) {
        printf("{\"zone\":\"%s\",\"standard\":%s,\"name\":", zone, std ? "true" : "false");
        cmd_json_str(stdout, o.def.name);
        printf(",\"integrity\":%u,\"confidentiality\":%u,\"symbol_port\":%u,\"control_port\":%u,\"version\":%llu,"
               "\"quorum_signers\":[",
               o.def.integrity_level, o.def.confidentiality_level, o.def.symbol_port, o.def.control_port,
               (unsigned long long)o.def.version);
        for (size_t i = 0; i < o.def.n_signers; i++) {
            printf(i ? "," : "");
            cmd_json_str(stdout, o.def.quorum_signers[i]);
        }
        printf("],\"policy\":{\"default_deny\":%s", p->default_deny ? "true" : "false");
        for (int l = 0; l < FCP_ZP_LISTS; l++) {
            printf(",\"%s\":[", ln[l]);
            for (size_t i = 0; i < p->n[l]; i++) {
                printf(i ? "," : "");
                cmd_json_str(stdout, p->pat[l][i]);
            }
            printf("]");
        }
        printf("},\"verified\":true}\n");
    } else {
        printf("%s (%s): integrity %u, confidentiality %u, ports %u/%u, version %llu\n", zone, o.def.name,
               o.def.integrity_level, o.def.confidentiality_level, o.def.symbol_port, o.def.control_port,
               (unsigned long long)o.def.version);
        printf("  quorum signers:");
        for (size_t i = 0; i < o.def.n_signers; i++)
            printf(" %s", o.def.quorum_signers[i]);
        printf("\n  policy: default %s\n", p->default_deny ? "deny" : "allow");
        for (int l = 0; l < FCP_ZP_LISTS; l++)
            for (size_t i = 0; i < p->n[l]; i++)
                printf("    %-17s %s\n", ln[l], p->pat[l][i]);
        printf("  verified: owner signatures, policy reference\n");
    }
    return 0;
}

int cmd_zone(int argc, char **argv)
{
    if (argc < 2 || cmd_wants_help(argc, argv)) {
        usage();
        return argc < 2 ? 2 : 0;
    }
    const char *homeopt = NULL;
    /* --home DIR anywhere */
    int j = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--home") && i + 1 < argc) {
            homeopt = argv[++i];
            continue;
        }
        argv[j++] = argv[i];
    }
    argc = j;
    char home[4096];
    if (cmd_home_path(home, sizeof home, homeopt) < 0) {
        cmd_error("zone", FCP_EDAEMON_HOME, "set FCP_HOME or --home");
        return 2;
    }
    if (!strcmp(argv[1], "create"))
        return do_create(argc - 1, argv + 1, home);
    if (!strcmp(argv[1], "list"))
        return do_list(argc - 1, argv + 1, home);
    if (!strcmp(argv[1], "show"))
        return do_show(argc - 1, argv + 1, home);
    if (!strcmp(argv[1], "rotate"))
        return cmd_zone_rotate(argc - 1, argv + 1, home);
    fprintf(stderr, "fcp zone: unknown subcommand '%s' (create, list, show, rotate)\n", argv[1]);
    return 2;
}
