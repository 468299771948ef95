/*
 * wire_session.c - MeshSession handshake messages (session.h): canonical CBOR
 * codecs of Hello / HelloRetry / Ack, transcripts, signatures, the stateless
 * cookie, suite negotiation, the key schedule (D-SESSION-1), the handshake
 * envelope (D-SESSION-2), the trust store and the hello replay window.
 * Engines and the session channel live in wire_session_sm.c.
 */
#include <stdlib.h>
#include <string.h>

#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/session.h"

static const char HELLO_DOMAIN[] = "FCP2-HELLO-V1";
static const char ACK_DOMAIN[] = "FCP2-ACK-V1";
static const char KDF_DOMAIN[] = "FCP2-SESSION-V1";

/* ---- small checks --------------------------------------------------------- */

int fcp_session_node_id_check(const char *id, size_t len)
{
    if (!id || len == 0 || len > FCP_NODE_ID_MAX)
        return FCP_ESESSION_NODE_ID;
    return fcp_node_id_validate(id, len) == 0 ? 0 : FCP_ESESSION_NODE_ID;
}

static int id_ok(const char *id)
{
    size_t n = strnlen(id, FCP_NODE_ID_MAX + 1);
    return fcp_session_node_id_check(id, n);
}

static int hello_check(const fcp_session_hello *h)
{
    int rc;
    if ((rc = id_ok(h->from)) < 0 || (rc = id_ok(h->to)) < 0)
        return rc;
    if (h->n_suites == 0 || h->n_suites > FCP_SESSION_MAX_SUITES)
        return FCP_ESESSION_SUITES;
    if (h->has_transport_limits && h->transport_limits > FCP_WIRE_MAX_DATAGRAM)
        return FCP_ESESSION_LIMITS;
    return 0;
}

uint32_t fcp_session_effective_limit(int has_limit, uint64_t limit)
{
    if (!has_limit || limit == 0)
        return FCP_WIRE_DEFAULT_MAX_DATAGRAM;
    if (limit > FCP_WIRE_MAX_DATAGRAM)
        return FCP_WIRE_MAX_DATAGRAM;
    return (uint32_t)limit;
}

/* ---- encoders ------------------------------------------------------------- */

int fcp_session_hello_encode(const fcp_session_hello *h, fcp_buf *out)
{
    int rc = hello_check(h);
    if (rc < 0)
        return rc;
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_kv_text(&e, "from", h->from);
    fcp_cbor_put_kv_text(&e, "to", h->to);
    fcp_cbor_put_kv_bytes(&e, "eph_pubkey", h->eph_pubkey, 32);
    fcp_cbor_put_kv_bytes(&e, "nonce", h->nonce, 16);
    if (h->has_cookie)
        fcp_cbor_put_kv_bytes(&e, "cookie", h->cookie, 32);
    fcp_cbor_put_kv_uint(&e, "timestamp", h->timestamp);
    fcp_cbor_put_cstr(&e, "suites");
    fcp_cbor_put_array(&e, h->n_suites);
    for (size_t i = 0; i < h->n_suites; i++)
        fcp_cbor_put_uint(&e, h->suites[i]);
    if (h->has_transport_limits)
        fcp_cbor_put_kv_uint(&e, "transport_limits", h->transport_limits);
    if (h->has_signature)
        fcp_cbor_put_kv_bytes(&e, "signature", h->signature, 64);
    fcp_cbor_map_close(&e);
    return fcp_cbor_enc_done(&e);
}

int fcp_session_retry_encode(const fcp_session_retry *r, fcp_buf *out)
{
    int rc;
    if ((rc = id_ok(r->from)) < 0 || (rc = id_ok(r->to)) < 0)
        return rc;
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_kv_text(&e, "from", r->from);
    fcp_cbor_put_kv_text(&e, "to", r->to);
    fcp_cbor_put_kv_bytes(&e, "cookie", r->cookie, 32);
    fcp_cbor_put_kv_uint(&e, "timestamp", r->timestamp);
    fcp_cbor_map_close(&e);
    return fcp_cbor_enc_done(&e);
}

