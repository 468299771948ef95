/*
 * authz_provenance.c - provenance merge, zone crossings, digests and the
 * taint rules of spec §6.2 (D-DEC-2).  See authz_provenance.h.
 */
#include "fcp/authz_provenance.h"

#include <string.h>

#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"

#define TRY(x)                 \
    do {                       \
        int rc_ = (x);         \
        if (rc_ < 0)           \
            return rc_;        \
    } while (0)

/* Validate by encoding (the encoder runs the header's provenance checks). */
static int prov_check(const fcp_provenance *p, fcp_buf *b)
{
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, b);
    int rc = fcp_provenance_encode_to(p, &e);
    if (rc == 0)
        rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return rc;
}

int fcp_provenance_merge(fcp_provenance *out, const fcp_provenance *in, size_t n, uint64_t now)
{
    fcp_buf b;
    size_t lo = 0;
    uint32_t eff = 0;
    if (n == 0 || n > FCP_PROVENANCE_MERGE_MAX || !in || !out)
        return FCP_EINVAL;
    fcp_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        fcp_buf_reset(&b);
        int rc = prov_check(&in[i], &b);
        if (rc) {
            fcp_buf_free(&b);
            return rc;
        }
        if (strcmp(in[i].current_zone, in[0].current_zone) != 0) {
            fcp_buf_free(&b);
            return FCP_EZONE_VIOLATION;
        }
        if (in[i].origin_integrity < in[lo].origin_integrity)
            lo = i;
        eff |= fcp_provenance_effective_taint(&in[i]);
    }
    fcp_buf_free(&b);
    memset(out, 0, sizeof *out);
    memcpy(out->origin_zone, in[lo].origin_zone, sizeof out->origin_zone);
    memcpy(out->current_zone, in[0].current_zone, sizeof out->current_zone);
    out->has_origin_principal = in[lo].has_origin_principal;
    memcpy(out->origin_principal, in[lo].origin_principal, sizeof out->origin_principal);
    out->origin_integrity = in[lo].origin_integrity;
    out->origin_confidentiality = in[0].origin_confidentiality;
    for (size_t i = 0; i < n; i++) {
        if (in[i].origin_confidentiality > out->origin_confidentiality)
            out->origin_confidentiality = in[i].origin_confidentiality;
        out->taint |= in[i].taint;
        for (size_t r = 0; r < in[i].n_reductions; r++) {
            fcp_taint_reduction red = in[i].reductions[r];
            red.clears &= ~eff & out->taint & FCP_TAINT_ALL;
            if (red.clears && out->n_reductions < FCP_HDR_MAX_REDUCTIONS)
                out->reductions[out->n_reductions++] = red;
        }
        for (size_t c = 0; c < in[i].n_crossings; c++) {
            if (out->n_crossings >= FCP_HDR_MAX_CROSSINGS)
                return FCP_ELIMIT;
            out->crossings[out->n_crossings++] = in[i].crossings[c];
        }
    }
    /* A reduction kept from input i may only name flags raised by inputs
     * 0..i; flags first raised by a later input that are also cleared there
     * need that later input's own reduction, which is kept too.  Re-narrow
     * against the final taint so every kept clear is a raised flag. */
    for (size_t r = 0; r < out->n_reductions; r++)
        out->reductions[r].clears &= out->taint;
    out->created_at = now;
    return 0;
}

int fcp_provenance_cross_zone(fcp_provenance *p, const char *to, uint64_t now,
                              const uint8_t *authorized_by)
{
    size_t tl = strnlen(to, FCP_ZONE_ID_MAX + 1);
    TRY(fcp_zone_id_validate(to, tl));
    if (p->n_crossings >= FCP_HDR_MAX_CROSSINGS)
        return FCP_ELIMIT;
    fcp_zone_crossing *c = &p->crossings[p->n_crossings];
    memset(c, 0, sizeof *c);
    memcpy(c->from_zone, p->current_zone, sizeof c->from_zone);
    memcpy(c->to_zone, to, tl + 1);
    c->crossed_at = now;
    if (authorized_by) {
        c->has_authorized_by = 1;
        memcpy(c->authorized_by, authorized_by, FCP_OBJECT_ID_BYTES);
    }
    p->n_crossings++;
    memcpy(p->current_zone, to, tl + 1);
    return 0;
}

int fcp_provenance_digest(uint8_t out[FCP_PROVENANCE_DIGEST_BYTES], const fcp_provenance *p)
{
    /* a maximal provenance (16 reductions, 32 crossings) encodes to about
     * 9 KiB; 16 KiB of stack keeps the common case allocation-free */
    uint8_t mem[16384];
    fcp_buf b;
    fcp_buf_init_fixed(&b, mem, sizeof mem);
    fcp_buf_append(&b, "FCP2-PROVENANCE-V1", 18);
    int rc = prov_check(p, &b);
    if (rc == FCP_EBUFFER_TOO_SMALL) {
        fcp_buf_init(&b);
        fcp_buf_append(&b, "FCP2-PROVENANCE-V1", 18);
        rc = prov_check(p, &b);
        if (rc == 0)
            fcp_blake3(out, b.data, b.len);
        fcp_buf_free(&b);
        return rc;
    }
    if (rc == 0)
        fcp_blake3(out, b.data, b.len);
    return rc;
}

uint32_t fcp_provenance_verified_taint(const fcp_provenance *p,
                                       const uint8_t (*accepted)[FCP_OBJECT_ID_BYTES],
                                       size_t n_accepted, uint32_t *ignored)
{
    uint32_t t = p->taint, claimed = 0;
    size_t nr = p->n_reductions < FCP_HDR_MAX_REDUCTIONS ? p->n_reductions : FCP_HDR_MAX_REDUCTIONS;
    for (size_t r = 0; r < nr; r++) {
        int ok = 0;
        for (size_t a = 0; a < n_accepted && !ok; a++)
            ok = memcmp(p->reductions[r].by_attestation, accepted[a], FCP_OBJECT_ID_BYTES) == 0;
        if (ok)
            t &= ~p->reductions[r].clears;
        else
            claimed |= p->reductions[r].clears;
    }
    if (ignored)
        *ignored = claimed & t;
    return t;
}

int fcp_taint_check(uint32_t taint, int tier, uint8_t origin_integrity, uint8_t target_integrity)
{
    /* spec §6.2 rule 1 */
    if ((taint & FCP_TAINT_PUBLIC_INPUT) && tier >= FCP_OP_TIER_DANGEROUS)
        return FCP_EDEC_PUBLIC_DANGEROUS;
    /* spec §6.2 rule 2 */
    if (taint != 0 && tier >= FCP_OP_TIER_RISKY && target_integrity > origin_integrity)
        return FCP_EDEC_INTEGRITY_UPHILL;
    return 0;
}
