/*
 * host_lifecycle_test.c - the connector lifecycle state machine
 * (host_lifecycle.h): every transition and refusal, the restart backoff
 * against the golden schedule of D-RUNTIME-1
 * (conformance/golden/runtime/d-runtime-1-backoff.json), the stable-run
 * reset, giving up, update with automatic rollback (D-RUNTIME-2), and the
 * revocation start gate (a revoked binary or manifest refuses to start and
 * is never restarted).
 */
#include <jansson.h>
#include <string.h>

#include "fcp/error.h"
#include "fcp/host_lifecycle.h"
#include "test.h"

static fcp_lc_version ver(const char *v, uint8_t b)
{
    fcp_lc_version x;
    memset(&x, 0, sizeof x);
    strcpy(x.version, v);
    memset(x.binary_id, b, 32);
    memset(x.manifest_id, (uint8_t)(b + 0x40), 32);
    x.slot = b;
    return x;
}

/* Bring a fresh machine to ACTIVE at t. */
static void to_active(fcp_lifecycle *lc, uint64_t t)
{
    if (lc->state == FCP_LC_INSTALLED)
        CHECK_EQ(fcp_lc_verified(lc, 0, NULL), 0);
    CHECK_EQ(fcp_lc_start_gate(lc, NULL, 1000), 0);
    CHECK_EQ(fcp_lc_configured(lc), 0);
    CHECK_EQ(fcp_lc_activated(lc, t), 0);
    CHECK_EQ(lc->state, FCP_LC_ACTIVE);
}

static void test_states(void)
{
    fcp_lifecycle lc;
    fcp_lc_version v1 = ver("1.0.0", 1);
    fcp_lc_init(&lc, NULL, &v1);
    CHECK_EQ(lc.state, FCP_LC_INSTALLED);
    CHECK(!strcmp(fcp_lc_state_name(lc.state), "installed"));
    /* out-of-order events are refused and change nothing */
    CHECK_ERR(fcp_lc_configured(&lc), FCP_ERT_STATE);
    CHECK_ERR(fcp_lc_activated(&lc, 5), FCP_ERT_STATE);
    CHECK_ERR(fcp_lc_start_gate(&lc, NULL, 0), FCP_ERT_STATE);
    CHECK_ERR(fcp_lc_failed(&lc, FCP_EHOST_CLOSED, "x", 0, 0), FCP_ERT_STATE);
    CHECK_ERR(fcp_lc_activate(&lc), FCP_ERT_STATE);
    CHECK_EQ(lc.state, FCP_LC_INSTALLED);
    CHECK_EQ(fcp_lc_verified(&lc, 0, NULL), 0);
    CHECK_EQ(lc.state, FCP_LC_VERIFIED);
    CHECK_ERR(fcp_lc_verified(&lc, 0, NULL), FCP_ERT_STATE);
    CHECK_ERR(fcp_lc_activated(&lc, 5), FCP_ERT_STATE);   /* must be configured first */
    CHECK_EQ(fcp_lc_start_gate(&lc, NULL, 0), 0);
    CHECK_EQ(fcp_lc_configured(&lc), 0);
    CHECK(!strcmp(fcp_lc_state_name(lc.state), "configured"));
    CHECK_EQ(fcp_lc_activated(&lc, 77), 0);
    CHECK(!strcmp(fcp_lc_state_name(lc.state), "active"));
    CHECK_EQ(lc.active_since_ms, 77);
    CHECK_ERR(fcp_lc_rollback(&lc), FCP_ERT_NO_PREVIOUS);
    /* operator stop and activate */
    fcp_lc_stop(&lc);
    CHECK_EQ(lc.state, FCP_LC_STOPPED);
    CHECK_EQ(fcp_lc_restart_due(&lc, 1u << 30), 0);        /* a stopped connector never restarts */
    CHECK_ERR(fcp_lc_failed(&lc, FCP_EHOST_CLOSED, "x", 0, 100), FCP_ERT_STATE);
    CHECK_EQ(fcp_lc_activate(&lc), 0);
    CHECK_EQ(lc.state, FCP_LC_VERIFIED);
    CHECK_ERR(fcp_lc_activate(&lc), FCP_ERT_STATE);
    /* verification failure: FAILED, no restart, activate refused */
    fcp_lc_init(&lc, NULL, &v1);
    CHECK_EQ(fcp_lc_verified(&lc, FCP_EHOST_SIGNATURE, "bad signature"), 0);
    CHECK_EQ(lc.state, FCP_LC_FAILED);
    CHECK_EQ(lc.restart_pending, 0);
    CHECK_EQ(lc.last_error, FCP_EHOST_SIGNATURE);
    CHECK(!strcmp(lc.why, "bad signature"));
    CHECK_ERR(fcp_lc_activate(&lc), FCP_EHOST_SIGNATURE);
    CHECK_EQ(fcp_lc_should_rollback(&lc), 0);                /* nothing to go back to */
    /* names */
    fcp_restart_mode m;
    CHECK_EQ(fcp_restart_mode_parse("never", &m), 0);
    CHECK_EQ(m, FCP_RESTART_NEVER);
    CHECK_EQ(fcp_restart_mode_parse("always", &m), 0);
    CHECK_EQ(m, FCP_RESTART_ALWAYS);
    CHECK_EQ(fcp_restart_mode_parse("on-failure", &m), 0);
    CHECK_EQ(m, FCP_RESTART_ON_FAILURE);
    CHECK_ERR(fcp_restart_mode_parse("sometimes", &m), FCP_EINVAL);
    CHECK(!strcmp(fcp_restart_mode_name(FCP_RESTART_NEVER), "never"));
}

