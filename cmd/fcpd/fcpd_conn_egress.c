/*
 * fcpd_conn_egress.c - the egress proxy a connector worker serves
 * "egress_http" requests with (host_egress.h, spec §11.2, review Change 6);
 * the same dispatcher hands "state_get" / "state_put" to fcpd_conn_state.c.
 *
 * Runs on the connector's worker thread only, inside a call: the request is
 * decoded strictly, checked by the proxy against the call's constraints
 * (the capability token's network constraints when it carries them, else
 * the manifest operation's; D-RUNTIME-3) and, if it may leave, performed by
 * the libcurl transport pinned to the checked address.  Credentials come
 * from fcpd.toml [[credential]] entries (the secret in its secret_file) and
 * from credential files FCP_HOME/credentials/<id>.toml (D-RUNTIME-9:
 * `secret` inline plus the [[credential]] keys; a regular file owned by
 * fcpd's uid with no group/other permission bits, at most 16 KiB; an id
 * also listed in fcpd.toml is refused).  The secret is read only when a
 * request names the credential (the file is checked again then), injected
 * by the proxy, wiped afterwards, never logged and never sent to the
 * connector.
 */

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/toml.h"
#include "fcpd_conn.h"

#define CRED_FILES_MAX   FCP_CONFIG_MAX_CREDENTIALS
#define CRED_FILE_BYTES  16384
#define CRED_SECRET_MAX  8192

/* getaddrinfo over the host's resolver (the connector has no network). */
static int resolve(void *ctx, const char *host, fcp_egress_addr *out, size_t max, size_t *n)
{
    (void)ctx;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
        return FCP_EEGRESS_DNS;
    *n = 0;
    for (struct addrinfo *a = res; a && *n < max; a = a->ai_next) {
        if (a->ai_family == AF_INET) {
            out[*n].family = 4;
            memcpy(out[*n].ip, &((struct sockaddr_in *)a->ai_addr)->sin_addr, 4);
            (*n)++;
        } else if (a->ai_family == AF_INET6) {
            out[*n].family = 6;
            memcpy(out[*n].ip, &((struct sockaddr_in6 *)a->ai_addr)->sin6_addr, 16);
            (*n)++;
        }
    }
    freeaddrinfo(res);
    return *n ? 0 : FCP_EEGRESS_DNS;
}

/* The credential objects are built once per worker from the configuration
 * (immutable afterwards).  The arrays grow with what is configured: a
 * connector of a node without credentials costs a few bytes here, not the
 * ~24 KiB per possible credential a fixed table would (fcpd memory per
 * active connector, bench_invoke). */
#define CRED_MAX (FCP_CONFIG_MAX_CREDENTIALS + CRED_FILES_MAX)
typedef char cred_path[FCP_CONFIG_PATH_MAX + 1];
typedef struct cred_table {
    size_t n, cap;
    fcp_credential_object *obj;
    cred_path *file;                 /* "" = fcpd.toml */
    const fcp_config *cfg;
} cred_table;

/* Room for entry t->n (zeroed); NULL when CRED_MAX is reached or memory is
 * short. */
static fcp_credential_object *cred_slot(cred_table *t)
{
    if (t->n >= CRED_MAX)
        return NULL;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 2;
        if (cap > CRED_MAX)
            cap = CRED_MAX;
        fcp_credential_object *o = realloc(t->obj, cap * sizeof *o);
        if (!o)
            return NULL;
        t->obj = o;
        cred_path *f = realloc(t->file, cap * sizeof *f);
        if (!f)
            return NULL;
        t->file = f;
        t->cap = cap;
    }
    memset(&t->obj[t->n], 0, sizeof t->obj[0]);
    t->file[t->n][0] = '\0';
    return &t->obj[t->n];
}

static cred_table *tables[RT_MAX_CONNECTORS];

static const fcp_credential_object *credential(void *ctx, const char *id)
{
    cred_table *t = ctx;
    for (size_t i = 0; t && i < t->n; i++)
        if (!strcmp(t->obj[i].credential_id, id))
            return &t->obj[i];
    return NULL;
}

