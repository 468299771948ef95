/*
 * authz_cap_test.c - capability objects: upstream CapabilityConstraints
 * fixtures, NetworkConstraints defaults and the no-timeout rule,
 * CredentialObject (apply, format, host binding), CapabilityObject and role
 * codecs with owner signatures, role DAG checks, attenuation rules, and the
 * property "attenuation never widens" over random constraint pairs.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/authz_cap.h"
#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_cap.h"

static uint8_t owner_pk[32], owner_sk[64];

static void hdr(fcp_object_header *h, void (*schema)(fcp_schema_id *))
{
    fcp_schema_id s;
    schema(&s);
    fcp_object_header_init(h, &s, "z:work", 1700000000);
}

static void check_hex(const fcp_buf *b, const char *hex)
{
    size_t n;
    uint8_t *w = fcp_t_unhex(hex, &n);
    CHECK(w && b->len == n && memcmp(b->data, w, n) == 0);
    free(w);
}

static void test_upstream_constraints(void)
{
    json_t *arr = fcp_t_load_json("upstream/policy.json");
    fcp_cap_constraints c;
    fcp_buf b;
    /* empty: {} */
    memset(&c, 0, sizeof c);
    fcp_buf_init(&b);
    CHECK_EQ(fcp_cap_constraints_encode(&c, &b), 0);
    check_hex(&b, fcp_t_jstr(json_object_get(json_array_get(arr, 0), "expected"), "cbor_hex"));
    /* single resource_allow */
    c.n_resource_allow = 1;
    strcpy(c.resource_allow[0], "/v1/messages");
    fcp_buf_reset(&b);
    CHECK_EQ(fcp_cap_constraints_encode(&c, &b), 0);
    check_hex(&b, fcp_t_jstr(json_object_get(json_array_get(arr, 1), "expected"), "cbor_hex"));
    fcp_cap_constraints back;
    CHECK_EQ(fcp_cap_constraints_decode(&back, b.data, b.len), 0);
    CHECK(back.n_resource_allow == 1 && !strcmp(back.resource_allow[0], "/v1/messages"));
    /* full fixture: upstream's "idempotency_key" and 16-byte credential ids
     * are not the spec's idempotency_scope / CredentialId text (D-CAP-1) */
    size_t n;
    uint8_t *full = fcp_t_unhex(fcp_t_jstr(json_object_get(json_array_get(arr, 2), "expected"), "cbor_hex"), &n);
    CHECK_ERR(fcp_cap_constraints_decode(&back, full, n), FCP_EUNKNOWN_FIELD);
    /* ours for the same content with the spec's names round-trips */
    memset(&c, 0, sizeof c);
    c.has_max_bytes = 1;
    c.max_bytes = 1048576;
    c.has_max_calls = 1;
    c.max_calls = 100;
    c.n_resource_deny = 1;
    strcpy(c.resource_deny[0], "/v1/admin/*");
    c.n_resource_allow = 2;
    strcpy(c.resource_allow[0], "/v1/messages");
    strcpy(c.resource_allow[1], "/v1/threads/*");
    c.has_idempotency_scope = 1;
    strcpy(c.idempotency_scope, "idem-fixture-v1");
    c.n_credential_allow = 2;
    strcpy(c.credential_allow[0], "cred:a");
    strcpy(c.credential_allow[1], "cred:b");
    fcp_buf_reset(&b);
    CHECK_EQ(fcp_cap_constraints_encode(&c, &b), 0);
    CHECK_EQ(fcp_cap_constraints_decode(&back, b.data, b.len), 0);
    fcp_buf b2;
    fcp_buf_init(&b2);
    CHECK_EQ(fcp_cap_constraints_encode(&back, &b2), 0);
    CHECK(b.len == b2.len && !memcmp(b.data, b2.data, b.len));
    /* same first 4 keys in the same order as upstream's bytes */
    CHECK(!memcmp(b.data + 1, full + 1, 0x2d));
    /* an empty list present is refused (one encoding) */
    uint8_t empty_list[] = { 0xa1, 0x6e, 'r', 'e', 's', 'o', 'u', 'r', 'c', 'e', '_', 'a', 'l', 'l', 'o', 'w', 0x80 };
    CHECK_ERR(fcp_cap_constraints_decode(&back, empty_list, sizeof empty_list), FCP_ECAP_OBJECT);
    /* unsorted set refused */
    memcpy(c.resource_allow[0], "/v2/", 5);
    fcp_buf_reset(&b);
    CHECK_ERR(fcp_cap_constraints_encode(&c, &b), FCP_ECAP_OBJECT);
    free(full);
    fcp_buf_free(&b);
    fcp_buf_free(&b2);
    json_decref(arr);
}

