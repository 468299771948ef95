/*
 * fcpd_main.c - the MeshNode daemon: arguments, startup in a fixed order,
 * the single-threaded epoll loop, and a clean shutdown.
 *
 *   config (fcpd.toml) -> keys (FCP_HOME) -> data dir -> store (SQLite)
 *   -> [daemonize] -> signalfd -> admin socket -> UDP + mesh engine
 *   -> metrics -> loop ... SIGTERM/SIGINT or admin stop -> close admin,
 *   metrics, mesh, UDP -> store closed (WAL checkpointed by SQLite) -> exit 0.
 *
 * SIGHUP is logged and ignored (configuration reload is not supported yet:
 * restart the daemon).  Logs are JSON lines on stderr (log.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fcp/crypto.h"
#include "fcp/error.h"
#include "fcpd.h"

uint64_t fcpd_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void fcpd_log(fcpd *d, int level, const char *event, int err, const fcp_log_field *f, size_t n)
{
    fcp_log(&d->log, level, event, err, f, n);
}

/* out = a + b (both NUL-terminated); 0, or -1 if it does not fit. */
static int pathcat(char *out, size_t cap, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la + lb + 1 > cap)
        return -1;
    memcpy(out, a, la);
    memcpy(out + la, b, lb + 1);
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: fcpd [--config PATH] [--daemon] [--log-level debug|info|warn|error]\n"
            "\n"
            "The FCP MeshNode daemon: sessions with peers over UDP, the symbol store,\n"
            "gossip and repair, the local admin socket used by `fcp`, and a Prometheus\n"
            "metrics endpoint.\n"
            "\n"
            "  --config PATH   fcpd.toml (default $FCP_HOME/fcpd.toml; FCP_HOME defaults\n"
            "                  to ~/.config/fcp).  Keys are read from the file's directory.\n"
            "  --daemon        detach; logs go to <data_dir>/fcpd.log; returns once ready\n"
            "  --log-level L   minimum level logged (default info)\n"
            "  --help          this text\n"
            "\n"
            "Files: <config dir>/fcpd.sock (admin socket, 0600), <config dir>/fcpd.pid,\n"
            "<data_dir>/store.sqlite3.  Stop with SIGTERM, SIGINT or `fcp node stop`.\n"
            "See fcpd(8).\n");
}

static int default_config(char *out, size_t cap)
{
    const char *h = getenv("FCP_HOME");
    if (h && *h)
        return snprintf(out, cap, "%s/fcpd.toml", h) < (int)cap ? 0 : -1;
    const char *home = getenv("HOME");
    if (!home || !*home)
        return -1;
    return snprintf(out, cap, "%s/.config/fcp/fcpd.toml", home) < (int)cap ? 0 : -1;
}

static void on_signal(void *ctx, int fd, unsigned ev)
{
    fcpd *d = ctx;
    (void)ev;
    int signo;
    while (fcp_net_signalfd_read(fd, &signo) == 1) {
        fcp_log_field f[] = { FCP_LF_STR("signal", signo == SIGHUP ? "SIGHUP" : signo == SIGINT ? "SIGINT" : "SIGTERM") };
        if (signo == SIGHUP) {
            fcpd_log(d, FCP_LOG_INFO, "signal.ignored", 0, f, 1);
            continue;
        }
        fcpd_log(d, FCP_LOG_INFO, "shutdown.begin", 0, f, 1);
        d->stopping = 1;
    }
}

static int write_pid(const fcpd *d)
{
    char path[FCP_CONFIG_PATH_MAX + 16];
    pathcat(path, sizeof path, d->home, "/fcpd.pid");
    FILE *f = fopen(path, "w");
    if (!f)
        return FCP_EIO;
    fprintf(f, "%ld\n", (long)getpid());
    fclose(f);
    return 0;
}

/* How long the loop may sleep in epoll: not at all while the engine has
 * datagrams left over from a bounded pump, else until the mesh's next tick
 * is due (at most FCPD_TICK_MS).  Sockets, the QUIC timerfd and signals wake
 * it earlier; an idle daemon wakes once per tick, not twice. */
static int loop_timeout_ms(const fcpd *d)
{
    if (d->mesh_tx_more)
        return 0;
    if (!d->mesh)
        return FCPD_TICK_MS;
    uint64_t now = fcpd_now_ns(), next = d->last_tick_ns + (uint64_t)FCPD_TICK_MS * 1000000u;
    if (next <= now)
        return 0;
    uint64_t ms = (next - now + 999999u) / 1000000u;
    return ms > FCPD_TICK_MS ? FCPD_TICK_MS : (int)ms;
}