/* secret_id is the credential id; the file is read now and wiped by the
 * proxy after the transfer. */
static int cred_file_load(const char *path, const char *id, fcp_credential_object *o, fcp_buf *secret,
                          char *why, size_t wl);

static int secret(void *ctx, const char *secret_id, fcp_buf *out)
{
    cred_table *t = ctx;
    for (size_t i = 0; t && i < t->n; i++)
        if (t->file[i][0] && !strcmp(t->obj[i].credential_id, secret_id)) {
            char why[160];
            return cred_file_load(t->file[i], secret_id, NULL, out, why, sizeof why) < 0 ? FCP_ERT_CREDENTIAL : 0;
        }
    for (size_t i = 0; t && i < t->cfg->n_credentials; i++) {
        const fcp_config_credential *cc = &t->cfg->credentials[i];
        if (strcmp(cc->id, secret_id))
            continue;
        int fd = open(cc->secret_file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
            return FCP_ERT_CREDENTIAL;
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) || st.st_uid != geteuid() ||
            st.st_size <= 0 || st.st_size > 8192) {
            close(fd);
            return FCP_ERT_CREDENTIAL;
        }
        uint8_t buf[8192];
        ssize_t r = read(fd, buf, sizeof buf);
        close(fd);
        if (r <= 0) {
            fcp_memzero(buf, sizeof buf);
            return FCP_ERT_CREDENTIAL;
        }
        size_t n = (size_t)r;
        while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            n--;
        int rc = n ? fcp_buf_append(out, buf, n) : FCP_ERT_CREDENTIAL;
        fcp_memzero(buf, sizeof buf);
        return rc;
    }
    return FCP_ERT_CREDENTIAL;
}

/* Read and check a credential file: regular, not a symlink, owned by our
 * euid, no group/other bits, 1..CRED_FILE_BYTES bytes.  The caller wipes
 * and frees *text. */
static int cred_file_read(const char *path, char **text, size_t *len, char *why, size_t wl)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        snprintf(why, wl, "cannot open: %s", strerror(errno));
        return FCP_ERT_CREDENTIAL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) ||
        st.st_size <= 0 || st.st_size > CRED_FILE_BYTES) {
        snprintf(why, wl, "must be a regular file owned by fcpd's user, mode 0600 or stricter, 1..%d bytes",
                 CRED_FILE_BYTES);
        close(fd);
        return FCP_ERT_CREDENTIAL;
    }
    char *b = calloc(1, (size_t)st.st_size + 1);
    ssize_t r = b ? read(fd, b, (size_t)st.st_size) : -1;
    close(fd);
    if (r != st.st_size) {
        if (b) {
            fcp_memzero(b, (size_t)st.st_size + 1);
            free(b);
        }
        snprintf(why, wl, "cannot read");
        return FCP_ERT_CREDENTIAL;
    }
    *text = b;
    *len = (size_t)r;
    return 0;
}

/* Parse credential file path for credential id: its metadata into o (may
 * be NULL) and its secret appended to secret (may be NULL).  The file text
 * and the parsed secret string are wiped before they are freed. */