static void test_network(void)
{
    fcp_net_constraints n;
    fcp_cap_constraints c, back;
    fcp_buf b;
    fcp_net_constraints_default(&n);
    CHECK_EQ(fcp_net_constraints_validate(&n), 0);
    CHECK(n.deny_localhost && n.deny_private_ranges && n.deny_tailnet_ranges);
    CHECK_EQ(n.n_cidr_deny, 7);
    n.n_host_allow = 2;
    strcpy(n.host_allow[0], "*.github.com");
    strcpy(n.host_allow[1], "api.example.com");
    n.n_port_allow = 1;
    n.port_allow[0] = 443;
    CHECK_EQ(fcp_net_constraints_validate(&n), 0);
    CHECK(fcp_net_host_allowed(&n, "api.github.com"));
    CHECK(!fcp_net_host_allowed(&n, "github.com"));
    CHECK(!fcp_net_host_allowed(&n, "evilgithub.com"));
    CHECK(fcp_net_host_allowed(&n, "api.example.com"));
    CHECK(!fcp_net_host_allowed(&n, "x.api.example.com"));
    /* no timeouts: configuration error */
    fcp_net_constraints t = n;
    t.connect_timeout_ms = 0;
    CHECK_ERR(fcp_net_constraints_validate(&t), FCP_ECAP_NETWORK_NO_TIMEOUT);
    t = n;
    t.total_timeout_ms = 0;
    CHECK_ERR(fcp_net_constraints_validate(&t), FCP_ECAP_NETWORK_NO_TIMEOUT);
    t = n;
    t.connect_timeout_ms = t.total_timeout_ms + 1;
    CHECK_ERR(fcp_net_constraints_validate(&t), FCP_ECAP_NETWORK_NO_TIMEOUT);
    t = n;
    strcpy(t.cidr_deny[0], "10.0.0.0/33");
    CHECK_ERR(fcp_net_constraints_validate(&t), FCP_ECAP_NETWORK);
    t = n;
    strcpy(t.host_allow[1], "API.example.com");
    CHECK_ERR(fcp_net_constraints_validate(&t), FCP_ECAP_NETWORK);
    t = n;
    t.port_allow[0] = 0;
    CHECK_ERR(fcp_net_constraints_validate(&t), FCP_ECAP_NETWORK);
    /* round trip inside constraints; a network map without timeouts fails */
    memset(&c, 0, sizeof c);
    c.has_network = 1;
    c.network = n;
    fcp_buf_init(&b);
    CHECK_EQ(fcp_cap_constraints_encode(&c, &b), 0);
    CHECK_EQ(fcp_cap_constraints_decode(&back, b.data, b.len), 0);
    CHECK(back.has_network && back.network.total_timeout_ms == 30000 && back.network.n_host_allow == 2);
    c.network.connect_timeout_ms = 0;
    fcp_buf_reset(&b);
    CHECK_ERR(fcp_cap_constraints_encode(&c, &b), FCP_ECAP_NETWORK_NO_TIMEOUT);
    fcp_buf_free(&b);
}

static void make_cred(fcp_credential_object *c)
{
    memset(c, 0, sizeof *c);
    hdr(&c->header, fcp_credential_schema);
    strcpy(c->credential_id, "cred:telegram.bot_token");
    strcpy(c->secret_id, "secret:telegram");
    c->apply = FCP_CRED_HTTP_HEADER;
    strcpy(c->name, "Authorization");
    c->format = FCP_CRED_PREFIX;
    strcpy(c->prefix, "Bearer ");
    c->n_host_allow = 1;
    strcpy(c->host_allow[0], "api.telegram.org");
    c->created_at = 1700000000;
}

