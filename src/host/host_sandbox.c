/*
 * host_sandbox.c - enter a connector sandbox in a forked child (spec §11.2).
 *
 * Order matters, and is the same every time:
 *   1. probe: refuse strict when any feature is missing (never weaken it);
 *   2. as root: hand the state directory to the sandbox uid and drop to it
 *      (so RLIMIT_NPROC counts and no host capability survives);
 *   3. unshare user + mount + pid + net + ipc + uts namespaces, map the
 *      uid/gid to 0 inside, make mounts private;
 *   4. fork once so the connector is pid 1 of its pid namespace (the
 *      intermediate process waits and forwards the exit status);
 *   5. rlimits, PR_SET_NO_NEW_PRIVS, Landlock, and last the seccomp
 *      allow-list (execve stays allowed; Landlock limits what it may run).
 * Landlock is used through raw syscalls with the attribute size chosen by
 * the kernel's ABI version (v4+ also denies all TCP bind/connect).
 */
#include "fcp/host_sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fcp/error.h"

#if defined(__SANITIZE_ADDRESS__)
#define FCP_SBX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FCP_SBX_ASAN 1
#endif
#endif
#ifndef FCP_SBX_ASAN
#define FCP_SBX_ASAN 0
#endif

/* Landlock UAPI facts (linux/landlock.h; newer bits spelled out because the
 * installed headers may predate them). */
#define LL_CREATE_VERSION   (1u << 0)
#define LL_RULE_PATH        1
#define LL_FS_EXECUTE       (1ull << 0)
#define LL_FS_WRITE_FILE    (1ull << 1)
#define LL_FS_READ_FILE     (1ull << 2)
#define LL_FS_READ_DIR      (1ull << 3)
#define LL_FS_ABI1_ALL      ((1ull << 13) - 1)
#define LL_FS_REFER         (1ull << 13) /* ABI 2 */
#define LL_FS_TRUNCATE      (1ull << 14) /* ABI 3 */
#define LL_FS_IOCTL_DEV     (1ull << 15) /* ABI 5 */
#define LL_NET_BIND_TCP     (1ull << 0)  /* ABI 4 */
#define LL_NET_CONNECT_TCP  (1ull << 1)

struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
};

struct ll_path_beneath {
    uint64_t allowed_access;
    int32_t  parent_fd;
} __attribute__((packed));

#define SANDBOX_UID 65534u
#define SANDBOX_GID 65534u

static fcp_sandbox_probe g_probe;
static int g_probed;

const char *fcp_sandbox_feature_name(unsigned bit)
{
    switch (bit) {
    case FCP_SBX_USERNS: return "user namespace";
    case FCP_SBX_NETNS: return "network namespace";
    case FCP_SBX_PIDNS: return "pid namespace";
    case FCP_SBX_MNTNS: return "mount namespace";
    case FCP_SBX_SECCOMP: return "seccomp";
    case FCP_SBX_LANDLOCK: return "Landlock";
    }
    return "?";
}

unsigned fcp_sandbox_required(fcp_sandbox_profile p)
{
    return p == FCP_SANDBOX_STRICT ? FCP_SBX_ALL : 0;
}

unsigned fcp_sandbox_wanted(fcp_sandbox_profile p)
{
    return p == FCP_SANDBOX_PERMISSIVE ? 0 : FCP_SBX_ALL;
}

static int landlock_abi(void)
{
    long v = syscall(__NR_landlock_create_ruleset, NULL, 0, LL_CREATE_VERSION);
    return v < 0 ? 0 : (int)v;
}

static void append(char *d, size_t cap, const char *what, int e)
{
    size_t n = strlen(d);
    if (n < cap) snprintf(d + n, cap - n, "%s%s: %s", n ? "; " : "", what, strerror(e));
}

static int drop_to_sandbox_uid(void)
{
    if (geteuid() != 0) return 0;
    if (setgroups(0, NULL) < 0 || setresgid(SANDBOX_GID, SANDBOX_GID, SANDBOX_GID) < 0 ||
        setresuid(SANDBOX_UID, SANDBOX_UID, SANDBOX_UID) < 0)
        return -1;
    /* credential changes clear "dumpable", which would make /proc/self/uid_map
     * root-owned; the sandbox needs to write it. */
    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    return 0;
}

