/*
 * authz_cap.h - attenuation and role resolution over capability objects
 * (spec §7.3, §7.5 "attenuation MUST ONLY RESTRICT", §7.6 roles).
 *
 * The one question this module answers is "is child no wider than parent?",
 * for constraints (fcp_cap_constraints_narrows), for grant lists
 * (fcp_cap_grants_subset) and for a role graph (fcp_role_resolve, which
 * also rejects cycles and unknown parents).  D-CAP-6 gives the per-field
 * rules.  Pure functions over caller-owned values; no allocation.
 */
#ifndef FCP_AUTHZ_CAP_H
#define FCP_AUTHZ_CAP_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/model_cap.h"

/* 0 if child restricts parent or equals it; FCP_ECAP_WIDENS if any field of
 * child allows something parent does not.  A NULL parent means
 * "unconstrained" (anything narrows it); a NULL child means "inherits parent
 * unchanged" (0). */
int fcp_cap_constraints_narrows(const fcp_cap_constraints *child, const fcp_cap_constraints *parent);
int fcp_net_constraints_narrows(const fcp_net_constraints *child, const fcp_net_constraints *parent);

/* 1 if grant g is covered by some entry of set[0..n): same capability and
 * either the set entry has no operation (capability-wide) or the same
 * operation. */
int fcp_cap_grant_covered(const fcp_cap_grant *g, const fcp_cap_grant *set, size_t n);

/* 0 if every child grant is covered by parents; else FCP_ECAP_ROLE_WIDENS. */
int fcp_cap_grants_subset(const fcp_cap_grant *child, size_t n_child, const fcp_cap_grant *parent,
                          size_t n_parent);

/* 1 if resource is allowed: it starts with some resource_allow prefix (or
 * the list is empty) and with no resource_deny prefix. */
int fcp_cap_resource_allowed(const fcp_cap_constraints *c, const char *resource);

/* Role graph check over roles[0..n) (all of them, typically every role of a
 * zone): every inherits entry names a role in the array
 * (FCP_ECAP_ROLE_UNKNOWN), the graph is acyclic (FCP_ECAP_ROLE_CYCLE),
 * no chain is longer than FCP_ROLE_MAX_DEPTH (FCP_ECAP_ROLE_DEPTH), and every
 * role with parents attenuates: its grants are covered by the union of its
 * parents' grants (FCP_ECAP_ROLE_WIDENS) and its constraints narrow those of
 * every parent that covers one of its grants (FCP_ECAP_WIDENS).  Roles
 * with duplicate role_id are FCP_ECAP_ROLE.  n <= 4096 (FCP_ELIMIT). */
int fcp_role_graph_check(const fcp_role_object *roles, size_t n);

/* Effective authority of a principal through an assignment: the assignment
 * must name principal, be valid at now (FCP_ECAP_ASSIGNMENT), its role must
 * be in roles (FCP_ECAP_ROLE_UNKNOWN) and the graph must check.  On success
 * *role points at the assigned role (its grants are the effective grants;
 * attenuation means no parent grant is added). */
int fcp_role_resolve(const fcp_role_object *roles, size_t n, const fcp_role_assignment *asg,
                     const char *principal, uint64_t now, const fcp_role_object **role);

#endif
