/*
 * fuzz_session_msgs.c - libFuzzer target for the MeshSession message decoders
 * (src/wire/wire_session.c): Hello, HelloRetry, Ack and the FCPH envelope.
 *
 * Every input is given to each decoder as a CBOR body, and to the envelope
 * decoder (then to the body decoder its type names).  Properties:
 *   - no crash, no read outside the input;
 *   - a decoder that fails leaves its output all zero;
 *   - whatever decodes re-encodes to exactly the input (the decoders accept
 *     only the canonical form), and its transcript and cookie can be built;
 *   - a decoded Hello or Ack never verifies under a fixed unrelated key unless
 *     it carries that key's genuine signature (checked by re-signing).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            abort();
}

static void same(const fcp_buf *b, const uint8_t *data, size_t size)
{
    if (b->err || b->len != size || memcmp(b->data, data, size) != 0)
        abort();
}

static uint8_t g_pk[32], g_sk[64];

static void hello(const uint8_t *data, size_t size)
{
    static fcp_session_hello h;
    static uint8_t mem[FCP_SESSION_MAX_HANDSHAKE + 64];
    fcp_buf b;
    if (fcp_session_hello_decode(&h, data, size) < 0) {
        all_zero(&h, sizeof h);
        return;
    }
    fcp_buf_init_fixed(&b, mem, sizeof mem);
    if (fcp_session_hello_encode(&h, &b) < 0)
        abort();
    same(&b, data, size);
    fcp_buf_init_fixed(&b, mem, sizeof mem);
    if (fcp_session_hello_transcript(&h, &b) < 0)
        abort();
    uint8_t key[32] = {1}, c[32];
    if (fcp_session_cookie(c, key, &h) < 0)
        abort();
    int v = fcp_session_hello_verify(&h, g_pk);
    if (v == 0) {
        fcp_session_hello s = h;
        if (fcp_session_hello_sign(&s, g_sk) < 0 || memcmp(s.signature, h.signature, 64) != 0)
            abort();
    } else if (v != FCP_ESESSION_MISSING_SIGNATURE && v != FCP_ESESSION_BAD_SIGNATURE) {
        abort();
    }
}

static void retry(const uint8_t *data, size_t size)
{
    fcp_session_retry r;
    static uint8_t mem[FCP_SESSION_MAX_HANDSHAKE + 64];
    fcp_buf b;
    if (fcp_session_retry_decode(&r, data, size) < 0) {
        all_zero(&r, sizeof r);
        return;
    }
    fcp_buf_init_fixed(&b, mem, sizeof mem);
    if (fcp_session_retry_encode(&r, &b) < 0)
        abort();
    same(&b, data, size);
}

static void ack(const uint8_t *data, size_t size)
{
    fcp_session_ack a;
    static uint8_t mem[FCP_SESSION_MAX_HANDSHAKE + 64];
    fcp_buf b;
    if (fcp_session_ack_decode(&a, data, size) < 0) {
        all_zero(&a, sizeof a);
        return;
    }
    fcp_buf_init_fixed(&b, mem, sizeof mem);
    if (fcp_session_ack_encode(&a, &b) < 0)
        abort();
    same(&b, data, size);
    uint8_t eph[32] = {9}, nonce[16] = {6};
    fcp_buf_init_fixed(&b, mem, sizeof mem);
    if (fcp_session_ack_transcript(&a, eph, nonce, &b) < 0)
        abort();
    int v = fcp_session_ack_verify(&a, eph, nonce, g_pk);
    if (v == 0) {
        fcp_session_ack s = a;
        if (fcp_session_ack_sign(&s, eph, nonce, g_sk) < 0 || memcmp(s.signature, a.signature, 64) != 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        uint8_t seed[32];
        memset(seed, 0x11, 32);
        if (fcp_crypto_init() != 0 || fcp_ed25519_keypair_from_seed(g_pk, g_sk, seed) != 0)
            abort();
        init = 1;
    }
    hello(data, size);
    retry(data, size);
    ack(data, size);
    fcp_session_msg_type t;
    const uint8_t *body;
    size_t n;
    int rc = fcp_session_env_decode(data, size, &t, &body, &n);
    if (rc == 0) {
        if (!fcp_session_is_handshake(data, size) || n + FCP_SESSION_ENV_HEADER != size)
            abort();
        if (t == FCP_SESSION_MSG_HELLO)
            hello(body, n);
        else if (t == FCP_SESSION_MSG_RETRY)
            retry(body, n);
        else if (t == FCP_SESSION_MSG_ACK)
            ack(body, n);
        else
            abort();
    } else if (body != NULL || n != 0) {
        abort();
    }
    return 0;
}
