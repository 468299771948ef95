/*
 * model_zone.c - ZoneDefinitionObject, ZonePolicyObject and ZoneCheckpoint
 * codecs and signatures (spec §5.2.1, §5.3, §3.8; D-ZONE-1, -4, -5, -7).
 * Each decoder accepts exactly what its encoder emits.
 */
#include "fcp/model_zone.h"

#include <string.h>

#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/model_sign.h"
#include "model_authz_internal.h"
#include "model_internal.h"

#define TRY FCP_MA_TRY

void fcp_zone_definition_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.core", "ZoneDefinitionObject", 1, 0, 0);
}

void fcp_zone_policy_object_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.core", "ZonePolicyObject", 1, 0, 0);
}

void fcp_zone_checkpoint_schema(fcp_schema_id *s)
{
    fcp_schema_id_init(s, "fcp.core", "ZoneCheckpoint", 1, 0, 0);
}

static int zone_ok(const char *z)
{
    return fcp_zone_id_validate(z, strnlen(z, FCP_ZONE_ID_MAX + 1));
}

static int name_ok(const char *s, size_t n)
{
    if (n == 0 || n > FCP_ZONE_NAME_MAX)
        return FCP_EZONE_NAME;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
            return FCP_EZONE_NAME;
    return 0;
}

int fcp_zone_pattern_validate(const char *p, size_t n)
{
    if (n == 0 || n > FCP_ZONE_PATTERN_MAX)
        return FCP_EZONE_PATTERN;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c <= 0x20 || c >= 0x7f || (c == '*' && i != n - 1))
            return FCP_EZONE_PATTERN;
    }
    return 0;
}

/* strictly ascending list of node ids */
static int node_list_ok(const char (*l)[FCP_NODE_ID_MAX + 1], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strnlen(l[i], FCP_NODE_ID_MAX + 1);
        TRY(fcp_node_id_validate(l[i], len));
        if (i > 0) {
            int c = fcp_node_id_cmp((const uint8_t *)l[i - 1], strlen(l[i - 1]),
                                    (const uint8_t *)l[i], len);
            if (c == 0)
                return FCP_EDUPLICATE_SIGNER;
            if (c > 0)
                return FCP_EUNSORTED_SIGNERS;
        }
    }
    return 0;
}

uint64_t fcp_zone_definition_faults(const fcp_zone_definition *d)
{
    if (d->has_max_faults)
        return d->max_faults;
    return d->n_signers ? (d->n_signers - 1) / 3 : 0;
}

int fcp_zone_definition_validate(const fcp_zone_definition *d)
{
    fcp_schema_id s;
    TRY(zone_ok(d->zone_id));
    fcp_zone_definition_schema(&s);
    TRY(fcp_ma_check_header(&d->header, &s, d->zone_id));
    TRY(name_ok(d->name, strnlen(d->name, FCP_ZONE_NAME_MAX + 1)));
    if (d->integrity_level > FCP_ZONE_LEVEL_MAX || d->confidentiality_level > FCP_ZONE_LEVEL_MAX)
        return FCP_EZONE_LEVEL;
    if (d->symbol_port == 0 || d->control_port == 0 || d->symbol_port == d->control_port)
        return FCP_EZONE_PORT;
    if (d->version == 0 || (!d->has_prev && d->version != 1))
        return FCP_EZONE_VERSION;
    if (d->n_signers == 0)
        return FCP_EZONE_QUORUM_CONFIG;
    if (d->n_signers > FCP_ZONE_MAX_SIGNERS)
        return FCP_ELIMIT;
    TRY(node_list_ok(d->quorum_signers, d->n_signers));
    /* 2f < n: a Dangerous/Critical quorum (n - f) is at least f + 1 */
    if (d->has_max_faults && d->max_faults >= (d->n_signers + 1) / 2)
        return FCP_EZONE_QUORUM_CONFIG;
    return 0;
}

