#!/usr/bin/env bash
# secret_scan.sh - "after a call, scan the connector's memory for the secret:
# it must be absent" (issue 6).  Runs tests/e2e/github_client.c in scan mode
# (same server, certificate and connector as github_connector.sh): a call
# whose egress injects a distinctive 40-byte secret, which the hostile test
# server echoes back; then, with the connector still running, every readable
# mapping in /proc/PID/maps is read through /proc/PID/mem and searched for
# the secret, its base64 (standard and URL-safe) and hex (lower and upper)
# forms - all must be absent - and for a marker the connector received in its
# input and for the redacted echo, which must be found (positive controls:
# the scanner works).  The host process scans itself the same way after
# requests with a header and a query-parameter credential (libcurl's copies
# of the URL and headers must be wiped).  Reading another process's memory
# needs root or the same uid with ptrace allowed; without it the scan prints
# SKIPPED loudly.
set -u
cd "$(dirname "$0")/../.."
GH_E2E_NAME=secret_scan GH_E2E_MODE=scan exec bash tests/e2e/github_connector.sh