static int cred_file_load(const char *path, const char *id, fcp_credential_object *o, fcp_buf *secret,
                          char *why, size_t wl)
{
    static const fcp_toml_field f[] = {
        { "id", FCP_TOML_STRING, 0 },     { "secret", FCP_TOML_STRING, 1 },
        { "apply", FCP_TOML_STRING, 0 },  { "name", FCP_TOML_STRING, 0 },
        { "prefix", FCP_TOML_STRING, 0 }, { "host_allow", FCP_TOML_ARRAY, 0 },
    };
    char *text = NULL;
    size_t len = 0;
    int rc = cred_file_read(path, &text, &len, why, wl);
    if (rc < 0)
        return rc;
    fcp_toml_doc *doc = NULL;
    fcp_toml_error err;
    memset(&err, 0, sizeof err);
    rc = fcp_toml_parse(&doc, path, text, len, NULL, &err);
    fcp_memzero(text, len);
    free(text);
    if (rc < 0) {
        snprintf(why, wl, "%.250s", err.msg);
        return FCP_ERT_CONFIG;
    }
    const fcp_toml_node *root = fcp_toml_root(doc);
    const char *sv = NULL, *v = NULL;
    size_t sl = 0;
    rc = fcp_toml_check_table(doc, root, f, sizeof f / sizeof f[0], &err);
    if (rc == 0 && fcp_toml_string(fcp_toml_table_get(root, "secret"), &sv, &sl) < 0)
        rc = FCP_ETOML_WRONG_TYPE;
    if (rc < 0) {
        snprintf(why, wl, "%.250s", err.msg[0] ? err.msg : "bad secret");
        rc = FCP_ERT_CONFIG;   /* the TOML code is in the message */
    } else if (sl == 0 || sl > CRED_SECRET_MAX || memchr(sv, '\n', sl) || memchr(sv, '\r', sl)) {
        snprintf(why, wl, "secret must be 1..%d bytes on one line", CRED_SECRET_MAX);
        rc = FCP_ERT_CONFIG;
    } else if (fcp_toml_string(fcp_toml_table_get(root, "id"), &v, NULL) == 0 && strcmp(v, id)) {
        snprintf(why, wl, "id \"%.100s\" differs from the file name", v);
        rc = FCP_ERT_CONFIG;
    }
    if (rc == 0 && o) {
        memset(o, 0, sizeof *o);
        snprintf(o->credential_id, sizeof o->credential_id, "%s", id);
        snprintf(o->secret_id, sizeof o->secret_id, "%s", id);
        snprintf(o->name, sizeof o->name, "authorization");
        o->apply = FCP_CRED_HTTP_HEADER;
        if (fcp_toml_string(fcp_toml_table_get(root, "apply"), &v, NULL) == 0) {
            if (!strcmp(v, "query"))
                o->apply = FCP_CRED_QUERY_PARAM;
            else if (strcmp(v, "header"))
                rc = FCP_ERT_CONFIG, snprintf(why, wl, "apply must be \"header\" or \"query\"");
        }
        if (fcp_toml_string(fcp_toml_table_get(root, "name"), &v, NULL) == 0 &&
            (!*v || snprintf(o->name, sizeof o->name, "%s", v) >= (int)sizeof o->name))
            rc = FCP_ERT_CONFIG, snprintf(why, wl, "name must be 1..%d bytes", FCP_CRED_NAME_MAX);
        if (fcp_toml_string(fcp_toml_table_get(root, "prefix"), &v, NULL) == 0 && *v) {
            o->format = FCP_CRED_PREFIX;
            if (snprintf(o->prefix, sizeof o->prefix, "%s", v) >= (int)sizeof o->prefix)
                rc = FCP_ERT_CONFIG, snprintf(why, wl, "prefix longer than %d bytes", FCP_CRED_PREFIX_MAX);
        }
        const fcp_toml_node *ha = fcp_toml_table_get(root, "host_allow");
        size_t nh = ha ? fcp_toml_array_len(ha) : 0;
        if (nh > FCP_CRED_MAX_HOSTS)
            rc = FCP_ERT_CONFIG, snprintf(why, wl, "at most %d hosts", FCP_CRED_MAX_HOSTS);
        for (size_t k = 0; rc == 0 && k < nh; k++) {
            if (fcp_toml_string(fcp_toml_array_at(ha, k), &v, NULL) < 0 || !*v ||
                snprintf(o->host_allow[k], sizeof o->host_allow[k], "%s", v) >= (int)sizeof o->host_allow[k])
                rc = FCP_ERT_CONFIG, snprintf(why, wl, "host_allow entries must be 1..%d byte strings", FCP_NET_HOST_MAX);
            o->n_host_allow = k + 1;
        }
    }
    if (rc == 0 && secret) {
        /* the proxy's buffer has its room reserved (D-EGRESS-7): no realloc */
        rc = fcp_buf_append(secret, sv, sl);
    }
    if (sv)
        fcp_memzero((char *)sv, sl);   /* the parser's copy */
    fcp_toml_free(doc);
    return rc;
}

