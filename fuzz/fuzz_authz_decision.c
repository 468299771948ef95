/*
 * fuzz_authz_decision.c - libFuzzer target for the decision function
 * (src/authz/authz_decision.c) fed well-formed inputs built from the fuzz
 * bytes: every field is chosen by the next input byte from a small pool of
 * identifiers, tiers, labels, taints, policies, revocation states and up to
 * three approvals (with random scopes, times, authority and signature_ok).
 *
 * Properties: no crash; the decision never allows what the zone policy
 * denies; never allows a Forbidden tier, an expired or revoked token, or a
 * Dangerous operation below the execution threshold without evidence; and
 * the same input gives the same decision.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/authz_decision.h"
#include "fcp/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1700000000ull

typedef struct src {
    const uint8_t *p;
    size_t n;
} src;

static unsigned nx(src *s, unsigned bound)
{
    unsigned v = 0;
    if (s->n) {
        v = *s->p++;
        s->n--;
    }
    return bound ? v % bound : 0;
}

static const char *principals[] = { "user:alice", "user:bob", "user:mallory", "svc:robot", "user:owner" };
static const char *connectors[] = { "fcp.gmail", "fcp.github", "fcp.evil" };
static const char *caps[] = { "gmail.send", "gmail.delete", "gmail.delete_all", "github.push" };
static const char *ops[] = { "gmail.send", "gmail.delete", "github.push" };
static const char *zones[] = { "z:work", "z:private", "z:public" };
static const char *pats[] = { "*", "user:*", "gmail.*", "fcp.gmail", "user:mallory", "gmail.delete_all",
                              "github.*", "fcp.evil" };
#define N(a) (sizeof a / sizeof a[0])
#define PICK(s, a) (a[nx(s, N(a))])

static uint8_t revoked_byte;

static int is_rev(void *ctx, const uint8_t id[32], uint64_t now)
{
    (void)ctx;
    (void)now;
    return id[0] == revoked_byte;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fcp_provenance prov;
    static fcp_approval_token at[3];
    src s = { data, size };
    fcp_dec_request r;
    fcp_dec_token t;
    fcp_dec_policy p;
    fcp_dec_grant g[2];
    fcp_dec_approval ap[3];
    uint8_t tid[32], gid[1][32], rid[32], obj[1][32], rcpt[1][32], aid[3][32];
    const char *lists[9][2];
    size_t nl[9];
    uint8_t input[] = { 0xa1, 0x62, 't', 'o', 0x61, 'b' };

    memset(&r, 0, sizeof r);
    r.principal = PICK(&s, principals);
    r.zone_id = PICK(&s, zones);
    r.connector_id = PICK(&s, connectors);
    r.operation = PICK(&s, ops);
    r.capability = PICK(&s, caps);
    r.tier = (int)nx(&s, 4);
    r.requires_approval = nx(&s, 4) == 0;
    r.transport = (int)nx(&s, 5);
    r.input = input;
    r.input_len = nx(&s, 2) ? sizeof input : 0;
    memset(rid, 0x11, 32);
    r.request_object_id = nx(&s, 2) ? rid : NULL;
    memset(obj[0], 0x21, 32);
    r.object_ids = (const uint8_t(*)[32])obj;
    r.n_object_ids = nx(&s, 2);
    fcp_provenance_init(&prov, PICK(&s, zones), NOW - 10);
    strcpy(prov.current_zone, PICK(&s, zones));
    prov.origin_integrity = (uint8_t)nx(&s, 101);
    prov.origin_confidentiality = (uint8_t)nx(&s, 101);
    prov.taint = nx(&s, 32);
    prov.n_reductions = nx(&s, 2);
    prov.reductions[0].clears = nx(&s, 32);
    memset(prov.reductions[0].by_attestation, 0x5a, 32);
    r.provenance = &prov;

    memset(&t, 0, sizeof t);
    t.subject = nx(&s, 4) ? r.principal : PICK(&s, principals);
    t.zone_id = nx(&s, 4) ? r.zone_id : PICK(&s, zones);
    t.audience = nx(&s, 4) ? r.connector_id : PICK(&s, connectors);
    t.not_before = NOW - 128 + nx(&s, 256);
    t.expires_at = NOW - 128 + nx(&s, 256);
    t.rev_seq = nx(&s, 16);
    memset(tid, (int)nx(&s, 4), 32);
    t.token_id = tid;
    memset(gid[0], (int)nx(&s, 4), 32);
    t.grant_object_ids = (const uint8_t(*)[32])gid;
    t.n_grant_object_ids = 1;
    t.n_grants = 1 + nx(&s, 2);
    for (size_t i = 0; i < t.n_grants; i++) {
        g[i].capability = PICK(&s, pats);
        g[i].operation = nx(&s, 2) ? NULL : PICK(&s, ops);
    }
    t.grants = g;

    fcp_dec_policy_defaults(&p);
    for (int l = 0; l < 9; l++) {
        nl[l] = nx(&s, 3);
        for (size_t i = 0; i < nl[l]; i++)
            lists[l][i] = PICK(&s, pats);
    }
    p.principals_allow = lists[0]; p.n_principals_allow = nl[0];
    p.principals_deny = lists[1]; p.n_principals_deny = nl[1];
    p.connectors_allow = lists[2]; p.n_connectors_allow = nl[2];
    p.connectors_deny = lists[3]; p.n_connectors_deny = nl[3];
    p.caps_allow = lists[4]; p.n_caps_allow = nl[4];
    p.caps_deny = lists[5]; p.n_caps_deny = nl[5];
    p.elevation_approvers = lists[6]; p.n_elevation_approvers = nl[6];
    p.declassification_approvers = lists[7]; p.n_declassification_approvers = nl[7];
    p.execution_approvers = lists[8]; p.n_execution_approvers = nl[8];
    p.default_deny = (int)nx(&s, 2);
    p.integrity = (uint8_t)nx(&s, 101);
    p.confidentiality = (uint8_t)nx(&s, 101);
    p.transports_allowed = nx(&s, 32);
    p.min_checkpoint_seq = nx(&s, 4);
    p.max_revocation_age = nx(&s, 2) ? 300 : 0;
    p.execution_min_tier = (int)nx(&s, 5);
    p.token_skew = nx(&s, 120);
    revoked_byte = (uint8_t)nx(&s, 8);
    fcp_dec_revocation rv = { nx(&s, 16), NOW - nx(&s, 256) * 4, is_rev, NULL };
    memset(rcpt[0], 0x5a, 32);

    size_t na = nx(&s, 4);
    for (size_t i = 0; i < na; i++) {
        fcp_approval_token *a = &at[i];
        memset(a, 0, sizeof *a);
        a->kind = (enum fcp_approval_kind)(1 + nx(&s, 3));
        strcpy(a->approved_by, PICK(&s, principals));
        a->approved_at = NOW - 200 + nx(&s, 256);
        a->expires_at = a->approved_at + 1 + nx(&s, 256);
        if (a->kind == FCP_APPROVAL_ELEVATION) {
            strcpy(a->elevation.operation, PICK(&s, ops));
            a->elevation.original_provenance = prov;
            a->elevation.original_provenance.created_at += nx(&s, 2);
        } else if (a->kind == FCP_APPROVAL_DECLASSIFICATION) {
            strcpy(a->declassification.from_zone, PICK(&s, zones));
            strcpy(a->declassification.to_zone, PICK(&s, zones));
            a->declassification.n_objects = nx(&s, 2);
            memset(a->declassification.object_ids[0], 0x21, 32);
        } else {
            strcpy(a->execution.connector_id, PICK(&s, connectors));
            strcpy(a->execution.method_pattern, PICK(&s, pats));
            a->execution.has_request_object_id = nx(&s, 3) == 0;
            memset(a->execution.request_object_id, 0x11, 32);
            a->execution.has_input_hash = nx(&s, 4) == 0;
            if (a->execution.has_input_hash && r.input_len)
                fcp_approval_input_hash(a->execution.input_hash, input, sizeof input);
            if (nx(&s, 3) == 0) {
                a->execution.n_constraints = 1;
                strcpy(a->execution.constraints[0].pointer, nx(&s, 2) ? "/to" : "/x");
                memcpy(a->execution.constraints[0].equals, "\x61" "b", 2);
                a->execution.constraints[0].equals_len = 2;
            }
        }
        memset(aid[i], (int)nx(&s, 8), 32);
        ap[i] = (fcp_dec_approval){ a, (int)nx(&s, 5) != 0, aid[i] };
    }
    fcp_decision_input in = { NOW, &r, &t, &p, &rv, nx(&s, 4), (const uint8_t(*)[32])rcpt, nx(&s, 2), ap, na };

    fcp_decision d, d2;
    int rc = fcp_decide(&in, &d);
    int rc2 = fcp_decide(&in, &d2);
    if (rc != rc2 || d.allow != d2.allow || d.step != d2.step || d.n_evidence != d2.n_evidence)
        abort();
    if (rc == 0) {
        if (fcp_dec_policy_check(&p, r.principal, r.connector_id, r.capability) != 0)
            abort();
        if (r.tier == FCP_OP_TIER_FORBIDDEN || NOW > t.expires_at || is_rev(NULL, tid, NOW) ||
            is_rev(NULL, gid[0], NOW) || strcmp(t.subject, r.principal) != 0)
            abort();
        if (r.tier >= p.execution_min_tier && d.n_evidence == 0)
            abort();
    } else if (rc != d.reason || d.allow) {
        abort();
    }
    return 0;
}
