/*
 * model_ids.c - zone ids, node ids, schema ids and the BLAKE3 identifiers built on
 * them (spec §3.1-§3.4).  See include/fcp/model_ids.h for the grammars and
 * the byte rules; docs/protocol/decisions.md D-MODEL-1..5 for why.
 *
 * Validation never rewrites its input: a non-canonical identifier is an
 * error, so equal identifiers are always equal bytes.
 */
#include "fcp/model_ids.h"

#include <stdio.h>
#include <string.h>

#include "blake3.h"
#include "fcp/buf.h"
#include "fcp/error.h"

static int is_lower_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_alnum(unsigned char c)
{
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* ---- ZoneId ---------------------------------------------------------- */

int fcp_zone_id_validate(const char *zone, size_t len)
{
    if (!zone || len == 0)
        return FCP_EZONE_ID_EMPTY;
    if (len > FCP_ZONE_ID_MAX)
        return FCP_EZONE_ID_TOO_LONG;
    if (len < 2 || zone[0] != 'z' || zone[1] != ':')
        return FCP_EZONE_ID_PREFIX;
    for (size_t i = 2; i < len; i++) {
        unsigned char c = (unsigned char)zone[i];
        if (!is_lower_alnum(c) && c != ':' && c != '-' && c != '_')
            return FCP_EZONE_ID_CHAR;
    }
    /* segments between ':' separators, starting after "z:" */
    size_t start = 2;
    int edge = 0;
    for (size_t i = 2; i <= len; i++) {
        if (i == len || zone[i] == ':') {
            if (i == start)
                return FCP_EZONE_ID_FORM;
            if (!is_lower_alnum((unsigned char)zone[start]) ||
                !is_lower_alnum((unsigned char)zone[i - 1]))
                edge = 1;
            start = i + 1;
        }
    }
    return edge ? FCP_EZONE_ID_EDGE : 0;
}

int fcp_zone_id_is_standard(const char *zone, size_t len)
{
    static const char *const std_zones[] = {
        FCP_ZONE_OWNER, FCP_ZONE_PRIVATE, FCP_ZONE_WORK, FCP_ZONE_COMMUNITY, FCP_ZONE_PUBLIC,
    };
    if (!zone)
        return 0;
    for (size_t i = 0; i < sizeof std_zones / sizeof std_zones[0]; i++)
        if (strlen(std_zones[i]) == len && memcmp(std_zones[i], zone, len) == 0)
            return 1;
    return 0;
}

int fcp_zone_id_hash(uint8_t out[FCP_ZONE_ID_HASH_BYTES], const char *zone, size_t len)
{
    int rc = fcp_zone_id_validate(zone, len);
    if (rc)
        return rc;
    blake3_hasher h;
    blake3_hasher_init(&h);
    blake3_hasher_update(&h, "FCP2-ZONE-ID-V1", 15);
    blake3_hasher_update(&h, zone, len);
    blake3_hasher_finalize(&h, out, FCP_ZONE_ID_HASH_BYTES);
    return 0;
}

/* A tag name: one non-empty run of [a-z0-9-], alnum at both ends. */
static int tag_name_ok(const char *s, size_t n)
{
    if (n == 0 || !is_lower_alnum((unsigned char)s[0]) || !is_lower_alnum((unsigned char)s[n - 1]))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!is_lower_alnum(c) && c != '-')
            return 0;
    }
    return 1;
}

static int put_text(char *out, size_t outlen, const char *a, const char *b, size_t blen)
{
    size_t alen = strlen(a);
    if (!out || alen + blen + 1 > outlen)
        return FCP_EBUFFER_TOO_SMALL;
    memcpy(out, a, alen);
    memcpy(out + alen, b, blen);
    out[alen + blen] = '\0';
    return 0;
}

#define PROJ_ZONE "z:project:"
#define PROJ_TAG  "tag:fcp-proj-"
#define FCP_TAG   "tag:fcp-"

