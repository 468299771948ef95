/*
 * authz_cap.c - "child is no wider than parent" for constraints, grant lists
 * and role graphs (spec §7.5 attenuation, §7.6 roles; D-CAP-6).
 *
 * Every rule is monotone: a field the parent restricts must be restricted at
 * least as much by the child, and a field the parent leaves open may be
 * anything.  Lists that allow (resource_allow, hosts, ports, ips, pins,
 * credentials) must shrink; lists that deny (resource_deny, cidr_deny) must
 * grow; limits must not rise; deny/require booleans must not turn off.
 */
#include "fcp/authz_cap.h"

#include <string.h>

#include "fcp/error.h"

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* child allow-prefix list within parent allow-prefix list (empty = all). */
static int prefixes_within(const char (*child)[FCP_CAP_PREFIX_MAX + 1], size_t nc,
                           const char (*parent)[FCP_CAP_PREFIX_MAX + 1], size_t np)
{
    if (np == 0)
        return 1;
    if (nc == 0)
        return 0; /* child would allow everything */
    for (size_t i = 0; i < nc; i++) {
        int ok = 0;
        for (size_t j = 0; j < np && !ok; j++)
            ok = starts_with(child[i], parent[j]);
        if (!ok)
            return 0;
    }
    return 1;
}

/* every parent deny prefix is denied by the child too: some child deny
 * prefix is a prefix of it. */
static int denies_cover(const char (*child)[FCP_CAP_PREFIX_MAX + 1], size_t nc,
                        const char (*parent)[FCP_CAP_PREFIX_MAX + 1], size_t np)
{
    for (size_t j = 0; j < np; j++) {
        int ok = 0;
        for (size_t i = 0; i < nc && !ok; i++)
            ok = starts_with(parent[j], child[i]);
        if (!ok)
            return 0;
    }
    return 1;
}

static int host_pattern_within(const char *child, const fcp_net_constraints *parent)
{
    /* a child pattern "*.x" is within parent "*.y" when ".x" ends with ".y";
     * an exact child host uses the parent's matcher */
    if (child[0] == '*' && child[1] == '.') {
        size_t cl = strlen(child + 1);
        for (size_t i = 0; i < parent->n_host_allow; i++) {
            const char *p = parent->host_allow[i];
            if (p[0] == '*' && p[1] == '.') {
                size_t pl = strlen(p + 1);
                if (cl >= pl && memcmp(child + 1 + cl - pl, p + 1, pl) == 0)
                    return 1;
            }
        }
        return 0;
    }
    return fcp_net_host_allowed(parent, child);
}

static int strset_subset(const char *cb, size_t nc, size_t cs, const char *pb, size_t np, size_t ps)
{
    for (size_t i = 0; i < nc; i++) {
        int ok = 0;
        for (size_t j = 0; j < np && !ok; j++)
            ok = strcmp(cb + i * cs, pb + j * ps) == 0;
        if (!ok)
            return 0;
    }
    return 1;
}

