/*
 * bench_model.c - cost of the object model next to references measured in
 * the same run:
 *
 *   (a) canonical-object signature verification: decode a NodeKeyAttestation
 *       (strict CBOR), rebuild its signing bytes ("FCP2-SIGN-V1" || hash8 ||
 *       unsigned view) and Ed25519-verify them, against raw libsodium
 *       crypto_sign_verify_detached over the same signing bytes.  Target
 *       (issue): canonical/raw >= 0.9.
 *   (b) ObjectHeader encode and strict decode, minimal and full headers,
 *       against memcpy of the same number of bytes.
 *
 * Each figure and its reference run in 20 alternating slices totalling
 * BENCH_SECONDS (default 1.0) each, so drifting load affects both alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "fcp/buf.h"
#include "fcp/crypto.h"
#include "fcp/model_attest.h"
#include "fcp/model_object.h"
#include "fcp/model_sign.h"

static double g_secs = 1.0;
static volatile uint64_t g_sink;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Run fn for about secs; add the operation count and elapsed time. */
static void run(int (*fn)(void *), void *arg, double secs, double *ops, double *elapsed)
{
    unsigned long n = 0;
    double t0 = now(), t;
    do {
        for (int k = 0; k < 8; k++)
            if (fn(arg) != 0) {
                fprintf(stderr, "bench_model: operation failed\n");
                exit(1);
            }
        n += 8;
        t = now() - t0;
    } while (t < secs);
    *ops += (double)n;
    *elapsed += t;
}

/* Rates of a and b, measured in 20 alternating slices (a b a b ...) so that
 * load changes on a shared machine hit both alike. */
static void pair(int (*a)(void *), void *aa, int (*b)(void *), void *ba, double *ra, double *rb)
{
    double na = 0, ta = 0, nb = 0, tb = 0;
    for (int r = 0; r < 20; r++) {
        run(a, aa, g_secs / 20, &na, &ta);
        run(b, ba, g_secs / 20, &nb, &tb);
    }
    *ra = na / ta;
    *rb = nb / tb;
}

/* ---- (a) attestation verification --------------------------------------- */

struct att {
    uint8_t  owner_pk[32];
    fcp_buf  enc;       /* encoded attestation */
    fcp_buf  sb;        /* its signing bytes */
    uint8_t  sig[64];
};

static int verify_canonical(void *p)
{
    struct att *a = p;
    fcp_node_attestation d;
    return fcp_attestation_decode_verify(&d, a->enc.data, a->enc.len, a->owner_pk, 1700000000);
}

static int verify_raw(void *p)
{
    struct att *a = p;
    return crypto_sign_verify_detached(a->sig, a->sb.data, a->sb.len, a->owner_pk);
}

static void setup_att(struct att *a)
{
    fcp_node_attestation x;
    uint8_t seed[32], sk[64], osk[64], xsk[32];
    memset(&x, 0, sizeof x);
    memset(seed, 0xa0, 32);
    fcp_ed25519_keypair_from_seed(a->owner_pk, osk, seed);
    strcpy(x.node_id, "node:laptop.mesh.ts.net");
    memset(seed, 0x01, 32);
    fcp_ed25519_keypair_from_seed(x.node_sig_pubkey, sk, seed);
    memset(seed, 0x02, 32);
    fcp_ed25519_keypair_from_seed(x.node_iss_pubkey, sk, seed);
    memset(xsk, 0x10, 32);
    fcp_x25519_base(x.node_enc_pubkey, xsk);
    x.n_tags = 2;
    strcpy(x.tags[0], "tag:fcp-private");
    strcpy(x.tags[1], "tag:fcp-work");
    x.issued_at = 1700000000;
    x.has_expires_at = 1;
    x.expires_at = 1702592000;
    fcp_buf_init(&a->enc);
    fcp_buf_init(&a->sb);
    fcp_buf u;
    fcp_buf_init(&u);
    fcp_schema_id s;
    fcp_attestation_schema(&s);
    if (fcp_attestation_sign(&x, osk) || fcp_attestation_encode(&x, &a->enc) ||
        fcp_attestation_encode_unsigned(&x, &u) || fcp_signing_bytes(&a->sb, &s, u.data, u.len)) {
        fprintf(stderr, "bench_model: setup failed\n");
        exit(1);
    }
    memcpy(a->sig, x.signature, 64);
    fcp_buf_free(&u);
}

