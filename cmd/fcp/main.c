/*
 * fcp - the command-line tool.  This file only dispatches: each verb lives in
 * its own cmd_<verb>.c with a `int cmd_<verb>(int argc, char **argv)` entry
 * that handles its own --help.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const struct verb {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} verbs[] = {
    { "version", cmd_version, "print the version of fcp and libfcp" },
    { "errors", cmd_errors, "list every stable error code with its meaning" },
    { "rq", cmd_rq, "RaptorQ (RFC 6330) encode/decode of files to packet files" },
    { "cbor", cmd_cbor, "show CBOR in diagnostic notation and check it is canonical" },
    { "init", cmd_init, "create FCP_HOME: owner and node keys, attestation, zone keys, fcpd.toml" },
    { "status", cmd_status, "show the local fcpd: peers, counters, objects and coverage" },
    { "peers", cmd_peers, "list the local fcpd's peers and their sessions" },
    { "put", cmd_put, "store a file in a zone through the local fcpd" },
    { "get", cmd_get, "fetch an object by id through the local fcpd" },
    { "ls", cmd_ls, "list objects and how their symbols are spread" },
    { "pin", cmd_pin, "pin an object on the local node" },
    { "unpin", cmd_unpin, "remove an object's pin on the local node" },
    { "rm", cmd_rm, "remove an object from the local node" },
    { "mcp", cmd_mcp, "serve MCP on stdio: connector operations as tools, calls through fcpd" },
    { "node", cmd_node, "node administration: add-peer, stop, enroll, join, remove" },
    { "grant", cmd_grant, "owner-signed grant objects (CapabilityObjects) fcpd checks tokens against" },
    { "token", cmd_token, "mint and inspect capability tokens (this node's issuance key)" },
    { "invoke", cmd_invoke, "run a connector operation through fcpd (token, policy, receipt)" },
    { "simulate", cmd_simulate, "ask fcpd whether a connector operation would be allowed" },
    { "connector", cmd_connector, "connectors fcpd runs: list, show, install, activate, stop, rollback" },
    { "revoke", cmd_revoke, "owner-sign a revocation and apply it on the local fcpd" },
    { "audit", cmd_audit, "verify a zone's audit chain (hash links, seq, signatures)" },
    { "zone", cmd_zone, "owner-signed zone definitions and policies: create, list, show" },
};

static void usage(FILE *out)
{
    fprintf(out, "usage: fcp <command> [options]\n\n"
                 "Flywheel Connector Protocol V2 command-line tool.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        fprintf(out, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
    fprintf(out, "\nRun 'fcp <command> --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (!strcmp(argv[1], verbs[i].name))
            return verbs[i].run(argc - 1, argv + 1);
    fprintf(stderr, "fcp: unknown command '%s' (try 'fcp --help')\n", argv[1]);
    return 2;
}
