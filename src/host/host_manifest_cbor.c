/*
 * host_manifest_cbor.c - the canonical CBOR form of a manifest, its hash,
 * and the install-time checks of spec §11.3 / §13.2 (embedded manifest
 * equals the installed one; publisher signature over both hashes).
 *
 * Canonical form (D-MANIFEST-2): one map with text keys, built with the
 * sorting map builder; operations in name order, capability lists sorted
 * (the parser sorts them), enums as their manifest strings, optional parts
 * omitted when absent.  The hash domain-separates with BLAKE3 derive_key.
 */
#include "fcp/host_manifest.h"

#include <stdio.h>
#include <string.h>

#include "fcp/cbor.h"
#include "fcp/crypto.h"
#include "fcp/error.h"

static void put_kv_text(fcp_cbor_enc *e, const char *k, const char *v)
{
    fcp_cbor_put_cstr(e, k);
    fcp_cbor_put_cstr(e, v);
}

static void put_kv_uint(fcp_cbor_enc *e, const char *k, uint64_t v)
{
    fcp_cbor_put_cstr(e, k);
    fcp_cbor_put_uint(e, v);
}

static void put_kv_bool(fcp_cbor_enc *e, const char *k, int v)
{
    fcp_cbor_put_cstr(e, k);
    fcp_cbor_put_bool(e, v);
}

static void put_list(fcp_cbor_enc *e, const char *k, char *const *v, size_t n)
{
    fcp_cbor_put_cstr(e, k);
    fcp_cbor_put_array(e, n);
    for (size_t i = 0; i < n; i++) fcp_cbor_put_cstr(e, v[i]);
}

static void put_op(fcp_cbor_enc *e, const fcp_manifest_op *o)
{
    static const char *const idem[] = {"none", "best_effort", "strict"};
    static const char *const appr[] = {"none", "policy", "interactive", "approval_required"};
    fcp_cbor_map_open(e);
    put_kv_text(e, "name", o->name);
    put_kv_text(e, "description", o->description);
    put_kv_text(e, "capability", o->capability);
    put_kv_text(e, "safety_tier", fcp_safety_tier_name(o->tier));
    put_kv_text(e, "idempotency", idem[o->idempotency]);
    put_kv_text(e, "requires_approval", appr[o->approval]);
    put_kv_text(e, "input_schema", o->input_schema);
    put_kv_text(e, "output_schema", o->output_schema);
    if (o->rate_count) {
        fcp_cbor_put_cstr(e, "rate_limit");
        fcp_cbor_put_array(e, 2);
        fcp_cbor_put_uint(e, o->rate_count);
        fcp_cbor_put_uint(e, o->rate_per_s);
    }
    if (o->net.present) {
        fcp_cbor_put_cstr(e, "network_constraints");
        fcp_cbor_map_open(e);
        put_list(e, "host_allow", o->net.host_allow, o->net.n_host);
        fcp_cbor_put_cstr(e, "port_allow");
        fcp_cbor_put_array(e, o->net.n_port);
        for (size_t i = 0; i < o->net.n_port; i++) fcp_cbor_put_uint(e, o->net.port_allow[i]);
        put_list(e, "spki_pins", o->net.spki_pins, o->net.n_pins);
        put_kv_bool(e, "require_sni", o->net.require_sni);
        put_kv_bool(e, "deny_localhost", o->net.deny_localhost);
        put_kv_bool(e, "deny_private_ranges", o->net.deny_private_ranges);
        put_kv_bool(e, "deny_tailnet_ranges", o->net.deny_tailnet_ranges);
        fcp_cbor_map_close(e);
    }
    fcp_cbor_map_close(e);
}