/* The golden schedule: crash right after each restart, read the delays. */
static void test_backoff_golden(void)
{
    json_error_t je;
    json_t *j = json_load_file("conformance/golden/runtime/d-runtime-1-backoff.json", 0, &je);
    CHECK(j != NULL);
    if (!j)
        return;
    json_t *cases = json_object_get(j, "cases");
    CHECK(json_array_size(cases) >= 3);
    for (size_t ci = 0; ci < json_array_size(cases); ci++) {
        json_t *c = json_array_get(cases, ci), *p = json_object_get(c, "policy");
        fcp_restart_policy pol;
        fcp_restart_policy_default(&pol);
        CHECK_EQ(fcp_restart_mode_parse(json_string_value(json_object_get(p, "mode")), &pol.mode), 0);
        pol.initial_ms = (uint32_t)json_integer_value(json_object_get(p, "initial_ms"));
        pol.max_ms = (uint32_t)json_integer_value(json_object_get(p, "max_ms"));
        pol.max_restarts = (uint32_t)json_integer_value(json_object_get(p, "max_restarts"));
        pol.stable_ms = (uint32_t)json_integer_value(json_object_get(p, "stable_ms"));
        json_t *d = json_object_get(c, "delays_ms");
        fcp_lifecycle lc;
        fcp_lc_version v = ver("1.0.0", 3);
        fcp_lc_init(&lc, &pol, &v);
        uint64_t t = 1000;
        to_active(&lc, t);
        for (size_t i = 0; i < json_array_size(d); i++) {
            uint64_t want = (uint64_t)json_integer_value(json_array_get(d, i));
            CHECK_EQ(fcp_lc_backoff_ms(&pol, (uint32_t)i), want);
            t += 10;   /* crashes 10 ms after becoming active: never stable */
            CHECK_EQ(fcp_lc_failed(&lc, FCP_EHOST_CLOSED, "exited", 0, t), 1);
            CHECK_EQ(lc.state, FCP_LC_FAILED);
            CHECK_EQ(lc.next_start_ms, t + want);
            CHECK_EQ(fcp_lc_restart_due(&lc, t + want - 1), 0);
            CHECK_EQ(lc.state, FCP_LC_FAILED);
            t += want;
            CHECK_EQ(fcp_lc_restart_due(&lc, t), 1);
            CHECK_EQ(lc.state, FCP_LC_VERIFIED);
            to_active(&lc, t);
        }
        json_t *g = json_object_get(c, "gives_up_after");
        if (g) {
            CHECK_EQ(lc.failures, (uint32_t)json_integer_value(g));
            CHECK_EQ(fcp_lc_failed(&lc, FCP_EHOST_CLOSED, "again", 0, t + 1), 0);
            CHECK_EQ(lc.gave_up, 1);
            CHECK_EQ(lc.restart_pending, 0);
            CHECK_EQ(fcp_lc_restart_due(&lc, t + 1000000), 0);
            /* the operator can still bring it back, with a clean count */
            CHECK_EQ(fcp_lc_activate(&lc), 0);
            CHECK_EQ(lc.failures, 0);
            CHECK_EQ(lc.gave_up, 0);
        }
    }
    json_decref(j);
}