/* Child side of the probe: try each feature the way fcp_sandbox_enter uses it. */
static void probe_child(int wfd)
{
    fcp_sandbox_probe p;
    memset(&p, 0, sizeof p);
    p.landlock_abi = landlock_abi();
    if (p.landlock_abi > 0) p.features |= FCP_SBX_LANDLOCK;
    else append(p.detail, sizeof p.detail, "landlock", errno);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0) {
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (ctx && seccomp_load(ctx) == 0) p.features |= FCP_SBX_SECCOMP;
        else append(p.detail, sizeof p.detail, "seccomp", errno);
        if (ctx) seccomp_release(ctx);
    }
    if (drop_to_sandbox_uid() < 0) append(p.detail, sizeof p.detail, "setuid", errno);
    if (unshare(CLONE_NEWUSER) == 0) {
        p.features |= FCP_SBX_USERNS;
        static const struct { int flag; unsigned bit; const char *name; } ns[] = {
            {CLONE_NEWNET, FCP_SBX_NETNS, "netns"},
            {CLONE_NEWPID, FCP_SBX_PIDNS, "pidns"},
            {CLONE_NEWNS, FCP_SBX_MNTNS, "mntns"},
        };
        for (size_t i = 0; i < 3; i++) {
            if (unshare(ns[i].flag) == 0) p.features |= ns[i].bit;
            else append(p.detail, sizeof p.detail, ns[i].name, errno);
        }
    } else {
        append(p.detail, sizeof p.detail, "userns", errno);
    }
    ssize_t w = write(wfd, &p, sizeof p);
    _exit(w == (ssize_t)sizeof p ? 0 : 1);
}

void fcp_sandbox_probe_override(const fcp_sandbox_probe *p)
{
    if (p) g_probe = *p;
    g_probed = p != NULL;
}

int fcp_sandbox_probe_features(fcp_sandbox_probe *p)
{
    if (g_probed) {
        *p = g_probe;
        return 0;
    }
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0) return FCP_EHOST_SANDBOX;
    pid_t pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        return FCP_EHOST_SANDBOX;
    }
    if (pid == 0) {
        close(pfd[0]);
        probe_child(pfd[1]);
    }
    close(pfd[1]);
    fcp_sandbox_probe r;
    ssize_t n;
    do n = read(pfd[0], &r, sizeof r);
    while (n < 0 && errno == EINTR);
    close(pfd[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (n != (ssize_t)sizeof r) return FCP_EHOST_SANDBOX;
    r.detail[sizeof r.detail - 1] = '\0';
    g_probe = r;
    g_probed = 1;
    *p = r;
    return 0;
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int fail(char *why, size_t whylen, int code, const char *what)
{
    snprintf(why, whylen, "%s: %s", what, errno ? strerror(errno) : "failed");
    return code;
}

static int set_limit(int res, rlim_t v)
{
    struct rlimit rl = {v, v};
    return setrlimit(res, &rl);
}

/* Add a Landlock path rule; a path that does not exist is skipped. */
static int ll_allow(int ruleset, const char *path, uint64_t access, uint64_t handled)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? 0 : -1;
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
        access &= LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV;
    struct ll_path_beneath pb = {access & handled, fd};
    long rc = syscall(__NR_landlock_add_rule, ruleset, LL_RULE_PATH, &pb, 0);
    close(fd);
    return rc < 0 ? -1 : 0;
}

static int apply_landlock(int abi, const char *exe, const char *state_dir, char *why, size_t whylen)
{
    uint64_t fs = LL_FS_ABI1_ALL;
    if (abi >= 2) fs |= LL_FS_REFER;
    if (abi >= 3) fs |= LL_FS_TRUNCATE;
    if (abi >= 5) fs |= LL_FS_IOCTL_DEV;
    struct ll_ruleset_attr attr = {fs, LL_NET_BIND_TCP | LL_NET_CONNECT_TCP};
    size_t asz = abi >= 4 ? sizeof attr : sizeof attr.handled_access_fs;
    int rs = (int)syscall(__NR_landlock_create_ruleset, &attr, asz, 0);
    if (rs < 0) return fail(why, whylen, FCP_EHOST_SANDBOX, "landlock_create_ruleset");
    const uint64_t ro = LL_FS_READ_FILE | LL_FS_READ_DIR;
    static const char *const ro_paths[] = {"/usr", "/lib", "/lib64", "/etc/ld.so.cache",
                                           "/dev/null", "/dev/urandom"};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof ro_paths / sizeof ro_paths[0]; i++)
        rc = ll_allow(rs, ro_paths[i], ro, fs);
    /* Sanitizer builds read /proc/self/maps at startup. */
    if (rc == 0 && FCP_SBX_ASAN) rc = ll_allow(rs, "/proc", ro, fs);
    /* exec: the connector binary and its ELF interpreter only (deny_exec). */
    char interp[256] = "";
    if (rc == 0) rc = ll_allow(rs, exe, LL_FS_EXECUTE | LL_FS_READ_FILE, fs);
    if (rc == 0) {
        int efd = open(exe, O_RDONLY | O_CLOEXEC);
        if (efd >= 0) {
            static uint8_t head[4096];
            ssize_t n = read(efd, head, sizeof head);
            close(efd);
            if (n > 0 && fcp_elf_interp(head, (size_t)n, interp, sizeof interp) == 1)
                rc = ll_allow(rs, interp, LL_FS_EXECUTE | LL_FS_READ_FILE, fs);
        }
    }
    if (rc == 0 && state_dir) rc = ll_allow(rs, state_dir, fs & ~LL_FS_EXECUTE, fs);
    if (rc < 0) {
        close(rs);
        return fail(why, whylen, FCP_EHOST_SANDBOX, "landlock_add_rule");
    }
    if (syscall(__NR_landlock_restrict_self, rs, 0) < 0) {
        close(rs);
        return fail(why, whylen, FCP_EHOST_SANDBOX, "landlock_restrict_self");
    }
    close(rs);
    return 0;
}