/* Add FCP_HOME/credentials/<id>.toml entries to t (ids "cred:...", not in
 * fcpd.toml); a bad file is logged and skipped. */
static void cred_files_scan(rt_connector *c, cred_table *t)
{
    fcpd *d = c->rt->d;
    char dir[FCP_CONFIG_PATH_MAX + 16];
    if (snprintf(dir, sizeof dir, "%s/credentials", d->home) >= (int)sizeof dir)
        return;
    DIR *dh = opendir(dir);
    if (!dh)
        return;
    struct dirent *e;
    size_t added = 0;
    while ((e = readdir(dh)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l <= 5 || strcmp(e->d_name + l - 5, ".toml"))
            continue;
        char id[FCP_CAP_ID_MAX + 1], path[FCP_CONFIG_PATH_MAX + 1], why[300] = "";
        int rc = 0;
        if (l - 5 >= sizeof id || snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path) {
            snprintf(why, sizeof why, "file name too long");
            rc = FCP_ERT_CONFIG;
        } else {
            memcpy(id, e->d_name, l - 5);
            id[l - 5] = '\0';
            if (strncmp(id, "cred:", 5) || l - 5 < 6 || strchr(id, ' ')) {
                snprintf(why, sizeof why, "file name is not <credential id>.toml (\"cred:\" and a name)");
                rc = FCP_ERT_CONFIG;
            }
            for (size_t i = 0; rc == 0 && i < t->n; i++)
                if (!strcmp(t->obj[i].credential_id, id)) {
                    snprintf(why, sizeof why, "credential %s is also listed in fcpd.toml", id);
                    rc = FCP_ERT_CONFIG;
                }
            fcp_credential_object *slot = NULL;
            if (rc == 0 && (added >= CRED_FILES_MAX || !(slot = cred_slot(t)))) {
                snprintf(why, sizeof why, "more than %d credential files", CRED_FILES_MAX);
                rc = FCP_ERT_LIMIT;
            }
            if (rc == 0)
                rc = cred_file_load(path, id, slot, NULL, why, sizeof why);
        }
        if (rc < 0) {
            fcp_log_field f[] = { FCP_LF_STR("connector", c->id), FCP_LF_STR("file", e->d_name),
                                  FCP_LF_STR("detail", why) };
            fcpd_log(d, FCP_LOG_ERROR, "credential.file", rc, f, 3);
            continue;
        }
        snprintf(t->file[t->n], sizeof t->file[0], "%s", path);
        t->n++;
        added++;
    }
    closedir(dh);
}

