/*
 * test.c - implementation of the unit-test harness (see test.h).
 */
#include "test.h"

#include <stdlib.h>
#include <unistd.h>

#include "fcp/hex.h"

unsigned long fcp_t_passed, fcp_t_failed;

int fcp_t_check(int ok, const char *expr, const char *file, int line)
{
    if (ok) {
        fcp_t_passed++;
        return 1;
    }
    fcp_t_failed++;
    fprintf(stderr, "%s:%d: check failed: %s\n", file, line, expr);
    return 0;
}

int fcp_t_check_int(long long a, long long b, const char *ea, const char *eb, const char *file, int line)
{
    if (a == b) {
        fcp_t_passed++;
        return 1;
    }
    fcp_t_failed++;
    fprintf(stderr, "%s:%d: check failed: %s == %s (%lld != %lld)\n", file, line, ea, eb, a, b);
    return 0;
}

int fcp_t_check_mem(const void *a, const void *b, size_t n, const char *ea, const char *eb,
                    const char *file, int line)
{
    if (a && b && memcmp(a, b, n) == 0) {
        fcp_t_passed++;
        return 1;
    }
    fcp_t_failed++;
    fprintf(stderr, "%s:%d: check failed: %s == %s (%zu bytes)\n", file, line, ea, eb, n);
    if (a && b) {
        const uint8_t *x = a, *y = b;
        for (size_t i = 0; i < n; i++)
            if (x[i] != y[i]) {
                fprintf(stderr, "  first difference at byte %zu: %02x != %02x\n", i, x[i], y[i]);
                break;
            }
    }
    return 0;
}

int fcp_t_done(const char *name)
{
    printf("%s: %lu passed, %lu failed\n", name, fcp_t_passed, fcp_t_failed);
    return fcp_t_failed ? 1 : 0;
}

const char *fcp_t_vector_path(const char *rel)
{
    static char path[4096];
    const char *shared = getenv("FCP_SHARED");
    if (shared && *shared)
        snprintf(path, sizeof path, "%s/vectors/%s", shared, rel);
    else
        snprintf(path, sizeof path, "../shared/vectors/%s", rel);
    return path;
}

uint8_t *fcp_t_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fcp_t_check(0, path, "fcp_t_read_file", 0);
        return NULL;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

json_t *fcp_t_load_json(const char *rel)
{
    json_error_t e;
    const char *path = fcp_t_vector_path(rel);
    json_t *j = json_load_file(path, JSON_DECODE_ANY, &e);
    if (!j)
        fprintf(stderr, "cannot load %s: %s (line %d)\n", path, e.text, e.line);
    fcp_t_check(j != NULL, rel, "fcp_t_load_json", 0);
    return j;
}

uint8_t *fcp_t_unhex(const char *hex, size_t *len)
{
    size_t tl = strlen(hex);
    uint8_t *out = malloc(tl / 2 + 1);
    if (fcp_hex_decode(out, tl / 2 + 1, len, hex, tl) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

const char *fcp_t_jstr(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : "";
}