static int run(fcpd *d, int daemonize, int ready_fd)
{
    int rc;
    if ((rc = fcp_net_loop_new(&d->loop)) < 0)
        return rc;
    if ((rc = fcp_net_signalfd_open(&d->sig_fd)) < 0 ||
        (rc = fcp_net_loop_add(d->loop, d->sig_fd, FCP_NET_EV_IN, on_signal, d)) < 0) {
        fcpd_log(d, FCP_LOG_ERROR, "signals", rc, NULL, 0);
        return rc;
    }
    if ((rc = fcpd_authority_start(d)) < 0)
        return rc;
    if ((rc = fcpd_admin_start(d)) < 0)
        return rc;
    if ((rc = fcpd_tailscale_discover(d)) < 0)
        return rc;
    if ((rc = fcpd_mesh_start(d)) < 0)
        return rc;
    if ((rc = fcpd_quic_start(d)) < 0)
        return rc;
    if ((rc = fcpd_metrics_start(d)) < 0)
        return rc;
    if ((rc = fcpd_connectors_start(d)) < 0) {
        fcpd_log(d, FCP_LOG_ERROR, "connectors.start", rc, NULL, 0);
        return rc;
    }
    d->pid_written = write_pid(d) == 0;
    fcp_log_field f[] = { FCP_LF_STR("node_id", d->keys.node_id), FCP_LF_INT("pid", getpid()),
                          FCP_LF_STR("config", d->config_path) };
    fcpd_log(d, FCP_LOG_INFO, "fcpd.ready", 0, f, 3);
    if (daemonize && ready_fd >= 0) {
        (void)!write(ready_fd, "1", 1);
        close(ready_fd);
    }
    uint64_t last_sweep = fcpd_now_ns();
    while (!d->stopping) {
        rc = fcp_net_loop_run_once(d->loop, loop_timeout_ms(d));
        if (rc < 0) {
            fcpd_log(d, FCP_LOG_ERROR, "loop", rc, NULL, 0);
            return rc;
        }
        fcpd_mesh_pump(d);
        fcpd_tailscale_pump(d);
        fcpd_quic_pump(d);
        fcpd_connectors_pump(d);
        fcpd_authority_pump(d);
        uint64_t now = fcpd_now_ns();
        if (now - last_sweep > 1000000000ull) {
            last_sweep = now;
            fcpd_admin_sweep(d);
            fcpd_metrics_sweep(d);
        }
    }
    return 0;
}

static void shutdown_all(fcpd *d)
{
    if (d->loop) {
        fcpd_connectors_stop(d);
        fcpd_admin_stop(d);
        fcpd_metrics_stop(d);
        fcpd_quic_stop(d);
        fcpd_mesh_stop(d);
        fcpd_tailscale_stop(d);
        if (d->sig_fd >= 0)
            close(d->sig_fd);
        fcp_net_loop_free(d->loop);
        d->loop = NULL;
    }
    fcpd_authority_stop(d);
    if (d->store) {
        char report[256] = "";
        int ok = fcp_store_check(d->store, report, sizeof report);
        fcp_store_close(d->store);
        d->store = NULL;
        fcp_log_field f[] = { FCP_LF_BOOL("integrity_ok", ok == 0), FCP_LF_STR("report", report) };
        fcpd_log(d, FCP_LOG_INFO, "store.closed", ok < 0 ? ok : 0, f, 2);
    }
    char path[FCP_CONFIG_PATH_MAX + 16];
    pathcat(path, sizeof path, d->home, "/fcpd.pid");
    if (d->pid_written)
        unlink(path);
    fcpd_keys_wipe(&d->keys);
}

