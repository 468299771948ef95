/*
 * host_transport_test.c - local transport frames and messages, and the host
 * client against misbehaving connectors (forked children on a socketpair):
 * garbage, an oversized frame, silence, a reply to the wrong id, an early
 * exit.  Each must end the call with its own error, kill the child, and
 * leave the host unblocked.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fcp/cbor.h"
#include "fcp/error.h"
#include "fcp/host_transport.h"
#include "test.h"

static void test_frames(void)
{
    uint8_t h[FCP_LT_HEADER_BYTES];
    uint32_t len;
    CHECK_EQ(fcp_lt_header_encode(h, 5), 0);
    CHECK_EQ(fcp_lt_header_decode(h, 100, &len), 0);
    CHECK_EQ(len, 5);
    CHECK_EQ(fcp_lt_header_decode(h, 4, &len), FCP_EHOST_FRAME_TOO_LARGE);
    h[0] = 'X';
    CHECK_EQ(fcp_lt_header_decode(h, 100, &len), FCP_EHOST_FRAME);
    fcp_lt_header_encode(h, 5);
    h[4] = 2;
    CHECK_EQ(fcp_lt_header_decode(h, 100, &len), FCP_EHOST_FRAME);
    fcp_lt_header_encode(h, 5);
    h[6] = 1;
    CHECK_EQ(fcp_lt_header_decode(h, 100, &len), FCP_EHOST_FRAME);
    CHECK_EQ(fcp_lt_header_encode(h, (size_t)FCP_LT_HARD_MAX + 1), FCP_EHOST_FRAME_TOO_LARGE);

    /* message round trip, fed one byte at a time, two frames back to back */
    fcp_buf out;
    fcp_buf_init(&out);
    static const uint8_t body[] = {0xa1, 0x61, 0x61, 0x01}; /* {"a": 1} */
    fcp_lt_msg m = {"invoke", 0, 7, body, sizeof body, 0, NULL, 0};
    CHECK_EQ(fcp_lt_msg_encode(&m, &out), 0);
    fcp_lt_msg e = {"error", 0, 7, NULL, 0, 5133, "too slow", 0};
    CHECK_EQ(fcp_lt_msg_encode(&e, &out), 0);
    fcp_lt_rx rx;
    CHECK_EQ(fcp_lt_rx_init(&rx, 64), 0);
    size_t off = 0, used;
    int frames = 0;
    while (off < out.len) {
        int rc = fcp_lt_rx_feed(&rx, out.data + off, 1, &used);
        off += used;
        CHECK(rc >= 0);
        if (rc == 1) {
            size_t before = off;
            CHECK_EQ(fcp_lt_rx_feed(&rx, out.data + off, out.len - off, &used), 1);
            CHECK_EQ(used, 0); /* backpressure: nothing taken while a frame waits */
            CHECK_EQ(before, off);
            const uint8_t *p;
            size_t n;
            CHECK_EQ(fcp_lt_rx_take(&rx, &p, &n), 0);
            fcp_lt_msg d;
            CHECK_EQ(fcp_lt_msg_decode(p, n, &d), 0);
            if (frames == 0) {
                CHECK(fcp_lt_msg_is(&d, "invoke"));
                CHECK_EQ(d.id, 7);
                CHECK_EQ(d.body_len, sizeof body);
            } else {
                CHECK(fcp_lt_msg_is(&d, "error"));
                CHECK_EQ(d.code, 5133);
                CHECK(d.text_len == 8 && memcmp(d.text, "too slow", 8) == 0);
            }
            frames++;
        }
    }
    CHECK_EQ(frames, 2);
    fcp_lt_rx_free(&rx);

    /* non-canonical or unknown-key messages are refused */
    static const uint8_t unknown[] = {0xa3, 0x61, 0x74, 0x61, 0x78, 0x62, 0x69, 0x64, 0x00, 0x63, 0x7a, 0x7a, 0x7a, 0x01};
    fcp_lt_msg d;
    CHECK_EQ(fcp_lt_msg_decode(unknown, sizeof unknown, &d), FCP_EHOST_MESSAGE);
    static const uint8_t unsorted[] = {0xa2, 0x62, 0x69, 0x64, 0x00, 0x61, 0x74, 0x61, 0x78};
    CHECK_EQ(fcp_lt_msg_decode(unsorted, sizeof unsorted, &d), FCP_EHOST_MESSAGE);
    static const uint8_t no_id[] = {0xa1, 0x61, 0x74, 0x61, 0x78};
    CHECK_EQ(fcp_lt_msg_decode(no_id, sizeof no_id, &d), FCP_EHOST_MESSAGE);
    static const uint8_t err_no_code[] = {0xa2, 0x61, 0x74, 0x65, 'e', 'r', 'r', 'o', 'r', 0x62, 0x69, 0x64, 0x00};
    CHECK_EQ(fcp_lt_msg_decode(err_no_code, sizeof err_no_code, &d), FCP_EHOST_MESSAGE);
    /* a body that is not canonical CBOR is refused at encode time */
    static const uint8_t bad_body[] = {0x18, 0x01};
    fcp_lt_msg bb = {"invoke", 0, 1, bad_body, sizeof bad_body, 0, NULL, 0};
    CHECK_EQ(fcp_lt_msg_encode(&bb, &out), FCP_EHOST_MESSAGE);
    fcp_buf_free(&out);
}

