/*
 * cmd_audit.c - `fcp audit verify` and `fcp audit append`: a zone's audit
 * chain (spec §23.4, authz_audit.h) as fcpd writes it, in
 * <data_dir>/audit/<zone id with ':' replaced by '_'>.cbor: concatenated
 * canonical-CBOR AuditEvents exactly as fcp_audit_append produced them.
 *
 * verify splits the file into CBOR items (bytes that do not form a whole
 * item become one last, malformed event, so truncation is reported where it
 * is), and runs fcp_audit_chain_verify with the zone's ObjectIdKey from
 * zones.key and signer keys from owner-verified attestations in FCP_HOME
 * (node.attest, nodes/<id>.attest): hash links, seq, time and signatures;
 * exit 1 names the first bad event's index and its FCP_EAUDIT_* code.
 *
 * append signs one event with this node's signing key and appends it after
 * the verified end of a chain file (operator notes; test chains).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "fcp/authz_audit.h"
#include "fcp/cbor.h"
#include "fcp/clock.h"
#include "fcp/config.h"
#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcp/hex.h"
#include "fcp/rng.h"

#define AUDIT_FILE_MAX ((size_t)1 << 30)

static void usage(void)
{
    printf("usage: fcp audit verify [--zone Z] [FILE] [--home DIR] [--json]\n"
           "       fcp audit append FILE --zone Z --event-type T [--actor A] [--home DIR]\n"
           "\n"
           "verify: check a zone's audit chain (default file: <data_dir>/audit/<zone with\n"
           "':' as '_'>.cbor, data_dir from FCP_HOME/fcpd.toml; zone default z:owner, or\n"
           "the first event's zone when FILE is given): every event decodes, belongs to\n"
           "the zone, is signed by its signer node (attestation in FCP_HOME, signed by\n"
           "the owner), links to the previous event's ObjectId with seq + 1 and no\n"
           "earlier time.  Prints the count and head; exit 1 names the first bad event.\n"
           "append: sign one event with this node's key and append it to FILE after its\n"
           "verified end (operator notes, test chains).\n"
           "  --zone Z          zone of the chain\n"
           "  --home DIR        FCP_HOME (default $FCP_HOME)\n"
           "  --json            print the result as JSON\n");
}

typedef struct chain {
    uint8_t        *buf;
    size_t          len;
    size_t          n;
    const uint8_t **ev;
    size_t         *evlen;
} chain;

static void chain_free(chain *c)
{
    free(c->buf);
    free(c->ev);
    free(c->evlen);
    memset(c, 0, sizeof *c);
}

/* Split buf into top-level CBOR items. */
static int chain_split(chain *c)
{
    size_t cap = 64;
    c->ev = malloc(cap * sizeof *c->ev);
    c->evlen = malloc(cap * sizeof *c->evlen);
    if (!c->ev || !c->evlen)
        return FCP_ENOMEM;
    fcp_cbor_limits lim = fcp_cbor_limits_default;
    lim.max_input = AUDIT_FILE_MAX;
    size_t off = 0;
    while (off < c->len) {
        if (c->n == cap) {
            cap *= 2;
            const uint8_t **e = realloc(c->ev, cap * sizeof *e);
            if (e)
                c->ev = e;
            size_t *l = realloc(c->evlen, cap * sizeof *l);
            if (l)
                c->evlen = l;
            if (!e || !l)
                return FCP_ENOMEM;
        }
        fcp_cbor_dec d;
        fcp_cbor_dec_init(&d, c->buf + off, c->len - off, &lim);
        size_t item = c->len - off;   /* not an item: the rest is one malformed event */
        if (fcp_cbor_skip(&d) == 0)
            item = fcp_cbor_dec_offset(&d);
        c->ev[c->n] = c->buf + off;
        c->evlen[c->n] = item;
        c->n++;
        off += item;
    }
    return 0;
}

typedef struct keyctx {
    const char *home;
    uint8_t     owner_pk[32];
    uint64_t    now;
} keyctx;

