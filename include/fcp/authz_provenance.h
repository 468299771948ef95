/*
 * authz_provenance.h - provenance propagation and the taint rules that decide
 * invocations (spec §6.1-§6.3, D-DEC-2).
 *
 *   merge      combine the provenance of several inputs into the provenance
 *              of the result: lowest integrity, highest confidentiality,
 *              union of (effective) taint, zone crossings concatenated
 *   cross_zone record a move of data into another zone
 *   taint      effective taint counting only reductions backed by an
 *              accepted sanitizer receipt, and the two §6.2 rules
 *
 * Pure functions over fcp_provenance (model_object.h); no allocation.
 */
#ifndef FCP_AUTHZ_PROVENANCE_H
#define FCP_AUTHZ_PROVENANCE_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/model_object.h"

#define FCP_PROVENANCE_DIGEST_BYTES 32
#define FCP_PROVENANCE_MERGE_MAX    64   /* inputs of one merge */

/* Merge in[0..n) (1 <= n <= FCP_PROVENANCE_MERGE_MAX) into *out (D-DEC-2):
 *   origin_integrity       = min over inputs; origin_zone and origin_principal
 *                            come from the first input with that minimum
 *   origin_confidentiality = max over inputs
 *   current_zone           = the inputs' common current zone (all inputs must
 *                            be in the same zone: FCP_EZONE_VIOLATION)
 *   taint                  = OR of the raw taints; a reduction is kept, with
 *                            its clears narrowed to flags that no input still
 *                            carries after its own reductions, so that
 *                            effective_taint(out) == OR of effective_taint(in[i])
 *                            (a reduction never clears another input's taint);
 *                            beyond FCP_HDR_MAX_REDUCTIONS reductions are
 *                            dropped (more taint, never less)
 *   zone_crossings         = concatenation in input order (FCP_ELIMIT above
 *                            FCP_HDR_MAX_CROSSINGS)
 *   created_at             = now
 * FCP_EINVAL for n out of range; input validation errors as the header
 * validator.  out may not alias an input. */
int fcp_provenance_merge(fcp_provenance *out, const fcp_provenance *in, size_t n, uint64_t now);

/* Record a crossing of p from its current zone into `to` at now (spec §6.2
 * cross_zone): appends {from: current_zone, to, crossed_at: now,
 * authorized_by} (authorized_by may be NULL) and sets current_zone = to.
 * Zone errors; FCP_ELIMIT when the crossing list is full. */
int fcp_provenance_cross_zone(fcp_provenance *p, const char *to, uint64_t now,
                              const uint8_t *authorized_by);

/* digest = BLAKE3("FCP2-PROVENANCE-V1" || canonical CBOR of p): what an
 * Elevation approval's original_provenance is compared by. */
int fcp_provenance_digest(uint8_t out[FCP_PROVENANCE_DIGEST_BYTES], const fcp_provenance *p);

/* Effective taint of p counting only the reductions whose by_attestation is
 * one of accepted[0..n_accepted) (verified sanitizer receipts).  *ignored (may
 * be NULL) receives the flags that reductions without an accepted receipt
 * claimed to clear and that are still set. */
uint32_t fcp_provenance_verified_taint(const fcp_provenance *p,
                                       const uint8_t (*accepted)[FCP_OBJECT_ID_BYTES],
                                       size_t n_accepted, uint32_t *ignored);

/* Safety tiers (spec §7.2) as the decision layer numbers them. */
#define FCP_OP_TIER_SAFE      0
#define FCP_OP_TIER_RISKY     1
#define FCP_OP_TIER_DANGEROUS 2
#define FCP_OP_TIER_FORBIDDEN 3

/* The §6.2 can_invoke rules for effective taint `taint`, an operation of
 * tier `tier` and a target zone of integrity `target_integrity`:
 *   rule 1: PUBLIC_INPUT and tier >= Dangerous -> FCP_EDEC_PUBLIC_DANGEROUS
 *   rule 2: any taint, tier >= Risky and target_integrity > origin_integrity
 *           -> FCP_EDEC_INTEGRITY_UPHILL
 * Both mean "needs an Elevation approval".  0 when neither applies. */
int fcp_taint_check(uint32_t taint, int tier, uint8_t origin_integrity, uint8_t target_integrity);

#endif
