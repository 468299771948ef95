/*
 * fuzz_datagram.c - libFuzzer target for the FCPS datagram receive path
 * (src/wire/wire_datagram.c): envelope, session MAC, frame decode, replay
 * windows.
 *
 * The input is a script of datagrams: [len u16le][mode u8][len bytes] ...
 * mode bit 0 asks the harness to fix up the MAC (so the fuzzer reaches the
 * frame decoder and the replay windows), bit 1 selects Suite2.  Properties:
 *   - no crash, no out-of-bounds read;
 *   - a datagram whose MAC was not fixed up is never accepted (the fuzzer
 *     cannot forge HMAC/BLAKE3), and a rejected datagram never changes any
 *     replay window;
 *   - the same datagram bytes are never accepted twice;
 *   - every call increments exactly one counter.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/crypto.h"
#include "fcp/datagram.h"
#include "fcp/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t SID[16] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
                                0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};

static uint64_t total(const fcp_dgram_counters *n)
{
    return n->accepted + n->too_short + n->too_large + n->bad_session + n->bad_mac + n->bad_frame +
           n->seq_mismatch + n->seq_zero + n->replay_stale + n->replay_duplicate + n->instances_full;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    static uint8_t key[32];
    static uint8_t dg[1400];
    if (!init) {
        if (fcp_crypto_init() != 0)
            abort();
        memset(key, 0x42, sizeof key);
        init = 1;
    }
    fcp_dgram_rx rx[2];
    for (int s = 0; s < 2; s++)
        if (fcp_dgram_rx_init(&rx[s], SID, key, (fcp_dgram_suite)(s + 1), FCP_WIRE_R2I, 1200) != 0)
            abort();
    size_t pos = 0, calls = 0;
    while (pos + 3 <= size) {
        size_t len = (size_t)(data[pos] | (data[pos + 1] << 8)) % sizeof dg;
        uint8_t mode = data[pos + 2];
        pos += 3;
        if (len > size - pos)
            len = size - pos;
        memcpy(dg, data + pos, len);
        pos += len;
        int s = (mode >> 1) & 1;
        int fixed = (mode & 1) && len >= FCP_DGRAM_HEADER_BYTES;
        if (fixed) {
            memcpy(dg, SID, 16);
            uint64_t seq = 0;
            for (int i = 7; i >= 0; i--)
                seq = (seq << 8) | dg[16 + i];
            if (fcp_dgram_mac(dg + 24, (fcp_dgram_suite)(s + 1), key, SID, FCP_WIRE_R2I, seq, dg + 40,
                              len - 40) != 0)
                abort();
        }
        fcp_dgram_rx_slot before[FCP_DGRAM_MAX_INSTANCES];
        memcpy(before, rx[s].slots, sizeof before);
        uint64_t acc = rx[s].n.accepted, tot = total(&rx[s].n);
        fcp_dgram d;
        fcp_fcps_frame f;
        int rc = fcp_dgram_rx_receive(&rx[s], dg, len, &d, &f);
        calls++;
        if (total(&rx[s].n) != tot + 1)
            abort();
        if (rc == 0) {
            if (!fixed || rx[s].n.accepted != acc + 1 || f.frame_bytes != len - 40)
                abort();
            /* the very same bytes again: must be refused as a replay */
            int rc2 = fcp_dgram_rx_receive(&rx[s], dg, len, &d, &f);
            if (rc2 != FCP_EREPLAY_DUPLICATE)
                abort();
        } else if (memcmp(before, rx[s].slots, sizeof before) != 0) {
            abort();
        }
    }
    (void)calls;
    return 0;
}
