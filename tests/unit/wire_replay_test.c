/*
 * wire_replay_test.c - the anti-replay window against every ReplayWindow
 * script in upstream replay.json, boundary cases and a brute-force comparison
 * with a naive set-based model.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fcp/error.h"
#include "fcp/replay.h"

static uint64_t ju64(const json_t *v)
{
    if (json_is_string(v))
        return strtoull(json_string_value(v), NULL, 10);
    return (uint64_t)json_integer_value(v);
}

static void test_upstream_scripts(void)
{
    json_t *root = fcp_t_load_json("upstream/replay.json");
    if (!root)
        return;
    size_t i, scripts = 0;
    json_t *e;
    json_array_foreach(root, i, e) {
        const char *name = fcp_t_jstr(e, "name");
        json_t *in = json_object_get(e, "inputs");
        json_t *ops = json_object_get(in, "ops");
        if (!ops)
            continue; /* hello_replay_window / policy defaults: not window scripts */
        fcp_replay_window w;
        fcp_replay_init(&w, ju64(json_object_get(in, "window_size")));
        json_t *exp = json_object_get(json_object_get(e, "expected"), "results");
        size_t j;
        json_t *op;
        int all_ok = 1;
        json_array_foreach(ops, j, op) {
            const char *kind = fcp_t_jstr(op, "op");
            int want = json_is_true(json_array_get(exp, j));
            if (!strcmp(kind, "check_range")) {
                uint64_t from = ju64(json_object_get(op, "from")), to = ju64(json_object_get(op, "to"));
                for (uint64_t s = from; s <= to; s++)
                    if ((fcp_replay_check(&w, s) == 0) != want)
                        all_ok = 0;
                continue;
            }
            uint64_t seq = ju64(json_object_get(op, "seq"));
            int got = !strcmp(kind, "check") ? fcp_replay_check(&w, seq) : fcp_replay_update(&w, seq);
            if ((got == 0) != want) {
                fprintf(stderr, "%s: op %zu seq %llu got %d\n", name, j, (unsigned long long)seq, got);
                all_ok = 0;
            }
        }
        CHECK(all_ok);
        json_t *fh = json_object_get(json_object_get(e, "expected"), "final_highest_seq");
        if (fh)
            CHECK_EQ(w.highest, ju64(fh));
        scripts++;
    }
    CHECK_EQ(scripts, 17);
    /* policy defaults */
    json_array_foreach(root, i, e) {
        if (!strcmp(fcp_t_jstr(e, "name"), "replay_policy_defaults"))
            CHECK_EQ(ju64(json_object_get(json_object_get(e, "expected"), "max_reorder_window")),
                     FCP_REPLAY_DEFAULT_WINDOW);
    }
    json_decref(root);
}

static void test_reasons(void)
{
    fcp_replay_window w;
    fcp_replay_init(&w, 16);
    CHECK_ERR(fcp_replay_update(&w, 0), FCP_EREPLAY_SEQ_ZERO);
    CHECK_ERR(fcp_replay_update(&w, 100), 0);
    CHECK_ERR(fcp_replay_update(&w, 100), FCP_EREPLAY_DUPLICATE);
    CHECK_ERR(fcp_replay_update(&w, 84), FCP_EREPLAY_STALE);
    CHECK_ERR(fcp_replay_update(&w, 85), 0);
    CHECK_ERR(fcp_replay_check(&w, 85), FCP_EREPLAY_DUPLICATE);
    /* rejected updates leave the window as it was */
    fcp_replay_window before = w;
    CHECK_ERR(fcp_replay_update(&w, 1), FCP_EREPLAY_STALE);
    CHECK_MEM(&before, &w, sizeof w);
    /* clamping */
    fcp_replay_init(&w, 0);
    CHECK_EQ(w.width, 1);
    fcp_replay_init(&w, 1000000);
    CHECK_EQ(w.width, 128);
    /* W=1 is strictly increasing */
    fcp_replay_init(&w, 1);
    CHECK_ERR(fcp_replay_update(&w, 5), 0);
    CHECK_ERR(fcp_replay_update(&w, 4), FCP_EREPLAY_STALE);
    CHECK_ERR(fcp_replay_update(&w, 6), 0);
    /* shifts across the 64-bit word boundary and the full width */
    fcp_replay_init(&w, 128);
    CHECK_ERR(fcp_replay_update(&w, 1), 0);
    CHECK_ERR(fcp_replay_update(&w, 65), 0);  /* bit of 1 moves to 64 */
    CHECK_ERR(fcp_replay_check(&w, 1), FCP_EREPLAY_DUPLICATE);
    CHECK_ERR(fcp_replay_update(&w, 128), 0); /* 1 is at distance 127 */
    CHECK_ERR(fcp_replay_check(&w, 1), FCP_EREPLAY_DUPLICATE);
    CHECK_ERR(fcp_replay_update(&w, 129), 0); /* 1 now at 128: stale */
    CHECK_ERR(fcp_replay_check(&w, 1), FCP_EREPLAY_STALE);
    CHECK_ERR(fcp_replay_check(&w, 2), 0);
    CHECK_ERR(fcp_replay_update(&w, UINT64_MAX), 0);
    CHECK_ERR(fcp_replay_check(&w, UINT64_MAX), FCP_EREPLAY_DUPLICATE);
    CHECK_ERR(fcp_replay_check(&w, UINT64_MAX - 127), 0);
    CHECK_ERR(fcp_replay_check(&w, UINT64_MAX - 128), FCP_EREPLAY_STALE);
}

/* Naive model: remember every accepted seq; accept iff seq != 0, not seen,
 * and seq > highest - W. */
static void test_against_model(void)
{
    static uint8_t seen[4096];
    uint64_t x = 0x9e3779b97f4a7c15ull;
    int mismatches = 0;
    for (int round = 0; round < 20; round++) {
        uint64_t W = 1 + (uint64_t)round * 7 % 140;
        fcp_replay_window w;
        fcp_replay_init(&w, W);
        uint64_t eff = W > 128 ? 128 : W;
        memset(seen, 0, sizeof seen);
        uint64_t highest = 0;
        for (int i = 0; i < 3000; i++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            uint64_t seq = x % 4096;
            int model = seq != 0 && !seen[seq] && (seq > highest || highest - seq < eff);
            int got = fcp_replay_update(&w, seq) == 0;
            if (model != got)
                mismatches++;
            if (model) {
                seen[seq] = 1;
                if (seq > highest)
                    highest = seq;
            }
        }
    }
    CHECK_EQ(mismatches, 0);
}

int main(void)
{
    test_upstream_scripts();
    test_reasons();
    test_against_model();
    return fcp_t_done("wire_replay_test");
}
