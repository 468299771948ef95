/*
 * cmd_rq.c - `fcp rq`: RaptorQ (RFC 6330) encode and decode of files.
 *
 *   fcp rq encode --symbol-size T [--repair N | --overhead-bps B]
 *                 [--repair-from ESI] [--alignment AL] [--working-memory WS] IN OUT
 *   fcp rq decode IN.packets OUT
 *   fcp rq info IN.packets
 *
 * The packet file (docs/raptorq-packets.md) is a 20-byte header - magic
 * "FCRQ", version 1, three zero bytes, the 12-byte OTI - followed by packets
 * of a 4-byte FEC Payload ID and T symbol bytes, in any order.  Decoding
 * works from any sufficient subset of the packets, so a file can lose or
 * reorder packets and still decode; when it cannot, the error says how many
 * distinct symbols each short block has and how many more it needs.
 *
 * Outputs are written to a temporary file beside the destination and renamed
 * into place only when complete, so a failed run never leaves a partial file.
 * Progress goes to stderr, and only when stderr is a terminal.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "fcp/error.h"
#include "fcp/raptorq.h"

#define RQ_FILE_MAGIC     "FCRQ"
#define RQ_FILE_VERSION   1
#define RQ_FILE_HEADER    (8 + FCP_RQ_OTI_BYTES)  /* magic, version, 3 zero bytes, OTI */
#define RQ_MAX_OBJECT     ((uint64_t)1 << 30)     /* largest object this tool handles */
#define RQ_MAX_FILE       (((size_t)1 << 31) - 1) /* largest packet file read */
#define RQ_WORKING_SET    ((uint64_t)16 << 20)    /* RFC 6330 §4.3 WS per block */
#define RQ_DEFAULT_BPS    500u                    /* 5 % repair, spec Appendix B */
#define RQ_PROGRESS_BYTES ((uint64_t)8 << 20)     /* show progress above this size */

static void rq_usage(FILE *out)
{
    fprintf(out,
            "usage: fcp rq encode --symbol-size T [--repair N | --overhead-bps B]\n"
            "                     [--repair-from ESI] [--alignment AL] [--working-memory WS]\n"
            "                     IN OUT\n"
            "       fcp rq decode IN.packets OUT\n"
            "       fcp rq info IN.packets\n"
            "\n"
            "RaptorQ (RFC 6330) forward error correction of a file.\n"
            "\n"
            "encode  writes every source symbol of IN plus repair symbols to the packet\n"
            "        file OUT (format: docs/raptorq-packets.md).\n"
            "          --symbol-size T    bytes per symbol, 1..65535 (required)\n"
            "          --repair N         repair symbols per source block\n"
            "          --overhead-bps B   repair symbols per block = ceil(K * B / 10000)\n"
            "                             (default 500, i.e. 5 %%)\n"
            "          --repair-from ESI  first repair ESI (default K of each block), e.g.\n"
            "                             to make more, different repair symbols later\n"
            "          --alignment AL     symbol alignment Al (default 4 if T is a multiple\n"
            "                             of 4, else 1)\n"
            "          --working-memory WS  decoder memory per source block in bytes used\n"
            "                             to choose Z and N (RFC 6330 §4.3; default 16 MiB)\n"
            "decode  rebuilds the original file from any sufficient subset of the packets,\n"
            "        in any order; says how many more symbols are needed if too few.\n"
            "info    prints the OTI and, per source block, K and the distinct symbols held.\n"
            "\n"
            "IN may be '-' for stdin.  OUT is written atomically (temporary file, then\n"
            "rename).  Exit status: 0 ok, 1 failure, 2 usage error.\n");
}

/* ---- small helpers ------------------------------------------------------- */

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

static int progress_wanted(uint64_t bytes)
{
    return bytes >= RQ_PROGRESS_BYTES && isatty(STDERR_FILENO);
}

