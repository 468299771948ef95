#!/usr/bin/env python3
"""gen_symbol_seal.py - independent generator of conformance/golden/store/symbol_seal.json
(D-STORE-6: mesh symbols sealed at rest).  Uses no libfcp: HKDF-SHA256 and
ChaCha20-Poly1305 from python3-cryptography, HChaCha20 written out here (so
XChaCha20-Poly1305 = ChaCha20-Poly1305 under HChaCha20(key, nonce[0:16]) with
nonce 00000000 || nonce[16:24]).  Run: python3 gen_symbol_seal.py > symbol_seal.json
"""
import hashlib
import json
import struct

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def rotl(v, c):
    return ((v << c) & 0xFFFFFFFF) | (v >> (32 - c))


def qr(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & 0xFFFFFFFF; s[d] = rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & 0xFFFFFFFF; s[b] = rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & 0xFFFFFFFF; s[d] = rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & 0xFFFFFFFF; s[b] = rotl(s[b] ^ s[c], 7)


def hchacha20(key, n16):
    s = list(struct.unpack('<4I', b'expand 32-byte k')) + list(struct.unpack('<8I', key)) + \
        list(struct.unpack('<4I', n16))
    for _ in range(10):
        qr(s, 0, 4, 8, 12); qr(s, 1, 5, 9, 13); qr(s, 2, 6, 10, 14); qr(s, 3, 7, 11, 15)
        qr(s, 0, 5, 10, 15); qr(s, 1, 6, 11, 12); qr(s, 2, 7, 8, 13); qr(s, 3, 4, 9, 14)
    return struct.pack('<8I', *(s[0:4] + s[12:16]))


def xchacha20poly1305(key, nonce, aad, msg):
    sub = hchacha20(key, nonce[:16])
    out = ChaCha20Poly1305(sub).encrypt(b'\0' * 4 + nonce[16:], msg, aad)
    return out[:-16], out[-16:]


def subkey(zone_key, kid, zone):
    z = zone.encode()
    info = b'FCP2-STORE-SYMBOL-KEY-V1' + bytes([len(z)]) + z
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=kid, info=info).derive(zone_key)


def aad(zone, oid, esi, kid):
    z = zone.encode()
    return b'FCP2-STORE-SYMBOL-V1' + bytes([len(z)]) + z + oid + struct.pack('<I', esi) + kid


def seq(label, n):
    out = b''
    i = 0
    while len(out) < n:
        out += hashlib.sha256(label.encode() + struct.pack('<I', i)).digest()
        i += 1
    return out[:n]


cases = []
for name, zone, esi, ln in (('work-esi-7', 'z:work', 7, 64), ('private-esi-0', 'z:private', 0, 1024),
                            ('owner-esi-max', 'z:owner', 0xFFFFFFFF, 1)):
    zk, kid, oid = seq(name + '/zone_key', 32), seq(name + '/kid', 8), seq(name + '/oid', 32)
    nonce, msg = seq(name + '/nonce', 24), seq(name + '/symbol', ln)
    sk = subkey(zk, kid, zone)
    a = aad(zone, oid, esi, kid)
    ct, tag = xchacha20poly1305(sk, nonce, a, msg)
    cases.append({'name': name, 'zone': zone, 'zone_key': zk.hex(), 'key_id': kid.hex(),
                  'object_id': oid.hex(), 'esi': esi, 'nonce': nonce.hex(), 'symbol': msg.hex(),
                  'subkey': sk.hex(), 'aad': a.hex(), 'ciphertext': ct.hex(), 'tag': tag.hex()})

print(json.dumps({'decision': 'D-STORE-6', 'generator': 'conformance/golden/store/gen_symbol_seal.py',
                  'rules': {'subkey': 'HKDF-SHA256(salt=key_id, ikm=zone_key, info="FCP2-STORE-SYMBOL-KEY-V1"'
                                      ' || u8 len(zone) || zone, L=32)',
                            'aad': '"FCP2-STORE-SYMBOL-V1" || u8 len(zone) || zone || object_id || esi u32le || key_id',
                            'aead': 'XChaCha20-Poly1305(subkey, nonce[24] random per row, aad, symbol); tag stored apart'},
                  'cases': cases}, indent=1))
