/*
 * log.c - JSON-lines structured logging (see fcp/log.h).
 * Formatting is bounded: an event never exceeds the 4 KiB line buffer; long
 * strings are cut, and the line is still a complete JSON object.
 */
#include "fcp/log.h"
#include "fcp/error.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

struct out { char *p; size_t cap, len; int full; size_t reserve; };

static void put(struct out *o, const char *s, size_t n)
{
    /* keep room for the closing "}\n\0" and, while writing fields, for the
     * ",\"truncated\":true" marker */
    if (o->full || o->len + n + o->reserve > o->cap) { o->full = 1; return; }
    memcpy(o->p + o->len, s, n);
    o->len += n;
}
static void puts_(struct out *o, const char *s) { put(o, s, strlen(s)); }

static void put_json_str(struct out *o, const char *s)
{
    put(o, "\"", 1);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        if (c == '"' || c == '\\') { esc[0] = '\\'; esc[1] = (char)c; put(o, esc, 2); }
        else if (c == '\n') put(o, "\\n", 2);
        else if (c == '\t') put(o, "\\t", 2);
        else if (c == '\r') put(o, "\\r", 2);
        else if (c < 0x20) { snprintf(esc, sizeof esc, "\\u%04x", c); put(o, esc, 6); }
        else put(o, (const char *)&c, 1);
    }
    put(o, "\"", 1);
}

static const char *level_name(int level)
{
    switch (level) {
    case FCP_LOG_DEBUG: return "debug";
    case FCP_LOG_INFO:  return "info";
    case FCP_LOG_WARN:  return "warn";
    default:            return "error";
    }
}

size_t fcp_log_format(char *buf, size_t cap, uint64_t unix_ns, int level, const char *event,
                      int err, const fcp_log_field *fields, size_t nfields)
{
    struct out o = { buf, cap, 0, 0, 24 };
    if (cap < 64) { if (cap) buf[0] = 0; return 0; }
    time_t secs = (time_t)(unix_ns / 1000000000u);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char ts[96];
    snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)((unix_ns / 1000000u) % 1000u));
    puts_(&o, "{\"ts\":\"");
    puts_(&o, ts);
    puts_(&o, "\",\"level\":\"");
    puts_(&o, level_name(level));
    puts_(&o, "\",\"event\":");
    put_json_str(&o, event);
    if (err) {
        char code[16];
        puts_(&o, ",\"code\":\"");
        puts_(&o, fcp_error_code(err, code, sizeof code));
        puts_(&o, "\",\"error\":");
        put_json_str(&o, fcp_strerror(err));
    }
    size_t mark = o.full ? 0 : o.len;   /* end of the last complete field */
    for (size_t i = 0; i < nfields && !o.full; i++) {
        const fcp_log_field *f = &fields[i];
        char num[32];
        puts_(&o, ",");
        put_json_str(&o, f->key);
        puts_(&o, ":");
        switch (f->type) {
        case FCP_LOG_STR: put_json_str(&o, f->v.s ? f->v.s : ""); break;
        case FCP_LOG_INT: snprintf(num, sizeof num, "%" PRId64, f->v.i); puts_(&o, num); break;
        case FCP_LOG_UINT: snprintf(num, sizeof num, "%" PRIu64, f->v.u); puts_(&o, num); break;
        case FCP_LOG_BOOL: puts_(&o, f->v.b ? "true" : "false"); break;
        case FCP_LOG_HEX: {
            static const char d[] = "0123456789abcdef";
            puts_(&o, "\"");
            for (size_t j = 0; j < f->v.hex.n && j < 256; j++) {
                char h[2] = { d[f->v.hex.p[j] >> 4], d[f->v.hex.p[j] & 15] };
                put(&o, h, 2);
            }
            puts_(&o, "\"");
            break;
        }
        default: puts_(&o, "\"[REDACTED]\""); break;
        }
        if (!o.full)
            mark = o.len;
    }
    if (o.full) {
        /* Cut back to the last complete field and say so. */
        o.full = 0;
        o.reserve = 3;
        o.len = mark ? mark : 1;
        puts_(&o, mark ? ",\"truncated\":true" : "\"truncated\":true");
    }
    memcpy(o.p + o.len, "}\n", 3);
    return o.len + 2;
}

int fcp_log(const fcp_logger *lg, int level, const char *event, int err,
            const fcp_log_field *fields, size_t nfields)
{
    if (lg && level < lg->min_level)
        return 0;
    const fcp_clock *clk = (lg && lg->clock) ? lg->clock : fcp_clock_system();
    char line[4096];
    size_t n = fcp_log_format(line, sizeof line, fcp_clock_unix_ns(clk), level, event, err, fields, nfields);
    FILE *sink = (lg && lg->sink) ? lg->sink : stderr;
    if (fwrite(line, 1, n, sink) != n)
        return FCP_EIO;
    fflush(sink);
    return (int)n;
}