static void progress(const char *what, uint64_t done, uint64_t total)
{
    fprintf(stderr, "\rfcp rq %s: %3u%%", what, (unsigned)(total ? done * 100 / total : 100));
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

/* Atomic output: a temporary file in the destination's directory, renamed over
 * the destination by out_commit, removed by out_abort. */
typedef struct rq_out {
    char  tmp[PATH_MAX];
    const char *dest;
    FILE *f;
} rq_out;

static int out_open(rq_out *o, const char *dest)
{
    o->dest = dest;
    o->f = NULL;
    if (snprintf(o->tmp, sizeof o->tmp, "%s.tmp.XXXXXX", dest) >= (int)sizeof o->tmp) {
        fprintf(stderr, "fcp rq: output path too long: %s\n", dest);
        return -1;
    }
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        fprintf(stderr, "fcp rq: cannot create a temporary file beside %s: %s\n", dest,
                strerror(errno));
        return -1;
    }
    /* mkstemp creates 0600; give the result the usual 0666 & ~umask */
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    o->f = fdopen(fd, "wb");
    if (!o->f) {
        close(fd);
        unlink(o->tmp);
        fprintf(stderr, "fcp rq: cannot open %s: %s\n", o->tmp, strerror(errno));
        return -1;
    }
    return 0;
}

static void out_abort(rq_out *o)
{
    if (o->f) {
        fclose(o->f);
        o->f = NULL;
        unlink(o->tmp);
    }
}

static int out_write(rq_out *o, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, o->f) != n) {
        fprintf(stderr, "fcp rq: error writing %s: %s\n", o->dest, strerror(errno));
        return -1;
    }
    return 0;
}

static int out_commit(rq_out *o)
{
    FILE *f = o->f;
    o->f = NULL;
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        fprintf(stderr, "fcp rq: error writing %s: %s\n", o->dest, strerror(errno));
        fclose(f);
        unlink(o->tmp);
        return -1;
    }
    if (fclose(f) != 0 || rename(o->tmp, o->dest) != 0) {
        fprintf(stderr, "fcp rq: cannot create %s: %s\n", o->dest, strerror(errno));
        unlink(o->tmp);
        return -1;
    }
    return 0;
}

/* ---- encode --------------------------------------------------------------- */