static void test_policy_modes(void)
{
    fcp_restart_policy pol;
    fcp_restart_policy_default(&pol);
    CHECK_EQ(pol.initial_ms, 500);
    CHECK_EQ(pol.max_ms, 30000);
    fcp_lifecycle lc;
    fcp_lc_version v = ver("1.0.0", 4);
    /* stable run resets the count: after a long ACTIVE period the delay is initial again */
    fcp_lc_init(&lc, &pol, &v);
    to_active(&lc, 0);
    CHECK_EQ(fcp_lc_failed(&lc, FCP_EHOST_CLOSED, "x", 0, 10), 1);
    CHECK_EQ(fcp_lc_restart_due(&lc, 10 + 500), 1);
    to_active(&lc, 600);
    CHECK_EQ(fcp_lc_failed(&lc, FCP_EHOST_CLOSED, "x", 0, 700), 1);
    CHECK_EQ(lc.last_delay_ms, 1000);                      /* second consecutive failure */
    CHECK_EQ(fcp_lc_restart_due(&lc, 1700), 1);
    to_active(&lc, 1700);
    CHECK_EQ(fcp_lc_failed(&lc, FCP_EHOST_CLOSED, "x", 0, 1700 + 60000), 1);
    CHECK_EQ(lc.last_delay_ms, 500);                       /* 60 s stable: forgiven */
    CHECK_EQ(lc.restarts, 3);
    /* a failure before ACTIVE (handshake refused) counts too */
    CHECK_EQ(fcp_lc_restart_due(&lc, 1000000), 1);
    CHECK_EQ(fcp_lc_start_gate(&lc, NULL, 0), 0);
    CHECK_EQ(fcp_lc_failed(&lc, FCP_EHOST_HANDSHAKE, "refused", 0, 1000001), 1);
    CHECK_EQ(lc.last_delay_ms, 1000);
    CHECK_EQ(lc.last_error, FCP_EHOST_HANDSHAKE);
    /* never: no restart at all */
    pol.mode = FCP_RESTART_NEVER;
    fcp_lc_init(&lc, &pol, &v);
    to_active(&lc, 0);
    CHECK_EQ(fcp_lc_failed(&lc, FCP_EHOST_CLOSED, "x", 0, 5), 0);
    CHECK_EQ(lc.restart_pending, 0);
    CHECK_EQ(fcp_lc_restart_due(&lc, 1u << 30), 0);
    /* on-failure: a clean exit is not restarted, always: it is */
    pol.mode = FCP_RESTART_ON_FAILURE;
    fcp_lc_init(&lc, &pol, &v);
    to_active(&lc, 0);
    CHECK_EQ(fcp_lc_failed(&lc, 0, "exited with status 0", 1, 5), 0);
    pol.mode = FCP_RESTART_ALWAYS;
    fcp_lc_init(&lc, &pol, &v);
    to_active(&lc, 0);
    CHECK_EQ(fcp_lc_failed(&lc, 0, "exited with status 0", 1, 5), 1);
    /* a huge failure count neither overflows nor exceeds the cap */
    CHECK_EQ(fcp_lc_backoff_ms(&pol, 4000000000u), pol.max_ms);
    pol.initial_ms = 0;
    CHECK_EQ(fcp_lc_backoff_ms(&pol, 0), 1);
}

static void test_update_rollback(void)
{
    fcp_lifecycle lc;
    fcp_lc_version v1 = ver("1.0.0", 1), v2 = ver("2.0.0", 2);
    fcp_lc_init(&lc, NULL, &v1);
    to_active(&lc, 0);
    /* update; the new version crashes before it is ever ACTIVE */
    fcp_lc_update(&lc, &v2);
    CHECK_EQ(lc.state, FCP_LC_INSTALLED);
    CHECK(!strcmp(lc.cur.version, "2.0.0"));
    CHECK(!strcmp(lc.prev.version, "1.0.0"));
    CHECK_EQ(fcp_lc_verified(&lc, 0, NULL), 0);
    CHECK_EQ(fcp_lc_start_gate(&lc, NULL, 0), 0);
    CHECK_EQ(fcp_lc_should_rollback(&lc), 0);              /* not failed */
    CHECK_EQ(fcp_lc_failed(&lc, FCP_EHOST_HANDSHAKE, "v2 refuses", 0, 10), 1);
    CHECK_EQ(fcp_lc_should_rollback(&lc), 1);
    CHECK_EQ(fcp_lc_rollback(&lc), 0);
    CHECK_EQ(lc.state, FCP_LC_VERIFIED);
    CHECK(!strcmp(lc.cur.version, "1.0.0"));
    CHECK_EQ(lc.cur.slot, 1);
    CHECK(!strcmp(lc.prev.version, "2.0.0"));              /* a second rollback undoes it */
    CHECK_EQ(lc.restart_pending, 0);
    to_active(&lc, 20);
    CHECK_EQ(fcp_lc_should_rollback(&lc), 0);
    /* an update that fails verification is rolled back too */
    fcp_lc_update(&lc, &v2);
    CHECK_EQ(fcp_lc_verified(&lc, FCP_EHOST_MANIFEST_MISMATCH, "embedded manifest differs"), 0);
    CHECK_EQ(fcp_lc_should_rollback(&lc), 1);
    CHECK_ERR(fcp_lc_activate(&lc), FCP_EHOST_MANIFEST_MISMATCH);
    CHECK_EQ(fcp_lc_rollback(&lc), 0);
    CHECK(!strcmp(lc.cur.version, "1.0.0"));
    CHECK_EQ(lc.blocked, 0);
    /* a version that was ACTIVE and then crashes is restarted, not rolled back */
    fcp_lc_update(&lc, &v2);
    to_active(&lc, 100);
    CHECK_EQ(fcp_lc_failed(&lc, FCP_EHOST_CLOSED, "crash", 0, 200), 1);
    CHECK_EQ(fcp_lc_should_rollback(&lc), 0);
    /* but the operator may still roll back */
    CHECK_EQ(fcp_lc_rollback(&lc), 0);
    CHECK(!strcmp(lc.cur.version, "1.0.0"));
    CHECK_EQ(lc.state, FCP_LC_VERIFIED);
}