static void test_credential(void)
{
    fcp_credential_object c, back;
    fcp_buf b, v;
    make_cred(&c);
    CHECK_EQ(fcp_credential_sign(&c, owner_sk), 0);
    fcp_buf_init(&b);
    CHECK_EQ(fcp_credential_encode(&c, &b), 0);
    CHECK_EQ(fcp_credential_decode(&back, b.data, b.len), 0);
    CHECK_EQ(fcp_credential_verify(&back, owner_pk), 0);
    CHECK(back.format == FCP_CRED_PREFIX && !strcmp(back.prefix, "Bearer "));
    back.host_allow[0][0] = 'b';
    CHECK_ERR(fcp_credential_verify(&back, owner_pk), FCP_EBAD_SIGNATURE);
    /* query parameter, raw */
    c.apply = FCP_CRED_QUERY_PARAM;
    c.format = FCP_CRED_RAW;
    c.prefix[0] = 0;
    c.n_host_allow = 0;
    fcp_buf_reset(&b);
    CHECK_EQ(fcp_credential_encode(&c, &b), 0);
    CHECK_EQ(fcp_credential_decode(&back, b.data, b.len), 0);
    CHECK(back.apply == FCP_CRED_QUERY_PARAM && back.format == FCP_CRED_RAW);
    /* bad names: header injection */
    make_cred(&c);
    strcpy(c.name, "X-A\r\nB");
    CHECK_ERR(fcp_credential_validate(&c), FCP_ECAP_CREDENTIAL);
    make_cred(&c);
    strcpy(c.prefix, "Bearer\r\n");
    CHECK_ERR(fcp_credential_validate(&c), FCP_ECAP_CREDENTIAL);
    /* use rule */
    fcp_cap_constraints k;
    memset(&k, 0, sizeof k);
    make_cred(&c);
    CHECK_ERR(fcp_credential_check_use(&k, &c, "api.telegram.org"), FCP_ECAP_CREDENTIAL_NOT_ALLOWED);
    k.n_credential_allow = 1;
    strcpy(k.credential_allow[0], "cred:telegram.bot_token");
    CHECK_ERR(fcp_credential_check_use(&k, &c, "api.telegram.org"), 0);
    CHECK_ERR(fcp_credential_check_use(&k, &c, "evil.example"), FCP_ECAP_HOST_NOT_ALLOWED);
    fcp_buf_init(&v);
    CHECK_EQ(fcp_credential_render(&c, (const uint8_t *)"tok", 3, &v), 0);
    CHECK(v.len == 10 && !memcmp(v.data, "Bearer tok", 10));
    CHECK_ERR(fcp_credential_render(&c, (const uint8_t *)"a\nb", 3, &v), FCP_ECAP_CREDENTIAL);
    fcp_buf_free_secret(&v);
    fcp_buf_free(&b);
}

static void make_cap(fcp_cap_object *o)
{
    memset(o, 0, sizeof *o);
    hdr(&o->header, fcp_cap_object_schema);
    strcpy(o->capability_id, "discord.send_message");
    o->grantee = FCP_GRANTEE_ZONE;
    strcpy(o->grantee_value, "z:work");
    o->constraints.n_resource_allow = 1;
    strcpy(o->constraints.resource_allow[0], "/v1/");
    o->placement.n_zones = 1;
    strcpy(o->placement.zones[0], "z:work");
    o->placement.n_requires = 1;
    o->placement.requires[0].len = 8;
    memcpy(o->placement.requires[0].cbor, "\x67OnPower", 8);
    o->valid_from = 1700000000;
    o->valid_until = 1800000000;
}

