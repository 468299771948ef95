/*
 * fcps.c - FCPS frame header and symbol-record codec, and MTU sizing.
 *
 * Shape of the module: one validating decoder (fcp_fcps_decode) that performs
 * every check in the reference decoder's order before returning pointers into
 * the caller's buffer, and encoders that refuse to produce what the decoder
 * with the same limits would reject.  No allocation anywhere: the largest
 * thing touched is the caller's buffer, whose length is checked first.
 */
#include "fcp/fcps.h"

#include <string.h>

#include "fcp/buf.h"
#include "fcp/error.h"

/* Header field offsets (D-WIRE-3 layout, upstream fcps_frames vectors). */
enum {
    OFF_MAGIC = 0, OFF_VERSION = 4, OFF_FLAGS = 6, OFF_COUNT = 8, OFF_TOTAL = 12,
    OFF_OBJECT_ID = 16, OFF_SYMBOL_SIZE = 48, OFF_ZONE_KEY_ID = 50, OFF_ZONE_ID_HASH = 58,
    OFF_EPOCH = 90, OFF_INSTANCE = 98, OFF_FRAME_SEQ = 106
};

void fcp_fcps_limits_default(fcp_fcps_limits *l)
{
    fcp_fcps_limits_for_datagram(l, FCP_WIRE_DEFAULT_MAX_DATAGRAM);
}

void fcp_fcps_limits_for_datagram(fcp_fcps_limits *l, size_t max_datagram)
{
    l->max_frame_bytes = max_datagram > FCP_WIRE_DATAGRAM_HEADER_BYTES
                             ? max_datagram - FCP_WIRE_DATAGRAM_HEADER_BYTES : 0;
    l->min_symbol_size = FCP_FCPS_MIN_SYMBOL_SIZE;
    l->max_symbol_size = FCP_FCPS_MAX_SYMBOL_SIZE;
    l->max_symbol_count = FCP_FCPS_MAX_SYMBOL_COUNT;
}

void fcp_fcps_limits_upstream(fcp_fcps_limits *l, size_t max_frame_bytes)
{
    l->max_frame_bytes = max_frame_bytes;
    l->min_symbol_size = 1;
    l->max_symbol_size = 0xFFFFu;
    l->max_symbol_count = 0xFFFFFFFFu;
}

int fcp_fcps_flags_check(uint16_t flags)
{
    /* spec §4.4; fail closed on anything we cannot interpret */
    if (flags & ~FCP_FCPS_FLAGS_KNOWN)
        return FCP_EFCPS_FLAGS_UNKNOWN;
    if ((flags & FCP_FCPS_FLAG_ERROR) && (flags & FCP_FCPS_FLAG_RESPONSE))
        return FCP_EFCPS_FLAGS_ERROR_RESPONSE;
    if ((flags & FCP_FCPS_FLAG_STREAM_END) && !(flags & FCP_FCPS_FLAG_STREAMING))
        return FCP_EFCPS_FLAGS_STREAM_END;
    return 0;
}

int fcp_fcps_header_decode(const uint8_t *buf, size_t len, fcp_fcps_header *h)
{
    memset(h, 0, sizeof *h);
    if (len < FCP_FCPS_HEADER_BYTES)
        return FCP_EFCPS_TOO_SHORT;
    if (memcmp(buf + OFF_MAGIC, FCP_FCPS_MAGIC, 4) != 0)
        return FCP_EFCPS_MAGIC;
    uint16_t version = fcp_load_u16le(buf + OFF_VERSION);
    if (version != FCP_FCPS_VERSION)
        return FCP_EFCPS_VERSION;
    uint16_t flags = fcp_load_u16le(buf + OFF_FLAGS);
    int rc = fcp_fcps_flags_check(flags);
    if (rc)
        return rc;
    h->version = version;
    h->flags = flags;
    h->symbol_count = fcp_load_u32le(buf + OFF_COUNT);
    h->total_payload_len = fcp_load_u32le(buf + OFF_TOTAL);
    h->object_id = buf + OFF_OBJECT_ID;
    h->symbol_size = fcp_load_u16le(buf + OFF_SYMBOL_SIZE);
    h->zone_key_id = buf + OFF_ZONE_KEY_ID;
    h->zone_id_hash = buf + OFF_ZONE_ID_HASH;
    h->epoch_id = fcp_load_u64le(buf + OFF_EPOCH);
    h->sender_instance_id = fcp_load_u64le(buf + OFF_INSTANCE);
    h->frame_seq = fcp_load_u64le(buf + OFF_FRAME_SEQ);
    return 0;
}

