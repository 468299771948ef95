/*
 * host_lifecycle.h - the lifecycle of one installed connector (spec §10.3,
 * §13.2, §14.3 enforcement point 5) as a pure state machine: no processes,
 * no clocks, no I/O.  fcpd's runtime (cmd/fcpd/fcpd_connectors.c) feeds it
 * what happened (verified, handshake done, crashed, operator stop) with the
 * current monotonic time, and asks it what to do next (start now, restart at
 * t, give up).
 *
 *   INSTALLED --verify ok--> VERIFIED --start gate--> (spawn, handshake,
 *   configure) --> CONFIGURED --first health ok--> ACTIVE
 *   any running state --crash / failed start / health failure--> FAILED
 *   FAILED --backoff elapsed--> VERIFIED (start again)      (restart policy)
 *   any --operator stop--> STOPPED --activate--> VERIFIED
 *   verify failure or revoked binary: FAILED with no restart scheduled.
 *
 * Restart policy and backoff (D-RUNTIME-1): delay(n) = min(initial_ms * 2^n,
 * max_ms) for the n-th consecutive failure (n from 0); the count of
 * consecutive failures is reset when the connector had been ACTIVE for at
 * least stable_ms before it failed.  Mode "never" schedules no restart,
 * "on-failure" (the default) restarts after failures, not after a clean exit
 * the connector asked for; max_restarts > 0 gives up after that many
 * consecutive failures (the state stays FAILED, gave_up set).
 *
 * Versions and rollback (D-RUNTIME-2): the machine keeps the current version
 * and one previous version.  An update makes the new version current and
 * remembers the old one; if the new one fails verification or fails before
 * it ever became ACTIVE, fcp_lc_rollback returns to the previous version
 * (state VERIFIED: it is started again).  A rollback is also allowed by the
 * operator at any time when a previous version exists.
 *
 * Revocation (spec §14.3 point 5): fcp_lc_start_gate consults the node's
 * revocation set for the version's binary id and manifest id before every
 * start and restart; a revoked binary refuses to start with
 * FCP_EREV_CONNECTOR and is never restarted (only an update or rollback to
 * another version can bring the connector back).
 */
#ifndef FCP_HOST_LIFECYCLE_H
#define FCP_HOST_LIFECYCLE_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/authz_revocation.h"

typedef enum fcp_lc_state {
    FCP_LC_INSTALLED = 0,
    FCP_LC_VERIFIED,
    FCP_LC_CONFIGURED,
    FCP_LC_ACTIVE,
    FCP_LC_FAILED,
    FCP_LC_STOPPED,
    FCP_LC_STATE_COUNT_
} fcp_lc_state;

typedef enum fcp_restart_mode {
    FCP_RESTART_ON_FAILURE = 0,   /* default */
    FCP_RESTART_ALWAYS = 1,       /* also after a clean exit */
    FCP_RESTART_NEVER = 2,
} fcp_restart_mode;

typedef struct fcp_restart_policy {
    fcp_restart_mode mode;
    uint32_t initial_ms;     /* first delay; default 500 */
    uint32_t max_ms;         /* cap; default 30000 */
    uint32_t max_restarts;   /* consecutive failures before giving up; 0 = never give up */
    uint32_t stable_ms;      /* ACTIVE this long resets the failure count; default 60000 */
} fcp_restart_policy;

#define FCP_LC_VERSION_MAX 32

/* One installed version: what the revocation gate and rollback need. */
typedef struct fcp_lc_version {
    char    version[FCP_LC_VERSION_MAX + 1];  /* manifest connector.version */
    uint8_t binary_id[32];                    /* fcp_manifest_binary_hash of the binary */
    uint8_t manifest_id[32];                  /* fcp_manifest_hash of the manifest */
    uint32_t slot;                            /* caller's index for this version's files */
} fcp_lc_version;

typedef struct fcp_lifecycle {
    fcp_lc_state       state;
    fcp_restart_policy policy;
    fcp_lc_version     cur;
    fcp_lc_version     prev;
    int                has_prev;
    int                cur_ever_active;   /* the current version reached ACTIVE once */
    uint32_t           failures;          /* consecutive */
    uint64_t           restarts;          /* total restarts scheduled */
    int                restart_pending;   /* FAILED with a restart at next_start_ms */
    uint64_t           next_start_ms;
    uint64_t           active_since_ms;
    uint64_t           last_delay_ms;
    int                gave_up;
    int                blocked;           /* current version revoked or unverifiable: never restarted */
    int                last_error;        /* negative FCP code of the last failure, or 0 */
    char               why[200];          /* the last failure, for a person */
} fcp_lifecycle;

