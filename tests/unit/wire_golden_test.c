/*
 * wire_golden_test.c - the wire decisions (docs/protocol/decisions.md,
 * D-WIRE-*) checked against the JSON files in conformance/golden/wire.  Those files are
 * written from the rules by an independent script
 * (conformance/golden/wire/gen_wire_golden.py: Python struct/hmac,
 * `cryptography`, b3sum), so this test is also a cross-implementation check.
 * Run from the repository root (scripts/run-tests.sh does).
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/crypto.h"
#include "fcp/datagram.h"
#include "fcp/error.h"
#include "fcp/fcpc.h"
#include "fcp/fcps.h"
#include "fcp/fcps_aead.h"

static uint64_t ju64(const json_t *v)
{
    if (json_is_string(v))
        return strtoull(json_string_value(v), NULL, 10);
    return (uint64_t)json_integer_value(v);
}

static uint8_t *jhex(const json_t *o, const char *key, size_t *len)
{
    size_t n = 0;
    uint8_t *p = fcp_t_unhex(fcp_t_jstr(o, key), &n);
    if (len)
        *len = n;
    return p;
}

/* rc matches "ok" or an error name. */
static int verdict_is(int rc, const json_t *expect)
{
    const char *want = json_string_value(expect);
    if (!want)
        return 0;
    if (!strcmp(want, "ok"))
        return rc == 0;
    const char *name = fcp_error_name(rc);
    return name && !strcmp(name, want);
}

static json_t *load(const char *file)
{
    char path[256];
    snprintf(path, sizeof path, "conformance/golden/wire/%s", file);
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    if (!j)
        fprintf(stderr, "%s: %s\n", path, err.text);
    CHECK(j != NULL);
    return j;
}

static void frame_files(void)
{
    static const char *files[] = {"d-wire-1-symbol-size.json", "d-wire-2-symbol-count.json",
                                  "d-wire-3-decode-order.json"};
    for (size_t k = 0; k < 3; k++) {
        json_t *j = load(files[k]);
        if (!j)
            continue;
        size_t i, count = 0;
        json_t *v;
        json_array_foreach(json_object_get(j, "vectors"), i, v) {
            size_t len;
            uint8_t *fr = jhex(v, "frame_hex", &len);
            fcp_fcps_limits lim;
            size_t mx = (size_t)ju64(json_object_get(v, "max_frame_bytes"));
            if (!strcmp(fcp_t_jstr(v, "profile"), "upstream")) {
                fcp_fcps_limits_upstream(&lim, mx);
            } else {
                fcp_fcps_limits_default(&lim);
                lim.max_frame_bytes = mx;
            }
            fcp_fcps_frame f;
            int rc = fcp_fcps_decode(fr, len, &lim, &f);
            if (!verdict_is(rc, json_object_get(v, "expect")))
                fprintf(stderr, "%s/%s: got %s\n", files[k], fcp_t_jstr(v, "name"),
                        rc ? fcp_error_name(rc) : "ok");
            CHECK(verdict_is(rc, json_object_get(v, "expect")));
            free(fr);
            count++;
        }
        CHECK(count >= 6);
        json_decref(j);
    }
}

static void mtu_file(void)
{
    json_t *j = load("d-wire-4-mtu.json");
    if (!j)
        return;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "vectors"), i, v) {
        uint16_t T;
        int rc = fcp_fcps_symbol_size_for((uint32_t)ju64(json_object_get(v, "max_datagram_bytes")),
                                          (uint32_t)ju64(json_object_get(v, "symbols_per_frame")), &T);
        json_t *e = json_object_get(v, "expect");
        if (json_is_integer(e)) {
            CHECK_ERR(rc, 0);
            CHECK_EQ(T, json_integer_value(e));
        } else {
            CHECK(verdict_is(rc, e));
        }
    }
    json_array_foreach(json_object_get(j, "effective_max"), i, v)
        CHECK_EQ(fcp_wire_effective_max_datagram((uint32_t)ju64(json_object_get(v, "local")),
                                                 (uint32_t)ju64(json_object_get(v, "peer"))),
                 ju64(json_object_get(v, "expect")));
    json_decref(j);
}

