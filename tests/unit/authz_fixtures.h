/*
 * authz_fixtures.h - fixed keys and small helpers shared by the authority
 * tests (authz_*_test.c): an owner, four member nodes with signing and
 * encryption keys from fixed seeds, a key lookup for quorum verification,
 * and a CBOR map editor that replaces, adds or deletes one top-level entry of
 * a canonical map (to build decoder rejects from valid encodings).
 */
#ifndef FCP_AUTHZ_FIXTURES_H
#define FCP_AUTHZ_FIXTURES_H

#include <string.h>

#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_ids.h"

#define FX_NODES 4

typedef struct fx_node {
    const char *id;
    uint8_t sig_pk[32], sig_sk[64];
    uint8_t enc_pk[32], enc_sk[32];
} fx_node;

static fx_node fx_nodes[FX_NODES];
static uint8_t fx_owner_pk[32], fx_owner_sk[64];

static inline int fx_init(void)
{
    static const char *ids[FX_NODES] = { "node-a", "node-b", "node-c", "node-d" };
    uint8_t seed[32];
    if (fcp_crypto_init() != 0)
        return -1;
    memset(seed, 0xee, 32);
    fcp_ed25519_keypair_from_seed(fx_owner_pk, fx_owner_sk, seed);
    for (int i = 0; i < FX_NODES; i++) {
        fx_nodes[i].id = ids[i];
        memset(seed, 0x10 + i, 32);
        fcp_ed25519_keypair_from_seed(fx_nodes[i].sig_pk, fx_nodes[i].sig_sk, seed);
        memset(fx_nodes[i].enc_sk, 0x20 + i, 32);
        fcp_x25519_base(fx_nodes[i].enc_pk, fx_nodes[i].enc_sk);
    }
    return 0;
}

static inline int fx_lookup(void *ctx, const uint8_t *node_id, size_t len, uint8_t pk[32])
{
    (void)ctx;
    for (int i = 0; i < FX_NODES; i++)
        if (strlen(fx_nodes[i].id) == len && memcmp(fx_nodes[i].id, node_id, len) == 0) {
            memcpy(pk, fx_nodes[i].sig_pk, 32);
            return 0;
        }
    return FCP_EUNKNOWN_PRINCIPAL;
}

/* Copy the canonical map in[0..n) into out with the entry `key` replaced by
 * the raw item val[0..vn) (added if absent), or deleted when val is NULL.
 * 0 or a CBOR error. */
static inline int fx_edit(fcp_buf *out, const uint8_t *in, size_t n, const char *key,
                          const uint8_t *val, size_t vn)
{
    fcp_cbor_limits lim = fcp_cbor_limits_default;
    fcp_cbor_dec d;
    fcp_cbor_enc e;
    fcp_cbor_map_iter it;
    const char *k;
    size_t kl, rl;
    const uint8_t *raw;
    int rc, done = 0;
    lim.allow = FCP_CBOR_ALLOW_FLOAT;
    fcp_cbor_dec_init(&d, in, n, &lim);
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    if ((rc = fcp_cbor_map_begin(&d, &it)) < 0)
        goto out;
    while ((rc = fcp_cbor_map_next_text_key(&d, &it, &k, &kl)) > 0) {
        if ((rc = fcp_cbor_get_raw(&d, &raw, &rl)) < 0)
            goto out;
        if (fcp_cbor_key_is(k, kl, key)) {
            done = 1;
            if (!val)
                continue;
            raw = val;
            rl = vn;
        }
        fcp_cbor_put_text(&e, k, kl);
        fcp_cbor_put_raw(&e, raw, rl);
    }
    if (rc < 0)
        goto out;
    if (!done && val) {
        fcp_cbor_put_cstr(&e, key);
        fcp_cbor_put_raw(&e, val, vn);
    }
    fcp_cbor_map_close(&e);
    rc = fcp_cbor_enc_finish(&e);
out:
    fcp_cbor_enc_free(&e);
    return rc;
}

/* Encode one item with a callback-free helper: a uint, text or bytes. */
static inline size_t fx_uint(uint8_t *b, uint64_t v)
{
    fcp_buf o;
    fcp_cbor_enc e;
    fcp_buf_init_fixed(&o, b, 16);
    fcp_cbor_enc_init(&e, &o);
    fcp_cbor_put_uint(&e, v);
    fcp_cbor_enc_free(&e);
    return o.len;
}

static inline size_t fx_text(uint8_t *b, size_t cap, const char *s)
{
    fcp_buf o;
    fcp_cbor_enc e;
    fcp_buf_init_fixed(&o, b, cap);
    fcp_cbor_enc_init(&e, &o);
    fcp_cbor_put_cstr(&e, s);
    fcp_cbor_enc_free(&e);
    return o.len;
}

static inline size_t fx_bytes(uint8_t *b, size_t cap, const uint8_t *p, size_t n)
{
    fcp_buf o;
    fcp_cbor_enc e;
    fcp_buf_init_fixed(&o, b, cap);
    fcp_cbor_enc_init(&e, &o);
    fcp_cbor_put_bytes(&e, p, n);
    fcp_cbor_enc_free(&e);
    return o.len;
}

#endif
