/*
 * cmd_mcp.c - `fcp mcp`: the MCP bridge on stdio (docs/mcp.md).  An MCP
 * client (an agent host) spawns this command and speaks newline-delimited
 * JSON-RPC on its stdin/stdout; every tool call becomes an fcpd `invoke`
 * under the capability token given with --token.
 *
 * Thin on purpose: the protocol lives in src/host/host_mcp.c; this file reads
 * stdin, writes stdout, and does one admin-socket round trip per request the
 * engine makes (a fresh connection each time, so an idle MCP session never
 * holds an fcpd admin slot).  stdout carries only MCP messages; diagnostics
 * go to stderr.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "cmd.h"
#include "fcp/admin.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/host_mcp.h"

static int send_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return FCP_EADMIN_CONNECT;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The engine's daemon callback: one request frame, one response frame. */
static int admin_roundtrip(void *ctx, const uint8_t *req, size_t len, fcp_buf *resp)
{
    const char *sock = ctx;
    fcp_admin_client c;
    int rc = fcp_admin_client_open(&c, sock);
    if (rc < 0)
        return rc;
    fcp_buf frame;
    fcp_buf_init(&frame);
    uint64_t seq = c.next_seq++;
    rc = fcp_admin_frame_encode(&frame, seq, req, len);
    if (rc == 0)
        rc = send_all(c.fd, frame.data, frame.len);
    sodium_memzero(frame.data, frame.len);   /* the invoke request carries the token */
    fcp_buf_free(&frame);
    if (rc == 0)
        rc = fcp_admin_client_recv(&c, seq, resp);
    fcp_admin_client_close(&c);
    return rc;
}

/* The token file: the COSE_Sign1 bytes as `fcp token mint -o` writes them,
 * or the same in hex (whitespace ignored). */
static uint8_t *load_token(const char *path, size_t *len)
{
    size_t n = 0;
    uint8_t *raw = cmd_read_input(path, &n, 2u * 65536u + 64u);
    if (!raw)
        return NULL;
    size_t k = 0, hexish = n > 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = raw[i];
        if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t')
            continue;
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')))
            hexish = 0;
        raw[k++] = ch;
    }
    if (hexish && k % 2 == 0 && k > 0) {
        size_t bl = 0;
        uint8_t *bin = malloc(k / 2);
        if (bin && fcp_hex_decode(bin, k / 2, &bl, (const char *)raw, k) == 0 && bl == k / 2) {
            free(raw);
            *len = bl;
            return bin;
        }
        free(bin);
    }
    /* binary: re-read, whitespace was significant */
    free(raw);
    raw = cmd_read_input(path, &n, 65536u);
    if (raw)
        *len = n;
    return raw;
}

int cmd_mcp(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        printf("usage: fcp mcp --token FILE [--socket PATH]\n\n"
               "Serve the Model Context Protocol on stdin/stdout (newline-delimited JSON-RPC),\n"
               "for an MCP client such as an agent host to spawn.  Each active connector\n"
               "operation of the local fcpd is one tool named <connector>.<operation>; a tool\n"
               "call is an fcpd invoke under the capability token, so fcpd's token, policy,\n"
               "approval and rate-limit checks decide it, and a refusal comes back as a tool\n"
               "result with isError whose text starts with its FCP-xxxx code.\n"
               "  --token FILE   capability token (fcp token mint -o FILE; binary or hex);\n"
               "                 default $FCP_MCP_TOKEN_FILE.  Required.\n"
               "  --socket PATH  fcpd admin socket (default $FCP_HOME/fcpd.sock, else\n"
               "                 ~/.config/fcp/fcpd.sock)\n"
               "See docs/mcp.md.\n");
        return 0;
    }
    const char *tokpath = getenv("FCP_MCP_TOKEN_FILE"), *sockopt = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--token") && i + 1 < argc) tokpath = argv[++i];
        else if (!strcmp(argv[i], "--socket") && i + 1 < argc) sockopt = argv[++i];
        else {
            fprintf(stderr, "fcp mcp: unknown option '%s' (try --help)\n", argv[i]);
            return 2;
        }
    }
    if (!tokpath || !*tokpath) {
        cmd_error("mcp", FCP_EMCP_NO_TOKEN, "refusing to start");
        return 2;
    }
    char sock[256];
    int rc = fcp_admin_socket_path(sock, sizeof sock, sockopt, getenv("FCP_HOME"), getenv("HOME"));
    if (rc < 0) {
        cmd_error("mcp", rc, "admin socket path");
        return 2;
    }
    size_t toklen = 0;
    uint8_t *tok = load_token(tokpath, &toklen);
    if (!tok || toklen == 0 || toklen > 65536) {
        cmd_error("mcp", FCP_EMCP_TOKEN, tokpath);
        free(tok);
        return 1;
    }
    fcp_mcp_config cfg = { .token = tok, .token_len = toklen, .daemon = admin_roundtrip,
                           .daemon_ctx = sock, .server_version = "0.1.0" };
    fcp_mcp *m = NULL;
    rc = fcp_mcp_new(&m, &cfg);
    sodium_memzero(tok, toklen);
    free(tok);
    if (rc < 0) {
        cmd_error("mcp", rc, "cannot start");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    static uint8_t in[65536];
    fcp_buf out;
    fcp_buf_init(&out);
    int status = 0;
    for (;;) {
        ssize_t r = read(STDIN_FILENO, in, sizeof in);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            fprintf(stderr, "fcp mcp: reading stdin: %s\n", strerror(errno));
            status = 1;
            break;
        }
        fcp_buf_reset(&out);
        rc = r == 0 ? fcp_mcp_finish(m, &out) : fcp_mcp_feed(m, in, (size_t)r, &out);
        if (rc < 0) {
            cmd_error("mcp", rc, "handling a message");
            status = 1;
            break;
        }
        if (out.len && write_all(STDOUT_FILENO, out.data, out.len) < 0) {
            status = errno == EPIPE ? 0 : 1;   /* the client went away */
            break;
        }
        if (r == 0)
            break;   /* stdin closed: the client ended the session */
    }
    fcp_buf_free(&out);
    fcp_mcp_free(m);
    return status;
}
