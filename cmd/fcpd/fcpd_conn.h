/*
 * fcpd_conn.h - private shape of fcpd's connector runtime, shared by
 * fcpd_connectors.c (lifecycle, workers, admin ops), fcpd_conn_egress.c
 * (the egress proxy a worker serves "egress_http" with) and
 * fcpd_conn_invoke.c (the invoke pipeline wiring and persistence).
 *
 * Threads.  The loop thread owns every field not marked "worker": the
 * lifecycle, the manifest, the job queues' heads (under mu), the invoke
 * context.  Each connector has one worker thread that owns its
 * fcp_host_conn and egress proxy; it takes jobs from `in` and puts finished
 * jobs (and the crash events it notices itself) on `out`, then writes the
 * runtime's eventfd, which wakes the loop.  Nothing the worker does can
 * block the loop: the only shared state is the two queues and a few
 * counters, all under mu.
 */
#ifndef FCPD_CONN_H
#define FCPD_CONN_H

#include <pthread.h>
#include <stdint.h>

#include "fcp/host_egress.h"
#include "fcp/host_invoke.h"
#include "fcp/host_lifecycle.h"
#include "fcp/host_manifest.h"
#include "fcp/host_transport.h"
#include "fcpd.h"

#define RT_MAX_CONNECTORS   (FCP_CONFIG_MAX_CONNECTORS + 16)
#define RT_QUEUE_MAX        64          /* jobs waiting per connector */
#define RT_HANDSHAKE_MS     5000u
#define RT_HEALTH_MS        2000u
#define RT_STOP_GRACE_MS    1000u

enum rt_job_kind {
    RT_JOB_START = 1,   /* spawn, handshake, configure, first health check */
    RT_JOB_INVOKE,      /* one call (invoke or simulate) */
    RT_JOB_STOP,        /* graceful stop */
    RT_JOB_EXIT,        /* stop and end the thread */
    RT_EV_CRASH,        /* worker -> loop: the connector died while idle */
    RT_EV_SYNCED,       /* invoke syncer -> loop: what was written before is durable
                           (fcpd_conn_invoke.c, D-RUNTIME-10) */
};

struct rt_connector;

typedef struct rt_job {
    struct rt_job *next;
    struct rt_connector *owner;         /* the connector it ran on */
    int       kind;
    uint64_t  id;
    /* START */
    uint32_t  version_slot;
    uint64_t  state_epoch;              /* activation epoch for state writes (fcpd_conn_state.c) */
    /* INVOKE (copied: the worker never reads loop memory) */
    char      method[16];               /* "invoke" or "simulate" */
    char      operation[FCP_OPERATION_ID_MAX + 1];
    fcp_buf   input;                    /* NUL-terminated */
    uint32_t  timeout_ms;
    fcp_cap_constraints caps;           /* egress constraints for this call */
    int       has_caps;
    /* results */
    int       status;                   /* 0 or a negative FCP code */
    fcp_buf   out;                      /* output JSON */
    char      why[512];
    int       conn_died;                /* the connector died during this job */
    int       exit_status;              /* wait status when known, else -1 */
    uint64_t  t_start_ns, t_done_ns;
    uint64_t  egress_allowed, egress_denied;
    /* loop side: who is waiting */
    int       admin_idx;                /* -1: nobody */
    uint64_t  admin_token;
    uint64_t  seq;
    fcp_invoke_plan *plan;              /* owned by the loop (NULL for simulate-less jobs) */
    /* RT_EV_SYNCED: what to do once durable (fcpd_conn_invoke.c) */
    int       phase;                    /* RT_PH_EXEC: submit `then`; RT_PH_ANSWER: send `out` */
    struct rt_job *then;                /* owned: the invoke job to submit */
} rt_job;

enum { RT_PH_EXEC = 1, RT_PH_ANSWER = 2 };

struct fcpd_runtime;

typedef struct rt_version {
    char     dir[FCP_CONFIG_PATH_MAX + 1];     /* where installed copies live ("" for config) */
    char     manifest_path[FCP_CONFIG_PATH_MAX + 1];
    char     binary_path[FCP_CONFIG_PATH_MAX + 1];
    fcp_manifest m;                            /* parsed */
    int      have_m;
} rt_version;

