#!/usr/bin/env python3
"""gen_egress_golden.py - writes d-egress-1-codec.json: EgressHttpRequest and
EgressHttpResponse encodings (D-EGRESS-1) and rejects (D-EGRESS-2), plus the
URL canonicalisation and address classification cases of D-EGRESS-3/4.
Built with its own minimal canonical CBOR encoder, independently of the C
code; tests/unit/host_egress_test.c decodes every vector, re-encodes the
accepted ones byte for byte and checks each reject code.  Run from the
repository root:  python3 conformance/golden/egress/gen_egress_golden.py"""
import json, struct


def head(major, n):
    if n < 24: return bytes([major << 5 | n])
    if n < 0x100: return bytes([major << 5 | 24, n])
    if n < 0x10000: return bytes([major << 5 | 25]) + struct.pack('>H', n)
    if n < 0x100000000: return bytes([major << 5 | 26]) + struct.pack('>I', n)
    return bytes([major << 5 | 27]) + struct.pack('>Q', n)


def enc(v, sort=True):
    if isinstance(v, bool): return bytes([0xf5 if v else 0xf4])
    if v is None: return b'\xf6'
    if isinstance(v, int): return head(0, v)
    if isinstance(v, bytes): return head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode(); return head(3, len(b)) + b
    if isinstance(v, list): return head(4, len(v)) + b''.join(enc(x) for x in v)
    if isinstance(v, dict):
        items = [(enc(k), enc(x)) for k, x in v.items()]
        if sort: items.sort()
        return head(5, len(items)) + b''.join(k + x for k, x in items)
    raise TypeError(v)


def req(method='GET', url='https://api.example.com/v1/items?limit=2', headers=(), body=b'', cred=None):
    m = {'method': method, 'url': url, 'headers': [list(h) for h in headers], 'body': body}
    if cred is not None: m['credential'] = cred
    return m


def resp(status=200, headers=(), body=b'', truncated=False):
    return {'status': status, 'headers': [list(h) for h in headers], 'body': body, 'truncated': truncated}


V = []
def ok(kind, name, obj):
    V.append({'kind': kind, 'name': name, 'hex': enc(obj).hex(), 'expect': 'ok'})
def bad(kind, name, raw, code):
    V.append({'kind': kind, 'name': name, 'hex': raw.hex(), 'expect': code})

ok('request', 'minimal GET', req())
ok('request', 'POST with headers, body and credential',
   req('POST', 'https://api.example.com/v1/send', [('content-type', 'application/json'), ('x-trace', 'a b')],
       b'{"text":"hi"}', 'cred:api'))
ok('request', 'repeated header keeps order', req(headers=[('accept', 'text/plain'), ('accept', 'application/json')]))
ok('request', 'empty header value', req(headers=[('x-empty', '')]))
ok('response', 'ok response', resp(200, [('content-type', 'text/plain')], b'hello'))
ok('response', 'truncated response', resp(206, [], b'\x00\x01\x02', True))
ok('response', 'redirect', resp(302, [('location', '/next')]))

