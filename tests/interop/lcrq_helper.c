/*
 * lcrq_helper.c - a tiny command-line wrapper around Debian's liblcrq (an
 * independent RFC 6330 implementation), used only by
 * tests/interop/raptorq_oracle.sh as an oracle.
 *
 * liblcrq is GPL: this program is compiled by the test script into
 * $FCP_BUILD/interop/ and run as a separate process.  It is never linked into
 * libfcp or the fcp tool.
 *
 * Packets are exchanged as raw files: each packet is the 4-byte RFC 6330
 * FEC Payload ID (SBN, 24-bit ESI, big-endian) followed by T symbol bytes.
 * liblcrq 0.0.1 chooses Z, N and Al itself from (F, T); its decoder handles
 * one source block, so this helper refuses objects that need Z > 1 or N > 1.
 *
 *   lcrq_helper params F T               print "Z N Al K KP"
 *   lcrq_helper encode T NREPAIR IN OUT  source ESIs 0..K-1, then repair
 *                                        ESIs K..K+NREPAIR-1
 *   lcrq_helper symbols T IN OUT ESI...  exactly the listed ESIs, in order
 *   lcrq_helper decode F T IN OUT        decode packets in IN to F bytes
 *
 * Exit status: 0 ok, 1 failure (message on stderr), 2 usage.
 */
#include <lcrq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    for (;;) {
        if (!buf)
            break;
        if (n == cap) {
            unsigned char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

static int spill(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        return -1;
    }
    return 0;
}

/* A context for one object; NULL (with a message) if liblcrq would need more
 * than one source block or sub-block, which its decoder does not handle. */
static rq_t *open_rq(unsigned long long F, unsigned T)
{
    rq_t *rq = rq_init(F, (uint16_t)T);
    if (!rq) {
        fprintf(stderr, "lcrq_helper: rq_init(%llu, %u) failed\n", F, T);
        return NULL;
    }
    if (rq_Z(rq) != 1 || rq_N(rq) != 1) {
        fprintf(stderr, "lcrq_helper: F=%llu T=%u needs Z=%u N=%u; only Z=N=1 supported\n",
                F, T, rq_Z(rq), rq_N(rq));
        rq_free(rq);
        return NULL;
    }
    return rq;
}

static void put_pid(unsigned char *p, unsigned sbn, unsigned long esi)
{
    p[0] = (unsigned char)sbn;
    p[1] = (unsigned char)(esi >> 16);
    p[2] = (unsigned char)(esi >> 8);
    p[3] = (unsigned char)esi;
}

/* Writes the symbols with the given ESIs (block 0) of IN to OUT as packets. */
static int emit(unsigned T, const char *in, const char *out, const unsigned long *esis, size_t n,
                int all_source, unsigned long nrepair)
{
    size_t len;
    unsigned char *data = slurp(in, &len);
    if (!data)
        return 1;
    int rc = 1;
    unsigned char *pkts = NULL;
    rq_t *rq = open_rq(len, T);
    if (!rq)
        goto out;
    if (all_source)
        n = rq_K(rq) + nrepair;
    pkts = malloc(n * (4 + (size_t)T) + 1);
    if (!pkts)
        goto out;
    /* liblcrq reads whole symbols: give it a zero-padded copy of K*T bytes */
    size_t padded = (size_t)rq_K(rq) * T;
    unsigned char *buf = calloc(padded ? padded : 1, 1);
    if (!buf)
        goto out;
    memcpy(buf, data, len);
    if (rq_encode(rq, buf, padded) != 0) {
        fprintf(stderr, "lcrq_helper: rq_encode failed\n");
        free(buf);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned long esi = all_source ? (unsigned long)i : esis[i];
        unsigned char *p = pkts + i * (4 + (size_t)T);
        rq_pid_t pid = 0;
        pid = rq_pidsetsbn(pid, 0);
        pid = rq_pidsetesi(pid, (uint32_t)esi);
        put_pid(p, 0, esi);
        rq_symbol(rq, &pid, p + 4, 0);
    }
    rc = spill(out, pkts, n * (4 + (size_t)T)) ? 1 : 0;
    rq_free(rq); /* rq refers to buf until it is freed */
    rq = NULL;
    free(buf);
out:
    if (rq)
        rq_free(rq);
    free(pkts);
    free(data);
    return rc;
}

static int decode(unsigned long long F, unsigned T, const char *in, const char *out)
{
    size_t len;
    unsigned char *pk = slurp(in, &len);
    if (!pk)
        return 1;
    int rc = 1;
    size_t plen = 4 + (size_t)T, n = len / plen;
    unsigned char *enc = NULL, *dec = NULL;
    uint32_t *esi = NULL;
    rq_t *rq = NULL;
    if (len % plen) {
        fprintf(stderr, "lcrq_helper: %s is not a whole number of %zu-byte packets\n", in, plen);
        goto out;
    }
    rq = open_rq(F, T);
    if (!rq)
        goto out;
    enc = malloc(n * T + 1);
    esi = malloc(n * sizeof *esi + 1);
    dec = calloc((size_t)rq_K(rq) * T + 1, 1);
    if (!enc || !esi || !dec)
        goto out;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = pk + i * plen;
        if (p[0] != 0)
            continue;
        esi[m] = ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
        memcpy(enc + m * T, p + 4, T);
        m++;
    }
    if (rq_decode(rq, dec, enc, esi, (uint32_t)m) != 0) {
        fprintf(stderr, "lcrq_helper: rq_decode failed with %zu symbols (K=%u)\n", m, rq_K(rq));
        goto out;
    }
    rc = spill(out, dec, (size_t)F) ? 1 : 0;
out:
    if (rq)
        rq_free(rq);
    free(enc);
    free(esi);
    free(dec);
    free(pk);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "params")) {
        rq_t *rq = rq_init(strtoull(argv[2], NULL, 10), (uint16_t)strtoul(argv[3], NULL, 10));
        if (!rq)
            return 1;
        printf("%u %u %u %u %u\n", rq_Z(rq), rq_N(rq), rq_Al(rq), rq_K(rq), rq_KP(rq));
        rq_free(rq);
        return 0;
    }
    if (argc == 6 && !strcmp(argv[1], "encode"))
        return emit((unsigned)strtoul(argv[2], NULL, 10), argv[4], argv[5], NULL, 0, 1,
                    strtoul(argv[3], NULL, 10));
    if (argc >= 5 && !strcmp(argv[1], "symbols")) {
        size_t n = (size_t)argc - 5;
        unsigned long *esis = malloc((n + 1) * sizeof *esis);
        if (!esis)
            return 1;
        for (size_t i = 0; i < n; i++)
            esis[i] = strtoul(argv[5 + i], NULL, 10);
        int rc = emit((unsigned)strtoul(argv[2], NULL, 10), argv[3], argv[4], esis, n, 0, 0);
        free(esis);
        return rc;
    }
    if (argc == 6 && !strcmp(argv[1], "decode"))
        return decode(strtoull(argv[2], NULL, 10), (unsigned)strtoul(argv[3], NULL, 10), argv[4],
                      argv[5]);
    fprintf(stderr, "usage: lcrq_helper params F T | encode T NREPAIR IN OUT |\n"
                    "       symbols T IN OUT ESI... | decode F T IN OUT\n");
    return 2;
}
