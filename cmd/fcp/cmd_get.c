/*
 * cmd_get.c - `fcp get ID [-o FILE] [--zone ZONE]`: fetch an object through
 * the local fcpd (its own symbols first, then bounded symbol requests to
 * peers), verified against its ObjectId by the node, written to FILE or
 * stdout.  Without --zone the node finds the object's zone itself, waiting
 * a few gossip intervals for an object put on another node a moment ago;
 * with it the node asks the zone's members at once (D-MESH-13).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "fcp/admin.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/model_ids.h"

#define PROGRESS_MIN (4u << 20)

static void progress(size_t done, size_t total)
{
    int w = 40, fill = total ? (int)((double)done / (double)total * w) : w;
    fprintf(stderr, "\rget [");
    for (int i = 0; i < w; i++)
        fputc(i < fill ? '#' : '.', stderr);
    fprintf(stderr, "] %5.1f/%.1f MiB", done / 1048576.0, total / 1048576.0);
    if (done >= total)
        fputc('\n', stderr);
}

int cmd_get(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        printf("usage: fcp get ID [-o FILE] [--zone ZONE] [--socket PATH] [--json]\n\n"
               "Fetch object ID (64 hex digits) through the local fcpd and write its bytes\n"
               "to FILE (default stdout).  The node decodes from its own symbols and asks\n"
               "peers for the rest; the result is checked against the id before any byte\n"
               "is written.  Without --zone the node looks the object up in its store and\n"
               "its peers' digests, waiting up to 3 gossip intervals (3 s) for an object\n"
               "put on another node a moment ago (FCP-6203 if it never shows up); with\n"
               "--zone it asks that zone's members at once.  With --json and -o, prints a\n"
               "summary as JSON.\n");
        return 0;
    }
    const char *sockopt = NULL, *idtext = NULL, *out = NULL, *zone = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--socket") && i + 1 < argc) sockopt = argv[++i];
        else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) out = argv[++i];
        else if (!strcmp(argv[i], "--zone") && i + 1 < argc) zone = argv[++i];
        else if (!idtext && argv[i][0] != '-') idtext = argv[i];
        else {
            fprintf(stderr, "fcp get: unknown option '%s' (try --help)\n", argv[i]);
            return 2;
        }
    }
    fcp_admin_request r = { .op = FCP_ADMIN_OP_GET, .has_id = 1 };
    if (!idtext || strlen(idtext) != 64 || fcp_hex_decode_exact(r.id, 32, idtext) < 0) {
        cmd_error("get", FCP_EADMIN_OBJECT_ID, idtext ? idtext : "(none)");
        return 2;
    }
    if (zone) {
        if (strlen(zone) > FCP_ZONE_ID_MAX || fcp_zone_id_validate(zone, strlen(zone)) < 0) {
            cmd_error("get", FCP_EADMIN_ZONE, zone);
            return 2;
        }
        memcpy(r.zone, zone, strlen(zone) + 1);
        r.has_zone = 1;
    }
    char sock[256], detail[256] = "";
    int rc = fcp_admin_socket_path(sock, sizeof sock, sockopt, getenv("FCP_HOME"), getenv("HOME"));
    if (rc < 0) {
        cmd_error("get", rc, "admin socket path");
        return 2;
    }
    fcp_admin_client c;
    if ((rc = fcp_admin_client_open(&c, sock)) < 0) {
        cmd_error("get", rc, sock);
        return 1;
    }
    fcp_buf resp;
    fcp_buf_init(&resp);
    uint64_t seq = 0, size = 0;
    FILE *f = NULL;
    size_t got = 0;
    int err = 0, bar = 0, status = 1;
    if ((rc = fcp_admin_client_send(&c, &r, &seq)) < 0 || (rc = fcp_admin_client_recv(&c, seq, &resp)) < 0) {
        cmd_error("get", rc, "no answer from fcpd");
        goto out;
    }
    if ((rc = fcp_admin_resp_failed(resp.data, resp.len, &err, detail, sizeof detail)) != 0) {
        cmd_error("get", rc < 0 ? rc : err, detail);
        goto out;
    }
    fcp_admin_resp_uint(resp.data, resp.len, "size", &size);
    f = out ? fopen(out, "wb") : stdout;
    if (!f) {
        perror(out);
        goto out;
    }
    bar = size >= PROGRESS_MIN && isatty(2);
    for (;;) {
        if ((rc = fcp_admin_client_recv(&c, seq, &resp)) < 0) {
            cmd_error("get", rc, "connection lost during the transfer");
            goto out;
        }
        if ((rc = fcp_admin_resp_failed(resp.data, resp.len, &err, detail, sizeof detail)) == 1) {
            cmd_error("get", err, detail);
            goto out;
        }
        int end = 0;
        if (fcp_admin_resp_bool(resp.data, resp.len, "end", &end) == 1 && end)
            break;
        const uint8_t *p;
        size_t n;
        if (fcp_admin_resp_bytes(resp.data, resp.len, "data", &p, &n) != 1 || got + n > size) {
            cmd_error("get", FCP_EADMIN_RESPONSE, "unexpected frame in the data stream");
            goto out;
        }
        if (fwrite(p, 1, n, f) != n) {
            perror(out ? out : "stdout");
            goto out;
        }
        got += n;
        if (bar)
            progress(got, size);
    }
    if (got != size) {
        cmd_error("get", FCP_EADMIN_RESPONSE, "stream ended early");
        goto out;
    }
    status = 0;
    if (json && out)
        printf("{\"id\":\"%s\",\"size\":%zu,\"output\":\"%s\"}\n", idtext, got, out);
    else if (out)
        fprintf(stderr, "wrote %zu bytes to %s\n", got, out);
out:
    if (f && f != stdout) {
        if (fclose(f) != 0)
            status = 1;
        if (status)
            unlink(out);
    } else if (f) {
        fflush(f);
    }
    fcp_admin_client_close(&c);
    fcp_buf_free(&resp);
    return status;
}
