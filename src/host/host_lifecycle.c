/*
 * host_lifecycle.c - the connector lifecycle state machine
 * (include/fcp/host_lifecycle.h): states, restart policy with exponential
 * backoff, version update and rollback, and the revocation start gate.
 *
 * Pure: time comes in as arguments and nothing here touches a process; the
 * runtime in fcpd turns the answers into spawns and kills.  Every refused
 * transition returns FCP_ERT_STATE and leaves the machine unchanged.
 */
#include "fcp/host_lifecycle.h"

#include <stdio.h>
#include <string.h>

#include "fcp/error.h"

static const char *const state_names[FCP_LC_STATE_COUNT_] = {
    [FCP_LC_INSTALLED] = "installed", [FCP_LC_VERIFIED] = "verified",
    [FCP_LC_CONFIGURED] = "configured", [FCP_LC_ACTIVE] = "active",
    [FCP_LC_FAILED] = "failed",       [FCP_LC_STOPPED] = "stopped",
};

const char *fcp_lc_state_name(fcp_lc_state s)
{
    return (unsigned)s < FCP_LC_STATE_COUNT_ ? state_names[s] : "unknown";
}

void fcp_restart_policy_default(fcp_restart_policy *p)
{
    memset(p, 0, sizeof *p);
    p->mode = FCP_RESTART_ON_FAILURE;
    p->initial_ms = 500;
    p->max_ms = 30000;
    p->max_restarts = 0;
    p->stable_ms = 60000;
}

int fcp_restart_mode_parse(const char *s, fcp_restart_mode *out)
{
    if (!strcmp(s, "on-failure"))
        *out = FCP_RESTART_ON_FAILURE;
    else if (!strcmp(s, "always"))
        *out = FCP_RESTART_ALWAYS;
    else if (!strcmp(s, "never"))
        *out = FCP_RESTART_NEVER;
    else
        return FCP_EINVAL;
    return 0;
}

const char *fcp_restart_mode_name(fcp_restart_mode m)
{
    return m == FCP_RESTART_ALWAYS ? "always" : m == FCP_RESTART_NEVER ? "never" : "on-failure";
}

static void set_why(fcp_lifecycle *lc, int err, const char *why)
{
    lc->last_error = err;
    snprintf(lc->why, sizeof lc->why, "%s", why ? why : "");
}

void fcp_lc_init(fcp_lifecycle *lc, const fcp_restart_policy *p, const fcp_lc_version *v)
{
    memset(lc, 0, sizeof *lc);
    if (p)
        lc->policy = *p;
    else
        fcp_restart_policy_default(&lc->policy);
    if (v)
        lc->cur = *v;
    lc->state = FCP_LC_INSTALLED;
}

uint64_t fcp_lc_backoff_ms(const fcp_restart_policy *p, uint32_t n)
{
    uint64_t d = p->initial_ms ? p->initial_ms : 1;
    /* doubling stops at the cap, so the shift never overflows */
    for (uint32_t i = 0; i < n && d < p->max_ms; i++)
        d <<= 1;
    return d > p->max_ms ? p->max_ms : d;
}

int fcp_lc_verified(fcp_lifecycle *lc, int rc, const char *why)
{
    if (lc->state != FCP_LC_INSTALLED)
        return FCP_ERT_STATE;
    if (rc == 0) {
        lc->state = FCP_LC_VERIFIED;
        lc->blocked = 0;
        return 0;
    }
    lc->state = FCP_LC_FAILED;
    lc->blocked = 1;
    lc->restart_pending = 0;
    set_why(lc, rc, why ? why : "verification failed");
    return 0;
}

int fcp_lc_start_gate(fcp_lifecycle *lc, const fcp_revset *rs, uint64_t now_unix)
{
    if (lc->state != FCP_LC_VERIFIED)
        return FCP_ERT_STATE;
    if (rs && fcp_rev_enforce_connector_start(rs, lc->cur.binary_id, lc->cur.manifest_id, now_unix) < 0) {
        /* spec §14.3 point 5: a revoked binary never runs; no restart */
        lc->state = FCP_LC_FAILED;
        lc->blocked = 1;
        lc->restart_pending = 0;
        set_why(lc, FCP_EREV_CONNECTOR,
                fcp_revset_contains(rs, lc->cur.binary_id, FCP_REV_CONNECTOR_BINARY, now_unix)
                    ? "connector binary id is revoked; refusing to start"
                    : "connector manifest id is revoked; refusing to start");
        return FCP_EREV_CONNECTOR;
    }
    return 0;
}