bad('request', 'unsorted keys', enc(req(), sort=False), 'FCP_EMISSING_FIELD')
bad('request', 'unknown field', enc(dict(req(), zzzzzzzzzzz=1)), 'FCP_EUNKNOWN_FIELD')
bad('request', 'missing body', enc({k: v for k, v in req().items() if k != 'body'}), 'FCP_EMISSING_FIELD')
bad('request', 'body as text', enc(dict(req(), body='x')), 'FCP_EEGRESS_REQUEST')
bad('request', 'lowercase method', enc(req(method='get')), 'FCP_EEGRESS_METHOD')
bad('request', 'CONNECT method', enc(req(method='CONNECT')), 'FCP_EEGRESS_METHOD')
bad('request', 'uppercase header name', enc(req(headers=[('Accept', 'x')])), 'FCP_EEGRESS_HEADER')
bad('request', 'CRLF in header value', enc(req(headers=[('x-a', 'a\r\nhost: evil')])), 'FCP_EEGRESS_HEADER')
bad('request', 'host header', enc(req(headers=[('host', 'evil.example')])), 'FCP_EEGRESS_HEADER_FORBIDDEN')
bad('request', 'transfer-encoding header', enc(req(headers=[('transfer-encoding', 'chunked')])), 'FCP_EEGRESS_HEADER_FORBIDDEN')
bad('request', 'proxy-authorization header', enc(req(headers=[('proxy-authorization', 'x')])), 'FCP_EEGRESS_HEADER_FORBIDDEN')
bad('request', 'header pair of three', enc(req(headers=[('a', 'b', 'c')])), 'FCP_EEGRESS_REQUEST')
bad('request', '65 headers', enc(req(headers=[('x-h', str(i)) for i in range(65)])), 'FCP_EEGRESS_LIMIT')
bad('request', 'empty credential', enc(req(cred='')), 'FCP_EEGRESS_REQUEST')
bad('request', 'space in url', enc(req(url='https://api.example.com/a b')), 'FCP_EEGRESS_URL')
bad('request', 'trailing byte', enc(req()) + b'\x00', 'FCP_ECBOR_TRAILING')
bad('response', 'status 99', enc(resp(99)), 'FCP_EEGRESS_RESPONSE')
bad('response', 'status 600', enc(resp(600)), 'FCP_EEGRESS_RESPONSE')
bad('response', 'truncated missing', enc({k: v for k, v in resp().items() if k != 'truncated'}), 'FCP_EMISSING_FIELD')

