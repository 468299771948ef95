/*
 * cmd_peers.c - `fcp peers`: the peers of the local fcpd and their sessions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "fcp/admin.h"
#include "fcp/cbor.h"
#include "fcp/error.h"

int cmd_peers(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        printf("usage: fcp peers [--socket PATH] [--json]\n\n"
               "List the peers configured in fcpd.toml with their address, whether a\n"
               "session is up, time since the last datagram and datagram counts.\n");
        return 0;
    }
    const char *sockopt = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--socket") && i + 1 < argc) sockopt = argv[++i];
        else {
            fprintf(stderr, "fcp peers: unknown option '%s' (try --help)\n", argv[i]);
            return 2;
        }
    }
    fcp_admin_request r = { .op = FCP_ADMIN_OP_PEERS };
    fcp_buf resp;
    fcp_buf_init(&resp);
    int rc = cmd_admin_call("peers", sockopt, &r, &resp);
    if (rc) {
        fcp_buf_free(&resp);
        return rc;
    }
    if (json) {
        cmd_print_json(&resp);
        fcp_buf_free(&resp);
        return 0;
    }
    const uint8_t *raw;
    size_t rl;
    uint64_t n = 0;
    printf("%-20s %-24s %-5s %10s %10s %10s\n", "PEER", "ADDRESS", "UP", "LAST RX", "IN", "OUT");
    if (fcp_admin_resp_raw(resp.data, resp.len, "peers", &raw, &rl) == 1) {
        fcp_cbor_dec d;
        fcp_cbor_dec_init(&d, raw, rl, NULL);
        if (fcp_cbor_get_array(&d, &n) == 0) {
            for (uint64_t i = 0; i < n; i++) {
                const uint8_t *p;
                size_t pl;
                if (fcp_cbor_get_raw(&d, &p, &pl) < 0)
                    break;
                const char *id = "", *addr = "";
                size_t il = 0, al = 0;
                int up = 0;
                uint64_t last = 0, in = 0, out = 0;
                fcp_admin_resp_text(p, pl, "id", &id, &il);
                fcp_admin_resp_text(p, pl, "address", &addr, &al);
                fcp_admin_resp_bool(p, pl, "up", &up);
                fcp_admin_resp_uint(p, pl, "last_rx_ms", &last);
                fcp_admin_resp_uint(p, pl, "datagrams_in", &in);
                fcp_admin_resp_uint(p, pl, "datagrams_out", &out);
                printf("%-20.*s %-24.*s %-5s %8llums %10llu %10llu\n", (int)il, id, (int)al, addr,
                       up ? "yes" : "no", (unsigned long long)last, (unsigned long long)in,
                       (unsigned long long)out);
            }
        }
    }
    if (!n)
        printf("(no peers configured; add them with `fcp node add-peer`)\n");
    fcp_buf_free(&resp);
    return 0;
}