static void test_cap_object(void)
{
    static fcp_cap_object o, back;
    fcp_buf b, b2;
    fcp_object_id_key key;
    uint8_t id1[32], id2[32];
    make_cap(&o);
    CHECK_EQ(fcp_cap_object_sign(&o, owner_sk), 0);
    fcp_buf_init(&b);
    fcp_buf_init(&b2);
    CHECK_EQ(fcp_cap_object_encode(&o, &b), 0);
    CHECK_EQ(fcp_cap_object_decode(&back, b.data, b.len), 0);
    CHECK_EQ(fcp_cap_object_verify(&back, owner_pk), 0);
    CHECK_EQ(fcp_cap_object_encode(&back, &b2), 0);
    CHECK(b.len == b2.len && !memcmp(b.data, b2.data, b.len));
    memset(key.bytes, 7, 32);
    CHECK_EQ(fcp_cap_object_id(id1, &o, &key), 0);
    back.valid_until++;
    CHECK_EQ(fcp_cap_object_id(id2, &back, &key), 0);
    CHECK(memcmp(id1, id2, 32) != 0);
    CHECK_ERR(fcp_cap_object_verify(&back, owner_pk), FCP_EBAD_SIGNATURE);
    /* grantee forms */
    static const enum fcp_grantee_kind kinds[] = { FCP_GRANTEE_PRINCIPAL, FCP_GRANTEE_TAG, FCP_GRANTEE_BEARER };
    for (int i = 0; i < 3; i++) {
        make_cap(&o);
        o.grantee = kinds[i];
        strcpy(o.grantee_value, kinds[i] == FCP_GRANTEE_BEARER ? "" : "agent:x");
        fcp_buf_reset(&b);
        CHECK_EQ(fcp_cap_object_encode(&o, &b), 0);
        CHECK_EQ(fcp_cap_object_decode(&back, b.data, b.len), 0);
        CHECK_EQ(back.grantee, kinds[i]);
    }
    /* negatives */
    make_cap(&o);
    o.valid_until = o.valid_from;
    CHECK_ERR(fcp_cap_object_validate(&o), FCP_ECAP_WINDOW);
    make_cap(&o);
    o.capability_id[0] = 0;
    CHECK_ERR(fcp_cap_object_validate(&o), FCP_ECAP_OBJECT);
    make_cap(&o);
    o.placement.requires[0].cbor[0] = 0xff;
    CHECK_ERR(fcp_cap_object_validate(&o), FCP_ECAP_OBJECT);
    make_cap(&o);
    fcp_buf_reset(&b);
    fcp_cap_object_encode(&o, &b);
    CHECK(fcp_cap_object_decode(&back, b.data, b.len - 1) < 0);
    b.data[b.len] = 0;
    CHECK(fcp_cap_object_decode(&back, b.data, b.len + 1) < 0);
    fcp_buf_free(&b);
    fcp_buf_free(&b2);
}

static void make_role(fcp_role_object *r, const char *id, const char *cap, const char *op, const char *parent)
{
    memset(r, 0, sizeof *r);
    hdr(&r->header, fcp_role_schema);
    strcpy(r->role_id, id);
    r->n_grants = 1;
    strcpy(r->grants[0].capability, cap);
    if (op) {
        strcpy(r->grants[0].operation, op);
        r->grants[0].has_operation = 1;
    }
    if (parent) {
        r->n_inherits = 1;
        strcpy(r->inherits[0], parent);
    }
}