static int def_encode(const fcp_zone_definition *d, fcp_buf *out, int with_sig)
{
    fcp_cbor_enc e;
    int rc;
    TRY(fcp_zone_definition_validate(d));
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    rc = fcp_ma_put_header(&e, &d->header);
    fcp_cbor_put_kv_text(&e, "zone_id", d->zone_id);
    fcp_cbor_put_kv_text(&e, "name", d->name);
    fcp_cbor_put_kv_uint(&e, "integrity_level", d->integrity_level);
    fcp_cbor_put_kv_uint(&e, "confidentiality_level", d->confidentiality_level);
    fcp_cbor_put_kv_uint(&e, "symbol_port", d->symbol_port);
    fcp_cbor_put_kv_uint(&e, "control_port", d->control_port);
    fcp_cbor_put_kv_bytes(&e, "policy_object_id", d->policy_object_id, 32);
    if (d->has_prev)
        fcp_cbor_put_kv_bytes(&e, "prev", d->prev, 32);
    fcp_cbor_put_kv_uint(&e, "version", d->version);
    fcp_m_text_key(&e, "quorum_signers");
    fcp_cbor_put_array(&e, d->n_signers);
    for (size_t i = 0; i < d->n_signers; i++)
        fcp_cbor_put_text(&e, d->quorum_signers[i], strlen(d->quorum_signers[i]));
    if (d->has_max_faults)
        fcp_cbor_put_kv_uint(&e, "max_faults", d->max_faults);
    if (with_sig)
        fcp_cbor_put_kv_bytes(&e, "signature", d->signature, 64);
    return fcp_ma_enc_close(&e, rc);
}

int fcp_zone_definition_encode(const fcp_zone_definition *d, fcp_buf *out)
{
    return def_encode(d, out, 1);
}

int fcp_zone_definition_encode_unsigned(const fcp_zone_definition *d, fcp_buf *out)
{
    return def_encode(d, out, 0);
}

static int def_unsigned_fn(const void *o, fcp_buf *out)
{
    return def_encode((const fcp_zone_definition *)o, out, 0);
}

static int def_full_fn(const void *o, fcp_buf *out)
{
    return def_encode((const fcp_zone_definition *)o, out, 1);
}

static int get_u(fcp_cbor_dec *d, uint64_t max, uint64_t *v)
{
    int rc = fcp_cbor_get_uint(d, v);
    if (rc)
        return rc;
    return *v > max ? FCP_ECBOR_INT_RANGE : 0;
}

static int get_zone(fcp_cbor_dec *d, char *out)
{
    return fcp_m_get_text(d, out, FCP_ZONE_ID_MAX, fcp_zone_id_validate, FCP_EZONE_ID_TOO_LONG);
}

static const char *const def_keys[] = {
    "name", "prev", "header", "version", "zone_id", "signature", "max_faults",
    "symbol_port", "control_port", "quorum_signers", "integrity_level", "policy_object_id",
    "confidentiality_level"
};

static int def_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_zone_definition *o = obj;
    uint64_t v;
    switch (i) {
    case 0: return fcp_m_get_text(d, o->name, FCP_ZONE_NAME_MAX, name_ok, FCP_EZONE_NAME);
    case 1:
        TRY(fcp_m_get_fixed(d, o->prev, 32));
        o->has_prev = 1;
        return 0;
    case 2: return fcp_object_header_decode_from(&o->header, d);
    case 3: return fcp_cbor_get_uint(d, &o->version);
    case 4: return get_zone(d, o->zone_id);
    case 5: return fcp_m_get_fixed(d, o->signature, 64);
    case 6:
        TRY(fcp_cbor_get_uint(d, &o->max_faults));
        o->has_max_faults = 1;
        return 0;
    case 7: TRY(get_u(d, UINT16_MAX, &v)); o->symbol_port = (uint16_t)v; return 0;
    case 8: TRY(get_u(d, UINT16_MAX, &v)); o->control_port = (uint16_t)v; return 0;
    case 9: {
        uint64_t cnt;
        TRY(fcp_cbor_get_array(d, &cnt));
        if (cnt > FCP_ZONE_MAX_SIGNERS)
            return FCP_ELIMIT;
        for (size_t s = 0; s < cnt; s++)
            TRY(fcp_m_get_node(d, o->quorum_signers[s]));
        o->n_signers = (size_t)cnt;
        return 0;
    }
    case 10: TRY(get_u(d, UINT8_MAX, &v)); o->integrity_level = (uint8_t)v; return 0;
    case 11: return fcp_m_get_fixed(d, o->policy_object_id, 32);
    default: TRY(get_u(d, UINT8_MAX, &v)); o->confidentiality_level = (uint8_t)v; return 0;
    }
}

static int def_decode(void *obj, const uint8_t *p, size_t n)
{
    fcp_cbor_dec d;
    unsigned seen = 0;
    TRY(fcp_ma_dec_init(&d, p, n, FCP_ZONE_MAX_ENCODED));
    TRY(fcp_cbor_read_fields(&d, def_keys, 13, def_field, obj, &seen));
    TRY(fcp_cbor_dec_finish(&d));
    if ((seen & 0x1fbdu) != 0x1fbdu)
        return FCP_EMISSING_FIELD;
    return fcp_zone_definition_validate(obj);
}

