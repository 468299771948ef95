/*
 * github_api.h - the pure part of the github connector: input validation,
 * the REST request each operation sends, and the mapping of GitHub's JSON
 * answers (and error statuses) to the operation's result or an FCP error.
 * No I/O and no SDK calls, so tests/unit/connector_github_test.c and
 * fuzz/fuzz_github_response.c drive it directly.
 *
 * Operations (connectors/github/manifest.toml):
 *   issues.list    GET  {base}/repos/{owner}/{repo}/issues?state=..&per_page=..&page=..[&labels=..]
 *   issues.create  POST {base}/repos/{owner}/{repo}/issues             {"title", "body"?, "labels"?}
 *   issues.comment POST {base}/repos/{owner}/{repo}/issues/{n}/comments {"body"}
 * with the headers accept: application/vnd.github+json,
 * x-github-api-version: 2022-11-28, user-agent: fcp-connector-github/<v>
 * (and content-type: application/json on POST).  The token is never here:
 * the request names a credential id and the host's egress proxy injects
 * "Authorization: Bearer <secret>".
 */
#ifndef FCP_CONNECTOR_GITHUB_API_H
#define FCP_CONNECTOR_GITHUB_API_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/host_egress.h"

#define GH_VERSION          "0.1.0"
#define GH_API_VERSION      "2022-11-28"
#define GH_DEFAULT_BASE     "https://api.github.com"
#define GH_DEFAULT_CRED     "cred:github.token"
#define GH_BASE_MAX         256
#define GH_OWNER_MAX        39      /* GitHub login */
#define GH_REPO_MAX         100
#define GH_TITLE_MAX        256     /* characters, as GitHub */
#define GH_BODY_MAX         65536   /* bytes of an issue or comment body */
#define GH_LABELS_MAX       20
#define GH_LABEL_MAX        50
#define GH_ERRMSG_MAX       200     /* bytes of GitHub's "message" kept in an error */

typedef enum gh_op { GH_ISSUES_LIST = 0, GH_ISSUES_CREATE = 1, GH_ISSUES_COMMENT = 2 } gh_op;

/* Connector configuration ("configure" body). */
typedef struct gh_config {
    char base[GH_BASE_MAX + 1];             /* no trailing '/' */
    char credential[FCP_CAP_ID_MAX + 1];
} gh_config;

void gh_config_default(gh_config *c);
/* Apply a canonical CBOR map {? "base_url": tstr, ? "credential_id": tstr}
 * (an empty body keeps the defaults).  base_url: "https://" + host[:port]
 * [+ path prefix, e.g. GitHub Enterprise's /api/v3], printable ASCII
 * without space, userinfo, query or fragment; one trailing '/' dropped.
 * credential_id: a CredentialId ("cred:" + printable).  0, or
 * FCP_EINVALID_REQUEST / FCP_EUNKNOWN_FIELD with why[] filled. */
int gh_config_apply(gh_config *c, const uint8_t *cbor, size_t len, char *why, size_t why_cap);

/* One planned request: everything the egress request views. */
typedef struct gh_request {
    char     method[8];
    char     url[GH_BASE_MAX + 1024];
    fcp_buf  body;                          /* JSON text (POST), empty for GET */
    size_t   n_headers;
    fcp_egress_header headers[4];
} gh_request;

void gh_request_free(gh_request *r);

/* Validate the operation's JSON input and build its request.  Input errors
 * are FCP_EINVALID_REQUEST with a message in why naming the field:
 * owner ([A-Za-z0-9] and single inner '-', 1..39), repo ([A-Za-z0-9._-],
 * 1..100, not "." or ".."), title (required, 1..256 characters, no control
 * characters), body (string, at most 64 KiB; required for comments), labels
 * (array of 1..20 strings of 1..50 bytes), number (integer 1..2^31-1),
 * state ("open", "closed", "all"), per_page (1..100), page (1..1000);
 * unknown fields are refused.  r is initialised here (free it always). */
int gh_build(gh_op op, const gh_config *cfg, const char *input_json, size_t input_len, gh_request *r,
             char *why, size_t why_cap);

/* Map GitHub's answer to the result JSON (appended to out) or an error:
 *   2xx with the expected JSON         -> 0
 *   2xx with anything else, truncated  -> FCP_EEGRESS_UPSTREAM_BODY
 *   401, 403 (not a rate limit)        -> FCP_EEGRESS_UPSTREAM_AUTH
 *   403/429 with x-ratelimit-remaining 0, or 429 -> FCP_ERATE_LIMITED
 *   404, 410                           -> FCP_ENOENT
 *   400, 422                           -> FCP_EINVALID_REQUEST
 *   anything else                      -> FCP_EEGRESS_UPSTREAM_STATUS
 * why gets a message with the status and GitHub's own "message" (clipped
 * to GH_ERRMSG_MAX bytes, control characters replaced).  Results:
 *   list    {"count": n, "has_more": bool (a Link rel="next"), "issues":
 *            [{"number", "title", "state", "user", "labels": [names],
 *            "comments", "html_url", "created_at", "updated_at",
 *            "pull_request": bool}]}
 *   create  {"number", "title", "state", "html_url"}
 *   comment {"id", "html_url", "created_at"} */
int gh_map_response(gh_op op, const fcp_egress_response *resp, fcp_buf *out, char *why, size_t why_cap);

#endif