static int rq_encode(int argc, char **argv)
{
    uint64_t T = 0, repair = 0, bps = RQ_DEFAULT_BPS, al = 0, ws = RQ_WORKING_SET, from = 0;
    int have_repair = 0, have_bps = 0;
    const char *pos[2];
    int npos = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--symbol-size")) {
            if (parse_u64(v, 65535, &T) || T == 0) {
                fprintf(stderr, "fcp rq encode: --symbol-size needs an integer 1..65535\n");
                return 2;
            }
            i++;
        } else if (!strcmp(a, "--repair")) {
            if (parse_u64(v, FCP_RQ_MAX_ESI, &repair)) {
                fprintf(stderr, "fcp rq encode: --repair needs an integer 0..%u\n", FCP_RQ_MAX_ESI);
                return 2;
            }
            have_repair = 1;
            i++;
        } else if (!strcmp(a, "--overhead-bps")) {
            if (parse_u64(v, 1000000, &bps)) {
                fprintf(stderr, "fcp rq encode: --overhead-bps needs an integer 0..1000000\n");
                return 2;
            }
            have_bps = 1;
            i++;
        } else if (!strcmp(a, "--alignment")) {
            if (parse_u64(v, 255, &al) || al == 0) {
                fprintf(stderr, "fcp rq encode: --alignment needs an integer 1..255\n");
                return 2;
            }
            i++;
        } else if (!strcmp(a, "--repair-from")) {
            if (parse_u64(v, FCP_RQ_MAX_ESI, &from)) {
                fprintf(stderr, "fcp rq encode: --repair-from needs an ESI 0..%u\n", FCP_RQ_MAX_ESI);
                return 2;
            }
            i++;
        } else if (!strcmp(a, "--working-memory")) {
            if (parse_u64(v, UINT64_MAX, &ws) || ws == 0) {
                fprintf(stderr, "fcp rq encode: --working-memory needs a positive byte count\n");
                return 2;
            }
            i++;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "fcp rq encode: unknown option %s (try 'fcp rq --help')\n", a);
            return 2;
        } else if (npos < 2) {
            pos[npos++] = a;
        } else {
            fprintf(stderr, "fcp rq encode: unexpected argument %s\n", a);
            return 2;
        }
    }
    if (!T) {
        fprintf(stderr, "fcp rq encode: --symbol-size is required\n");
        return 2;
    }
    if (have_repair && have_bps) {
        fprintf(stderr, "fcp rq encode: give --repair or --overhead-bps, not both\n");
        return 2;
    }
    if (npos != 2) {
        fprintf(stderr, "fcp rq encode: need IN and OUT (try 'fcp rq --help')\n");
        return 2;
    }
    if (!al)
        al = T % 4 == 0 ? 4 : 1;
    if (T % al) {
        fprintf(stderr, "fcp rq encode: symbol size %llu is not a multiple of the alignment %llu\n",
                (unsigned long long)T, (unsigned long long)al);
        return 2;
    }

    int rc = 1, err;
    size_t F = 0;
    uint8_t *data = cmd_read_input(pos[0], &F, (size_t)RQ_MAX_OBJECT);
    uint8_t *pkt = NULL;
    fcp_rq_object_encoder *enc = NULL;
    rq_out out = { .f = NULL };
    if (!data)
        return 1;
    if (F == 0) {
        fprintf(stderr, "fcp rq encode: %s is empty; RaptorQ needs at least one byte\n", pos[0]);
        goto done;
    }

    /* RFC 6330 §4.3: sub-symbols of at least SS*Al bytes, SS = 8 where T allows */
    uint64_t ss = T / al < 8 ? T / al : 8;
    fcp_rq_oti oti;
    err = fcp_rq_oti_derive(F, (uint16_t)T, (uint8_t)al, ws, (uint16_t)ss, &oti);
    if (err) {
        cmd_error("rq encode", err, "no valid RFC 6330 partition for this size and symbol size");
        goto done;
    }
    /* blocks are encoded zero-padded to whole symbols: allow Kt*T bytes */
    uint64_t padded = ((uint64_t)F + T - 1) / T * T;
    fcp_rq_limits lim = { .max_transfer = padded, .max_symbols = 0,
                          .max_memory = padded * 4 + ((uint64_t)64 << 20) };
    err = fcp_rq_object_encoder_new(&enc, &oti, data, &lim);
    if (err) {
        cmd_error("rq encode", err, "cannot build the encoder");
        goto done;
    }
    if (out_open(&out, pos[1]))
        goto done;

    uint8_t hdr[RQ_FILE_HEADER] = { 'F', 'C', 'R', 'Q', RQ_FILE_VERSION, 0, 0, 0 };
    fcp_rq_oti_encode(&oti, hdr + 8);
    if (out_write(&out, hdr, sizeof hdr))
        goto done;
    pkt = malloc(FCP_RQ_PAYLOAD_ID_BYTES + (size_t)T);
    if (!pkt) {
        cmd_error("rq encode", FCP_ENOMEM, NULL);
        goto done;
    }
    int show = progress_wanted(F);
    uint64_t done = 0, total = 0;
    for (uint32_t sbn = 0; sbn < oti.Z; sbn++) {
        uint32_t K = fcp_rq_object_encoder_block_K(enc, sbn);
        total += K + (have_repair ? repair : ((uint64_t)K * bps + 9999) / 10000);
    }
    for (uint32_t sbn = 0; sbn < oti.Z; sbn++) {
        uint32_t K = fcp_rq_object_encoder_block_K(enc, sbn);
        uint64_t R = have_repair ? repair : ((uint64_t)K * bps + 9999) / 10000;
        uint64_t first = from > K ? from : K; /* repair ESIs first .. first+R-1 */
        if (first + R - 1 > FCP_RQ_MAX_ESI)
            R = FCP_RQ_MAX_ESI + 1 - first;
        for (uint64_t i = 0; i < K + R; i++) {
            uint64_t esi = i < K ? i : first + (i - K);
            fcp_rq_payload_id_encode((uint8_t)sbn, (uint32_t)esi, pkt);
            err = fcp_rq_object_encoder_symbol(enc, sbn, (uint32_t)esi, pkt + FCP_RQ_PAYLOAD_ID_BYTES);
            if (err) {
                cmd_error("rq encode", err, "cannot generate a symbol");
                goto done;
            }
            if (out_write(&out, pkt, FCP_RQ_PAYLOAD_ID_BYTES + (size_t)T))
                goto done;
            if (show && ++done % 4096 == 0 && done < total)
                progress("encode", done, total);
        }
    }
    if (show)
        progress("encode", total, total);
    if (out_commit(&out))
        goto done;
    rc = 0;