int fcp_zone_id_to_tag(char *out, size_t outlen, const char *zone, size_t len)
{
    int rc = fcp_zone_id_validate(zone, len);
    if (rc)
        return rc;
    size_t pl = sizeof PROJ_ZONE - 1;
    if (len > pl && memcmp(zone, PROJ_ZONE, pl) == 0) {
        if (!tag_name_ok(zone + pl, len - pl))
            return FCP_ETAG;
        return put_text(out, outlen, PROJ_TAG, zone + pl, len - pl);
    }
    const char *name = zone + 2;
    size_t n = len - 2;
    if (!tag_name_ok(name, n) || (n >= 5 && memcmp(name, "proj-", 5) == 0))
        return FCP_ETAG;
    return put_text(out, outlen, FCP_TAG, name, n);
}

int fcp_zone_id_from_tag(char *out, size_t outlen, const char *tag, size_t len)
{
    size_t pl = sizeof PROJ_TAG - 1, fl = sizeof FCP_TAG - 1;
    char zone[FCP_TAG_MAX + 8];
    int rc;
    if (!tag || len < fl || memcmp(tag, FCP_TAG, fl) != 0)
        return FCP_ETAG;
    if (len >= pl && memcmp(tag, PROJ_TAG, pl) == 0) {
        if (!tag_name_ok(tag + pl, len - pl))
            return FCP_ETAG;
        rc = put_text(zone, sizeof zone, PROJ_ZONE, tag + pl, len - pl);
    } else {
        if (!tag_name_ok(tag + fl, len - fl))
            return FCP_ETAG;
        rc = put_text(zone, sizeof zone, "z:", tag + fl, len - fl);
    }
    if (rc)
        return FCP_ETAG;
    size_t zl = strlen(zone);
    if (fcp_zone_id_validate(zone, zl) != 0)
        return FCP_ETAG;
    return put_text(out, outlen, "", zone, zl);
}

/* ---- node ids ---------------------------------------------------------- */

int fcp_node_id_validate(const char *node, size_t len)
{
    if (!node || len == 0 || len > FCP_NODE_ID_MAX)
        return FCP_ENODE_ID;
    if (!is_alnum((unsigned char)node[0]) || !is_alnum((unsigned char)node[len - 1]))
        return FCP_ENODE_ID;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)node[i];
        if (!is_alnum(c) && c != '.' && c != '_' && c != ':' && c != '-')
            return FCP_ENODE_ID;
    }
    return 0;
}

/* ---- SchemaId ---------------------------------------------------------- */

static int ns_ok(const char *s, size_t n)
{
    if (n == 0 || n > FCP_SCHEMA_NS_MAX)
        return 0;
    int seg_start = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (seg_start) {
            if (!(c >= 'a' && c <= 'z'))
                return 0;
            seg_start = 0;
        } else if (c == '.') {
            seg_start = 1;
        } else if (!is_lower_alnum(c) && c != '_') {
            return 0;
        }
    }
    return !seg_start;
}

static int name_ok(const char *s, size_t n)
{
    if (n == 0 || n > FCP_SCHEMA_NAME_MAX)
        return 0;
    unsigned char c0 = (unsigned char)s[0];
    if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z')))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!is_alnum((unsigned char)s[i]) && s[i] != '_')
            return 0;
    return 1;
}

static int set_parts(fcp_schema_id *s, const char *ns, size_t nsl, const char *name, size_t nl,
                     uint32_t major, uint32_t minor, uint32_t patch)
{
    if (!ns_ok(ns, nsl) || !name_ok(name, nl))
        return FCP_ESCHEMA_ID;
    memset(s, 0, sizeof *s);
    memcpy(s->ns, ns, nsl);
    memcpy(s->name, name, nl);
    s->major = major;
    s->minor = minor;
    s->patch = patch;
    return 0;
}

