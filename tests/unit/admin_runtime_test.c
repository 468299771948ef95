/*
 * admin_runtime_test.c - the connector runtime's admin requests
 * (admin.h, D-RUNTIME-4) against the golden frames of
 * conformance/golden/admin/d-runtime-4-requests.json (written by the
 * independent gen_runtime_golden.py): every frame decodes to the fields the
 * generator put in, re-encodes byte for byte, and every refused payload is
 * refused with the expected code.
 */
#include <jansson.h>
#include <string.h>

#include "fcp/admin.h"
#include "fcp/error.h"
#include "test.h"

static const char *jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* {"hex": "..."} -> bytes */
static uint8_t *jbytes(json_t *o, size_t *n)
{
    const char *h = json_string_value(json_object_get(o, "hex"));
    return h ? fcp_t_unhex(h, n) : NULL;
}

static int err_by_name(const char *name)
{
    if (!strcmp(name, "FCP_EADMIN_MISSING"))
        return FCP_EADMIN_MISSING;
    if (!strcmp(name, "FCP_EADMIN_MALFORMED"))
        return FCP_EADMIN_MALFORMED;
    return 0;
}

int main(void)
{
    json_error_t je;
    json_t *j = json_load_file("conformance/golden/admin/d-runtime-4-requests.json", 0, &je);
    CHECK(j != NULL);
    if (!j)
        return fcp_t_done("admin_runtime_test");
    json_t *reqs = json_object_get(j, "requests");
    CHECK_EQ(json_array_size(reqs), 9);
    for (size_t i = 0; i < json_array_size(reqs); i++) {
        json_t *c = json_array_get(reqs, i), *rq = json_object_get(c, "request");
        size_t fl;
        uint8_t *fr = fcp_t_unhex(jstr(c, "frame_hex"), &fl);
        uint64_t seq;
        uint32_t len;
        CHECK_EQ(fcp_admin_frame_check(fr, fl, FCP_ADMIN_MAX_PAYLOAD, &seq, &len), 1);
        CHECK_EQ(seq, (uint64_t)json_integer_value(json_object_get(c, "seq")));
        fcp_admin_request r;
        const char *why = NULL;
        int rc = fcp_admin_request_decode(&r, fr + FCP_ADMIN_HEADER_BYTES, len, &why);
        if (!CHECK_EQ(rc, 0))
            fprintf(stderr, "  %s: %s\n", jstr(c, "name"), why ? why : "");
        CHECK(!strcmp(fcp_admin_op_name(r.op), jstr(rq, "op")));
        const char *v;
        if ((v = jstr(rq, "connector")))
            CHECK(r.has_connector && !strcmp(r.connector, v));
        else
            CHECK(!r.has_connector);
        if ((v = jstr(rq, "operation")))
            CHECK(r.has_operation && !strcmp(r.operation, v));
        if ((v = jstr(rq, "input")))
            CHECK(r.has_input && r.input_len == strlen(v) && !memcmp(r.input, v, r.input_len));
        if ((v = jstr(rq, "idempotency_key")))
            CHECK(r.has_idempotency_key && !strcmp(r.idempotency_key, v));
        if ((v = jstr(rq, "manifest")))
            CHECK(r.has_manifest && r.manifest_len == strlen(v) && !memcmp(r.manifest, v, r.manifest_len));
        json_t *o;
        if ((o = json_object_get(rq, "token"))) {
            size_t tl;
            uint8_t *t = jbytes(o, &tl);
            CHECK(r.has_token && r.token_len == tl && !memcmp(r.token, t, tl));
            free(t);
        }
        if ((o = json_object_get(rq, "signature"))) {
            size_t sl;
            uint8_t *s = jbytes(o, &sl);
            CHECK(r.has_signature && sl == 64 && !memcmp(r.signature, s, 64));
            free(s);
        }
        if ((o = json_object_get(rq, "simulate")))
            CHECK(r.has_simulate && r.simulate == json_is_true(o));
        else
            CHECK(!r.has_simulate);
        if ((o = json_object_get(rq, "size")))
            CHECK(r.has_size && r.size == (uint64_t)json_integer_value(o));
        if ((o = json_object_get(rq, "approvals"))) {
            CHECK(r.has_approvals && r.n_approvals == json_array_size(o));
            for (size_t k = 0; k < json_array_size(o) && k < r.n_approvals; k++) {
                size_t al;
                uint8_t *a = jbytes(json_array_get(o, k), &al);
                CHECK(r.approval_lens[k] == al && !memcmp(r.approvals[k], a, al));
                free(a);
            }
        }
        /* canonical: the encoder gives back the generator's bytes */
        fcp_buf out;
        fcp_buf_init(&out);
        CHECK_EQ(fcp_admin_request_encode(&r, &out), 0);
        CHECK(out.len == len && !memcmp(out.data, fr + FCP_ADMIN_HEADER_BYTES, len));
        fcp_buf_free(&out);
        free(fr);
    }
    json_t *ref = json_object_get(j, "refused");
    CHECK(json_array_size(ref) >= 9);
    for (size_t i = 0; i < json_array_size(ref); i++) {
        json_t *c = json_array_get(ref, i);
        size_t pl;
        uint8_t *p = fcp_t_unhex(jstr(c, "payload_hex"), &pl);
        fcp_admin_request r;
        const char *why = NULL;
        int want = err_by_name(jstr(c, "error"));
        CHECK(want != 0);
        if (!CHECK_EQ(fcp_admin_request_decode(&r, p, pl, &why), want))
            fprintf(stderr, "  refused case %s\n", jstr(c, "name"));
        CHECK(why != NULL);
        free(p);
    }
    json_decref(j);
    return fcp_t_done("admin_runtime_test");
}