typedef struct rt_connector {
    struct fcpd_runtime *rt;
    int       used;
    int       from_config;
    char      id[FCP_MANIFEST_MAX_ID + 1];
    char      zone[FCP_ZONE_ID_MAX + 1];
    char      state_dir[FCP_CONFIG_PATH_MAX + 1];
    uint32_t  health_interval_ms;
    fcp_lifecycle lc;
    rt_version ver[2];                         /* lc.cur.slot / lc.prev.slot index these */
    int       starting;                        /* a START job is queued or running */
    uint64_t  activation_ms;                   /* spawn -> ready of the last start */
    uint64_t  starts, crashes, invokes_ok, invokes_failed;
    uint64_t  egress_allowed, egress_denied;
    /* worker */
    pthread_t th;
    int       th_started;
    pthread_mutex_t mu;
    int       wake_fd;                         /* eventfd: loop -> worker */
    rt_job   *in_head, *in_tail;               /* under mu */
    size_t    in_len;
    int       busy;                            /* under mu: worker is in a job */
    pid_t     pid;                             /* under mu: process group of the connector */
    /* worker-only */
    fcp_host_conn conn;
    int       alive;
    rt_job   *cur;                             /* job being run (egress reads its caps) */
    fcp_egress_proxy px;
    fcp_egress_curl  curl;
    uint64_t  state_epoch;                     /* epoch of the running process; 0: no mesh state */
    uint64_t  next_health_ns;
} rt_connector;

typedef struct fcpd_runtime {
    fcpd     *d;
    int       ev_fd;                           /* eventfd: workers -> loop */
    pthread_mutex_t out_mu;
    rt_job   *out_head, *out_tail;
    uint64_t  next_job_id;
    size_t    n;
    rt_connector c[RT_MAX_CONNECTORS];
    /* invoke pipeline (fcpd_conn_invoke.c) */
    fcp_invoke_ctx *inv;
    void     *inv_state;                       /* lookup tables (fcpd_conn_invoke.c) */
    uint64_t  invokes, denies, simulations, replays;
    uint64_t  last_rev_check_ms;
    uint64_t  egress_allowed, egress_denied;
} fcpd_runtime;

/* fcpd_connectors.c */
rt_connector *rt_find(fcpd_runtime *rt, const char *id);
/* Stop c if its running binary or manifest is revoked (FCP_EREV_CONNECTOR), else 0. */
int  rt_revoked_check(rt_connector *c);
/* Queue a job for c's worker (takes ownership); FCP_ERT_BUSY when full. */
int  rt_submit(rt_connector *c, rt_job *j);
rt_job *rt_job_new(fcpd_runtime *rt, int kind);
void rt_job_free(rt_job *j);

/* fcpd_conn_egress.c (worker thread): serve one connector request during a
 * call; installs itself as c->conn.on_request. */
int  rt_egress_on_request(void *user, fcp_host_conn *hc, const fcp_lt_msg *req, fcp_buf *reply);
/* Set up c->px (curl transport, resolver, credentials from the config). */
void rt_egress_init(rt_connector *c);
/* Build the egress constraints of a call: the token's network constraints
 * when it carries them, else the manifest operation's. */
void rt_egress_caps(const fcp_manifest_op *op, const fcp_token_claims *claims, fcp_cap_constraints *out,
                    int *has);

/* fcpd_conn_invoke.c (loop thread) */
int  rt_invoke_start(fcpd_runtime *rt);
void rt_invoke_stop(fcpd_runtime *rt);
/* Handle admin op "invoke" on connection a. */
void rt_invoke_admin(fcpd_runtime *rt, fcpd_admin_conn *a, uint64_t seq, const fcp_admin_request *r);
/* A finished RT_JOB_INVOKE: complete the plan, persist, answer. */
void rt_invoke_done(fcpd_runtime *rt, rt_connector *c, rt_job *j);
/* An RT_EV_SYNCED from the invoke syncer: submit or answer. */
void rt_invoke_synced(fcpd_runtime *rt, rt_connector *c, rt_job *j);
/* Answer helpers shared by the op handlers. */
void rt_send_error(fcpd_admin_conn *a, uint64_t seq, int err, const char *detail);
void rt_send_payload(fcpd_admin_conn *a, uint64_t seq, const fcp_buf *pl);
/* The admin connection waiting for job j, or NULL if it went away. */
fcpd_admin_conn *rt_waiter(fcpd_runtime *rt, const rt_job *j);

/* fcpd_conn_state.c: connector state as mesh objects (D-RUNTIME-8) */
int  rt_state_start(fcpd_runtime *rt);
void rt_state_closing(fcpd_runtime *rt);      /* before the workers are joined */
void rt_state_stop(fcpd_runtime *rt);         /* after */
/* Loop: a new activation of c (manifest m); the epoch for its START job, 0
 * when the manifest does not declare [state] model = "mesh". */
uint64_t rt_state_activate(rt_connector *c, const fcp_manifest *m);
/* Worker: serve "state_get" / "state_put" from c's connector. */
int  rt_state_on_request(rt_connector *c, const fcp_lt_msg *req, fcp_buf *reply);

#endif
