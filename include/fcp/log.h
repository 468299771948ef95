/*
 * log.h - structured JSON-lines logging (spec §23.2).
 *
 * One event is one JSON object on one line:
 *   {"ts":"2026-11-26T07:00:00.123Z","level":"warn","event":"session.replay",
 *    "code":"FCP-2007","correlation_id":"...","zone_id":"z:work",...}
 * Fields are typed; FCP_LOG_SECRET fields are always written as "[REDACTED]"
 * so a secret can be named in a call site without ever reaching the sink.
 * The sink and the clock are injected (default: stderr, system clock).
 */
#ifndef FCP_LOG_H
#define FCP_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fcp/clock.h"

enum fcp_log_level { FCP_LOG_DEBUG = 0, FCP_LOG_INFO, FCP_LOG_WARN, FCP_LOG_ERROR };

enum fcp_log_type { FCP_LOG_STR, FCP_LOG_INT, FCP_LOG_UINT, FCP_LOG_BOOL, FCP_LOG_HEX, FCP_LOG_SECRET };

typedef struct fcp_log_field {
    const char *key;
    int type;
    union { const char *s; int64_t i; uint64_t u; int b; struct { const uint8_t *p; size_t n; } hex; } v;
} fcp_log_field;

#define FCP_LF_STR(k, x)   ((fcp_log_field){ .key = (k), .type = FCP_LOG_STR,  .v.s = (x) })
#define FCP_LF_INT(k, x)   ((fcp_log_field){ .key = (k), .type = FCP_LOG_INT,  .v.i = (x) })
#define FCP_LF_UINT(k, x)  ((fcp_log_field){ .key = (k), .type = FCP_LOG_UINT, .v.u = (x) })
#define FCP_LF_BOOL(k, x)  ((fcp_log_field){ .key = (k), .type = FCP_LOG_BOOL, .v.b = (x) })
#define FCP_LF_HEX(k, p_, n_) ((fcp_log_field){ .key = (k), .type = FCP_LOG_HEX, .v.hex = { (p_), (n_) } })
#define FCP_LF_SECRET(k)   ((fcp_log_field){ .key = (k), .type = FCP_LOG_SECRET })

typedef struct fcp_logger {
    FILE *sink;                /* NULL: stderr */
    const fcp_clock *clock;    /* NULL: system clock */
    int min_level;
} fcp_logger;

/* Emit one event.  err (0 or an FCP error) adds "code" and "error" fields.
 * Returns the number of bytes written, or a negative FCP error. */
int fcp_log(const fcp_logger *lg, int level, const char *event, int err,
            const fcp_log_field *fields, size_t nfields);

/* Format one event into buf (always NUL-terminated, truncated events end with
 * a valid JSON object).  Used by fcp_log and by tests.  Returns length. */
size_t fcp_log_format(char *buf, size_t cap, uint64_t unix_ns, int level, const char *event,
                      int err, const fcp_log_field *fields, size_t nfields);

#endif
