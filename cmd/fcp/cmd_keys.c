/*
 * cmd_keys.c - reading and writing the files `fcp init` keeps in FCP_HOME,
 * for the authority verbs (token, revoke, audit, zone, node enroll/remove):
 * owner.pub / owner.key, node.key, node.attest, nodes/<id>.attest and
 * zones.key (layout in docs/fcpd.md).  Secret files are written 0600 through
 * a temporary file and a rename, so a crash never leaves half a key file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"

int cmd_home_path(char *out, size_t cap, const char *opt)
{
    const char *h = opt && *opt ? opt : getenv("FCP_HOME");
    int n;
    if (h && *h)
        n = snprintf(out, cap, "%s", h);
    else if (getenv("HOME"))
        n = snprintf(out, cap, "%s/.config/fcp", getenv("HOME"));
    else
        return FCP_EDAEMON_HOME;
    return n > 0 && (size_t)n < cap ? 0 : FCP_EDAEMON_HOME;
}

int cmd_read_home_file(const char *home, const char *name, uint8_t **data, size_t *len)
{
    char path[4200];
    if (snprintf(path, sizeof path, "%s/%s", home, name) >= (int)sizeof path)
        return FCP_EINVAL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return FCP_ENOENT;
    size_t cap = 4096, n = 0;
    uint8_t *b = malloc(cap + 1);
    while (b) {
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        if (cap >= (64u << 20)) {
            free(b);
            b = NULL;
            break;
        }
        uint8_t *nb = realloc(b, cap * 2 + 1);
        if (!nb) {
            free(b);
            b = NULL;
            break;
        }
        b = nb;
        cap *= 2;
    }
    fclose(f);
    if (!b)
        return FCP_ENOMEM;
    b[n] = 0;
    *data = b;
    *len = n;
    return 0;
}

int cmd_write_home_file(const char *home, const char *name, const void *p, size_t n, mode_t mode)
{
    char path[4200], tmp[4300];
    if (snprintf(path, sizeof path, "%s/%s", home, name) >= (int)sizeof path)
        return FCP_EINVAL;
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return FCP_EIO;
    const uint8_t *b = p;
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, b + off, n - off);
        if (w <= 0) {
            close(fd);
            unlink(tmp);
            return FCP_EIO;
        }
        off += (size_t)w;
    }
    fchmod(fd, mode);
    if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
        unlink(tmp);
        return FCP_EIO;
    }
    return 0;
}

int cmd_load_owner(const char *home, uint8_t pk[32], uint8_t sk[64])
{
    uint8_t *b;
    size_t n;
    int rc = cmd_read_home_file(home, "owner.pub", &b, &n);
    if (rc < 0)
        return sk ? FCP_EDAEMON_OWNER_KEY : FCP_EDAEMON_KEY;
    char h[65];
    if (n < 64) {
        free(b);
        return FCP_EDAEMON_KEY;
    }
    memcpy(h, b, 64);
    h[64] = 0;
    free(b);
    if (fcp_hex_decode_exact(pk, 32, h) < 0)
        return FCP_EDAEMON_KEY;
    if (!sk)
        return 0;
    if (cmd_read_home_file(home, "owner.key", &b, &n) < 0)
        return FCP_EDAEMON_OWNER_KEY;
    char hs[129];
    if (n < 128) {
        fcp_memzero(b, n);
        free(b);
        return FCP_EDAEMON_OWNER_KEY;
    }
    memcpy(hs, b, 128);
    hs[128] = 0;
    fcp_memzero(b, n);
    free(b);
    rc = fcp_hex_decode_exact(sk, 64, hs);
    fcp_memzero(hs, sizeof hs);
    uint8_t chk[32];
    if (rc < 0 || (fcp_ed25519_sk_to_pk(chk, sk), memcmp(chk, pk, 32))) {
        fcp_memzero(sk, 64);
        return FCP_EDAEMON_OWNER_KEY;
    }
    return 0;
}

/* The hex after "<label> " on its own line of text. */
static int key_line(const char *text, const char *label, uint8_t *out, size_t n)
{
    char pat[16];
    snprintf(pat, sizeof pat, "%s ", label);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, pat, strlen(pat)))
            continue;
        p += strlen(pat);
        char h[129];
        if (strlen(p) < 2 * n || 2 * n >= sizeof h)
            return FCP_EDAEMON_KEY;
        memcpy(h, p, 2 * n);
        h[2 * n] = 0;
        int rc = fcp_hex_decode_exact(out, n, h);
        fcp_memzero(h, sizeof h);
        return rc < 0 ? FCP_EDAEMON_KEY : 0;
    }
    return FCP_EDAEMON_KEY;
}

