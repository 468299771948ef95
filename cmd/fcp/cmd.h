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

#endif
