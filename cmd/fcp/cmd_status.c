/*
 * cmd_status.c - `fcp status`: what the local fcpd is doing (node, peers,
 * datagram counters, objects and coverage per zone).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "fcp/admin.h"
#include "fcp/cbor.h"
#include "fcp/error.h"

static uint64_t u(const fcp_buf *b, const char *k)
{
    uint64_t v = 0;
    fcp_admin_resp_uint(b->data, b->len, k, &v);
    return v;
}

/* Print the zones map {zone: {objects, min_coverage_bps, ...}}. */
static void print_zones(const fcp_buf *b)
{
    const uint8_t *raw;
    size_t rl;
    if (fcp_admin_resp_raw(b->data, b->len, "zones", &raw, &rl) != 1)
        return;
    fcp_cbor_dec d;
    fcp_cbor_dec_init(&d, raw, rl, NULL);
    fcp_cbor_map_iter it;
    if (fcp_cbor_map_begin(&d, &it) < 0)
        return;
    const char *k;
    size_t kl;
    while (fcp_cbor_map_next_text_key(&d, &it, &k, &kl) > 0) {
        const uint8_t *zv;
        size_t zl;
        if (fcp_cbor_get_raw(&d, &zv, &zl) < 0)
            return;
        uint64_t obj = 0, cov = 0, loss = 0, risk = 0;
        fcp_admin_resp_uint(zv, zl, "objects", &obj);
        fcp_admin_resp_uint(zv, zl, "min_coverage_bps", &cov);
        fcp_admin_resp_uint(zv, zl, "min_worst_loss_bps", &loss);
        fcp_admin_resp_uint(zv, zl, "at_risk", &risk);
        printf("  %-12.*s %4llu objects", (int)kl, k, (unsigned long long)obj);
        if (obj)
            printf("  min coverage %5.1f%%  after losing any one node %5.1f%%  at risk %llu",
                   cov / 100.0, loss / 100.0, (unsigned long long)risk);
        printf("\n");
    }
}

int cmd_status(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        printf("usage: fcp status [--socket PATH] [--json]\n\n"
               "Show the local fcpd: node id, uptime, peers up, datagram counters, and per\n"
               "served zone the number of objects and their symbol coverage (100%% = exactly\n"
               "K symbols exist; an object survives the loss of any one node when the\n"
               "coverage left after that loss is at least 100%%).\n"
               "The admin socket is --socket, else $FCP_HOME/fcpd.sock, else\n"
               "~/.config/fcp/fcpd.sock.\n");
        return 0;
    }
    const char *sockopt = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--socket") && i + 1 < argc) sockopt = argv[++i];
        else {
            fprintf(stderr, "fcp status: unknown option '%s' (try --help)\n", argv[i]);
            return 2;
        }
    }
    fcp_admin_request r = { .op = FCP_ADMIN_OP_STATUS };
    fcp_buf resp;
    fcp_buf_init(&resp);
    int rc = cmd_admin_call("status", sockopt, &r, &resp);
    if (rc) {
        fcp_buf_free(&resp);
        return rc;
    }
    if (json) {
        cmd_print_json(&resp);
    } else {
        const char *id = "";
        size_t il = 0;
        fcp_admin_resp_text(resp.data, resp.len, "node_id", &id, &il);
        printf("node       %.*s (pid %llu, up %llu s)\n", (int)il, id, (unsigned long long)u(&resp, "pid"),
               (unsigned long long)u(&resp, "uptime_s"));
        printf("peers      %llu of %llu up\n", (unsigned long long)u(&resp, "peers_up"),
               (unsigned long long)u(&resp, "peers"));
        printf("datagrams  in %llu  out %llu  dropped %llu\n", (unsigned long long)u(&resp, "datagrams_in"),
               (unsigned long long)u(&resp, "datagrams_out"), (unsigned long long)u(&resp, "datagrams_dropped"));
        printf("symbols    %.1f MiB held here; repairs done %llu (%llu symbols)\n",
               u(&resp, "symbol_bytes") / 1048576.0, (unsigned long long)u(&resp, "repairs_done"),
               (unsigned long long)u(&resp, "repair_symbols"));
        printf("zones\n");
        print_zones(&resp);
    }
    fcp_buf_free(&resp);
    return 0;
}