int cmd_load_node_keys(const char *home, uint8_t sig_sk[64], uint8_t enc_sk[32], uint8_t iss_sk[64])
{
    uint8_t *b;
    size_t n;
    if (cmd_read_home_file(home, "node.key", &b, &n) < 0)
        return FCP_EDAEMON_KEY;
    int rc = 0;
    if (sig_sk && rc == 0)
        rc = key_line((const char *)b, "sig", sig_sk, 64);
    if (enc_sk && rc == 0)
        rc = key_line((const char *)b, "enc", enc_sk, 32);
    if (iss_sk && rc == 0)
        rc = key_line((const char *)b, "iss", iss_sk, 64);
    fcp_memzero(b, n);
    free(b);
    return rc;
}

int cmd_load_attestation(const char *home, const char *name, fcp_node_attestation *a)
{
    uint8_t *b;
    size_t n;
    int rc = cmd_read_home_file(home, name, &b, &n);
    if (rc < 0)
        return FCP_EDAEMON_KEY;
    rc = fcp_attestation_decode(a, b, n);
    free(b);
    return rc;
}

int cmd_load_zone_keys(const char *home, cmd_zone_key *out, size_t cap, size_t *n_out)
{
    uint8_t *b;
    size_t n;
    *n_out = 0;
    if (cmd_read_home_file(home, "zones.key", &b, &n) < 0)
        return FCP_EDAEMON_KEY;
    int rc = 0;
    char *save = NULL;
    for (char *line = strtok_r((char *)b, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (!*line || *line == '#')
            continue;
        if (*n_out >= cap) {
            rc = FCP_ELIMIT;
            break;
        }
        cmd_zone_key *z = &out[*n_out];
        char zone[FCP_ZONE_ID_MAX + 2], kid[17], key[65], oid[65];
        if (sscanf(line, "%65s %16s %64s %64s", zone, kid, key, oid) != 4 || strlen(zone) > FCP_ZONE_ID_MAX ||
            fcp_zone_id_validate(zone, strlen(zone)) < 0 || fcp_hex_decode_exact(z->kid, 8, kid) < 0 ||
            fcp_hex_decode_exact(z->key, 32, key) < 0 || fcp_hex_decode_exact(z->oid_key.bytes, 32, oid) < 0) {
            rc = FCP_EDAEMON_KEY;
            break;
        }
        memcpy(z->zone, zone, strlen(zone) + 1);
        fcp_memzero(key, sizeof key);
        fcp_memzero(oid, sizeof oid);
        (*n_out)++;
    }
    fcp_memzero(b, n);
    free(b);
    return rc;
}

const cmd_zone_key *cmd_find_zone_key(const cmd_zone_key *z, size_t n, const char *zone)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(z[i].zone, zone))
            return &z[i];
    return NULL;
}

int cmd_write_zone_keys(const char *home, const cmd_zone_key *z, size_t n)
{
    size_t cap = 128 + n * 200, off = 0;
    char *t = malloc(cap);
    if (!t)
        return FCP_ENOMEM;
    off += (size_t)snprintf(t + off, cap - off, "# zone  key-id  zone-key  object-id-key (secret)\n");
    for (size_t i = 0; i < n; i++) {
        char h1[17], h2[65], h3[65];
        fcp_hex_encode(h1, sizeof h1, z[i].kid, 8);
        fcp_hex_encode(h2, sizeof h2, z[i].key, 32);
        fcp_hex_encode(h3, sizeof h3, z[i].oid_key.bytes, 32);
        off += (size_t)snprintf(t + off, cap - off, "%s %s %s %s\n", z[i].zone, h1, h2, h3);
        fcp_memzero(h2, sizeof h2);
        fcp_memzero(h3, sizeof h3);
    }
    int rc = cmd_write_home_file(home, "zones.key", t, off, 0600);
    fcp_memzero(t, cap);
    free(t);
    return rc;
}

int cmd_parse_duration(const char *s, uint64_t *secs)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return FCP_EINVAL;
    uint64_t mul = 1;
    if (!strcmp(end, "") || !strcmp(end, "s")) mul = 1;
    else if (!strcmp(end, "m")) mul = 60;
    else if (!strcmp(end, "h")) mul = 3600;
    else if (!strcmp(end, "d")) mul = 86400;
    else return FCP_EINVAL;
    if (v > UINT64_MAX / mul)
        return FCP_EINVAL;
    *secs = v * mul;
    return 0;
}

void cmd_json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}
