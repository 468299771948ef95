/*
 * cmd_ls.c - `fcp ls`: the objects the local fcpd knows, with how their
 * symbols are spread (held here / in the whole zone, coverage, holders).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "fcp/admin.h"
#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/hex.h"

int cmd_ls(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        printf("usage: fcp ls [--zone ZONE] [--socket PATH] [--json]\n\n"
               "List objects held by the local fcpd (all served zones, or one), at most\n"
               "2000.  Columns: id, zone, size (when put or pinned here), K (source\n"
               "symbols), symbols held here / known in the zone, coverage (total/K),\n"
               "coverage left after losing the worst node, holders, pinned.\n");
        return 0;
    }
    const char *sockopt = NULL, *zone = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--socket") && i + 1 < argc) sockopt = argv[++i];
        else if (!strcmp(argv[i], "--zone") && i + 1 < argc) zone = argv[++i];
        else {
            fprintf(stderr, "fcp ls: unknown option '%s' (try --help)\n", argv[i]);
            return 2;
        }
    }
    fcp_admin_request r = { .op = FCP_ADMIN_OP_LS };
    if (zone) {
        if (strlen(zone) > FCP_ZONE_ID_MAX || fcp_zone_id_validate(zone, strlen(zone)) < 0) {
            cmd_error("ls", FCP_EADMIN_ZONE, zone);
            return 2;
        }
        r.has_zone = 1;
        snprintf(r.zone, sizeof r.zone, "%s", zone);
    }
    fcp_buf resp;
    fcp_buf_init(&resp);
    int rc = cmd_admin_call("ls", sockopt, &r, &resp);
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
    if (fcp_admin_resp_raw(resp.data, resp.len, "objects", &raw, &rl) == 1) {
        fcp_cbor_dec d;
        fcp_cbor_dec_init(&d, raw, rl, NULL);
        if (fcp_cbor_get_array(&d, &n) == 0 && n)
            printf("%-64s %-10s %10s %6s %15s %8s %10s %7s %s\n", "ID", "ZONE", "SIZE", "K", "SYMBOLS here/all",
                   "COVER", "-WORST", "HOLDERS", "PIN");
        for (uint64_t i = 0; i < n; i++) {
            const uint8_t *p, *id = NULL;
            size_t pl, idl = 0, zl = 0;
            if (fcp_cbor_get_raw(&d, &p, &pl) < 0)
                break;
            const char *z = "";
            uint64_t size = 0, k = 0, loc = 0, tot = 0, cov = 0, loss = 0, hold = 0;
            int pinned = 0, has_size;
            fcp_admin_resp_bytes(p, pl, "id", &id, &idl);
            fcp_admin_resp_text(p, pl, "zone", &z, &zl);
            has_size = fcp_admin_resp_uint(p, pl, "size", &size) == 1;
            fcp_admin_resp_uint(p, pl, "k", &k);
            fcp_admin_resp_uint(p, pl, "local_symbols", &loc);
            fcp_admin_resp_uint(p, pl, "total_symbols", &tot);
            fcp_admin_resp_uint(p, pl, "coverage_bps", &cov);
            fcp_admin_resp_uint(p, pl, "worst_loss_bps", &loss);
            fcp_admin_resp_uint(p, pl, "holders", &hold);
            fcp_admin_resp_bool(p, pl, "pinned", &pinned);
            char hex[65] = "?";
            if (id && idl == 32)
                fcp_hex_encode(hex, sizeof hex, id, 32);
            char sz[24] = "-";
            if (has_size)
                snprintf(sz, sizeof sz, "%llu", (unsigned long long)size);
            char sy[32];
            snprintf(sy, sizeof sy, "%llu/%llu", (unsigned long long)loc, (unsigned long long)tot);
            printf("%-64s %-10.*s %10s %6llu %15s %7.1f%% %9.1f%% %7llu %s\n", hex, (int)zl, z, sz,
                   (unsigned long long)k, sy, cov / 100.0, loss / 100.0, (unsigned long long)hold,
                   pinned ? "yes" : "");
        }
    }
    if (!n)
        printf("(no objects)\n");
    fcp_buf_free(&resp);
    return 0;
}