static void test_revoked_refuses(void)
{
    static const uint8_t KEY[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    fcp_revset rs;
    CHECK_EQ(fcp_revset_init(&rs, 0, KEY), 0);
    fcp_lifecycle lc;
    fcp_lc_version v1 = ver("1.0.0", 1), v2 = ver("2.0.0", 2);
    fcp_lc_init(&lc, NULL, &v1);
    CHECK_EQ(fcp_lc_verified(&lc, 0, NULL), 0);
    /* nothing revoked yet: the gate opens */
    CHECK_EQ(fcp_lc_start_gate(&lc, &rs, 1000), 0);
    CHECK_EQ(fcp_lc_configured(&lc), 0);
    CHECK_EQ(fcp_lc_activated(&lc, 0), 0);
    /* v1's binary is revoked while it runs (from t=1500); it crashes later */
    CHECK_EQ(fcp_revset_add(&rs, v1.binary_id, FCP_REV_CONNECTOR_BINARY, 1500, 0), 0);
    CHECK_EQ(fcp_lc_failed(&lc, FCP_EHOST_CLOSED, "crash", 0, 50), 1);
    CHECK_EQ(fcp_lc_restart_due(&lc, 50 + 500), 1);
    /* before the revocation takes effect the gate still opens */
    CHECK_EQ(fcp_lc_start_gate(&lc, &rs, 1499), 0);
    /* at 1500 it refuses, FAILED with no restart, and activate cannot override */
    CHECK_EQ(lc.state, FCP_LC_VERIFIED);
    CHECK_ERR(fcp_lc_start_gate(&lc, &rs, 1500), FCP_EREV_CONNECTOR);
    CHECK_EQ(lc.state, FCP_LC_FAILED);
    CHECK_EQ(lc.restart_pending, 0);
    CHECK_EQ(lc.last_error, FCP_EREV_CONNECTOR);
    CHECK(strstr(lc.why, "binary") != NULL);
    CHECK_EQ(fcp_lc_restart_due(&lc, 1u << 30), 0);
    CHECK_ERR(fcp_lc_activate(&lc), FCP_EREV_CONNECTOR);
    /* an update to an unrevoked binary starts; a revoked manifest id refuses too */
    fcp_lc_update(&lc, &v2);
    CHECK_EQ(fcp_lc_verified(&lc, 0, NULL), 0);
    CHECK_EQ(fcp_lc_start_gate(&lc, &rs, 2000), 0);
    fcp_lc_stop(&lc);
    CHECK_EQ(fcp_revset_add(&rs, v2.manifest_id, FCP_REV_CONNECTOR_BINARY, 0, 0), 0);
    CHECK_EQ(fcp_lc_activate(&lc), 0);
    CHECK_ERR(fcp_lc_start_gate(&lc, &rs, 2000), FCP_EREV_CONNECTOR);
    CHECK(strstr(lc.why, "manifest") != NULL);
    /* rolling back to the revoked v1 is allowed as a transition, but its gate refuses */
    CHECK_EQ(fcp_lc_rollback(&lc), 0);
    CHECK_ERR(fcp_lc_start_gate(&lc, &rs, 2000), FCP_EREV_CONNECTOR);
    /* revoked in another scope only: not a connector revocation */
    fcp_lc_version v3 = ver("3.0.0", 9);
    CHECK_EQ(fcp_revset_add(&rs, v3.binary_id, FCP_REV_CAPABILITY, 0, 0), 0);
    fcp_lc_update(&lc, &v3);
    CHECK_EQ(fcp_lc_verified(&lc, 0, NULL), 0);
    CHECK_EQ(fcp_lc_start_gate(&lc, &rs, 2000), 0);
    fcp_revset_free(&rs);
}

int main(void)
{
    test_states();
    test_backoff_golden();
    test_policy_modes();
    test_update_rollback();
    test_revoked_refuses();
    return fcp_t_done("host_lifecycle_test");
}
