/*
 * cmd_put.c - `fcp put FILE|-`: stream a file to the local fcpd, which
 * stores it as symbols spread over the zone's nodes, and print its id.
 * Streaming follows D-ADMIN-3 (put, put_data chunks, put_end); a progress
 * bar goes to stderr for inputs above 4 MiB when stderr is a terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "fcp/admin.h"
#include "fcp/error.h"
#include "fcp/hex.h"

#define PUT_MAX (64u << 20)
#define PROGRESS_MIN (4u << 20)

static void progress(const char *what, size_t done, size_t total)
{
    int w = 40, fill = total ? (int)((double)done / (double)total * w) : w;
    fprintf(stderr, "\r%s [", what);
    for (int i = 0; i < w; i++)
        fputc(i < fill ? '#' : '.', stderr);
    fprintf(stderr, "] %5.1f/%.1f MiB", done / 1048576.0, total / 1048576.0);
    if (done >= total)
        fputc('\n', stderr);
}

int cmd_put(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        printf("usage: fcp put FILE|- [--zone ZONE] [--socket PATH] [--json]\n\n"
               "Store FILE (or stdin) in a zone (default z:private) through the local\n"
               "fcpd: it is encoded as RaptorQ symbols, sealed with the zone key and spread\n"
               "over the zone's nodes so that losing any one node loses nothing.  Prints\n"
               "the object id (64 hex digits) once every node's share has been sent.\n"
               "Up to 64 MiB per object.\n");
        return 0;
    }
    const char *sockopt = NULL, *path = NULL, *zone = FCP_ZONE_PRIVATE;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--socket") && i + 1 < argc) sockopt = argv[++i];
        else if (!strcmp(argv[i], "--zone") && i + 1 < argc) zone = argv[++i];
        else if (!path && (argv[i][0] != '-' || !strcmp(argv[i], "-"))) path = argv[i];
        else {
            fprintf(stderr, "fcp put: unknown option '%s' (try --help)\n", argv[i]);
            return 2;
        }
    }
    if (!path) {
        fprintf(stderr, "fcp put: which file? (fcp put FILE|-)\n");
        return 2;
    }
    if (strlen(zone) > FCP_ZONE_ID_MAX || fcp_zone_id_validate(zone, strlen(zone)) < 0) {
        cmd_error("put", FCP_EADMIN_ZONE, zone);
        return 2;
    }
    char sock[256], detail[256] = "";
    int rc = fcp_admin_socket_path(sock, sizeof sock, sockopt, getenv("FCP_HOME"), getenv("HOME"));
    if (rc < 0) {
        cmd_error("put", rc, "admin socket path");
        return 2;
    }
    size_t len = 0;
    uint8_t *data = cmd_read_input(path, &len, PUT_MAX);
    if (!data)
        return 1;
    if (!len) {
        fprintf(stderr, "fcp put: %s is empty; nothing to store\n", path);
        free(data);
        return 1;
    }
    fcp_admin_client c;
    fcp_buf resp;
    fcp_buf_init(&resp);
    if ((rc = fcp_admin_client_open(&c, sock)) < 0) {
        cmd_error("put", rc, sock);
        free(data);
        return 1;
    }
    int bar = len >= PROGRESS_MIN && isatty(2) && !json;
    fcp_admin_request r = { .op = FCP_ADMIN_OP_PUT, .has_zone = 1, .has_size = 1, .size = len };
    snprintf(r.zone, sizeof r.zone, "%s", zone);
    uint64_t seq = 0;
    rc = fcp_admin_client_send(&c, &r, &seq);
    for (size_t off = 0; rc == 0 && off < len; off += FCP_ADMIN_CHUNK) {
        size_t n = len - off < FCP_ADMIN_CHUNK ? len - off : FCP_ADMIN_CHUNK;
        fcp_admin_request dr = { .op = FCP_ADMIN_OP_PUT_DATA, .has_data = 1, .data = data + off, .data_len = n };
        rc = fcp_admin_client_send(&c, &dr, NULL);
        if (bar)
            progress("put", off + n, len);
    }
    fcp_admin_request er = { .op = FCP_ADMIN_OP_PUT_END };
    if (rc == 0)
        rc = fcp_admin_client_send(&c, &er, &seq);
    /* the answer: the first failure, or the success for put_end (a failed
     * send above may still have an error response waiting) */
    int rrc = fcp_admin_client_recv(&c, seq, &resp);
    fcp_admin_client_close(&c);
    free(data);
    if (rrc < 0 && rrc != FCP_EADMIN_RESPONSE) {
        cmd_error("put", rc < 0 ? rc : rrc, "no answer from fcpd");
        fcp_buf_free(&resp);
        return 1;
    }
    int err = 0;
    int f = fcp_admin_resp_failed(resp.data, resp.len, &err, detail, sizeof detail);
    if (f != 0) {
        cmd_error("put", f < 0 ? f : err, detail);
        fcp_buf_free(&resp);
        return 1;
    }
    const uint8_t *id = NULL;
    size_t idl = 0;
    uint64_t local = 0, ms = 0;
    int spread = 0;
    fcp_admin_resp_bytes(resp.data, resp.len, "id", &id, &idl);
    fcp_admin_resp_uint(resp.data, resp.len, "local_symbols", &local);
    fcp_admin_resp_uint(resp.data, resp.len, "elapsed_ms", &ms);
    fcp_admin_resp_bool(resp.data, resp.len, "spread", &spread);
    char hex[65] = "";
    if (id && idl == 32)
        fcp_hex_encode(hex, sizeof hex, id, 32);
    if (json) {
        fcp_buf js;
        fcp_buf_init(&js);
        fcp_admin_to_json(resp.data, resp.len, &js);
        printf("%.*s\n", (int)js.len, (const char *)js.data);
        fcp_buf_free(&js);
    } else {
        printf("%s\n", hex);
        fprintf(stderr, "stored %zu bytes in %s in %llu ms; %llu symbols kept here; peers' shares %s\n", len,
                zone, (unsigned long long)ms, (unsigned long long)local,
                spread ? "sent" : "still queued (peers down?)");
    }
    fcp_buf_free(&resp);
    return 0;
}