int fcp_zone_definition_decode(fcp_zone_definition *d, const uint8_t *p, size_t n)
{
    return fcp_m_decode_zeroed(d, sizeof *d, p, n, def_decode);
}

int fcp_zone_definition_sign(fcp_zone_definition *d, const uint8_t owner_sk[64])
{
    return fcp_ma_sign(d, def_unsigned_fn, fcp_zone_definition_schema, owner_sk, d->signature);
}

int fcp_zone_definition_verify(const fcp_zone_definition *d, const uint8_t owner_pk[32])
{
    return fcp_ma_verify(d, def_unsigned_fn, fcp_zone_definition_schema, owner_pk, d->signature);
}

int fcp_zone_definition_object_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_zone_definition *d,
                                  const fcp_object_id_key *key)
{
    return fcp_ma_object_id(out, d, def_full_fn, &d->header, key);
}

/* ---- ZonePolicyObject ----------------------------------------------------- */

/* The pattern lists, then the one boolean, of a ZonePolicy map. */
static const char *const policy_keys[FCP_ZP_LISTS + 1] = {
    "principals_allow", "principals_deny", "connectors_allow",
    "connectors_deny", "cap_allow", "cap_deny", "default_deny"
};

int fcp_zone_policy_validate(const fcp_zone_policy *p)
{
    for (int l = 0; l < FCP_ZP_LISTS; l++) {
        if (p->n[l] > FCP_ZONE_PATTERNS_MAX)
            return FCP_ELIMIT;
        for (size_t i = 0; i < p->n[l]; i++) {
            size_t len = strnlen(p->pat[l][i], FCP_ZONE_PATTERN_MAX + 1);
            TRY(fcp_zone_pattern_validate(p->pat[l][i], len));
            if (i > 0 && fcp_node_id_cmp((const uint8_t *)p->pat[l][i - 1], strlen(p->pat[l][i - 1]),
                                         (const uint8_t *)p->pat[l][i], len) >= 0)
                return FCP_EZONE_PATTERN_ORDER;
        }
    }
    return 0;
}

int fcp_zone_policy_object_validate(const fcp_zone_policy_object *o)
{
    fcp_schema_id s;
    TRY(zone_ok(o->zone_id));
    fcp_zone_policy_object_schema(&s);
    TRY(fcp_ma_check_header(&o->header, &s, o->zone_id));
    TRY(fcp_zone_policy_validate(&o->policy));
    if (o->version == 0 || (!o->has_prev && o->version != 1))
        return FCP_EZONE_VERSION;
    return 0;
}

static int pol_encode(const fcp_zone_policy_object *o, fcp_buf *out, int with_sig)
{
    fcp_cbor_enc e;
    int rc;
    TRY(fcp_zone_policy_object_validate(o));
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    rc = fcp_ma_put_header(&e, &o->header);
    fcp_cbor_put_kv_text(&e, "zone_id", o->zone_id);
    fcp_m_text_key(&e, "policy");
    fcp_cbor_map_open(&e);
    for (int l = 0; l < FCP_ZP_LISTS; l++) {
        fcp_m_text_key(&e, policy_keys[l]);
        fcp_cbor_put_array(&e, o->policy.n[l]);
        for (size_t i = 0; i < o->policy.n[l]; i++)
            fcp_cbor_put_text(&e, o->policy.pat[l][i], strlen(o->policy.pat[l][i]));
    }
    fcp_m_text_key(&e, policy_keys[FCP_ZP_LISTS]);
    fcp_cbor_put_bool(&e, o->policy.default_deny);
    fcp_cbor_map_close(&e);
    if (o->has_prev)
        fcp_cbor_put_kv_bytes(&e, "prev", o->prev, 32);
    fcp_cbor_put_kv_uint(&e, "version", o->version);
    if (with_sig)
        fcp_cbor_put_kv_bytes(&e, "signature", o->signature, 64);
    return fcp_ma_enc_close(&e, rc);
}

int fcp_zone_policy_object_encode(const fcp_zone_policy_object *o, fcp_buf *out)
{
    return pol_encode(o, out, 1);
}

int fcp_zone_policy_object_encode_unsigned(const fcp_zone_policy_object *o, fcp_buf *out)
{
    return pol_encode(o, out, 0);
}

static int pol_unsigned_fn(const void *o, fcp_buf *out)
{
    return pol_encode((const fcp_zone_policy_object *)o, out, 0);
}

static int pol_full_fn(const void *o, fcp_buf *out)
{
    return pol_encode((const fcp_zone_policy_object *)o, out, 1);
}

