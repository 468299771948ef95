/*
 * net_loop_test.c - the net/ adapters on loopback only: epoll dispatch and
 * safe removal inside a batch, signalfd, UDP send/receive with the 1200-byte
 * limit both ways, the admin unix socket (mode 0600, SO_PEERCRED, stale and
 * live socket files), bounded connection buffers and the HTTP parser.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fcp/error.h"
#include "fcp/net.h"
#include "test.h"

struct hit { int calls; fcp_net_loop *l; int other_fd; };

static void cb_count(void *ctx, int fd, unsigned ev)
{
    struct hit *h = ctx;
    h->calls++;
    char b[16];
    if (ev & FCP_NET_EV_IN)
        (void)!read(fd, b, sizeof b);
    if (h->other_fd >= 0)
        fcp_net_loop_del(h->l, h->other_fd);
}

static void loop_tests(void)
{
    fcp_net_loop *l;
    CHECK_EQ(fcp_net_loop_new(&l), 0);
    int p1[2], p2[2];
    CHECK_EQ(pipe(p1), 0);
    CHECK_EQ(pipe(p2), 0);
    struct hit a = { 0, l, p2[0] }, b = { 0, l, p1[0] };
    CHECK_EQ(fcp_net_loop_add(l, p1[0], FCP_NET_EV_IN, cb_count, &a), 0);
    CHECK_EQ(fcp_net_loop_add(l, p2[0], FCP_NET_EV_IN, cb_count, &b), 0);
    CHECK_ERR(fcp_net_loop_add(l, p2[0], FCP_NET_EV_IN, cb_count, &b), FCP_EINVAL);
    CHECK_EQ(fcp_net_loop_count(l), 2);
    CHECK_EQ(fcp_net_loop_run_once(l, 0), 0);   /* nothing ready */
    (void)!write(p1[1], "x", 1);
    (void)!write(p2[1], "y", 1);
    /* both are ready; whichever runs first removes the other: exactly one call */
    CHECK_EQ(fcp_net_loop_run_once(l, 1000), 1);
    CHECK_EQ(a.calls + b.calls, 1);
    CHECK_EQ(fcp_net_loop_count(l), 1);
    CHECK_EQ(fcp_net_loop_del(l, 12345), 0);
    fcp_net_loop_free(l);
    close(p1[0]); close(p1[1]); close(p2[0]); close(p2[1]);
}

static void signal_tests(void)
{
    int sfd, signo = 0;
    CHECK_EQ(fcp_net_signalfd_open(&sfd), 0);
    CHECK_EQ(fcp_net_signalfd_read(sfd, &signo), 0);
    raise(SIGHUP);
    CHECK_EQ(fcp_net_signalfd_read(sfd, &signo), 1);
    CHECK_EQ(signo, SIGHUP);
    close(sfd);
}

static void udp_tests(void)
{
    int a, b;
    fcp_net_addr aa, ba, from;
    CHECK_EQ(fcp_net_udp_open(&a, "127.0.0.1", 0, &aa), 0);
    CHECK_EQ(fcp_net_udp_open(&b, "127.0.0.1", 0, &ba), 0);
    CHECK(fcp_net_addr_port(&aa) != 0);
    uint8_t msg[FCP_NET_UDP_MAX_PAYLOAD + 1], got[2048];
    memset(msg, 0x5a, sizeof msg);
    CHECK_EQ(fcp_net_udp_send(a, msg, FCP_NET_UDP_MAX_PAYLOAD, &ba), 0);
    CHECK_ERR(fcp_net_udp_send(a, msg, sizeof msg, &ba), FCP_ENET_DATAGRAM_SIZE);
    int n = -1;
    for (int i = 0; i < 200 && (n = fcp_net_udp_recv(b, got, sizeof got, &from)) == FCP_ENOENT; i++)
        usleep(1000);
    CHECK_EQ(n, FCP_NET_UDP_MAX_PAYLOAD);
    CHECK(fcp_net_addr_equal(&from, &aa));
    char text[FCP_NET_ADDR_TEXT_MAX];
    fcp_net_addr_format(&from, text, sizeof text);
    CHECK(!strncmp(text, "127.0.0.1:", 10));
    /* an oversized datagram from a raw socket is consumed and reported */
    int raw = socket(AF_INET, SOCK_DGRAM, 0);
    uint8_t big[1500];
    memset(big, 1, sizeof big);
    CHECK(sendto(raw, big, sizeof big, 0, (struct sockaddr *)&ba.ss, ba.len) == (ssize_t)sizeof big);
    for (int i = 0; i < 200 && (n = fcp_net_udp_recv(b, got, sizeof got, &from)) == FCP_ENOENT; i++)
        usleep(1000);
    CHECK_ERR(n, FCP_ENET_DATAGRAM_SIZE);
    CHECK_ERR(fcp_net_udp_recv(b, got, sizeof got, &from), FCP_ENOENT);
    close(raw);
    /* IPv6 loopback when the host has it */
    int c;
    fcp_net_addr ca;
    if (fcp_net_udp_open(&c, "::1", 0, &ca) == 0) {
        fcp_net_addr_format(&ca, text, sizeof text);
        CHECK(!strncmp(text, "[::1]:", 6));
        close(c);
    }
    CHECK_ERR(fcp_net_udp_open(&c, "not an address!", 1, NULL), FCP_ENET_ADDRESS);
    close(a);
    close(b);
}