int fcp_session_ack_encode(const fcp_session_ack *a, fcp_buf *out)
{
    int rc;
    if ((rc = id_ok(a->from)) < 0 || (rc = id_ok(a->to)) < 0)
        return rc;
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_kv_text(&e, "from", a->from);
    fcp_cbor_put_kv_text(&e, "to", a->to);
    fcp_cbor_put_kv_bytes(&e, "eph_pubkey", a->eph_pubkey, 32);
    fcp_cbor_put_kv_bytes(&e, "nonce", a->nonce, 16);
    fcp_cbor_put_kv_bytes(&e, "session_id", a->session_id, 16);
    fcp_cbor_put_kv_uint(&e, "suite", a->suite);
    fcp_cbor_put_kv_uint(&e, "timestamp", a->timestamp);
    if (a->has_signature)
        fcp_cbor_put_kv_bytes(&e, "signature", a->signature, 64);
    fcp_cbor_map_close(&e);
    return fcp_cbor_enc_done(&e);
}

/* ---- decoders ------------------------------------------------------------- */

static const fcp_cbor_limits HS_LIMITS = {8, 64, FCP_SESSION_MAX_HANDSHAKE, 0};

static int get_id(fcp_cbor_dec *d, char out[FCP_NODE_ID_MAX + 1])
{
    const char *s;
    size_t n;
    int rc = fcp_cbor_get_text(d, &s, &n);
    if (rc < 0)
        return rc;
    if ((rc = fcp_session_node_id_check(s, n)) < 0)
        return rc;
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

#define TRY(x)                                                                  \
    do {                                                                        \
        if ((rc = (x)) < 0)                                                     \
            goto fail;                                                          \
    } while (0)

/* Every handshake message is a map whose first keys in canonical order are
 * "to" and "from": check the size, open the map and read both. */
static int msg_open(fcp_cbor_dec *d, fcp_cbor_map_iter *it, const uint8_t *p, size_t n, char *to,
                    char *from)
{
    int rc;
    if (n > FCP_SESSION_MAX_HANDSHAKE)
        return FCP_ESESSION_TOO_LARGE;
    fcp_cbor_dec_init(d, p, n, &HS_LIMITS);
    if ((rc = fcp_cbor_map_begin(d, it)) < 0 || (rc = fcp_cbor_expect_key(d, it, "to")) < 0 ||
        (rc = get_id(d, to)) < 0 || (rc = fcp_cbor_expect_key(d, it, "from")) < 0)
        return rc;
    return get_id(d, from);
}

/* Required key name with a byte string of exactly len bytes. */
static int key_fixed(fcp_cbor_dec *d, fcp_cbor_map_iter *it, const char *name, uint8_t *out,
                     size_t len)
{
    int rc = fcp_cbor_expect_key(d, it, name);
    if (rc < 0)
        return rc;
    return fcp_cbor_get_fixed(d, out, len, FCP_ESESSION_FIELD);
}

/* Optional key name with a byte string of exactly len bytes; *has = 1
 * when present. */
static int opt_fixed(fcp_cbor_dec *d, fcp_cbor_map_iter *it, const char *name, uint8_t *out,
                     size_t len, int *has)
{
    int rc = fcp_cbor_opt_key(d, it, name);
    if (rc <= 0)
        return rc;
    if ((rc = fcp_cbor_get_fixed(d, out, len, FCP_ESESSION_FIELD)) < 0)
        return rc;
    *has = 1;
    return 0;
}

/* Required key name with a uint. */
static int key_uint(fcp_cbor_dec *d, fcp_cbor_map_iter *it, const char *name, uint64_t *v)
{
    int rc = fcp_cbor_expect_key(d, it, name);
    if (rc < 0)
        return rc;
    return fcp_cbor_get_uint(d, v);
}

/* No key may follow, nor anything after the map. */
static int end_map(fcp_cbor_dec *d, fcp_cbor_map_iter *it)
{
    const char *k;
    size_t kn;
    int rc = fcp_cbor_map_next_text_key(d, it, &k, &kn);
    if (rc > 0)
        return FCP_EUNKNOWN_FIELD;
    if (rc < 0)
        return rc;
    return fcp_cbor_dec_finish(d);
}

int fcp_session_hello_decode(fcp_session_hello *h, const uint8_t *p, size_t n)
{
    int rc;
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    uint64_t ns;
    memset(h, 0, sizeof *h);
    TRY(msg_open(&d, &it, p, n, h->to, h->from));
    TRY(key_fixed(&d, &it, "nonce", h->nonce, 16));
    TRY(opt_fixed(&d, &it, "cookie", h->cookie, 32, &h->has_cookie));
    TRY(fcp_cbor_expect_key(&d, &it, "suites"));
    TRY(fcp_cbor_get_array(&d, &ns));
    if (ns == 0 || ns > FCP_SESSION_MAX_SUITES) {
        rc = FCP_ESESSION_SUITES;
        goto fail;
    }
    for (uint64_t i = 0; i < ns; i++)
        TRY(fcp_cbor_get_uint(&d, &h->suites[i]));
    h->n_suites = (size_t)ns;
    TRY(opt_fixed(&d, &it, "signature", h->signature, 64, &h->has_signature));
    TRY(key_uint(&d, &it, "timestamp", &h->timestamp));
    TRY(key_fixed(&d, &it, "eph_pubkey", h->eph_pubkey, 32));
    TRY(fcp_cbor_opt_key(&d, &it, "transport_limits"));
    if (rc == 1) {
        TRY(fcp_cbor_get_uint(&d, &h->transport_limits));
        if (h->transport_limits > FCP_WIRE_MAX_DATAGRAM) {
            rc = FCP_ESESSION_LIMITS;
            goto fail;
        }
        h->has_transport_limits = 1;
    }
    TRY(end_map(&d, &it));
    return 0;
fail:
    memset(h, 0, sizeof *h);
    return rc;
}

int fcp_session_retry_decode(fcp_session_retry *r, const uint8_t *p, size_t n)
{
    int rc;
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    memset(r, 0, sizeof *r);
    TRY(msg_open(&d, &it, p, n, r->to, r->from));
    TRY(key_fixed(&d, &it, "cookie", r->cookie, 32));
    TRY(key_uint(&d, &it, "timestamp", &r->timestamp));
    TRY(end_map(&d, &it));
    return 0;
fail:
    memset(r, 0, sizeof *r);
    return rc;
}

int fcp_session_ack_decode(fcp_session_ack *a, const uint8_t *p, size_t n)
{
    int rc;
    fcp_cbor_dec d;
    fcp_cbor_map_iter it;
    memset(a, 0, sizeof *a);
    TRY(msg_open(&d, &it, p, n, a->to, a->from));
    TRY(key_fixed(&d, &it, "nonce", a->nonce, 16));
    TRY(key_uint(&d, &it, "suite", &a->suite));
    TRY(opt_fixed(&d, &it, "signature", a->signature, 64, &a->has_signature));
    TRY(key_uint(&d, &it, "timestamp", &a->timestamp));
    TRY(key_fixed(&d, &it, "eph_pubkey", a->eph_pubkey, 32));
    TRY(key_fixed(&d, &it, "session_id", a->session_id, 16));
    TRY(end_map(&d, &it));
    return 0;
fail:
    memset(a, 0, sizeof *a);
    return rc;
}

/* ---- transcripts ---------------------------------------------------------- */

/* cbor(from) || cbor(to) || cbor(eph) || cbor(nonce) [|| cbor(cookie|null)]
 * || cbor(timestamp) || cbor(suites) || cbor(limits|null). */
static void hello_fields(fcp_cbor_enc *e, const fcp_session_hello *h, int with_cookie)
{
    fcp_cbor_put_cstr(e, h->from);
    fcp_cbor_put_cstr(e, h->to);
    fcp_cbor_put_bytes(e, h->eph_pubkey, 32);
    fcp_cbor_put_bytes(e, h->nonce, 16);
    if (with_cookie) {
        if (h->has_cookie)
            fcp_cbor_put_bytes(e, h->cookie, 32);
        else
            fcp_cbor_put_null(e);
    }
    fcp_cbor_put_uint(e, h->timestamp);
    fcp_cbor_put_array(e, h->n_suites);
    for (size_t i = 0; i < h->n_suites; i++)
        fcp_cbor_put_uint(e, h->suites[i]);
    if (h->has_transport_limits)
        fcp_cbor_put_uint(e, h->transport_limits);
    else
        fcp_cbor_put_null(e);
}

int fcp_session_hello_transcript(const fcp_session_hello *h, fcp_buf *out)
{
    int rc = hello_check(h);
    if (rc < 0)
        return rc;
    fcp_buf_append(out, HELLO_DOMAIN, sizeof HELLO_DOMAIN - 1);
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    hello_fields(&e, h, 1);
    return fcp_cbor_enc_done(&e);
}

int fcp_session_ack_transcript(const fcp_session_ack *a, const uint8_t hello_eph[32],
                               const uint8_t hello_nonce[16], fcp_buf *out)
{
    int rc;
    if ((rc = id_ok(a->from)) < 0 || (rc = id_ok(a->to)) < 0)
        return rc;
    fcp_buf_append(out, ACK_DOMAIN, sizeof ACK_DOMAIN - 1);
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_put_cstr(&e, a->from);
    fcp_cbor_put_cstr(&e, a->to);
    fcp_cbor_put_bytes(&e, a->eph_pubkey, 32);
    fcp_cbor_put_bytes(&e, a->nonce, 16);
    fcp_cbor_put_bytes(&e, a->session_id, 16);
    fcp_cbor_put_uint(&e, a->suite);
    fcp_cbor_put_uint(&e, a->timestamp);
    fcp_cbor_put_bytes(&e, hello_eph, 32);
    fcp_cbor_put_bytes(&e, hello_nonce, 16);
    return fcp_cbor_enc_done(&e);
}

/* Transcripts are a few hundred bytes: build them in stack memory. */
#define TRANSCRIPT_CAP 1024u

int fcp_session_hello_sign(fcp_session_hello *h, const uint8_t sk[64])
{
    uint8_t mem[TRANSCRIPT_CAP];
    fcp_buf b;
    fcp_buf_init_fixed(&b, mem, sizeof mem);
    int rc = fcp_session_hello_transcript(h, &b);
    if (rc < 0)
        return rc;
    if ((rc = fcp_ed25519_sign(h->signature, b.data, b.len, sk)) < 0)
        return rc;
    h->has_signature = 1;
    return 0;
}

int fcp_session_hello_verify(const fcp_session_hello *h, const uint8_t pk[32])
{
    if (!h->has_signature)
        return FCP_ESESSION_MISSING_SIGNATURE;
    uint8_t mem[TRANSCRIPT_CAP];
    fcp_buf b;
    fcp_buf_init_fixed(&b, mem, sizeof mem);
    int rc = fcp_session_hello_transcript(h, &b);
    if (rc < 0)
        return rc;
    return fcp_ed25519_verify(h->signature, b.data, b.len, pk) == 0 ? 0
                                                                   : FCP_ESESSION_BAD_SIGNATURE;
}

int fcp_session_ack_sign(fcp_session_ack *a, const uint8_t hello_eph[32],
                         const uint8_t hello_nonce[16], const uint8_t sk[64])
{
    uint8_t mem[TRANSCRIPT_CAP];
    fcp_buf b;
    fcp_buf_init_fixed(&b, mem, sizeof mem);
    int rc = fcp_session_ack_transcript(a, hello_eph, hello_nonce, &b);
    if (rc < 0)
        return rc;
    if ((rc = fcp_ed25519_sign(a->signature, b.data, b.len, sk)) < 0)
        return rc;
    a->has_signature = 1;
    return 0;
}

int fcp_session_ack_verify(const fcp_session_ack *a, const uint8_t hello_eph[32],
                           const uint8_t hello_nonce[16], const uint8_t pk[32])
{
    if (!a->has_signature)
        return FCP_ESESSION_MISSING_SIGNATURE;
    uint8_t mem[TRANSCRIPT_CAP];
    fcp_buf b;
    fcp_buf_init_fixed(&b, mem, sizeof mem);
    int rc = fcp_session_ack_transcript(a, hello_eph, hello_nonce, &b);
    if (rc < 0)
        return rc;
    return fcp_ed25519_verify(a->signature, b.data, b.len, pk) == 0 ? 0
                                                                   : FCP_ESESSION_BAD_SIGNATURE;
}

int fcp_session_cookie(uint8_t out[32], const uint8_t key[32], const fcp_session_hello *h)
{
    int rc = hello_check(h);
    if (rc < 0) {
        memset(out, 0, 32);
        return rc;
    }
    uint8_t mem[TRANSCRIPT_CAP];
    fcp_buf b;
    fcp_buf_init_fixed(&b, mem, sizeof mem);
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, &b);
    hello_fields(&e, h, 0);
    if ((rc = fcp_cbor_enc_done(&e)) < 0) {
        memset(out, 0, 32);
        return rc;
    }
    fcp_hmac_sha256(out, key, 32, b.data, b.len);
    return 0;
}

