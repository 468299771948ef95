/*
 * authz_audit.c - audit chain writer and verifier (spec §23.4; D-AUDIT-1..4).
 * See authz_audit.h for the chain rule and the order in which violations are
 * reported.
 */
#include "fcp/authz_audit.h"

#include <string.h>

#include "fcp/crypto.h"
#include "fcp/error.h"

#define TRY(x)                 \
    do {                       \
        int rc_ = (x);         \
        if (rc_ < 0)           \
            return rc_;        \
    } while (0)

int fcp_audit_writer_init(fcp_audit_writer *w, const char *zone, const char *signer,
                          const uint8_t sk[64], const fcp_object_id_key *key)
{
    size_t zl = strnlen(zone, FCP_ZONE_ID_MAX + 1), sl = strnlen(signer, FCP_NODE_ID_MAX + 1);
    TRY(fcp_zone_id_validate(zone, zl));
    TRY(fcp_node_id_validate(signer, sl));
    memset(w, 0, sizeof *w);
    memcpy(w->zone_id, zone, zl);
    memcpy(w->signer, signer, sl);
    memcpy(w->sk, sk, 64);
    w->key = *key;
    return 0;
}

void fcp_audit_writer_wipe(fcp_audit_writer *w)
{
    fcp_memzero(w, sizeof *w);
}

int fcp_audit_append(fcp_audit_writer *w, fcp_audit_event *ev, fcp_buf *out,
                     uint8_t id[FCP_OBJECT_ID_BYTES])
{
    uint8_t nid[FCP_OBJECT_ID_BYTES];
    size_t start = out->len;
    if (w->next_seq == UINT64_MAX)
        return FCP_EAUDIT_SEQ_EXHAUSTED;
    if (w->have_prev && ev->occurred_at < w->last_occurred_at)
        return FCP_EAUDIT_TIME;
    memcpy(ev->zone_id, w->zone_id, sizeof ev->zone_id);
    memcpy(ev->header.zone_id, w->zone_id, sizeof ev->header.zone_id);
    fcp_audit_event_schema(&ev->header.schema);
    memcpy(ev->signer, w->signer, sizeof ev->signer);
    ev->seq = w->next_seq;
    ev->has_prev = w->have_prev;
    if (w->have_prev)
        memcpy(ev->prev, w->prev, FCP_OBJECT_ID_BYTES);
    else
        memset(ev->prev, 0, FCP_OBJECT_ID_BYTES);
    int rc = fcp_audit_event_seal(ev, w->sk, &w->key, out, nid);
    if (rc) {
        out->len = start;
        return rc;
    }
    memcpy(w->prev, nid, FCP_OBJECT_ID_BYTES);
    w->have_prev = 1;
    w->next_seq++;
    w->last_occurred_at = ev->occurred_at;
    if (id)
        memcpy(id, nid, FCP_OBJECT_ID_BYTES);
    return 0;
}

/* Does any event after index i carry seq `want`?  Events that do not decode
 * are skipped (they are reported when the walk reaches them). */
static int seq_later(const uint8_t *const *bytes, const size_t *len, size_t n, size_t i,
                     uint64_t want, fcp_audit_event *scratch)
{
    for (size_t j = i + 1; j < n; j++)
        if (fcp_audit_event_decode(scratch, bytes[j], len[j]) == 0 && scratch->seq == want)
            return 1;
    return 0;
}

static int stop(fcp_audit_report *rep, size_t i, int err)
{
    rep->error = err;
    rep->index = i;
    return err;
}

int fcp_audit_chain_verify(const uint8_t *const *bytes, const size_t *len, size_t n,
                           const char *zone, const fcp_object_id_key *key,
                           const fcp_audit_anchor *anchor, fcp_node_key_lookup lookup,
                           void *ctx, fcp_audit_report *rep)
{
    static _Thread_local fcp_audit_event ev, scratch;
    fcp_audit_wire_map m;
    int have_prev = anchor != NULL;
    uint8_t prev_id[FCP_OBJECT_ID_BYTES] = { 0 };
    uint64_t prev_seq = 0, prev_time = 0;
    memset(rep, 0, sizeof *rep);
    rep->index = n;
    if (anchor) {
        memcpy(prev_id, anchor->prev, FCP_OBJECT_ID_BYTES);
        prev_seq = anchor->seq;
        prev_time = anchor->occurred_at;
        memcpy(rep->head_id, prev_id, FCP_OBJECT_ID_BYTES);
        rep->head_seq = prev_seq;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t pk[32], id[FCP_OBJECT_ID_BYTES];
        if (fcp_audit_event_decode_wire(&ev, &m, bytes[i], len[i]) != 0)
            return stop(rep, i, FCP_EAUDIT_MALFORMED);
        if (strcmp(ev.zone_id, zone) != 0)
            return stop(rep, i, FCP_EAUDIT_ZONE);
        if (lookup(ctx, (const uint8_t *)ev.signer, strlen(ev.signer), pk) != 0)
            return stop(rep, i, FCP_EAUDIT_MODIFIED);
        int crc = fcp_audit_event_check_map(&ev, &m, pk, key, id);
        if (crc == FCP_EBAD_SIGNATURE)
            return stop(rep, i, FCP_EAUDIT_MODIFIED);
        if (crc != 0)
            return stop(rep, i, FCP_EAUDIT_MALFORMED);
        if (!have_prev) {
            if (ev.seq != 0 || ev.has_prev)
                return stop(rep, i, FCP_EAUDIT_GENESIS);
        } else {
            if (prev_seq == UINT64_MAX)
                return stop(rep, i, FCP_EAUDIT_SEQ_EXHAUSTED);
            if (ev.seq == prev_seq)
                return stop(rep, i, FCP_EAUDIT_FORKED);
            if (ev.seq < prev_seq)
                return stop(rep, i, FCP_EAUDIT_REORDERED);
            if (ev.seq > prev_seq + 1) {
                uint64_t want = prev_seq + 1;
                return stop(rep, i, seq_later(bytes, len, n, i, want, &scratch)
                                        ? FCP_EAUDIT_REORDERED : FCP_EAUDIT_DROPPED);
            }
            if (!ev.has_prev || memcmp(ev.prev, prev_id, FCP_OBJECT_ID_BYTES) != 0)
                return stop(rep, i, FCP_EAUDIT_FORKED);
            if (ev.occurred_at < prev_time)
                return stop(rep, i, FCP_EAUDIT_TIME);
        }
        memcpy(prev_id, id, sizeof id);
        prev_seq = ev.seq;
        prev_time = ev.occurred_at;
        have_prev = 1;
        rep->verified = i + 1;
        rep->head_seq = prev_seq;
        memcpy(rep->head_id, prev_id, sizeof prev_id);
    }
    return 0;
}

int fcp_audit_head_check(const fcp_audit_head *h, const fcp_audit_report *rep, const char *zone,
                         size_t threshold, fcp_node_key_lookup lookup, void *ctx)
{
    if (rep->error || strcmp(h->zone_id, zone) != 0 || h->head_seq != rep->head_seq ||
        memcmp(h->head_event, rep->head_id, FCP_OBJECT_ID_BYTES) != 0)
        return FCP_EAUDIT_HEAD;
    return fcp_audit_head_verify(h, threshold, lookup, ctx);
}
