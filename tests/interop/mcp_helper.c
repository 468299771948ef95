/*
 * mcp_helper.c - test helper for tests/interop/mcp_sdk.sh.
 *
 *   mcp_helper sign MANIFEST.toml BINARY
 *       prints the publisher signature (hex) that fcpd's [[connector]]
 *       "signature" key wants, made with the reference connectors' TEST
 *       publisher key (Ed25519 seed a0 a1 .. bf, the key in
 *       connectors/notes/manifest.toml).  Never for real keys.
 *   mcp_helper connectors SOCK
 *       sends {"op":"connectors"} to fcpd and prints the answer as JSON.
 *       Exit 0 for {ok: true}, 3 when fcpd does not know the op (or the
 *       request), 1 for anything else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "fcp/admin.h"
#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/host_manifest.h"
#include "fcp/toml.h"

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0, got;
    unsigned char *b = malloc(cap);
    while (b && (got = fread(b + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            unsigned char *nb = realloc(b, cap * 2);
            if (!nb)
                free(b);
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    *n = len;
    return b;
}

static int sign(const char *mpath, const char *bpath)
{
    size_t ml = 0, bl = 0;
    unsigned char *mt = slurp(mpath, &ml), *bin = slurp(bpath, &bl);
    if (!mt || !bin) {
        fprintf(stderr, "mcp_helper: cannot read inputs\n");
        return 1;
    }
    fcp_manifest m;
    fcp_toml_error te;
    if (fcp_manifest_parse(&m, mpath, (const char *)mt, ml, &te) < 0) {
        fprintf(stderr, "mcp_helper: manifest: %s\n", te.msg);
        return 1;
    }
    uint8_t seed[32], pk[32], sk[64], mh[32], bh[32], sig[64];
    for (int i = 0; i < 32; i++)
        seed[i] = (uint8_t)(0xa0 + i);
    crypto_sign_seed_keypair(pk, sk, seed);
    fcp_manifest_hash(&m, mh);
    fcp_manifest_binary_hash(bin, bl, bh);
    int rc = fcp_manifest_sign(sig, mh, bh, sk);
    if (rc == 0) {
        char hex[129];
        fcp_hex_encode(hex, sizeof hex, sig, 64);
        printf("%s\n", hex);
    }
    fcp_manifest_free(&m);
    free(mt);
    free(bin);
    return rc == 0 ? 0 : 1;
}

static int connectors(const char *sock)
{
    fcp_buf req, frame, resp;
    fcp_buf_init(&req);
    fcp_buf_init(&frame);
    fcp_buf_init(&resp);
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, &req);
    fcp_cbor_map_open(&e);
    fcp_cbor_put_cstr(&e, "op");
    fcp_cbor_put_cstr(&e, "connectors");
    fcp_cbor_map_close(&e);
    fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    fcp_admin_client c;
    int rc = fcp_admin_client_open(&c, sock);
    if (rc == 0) {
        fcp_admin_frame_encode(&frame, 1, req.data, req.len);
        rc = (size_t)write(c.fd, frame.data, frame.len) == frame.len ? 0 : FCP_EADMIN_CONNECT;
        if (rc == 0)
            rc = fcp_admin_client_recv(&c, 1, &resp);
        fcp_admin_client_close(&c);
    }
    int status = 1;
    if (rc == 0) {
        fcp_buf js;
        fcp_buf_init(&js);
        fcp_admin_to_json(resp.data, resp.len, &js);
        printf("%.*s\n", (int)js.len, (const char *)js.data);
        fcp_buf_free(&js);
        int err = 0, ok = 0;
        char detail[256];
        int f = fcp_admin_resp_failed(resp.data, resp.len, &err, detail, sizeof detail);
        if (f == 0 && fcp_admin_resp_bool(resp.data, resp.len, "ok", &ok) == 1 && ok)
            status = 0;
        else if (f == 1 && (err == FCP_EADMIN_UNKNOWN_OP || err == FCP_EADMIN_MALFORMED))
            status = 3;
    } else {
        fprintf(stderr, "mcp_helper: no answer from %s (%s)\n", sock, fcp_strerror(rc));
    }
    fcp_buf_free(&req);
    fcp_buf_free(&frame);
    fcp_buf_free(&resp);
    return status;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        return 1;
    if (argc == 4 && !strcmp(argv[1], "sign"))
        return sign(argv[2], argv[3]);
    if (argc == 3 && !strcmp(argv[1], "connectors"))
        return connectors(argv[2]);
    fprintf(stderr, "usage: mcp_helper sign MANIFEST BINARY | mcp_helper connectors SOCK\n");
    return 2;
}
