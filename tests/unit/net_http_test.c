/*
 * net_http_test.c - the libcurl HTTP adapter (net_http.h) without a server
 * process: a listening socket that never answers stands in for the origin.
 *  1. fcp_http_global_init installs the wiping allocators (libcurl's calls
 *     go through them).
 *  2. A request whose URL carries a credential as a query parameter and
 *     whose header carries it too reaches the socket (the request is sent,
 *     then the transfer times out); afterwards this process's memory, read
 *     through /proc/self/mem, holds no copy of the secret (libcurl's URL,
 *     query and request-line copies were wiped when freed), while a marker
 *     kept on the heap on purpose is found (the scan works).  D-EGRESS-7.
 *  3. The open-socket check: a resolve entry pointing at an address other
 *     than the one the caller checked is refused with FCP_EEGRESS_CONNECT.
 * The secret is kept XOR-masked, so the needle is never plaintext here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "fcp/error.h"
#include "fcp/net_http.h"
#include "memscan.h"
#include "test.h"

#define MASK 0x3c

static uint8_t g_masked[40];

/* occurrences of the masked needle in readable memory; -1 if unreadable */
static long scan_self(const uint8_t *masked, size_t n)
{
    return fcp_t_memscan(masked, n, MASK, 0);
}

static int s_body(void *ud, const void *p, size_t n)
{
    (void)ud;
    (void)p;
    (void)n;
    return 0;
}

int main(void)
{
    CHECK(sodium_init() >= 0);
    CHECK_EQ(fcp_http_wipe_status(), 0);
    CHECK_EQ(fcp_http_global_init(), 0);
    CHECK_EQ(fcp_http_global_init(), 0); /* idempotent */
    CHECK(fcp_http_wipe_status() & FCP_HTTP_WIPE_CURL);
    printf("wiping allocators: curl %s, openssl %s\n", fcp_http_wipe_status() & FCP_HTTP_WIPE_CURL ? "yes" : "no",
           fcp_http_wipe_status() & FCP_HTTP_WIPE_OPENSSL ? "yes" : "no");

    /* a random 40-character secret, kept masked */
    static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (size_t i = 0; i < sizeof g_masked; i++)
        g_masked[i] = (uint8_t)alpha[randombytes_uniform(sizeof alpha - 1)] ^ MASK;

    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    CHECK(ls >= 0 && bind(ls, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(ls, 4) == 0 &&
          getsockname(ls, (struct sockaddr *)&sa, &sl) == 0);
    int port = ntohs(sa.sin_port);

    /* URL and header built in one heap buffer that is wiped after use */
    char *url = malloc(256), *hdr = malloc(128);
    int ul = snprintf(url, 256, "http://origin.test:%d/items?x=1&access_token=", port);
    for (size_t i = 0; i < sizeof g_masked; i++) url[ul++] = (char)(g_masked[i] ^ MASK);
    url[ul] = 0;
    int hl = snprintf(hdr, 128, "authorization: Bearer ");
    for (size_t i = 0; i < sizeof g_masked; i++) hdr[hl++] = (char)(g_masked[i] ^ MASK);
    hdr[hl] = 0;
    char resolve[64];
    snprintf(resolve, sizeof resolve, "origin.test:%d:127.0.0.1", port);
    fcp_http_xfer x;
    memset(&x, 0, sizeof x);
    x.method = "GET";
    x.url = url;
    x.https = 0;
    x.resolve_entry = resolve;
    x.family = 4;
    inet_pton(AF_INET, "127.0.0.1", x.ip);
    x.header_lines = hdr;
    x.n_headers = 1;
    x.connect_timeout_ms = 2000;
    x.total_timeout_ms = 400;
    fcp_http_sink sink = {NULL, NULL, s_body, NULL};
    long status = -1;
    /* the origin accepts (backlog) and never answers */
    CHECK_EQ(fcp_http_perform(&x, &sink, &status), FCP_EEGRESS_TIMEOUT);
    /* the request did reach the socket: it holds the request line */
    int cs = accept(ls, NULL, NULL);
    char req[512];
    ssize_t rn = cs >= 0 ? recv(cs, req, sizeof req - 1, MSG_DONTWAIT) : -1;
    CHECK(rn > 0 && memcmp(req, "GET /items?x=1&access_token=", 28) == 0);
    sodium_memzero(req, sizeof req);
    if (cs >= 0) close(cs);
    sodium_memzero(url, 256);
    sodium_memzero(hdr, 128);
    free(url);
    free(hdr);

    /* positive control: a marker deliberately left in heap memory is found */
    uint8_t mmask[24];
    char *marker = malloc(32);
    snprintf(marker, 32, "NETHTTP-MARK-%08x", (unsigned)randombytes_random());
    for (size_t i = 0; i < 21; i++) mmask[i] = (uint8_t)marker[i] ^ MASK;
    long m = scan_self(mmask, 21);
    if (m < 0) {
        printf("SKIPPED: /proc/self/mem not readable (%s): memory checks not run\n", strerror(errno));
    } else {
        CHECK(m > 0);
        long s = scan_self(g_masked, sizeof g_masked);
        if (!CHECK_EQ(s, 0)) fprintf(stderr, "  the secret survived the transfer %ld times\n", s);
    }
    sodium_memzero(marker, 32);
    free(marker);

    /* the open-socket check refuses an address the caller did not check */
    memset(&x, 0, sizeof x);
    char url2[64];
    snprintf(url2, sizeof url2, "http://origin.test:%d/", port);
    x.method = "GET";
    x.url = url2;
    x.resolve_entry = resolve;  /* resolves to 127.0.0.1 ... */
    x.family = 4;
    inet_pton(AF_INET, "127.0.0.2", x.ip); /* ... but 127.0.0.2 was checked */
    x.connect_timeout_ms = 1000;
    x.total_timeout_ms = 1000;
    CHECK_EQ(fcp_http_perform(&x, &sink, &status), FCP_EEGRESS_CONNECT);
    close(ls);
    fcp_http_global_cleanup();
    return fcp_t_done("net_http_test");
}
