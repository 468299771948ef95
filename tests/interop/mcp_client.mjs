// mcp_client.mjs - drives `fcp mcp` with the official MCP TypeScript SDK
// (@modelcontextprotocol/sdk, pinned in package-lock.json): Client +
// StdioClientTransport spawning the bridge, exactly as an agent host would.
// Prints one "PASS name" / "FAIL name: why" line per check (mcp_sdk.sh counts
// them).
//
//   node mcp_client.mjs raw    FCP SOCK TOKEN            no fcpd needed
//   node mcp_client.mjs full   FCP SOCK TOKEN_W TOKEN_R  fcpd with fcp.notes active
//
// raw: the SDK handshake (protocol version, serverInfo, capabilities), ping,
// fcpd down -> JSON-RPC -32603 with data.fcp_code; then the bridge process
// spoken to directly: malformed JSON, batches, bad envelopes, unknown
// methods, older protocol versions, an over-long line; the process stays up.
// full: tools/list as the SDK parses it (name rule, annotations per safety
// tier, input schemas), a granted call through fcpd's pipeline (output,
// structuredContent, receipt id), a call the token does not grant (tool
// result with isError and an FCP-xxxx code, not a protocol error), the
// second token reading back what the first wrote, unknown tool -> -32602.
import { spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { LATEST_PROTOCOL_VERSION, McpError, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { validateToolName } from '@modelcontextprotocol/sdk/shared/toolNameValidation.js';

const [mode, fcp, sock, tokA, tokB] = process.argv.slice(2);
let failed = 0;
function check(name, cond, why = '') {
  if (cond) console.log(`PASS ${name}`);
  else { failed++; console.log(`FAIL ${name}${why ? ': ' + why : ''}`); }
}

async function session(token) {
  const transport = new StdioClientTransport({
    command: fcp, args: ['mcp', '--token', token, '--socket', sock], stderr: 'pipe',
  });
  const client = new Client({ name: 'fcp-interop', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

async function rpcError(p) {
  try { await p; return null; } catch (e) { return e; }
}

// ---- raw: one bridge process, lines in, lines out ------------------------
function rawBridge(token) {
  const child = spawn(fcp, ['mcp', '--token', token, '--socket', sock], { stdio: ['pipe', 'pipe', 'pipe'] });
  let buf = '';
  const waiters = [];
  const lines = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (waiters.length) waiters.shift()(line); else lines.push(line);
    }
  });
  const next = () => new Promise((res, rej) => {
    if (lines.length) return res(lines.shift());
    const t = setTimeout(() => rej(new Error('no answer within 10 s')), 10000);
    waiters.push((l) => { clearTimeout(t); res(l); });
  });
  return {
    child,
    async ask(text) { child.stdin.write(text + '\n'); return JSON.parse(await next()); },
    write(text) { child.stdin.write(text); },
    next: async () => JSON.parse(await next()),
  };
}

async function raw() {
  // SDK handshake against the real bridge
  const client = await session(tokA);
  const sv = client.getServerVersion();
  check('sdk initialize: serverInfo.name is fcp', sv && sv.name === 'fcp', JSON.stringify(sv));
  check('sdk initialize: tools capability, listChanged false',
    client.getServerCapabilities()?.tools?.listChanged === false, JSON.stringify(client.getServerCapabilities()));
  check('sdk initialize: instructions present', typeof client.getInstructions() === 'string');
  check('sdk ping', (await rpcError(client.ping())) === null);
  const e = await rpcError(client.listTools());
  check('sdk tools/list with fcpd down: McpError -32603', e instanceof McpError && e.code === -32603, String(e));
  check('sdk tools/list with fcpd down: data.fcp_code FCP-5409', e?.data?.fcp_code === 'FCP-5409', JSON.stringify(e?.data));
  await client.close();

  const l = rawBridge(tokA);
  const li = await l.ask(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize',
    params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '0' } } }));
  check(`raw initialize with the SDK's latest (${LATEST_PROTOCOL_VERSION}) is echoed`,
    li.result?.protocolVersion === LATEST_PROTOCOL_VERSION, JSON.stringify(li));
  const lu = await l.ask(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'initialize', params: { protocolVersion: '2099-01-01' } }));
  check('raw second initialize refused: -32600', lu.error?.code === -32600, JSON.stringify(lu));
  l.child.stdin.end();

  const u = rawBridge(tokA);
  const uu = await u.ask(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2099-01-01' } }));
  check('raw unknown protocol version gets a version the SDK supports',
    SUPPORTED_PROTOCOL_VERSIONS.includes(uu.result?.protocolVersion), JSON.stringify(uu));
  u.child.stdin.end();

  const b = rawBridge(tokA);
  let r = await b.ask(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize',
    params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } }));
  check('raw initialize 2024-11-05 is echoed', r.result?.protocolVersion === '2024-11-05', JSON.stringify(r));
  r = await b.ask('{"jsonrpc":"2.0","id":2,"method":"ping"');
  check('raw truncated JSON: -32700, id null', r.error?.code === -32700 && r.id === null, JSON.stringify(r));
  r = await b.ask('[{"jsonrpc":"2.0","id":3,"method":"ping"}]');
  check('raw batch: -32600', r.error?.code === -32600, JSON.stringify(r));
  r = await b.ask('{"jsonrpc":"2.0","id":4,"method":7}');
  check('raw method not a string: -32600, id echoed', r.error?.code === -32600 && r.id === 4, JSON.stringify(r));
  r = await b.ask('{"jsonrpc":"2.0","id":"x","method":"resources/list"}');
  check('raw unknown method: -32601', r.error?.code === -32601 && r.id === 'x', JSON.stringify(r));
  r = await b.ask('{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{}}');
  check('raw tools/call without name: -32602', r.error?.code === -32602, JSON.stringify(r));
  b.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');   // no answer
  b.write('x'.repeat(4 * 1024 * 1024 + 1) + '\n');
  r = await b.next();
  check('raw over-long line: -32700 FCP-5402', r.error?.code === -32700 && r.error?.data?.fcp_code === 'FCP-5402',
    JSON.stringify(r));
  r = await b.ask('{"jsonrpc":"2.0","id":6,"method":"ping"}');
  check('raw still serving after garbage (ping answered in order)', r.id === 6 && r.result !== undefined, JSON.stringify(r));
  b.child.stdin.end();
  const code = await new Promise((res) => b.child.on('exit', (c) => res(c)));
  check('raw bridge exits 0 when stdin closes', code === 0, `exit ${code}`);
}