static int pattern_ok(const char *s, size_t n)
{
    return fcp_zone_pattern_validate(s, n);
}

static int policy_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_zone_policy *p = obj;
    uint64_t cnt;
    if (i == FCP_ZP_LISTS)
        return fcp_cbor_get_bool(d, &p->default_deny);
    TRY(fcp_cbor_get_array(d, &cnt));
    if (cnt > FCP_ZONE_PATTERNS_MAX)
        return FCP_ELIMIT;
    for (size_t j = 0; j < cnt; j++)
        TRY(fcp_m_get_text(d, p->pat[i][j], FCP_ZONE_PATTERN_MAX, pattern_ok, FCP_EZONE_PATTERN));
    p->n[i] = (size_t)cnt;
    return 0;
}

static int get_policy(fcp_cbor_dec *d, fcp_zone_policy *p)
{
    unsigned seen = 0;
    TRY(fcp_cbor_read_fields(d, policy_keys, FCP_ZP_LISTS + 1, policy_field, p, &seen));
    return seen == 0x7fu ? 0 : FCP_EMISSING_FIELD;
}

static const char *const pol_keys[] = { "prev", "header", "policy", "version", "zone_id",
                                        "signature" };

static int pol_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_zone_policy_object *o = obj;
    switch (i) {
    case 0:
        TRY(fcp_m_get_fixed(d, o->prev, 32));
        o->has_prev = 1;
        return 0;
    case 1: return fcp_object_header_decode_from(&o->header, d);
    case 2: return get_policy(d, &o->policy);
    case 3: return fcp_cbor_get_uint(d, &o->version);
    case 4: return get_zone(d, o->zone_id);
    default: return fcp_m_get_fixed(d, o->signature, 64);
    }
}

static int pol_decode(void *obj, const uint8_t *p, size_t n)
{
    fcp_cbor_dec d;
    unsigned seen = 0;
    TRY(fcp_ma_dec_init(&d, p, n, FCP_ZONE_MAX_ENCODED));
    TRY(fcp_cbor_read_fields(&d, pol_keys, 6, pol_field, obj, &seen));
    TRY(fcp_cbor_dec_finish(&d));
    if ((seen & 0x3eu) != 0x3eu)
        return FCP_EMISSING_FIELD;
    return fcp_zone_policy_object_validate(obj);
}

int fcp_zone_policy_object_decode(fcp_zone_policy_object *o, const uint8_t *p, size_t n)
{
    return fcp_m_decode_zeroed(o, sizeof *o, p, n, pol_decode);
}

int fcp_zone_policy_object_sign(fcp_zone_policy_object *o, const uint8_t owner_sk[64])
{
    return fcp_ma_sign(o, pol_unsigned_fn, fcp_zone_policy_object_schema, owner_sk, o->signature);
}

int fcp_zone_policy_object_verify(const fcp_zone_policy_object *o, const uint8_t owner_pk[32])
{
    return fcp_ma_verify(o, pol_unsigned_fn, fcp_zone_policy_object_schema, owner_pk, o->signature);
}

int fcp_zone_policy_object_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_zone_policy_object *o,
                              const fcp_object_id_key *key)
{
    return fcp_ma_object_id(out, o, pol_full_fn, &o->header, key);
}

/* ---- ZoneCheckpoint ------------------------------------------------------- */

int fcp_zone_checkpoint_validate(const fcp_zone_checkpoint *c)
{
    fcp_schema_id s;
    TRY(zone_ok(c->zone_id));
    fcp_zone_checkpoint_schema(&s);
    TRY(fcp_ma_check_header(&c->header, &s, c->zone_id));
    if ((c->checkpoint_seq == 0) != !c->has_prev)
        return FCP_ECKPT_GENESIS;
    return fcp_ma_sigs_check(c->sigs, c->n_sigs);
}