int fcp_schema_id_init(fcp_schema_id *s, const char *ns, const char *name,
                       uint32_t major, uint32_t minor, uint32_t patch)
{
    if (!s || !ns || !name)
        return FCP_ESCHEMA_ID;
    return set_parts(s, ns, strnlen(ns, FCP_SCHEMA_NS_MAX + 1), name,
                     strnlen(name, FCP_SCHEMA_NAME_MAX + 1), major, minor, patch);
}

static int parse_u32(const char *p, size_t n, uint32_t *v)
{
    if (n == 0 || n > 10 || (n > 1 && p[0] == '0'))
        return FCP_ESCHEMA_ID;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return FCP_ESCHEMA_ID;
        x = x * 10 + (uint64_t)(p[i] - '0');
    }
    if (x > UINT32_MAX)
        return FCP_ESCHEMA_ID;
    *v = (uint32_t)x;
    return 0;
}

int fcp_semver_parse(const char *text, size_t len, uint32_t *major, uint32_t *minor,
                     uint32_t *patch)
{
    uint32_t v[3];
    size_t start = 0, part = 0;
    if (!text)
        return FCP_ESCHEMA_ID;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || text[i] == '.') {
            if (part == 3 || parse_u32(text + start, i - start, &v[part]) != 0)
                return FCP_ESCHEMA_ID;
            part++;
            start = i + 1;
        }
    }
    if (part != 3)
        return FCP_ESCHEMA_ID;
    *major = v[0];
    *minor = v[1];
    *patch = v[2];
    return 0;
}

int fcp_schema_id_parse(fcp_schema_id *s, const char *text, size_t len)
{
    uint32_t ma, mi, pa;
    if (!s || !text || len == 0 || len > FCP_SCHEMA_TEXT_MAX)
        return FCP_ESCHEMA_ID;
    const char *at = memchr(text, '@', len);
    if (at) {
        /* "ns:Name@M.m.p" */
        const char *colon = memchr(text, ':', (size_t)(at - text));
        if (!colon || memchr(at + 1, '@', len - (size_t)(at - text) - 1))
            return FCP_ESCHEMA_ID;
        const char *vs = at + 1;
        if (fcp_semver_parse(vs, len - (size_t)(vs - text), &ma, &mi, &pa))
            return FCP_ESCHEMA_ID;
        return set_parts(s, text, (size_t)(colon - text), colon + 1, (size_t)(at - colon - 1),
                         ma, mi, pa);
    }
    /* "ns.Name/M.m.p" */
    const char *slash = memchr(text, '/', len);
    if (!slash)
        return FCP_ESCHEMA_ID;
    const char *vs = slash + 1;
    if (fcp_semver_parse(vs, len - (size_t)(vs - text), &ma, &mi, &pa))
        return FCP_ESCHEMA_ID;
    const char *dot = NULL;
    for (const char *p = text; p < slash; p++)
        if (*p == '.')
            dot = p;
    if (!dot)
        return FCP_ESCHEMA_ID;
    return set_parts(s, text, (size_t)(dot - text), dot + 1, (size_t)(slash - dot - 1), ma, mi, pa);
}

static int fmt_result(int n, size_t outlen)
{
    if (n < 0 || (size_t)n >= outlen)
        return FCP_EBUFFER_TOO_SMALL;
    return n;
}

int fcp_schema_id_format_signing(const fcp_schema_id *s, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s.%s/%u.%u.%u", s->ns, s->name, (unsigned)s->major,
                     (unsigned)s->minor, (unsigned)s->patch);
    return fmt_result(n, outlen);
}

int fcp_schema_id_format_spec(const fcp_schema_id *s, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s:%s@%u.%u.%u", s->ns, s->name, (unsigned)s->major,
                     (unsigned)s->minor, (unsigned)s->patch);
    return fmt_result(n, outlen);
}

int fcp_schema_id_format_version(const fcp_schema_id *s, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%u.%u.%u", (unsigned)s->major, (unsigned)s->minor,
                     (unsigned)s->patch);
    return fmt_result(n, outlen);
}

