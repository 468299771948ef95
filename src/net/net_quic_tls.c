/*
 * net_quic_tls.c - the TLS half of the QUIC carrier: the node certificate
 * built from the node's Ed25519 key, the GnuTLS session of one connection,
 * and the verify callback that pins the peer's node key (D-QUIC-1, D-QUIC-2).
 *
 * There is no PKI.  A certificate here is only a container that TLS 1.3
 * knows how to carry: what authenticates the peer is that its
 * CertificateVerify signature (checked by GnuTLS with the certificate's key)
 * verifies under a key we already trust.  So the verify callback ignores
 * names, dates and issuers and compares keys only.
 *
 * The certificate is deterministic (Ed25519 signatures are), so its bytes are
 * a golden vector: version 3, serial 1, subject = issuer = CN=fcp-node,
 * notBefore 1970-01-01T00:00:00Z, notAfter 9999-12-31T23:59:59Z (RFC 5280
 * §4.1.2.5 "no well-defined expiration"), key usage digitalSignature, signed
 * by its own key.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/x509.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "net_quic_internal.h"

struct fcp_quic_identity {
    gnutls_certificate_credentials_t cred;
    uint8_t *der;
    size_t   der_len;
    uint8_t  pk[32];
};

/* TLS 1.3 only; the QUIC-capable AEADs GnuTLS offers (no CCM_8, RFC 9001
 * §5.3); no middlebox compatibility records (RFC 9001 §8.4). */
static const char k_priority[] =
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:"
    "+CHACHA20-POLY1305:%DISABLE_TLS13_COMPAT_MODE";

static int verify_cb(gnutls_session_t s);

int fcp_quic_cert_ed25519_key(const uint8_t *der, size_t len, uint8_t pk[32])
{
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t d = { (unsigned char *)(uintptr_t)der, (unsigned)len };
    gnutls_datum_t x = { NULL, 0 }, y = { NULL, 0 };
    gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
    int rc = FCP_EQUIC_PEER_CERT;

    if (!der || len == 0 || len > 65536u)
        return FCP_EQUIC_PEER_CERT;
    if (gnutls_x509_crt_init(&crt) < 0)
        return FCP_ENOMEM;
    if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) < 0)
        goto out;
    if (gnutls_x509_crt_get_pk_algorithm(crt, NULL) != GNUTLS_PK_EDDSA_ED25519)
        goto out;
    if (gnutls_x509_crt_get_pk_ecc_raw(crt, &curve, &x, &y) < 0)
        goto out;
    if (curve != GNUTLS_ECC_CURVE_ED25519 || x.size != 32)
        goto out;
    memcpy(pk, x.data, 32);
    rc = 0;
out:
    gnutls_free(x.data);
    gnutls_free(y.data);
    gnutls_x509_crt_deinit(crt);
    return rc;
}

int fcp_quic_identity_new(fcp_quic_identity **out, const uint8_t seed[32])
{
    uint8_t sk[FCP_ED25519_SECRETKEYBYTES];
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t der = { NULL, 0 };
    fcp_quic_identity *id;
    static const char cn[] = "fcp-node";
    static const unsigned char serial[1] = { 0x01 };
    int rc = FCP_EQUIC_CERT;

    *out = NULL;
    id = calloc(1, sizeof *id);
    if (!id)
        return FCP_ENOMEM;
    if (fcp_ed25519_keypair_from_seed(id->pk, sk, seed) != 0)
        goto fail;
    {
        gnutls_datum_t x = { id->pk, 32 };
        gnutls_datum_t k = { (unsigned char *)(uintptr_t)seed, 32 };
        if (gnutls_x509_privkey_init(&key) < 0 ||
            gnutls_x509_privkey_import_ecc_raw(key, GNUTLS_ECC_CURVE_ED25519, &x, NULL, &k) < 0)
            goto fail;
    }
    if (gnutls_x509_crt_init(&crt) < 0 ||
        gnutls_x509_crt_set_version(crt, 3) < 0 ||
        gnutls_x509_crt_set_serial(crt, serial, sizeof serial) < 0 ||
        gnutls_x509_crt_set_activation_time(crt, 0) < 0 ||
        gnutls_x509_crt_set_expiration_time(crt, (time_t)-1) < 0 ||
        gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, sizeof cn - 1) < 0 ||
        gnutls_x509_crt_set_key(crt, key) < 0 ||
        gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE) < 0 ||
        gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA512, 0) < 0 ||
        gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) < 0)
        goto fail;
    id->der = malloc(der.size);
    if (!id->der) {
        rc = FCP_ENOMEM;
        goto fail;
    }
    memcpy(id->der, der.data, der.size);
    id->der_len = der.size;
    if (gnutls_certificate_allocate_credentials(&id->cred) < 0 ||
        gnutls_certificate_set_x509_key(id->cred, &crt, 1, key) < 0)
        goto fail;
    gnutls_certificate_set_verify_function(id->cred, verify_cb);
    rc = 0;
    *out = id;
    id = NULL;
fail:
    fcp_memzero(sk, sizeof sk);
    gnutls_free(der.data);
    if (crt)
        gnutls_x509_crt_deinit(crt);
    if (key)
        gnutls_x509_privkey_deinit(key); /* wipes the key material */
    if (id)
        fcp_quic_identity_free(id);
    return rc;
}

