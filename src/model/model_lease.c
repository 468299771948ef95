/*
 * model_lease.c - the generic Lease object codec and quorum signatures
 * (spec §15.1, review Change 11, D-LEASE-1).  The decoder accepts exactly
 * what the encoder emits.
 */
#include "fcp/model_lease.h"

#include <string.h>

#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/model_sign.h"
#include "model_authz_internal.h"
#include "model_internal.h"

#define TRY FCP_MA_TRY

static const char *const purpose_names[] = { "OperationExecution", "ConnectorStateWrite",
                                             "ComputationMigration" };
static const char *const tier_names[] = { "Safe", "Risky", "Dangerous" };

void fcp_lease_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.core", "Lease", 1, 0, 0);
}

const char *fcp_lease_purpose_name(int purpose)
{
    return purpose >= 0 && purpose < 3 ? purpose_names[purpose] : NULL;
}

const char *fcp_lease_tier_name(int tier)
{
    return tier >= 0 && tier < 3 ? tier_names[tier] : NULL;
}

int fcp_lease_validate(const fcp_lease *l)
{
    fcp_schema_id s;
    fcp_lease_schema(&s);
    TRY(fcp_object_header_validate(&l->header));
    if (!fcp_schema_id_equal(&l->header.schema, &s))
        return FCP_ESCHEMA_MISMATCH;
    if (!fcp_lease_purpose_name(l->purpose))
        return FCP_ELEASE_PURPOSE;
    if (!fcp_lease_tier_name(l->safety_tier))
        return FCP_ELEASE_TIER;
    TRY(fcp_node_id_validate(l->owner_node, strnlen(l->owner_node, FCP_NODE_ID_MAX + 1)));
    TRY(fcp_node_id_validate(l->coordinator, strnlen(l->coordinator, FCP_NODE_ID_MAX + 1)));
    if (l->exp <= l->iat)
        return FCP_ELEASE_TIMES;
    return fcp_ma_sigs_check(l->sigs, l->n_sigs);
}

static int encode(const fcp_lease *l, fcp_buf *out, int with_sig)
{
    fcp_cbor_enc e;
    int rc;
    TRY(fcp_lease_validate(l));
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    fcp_m_text_key(&e, "header");
    rc = fcp_object_header_encode_to(&l->header, &e);
    fcp_ma_put_kv_bytes(&e, "subject_object_id", l->subject_object_id, 32);
    fcp_ma_put_kv_text(&e, "purpose", purpose_names[l->purpose]);
    fcp_ma_put_kv_uint(&e, "lease_seq", l->lease_seq);
    fcp_ma_put_kv_text(&e, "owner_node", l->owner_node);
    fcp_ma_put_kv_text(&e, "coordinator", l->coordinator);
    fcp_ma_put_kv_uint(&e, "iat", l->iat);
    fcp_ma_put_kv_uint(&e, "exp", l->exp);
    fcp_ma_put_kv_text(&e, "safety_tier", tier_names[l->safety_tier]);
    if (with_sig) {
        fcp_m_text_key(&e, "quorum_signatures");
        int r = fcp_ma_sigs_encode(&e, l->sigs, l->n_sigs);
        if (r && !rc)
            rc = r;
    }
    fcp_cbor_map_close(&e);
    if (rc == 0)
        rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return rc;
}

int fcp_lease_encode(const fcp_lease *l, fcp_buf *out)
{
    return encode(l, out, 1);
}

int fcp_lease_encode_unsigned(const fcp_lease *l, fcp_buf *out)
{
    return encode(l, out, 0);
}

static int id_fn(const void *o, fcp_buf *out)
{
    return encode((const fcp_lease *)o, out, 0);
}

static int get_enum(fcp_cbor_dec *d, const char *const *names, int n, int *out, int err)
{
    const char *t;
    size_t tl;
    TRY(fcp_cbor_get_text(d, &t, &tl));
    for (int i = 0; i < n; i++)
        if (fcp_cbor_key_is(t, tl, names[i])) {
            *out = i;
            return 0;
        }
    return err;
}

static int decode(fcp_lease *l, const uint8_t *p, size_t n)
{
    static const char *const names[] = { "exp", "iat", "header", "purpose", "lease_seq",
                                         "owner_node", "coordinator", "safety_tier",
                                         "quorum_signatures", "subject_object_id" };
    fcp_cbor_limits lim;
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    const char *k;
    size_t kl;
    unsigned seen = 0;
    int rc;
    if (n > FCP_LEASE_MAX_ENCODED)
        return FCP_ETOO_LARGE;
    fcp_ma_limits(&lim);
    fcp_cbor_dec_init(&d, p, n, &lim);
    TRY(fcp_cbor_map_begin(&d, &it));
    while ((rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kl)) > 0) {
        int i = fcp_ma_key_index(k, kl, names, 10);
        if (i < 0)
            return FCP_EUNKNOWN_FIELD;
        seen |= 1u << i;
        switch (i) {
        case 0: TRY(fcp_cbor_get_uint(&d, &l->exp)); break;
        case 1: TRY(fcp_cbor_get_uint(&d, &l->iat)); break;
        case 2: TRY(fcp_object_header_decode_from(&l->header, &d)); break;
        case 3: TRY(get_enum(&d, purpose_names, 3, &l->purpose, FCP_ELEASE_PURPOSE)); break;
        case 4: TRY(fcp_cbor_get_uint(&d, &l->lease_seq)); break;
        case 5: TRY(fcp_ma_get_node(&d, l->owner_node)); break;
        case 6: TRY(fcp_ma_get_node(&d, l->coordinator)); break;
        case 7: TRY(get_enum(&d, tier_names, 3, &l->safety_tier, FCP_ELEASE_TIER)); break;
        case 8: TRY(fcp_ma_sigs_decode(&d, l->sigs, &l->n_sigs)); break;
        default: TRY(fcp_m_get_fixed(&d, l->subject_object_id, 32)); break;
        }
    }
    TRY(rc);
    TRY(fcp_cbor_dec_finish(&d));
    if (seen != 0x3ffu)
        return FCP_EMISSING_FIELD;
    return fcp_lease_validate(l);
}

int fcp_lease_decode(fcp_lease *l, const uint8_t *p, size_t n)
{
    memset(l, 0, sizeof *l);
    int rc = decode(l, p, n);
    if (rc)
        memset(l, 0, sizeof *l);
    return rc;
}

int fcp_lease_add_signature(fcp_lease *l, const char *node_id, size_t len, const uint8_t node_sk[64])
{
    fcp_schema_id s;
    fcp_buf b;
    uint8_t sig[FCP_SIG_BYTES];
    int rc;
    fcp_lease_schema(&s);
    fcp_buf_init(&b);
    rc = encode(l, &b, 0);
    if (rc == 0)
        rc = fcp_object_sign(sig, &s, b.data, b.len, node_sk);
    fcp_buf_free(&b);
    if (rc == 0)
        rc = fcp_ma_sigs_insert(l->sigs, &l->n_sigs, node_id, len, sig);
    return rc;
}

int fcp_lease_object_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_lease *l,
                        const fcp_object_id_key *key)
{
    return fcp_ma_object_id(out, l, id_fn, &l->header, key);
}
