/*
 * fuzz_invoke_json.c - libFuzzer target for the invoke pipeline's strict
 * JSON checker and schema subset (src/host/host_invoke_json.c).
 *
 * Input: schema bytes, one NUL, input bytes (no NUL: the whole input is
 * checked as JSON and the schema part is empty).
 * Properties (a broken one aborts):
 *  - no crash or out-of-bounds read on any input;
 *  - differential against jansson (JSON_DECODE_ANY | JSON_ALLOW_NUL): what
 *    jansson accepts, the checker accepts (depth limit 4096); what the
 *    checker accepts, jansson accepts unless jansson refused for numeric
 *    overflow, nesting depth or a NUL in a key (limits the checker does
 *    not have); inputs with a raw NUL byte are not compared (jansson's
 *    reader stops at it);
 *  - the schema check agrees with the same rule computed on jansson's
 *    trees: "type" == "object" requires an object; every string in
 *    "required" (<= 256 bytes) must be a key of an object input.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/error.h"
#include "fcp/host_invoke.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int jansson_ok(const char *p, size_t n, json_t **out)
{
    json_error_t e;
    json_t *j = json_loadb(p, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    *out = j;
    if (memchr(p, 0, n))
        return -1; /* jansson's reader takes a raw NUL byte as the end of input */
    if (j)
        return 1;
    enum json_error_code c = json_error_code(&e);
    if (c == json_error_numeric_overflow || c == json_error_stack_overflow ||
        c == json_error_null_byte_in_key || c == json_error_null_character)
        return -1; /* a jansson limit (NUL in keys, numbers, depth) */
    return 0;
}

static void differential(const char *p, size_t n)
{
    json_t *j = NULL;
    int theirs = jansson_ok(p, n, &j);
    int ours = fcp_invoke_json_check(p, n, 4096);
    if (ours != 0 && ours != FCP_EINVOKE_INPUT_JSON)
        abort();
    if (theirs == 1 && ours != 0)
        abort();
    if (theirs == 0 && ours == 0)
        abort();
    json_decref(j);
}

/* The rule of fcp_invoke_schema_check on jansson trees: 0 ok, 1 violates,
 * -1 not comparable. */
static int schema_rule(json_t *schema, json_t *input)
{
    if (!json_is_object(schema))
        return 0;
    json_t *t = json_object_get(schema, "type");
    json_t *r = json_object_get(schema, "required");
    int type_object = json_is_string(t) && json_string_length(t) == 6 &&
                      memcmp(json_string_value(t), "object", 6) == 0;
    if (!json_is_array(r))
        r = NULL;
    if (!type_object && !r)
        return 0;
    if (!json_is_object(input))
        return type_object ? 1 : 0;
    if (!r)
        return 0;
    size_t i;
    json_t *k;
    json_array_foreach(r, i, k) {
        if (!json_is_string(k))
            continue;
        if (json_string_length(k) > 256)
            return -1;
        /* keys with NUL cannot be looked up by jansson's C-string API */
        if (strlen(json_string_value(k)) != json_string_length(k))
            return -1;
        if (!json_object_get(input, json_string_value(k)))
            return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    const char *nul = memchr(p, 0, size);
    if (!nul) {
        differential(p, size);
        return 0;
    }
    size_t sl = (size_t)(nul - p), il = size - sl - 1;
    const char *in = nul + 1;
    differential(p, sl);
    differential(in, il);
    int rc = fcp_invoke_schema_check(p, sl, in, il);
    if (rc != 0 && rc != FCP_EINVOKE_INPUT_SCHEMA && rc != FCP_EINVOKE_INPUT_JSON)
        abort();
    int sok = fcp_invoke_json_check(p, sl, FCP_INVOKE_JSON_MAX_DEPTH) == 0;
    int iok = fcp_invoke_json_check(in, il, FCP_INVOKE_JSON_MAX_DEPTH) == 0;
    if ((rc == FCP_EINVOKE_INPUT_JSON) != (!sok || !iok))
        abort();
    if (sok && iok) {
        json_t *s = NULL, *i = NULL;
        if (jansson_ok(p, sl, &s) == 1 && jansson_ok(in, il, &i) == 1) {
            /* jansson keeps the last of repeated keys, as the checker does */
            int want = schema_rule(s, i);
            if (want >= 0 && (want == 1) != (rc == FCP_EINVOKE_INPUT_SCHEMA))
                abort();
        }
        json_decref(s);
        json_decref(i);
    }
    return 0;
}
