/*
 * fuzz_connector_state.c - libFuzzer target for the ConnectorStateObject
 * decoder (src/model/model_lease.c) and the fence + version-chain check
 * (fcp_state_object_check / _accept in src/authz/authz_lease.c).
 *
 * Properties: no crash, leak or UB; an accepted object re-encodes to exactly
 * the input and its state bytes lie inside the input (zero-copy); its
 * ObjectId is deterministic; the check against a fence built from the
 * object's own evidence and a head it names as its predecessor either
 * passes or fails with a signature / lease / state code (never anything
 * else); a failed accept leaves the head unchanged and a passed one makes
 * the object the head, after which the same object is a replay
 * (FCP_ESTATE_SEQ).  Objects signed by the fixed writer key (the committed
 * seeds) reach the fence and chain steps.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/authz_lease.h"
#include "fcp/buf.h"
#include "fcp/crypto.h"
#include "fcp/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t wpk[32];

static int lookup(void *ctx, const uint8_t *id, size_t len, uint8_t pk[32])
{
    (void)ctx;
    (void)id;
    (void)len;
    memcpy(pk, wpk, 32);   /* every writer has the seed key: signatures decide */
    return 0;
}

static int allowed(int rc)
{
    switch (rc) {
    case 0:
    case FCP_EBAD_SIGNATURE:
    case FCP_ESTATE_FENCE_STALE:
    case FCP_ESTATE_FENCE_UNKNOWN:
    case FCP_ESTATE_FENCE_LEASE:
    case FCP_ESTATE_FENCE_MISSING:
    case FCP_ELEASE_PURPOSE:
    case FCP_ELEASE_HOLDER:
    case FCP_ELEASE_SUBJECT:
    case FCP_ELEASE_EXPIRED:
    case FCP_ESTATE_GENESIS:
    case FCP_ESTATE_INSTANCE:
    case FCP_ESTATE_SEQ:
    case FCP_ESTATE_PREV:
        return 1;
    default:
        return 0;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    static fcp_connector_state s;
    if (!init) {
        uint8_t seed[32], sk[64];
        fcp_crypto_init();
        memset(seed, 0x0b, 32);   /* the golden vectors' writer */
        fcp_ed25519_keypair_from_seed(wpk, sk, seed);
        init = 1;
    }
    if (fcp_connector_state_decode(&s, data, size) != 0)
        return 0;
    fcp_buf b;
    fcp_object_id_key k;
    fcp_lease_fence f;
    fcp_state_head h, before;
    uint8_t id[32], id2[32];
    fcp_buf_init(&b);
    if (fcp_connector_state_encode(&s, &b) != 0 || b.len != size || memcmp(b.data, data, size) != 0)
        abort();
    fcp_buf_free(&b);
    if (s.state_len && (s.state < data || s.state + s.state_len > data + size))
        abort();
    memset(k.bytes, 0x33, 32);
    if (fcp_connector_state_id(id, &s, &k) != 0 || fcp_connector_state_id(id2, &s, &k) != 0 ||
        memcmp(id, id2, 32) != 0)
        abort();
    /* a fence holding exactly the object's own lease evidence */
    memset(&f, 0, sizeof f);
    f.have = 1;
    memcpy(f.subject, s.state_root, 32);
    f.lease_seq = s.lease_seq;
    memcpy(f.lease_id, s.lease_object_id, 32);
    f.exp = s.updated_at == UINT64_MAX ? UINT64_MAX : s.updated_at + 1;
    f.purpose = FCP_LEASE_CONNECTOR_STATE_WRITE;
    memcpy(f.owner_node, s.writer, sizeof f.owner_node);
    /* a head the object names as its predecessor (or none for version 0) */
    memset(&h, 0, sizeof h);
    if (s.has_prev) {
        h.have = 1;
        memcpy(h.connector_id, s.connector_id, sizeof h.connector_id);
        memcpy(h.instance_id, s.instance_id, sizeof h.instance_id);
        memcpy(h.state_root, s.state_root, 32);
        h.state_seq = s.state_seq - 1;
        memcpy(h.id, s.prev, 32);
    }
    before = h;
    int rc = fcp_state_object_accept(&f, &h, &s, id, lookup, NULL);
    if (!allowed(rc))
        abort();
    if (rc != 0) {
        if (memcmp(&before, &h, sizeof h) != 0)
            abort();
        /* with its own evidence only the signature can fail (or the lease
         * window, when updated_at leaves no room below exp) */
        if (rc != FCP_EBAD_SIGNATURE && !(rc == FCP_ELEASE_EXPIRED && s.updated_at == UINT64_MAX))
            abort();
        return 0;
    }
    if (!h.have || h.state_seq != s.state_seq || memcmp(h.id, id, 32) != 0)
        abort();
    if (fcp_state_object_check(&f, &h, &s, lookup, NULL) != FCP_ESTATE_SEQ)
        abort();
    return 0;
}