/* The shape checks shared by decode and encode, in decode order, starting
 * after the flags. */
static int check_shape(const fcp_fcps_limits *lim, uint32_t count, uint16_t symbol_size,
                       uint64_t total_payload_len)
{
    if (symbol_size == 0 || symbol_size < lim->min_symbol_size || symbol_size > lim->max_symbol_size)
        return FCP_EFCPS_SYMBOL_SIZE;
    /* 64-bit: at most (2^32-1) * (22+65535), no overflow possible */
    uint64_t expect = (uint64_t)count * FCP_FCPS_RECORD_BYTES(symbol_size);
    if (total_payload_len != expect)
        return FCP_EFCPS_LENGTH_MISMATCH;
    if (count == 0 || count > lim->max_symbol_count)
        return FCP_EFCPS_SYMBOL_COUNT;
    return 0;
}

int fcp_fcps_decode(const uint8_t *buf, size_t len, const fcp_fcps_limits *lim, fcp_fcps_frame *f)
{
    memset(f, 0, sizeof *f);
    /* upstream decode_validation_order: the size cap comes first, so an
     * oversized input is refused before any byte of it is interpreted */
    if (len > lim->max_frame_bytes)
        return FCP_EFCPS_EXCEEDS_MTU;
    fcp_fcps_header h;
    int rc = fcp_fcps_header_decode(buf, len, &h);
    if (rc)
        return rc;
    rc = check_shape(lim, h.symbol_count, h.symbol_size, h.total_payload_len);
    if (rc)
        return rc;
    if ((uint64_t)len != (uint64_t)FCP_FCPS_HEADER_BYTES + h.total_payload_len)
        return FCP_EFCPS_FRAME_SIZE_MISMATCH;
    f->h = h;
    f->records = buf + FCP_FCPS_HEADER_BYTES;
    f->record_bytes = FCP_FCPS_RECORD_BYTES(h.symbol_size);
    f->frame_bytes = len;
    return 0;
}

void fcp_fcps_record_at(const fcp_fcps_frame *f, uint32_t i, fcp_fcps_record *r)
{
    const uint8_t *p = f->records + (size_t)i * f->record_bytes;
    r->esi = fcp_load_u32le(p);
    r->k = fcp_load_u16le(p + 4);
    r->data = p + 6;
    r->tag = p + 6 + f->h.symbol_size;
}

int fcp_fcps_record_decode(const uint8_t *buf, size_t len, uint16_t symbol_size, fcp_fcps_record *r)
{
    memset(r, 0, sizeof *r);
    if (len < FCP_FCPS_RECORD_BYTES(symbol_size))
        return FCP_EFCPS_RECORD_TRUNCATED;
    r->esi = fcp_load_u32le(buf);
    r->k = fcp_load_u16le(buf + 4);
    r->data = buf + 6;
    r->tag = buf + 6 + symbol_size;
    return 0;
}

int fcp_fcps_header_encode(uint8_t out[FCP_FCPS_HEADER_BYTES], const fcp_fcps_header *h)
{
    int rc = fcp_fcps_flags_check(h->flags);
    if (rc)
        return rc;
    uint64_t total = (uint64_t)h->symbol_count * FCP_FCPS_RECORD_BYTES(h->symbol_size);
    if (total > 0xFFFFFFFFu)
        return FCP_EFCPS_LENGTH_MISMATCH;
    memcpy(out + OFF_MAGIC, FCP_FCPS_MAGIC, 4);
    fcp_store_u16le(out + OFF_VERSION, FCP_FCPS_VERSION);
    fcp_store_u16le(out + OFF_FLAGS, h->flags);
    fcp_store_u32le(out + OFF_COUNT, h->symbol_count);
    fcp_store_u32le(out + OFF_TOTAL, (uint32_t)total);
    memmove(out + OFF_OBJECT_ID, h->object_id, FCP_FCPS_OBJECT_ID_BYTES);
    fcp_store_u16le(out + OFF_SYMBOL_SIZE, h->symbol_size);
    memmove(out + OFF_ZONE_KEY_ID, h->zone_key_id, FCP_FCPS_ZONE_KEY_ID_BYTES);
    memmove(out + OFF_ZONE_ID_HASH, h->zone_id_hash, FCP_FCPS_ZONE_ID_HASH_BYTES);
    fcp_store_u64le(out + OFF_EPOCH, h->epoch_id);
    fcp_store_u64le(out + OFF_INSTANCE, h->sender_instance_id);
    fcp_store_u64le(out + OFF_FRAME_SEQ, h->frame_seq);
    return 0;
}

