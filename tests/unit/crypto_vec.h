/*
 * crypto_vec.h - small helpers shared by the tests/unit/crypto_*_test.c
 * files: hex fields of JSON vectors as owned byte buffers, and Wycheproof
 * flag lookup.  Header-only (static) so each test stays one executable.
 */
#ifndef FCP_CRYPTO_VEC_H
#define FCP_CRYPTO_VEC_H

#include <stdlib.h>
#include <string.h>

#include "test.h"

/* Bytes of a hex string; never NULL (a 1-byte allocation for ""), so it
 * can be passed where libsodium wants a non-NULL pointer. */
typedef struct vbytes {
    uint8_t *p;
    size_t   n;
} vbytes;

static inline vbytes vb_hex(const char *hex)
{
    vbytes b = { NULL, 0 };
    if (hex == NULL)
        hex = "";
    b.p = fcp_t_unhex(hex, &b.n);
    if (b.p == NULL) {
        fcp_t_check(0, hex, "vb_hex: bad hex", 0);
        b.p = malloc(1);
        b.n = 0;
    }
    if (b.n == 0) {
        free(b.p);
        b.p = calloc(1, 1);
    }
    return b;
}

/* Hex member key of obj (missing or null member = empty). */
static inline vbytes vb_get(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return vb_hex(json_is_string(v) ? json_string_value(v) : "");
}

static inline void vb_free(vbytes *b)
{
    free(b->p);
    b->p = NULL;
    b->n = 0;
}

/* 1 if the test's "flags" array contains flag. */
static inline int vb_has_flag(const json_t *test, const char *flag)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(test, "flags"), i, f) {
        if (json_is_string(f) && !strcmp(json_string_value(f), flag))
            return 1;
    }
    return 0;
}

#endif