int fcp_net_constraints_narrows(const fcp_net_constraints *c, const fcp_net_constraints *p)
{
    if (!p || !c)
        return 0; /* unconstrained parent, or a child inheriting it unchanged */
    /* hosts: empty host_allow allows no host, so a child list must fit */
    for (size_t i = 0; i < c->n_host_allow; i++)
        if (!host_pattern_within(c->host_allow[i], p))
            return FCP_ECAP_WIDENS;
    /* ports / ips / pins: empty = unrestricted */
    if (p->n_port_allow) {
        if (!c->n_port_allow)
            return FCP_ECAP_WIDENS;
        for (size_t i = 0; i < c->n_port_allow; i++) {
            int ok = 0;
            for (size_t j = 0; j < p->n_port_allow && !ok; j++)
                ok = c->port_allow[i] == p->port_allow[j];
            if (!ok)
                return FCP_ECAP_WIDENS;
        }
    }
    if (p->n_ip_allow && (!c->n_ip_allow || !strset_subset(c->ip_allow[0], c->n_ip_allow,
                                                           sizeof c->ip_allow[0], p->ip_allow[0],
                                                           p->n_ip_allow, sizeof p->ip_allow[0])))
        return FCP_ECAP_WIDENS;
    if (p->n_spki_pins && (!c->n_spki_pins || !strset_subset(c->spki_pins[0], c->n_spki_pins,
                                                             sizeof c->spki_pins[0], p->spki_pins[0],
                                                             p->n_spki_pins, sizeof p->spki_pins[0])))
        return FCP_ECAP_WIDENS;
    /* denials only grow */
    if (!strset_subset(p->cidr_deny[0], p->n_cidr_deny, sizeof p->cidr_deny[0], c->cidr_deny[0],
                       c->n_cidr_deny, sizeof c->cidr_deny[0]))
        return FCP_ECAP_WIDENS;
    if ((p->deny_localhost && !c->deny_localhost) || (p->deny_private_ranges && !c->deny_private_ranges) ||
        (p->deny_tailnet_ranges && !c->deny_tailnet_ranges) || (p->require_sni && !c->require_sni))
        return FCP_ECAP_WIDENS;
    if (c->connect_timeout_ms > p->connect_timeout_ms || c->total_timeout_ms > p->total_timeout_ms)
        return FCP_ECAP_WIDENS;
    return 0;
}

int fcp_cap_constraints_narrows(const fcp_cap_constraints *c, const fcp_cap_constraints *p)
{
    if (!c || !p)
        return 0;
    if (!prefixes_within(c->resource_allow, c->n_resource_allow, p->resource_allow, p->n_resource_allow))
        return FCP_ECAP_WIDENS;
    if (!denies_cover(c->resource_deny, c->n_resource_deny, p->resource_deny, p->n_resource_deny))
        return FCP_ECAP_WIDENS;
    if (p->has_max_calls && (!c->has_max_calls || c->max_calls > p->max_calls))
        return FCP_ECAP_WIDENS;
    if (p->has_max_bytes && (!c->has_max_bytes || c->max_bytes > p->max_bytes))
        return FCP_ECAP_WIDENS;
    if (p->has_idempotency_scope &&
        (!c->has_idempotency_scope || strcmp(c->idempotency_scope, p->idempotency_scope) != 0))
        return FCP_ECAP_WIDENS;
    if (p->has_network) {
        if (!c->has_network)
            return FCP_ECAP_WIDENS;
        if (fcp_net_constraints_narrows(&c->network, &p->network))
            return FCP_ECAP_WIDENS;
    }
    /* credentials: an empty list injects nothing, so a child may only drop */
    if (!strset_subset(c->credential_allow[0], c->n_credential_allow, sizeof c->credential_allow[0],
                       p->credential_allow[0], p->n_credential_allow, sizeof p->credential_allow[0]))
        return FCP_ECAP_WIDENS;
    return 0;
}

int fcp_cap_grant_covered(const fcp_cap_grant *g, const fcp_cap_grant *set, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(g->capability, set[i].capability) != 0)
            continue;
        if (!set[i].has_operation)
            return 1;
        if (g->has_operation && strcmp(g->operation, set[i].operation) == 0)
            return 1;
    }
    return 0;
}

int fcp_cap_grants_subset(const fcp_cap_grant *child, size_t n_child, const fcp_cap_grant *parent,
                          size_t n_parent)
{
    for (size_t i = 0; i < n_child; i++)
        if (!fcp_cap_grant_covered(&child[i], parent, n_parent))
            return FCP_ECAP_ROLE_WIDENS;
    return 0;
}

int fcp_cap_resource_allowed(const fcp_cap_constraints *c, const char *resource)
{
    int ok = c->n_resource_allow == 0;
    for (size_t i = 0; i < c->n_resource_allow && !ok; i++)
        ok = starts_with(resource, c->resource_allow[i]);
    for (size_t i = 0; i < c->n_resource_deny && ok; i++)
        if (starts_with(resource, c->resource_deny[i]))
            ok = 0;
    return ok;
}

/* ---- role graph ------------------------------------------------------------ */

#define ROLE_GRAPH_MAX 4096