/* Defaults of D-RUNTIME-1: on-failure, 500 ms, cap 30 s, unlimited, 60 s. */
void fcp_restart_policy_default(fcp_restart_policy *p);

/* Parse "on-failure" / "always" / "never"; FCP_EINVAL otherwise. */
int fcp_restart_mode_parse(const char *s, fcp_restart_mode *out);
const char *fcp_restart_mode_name(fcp_restart_mode m);

/* "installed", "verified", "configured", "active", "failed", "stopped". */
const char *fcp_lc_state_name(fcp_lc_state s);

/* Start in INSTALLED with version v and policy p (NULL: defaults). */
void fcp_lc_init(fcp_lifecycle *lc, const fcp_restart_policy *p, const fcp_lc_version *v);

/* The delay before restart number n (0-based) under p: min(initial * 2^n, max). */
uint64_t fcp_lc_backoff_ms(const fcp_restart_policy *p, uint32_t n);

/* Install-time verification finished with rc (0 ok, or the verify error).
 * INSTALLED -> VERIFIED, or FAILED with no restart.  FCP_ERT_STATE from any
 * other state. */
int fcp_lc_verified(fcp_lifecycle *lc, int rc, const char *why);

/* May the current version start now?  Only from VERIFIED.  Consults the
 * revocation set (NULL: none known) at unix time now_unix: a revoked binary
 * or manifest moves the machine to FAILED with no restart and returns
 * FCP_EREV_CONNECTOR (why names which).  0: the caller spawns. */
int fcp_lc_start_gate(fcp_lifecycle *lc, const fcp_revset *rs, uint64_t now_unix);

/* Spawn, handshake and configure succeeded: VERIFIED -> CONFIGURED. */
int fcp_lc_configured(fcp_lifecycle *lc);

/* The first health check passed: CONFIGURED -> ACTIVE at now_ms. */
int fcp_lc_activated(fcp_lifecycle *lc, uint64_t now_ms);

/* The connector failed (crash, failed spawn/handshake, failed health check,
 * timeout) with err at now_ms, from VERIFIED, CONFIGURED or ACTIVE.  Moves to
 * FAILED and schedules a restart per the policy.  clean_exit: the process
 * exited by itself with status 0 (only mode "always" restarts it).  Returns
 * 1 if a restart is scheduled (at lc->next_start_ms), 0 if not, or
 * FCP_ERT_STATE. */
int fcp_lc_failed(fcp_lifecycle *lc, int err, const char *why, int clean_exit, uint64_t now_ms);

/* 1 when a scheduled restart is due at now_ms; the machine then moves
 * FAILED -> VERIFIED (the caller runs the start gate and spawns). */
int fcp_lc_restart_due(fcp_lifecycle *lc, uint64_t now_ms);

/* Operator stop: any state -> STOPPED, pending restart cancelled. */
void fcp_lc_stop(fcp_lifecycle *lc);

/* Operator activate: STOPPED or FAILED (also after gave_up) -> VERIFIED with
 * the failure count cleared.  FCP_ERT_STATE from other states, and from a
 * FAILED caused by revocation or failed verification of the current
 * version (FCP_EREV_CONNECTOR / the verify error are kept: only an update or a
 * rollback helps). */
int fcp_lc_activate(fcp_lifecycle *lc);

/* Begin an update to version v: the current version becomes the previous
 * one and v the current; state INSTALLED (verify next). */
void fcp_lc_update(fcp_lifecycle *lc, const fcp_lc_version *v);

/* Return to the previous version: current and previous swap (so a second
 * rollback undoes the first), state VERIFIED, failures cleared.
 * FCP_ERT_NO_PREVIOUS when there is none. */
int fcp_lc_rollback(fcp_lifecycle *lc);

/* 1 if the current version failed before it ever became ACTIVE and a
 * previous version exists: the runtime rolls back automatically. */
int fcp_lc_should_rollback(const fcp_lifecycle *lc);

#endif
