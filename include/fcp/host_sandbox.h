/*
 * host_sandbox.h - the OS sandbox a connector runs in (spec §11.2), Linux.
 *
 * Profiles (docs/sandbox.md has the full table):
 *   strict      new user, mount, pid, network, IPC and UTS namespaces (the
 *               network namespace is empty: the inherited socketpair to the
 *               host is the only way out), an unprivileged uid when started
 *               as root, PR_SET_NO_NEW_PRIVS, a seccomp allow-list (no
 *               socket() but AF_UNIX, no ptrace, no mount, no bpf...), Landlock
 *               limiting the filesystem to read-only system library paths and
 *               the connector's state directory (read-write), exec limited to
 *               the connector binary and its ELF interpreter, rlimits
 *               (RLIMIT_AS, RLIMIT_CPU, RLIMIT_NPROC, RLIMIT_CORE = 0).
 *               Every feature is REQUIRED: if the kernel lacks one, spawning
 *               fails with FCP_EHOST_SANDBOX_UNAVAILABLE naming it.
 *   moderate    the same, but a feature the kernel lacks is skipped and
 *               recorded in the probe (never silently: the host logs it).
 *   permissive  own process group, NO_NEW_PRIVS and rlimits only.
 * Wall-clock limits per operation are enforced by the host client
 * (host_transport.h), which kills the process group on timeout.
 */
#ifndef FCP_HOST_SANDBOX_H
#define FCP_HOST_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/host_manifest.h"

/* Kernel features, as probed. */
#define FCP_SBX_USERNS   0x01u /* unprivileged user namespaces (or root) */
#define FCP_SBX_NETNS    0x02u
#define FCP_SBX_PIDNS    0x04u
#define FCP_SBX_MNTNS    0x08u
#define FCP_SBX_SECCOMP  0x10u
#define FCP_SBX_LANDLOCK 0x20u
#define FCP_SBX_ALL      0x3fu

typedef struct fcp_sandbox_probe {
    unsigned features;     /* FCP_SBX_* available here */
    int      landlock_abi; /* 0 if absent */
    char     detail[256];  /* "userns: EPERM; landlock: ENOSYS" etc. */
} fcp_sandbox_probe;

/* Detect, don't guess: fork a child that tries each feature and reports.
 * Cached after the first call.  Returns 0 (p filled) or FCP_EHOST_SANDBOX
 * if the probe itself could not run. */
int fcp_sandbox_probe_features(fcp_sandbox_probe *p);

/* TESTS ONLY: replace the probe result (p NULL: forget it, probe again on
 * next use), so the refusal of strict and the downgrade of moderate can be
 * tested on a kernel that has every feature.  fcpd never calls it. */
void fcp_sandbox_probe_override(const fcp_sandbox_probe *p);

/* Name of one FCP_SBX_* bit ("user namespace", "Landlock", ...). */
const char *fcp_sandbox_feature_name(unsigned bit);

/* Features profile p needs (strict: all; moderate: none required, all
 * wanted; permissive: none). */
unsigned fcp_sandbox_required(fcp_sandbox_profile p);
unsigned fcp_sandbox_wanted(fcp_sandbox_profile p);

/*
 * In the forked child, before exec: enter the sandbox for `sb`.
 * exe is the binary that will be exec'd (exec is allowed for it and its
 * interpreter only), state_dir the one writable directory (may be NULL).
 * keep_fd is left open (the transport); report_fd is the close-on-exec pipe
 * the spawn uses to report errors.  With a pid namespace this function
 * forks once more: the intermediate process waits for the sandboxed child
 * and exits with its status, so only the child returns.  On failure a
 * negative code is returned and why says what failed; the caller reports
 * it and _exits.  Never call it in the host process itself.
 */
int fcp_sandbox_enter(const fcp_manifest_sandbox *sb, const char *exe, const char *state_dir,
                      int keep_fd, int report_fd, char *why, size_t whylen);

#endif
