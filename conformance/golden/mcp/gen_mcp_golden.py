#!/usr/bin/env python3
"""gen_mcp_golden.py - writes d-mcp-transcript.json: an MCP session with the
bridge (`fcp mcp`, D-MCP-1..8) written independently of the C code.

It holds the fcpd side as exact bytes (a minimal canonical CBOR encoder:
shortest heads, map keys sorted bytewise by their encoding): every admin
request the bridge must send (hex) with the answer fcpd gives, and the MCP
side as JSON: each line a client sends and the message the bridge must
answer (null = no answer).  tests/unit/host_mcp_test.c replays it against
the engine with a fake fcpd that only answers requests listed here, byte for
byte, and compares every answer as JSON (json_equal)."""
import json, struct

def head(major, n):
    if n < 24: return bytes([major << 5 | n])
    if n < 0x100: return bytes([major << 5 | 24, n])
    if n < 0x10000: return bytes([major << 5 | 25]) + struct.pack('>H', n)
    if n < 0x100000000: return bytes([major << 5 | 26]) + struct.pack('>I', n)
    return bytes([major << 5 | 27]) + struct.pack('>Q', n)

def enc(v):
    if isinstance(v, bool): return bytes([0xf5 if v else 0xf4])
    if isinstance(v, int): return head(0, v)
    if isinstance(v, bytes): return head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode(); return head(3, len(b)) + b
    if isinstance(v, list): return head(4, len(v)) + b''.join(enc(x) for x in v)
    if isinstance(v, dict):
        items = sorted((enc(k), enc(x)) for k, x in v.items())
        return head(5, len(items)) + b''.join(k + x for k, x in items)
    raise TypeError(v)

TOKEN = bytes.fromhex('8443a10127a0581a') + bytes(26) + bytes(64)   # opaque to the bridge
LATEST = '2025-11-25'

def op(name, tier, idem, appr, schema, cap, rate=None, desc='d'):
    o = {'name': name, 'description': desc, 'tier': tier, 'idempotent': idem,
         'requires_approval': appr, 'input_schema': schema, 'capability': cap}
    if rate: o['rate_limit'] = rate
    return o

catalog = {'ok': True, 'connectors': [
    {'id': 'fcp.notes', 'version': '0.1.0', 'state': 'active', 'description': 'notes', 'operations': [
        op('notes_get', 'safe', False, False, '{"type":"object","required":["name"]}', 'notes.read', desc='Read a note'),
        op('notes_put', 'risky', True, False, '{"required":["name","text"]}', 'notes.write', '60/min', 'Store a note'),
        op('notes_delete', 'dangerous', True, True, '{"type":"object"}', 'notes.delete', desc='Delete a note'),
        op('notes_nuke', 'forbidden', False, False, '{"type":"object"}', 'notes.nuke'),
        op('odd op/x', 'safe', False, False, '{"type":"array"}', 'notes.read', desc=''),
    ]},
    {'id': 'other', 'version': '1.0.0', 'state': 'failed', 'description': '', 'operations': [
        op('ping', 'safe', True, False, '{}', 'other.ping')]},
]}

def invoke(connector, operation, input_text, **extra):
    r = {'op': 'invoke', 'connector': connector, 'operation': operation, 'input': input_text, 'token': TOKEN}
    r.update(extra)
    return enc(r)

RID = bytes(range(32))
daemon = [
    (enc({'op': 'connectors'}), enc(catalog)),
    (invoke('fcp.notes', 'notes_get', '{"name":"a"}'),
     enc({'ok': True, 'output': '{"name":"a","text":"hi"}', 'receipt_id': RID, 'receipt': b'\x01'})),
    (invoke('fcp.notes', 'notes_put', '{"name":"b","text":"t"}', idempotency_key='k-1', simulate=True,
            approvals=[b'\xab\xcd']),
     enc({'ok': True, 'output': '"stored"', 'receipt_id': RID, 'receipt': b'\x01'})),
    (invoke('fcp.notes', 'notes_delete', '{}'),
     enc({'ok': False, 'code': 'FCP-3005', 'error': 'operation not granted', 'detail': 'notes.delete',
          'decision_receipt': b'\x0f'})),
    (invoke('other', 'ping', '{}'),
     enc({'ok': False, 'code': 'FCP-5301', 'error': 'runtime: connector is not active', 'detail': 'failed'})),
]

