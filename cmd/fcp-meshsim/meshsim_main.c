/*
 * fcp-meshsim - the mesh story in one process: three MeshNode engines
 * (alpha, bravo, charlie) on in-memory links with a simulated clock run the
 * real protocol (handshakes, sealed FCPS symbols, gossip, SymbolRequests,
 * repair).  It puts a file on alpha, shows how the symbols spread and the
 * coverage, kills charlie, gets the file back on bravo (BLAKE3 compared),
 * restarts charlie empty, watches repair restore coverage, restarts it
 * empty once more before its peers could see it down (D-MESH-8), and
 * finally kills alpha and reads the file from bravo + the repaired charlie.
 *
 *   fcp-meshsim [FILE] [--seed N] [--size BYTES]
 * Without FILE a pseudo-random payload of --size bytes (default 20 MiB) is
 * used.  Exit status 0 when every step checked out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/mesh.h"
#include "fcp/rng.h"
#include "mesh/mesh_sim.h"

#define N_NODES 3
static const char *SHORT[N_NODES] = { "alpha", "bravo", "charlie" };

static double wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void hex(char *out, const uint8_t *p, size_t n)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[p[i] >> 4];
        out[2 * i + 1] = d[p[i] & 15];
    }
    out[2 * n] = 0;
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "fcp-meshsim: %s: %s (%s)\n", what, fcp_strerror(rc),
            fcp_error_name(rc) ? fcp_error_name(rc) : "?");
    return 1;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fcp-meshsim: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 20, n = 0;
    uint8_t *b = malloc(cap);
    while (b) {
        if (n == cap) {
            if (cap >= (64u << 20)) {
                fprintf(stderr, "fcp-meshsim: %s: larger than 64 MiB\n", path);
                free(b);
                b = NULL;
                break;
            }
            uint8_t *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    *len = n;
    return b;
}

/* Symbols each node holds, and the zone coverage as seen from `view`. */
static void show_spread(mesh_sim *s, size_t view)
{
    uint64_t total = 0;
    for (size_t i = 0; i < N_NODES; i++) {
        fcp_mesh_node *n = mesh_sim_node(s, i);
        if (!n) {
            printf("          %-8s (down)\n", SHORT[i]);
            continue;
        }
        uint64_t b = fcp_mesh_memstore_bytes(mesh_sim_store(s, i));
        total += b / 1024;
        printf("          %-8s %7llu symbols  %6.2f MiB stored\n", SHORT[i],
               (unsigned long long)(b / 1024), b / 1048576.0);
    }
    fcp_mesh_coverage c;
    if (mesh_sim_node(s, view) &&
        fcp_mesh_zone_coverage(mesh_sim_node(s, view), MESH_SIM_ZONE, &c) == 0)
        printf("          %s's view: %u objects, %llu symbols in all, coverage min %u bps, "
               "after losing any one node min %u bps, objects at risk %u\n",
               SHORT[view], c.objects, (unsigned long long)total, c.min_coverage_bps,
               c.min_worst_loss_bps, c.objects_at_risk);
}

static int coverage_ok(mesh_sim *s, size_t view)
{
    fcp_mesh_coverage c;
    return fcp_mesh_zone_coverage(mesh_sim_node(s, view), MESH_SIM_ZONE, &c) == 0 &&
           c.objects > 0 && c.objects_at_risk == 0 && c.min_worst_loss_bps >= 10000 &&
           c.peers_down == 0 && c.views_pending == 0;
}