/* conformance/golden/manifest/transport.json (independent generator):
 * our encoder produces each frame byte for byte and the decoder reads it. */
static void test_golden(void)
{
    FILE *f = fopen("conformance/golden/manifest/transport.json", "rb");
    CHECK(f != NULL);
    if (!f) return;
    json_error_t je;
    json_t *doc = json_loadf(f, 0, &je);
    fclose(f);
    json_t *frames = json_object_get(doc, "frames");
    CHECK(json_array_size(frames) == 4);
    for (size_t i = 0; i < json_array_size(frames); i++) {
        json_t *e = json_array_get(frames, i);
        size_t fl = 0, bl = 0;
        uint8_t *want = fcp_t_unhex(fcp_t_jstr(e, "frame_hex"), &fl);
        const char *bh = fcp_t_jstr(e, "body_hex");
        uint8_t *body = bh[0] ? fcp_t_unhex(bh, &bl) : NULL;
        fcp_lt_msg m = {fcp_t_jstr(e, "t"), 0, (uint64_t)json_integer_value(json_object_get(e, "id")),
                        body, bl, json_integer_value(json_object_get(e, "code")),
                        json_object_get(e, "msg") ? fcp_t_jstr(e, "msg") : NULL, 0};
        fcp_buf out;
        fcp_buf_init(&out);
        CHECK_EQ(fcp_lt_msg_encode(&m, &out), 0);
        CHECK_EQ(out.len, fl);
        if (want && out.len == fl) CHECK_MEM(out.data, want, fl);
        fcp_lt_msg d;
        CHECK(want && fl > FCP_LT_HEADER_BYTES);
        if (want && fl > FCP_LT_HEADER_BYTES) {
            CHECK_EQ(fcp_lt_msg_decode(want + FCP_LT_HEADER_BYTES, fl - FCP_LT_HEADER_BYTES, &d), 0);
            CHECK(fcp_lt_msg_is(&d, m.type));
            CHECK_EQ(d.id, m.id);
        }
        fcp_buf_free(&out);
        free(want);
        free(body);
    }
    json_decref(doc);
}

/* ---- misbehaving children ------------------------------------------------ */

enum behave { GARBAGE, OVERSIZE, SILENT, WRONG_ID, EXIT_EARLY, GOOD, ERROR_REPLY, EGRESS, LONG_ERROR };

