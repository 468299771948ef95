/*
 * rq_params.c - RaptorQ wire formats, partitioning and the RFC 6330 §5.3.5
 * pseudo-random generators.
 *
 * Everything here is pure arithmetic on the RFC's definitions: the 12-byte
 * OTI (§3.3), the FEC payload id (§3.2), Partition[] and the recommended
 * choice of Z and N (§4.3, §4.4.1.2), the K' lookup in Table 2 (§5.6), and
 * Rand, Deg and Tuple (§5.3.5) which fix which intermediate symbols every
 * encoding symbol combines.
 */
#include <string.h>

#include "fcp/error.h"
#include "rq_internal.h"

static uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

static int is_prime(uint32_t n)
{
    if (n < 2)
        return 0;
    for (uint32_t d = 2; d * d <= n; d++)
        if (n % d == 0)
            return 0;
    return 1;
}

/* ---------------- Table 2 ---------------- */

uint32_t fcp_rq_kprime(uint32_t K)
{
    if (K == 0 || K > FCP_RQ_MAX_K)
        return 0;
    uint32_t lo = 0, hi = FCP_RQ_NUM_KPRIME - 1;   /* first row with K' >= K */
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (fcp_rq_table2[mid][0] >= K)
            hi = mid;
        else
            lo = mid + 1;
    }
    return fcp_rq_table2[lo][0];
}

int fcp_rq_params_for(uint32_t Kp, fcp_rq_params *out)
{
    uint32_t lo = 0, hi = FCP_RQ_NUM_KPRIME - 1;
    if (Kp == 0 || Kp > FCP_RQ_MAX_K)
        return -1;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (fcp_rq_table2[mid][0] >= Kp)
            hi = mid;
        else
            lo = mid + 1;
    }
    if (fcp_rq_table2[lo][0] != Kp)
        return -1;
    memset(out, 0, sizeof *out);
    out->Kp = Kp;
    out->J = fcp_rq_table2[lo][1];
    out->S = fcp_rq_table2[lo][2];
    out->H = fcp_rq_table2[lo][3];
    out->W = fcp_rq_table2[lo][4];
    /* RFC 6330 §5.3.3.3 */
    out->L = Kp + out->S + out->H;
    out->P = out->L - out->W;
    out->U = out->P - out->H;
    out->B = out->W - out->S;
    out->P1 = out->P;
    while (!is_prime(out->P1))
        out->P1++;
    return 0;
}

/* ---------------- generators (§5.3.5) ---------------- */

uint32_t fcp_rq_rand(uint32_t y, uint32_t i, uint32_t m)
{
    uint32_t x0 = (y + i) & 0xFF;
    uint32_t x1 = ((y >> 8) + i) & 0xFF;
    uint32_t x2 = ((y >> 16) + i) & 0xFF;
    uint32_t x3 = ((y >> 24) + i) & 0xFF;
    return (fcp_rq_V[0][x0] ^ fcp_rq_V[1][x1] ^ fcp_rq_V[2][x2] ^ fcp_rq_V[3][x3]) % m;
}

uint32_t fcp_rq_deg(uint32_t v, uint32_t W)
{
    uint32_t d = 1;
    while (d < 30 && v >= fcp_rq_deg_f[d])    /* f[d-1] <= v < f[d] */
        d++;
    return d < W - 2 ? d : W - 2;
}

fcp_rq_tuple fcp_rq_tuple_of(const fcp_rq_params *p, uint32_t X)
{
    fcp_rq_tuple t;
    uint32_t A = 53591u + p->J * 997u;
    if (A % 2 == 0)
        A++;
    uint32_t B = 10267u * (p->J + 1);
    uint32_t y = B + X * A;             /* mod 2^32 by unsigned wrap */
    uint32_t v = fcp_rq_rand(y, 0, 1u << 20);
    t.d = fcp_rq_deg(v, p->W);
    t.a = 1 + fcp_rq_rand(y, 1, p->W - 1);
    t.b = fcp_rq_rand(y, 2, p->W);
    t.d1 = t.d < 4 ? 2 + fcp_rq_rand(X, 3, 2) : 2;
    t.a1 = 1 + fcp_rq_rand(X, 4, p->P1 - 1);
    t.b1 = fcp_rq_rand(X, 5, p->P1);
    return t;
}

