/*
 * host_mcp.h - the MCP bridge engine behind `fcp mcp` (docs/mcp.md,
 * decisions D-MCP-1..): a Model Context Protocol server over the stdio
 * transport that turns every connector operation fcpd offers into an MCP
 * tool and every tool call into an fcpd `invoke` through the full pipeline
 * (capability token, policy, approvals, receipts).
 *
 * Sans-IO: the engine is fed the bytes read from stdin and appends the lines
 * to write to stdout; it reaches fcpd only through a callback that takes one
 * admin request payload (canonical CBOR) and returns the response payload,
 * so tests and the fuzz target plug in a fake daemon.
 *
 * Wire format (MCP stdio transport): one JSON-RPC 2.0 message per line, UTF-8,
 * no embedded newlines.  Methods served: initialize, ping, tools/list,
 * tools/call; notifications/initialized and other notifications are accepted
 * silently.  Errors use the JSON-RPC codes (-32700 parse, -32600 invalid
 * request, -32601 method not found, -32602 invalid params, -32603 internal)
 * with error.data = {"fcp_code": "FCP-54xx"} naming the exact reason.  Tool
 * failures decided by fcpd (denials, connector errors) are tool results with
 * isError: true whose text starts with the daemon's "FCP-xxxx" code.
 */
#ifndef FCP_HOST_MCP_H
#define FCP_HOST_MCP_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"

#define FCP_MCP_MAX_LINE         (4u << 20)   /* bytes of one JSON-RPC message (D-MCP-2) */
#define FCP_MCP_MAX_TOOLS        1024u        /* tools listed (operations over all connectors) */
#define FCP_MCP_TOOL_NAME_MAX    128u         /* MCP tool-name rule (SEP-986) */
#define FCP_MCP_LATEST_VERSION   "2025-11-25"

/* JSON-RPC 2.0 error codes. */
#define FCP_MCP_RPC_PARSE_ERROR      (-32700)
#define FCP_MCP_RPC_INVALID_REQUEST  (-32600)
#define FCP_MCP_RPC_METHOD_NOT_FOUND (-32601)
#define FCP_MCP_RPC_INVALID_PARAMS   (-32602)
#define FCP_MCP_RPC_INTERNAL_ERROR   (-32603)

/* One admin round trip: req[0..req_len) is a canonical CBOR admin request
 * payload (docs/fcpd.md); the callback replaces resp's content with the
 * response payload.  Returns 0, or a negative FCP error when fcpd could not
 * be reached or answered no frame (the bridge then reports FCP_EMCP_DAEMON
 * with that error's code in the message). */
typedef int (*fcp_mcp_daemon_fn)(void *ctx, const uint8_t *req, size_t req_len, fcp_buf *resp);

typedef struct fcp_mcp_config {
    const uint8_t    *token;          /* the capability token (COSE_Sign1 bytes), required */
    size_t            token_len;
    fcp_mcp_daemon_fn daemon;         /* required */
    void             *daemon_ctx;
    const char       *server_version; /* serverInfo.version; NULL = "0.1.0" */
    const char       *zone;           /* optional "zone" sent with each invoke; NULL = none */
} fcp_mcp_config;

typedef struct fcp_mcp fcp_mcp;

/* Create an engine.  The token bytes are copied (and wiped at free).
 * FCP_EMCP_NO_TOKEN when cfg has no token, FCP_EINVAL without a daemon
 * callback, FCP_ENOMEM.  Caller frees with fcp_mcp_free. */
int fcp_mcp_new(fcp_mcp **out, const fcp_mcp_config *cfg);
void fcp_mcp_free(fcp_mcp *m);

/* Handle one complete message (the line without its '\n'; a trailing '\r'
 * is ignored).  Appends zero (notifications, client responses, blank lines)
 * or one response line, terminated by '\n', to out.  Returns 0, or
 * FCP_ENOMEM when out could not grow (nothing usable was appended). */
int fcp_mcp_handle_line(fcp_mcp *m, const char *line, size_t len, fcp_buf *out);

/* Stream input: feed any number of bytes read from stdin; complete lines are
 * handled as they appear and their responses appended to out.  A line longer
 * than FCP_MCP_MAX_LINE is discarded up to its newline and answered with one
 * -32700 error (data.fcp_code FCP-5402, id null) without being buffered.
 * Returns 0 or FCP_ENOMEM. */
int fcp_mcp_feed(fcp_mcp *m, const uint8_t *p, size_t n, fcp_buf *out);
/* End of input: a last line without '\n' is handled as if it had one. */
int fcp_mcp_finish(fcp_mcp *m, fcp_buf *out);

/* The MCP tool name of connector/operation: "<connector>.<operation>" with
 * every character outside [A-Za-z0-9._-] replaced by '_' and cut to
 * FCP_MCP_TOOL_NAME_MAX bytes (D-MCP-3).  out must hold
 * FCP_MCP_TOOL_NAME_MAX + 1 bytes. */
void fcp_mcp_tool_name(char *out, const char *connector, size_t clen, const char *operation,
                       size_t olen);

#endif