void fcp_fcps_record_encode(uint8_t *out, uint16_t symbol_size, uint32_t esi, uint16_t k,
                            const uint8_t *data, const uint8_t *tag)
{
    fcp_store_u32le(out, esi);
    fcp_store_u16le(out + 4, k);
    if (out + 6 != data)
        memmove(out + 6, data, symbol_size);
    if (tag == NULL)
        memset(out + 6 + symbol_size, 0, FCP_FCPS_TAG_BYTES);
    else if (out + 6 + symbol_size != tag)
        memmove(out + 6 + symbol_size, tag, FCP_FCPS_TAG_BYTES);
}

int fcp_fcps_encode(uint8_t *out, size_t cap, size_t *out_len, const fcp_fcps_header *h,
                    const fcp_fcps_record *records, uint32_t n, const fcp_fcps_limits *lim)
{
    *out_len = 0;
    int rc = fcp_fcps_flags_check(h->flags);
    if (rc)
        return rc;
    uint64_t total = (uint64_t)n * FCP_FCPS_RECORD_BYTES(h->symbol_size);
    rc = check_shape(lim, n, h->symbol_size, total);
    if (rc)
        return rc;
    if (total > 0xFFFFFFFFu)
        return FCP_EFCPS_LENGTH_MISMATCH;
    uint64_t frame = FCP_FCPS_HEADER_BYTES + total;
    if (frame > lim->max_frame_bytes)
        return FCP_EFCPS_EXCEEDS_MTU;
    if (frame > cap)
        return FCP_EBUFFER_TOO_SMALL;
    /* Records first: one of them may be built in place right after the
     * header, and nothing here reads the header area. */
    size_t rb = FCP_FCPS_RECORD_BYTES(h->symbol_size);
    for (uint32_t i = 0; i < n; i++)
        fcp_fcps_record_encode(out + FCP_FCPS_HEADER_BYTES + (size_t)i * rb, h->symbol_size,
                               records[i].esi, records[i].k, records[i].data, records[i].tag);
    fcp_fcps_header hh = *h;
    hh.symbol_count = n;
    rc = fcp_fcps_header_encode(out, &hh);
    if (rc)
        return rc;
    *out_len = (size_t)frame;
    return 0;
}

int fcp_fcps_symbol_size_for(uint32_t max_datagram_bytes, uint32_t symbols_per_frame,
                             uint16_t *symbol_size)
{
    *symbol_size = 0;
    if (symbols_per_frame == 0 || symbols_per_frame > FCP_FCPS_MAX_SYMBOL_COUNT)
        return FCP_EFCPS_SYMBOLS_PER_FRAME;
    if (max_datagram_bytes > FCP_WIRE_MAX_DATAGRAM)
        return FCP_EINVAL;
    uint32_t fixed = FCP_WIRE_DATAGRAM_HEADER_BYTES + FCP_FCPS_HEADER_BYTES;
    if (max_datagram_bytes <= fixed)
        return FCP_EFCPS_MTU_TOO_SMALL;
    uint32_t per = (max_datagram_bytes - fixed) / symbols_per_frame;
    if (per <= FCP_FCPS_RECORD_OVERHEAD)
        return FCP_EFCPS_MTU_TOO_SMALL;
    uint32_t t = per - FCP_FCPS_RECORD_OVERHEAD;
    if (t > FCP_FCPS_MAX_SYMBOL_SIZE)
        t = FCP_FCPS_MAX_SYMBOL_SIZE;
    t &= ~7u; /* D-WIRE-4: a multiple of 8 suits every RaptorQ alignment Al <= 8 */
    if (t < FCP_FCPS_MIN_SYMBOL_SIZE)
        return FCP_EFCPS_MTU_TOO_SMALL;
    *symbol_size = (uint16_t)t;
    return 0;
}

uint32_t fcp_wire_effective_max_datagram(uint32_t local_max, uint32_t peer_advertised)
{
    uint32_t local = local_max ? local_max : FCP_WIRE_DEFAULT_MAX_DATAGRAM;
    uint32_t peer = peer_advertised ? peer_advertised : FCP_WIRE_DEFAULT_MAX_DATAGRAM;
    uint32_t m = local < peer ? local : peer;
    return m > FCP_WIRE_MAX_DATAGRAM ? FCP_WIRE_MAX_DATAGRAM : m;
}