static void receive_file(const char *file)
{
    json_t *j = load(file);
    if (!j)
        return;
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(j, "vectors"), i, s) {
        uint8_t *sid = jhex(s, "session_id_hex", NULL), *key = jhex(s, "key_hex", NULL);
        fcp_dgram_rx rx;
        CHECK_ERR(fcp_dgram_rx_init(&rx, sid, key, (fcp_dgram_suite)ju64(json_object_get(s, "suite")),
                                    (fcp_wire_dir)ju64(json_object_get(s, "peer_direction")),
                                    (size_t)ju64(json_object_get(s, "max_datagram_bytes"))), 0);
        rx.window = ju64(json_object_get(s, "window"));
        rx.max_instances = (size_t)ju64(json_object_get(s, "max_instances"));
        rx.require_seq_match = json_is_true(json_object_get(s, "require_seq_match"));
        size_t k;
        json_t *st;
        json_array_foreach(json_object_get(s, "steps"), k, st) {
            size_t len;
            uint8_t *d = jhex(st, "datagram_hex", &len);
            fcp_dgram dg;
            fcp_fcps_frame f;
            int rc = fcp_dgram_rx_receive(&rx, d, len, &dg, &f);
            if (!verdict_is(rc, json_object_get(st, "expect")))
                fprintf(stderr, "%s/%s step %zu: got %s\n", file, fcp_t_jstr(s, "name"), k,
                        rc ? fcp_error_name(rc) : "ok");
            CHECK(verdict_is(rc, json_object_get(st, "expect")));
            free(d);
        }
        fcp_dgram_rx_wipe(&rx);
        free(sid);
        free(key);
    }
    json_decref(j);
}

static void frame_seq_file(void)
{
    json_t *j = load("d-wire-7-frame-seq.json");
    if (!j)
        return;
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(j, "vectors"), i, s) {
        fcp_fcps_seq_slot slots[8];
        fcp_fcps_seq_table t;
        fcp_fcps_seq_init(&t, slots, (size_t)ju64(json_object_get(s, "slots")));
        size_t k;
        json_t *op;
        json_array_foreach(json_object_get(s, "ops"), k, op) {
            uint8_t *zh = jhex(op, "zone_id_hash_hex", NULL), *kid = jhex(op, "zone_key_id_hex", NULL);
            json_t *e = json_object_get(op, "expect");
            if (!strcmp(fcp_t_jstr(op, "op"), "next")) {
                uint64_t seq;
                int rc = fcp_fcps_seq_next(&t, zh, kid, &seq);
                if (json_is_integer(e)) {
                    CHECK_ERR(rc, 0);
                    CHECK(seq == (uint64_t)json_integer_value(e));
                } else {
                    CHECK(verdict_is(rc, e));
                }
            } else {
                CHECK(verdict_is(fcp_fcps_seq_claim(&t, zh, kid, ju64(json_object_get(op, "seq"))), e));
            }
            free(zh);
            free(kid);
        }
    }
    json_decref(j);
}

static void first_seq_file(void)
{
    json_t *j = load("d-wire-8-first-seq.json");
    if (!j)
        return;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "vectors"), i, v) {
        uint8_t *sid = jhex(v, "session_id_hex", NULL);
        uint8_t out[1300];
        size_t ol, wl;
        if (!strcmp(fcp_t_jstr(v, "name"), "fcpc_tx_first_frame")) {
            uint8_t *key = jhex(v, "k_ctx_hex", NULL), *want = jhex(v, "frame_hex", &wl);
            size_t pl;
            uint8_t *pt = jhex(v, "plaintext_hex", &pl);
            fcp_fcpc_tx tx;
            fcp_fcpc_tx_init(&tx, sid, key, (fcp_wire_dir)ju64(json_object_get(v, "direction")), 1024);
            CHECK_ERR(fcp_fcpc_tx_seal(&tx, out, sizeof out, &ol, 0, pt, pl), 0);
            CHECK_EQ(ol, wl);
            CHECK_MEM(out, want, wl);
            free(key); free(want); free(pt);
        } else {
            size_t fl;
            uint8_t *key = jhex(v, "key_hex", NULL), *fr = jhex(v, "frame_hex", &fl),
                    *want = jhex(v, "datagram_hex", &wl);
            fcp_dgram_tx tx;
            CHECK_ERR(fcp_dgram_tx_init(&tx, sid, key, (fcp_dgram_suite)ju64(json_object_get(v, "suite")),
                                        (fcp_wire_dir)ju64(json_object_get(v, "direction")), 1200), 0);
            CHECK_ERR(fcp_dgram_tx_seal(&tx, out, sizeof out, &ol, fr, fl, NULL), 0);
            CHECK_EQ(ol, wl);
            CHECK_MEM(out, want, wl);
            free(key); free(fr); free(want);
        }
        free(sid);
    }
    json_decref(j);
}

