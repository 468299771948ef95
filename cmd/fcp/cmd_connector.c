/*
 * cmd_connector.c - `fcp connector list|show|install|activate|stop|rollback|sign`:
 * the connectors the local fcpd runs (admin ops connectors,
 * connector_install / _activate / _stop / _rollback; docs/connectors.md
 * "Running connectors in fcpd"), and, offline, the publisher signature a
 * [[connector]] entry or an install needs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "fcp/admin.h"
#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/host_manifest.h"

static void usage(void)
{
    printf("usage: fcp connector list [--json]\n"
           "       fcp connector show ID [--json]\n"
           "       fcp connector install --manifest FILE --binary FILE --signature HEX|FILE [--json]\n"
           "       fcp connector activate|stop|rollback ID [--json]\n"
           "       fcp connector sign --manifest FILE --binary FILE --key FILE\n"
           "\n"
           "The connectors the local fcpd runs (add --socket PATH to reach another socket):\n"
           "  list       id, version, lifecycle state and operations of every connector\n"
           "  show       one connector with its runtime: pid, restarts, last error,\n"
           "             activation time, binary and manifest ids, egress counts\n"
           "  install    send a manifest and binary with the publisher's signature; fcpd\n"
           "             stores the binary in its store, verifies it (embedded manifest,\n"
           "             signature) and starts it; the version it replaces is kept\n"
           "  activate   start a stopped (or given-up) connector again\n"
           "  stop       stop a connector (it stays stopped until activate)\n"
           "  rollback   return to the previous version\n"
           "  sign       (offline) print the publisher signature (128 hex digits) over the\n"
           "             manifest and binary hashes with the Ed25519 seed in FILE (64 hex\n"
           "             digits); the manifest's publisher_key must be that key's public half\n"
           "See fcp-connector(1).\n");
}

static void print_list(const fcp_buf *resp, int show)
{
    const uint8_t *raw;
    size_t rl;
    if (fcp_admin_resp_raw(resp->data, resp->len, "connectors", &raw, &rl) != 1)
        return;
    fcp_cbor_dec d;
    fcp_cbor_dec_init(&d, raw, rl, NULL);
    uint64_t n;
    if (fcp_cbor_get_array(&d, &n) < 0)
        return;
    if (!show)
        printf("%-20s %-10s %-11s %s\n", "ID", "VERSION", "STATE", "OPERATIONS");
    for (uint64_t i = 0; i < n; i++) {
        const uint8_t *cv;
        size_t cl;
        if (fcp_cbor_get_raw(&d, &cv, &cl) < 0)
            return;
        const char *id = "", *ver = "", *st = "", *desc = "";
        size_t il = 0, vl = 0, sl = 0, dl = 0;
        fcp_admin_resp_text(cv, cl, "id", &id, &il);
        fcp_admin_resp_text(cv, cl, "version", &ver, &vl);
        fcp_admin_resp_text(cv, cl, "state", &st, &sl);
        fcp_admin_resp_text(cv, cl, "description", &desc, &dl);
        const uint8_t *ops;
        size_t opl;
        char names[512] = "";
        size_t nn = 0;
        if (fcp_admin_resp_raw(cv, cl, "operations", &ops, &opl) == 1) {
            fcp_cbor_dec od;
            fcp_cbor_dec_init(&od, ops, opl, NULL);
            uint64_t no;
            if (fcp_cbor_get_array(&od, &no) == 0)
                for (uint64_t k = 0; k < no; k++) {
                    const uint8_t *ov;
                    size_t ovl;
                    if (fcp_cbor_get_raw(&od, &ov, &ovl) < 0)
                        break;
                    const char *on = "", *tier = "";
                    size_t onl = 0, tl = 0;
                    fcp_admin_resp_text(ov, ovl, "name", &on, &onl);
                    fcp_admin_resp_text(ov, ovl, "tier", &tier, &tl);
                    if (show) {
                        const char *cap = "";
                        size_t capl = 0;
                        fcp_admin_resp_text(ov, ovl, "capability", &cap, &capl);
                        printf("  op %-20.*s tier %-9.*s capability %.*s\n", (int)onl, on, (int)tl, tier, (int)capl,
                               cap);
                    } else if (nn + onl + 2 < sizeof names) {
                        nn += (size_t)snprintf(names + nn, sizeof names - nn, "%s%.*s", nn ? "," : "", (int)onl, on);
                    }
                }
        }
        if (!show) {
            printf("%-20.*s %-10.*s %-11.*s %s\n", (int)il, id, (int)vl, ver, (int)sl, st, names);
            continue;
        }
        printf("%.*s %.*s: %.*s\n  %.*s\n", (int)il, id, (int)vl, ver, (int)sl, st, (int)dl, desc);
        const uint8_t *rtv;
        size_t rtl;
        if (fcp_admin_resp_raw(cv, cl, "runtime", &rtv, &rtl) == 1) {
            static const char *const texts[] = { "zone", "restart_policy", "last_error", "last_error_detail",
                                                 "binary_id", "manifest_id", "binary", "previous_version" };
            static const char *const nums[] = { "pid", "starts", "crashes", "restarts", "consecutive_failures",
                                                "activation_ms", "restart_in_ms", "invokes_ok", "invokes_failed",
                                                "egress_allowed", "egress_denied", "queued" };
            for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
                const char *t;
                size_t tl;
                if (fcp_admin_resp_text(rtv, rtl, texts[k], &t, &tl) == 1 && tl)
                    printf("  %-22s %.*s\n", texts[k], (int)tl, t);
            }
            for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
                uint64_t v;
                if (fcp_admin_resp_uint(rtv, rtl, nums[k], &v) == 1)
                    printf("  %-22s %llu\n", nums[k], (unsigned long long)v);
            }
            int b;
            if (fcp_admin_resp_bool(rtv, rtl, "gave_up", &b) == 1 && b)
                printf("  %-22s yes (run `fcp connector activate`)\n", "gave_up");
        }
    }
}

static int load_hex_or_file(const char *arg, uint8_t *out, size_t n)
{
    if (strlen(arg) == 2 * n && fcp_hex_decode_exact(out, n, arg) == 0)
        return 0;
    size_t l;
    uint8_t *b = cmd_read_input(arg, &l, 4096);
    if (!b)
        return -1;
    while (l && (b[l - 1] == '\n' || b[l - 1] == '\r' || b[l - 1] == ' '))
        l--;
    int rc = -1;
    if (l == n) {
        memcpy(out, b, n);
        rc = 0;
    } else if (l == 2 * n) {
        char t[257];
        memcpy(t, b, l);
        t[l] = 0;
        rc = fcp_hex_decode_exact(out, n, t) == 0 ? 0 : -1;
    }
    fcp_memzero(b, l);
    free(b);
    return rc;
}

static int do_sign(int argc, char **argv)
{
    const char *mp = NULL, *bp = NULL, *kp = NULL;
    for (int i = 2; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v && !strcmp(argv[i], "--manifest")) { mp = v; i++; }
        else if (v && !strcmp(argv[i], "--binary")) { bp = v; i++; }
        else if (v && !strcmp(argv[i], "--key")) { kp = v; i++; }
        else {
            fprintf(stderr, "fcp connector sign: unknown option '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!mp || !bp || !kp) {
        fprintf(stderr, "fcp connector sign: --manifest, --binary and --key are required\n");
        return 2;
    }
    size_t ml, bl;
    uint8_t *mt = cmd_read_input(mp, &ml, FCP_MANIFEST_MAX_TEXT), *bin = NULL;
    uint8_t seed[32], pk[32], sk[64], mh[32], bh[32], sig[64];
    int rc = 1;
    fcp_manifest m;
    memset(&m, 0, sizeof m);
    if (!mt || !(bin = cmd_read_input(bp, &bl, 64u << 20)))
        goto out;
    if (load_hex_or_file(kp, seed, 32) < 0) {
        fprintf(stderr, "fcp connector sign: %s must hold a 32-byte Ed25519 seed (64 hex digits)\n", kp);
        goto out;
    }
    fcp_toml_error te;
    memset(&te, 0, sizeof te);
    int e = fcp_manifest_parse(&m, mp, (const char *)mt, ml, &te);
    if (e < 0) {
        cmd_error("connector sign", e, te.msg);
        goto out;
    }
    fcp_ed25519_keypair_from_seed(pk, sk, seed);
    if (memcmp(pk, m.publisher_key, 32)) {
        fprintf(stderr, "fcp connector sign: the key is not the manifest's publisher_key\n");
        goto out;
    }
    fcp_manifest_hash(&m, mh);
    fcp_manifest_binary_hash(bin, bl, bh);
    if ((e = fcp_manifest_sign(sig, mh, bh, sk)) < 0) {
        cmd_error("connector sign", e, "signing");
        goto out;
    }
    char hex[129];
    fcp_hex_encode(hex, sizeof hex, sig, 64);
    printf("%s\n", hex);
    rc = 0;
out:
    fcp_memzero(seed, sizeof seed);
    fcp_memzero(sk, sizeof sk);
    fcp_manifest_free(&m);
    free(mt);
    free(bin);
    return rc;
}

/* connector_install, then the binary in put_data chunks, then put_end. */
static int do_install(const char *sockopt, const char *mp, const char *bp, const char *sigarg, int json)
{
    size_t ml, bl;
    uint8_t *mt = cmd_read_input(mp, &ml, FCP_MANIFEST_MAX_TEXT), *bin = NULL;
    int rc = 1;
    fcp_buf resp;
    fcp_buf_init(&resp);
    fcp_admin_client c;
    c.fd = -1;
    if (!mt || !(bin = cmd_read_input(bp, &bl, 64u << 20)))
        goto out;
    fcp_admin_request r;
    memset(&r, 0, sizeof r);
    r.op = FCP_ADMIN_OP_CONNECTOR_INSTALL;
    r.has_manifest = r.has_signature = r.has_size = 1;
    r.manifest = (const char *)mt;
    r.manifest_len = ml;
    r.size = bl;
    if (load_hex_or_file(sigarg, r.signature, 64) < 0) {
        fprintf(stderr, "fcp connector install: --signature wants 128 hex digits or a file holding them\n");
        rc = 2;
        goto out;
    }
    char sock[256];
    int e = fcp_admin_socket_path(sock, sizeof sock, sockopt, getenv("FCP_HOME"), getenv("HOME"));
    if (e < 0 || (e = fcp_admin_client_open(&c, sock)) < 0) {
        cmd_error("connector install", e, sock);
        goto out;
    }
    uint64_t seq;
    if ((e = fcp_admin_client_send(&c, &r, &seq)) < 0)
        goto fail;
    for (size_t off = 0; off < bl; off += FCP_ADMIN_CHUNK) {
        fcp_admin_request dr;
        memset(&dr, 0, sizeof dr);
        dr.op = FCP_ADMIN_OP_PUT_DATA;
        dr.has_data = 1;
        dr.data = bin + off;
        dr.data_len = bl - off < FCP_ADMIN_CHUNK ? bl - off : FCP_ADMIN_CHUNK;
        if ((e = fcp_admin_client_send(&c, &dr, NULL)) < 0)
            goto fail;
    }
    fcp_admin_request er;
    memset(&er, 0, sizeof er);
    er.op = FCP_ADMIN_OP_PUT_END;
    uint64_t eseq;
    if ((e = fcp_admin_client_send(&c, &er, &eseq)) < 0)
        goto fail;
    (void)eseq;
    /* one answer, under the install's seq (also an early refusal) */
    if ((e = fcp_admin_client_recv(&c, seq, &resp)) < 0)
        goto fail;
    if (json) {
        cmd_print_json(&resp);
    } else {
        int err;
        char detail[256];
        if (fcp_admin_resp_failed(resp.data, resp.len, &err, detail, sizeof detail) == 1) {
            cmd_error("connector install", err, detail);
            goto out;
        }
        const uint8_t *cv;
        size_t cl;
        const char *id = "", *ver = "", *st = "";
        size_t il = 0, vl = 0, sl = 0;
        if (fcp_admin_resp_raw(resp.data, resp.len, "connector", &cv, &cl) == 1) {
            fcp_admin_resp_text(cv, cl, "id", &id, &il);
            fcp_admin_resp_text(cv, cl, "version", &ver, &vl);
            fcp_admin_resp_text(cv, cl, "state", &st, &sl);
        }
        printf("installed %.*s %.*s (%.*s)\n", (int)il, id, (int)vl, ver, (int)sl, st);
    }
    rc = fcp_admin_resp_failed(resp.data, resp.len, &e, NULL, 0) == 0 ? 0 : 1;
    goto out;
fail:
    cmd_error("connector install", e, "talking to fcpd");
out:
    if (c.fd >= 0)
        fcp_admin_client_close(&c);
    free(mt);
    free(bin);
    fcp_buf_free(&resp);
    return rc;
}