uint32_t fcp_rq_tuple_cols(const fcp_rq_params *p, const fcp_rq_tuple *t, uint32_t *cols)
{
    uint32_t n = 0, b = t->b, b1 = t->b1;
    cols[n++] = b;
    for (uint32_t j = 1; j < t->d; j++) {
        b = (b + t->a) % p->W;
        cols[n++] = b;
    }
    while (b1 >= p->P)
        b1 = (b1 + t->a1) % p->P1;
    cols[n++] = p->W + b1;
    for (uint32_t j = 1; j < t->d1; j++) {
        b1 = (b1 + t->a1) % p->P1;
        while (b1 >= p->P)
            b1 = (b1 + t->a1) % p->P1;
        cols[n++] = p->W + b1;
    }
    return n;
}

void fcp_rq_tgen_init(fcp_rq_tgen *g, const fcp_rq_params *p)
{
    g->W = p->W;
    g->P = p->P;
    g->P1 = p->P1;
    g->A = 53591u + p->J * 997u;
    if (g->A % 2 == 0)
        g->A++;
    g->B = 10267u * (p->J + 1);
    g->mW1 = fcp_rq_fm_init(p->W - 1);
    g->mW = fcp_rq_fm_init(p->W);
    g->mP11 = fcp_rq_fm_init(p->P1 - 1);
    g->mP1 = fcp_rq_fm_init(p->P1);
}

#define rand_raw fcp_rq_rand_raw

uint32_t fcp_rq_tgen_cols(const fcp_rq_tgen *g, uint32_t X, uint32_t *cols, uint32_t *nlt)
{
    const uint32_t W = g->W, P = g->P, P1 = g->P1;
    uint32_t y = g->B + X * g->A;             /* mod 2^32 */
    uint32_t v = rand_raw(y, 0) & ((1u << 20) - 1);
    uint32_t d = fcp_rq_deg(v, W);
    uint32_t a = 1 + fcp_rq_fm(rand_raw(y, 1), g->mW1, W - 1);
    uint32_t b = fcp_rq_fm(rand_raw(y, 2), g->mW, W);
    uint32_t d1 = d < 4 ? 2 + (rand_raw(X, 3) & 1) : 2;
    uint32_t a1 = 1 + fcp_rq_fm(rand_raw(X, 4), g->mP11, P1 - 1);
    uint32_t b1 = fcp_rq_fm(rand_raw(X, 5), g->mP1, P1);
    uint32_t n = 0;
    /* b, b1 < their moduli and a, a1 below them too: each step is one
     * conditional subtraction */
    cols[n++] = b;
    for (uint32_t j = 1; j < d; j++) {
        b += a;
        if (b >= W)
            b -= W;
        cols[n++] = b;
    }
    *nlt = n;
    while (b1 >= P) {
        b1 += a1;
        if (b1 >= P1)
            b1 -= P1;
    }
    cols[n++] = W + b1;
    for (uint32_t j = 1; j < d1; j++) {
        do {
            b1 += a1;
            if (b1 >= P1)
                b1 -= P1;
        } while (b1 >= P);
        cols[n++] = W + b1;
    }
    return n;
}

/* ---------------- OTI (§3.3) ---------------- */

int fcp_rq_oti_validate(const fcp_rq_oti *o)
{
    if (!o || o->F == 0 || o->F > FCP_RQ_MAX_TRANSFER)
        return FCP_ERQ_OTI;
    if (o->T == 0 || o->Al == 0 || o->T % o->Al != 0)
        return FCP_ERQ_OTI;
    if (o->N == 0 || o->N > o->T / o->Al)
        return FCP_ERQ_OTI;
    if (o->Z == 0 || o->Z > FCP_RQ_MAX_Z)
        return FCP_ERQ_OTI;
    uint64_t Kt = ceil_div(o->F, o->T);
    if (o->Z > Kt || ceil_div(Kt, o->Z) > FCP_RQ_MAX_K)
        return FCP_ERQ_OTI;
    return 0;
}

void fcp_rq_oti_encode(const fcp_rq_oti *o, uint8_t out[FCP_RQ_OTI_BYTES])
{
    uint64_t F = o->F & 0xFFFFFFFFFFULL;
    for (int i = 0; i < 5; i++)
        out[i] = (uint8_t)(F >> (8 * (4 - i)));
    out[5] = 0;
    out[6] = (uint8_t)(o->T >> 8);
    out[7] = (uint8_t)o->T;
    out[8] = (uint8_t)o->Z;
    out[9] = (uint8_t)(o->N >> 8);
    out[10] = (uint8_t)o->N;
    out[11] = o->Al;
}

int fcp_rq_oti_decode(const uint8_t in[FCP_RQ_OTI_BYTES], fcp_rq_oti *o)
{
    if (!in || !o)
        return FCP_ERQ_OTI;
    uint64_t F = 0;
    for (int i = 0; i < 5; i++)
        F = (F << 8) | in[i];
    if (in[5] != 0)
        return FCP_ERQ_OTI;
    o->F = F;
    o->T = (uint16_t)((in[6] << 8) | in[7]);
    o->Z = in[8];
    o->N = (uint16_t)((in[9] << 8) | in[10]);
    o->Al = in[11];
    return fcp_rq_oti_validate(o);
}

