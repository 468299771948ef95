/*
 * cmd_util.c - helpers shared by the fcp verbs, plus the tiny `version` and
 * `errors` verbs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "fcp/admin.h"
#include "fcp/buf.h"
#include "fcp/error.h"

int cmd_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return 1;
    return 0;
}

uint8_t *cmd_read_input(const char *path, size_t *len, size_t max)
{
    if (max == 0)
        max = (size_t)1 << 30;
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "fcp: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            if (cap >= max) {
                fprintf(stderr, "fcp: %s is larger than the %zu-byte limit\n", path, max);
                free(buf);
                buf = NULL;
                break;
            }
            cap = cap * 2 > max ? max : cap * 2;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                fprintf(stderr, "fcp: error reading %s: %s\n", path, strerror(errno));
                free(buf);
                buf = NULL;
            }
            break;
        }
    }
    if (f != stdin)
        fclose(f);
    if (buf)
        *len = n;
    return buf;
}

void cmd_error(const char *verb, int err, const char *what)
{
    char code[16];
    fprintf(stderr, "fcp %s: %s%s%s (%s %s)\n", verb, what ? what : "", what ? ": " : "",
            fcp_strerror(err), fcp_error_code(err, code, sizeof code),
            fcp_error_name(err) ? fcp_error_name(err) : "");
}

int cmd_admin_call(const char *verb, const char *sockopt, const fcp_admin_request *req,
                   fcp_buf *resp)
{
    char sock[256], detail[256];
    int rc = fcp_admin_socket_path(sock, sizeof sock, sockopt, getenv("FCP_HOME"), getenv("HOME"));
    if (rc < 0) {
        cmd_error(verb, rc, "admin socket path");
        return 2;
    }
    rc = fcp_admin_client_simple(sock, req, resp, detail, sizeof detail);
    if (rc < 0) {
        cmd_error(verb, rc, detail);
        return 1;
    }
    return 0;
}

void cmd_print_json(const fcp_buf *resp)
{
    fcp_buf js;
    fcp_buf_init(&js);
    fcp_admin_to_json(resp->data, resp->len, &js);
    printf("%.*s\n", (int)js.len, (const char *)js.data);
    fcp_buf_free(&js);
}

int cmd_version(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        printf("usage: fcp version\n\nPrint the version of fcp and the protocol it speaks.\n");
        return 0;
    }
    printf("fcp 0.1.0 (FCP V2)\n");
    return 0;
}

int cmd_errors(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        printf("usage: fcp errors\n\nList every stable error code (FCP-XXXX), its name and meaning.\n");
        return 0;
    }
#define PRINT_(name, num, msg) printf("FCP-%04d  %-28s %s\n", num, #name, msg);
    FCP_ERRORS(PRINT_)
#undef PRINT_
    return 0;
}