static void unix_tests(void)
{
    char dir[] = "/tmp/fcp-net-test-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/fcpd.sock", dir);
    int lfd, cfd, sfd;
    CHECK_EQ(fcp_net_unix_listen(&lfd, path), 0);
    struct stat st;
    CHECK_EQ(stat(path, &st), 0);
    CHECK_EQ(st.st_mode & 0777, 0600);
    /* a second daemon on the same path is refused while the first listens */
    CHECK_ERR(fcp_net_unix_listen(&sfd, path), FCP_EDAEMON_RUNNING);
    CHECK_EQ(fcp_net_unix_accept(lfd, &sfd, getuid()), 0);   /* that probe */
    close(sfd);
    CHECK_ERR(fcp_net_unix_accept(lfd, &sfd, getuid()), FCP_ENOENT);
    CHECK_EQ(fcp_net_unix_connect(&cfd, path), 0);
    CHECK_EQ(fcp_net_unix_accept(lfd, &sfd, getuid()), 0);
    /* bounded connection buffers */
    fcp_net_conn c;
    CHECK_EQ(fcp_net_conn_init(&c, sfd, 8, 16), 0);
    CHECK(write(cfd, "0123456789abc", 13) == 13);
    usleep(10000);
    CHECK_EQ(fcp_net_conn_read(&c), 8);       /* input capped at 8 */
    CHECK_EQ(fcp_net_conn_read(&c), 0);
    fcp_net_conn_consume(&c, 3);
    CHECK_EQ(c.in_len, 5);
    CHECK_EQ(fcp_net_conn_read(&c), 3);
    CHECK_MEM(c.in, "3456789a", 8);
    CHECK_EQ(fcp_net_conn_queue(&c, "0123456789", 10), 0);
    CHECK_ERR(fcp_net_conn_queue(&c, "0123456789", 10), FCP_ELIMIT);
    CHECK_EQ(fcp_net_conn_flush(&c), 0);
    CHECK_EQ(fcp_net_conn_pending(&c), 0);
    char back[16];
    CHECK(read(cfd, back, sizeof back) == 10);
    close(cfd);
    usleep(10000);
    fcp_net_conn_consume(&c, c.in_len);
    CHECK_EQ(fcp_net_conn_read(&c), 2);       /* "bc" */
    CHECK_EQ(fcp_net_conn_read(&c), 0);
    CHECK(c.eof);
    fcp_net_conn_close(&c);
    /* a client of another uid is refused (we cannot fork as another user,
     * so ask for a uid nobody here runs as) */
    CHECK_EQ(fcp_net_unix_connect(&cfd, path), 0);
    CHECK_ERR(fcp_net_unix_accept(lfd, &sfd, getuid() + 1), FCP_ENET_PEER_CRED);
    close(cfd);
    close(lfd);
    /* the listener is gone but the file stays: a stale socket is replaced */
    CHECK_EQ(stat(path, &st), 0);
    CHECK_EQ(fcp_net_unix_listen(&lfd, path), 0);
    close(lfd);
    unlink(path);
    /* a regular file at the path is never deleted */
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f)
        fclose(f);
    CHECK_ERR(fcp_net_unix_listen(&lfd, path), FCP_ENET_SOCKET);
    CHECK_EQ(stat(path, &st), 0);
    unlink(path);
    CHECK_ERR(fcp_net_unix_connect(&cfd, path), FCP_EADMIN_CONNECT);
    char longp[200];
    memset(longp, 'a', sizeof longp - 1);
    longp[0] = '/';
    longp[sizeof longp - 1] = 0;
    CHECK_ERR(fcp_net_unix_listen(&lfd, longp), FCP_ENET_ADDRESS);
    rmdir(dir);
}

static void http_tests(void)
{
    char m[8], p[64];
    const char *r1 = "GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n";
    CHECK_EQ(fcp_net_http_parse((const uint8_t *)r1, strlen(r1), m, sizeof m, p, sizeof p), 1);
    CHECK(!strcmp(m, "GET") && !strcmp(p, "/metrics"));
    CHECK_EQ(fcp_net_http_parse((const uint8_t *)r1, 20, m, sizeof m, p, sizeof p), 0);
    const char *r2 = "get /x HTTP/1.0\r\n\r\n";
    CHECK_ERR(fcp_net_http_parse((const uint8_t *)r2, strlen(r2), m, sizeof m, p, sizeof p), FCP_EINVAL);
    const char *r3 = "GET metrics\n\n";
    CHECK_ERR(fcp_net_http_parse((const uint8_t *)r3, strlen(r3), m, sizeof m, p, sizeof p), FCP_EINVAL);
    uint8_t *junk = malloc(FCP_NET_HTTP_REQUEST_MAX);
    memset(junk, 'A', FCP_NET_HTTP_REQUEST_MAX);
    CHECK_ERR(fcp_net_http_parse(junk, FCP_NET_HTTP_REQUEST_MAX, m, sizeof m, p, sizeof p), FCP_ELIMIT);
    free(junk);
    fcp_buf o;
    fcp_buf_init(&o);
    CHECK_EQ(fcp_net_http_response(&o, 200, "OK", "text/plain", "abc", 3), 0);
    const char *want = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
                       "Connection: close\r\n\r\nabc";
    CHECK(o.len == strlen(want) && !memcmp(o.data, want, o.len));
    fcp_buf_free(&o);
    int lfd, cfd;
    fcp_net_addr ta;
    CHECK_EQ(fcp_net_tcp_listen(&lfd, "127.0.0.1", 0, &ta), 0);
    CHECK_ERR(fcp_net_tcp_accept(lfd, &cfd), FCP_ENOENT);
    close(lfd);
}

int main(void)
{
    loop_tests();
    signal_tests();
    udp_tests();
    unix_tests();
    http_tests();
    return fcp_t_done("net_loop_test");
}