static int signer_key(void *ctx, const uint8_t *id, size_t len, uint8_t pk[32])
{
    keyctx *k = ctx;
    char name[FCP_NODE_ID_MAX + 32];
    if (len > FCP_NODE_ID_MAX)
        return FCP_ENOENT;
    fcp_node_attestation a;
    int found = 0;
    if (cmd_load_attestation(k->home, "node.attest", &a) == 0 && strlen(a.node_id) == len &&
        !memcmp(a.node_id, id, len))
        found = 1;
    if (!found) {
        snprintf(name, sizeof name, "nodes/%.*s.attest", (int)len, (const char *)id);
        if (fcp_node_id_validate((const char *)id, len) < 0 || cmd_load_attestation(k->home, name, &a) < 0 ||
            strlen(a.node_id) != len || memcmp(a.node_id, id, len))
            return FCP_ENOENT;
    }
    /* an audit signer must be a node the owner attested (expiry is not
     * checked: old events stay verifiable after an attestation lapses) */
    if (fcp_attestation_verify(&a, k->owner_pk, a.issued_at) < 0)
        return FCP_EBAD_SIGNATURE;
    memcpy(pk, a.node_sig_pubkey, 32);
    return 0;
}

static void zone_file(char *out, size_t cap, const char *ddir, const char *zone)
{
    char z[FCP_ZONE_ID_MAX + 1];
    snprintf(z, sizeof z, "%s", zone);
    for (char *p = z; *p; p++)
        if (*p == ':')
            *p = '_';
    snprintf(out, cap, "%s/audit/%s.cbor", ddir, z);
}

static int data_dir(const char *home, char *out, size_t cap)
{
    static fcp_config cfg;
    char dd[FCP_CONFIG_PATH_MAX + 1], path[4200];
    int have = fcp_config_default_data_dir(dd, sizeof dd, getenv("FCP_DATA"), getenv("HOME")) == 0;
    fcp_config_defaults(&cfg, have ? dd : NULL);
    snprintf(path, sizeof path, "%s/fcpd.toml", home);
    fcp_toml_error err;
    memset(&err, 0, sizeof err);
    int rc = fcp_config_load(&cfg, path, &err);
    if (rc < 0)
        return rc;
    snprintf(out, cap, "%s", cfg.data_dir);
    return 0;
}

/* Load and split the file and verify it; *rep filled. */
static int verify_file(const char *home, const char *file, char *zone, size_t zcap, int zone_given,
                       chain *c, fcp_audit_report *rep)
{
    memset(rep, 0, sizeof *rep);
    c->buf = cmd_read_input(file, &c->len, AUDIT_FILE_MAX);
    if (!c->buf)
        return FCP_EDAEMON_AUDIT_FILE;
    int rc = chain_split(c);
    if (rc < 0)
        return rc;
    if (!zone_given && c->n) {
        fcp_audit_event ev;
        if (fcp_audit_event_decode(&ev, c->ev[0], c->evlen[0]) == 0)
            snprintf(zone, zcap, "%s", ev.zone_id);
    }
    static cmd_zone_key zk[CMD_ZONES_MAX];
    size_t nz;
    const cmd_zone_key *z;
    if ((rc = cmd_load_zone_keys(home, zk, CMD_ZONES_MAX, &nz)) < 0)
        return rc;
    if (!(z = cmd_find_zone_key(zk, nz, zone)))
        return FCP_EZONE_UNKNOWN;
    keyctx k = { .home = home, .now = fcp_clock_unix_secs(fcp_clock_system()) };
    if ((rc = cmd_load_owner(home, k.owner_pk, NULL)) < 0)
        return rc;
    rc = fcp_audit_chain_verify(c->ev, c->evlen, c->n, zone, &z->oid_key, NULL, signer_key, &k, rep);
    fcp_memzero(zk, sizeof zk);
    return rc;
}