/* ---- (b) header encode / decode ------------------------------------------- */

struct hdr {
    fcp_object_header h;
    fcp_buf enc;
    fcp_buf out;
    uint8_t *src, *dst;
};

static int h_encode(void *p)
{
    struct hdr *x = p;
    fcp_buf_reset(&x->out);
    int rc = fcp_object_header_encode(&x->h, &x->out);
    g_sink += x->out.len;
    return rc;
}

static int h_decode(void *p)
{
    static fcp_object_header d;
    struct hdr *x = p;
    int rc = fcp_object_header_decode(&d, x->enc.data, x->enc.len);
    g_sink += d.created_at;
    return rc;
}

static int h_memcpy(void *p)
{
    struct hdr *x = p;
    memcpy(x->dst, x->src, x->enc.len);
    g_sink += x->dst[x->enc.len - 1];
    return 0;
}

static void setup_hdr(struct hdr *x, int full)
{
    fcp_schema_id s;
    fcp_schema_id_init(&s, "fcp.core", "CapabilityObject", 1, 0, 0);
    fcp_object_header_init(&x->h, &s, "z:work", 1700000000);
    if (full) {
        x->h.n_refs = 4;
        for (int i = 0; i < 4; i++)
            memset(x->h.refs[i], 0x11 * (i + 1), 32);
        x->h.has_ttl_secs = 1;
        x->h.ttl_secs = 86400;
        x->h.has_placement = 1;
        x->h.placement.min_nodes = 3;
        x->h.placement.max_node_fraction = 0.5;
        x->h.placement.target_coverage = 1.5;
        x->h.placement.n_preferred = 1;
        strcpy(x->h.placement.preferred_devices[0], "tag:fcp-private");
        x->h.provenance.taint = FCP_TAINT_PUBLIC_INPUT;
        x->h.provenance.n_crossings = 1;
        strcpy(x->h.provenance.crossings[0].from_zone, "z:public");
        strcpy(x->h.provenance.crossings[0].to_zone, "z:work");
        x->h.provenance.crossings[0].crossed_at = 1700000001;
    }
    fcp_buf_init(&x->enc);
    fcp_buf_init(&x->out);
    if (fcp_object_header_encode(&x->h, &x->enc)) {
        fprintf(stderr, "bench_model: header setup failed\n");
        exit(1);
    }
    x->src = malloc(x->enc.len);
    x->dst = malloc(x->enc.len);
    memcpy(x->src, x->enc.data, x->enc.len);
}

int main(void)
{
    const char *env = getenv("BENCH_SECONDS");
    if (env && atof(env) > 0)
        g_secs = atof(env);
    if (fcp_crypto_init() != 0)
        return 1;

    struct att a;
    setup_att(&a);
    double canon, raw;
    pair(verify_canonical, &a, verify_raw, &a, &canon, &raw);
    printf("attestation verify (decode + signing bytes + Ed25519): %.0f/s\n", canon);
    printf("raw crypto_sign_verify_detached (same %zu-byte message): %.0f/s\n", a.sb.len, raw);
    printf("ratio canonical/raw: %.3f (target >= 0.9)\n", canon / raw);

    static struct hdr hs[2];
    for (int f = 0; f < 2; f++) {
        struct hdr *x = &hs[f];
        setup_hdr(x, f);
        double enc, mc, dec, mc2;
        pair(h_encode, x, h_memcpy, x, &enc, &mc);
        pair(h_decode, x, h_memcpy, x, &dec, &mc2);
        if (mc2 > mc)
            mc = mc2;
        printf("%s header (%zu bytes): encode %.2f M/s (%.0f MB/s), decode %.2f M/s (%.0f MB/s); "
               "memcpy %.1f M/s; encode/memcpy %.4f, decode/memcpy %.4f\n",
               f ? "full" : "minimal", x->enc.len, enc / 1e6, enc * x->enc.len / 1e6, dec / 1e6,
               dec * x->enc.len / 1e6, mc / 1e6, enc / mc, dec / mc);
    }
    return 0;
}
