/*
 * connector-notes - the "notes" reference connector (Storage archetype):
 * keeps short text notes as externalised state (spec §10.4, D-RUNTIME-8).
 * The whole set of notes is one canonical JSON object {name: text, ...}
 * (keys sorted, compact) that the host stores as a signed
 * ConnectorStateObject in the connector's zone, a mesh object spread over
 * the zone's devices: read with fcp_conn_state_get at configure (or first
 * use), written with fcp_conn_state_put on every notes_put / notes_delete,
 * each write naming the version it replaces.  Nothing is kept in
 * $CONNECTOR_STATE: the copy in memory is a cache of the host's head.  The
 * manifest (connectors/notes/manifest.toml) is embedded in the binary's
 * .fcp_manifest section; the SDK answers every standard method from it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fcp/connector.h"
#include "fcp/error.h"

FCP_CONNECTOR_EMBED_MANIFEST("connectors/notes/manifest.toml");

#define NOTE_MAX  65536
#define STATE_MAX (256 * 1024)   /* the host's limit for one state version */

/* The cache of the host's head version. */
static json_t *notes;            /* NULL until loaded */
static uint8_t head[32];
static int     have_head;

/* Names are [a-z0-9_-]{1,64}. */
static int name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
            return 0;
    return 1;
}

/* Read the host's head into the cache (again when force). */
static int load(fcp_conn_ctx *c, int force)
{
    if (notes && !force) return 0;
    fcp_buf b;
    fcp_buf_init(&b);
    uint8_t h[32];
    int rc = fcp_conn_state_get(c, &b, h);
    if (rc < 0) {
        fcp_buf_free(&b);
        return fcp_conn_fail(c, rc, "cannot read the notes state: %s", fcp_conn_last_error(c));
    }
    json_t *m;
    if (rc == 0) {
        m = json_object();
    } else {
        json_error_t je;
        m = json_loadb((const char *)b.data, b.len, JSON_REJECT_DUPLICATES, &je);
        if (!m || !json_is_object(m)) {
            json_decref(m);
            fcp_buf_free(&b);
            return fcp_conn_fail(c, FCP_EINVALID_REQUEST, "stored notes state is not a JSON object");
        }
    }
    fcp_buf_free(&b);
    json_decref(notes);
    notes = m;
    have_head = rc == 1;
    if (have_head) memcpy(head, h, 32);
    return 0;
}

/* Write m as the next version on top of the cached head; on success m
 * becomes the cache.  An out-of-date head (someone else wrote) reloads and
 * reports the conflict; a fenced writer (an earlier activation) fails. */
static int store(fcp_conn_ctx *c, json_t *m)
{
    char *s = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
    if (!s) return fcp_conn_fail(c, FCP_ENOMEM, "out of memory");
    size_t n = strlen(s);
    if (n > STATE_MAX) {
        free(s);
        return fcp_conn_fail(c, FCP_ELIMIT, "notes would exceed %d bytes in total", STATE_MAX);
    }
    uint8_t nh[32];
    int rc = fcp_conn_state_put(c, s, n, have_head ? head : (const uint8_t *)"", have_head ? 32 : 0, nh);
    free(s);
    if (rc < 0) {
        char why[256];
        snprintf(why, sizeof why, "%s", fcp_conn_last_error(c));
        if (rc == FCP_ESTATE_PREV || rc == FCP_ESTATE_SEQ || rc == FCP_ESTATE_GENESIS)
            (void)load(c, 1);
        return fcp_conn_fail(c, rc, "notes state not written: %s", why);
    }
    json_incref(m);
    json_decref(notes);
    notes = m;
    memcpy(head, nh, 32);
    have_head = 1;
    return 0;
}

static int parse_input(fcp_conn_ctx *c, const char *in, size_t n, json_t **root, const char **name)
{
    int rc = load(c, 0);
    if (rc < 0) return rc;
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
    json_t *m = json_deep_copy(notes);
    if (!m || json_object_set_new(m, name, json_string(text)) < 0) {
        json_decref(m);
        json_decref(root);
        return fcp_conn_fail(c, FCP_ENOMEM, "out of memory");
    }
    rc = store(c, m);
    json_decref(m);
    json_t *o = rc < 0 ? NULL : json_pack("{s:s, s:I}", "name", name, "bytes", (json_int_t)tl);
    json_decref(root);
    return rc < 0 ? rc : dump(o, out);
}

static int op_get(fcp_conn_ctx *c, const char *in, size_t n, fcp_buf *out)
{
    json_t *root;
    const char *name;
    int rc = parse_input(c, in, n, &root, &name);
    if (rc < 0) return rc;
    const char *text = json_string_value(json_object_get(notes, name));
    if (!text) {
        rc = fcp_conn_fail(c, FCP_ENOENT, "no note named '%s'", name);
        json_decref(root);
        return rc;
    }
    json_t *o = json_pack("{s:s, s:s}", "name", name, "text", text);
    json_decref(root);
    return dump(o, out);
}

static int op_list(fcp_conn_ctx *c, const char *in, size_t n, fcp_buf *out)
{
    json_t *root;
    int rc = parse_input(c, in, n, &root, NULL);
    if (rc < 0) return rc;
    json_decref(root);
    json_t *names = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(notes, k, v) json_array_append_new(names, json_string(k));
    return dump(json_pack("{s:o}", "names", names), out);
}

static int op_delete(fcp_conn_ctx *c, const char *in, size_t n, fcp_buf *out)
{
    json_t *root;
    const char *name;
    int rc = parse_input(c, in, n, &root, &name);
    if (rc < 0) return rc;
    int deleted = json_object_get(notes, name) != NULL;
    if (deleted) {
        json_t *m = json_deep_copy(notes);
        if (!m || json_object_del(m, name) < 0) rc = fcp_conn_fail(c, FCP_ENOMEM, "out of memory");
        else rc = store(c, m);
        json_decref(m);
    }
    json_decref(root);
    return rc < 0 ? rc : dump(json_pack("{s:b}", "deleted", deleted), out);
}

/* Read the state once the host has configured us; a failure here is
 * retried on first use (and reported there). */
static int configure(fcp_conn_ctx *c, const uint8_t *cbor, size_t len)
{
    (void)cbor;
    (void)len;
    (void)load(c, 1);
    return 0;
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
                             sizeof OPS / sizeof OPS[0], configure, NULL};
    int rc = fcp_connector_main(&def);
    json_decref(notes);
    return rc;
}