static int apply_seccomp(char *why, size_t whylen)
{
    static const int allow[] = {
        SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev), SCMP_SYS(pread64),
        SCMP_SYS(pwrite64), SCMP_SYS(close), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
        SCMP_SYS(statx), SCMP_SYS(lseek), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mprotect),
        SCMP_SYS(mremap), SCMP_SYS(brk), SCMP_SYS(madvise), SCMP_SYS(mincore),
        SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
        SCMP_SYS(sigaltstack), SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(poll),
        SCMP_SYS(ppoll), SCMP_SYS(openat), SCMP_SYS(open), SCMP_SYS(stat), SCMP_SYS(lstat),
        SCMP_SYS(pipe), SCMP_SYS(getdents), SCMP_SYS(access), SCMP_SYS(faccessat),
        SCMP_SYS(faccessat2), SCMP_SYS(getdents64), SCMP_SYS(mkdirat), SCMP_SYS(mkdir),
        SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(rename), SCMP_SYS(renameat),
        SCMP_SYS(renameat2), SCMP_SYS(fsync), SCMP_SYS(fdatasync), SCMP_SYS(ftruncate),
        SCMP_SYS(fcntl), SCMP_SYS(dup), SCMP_SYS(dup2), SCMP_SYS(dup3), SCMP_SYS(pipe2),
        SCMP_SYS(futex), SCMP_SYS(set_robust_list), SCMP_SYS(get_robust_list), SCMP_SYS(rseq),
        SCMP_SYS(set_tid_address), SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres),
        SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep), SCMP_SYS(gettimeofday),
        SCMP_SYS(getpid), SCMP_SYS(getppid), SCMP_SYS(gettid), SCMP_SYS(getuid),
        SCMP_SYS(geteuid), SCMP_SYS(getgid), SCMP_SYS(getegid), SCMP_SYS(getrandom),
        SCMP_SYS(prlimit64), SCMP_SYS(getrlimit), SCMP_SYS(arch_prctl), SCMP_SYS(uname),
        SCMP_SYS(sched_yield), SCMP_SYS(sched_getaffinity), SCMP_SYS(execve), SCMP_SYS(clone),
        SCMP_SYS(clone3), SCMP_SYS(fork), SCMP_SYS(vfork), SCMP_SYS(wait4), SCMP_SYS(kill),
        SCMP_SYS(tgkill), SCMP_SYS(sendmsg), SCMP_SYS(recvmsg), SCMP_SYS(sendto),
        SCMP_SYS(recvfrom), SCMP_SYS(shutdown), SCMP_SYS(getsockopt), SCMP_SYS(readlink),
        SCMP_SYS(readlinkat), SCMP_SYS(ioctl), SCMP_SYS(prctl), SCMP_SYS(getcwd),
        SCMP_SYS(chdir), SCMP_SYS(fchdir), SCMP_SYS(restart_syscall), SCMP_SYS(umask),
        SCMP_SYS(statfs), SCMP_SYS(fstatfs), SCMP_SYS(utimensat), SCMP_SYS(fchmod),
        SCMP_SYS(flock), SCMP_SYS(membarrier), SCMP_SYS(sysinfo), SCMP_SYS(pause),
        SCMP_SYS(personality), SCMP_SYS(getpgrp), SCMP_SYS(getpgid), SCMP_SYS(setsid),
    };
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
    if (!ctx) return fail(why, whylen, FCP_EHOST_SANDBOX, "seccomp_init");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof allow / sizeof allow[0]; i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allow[i], 0);
    /* socket(): AF_UNIX only; no other address family is reachable. */
    if (rc == 0) {
        struct scmp_arg_cmp unix_only;
        memset(&unix_only, 0, sizeof unix_only);
        unix_only.arg = 0;
        unix_only.op = SCMP_CMP_EQ;
        unix_only.datum_a = AF_UNIX;
        rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, &unix_only);
    }
    if (rc == 0) rc = seccomp_load(ctx);
    seccomp_release(ctx);
    if (rc != 0) {
        errno = -rc;
        return fail(why, whylen, FCP_EHOST_SANDBOX, "seccomp filter");
    }
    return 0;
}