int fcp_lc_configured(fcp_lifecycle *lc)
{
    if (lc->state != FCP_LC_VERIFIED)
        return FCP_ERT_STATE;
    lc->state = FCP_LC_CONFIGURED;
    return 0;
}

int fcp_lc_activated(fcp_lifecycle *lc, uint64_t now_ms)
{
    if (lc->state != FCP_LC_CONFIGURED)
        return FCP_ERT_STATE;
    lc->state = FCP_LC_ACTIVE;
    lc->active_since_ms = now_ms;
    lc->cur_ever_active = 1;
    return 0;
}

int fcp_lc_failed(fcp_lifecycle *lc, int err, const char *why, int clean_exit, uint64_t now_ms)
{
    if (lc->state != FCP_LC_VERIFIED && lc->state != FCP_LC_CONFIGURED && lc->state != FCP_LC_ACTIVE)
        return FCP_ERT_STATE;
    /* a long healthy run forgives earlier failures (D-RUNTIME-1) */
    if (lc->state == FCP_LC_ACTIVE && now_ms >= lc->active_since_ms &&
        now_ms - lc->active_since_ms >= lc->policy.stable_ms)
        lc->failures = 0;
    lc->state = FCP_LC_FAILED;
    lc->restart_pending = 0;
    set_why(lc, err, why);
    if (lc->policy.mode == FCP_RESTART_NEVER || (clean_exit && lc->policy.mode != FCP_RESTART_ALWAYS))
        return 0;
    if (lc->policy.max_restarts && lc->failures >= lc->policy.max_restarts) {
        lc->gave_up = 1;
        return 0;
    }
    lc->last_delay_ms = fcp_lc_backoff_ms(&lc->policy, lc->failures);
    lc->next_start_ms = now_ms + lc->last_delay_ms;
    lc->failures++;
    lc->restarts++;
    lc->restart_pending = 1;
    return 1;
}

int fcp_lc_restart_due(fcp_lifecycle *lc, uint64_t now_ms)
{
    if (lc->state != FCP_LC_FAILED || !lc->restart_pending || now_ms < lc->next_start_ms)
        return 0;
    lc->restart_pending = 0;
    lc->state = FCP_LC_VERIFIED;
    return 1;
}

void fcp_lc_stop(fcp_lifecycle *lc)
{
    lc->state = FCP_LC_STOPPED;
    lc->restart_pending = 0;
}

int fcp_lc_activate(fcp_lifecycle *lc)
{
    if (lc->state != FCP_LC_STOPPED && lc->state != FCP_LC_FAILED)
        return FCP_ERT_STATE;
    if (lc->blocked)
        return lc->last_error ? lc->last_error : FCP_ERT_STATE;
    lc->state = FCP_LC_VERIFIED;
    lc->restart_pending = 0;
    lc->failures = 0;
    lc->gave_up = 0;
    return 0;
}

void fcp_lc_update(fcp_lifecycle *lc, const fcp_lc_version *v)
{
    lc->prev = lc->cur;
    lc->has_prev = 1;
    lc->cur = *v;
    lc->cur_ever_active = 0;
    lc->state = FCP_LC_INSTALLED;
    lc->restart_pending = 0;
    lc->failures = 0;
    lc->gave_up = 0;
    lc->blocked = 0;
}

int fcp_lc_rollback(fcp_lifecycle *lc)
{
    if (!lc->has_prev)
        return FCP_ERT_NO_PREVIOUS;
    fcp_lc_version t = lc->cur;
    lc->cur = lc->prev;
    lc->prev = t;
    /* the previous version ran (or was verified) before: start it again */
    lc->cur_ever_active = 0;
    lc->state = FCP_LC_VERIFIED;
    lc->restart_pending = 0;
    lc->failures = 0;
    lc->gave_up = 0;
    lc->blocked = 0;
    return 0;
}

int fcp_lc_should_rollback(const fcp_lifecycle *lc)
{
    return lc->has_prev && lc->state == FCP_LC_FAILED && !lc->cur_ever_active;
}
