/*
 * host_egress_wipe_test.c - D-EGRESS-7 for the proxy's own buffers: no
 * buffer that held secret bytes is ever moved by realloc and freed unwiped.
 * The secret provider writes the secret one byte at a time (the worst case
 * for buffer growth); the secret is 16 filler bytes, a random 24-character
 * core and 0..300 more filler bytes, so each growth boundary of
 * the provider's buffer, the rendered "Bearer <secret>" value, the header
 * block and the URL with a query-parameter credential is crossed.  After
 * planning and freeing each (header and query forms) the heap must hold no
 * copy of the core (scanned at once, before the freed blocks are reused), and
 * at the end no mapping must, while a marker kept on purpose is found (the
 * scan works).  The core is kept XOR-masked, never plaintext.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "fcp/error.h"
#include "fcp/host_egress.h"
#include "memscan.h"
#include "test.h"

/* Under ASan freed blocks sit in its quarantine untouched, so one scan at
 * the end sees any leftover; scanning after every plan would take minutes
 * over ASan's large allocator mappings. */
#if defined(__SANITIZE_ADDRESS__)
#define PER_PLAN_SCAN 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PER_PLAN_SCAN 0
#endif
#endif
#ifndef PER_PLAN_SCAN
#define PER_PLAN_SCAN 1
#endif

#define MASK 0x6b
#define CORE 24

static uint8_t g_core[CORE]; /* masked */
static size_t g_pad;
static fcp_credential_object g_hcred, g_qcred;

static int resolve(void *ctx, const char *host, fcp_egress_addr *out, size_t max, size_t *n)
{
    (void)ctx;
    (void)host;
    (void)max;
    out[0].family = 4;
    inet_pton(AF_INET, "140.82.112.6", out[0].ip);
    *n = 1;
    return 0;
}

static const fcp_credential_object *cred(void *ctx, const char *id)
{
    (void)ctx;
    return strcmp(id, g_hcred.credential_id) == 0 ? &g_hcred : strcmp(id, g_qcred.credential_id) == 0 ? &g_qcred : NULL;
}

static int secret(void *ctx, const char *id, fcp_buf *out)
{
    (void)ctx;
    (void)id;
    /* 16 filler bytes first: a freed chunk's first 16 bytes are overwritten
     * by the allocator's own list pointers, which would hide a leftover */
    for (size_t i = 0; i < 16; i++) fcp_buf_put_u8(out, 'p');
    for (size_t i = 0; i < CORE; i++) fcp_buf_put_u8(out, (uint8_t)(g_core[i] ^ MASK));
    for (size_t i = 0; i < g_pad; i++) fcp_buf_put_u8(out, 'p');
    return out->err;
}

/* heap_only: just the heap and anonymous writable mappings (fast enough to
 * run after every plan, before a freed block is reused and overwritten) */
static long scan_self(const uint8_t *masked, size_t n, int heap_only)
{
    return fcp_t_memscan(masked, n, MASK, heap_only);
}

