/*
 * fuzz_model_ids.c - libFuzzer target for the identifier parsers
 * (src/model/model_ids.c): zone ids, tags, node ids, schema ids, semver.
 *
 * Properties: no crash; a zone id that validates hashes and, if it has a
 * tag, maps back to itself; a tag that parses maps back to the same tag;
 * a schema id that parses formats back to text that parses to the same id
 * (and, in the input's own form, to the input bytes).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/model_ids.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *t = (const char *)data;
    char a[FCP_TAG_MAX + 8], b[FCP_TAG_MAX + 8];
    uint8_t h[32];
    if (fcp_zone_id_validate(t, size) == 0) {
        if (fcp_zone_id_hash(h, t, size) != 0)
            abort();
        if (fcp_zone_id_to_tag(a, sizeof a, t, size) == 0) {
            if (fcp_zone_id_from_tag(b, sizeof b, a, strlen(a)) != 0 || strlen(b) != size ||
                memcmp(b, t, size) != 0)
                abort();
        }
    }
    if (fcp_zone_id_from_tag(a, sizeof a, t, size) == 0) {
        if (fcp_zone_id_to_tag(b, sizeof b, a, strlen(a)) != 0 || strlen(b) != size ||
            memcmp(b, t, size) != 0)
            abort();
    }
    (void)fcp_node_id_validate(t, size);
    fcp_schema_id s, s2;
    if (fcp_schema_id_parse(&s, t, size) == 0) {
        char f[FCP_SCHEMA_TEXT_MAX];
        int n = memchr(t, '@', size) ? fcp_schema_id_format_spec(&s, f, sizeof f)
                                     : fcp_schema_id_format_signing(&s, f, sizeof f);
        if (n < 0 || (size_t)n != size || memcmp(f, t, size) != 0)
            abort();
        if (fcp_schema_id_parse(&s2, f, (size_t)n) != 0 || !fcp_schema_id_equal(&s, &s2))
            abort();
    }
    return 0;
}
