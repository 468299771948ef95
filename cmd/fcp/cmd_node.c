/*
 * cmd_node.c - `fcp node`: node administration.
 *   fcp node add-peer --id ID --address HOST:PORT --attestation FILE [--zones Z,...]
 *                     [--home DIR] [--socket PATH]
 *       check FILE is an attestation of ID signed by this home's owner, copy
 *       it to <home>/nodes/ID.attest, append a [[peers]] entry to fcpd.toml
 *       and ask a running fcpd to apply it now (admin op peers_reload)
 *   fcp node reload-peers [--socket PATH]
 *       ask the local fcpd to apply fcpd.toml's [[peers]] now (after an edit)
 *   fcp node stop [--socket PATH]
 *       ask the local fcpd to shut down cleanly
 *   fcp node show [--home DIR] [--json]
 *       this node's identity from FCP_HOME: its owner-signed attestation
 *       (checked against owner.pub), public keys, tags, the zones it holds
 *       keys for (key ids only) and the peers it knows
 *   fcp node enroll | join | remove   device enrollment and removal
 *       (spec §19.4; cmd_enroll.c)
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "fcp/admin.h"
#include "fcp/clock.h"
#include "fcp/config.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/model_attest.h"

static void node_usage(void)
{
    printf("usage: fcp node add-peer --id ID --address HOST:PORT --attestation FILE [--zones Z,...]\n"
           "                         [--home DIR] [--socket PATH]\n"
           "       fcp node reload-peers [--socket PATH] [--json]\n"
           "       fcp node stop [--socket PATH]\n"
           "       fcp node show [--home DIR] [--json]\n"
           "       fcp node enroll --attestation FILE -o DIR [--home DIR]\n"
           "       fcp node enroll NODE_ID --pubkey HEX --enc-pubkey HEX --iss-pubkey HEX -o DIR\n"
           "       fcp node join DIR [--home DIR]\n"
           "       fcp node remove NODE_ID -o DIR [--socket PATH]... [--home DIR]\n\n"
           "add-peer  make another node of the same owner a peer of this one: FILE is\n"
           "          that node's node.attest (checked against this home's owner.pub);\n"
           "          it is copied to <home>/nodes/ID.attest and a [[peers]] entry is\n"
           "          appended to <home>/fcpd.toml (with zones = [...] when --zones is\n"
           "          given: the zones the peer serves; default every zone).  A running\n"
           "          fcpd applies it at once (peers_reload); repair gives the new peer\n"
           "          its share of every object.  An id already in fcpd.toml is refused:\n"
           "          edit its entry (address, zones) and run reload-peers.\n"
           "reload-peers  ask the local fcpd to apply added or changed [[peers]] entries\n"
           "          of fcpd.toml now (a changed address re-establishes the session).\n"
           "stop      ask the local fcpd to shut down cleanly (as SIGTERM does).\n"
           "show      this node's identity from FCP_HOME: node id, its attestation\n"
           "          (verified against owner.pub now), public keys, tags, the zones\n"
           "          it holds keys for (key ids, never keys) and the peers it knows.\n"
           "enroll    (owner's home) sign a new node's attestation (FILE: its node.request\n"
           "          from 'fcp init --join', or its public keys) and write the bundle DIR:\n"
           "          owner.pub, node.attest and one ZoneKeyManifest per zone sealing the\n"
           "          zone keys to every member with HPKE (no raw key is copied).\n"
           "join      (the new node, or a member after a removal) verify the bundle, open\n"
           "          the manifests with node.key and install zones.key (and node.attest).\n"
           "remove    (owner's home) revoke the node's attestation and issuance key on\n"
           "          each fcpd named by --socket (default the local one): they refuse its\n"
           "          sessions; rotate every zone key to a manifest without it (bundle\n"
           "          DIR for the remaining members: fcp node join DIR, restart fcpd).\n"
           "Add --json for machine-readable output.\n");
}

static int add_peer(int argc, char **argv)
{
    const char *id = NULL, *addr = NULL, *afile = NULL, *home = getenv("FCP_HOME"), *zones = NULL;
    const char *sockopt = NULL;
    char defhome[4096];
    for (int i = 2; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v && !strcmp(argv[i], "--id")) { id = v; i++; }
        else if (v && !strcmp(argv[i], "--address")) { addr = v; i++; }
        else if (v && !strcmp(argv[i], "--attestation")) { afile = v; i++; }
        else if (v && !strcmp(argv[i], "--home")) { home = v; i++; }
        else if (v && !strcmp(argv[i], "--zones")) { zones = v; i++; }
        else if (v && !strcmp(argv[i], "--socket")) { sockopt = v; i++; }
        else {
            fprintf(stderr, "fcp node add-peer: unknown or incomplete option '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!id || !addr || !afile) {
        fprintf(stderr, "fcp node add-peer: --id, --address and --attestation are required\n");
        return 2;
    }
    if (!home || !*home) {
        const char *h = getenv("HOME");
        if (!h) {
            fprintf(stderr, "fcp node add-peer: set FCP_HOME or pass --home\n");
            return 2;
        }
        snprintf(defhome, sizeof defhome, "%s/.config/fcp", h);
        home = defhome;
    }
    if (fcp_node_id_validate(id, strlen(id)) < 0) {
        cmd_error("node add-peer", FCP_ENODE_ID, id);
        return 2;
    }
    fcp_config_addr ca;
    const char *why = NULL;
    if (fcp_config_parse_addr(&ca, addr, strlen(addr), &why) < 0) {
        fprintf(stderr, "fcp node add-peer: address '%s': %s (FCP-%04d)\n", addr, why ? why : "invalid",
                -FCP_ECONFIG_ADDRESS);
        return 2;
    }
    for (const char *z = zones; z && *z;) {
        size_t l = strcspn(z, ",");
        if (fcp_zone_id_validate(z, l) < 0) {
            fprintf(stderr, "fcp node add-peer: --zones: '%.*s' is not a zone id\n", (int)l, z);
            return 2;
        }
        z += l + (z[l] == ',');
    }
    char path[4200], pub[256];
    snprintf(path, sizeof path, "%s/owner.pub", home);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(pub, 1, sizeof pub - 1, f) : 0;
    if (f)
        fclose(f);
    pub[n] = 0;
    uint8_t owner_pk[32];
    if (n < 64 || (pub[64] = 0, fcp_hex_decode_exact(owner_pk, 32, pub) < 0)) {
        cmd_error("node add-peer", FCP_EDAEMON_KEY, path);
        return 1;
    }
    size_t alen = 0;
    uint8_t *ab = cmd_read_input(afile, &alen, FCP_ATTEST_MAX_ENCODED);
    if (!ab)
        return 1;
    fcp_node_attestation at;
    int rc = fcp_attestation_decode_verify(&at, ab, alen, owner_pk, fcp_clock_unix_secs(fcp_clock_system()));
    if (rc == 0 && strcmp(at.node_id, id))
        rc = FCP_ENODE_ID;
    if (rc < 0) {
        free(ab);
        cmd_error("node add-peer", rc, afile);
        return 1;
    }
    /* an id already listed would make fcpd.toml invalid (duplicate peer) */
    {
        static fcp_config cur;
        fcp_toml_error terr;
        memset(&terr, 0, sizeof terr);
        fcp_config_defaults(&cur, NULL);
        snprintf(path, sizeof path, "%s/fcpd.toml", home);
        if (fcp_config_load(&cur, path, &terr) == 0)
            for (size_t k = 0; k < cur.n_peers; k++)
                if (!strcmp(cur.peers[k].id, id)) {
                    free(ab);
                    fprintf(stderr, "fcp node add-peer: %s is already a [[peers]] entry of %s: edit it, then "
                            "run fcp node reload-peers (FCP-%04d)\n", id, path, -FCP_EMESH_MEMBER_EXISTS);
                    return 1;
                }
    }
    snprintf(path, sizeof path, "%s/nodes/%s.attest", home, id);
    f = fopen(path, "wb");
    if (!f || fwrite(ab, 1, alen, f) != alen) {
        if (f)
            fclose(f);
        free(ab);
        perror(path);
        return 1;
    }
    fclose(f);
    free(ab);
    snprintf(path, sizeof path, "%s/fcpd.toml", home);
    f = fopen(path, "a");
    if (!f) {
        perror(path);
        return 1;
    }
    fprintf(f, "\n[[peers]]\nid = \"%s\"\naddress = \"%s\"\n", id, addr);
    if (zones) {
        fprintf(f, "zones = [");
        const char *z = zones;
        for (int k = 0; *z; k++) {
            size_t l = strcspn(z, ",");
            fprintf(f, "%s\"%.*s\"", k ? ", " : "", (int)l, z);
            z += l + (z[l] == ',');
        }
        fprintf(f, "]\n");
    }
    fclose(f);
    printf("peer %s at %s added to %s\n", id, addr, path);
    /* a running fcpd applies it now (D-MESH-9) */
    char sock[4200], detail[256] = "";
    fcp_admin_request r = { .op = FCP_ADMIN_OP_PEERS_RELOAD };
    fcp_buf resp;
    fcp_buf_init(&resp);
    if (fcp_admin_socket_path(sock, sizeof sock, sockopt, home, getenv("HOME")) < 0 ||
        (rc = fcp_admin_client_simple(sock, &r, &resp, detail, sizeof detail)) < 0) {
        if (rc == FCP_EADMIN_CONNECT || rc == 0)
            printf("fcpd is not running here: the peer is used when it starts\n");
        else
            fprintf(stderr, "fcp node add-peer: fcpd did not apply it: %s (FCP-%04d)\n", detail, -rc);
    } else {
        printf("fcpd applied it (running mesh)\n");
    }
    fcp_buf_free(&resp);
    return 0;
}

