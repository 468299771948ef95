/*
 * github_api.c - the github connector's pure logic (github_api.h): checks an
 * operation's JSON input, builds the one REST request it stands for, and
 * turns GitHub's JSON answer or error status into the operation's result or
 * a structured FCP error.  jansson parses both directions; nothing here does
 * I/O, so the unit test and the fuzzer call it directly.
 */
#include "github_api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/host_transport.h"
#include "fcp/model_cap.h"

static int fail(char *why, size_t cap, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static int fail(char *why, size_t cap, int code, const char *fmt, ...)
{
    if (why && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, cap, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* ---- configuration --------------------------------------------------------- */

void gh_config_default(gh_config *c)
{
    memset(c, 0, sizeof *c);
    strcpy(c->base, GH_DEFAULT_BASE);
    strcpy(c->credential, GH_DEFAULT_CRED);
}

static int base_ok(const char *s, size_t n)
{
    if (n <= 8 || n > GH_BASE_MAX || memcmp(s, "https://", 8) != 0 || s[8] == '/') return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch <= 0x20 || ch >= 0x7f || ch == '?' || ch == '#' || ch == '@' || ch == '\\' || ch == '%')
            return 0;
    }
    return 1;
}

int gh_config_apply(gh_config *c, const uint8_t *cbor, size_t len, char *why, size_t why_cap)
{
    if (!cbor || len == 0 || (len == 1 && cbor[0] == 0xf6)) return 0;
    gh_config next = *c;
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    const char *k, *v;
    size_t kl, vl;
    fcp_cbor_dec_init(&d, cbor, len, NULL);
    int rc = fcp_cbor_map_begin(&d, &it);
    while (rc >= 0 && (rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kl)) > 0) {
        if (fcp_cbor_key_is(k, kl, "base_url")) {
            if (fcp_cbor_get_text(&d, &v, &vl) < 0 || !base_ok(v, vl))
                return fail(why, why_cap, FCP_EINVALID_REQUEST,
                            "configuration: base_url must be https://host[:port][/prefix] (printable ASCII, "
                            "no userinfo, query or fragment, at most %d bytes)", GH_BASE_MAX);
            if (v[vl - 1] == '/') vl--;
            memcpy(next.base, v, vl);
            next.base[vl] = 0;
        } else if (fcp_cbor_key_is(k, kl, "credential_id")) {
            if (fcp_cbor_get_text(&d, &v, &vl) < 0 || vl < 6 || vl > FCP_CAP_ID_MAX ||
                memcmp(v, "cred:", 5) != 0 || fcp_cap_id_validate(v, vl) < 0)
                return fail(why, why_cap, FCP_EINVALID_REQUEST,
                            "configuration: credential_id must be \"cred:\" + printable ASCII");
            memcpy(next.credential, v, vl);
            next.credential[vl] = 0;
        } else {
            return fail(why, why_cap, FCP_EUNKNOWN_FIELD, "configuration: unknown key \"%.*s\"",
                        (int)(kl > 64 ? 64 : kl), k);
        }
    }
    if (rc == 0) rc = fcp_cbor_dec_finish(&d);
    if (rc < 0)
        return fail(why, why_cap, FCP_EINVALID_REQUEST, "configuration: not a canonical CBOR map of text keys");
    *c = next;
    return 0;
}

/* ---- input validation ------------------------------------------------------- */

/* GitHub login: letters, digits, single hyphens not at either end. */
static int owner_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > GH_OWNER_MAX || s[0] == '-' || s[n - 1] == '-') return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        int alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        if (!alnum && !(ch == '-' && s[i + 1] != '-')) return 0;
    }
    return 1;
}

static int repo_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > GH_REPO_MAX || strcmp(s, ".") == 0 || strcmp(s, "..") == 0) return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
              ch == '_' || ch == '-'))
            return 0;
    }
    return 1;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80) n++;
    return n;
}

static int has_control(const char *s, size_t n, int allow_ws)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (allow_ws && (ch == '\n' || ch == '\r' || ch == '\t')) continue;
        if (ch < 0x20 || ch == 0x7f) return 1;
    }
    return 0;
}