# D-EGRESS-3: URL canonicalisation (input -> canonical URL, or the error)
URLS = [
    ('HTTPS://API.Example.COM./v1?q=1#frag', 'https://api.example.com/v1?q=1'),
    ('https://api.example.com', 'https://api.example.com/'),
    ('https://api.example.com?x=1', 'https://api.example.com/?x=1'),
    ('https://api.example.com:443/a', 'https://api.example.com/a'),
    ('https://api.example.com:8443/a', 'https://api.example.com:8443/a'),
    ('https://xn--bcher-kva.example/', 'https://xn--bcher-kva.example/'),
    ('https://[2001:DB8::1]/', 'https://[2001:db8::1]/'),
    ('https://93.184.216.34/', 'https://93.184.216.34/'),
    ('http://2130706433/', 'FCP_EEGRESS_HOST_NUMERIC'),
    ('https://0x7f.1/', 'FCP_EEGRESS_HOST_NUMERIC'),
    ('https://0x7f000001/', 'FCP_EEGRESS_HOST_NUMERIC'),
    ('https://0177.0.0.1/', 'FCP_EEGRESS_HOST_NUMERIC'),
    ('https://127.1/', 'FCP_EEGRESS_HOST_NUMERIC'),
    ('https://127.0.0.1.5/', 'FCP_EEGRESS_HOST_NUMERIC'),
    ('https://user:pw@api.example.com/', 'FCP_EEGRESS_USERINFO'),
    ('https://api.example.com@evil.example/', 'FCP_EEGRESS_USERINFO'),
    ('https://b\u00fccher.example/', 'FCP_EEGRESS_HOST_IDNA'),
    ('https://%61pi.example.com/', 'FCP_EEGRESS_HOST'),
    ('https://api_x.example.com/', 'FCP_EEGRESS_HOST'),
    ('https://-a.example.com/', 'FCP_EEGRESS_HOST'),
    ('https://a..example.com/', 'FCP_EEGRESS_HOST'),
    ('https://[fe80::1%25eth0]/', 'FCP_EEGRESS_HOST'),
    ('https:///path', 'FCP_EEGRESS_HOST'),
    ('https://api.example.com:0/', 'FCP_EEGRESS_URL'),
    ('https://api.example.com:0443/', 'FCP_EEGRESS_URL'),
    ('https://api.example.com:65536/', 'FCP_EEGRESS_URL'),
    ('https://api.example.com\\@evil.example/', 'FCP_EEGRESS_URL'),
    ('https:api.example.com/', 'FCP_EEGRESS_URL'),
    ('ftp://api.example.com/', 'FCP_EEGRESS_SCHEME'),
    ('file:///etc/passwd', 'FCP_EEGRESS_SCHEME'),
]
# D-EGRESS-4: address classes under the default NetworkConstraints
ADDRS = [
    ('8.8.8.8', 'ok'), ('2606:4700:4700::1111', 'ok'),
    ('0.0.0.0', 'FCP_EEGRESS_UNSPECIFIED'), ('::', 'FCP_EEGRESS_UNSPECIFIED'),
    ('127.0.0.1', 'FCP_EEGRESS_LOOPBACK'), ('127.255.0.9', 'FCP_EEGRESS_LOOPBACK'), ('::1', 'FCP_EEGRESS_LOOPBACK'),
    ('10.0.0.1', 'FCP_EEGRESS_PRIVATE'), ('172.16.5.4', 'FCP_EEGRESS_PRIVATE'), ('172.31.255.255', 'FCP_EEGRESS_PRIVATE'),
    ('192.168.1.1', 'FCP_EEGRESS_PRIVATE'), ('fc00::1', 'FCP_EEGRESS_PRIVATE'), ('fd12:3456::1', 'FCP_EEGRESS_PRIVATE'),
    ('172.32.0.1', 'ok'), ('169.254.1.1', 'FCP_EEGRESS_LINK_LOCAL'), ('fe80::1', 'FCP_EEGRESS_LINK_LOCAL'),
    ('febf::1', 'FCP_EEGRESS_LINK_LOCAL'), ('100.64.0.1', 'FCP_EEGRESS_TAILNET'), ('100.127.255.254', 'FCP_EEGRESS_TAILNET'),
    ('100.128.0.1', 'ok'), ('fd7a:115c:a1e0::1', 'FCP_EEGRESS_TAILNET'),
    ('169.254.169.254', 'FCP_EEGRESS_METADATA'), ('fd00:ec2::254', 'FCP_EEGRESS_METADATA'),
    ('224.0.0.1', 'FCP_EEGRESS_MULTICAST'), ('ff02::1', 'FCP_EEGRESS_MULTICAST'),
    ('240.0.0.1', 'FCP_EEGRESS_RESERVED'), ('255.255.255.255', 'FCP_EEGRESS_RESERVED'),
    ('::ffff:127.0.0.1', 'FCP_EEGRESS_LOOPBACK'), ('::ffff:10.0.0.1', 'FCP_EEGRESS_PRIVATE'),
    ('::ffff:169.254.169.254', 'FCP_EEGRESS_METADATA'), ('::ffff:100.64.1.1', 'FCP_EEGRESS_TAILNET'),
    ('::ffff:8.8.8.8', 'ok'), ('::10.0.0.1', 'FCP_EEGRESS_PRIVATE'), ('64:ff9b::a9fe:a9fe', 'FCP_EEGRESS_METADATA'),
    ('2002:7f00:1::1', 'FCP_EEGRESS_LOOPBACK'), ('2002:c0a8:101::1', 'FCP_EEGRESS_PRIVATE'),
]

out = {
    'description': 'D-EGRESS-1..4 golden vectors (docs/protocol/decisions.md); generated by gen_egress_golden.py',
    'codec': V,
    'urls': [{'url': u, 'expect': e} for u, e in URLS],
    'addresses': [{'addr': a, 'expect': e} for a, e in ADDRS],
}
with open('conformance/golden/egress/d-egress-1-codec.json', 'w') as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write('\n')
print('wrote %d codec, %d url, %d address vectors' % (len(V), len(URLS), len(ADDRS)))