static long find_role(const fcp_role_object *roles, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(roles[i].role_id, id) == 0)
            return (long)i;
    return -1;
}

/* DFS with colours (0 white, 1 grey, 2 black) computing each role's height
 * (the longest inheritance chain above it, memoised in height[]).  Recursion
 * is bounded: a chain longer than FCP_ROLE_MAX_DEPTH fails before descending
 * further, and a grey node met again is a cycle. */
static int visit(const fcp_role_object *roles, size_t n, size_t v, unsigned char *colour,
                 unsigned char *height, unsigned depth)
{
    if (colour[v] == 1)
        return FCP_ECAP_ROLE_CYCLE;
    if (colour[v] == 2)
        return depth + height[v] > FCP_ROLE_MAX_DEPTH ? FCP_ECAP_ROLE_DEPTH : 0;
    if (depth > FCP_ROLE_MAX_DEPTH)
        return FCP_ECAP_ROLE_DEPTH;
    colour[v] = 1;
    unsigned h = 0;
    for (size_t i = 0; i < roles[v].n_inherits; i++) {
        long p = find_role(roles, n, roles[v].inherits[i]);
        if (p < 0)
            return FCP_ECAP_ROLE_UNKNOWN;
        int rc = visit(roles, n, (size_t)p, colour, height, depth + 1);
        if (rc)
            return rc;
        if (height[p] + 1u > h)
            h = height[p] + 1u;
    }
    if (h > FCP_ROLE_MAX_DEPTH)
        return FCP_ECAP_ROLE_DEPTH;
    height[v] = (unsigned char)h;
    colour[v] = 2;
    return 0;
}

static int role_attenuates(const fcp_role_object *roles, size_t n, const fcp_role_object *r)
{
    if (r->n_inherits == 0)
        return 0;
    for (size_t g = 0; g < r->n_grants; g++) {
        int covered = 0;
        for (size_t i = 0; i < r->n_inherits; i++) {
            const fcp_role_object *p = &roles[find_role(roles, n, r->inherits[i])];
            if (!fcp_cap_grant_covered(&r->grants[g], p->grants, p->n_grants))
                continue;
            covered = 1;
            /* the child's constraints must narrow this parent's */
            if (p->has_constraints &&
                fcp_cap_constraints_narrows(r->has_constraints ? &r->constraints : NULL, &p->constraints))
                return FCP_ECAP_WIDENS;
            if (p->has_constraints && !r->has_constraints)
                return FCP_ECAP_WIDENS; /* dropping a parent's constraints widens */
        }
        if (!covered)
            return FCP_ECAP_ROLE_WIDENS;
    }
    return 0;
}

int fcp_role_graph_check(const fcp_role_object *roles, size_t n)
{
    unsigned char colour[ROLE_GRAPH_MAX], height[ROLE_GRAPH_MAX];
    if (n > ROLE_GRAPH_MAX)
        return FCP_ELIMIT;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(roles[i].role_id, roles[j].role_id) == 0)
                return FCP_ECAP_ROLE;
    memset(colour, 0, n);
    for (size_t i = 0; i < n; i++) {
        int rc = visit(roles, n, i, colour, height, 0);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < n; i++) {
        int rc = role_attenuates(roles, n, &roles[i]);
        if (rc)
            return rc;
    }
    return 0;
}

int fcp_role_resolve(const fcp_role_object *roles, size_t n, const fcp_role_assignment *asg,
                     const char *principal, uint64_t now, const fcp_role_object **role)
{
    *role = NULL;
    if (strcmp(asg->principal, principal) != 0 || now < asg->valid_from || now >= asg->valid_until)
        return FCP_ECAP_ASSIGNMENT;
    long r = find_role(roles, n, asg->role_id);
    if (r < 0)
        return FCP_ECAP_ROLE_UNKNOWN;
    int rc = fcp_role_graph_check(roles, n);
    if (rc)
        return rc;
    if (asg->has_constraints && roles[r].has_constraints &&
        fcp_cap_constraints_narrows(&asg->constraints, &roles[r].constraints))
        return FCP_ECAP_WIDENS;
    *role = &roles[r];
    return 0;
}