int fcp_session_negotiate(const uint64_t *initiator, size_t n_init, const uint64_t *responder,
                          size_t n_resp)
{
    for (size_t i = 0; i < n_resp; i++) {
        uint64_t s = responder[i];
        if (s < FCP_SESSION_MIN_SUITE || s > 255)
            continue;
        for (size_t j = 0; j < n_init; j++)
            if (initiator[j] == s)
                return (int)s;
    }
    return FCP_ESESSION_NO_MUTUAL_SUITE;
}

/* ---- key schedule (D-SESSION-1) ------------------------------------------- */

int fcp_session_derive(uint8_t okm[96], const uint8_t shared[32], const uint8_t session_id[16],
                       uint8_t suite, const char *initiator_id, size_t ilen,
                       const char *responder_id, size_t rlen, const uint8_t hello_nonce[16],
                       const uint8_t ack_nonce[16])
{
    if (ilen == 0 || ilen > FCP_NODE_ID_MAX || rlen == 0 || rlen > FCP_NODE_ID_MAX)
        return FCP_EINVAL;
    uint8_t info[sizeof KDF_DOMAIN - 1 + 1 + 4 + FCP_NODE_ID_MAX + 4 + FCP_NODE_ID_MAX + 32];
    size_t n = 0;
    memcpy(info, KDF_DOMAIN, sizeof KDF_DOMAIN - 1);
    n += sizeof KDF_DOMAIN - 1;
    info[n++] = suite;
    fcp_store_u32le(info + n, (uint32_t)ilen);
    n += 4;
    memcpy(info + n, initiator_id, ilen);
    n += ilen;
    fcp_store_u32le(info + n, (uint32_t)rlen);
    n += 4;
    memcpy(info + n, responder_id, rlen);
    n += rlen;
    memcpy(info + n, hello_nonce, 16);
    n += 16;
    memcpy(info + n, ack_nonce, 16);
    n += 16;
    return fcp_hkdf_sha256(okm, 96, session_id, 16, shared, 32, info, n);
}