/* Percent-encode s (RFC 3986 unreserved kept) into out. */
static int pct_append(fcp_buf *out, const char *s)
{
    static const char hx[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
            ch == '.' || ch == '_' || ch == '~') {
            fcp_buf_put_u8(out, ch);
        } else {
            char e[3] = {'%', hx[ch >> 4], hx[ch & 15]};
            fcp_buf_append(out, e, 3);
        }
    }
    return out->err;
}

static int only_keys(json_t *o, const char *const *allowed, char *why, size_t cap)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        int ok = 0;
        for (size_t i = 0; allowed[i]; i++)
            if (strcmp(k, allowed[i]) == 0) ok = 1;
        if (!ok) return fail(why, cap, FCP_EINVALID_REQUEST, "unknown field \"%.64s\"", k);
    }
    return 0;
}

/* Optional integer field in [lo, hi]; *v keeps its default when absent. */
static int opt_int(json_t *o, const char *key, json_int_t lo, json_int_t hi, json_int_t *v, char *why, size_t cap)
{
    json_t *j = json_object_get(o, key);
    if (!j) return 0;
    if (!json_is_integer(j) || json_integer_value(j) < lo || json_integer_value(j) > hi)
        return fail(why, cap, FCP_EINVALID_REQUEST, "%s must be an integer from %lld to %lld", key, (long long)lo,
                    (long long)hi);
    *v = json_integer_value(j);
    return 0;
}

/* labels: array of 1..GH_LABELS_MAX strings, each 1..GH_LABEL_MAX bytes,
 * no control characters (no ',' when used as a list filter). */
static int labels_ok(json_t *a, int filter, char *why, size_t cap)
{
    if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > GH_LABELS_MAX)
        return fail(why, cap, FCP_EINVALID_REQUEST, "labels must be an array of 1 to %d strings", GH_LABELS_MAX);
    size_t i;
    json_t *l;
    json_array_foreach(a, i, l) {
        const char *s = json_string_value(l);
        size_t n = s ? json_string_length(l) : 0;
        if (!s || n == 0 || n > GH_LABEL_MAX || strlen(s) != n || has_control(s, n, 0) ||
            (filter && strchr(s, ',')))
            return fail(why, cap, FCP_EINVALID_REQUEST,
                        "labels[%zu] must be a string of 1 to %d bytes without control characters%s", i,
                        GH_LABEL_MAX, filter ? " or ','" : "");
    }
    return 0;
}

static void add_header(gh_request *r, const char *name, const char *value)
{
    fcp_egress_header *h = &r->headers[r->n_headers++];
    h->name = name;
    h->name_len = strlen(name);
    h->value = value;
    h->value_len = strlen(value);
}

void gh_request_free(gh_request *r) { fcp_buf_free(&r->body); }

