/*
 * net_quic_udp.c - datagram socket I/O for the QUIC carrier.  Unlike
 * fcp_net_udp_send/recv (spec §4.2's 1200-byte ceiling for raw FCPS), QUIC
 * packets may reach FCP_QUIC_MAX_UDP_PAYLOAD once path-MTU discovery has
 * proved the path carries them (D-QUIC-4).  The socket is one from
 * fcp_net_udp_open: non-blocking, never fragmenting, so a probe larger than
 * the path is refused locally (EMSGSIZE) or lost, which is what probing wants.
 */
#include <errno.h>
#include <sys/socket.h>

#include "fcp/error.h"
#include "fcp/net_quic.h"

int fcp_quic_udp_send(int fd, const uint8_t *buf, size_t len, const fcp_net_addr *to)
{
    ssize_t n;

    if (len > FCP_QUIC_MAX_UDP_PAYLOAD)
        return FCP_ENET_DATAGRAM_SIZE;
    do
        n = sendto(fd, buf, len, MSG_DONTWAIT, (const struct sockaddr *)&to->ss, to->len);
    while (n < 0 && errno == EINTR);
    if (n == (ssize_t)len)
        return 0;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS))
        return FCP_ELIMIT;
    if (n < 0 && errno == EMSGSIZE)
        return FCP_ENET_DATAGRAM_SIZE;
    return FCP_ENET_SOCKET;
}

int fcp_quic_udp_recv(int fd, uint8_t *buf, size_t cap, fcp_net_addr *from)
{
    ssize_t n;

    from->len = sizeof from->ss;
    do
        n = recvfrom(fd, buf, cap, MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)&from->ss, &from->len);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? FCP_ENOENT : FCP_ENET_SOCKET;
    if ((size_t)n > cap)
        return FCP_ENET_DATAGRAM_SIZE; /* truncated: consumed and dropped */
    return (int)n;
}
