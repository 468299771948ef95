/*
 * vectors.h - the golden-vector generator's families.
 *
 * A family is a function that builds one JSON file: an array of entries
 * {"name", "description", "inputs", "expected"} in which byte strings are
 * lowercase hex under keys ending in "_hex" (the convention of
 * shared/vectors/upstream).  Every entry carries every input needed to
 * recompute it in another language.  Families never read the clock or a
 * global RNG: all keys, seeds and ephemeral ikm are fixed.
 */
#ifndef FCP_VECTORS_H
#define FCP_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

typedef struct vec_family {
    const char *dir;       /* under conformance/golden/, e.g. "model" */
    const char *file;      /* e.g. "zone_ids.json" */
    /* Build the array; NULL on an internal failure (message printed). */
    json_t *(*build)(void);
} vec_family;

/* The families of the object model (model_vectors.c). */
extern const vec_family vec_model_families[];
extern const size_t vec_model_family_count;
/* Zones, zone keys, checkpoints, leases (authz_zone_vectors.c). */
extern const vec_family vec_authz_zone_families[];
extern const size_t vec_authz_zone_family_count;
/* Capability objects, tokens, revocation (authz_token_vectors.c). */
extern const vec_family vec_authz_token_families[]; extern const size_t vec_authz_token_family_count;

/* Approvals, provenance, audit, operations, Appendix F (authz_audit_vectors.c). */
extern const vec_family vec_authz_audit_families[]; extern const size_t vec_authz_audit_family_count;
/* Helpers shared by family builders. */
json_t *vec_hex(const uint8_t *p, size_t n);
json_t *vec_entry(const char *name, const char *description, json_t *inputs, json_t *expected);

#endif
