/*
 * cmd_pin.c - `fcp pin ID` and `fcp unpin ID`: make an object a garbage
 * collection root on the local node (or stop it being one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "fcp/admin.h"
#include "fcp/error.h"
#include "fcp/hex.h"

static int pin_common(const char *verb, int op, int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        printf("usage: fcp %s ID [--socket PATH] [--json]\n\n", verb);
        if (op == FCP_ADMIN_OP_PIN)
            printf("Pin object ID (64 hex digits) on the local node: it becomes a GC root and\n"
                   "`fcp rm` refuses it until it is unpinned.\n");
        else
            printf("Remove the explicit pin of object ID on the local node.\n");
        return 0;
    }
    const char *sockopt = NULL, *idtext = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--socket") && i + 1 < argc) sockopt = argv[++i];
        else if (!idtext && argv[i][0] != '-') idtext = argv[i];
        else {
            fprintf(stderr, "fcp %s: unknown option '%s' (try --help)\n", verb, argv[i]);
            return 2;
        }
    }
    fcp_admin_request r = { .op = op, .has_id = 1 };
    if (!idtext || strlen(idtext) != 64 || fcp_hex_decode_exact(r.id, 32, idtext) < 0) {
        cmd_error(verb, FCP_EADMIN_OBJECT_ID, idtext ? idtext : "(none)");
        return 2;
    }
    fcp_buf resp;
    fcp_buf_init(&resp);
    int rc = cmd_admin_call(verb, sockopt, &r, &resp);
    fcp_buf_free(&resp);
    if (rc)
        return rc;
    if (json)
        printf("{\"ok\":true,\"id\":\"%s\",\"op\":\"%s\"}\n", idtext, verb);
    else
        printf("%s %s\n", op == FCP_ADMIN_OP_PIN ? "pinned" : op == FCP_ADMIN_OP_UNPIN ? "unpinned" : "removed",
               idtext);
    return 0;
}

int cmd_pin(int argc, char **argv)
{
    return pin_common("pin", FCP_ADMIN_OP_PIN, argc, argv);
}

int cmd_unpin(int argc, char **argv)
{
    return pin_common("unpin", FCP_ADMIN_OP_UNPIN, argc, argv);
}
