/*
 * host_sandbox_test.c - what the connector sandbox (spec §11.2) contains,
 * checked by spawning this test binary itself as the "connector" in a mode
 * that tries to escape:
 *   connect   a direct TCP connect() (to a listener the host opened on
 *             127.0.0.1) must fail;
 *   read      reading a world-readable file outside the state directory must
 *             fail while writing inside it works;
 *   exec      exec of /bin/sh must fail (deny_exec);
 *   forkbomb  forking 200 processes must hit the max_pids limit;
 *   memhog    allocating 1 GiB must hit the memory limit;
 *   hang      an SDK connector whose operation never returns is killed at
 *             the wall-clock limit and the call returns FCP_EHOST_TIMEOUT.
 * A child exits 0 when it was contained, 1 when it escaped.  A check whose
 * kernel feature is missing here is SKIPPED loudly (printed and counted).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fcp/connector.h"
#include "fcp/error.h"
#include "fcp/host_sandbox.h"
#include "fcp/host_transport.h"
#include "test.h"

#if defined(__SANITIZE_ADDRESS__)
#define ASAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN_BUILD 1
#endif
#endif
#ifndef ASAN_BUILD
#define ASAN_BUILD 0
#endif

static char g_self[512];
static unsigned long g_skipped;
static fcp_sandbox_probe g_probe;

static void skip(const char *what, const char *why)
{
    printf("SKIP: %s: %s\n", what, why);
    g_skipped++;
}

/* ---- child modes (run inside the sandbox) -------------------------------- */

static int mode_connect(const char *port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return 0; /* seccomp refused the socket */
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)atoi(port));
    a.sin_addr.s_addr = htonl(0x7f000001);
    int rc = connect(s, (struct sockaddr *)&a, sizeof a);
    close(s);
    return rc == 0 ? 1 : 0;
}

static int mode_read(const char *outside)
{
    int fd = open(outside, O_RDONLY);
    if (fd >= 0) {
        close(fd);
        return 1;
    }
    const char *st = getenv("CONNECTOR_STATE");
    char p[600];
    snprintf(p, sizeof p, "%s/inside.txt", st ? st : ".");
    fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return 2; /* the state directory must stay writable */
    close(fd);
    return 0;
}

static int mode_exec(void)
{
    char *argv[] = {"/bin/sh", "-c", "exit 1", NULL}; /* reaching sh = escaped */
    char *envp[] = {NULL};
    execve("/bin/sh", argv, envp);
    return 0;
}

static int mode_forkbomb(void)
{
    int made = 0;
    for (int i = 0; i < 200; i++) {
        pid_t p = fork();
        if (p == 0) {
            for (int k = 0; k < 60; k++) sleep(1);
            _exit(0);
        }
        if (p < 0) break;
        made++;
    }
    return made < 200 ? 0 : 1; /* everything dies with this pid-ns init */
}

/* Pointers escape through a volatile array so no compiler can elide the
 * allocations (clang removes a malloc whose memory is never observed). */
static char *volatile g_hog[64];

static int mode_memhog(void)
{
    size_t chunk = (size_t)16 << 20;
    for (int i = 0; i < 64; i++) {
        char *p = malloc(chunk);
        if (!p) return 0;
        memset(p, 0x5a, chunk);
        g_hog[i] = p;
    }
    return g_hog[63][chunk - 1] == 0x5a ? 1 : 2;
}

static const char HANG_MAN[] =
    "[manifest]\nformat = \"fcp-connector-manifest\"\nschema_version = \"2.0\"\n"
    "[connector]\nid = \"fcp.hang\"\nname = \"Hang\"\nversion = \"0.0.1\"\n"
    "archetypes = [\"operational\"]\n"
    "publisher_key = \"4fd099ccd47d7893dfe9ec24414ecb0d9b5420232aad30d91c465be33cbe65c4\"\n"
    "[capabilities]\n"
    "[provides.operations.hang]\ncapability = \"t.hang\"\nsafety_tier = \"safe\"\n"
    "input_schema = '{}'\noutput_schema = '{}'\n"
    "[sandbox]\nprofile = \"strict\"\nmemory_mb = 256\nwall_clock_timeout_ms = 300\n";

static int op_hang(fcp_conn_ctx *c, const char *in, size_t n, fcp_buf *out)
{
    (void)c;
    (void)in;
    (void)n;
    (void)out;
    for (int i = 0; i < 600; i++) sleep(1);
    return 0;
}

static int mode_hang(void)
{
    static const fcp_conn_op ops[] = {{"hang", op_hang, NULL}};
    fcp_connector_def d = {HANG_MAN, sizeof HANG_MAN - 1, ops, 1, NULL, NULL};
    return fcp_connector_main(&d);
}

/* ---- host side ----------------------------------------------------------- */

static fcp_manifest_sandbox strict_box(void)
{
    fcp_manifest_sandbox sb = {FCP_SANDBOX_STRICT, 64, 10, 300, 16, 1};
    return sb;
}