int main(void)
{
    CHECK(sodium_init() >= 0);
    static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (size_t i = 0; i < CORE; i++) g_core[i] = (uint8_t)alpha[randombytes_uniform(sizeof alpha - 1)] ^ MASK;
    memset(&g_hcred, 0, sizeof g_hcred);
    strcpy(g_hcred.credential_id, "cred:h");
    strcpy(g_hcred.secret_id, "secret:s");
    g_hcred.apply = FCP_CRED_HTTP_HEADER;
    strcpy(g_hcred.name, "authorization");
    g_hcred.format = FCP_CRED_PREFIX;
    strcpy(g_hcred.prefix, "Bearer ");
    g_qcred = g_hcred;
    strcpy(g_qcred.credential_id, "cred:q");
    g_qcred.apply = FCP_CRED_QUERY_PARAM;
    strcpy(g_qcred.name, "access_token");
    g_qcred.format = FCP_CRED_RAW;
    fcp_egress_proxy px;
    fcp_egress_proxy_init(&px);
    px.resolve = resolve;
    px.credential = cred;
    px.secret = secret;
    fcp_cap_constraints caps;
    memset(&caps, 0, sizeof caps);
    caps.has_network = 1;
    fcp_net_constraints_default(&caps.network);
    caps.network.n_host_allow = 1;
    strcpy(caps.network.host_allow[0], "api.github.com");
    caps.n_credential_allow = 2;
    strcpy(caps.credential_allow[0], "cred:h");
    strcpy(caps.credential_allow[1], "cred:q");
    static const fcp_egress_header hdrs[] = {
        {"accept", 6, "application/vnd.github+json", 27},
        {"user-agent", 10, "fcp-connector-github/0.1.0", 26},
        {"x-github-api-version", 20, "2022-11-28", 10},
    };
    int planned = 0, bad = 0, scans = 0;
    long leftovers = 0;
    for (g_pad = 0; g_pad <= 300; g_pad++) {
        for (int q = 0; q < 2; q++) {
            /* vary the URL and header block so their sizes cross growth points too */
            char url[256];
            snprintf(url, sizeof url, "https://api.github.com/repos/o/r/issues?page=%zu&state=open", g_pad);
            fcp_egress_request r;
            memset(&r, 0, sizeof r);
            r.method = "GET";
            r.method_len = 3;
            r.url = url;
            r.url_len = strlen(url);
            r.n_headers = 1 + g_pad % 3;
            memcpy(r.headers, hdrs, r.n_headers * sizeof hdrs[0]);
            r.has_credential = 1;
            r.credential = q ? "cred:q" : "cred:h";
            r.credential_len = 6;
            fcp_egress_plan p;
            fcp_egress_plan_init(&p);
            int rc = fcp_egress_plan_request(&px, &caps, &r, &p);
            if (rc == 0) planned++;
            else bad++;
            fcp_egress_plan_free(&p);
            long f = PER_PLAN_SCAN ? scan_self(g_core, CORE, 1) : -1;
            if (f >= 0) {
                scans++;
                if (f > 0) {
                    leftovers += f;
                    fprintf(stderr, "  pad %zu %s: %ld copies left in freed memory\n", g_pad, q ? "query" : "header", f);
                }
            }
        }
    }
    CHECK_EQ(planned, 602);
    CHECK_EQ(bad, 0);
    if (scans) CHECK_EQ(leftovers, 0);
    /* a secret longer than a header value is refused, not grown into */
    g_pad = FCP_EGRESS_HEADER_VALUE_MAX - 40 + 1;
    {
        fcp_egress_request r;
        memset(&r, 0, sizeof r);
        r.method = "GET";
        r.method_len = 3;
        r.url = "https://api.github.com/x";
        r.url_len = strlen(r.url);
        r.has_credential = 1;
        r.credential = "cred:h";
        r.credential_len = 6;
        fcp_egress_plan p;
        fcp_egress_plan_init(&p);
        CHECK_EQ(fcp_egress_plan_request(&px, &caps, &r, &p), FCP_EEGRESS_SECRET);
        fcp_egress_plan_free(&p);
    }
    /* positive control, then the secret's core */
    char *marker = malloc(40);
    uint8_t mm[32];
    snprintf(marker, 40, "EGRESSWIPE-MARK-%08x", (unsigned)randombytes_random());
    for (size_t i = 0; i < 24; i++) mm[i] = (uint8_t)marker[i] ^ MASK;
    long m = scan_self(mm, 24, 0);
    if (m < 0) {
        printf("SKIPPED: /proc/self/mem not readable (%s): memory check not run\n", strerror(errno));
    } else {
        CHECK(m > 0);
        long s = scan_self(g_core, CORE, 0);
        if (!CHECK_EQ(s, 0)) fprintf(stderr, "  %ld copies of the secret left in freed memory\n", s);
    }
    sodium_memzero(marker, 40);
    free(marker);
    return fcp_t_done("host_egress_wipe_test");
}