int fcp_schema_id_equal(const fcp_schema_id *a, const fcp_schema_id *b)
{
    return strcmp(a->ns, b->ns) == 0 && strcmp(a->name, b->name) == 0 && a->major == b->major &&
           a->minor == b->minor && a->patch == b->patch;
}

static void update_lp(blake3_hasher *h, const char *s, size_t n)
{
    uint8_t le[8];
    fcp_store_u64le(le, (uint64_t)n);
    blake3_hasher_update(h, le, 8);
    blake3_hasher_update(h, s, n);
}

void fcp_schema_hash(uint8_t out[FCP_SCHEMA_HASH_BYTES], const fcp_schema_id *s)
{
    char ver[40];
    int vl = fcp_schema_id_format_version(s, ver, sizeof ver);
    blake3_hasher h;
    blake3_hasher_init(&h);
    blake3_hasher_update(&h, "FCP2-SCHEMA-V1", 14);
    update_lp(&h, s->ns, strlen(s->ns));
    update_lp(&h, s->name, strlen(s->name));
    update_lp(&h, ver, (size_t)vl);
    blake3_hasher_finalize(&h, out, FCP_SCHEMA_HASH_BYTES);
}

void fcp_signing_schema_hash(uint8_t out[FCP_SIGNING_SCHEMA_HASH_BYTES], const fcp_schema_id *s)
{
    char text[FCP_SCHEMA_TEXT_MAX];
    int n = fcp_schema_id_format_signing(s, text, sizeof text);
    blake3_hasher h;
    blake3_hasher_init(&h);
    blake3_hasher_update(&h, text, (size_t)n);
    blake3_hasher_finalize(&h, out, FCP_SIGNING_SCHEMA_HASH_BYTES);
}

/* ---- EpochId, ObjectId, kid ------------------------------------------- */

uint64_t fcp_epoch_from_timestamp(uint64_t ts, uint64_t granularity_secs)
{
    return ts / (granularity_secs ? granularity_secs : FCP_EPOCH_DEFAULT_GRANULARITY);
}

int fcp_object_id(uint8_t out[FCP_OBJECT_ID_BYTES], const fcp_object_id_key *key,
                  const char *zone, size_t zone_len, const fcp_schema_id *schema,
                  const uint8_t *content, size_t content_len)
{
    int rc = fcp_zone_id_validate(zone, zone_len);
    if (rc)
        return rc;
    uint8_t sh[FCP_SCHEMA_HASH_BYTES];
    fcp_schema_hash(sh, schema);
    blake3_hasher h;
    blake3_hasher_init_keyed(&h, key->bytes);
    blake3_hasher_update(&h, "FCP2-OBJECT-V2", 14);
    blake3_hasher_update(&h, zone, zone_len);
    blake3_hasher_update(&h, sh, sizeof sh);
    if (content_len)
        blake3_hasher_update(&h, content, content_len);
    blake3_hasher_finalize(&h, out, FCP_OBJECT_ID_BYTES);
    return 0;
}

void fcp_content_id(uint8_t out[FCP_OBJECT_ID_BYTES], const uint8_t *content, size_t len)
{
    blake3_hasher h;
    blake3_hasher_init(&h);
    blake3_hasher_update(&h, "FCP2-CONTENT-V2", 15);
    if (len)
        blake3_hasher_update(&h, content, len);
    blake3_hasher_finalize(&h, out, FCP_OBJECT_ID_BYTES);
}

void fcp_key_id(uint8_t out[FCP_KID_BYTES], const uint8_t public_key[32])
{
    blake3_hasher h;
    blake3_hasher_init(&h);
    blake3_hasher_update(&h, "fcp.kid.v2", 10);
    blake3_hasher_update(&h, public_key, 32);
    blake3_hasher_finalize(&h, out, FCP_KID_BYTES);
}