static int parse_common(int argc, char **argv, const char **homeopt, const char **zone, const char **file,
                        const char **etype, const char **actor, int *json)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--json")) *json = 1;
        else if (v && !strcmp(a, "--home")) { *homeopt = v; i++; }
        else if (v && !strcmp(a, "--zone")) { *zone = v; i++; }
        else if (v && etype && !strcmp(a, "--event-type")) { *etype = v; i++; }
        else if (v && actor && !strcmp(a, "--actor")) { *actor = v; i++; }
        else if ((a[0] != '-' || !strcmp(a, "-")) && !*file) *file = a;
        else {
            fprintf(stderr, "fcp audit: unknown or incomplete option '%s' (try --help)\n", a);
            return 2;
        }
    }
    return 0;
}

static int do_verify(int argc, char **argv)
{
    const char *homeopt = NULL, *zopt = NULL, *file = NULL;
    int json = 0;
    if (parse_common(argc, argv, &homeopt, &zopt, &file, NULL, NULL, &json))
        return 2;
    char home[4096], zone[FCP_ZONE_ID_MAX + 1], path[8400];
    if (cmd_home_path(home, sizeof home, homeopt) < 0)
        return 2;
    snprintf(zone, sizeof zone, "%s", zopt ? zopt : FCP_ZONE_OWNER);
    if (zopt && fcp_zone_id_validate(zopt, strlen(zopt)) < 0) {
        cmd_error("audit", FCP_EINVAL, "--zone is not a zone id");
        return 2;
    }
    if (!file) {
        char dd[FCP_CONFIG_PATH_MAX + 1];
        int rc = data_dir(home, dd, sizeof dd);
        if (rc < 0) {
            cmd_error("audit", rc, "reading fcpd.toml for data_dir (or name the FILE)");
            return 1;
        }
        zone_file(path, sizeof path, dd, zone);
        file = path;
    }
    chain c;
    memset(&c, 0, sizeof c);
    fcp_audit_report rep;
    int rc = verify_file(home, file, zone, sizeof zone, zopt != NULL, &c, &rep);
    char hh[65] = "", code[16];
    if (rep.verified)
        fcp_hex_encode(hh, sizeof hh, rep.head_id, 32);
    if (json) {
        printf("{\"file\":");
        cmd_json_str(stdout, file);
        printf(",\"zone\":\"%s\",\"events\":%zu,\"verified\":%zu,\"ok\":%s", zone, c.n, rep.verified,
               rc == 0 ? "true" : "false");
        if (rep.verified)
            printf(",\"head_seq\":%llu,\"head_id\":\"%s\"", (unsigned long long)rep.head_seq, hh);
        if (rc < 0)
            printf(",\"bad_index\":%zu,\"code\":\"%s\",\"error\":\"%s\"", rep.index,
                   fcp_error_code(rc, code, sizeof code), fcp_error_name(rc) ? fcp_error_name(rc) : "");
        printf("}\n");
    } else if (rc == 0) {
        if (c.n)
            printf("audit chain %s ok: %zu events, head seq %llu id %s\n", zone, c.n,
                   (unsigned long long)rep.head_seq, hh);
        else
            printf("audit chain %s ok: empty\n", zone);
    } else if (c.buf) {
        printf("audit chain %s: %zu of %zu events verified; event %zu is bad\n", zone, rep.verified, c.n, rep.index);
    }
    if (rc < 0) {
        char what[8500];
        snprintf(what, sizeof what, "%s event %zu", file, rep.index);
        cmd_error("audit", rc, what);
    }
    chain_free(&c);
    return rc < 0 ? 1 : 0;
}

