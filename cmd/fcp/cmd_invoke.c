/*
 * cmd_invoke.c - `fcp invoke` and `fcp simulate`: call a connector operation
 * through the local fcpd (admin op "invoke", docs/connectors.md "Running
 * connectors in fcpd").  The daemon runs the whole pipeline (token, policy,
 * approvals, rate limit, idempotency) and answers with the output JSON and
 * the signed OperationReceipt, or with the denial's code and reason (and its
 * signed DecisionReceipt).  simulate decides without running anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "fcp/admin.h"
#include "fcp/error.h"
#include "fcp/hex.h"

static void usage(const char *verb)
{
    printf("usage: fcp %s CONNECTOR OPERATION --input FILE|- --token FILE\n"
           "          [--idempotency-key K] [--approval FILE]... [--socket PATH] [--json]\n"
           "\n",
           verb);
    if (!strcmp(verb, "simulate"))
        printf("Ask the local fcpd whether the call would be allowed, without running the\n"
               "connector and without consuming a rate-limit token or an idempotency key.\n");
    else
        printf("Run OPERATION of CONNECTOR through the local fcpd: the capability token is\n"
               "verified, the zone policy, approvals, rate limit and idempotency are checked,\n"
               "the connector runs in its sandbox, and a signed OperationReceipt is recorded\n"
               "in the zone's audit chain.  Prints the output JSON and the receipt id.\n");
    printf("\n"
           "  --input FILE|-        input JSON (an object); - reads stdin\n"
           "  --token FILE          CapabilityToken (COSE_Sign1 bytes, e.g. from `fcp token mint`)\n"
           "  --idempotency-key K   a retry with the same key and input runs once and returns\n"
           "                        the first receipt (1..128 bytes)\n"
           "  --approval FILE       an encoded ApprovalToken (repeatable, at most 8)\n"
           "  --socket PATH         admin socket (default $FCP_HOME/fcpd.sock)\n"
           "  --json                print the daemon's answer as JSON\n"
           "\n"
           "Exit status: 0 allowed (and, for invoke, executed), 1 denied or failed (the\n"
           "code and reason are printed), 2 usage error.  See fcp-invoke(1).\n");
}

static int run(const char *verb, int simulate, int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        usage(verb);
        return 0;
    }
    const char *pos[2] = { NULL, NULL }, *input = NULL, *token = NULL, *idem = NULL, *sockopt = NULL;
    const char *appr[FCP_ADMIN_MAX_APPROVALS];
    size_t n_appr = 0, n_pos = 0;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--json")) json = 1;
        else if (v && !strcmp(a, "--input")) { input = v; i++; }
        else if (v && !strcmp(a, "--token")) { token = v; i++; }
        else if (v && !strcmp(a, "--idempotency-key")) { idem = v; i++; }
        else if (v && !strcmp(a, "--socket")) { sockopt = v; i++; }
        else if (v && !strcmp(a, "--approval")) {
            if (n_appr >= FCP_ADMIN_MAX_APPROVALS) {
                fprintf(stderr, "fcp %s: at most %u --approval\n", verb, FCP_ADMIN_MAX_APPROVALS);
                return 2;
            }
            appr[n_appr++] = v;
            i++;
        } else if (a[0] != '-' && n_pos < 2) pos[n_pos++] = a;
        else {
            fprintf(stderr, "fcp %s: unknown or incomplete option '%s' (try --help)\n", verb, a);
            return 2;
        }
    }
    if (n_pos != 2 || !input || !token) {
        fprintf(stderr, "fcp %s: CONNECTOR, OPERATION, --input and --token are required (try --help)\n", verb);
        return 2;
    }
    if (strlen(pos[0]) > FCP_ADMIN_NAME_MAX || strlen(pos[1]) > FCP_ADMIN_NAME_MAX ||
        (idem && (!*idem || strlen(idem) > FCP_ADMIN_IDEM_MAX))) {
        fprintf(stderr, "fcp %s: connector, operation and idempotency key are 1..128 bytes\n", verb);
        return 2;
    }
    int rc = 1;
    size_t il = 0, tl = 0, al[FCP_ADMIN_MAX_APPROVALS];
    uint8_t *in = NULL, *tok = NULL, *ap[FCP_ADMIN_MAX_APPROVALS] = { 0 };
    fcp_buf resp;
    fcp_buf_init(&resp);
    if (!(in = cmd_read_input(input, &il, FCP_ADMIN_MAX_PAYLOAD / 2)) ||
        !(tok = cmd_read_input(token, &tl, FCP_ADMIN_TOKEN_MAX)))
        goto out;
    for (size_t i = 0; i < n_appr; i++)
        if (!(ap[i] = cmd_read_input(appr[i], &al[i], 65536)))
            goto out;
    if (tl == 0) {
        fprintf(stderr, "fcp %s: token file %s is empty\n", verb, token);
        goto out;
    }
    /* the input is JSON text: trailing newlines from editors are fine */
    while (il && (in[il - 1] == '\n' || in[il - 1] == '\r'))
        il--;
    fcp_admin_request r;
    memset(&r, 0, sizeof r);
    r.op = FCP_ADMIN_OP_INVOKE;
    r.has_connector = r.has_operation = r.has_input = r.has_token = 1;
    snprintf(r.connector, sizeof r.connector, "%s", pos[0]);
    snprintf(r.operation, sizeof r.operation, "%s", pos[1]);
    r.input = (const char *)in;
    r.input_len = il;
    r.token = tok;
    r.token_len = tl;
    if (idem) {
        r.has_idempotency_key = 1;
        snprintf(r.idempotency_key, sizeof r.idempotency_key, "%s", idem);
    }
    if (n_appr) {
        r.has_approvals = 1;
        r.n_approvals = n_appr;
        for (size_t i = 0; i < n_appr; i++) {
            r.approvals[i] = ap[i];
            r.approval_lens[i] = al[i];
        }
    }
    if (simulate) {
        r.has_simulate = 1;
        r.simulate = 1;
    }
    char sock[256], detail[256];
    int err = fcp_admin_socket_path(sock, sizeof sock, sockopt, getenv("FCP_HOME"), getenv("HOME"));
    if (err < 0) {
        cmd_error(verb, err, "admin socket path");
        rc = 2;
        goto out;
    }
    err = fcp_admin_client_simple(sock, &r, &resp, detail, sizeof detail);
    if (err < 0 && resp.len == 0) {
        cmd_error(verb, err, detail);
        goto out;
    }
    if (json) {
        cmd_print_json(&resp);
        rc = err < 0 ? 1 : 0;
        goto out;
    }
    if (err < 0) {
        const char *code = "", *msg = "";
        size_t cl = 0, ml = 0;
        fcp_admin_resp_text(resp.data, resp.len, "code", &code, &cl);
        fcp_admin_resp_text(resp.data, resp.len, "error", &msg, &ml);
        fprintf(stderr, "fcp %s: denied: %.*s %.*s%s%s\n", verb, (int)cl, code, (int)ml, msg, detail[0] ? ": " : "",
                detail);
        const uint8_t *dr;
        size_t drl;
        if (fcp_admin_resp_bytes(resp.data, resp.len, "decision_receipt", &dr, &drl) == 1)
            fprintf(stderr, "decision receipt: %zu bytes (signed; see --json)\n", drl);
        goto out;
    }
    if (simulate) {
        const char *dec = "allow";
        size_t dl = 5;
        fcp_admin_resp_text(resp.data, resp.len, "decision", &dec, &dl);
        printf("simulated: %.*s\n", (int)dl, dec);
        rc = 0;
        goto out;
    }
    const char *o = "";
    size_t ol = 0;
    const uint8_t *rid;
    size_t rl = 0;
    int replayed = 0;
    fcp_admin_resp_text(resp.data, resp.len, "output", &o, &ol);
    fcp_admin_resp_bool(resp.data, resp.len, "replayed", &replayed);
    printf("%.*s\n", (int)ol, o);
    if (fcp_admin_resp_bytes(resp.data, resp.len, "receipt_id", &rid, &rl) == 1 && rl == 32) {
        char hex[65];
        fcp_hex_encode(hex, sizeof hex, rid, 32);
        printf("receipt %s%s\n", hex, replayed ? " (replayed: the operation ran before)" : "");
    }
    rc = 0;
out:
    free(in);
    free(tok);
    for (size_t i = 0; i < n_appr; i++)
        free(ap[i]);
    fcp_buf_free(&resp);
    return rc;
}

int cmd_invoke(int argc, char **argv)
{
    return run("invoke", 0, argc, argv);
}

int cmd_simulate(int argc, char **argv)
{
    return run("simulate", 1, argc, argv);
}