void fcp_session_keys_wipe(fcp_session_keys *k)
{
    fcp_memzero(k, sizeof *k);
}

/* ---- envelope (D-SESSION-2) ----------------------------------------------- */

int fcp_session_is_handshake(const uint8_t *buf, size_t len)
{
    return len >= 4 && memcmp(buf, FCP_SESSION_ENV_MAGIC, 4) == 0;
}

int fcp_session_env_encode(uint8_t *out, size_t cap, size_t *out_len, fcp_session_msg_type type,
                           const uint8_t *body, size_t body_len)
{
    *out_len = 0;
    if (type < FCP_SESSION_MSG_HELLO || type > FCP_SESSION_MSG_ACK)
        return FCP_EINVAL;
    if (body_len > FCP_SESSION_ENV_MAX - FCP_SESSION_ENV_HEADER)
        return FCP_ESESSION_TOO_LARGE;
    if (cap < FCP_SESSION_ENV_HEADER + body_len)
        return FCP_EBUFFER_TOO_SMALL;
    memmove(out + FCP_SESSION_ENV_HEADER, body, body_len);
    memcpy(out, FCP_SESSION_ENV_MAGIC, 4);
    out[4] = FCP_SESSION_ENV_VERSION;
    out[5] = (uint8_t)type;
    *out_len = FCP_SESSION_ENV_HEADER + body_len;
    return 0;
}

