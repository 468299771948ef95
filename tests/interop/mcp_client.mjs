// mcp_client.mjs - drives `fcp mcp` with the official MCP TypeScript SDK
// (@modelcontextprotocol/sdk, pinned in package-lock.json): Client +
// StdioClientTransport spawning the bridge, exactly as an agent host would.
// Prints one "PASS name" / "FAIL name: why" line per check (mcp_sdk.sh counts
// them).
//
//   node mcp_client.mjs raw    FCP SOCK TOKEN            no fcpd needed
//   node mcp_client.mjs full   FCP SOCK TOKEN_W TOKEN_R  fcpd with fcp.notes active
//     (TOKEN_W grants notes.write, TOKEN_R notes.read)
//
// raw: the SDK handshake (protocol version, serverInfo, capabilities), ping,
// fcpd down -> JSON-RPC -32603 with data.fcp_code; then the bridge process
// spoken to directly: malformed JSON, batches, bad envelopes, unknown
// methods, older protocol versions, an over-long line; the process stays up.
// full: tools/list as the SDK parses it (name rule, annotations per safety
// tier, input schemas, grant filter), a granted Safe call through fcpd's
// pipeline (output, structuredContent, receipt id), a call the token does not
// grant and a connector failure (tool results with isError and an FCP-xxxx
// code, not protocol errors), unknown tool -> -32602; a Risky call with the
// write token: either it runs (then the read token reads the note back, and
// _meta fcp/idempotency_key and fcp/simulate are checked end to end) or fcpd
// refuses it as a tool result with its code (printed as a NOTE).
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