/* Spawn this binary in `mode` under sb, return its exit status (or -1). */
static int run_child(const char *mode, const char *arg, const fcp_manifest_sandbox *sb, const char *state)
{
    char *argv[] = {g_self, (char *)mode, (char *)(arg ? arg : ""), NULL};
    fcp_host_spawn_opts o = {g_self, argv, state, sb, 0};
    fcp_host_conn c;
    int rc = fcp_host_spawn(&c, &o);
    if (rc < 0) {
        fprintf(stderr, "  spawn %s: %s (%s)\n", mode, fcp_strerror(rc), c.why);
        return -1;
    }
    /* The child never answers: it exits by itself. */
    CHECK_EQ(fcp_host_wait_exit(&c, 15000), 0);
    fcp_host_close(&c, 0);
    if (c.exit_status < 0 || !WIFEXITED(c.exit_status)) {
        fprintf(stderr, "  %s: wait status %d (%s)\n", mode, c.exit_status, c.why);
        return -1;
    }
    return WEXITSTATUS(c.exit_status);
}

static void state_dir(char *out, size_t cap, const char *tag)
{
    snprintf(out, cap, "/tmp/fcp-sbx-test-%d-%s", (int)getpid(), tag);
}

static void rm_rf(const char *p)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", p);
    if (system(cmd) != 0) fprintf(stderr, "  cannot remove %s\n", p);
}

static int have_all(void)
{
    return (g_probe.features & FCP_SBX_ALL) == FCP_SBX_ALL;
}

static void test_connect(void)
{
    if (!have_all()) return skip("direct connect() is blocked", g_probe.detail);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(0x7f000001);
    socklen_t al = sizeof a;
    CHECK(ls >= 0 && bind(ls, (struct sockaddr *)&a, sizeof a) == 0 && listen(ls, 4) == 0 &&
          getsockname(ls, (struct sockaddr *)&a, &al) == 0);
    char port[16];
    snprintf(port, sizeof port, "%u", (unsigned)ntohs(a.sin_port));
    /* control: without a sandbox the same child does reach the listener */
    CHECK_EQ(run_child("connect", port, NULL, NULL), 1);
    fcp_manifest_sandbox sb = strict_box();
    CHECK_EQ(run_child("connect", port, &sb, NULL), 0);
    /* moderate keeps the empty network namespace too */
    sb.profile = FCP_SANDBOX_MODERATE;
    CHECK_EQ(run_child("connect", port, &sb, NULL), 0);
    close(ls);
}

static void test_read(void)
{
    if (!have_all()) return skip("filesystem limited to the state directory", g_probe.detail);
    char st[256], outside[300];
    state_dir(st, sizeof st, "read");
    snprintf(outside, sizeof outside, "%s-outside.txt", st);
    FILE *f = fopen(outside, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("secret\n", f);
        fclose(f);
    }
    chmod(outside, 0644);
    CHECK_EQ(run_child("read", outside, NULL, NULL), 1); /* control */
    fcp_manifest_sandbox sb = strict_box();
    CHECK_EQ(run_child("read", outside, &sb, st), 0);
    char inside[400];
    snprintf(inside, sizeof inside, "%s/inside.txt", st);
    CHECK(access(inside, F_OK) == 0);
    unlink(outside);
    rm_rf(st);
}

static void test_exec(void)
{
    if (!have_all()) return skip("exec denied", g_probe.detail);
    CHECK_EQ(run_child("exec", NULL, NULL, NULL), 1); /* control: exec works unsandboxed */
    fcp_manifest_sandbox sb = strict_box();
    CHECK_EQ(run_child("exec", NULL, &sb, NULL), 0);
}

static void test_forkbomb(void)
{
    if (!have_all()) return skip("fork bomb contained by max_pids", g_probe.detail);
    fcp_manifest_sandbox sb = strict_box();
    CHECK_EQ(run_child("forkbomb", NULL, &sb, NULL), 0);
}

static void test_memhog(void)
{
    if (ASAN_BUILD) return skip("memory hog contained by RLIMIT_AS", "sanitizer build (no address-space limit under ASan)");
    fcp_manifest_sandbox sb = strict_box();
    if (!have_all()) sb.profile = FCP_SANDBOX_PERMISSIVE; /* rlimits need no kernel feature */
    CHECK_EQ(run_child("memhog", NULL, &sb, NULL), 0);
}