def req(i, method, params=None):
    m = {'jsonrpc': '2.0', 'id': i, 'method': method}
    if params is not None: m['params'] = params
    return json.dumps(m, separators=(',', ':'))

def res(i, result): return {'jsonrpc': '2.0', 'id': i, 'result': result}
def err(i, code, fcp): return {'jsonrpc': '2.0', 'id': i, 'error': {'code': code, 'fcp_code': fcp}}

def annotations(ro, de, idem): return {'readOnlyHint': ro, 'destructiveHint': de, 'idempotentHint': idem}

tools = [
    {'name': 'fcp.notes.notes_get',
     'description': 'Read a note [FCP fcp.notes/notes_get v0.1.0: safe tier; capability notes.read]',
     'inputSchema': {'type': 'object', 'required': ['name']},
     'annotations': annotations(True, False, False),
     '_meta': {'fcp/connector': 'fcp.notes', 'fcp/operation': 'notes_get', 'fcp/tier': 'safe',
               'fcp/capability': 'notes.read', 'fcp/requires_approval': False}},
    {'name': 'fcp.notes.notes_put',
     'description': 'Store a note [FCP fcp.notes/notes_put v0.1.0: risky tier; capability notes.write; rate limit 60/min]',
     'inputSchema': {'type': 'object', 'required': ['name', 'text']},
     'annotations': annotations(False, False, True),
     '_meta': {'fcp/connector': 'fcp.notes', 'fcp/operation': 'notes_put', 'fcp/tier': 'risky',
               'fcp/capability': 'notes.write', 'fcp/rate_limit': '60/min', 'fcp/requires_approval': False}},
    {'name': 'fcp.notes.notes_delete',
     'description': 'Delete a note [FCP fcp.notes/notes_delete v0.1.0: dangerous tier; capability notes.delete; requires an approval token]',
     'inputSchema': {'type': 'object'},
     'annotations': annotations(False, True, True),
     '_meta': {'fcp/connector': 'fcp.notes', 'fcp/operation': 'notes_delete', 'fcp/tier': 'dangerous',
               'fcp/capability': 'notes.delete', 'fcp/requires_approval': True}},
    {'name': 'fcp.notes.odd_op_x',
     'description': '[FCP fcp.notes/odd op/x v0.1.0: safe tier; capability notes.read]',
     'inputSchema': {'type': 'object'},
     'annotations': annotations(True, False, False),
     '_meta': {'fcp/connector': 'fcp.notes', 'fcp/operation': 'odd op/x', 'fcp/tier': 'safe',
               'fcp/capability': 'notes.read', 'fcp/requires_approval': False}},
]

INSTR = ("Each tool is one FCP connector operation, run by the local fcpd under this bridge's capability "
         "token. A refusal (token, policy, approval, rate limit) is a tool result with isError true whose "
         "text starts with its FCP-xxxx reason code.")

