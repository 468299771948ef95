/*
 * authz_audit.h - the per-zone audit hash chain (spec §23.4; D-AUDIT-1..4):
 * appending signed events, and a verifier that says exactly where a chain was
 * altered.
 *
 * Chain rule: event 0 has seq 0 and no prev (or, for a verified segment, the
 * caller's anchor); event i has seq = seq(i-1) + 1, prev = ObjectId(i-1)
 * under the zone's ObjectIdKey, the chain's zone, occurred_at >=
 * occurred_at(i-1), and a valid signature by its `signer` node.
 *
 * The verifier walks the chain once and stops at the first violation, which
 * it reports as (index, kind), checked per event in this order:
 *   FCP_EAUDIT_MALFORMED   event i does not decode (strict CBOR, fields)
 *   FCP_EAUDIT_ZONE        event i belongs to another zone
 *   FCP_EAUDIT_MODIFIED    signature of event i invalid, or its signer
 *                          unknown: its bytes were altered
 *   FCP_EAUDIT_GENESIS     first event is not a genesis (and no anchor)
 *   FCP_EAUDIT_FORKED      seq(i) == seq(i-1), or seq(i) == seq(i-1) + 1 but
 *                          prev(i) != ObjectId(i-1): a different, validly
 *                          signed history exists at that position
 *   FCP_EAUDIT_DROPPED     seq(i) > seq(i-1) + 1 and the missing seq appears
 *                          nowhere later in the list
 *   FCP_EAUDIT_REORDERED   seq(i) < seq(i-1), or seq(i) > seq(i-1) + 1 while
 *                          the expected seq appears later in the list
 *   FCP_EAUDIT_TIME        occurred_at goes backwards
 * A single changed byte anywhere in event i is always reported at index i
 * (MALFORMED or MODIFIED: every byte is either structure or signed content or
 * the signature itself).
 */
#ifndef FCP_AUTHZ_AUDIT_H
#define FCP_AUTHZ_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/buf.h"
#include "fcp/model_audit.h"

/* The writer's view of one zone's chain. */
typedef struct fcp_audit_writer {
    char     zone_id[FCP_ZONE_ID_MAX + 1];
    char     signer[FCP_NODE_ID_MAX + 1];
    uint64_t next_seq;
    int      have_prev;
    uint8_t  prev[FCP_OBJECT_ID_BYTES];
    uint64_t last_occurred_at;
    fcp_object_id_key key;
    uint8_t  sk[64];
} fcp_audit_writer;

/* Start a new chain for zone, signed by node signer with sk (copied; wiped
 * by fcp_audit_writer_wipe).  Zone / node id errors. */
int fcp_audit_writer_init(fcp_audit_writer *w, const char *zone, const char *signer,
                          const uint8_t sk[64], const fcp_object_id_key *key);
void fcp_audit_writer_wipe(fcp_audit_writer *w);

/* Append ev: sets ev->zone_id, header zone and schema, seq, prev, signer and
 * signature; appends its wire encoding to out and its ObjectId to id (may be
 * NULL).  The caller fills the rest (event_type, actor, correlation_id,
 * occurred_at, ...).  occurred_at earlier than the previous event is
 * FCP_EAUDIT_TIME.  On error the writer is unchanged. */
int fcp_audit_append(fcp_audit_writer *w, fcp_audit_event *ev, fcp_buf *out,
                     uint8_t id[FCP_OBJECT_ID_BYTES]);

/* Where verification stopped. */
typedef struct fcp_audit_report {
    int      error;          /* 0 or one FCP_EAUDIT_* (or FCP_ELIMIT) */
    size_t   index;          /* event index of the violation (== n when ok) */
    uint64_t head_seq;       /* seq of the last verified event */
    uint8_t  head_id[FCP_OBJECT_ID_BYTES];
    size_t   verified;       /* events verified before the violation */
} fcp_audit_report;

/* Optional trust anchor: the chain continues after an already verified event
 * (prev id and seq) instead of starting at genesis. */
typedef struct fcp_audit_anchor {
    uint8_t  prev[FCP_OBJECT_ID_BYTES];
    uint64_t seq;
    uint64_t occurred_at;
} fcp_audit_anchor;

/* Verify ev[i] = bytes[i][0..len[i]) for i < n as described above.  lookup
 * gives each signer's Ed25519 key (an error there is FCP_EAUDIT_MODIFIED).
 * Returns 0 or the reported error; *rep is always filled. */
int fcp_audit_chain_verify(const uint8_t *const *bytes, const size_t *len, size_t n,
                           const char *zone, const fcp_object_id_key *key,
                           const fcp_audit_anchor *anchor, fcp_node_key_lookup lookup,
                           void *ctx, fcp_audit_report *rep);

/* A verified chain end matches a head: same zone, head_seq and head_event
 * (FCP_EAUDIT_HEAD), and the head's quorum holds (errors as
 * fcp_audit_head_verify). */
int fcp_audit_head_check(const fcp_audit_head *h, const fcp_audit_report *rep, const char *zone,
                         size_t threshold, fcp_node_key_lookup lookup, void *ctx);

#endif