/* Get id on node i; checks BLAKE3 against want.  0 ok. */
static int get_and_compare(mesh_sim *s, size_t i, const uint8_t id[32], const uint8_t *want,
                           size_t want_len)
{
    fcp_mesh_node *n = mesh_sim_node(s, i);
    uint64_t op;
    double w0 = wall_ms();
    int rc = fcp_mesh_get_start(n, id, MESH_SIM_ZONE, &op);
    if (rc < 0)
        return fail("get", rc);
    const uint8_t *data = NULL;
    size_t len = 0;
    uint64_t sim_ms = 0;
    while ((rc = fcp_mesh_get_result(n, op, &data, &len)) == FCP_ERQ_NEED_MORE && sim_ms < 60000) {
        long r = mesh_sim_step(s, 5);
        if (r < 0)
            return fail("simulation", (int)r);
        sim_ms += 5;
    }
    if (rc < 0) {
        fcp_mesh_op_release(n, op);
        return fail("get", rc);
    }
    uint8_t h1[32], h2[32];
    char x1[65], x2[65];
    fcp_blake3(h1, want, want_len);
    fcp_blake3(h2, data, len);
    hex(x1, h1, 32);
    hex(x2, h2, 32);
    int same = len == want_len && memcmp(h1, h2, 32) == 0 && memcmp(data, want, len) == 0;
    printf("          %s got %zu bytes in %llu ms simulated (%.0f ms wall)\n", SHORT[i], len,
           (unsigned long long)sim_ms, wall_ms() - w0);
    printf("          BLAKE3 put %.16s...  got %.16s...  %s\n", x1, x2,
           same ? "byte-identical" : "MISMATCH");
    fcp_mesh_op_release(n, op);
    return same ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    uint64_t seed = 1;
    size_t size = 20u << 20;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc)
            size = (size_t)strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: fcp-meshsim [FILE] [--seed N] [--size BYTES]\n");
            return 0;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "fcp-meshsim: unknown option %s\n", argv[i]);
            return 2;
        } else
            path = argv[i];
    }
    if (fcp_crypto_init() != 0)
        return 1;
    uint8_t *payload;
    size_t len;
    if (path) {
        if (!(payload = read_file(path, &len)))
            return 1;
    } else {
        if (size == 0 || size > (64u << 20)) {
            fprintf(stderr, "fcp-meshsim: --size must be 1..67108864\n");
            return 2;
        }
        fcp_rng_xoshiro x;
        fcp_rng_xoshiro_init(&x, seed ^ 0x5eed);
        payload = malloc(size);
        if (!payload)
            return 1;
        fcp_rng_fill(&x.rng, payload, size);
        len = size;
    }
    if (len == 0) {
        fprintf(stderr, "fcp-meshsim: empty input\n");
        free(payload);
        return 1;
    }

    int bad = 0;
    mesh_sim *s = NULL;
    mesh_sim_opts o;
    memset(&o, 0, sizeof o);
    o.n_nodes = N_NODES;
    o.seed = seed;
    int rc = mesh_sim_new(&s, &o);
    if (rc < 0) {
        free(payload);
        return fail("init", rc);
    }
    printf("fcp-meshsim: %d MeshNode engines in one process, simulated links and clock, seed %llu\n",
           N_NODES, (unsigned long long)seed);
    for (size_t i = 0; i < N_NODES; i++)
        printf("          %-8s %s\n", SHORT[i], mesh_sim_node_id(s, i));

    /* 1. sessions */
    uint64_t t = 0;
    for (; t < 5000; t += 10) {
        mesh_sim_step(s, 10);
        int up = 1;
        for (size_t i = 0; i < N_NODES; i++)
            for (size_t p = 0; p < fcp_mesh_peer_count(mesh_sim_node(s, i)); p++) {
                fcp_mesh_peer_info pi;
                fcp_mesh_peer_info_get(mesh_sim_node(s, i), p, &pi);
                up &= pi.up;
            }
        if (up)
            break;
    }
    printf("[init]    MeshSession handshakes (Hello/HelloRetry/Ack, signed, cookie) done: "
           "3 sessions up after %llu ms simulated\n", (unsigned long long)(t + 10));

    /* 2. put */
    uint8_t root[32];
    char rootx[65];
    double w0 = wall_ms();
    uint64_t op;
    if ((rc = fcp_mesh_put(mesh_sim_node(s, 0), MESH_SIM_ZONE, payload, len, root, &op)) < 0) {
        mesh_sim_free(s);
        free(payload);
        return fail("put", rc);
    }
    double put_ms = wall_ms() - w0;
    hex(rootx, root, 32);
    uint32_t objects = len > (256u << 10) ? (uint32_t)((len + 65535) / 65536) + 1 : 1;
    printf("[put]     alpha: %s (%zu bytes) -> ObjectId %s\n", path ? path : "random payload", len,
           rootx);
    printf("          %u objects (%s), RaptorQ-encoded with 1024-byte symbols, sealed per zone "
           "key, %.0f ms wall\n", objects,
           objects > 1 ? "64 KiB RawChunks + ChunkedObjectManifest" : "one RawChunk", put_ms);
    w0 = wall_ms();
    long moved = mesh_sim_run(s, 3000, 10);
    printf("[spread]  %ld datagrams delivered in 3 s simulated (%.0f ms wall); "
           "placement: member j keeps ESIs j mod 3 (D-MESH-1)\n", moved, wall_ms() - w0);
    show_spread(s, 0);
    if (!coverage_ok(s, 0)) {
        printf("          FAIL: coverage does not survive the loss of one node\n");
        bad = 1;
    }

    /* 3. kill charlie */
    mesh_sim_kill(s, 2);
    mesh_sim_run(s, 5000, 50);
    printf("[kill]    charlie killed (its store is gone); alpha and bravo notice after 4 s of "
           "silence\n");
    show_spread(s, 0);

    /* 4. get on bravo */
    printf("[get]     bravo: local symbols + bounded SymbolRequests to alpha, decode, verify "
           "ObjectIds and payload hash\n");
    bad |= get_and_compare(s, 1, root, payload, len);

    /* 5. charlie returns empty; repair */
    mesh_sim_restart(s, 2);
    printf("[restart] charlie back with an empty store\n");
    w0 = wall_ms();
    uint64_t rt = 0;
    for (; rt < 60000; rt += 100) {
        mesh_sim_run(s, 100, 20);
        if (rt >= 2000 && coverage_ok(s, 0) && coverage_ok(s, 1) && coverage_ok(s, 2))
            break;
    }
    fcp_mesh_counters ca, cb;
    fcp_mesh_get_counters(mesh_sim_node(s, 0), &ca);
    fcp_mesh_get_counters(mesh_sim_node(s, 1), &cb);
    printf("[repair]  coverage restored after %.1f s simulated (%.0f ms wall): %llu repairs, "
           "%llu symbols pushed to charlie\n", (rt + 100) / 1000.0, wall_ms() - w0,
           (unsigned long long)(ca.repairs_done + cb.repairs_done),
           (unsigned long long)(ca.repair_symbols + cb.repair_symbols));
    show_spread(s, 2);
    if (!coverage_ok(s, 2)) {
        printf("          FAIL: coverage not restored\n");
        bad = 1;
    }

    /* 6. charlie dies and is back 100 ms later, long before its peers'
     * 4 s liveness limit: its Hello tells them it restarted (D-MESH-8) */
    mesh_sim_kill(s, 2);
    mesh_sim_run(s, 100, 20);
    mesh_sim_restart(s, 2);
    printf("[restart] charlie killed and back empty 100 ms later, before its peers saw it down\n");
    w0 = wall_ms();
    for (rt = 0; rt < 60000; rt += 100) {
        mesh_sim_run(s, 100, 20);
        if (coverage_ok(s, 0) && coverage_ok(s, 1) && coverage_ok(s, 2))
            break;
    }
    fcp_mesh_get_counters(mesh_sim_node(s, 0), &ca);
    fcp_mesh_get_counters(mesh_sim_node(s, 1), &cb);
    printf("[repair]  coverage restored after %.1f s simulated (%.0f ms wall); restarts seen by "
           "alpha %llu, bravo %llu\n", (rt + 100) / 1000.0, wall_ms() - w0,
           (unsigned long long)ca.peer_restarts, (unsigned long long)cb.peer_restarts);
    if (!coverage_ok(s, 2) || ca.peer_restarts != 1 || cb.peer_restarts != 1) {
        printf("          FAIL: restart not detected or coverage not restored\n");
        bad = 1;
    }

    /* 7. the proof */
    mesh_sim_kill(s, 0);
    mesh_sim_run(s, 5000, 50);
    printf("[proof]   alpha killed; charlie reads the file from its repaired share + bravo\n");
    bad |= get_and_compare(s, 2, root, payload, len);

    fcp_mesh_counters cc;
    fcp_mesh_get_counters(mesh_sim_node(s, 2), &cc);
    printf("[stats]   charlie: %llu datagrams in, %llu out, %llu gossip pages in, "
           "drops: %llu datagram, %llu auth\n",
           (unsigned long long)cc.rx_datagrams, (unsigned long long)cc.tx_datagrams,
           (unsigned long long)cc.gossip_received, (unsigned long long)cc.drop_dgram,
           (unsigned long long)cc.drop_symbol_auth);
    printf("%s\n", bad ? "fcp-meshsim: FAILED" : "fcp-meshsim: every step checked out");
    mesh_sim_free(s);
    free(payload);
    return bad;
}
