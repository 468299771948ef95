/*
 * fcpd_metrics.c - Prometheus text exposition (version 0.0.4) of fcpd's
 * counters on a loopback HTTP/1.0 endpoint: GET /metrics only, one request
 * per connection, bounded request size, at most FCPD_MAX_METRICS clients.
 * (spec §23.1 metrics.)
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fcp/error.h"
#include "fcpd.h"

static const double bucket_le[FCPD_HIST_BUCKETS] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10 };

void fcpd_hist_observe(fcpd_hist *h, double s)
{
    for (size_t i = 0; i < FCPD_HIST_BUCKETS; i++)
        if (s <= bucket_le[i]) {
            h->buckets[i]++;
            break;
        }
    h->count++;
    h->sum += s;
}

static void outf(fcp_buf *o, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0)
        fcp_buf_append(o, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static void counter(fcp_buf *o, const char *name, const char *help, uint64_t v)
{
    outf(o, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name, (unsigned long long)v);
}

static void gauge(fcp_buf *o, const char *name, const char *help, uint64_t v)
{
    outf(o, "# HELP %s %s\n# TYPE %s gauge\n%s %llu\n", name, help, name, name, (unsigned long long)v);
}

static void hist(fcp_buf *o, const char *name, const char *help, const fcpd_hist *h)
{
    outf(o, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    uint64_t cum = 0;
    for (size_t i = 0; i < FCPD_HIST_BUCKETS; i++) {
        cum += h->buckets[i];
        outf(o, "%s_bucket{le=\"%g\"} %llu\n", name, bucket_le[i], (unsigned long long)cum);
    }
    outf(o, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n%s_count %llu\n", name,
         (unsigned long long)h->count, name, h->sum, name, (unsigned long long)h->count);
}

int fcpd_metrics_render(fcpd *d, fcp_buf *o)
{
    fcp_mesh_counters m;
    memset(&m, 0, sizeof m);
    if (d->mesh)
        fcp_mesh_get_counters(d->mesh, &m);
    counter(o, "fcp_datagrams_in_total", "UDP datagrams received", d->n.dgram_in);
    counter(o, "fcp_datagrams_out_total", "UDP datagrams sent", d->n.dgram_out);
    counter(o, "fcp_datagram_bytes_in_total", "UDP payload bytes received", d->n.bytes_in);
    counter(o, "fcp_datagram_bytes_out_total", "UDP payload bytes sent", d->n.bytes_out);
    outf(o, "# HELP fcp_datagrams_dropped_total Datagrams dropped, by reason\n"
            "# TYPE fcp_datagrams_dropped_total counter\n");
    const struct { const char *r; uint64_t v; } drops[] = {
        { "oversize", d->n.drop_oversize }, { "socket_error", d->n.drop_socket },
        { "no_socket", d->n.drop_no_socket }, { "empty", m.drop_empty },
        { "handshake_rate", m.drop_hs_rate }, { "handshake_invalid", m.drop_hs_invalid },
        { "unknown_session", m.drop_unknown_session }, { "datagram_invalid", m.drop_dgram },
        { "control_invalid", m.drop_control }, { "symbol_auth", m.drop_symbol_auth },
        { "zone", m.drop_zone }, { "unsolicited", m.drop_unsolicited },
        { "push_rate", m.drop_push_rate }, { "store", m.drop_store },
        { "request_rate", m.drop_request_rate }, { "request_invalid", m.drop_request_invalid },
        { "serve_budget", m.drop_serve_budget }, { "tx_budget", m.drop_tx_budget },
        { "decode_budget", m.drop_decode_budget },
    };
    for (size_t i = 0; i < sizeof drops / sizeof drops[0]; i++)
        outf(o, "fcp_datagrams_dropped_total{reason=\"%s\"} %llu\n", drops[i].r,
             (unsigned long long)drops[i].v);
    fcpd_connectors_metrics(d, o);
    fcpd_quic_metrics(d, o);
    fcpd_authority_metrics(d, o);
    counter(o, "fcp_sessions_established_total", "Mesh sessions established", m.sessions_established);
    counter(o, "fcp_sessions_down_total", "Mesh sessions lost", d->n.sessions_down);
    size_t np = d->mesh ? fcp_mesh_peer_count(d->mesh) : 0, up = 0;
    for (size_t i = 0; i < np; i++) {
        fcp_mesh_peer_info pi;
        if (fcp_mesh_peer_info_get(d->mesh, i, &pi) == 0 && pi.up)
            up++;
    }
    gauge(o, "fcp_peers", "Configured peers", np);
    gauge(o, "fcp_sessions_up", "Peers with a live session", up);
    uint64_t objects = 0;
    for (size_t i = 0; i < d->cfg.n_zones; i++) {
        fcp_mesh_coverage c;
        if (d->mesh && fcp_mesh_zone_coverage(d->mesh, d->cfg.zones[i], &c) == 0)
            objects += c.objects;
    }
    gauge(o, "fcp_objects", "Objects known to this node (all served zones)", objects);
    gauge(o, "fcp_symbol_bytes", "Symbol bytes held by this node",
          d->mstore_open ? fcpd_symstore_bytes(d) : 0);
    counter(o, "fcp_symbols_stored_total", "Symbols stored", m.symbols_stored);
    counter(o, "fcp_symstore_commits_total", "Symbol-store transactions committed", d->sym.commits);
    counter(o, "fcp_symstore_commit_failures_total", "Symbol-store commits that failed (batch lost)",
            d->sym.commit_failures);
    counter(o, "fcp_symstore_commit_ms_total", "Milliseconds spent committing symbol batches",
            d->sym.commit_ns / 1000000u);
    counter(o, "fcp_symstore_unopenable_total",
            "Sealed symbol rows that failed to open and were dropped for repair (D-STORE-6)",
            d->sym.unopenable);
    counter(o, "fcp_tailscale_polls_total", "tailscaled LocalAPI status polls", d->ts_counters.polls);
    counter(o, "fcp_tailscale_poll_failures_total", "tailscaled LocalAPI polls that failed",
            d->ts_counters.poll_failures);
    counter(o, "fcp_tailscale_changes_total", "Discovery changes seen in tailscaled polls",
            d->ts_counters.changes);
    counter(o, "fcp_symbols_pushed_total", "Symbols pushed to peers", m.symbols_pushed);
    counter(o, "fcp_symbols_served_total", "Symbols served on request", m.symbols_served);
    counter(o, "fcp_symbols_received_total", "Symbols received", m.symbols_received);
    counter(o, "fcp_repairs_done_total", "Repairs completed", m.repairs_done);
    counter(o, "fcp_repair_symbols_total", "Symbols pushed by repair", m.repair_symbols);
    counter(o, "fcp_decodes_ok_total", "Successful decodes", m.decodes_ok);
    counter(o, "fcp_decodes_failed_total", "Failed decodes", m.decodes_failed);
    counter(o, "fcp_admin_requests_total", "Admin requests", d->n.admin_requests);
    counter(o, "fcp_admin_errors_total", "Admin requests refused", d->n.admin_errors);
    counter(o, "fcp_admin_refused_credentials_total", "Admin clients of another uid", d->n.admin_refused_cred);
    counter(o, "fcp_puts_total", "Objects put", d->n.puts);
    counter(o, "fcp_gets_total", "Objects returned by get", d->n.gets);
    hist(o, "fcp_put_duration_seconds", "Put latency: request to symbols pushed", &d->put_hist);
    hist(o, "fcp_get_duration_seconds", "Get latency: request to last byte queued", &d->get_hist);
    hist(o, "fcp_invoke_duration_seconds", "Invoke latency: request to answer queued (allow or deny)",
         &d->invoke_hist);
    gauge(o, "fcp_mesh_memory_bytes", "Bytes held in mesh queues, decoders and views",
          d->mesh ? fcp_mesh_memory_bytes(d->mesh) : 0);
    return o->err;
}

static void mconn_close(fcpd *d, fcpd_metrics_conn *m)
{
    fcp_net_loop_del(d->loop, m->c.fd);
    fcp_net_conn_close(&m->c);
    memset(m, 0, sizeof *m);
}

static fcpd *metrics_owner;

static void on_mconn(void *ctx, int fd, unsigned ev)
{
    fcpd_metrics_conn *m = ctx;
    fcpd *d = metrics_owner;
    (void)fd;
    if (!m->responded && (ev & (FCP_NET_EV_IN | FCP_NET_EV_ERR))) {
        if (fcp_net_conn_read(&m->c) < 0) {
            mconn_close(d, m);
            return;
        }
        char method[8], path[64];
        int rc = fcp_net_http_parse(m->c.in, m->c.in_len, method, sizeof method, path, sizeof path);
        if (rc == 0 && !m->c.eof && m->c.in_len < m->c.in_cap)
            return;
        fcp_buf body, resp;
        fcp_buf_init(&body);
        fcp_buf_init(&resp);
        if (rc == 1 && !strcmp(method, "GET") && !strcmp(path, "/metrics")) {
            fcpd_metrics_render(d, &body);
            fcp_net_http_response(&resp, 200, "OK", "text/plain; version=0.0.4", body.data, body.len);
        } else if (rc == 1) {
            fcp_net_http_response(&resp, 404, "Not Found", "text/plain", "only GET /metrics\n", 18);
        } else {
            fcp_net_http_response(&resp, 400, "Bad Request", "text/plain", "bad request\n", 12);
        }
        if (fcp_net_conn_queue(&m->c, resp.data, resp.len) < 0) {
            fcp_buf_free(&body);
            fcp_buf_free(&resp);
            mconn_close(d, m);
            return;
        }
        fcp_buf_free(&body);
        fcp_buf_free(&resp);
        m->responded = 1;
    }
    if (fcp_net_conn_flush(&m->c) < 0 || fcp_net_conn_pending(&m->c) == 0) {
        mconn_close(d, m);
        return;
    }
    fcp_net_loop_mod(d->loop, m->c.fd, FCP_NET_EV_OUT);
}

static void on_mlisten(void *ctx, int lfd, unsigned ev)
{
    fcpd *d = ctx;
    (void)ev;
    for (int i = 0; i < 8; i++) {
        int cfd;
        if (fcp_net_tcp_accept(lfd, &cfd) < 0)
            return;
        fcpd_metrics_conn *m = NULL;
        for (size_t k = 0; k < FCPD_MAX_METRICS && !m; k++)
            if (!d->mconn[k].used)
                m = &d->mconn[k];
        if (!m || fcp_net_conn_init(&m->c, cfd, FCP_NET_HTTP_REQUEST_MAX, 1u << 20) < 0) {
            if (m)
                fcp_net_conn_close(&m->c);
            else
                close(cfd);
            continue;
        }
        m->used = 1;
        m->responded = 0;
        m->t0 = fcpd_now_ns();
        if (fcp_net_loop_add(d->loop, cfd, FCP_NET_EV_IN, on_mconn, m) < 0)
            mconn_close(d, m);
    }
}

void fcpd_metrics_sweep(fcpd *d)
{
    uint64_t now = fcpd_now_ns();
    for (size_t i = 0; i < FCPD_MAX_METRICS; i++)
        if (d->mconn[i].used && now - d->mconn[i].t0 > FCPD_METRICS_REQ_NS)
            mconn_close(d, &d->mconn[i]);
}

int fcpd_metrics_start(fcpd *d)
{
    d->metrics_fd = -1;
    metrics_owner = d;
    if (!d->cfg.metrics_enabled)
        return 0;
    int rc = fcp_net_tcp_listen(&d->metrics_fd, d->cfg.metrics.host, d->cfg.metrics.port, &d->metrics_bound);
    if (rc < 0) {
        char a[FCP_CONFIG_ADDR_MAX + 1];
        fcp_config_format_addr(&d->cfg.metrics, a, sizeof a);
        fcp_log_field f[] = { FCP_LF_STR("address", a) };
        fcpd_log(d, FCP_LOG_ERROR, "metrics.listen", rc, f, 1);
        d->metrics_fd = -1;
        return rc;
    }
    char a[FCP_NET_ADDR_TEXT_MAX];
    fcp_net_addr_format(&d->metrics_bound, a, sizeof a);
    fcp_log_field f[] = { FCP_LF_STR("address", a) };
    fcpd_log(d, FCP_LOG_INFO, "metrics.listen", 0, f, 1);
    return fcp_net_loop_add(d->loop, d->metrics_fd, FCP_NET_EV_IN, on_mlisten, d);
}

void fcpd_metrics_stop(fcpd *d)
{
    for (size_t i = 0; i < FCPD_MAX_METRICS; i++)
        if (d->mconn[i].used)
            mconn_close(d, &d->mconn[i]);
    if (d->metrics_fd >= 0) {
        fcp_net_loop_del(d->loop, d->metrics_fd);
        close(d->metrics_fd);
        d->metrics_fd = -1;
    }
}