int gh_build(gh_op op, const gh_config *cfg, const char *input_json, size_t input_len, gh_request *r,
             char *why, size_t why_cap)
{
    static const char *const k_list[] = {"owner", "repo", "state", "labels", "per_page", "page", NULL};
    static const char *const k_create[] = {"owner", "repo", "title", "body", "labels", NULL};
    static const char *const k_comment[] = {"owner", "repo", "number", "body", NULL};
    memset(r, 0, sizeof *r);
    fcp_buf_init(&r->body);
    json_error_t je;
    json_t *in = json_loadb(input_json, input_len, JSON_REJECT_DUPLICATES, &je);
    int rc = 0;
    if (!json_is_object(in)) {
        rc = fail(why, why_cap, FCP_EINVALID_REQUEST, "input is not a JSON object%s%.120s%s", in ? "" : " (",
                  in ? "" : je.text, in ? "" : ")");
        goto out;
    }
    const char *const *allowed = op == GH_ISSUES_LIST ? k_list : op == GH_ISSUES_CREATE ? k_create : k_comment;
    if ((rc = only_keys(in, allowed, why, why_cap)) < 0) goto out;
    json_t *jo = json_object_get(in, "owner"), *jr = json_object_get(in, "repo");
    const char *owner = json_string_value(jo);
    const char *repo = json_string_value(jr);
    /* (a "\u0000" inside would make the C string shorter than the value) */
    if (owner && strlen(owner) != json_string_length(jo)) owner = NULL;
    if (repo && strlen(repo) != json_string_length(jr)) repo = NULL;
    if (!owner || !owner_ok(owner)) {
        rc = fail(why, why_cap, FCP_EINVALID_REQUEST,
                  "owner must be a GitHub login: 1 to %d letters, digits or single inner '-'", GH_OWNER_MAX);
        goto out;
    }
    if (!repo || !repo_ok(repo)) {
        rc = fail(why, why_cap, FCP_EINVALID_REQUEST,
                  "repo must be 1 to %d of letters, digits, '.', '_' or '-' (not \".\" or \"..\")", GH_REPO_MAX);
        goto out;
    }
    fcp_buf url;
    fcp_buf_init(&url);
    fcp_buf_append(&url, cfg->base, strlen(cfg->base));
    fcp_buf_append(&url, "/repos/", 7);
    fcp_buf_append(&url, owner, strlen(owner));
    fcp_buf_put_u8(&url, '/');
    fcp_buf_append(&url, repo, strlen(repo));
    fcp_buf_append(&url, "/issues", 7);
    json_t *body = NULL;
    if (op == GH_ISSUES_LIST) {
        const char *state = "open";
        json_t *js = json_object_get(in, "state");
        if (js) {
            state = json_string_value(js);
            if (!state || (strcmp(state, "open") && strcmp(state, "closed") && strcmp(state, "all"))) {
                rc = fail(why, why_cap, FCP_EINVALID_REQUEST, "state must be \"open\", \"closed\" or \"all\"");
                goto url_out;
            }
        }
        json_int_t per_page = 30, page = 1;
        if ((rc = opt_int(in, "per_page", 1, 100, &per_page, why, why_cap)) < 0 ||
            (rc = opt_int(in, "page", 1, 1000, &page, why, why_cap)) < 0)
            goto url_out;
        char q[96];
        snprintf(q, sizeof q, "?state=%s&per_page=%lld&page=%lld", state, (long long)per_page, (long long)page);
        fcp_buf_append(&url, q, strlen(q));
        json_t *labels = json_object_get(in, "labels");
        if (labels) {
            if ((rc = labels_ok(labels, 1, why, why_cap)) < 0) goto url_out;
            fcp_buf_append(&url, "&labels=", 8);
            size_t i;
            json_t *l;
            json_array_foreach(labels, i, l) {
                if (i) fcp_buf_append(&url, "%2C", 3);
                pct_append(&url, json_string_value(l));
            }
        }
        strcpy(r->method, "GET");
    } else if (op == GH_ISSUES_CREATE) {
        json_t *jt = json_object_get(in, "title");
        const char *title = json_string_value(jt);
        if (!title || json_string_length(jt) != strlen(title) || strlen(title) == 0 ||
            utf8_chars(title) > GH_TITLE_MAX || has_control(title, strlen(title), 0)) {
            rc = fail(why, why_cap, FCP_EINVALID_REQUEST,
                      "title is required: a string of 1 to %d characters without control characters", GH_TITLE_MAX);
            goto url_out;
        }
        body = json_pack("{s:O}", "title", jt);
        json_t *jb = json_object_get(in, "body");
        if (jb) {
            if (!json_is_string(jb) || json_string_length(jb) > GH_BODY_MAX) {
                rc = fail(why, why_cap, FCP_EINVALID_REQUEST, "body must be a string of at most %d bytes", GH_BODY_MAX);
                goto url_out;
            }
            json_object_set(body, "body", jb);
        }
        json_t *labels = json_object_get(in, "labels");
        if (labels) {
            if ((rc = labels_ok(labels, 0, why, why_cap)) < 0) goto url_out;
            json_object_set(body, "labels", labels);
        }
        strcpy(r->method, "POST");
    } else {
        json_t *jn = json_object_get(in, "number");
        if (!json_is_integer(jn) || json_integer_value(jn) < 1 || json_integer_value(jn) > 2147483647) {
            rc = fail(why, why_cap, FCP_EINVALID_REQUEST, "number must be a positive integer (the issue number)");
            goto url_out;
        }
        json_t *jb = json_object_get(in, "body");
        if (!json_is_string(jb) || json_string_length(jb) == 0 || json_string_length(jb) > GH_BODY_MAX) {
            rc = fail(why, why_cap, FCP_EINVALID_REQUEST,
                      "body is required: a non-empty string of at most %d bytes", GH_BODY_MAX);
            goto url_out;
        }
        char seg[40];
        snprintf(seg, sizeof seg, "/%lld/comments", (long long)json_integer_value(jn));
        fcp_buf_append(&url, seg, strlen(seg));
        body = json_pack("{s:O}", "body", jb);
        strcpy(r->method, "POST");
    }
    if (url.err || url.len > sizeof r->url - 1) {
        rc = fail(why, why_cap, FCP_EINVALID_REQUEST, "request URL too long");
        goto url_out;
    }
    memcpy(r->url, url.data, url.len);
    r->url[url.len] = 0;
    if (body) {
        char *s = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
        if (!s || fcp_buf_append(&r->body, s, strlen(s)) < 0) rc = FCP_ENOMEM;
        free(s);
    }
    add_header(r, "accept", "application/vnd.github+json");
    add_header(r, "user-agent", "fcp-connector-github/" GH_VERSION);
    add_header(r, "x-github-api-version", GH_API_VERSION);
    if (body) add_header(r, "content-type", "application/json");
url_out:
    json_decref(body);
    fcp_buf_free(&url);
out:
    json_decref(in);
    if (rc < 0) gh_request_free(r);
    return rc;
}