done:
    out_abort(&out);
    fcp_rq_object_encoder_free(enc);
    free(pkt);
    free(data);
    return rc;
}

/* ---- packet file parsing (decode, info) ------------------------------------ */

typedef struct rq_file {
    uint8_t    *buf;
    size_t      len;
    fcp_rq_oti  oti;
    fcp_rq_layout lay;
    size_t      npk;      /* whole packets after the header */
    size_t      plen;     /* 4 + T */
} rq_file;

/* Explain which OTI field is invalid (fcp_rq_oti_decode only says that one
 * is).  Field rules: RFC 6330 §3.3.2, §3.3.3, §4.3. */
static const char *oti_problem(const uint8_t *o)
{
    uint64_t F = 0;
    for (int i = 0; i < 5; i++)
        F = F << 8 | o[i];
    unsigned T = (unsigned)o[6] << 8 | o[7], Z = o[8], N = (unsigned)o[9] << 8 | o[10], Al = o[11];
    if (F == 0)
        return "transfer length F is 0";
    if (F > FCP_RQ_MAX_TRANSFER)
        return "transfer length F exceeds 946270874880";
    if (o[5] != 0)
        return "reserved OTI byte is not zero";
    if (T == 0)
        return "symbol size T is 0";
    if (Al == 0)
        return "alignment Al is 0";
    if (T % Al)
        return "symbol size T is not a multiple of the alignment Al";
    if (Z == 0)
        return "number of source blocks Z is 0";
    if (N == 0)
        return "number of sub-blocks N is 0";
    if (N > T / Al)
        return "number of sub-blocks N exceeds T/Al";
    uint64_t Kt = (F + T - 1) / T;
    if (Z > Kt)
        return "more source blocks Z than source symbols";
    if ((Kt + Z - 1) / Z > FCP_RQ_MAX_K)
        return "a source block would exceed 56403 symbols";
    return "OTI rejected";
}

static int rq_file_load(rq_file *rf, const char *path, const char *verb)
{
    char what[160];
    memset(rf, 0, sizeof *rf);
    rf->buf = cmd_read_input(path, &rf->len, RQ_MAX_FILE);
    if (!rf->buf)
        return -1;
    if (rf->len < RQ_FILE_HEADER) {
        snprintf(what, sizeof what, "%s: %zu bytes is too short for the %d-byte header", path,
                 rf->len, RQ_FILE_HEADER);
        cmd_error(verb, FCP_ETRUNCATED, what);
        return -1;
    }
    if (memcmp(rf->buf, RQ_FILE_MAGIC, 4)) {
        snprintf(what, sizeof what, "%s: bad magic %02x %02x %02x %02x (want \"FCRQ\"): not a packet file",
                 path, rf->buf[0], rf->buf[1], rf->buf[2], rf->buf[3]);
        cmd_error(verb, FCP_EMALFORMED_FRAME, what);
        return -1;
    }
    if (rf->buf[4] != RQ_FILE_VERSION) {
        snprintf(what, sizeof what, "%s: packet file version %u (this fcp reads version %d)", path,
                 rf->buf[4], RQ_FILE_VERSION);
        cmd_error(verb, FCP_EVERSION, what);
        return -1;
    }
    if (rf->buf[5] || rf->buf[6] || rf->buf[7]) {
        snprintf(what, sizeof what, "%s: reserved header bytes 5..7 are not zero", path);
        cmd_error(verb, FCP_EMALFORMED_FRAME, what);
        return -1;
    }
    int err = fcp_rq_oti_decode(rf->buf + 8, &rf->oti);
    if (!err)
        err = fcp_rq_layout_of(&rf->oti, &rf->lay);
    if (err) {
        snprintf(what, sizeof what, "%s: invalid OTI: %s", path, oti_problem(rf->buf + 8));
        cmd_error(verb, err, what);
        return -1;
    }
    rf->plen = FCP_RQ_PAYLOAD_ID_BYTES + (size_t)rf->oti.T;
    size_t body = rf->len - RQ_FILE_HEADER;
    rf->npk = body / rf->plen;
    if (body % rf->plen) {
        snprintf(what, sizeof what,
                 "%s: %zu stray bytes after the last whole %zu-byte packet (truncated file?)", path,
                 body % rf->plen, rf->plen);
        cmd_error(verb, FCP_ETRUNCATED, what);
        return -1;
    }
    return 0;
}

