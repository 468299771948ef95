/*
 * fuzz_authz_audit.c - libFuzzer target for the audit objects and the chain
 * verifier (src/model/model_audit.c, src/model/model_operation.c,
 * src/authz/authz_audit.c).
 *
 * Input: mode byte, then
 *   0  AuditEvent wire bytes        1  AuditHead        2  DecisionReceipt
 *   3  OperationIntent              4  OperationReceipt
 *   5+ a chain: up to 8 events, each u16le length || bytes, verified under
 *      the fixed zone key with node-a..c's keys (seeds 41/42/43 x32)
 * Properties: no crash; an accepted object re-encodes to exactly its input;
 * the verifier's report is consistent (index <= n, verified == index when it
 * fails, error 0 iff verified == n).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/authz_audit.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/model_operation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t pks[3][32];

static int lookup(void *ctx, const uint8_t *id, size_t n, uint8_t pk[32])
{
    (void)ctx;
    if (n == 6 && memcmp(id, "node-", 5) == 0 && id[5] >= 'a' && id[5] <= 'c') {
        memcpy(pk, pks[id[5] - 'a'], 32);
        return 0;
    }
    return FCP_EUNKNOWN_PRINCIPAL;
}

static union {
    fcp_audit_event ev;
    fcp_audit_head hd;
    fcp_decision_receipt dr;
    fcp_operation_intent oi;
    fcp_operation_receipt orc;
} u;

#define ROUNDTRIP(dec, enc, obj)                                                         \
    do {                                                                                 \
        if (dec(&obj, p, n) == 0) {                                                      \
            fcp_buf b;                                                                   \
            fcp_buf_init(&b);                                                            \
            if (enc(&obj, FCP_VIEW_WIRE, &b) != 0 || b.len != n || memcmp(b.data, p, n)) \
                abort();                                                                 \
            fcp_buf_free(&b);                                                            \
        }                                                                                \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        fcp_crypto_init();
        for (int i = 0; i < 3; i++) {
            uint8_t seed[32], sk[64];
            memset(seed, 0x41 + i, 32);
            fcp_ed25519_keypair_from_seed(pks[i], sk, seed);
        }
        init = 1;
    }
    if (size < 1)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    switch (data[0]) {
    case 0: ROUNDTRIP(fcp_audit_event_decode, fcp_audit_event_encode, u.ev); break;
    case 1: ROUNDTRIP(fcp_audit_head_decode, fcp_audit_head_encode, u.hd); break;
    case 2: ROUNDTRIP(fcp_decision_receipt_decode, fcp_decision_receipt_encode, u.dr); break;
    case 3: ROUNDTRIP(fcp_operation_intent_decode, fcp_operation_intent_encode, u.oi); break;
    case 4: ROUNDTRIP(fcp_operation_receipt_decode, fcp_operation_receipt_encode, u.orc); break;
    default: {
        const uint8_t *ev[8];
        size_t len[8], k = 0;
        while (k < 8 && n >= 2) {
            size_t l = (size_t)p[0] | ((size_t)p[1] << 8);
            p += 2;
            n -= 2;
            if (l > n)
                l = n;
            ev[k] = p;
            len[k++] = l;
            p += l;
            n -= l;
        }
        fcp_object_id_key key;
        fcp_audit_report rep;
        memset(key.bytes, 0x5a, 32);
        int rc = fcp_audit_chain_verify(ev, len, k, "z:work", &key, NULL, lookup, NULL, &rep);
        if (rc != rep.error || rep.index > k || (rc == 0) != (rep.verified == k) ||
            (rc != 0 && rep.verified != rep.index))
            abort();
        break;
    }
    }
    return 0;
}
