/*
 * fcpd_home.c - reading the key files `fcp init` writes into FCP_HOME
 * (layout in docs/fcpd.md):
 *
 *   owner.pub            owner Ed25519 public key, hex
 *   node.key    (0600)   "sig <hex sk64>", "enc <hex sk32>", "iss <hex sk64>" lines
 *   node.attest          this node's owner-signed NodeKeyAttestation (CBOR)
 *   zones.key   (0600)   "<zone> <key id hex8> <zone key hex32> <ObjectIdKey hex32>" lines
 *   nodes/<id>.attest    attestations of the peers named in fcpd.toml
 *
 * Secret files readable by group or others are refused: a key that leaked
 * to other local users is not silently used.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcpd.h"

#define HOME_FILE_MAX 65536

/* Read path into buf (NUL-terminated).  secret: refuse group/other access. */
static int read_small(const char *path, char *buf, size_t cap, size_t *len, int secret)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return FCP_EDAEMON_KEY;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (secret && (st.st_mode & 077)) ||
        (size_t)st.st_size >= cap) {
        close(fd);
        return FCP_EDAEMON_KEY;
    }
    size_t n = 0;
    while (n < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = 0;
    *len = n;
    return 0;
}

static int fail(char *why, size_t wl, const char *home, const char *file, const char *what)
{
    snprintf(why, wl, "%s/%s: %s", home, file, what);
    return FCP_EDAEMON_KEY;
}

int fcpd_peer_attestation(fcp_node_attestation *a, const char *home, const char *id)
{
    char path[FCP_CONFIG_PATH_MAX + 1];
    static char buf[HOME_FILE_MAX];
    size_t n;
    if (snprintf(path, sizeof path, "%s/nodes/%s.attest", home, id) >= (int)sizeof path)
        return FCP_EDAEMON_KEY;
    int rc = read_small(path, buf, sizeof buf, &n, 0);
    if (rc < 0)
        return rc;
    return fcp_attestation_decode(a, (const uint8_t *)buf, n);
}

int fcpd_keys_load(fcpd_keys *k, const char *home, char *why, size_t wl)
{
    static char buf[HOME_FILE_MAX];
    char path[FCP_CONFIG_PATH_MAX + 1];
    size_t n;
    memset(k, 0, sizeof *k);

    snprintf(path, sizeof path, "%s/owner.pub", home);
    if (read_small(path, buf, sizeof buf, &n, 0) < 0 || n < 64)
        return fail(why, wl, home, "owner.pub", "missing or unreadable (run 'fcp init')");
    buf[64] = 0;
    if (fcp_hex_decode_exact(k->owner_pk, 32, buf) < 0)
        return fail(why, wl, home, "owner.pub", "not 64 hex digits");

    snprintf(path, sizeof path, "%s/node.key", home);
    if (read_small(path, buf, sizeof buf, &n, 1) < 0)
        return fail(why, wl, home, "node.key", "missing, not a file, or readable by group/others (chmod 600)");
    const char *sig = strstr(buf, "sig ");
    if (!sig || strlen(sig) < 4 + 128)
        return fail(why, wl, home, "node.key", "no 'sig <128 hex digits>' line");
    char hex[129];
    memcpy(hex, sig + 4, 128);
    hex[128] = 0;
    if (fcp_hex_decode_exact(k->sig_sk, 64, hex) < 0)
        return fail(why, wl, home, "node.key", "sig key is not 128 hex digits");
    fcp_memzero(hex, sizeof hex);
    fcp_memzero(buf, n);

    snprintf(path, sizeof path, "%s/node.attest", home);
    if (read_small(path, buf, sizeof buf, &n, 0) < 0)
        return fail(why, wl, home, "node.attest", "missing or unreadable");
    int rc = fcp_attestation_decode_verify(&k->attestation, (const uint8_t *)buf, n, k->owner_pk,
                                           fcp_clock_unix_secs(fcp_clock_system()));
    if (rc < 0)
        return fail(why, wl, home, "node.attest", fcp_strerror(rc));
    uint8_t pk[32];
    fcp_ed25519_sk_to_pk(pk, k->sig_sk);
    if (memcmp(pk, k->attestation.node_sig_pubkey, 32))
        return fail(why, wl, home, "node.attest", "does not attest this node's signing key");
    snprintf(k->node_id, sizeof k->node_id, "%s", k->attestation.node_id);

    snprintf(path, sizeof path, "%s/zones.key", home);
    if (read_small(path, buf, sizeof buf, &n, 1) < 0)
        return fail(why, wl, home, "zones.key", "missing, not a file, or readable by group/others (chmod 600)");
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (!*line || *line == '#')
            continue;
        if (k->n_zones >= FCP_MESH_MAX_ZONES)
            return fail(why, wl, home, "zones.key", "more than 16 zones");
        char zone[FCP_ZONE_ID_MAX + 2], kid[17], key[65], oid[65];
        if (sscanf(line, "%65s %16s %64s %64s", zone, kid, key, oid) != 4 || strlen(zone) > FCP_ZONE_ID_MAX)
            return fail(why, wl, home, "zones.key", "a line is not '<zone> <kid> <key> <oid key>'");
        fcp_mesh_zone_config *z = &k->zones[k->n_zones];
        if (fcp_zone_id_validate(zone, strlen(zone)) < 0 ||
            fcp_hex_decode_exact(z->zone_key_id, 8, kid) < 0 ||
            fcp_hex_decode_exact(z->zone_key, 32, key) < 0 ||
            fcp_hex_decode_exact(z->oid_key.bytes, 32, oid) < 0)
            return fail(why, wl, home, "zones.key", "bad zone id or hex field");
        memcpy(z->zone_id, zone, strlen(zone) + 1);   /* validated: <= FCP_ZONE_ID_MAX */
        fcp_memzero(key, sizeof key);
        fcp_memzero(oid, sizeof oid);
        k->n_zones++;
    }
    fcp_memzero(buf, sizeof buf);
    if (!k->n_zones)
        return fail(why, wl, home, "zones.key", "no zones");
    return 0;
}

void fcpd_keys_wipe(fcpd_keys *k)
{
    fcp_memzero(k, sizeof *k);
}