int cmd_connector(int argc, char **argv)
{
    if (argc < 2 || cmd_wants_help(argc, argv)) {
        usage();
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "sign"))
        return do_sign(argc, argv);
    const char *sockopt = NULL, *id = NULL, *mp = NULL, *bp = NULL, *sig = NULL;
    int json = 0;
    for (int i = 2; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (v && !strcmp(argv[i], "--socket")) { sockopt = v; i++; }
        else if (v && !strcmp(argv[i], "--manifest")) { mp = v; i++; }
        else if (v && !strcmp(argv[i], "--binary")) { bp = v; i++; }
        else if (v && !strcmp(argv[i], "--signature")) { sig = v; i++; }
        else if (!id && argv[i][0] != '-') id = argv[i];
        else {
            fprintf(stderr, "fcp connector %s: unknown option '%s' (try --help)\n", sub, argv[i]);
            return 2;
        }
    }
    if (!strcmp(sub, "install")) {
        if (!mp || !bp || !sig) {
            fprintf(stderr, "fcp connector install: --manifest, --binary and --signature are required\n");
            return 2;
        }
        return do_install(sockopt, mp, bp, sig, json);
    }
    fcp_admin_request r;
    memset(&r, 0, sizeof r);
    int show = 0;
    if (!strcmp(sub, "list")) r.op = FCP_ADMIN_OP_CONNECTORS;
    else if (!strcmp(sub, "show")) { r.op = FCP_ADMIN_OP_CONNECTORS; show = 1; }
    else if (!strcmp(sub, "activate")) r.op = FCP_ADMIN_OP_CONNECTOR_ACTIVATE;
    else if (!strcmp(sub, "stop")) r.op = FCP_ADMIN_OP_CONNECTOR_STOP;
    else if (!strcmp(sub, "rollback")) r.op = FCP_ADMIN_OP_CONNECTOR_ROLLBACK;
    else {
        fprintf(stderr, "fcp connector: unknown subcommand '%s' (try --help)\n", sub);
        return 2;
    }
    if ((r.op != FCP_ADMIN_OP_CONNECTORS || show) && !id) {
        fprintf(stderr, "fcp connector %s: connector ID required\n", sub);
        return 2;
    }
    if (id) {
        if (strlen(id) > FCP_ADMIN_NAME_MAX) {
            fprintf(stderr, "fcp connector %s: id longer than 128 bytes\n", sub);
            return 2;
        }
        r.has_connector = 1;
        snprintf(r.connector, sizeof r.connector, "%s", id);
    }
    char verb[32];
    snprintf(verb, sizeof verb, "connector %s", sub);
    fcp_buf resp;
    fcp_buf_init(&resp);
    int rc = cmd_admin_call(verb, sockopt, &r, &resp);
    if (rc == 0) {
        if (json)
            cmd_print_json(&resp);
        else if (r.op == FCP_ADMIN_OP_CONNECTORS)
            print_list(&resp, show);
        else {
            const uint8_t *cv;
            size_t cl;
            const char *st = "";
            size_t sl = 0;
            if (fcp_admin_resp_raw(resp.data, resp.len, "connector", &cv, &cl) == 1)
                fcp_admin_resp_text(cv, cl, "state", &st, &sl);
            printf("%s %s: %.*s\n", sub, id, (int)sl, st);
        }
    }
    fcp_buf_free(&resp);
    return rc;
}