int fcp_manifest_encode(const fcp_manifest *m, fcp_buf *out)
{
    static const char *const arch[] = {"bidirectional", "streaming", "operational", "storage",
                                       "knowledge"};
    static const char *const models[] = {"none", "local", "mesh"};
    fcp_cbor_enc e;
    fcp_cbor_enc_init(&e, out);
    fcp_cbor_map_open(&e);
    put_kv_text(&e, "format", "fcp-connector-manifest/2.0");
    put_kv_text(&e, "id", m->id);
    put_kv_text(&e, "name", m->name);
    put_kv_text(&e, "version", m->version);
    put_kv_text(&e, "description", m->description);
    size_t na = 0;
    for (int i = 0; i < 5; i++) na += (m->archetypes >> i) & 1u;
    fcp_cbor_put_cstr(&e, "archetypes");
    fcp_cbor_put_array(&e, na);
    for (int i = 0; i < 5; i++)
        if (m->archetypes & (1u << i)) fcp_cbor_put_cstr(&e, arch[i]);
    fcp_cbor_put_cstr(&e, "publisher_key");
    fcp_cbor_put_bytes(&e, m->publisher_key, 32);
    fcp_cbor_put_cstr(&e, "capabilities");
    fcp_cbor_map_open(&e);
    put_list(&e, "required", m->caps_required, m->n_required);
    put_list(&e, "optional", m->caps_optional, m->n_optional);
    put_list(&e, "forbidden", m->caps_forbidden, m->n_forbidden);
    fcp_cbor_map_close(&e);
    fcp_cbor_put_cstr(&e, "operations");
    fcp_cbor_put_array(&e, m->n_ops);
    for (size_t i = 0; i < m->n_ops; i++) put_op(&e, &m->ops[i]);
    fcp_cbor_put_cstr(&e, "sandbox");
    fcp_cbor_map_open(&e);
    put_kv_text(&e, "profile", fcp_sandbox_profile_name(m->sandbox.profile));
    put_kv_uint(&e, "memory_mb", m->sandbox.memory_mb);
    put_kv_uint(&e, "cpu_seconds", m->sandbox.cpu_seconds);
    put_kv_uint(&e, "wall_clock_timeout_ms", m->sandbox.wall_clock_timeout_ms);
    put_kv_uint(&e, "max_pids", m->sandbox.max_pids);
    put_kv_bool(&e, "deny_exec", m->sandbox.deny_exec);
    fcp_cbor_map_close(&e);
    fcp_cbor_put_cstr(&e, "state");
    fcp_cbor_map_open(&e);
    put_kv_text(&e, "model", models[m->state_model]);
    put_kv_bool(&e, "singleton_writer", m->singleton_writer);
    fcp_cbor_map_close(&e);
    fcp_cbor_map_close(&e);
    int rc = fcp_cbor_enc_finish(&e);
    fcp_cbor_enc_free(&e);
    return rc;
}

int fcp_manifest_hash(const fcp_manifest *m, uint8_t out[FCP_MANIFEST_HASH_BYTES])
{
    fcp_buf b;
    fcp_buf_init(&b);
    int rc = fcp_manifest_encode(m, &b);
    if (rc == 0) fcp_blake3_derive_key(out, 32, "FCP2 connector manifest v1", b.data, b.len);
    fcp_buf_free(&b);
    return rc;
}

void fcp_manifest_binary_hash(const uint8_t *bin, size_t len, uint8_t out[FCP_MANIFEST_HASH_BYTES])
{
    fcp_blake3_derive_key(out, 32, "FCP2 connector binary v1", bin, len);
}

static void sig_message(uint8_t msg[21 + 64], const uint8_t mh[32], const uint8_t bh[32])
{
    memcpy(msg, FCP_MANIFEST_SIG_CONTEXT, 21);
    memcpy(msg + 21, mh, 32);
    memcpy(msg + 53, bh, 32);
}

int fcp_manifest_sign(uint8_t sig[64], const uint8_t manifest_hash[32], const uint8_t binary_hash[32],
                      const uint8_t sk[64])
{
    uint8_t msg[85];
    sig_message(msg, manifest_hash, binary_hash);
    return fcp_ed25519_sign(sig, msg, sizeof msg, sk);
}

static int fail(fcp_toml_error *err, int code, const char *what)
{
    if (err) {
        err->code = code;
        err->line = err->col = 0;
        snprintf(err->msg, sizeof err->msg, "%s", what);
    }
    return code;
}

int fcp_manifest_verify_install(const fcp_manifest *installed, const uint8_t *bin, size_t len,
                                const uint8_t sig[64], const uint8_t *trusted_key,
                                fcp_toml_error *err)
{
    const uint8_t *sec;
    size_t sec_len;
    int rc = fcp_elf_find_manifest(bin, len, &sec, &sec_len);
    if (rc < 0) return fail(err, rc, "connector binary: no readable .fcp_manifest section");
    fcp_manifest emb;
    rc = fcp_manifest_parse(&emb, "<embedded manifest>", (const char *)sec, sec_len, err);
    if (rc < 0) return rc;
    uint8_t h_emb[32], h_inst[32], h_bin[32];
    rc = fcp_manifest_hash(&emb, h_emb);
    fcp_manifest_free(&emb);
    if (rc < 0 || (rc = fcp_manifest_hash(installed, h_inst)) < 0) return rc;
    if (memcmp(h_emb, h_inst, 32) != 0)
        return fail(err, FCP_EHOST_MANIFEST_MISMATCH,
                    "connector binary: embedded manifest differs from the installed manifest");
    if (trusted_key && !fcp_ct_equal(trusted_key, installed->publisher_key, 32))
        return fail(err, FCP_EHOST_SIGNATURE,
                    "connector: manifest publisher key is not the trusted publisher key");
    fcp_manifest_binary_hash(bin, len, h_bin);
    uint8_t msg[85];
    sig_message(msg, h_inst, h_bin);
    if (fcp_ed25519_verify(sig, msg, sizeof msg, installed->publisher_key) != 0)
        return fail(err, FCP_EHOST_SIGNATURE,
                    "connector: publisher signature over (manifest hash || binary hash) invalid");
    return 0;
}