static int reload_peers(int argc, char **argv)
{
    const char *sockopt = NULL;
    int json = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--socket") && i + 1 < argc) sockopt = argv[++i];
        else if (!strcmp(argv[i], "--json")) json = 1;
        else {
            fprintf(stderr, "fcp node reload-peers: unknown option '%s'\n", argv[i]);
            return 2;
        }
    }
    fcp_admin_request r = { .op = FCP_ADMIN_OP_PEERS_RELOAD };
    fcp_buf resp;
    fcp_buf_init(&resp);
    int rc = cmd_admin_call("node reload-peers", sockopt, &r, &resp);
    if (rc == 0) {
        if (json)
            cmd_print_json(&resp);
        else
            printf("fcpd applied fcpd.toml's [[peers]]\n");
    }
    fcp_buf_free(&resp);
    return rc;
}

static int stop(int argc, char **argv)
{
    const char *sockopt = NULL;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--socket") && i + 1 < argc) sockopt = argv[++i];
        else {
            fprintf(stderr, "fcp node stop: unknown option '%s'\n", argv[i]);
            return 2;
        }
    }
    fcp_admin_request r = { .op = FCP_ADMIN_OP_STOP };
    fcp_buf resp;
    fcp_buf_init(&resp);
    int rc = cmd_admin_call("node stop", sockopt, &r, &resp);
    fcp_buf_free(&resp);
    if (rc)
        return rc;
    printf("fcpd is stopping\n");
    return 0;
}

