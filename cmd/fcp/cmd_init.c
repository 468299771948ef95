/*
 * cmd_init.c - `fcp init`: create FCP_HOME for one node: owner key (or use
 * an existing owner's home), node keys, the owner-signed NodeKeyAttestation,
 * keys for the standard zones, and an fcpd.toml.  Secret files are written
 * 0600 in a 0700 directory, created with O_EXCL so nothing is overwritten
 * unless --force.  File layout: docs/fcpd.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "fcp/clock.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/model_attest.h"
#include "fcp/model_ids.h"
#include "fcp/model_zonekeys.h"
#include "fcp/rng.h"

static const char *const std_zones[] = { FCP_ZONE_OWNER, FCP_ZONE_PRIVATE, FCP_ZONE_WORK,
                                         FCP_ZONE_COMMUNITY, FCP_ZONE_PUBLIC };

static void init_usage(void)
{
    printf("usage: fcp init [--home DIR] [--node-id ID] [--listen HOST:PORT]... [--data-dir DIR]\n"
           "                [--metrics HOST:PORT] [--owner-home DIR | --join] [--force] [--json]\n"
           "\n"
           "Create the configuration directory of one node (default $FCP_HOME, else\n"
           "~/.config/fcp): owner key pair (owner.key, owner.pub), node keys (node.key),\n"
           "the owner-signed NodeKeyAttestation (node.attest), keys of the standard zones\n"
           "(zones.key) and fcpd.toml.  Secret files are 0600, the directory 0700.\n"
           "\n"
           "  --home DIR          directory to create (default $FCP_HOME or ~/.config/fcp)\n"
           "  --node-id ID        this node's id (default: the host name)\n"
           "  --listen HOST:PORT  UDP listen address (repeatable; default 0.0.0.0:7447)\n"
           "  --data-dir DIR      where fcpd keeps its store (default $FCP_DATA or\n"
           "                      ~/.local/share/fcp)\n"
           "  --metrics HOST:PORT enable the Prometheus endpoint on that address\n"
           "  --owner-home DIR    another device of the same owner: sign this node's\n"
           "                      attestation with DIR/owner.key and share DIR's zone keys\n"
           "                      (the owner key itself is not copied)\n"
           "  --join              a node that joins an owner by enrollment: node keys and\n"
           "                      node.request only; the owner runs 'fcp node enroll' and\n"
           "                      this node 'fcp node join BUNDLE' (zone keys arrive sealed)\n"
           "  --force             overwrite an existing configuration\n"
           "  --json              print the result as JSON\n");
}

static int write_file(const char *dir, const char *name, const void *p, size_t n, mode_t mode, int force)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return FCP_EINVAL;
    if (force)
        unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        fprintf(stderr, "fcp init: cannot create %s: %s%s\n", path, strerror(errno),
                errno == EEXIST ? " (use --force to overwrite)" : "");
        return FCP_EIO;
    }
    const uint8_t *b = p;
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w <= 0) {
            close(fd);
            return FCP_EIO;
        }
        b += w;
        n -= (size_t)w;
    }
    fchmod(fd, mode);
    return close(fd) < 0 ? FCP_EIO : 0;
}

static int read_text(const char *dir, const char *name, char *out, size_t cap)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return FCP_EDAEMON_KEY;
    size_t n = fread(out, 1, cap - 1, f);
    fclose(f);
    out[n] = 0;
    return 0;
}

static int hex_line(char *out, size_t cap, const char *label, const uint8_t *p, size_t n)
{
    char h[257];
    fcp_hex_encode(h, sizeof h, p, n);
    int r = snprintf(out, cap, "%s%s%s\n", label, label[0] ? " " : "", h);
    fcp_memzero(h, sizeof h);
    return r;
}

int cmd_init(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        init_usage();
        return 0;
    }
    const char *home = getenv("FCP_HOME"), *node_id = NULL, *data_dir = NULL, *metrics = NULL;
    const char *owner_home = NULL, *listen[16];
    size_t n_listen = 0;
    int force = 0, json = 0, join = 0;
    char hostname[256] = "node-1", defhome[4096];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--force")) force = 1;
        else if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "--join")) join = 1;
        else if (v && !strcmp(a, "--home")) { home = v; i++; }
        else if (v && !strcmp(a, "--node-id")) { node_id = v; i++; }
        else if (v && !strcmp(a, "--data-dir")) { data_dir = v; i++; }
        else if (v && !strcmp(a, "--metrics")) { metrics = v; i++; }
        else if (v && !strcmp(a, "--owner-home")) { owner_home = v; i++; }
        else if (v && !strcmp(a, "--listen") && n_listen < 16) { listen[n_listen++] = v; i++; }
        else {
            fprintf(stderr, "fcp init: unknown or incomplete option '%s' (try --help)\n", a);
            return 2;
        }
    }
    if (!home || !*home) {
        const char *h = getenv("HOME");
        if (!h) {
            fprintf(stderr, "fcp init: set FCP_HOME or HOME, or pass --home\n");
            return 2;
        }
        snprintf(defhome, sizeof defhome, "%s/.config/fcp", h);
        home = defhome;
    }
    if (!node_id) {
        if (gethostname(hostname, sizeof hostname - 1) < 0 || fcp_node_id_validate(hostname, strlen(hostname)) < 0)
            snprintf(hostname, sizeof hostname, "node-1");
        node_id = hostname;
    }
    if (fcp_node_id_validate(node_id, strlen(node_id)) < 0) {
        cmd_error("init", FCP_ENODE_ID, node_id);
        return 2;
    }
    char ddir[8300];
    if (!data_dir) {
        const char *fd = getenv("FCP_DATA"), *h = getenv("HOME");
        if (fd && *fd) snprintf(ddir, sizeof ddir, "%s", fd);
        else if (h) snprintf(ddir, sizeof ddir, "%s/.local/share/fcp", h);
        else snprintf(ddir, sizeof ddir, "%s/data", home);
        data_dir = ddir;
    }
    if (data_dir[0] != '/') {
        fprintf(stderr, "fcp init: --data-dir must be an absolute path (got '%s')\n", data_dir);
        return 2;
    }
    if (fcp_crypto_init() < 0)
        return 1;
    if (mkdir(home, 0700) < 0 && errno != EEXIST) {
        fprintf(stderr, "fcp init: cannot create %s: %s\n", home, strerror(errno));
        return 1;
    }
    chmod(home, 0700);
    char nodes[4200];
    snprintf(nodes, sizeof nodes, "%s/nodes", home);
    mkdir(nodes, 0700);

    const fcp_rng *rng = fcp_rng_system();
    uint8_t owner_pk[32], owner_sk[64];
    int rc = 0;
    char text[8192];
    if (join && owner_home) {
        fprintf(stderr, "fcp init: --join and --owner-home exclude each other\n");
        return 2;
    }
    if (join) {
        /* a node without owner material: keys and a request for the owner */
        memset(owner_pk, 0, sizeof owner_pk);
        memset(owner_sk, 0, sizeof owner_sk);
    } else if (owner_home) {
        char buf[512];
        if (read_text(owner_home, "owner.pub", buf, sizeof buf) < 0 || strlen(buf) < 64 ||
            (buf[64] = 0, fcp_hex_decode_exact(owner_pk, 32, buf) < 0) ||
            read_text(owner_home, "owner.key", buf, sizeof buf) < 0 || strlen(buf) < 128 ||
            (buf[128] = 0, fcp_hex_decode_exact(owner_sk, 64, buf) < 0)) {
            fprintf(stderr, "fcp init: %s has no readable owner.pub/owner.key (FCP-6351)\n", owner_home);
            return 1;
        }
        fcp_memzero(buf, sizeof buf);
    } else {
        if (fcp_ed25519_keypair(owner_pk, owner_sk, rng) < 0)
            return 1;
        hex_line(text, sizeof text, "", owner_sk, 64);
        rc = write_file(home, "owner.key", text, strlen(text), 0600, force);
        fcp_memzero(text, sizeof text);
        if (rc < 0)
            goto out;
    }
    if (!join) {
        hex_line(text, sizeof text, "", owner_pk, 32);
        if ((rc = write_file(home, "owner.pub", text, strlen(text), 0644, force)) < 0)
            goto out;
    }

    /* node keys and attestation */
    uint8_t sig_pk[32], sig_sk[64], enc_pk[32], enc_sk[32], iss_pk[32], iss_sk[64];
    if (fcp_ed25519_keypair(sig_pk, sig_sk, rng) < 0 || fcp_x25519_keypair(enc_pk, enc_sk, rng) < 0 ||
        fcp_ed25519_keypair(iss_pk, iss_sk, rng) < 0) {
        rc = FCP_ERNG;
        goto out;
    }
    size_t off = 0;
    off += (size_t)hex_line(text + off, sizeof text - off, "sig", sig_sk, 64);
    off += (size_t)hex_line(text + off, sizeof text - off, "enc", enc_sk, 32);
    off += (size_t)hex_line(text + off, sizeof text - off, "iss", iss_sk, 64);
    rc = write_file(home, "node.key", text, off, 0600, force);
    fcp_memzero(text, sizeof text);
    fcp_memzero(sig_sk, sizeof sig_sk);
    fcp_memzero(enc_sk, sizeof enc_sk);
    fcp_memzero(iss_sk, sizeof iss_sk);
    if (rc < 0)
        goto out;
    fcp_node_attestation at;
    memset(&at, 0, sizeof at);
    memcpy(at.node_id, node_id, strlen(node_id) + 1);   /* validated: <= FCP_NODE_ID_MAX */
    memcpy(at.node_sig_pubkey, sig_pk, 32);
    memcpy(at.node_enc_pubkey, enc_pk, 32);
    memcpy(at.node_iss_pubkey, iss_pk, 32);
    at.issued_at = fcp_clock_unix_secs(fcp_clock_system());
    fcp_buf ab;
    fcp_buf_init(&ab);
    if ((!join && (rc = fcp_attestation_sign(&at, owner_sk)) < 0) || (rc = fcp_attestation_encode(&at, &ab)) < 0) {
        fcp_buf_free(&ab);
        cmd_error("init", rc, "signing the node attestation");
        goto out;
    }
    /* --join: the unsigned attestation (zero signature) is the request the
     * owner signs with `fcp node enroll --attestation node.request` */
    rc = write_file(home, join ? "node.request" : "node.attest", ab.data, ab.len, 0644, force);
    if (rc == 0 && owner_home) {
        /* the owner's home collects every device's attestation */
        char oname[4200];
        snprintf(oname, sizeof oname, "nodes/%s.attest", node_id);
        write_file(owner_home, oname, ab.data, ab.len, 0644, 1);
    }
    fcp_buf_free(&ab);
    if (rc < 0)
        goto out;

    /* zone keys: fresh, or the owner's; none yet for --join (they come
     * sealed in the owner's ZoneKeyManifests: fcp node join) */
    if (join) {
        off = 0;
    } else if (owner_home) {
        if (read_text(owner_home, "zones.key", text, sizeof text) < 0) {
            fprintf(stderr, "fcp init: %s/zones.key is missing\n", owner_home);
            rc = FCP_EDAEMON_KEY;
            goto out;
        }
        off = strlen(text);
    } else {
        off = (size_t)snprintf(text, sizeof text, "# zone  key-id  zone-key  object-id-key (secret)\n");
        for (size_t i = 0; i < sizeof std_zones / sizeof std_zones[0]; i++) {
            uint8_t kid[8], key[32], oid[32];
            char h1[17], h2[65], h3[65];
            if (fcp_rng_fill(rng, key, 32) < 0 || fcp_rng_fill(rng, oid, 32) < 0) {
                rc = FCP_ERNG;
                goto out;
            }
            /* key id derived from the key (D-ZONE-2), so `fcp node enroll` can
             * hand the key on in a ZoneKeyManifest (D-ENROLL-1) */
            fcp_zone_key_id(kid, std_zones[i], strlen(std_zones[i]), key);
            fcp_hex_encode(h1, sizeof h1, kid, 8);
            fcp_hex_encode(h2, sizeof h2, key, 32);
            fcp_hex_encode(h3, sizeof h3, oid, 32);
            off += (size_t)snprintf(text + off, sizeof text - off, "%s %s %s %s\n", std_zones[i], h1, h2, h3);
            fcp_memzero(key, 32);
            fcp_memzero(oid, 32);
            fcp_memzero(h2, sizeof h2);
            fcp_memzero(h3, sizeof h3);
        }
    }
    rc = join ? 0 : write_file(home, "zones.key", text, off, 0600, force);
    fcp_memzero(text, sizeof text);
    if (rc < 0)
        goto out;

    /* fcpd.toml */
    off = (size_t)snprintf(text, sizeof text,
                           "# fcpd.toml for node %s, written by `fcp init`.  Reference:\n"
                           "# docs/fcpd.toml.example.  Add peers with `fcp node add-peer`.\n\n"
                           "[node]\nid = \"%s\"\ndata_dir = \"%s\"\n\n[listen]\naddresses = [",
                           node_id, node_id, data_dir);
    if (!n_listen)
        listen[n_listen++] = "0.0.0.0:7447";
    for (size_t i = 0; i < n_listen; i++)
        off += (size_t)snprintf(text + off, sizeof text - off, "%s\"%s\"", i ? ", " : "", listen[i]);
    off += (size_t)snprintf(text + off, sizeof text - off, "]\n\n");
    if (metrics)
        off += (size_t)snprintf(text + off, sizeof text - off, "[metrics]\nenabled = true\naddress = \"%s\"\n\n",
                                metrics);
    off += (size_t)snprintf(text + off, sizeof text - off,
                            "[zones]\nserve = [\"z:owner\", \"z:private\", \"z:work\"]\n");
    rc = write_file(home, "fcpd.toml", text, off, 0644, force);
    if (rc < 0)
        goto out;

    uint8_t kid[8];
    fcp_key_id(kid, owner_pk);
    char kidh[17];
    fcp_hex_encode(kidh, sizeof kidh, kid, 8);
    if (join && json)
        printf("{\"home\":\"%s\",\"node_id\":\"%s\",\"request\":\"%s/node.request\",\"data_dir\":\"%s\"}\n", home,
               node_id, home, data_dir);
    else if (join)
        printf("initialised %s (waiting for enrollment)\n  node      %s\n  data dir  %s\n"
               "give %s/node.request to the owner: fcp node enroll --attestation node.request -o BUNDLE\n"
               "then here: fcp node join BUNDLE\n",
               home, node_id, data_dir, home);
    else if (json)
        printf("{\"home\":\"%s\",\"node_id\":\"%s\",\"owner_kid\":\"%s\",\"data_dir\":\"%s\"}\n", home, node_id,
               kidh, data_dir);
    else
        printf("initialised %s\n  node      %s\n  owner key %s%s\n  data dir  %s\n  zones     "
               "z:owner z:private z:work (keys for all 5 standard zones)\n"
               "start the daemon with: fcpd --config %s/fcpd.toml\n",
               home, node_id, kidh, owner_home ? " (shared)" : " (new)", data_dir, home);
out:
    fcp_memzero(owner_sk, sizeof owner_sk);
    if (rc < 0 && rc != FCP_EIO)
        cmd_error("init", rc, home);
    return rc < 0 ? 1 : 0;
}