static void test_roles(void)
{
    static fcp_role_object roles[4], back;
    fcp_role_assignment a, aback;
    const fcp_role_object *got;
    fcp_buf b;
    make_role(&roles[0], "role:admin", "github", NULL, NULL);
    make_role(&roles[1], "role:dev", "github", "github.create_pr", "role:admin");
    make_role(&roles[2], "role:reviewer", "github", "github.create_pr", "role:dev");
    CHECK_EQ(fcp_role_graph_check(roles, 3), 0);
    /* codec + signature */
    CHECK_EQ(fcp_role_sign(&roles[1], owner_sk), 0);
    fcp_buf_init(&b);
    CHECK_EQ(fcp_role_encode(&roles[1], &b), 0);
    CHECK_EQ(fcp_role_decode(&back, b.data, b.len), 0);
    CHECK_EQ(fcp_role_verify(&back, owner_pk), 0);
    /* widening child */
    strcpy(roles[2].grants[0].operation, "github.merge_pr");
    CHECK_ERR(fcp_role_graph_check(roles, 3), FCP_ECAP_ROLE_WIDENS);
    roles[2].grants[0].has_operation = 0; /* capability-wide under an op-level parent */
    CHECK_ERR(fcp_role_graph_check(roles, 3), FCP_ECAP_ROLE_WIDENS);
    make_role(&roles[2], "role:reviewer", "github", "github.create_pr", "role:dev");
    /* constraints must narrow the parent's */
    roles[1].has_constraints = 1;
    roles[1].constraints.has_max_calls = 1;
    roles[1].constraints.max_calls = 10;
    CHECK_ERR(fcp_role_graph_check(roles, 3), FCP_ECAP_WIDENS); /* reviewer drops it */
    roles[2].has_constraints = 1;
    roles[2].constraints.has_max_calls = 1;
    roles[2].constraints.max_calls = 11;
    CHECK_ERR(fcp_role_graph_check(roles, 3), FCP_ECAP_WIDENS);
    roles[2].constraints.max_calls = 5;
    CHECK_EQ(fcp_role_graph_check(roles, 3), 0);
    /* cycle: admin inherits reviewer */
    roles[0].n_inherits = 1;
    strcpy(roles[0].inherits[0], "role:reviewer");
    CHECK_ERR(fcp_role_graph_check(roles, 3), FCP_ECAP_ROLE_CYCLE);
    roles[0].n_inherits = 0;
    /* self-inheritance is refused by validate */
    make_role(&roles[3], "role:x", "a", NULL, "role:x");
    CHECK_ERR(fcp_role_validate(&roles[3]), FCP_ECAP_ROLE_CYCLE);
    /* unknown parent */
    make_role(&roles[3], "role:x", "github", NULL, "role:ghost");
    CHECK_ERR(fcp_role_graph_check(roles, 4), FCP_ECAP_ROLE_UNKNOWN);
    /* duplicate ids */
    make_role(&roles[3], "role:dev", "github", NULL, NULL);
    CHECK_ERR(fcp_role_graph_check(roles, 4), FCP_ECAP_ROLE);
    /* depth */
    {
        static fcp_role_object chain[FCP_ROLE_MAX_DEPTH + 2];
        char id[32], par[32];
        for (int i = 0; i < FCP_ROLE_MAX_DEPTH + 2; i++) {
            snprintf(id, sizeof id, "role:r%02d", i);
            snprintf(par, sizeof par, "role:r%02d", i - 1);
            make_role(&chain[i], id, "g", NULL, i ? par : NULL);
        }
        CHECK_EQ(fcp_role_graph_check(chain, FCP_ROLE_MAX_DEPTH + 1), 0);
        CHECK_ERR(fcp_role_graph_check(chain, FCP_ROLE_MAX_DEPTH + 2), FCP_ECAP_ROLE_DEPTH);
    }
    /* assignment */
    memset(&a, 0, sizeof a);
    hdr(&a.header, fcp_role_assignment_schema);
    strcpy(a.role_id, "role:reviewer");
    strcpy(a.principal, "agent:claude");
    a.valid_from = 1700000000;
    a.valid_until = 1700086400;
    CHECK_EQ(fcp_role_assignment_sign(&a, owner_sk), 0);
    fcp_buf_reset(&b);
    CHECK_EQ(fcp_role_assignment_encode(&a, &b), 0);
    CHECK_EQ(fcp_role_assignment_decode(&aback, b.data, b.len), 0);
    CHECK_EQ(fcp_role_assignment_verify(&aback, owner_pk), 0);
    CHECK_EQ(fcp_role_resolve(roles, 3, &a, "agent:claude", 1700000500, &got), 0);
    CHECK(got == &roles[2]);
    CHECK_ERR(fcp_role_resolve(roles, 3, &a, "agent:mallory", 1700000500, &got), FCP_ECAP_ASSIGNMENT);
    CHECK_ERR(fcp_role_resolve(roles, 3, &a, "agent:claude", 1700086400, &got), FCP_ECAP_ASSIGNMENT);
    a.has_constraints = 1;
    a.constraints.has_max_calls = 1;
    a.constraints.max_calls = 6; /* role says 5 */
    CHECK_ERR(fcp_role_resolve(roles, 3, &a, "agent:claude", 1700000500, &got), FCP_ECAP_WIDENS);
    strcpy(a.role_id, "role:nobody");
    CHECK_ERR(fcp_role_resolve(roles, 3, &a, "agent:claude", 1700000500, &got), FCP_ECAP_ROLE_UNKNOWN);
    a.valid_until = a.valid_from;
    CHECK_ERR(fcp_role_assignment_validate(&a), FCP_ECAP_ASSIGNMENT);
    fcp_buf_free(&b);
}

/* ---- property: attenuation never widens ------------------------------------- */

static uint64_t rs = 0x243f6a8885a308d3ull;
static unsigned rnd(unsigned n)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (unsigned)(rs % n);
}

static const char *const pool[] = { "/a/", "/a/b/", "/a/b/c", "/b/", "/b/x", "/c" };