void fcp_quic_identity_free(fcp_quic_identity *id)
{
    if (!id)
        return;
    if (id->cred)
        gnutls_certificate_free_credentials(id->cred);
    free(id->der);
    free(id);
}

void fcp_quic_identity_cert(const fcp_quic_identity *id, const uint8_t **der, size_t *len)
{
    *der = id->der;
    *len = id->der_len;
}

void fcp_quic_identity_pk(const fcp_quic_identity *id, uint8_t pk[32])
{
    memcpy(pk, id->pk, 32);
}

/*
 * Called by GnuTLS once the peer's Certificate message is in, before its
 * CertificateVerify is accepted.  Non-zero aborts the handshake (GnuTLS
 * answers with a bad_certificate alert).  Records why, so the connection can
 * report FCP_EQUIC_PEER_KEY / _NO_PEER_CERT / _PEER_CERT.
 */
static int verify_cb(gnutls_session_t s)
{
    ngtcp2_crypto_conn_ref *ref = gnutls_session_get_ptr(s);
    fcp_quic_tls *t = ref ? ref->user_data : NULL;
    const gnutls_datum_t *certs;
    unsigned n = 0;
    uint8_t pk[32];
    int ok;

    if (!t)
        return -1;
    certs = gnutls_certificate_get_peers(s, &n);
    if (!certs || n == 0) {
        t->auth = FCP_QUIC_AUTH_NO_CERT;
        return -1;
    }
    /* Exactly one self-signed certificate: a chain means a PKI we do not use. */
    if (n != 1 || fcp_quic_cert_ed25519_key(certs[0].data, certs[0].size, pk) != 0) {
        t->auth = FCP_QUIC_AUTH_BAD_CERT;
        return -1;
    }
    if (t->server)
        ok = t->key_ok && t->key_ok(t->key_ok_ctx, pk) == 1;
    else
        ok = fcp_ct_equal(pk, t->pinned, 32);
    if (!ok) {
        t->auth = FCP_QUIC_AUTH_WRONG_KEY;
        return -1;
    }
    memcpy(t->peer_pk, pk, 32);
    t->auth = FCP_QUIC_AUTH_OK;
    return 0;
}

int fcp_quic_tls_init(fcp_quic_tls *t, const fcp_quic_identity *id, int server)
{
    gnutls_datum_t alpn = { (unsigned char *)(uintptr_t)FCP_QUIC_ALPN,
                            (unsigned)(sizeof FCP_QUIC_ALPN - 1) };
    unsigned flags = (server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NO_END_OF_EARLY_DATA |
                     GNUTLS_NO_TICKETS;

    gnutls_certificate_credentials_t cred;

    t->server = server;
    t->auth = FCP_QUIC_AUTH_NONE;
    t->session = NULL;
    if (id) {
        cred = id->cred;
    } else {
        if (server || gnutls_certificate_allocate_credentials(&t->own_cred) < 0)
            return FCP_EQUIC_TLS;
        gnutls_certificate_set_verify_function(t->own_cred, verify_cb);
        cred = t->own_cred;
    }
    if (gnutls_init(&t->session, flags) < 0) {
        t->session = NULL;
        return FCP_EQUIC_TLS;
    }
    if ((server ? ngtcp2_crypto_gnutls_configure_server_session(t->session)
                : ngtcp2_crypto_gnutls_configure_client_session(t->session)) != 0 ||
        gnutls_priority_set_direct(t->session, k_priority, NULL) < 0 ||
        gnutls_credentials_set(t->session, GNUTLS_CRD_CERTIFICATE, cred) < 0 ||
        gnutls_alpn_set_protocols(t->session, &alpn, 1, GNUTLS_ALPN_MANDATORY) < 0)
        goto fail;
    if (server)
        gnutls_certificate_server_set_request(t->session, GNUTLS_CERT_REQUIRE);
    gnutls_session_set_ptr(t->session, &t->conn_ref);
    return 0;
fail:
    gnutls_deinit(t->session);
    t->session = NULL;
    return FCP_EQUIC_TLS;
}

void fcp_quic_tls_deinit(fcp_quic_tls *t)
{
    if (t->session)
        gnutls_deinit(t->session);
    t->session = NULL;
    if (t->own_cred)
        gnutls_certificate_free_credentials(t->own_cred);
    t->own_cred = NULL;
}

int fcp_quic_tls_check_done(fcp_quic_tls *t)
{
    gnutls_datum_t p = { NULL, 0 };

    if (gnutls_alpn_get_selected_protocol(t->session, &p) < 0 ||
        p.size != sizeof FCP_QUIC_ALPN - 1 || memcmp(p.data, FCP_QUIC_ALPN, p.size) != 0)
        return FCP_EQUIC_HANDSHAKE;
    /* The verify callback ran and accepted (GnuTLS calls it for every peer
     * certificate; a server that got none fails in GnuTLS already). */
    if (t->auth != FCP_QUIC_AUTH_OK)
        return t->auth == FCP_QUIC_AUTH_NONE ? FCP_EQUIC_NO_PEER_CERT : FCP_EQUIC_PEER_KEY;
    return 0;
}