/* ---- responses --------------------------------------------------------------- */

static const char *header(const fcp_egress_response *r, const char *name, size_t *vl)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < r->n_headers; i++)
        if (r->headers[i].name_len == n && memcmp(r->headers[i].name, name, n) == 0) {
            *vl = r->headers[i].value_len;
            return r->headers[i].value;
        }
    return NULL;
}

/* GitHub's "message" from an error body, clipped and printable. */
static void gh_message(const fcp_egress_response *r, char *out, size_t cap)
{
    out[0] = 0;
    json_error_t je;
    json_t *j = r->body_len ? json_loadb((const char *)r->body, r->body_len, 0, &je) : NULL;
    const char *m = json_string_value(json_object_get(j, "message"));
    if (m && cap > 1) {
        size_t n = fcp_lt_text_clip(m, strlen(m), cap - 1 < GH_ERRMSG_MAX ? cap - 1 : GH_ERRMSG_MAX, out);
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f) out[i] = ' ';
        out[n] = 0;
    }
    json_decref(j);
}

static int map_error(const fcp_egress_response *r, char *why, size_t cap)
{
    char msg[GH_ERRMSG_MAX + 1];
    gh_message(r, msg, sizeof msg);
    size_t vl = 0;
    const char *rem = header(r, "x-ratelimit-remaining", &vl);
    int limited = r->status == 429 || (r->status == 403 && rem && vl == 1 && rem[0] == '0');
    const char *sep = msg[0] ? ": " : "";
    if (limited) {
        size_t rl = 0;
        const char *reset = header(r, "x-ratelimit-reset", &rl);
        if (!reset) reset = header(r, "retry-after", &rl);
        return fail(why, cap, FCP_ERATE_LIMITED, "GitHub rate limit (HTTP %u%s%.*s)%s%s", r->status,
                    reset ? ", reset " : "", reset ? (int)(rl > 20 ? 20 : rl) : 0, reset ? reset : "", sep, msg);
    }
    switch (r->status) {
    case 401:
    case 403:
        return fail(why, cap, FCP_EEGRESS_UPSTREAM_AUTH, "GitHub refused the credential (HTTP %u)%s%s", r->status,
                    sep, msg);
    case 404:
    case 410:
        return fail(why, cap, FCP_ENOENT, "GitHub: repository or issue not found, or not visible to the token "
                    "(HTTP %u)%s%s", r->status, sep, msg);
    case 400:
    case 422:
        return fail(why, cap, FCP_EINVALID_REQUEST, "GitHub refused the request (HTTP %u)%s%s", r->status, sep, msg);
    default:
        return fail(why, cap, FCP_EEGRESS_UPSTREAM_STATUS, "GitHub answered HTTP %u%s%s", r->status, sep, msg);
    }
}

static int bad_shape(char *why, size_t cap, const char *what)
{
    return fail(why, cap, FCP_EEGRESS_UPSTREAM_BODY, "GitHub's answer is not the expected JSON: %s", what);
}

