/*
 * model_util.c - helpers shared by the model/ codecs (see model_internal.h).
 */
#include "model_internal.h"

#include <string.h>

#include "fcp/error.h"

int fcp_m_get_fixed(fcp_cbor_dec *d, uint8_t *out, size_t n)
{
    const uint8_t *p;
    size_t len;
    int rc = fcp_cbor_get_bytes(d, &p, &len);
    if (rc)
        return rc;
    if (len != n)
        return FCP_EOBJECT;
    memcpy(out, p, n);
    return 0;
}

int fcp_m_get_text(fcp_cbor_dec *d, char *out, size_t max, int (*validate)(const char *, size_t),
                   int too_long_err)
{
    const char *p;
    size_t len;
    int rc = fcp_cbor_get_text(d, &p, &len);
    if (rc)
        return rc;
    if (validate) {
        rc = validate(p, len);
        if (rc)
            return rc;
    }
    /* no model text may hold a NUL: it would truncate the C string and
     * break decode -> encode identity */
    if (len > max || memchr(p, 0, len))
        return too_long_err;
    memcpy(out, p, len);
    out[len] = '\0';
    return 0;
}

int fcp_m_get_uint_max(fcp_cbor_dec *d, uint64_t *v, uint64_t max)
{
    int rc = fcp_cbor_get_uint(d, v);
    if (rc)
        return rc;
    return *v > max ? FCP_EOUT_OF_RANGE : 0;
}

int fcp_m_map_end(fcp_cbor_dec *d, fcp_cbor_map_iter *it)
{
    (void)d;
    return it->remaining ? FCP_EUNKNOWN_FIELD : 0;
}

int fcp_m_text_key(fcp_cbor_enc *e, const char *k)
{
    return fcp_cbor_put_text(e, k, strlen(k));
}

int fcp_m_printable_id(const char *s, size_t n, size_t max)
{
    if (!s || n == 0 || n > max)
        return FCP_EIDENTIFIER;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f)
            return FCP_EIDENTIFIER;
    }
    return 0;
}