int fcp_session_env_decode(const uint8_t *buf, size_t len, fcp_session_msg_type *type,
                           const uint8_t **body, size_t *body_len)
{
    *body = NULL;
    *body_len = 0;
    *type = 0;
    if (len > FCP_SESSION_ENV_MAX)
        return FCP_ESESSION_TOO_LARGE;
    if (len < FCP_SESSION_ENV_HEADER || memcmp(buf, FCP_SESSION_ENV_MAGIC, 4) != 0)
        return FCP_ESESSION_ENVELOPE;
    if (buf[4] != FCP_SESSION_ENV_VERSION)
        return FCP_ESESSION_VERSION;
    if (buf[5] < FCP_SESSION_MSG_HELLO || buf[5] > FCP_SESSION_MSG_ACK)
        return FCP_ESESSION_MSG_TYPE;
    *type = (fcp_session_msg_type)buf[5];
    *body = buf + FCP_SESSION_ENV_HEADER;
    *body_len = len - FCP_SESSION_ENV_HEADER;
    return 0;
}

/* ---- trust store ---------------------------------------------------------- */

void fcp_session_trust_init(fcp_session_trust *t, const uint8_t owner_pk[32])
{
    memset(t, 0, sizeof *t);
    memcpy(t->owner_pk, owner_pk, 32);
}