/* The whole send path (subkey, encode, seal in place, MAC) and receive path
 * (receive engine, open in place) against an independent computation. */
static void production_file(void)
{
    json_t *j = load("d-wire-9-production-datagram.json");
    if (!j)
        return;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "vectors"), i, v) {
        size_t pl, wl, fl;
        uint8_t *zk = jhex(v, "zone_key_hex", NULL), *kid = jhex(v, "zone_key_id_hex", NULL),
                *oid = jhex(v, "object_id_hex", NULL), *zh = jhex(v, "zone_id_hash_hex", NULL),
                *pt = jhex(v, "plaintext_hex", &pl), *mk = jhex(v, "mac_key_hex", NULL),
                *sid = jhex(v, "session_id_hex", NULL), *wsub = jhex(v, "subkey_hex", NULL),
                *wfr = jhex(v, "frame_hex", &fl), *want = jhex(v, "datagram_hex", &wl);
        const char *node = fcp_t_jstr(v, "sender_node_id");
        uint64_t inst = ju64(json_object_get(v, "sender_instance_id"));
        uint8_t sk[32];
        CHECK_ERR(fcp_fcps_sender_subkey(sk, zk, kid, (const uint8_t *)node, strlen(node), inst), 0);
        CHECK_MEM(sk, wsub, 32);
        /* build in place: plaintext record at out+40+114+6, seal, MAC */
        static uint8_t out[1200];
        fcp_fcps_header h = {1, (uint16_t)ju64(json_object_get(v, "flags")), 1, 0, oid, 1024, kid, zh,
                             ju64(json_object_get(v, "epoch_id")), inst, ju64(json_object_get(v, "frame_seq"))};
        memcpy(out + 40 + 114 + 6, pt, pl);
        fcp_fcps_record r = {(uint32_t)ju64(json_object_get(v, "esi")), (uint16_t)ju64(json_object_get(v, "k")),
                             out + 40 + 114 + 6, NULL};
        fcp_fcps_limits lim;
        fcp_fcps_limits_default(&lim);
        size_t len;
        CHECK_ERR(fcp_fcps_encode(out + 40, sizeof out - 40, &len, &h, &r, 1, &lim), 0);
        CHECK_ERR(fcp_fcps_frame_seal(out + 40, len, &lim, FCP_FCPS_AEAD_CHACHA20POLY1305, sk), 0);
        CHECK_EQ(len, fl);
        CHECK_MEM(out + 40, wfr, fl);
        fcp_dgram_tx tx;
        fcp_dgram_suite suite = (fcp_dgram_suite)ju64(json_object_get(v, "suite"));
        CHECK_ERR(fcp_dgram_tx_init(&tx, sid, mk, suite, FCP_WIRE_I2R, 1200), 0);
        tx.next_seq = ju64(json_object_get(v, "seq"));
        size_t dl;
        CHECK_ERR(fcp_dgram_tx_seal(&tx, out, sizeof out, &dl, out + 40, len, NULL), 0);
        CHECK_EQ(dl, 1200);
        CHECK_EQ(wl, 1200);
        CHECK_MEM(out, want, wl);
        /* receive it back */
        fcp_dgram_rx rx;
        CHECK_ERR(fcp_dgram_rx_init(&rx, sid, mk, suite, FCP_WIRE_I2R, 1200), 0);
        fcp_dgram d;
        fcp_fcps_frame f;
        CHECK_ERR(fcp_dgram_rx_receive(&rx, out, dl, &d, &f), 0);
        CHECK_ERR(fcp_fcps_frame_open(out + 40, d.frame_len, &lim, FCP_FCPS_AEAD_CHACHA20POLY1305, sk, &f), 0);
        CHECK_MEM(out + 40 + 114 + 6, pt, pl);
        fcp_dgram_rx_wipe(&rx);
        fcp_dgram_tx_wipe(&tx);
        free(zk); free(kid); free(oid); free(zh); free(pt); free(mk); free(sid); free(wsub); free(wfr);
        free(want);
    }
    json_decref(j);
}

int main(void)
{
    if (fcp_crypto_init() != 0)
        return 1;
    frame_files();
    mtu_file();
    receive_file("d-wire-5-datagram-receive.json");
    receive_file("d-wire-6-seq-match.json");
    frame_seq_file();
    first_seq_file();
    production_file();
    return fcp_t_done("wire_golden_test");
}