static void test_hang(void)
{
    fcp_manifest_sandbox sb = strict_box();
    if (!have_all()) sb.profile = FCP_SANDBOX_PERMISSIVE;
    char *argv[] = {g_self, "hang", NULL};
    fcp_host_spawn_opts o = {g_self, argv, NULL, &sb, 0};
    fcp_host_conn c;
    int rc = fcp_host_spawn(&c, &o);
    if (!CHECK_EQ(rc, 0)) {
        fprintf(stderr, "  spawn hang: %s\n", c.why);
        return;
    }
    CHECK_EQ(fcp_host_handshake(&c, NULL, "fcp.hang", 3000, NULL), 0);
    pid_t pid = c.pid;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    fcp_buf r;
    fcp_buf_init(&r);
    CHECK_EQ(fcp_host_invoke(&c, NULL, "hang", "{}", sb.wall_clock_timeout_ms, &r), FCP_EHOST_TIMEOUT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    CHECK(ms < 5000.0);
    CHECK(c.dead);
    CHECK_EQ(c.pid, 0);
    CHECK(kill(pid, 0) < 0 && errno == ESRCH); /* killed and reaped */
    fcp_buf_free(&r);
    fcp_host_close(&c, 0);
}

static void test_strict_refusal(void)
{
    /* strict is refused rather than weakened: when every feature is here it
     * starts; otherwise spawning must fail with SANDBOX_UNAVAILABLE. */
    fcp_manifest_sandbox sb = strict_box();
    char *argv[] = {g_self, "exec", NULL};
    fcp_host_spawn_opts o = {g_self, argv, NULL, &sb, 0};
    fcp_host_conn c;
    int rc = fcp_host_spawn(&c, &o);
    if (have_all()) {
        CHECK_EQ(rc, 0);
        if (rc == 0) fcp_host_close(&c, 5000);
    } else {
        CHECK_EQ(rc, FCP_EHOST_SANDBOX_UNAVAILABLE);
        CHECK(strstr(c.why, "needs") != NULL);
    }
}

/* On a kernel without Landlock (simulated by overriding the probe), strict
 * is refused with a message naming the feature, moderate still starts and
 * still keeps the connector off the network, permissive starts. */
static void test_missing_feature(void)
{
    if (!have_all()) return skip("simulated missing Landlock", "features already missing here");
    fcp_sandbox_probe fake = g_probe;
    fake.features &= ~(unsigned)FCP_SBX_LANDLOCK;
    fake.landlock_abi = 0;
    snprintf(fake.detail, sizeof fake.detail, "landlock: Function not implemented");
    fcp_sandbox_probe_override(&fake);
    fcp_manifest_sandbox sb = strict_box();
    char *argv[] = {g_self, "exec", NULL};
    fcp_host_spawn_opts o = {g_self, argv, NULL, &sb, 0};
    fcp_host_conn c;
    CHECK_EQ(fcp_host_spawn(&c, &o), FCP_EHOST_SANDBOX_UNAVAILABLE);
    CHECK(strstr(c.why, "Landlock") != NULL);
    sb.profile = FCP_SANDBOX_MODERATE;
    CHECK_EQ(run_child("connect", "9", &sb, NULL), 0);
    /* without Landlock nothing limits exec any more: the child reaches sh */
    CHECK_EQ(run_child("exec", NULL, &sb, NULL), 1);
    sb.profile = FCP_SANDBOX_PERMISSIVE;
    CHECK_EQ(run_child("exec", NULL, &sb, NULL), 1);
    fcp_sandbox_probe_override(NULL);
    fcp_sandbox_probe again;
    CHECK_EQ(fcp_sandbox_probe_features(&again), 0);
    CHECK_EQ(again.features, g_probe.features);
}

int main(int argc, char **argv)
{
    if (argc >= 2) {
        if (strcmp(argv[1], "connect") == 0) return mode_connect(argc > 2 ? argv[2] : "1");
        if (strcmp(argv[1], "read") == 0) return mode_read(argc > 2 ? argv[2] : "/etc/hostname");
        if (strcmp(argv[1], "exec") == 0) return mode_exec();
        if (strcmp(argv[1], "forkbomb") == 0) return mode_forkbomb();
        if (strcmp(argv[1], "memhog") == 0) return mode_memhog();
        if (strcmp(argv[1], "hang") == 0) return mode_hang();
        return 3;
    }
    signal(SIGPIPE, SIG_IGN);
    ssize_t n = readlink("/proc/self/exe", g_self, sizeof g_self - 1);
    if (n <= 0) {
        printf("SKIP: cannot find this executable\n");
        return fcp_t_done("host_sandbox_test");
    }
    g_self[n] = '\0';
    CHECK_EQ(fcp_sandbox_probe_features(&g_probe), 0);
    printf("sandbox features here: 0x%02x, Landlock ABI %d%s%s\n", g_probe.features,
           g_probe.landlock_abi, g_probe.detail[0] ? "; missing: " : "", g_probe.detail);
    test_strict_refusal();
    test_connect();
    test_read();
    test_exec();
    test_forkbomb();
    test_memhog();
    test_hang();
    test_missing_feature();
    if (g_skipped) printf("host_sandbox_test: %lu skipped\n", g_skipped);
    return fcp_t_done("host_sandbox_test");
}
