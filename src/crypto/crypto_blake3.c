/*
 * crypto_blake3.c - BLAKE3 through the official C implementation.
 *
 * The BLAKE3 sources are compiled into libfcp from the copy Debian installs
 * (see Makefile); this file only adapts them to FCP naming.  The public
 * fcp_blake3_hasher is opaque storage for a blake3_hasher, so that callers of
 * include/fcp/crypto.h never need blake3.h on their include path; the size and
 * alignment are checked here at build time.
 */
#include <stdalign.h>
#include <string.h>

#include "blake3.h"
#include "fcp/crypto.h"

_Static_assert(sizeof(blake3_hasher) <= sizeof(((fcp_blake3_hasher *)0)->opaque_),
               "fcp_blake3_hasher too small for blake3_hasher");
_Static_assert(alignof(blake3_hasher) <= alignof(fcp_blake3_hasher), "fcp_blake3_hasher under-aligned");
_Static_assert(FCP_BLAKE3_BYTES == BLAKE3_OUT_LEN && FCP_BLAKE3_KEYBYTES == BLAKE3_KEY_LEN, "blake3 sizes");

static blake3_hasher *raw(fcp_blake3_hasher *h)
{
    return (blake3_hasher *)(void *)h->opaque_.bytes;
}

static const blake3_hasher *craw(const fcp_blake3_hasher *h)
{
    return (const blake3_hasher *)(const void *)h->opaque_.bytes;
}

void fcp_blake3_hasher_init(fcp_blake3_hasher *h)
{
    blake3_hasher_init(raw(h));
}

void fcp_blake3_hasher_init_keyed(fcp_blake3_hasher *h, const uint8_t key[FCP_BLAKE3_KEYBYTES])
{
    blake3_hasher_init_keyed(raw(h), key);
}

void fcp_blake3_hasher_init_derive_key(fcp_blake3_hasher *h, const char *context)
{
    blake3_hasher_init_derive_key(raw(h), context);
}

void fcp_blake3_hasher_update(fcp_blake3_hasher *h, const void *in, size_t len)
{
    if (len != 0)
        blake3_hasher_update(raw(h), in, len);
}

void fcp_blake3_hasher_finalize(const fcp_blake3_hasher *h, uint8_t *out, size_t out_len)
{
    blake3_hasher_finalize(craw(h), out, out_len);
}

void fcp_blake3_hasher_finalize_seek(const fcp_blake3_hasher *h, uint64_t seek, uint8_t *out, size_t out_len)
{
    blake3_hasher_finalize_seek(craw(h), seek, out, out_len);
}

void fcp_blake3_hasher_wipe(fcp_blake3_hasher *h)
{
    fcp_memzero(h, sizeof *h);
}

void fcp_blake3(uint8_t out[FCP_BLAKE3_BYTES], const void *in, size_t len)
{
    fcp_blake3_xof(out, FCP_BLAKE3_BYTES, in, len);
}

void fcp_blake3_xof(uint8_t *out, size_t out_len, const void *in, size_t len)
{
    blake3_hasher h;
    blake3_hasher_init(&h);
    if (len != 0)
        blake3_hasher_update(&h, in, len);
    blake3_hasher_finalize(&h, out, out_len);
}

void fcp_blake3_keyed(uint8_t out[FCP_BLAKE3_BYTES], const uint8_t key[FCP_BLAKE3_KEYBYTES], const void *in,
                      size_t len)
{
    blake3_hasher h;
    blake3_hasher_init_keyed(&h, key);
    if (len != 0)
        blake3_hasher_update(&h, in, len);
    blake3_hasher_finalize(&h, out, FCP_BLAKE3_BYTES);
    fcp_memzero(&h, sizeof h); /* holds the key */
}

void fcp_blake3_derive_key(uint8_t *out, size_t out_len, const char *context, const void *ikm, size_t ikm_len)
{
    blake3_hasher h;
    blake3_hasher_init_derive_key(&h, context);
    if (ikm_len != 0)
        blake3_hasher_update(&h, ikm, ikm_len);
    blake3_hasher_finalize(&h, out, out_len);
    fcp_memzero(&h, sizeof h); /* holds the key material's chaining values */
}
