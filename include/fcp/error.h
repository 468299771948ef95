/*
 * error.h - the one table of libfcp error codes.
 *
 * Every failure in libfcp is a negative int whose absolute value is a stable
 * FCP error number in the spec's taxonomy (spec §24.1):
 *
 *   FCP-1000..1999  protocol / encoding      FCP-5000..5999  lifecycle / health
 *   FCP-2000..2999  auth / identity          FCP-6000..6999  resource
 *   FCP-3000..3999  capability               FCP-7000..7999  external service
 *   FCP-4000..4999  zone / provenance        FCP-9000..9999  internal
 *
 * The numbers the spec's reason-code table names are kept (1001 invalid
 * request, 1002 malformed frame, 1003 missing field, 1004 checksum, 1005
 * version, 2001..2004, 3001..3005, 4001, 4002); everything finer-grained gets
 * its own number inside the right range, so a caller, a log line and a test can
 * all name the exact reason.  Numbers are never reused or renumbered: add new
 * ones at the end of their block.
 *
 * FCP_ERRORS(X) expands X(NAME, number, "human message") once per code.
 */
#ifndef FCP_ERROR_H
#define FCP_ERROR_H

#include <stddef.h>

#define FCP_ERRORS(X)                                                              \
    /* --- generic protocol / request (spec reason codes) --- */                   \
    X(FCP_EINVALID_REQUEST,     1001, "invalid request format")                    \
    X(FCP_EMALFORMED_FRAME,     1002, "malformed frame")                           \
    X(FCP_EMISSING_FIELD,       1003, "missing required field")                    \
    X(FCP_ECHECKSUM,            1004, "checksum mismatch")                         \
    X(FCP_EVERSION,             1005, "protocol version mismatch")                 \
    X(FCP_EINVAL,               1006, "invalid argument")                          \
    X(FCP_ETRUNCATED,           1007, "input truncated")                           \
    X(FCP_ETOO_LARGE,           1008, "input exceeds a size limit")                \
    X(FCP_EBUFFER_TOO_SMALL,    1009, "output buffer too small")                   \
    X(FCP_EUNKNOWN_FIELD,       1010, "unknown field")                             \
    X(FCP_EWRONG_TYPE,          1011, "field has the wrong type")                  \
    X(FCP_EOUT_OF_RANGE,        1012, "value out of range")                        \
    X(FCP_EHEX,                 1013, "invalid hexadecimal text")                  \
    X(FCP_EBASE64,              1014, "invalid base64 text")                       \
    X(FCP_ETRAILING,            1015, "trailing bytes after value")                \
    /* --- deterministic CBOR (spec §3.5, RFC 8949 §4.2) --- */                    \
    X(FCP_ECBOR_MALFORMED,      1100, "CBOR: malformed item")                      \
    X(FCP_ECBOR_TRUNCATED,      1101, "CBOR: item truncated")                      \
    X(FCP_ECBOR_INDEFINITE,     1102, "CBOR: indefinite length not allowed")       \
    X(FCP_ECBOR_NON_SHORTEST,   1103, "CBOR: head not in shortest form")           \
    X(FCP_ECBOR_UNSORTED_KEYS,  1104, "CBOR: map keys not in canonical order")     \
    X(FCP_ECBOR_DUPLICATE_KEY,  1105, "CBOR: duplicate map key")                   \
    X(FCP_ECBOR_FLOAT,          1106, "CBOR: floating point not allowed here")     \
    X(FCP_ECBOR_NAN,            1107, "CBOR: NaN not allowed")                     \
    X(FCP_ECBOR_FLOAT_NON_SHORTEST, 1108, "CBOR: float not in shortest exact form")\
    X(FCP_ECBOR_TRAILING,       1109, "CBOR: trailing bytes after item")           \
    X(FCP_ECBOR_DEPTH,          1110, "CBOR: nesting too deep")                    \
    X(FCP_ECBOR_TOO_LARGE,      1111, "CBOR: length exceeds limit or input")       \
    X(FCP_ECBOR_TYPE,           1112, "CBOR: unexpected item type")                \
    X(FCP_ECBOR_TAG,            1113, "CBOR: tag not allowed here")                \
    X(FCP_ECBOR_SIMPLE,         1114, "CBOR: simple value not allowed")            \
    X(FCP_ECBOR_UTF8,           1115, "CBOR: text string is not valid UTF-8")      \
    X(FCP_ECBOR_RESERVED,       1116, "CBOR: reserved additional-info value")      \
    X(FCP_ECBOR_INT_RANGE,      1117, "CBOR: integer out of range for field")      \
    X(FCP_ECBOR_COUNT,          1118, "CBOR: container item count mismatch")       \
    X(FCP_ECBOR_BREAK,          1119, "CBOR: break byte outside indefinite item")  \
    X(FCP_ECBOR_NEG_ZERO,       1120, "CBOR: negative zero must be encoded as 0.0")\
    /* --- object model / identifiers (spec §3) --- */                             \
    X(FCP_ESCHEMA_MISMATCH,     1200, "schema hash prefix does not match")         \
    X(FCP_EZONE_ID,             1201, "invalid zone id")                           \
    X(FCP_EZONE_ID_EMPTY,       1202, "zone id is empty")                          \
    X(FCP_EZONE_ID_TOO_LONG,    1203, "zone id longer than 64 bytes")              \
    X(FCP_EZONE_ID_PREFIX,      1204, "zone id does not start with \"z:\"")        \
    X(FCP_EZONE_ID_CHAR,        1205, "zone id has a character outside [a-z0-9:_-]") \
    X(FCP_EZONE_ID_FORM,        1206, "zone id is not in canonical form")          \
    X(FCP_ETAG,                 1207, "invalid Tailscale tag for a zone")          \
    X(FCP_ESCHEMA_ID,           1208, "invalid schema id")                         \
    X(FCP_ENODE_ID,             1209, "invalid node id")                           \
    X(FCP_EOBJECT,              1210, "invalid object encoding")                   \
    X(FCP_EUNSORTED_SIGNERS,    1211, "quorum signatures not sorted by node id")   \
    X(FCP_EDUPLICATE_SIGNER,    1212, "duplicate signer in quorum signatures")     \
    X(FCP_EIDENTIFIER,          1213, "identifier is not in canonical form")       \
    X(FCP_EZONE_ID_EDGE,        1214, "zone id segment starts or ends with '-' or '_'") \
    X(FCP_EQUORUM,              1215, "quorum signatures invalid or below threshold") \
    /* --- RaptorQ / symbols (spec §4, §20, Appendix B) --- */                     \
    X(FCP_ERQ_OTI,              1300, "RaptorQ: invalid object transmission information") \
    X(FCP_ERQ_ESI,              1301, "RaptorQ: encoding symbol id out of range")  \
    X(FCP_ERQ_SYMBOL_SIZE,      1302, "RaptorQ: symbol has the wrong size")        \
    X(FCP_ERQ_NEED_MORE,        1303, "RaptorQ: not enough symbols to decode yet") \
    X(FCP_ERQ_SINGULAR,         1304, "RaptorQ: received symbols do not determine the block") \
    X(FCP_ERQ_LIMIT,            1305, "RaptorQ: decode would exceed the caller's limits") \
    X(FCP_ERQ_PAYLOAD_HASH,     1306, "RaptorQ: reconstructed payload hash mismatch") \
    X(FCP_ERQ_PADDING,          1307, "RaptorQ: padding after the object is not zero or not minimal") \
    X(FCP_ERQ_CHUNK,            1308, "chunked object: chunk does not match its manifest") \
    /* --- FCPS / FCPC wire (spec §4.2-§4.4, §9.4) --- */                         \
    X(FCP_EFCPS_EXCEEDS_MTU,    1400, "FCPS: frame longer than the configured maximum") \
    X(FCP_EFCPS_TOO_SHORT,      1401, "FCPS: frame shorter than the 114-byte header") \
    X(FCP_EFCPS_MAGIC,          1402, "FCPS: bad magic (expected \"FCPS\")")     \
    X(FCP_EFCPS_VERSION,        1403, "FCPS: unsupported frame version")           \
    X(FCP_EFCPS_FLAGS_UNKNOWN,  1404, "FCPS: unknown flag bits set")               \
    X(FCP_EFCPS_FLAGS_ERROR_RESPONSE, 1405, "FCPS: ERROR and RESPONSE flags both set") \
    X(FCP_EFCPS_FLAGS_STREAM_END, 1406, "FCPS: STREAM_END flag without STREAMING") \
    X(FCP_EFCPS_SYMBOL_SIZE,    1407, "FCPS: symbol size outside the allowed range") \
    X(FCP_EFCPS_LENGTH_MISMATCH, 1408, "FCPS: total_payload_len != symbol_count*(22+symbol_size)") \
    X(FCP_EFCPS_SYMBOL_COUNT,   1409, "FCPS: symbol count outside the allowed range") \
    X(FCP_EFCPS_FRAME_SIZE_MISMATCH, 1410, "FCPS: frame length != 114 + total_payload_len") \
    X(FCP_EFCPS_RECORD_TRUNCATED, 1411, "FCPS: symbol record truncated")          \
    X(FCP_EFCPS_SEQ_MISMATCH,   1412, "FCPS: frame_seq differs from the datagram seq") \
    X(FCP_EFCPS_SYMBOL_AUTH,    1413, "FCPS: symbol AEAD authentication failed")   \
    X(FCP_EFCPS_SEQ_REUSE,      1414, "FCPS: frame_seq already used for this zone key") \
    X(FCP_EFCPS_SEQ_EXHAUSTED,  1415, "FCPS: frame_seq space exhausted for this zone key") \
    X(FCP_EFCPS_SEQ_TABLE_FULL, 1416, "FCPS: frame_seq allocator has no free slot") \
    X(FCP_EFCPS_AEAD_ALG,       1417, "FCPS: unknown symbol AEAD algorithm")       \
    X(FCP_EFCPS_MTU_TOO_SMALL,  1418, "FCPS: datagram limit leaves a symbol below the minimum size") \
    X(FCP_EFCPS_SYMBOLS_PER_FRAME, 1419, "FCPS: symbols per frame outside 1..256") \
    X(FCP_EDGRAM_TOO_SHORT,     1430, "FCPS datagram: shorter than the 40-byte envelope") \
    X(FCP_EDGRAM_TOO_LARGE,     1431, "FCPS datagram: longer than the datagram limit") \
    X(FCP_EDGRAM_SESSION,       1432, "FCPS datagram: unknown session id")         \
    X(FCP_EDGRAM_MAC,           1433, "FCPS datagram: session MAC mismatch")       \
    X(FCP_EDGRAM_SUITE,         1434, "FCPS datagram: unknown session crypto suite") \
    X(FCP_EDGRAM_INSTANCE_TABLE_FULL, 1435, "FCPS datagram: no replay window free for a new sender instance") \
    X(FCP_EDGRAM_SEQ_EXHAUSTED, 1436, "FCPS datagram: session sequence space exhausted") \
    X(FCP_EREPLAY_SEQ_ZERO,     1440, "replay: sequence number 0 is never valid")  \
    X(FCP_EREPLAY_STALE,        1441, "replay: sequence number older than the window") \
    X(FCP_EREPLAY_DUPLICATE,    1442, "replay: sequence number already seen")     \
    X(FCP_EFCPC_TOO_SHORT,      1450, "FCPC: frame shorter than header plus tag (52 bytes)") \
    X(FCP_EFCPC_MAGIC,          1451, "FCPC: bad magic (expected \"FCPC\")")     \
    X(FCP_EFCPC_VERSION,        1452, "FCPC: unsupported frame version")           \
    X(FCP_EFCPC_FLAGS,          1453, "FCPC: invalid flag bits")                   \
    X(FCP_EFCPC_PAYLOAD_TOO_LARGE, 1454, "FCPC: payload length above the limit")  \
    X(FCP_EFCPC_LENGTH_MISMATCH, 1455, "FCPC: frame length != 36 + len + 16")     \
    X(FCP_EFCPC_CRYPTO,         1456, "FCPC: AEAD open failed")                    \
    X(FCP_EFCPC_SESSION,        1457, "FCPC: frame for another session")           \
    X(FCP_EFCPC_SEQ_EXHAUSTED,  1458, "FCPC: sequence space exhausted")            \
    /* --- MeshSession handshake and symbol requests (spec §4.2, §9.2.1) --- */   \
    X(FCP_ESESSION_ENVELOPE,    1500, "session: not a handshake envelope (magic \"FCPH\")") \
    X(FCP_ESESSION_VERSION,     1501, "session: unsupported handshake envelope version") \
    X(FCP_ESESSION_MSG_TYPE,    1502, "session: unknown handshake message type")  \
    X(FCP_ESESSION_TOO_LARGE,   1503, "session: handshake message above the size limit") \
    X(FCP_ESESSION_FIELD,       1504, "session: field has the wrong length or range") \
    X(FCP_ESESSION_NODE_ID,     1505, "session: node id empty, too long or not printable") \
    X(FCP_ESESSION_SUITES,      1506, "session: suite list empty or too long")    \
    X(FCP_ESESSION_LIMITS,      1507, "session: transport limit outside 0..65535") \
    X(FCP_ESESSION_WRONG_PEER,  1510, "session: message not addressed between these two nodes") \
    X(FCP_ESESSION_SKEW,        1511, "session: timestamp outside the allowed clock skew") \
    X(FCP_ESESSION_MISSING_SIGNATURE, 1512, "session: missing signature")         \
    X(FCP_ESESSION_BAD_SIGNATURE, 1513, "session: signature verification failed") \
    X(FCP_ESESSION_NO_MUTUAL_SUITE, 1514, "session: no mutually supported session crypto suite") \
    X(FCP_ESESSION_SUITE,       1515, "session: selected suite not offered or below the minimum") \
    X(FCP_ESESSION_COOKIE,      1516, "session: cookie invalid or from a retired cookie key") \
    X(FCP_ESESSION_DUPLICATE_HELLO, 1517, "session: hello (from, nonce) already seen") \
    X(FCP_ESESSION_UNKNOWN_PEER, 1518, "session: no attestation for this node")  \
    X(FCP_ESESSION_ATTESTATION, 1519, "session: node key attestation invalid for this node") \
    X(FCP_ESESSION_ATTESTATION_EXPIRED, 1520, "session: node key attestation expired") \
    X(FCP_ESESSION_UNEXPECTED,  1521, "session: message not expected in this state") \
    X(FCP_ESESSION_ID_RESERVED, 1522, "session: session id begins with the handshake magic") \
    X(FCP_ESESSION_TIMEOUT,     1523, "session: handshake timed out")             \
    X(FCP_ESESSION_STATE,       1524, "session: operation not allowed in this state") \
    X(FCP_ESESSION_GRACE_EXPIRED, 1525, "session: datagram for a retired session after its grace period") \
    X(FCP_ESESSION_NO_SESSION,  1526, "session: no session keys installed")        \
    X(FCP_ESYMREQ_MAX_SYMBOLS,  1540, "symbol request: max_symbols is 0")          \
    X(FCP_ESYMREQ_WANT_ESI,     1541, "symbol request: want_esi longer than max_symbols or the list cap") \
    X(FCP_ESYMREQ_ESI_ORDER,    1542, "symbol request: ESI list not strictly ascending") \
    X(FCP_ESYMREQ_UNAUTHENTICATED, 1543, "symbol request: unauthenticated request refused by policy") \
    X(FCP_ESYMREQ_HINT,         1544, "symbol request: missing_hint longer than the cap") \
    X(FCP_ESYMREQ_STATUS,       1545, "symbol request: decode status inconsistent") \
    X(FCP_ESYMREQ_REASON,       1546, "symbol request: unknown SymbolAck reason")  \
    X(FCP_ESYMREQ_DELIVERY_HINT, 1547, "symbol request: delivery hint out of range") \
    X(FCP_ESYMREQ_FIELD,        1548, "symbol request: field has the wrong length") \
    /* --- auth / identity --- */                                                  \
    X(FCP_EUNAUTHORIZED,        2001, "unauthorized: no valid credentials")        \
    X(FCP_ETOKEN_EXPIRED,       2002, "token expired")                             \
    X(FCP_EBAD_SIGNATURE,       2003, "invalid signature")                         \
    X(FCP_EUNKNOWN_PRINCIPAL,   2004, "principal not recognized")                  \
    X(FCP_EBAD_KEY,             2005, "invalid or weak public key")                \
    X(FCP_EDECRYPT,             2006, "decryption failed: authentication tag mismatch") \
    X(FCP_EBAD_MAC,             2007, "MAC verification failed")                   \
    X(FCP_EATTESTATION,         2008, "node key attestation invalid")              \
    X(FCP_EATTESTATION_EXPIRED, 2009, "node key attestation expired")              \
    X(FCP_EHPKE_SUITE,          2010, "HPKE suite not supported")                  \
    X(FCP_EHPKE_SEQ_OVERFLOW,   2011, "HPKE sequence number overflow")             \
    X(FCP_EHPKE_EXPORT_ONLY,    2012, "HPKE context is export-only")               \
    X(FCP_EKEY_MISMATCH,        2013, "key id does not match")                     \
    /* --- capability --- */                                                       \
    X(FCP_ECAP_DENIED,          3001, "capability denied: insufficient permissions") \
    X(FCP_ERATE_LIMITED,        3002, "rate limited")                              \
    X(FCP_EOP_NOT_GRANTED,      3003, "operation not granted by capability token") \
    X(FCP_ERESOURCE_NOT_ALLOWED,3004, "resource not allowed by capability scope")  \
    X(FCP_EREVOKED,             3005, "revoked")                                   \
    /* --- zone / provenance --- */                                                \
    X(FCP_EZONE_VIOLATION,      4001, "zone violation: cross-zone access denied")  \
    X(FCP_ETAINT,               4002, "taint violation: data flow policy blocked") \
    /* --- resource --- */                                                         \
    X(FCP_ENOMEM,               6001, "out of memory")                             \
    X(FCP_ELIMIT,               6002, "resource limit reached")                    \
    X(FCP_EIO,                  6003, "input/output error")                        \
    X(FCP_ENOENT,               6004, "not found")                                 \
    /* --- internal --- */                                                         \
    X(FCP_EINTERNAL,            9001, "internal error")                            \
    X(FCP_ERNG,                 9002, "random number generator failed")            \
    X(FCP_ECRYPTO_INIT,         9003, "crypto library failed to initialise")

enum fcp_error {
    FCP_OK = 0,
#define FCP_ERROR_ENUM_(name, num, msg) name = -(num),
    FCP_ERRORS(FCP_ERROR_ENUM_)
#undef FCP_ERROR_ENUM_
};

/* Human message for an error code ("invalid zone id"); never NULL.
 * Unknown codes yield "unknown error". */
const char *fcp_strerror(int err);

/* Symbolic name ("FCP_EZONE_ID"), or NULL for an unknown code. */
const char *fcp_error_name(int err);

/* Stable spec code for an error: writes "FCP-1201" into buf (>= 10 bytes).
 * FCP_OK gives "FCP-0000".  Returns buf. */
const char *fcp_error_code(int err, char *buf, size_t buflen);

/* 1 if err is a known libfcp error code (or FCP_OK), else 0. */
int fcp_error_known(int err);

#endif