// ---- full: through fcpd -----------------------------------------------------
const text = (res) => (res.content || []).filter((c) => c.type === 'text').map((c) => c.text).join('');

async function full() {
  // token W: capability notes.write
  const w = await session(tokA);
  const { tools } = await w.listTools();   // the SDK's zod schemas accepted every tool
  const names = tools.map((t) => t.name);
  check('tools/list parses under the SDK schema and is not empty', tools.length > 0, JSON.stringify(names));
  check('every tool name passes the SDK name rule',
    tools.every((t) => validateToolName(t.name).isValid), JSON.stringify(names));
  const put = tools.find((t) => t.name === 'fcp.notes.notes_put');
  check('fcp.notes.notes_put listed', !!put, JSON.stringify(names));
  check('token W (notes.write) does not list notes_get (grant filter)', !names.includes('fcp.notes.notes_get'),
    JSON.stringify(names));
  check('risky tier: readOnlyHint false, destructiveHint false',
    put?.annotations?.readOnlyHint === false && put?.annotations?.destructiveHint === false, JSON.stringify(put?.annotations));
  check('idempotentHint from manifest (idempotency strict)', put?.annotations?.idempotentHint === true);
  check('inputSchema is the manifest schema', put?.inputSchema?.type === 'object' &&
    JSON.stringify(put?.inputSchema?.required) === '["name","text"]', JSON.stringify(put?.inputSchema));
  check('description carries the rate limit', /rate limit 60\/min/.test(put?.description || ''), put?.description);

  const ok = await w.callTool({ name: 'fcp.notes.notes_put', arguments: { name: 'mcp-note', text: 'hello from MCP' } });
  check('granted call: not isError', ok.isError === false, JSON.stringify(ok));
  check('granted call: structuredContent is the connector output',
    ok.structuredContent && ok.structuredContent.name === 'mcp-note', JSON.stringify(ok.structuredContent));
  check('granted call: text content is the output JSON', (() => { try { return JSON.parse(text(ok)).name === 'mcp-note'; } catch { return false; } })(), text(ok));
  check('granted call: receipt id (32 bytes hex) in _meta', /^[0-9a-f]{64}$/.test(ok._meta?.['fcp/receipt_id'] || ''),
    JSON.stringify(ok._meta));

  const denied = await rpcError(w.callTool({ name: 'fcp.notes.notes_get', arguments: { name: 'mcp-note' } }));
  check('denied call is a tool result, not a protocol error', denied === null, String(denied));
  const den = denied === null ? await w.callTool({ name: 'fcp.notes.notes_get', arguments: { name: 'mcp-note' } }) : {};
  check('denied call: isError true', den.isError === true, JSON.stringify(den));
  check('denied call: text starts with an FCP-xxxx code', /^FCP-\d{4}: /.test(text(den)), text(den));
  check('denied call: _meta fcp/code matches', den._meta?.['fcp/code'] && text(den).startsWith(den._meta['fcp/code']),
    JSON.stringify(den._meta));

  const bad = await rpcError(w.callTool({ name: 'no.such.tool', arguments: {} }));
  check('unknown tool: McpError -32602', bad instanceof McpError && bad.code === -32602, String(bad));
  const inval = await w.callTool({ name: 'fcp.notes.notes_put', arguments: { name: 'x' } });
  check('input against the schema (text missing) refused by fcpd as a tool error', inval.isError === true &&
    /^FCP-\d{4}/.test(text(inval)), text(inval));
  await w.close();

  // token R: capability notes.read reads back what W wrote
  const r = await session(tokB);
  const rt = (await r.listTools()).tools;
  const get = rt.find((t) => t.name === 'fcp.notes.notes_get');
  check('token R lists notes_get, safe tier: readOnlyHint true, destructiveHint false',
    get?.annotations?.readOnlyHint === true && get?.annotations?.destructiveHint === false, JSON.stringify(rt.map((t) => t.name)));
  const got = await r.callTool({ name: 'fcp.notes.notes_get', arguments: { name: 'mcp-note' } });
  check('read back through a second token and session', got.isError === false &&
    got.structuredContent?.text === 'hello from MCP', JSON.stringify(got));
  const del = await r.callTool({ name: 'fcp.notes.notes_delete', arguments: { name: 'mcp-note' } });
  check('dangerous op without grant: isError with an FCP code', del.isError === true && /^FCP-\d{4}/.test(text(del)), text(del));
  await r.close();
}

try {
  if (mode === 'raw') await raw();
  else if (mode === 'full') await full();
  else { console.log(`FAIL usage: unknown mode ${mode}`); failed++; }
} catch (e) {
  console.log(`FAIL unexpected exception: ${e && e.stack ? e.stack : e}`);
  failed++;
}
process.exit(failed ? 1 : 0);
