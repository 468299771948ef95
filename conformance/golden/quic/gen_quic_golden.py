#!/usr/bin/env python3
"""Generate the QUIC carrier golden vectors (D-QUIC-1, D-QUIC-2, D-QUIC-4).

Independent of the C code (no GnuTLS, no ngtcp2): the node certificate is
built with `cryptography`'s X.509 builder from the rules written in
docs/protocol/decisions.md, and the sizing rule is written out in integers.
tests/unit/net_quic_test.c (test_golden) recomputes every value.

    python3 conformance/golden/quic/gen_quic_golden.py   # rewrites d-quic-golden.json
"""
import datetime
import json
import os

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

ALPN = b"fcp/2"                      # D-QUIC-1
SEED = bytes(range(0x01, 0x21))      # 01 02 .. 20
CID = 16                             # our connection-id length


def node_cert(seed):
    """D-QUIC-2: a self-signed certificate carrying the node's Ed25519 key."""
    sk = Ed25519PrivateKey.from_private_bytes(seed)
    pk = sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fcp-node",
                                           _type=_ASN1Type.PrintableString)])
    b = (x509.CertificateBuilder()
         .subject_name(name)
         .issuer_name(name)
         .serial_number(1)
         .not_valid_before(datetime.datetime(1970, 1, 1, 0, 0, 0))
         .not_valid_after(datetime.datetime(9999, 12, 31, 23, 59, 59))
         .public_key(sk.public_key())
         .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                      key_encipherment=False, data_encipherment=False,
                                      key_agreement=False, key_cert_sign=False, crl_sign=False,
                                      encipher_only=False, decipher_only=False),
                        critical=True))
    cert = b.sign(sk, None)
    return pk, cert.public_bytes(serialization.Encoding.DER)


def dgram_payload(udp, cid):
    """D-QUIC-4: 1 (flags) + cid + 4 (packet number) + 16 (AEAD tag)
    + 1 (DATAGRAM type) + 2 (length)."""
    over = 1 + cid + 4 + 16 + 1 + 2
    return udp - over if udp > over else 0


def symbol_size(dgram):
    """D-WIRE-4 with one symbol per datagram: 40 (envelope) + 114 (FCPS header)
    + 22 (record overhead) + T <= dgram, T a multiple of 8, at most 16384."""
    t = (dgram - 40 - 114 - 22) // 8 * 8
    return min(t, 16384)


def main():
    pk, der = node_cert(SEED)
    out = {
        "decisions": ["D-QUIC-1", "D-QUIC-2", "D-QUIC-4"],
        "alpn_hex": ALPN.hex(),
        "seed": SEED.hex(),
        "public_key": pk.hex(),
        "cert_der": der.hex(),
        "cid_len": CID,
        "dgram_payload_1200": dgram_payload(1200, CID),
        "dgram_payload_1452": dgram_payload(1452, CID),
        "symbol_size_1200": symbol_size(dgram_payload(1200, CID)),
        "symbol_size_1452": symbol_size(dgram_payload(1452, CID)),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "d-quic-golden.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