/* KL(n) of §4.3: the largest K' with K' <= WS / (Al * ceil(T / (Al * n))). */
static uint32_t kl_of(uint64_t WS, uint16_t T, uint8_t Al, uint64_t n)
{
    uint64_t sub = ceil_div(T, (uint64_t)Al * n);
    uint64_t lim = WS / ((uint64_t)Al * sub);
    uint32_t best = 0;
    for (uint32_t i = 0; i < FCP_RQ_NUM_KPRIME; i++)
        if (fcp_rq_table2[i][0] <= lim)
            best = fcp_rq_table2[i][0];
    return best;
}

int fcp_rq_oti_derive(uint64_t F, uint16_t T, uint8_t Al, uint64_t WS, uint16_t SS,
                      fcp_rq_oti *o)
{
    if (!o || F == 0 || F > FCP_RQ_MAX_TRANSFER || T == 0 || Al == 0 || T % Al != 0 || SS == 0)
        return FCP_ERQ_OTI;
    uint64_t Kt = ceil_div(F, T);
    uint64_t Nmax = T / ((uint64_t)SS * Al);          /* §4.3: N_max = floor(T/(SS*Al)) */
    if (Nmax == 0)
        Nmax = 1;
    uint32_t klmax = kl_of(WS, T, Al, Nmax);
    if (klmax == 0)
        return FCP_ERQ_OTI;
    uint64_t Z = ceil_div(Kt, klmax);
    if (Z > FCP_RQ_MAX_Z)
        return FCP_ERQ_OTI;
    uint64_t per = ceil_div(Kt, Z);
    uint64_t N = Nmax;
    for (uint64_t n = 1; n <= Nmax; n++)              /* smallest n with ceil(Kt/Z) <= KL(n) */
        if (per <= kl_of(WS, T, Al, n)) {
            N = n;
            break;
        }
    o->F = F;
    o->T = T;
    o->Z = (uint16_t)Z;
    o->N = (uint16_t)N;
    o->Al = Al;
    return fcp_rq_oti_validate(o);
}

/* ---------------- payload id (§3.2) ---------------- */

void fcp_rq_payload_id_encode(uint8_t sbn, uint32_t esi, uint8_t out[FCP_RQ_PAYLOAD_ID_BYTES])
{
    out[0] = sbn;
    out[1] = (uint8_t)(esi >> 16);
    out[2] = (uint8_t)(esi >> 8);
    out[3] = (uint8_t)esi;
}

void fcp_rq_payload_id_decode(const uint8_t in[FCP_RQ_PAYLOAD_ID_BYTES], uint8_t *sbn,
                              uint32_t *esi)
{
    *sbn = in[0];
    *esi = ((uint32_t)in[1] << 16) | ((uint32_t)in[2] << 8) | in[3];
}

/* ---------------- partitioning (§4.4.1.2) ---------------- */

fcp_rq_part fcp_rq_partition(uint64_t I, uint64_t J)
{
    fcp_rq_part r;
    if (J == 0) {
        memset(&r, 0, sizeof r);
        return r;
    }
    r.IL = ceil_div(I, J);
    r.IS = I / J;
    r.JL = I - r.IS * J;
    r.JS = J - r.JL;
    return r;
}

int fcp_rq_layout_of(const fcp_rq_oti *o, fcp_rq_layout *lay)
{
    int rc = fcp_rq_oti_validate(o);
    if (rc)
        return rc;
    lay->Kt = ceil_div(o->F, o->T);
    fcp_rq_part b = fcp_rq_partition(lay->Kt, o->Z);
    fcp_rq_part s = fcp_rq_partition(o->T / o->Al, o->N);
    lay->KL = (uint32_t)b.IL;
    lay->KS = (uint32_t)b.IS;
    lay->ZL = (uint32_t)b.JL;
    lay->ZS = (uint32_t)b.JS;
    lay->TL = (uint32_t)s.IL;
    lay->TS = (uint32_t)s.IS;
    lay->NL = (uint32_t)s.JL;
    lay->NS = (uint32_t)s.JS;
    return 0;
}

uint32_t fcp_rq_block_symbols(const fcp_rq_layout *lay, uint32_t sbn)
{
    if (sbn < lay->ZL)
        return lay->KL;
    if (sbn < lay->ZL + lay->ZS)
        return lay->KS;
    return 0;
}