int fcp_session_trust_add(fcp_session_trust *t, const fcp_node_attestation *a, uint64_t now)
{
    int rc = fcp_attestation_verify(a, t->owner_pk, now);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->att[i].node_id, a->node_id) == 0) {
            t->att[i] = *a;
            return 0;
        }
    }
    if (t->n >= FCP_SESSION_TRUST_MAX)
        return FCP_ELIMIT;
    t->att[t->n++] = *a;
    return 0;
}

int fcp_session_trust_lookup(const fcp_session_trust *t, const char *id, size_t len, uint64_t now,
                             const uint8_t **pk)
{
    *pk = NULL;
    for (size_t i = 0; i < t->n; i++) {
        const fcp_node_attestation *a = &t->att[i];
        if (strlen(a->node_id) != len || memcmp(a->node_id, id, len) != 0)
            continue;
        if (a->has_expires_at && now >= a->expires_at)
            return FCP_ESESSION_ATTESTATION_EXPIRED;
        if (a->issued_at > now + FCP_ATTEST_MAX_SKEW)
            return FCP_ESESSION_ATTESTATION;
        *pk = a->node_sig_pubkey;
        return 0;
    }
    return FCP_ESESSION_UNKNOWN_PEER;
}

/* ---- hello replay window -------------------------------------------------- */

int fcp_hello_replay_init(fcp_hello_replay *w, size_t cap)
{
    memset(w, 0, sizeof *w);
    if (cap == 0)
        cap = FCP_SESSION_HELLO_REPLAY_DEFAULT;
    w->keys = calloc(cap, sizeof *w->keys);
    if (!w->keys)
        return FCP_ENOMEM;
    w->cap = cap;
    return 0;
}

void fcp_hello_replay_free(fcp_hello_replay *w)
{
    free(w->keys);
    memset(w, 0, sizeof *w);
}

static void replay_key(uint8_t out[16], const char *from, size_t len, const uint8_t nonce[16])
{
    uint8_t full[32], lb[4];
    fcp_blake3_hasher h;
    fcp_store_u32le(lb, (uint32_t)len);
    fcp_blake3_hasher_init(&h);
    fcp_blake3_hasher_update(&h, lb, 4);
    fcp_blake3_hasher_update(&h, from, len);
    fcp_blake3_hasher_update(&h, nonce, 16);
    fcp_blake3_hasher_finalize(&h, full, 32);
    memcpy(out, full, 16);
}

static int replay_find(const fcp_hello_replay *w, const uint8_t k[16])
{
    for (size_t i = 0; i < w->n; i++)
        if (memcmp(w->keys[i], k, 16) == 0)
            return 1;
    return 0;
}

int fcp_hello_replay_check(const fcp_hello_replay *w, const char *from, size_t len,
                           const uint8_t nonce[16])
{
    uint8_t k[16];
    replay_key(k, from, len, nonce);
    return replay_find(w, k) ? FCP_ESESSION_DUPLICATE_HELLO : 0;
}

int fcp_hello_replay_insert(fcp_hello_replay *w, const char *from, size_t len,
                            const uint8_t nonce[16])
{
    uint8_t k[16];
    replay_key(k, from, len, nonce);
    if (replay_find(w, k))
        return FCP_ESESSION_DUPLICATE_HELLO;
    if (w->n < w->cap) {
        memcpy(w->keys[w->n++], k, 16);
    } else {
        memcpy(w->keys[w->head], k, 16); /* overwrite the oldest */
        w->head = (w->head + 1) % w->cap;
    }
    return 0;
}
