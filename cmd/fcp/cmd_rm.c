/*
 * cmd_rm.c - `fcp rm ID`: drop an object's record and the symbols held on
 * the local node (other nodes keep theirs).  Pinned objects are refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "fcp/admin.h"
#include "fcp/error.h"
#include "fcp/hex.h"

int cmd_rm(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        printf("usage: fcp rm ID [--socket PATH] [--json]\n\n"
               "Remove object ID (64 hex digits) from the local node: its store record\n"
               "and the symbols held here.  Other nodes keep their symbols (repair may\n"
               "restore this node's share later).  A pinned object is refused (FCP-6111):\n"
               "unpin it first.\n");
        return 0;
    }
    const char *sockopt = NULL, *idtext = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--socket") && i + 1 < argc) sockopt = argv[++i];
        else if (!idtext && argv[i][0] != '-') idtext = argv[i];
        else {
            fprintf(stderr, "fcp rm: unknown option '%s' (try --help)\n", argv[i]);
            return 2;
        }
    }
    fcp_admin_request r = { .op = FCP_ADMIN_OP_RM, .has_id = 1 };
    if (!idtext || strlen(idtext) != 64 || fcp_hex_decode_exact(r.id, 32, idtext) < 0) {
        cmd_error("rm", FCP_EADMIN_OBJECT_ID, idtext ? idtext : "(none)");
        return 2;
    }
    fcp_buf resp;
    fcp_buf_init(&resp);
    int rc = cmd_admin_call("rm", sockopt, &r, &resp);
    fcp_buf_free(&resp);
    if (rc)
        return rc;
    if (json)
        printf("{\"ok\":true,\"id\":\"%s\",\"op\":\"rm\"}\n", idtext);
    else
        printf("removed %s from this node\n", idtext);
    return 0;
}
