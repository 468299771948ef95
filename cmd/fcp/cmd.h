/*
 * cmd.h - entry points of the fcp verbs (one per cmd_<verb>.c) and the small
 * helpers they share.  Exit codes: 0 ok, 1 the operation failed (bad input,
 * verification failure), 2 usage error.
 */
#ifndef FCP_CMD_H
#define FCP_CMD_H

#include <stddef.h>
#include <stdint.h>

int cmd_version(int argc, char **argv);
int cmd_errors(int argc, char **argv);
int cmd_rq(int argc, char **argv);
int cmd_cbor(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_peers(int argc, char **argv);
int cmd_put(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_pin(int argc, char **argv);
int cmd_unpin(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_node(int argc, char **argv);
int cmd_mcp(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_invoke(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_connector(int argc, char **argv);
int cmd_revoke(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_zone(int argc, char **argv);
int cmd_grant(int argc, char **argv);
/* fcp node enroll / join / remove (cmd_enroll.c; argv[1] is the subcommand). */
int cmd_node_enroll(int argc, char **argv);
int cmd_node_join(int argc, char **argv);
int cmd_node_remove(int argc, char **argv);
/* fcp zone rotate [ZONE]... -o DIR (cmd_enroll.c; argv[0] is "rotate"). */
int cmd_zone_rotate(int argc, char **argv, const char *home);

/* 1 if argv has --help or -h (and prints nothing). */
int cmd_wants_help(int argc, char **argv);
/* Read a whole file, or stdin for "-".  Caller frees.  Prints the reason and
 * returns NULL on failure.  max bounds the size (0 = 1 GiB). */
uint8_t *cmd_read_input(const char *path, size_t *len, size_t max);
/* Print "fcp VERB: MESSAGE (FCP-XXXX NAME)" to stderr. */
void cmd_error(const char *verb, int err, const char *what);

struct fcp_admin_request;
struct fcp_buf;
/* One request/response exchange with the local fcpd: resolves the admin
 * socket (sockopt, else $FCP_HOME/fcpd.sock, else ~/.config/fcp/fcpd.sock),
 * sends req and leaves the CBOR response in resp (caller initialised it and
 * frees it).  On failure prints the reason as `fcp VERB: ...` and returns
 * the exit code to use: 2 when the socket path is unusable, 1 when the call
 * failed.  0 on success. */
int cmd_admin_call(const char *verb, const char *sockopt, const struct fcp_admin_request *req,
                   struct fcp_buf *resp);
/* Print a CBOR admin response as one line of JSON on stdout. */
void cmd_print_json(const struct fcp_buf *resp);

/* ---- FCP_HOME files for the authority verbs (cmd_keys.c) ---------------- */
#include <stdio.h>
#include <sys/types.h>

#include "fcp/model_attest.h"
#include "fcp/model_cap.h"
#include "fcp/model_ids.h"

#define CMD_ZONES_MAX 32

/* One zones.key line. */
typedef struct cmd_zone_key {
    char              zone[FCP_ZONE_ID_MAX + 1];
    uint8_t           kid[8];
    uint8_t           key[32];
    fcp_object_id_key oid_key;
} cmd_zone_key;

/* opt (--home) if set, else $FCP_HOME, else ~/.config/fcp. */
int cmd_home_path(char *out, size_t cap, const char *opt);
/* Whole file home/name (NUL-terminated copy; caller frees).  FCP_ENOENT. */
int cmd_read_home_file(const char *home, const char *name, uint8_t **data, size_t *len);
/* Write home/name through a temporary file and rename (mode applied). */
int cmd_write_home_file(const char *home, const char *name, const void *p, size_t n, mode_t mode);
/* owner.pub (and owner.key when sk != NULL: FCP_EDAEMON_OWNER_KEY if absent
 * or not the pair of owner.pub). */
int cmd_load_owner(const char *home, uint8_t pk[32], uint8_t sk[64]);
/* The secret keys of node.key (any pointer may be NULL). */
int cmd_load_node_keys(const char *home, uint8_t sig_sk[64], uint8_t enc_sk[32], uint8_t iss_sk[64]);
/* Decode home/name as a NodeKeyAttestation (no signature check). */
int cmd_load_attestation(const char *home, const char *name, fcp_node_attestation *a);
/* zones.key lines / lookup / rewrite. */
int cmd_load_zone_keys(const char *home, cmd_zone_key *out, size_t cap, size_t *n);
const cmd_zone_key *cmd_find_zone_key(const cmd_zone_key *z, size_t n, const char *zone);
int cmd_write_zone_keys(const char *home, const cmd_zone_key *z, size_t n);
/* A fresh zone key for zone: random key and ObjectIdKey, key id derived
 * from the key (D-ZONE-2), so a ZoneKeyManifest can carry it (cmd_zone.c). */
int cmd_new_zone_key(cmd_zone_key *z, const char *zone);
/* "90", "90s", "15m", "1h", "2d" -> seconds. */
int cmd_parse_duration(const char *s, uint64_t *secs);
/* A JSON string literal of s. */
void cmd_json_str(FILE *f, const char *s);

/* An owner-signed CapabilityObject (cmd_grant.c): grantee the zone, or
 * principal when set; valid from a minute ago for valid_secs.  Written to
 * out, or to FCP_HOME/grants/<zone>-<cap>-<id16>.cap when out is NULL; path
 * receives where; id the grant's ObjectId under the zone's ObjectIdKey. */
typedef struct cmd_grant_spec {
    const char          *zone, *capability, *principal;
    uint64_t             valid_secs;
    fcp_cap_constraints  constraints;
} cmd_grant_spec;
int cmd_grant_make(const char *home, const cmd_grant_spec *g, const char *out, char *path, size_t path_cap,
                   uint8_t id[32]);

/* Build, owner-sign and send one revocation (RevocationObject of ids in
 * scope + the RevocationEvent chaining it after the daemon's head) to the
 * local fcpd (cmd_revoke.c).  resp receives the daemon's answer.  Returns an
 * exit code (0 ok), having printed the reason on failure. */
int cmd_revoke_send(const char *verb, const char *home, const char *sock, enum fcp_rev_scope scope,
                    const uint8_t (*ids)[32], size_t n_ids, const char *reason, uint64_t expires_secs,
                    struct fcp_buf *resp);

#endif
