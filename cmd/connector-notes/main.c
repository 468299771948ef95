/*
 * connector-notes - the "notes" reference connector (Storage archetype):
 * keeps short text notes as files <name>.note in its state directory
 * ($CONNECTOR_STATE).  The manifest (connectors/notes/manifest.toml) is
 * embedded in the binary's .fcp_manifest section; the SDK answers every
 * standard method from it, so this file is only the four operations.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "fcp/connector.h"
#include "fcp/error.h"

FCP_CONNECTOR_EMBED_MANIFEST("connectors/notes/manifest.toml");

#define NOTE_MAX 65536

/* Names are [a-z0-9_-]{1,64}: they become file names. */
static int name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
            return 0;
    return 1;
}

static int parse_input(fcp_conn_ctx *c, const char *in, size_t n, json_t **root, const char **name)
{
    json_error_t je;
    *root = json_loadb(in, n, JSON_REJECT_DUPLICATES, &je);
    if (!*root || !json_is_object(*root)) {
        json_decref(*root);
        *root = NULL;
        return fcp_conn_fail(c, FCP_EINVALID_REQUEST, "input is not a JSON object");
    }
    if (!name) return 0;
    *name = json_string_value(json_object_get(*root, "name"));
    if (!*name || !name_ok(*name)) {
        json_decref(*root);
        *root = NULL;
        return fcp_conn_fail(c, FCP_EINVALID_REQUEST, "name must match [a-z0-9_-]{1,64}");
    }
    return 0;
}

static void note_path(fcp_conn_ctx *c, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s.note", fcp_conn_state_dir(c), name);
}

static int dump(json_t *o, fcp_buf *out)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    if (!s) return FCP_ENOMEM;
    int rc = fcp_buf_append(out, s, strlen(s));
    free(s);
    return rc;
}

static int op_put(fcp_conn_ctx *c, const char *in, size_t n, fcp_buf *out)
{
    json_t *root;
    const char *name;
    int rc = parse_input(c, in, n, &root, &name);
    if (rc < 0) return rc;
    const char *text = json_string_value(json_object_get(root, "text"));
    size_t tl = text ? strlen(text) : 0;
    if (!text || tl > NOTE_MAX) {
        json_decref(root);
        return fcp_conn_fail(c, FCP_EINVALID_REQUEST, "text must be a string of at most %d bytes", NOTE_MAX);
    }
    char path[1200], tmp[1210];
    note_path(c, name, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        json_decref(root);
        return fcp_conn_fail(c, FCP_EIO, "cannot write note: %s", strerror(errno));
    }
    ssize_t w = write(fd, text, tl);
    int ok = w == (ssize_t)tl && fsync(fd) == 0;
    close(fd);
    if (!ok || rename(tmp, path) < 0) {
        unlink(tmp);
        json_decref(root);
        return fcp_conn_fail(c, FCP_EIO, "cannot store note");
    }
    json_t *o = json_pack("{s:s, s:I}", "name", name, "bytes", (json_int_t)tl);
    json_decref(root);
    return dump(o, out);
}

static int op_get(fcp_conn_ctx *c, const char *in, size_t n, fcp_buf *out)
{
    json_t *root;
    const char *name;
    int rc = parse_input(c, in, n, &root, &name);
    if (rc < 0) return rc;
    char path[1200];
    note_path(c, name, path, sizeof path);
    FILE *f = fopen(path, "rb");
    if (!f) {
        rc = fcp_conn_fail(c, FCP_ENOENT, "no note named '%s'", name);
        json_decref(root);
        return rc;
    }
    static char buf[NOTE_MAX + 1];
    size_t got = fread(buf, 1, NOTE_MAX, f);
    fclose(f);
    buf[got] = '\0';
    json_t *o = json_pack("{s:s, s:s%}", "name", name, "text", buf, got);
    json_decref(root);
    return o ? dump(o, out) : fcp_conn_fail(c, FCP_EINVALID_REQUEST, "stored note is not UTF-8");
}

static int op_list(fcp_conn_ctx *c, const char *in, size_t n, fcp_buf *out)
{
    json_t *root;
    int rc = parse_input(c, in, n, &root, NULL);
    if (rc < 0) return rc;
    json_decref(root);
    DIR *d = opendir(fcp_conn_state_dir(c));
    if (!d) return fcp_conn_fail(c, FCP_EIO, "cannot list the state directory");
    json_t *names = json_array();
    struct dirent *e;
    size_t count = 0;
    while ((e = readdir(d)) != NULL && count < 10000) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".note") == 0) {
            json_array_append_new(names, json_stringn(e->d_name, l - 5));
            count++;
        }
    }
    closedir(d);
    return dump(json_pack("{s:o}", "names", names), out);
}

static int op_delete(fcp_conn_ctx *c, const char *in, size_t n, fcp_buf *out)
{
    json_t *root;
    const char *name;
    int rc = parse_input(c, in, n, &root, &name);
    if (rc < 0) return rc;
    char path[1200];
    note_path(c, name, path, sizeof path);
    int deleted = unlink(path) == 0;
    json_decref(root);
    return dump(json_pack("{s:b}", "deleted", deleted), out);
}

static const fcp_conn_op OPS[] = {
    {"notes_put", op_put, NULL},
    {"notes_get", op_get, NULL},
    {"notes_list", op_list, NULL},
    {"notes_delete", op_delete, NULL},
};

int main(void)
{
    fcp_connector_def def = {FCP_EMBEDDED_MANIFEST, FCP_EMBEDDED_MANIFEST_LEN, OPS,
                             sizeof OPS / sizeof OPS[0], NULL, NULL};
    return fcp_connector_main(&def);
}