static void rand_constraints(fcp_cap_constraints *c)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < 6; i++)
        if (rnd(3) == 0)
            strcpy(c->resource_allow[c->n_resource_allow++], pool[i]);
    for (int i = 0; i < 6; i++)
        if (rnd(4) == 0)
            strcpy(c->resource_deny[c->n_resource_deny++], pool[i]);
    if (rnd(2)) {
        c->has_max_calls = 1;
        c->max_calls = rnd(20);
    }
    if (rnd(2)) {
        c->has_max_bytes = 1;
        c->max_bytes = rnd(1000);
    }
    static const char *const creds[] = { "cred:a", "cred:b", "cred:c" };
    for (int i = 0; i < 3; i++)
        if (rnd(2))
            strcpy(c->credential_allow[c->n_credential_allow++], creds[i]);
}

/* The semantic meaning of "allows": resource r (from the pool and its
 * extensions), call count k, byte count m, credential id. */
static int allows(const fcp_cap_constraints *c, const char *r, unsigned k, unsigned m, const char *cred)
{
    if (!fcp_cap_resource_allowed(c, r))
        return 0;
    if (c->has_max_calls && k > c->max_calls)
        return 0;
    if (c->has_max_bytes && m > c->max_bytes)
        return 0;
    for (size_t i = 0; i < c->n_credential_allow; i++)
        if (!strcmp(c->credential_allow[i], cred))
            return 1;
    return 0;
}

static void test_property_attenuation(void)
{
    static const char *const res[] = { "/a/", "/a/b/", "/a/b/c", "/a/b/c/d", "/a/z", "/b/", "/b/x",
                                       "/b/xy", "/c", "/cd", "/d" };
    static const char *const creds[] = { "cred:a", "cred:b", "cred:c" };
    fcp_cap_constraints p, c;
    int accepted = 0, violations = 0;
    for (int iter = 0; iter < 20000; iter++) {
        rand_constraints(&p);
        rand_constraints(&c);
        if (fcp_cap_constraints_narrows(&c, &p) != 0)
            continue;
        accepted++;
        for (int r = 0; r < 11; r++)
            for (unsigned k = 0; k < 22; k += 3)
                for (int cr = 0; cr < 3; cr++)
                    if (allows(&c, res[r], k, k * 40, creds[cr]) && !allows(&p, res[r], k, k * 40, creds[cr]))
                        violations++;
    }
    CHECK(accepted > 100);
    CHECK_EQ(violations, 0);
    /* and narrowing is reflexive */
    for (int iter = 0; iter < 100; iter++) {
        rand_constraints(&p);
        CHECK_EQ(fcp_cap_constraints_narrows(&p, &p), 0);
    }
}

static void test_network_narrowing(void)
{
    fcp_net_constraints p, c;
    fcp_net_constraints_default(&p);
    p.n_host_allow = 1;
    strcpy(p.host_allow[0], "*.example.com");
    p.n_port_allow = 1;
    p.port_allow[0] = 443;
    c = p;
    strcpy(c.host_allow[0], "api.example.com");
    CHECK_EQ(fcp_net_constraints_narrows(&c, &p), 0);
    strcpy(c.host_allow[0], "*.a.example.com");
    CHECK_EQ(fcp_net_constraints_narrows(&c, &p), 0);
    strcpy(c.host_allow[0], "example.org");
    CHECK_ERR(fcp_net_constraints_narrows(&c, &p), FCP_ECAP_WIDENS);
    c = p;
    c.n_port_allow = 0; /* any port */
    CHECK_ERR(fcp_net_constraints_narrows(&c, &p), FCP_ECAP_WIDENS);
    c = p;
    c.deny_localhost = 0;
    CHECK_ERR(fcp_net_constraints_narrows(&c, &p), FCP_ECAP_WIDENS);
    c = p;
    c.n_cidr_deny--;
    CHECK_ERR(fcp_net_constraints_narrows(&c, &p), FCP_ECAP_WIDENS);
    c = p;
    c.total_timeout_ms++;
    CHECK_ERR(fcp_net_constraints_narrows(&c, &p), FCP_ECAP_WIDENS);
    c = p;
    c.require_sni = 0;
    CHECK_ERR(fcp_net_constraints_narrows(&c, &p), FCP_ECAP_WIDENS);
}

int main(void)
{
    uint8_t seed[32];
    fcp_crypto_init();
    memset(seed, 0xa0, 32);
    fcp_ed25519_keypair_from_seed(owner_pk, owner_sk, seed);
    test_upstream_constraints();
    test_network();
    test_credential();
    test_cap_object();
    test_roles();
    test_property_attenuation();
    test_network_narrowing();
    return fcp_t_done("authz_cap");
}