steps = [
    # D-MCP-1: only ping before initialize; the client's version echoed when spoken
    (req(1, 'tools/list'), err(1, -32600, 'FCP-5408')),
    (req('p', 'ping'), res('p', {})),
    (req(2, 'initialize', {'protocolVersion': '2025-06-18', 'capabilities': {},
                           'clientInfo': {'name': 'golden', 'version': '1'}}),
     res(2, {'protocolVersion': '2025-06-18', 'capabilities': {'tools': {'listChanged': False}},
             'serverInfo': {'name': 'fcp', 'version': '0.1.0'}, 'instructions': INSTR})),
    (json.dumps({'jsonrpc': '2.0', 'method': 'notifications/initialized'}), None),
    (req(3, 'initialize', {'protocolVersion': LATEST}), err(3, -32600, 'FCP-5408')),
    # D-MCP-3..6: the listing
    (req(4, 'tools/list', {}), res(4, {'tools': tools})),
    (req(5, 'tools/list', {'cursor': 'c'}), err(5, -32602, 'FCP-5406')),
    # D-MCP-7/8: calls
    (req(6, 'tools/call', {'name': 'fcp.notes.notes_get', 'arguments': {'name': 'a'}}),
     res(6, {'content': [{'type': 'text', 'text': '{"name":"a","text":"hi"}'}],
             'structuredContent': {'name': 'a', 'text': 'hi'}, 'isError': False,
             '_meta': {'fcp/receipt_id': RID.hex()}})),
    (req(7, 'tools/call', {'name': 'fcp.notes.notes_put', 'arguments': {'name': 'b', 'text': 't'},
                           '_meta': {'progressToken': 7, 'fcp/idempotency_key': 'k-1', 'fcp/simulate': True,
                                     'fcp/approvals': ['abcd']}}),
     res(7, {'content': [{'type': 'text', 'text': '"stored"'}], 'isError': False,
             '_meta': {'fcp/receipt_id': RID.hex()}})),
    (req(8, 'tools/call', {'name': 'fcp.notes.notes_delete'}),
     res(8, {'content': [{'type': 'text', 'text': 'FCP-3005: operation not granted (notes.delete)'}],
             'structuredContent': {'code': 'FCP-3005', 'error': 'operation not granted', 'detail': 'notes.delete'},
             'isError': True, '_meta': {'fcp/code': 'FCP-3005', 'fcp/decision_receipt': '0f'}})),
    (req(9, 'tools/call', {'name': 'other.ping', 'arguments': None}),
     res(9, {'content': [{'type': 'text', 'text': 'FCP-5301: runtime: connector is not active (failed)'}],
             'structuredContent': {'code': 'FCP-5301', 'error': 'runtime: connector is not active', 'detail': 'failed'},
             'isError': True, '_meta': {'fcp/code': 'FCP-5301'}})),
    (req(10, 'tools/call', {'name': 'fcp.notes.notes_nukes'}), err(10, -32602, 'FCP-5407')),
    (req(11, 'tools/call', {'name': 'fcp.notes.notes_get', '_meta': {'fcp/simulate': 'yes'}}),
     err(11, -32602, 'FCP-5406')),
    # D-MCP-2: envelopes
    ('{"jsonrpc":"2.0","id":12,"method":"ping"', err(None, -32700, 'FCP-5403')),
    ('{"jsonrpc":"2.0","id":13,"id":14,"method":"ping"}', err(None, -32700, 'FCP-5403')),
    ('[' + req(15, 'ping') + ']', err(None, -32600, 'FCP-5404')),
    ('{"jsonrpc":"2.0","id":16.5,"method":"ping"}', err(None, -32600, 'FCP-5404')),
    ('{"jsonrpc":"2.0","id":17,"method":"ping","params":[]}', err(17, -32602, 'FCP-5406')),
    (req(18, 'prompts/list'), err(18, -32601, 'FCP-5405')),
    ('{"jsonrpc":"2.0","method":"bogus/notification","params":7}', None),
    ('{"jsonrpc":"2.0","id":19,"result":{}}', None),
    ('   ', None),
]

out = {
    'description': 'MCP bridge session (D-MCP-1..8): fcpd requests/answers as exact canonical CBOR, '
                   'MCP lines and the answers expected (error entries give code and data.fcp_code only)',
    'generator': 'conformance/golden/mcp/gen_mcp_golden.py',
    'token_hex': TOKEN.hex(),
    'server_version': '0.1.0',
    'daemon': [{'request_hex': q.hex(), 'response_hex': a.hex()} for q, a in daemon],
    'steps': [{'in': i, 'out': o} for i, o in steps],
}
with open(__file__.replace('gen_mcp_golden.py', 'd-mcp-transcript.json'), 'w') as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write('\n')
