/*
 * cli_grant_test.c - the grant object `fcp grant create` writes (D-CLI-4),
 * rebuilt from fixed keys by the same rule cmd/fcp/cmd_grant.c follows:
 * header zone z:private created at T, capability notes.write, grantee the
 * zone, no constraints, valid_from T - 60, valid_until T + 30 days,
 * owner-signed; its canonical encoding and its ObjectId under the zone's
 * ObjectIdKey (what a token lists in grant_object_ids) compared byte for byte
 * with conformance/golden/authority/d-cli-4-grant.json.  Then: it decodes
 * and re-encodes identically, verifies against the owner key and not against
 * another, and a principal grantee gives another id.
 * Set FCP_REGEN_GOLDEN=1 to print the vector instead of checking it.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/model_cap.h"
#include "fcp/model_object.h"
#include "test.h"

#define GOLDEN "conformance/golden/authority/d-cli-4-grant.json"

static uint8_t owner_pk[32], owner_sk[64];
static fcp_object_id_key oid_key;
static const uint64_t T = 1790000000u;

static int build(fcp_cap_object *o, const char *principal, fcp_buf *b, uint8_t id[32])
{
    memset(o, 0, sizeof *o);
    fcp_schema_id s;
    fcp_cap_object_schema(&s);
    int rc = fcp_object_header_init(&o->header, &s, FCP_ZONE_PRIVATE, T);
    snprintf(o->capability_id, sizeof o->capability_id, "notes.write");
    o->grantee = principal ? FCP_GRANTEE_PRINCIPAL : FCP_GRANTEE_ZONE;
    snprintf(o->grantee_value, sizeof o->grantee_value, "%s", principal ? principal : FCP_ZONE_PRIVATE);
    o->valid_from = T - 60;
    o->valid_until = T + 30ull * 86400;
    if (!rc) rc = fcp_cap_object_sign(o, owner_sk);
    if (!rc) rc = fcp_cap_object_encode(o, b);
    if (!rc) rc = fcp_cap_object_id(id, o, &oid_key);
    return rc;
}

int main(void)
{
    if (fcp_crypto_init() < 0)
        return 1;
    uint8_t seed[32];
    for (int i = 0; i < 32; i++) {
        seed[i] = (uint8_t)(0x40 + i);
        oid_key.bytes[i] = (uint8_t)(0x80 + i);
    }
    fcp_ed25519_keypair_from_seed(owner_pk, owner_sk, seed);
    static fcp_cap_object o, back, p;
    fcp_buf b, b2, bp;
    fcp_buf_init(&b);
    fcp_buf_init(&b2);
    fcp_buf_init(&bp);
    uint8_t id[32], id2[32], idp[32];
    CHECK_EQ(build(&o, NULL, &b, id), 0);
    char *h = malloc(2 * b.len + 1), hid[65], hpk[65];
    fcp_hex_encode(h, 2 * b.len + 1, b.data, b.len);
    fcp_hex_encode(hid, sizeof hid, id, 32);
    fcp_hex_encode(hpk, sizeof hpk, owner_pk, 32);
    if (getenv("FCP_REGEN_GOLDEN")) {
        printf("{\n  \"decision\": \"D-CLI-4\",\n  \"note\": \"owner seed 40..5f, z:private ObjectIdKey 80..9f, "
               "T 1790000000, capability notes.write, grantee zone, valid T-60 .. T+30d\",\n"
               "  \"owner_pk\": \"%s\",\n  \"grant\": \"%s\",\n  \"grant_id\": \"%s\"\n}\n", hpk, h, hid);
        free(h);
        fcp_buf_free(&b);
        return 0;
    }
    json_error_t err;
    json_t *j = json_load_file(GOLDEN, 0, &err);
    CHECK(j != NULL);
    if (j) {
        CHECK(!strcmp(fcp_t_jstr(j, "owner_pk"), hpk));
        CHECK(!strcmp(fcp_t_jstr(j, "grant"), h));
        CHECK(!strcmp(fcp_t_jstr(j, "grant_id"), hid));
        json_decref(j);
    }
    free(h);
    /* decode / re-encode identity, owner signature, id */
    CHECK_EQ(fcp_cap_object_decode(&back, b.data, b.len), 0);
    CHECK_EQ(fcp_cap_object_encode(&back, &b2), 0);
    CHECK(b2.len == b.len && !memcmp(b2.data, b.data, b.len));
    CHECK_EQ(fcp_cap_object_verify(&back, owner_pk), 0);
    uint8_t other[32];
    memcpy(other, owner_pk, 32);
    other[0] ^= 1;
    CHECK(fcp_cap_object_verify(&back, other) < 0);
    CHECK_EQ(fcp_cap_object_id(id2, &back, &oid_key), 0);
    CHECK(!memcmp(id, id2, 32));
    CHECK(back.grantee == FCP_GRANTEE_ZONE && !strcmp(back.grantee_value, FCP_ZONE_PRIVATE));
    CHECK(back.valid_from == T - 60 && back.valid_until == T + 30ull * 86400);
    /* --principal agent: another grantee, another object id */
    CHECK_EQ(build(&p, "agent", &bp, idp), 0);
    CHECK(memcmp(id, idp, 32) != 0);
    fcp_buf_free(&b);
    fcp_buf_free(&b2);
    fcp_buf_free(&bp);
    return fcp_t_done("cli_grant_test");
}