static void hex_of(char *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static int show(int argc, char **argv)
{
    const char *homeopt = NULL;
    int json = 0;
    for (int i = 2; i < argc; i++) {
        if (i + 1 < argc && !strcmp(argv[i], "--home")) homeopt = argv[++i];
        else if (!strcmp(argv[i], "--json")) json = 1;
        else {
            fprintf(stderr, "fcp node show: unknown or incomplete option '%s'\n", argv[i]);
            return 2;
        }
    }
    char home[4096];
    if (cmd_home_path(home, sizeof home, homeopt) < 0) {
        fprintf(stderr, "fcp node show: set FCP_HOME or pass --home\n");
        return 2;
    }
    fcp_node_attestation a;
    int rc = cmd_load_attestation(home, "node.attest", &a);
    if (rc < 0) {
        cmd_error("node show", rc, "cannot read node.attest in FCP_HOME (run fcp init)");
        return 1;
    }
    uint8_t owner[32];
    int verify = cmd_load_owner(home, owner, NULL);
    if (verify == 0)
        verify = fcp_attestation_verify(&a, owner, (uint64_t)time(NULL));
    cmd_zone_key zk[64];
    size_t nz = 0;
    int zrc = cmd_load_zone_keys(home, zk, sizeof zk / sizeof zk[0], &nz);
    size_t npeers = 0;
    char path[4200];
    snprintf(path, sizeof path, "%s/nodes", home);
    DIR *dh = opendir(path);
    char peers[64][FCP_NODE_ID_MAX + 1];
    if (dh) {
        struct dirent *e;
        while ((e = readdir(dh)) != NULL) {
            size_t l = strlen(e->d_name);
            if (l > 7 && !strcmp(e->d_name + l - 7, ".attest") && l - 7 <= FCP_NODE_ID_MAX && npeers < 64) {
                memcpy(peers[npeers], e->d_name, l - 7);
                peers[npeers++][l - 7] = '\0';
            }
        }
        closedir(dh);
    }
    char sig[65], enc[65], iss[65], okh[65];
    hex_of(sig, a.node_sig_pubkey, 32);
    hex_of(enc, a.node_enc_pubkey, 32);
    hex_of(iss, a.node_iss_pubkey, 32);
    hex_of(okh, owner, 32);
    char vtext[16];
    const char *vs = verify == 0 ? "ok" : fcp_error_code(verify, vtext, sizeof vtext);
    if (json) {
        printf("{\"node_id\":\"%s\",\"attestation\":\"%s\",\"owner_pubkey\":\"%s\",\"sig_pubkey\":\"%s\","
               "\"enc_pubkey\":\"%s\",\"iss_pubkey\":\"%s\",\"issued_at\":%llu,",
               a.node_id, vs, verify == 0 ? okh : "", sig, enc, iss, (unsigned long long)a.issued_at);
        if (a.has_expires_at)
            printf("\"expires_at\":%llu,", (unsigned long long)a.expires_at);
        printf("\"tags\":[");
        for (size_t i = 0; i < a.n_tags; i++)
            printf("%s\"%s\"", i ? "," : "", a.tags[i]);
        printf("],\"zones\":[");
        for (size_t i = 0; zrc == 0 && i < nz; i++) {
            char kid[17];
            hex_of(kid, zk[i].kid, 8);
            printf("%s{\"zone\":\"%s\",\"kid\":\"%s\"}", i ? "," : "", zk[i].zone, kid);
        }
        printf("],\"peers\":[");
        for (size_t i = 0; i < npeers; i++)
            printf("%s\"%s\"", i ? "," : "", peers[i]);
        printf("]}\n");
    } else {
        printf("node        %s\n", a.node_id);
        printf("attestation %s (owner-signed, checked against owner.pub now)\n", vs);
        printf("signing key %s\nenc key     %s\nissue key   %s\n", sig, enc, iss);
        printf("issued at   %llu%s", (unsigned long long)a.issued_at, a.has_expires_at ? "" : "\n");
        if (a.has_expires_at)
            printf(", expires %llu\n", (unsigned long long)a.expires_at);
        printf("tags       ");
        for (size_t i = 0; i < a.n_tags; i++)
            printf(" %s", a.tags[i]);
        printf("%s\nzones      ", a.n_tags ? "" : " (none)");
        for (size_t i = 0; zrc == 0 && i < nz; i++) {
            char kid[17];
            hex_of(kid, zk[i].kid, 8);
            printf(" %s (key %s)", zk[i].zone, kid);
        }
        printf("%s\npeers      ", zrc < 0 ? " (no zones.key)" : nz ? "" : " (none)");
        for (size_t i = 0; i < npeers; i++)
            printf(" %s", peers[i]);
        printf("%s\n", npeers ? "" : " (none)");
    }
    for (size_t i = 0; i < nz; i++)
        fcp_memzero(&zk[i], sizeof zk[i]);
    return verify == 0 ? 0 : 1;
}

int cmd_node(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        node_usage();
        return argc < 2 ? 2 : 0;
    }
    if (cmd_wants_help(argc, argv)) {
        node_usage();
        return 0;
    }
    if (!strcmp(argv[1], "add-peer"))
        return add_peer(argc, argv);
    if (!strcmp(argv[1], "stop"))
        return stop(argc, argv);
    if (!strcmp(argv[1], "show"))
        return show(argc, argv);
    if (!strcmp(argv[1], "reload-peers"))
        return reload_peers(argc, argv);
    if (!strcmp(argv[1], "enroll"))
        return cmd_node_enroll(argc, argv);
    if (!strcmp(argv[1], "join"))
        return cmd_node_join(argc, argv);
    if (!strcmp(argv[1], "remove"))
        return cmd_node_remove(argc, argv);
    fprintf(stderr, "fcp node: unknown subcommand '%s' (try fcp node --help)\n", argv[1]);
    return 2;
}