void rt_egress_init(rt_connector *c)
{
    fcp_egress_proxy_init(&c->px);
    /* The answer travels to the connector in one local-transport frame
     * (FCP_LT_DEFAULT_MAX): leave room for the headers and the envelope, so a
     * large body is a clean FCP_EEGRESS_RESPONSE_TOO_LARGE, never an
     * oversized frame that would cut the connector off. */
    c->px.cfg.max_response_bytes = FCP_LT_DEFAULT_MAX - 2 * FCP_EGRESS_HEADER_BYTES_MAX - 4096;
    /* FCPD_EGRESS_CA_FILE: a PEM bundle to trust instead of the system store
     * (a private CA; make demo-connectors' local HTTPS server).  Only the
     * trust anchors change: host, address and SNI checks stay as they are. */
    const char *ca = getenv("FCPD_EGRESS_CA_FILE");
    c->curl.ca_file = ca && *ca ? ca : NULL;
    c->px.resolve = resolve;
    c->px.transport = fcp_egress_curl_transport;
    c->px.transport_ctx = &c->curl;
    size_t idx = (size_t)(c - c->rt->c);
    cred_table *t = tables[idx];
    if (!t) {
        t = calloc(1, sizeof *t);
        tables[idx] = t;
    }
    if (t) {
        const fcp_config *cfg = &c->rt->d->cfg;
        t->n = 0;             /* a reused slot keeps its arrays */
        t->cfg = cfg;
        for (size_t i = 0; i < cfg->n_credentials && i < FCP_CONFIG_MAX_CREDENTIALS; i++) {
            const fcp_config_credential *cc = &cfg->credentials[i];
            fcp_credential_object *o = cred_slot(t);
            if (!o)
                break;
            snprintf(o->credential_id, sizeof o->credential_id, "%s", cc->id);
            snprintf(o->secret_id, sizeof o->secret_id, "%s", cc->id);
            o->apply = cc->apply_query ? FCP_CRED_QUERY_PARAM : FCP_CRED_HTTP_HEADER;
            snprintf(o->name, sizeof o->name, "%s", cc->name);
            if (cc->prefix[0]) {
                o->format = FCP_CRED_PREFIX;
                snprintf(o->prefix, sizeof o->prefix, "%s", cc->prefix);
            }
            for (size_t k = 0; k < cc->n_host_allow && k < FCP_CRED_MAX_HOSTS; k++)
                snprintf(o->host_allow[o->n_host_allow++], sizeof o->host_allow[0], "%s", cc->host_allow[k]);
            t->n++;
        }
        cred_files_scan(c, t);
    }
    c->px.credential = credential;
    c->px.credential_ctx = t;
    c->px.secret = secret;
    c->px.secret_ctx = t;
}

void rt_egress_caps(const fcp_manifest_op *op, const fcp_token_claims *claims, fcp_cap_constraints *out,
                    int *has)
{
    memset(out, 0, sizeof *out);
    *has = 0;
    if (claims && (claims->present & FCP_TC_CONSTRAINTS)) {
        *out = claims->constraints;
        *has = out->has_network;
    }
    if (*has || !op || !op->net.present)
        return;
    /* the manifest operation's constraints, with the spec defaults for
     * what a manifest does not say (timeouts, cidr_deny), ports sorted as
     * NetworkConstraints requires (D-MANIFEST-6).  A manifest whose
     * constraints do not validate grants no network at all. */
    if (fcp_manifest_net_constraints(&op->net, &out->network) < 0) {
        memset(out, 0, sizeof *out);
        return;
    }
    out->has_network = 1;
    *has = 1;
}

int rt_egress_on_request(void *user, fcp_host_conn *hc, const fcp_lt_msg *req, fcp_buf *reply)
{
    rt_connector *c = user;
    (void)hc;
    if (fcp_lt_msg_is(req, "event"))
        return 0;
    if (fcp_lt_msg_is(req, "state_get") || fcp_lt_msg_is(req, "state_put"))
        return rt_state_on_request(c, req, reply);   /* fcpd_conn_state.c */
    if (!req->body)
        return FCP_EEGRESS_REQUEST;
    fcp_egress_request er;
    int rc = fcp_egress_request_decode(&er, req->body, req->body_len);
    if (rc < 0) {
        c->px.stats.other_errors++;
        return rc;
    }
    rt_job *j = c->cur;
    if (!j || !j->has_caps) {
        /* no constraints for this call: nothing may leave */
        c->px.stats.denied[FCP_EEGRESS_NO_NETWORK * -1 - 4300]++;
        return FCP_EEGRESS_NO_NETWORK;
    }
    fcp_egress_result res;
    fcp_egress_result_init(&res);
    rc = fcp_egress_execute(&c->px, &j->caps, &er, &res);
    if (rc == 0) {
        fcp_egress_response resp;
        rc = fcp_egress_result_view(&res, &resp);
        if (rc == 0)
            rc = fcp_egress_response_encode(&resp, reply);
    }
    fcp_egress_result_free(&res);
    return rc;
}