static int key_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Distinct symbols per block: counts[sbn] for sbn < Z (caller frees).  The
 * payload id is a 32-bit key (SBN << 24 | ESI), so sorting the keys and
 * counting runs needs no table sized by ESI.  NULL on allocation failure;
 * *bad_sbn set to the first packet index whose SBN is not below Z, or npk. */
static uint64_t *distinct_counts(const rq_file *rf, size_t *bad_sbn)
{
    uint32_t *keys = malloc((rf->npk ? rf->npk : 1) * sizeof *keys);
    uint64_t *counts = calloc(rf->oti.Z, sizeof *counts);
    *bad_sbn = rf->npk;
    if (!keys || !counts) {
        free(keys);
        free(counts);
        return NULL;
    }
    for (size_t i = 0; i < rf->npk; i++) {
        const uint8_t *p = rf->buf + RQ_FILE_HEADER + i * rf->plen;
        keys[i] = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        if (p[0] >= rf->oti.Z && *bad_sbn == rf->npk)
            *bad_sbn = i;
    }
    qsort(keys, rf->npk, sizeof *keys, key_cmp);
    for (size_t i = 0; i < rf->npk; i++)
        if ((i == 0 || keys[i] != keys[i - 1]) && (keys[i] >> 24) < rf->oti.Z)
            counts[keys[i] >> 24]++;
    free(keys);
    return counts;
}

/* ---- decode ----------------------------------------------------------------- */