// Every bridge the SDK spawns must exit 0 when the SDK closes its stdin, with
// nothing on stderr that a sanitizer wrote (ASan builds report there).
async function session(token) {
  const transport = new StdioClientTransport({
    command: fcp, args: ['mcp', '--token', token, '--socket', sock], stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (d) => { err += d; });
  const client = new Client({ name: 'fcp-interop', version: '1.0.0' });
  await client.connect(transport);
  const proc = transport._process;   // the SDK's child (private field; read only)
  const close = client.close.bind(client);
  client.close = async () => {
    await close();
    if (proc && proc.exitCode === null) await new Promise((res) => proc.once('exit', res));
    check('SDK-spawned bridge exits 0 on close, no sanitizer report',
      proc?.exitCode === 0 && !/Sanitizer|runtime error/.test(err), `exit ${proc?.exitCode} ${err.slice(0, 400)}`);
  };
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
  // token R: capability notes.read (safe operations)
  const r = await session(tokB);
  const { tools } = await r.listTools();   // the SDK's zod schemas accepted every tool
  const names = tools.map((t) => t.name);
  check('tools/list parses under the SDK schema and is not empty', tools.length > 0, JSON.stringify(names));
  check('every tool name passes the SDK name rule',
    tools.every((t) => validateToolName(t.name).isValid), JSON.stringify(names));
  const get = tools.find((t) => t.name === 'fcp.notes.notes_get');
  const list = tools.find((t) => t.name === 'fcp.notes.notes_list');
  check('token R lists notes_get and notes_list', !!get && !!list, JSON.stringify(names));
  check('token R (notes.read) does not list notes_put or notes_delete (grant filter)',
    !names.includes('fcp.notes.notes_put') && !names.includes('fcp.notes.notes_delete'), JSON.stringify(names));
  check('safe tier: readOnlyHint true, destructiveHint false',
    get?.annotations?.readOnlyHint === true && get?.annotations?.destructiveHint === false, JSON.stringify(get?.annotations));
  check('inputSchema is the manifest schema', get?.inputSchema?.type === 'object' &&
    JSON.stringify(get?.inputSchema?.required) === '["name"]', JSON.stringify(get?.inputSchema));
  check('_meta names connector and operation', get?._meta?.['fcp/connector'] === 'fcp.notes' &&
    get?._meta?.['fcp/operation'] === 'notes_get', JSON.stringify(get?._meta));

  const ok = await r.callTool({ name: 'fcp.notes.notes_list', arguments: {} });
  check('granted call through the pipeline: not isError', ok.isError === false, JSON.stringify(ok));
  check('granted call: structuredContent is the connector output',
    Array.isArray(ok.structuredContent?.names), JSON.stringify(ok.structuredContent));
  check('granted call: text content is the output JSON',
    (() => { try { return Array.isArray(JSON.parse(text(ok)).names); } catch { return false; } })(), text(ok));
  check('granted call: receipt id (32 bytes hex) in _meta', /^[0-9a-f]{64}$/.test(ok._meta?.['fcp/receipt_id'] || ''),
    JSON.stringify(ok._meta));
  const missing = await r.callTool({ name: 'fcp.notes.notes_get', arguments: { name: 'no-such-note' } });
  check('connector-side failure is a tool error with an FCP code', missing.isError === true &&
    /^FCP-\d{4}: /.test(text(missing)), text(missing));

  const denied = await rpcError(r.callTool({ name: 'fcp.notes.notes_put', arguments: { name: 'n1', text: 't' } }));
  check('ungranted call is a tool result, not a protocol error', denied === null, String(denied));
  const den = denied === null ? await r.callTool({ name: 'fcp.notes.notes_put', arguments: { name: 'n1', text: 't' } }) : {};
  check('ungranted call: isError true', den.isError === true, JSON.stringify(den));
  check('ungranted call: text starts with an FCP-xxxx code', /^FCP-\d{4}: /.test(text(den)), text(den));
  check('ungranted call: _meta fcp/code matches the text', !!den._meta?.['fcp/code'] &&
    text(den).startsWith(den._meta['fcp/code']), JSON.stringify(den._meta));
  check('ungranted call: fcpd\'s DecisionReceipt in _meta', /^[0-9a-f]+$/.test(den._meta?.['fcp/decision_receipt'] || ''));
  const inval = await r.callTool({ name: 'fcp.notes.notes_get', arguments: {} });
  check('input violating the schema (name missing): tool error with an FCP code', inval.isError === true &&
    /^FCP-\d{4}/.test(text(inval)), text(inval));
  const bad = await rpcError(r.callTool({ name: 'no.such.tool', arguments: {} }));
  check('unknown tool: McpError -32602', bad instanceof McpError && bad.code === -32602, String(bad));

  // token W: capability notes.write (a Risky operation)
  const w = await session(tokA);
  const wt = (await w.listTools()).tools;
  const put = wt.find((t) => t.name === 'fcp.notes.notes_put');
  check('token W lists notes_put: risky tier, readOnlyHint false, destructiveHint false, idempotentHint true',
    put?.annotations?.readOnlyHint === false && put?.annotations?.destructiveHint === false &&
    put?.annotations?.idempotentHint === true, JSON.stringify(put?.annotations));
  check('description carries the rate limit', /rate limit 60\/min/.test(put?.description || ''), put?.description);
  const wr = await w.callTool({ name: 'fcp.notes.notes_put', arguments: { name: 'mcp-note', text: 'hello from MCP' } });
  if (wr.isError) {
    // fcpd may refuse Risky calls this token cannot satisfy (e.g. no checkpoint
    // binding); that must still be a tool result carrying the reason code
    check('risky call refused as a tool result with an FCP code', /^FCP-\d{4}: /.test(text(wr)), text(wr));
    console.log(`NOTE risky call refused by fcpd: ${text(wr)}`);
  } else {
    check('risky call: output names the note', wr.structuredContent?.name === 'mcp-note', JSON.stringify(wr));
    const back = await r.callTool({ name: 'fcp.notes.notes_get', arguments: { name: 'mcp-note' } });
    check('read back through the other token and session', back.isError === false &&
      back.structuredContent?.text === 'hello from MCP', JSON.stringify(back));
    // _meta fcp/idempotency_key: the same key and input twice is one execution (a replay)
    const args = { name: 'idem-note', text: 'once' };
    const k = `k-${process.pid}`;
    const i1 = await w.callTool({ name: 'fcp.notes.notes_put', arguments: args, _meta: { 'fcp/idempotency_key': k } });
    const i2 = await w.callTool({ name: 'fcp.notes.notes_put', arguments: args, _meta: { 'fcp/idempotency_key': k } });
    check('idempotency key via _meta: the replay returns the first receipt', i1.isError === false &&
      i2.isError === false && !!i1._meta?.['fcp/receipt_id'] && i1._meta['fcp/receipt_id'] === i2._meta?.['fcp/receipt_id'],
      JSON.stringify([i1._meta, i2._meta, text(i2)]));
    const i3 = await w.callTool({ name: 'fcp.notes.notes_put', arguments: { name: 'idem-note', text: 'other' },
      _meta: { 'fcp/idempotency_key': k } });
    check('idempotency key reused for other input: tool error with an FCP code', i3.isError === true &&
      /^FCP-\d{4}: /.test(text(i3)), text(i3));
    const sim = await w.callTool({ name: 'fcp.notes.notes_put', arguments: { name: 'sim-note', text: 'x' },
      _meta: { 'fcp/simulate': true } });
    const simGet = await r.callTool({ name: 'fcp.notes.notes_get', arguments: { name: 'sim-note' } });
    console.log(`NOTE simulate answered: ${text(sim).slice(0, 200)}; key reuse: ${text(i3).slice(0, 120)}`);
    check('simulate via _meta: allowed, nothing executed', sim.isError === false && simGet.isError === true,
      JSON.stringify([sim, text(simGet)]));
  }
  await w.close();
  await r.close();
}

// bench (MCP_BENCH=1 mcp_sdk.sh): median round trip through the SDK of ping
// (JSON-RPC over stdio only: the reference), tools/list (one fcpd admin
// round trip) and tools/call notes_list (fcpd's whole invoke pipeline and
// the sandboxed connector), N each, alternating.
async function bench() {
  const n = Number(process.env.MCP_BENCH_N || 300);
  const c = await session(tokB);
  const t = { ping: [], list: [], call: [] };
  const time = async (k, f) => { const a = process.hrtime.bigint(); await f(); t[k].push(Number(process.hrtime.bigint() - a) / 1e3); };
  for (let i = 0; i < n; i++) {
    await time('ping', () => c.ping());
    await time('list', () => c.listTools());
    await time('call', () => c.callTool({ name: 'fcp.notes.notes_list', arguments: {} }));
  }
  const med = (a) => { const b = [...a].sort((x, y) => x - y); return b[b.length >> 1]; };
  const p = med(t.ping), l = med(t.list), k = med(t.call);
  console.log(`BENCH n=${n} median us: ping ${p.toFixed(0)}  tools/list ${l.toFixed(0)} (${(l / p).toFixed(1)}x ping)  ` +
    `tools/call ${k.toFixed(0)} (${(k / p).toFixed(1)}x ping)`);
  await c.close();
}

try {
  if (mode === 'raw') await raw();
  else if (mode === 'bench') await bench();
  else if (mode === 'full') await full();
  else { console.log(`FAIL usage: unknown mode ${mode}`); failed++; }
} catch (e) {
  console.log(`FAIL unexpected exception: ${e && e.stack ? e.stack : e}`);
  failed++;
}
process.exit(failed ? 1 : 0);