static void child(int fd, enum behave b)
{
    uint8_t buf[4096];
    ssize_t r = read(fd, buf, sizeof buf); /* the request */
    (void)r;
    fcp_buf out;
    fcp_buf_init(&out);
    static const uint8_t nul = 0xf6;
    switch (b) {
    case GARBAGE: {
        static const char g[] = "HTTP/1.1 200 OK\r\n\r\nhello";
        r = write(fd, g, sizeof g);
        break;
    }
    case OVERSIZE: {
        uint8_t h[FCP_LT_HEADER_BYTES];
        fcp_lt_header_encode(h, 8u << 20);
        r = write(fd, h, sizeof h);
        break;
    }
    case SILENT:
        for (int i = 0; i < 600; i++) sleep(1); /* killed by the host long before */
        break;
    case WRONG_ID: {
        fcp_lt_msg m = {"response", 0, 99, &nul, 1, 0, NULL, 0};
        fcp_lt_msg_encode(&m, &out);
        r = write(fd, out.data, out.len);
        break;
    }
    case EXIT_EARLY:
        break;
    case GOOD: {
        fcp_lt_msg m = {"response", 0, 1, &nul, 1, 0, NULL, 0};
        fcp_lt_msg_encode(&m, &out);
        r = write(fd, out.data, out.len);
        break;
    }
    case ERROR_REPLY: {
        fcp_lt_msg m = {"error", 0, 1, NULL, 0, 3001, "no", 0};
        fcp_lt_msg_encode(&m, &out);
        r = write(fd, out.data, out.len);
        break;
    }
    case LONG_ERROR: {
        /* 300 two-byte characters: clipped to 512 bytes by the encoder, then to
         * the host's why[] at a code point boundary */
        char t[601];
        for (int i = 0; i < 300; i++) memcpy(t + 2 * i, "\xc3\xa9", 2);
        t[600] = 0;
        fcp_lt_msg m = {"error", 0, 1, NULL, 0, 3001, t, 0};
        fcp_lt_msg_encode(&m, &out);
        r = write(fd, out.data, out.len);
        break;
    }
    case EGRESS: {
        /* ask the host for egress, then answer with what the host said */
        fcp_lt_msg m = {"egress_http", 0, 1, &nul, 1, 0, NULL, 0};
        fcp_lt_msg_encode(&m, &out);
        r = write(fd, out.data, out.len);
        r = read(fd, buf, sizeof buf);
        fcp_buf_reset(&out);
        fcp_lt_msg_decode(buf + FCP_LT_HEADER_BYTES, (size_t)r - FCP_LT_HEADER_BYTES, &m);
        fcp_lt_msg resp = {"response", 0, 1, m.body, m.body_len, 0, NULL, 0};
        fcp_lt_msg_encode(&resp, &out);
        r = write(fd, out.data, out.len);
        break;
    }
    }
    fcp_buf_free(&out);
    _exit(0);
}

static int served;
static int on_req(void *user, fcp_host_conn *c, const fcp_lt_msg *req, fcp_buf *reply)
{
    (void)user;
    (void)c;
    served++;
    CHECK(fcp_lt_msg_is(req, "egress_http"));
    return fcp_buf_put_u8(reply, 0x07); /* uint 7 */
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1000.0 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void run(enum behave b, int want, uint32_t timeout_ms)
{
    int sv[2];
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        child(sv[1], b);
    }
    setpgid(pid, pid);
    close(sv[1]);
    fcp_host_conn c;
    CHECK_EQ(fcp_host_attach(&c, sv[0], pid, 4096), 0);
    c.on_request = on_req;
    fcp_buf r;
    fcp_buf_init(&r);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = fcp_host_call(&c, "health", NULL, 0, timeout_ms, &r);
    if (!CHECK_EQ(rc, want)) fprintf(stderr, "  behaviour %d: %s\n", (int)b, c.why);
    /* never waits much past the deadline, whatever the child does */
    CHECK(ms_since(&t0) < timeout_ms + 2000.0);
    if (want < 0 && want != FCP_ECAP_DENIED) {
        CHECK(c.dead);
        CHECK(c.why[0] != '\0');
        CHECK_EQ(c.pid, 0); /* killed and reaped */
        CHECK_EQ(fcp_host_call(&c, "health", NULL, 0, 100, NULL), want); /* stays dead */
    }
    if (b == EGRESS) {
        CHECK_EQ(served, 1);
        CHECK(r.len == 1 && r.data[0] == 0x07);
    }
    if (b == GOOD) CHECK(r.len == 1 && r.data[0] == 0xf6);
    if (b == LONG_ERROR) {
        /* why[256] holds 127 whole characters, never half of one */
        CHECK_EQ(strlen(c.why), 254);
        CHECK(fcp_utf8_valid((const uint8_t *)c.why, strlen(c.why)));
    }
    fcp_buf_free(&r);
    fcp_host_close(&c, 200);
    CHECK_EQ(c.fd, -1);
    CHECK_EQ(c.pid, 0);
}

