/*
 * crypto_rng_chacha20.c - seeded, deterministic ChaCha20 keystream as an fcp_rng.
 *
 * Reproduces Rust's rand_chacha::ChaCha20Rng::from_seed(seed): the original
 * (djb) ChaCha20 with a 64-bit block counter and a 64-bit nonce, key = seed,
 * nonce = 0, counter from 0.  rand_core's BlockRng hands bytes out in whole
 * 32-bit words (little-endian), so a fill whose length is not a multiple of 4
 * throws away the rest of its last word; we do the same, which keeps a
 * sequence of fills byte-identical to the Rust generator.  The keystream
 * comes from libsodium's crypto_stream_chacha20 (the djb variant).
 */
#include <string.h>

#include <sodium.h>

#include "fcp/crypto.h"
#include "fcp/error.h"

static void refill(fcp_rng_chacha20 *r)
{
    static const uint8_t nonce[crypto_stream_chacha20_NONCEBYTES] = { 0 };
    memset(r->buf, 0, sizeof r->buf);
    crypto_stream_chacha20_xor_ic(r->buf, r->buf, sizeof r->buf, nonce, r->block, r->key);
    r->block++;
    r->pos = 0;
}

static int chacha_fill(void *ctx, uint8_t *out, size_t n)
{
    fcp_rng_chacha20 *r = ctx;

    while (n > 0) {
        if (r->pos >= sizeof r->buf)
            refill(r);
        size_t avail = sizeof r->buf - r->pos;
        size_t take = n < avail ? n : avail;
        memcpy(out, r->buf + r->pos, take);
        out += take;
        n -= take;
        r->pos += (take + 3) & ~(size_t)3; /* whole words consumed */
    }
    return 0;
}

void fcp_rng_chacha20_init(fcp_rng_chacha20 *r, const uint8_t seed[32])
{
    memcpy(r->key, seed, sizeof r->key);
    r->block = 0;
    r->pos = sizeof r->buf; /* empty: first fill generates block 0 */
    r->rng.fill = chacha_fill;
    r->rng.ctx = r;
}

void fcp_rng_chacha20_wipe(fcp_rng_chacha20 *r)
{
    sodium_memzero(r->key, sizeof r->key);
    sodium_memzero(r->buf, sizeof r->buf);
    r->pos = sizeof r->buf;
}