int main(int argc, char **argv)
{
    static fcpd D;
    fcpd *d = &D;
    memset(d, 0, sizeof *d);
    d->sig_fd = d->admin_fd = d->metrics_fd = -1;
    d->log.min_level = FCP_LOG_INFO;
    const char *config = NULL;
    int daemonize = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
            config = argv[++i];
        } else if (!strcmp(argv[i], "--daemon")) {
            daemonize = 1;
        } else if (!strcmp(argv[i], "--log-level") && i + 1 < argc) {
            const char *l = argv[++i];
            d->log.min_level = !strcmp(l, "debug") ? FCP_LOG_DEBUG : !strcmp(l, "warn") ? FCP_LOG_WARN
                             : !strcmp(l, "error") ? FCP_LOG_ERROR : FCP_LOG_INFO;
        } else if (!strcmp(argv[i], "--version")) {
            printf("fcpd 0.1.0 (FCP V2)\n");
            return 0;
        } else {
            fprintf(stderr, "fcpd: unknown or incomplete option '%s' (try --help)\n", argv[i]);
            return 2;
        }
    }
    if (config) {
        if (pathcat(d->config_path, sizeof d->config_path, config, "") < 0) {
            fprintf(stderr, "fcpd: --config path too long\n");
            return 2;
        }
    } else if (default_config(d->config_path, sizeof d->config_path) < 0) {
        fprintf(stderr, "fcpd: neither FCP_HOME nor HOME is set; use --config PATH\n");
        return 2;
    }
    char tmp[FCP_CONFIG_PATH_MAX + 1];
    pathcat(tmp, sizeof tmp, d->config_path, "");
    pathcat(d->home, sizeof d->home, dirname(tmp), "");
    if (snprintf(d->sock_path, sizeof d->sock_path, "%s/fcpd.sock", d->home) >= 108) {
        fprintf(stderr, "fcpd: admin socket path %s/fcpd.sock is longer than 107 bytes\n", d->home);
        return 1;
    }
    if (fcp_crypto_init() < 0) {
        fprintf(stderr, "fcpd: crypto library failed to initialise\n");
        return 1;
    }

    /* configuration */
    char ddir[FCP_CONFIG_PATH_MAX + 1];
    int have_dd = fcp_config_default_data_dir(ddir, sizeof ddir, getenv("FCP_DATA"), getenv("HOME")) == 0;
    fcp_config_defaults(&d->cfg, have_dd ? ddir : NULL);
    fcp_toml_error terr;
    memset(&terr, 0, sizeof terr);
    int rc = fcp_config_load(&d->cfg, d->config_path, &terr);
    if (rc < 0) {
        char code[16];
        fprintf(stderr, "fcpd: %s: %s (%s %s)\n", d->config_path, terr.msg[0] ? terr.msg : fcp_strerror(rc),
                fcp_error_code(rc, code, sizeof code), fcp_error_name(rc) ? fcp_error_name(rc) : "");
        fcp_log_field f[] = { FCP_LF_STR("path", d->config_path), FCP_LF_STR("detail", terr.msg),
                              FCP_LF_UINT("line", terr.line) };
        fcpd_log(d, FCP_LOG_ERROR, "config.invalid", rc, f, 3);
        return 1;
    }
    char why[512];
    if ((rc = fcpd_keys_load(&d->keys, d->home, why, sizeof why)) < 0) {
        char code[16];
        fprintf(stderr, "fcpd: %s (%s)\n", why, fcp_error_code(rc, code, sizeof code));
        fcp_log_field f[] = { FCP_LF_STR("detail", why) };
        fcpd_log(d, FCP_LOG_ERROR, "keys.invalid", rc, f, 1);
        return 1;
    }
    if (d->cfg.node_id[0] && strcmp(d->cfg.node_id, d->keys.node_id)) {
        fprintf(stderr, "fcpd: %s: node.id '%s' does not match the node key's attested id '%s' (%s)\n",
                d->config_path, d->cfg.node_id, d->keys.node_id, "FCP-6351");
        return 1;
    }
    if (mkdir(d->cfg.data_dir, 0700) < 0 && errno != EEXIST) {
        fprintf(stderr, "fcpd: cannot create data directory %s: %s\n", d->cfg.data_dir, strerror(errno));
        return 1;
    }

    /* daemonize before the store is opened: SQLite handles must not cross fork */
    int ready[2] = { -1, -1 };
    if (daemonize) {
        char logp[FCP_CONFIG_PATH_MAX + 16];
        pathcat(logp, sizeof logp, d->cfg.data_dir, "/fcpd.log");
        if (pipe(ready) < 0)
            return 1;
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid > 0) {
            close(ready[1]);
            char c;
            ssize_t r = read(ready[0], &c, 1);   /* EOF without a byte: startup failed */
            close(ready[0]);
            if (r != 1) {
                fprintf(stderr, "fcpd: daemon failed to start; see %s\n", logp);
                return 1;
            }
            return 0;
        }
        close(ready[0]);
        setsid();
        int nul = open("/dev/null", O_RDWR);
        int lf = open(logp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (nul >= 0) {
            dup2(nul, 0);
            dup2(nul, 1);
            close(nul);
        }
        if (lf >= 0) {
            dup2(lf, 2);
            close(lf);
        }
    }

    char spath[FCP_CONFIG_PATH_MAX + 32];
    pathcat(spath, sizeof spath, d->cfg.data_dir, "/store.sqlite3");
    fcp_store_options so;
    fcp_store_options_default(&so);
    so.quarantine_max_bytes = d->cfg.quarantine_bytes;
    so.quarantine_max_bytes_per_peer = d->cfg.quarantine_bytes_per_peer;
    so.quarantine_max_objects_per_peer = d->cfg.quarantine_objects_per_peer;
    fcpd_symstore_keyring(d, &so.keyring);
    rc = fcp_store_open(&d->store, spath, &so);
    if (rc < 0) {
        fcp_log_field f[] = { FCP_LF_STR("path", spath) };
        fcpd_log(d, FCP_LOG_ERROR, "store.open", rc, f, 1);
        fprintf(stderr, "fcpd: cannot open the store %s (%s)\n", spath, fcp_strerror(rc));
        return 1;
    }
    d->start_ns = fcpd_now_ns();
    rc = run(d, daemonize, ready[1]);
    shutdown_all(d);
    fcp_log_field f[] = { FCP_LF_BOOL("clean", rc == 0) };
    fcpd_log(d, FCP_LOG_INFO, "shutdown.done", rc, f, 1);
    return rc < 0 ? 1 : 0;
}