static int ckpt_encode(const fcp_zone_checkpoint *c, fcp_buf *out, int with_sig)
{
    fcp_cbor_enc e;
    int rc;
    TRY(fcp_zone_checkpoint_validate(c));
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    rc = fcp_ma_put_header(&e, &c->header);
    fcp_cbor_put_kv_text(&e, "zone_id", c->zone_id);
    fcp_cbor_put_kv_uint(&e, "checkpoint_seq", c->checkpoint_seq);
    if (c->has_prev)
        fcp_cbor_put_kv_bytes(&e, "prev_checkpoint_id", c->prev_checkpoint_id, 32);
    fcp_cbor_put_kv_bytes(&e, "rev_head", c->rev_head, 32);
    fcp_cbor_put_kv_uint(&e, "rev_seq", c->rev_seq);
    fcp_cbor_put_kv_bytes(&e, "audit_head", c->audit_head, 32);
    fcp_cbor_put_kv_uint(&e, "audit_seq", c->audit_seq);
    fcp_cbor_put_kv_bytes(&e, "zone_definition_head", c->zone_definition_head, 32);
    fcp_cbor_put_kv_bytes(&e, "zone_policy_head", c->zone_policy_head, 32);
    fcp_cbor_put_kv_bytes(&e, "active_zone_key_manifest", c->active_zone_key_manifest, 32);
    fcp_cbor_put_kv_uint(&e, "as_of_epoch", c->as_of_epoch);
    if (with_sig) {
        fcp_m_text_key(&e, "quorum_signatures");
        int r = fcp_ma_sigs_encode(&e, c->sigs, c->n_sigs);
        if (r && !rc)
            rc = r;
    }
    return fcp_ma_enc_close(&e, rc);
}

int fcp_zone_checkpoint_encode(const fcp_zone_checkpoint *c, fcp_buf *out)
{
    return ckpt_encode(c, out, 1);
}

int fcp_zone_checkpoint_encode_unsigned(const fcp_zone_checkpoint *c, fcp_buf *out)
{
    return ckpt_encode(c, out, 0);
}

/* Quorum-signed objects are identified without their signatures (D-ZONE-1),
 * so the same checkpoint signed by different subsets is one object. */
static int ckpt_id_fn(const void *o, fcp_buf *out)
{
    return ckpt_encode((const fcp_zone_checkpoint *)o, out, 0);
}

static const char *const ckpt_keys[] = {
    "header", "rev_seq", "zone_id", "rev_head", "audit_seq", "audit_head", "as_of_epoch",
    "checkpoint_seq", "zone_policy_head", "quorum_signatures", "prev_checkpoint_id",
    "zone_definition_head", "active_zone_key_manifest"
};

static int ckpt_field(void *obj, fcp_cbor_dec *d, int i)
{
    fcp_zone_checkpoint *c = obj;
    switch (i) {
    case 0: return fcp_object_header_decode_from(&c->header, d);
    case 1: return fcp_cbor_get_uint(d, &c->rev_seq);
    case 2: return get_zone(d, c->zone_id);
    case 3: return fcp_m_get_fixed(d, c->rev_head, 32);
    case 4: return fcp_cbor_get_uint(d, &c->audit_seq);
    case 5: return fcp_m_get_fixed(d, c->audit_head, 32);
    case 6: return fcp_cbor_get_uint(d, &c->as_of_epoch);
    case 7: return fcp_cbor_get_uint(d, &c->checkpoint_seq);
    case 8: return fcp_m_get_fixed(d, c->zone_policy_head, 32);
    case 9: return fcp_ma_sigs_decode(d, c->sigs, &c->n_sigs);
    case 10:
        TRY(fcp_m_get_fixed(d, c->prev_checkpoint_id, 32));
        c->has_prev = 1;
        return 0;
    case 11: return fcp_m_get_fixed(d, c->zone_definition_head, 32);
    default: return fcp_m_get_fixed(d, c->active_zone_key_manifest, 32);
    }
}

static int ckpt_decode(void *obj, const uint8_t *p, size_t n)
{
    fcp_cbor_dec d;
    unsigned seen = 0;
    TRY(fcp_ma_dec_init(&d, p, n, FCP_ZONE_MAX_ENCODED));
    TRY(fcp_cbor_read_fields(&d, ckpt_keys, 13, ckpt_field, obj, &seen));
    TRY(fcp_cbor_dec_finish(&d));
    if ((seen & 0x1bffu) != 0x1bffu)
        return FCP_EMISSING_FIELD;
    return fcp_zone_checkpoint_validate(obj);
}

int fcp_zone_checkpoint_decode(fcp_zone_checkpoint *c, const uint8_t *p, size_t n)
{
    return fcp_m_decode_zeroed(c, sizeof *c, p, n, ckpt_decode);
}

int fcp_zone_checkpoint_add_signature(fcp_zone_checkpoint *c, const char *node_id, size_t len,
                                      const uint8_t node_sk[64])
{
    return fcp_ma_add_signature(c, ckpt_id_fn, fcp_zone_checkpoint_schema, c->sigs, &c->n_sigs,
                                node_id, len, node_sk);
}

int fcp_zone_checkpoint_object_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_zone_checkpoint *c,
                                  const fcp_object_id_key *key)
{
    return fcp_ma_object_id(out, c, ckpt_id_fn, &c->header, key);
}