/* D-MANIFEST-7: an error msg is clipped to FCP_LT_MSG_TEXT_MAX bytes of valid
 * UTF-8 at a code point boundary (golden cases from an independent
 * generator); the frame then encodes and decodes, where a cut inside a
 * sequence used to make the encoder fail with FCP_ECBOR_UTF8. */
static void test_text_clip(void)
{
    FILE *f = fopen("conformance/golden/manifest/text_clip.json", "rb");
    CHECK(f != NULL);
    if (!f) return;
    json_error_t je;
    json_t *doc = json_loadf(f, 0, &je);
    fclose(f);
    CHECK_EQ(json_integer_value(json_object_get(doc, "max")), FCP_LT_MSG_TEXT_MAX);
    json_t *cases = json_object_get(doc, "cases");
    CHECK(json_array_size(cases) >= 10);
    for (size_t i = 0; i < json_array_size(cases); i++) {
        json_t *e = json_array_get(cases, i);
        size_t il = 0, ol = 0;
        const char *ih = fcp_t_jstr(e, "in_hex"), *oh = fcp_t_jstr(e, "out_hex");
        uint8_t *in = ih[0] ? fcp_t_unhex(ih, &il) : NULL;
        uint8_t *want = oh[0] ? fcp_t_unhex(oh, &ol) : NULL;
        char out[FCP_LT_MSG_TEXT_MAX];
        size_t n = fcp_lt_text_clip((const char *)in, il, FCP_LT_MSG_TEXT_MAX, out);
        if (!CHECK_EQ(n, ol)) fprintf(stderr, "  case %s\n", fcp_t_jstr(e, "name"));
        if (n == ol && ol) CHECK_MEM(out, want, ol);
        /* through the encoder: NUL-terminated text without inner NULs */
        if (!memchr(in ? (const void *)in : "", 0, il)) {
            char *z = calloc(1, il + 1);
            if (il) memcpy(z, in, il);
            fcp_lt_msg m = {"error", 0, 7, NULL, 0, FCP_ECAP_DENIED, z, 0};
            fcp_buf fr;
            fcp_buf_init(&fr);
            CHECK_EQ(fcp_lt_msg_encode(&m, &fr), 0);
            fcp_lt_msg d;
            if (CHECK(fr.len > FCP_LT_HEADER_BYTES) &&
                CHECK_EQ(fcp_lt_msg_decode(fr.data + FCP_LT_HEADER_BYTES, fr.len - FCP_LT_HEADER_BYTES, &d), 0)) {
                CHECK_EQ(d.text_len, ol);
                if (d.text_len == ol && ol) CHECK_MEM(d.text, want, ol);
            }
            fcp_buf_free(&fr);
            free(z);
        }
        free(in);
        free(want);
    }
    json_decref(doc);
    /* a smaller limit, and the limit 0 */
    char o4[4];
    CHECK_EQ(fcp_lt_text_clip("ab\xc3\xa9", 4, 3, o4), 2);
    CHECK_EQ(fcp_lt_text_clip("abc", 3, 0, o4), 0);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    test_frames();
    test_golden();
    test_text_clip();
    run(GOOD, 0, 2000);
    run(ERROR_REPLY, FCP_ECAP_DENIED, 2000);
    run(LONG_ERROR, FCP_ECAP_DENIED, 2000);
    run(EGRESS, 0, 2000);
    run(GARBAGE, FCP_EHOST_FRAME, 2000);
    run(OVERSIZE, FCP_EHOST_FRAME_TOO_LARGE, 2000);
    run(SILENT, FCP_EHOST_TIMEOUT, 300);
    run(WRONG_ID, FCP_EHOST_UNEXPECTED, 2000);
    run(EXIT_EARLY, FCP_EHOST_CLOSED, 2000);
    return fcp_t_done("host_transport_test");
}