static int do_append(int argc, char **argv)
{
    const char *homeopt = NULL, *zopt = NULL, *file = NULL, *etype = NULL, *actor = "owner";
    int json = 0;
    if (parse_common(argc, argv, &homeopt, &zopt, &file, &etype, &actor, &json))
        return 2;
    if (!file || !zopt || !etype || !strcmp(file, "-")) {
        fprintf(stderr, "fcp audit append: FILE, --zone and --event-type are required\n");
        return 2;
    }
    char home[4096], zone[FCP_ZONE_ID_MAX + 1];
    if (cmd_home_path(home, sizeof home, homeopt) < 0)
        return 2;
    snprintf(zone, sizeof zone, "%s", zopt);
    chain c;
    memset(&c, 0, sizeof c);
    fcp_audit_report rep;
    memset(&rep, 0, sizeof rep);
    FILE *probe = fopen(file, "rb");
    int rc = 0;
    if (probe) {
        fclose(probe);
        rc = verify_file(home, file, zone, sizeof zone, 1, &c, &rep);
        if (rc < 0) {
            cmd_error("audit", rc, "the existing chain does not verify; not appending");
            chain_free(&c);
            return 1;
        }
    }
    static cmd_zone_key zk[CMD_ZONES_MAX];
    size_t nz;
    const cmd_zone_key *z;
    fcp_node_attestation at;
    uint8_t sk[64];
    if ((rc = cmd_load_zone_keys(home, zk, CMD_ZONES_MAX, &nz)) < 0 || !(z = cmd_find_zone_key(zk, nz, zone)) ||
        (rc = cmd_load_attestation(home, "node.attest", &at)) < 0 || (rc = cmd_load_node_keys(home, sk, NULL, NULL)) < 0) {
        cmd_error("audit", rc < 0 ? rc : FCP_EZONE_UNKNOWN, "keys for the zone / node");
        chain_free(&c);
        return 1;
    }
    fcp_audit_writer w;
    rc = fcp_audit_writer_init(&w, zone, at.node_id, sk, &z->oid_key);
    fcp_memzero(sk, sizeof sk);
    if (rc == 0 && c.n) {
        fcp_audit_event last;
        fcp_audit_event_decode(&last, c.ev[c.n - 1], c.evlen[c.n - 1]);
        w.next_seq = rep.head_seq + 1;
        w.have_prev = 1;
        memcpy(w.prev, rep.head_id, 32);
        w.last_occurred_at = last.occurred_at;
    }
    static fcp_audit_event ev;
    memset(&ev, 0, sizeof ev);
    if (fcp_rng_fill(fcp_rng_system(), ev.correlation_id, 16) < 0)
        rc = FCP_ERNG;
    snprintf(ev.event_type, sizeof ev.event_type, "%s", etype);
    snprintf(ev.actor, sizeof ev.actor, "%s", actor);
    ev.occurred_at = fcp_clock_unix_secs(fcp_clock_system());
    if (ev.occurred_at < w.last_occurred_at)
        ev.occurred_at = w.last_occurred_at;
    fcp_schema_id sch;
    fcp_audit_event_schema(&sch);
    fcp_object_header_init(&ev.header, &sch, zone, ev.occurred_at);
    fcp_buf out;
    fcp_buf_init(&out);
    uint8_t id[32];
    if (rc == 0)
        rc = fcp_audit_append(&w, &ev, &out, id);
    fcp_audit_writer_wipe(&w);
    fcp_memzero(zk, sizeof zk);
    if (rc == 0) {
        FILE *f = fopen(file, "ab");
        if (!f || fwrite(out.data, 1, out.len, f) != out.len || fclose(f) != 0)
            rc = FCP_EIO;
    }
    if (rc < 0) {
        cmd_error("audit", rc, "appending");
    } else {
        char hh[65];
        fcp_hex_encode(hh, sizeof hh, id, 32);
        if (json)
            printf("{\"file\":\"%s\",\"zone\":\"%s\",\"seq\":%llu,\"id\":\"%s\"}\n", file, zone,
                   (unsigned long long)ev.seq, hh);
        else
            printf("appended %s seq %llu id %s\n", etype, (unsigned long long)ev.seq, hh);
    }
    fcp_buf_free(&out);
    chain_free(&c);
    return rc < 0 ? 1 : 0;
}

int cmd_audit(int argc, char **argv)
{
    if (argc < 2 || cmd_wants_help(argc, argv)) {
        usage();
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "verify"))
        return do_verify(argc - 1, argv + 1);
    if (!strcmp(argv[1], "append"))
        return do_append(argc - 1, argv + 1);
    fprintf(stderr, "fcp audit: unknown subcommand '%s' (verify, append)\n", argv[1]);
    return 2;
}