static int rq_decode(int argc, char **argv)
{
    if (argc != 3 || (argv[1][0] == '-' && argv[1][1]) || argv[2][0] == '-') {
        fprintf(stderr, "fcp rq decode: need IN.packets and OUT (try 'fcp rq --help')\n");
        return 2;
    }
    const char *in = argv[1], *outp = argv[2];
    char what[200];
    int rc = 1, err;
    rq_file rf;
    fcp_rq_decoder *dec = NULL;
    uint64_t *counts = NULL;
    rq_out out = { .f = NULL };

    if (rq_file_load(&rf, in, "rq decode"))
        goto done;
    if (rf.oti.F > RQ_MAX_OBJECT) {
        snprintf(what, sizeof what, "%s: object of %llu bytes exceeds this tool's %llu-byte limit",
                 in, (unsigned long long)rf.oti.F, (unsigned long long)RQ_MAX_OBJECT);
        cmd_error("rq decode", FCP_ERQ_LIMIT, what);
        goto done;
    }
    size_t bad;
    counts = distinct_counts(&rf, &bad);
    if (!counts) {
        cmd_error("rq decode", FCP_ENOMEM, NULL);
        goto done;
    }
    if (bad < rf.npk) {
        snprintf(what, sizeof what, "%s: packet %zu names source block %u but the OTI has Z=%u",
                 in, bad, rf.buf[RQ_FILE_HEADER + bad * rf.plen], rf.oti.Z);
        cmd_error("rq decode", FCP_ERQ_ESI, what);
        goto done;
    }
    uint64_t padded = (rf.oti.F + rf.oti.T - 1) / rf.oti.T * rf.oti.T;
    fcp_rq_limits lim = { .max_transfer = padded, .max_symbols = (uint64_t)rf.npk + 1,
                          .max_memory = padded * 4 + (uint64_t)rf.len * 2 + ((uint64_t)64 << 20) };
    err = fcp_rq_decoder_new(&dec, &rf.oti, &lim);
    if (err) {
        cmd_error("rq decode", err, "cannot set up the decoder");
        goto done;
    }
    int show = progress_wanted(rf.len);
    err = FCP_ERQ_NEED_MORE;
    for (size_t i = 0; i < rf.npk && err == FCP_ERQ_NEED_MORE; i++) {
        const uint8_t *p = rf.buf + RQ_FILE_HEADER + i * rf.plen;
        uint8_t sbn;
        uint32_t esi;
        fcp_rq_payload_id_decode(p, &sbn, &esi);
        err = fcp_rq_decoder_add(dec, sbn, esi, p + FCP_RQ_PAYLOAD_ID_BYTES, rf.oti.T);
        if (show && i % 4096 == 0 && i + 1 < rf.npk)
            progress("decode", i + 1, rf.npk);
    }
    if (show)
        progress("decode", rf.npk, rf.npk);
    if (err == FCP_ERQ_NEED_MORE) {
        /* name every block that is still short, with how many more it needs */
        for (uint32_t sbn = 0; sbn < rf.oti.Z; sbn++) {
            if (fcp_rq_decoder_block_done(dec, sbn))
                continue;
            uint64_t K = fcp_rq_block_symbols(&rf.lay, sbn), have = counts[sbn];
            if (have < K)
                snprintf(what, sizeof what,
                         "%s: source block %u has %llu distinct symbols, needs at least %llu "
                         "(%llu more)", in, sbn, (unsigned long long)have, (unsigned long long)K,
                         (unsigned long long)(K - have));
            else
                snprintf(what, sizeof what,
                         "%s: source block %u has %llu distinct symbols for K=%llu but they do "
                         "not determine it yet (1 or 2 more repair symbols needed)", in, sbn,
                         (unsigned long long)have, (unsigned long long)K);
            cmd_error("rq decode", FCP_ERQ_NEED_MORE, what);
        }
        goto done;
    }
    if (err) {
        cmd_error("rq decode", err, in);
        goto done;
    }
    const uint8_t *data;
    size_t n;
    err = fcp_rq_decoder_result(dec, &data, &n);
    if (err) {
        cmd_error("rq decode", err, in);
        goto done;
    }
    if (out_open(&out, outp) || out_write(&out, data, n) || out_commit(&out))
        goto done;
    rc = 0;
done:
    out_abort(&out);
    fcp_rq_decoder_free(dec);
    free(counts);
    free(rf.buf);
    return rc;
}

/* ---- info ------------------------------------------------------------------- */

static int rq_info(int argc, char **argv)
{
    if (argc != 2 || (argv[1][0] == '-' && argv[1][1])) {
        fprintf(stderr, "fcp rq info: need IN.packets (try 'fcp rq --help')\n");
        return 2;
    }
    rq_file rf;
    size_t bad;
    int rc = 1;
    uint64_t *counts = NULL;
    if (rq_file_load(&rf, argv[1], "rq info"))
        goto done;
    counts = distinct_counts(&rf, &bad);
    if (!counts) {
        cmd_error("rq info", FCP_ENOMEM, NULL);
        goto done;
    }
    printf("F=%llu T=%u Z=%u N=%u Al=%u packets=%zu\n", (unsigned long long)rf.oti.F, rf.oti.T,
           rf.oti.Z, rf.oti.N, rf.oti.Al, rf.npk);
    for (uint32_t sbn = 0; sbn < rf.oti.Z; sbn++)
        printf("block %u: K=%u distinct=%llu\n", sbn, fcp_rq_block_symbols(&rf.lay, sbn),
               (unsigned long long)counts[sbn]);
    if (bad < rf.npk)
        printf("packet %zu: source block number not below Z\n", bad);
    rc = 0;
done:
    free(counts);
    free(rf.buf);
    return rc;
}

int cmd_rq(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        rq_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (cmd_wants_help(argc - 1, argv + 1)) {
        rq_usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "encode"))
        return rq_encode(argc - 1, argv + 1);
    if (!strcmp(argv[1], "decode"))
        return rq_decode(argc - 1, argv + 1);
    if (!strcmp(argv[1], "info"))
        return rq_info(argc - 1, argv + 1);
    fprintf(stderr, "fcp rq: unknown subcommand '%s' (encode, decode, info)\n", argv[1]);
    return 2;
}