static json_t *str_or_null(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_incref(v) : json_null();
}

static json_t *map_issue(json_t *it)
{
    json_t *num = json_object_get(it, "number"), *title = json_object_get(it, "title");
    json_t *state = json_object_get(it, "state");
    if (!json_is_integer(num) || !json_is_string(title) || !json_is_string(state)) return NULL;
    json_t *labels = json_array();
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(it, "labels"), i, l) {
        json_t *name = json_is_string(l) ? l : json_object_get(l, "name");
        if (json_is_string(name)) json_array_append(labels, name);
    }
    json_t *comments = json_object_get(it, "comments");
    return json_pack("{s:O, s:O, s:O, s:o, s:o, s:I, s:o, s:o, s:o, s:b}", "number", num, "title", title, "state",
                     state, "user", str_or_null(json_object_get(it, "user"), "login"), "labels", labels, "comments",
                     json_is_integer(comments) ? json_integer_value(comments) : (json_int_t)0, "html_url",
                     str_or_null(it, "html_url"), "created_at", str_or_null(it, "created_at"), "updated_at",
                     str_or_null(it, "updated_at"), "pull_request", json_object_get(it, "pull_request") != NULL);
}

int gh_map_response(gh_op op, const fcp_egress_response *resp, fcp_buf *out, char *why, size_t why_cap)
{
    if (resp->status < 200 || resp->status > 299) return map_error(resp, why, why_cap);
    if (resp->truncated) return bad_shape(why, why_cap, "the body was cut at the proxy's size cap");
    json_error_t je;
    json_t *j = json_loadb((const char *)resp->body, resp->body_len, JSON_REJECT_DUPLICATES, &je);
    json_t *res = NULL;
    int rc = 0;
    if (!j) {
        rc = bad_shape(why, why_cap, "not JSON");
    } else if (op == GH_ISSUES_LIST) {
        if (!json_is_array(j)) {
            rc = bad_shape(why, why_cap, "the issue list is not an array");
        } else {
            json_t *issues = json_array();
            size_t i;
            json_t *it;
            json_array_foreach(j, i, it) {
                json_t *m = map_issue(it);
                if (!m) {
                    json_decref(issues);
                    issues = NULL;
                    rc = fail(why, why_cap, FCP_EEGRESS_UPSTREAM_BODY,
                              "GitHub's answer is not the expected JSON: issue %zu lacks number, title or state", i);
                    break;
                }
                json_array_append_new(issues, m);
            }
            /* pagination: GitHub's Link header names a rel="next" page when there is one */
            size_t ll = 0;
            const char *link = header(resp, "link", &ll);
            int more = link && memmem(link, ll, "rel=\"next\"", 10) != NULL;
            if (issues)
                res = json_pack("{s:I, s:o, s:b}", "count", (json_int_t)json_array_size(issues), "issues", issues,
                                "has_more", more);
        }
    } else if (op == GH_ISSUES_CREATE) {
        json_t *num = json_object_get(j, "number"), *url = json_object_get(j, "html_url");
        if (!json_is_integer(num) || !json_is_string(url))
            rc = bad_shape(why, why_cap, "the created issue lacks number or html_url");
        else
            res = json_pack("{s:O, s:o, s:o, s:O}", "number", num, "title", str_or_null(j, "title"), "state",
                            str_or_null(j, "state"), "html_url", url);
    } else {
        json_t *id = json_object_get(j, "id"), *url = json_object_get(j, "html_url");
        if (!json_is_integer(id) || !json_is_string(url))
            rc = bad_shape(why, why_cap, "the comment lacks id or html_url");
        else
            res = json_pack("{s:O, s:O, s:o}", "id", id, "html_url", url, "created_at", str_or_null(j, "created_at"));
    }
    if (rc == 0 && !res) rc = FCP_ENOMEM;
    if (rc == 0) {
        char *s = json_dumps(res, JSON_COMPACT | JSON_SORT_KEYS);
        if (!s || fcp_buf_append(out, s, strlen(s)) < 0) rc = FCP_ENOMEM;
        free(s);
    }
    json_decref(res);
    json_decref(j);
    return rc;
}