int fcp_sandbox_enter(const fcp_manifest_sandbox *sb, const char *exe, const char *state_dir,
                      int keep_fd, int report_fd, char *why, size_t whylen)
{
    fcp_sandbox_probe p;
    errno = 0;
    if (fcp_sandbox_probe_features(&p) < 0)
        return fail(why, whylen, FCP_EHOST_SANDBOX, "sandbox probe");
    unsigned need = fcp_sandbox_required(sb->profile);
    unsigned use = fcp_sandbox_wanted(sb->profile) & p.features;
    if (need & ~p.features) {
        size_t n = (size_t)snprintf(why, whylen, "profile %s needs", fcp_sandbox_profile_name(sb->profile));
        for (unsigned b = 1; b <= FCP_SBX_LANDLOCK && n < whylen; b <<= 1)
            if (need & ~p.features & b)
                n += (size_t)snprintf(why + n, whylen - n, " [%s]", fcp_sandbox_feature_name(b));
        if (n < whylen) snprintf(why + n, whylen - n, ", which this kernel refuses (%s)", p.detail);
        return FCP_EHOST_SANDBOX_UNAVAILABLE;
    }
    /* Namespace steps need the user namespace. */
    if (!(use & FCP_SBX_USERNS)) use &= ~(unsigned)(FCP_SBX_NETNS | FCP_SBX_PIDNS | FCP_SBX_MNTNS);
    if (use & FCP_SBX_USERNS) {
        if (state_dir && geteuid() == 0 && chown(state_dir, SANDBOX_UID, SANDBOX_GID) < 0)
            return fail(why, whylen, FCP_EHOST_SANDBOX, "chown state directory");
        uid_t uid;
        gid_t gid;
        if (drop_to_sandbox_uid() < 0) return fail(why, whylen, FCP_EHOST_SANDBOX, "drop to uid 65534");
        uid = getuid();
        gid = getgid();
        int flags = CLONE_NEWUSER | CLONE_NEWIPC | CLONE_NEWUTS;
        if (use & FCP_SBX_NETNS) flags |= CLONE_NEWNET;
        if (use & FCP_SBX_PIDNS) flags |= CLONE_NEWPID;
        if (use & FCP_SBX_MNTNS) flags |= CLONE_NEWNS;
        if (unshare(flags) < 0) return fail(why, whylen, FCP_EHOST_SANDBOX, "unshare namespaces");
        char map[64];
        snprintf(map, sizeof map, "0 %u 1\n", (unsigned)uid);
        if (write_file("/proc/self/uid_map", map) < 0)
            return fail(why, whylen, FCP_EHOST_SANDBOX, "write uid_map");
        if (write_file("/proc/self/setgroups", "deny") < 0)
            return fail(why, whylen, FCP_EHOST_SANDBOX, "write setgroups");
        snprintf(map, sizeof map, "0 %u 1\n", (unsigned)gid);
        if (write_file("/proc/self/gid_map", map) < 0)
            return fail(why, whylen, FCP_EHOST_SANDBOX, "write gid_map");
        if ((use & FCP_SBX_MNTNS) && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
            return fail(why, whylen, FCP_EHOST_SANDBOX, "make mounts private");
        if (use & FCP_SBX_PIDNS) {
            pid_t child = fork();
            if (child < 0) return fail(why, whylen, FCP_EHOST_SANDBOX, "fork into pid namespace");
            if (child > 0) {
                /* Intermediate: hold nothing, forward the child's status. */
                close(keep_fd);
                close(report_fd);
                int st = 0;
                while (waitpid(child, &st, 0) < 0 && errno == EINTR) {}
                if (WIFSIGNALED(st)) _exit(128 + WTERMSIG(st));
                _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
            }
        }
    }
    if (set_limit(RLIMIT_CORE, 0) < 0 ||
        (!FCP_SBX_ASAN && sb->memory_mb && set_limit(RLIMIT_AS, (rlim_t)sb->memory_mb << 20) < 0) ||
        (sb->cpu_seconds && set_limit(RLIMIT_CPU, sb->cpu_seconds) < 0) ||
        (sb->max_pids && set_limit(RLIMIT_NPROC, sb->max_pids) < 0) ||
        set_limit(RLIMIT_NOFILE, 256) < 0)
        return fail(why, whylen, FCP_EHOST_SANDBOX, "setrlimit");
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return fail(why, whylen, FCP_EHOST_SANDBOX, "PR_SET_NO_NEW_PRIVS");
    if (use & FCP_SBX_LANDLOCK) {
        int rc = apply_landlock(p.landlock_abi, exe, state_dir, why, whylen);
        if (rc < 0) return rc;
    }
    if (use & FCP_SBX_SECCOMP) {
        int rc = apply_seccomp(why, whylen);
        if (rc < 0) return rc;
    }
    return 0;
}
