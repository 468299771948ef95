/*
 * mesh_memstore.c - an in-memory fcp_mesh_store for tests, the simulator and
 * the fuzzer.  Objects sit in an array sorted by id; each keeps its symbols
 * in an array sorted by ESI, so every callback is a binary search plus, on
 * insert, one memmove.  A byte cap makes "store full" testable.
 */
#include <stdlib.h>
#include <string.h>

#include "fcp/error.h"
#include "mesh/mesh_internal.h"

typedef struct ms_sym {
    uint32_t esi;
    uint8_t *data;
} ms_sym;

typedef struct ms_obj {
    fcp_mesh_obj_meta m;
    ms_sym *s;
    size_t  n, cap;
} ms_obj;

typedef struct ms_store {
    ms_obj  *o;
    size_t   n, cap;
    uint64_t bytes, max_bytes;
} ms_store;

static size_t obj_lower(const ms_store *s, const uint8_t id[32])
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (memcmp(s->o[mid].m.object_id, id, 32) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static ms_obj *obj_find(const ms_store *s, const uint8_t id[32])
{
    size_t i = obj_lower(s, id);
    if (i < s->n && memcmp(s->o[i].m.object_id, id, 32) == 0)
        return &s->o[i];
    return NULL;
}

static size_t sym_lower(const ms_obj *o, uint32_t esi)
{
    size_t lo = 0, hi = o->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (o->s[mid].esi < esi)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int ms_put(void *ctx, const fcp_mesh_obj_meta *m, uint32_t esi, const uint8_t *data,
                  size_t len)
{
    ms_store *s = ctx;
    if (len != m->symbol_size || len == 0)
        return FCP_EINVAL;
    ms_obj *o = obj_find(s, m->object_id);
    if (o) {
        if (o->m.k != m->k || o->m.symbol_size != m->symbol_size ||
            strcmp(o->m.zone_id, m->zone_id) != 0)
            return FCP_EMESH_STORE_CONFLICT;
    }
    if (o) {
        size_t i = sym_lower(o, esi);
        if (i < o->n && o->s[i].esi == esi)
            return 1;
    }
    if (s->max_bytes && s->bytes + len > s->max_bytes)
        return FCP_ELIMIT;
    if (!o) {
        if (s->n == s->cap) {
            size_t nc = s->cap ? s->cap * 2 : 16;
            ms_obj *no = realloc(s->o, nc * sizeof *no);
            if (!no)
                return FCP_ENOMEM;
            s->o = no;
            s->cap = nc;
        }
        size_t at = obj_lower(s, m->object_id);
        memmove(&s->o[at + 1], &s->o[at], (s->n - at) * sizeof *s->o);
        memset(&s->o[at], 0, sizeof s->o[at]);
        s->o[at].m = *m;
        s->o[at].m.n_symbols = 0;
        s->n++;
        o = &s->o[at];
    }
    if (o->n == o->cap) {
        size_t nc = o->cap ? o->cap * 2 : 8;
        ms_sym *ns = realloc(o->s, nc * sizeof *ns);
        if (!ns)
            return FCP_ENOMEM;
        o->s = ns;
        o->cap = nc;
    }
    uint8_t *copy = malloc(len);
    if (!copy)
        return FCP_ENOMEM;
    memcpy(copy, data, len);
    size_t i = sym_lower(o, esi);
    memmove(&o->s[i + 1], &o->s[i], (o->n - i) * sizeof *o->s);
    o->s[i].esi = esi;
    o->s[i].data = copy;
    o->n++;
    s->bytes += len;
    return 0;
}

static int ms_stat(void *ctx, const uint8_t id[32], fcp_mesh_obj_meta *m)
{
    ms_obj *o = obj_find(ctx, id);
    if (!o)
        return FCP_ENOENT;
    *m = o->m;
    m->n_symbols = (uint32_t)o->n;
    return 0;
}

static int ms_set_flags(void *ctx, const uint8_t id[32], uint32_t flags)
{
    ms_obj *o = obj_find(ctx, id);
    if (!o)
        return FCP_ENOENT;
    o->m.flags |= flags;
    return 0;
}

static int ms_list_esis(void *ctx, const uint8_t id[32], uint32_t from, uint32_t *esis,
                        size_t cap, size_t *n)
{
    ms_obj *o = obj_find(ctx, id);
    *n = 0;
    if (!o)
        return FCP_ENOENT;
    for (size_t i = from; i < o->n && *n < cap; i++)
        esis[(*n)++] = o->s[i].esi;
    return 0;
}

static int ms_get_symbol(void *ctx, const uint8_t id[32], uint32_t esi, uint8_t *out, size_t cap,
                         size_t *len)
{
    ms_obj *o = obj_find(ctx, id);
    *len = 0;
    if (!o)
        return FCP_ENOENT;
    size_t i = sym_lower(o, esi);
    if (i >= o->n || o->s[i].esi != esi)
        return FCP_ENOENT;
    if (cap < o->m.symbol_size)
        return FCP_EBUFFER_TOO_SMALL;
    memcpy(out, o->s[i].data, o->m.symbol_size);
    *len = o->m.symbol_size;
    return 0;
}

static int ms_list_objects(void *ctx, const char *zone, const uint8_t *after,
                           fcp_mesh_obj_meta *out, size_t cap, size_t *n)
{
    ms_store *s = ctx;
    size_t i = 0;
    *n = 0;
    if (after) {
        i = obj_lower(s, after);
        if (i < s->n && memcmp(s->o[i].m.object_id, after, 32) == 0)
            i++;
    }
    for (; i < s->n && *n < cap; i++) {
        if (zone && strcmp(s->o[i].m.zone_id, zone) != 0)
            continue;
        out[*n] = s->o[i].m;
        out[*n].n_symbols = (uint32_t)s->o[i].n;
        (*n)++;
    }
    return 0;
}

static void obj_release(ms_store *s, ms_obj *o)
{
    for (size_t i = 0; i < o->n; i++) {
        s->bytes -= o->m.symbol_size;
        free(o->s[i].data);
    }
    free(o->s);
}

static int ms_drop(void *ctx, const uint8_t id[32])
{
    ms_store *s = ctx;
    size_t i = obj_lower(s, id);
    if (i >= s->n || memcmp(s->o[i].m.object_id, id, 32) != 0)
        return FCP_ENOENT;
    obj_release(s, &s->o[i]);
    memmove(&s->o[i], &s->o[i + 1], (s->n - i - 1) * sizeof *s->o);
    s->n--;
    return 0;
}

int fcp_mesh_memstore_new(fcp_mesh_store *out, uint64_t max_bytes)
{
    memset(out, 0, sizeof *out);
    ms_store *s = calloc(1, sizeof *s);
    if (!s)
        return FCP_ENOMEM;
    s->max_bytes = max_bytes;
    out->ctx = s;
    out->put_symbol = ms_put;
    out->stat = ms_stat;
    out->set_flags = ms_set_flags;
    out->list_esis = ms_list_esis;
    out->get_symbol = ms_get_symbol;
    out->list_objects = ms_list_objects;
    out->drop = ms_drop;
    return 0;
}

void fcp_mesh_memstore_free(fcp_mesh_store *st)
{
    if (!st || !st->ctx)
        return;
    ms_store *s = st->ctx;
    for (size_t i = 0; i < s->n; i++)
        obj_release(s, &s->o[i]);
    free(s->o);
    free(s);
    memset(st, 0, sizeof *st);
}

uint64_t fcp_mesh_memstore_bytes(const fcp_mesh_store *st)
{
    const ms_store *s = st->ctx;
    return s ? s->bytes : 0;
}
