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
    /* --- TOML subset and fcpd configuration (docs/config.md) --- */            \
    X(FCP_ETOML_SYNTAX,         1600, "TOML: syntax error")                        \
    X(FCP_ETOML_UTF8,           1601, "TOML: input is not valid UTF-8")            \
    X(FCP_ETOML_CONTROL,        1602, "TOML: control character not allowed here")  \
    X(FCP_ETOML_NEWLINE,        1603, "TOML: bare carriage return or misplaced newline") \
    X(FCP_ETOML_KEY,            1604, "TOML: invalid key")                         \
    X(FCP_ETOML_DUPLICATE_KEY,  1605, "TOML: duplicate key")                       \
    X(FCP_ETOML_TABLE_REDEFINED, 1606, "TOML: table defined more than once")      \
    X(FCP_ETOML_NOT_A_TABLE,    1607, "TOML: key already holds a value that is not a table") \
    X(FCP_ETOML_STRING,         1608, "TOML: unterminated or malformed string")    \
    X(FCP_ETOML_ESCAPE,         1609, "TOML: invalid escape sequence")             \
    X(FCP_ETOML_INTEGER,        1610, "TOML: malformed integer")                   \
    X(FCP_ETOML_INT_RANGE,      1611, "TOML: integer outside the signed 64-bit range") \
    X(FCP_ETOML_FLOAT,          1612, "TOML: malformed or out-of-range float")     \
    X(FCP_ETOML_DATETIME,       1613, "TOML: dates and times are not supported")   \
    X(FCP_ETOML_VALUE,          1614, "TOML: invalid value")                       \
    X(FCP_ETOML_TRAILING,       1615, "TOML: unexpected text after a value or header") \
    X(FCP_ETOML_ARRAY,          1616, "TOML: malformed array")                     \
    X(FCP_ETOML_INLINE_TABLE,   1617, "TOML: malformed inline table")              \
    X(FCP_ETOML_FROZEN,         1618, "TOML: inline table or static array cannot be extended") \
    X(FCP_ETOML_DEPTH,          1619, "TOML: nesting too deep")                    \
    X(FCP_ETOML_LIMIT,          1620, "TOML: document exceeds a size limit")       \
    X(FCP_ETOML_UNKNOWN_KEY,    1621, "config: unknown key")                       \
    X(FCP_ETOML_WRONG_TYPE,     1622, "config: key has the wrong type")            \
    X(FCP_ETOML_MISSING_KEY,    1623, "config: required key missing")              \
    X(FCP_ETOML_RANGE,          1624, "config: value out of the allowed range")    \
    X(FCP_ECONFIG_ADDRESS,      1630, "config: invalid network address")           \
    X(FCP_ECONFIG_PATH,         1631, "config: invalid path")                      \
    X(FCP_ECONFIG_ZONE,         1632, "config: invalid or duplicate zone")         \
    X(FCP_ECONFIG_PEER,         1633, "config: invalid or duplicate peer")         \
    X(FCP_ECONFIG_LIMITS,       1634, "config: limits are inconsistent")           \
    X(FCP_ECONFIG_VALUE,        1635, "config: invalid value")                     \
    X(FCP_ECONFIG_READ,         1636, "config: cannot read the configuration file") \
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
    /* --- capability objects, tokens and revocation (spec §7, §14.3) --- */      \
    X(FCP_ETOKEN_TOO_LARGE,     3100, "capability token: longer than 65536 bytes") \
    X(FCP_ETOKEN_COSE,          3101, "capability token: not a COSE_Sign1 [protected, {}, payload, signature]") \
    X(FCP_ETOKEN_ALG,           3102, "capability token: protected alg is not EdDSA (-8)") \
    X(FCP_ETOKEN_KID,           3103, "capability token: protected kid missing or not 8 bytes") \
    X(FCP_ETOKEN_HEADER,        3104, "capability token: unexpected COSE header parameter") \
    X(FCP_ETOKEN_UNKNOWN_ISSUER, 3105, "capability token: no issuer attestation for this kid") \
    X(FCP_ETOKEN_ISSUER_ATTESTATION, 3106, "capability token: issuer attestation invalid or expired") \
    X(FCP_ETOKEN_ISSUER_REVOKED, 3107, "capability token: issuer key or attestation revoked") \
    X(FCP_ETOKEN_SIGNATURE,     3108, "capability token: COSE signature verification failed") \
    X(FCP_ETOKEN_CLAIMS,        3109, "capability token: claims payload malformed") \
    X(FCP_ETOKEN_CLAIM_UNKNOWN, 3110, "capability token: unknown claim label")      \
    X(FCP_ETOKEN_SCHEMA_VERSION, 3111, "capability token: unsupported schema_version") \
    X(FCP_ETOKEN_MISSING_CLAIM, 3112, "capability token: a required claim is missing") \
    X(FCP_ETOKEN_ISS_NODE,      3113, "capability token: iss_node is not the attested issuer") \
    X(FCP_ETOKEN_NOT_YET_VALID, 3114, "capability token: nbf in the future beyond the allowed skew") \
    X(FCP_ETOKEN_IAT_FUTURE,    3115, "capability token: iat in the future beyond the allowed skew") \
    X(FCP_ETOKEN_LIFETIME,      3116, "capability token: exp not after nbf/iat, or lifetime above the maximum") \
    X(FCP_ETOKEN_AUDIENCE,      3117, "capability token: aud does not name this verifier") \
    X(FCP_ETOKEN_AUD_BINARY,    3118, "capability token: aud_binary missing or not this connector binary") \
    X(FCP_ETOKEN_ZONE,          3119, "capability token: zone_id is not the expected zone") \
    X(FCP_ETOKEN_CHECKPOINT,    3120, "capability token: chk_id/chk_seq missing or not the verifier's checkpoint") \
    X(FCP_ETOKEN_CHECKPOINT_AHEAD, 3121, "capability token: bound to a checkpoint newer than the verifier's") \
    X(FCP_ETOKEN_NO_GRANTS,     3122, "capability token: no grant_object_ids")      \
    X(FCP_ETOKEN_GRANT_MISSING, 3123, "capability token: grant object not found")   \
    X(FCP_ETOKEN_GRANT_INVALID, 3124, "capability token: grant object malformed or not owner-signed") \
    X(FCP_ETOKEN_GRANT_WINDOW,  3125, "capability token: grant object validity does not cover the token") \
    X(FCP_ETOKEN_GRANT_REVOKED, 3126, "capability token: grant object revoked")     \
    X(FCP_ETOKEN_GRANT_GRANTEE, 3127, "capability token: grant object's grantee is not the token principal") \
    X(FCP_ETOKEN_CAPS_NOT_SUBSET, 3128, "capability token: caps not covered by the grant objects") \
    X(FCP_ETOKEN_ATTENUATION_WIDENS, 3129, "capability token: constraints widen the grant object's constraints") \
    X(FCP_ETOKEN_REVOKED,       3130, "capability token: token revoked")            \
    X(FCP_ETOKEN_HOLDER_PROOF_MISSING, 3131, "capability token: holder proof required and missing") \
    X(FCP_ETOKEN_HOLDER_PROOF,  3132, "capability token: holder proof signature invalid") \
    X(FCP_ETOKEN_HOLDER_NODE,   3133, "capability token: holder_node missing or not the presenting node") \
    X(FCP_ETOKEN_DELEGATION,    3134, "capability token: delegation_depth above the limit") \
    X(FCP_ETOKEN_KID_MISMATCH,  3135, "capability token: kid is not the issuer's issuance key id") \
    X(FCP_ETOKEN_TIER,          3136, "capability token: Forbidden operations are never authorized") \
    X(FCP_ECAP_OBJECT,          3140, "capability object: malformed or invalid field") \
    X(FCP_ECAP_WINDOW,          3141, "capability object: valid_until not after valid_from") \
    X(FCP_ECAP_NETWORK_NO_TIMEOUT, 3142, "network constraints: no connect/total timeout configured") \
    X(FCP_ECAP_NETWORK,         3143, "network constraints: invalid host, port, address or CIDR") \
    X(FCP_ECAP_CREDENTIAL,      3144, "credential object: malformed or invalid field") \
    X(FCP_ECAP_ROLE_CYCLE,      3145, "role inheritance contains a cycle")          \
    X(FCP_ECAP_ROLE_WIDENS,     3146, "role grants more than its parent roles")     \
    X(FCP_ECAP_ROLE_UNKNOWN,    3147, "role inherits from an unknown role")         \
    X(FCP_ECAP_WIDENS,          3148, "constraints widen their parent constraints") \
    X(FCP_ECAP_ROLE_DEPTH,      3149, "role inheritance deeper than the limit")     \
    X(FCP_ECAP_ASSIGNMENT,      3150, "role assignment invalid or outside its validity window") \
    X(FCP_ECAP_CREDENTIAL_NOT_ALLOWED, 3151, "credential not in credential_allow")  \
    X(FCP_ECAP_HOST_NOT_ALLOWED, 3152, "host not allowed for this credential or network constraint") \
    X(FCP_ECAP_ROLE,            3153, "role object: malformed or invalid field")    \
    X(FCP_EREV_OBJECT,          3160, "revocation: object malformed or invalid field") \
    X(FCP_EREV_CHAIN_GAP,       3161, "revocation chain: sequence gap")             \
    X(FCP_EREV_CHAIN_DUPLICATE, 3162, "revocation chain: duplicate sequence")       \
    X(FCP_EREV_CHAIN_BROKEN,    3163, "revocation chain: prev does not link to the previous event") \
    X(FCP_EREV_STALE,           3164, "revocation state older than the freshness policy allows") \
    X(FCP_EREV_SET_FULL,        3165, "revocation set at capacity")                 \
    X(FCP_EREV_HEAD,            3166, "revocation head invalid")                    \
    X(FCP_EREV_SCOPE,           3167, "revocation: unknown scope")                  \
    X(FCP_EREV_HEAD_REGRESSION, 3168, "revocation head older than the one already held") \
    X(FCP_EREV_CONNECTOR,       3169, "connector binary or manifest revoked")       \
    X(FCP_EREV_ZONE_KEY,        3170, "zone key revoked")                           \
    X(FCP_EREV_NODE,            3171, "node attestation revoked")                   \
    X(FCP_EREV_CAPABILITY,      3172, "capability object revoked")                  \
    X(FCP_ETOKEN_PARENT_MISSING, 3173, "delegated token: parent token not found") \
    X(FCP_ETOKEN_PARENT_REF,    3174, "delegated token: parent_token is not the 32-byte id of the token found for it") \
    X(FCP_ETOKEN_PARENT_INVALID, 3175, "delegated token: parent token envelope, issuer, signature or claims invalid") \
    X(FCP_ETOKEN_PARENT_REVOKED, 3176, "delegated token: parent token or its issuer revoked") \
    X(FCP_ETOKEN_PARENT_TIME,   3177, "delegated token: parent token not valid now") \
    X(FCP_ETOKEN_DELEGATION_WINDOW, 3178, "delegated token: validity not inside the parent's validity") \
    X(FCP_ETOKEN_DELEGATION_STEP, 3179, "delegated token: delegation_depth is not the parent's minus one") \
    X(FCP_ETOKEN_DELEGATION_GRANTS, 3180, "delegated token: grants not a subset of the parent's grants") \
    X(FCP_ETOKEN_DELEGATION_GRANT_IDS, 3181, "delegated token: grant_object_ids not a subset of the parent's") \
    X(FCP_ETOKEN_DELEGATION_CONSTRAINTS, 3182, "delegated token: constraints widen the parent's constraints") \
    X(FCP_ETOKEN_DELEGATION_AUDIENCE, 3183, "delegated token: aud, aud_binary or instance_id differ from the parent's") \
    X(FCP_ETOKEN_DELEGATION_ZONE, 3184, "delegated token: zone_id differs from the parent's") \
    X(FCP_ETOKEN_DELEGATION_CYCLE, 3185, "delegated token: a token appears twice in its delegation chain") \
    /* --- zone / provenance --- */                                                \
    X(FCP_EZONE_VIOLATION,      4001, "zone violation: cross-zone access denied")  \
    X(FCP_ETAINT,               4002, "taint violation: data flow policy blocked") \
    /* --- authority: zones, keys, leases (spec §3.8, §5, §15.1, §19.4) --- */   \
    X(FCP_EAUTHZ_ZONE_MISMATCH, 4100, "object zone_id differs from its header or the expected zone") \
    X(FCP_EZK_ALGORITHM, 4101, "zone key: unknown algorithm") \
    X(FCP_EZK_VALIDITY, 4102, "zone key: valid_until not after valid_from") \
    X(FCP_EZK_PREV, 4103, "zone key: prev_zone_key_id equals zone_key_id") \
    X(FCP_EZK_WRAPPED_ORDER, 4104, "zone key: wrapped keys not strictly ascending by node id") \
    X(FCP_EZK_WRAPPED_SET, 4105, "zone key: wrapped zone keys and ObjectIdKeys name different nodes") \
    X(FCP_EZK_NOT_MEMBER, 4106, "zone key: node has no wrapped key in this manifest") \
    X(FCP_EZK_ENC_KID, 4107, "zone key: node_enc_kid does not match the node's encryption key") \
    X(FCP_EZK_KEY_ID, 4108, "zone key: opened key does not match its key id") \
    X(FCP_EZK_UNKNOWN, 4109, "zone key: no key with this id for the zone") \
    X(FCP_EZK_NO_ACTIVE, 4110, "zone key: no key active for the zone at this time") \
    X(FCP_EZK_EXPIRED, 4111, "zone key: key outside its validity and overlap window") \
    X(FCP_EZK_ROTATION, 4112, "zone key: manifest does not rotate from the previous one") \
    X(FCP_EZK_REMOVED, 4113, "zone key: removed node is still a recipient") \
    X(FCP_EZK_KEYRING_FULL, 4114, "zone key: keyring is full") \
    X(FCP_EZK_SEALED_LEN, 4115, "zone key: sealed key does not hold exactly 32 bytes") \
    X(FCP_EZK_NO_MEMBERS, 4116, "zone key: manifest has no recipients") \
    X(FCP_EZONE_LEVEL, 4120, "zone: integrity or confidentiality level above 100") \
    X(FCP_EZONE_PORT, 4121, "zone: port is 0 or symbol and control ports are equal") \
    X(FCP_EZONE_NAME, 4122, "zone: name empty, too long or not printable") \
    X(FCP_EZONE_VERSION, 4123, "zone: version 0, or an object without prev whose version is not 1") \
    X(FCP_EZONE_CHAIN_PREV, 4124, "zone: prev does not name the previous object") \
    X(FCP_EZONE_CHAIN_VERSION, 4125, "zone: version not greater than the previous object's") \
    X(FCP_EZONE_QUORUM_CONFIG, 4126, "zone: quorum signers or max_faults invalid") \
    X(FCP_EZONE_PATTERN, 4127, "zone policy: invalid pattern") \
    X(FCP_EZONE_PATTERN_ORDER, 4128, "zone policy: pattern list not strictly ascending") \
    X(FCP_EZONE_POLICY_REF, 4129, "zone policy: not the policy object the zone definition references") \
    X(FCP_EZONE_NEEDS_ELEVATION, 4130, "zone flow: integrity elevation (approval) required") \
    X(FCP_EZONE_NEEDS_DECLASSIFICATION, 4131, "zone flow: declassification (approval) required") \
    X(FCP_ECKPT_ROLLBACK, 4140, "checkpoint: older than the latest accepted (rollback)") \
    X(FCP_ECKPT_FORK, 4141, "checkpoint: a different checkpoint exists for this seq (fork)") \
    X(FCP_ECKPT_PREV, 4142, "checkpoint: prev_checkpoint_id does not name the latest accepted") \
    X(FCP_ECKPT_SIGNER, 4143, "checkpoint: signer not in the zone's quorum set") \
    X(FCP_ECKPT_EPOCH, 4144, "checkpoint: epoch older than the latest accepted") \
    X(FCP_ECKPT_GENESIS, 4145, "checkpoint: seq 0 must have no prev, later seqs must have one") \
    X(FCP_ECKPT_GAP, 4146, "checkpoint: seq skips ahead of the latest accepted (fetch the missing ones)") \
    X(FCP_ELEASE_PURPOSE, 4160, "lease: unknown or wrong purpose") \
    X(FCP_ELEASE_TIER, 4161, "lease: unknown safety tier") \
    X(FCP_ELEASE_TIMES, 4162, "lease: exp not after iat") \
    X(FCP_ELEASE_EXPIRED, 4163, "lease: expired") \
    X(FCP_ELEASE_NOT_YET, 4164, "lease: issued in the future beyond the allowed skew") \
    X(FCP_ELEASE_STALE, 4165, "lease: lease_seq older than the highest known (fenced)") \
    X(FCP_ELEASE_CONFLICT, 4166, "lease: two different leases with the same lease_seq") \
    X(FCP_ELEASE_QUORUM, 4167, "lease: fewer signatures than the safety tier requires") \
    X(FCP_ELEASE_COORDINATOR, 4168, "lease: coordinator is not the rendezvous-hash winner or did not sign") \
    X(FCP_ELEASE_SIGNER, 4169, "lease: signer not in the zone's quorum set") \
    X(FCP_ELEASE_HOLDER, 4170, "lease: writer is not the lease holder") \
    X(FCP_ELEASE_SUBJECT, 4171, "lease: lease is for another subject") \
    X(FCP_ESTATE_FENCE_MISSING, 4180, "state: singleton-writer update without lease_seq and lease_object_id") \
    X(FCP_ESTATE_FENCE_STALE, 4181, "state: update fenced by a stale lease_seq") \
    X(FCP_ESTATE_FENCE_UNKNOWN, 4182, "state: update names a lease newer than any known (fetch it first)") \
    X(FCP_ESTATE_FENCE_LEASE, 4183, "state: lease_object_id is not the lease with that lease_seq") \
    X(FCP_ESTATE_OBJECT, 4184, "state object: malformed or invalid field (prev present iff state_seq > 0, identifiers, size)") \
    X(FCP_ESTATE_SEQ, 4185, "state object: state_seq is not the current head's plus one") \
    X(FCP_ESTATE_PREV, 4186, "state object: prev is not the current head's ObjectId") \
    X(FCP_ESTATE_GENESIS, 4187, "state object: the first state of an instance must have state_seq 0 and no prev") \
    X(FCP_ESTATE_INSTANCE, 4188, "state object: connector_id, instance_id or state_root differ from the current head's") \
    /* zones in FCP_HOME (fcp zone) */ \
    X(FCP_EZONE_EXISTS,         4189, "zone: a zone with this id is already defined in FCP_HOME") \
    X(FCP_EZONE_UNKNOWN,        4190, "zone: no definition of this zone in FCP_HOME") \
    /* --- authority: decisions, approvals, audit (4200-4299) --- */              \
    X(FCP_EDEC_FORBIDDEN_OP,    4200, "decision: operation is in the Forbidden safety tier") \
    X(FCP_EDEC_TOKEN_NOT_YET_VALID, 4201, "decision: capability token not yet valid") \
    X(FCP_EDEC_TOKEN_ZONE,      4202, "decision: capability token issued for another zone") \
    X(FCP_EDEC_TOKEN_AUDIENCE,  4203, "decision: capability token audience is another connector") \
    X(FCP_EDEC_TOKEN_SUBJECT,   4204, "decision: capability token subject is not the requesting principal") \
    X(FCP_EDEC_REVOCATION_STALE, 4205, "decision: local revocation state older than the token's rev_seq") \
    X(FCP_EDEC_REVOCATION_AGE,  4206, "decision: local revocation state older than the freshness limit") \
    X(FCP_EDEC_CHECKPOINT_STALE, 4207, "decision: zone checkpoint older than the policy requires") \
    X(FCP_EDEC_PRINCIPAL_DENIED, 4208, "decision: principal denied by zone policy") \
    X(FCP_EDEC_PRINCIPAL_NOT_ALLOWED, 4209, "decision: principal not in the zone policy allow list") \
    X(FCP_EDEC_CONNECTOR_DENIED, 4210, "decision: connector denied by zone policy") \
    X(FCP_EDEC_CONNECTOR_NOT_ALLOWED, 4211, "decision: connector not in the zone policy allow list") \
    X(FCP_EDEC_CAPABILITY_DENIED, 4212, "decision: capability denied by zone policy") \
    X(FCP_EDEC_CAPABILITY_NOT_ALLOWED, 4213, "decision: capability not in the zone policy allow list") \
    X(FCP_EDEC_CAPABILITY_NOT_GRANTED, 4214, "decision: capability token does not grant the capability") \
    X(FCP_EDEC_TRANSPORT_LAN,   4215, "decision: zone policy forbids this zone over LAN transport") \
    X(FCP_EDEC_TRANSPORT_DERP,  4216, "decision: zone policy forbids this zone over a DERP relay") \
    X(FCP_EDEC_TRANSPORT_FUNNEL, 4217, "decision: zone policy forbids this zone over Funnel") \
    X(FCP_EDEC_PUBLIC_DANGEROUS, 4218, "decision: public-tainted input drives a Dangerous operation without elevation") \
    X(FCP_EDEC_INTEGRITY_UPHILL, 4219, "decision: tainted input flows up in integrity for a Risky operation without elevation") \
    X(FCP_EDEC_SANITIZER_COVERAGE, 4220, "decision: taint reduction not backed by an accepted sanitizer receipt") \
    X(FCP_EDEC_MISSING_DECLASSIFICATION, 4221, "decision: data flows down in confidentiality without a declassification approval") \
    X(FCP_EDEC_DECLASSIFICATION_SCOPE, 4222, "decision: declassification approval does not cover these zones or objects") \
    X(FCP_EDEC_MISSING_ELEVATION, 4223, "decision: elevation required but no elevation approval presented") \
    X(FCP_EDEC_ELEVATION_SCOPE, 4224, "decision: elevation approval is for another operation or provenance") \
    X(FCP_EDEC_MISSING_EXECUTION, 4225, "decision: operation requires an execution approval") \
    X(FCP_EDEC_EXECUTION_CONNECTOR, 4226, "decision: execution approval is for another connector") \
    X(FCP_EDEC_EXECUTION_METHOD, 4227, "decision: execution approval method pattern does not match the operation") \
    X(FCP_EDEC_EXECUTION_REQUEST, 4228, "decision: execution approval is bound to another request object") \
    X(FCP_EDEC_EXECUTION_INPUT_HASH, 4229, "decision: execution approval input hash does not match the input") \
    X(FCP_EDEC_EXECUTION_CONSTRAINT, 4230, "decision: input violates an execution approval input constraint") \
    X(FCP_EAPPROVAL_EXPIRED,    4231, "approval: token expired") \
    X(FCP_EAPPROVAL_NOT_YET_VALID, 4232, "approval: approved_at is in the future") \
    X(FCP_EAPPROVAL_BAD_SIGNATURE, 4233, "approval: signature invalid") \
    X(FCP_EAPPROVAL_AUTHORITY,  4234, "approval: approver has no authority for this scope") \
    X(FCP_EAPPROVAL_REVOKED,    4235, "approval: token revoked") \
    X(FCP_EAPPROVAL_SCOPE,      4236, "approval: unknown or malformed scope") \
    X(FCP_EAPPROVAL_TIMES,      4237, "approval: expires_at not after approved_at, or lifetime above the limit") \
    X(FCP_EJSON_POINTER,        4238, "JSON pointer: invalid syntax") \
    X(FCP_EJSON_POINTER_NOT_FOUND, 4239, "JSON pointer: no value at this path") \
    X(FCP_EDEC_REQUEST,         4240, "decision: malformed request or inputs") \
    X(FCP_EAUDIT_GENESIS,       4250, "audit: first event of a chain has a prev link or seq != 0") \
    X(FCP_EAUDIT_MODIFIED,      4251, "audit: event signature invalid (event altered)") \
    X(FCP_EAUDIT_DROPPED,       4252, "audit: sequence gap (events dropped)") \
    X(FCP_EAUDIT_REORDERED,     4253, "audit: sequence goes backwards or out of order (events reordered)") \
    X(FCP_EAUDIT_FORKED,        4254, "audit: event does not link to its predecessor (forked chain)") \
    X(FCP_EAUDIT_ZONE,          4255, "audit: event belongs to another zone") \
    X(FCP_EAUDIT_MALFORMED,     4256, "audit: event does not decode") \
    X(FCP_EAUDIT_TIME,          4257, "audit: occurred_at goes backwards") \
    X(FCP_EAUDIT_HEAD,          4258, "audit: head does not match the chain end") \
    X(FCP_EAUDIT_SEQ_EXHAUSTED, 4259, "audit: sequence space exhausted") \
    X(FCP_EOP_IDEMPOTENCY_CONFLICT, 4270, "operation: idempotency key reused for a different request") \
    X(FCP_EOP_IDEMPOTENCY_FULL, 4271, "operation: idempotency table full") \
    X(FCP_EOP_IN_PROGRESS,      4272, "operation: intent recorded, receipt not yet stored") \
    X(FCP_EOP_RECEIPT_INTENT,   4273, "operation: receipt does not reference its intent") \
    X(FCP_EOP_KEY,              4274, "operation: idempotency key empty, too long or not printable") \
    /* --- egress proxy (host/host_egress.h, docs/egress.md) --- */               \
    X(FCP_EEGRESS_REQUEST,      4300, "egress: malformed EgressHttpRequest or EgressHttpResponse") \
    X(FCP_EEGRESS_METHOD,       4301, "egress: HTTP method not allowed") \
    X(FCP_EEGRESS_HEADER,       4302, "egress: header name or value invalid") \
    X(FCP_EEGRESS_HEADER_FORBIDDEN, 4303, "egress: connector may not set this header (Host, framing or hop-by-hop)") \
    X(FCP_EEGRESS_LIMIT,        4304, "egress: URL, header count, header bytes or body over the limit") \
    X(FCP_EEGRESS_URL,          4305, "egress: URL is not an absolute http(s) URL in canonical form") \
    X(FCP_EEGRESS_USERINFO,     4306, "egress: URL carries userinfo") \
    X(FCP_EEGRESS_HOST_IDNA,    4307, "egress: host has non-ASCII characters (use punycode)") \
    X(FCP_EEGRESS_HOST_NUMERIC, 4308, "egress: host is a non-canonical numeric form (decimal, octal or hex IPv4)") \
    X(FCP_EEGRESS_HOST,         4309, "egress: host is not a valid DNS name") \
    X(FCP_EEGRESS_SCHEME,       4310, "egress: scheme not allowed (https only)") \
    X(FCP_EEGRESS_IP_LITERAL,   4311, "egress: IP-literal host not in ip_allow") \
    X(FCP_EEGRESS_HOST_NOT_ALLOWED, 4312, "egress: host not in host_allow") \
    X(FCP_EEGRESS_PORT_NOT_ALLOWED, 4313, "egress: port not in port_allow") \
    X(FCP_EEGRESS_DNS,          4314, "egress: host did not resolve") \
    X(FCP_EEGRESS_DNS_TOO_MANY, 4315, "egress: DNS answer has more addresses than allowed") \
    X(FCP_EEGRESS_UNSPECIFIED,  4316, "egress: unspecified address (0.0.0.0/8, ::)") \
    X(FCP_EEGRESS_LOOPBACK,     4317, "egress: loopback address (127.0.0.0/8, ::1)") \
    X(FCP_EEGRESS_PRIVATE,      4318, "egress: private address (RFC 1918, fc00::/7)") \
    X(FCP_EEGRESS_LINK_LOCAL,   4319, "egress: link-local address (169.254.0.0/16, fe80::/10)") \
    X(FCP_EEGRESS_TAILNET,      4320, "egress: CGNAT or tailnet address (100.64.0.0/10, fd7a:115c:a1e0::/48)") \
    X(FCP_EEGRESS_METADATA,     4321, "egress: cloud metadata address (169.254.169.254, fd00:ec2::254)") \
    X(FCP_EEGRESS_MULTICAST,    4322, "egress: multicast address") \
    X(FCP_EEGRESS_RESERVED,     4323, "egress: reserved or broadcast address (240.0.0.0/4)") \
    X(FCP_EEGRESS_CIDR_DENY,    4324, "egress: address in cidr_deny") \
    X(FCP_EEGRESS_NO_NETWORK,   4325, "egress: capability has no network constraints") \
    X(FCP_EEGRESS_NO_TIMEOUT,   4326, "egress: network constraints without connect and total timeouts (configuration error)") \
    X(FCP_EEGRESS_CONFIG,       4327, "egress: invalid proxy configuration") \
    X(FCP_EEGRESS_CREDENTIAL_NOT_ALLOWED, 4328, "egress: credential not in the capability's credential_allow") \
    X(FCP_EEGRESS_CREDENTIAL_HOST, 4329, "egress: host not in the credential's host_allow") \
    X(FCP_EEGRESS_CREDENTIAL_UNKNOWN, 4330, "egress: unknown credential id") \
    X(FCP_EEGRESS_CREDENTIAL_COLLISION, 4331, "egress: connector header or query parameter collides with the injected credential") \
    X(FCP_EEGRESS_SECRET,       4332, "egress: secret could not be materialised or is unusable") \
    X(FCP_EEGRESS_REDIRECT,     4333, "egress: redirect without a usable Location") \
    X(FCP_EEGRESS_REDIRECT_LIMIT, 4334, "egress: too many redirects") \
    X(FCP_EEGRESS_RESPONSE_TOO_LARGE, 4335, "egress: response body over the cap") \
    X(FCP_EEGRESS_TLS,          4336, "egress: TLS handshake or certificate verification failed") \
    X(FCP_EEGRESS_PIN,          4337, "egress: server key matches no SPKI pin") \
    X(FCP_EEGRESS_TIMEOUT,      4338, "egress: connect or total timeout") \
    X(FCP_EEGRESS_CONNECT,      4339, "egress: connection failed") \
    X(FCP_EEGRESS_TRANSFER,     4340, "egress: transfer failed") \
    X(FCP_EEGRESS_RESPONSE,     4341, "egress: malformed response from the server") \
    X(FCP_EEGRESS_SNI,          4342, "egress: require_sni set but the host is an IP literal") \
    /* remote-service answers as seen by an egress-using connector (connector-github) */ \
    X(FCP_EEGRESS_UPSTREAM_STATUS, 4343, "egress: the remote service answered with an error status") \
    X(FCP_EEGRESS_UPSTREAM_AUTH, 4344, "egress: the remote service refused the injected credential (401/403)") \
    X(FCP_EEGRESS_UPSTREAM_BODY, 4345, "egress: the remote service's answer is not the expected JSON shape") \
    /* --- connector host: manifests, local transport, sandbox, SDK (spec §10, §11, §13.2) --- */ \
    X(FCP_EHOST_MANIFEST,       5100, "manifest: invalid manifest.toml (see the message for key and line)") \
    X(FCP_EHOST_MANIFEST_FORMAT, 5101, "manifest: format or schema_version not supported") \
    X(FCP_EHOST_MANIFEST_ID,    5102, "manifest: connector id or operation name malformed") \
    X(FCP_EHOST_MANIFEST_VERSION, 5103, "manifest: version is not MAJOR.MINOR.PATCH") \
    X(FCP_EHOST_MANIFEST_KEY,   5104, "manifest: publisher key is not 64 hex digits of an Ed25519 key") \
    X(FCP_EHOST_MANIFEST_TIER,  5105, "manifest: unknown safety tier, idempotency or approval mode") \
    X(FCP_EHOST_MANIFEST_SCHEMA, 5106, "manifest: input/output JSON schema empty, too large or not a JSON object") \
    X(FCP_EHOST_MANIFEST_CAP,   5107, "manifest: capability malformed, duplicated, or both required and forbidden") \
    X(FCP_EHOST_MANIFEST_NETWORK, 5108, "manifest: network constraints malformed") \
    X(FCP_EHOST_MANIFEST_SANDBOX, 5109, "manifest: unknown sandbox profile or limit out of range") \
    X(FCP_EHOST_MANIFEST_RATE,  5110, "manifest: rate limit is not N/sec, N/min or N/hour") \
    X(FCP_EHOST_MANIFEST_STATE, 5111, "manifest: unknown state model") \
    X(FCP_EHOST_MANIFEST_LIMIT, 5112, "manifest: too many operations, capabilities or list entries") \
    X(FCP_EHOST_MANIFEST_HOST,  5113, "manifest: host_allow entry is not a lower-case DNS name or *.name (CapabilityObject rule)") \
    X(FCP_EHOST_MANIFEST_PIN,   5114, "manifest: spki_pins entry is not base64 of a SHA-256 (44 characters)") \
    X(FCP_EHOST_MANIFEST_PORT,  5115, "manifest: port_allow entry is not 1..65535 or is listed twice") \
    X(FCP_EHOST_ELF,            5120, "connector binary: not a well-formed ELF file") \
    X(FCP_EHOST_ELF_NO_MANIFEST, 5121, "connector binary: no .fcp_manifest section") \
    X(FCP_EHOST_MANIFEST_MISMATCH, 5122, "connector binary: embedded manifest differs from the installed one") \
    X(FCP_EHOST_SIGNATURE,      5123, "connector: publisher signature over manifest and binary hashes invalid") \
    X(FCP_EHOST_FRAME,          5130, "local transport: malformed frame header") \
    X(FCP_EHOST_FRAME_TOO_LARGE, 5131, "local transport: frame larger than the limit") \
    X(FCP_EHOST_MESSAGE,        5132, "local transport: message is not a canonical CBOR control message") \
    X(FCP_EHOST_TIMEOUT,        5133, "connector: no answer before the deadline (process killed)") \
    X(FCP_EHOST_CLOSED,         5134, "connector: closed the transport or exited") \
    X(FCP_EHOST_HANDSHAKE,      5135, "connector: handshake refused or answered wrongly") \
    X(FCP_EHOST_UNEXPECTED,     5136, "connector: unexpected message type or id") \
    X(FCP_EHOST_SPAWN,          5137, "connector: could not be started") \
    X(FCP_EHOST_UNKNOWN_OP,     5138, "connector: operation not declared in the manifest") \
    X(FCP_EHOST_OP_FAILED,      5139, "connector: operation failed") \
    X(FCP_EHOST_STATE,          5140, "connector: request not valid in the current lifecycle state") \
    X(FCP_EHOST_SANDBOX,        5150, "sandbox: setting up a sandbox feature failed") \
    X(FCP_EHOST_SANDBOX_UNAVAILABLE, 5151, "sandbox: kernel lacks a feature the profile requires (strict is refused, never weakened)") \
    /* --- host invoke pipeline (host/host_invoke.h, docs/connectors.md "Invoke pipeline") --- */ \
    X(FCP_EINVOKE_REQUEST,      5200, "invoke: malformed request (missing field, too long, too many approvals)") \
    X(FCP_EINVOKE_ZONE,         5201, "invoke: zone not served by this node") \
    X(FCP_EINVOKE_CONNECTOR,    5202, "invoke: connector id does not match the manifest") \
    X(FCP_EINVOKE_INPUT_JSON,   5203, "invoke: input is not well-formed JSON") \
    X(FCP_EINVOKE_INPUT_SCHEMA, 5204, "invoke: input violates the operation's input schema (type or required keys)") \
    X(FCP_EINVOKE_RATE_LIMITED, 5205, "invoke: rate limit of the operation exceeded") \
    X(FCP_EINVOKE_PLAN,         5206, "invoke: plan is not awaiting completion") \
    X(FCP_EINVOKE_OUTPUT_JSON,  5207, "invoke: connector output is not well-formed JSON") \
    X(FCP_EINVOKE_RECEIPT_UNAVAILABLE, 5208, "invoke: idempotent replay but the prior receipt is no longer available") \
    X(FCP_EINVOKE_APPROVAL,     5209, "invoke: an approval token does not decode") \
    X(FCP_EINVOKE_RATE_TABLE,   5210, "invoke: rate limiter table full") \
    /* --- MCP bridge `fcp mcp` (src/host/host_mcp.c, docs/mcp.md) --- */           \
    X(FCP_EMCP_NO_TOKEN,        5400, "mcp: no capability token configured (--token FILE or FCP_MCP_TOKEN_FILE)") \
    X(FCP_EMCP_TOKEN,           5401, "mcp: capability token file unreadable, empty or larger than 64 KiB") \
    X(FCP_EMCP_LINE_TOO_LONG,   5402, "mcp: JSON-RPC message longer than the line limit (4 MiB)") \
    X(FCP_EMCP_PARSE,           5403, "mcp: message is not valid JSON") \
    X(FCP_EMCP_INVALID_REQUEST, 5404, "mcp: not a valid JSON-RPC 2.0 request") \
    X(FCP_EMCP_METHOD,          5405, "mcp: method not found") \
    X(FCP_EMCP_PARAMS,          5406, "mcp: invalid params") \
    X(FCP_EMCP_UNKNOWN_TOOL,    5407, "mcp: no tool of that name") \
    X(FCP_EMCP_NOT_INITIALIZED, 5408, "mcp: request before initialize, or initialize sent twice") \
    X(FCP_EMCP_DAEMON,          5409, "mcp: fcpd unreachable or its answer malformed") \
    /* --- connector runtime in fcpd: lifecycle, workers, install, invoke wiring (docs/connectors.md) --- */ \
    X(FCP_ERT_UNKNOWN_CONNECTOR, 5300, "runtime: no connector with this id is installed") \
    X(FCP_ERT_NOT_ACTIVE,       5301, "runtime: connector is not active (starting, failed or stopped)") \
    X(FCP_ERT_REVOKED,          5302, "runtime: connector binary or manifest is revoked; refusing to start") \
    X(FCP_ERT_STATE,            5303, "runtime: lifecycle transition not allowed in the current state") \
    X(FCP_ERT_NO_PREVIOUS,      5304, "runtime: no previous version to roll back to") \
    X(FCP_ERT_BUSY,             5305, "runtime: connector call queue is full") \
    X(FCP_ERT_GAVE_UP,          5306, "runtime: connector failed too often; its restart policy gave up") \
    X(FCP_ERT_INSTALL,          5307, "runtime: connector install failed (binary not stored or not verified)") \
    X(FCP_ERT_CREDENTIAL,       5308, "runtime: credential secret missing, unreadable or readable by others") \
    X(FCP_ERT_CONFIG,           5309, "runtime: [[connector]] or [[credential]] entry invalid") \
    X(FCP_ERT_HEALTH,           5310, "runtime: connector failed its health check") \
    X(FCP_ERT_PERSIST,          5311, "runtime: receipt or audit event could not be persisted") \
    X(FCP_ERT_STOPPED,          5312, "runtime: connector stopped by the operator") \
    X(FCP_ERT_INPUT,            5313, "runtime: invoke input is not JSON object text") \
    X(FCP_ERT_LIMIT,            5314, "runtime: too many connectors or versions") \
    /* --- connector runtime: externalised state and spawn deadline (docs/connectors.md, D-RUNTIME-8) --- */ \
    X(FCP_ERT_STATE_MODEL,      5325, "runtime: state_get/state_put need [state] model = \"mesh\" in the manifest") \
    X(FCP_ERT_STATE_UNAVAILABLE, 5326, "runtime: connector state not served (daemon stopping, zone not served, or store error)") \
    X(FCP_ERT_SPAWN_TIMEOUT,    5327, "runtime: connector did not report its start in time (killed)") \
    /* --- resource --- */                                                         \
    X(FCP_ENOMEM,               6001, "out of memory")                             \
    X(FCP_ELIMIT,               6002, "resource limit reached")                    \
    X(FCP_EIO,                  6003, "input/output error")                        \
    X(FCP_ENOENT,               6004, "not found")                                 \
    /* --- store and configuration (SQLite object/symbol store, docs/store.md) --- */ \
    X(FCP_ESTORE_OPEN,          6100, "store: cannot open the database")           \
    X(FCP_ESTORE_SCHEMA,        6101, "store: database schema version unknown or newer than this build") \
    X(FCP_ESTORE_SQL,           6102, "store: SQLite error")                       \
    X(FCP_ESTORE_BUSY,          6103, "store: database is locked by another process") \
    X(FCP_ESTORE_FULL,          6104, "store: disk full")                          \
    X(FCP_ESTORE_READONLY,      6105, "store: database is read-only")              \
    X(FCP_ESTORE_CORRUPT,       6106, "store: database file is corrupt")           \
    X(FCP_ESTORE_NOT_FOUND,     6107, "store: object not found")                   \
    X(FCP_ESTORE_CONFLICT,      6108, "store: object already stored with different content") \
    X(FCP_ESTORE_QUOTA,         6109, "store: zone quota exceeded")                \
    X(FCP_ESTORE_QUARANTINE_CAP, 6110, "store: item larger than the quarantine cap") \
    X(FCP_ESTORE_PINNED,        6111, "store: object is pinned")                   \
    X(FCP_ESTORE_INTEGRITY,     6112, "store: integrity check failed")             \
    X(FCP_ESTORE_SYMBOL_CONFLICT, 6113, "store: a different symbol is stored at this ESI") \
    X(FCP_ESTORE_HEADER,        6114, "store: header does not match the object record") \
    X(FCP_ESTORE_IO,            6115, "store: disk I/O error")                     \
    X(FCP_ESTORE_NOMEM,         6116, "store: SQLite out of memory")               \
    X(FCP_ESTORE_QUARANTINED,   6117, "store: object is quarantined, not admitted") \
    X(FCP_ESTORE_RQ_CONFLICT,   6118, "store: object held with other zone or RaptorQ parameters") \
    /* --- store: mesh symbols sealed at rest (store_seal.c, D-STORE-6) --- */     \
    X(FCP_ESTORE_NO_KEY,        6119, "store: no zone key to seal or open a mesh symbol") \
    X(FCP_ESTORE_SEAL_AUTH,     6120, "store: a sealed mesh symbol failed authentication (tampered)") \
    /* --- mesh node (src/mesh, docs/mesh.md) --- */                               \
    X(FCP_EMESH_CONFIG,         6200, "mesh: invalid node configuration")          \
    X(FCP_EMESH_UNKNOWN_PEER,   6201, "mesh: not a configured peer")               \
    X(FCP_EMESH_UNKNOWN_ZONE,   6202, "mesh: zone not served by this node")        \
    X(FCP_EMESH_UNKNOWN_OBJECT, 6203, "mesh: object unknown to this node")         \
    X(FCP_EMESH_BUSY,           6204, "mesh: too many operations or queues full")  \
    X(FCP_EMESH_NO_SESSION,     6205, "mesh: no session with the peer")            \
    X(FCP_EMESH_CONTROL,        6206, "mesh: malformed control message")           \
    X(FCP_EMESH_OBJECT_ID,      6207, "mesh: decoded object does not match its ObjectId") \
    X(FCP_EMESH_OBJECT,         6208, "mesh: decoded bytes are not one canonical object") \
    X(FCP_EMESH_TIMEOUT,        6209, "mesh: get timed out")                       \
    X(FCP_EMESH_BUDGET,         6210, "mesh: peer budget exceeded")                \
    X(FCP_EMESH_RATE,           6211, "mesh: peer rate limit exceeded")            \
    X(FCP_EMESH_GOSSIP,         6212, "mesh: malformed gossip digest")             \
    X(FCP_EMESH_STORE_CONFLICT, 6213, "mesh: store holds the object with other parameters") \
    X(FCP_EMESH_OP,             6214, "mesh: unknown or unfinished operation")     \
    X(FCP_EMESH_UNAVAILABLE,    6215, "mesh: not enough symbols reachable")        \
    X(FCP_EMESH_PEER_RESTARTED, 6216, "mesh: peer restarted (new handshake while its session was up)") \
    X(FCP_EMESH_REPAIR_TIMEOUT, 6217, "mesh: repair timed out")                    \
    /* --- mesh: per-zone and runtime membership (D-MESH-9) --- */                 \
    X(FCP_EMESH_MEMBER_EXISTS,  6218, "mesh: node is already a member")            \
    X(FCP_EMESH_MEMBERS_FULL,   6219, "mesh: member table full (FCP_MESH_MAX_PEERS)") \
    X(FCP_EMESH_MEMBER_REMOVED, 6220, "mesh: member removed at runtime")           \
    X(FCP_EMESH_PEER_MOVED,     6221, "mesh: member address changed (session re-established)") \
    X(FCP_EMESH_NOT_MEMBER,     6222, "mesh: peer is not a member of the object's zone") \
    /* --- daemon, admin and network (fcpd, net/, admin socket; docs/fcpd.md) --- */ \
    X(FCP_ENET_SOCKET,          6300, "net: cannot create, bind or configure a socket") \
    X(FCP_ENET_ADDRESS,         6301, "net: address cannot be resolved or used") \
    X(FCP_ENET_LOOP,            6302, "net: event loop failure (epoll, signalfd or timer)") \
    X(FCP_ENET_DATAGRAM_SIZE,   6303, "net: datagram larger than the 1200-byte payload limit") \
    X(FCP_ENET_PEER_CRED,       6304, "net: admin client runs as another user") \
    X(FCP_ENET_CONN_LIMIT,      6305, "net: too many admin or metrics connections") \
    /* --- net: Tailscale LocalAPI discovery (net_tailscale.c, D-TS-*) --- */       \
    X(FCP_ETS_CONNECT,          6306, "tailscale: cannot connect to the tailscaled LocalAPI socket") \
    X(FCP_ETS_IO,               6307, "tailscale: LocalAPI read/write failed or timed out") \
    X(FCP_ETS_HTTP,             6308, "tailscale: LocalAPI answer is not a valid HTTP/1.1 response") \
    X(FCP_ETS_STATUS,           6309, "tailscale: LocalAPI answered with a non-200 HTTP status") \
    X(FCP_ETS_TOO_LARGE,        6310, "tailscale: LocalAPI answer larger than the limit") \
    X(FCP_ETS_JSON,             6311, "tailscale: LocalAPI body is not valid JSON") \
    X(FCP_ETS_SCHEMA,           6312, "tailscale: LocalAPI JSON field of the wrong type or out of bounds") \
    X(FCP_ETS_TOO_MANY_PEERS,   6313, "tailscale: more peers than the discovery limit") \
    X(FCP_EADMIN_MAGIC,         6320, "admin: frame does not start with \"FCPA\"") \
    X(FCP_EADMIN_VERSION,       6321, "admin: unsupported frame version") \
    X(FCP_EADMIN_RESERVED,      6322, "admin: reserved header bytes are not zero") \
    X(FCP_EADMIN_FLAGS,         6323, "admin: unknown frame flags") \
    X(FCP_EADMIN_TOO_LARGE,     6324, "admin: frame payload larger than the limit") \
    X(FCP_EADMIN_TRUNCATED,     6325, "admin: frame shorter than its header says") \
    X(FCP_EADMIN_MALFORMED,     6326, "admin: request is not a canonical CBOR map of known fields") \
    X(FCP_EADMIN_UNKNOWN_OP,    6327, "admin: unknown request operation") \
    X(FCP_EADMIN_MISSING,       6328, "admin: a required request field is missing") \
    X(FCP_EADMIN_STATE,         6329, "admin: request not valid in this state (e.g. put data without put begin)") \
    X(FCP_EADMIN_OBJECT_ID,     6330, "admin: object id is not 64 hex digits") \
    X(FCP_EADMIN_ZONE,          6331, "admin: zone is not served by this node") \
    X(FCP_EADMIN_PUT_SIZE,      6332, "admin: put data does not match the announced size") \
    X(FCP_EADMIN_CONNECT,       6333, "admin: cannot connect to fcpd (is it running?)") \
    X(FCP_EADMIN_RESPONSE,      6334, "admin: malformed response from fcpd") \
    X(FCP_EDAEMON_HOME,         6350, "fcpd: FCP_HOME is missing, not a directory or has unsafe permissions") \
    X(FCP_EDAEMON_KEY,          6351, "fcpd: node key file missing, malformed or readable by others") \
    X(FCP_EDAEMON_RUNNING,      6352, "fcpd: another fcpd already owns the admin socket") \
    X(FCP_EDAEMON_MESH,         6353, "fcpd: operation needs the mesh engine, which this build lacks") \
    /* fcpd authority: revocations, node enrollment and removal (fcpd_authority.c, fcp revoke/node/zone) */ \
    X(FCP_EDAEMON_REV_STORE,    6354, "fcpd: revocation state cannot be written to or reloaded from the data directory") \
    X(FCP_EDAEMON_REV_MISMATCH, 6355, "fcpd: revocation event does not name the RevocationObject sent with it") \
    X(FCP_EDAEMON_PEER_REVOKED, 6356, "fcpd: datagram or session from a removed node (its attestation is revoked) refused") \
    X(FCP_EDAEMON_OWNER_KEY,    6357, "fcp: the owner secret key (owner.key) is not in this FCP_HOME") \
    X(FCP_EDAEMON_ENROLL,       6358, "fcp: enrollment request or bundle invalid (keys do not match this node, or unsigned)") \
    X(FCP_EDAEMON_LEGACY_ZONE_KEY, 6359, "fcp: zones.key key id is not derived from the key (older fcp init): it cannot travel in a ZoneKeyManifest") \
    /* fcp grant / token mint bindings, revocations over the mesh (cmd_grant.c, cmd_token.c, fcpd_authority.c) */ \
    X(FCP_ECLI_GRANT_NOT_FOUND, 6361, "fcp: --grant names no file and no grant in FCP_HOME/grants") \
    X(FCP_ECLI_BINDING,         6362, "fcp token mint: the connector binary id or revocation checkpoint could not be obtained from fcpd (give --aud-binary / --checkpoint)") \
    X(FCP_ECLI_CHECKPOINT,      6363, "fcp token mint: --checkpoint wants SEQ:HEX (64 hex digits; seq 0 with zeros for an empty chain)") \
    X(FCP_EDAEMON_REV_MESH,     6364, "fcpd: a revocation object from the mesh does not verify (owner signature, object/event pair) and was dropped") \
    X(FCP_EDAEMON_AUDIT_FILE,   6360, "fcp: audit chain file is unreadable or holds a truncated CBOR item") \
    /* --- net QUIC: the QUIC carrier (net/net_quic*.c, docs/quic.md) --- */          \
    X(FCP_EQUIC_TLS,            6400, "QUIC: TLS session setup failed (GnuTLS)")   \
    X(FCP_EQUIC_CERT,           6401, "QUIC: cannot build the node certificate from its key") \
    X(FCP_EQUIC_PEER_KEY,       6402, "QUIC: peer certificate key is not the pinned or an accepted node key") \
    X(FCP_EQUIC_NO_PEER_CERT,   6403, "QUIC: peer presented no certificate") \
    X(FCP_EQUIC_PEER_CERT,      6404, "QUIC: peer certificate unreadable or its key is not Ed25519") \
    X(FCP_EQUIC_HANDSHAKE,      6405, "QUIC: TLS handshake failed") \
    X(FCP_EQUIC_HANDSHAKE_TIMEOUT, 6406, "QUIC: handshake did not complete in time") \
    X(FCP_EQUIC_IDLE_TIMEOUT,   6407, "QUIC: connection idle for longer than the idle timeout") \
    X(FCP_EQUIC_PEER_CLOSED,    6408, "QUIC: peer closed the connection") \
    X(FCP_EQUIC_REFUSED,        6409, "QUIC: peer refused the handshake (TLS alert)") \
    X(FCP_EQUIC_NOT_INITIAL,    6410, "QUIC: datagram does not start a connection (not a client Initial)") \
    X(FCP_EQUIC_BLOCKED,        6411, "QUIC: send buffer or queue full (backpressure); retry later") \
    X(FCP_EQUIC_STATE,          6412, "QUIC: connection not established, or already closed") \
    X(FCP_EQUIC_DGRAM_DISABLED, 6413, "QUIC: DATAGRAM frames not negotiated with this peer") \
    X(FCP_EQUIC_DGRAM_SIZE,     6414, "QUIC: datagram larger than the path carries") \
    X(FCP_EQUIC_FCPC_FRAMING,   6415, "QUIC: FCPC stream carries a malformed frame header") \
    X(FCP_EQUIC_STREAM,         6416, "QUIC: peer used a stream it may not (or reset the FCPC stream)") \
    X(FCP_EQUIC_PROTOCOL,       6417, "QUIC: transport error (ngtcp2)") \
    X(FCP_EQUIC_CONFIG,         6418, "QUIC: invalid carrier configuration") \
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
