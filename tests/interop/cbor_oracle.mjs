// cbor_oracle.mjs - differential test of libfcp's deterministic CBOR against
// two independent JavaScript implementations, cbor2 (CDE mode) and cborg
// (RFC 8949 §4.2.1 options).  Driven by cbor_oracle.sh.
//
//   node cbor_oracle.mjs FCP_BINARY [COUNT] [SEED]
//
// For COUNT seeded random values:
//   node -> us : cbor2's canonical bytes (and cborg's, for the values cborg
//                can express) must be accepted by our strict decoder and
//                re-encoded to the identical bytes (`fcp cbor _check`);
//   us -> node : our encoder (`fcp cbor _encode`, fed a typed JSON form of the
//                value with maps in random insertion order) must produce the
//                same bytes, which cbor2 and cborg decode back to the value;
//   negatives  : cbor2's non-canonical encodings of the same value (insertion
//                order maps, 64-bit floats) must be rejected whenever they
//                differ from the canonical bytes.
// Prints "cbor_oracle: N passed, N failed" last; exits 1 on any failure.
import { spawnSync } from 'node:child_process';
import * as cbor2 from 'cbor2';
import * as cborg from 'cborg';

const FCP = process.argv[2];
const COUNT = Number(process.argv[3] || 2000);
let seed = Number(process.argv[4] || 20261126) >>> 0;

let pass = 0, fail = 0;
const failures = [];
function ok(cond, what) {
  if (cond) pass++;
  else { fail++; if (failures.length < 20) failures.push(what); }
}

// mulberry32: small seeded PRNG (test data only)
function rnd() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const below = (n) => Math.floor(rnd() * n);
const hex = (u8) => Buffer.from(u8).toString('hex');
const unhex = (h) => new Uint8Array(Buffer.from(h, 'hex'));

function randBig() {
  const bits = below(65);
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(below(256));
  return bits === 64 ? v : v & ((1n << BigInt(bits)) - 1n);
}
function randInt() {
  const v = randBig();
  const neg = below(2) === 1;
  const n = neg ? -1n - v : v;
  return (n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)) ? Number(n) : n;
}
function randFloat() {
  switch (below(6)) {
    case 0: return below(2) ? Infinity : -Infinity;
    case 1: return (below(2000) - 1000) + 0.5;                      // half-exact
    case 2: return Math.fround((rnd() - 0.5) * 2 ** (below(200) - 100)) || 0.25; // single-exact
    case 3: return (below(2) ? -1 : 1) * 2 ** -(below(30) + 14) * (1 + below(1024) / 1024); // tiny halves/subnormals
    default: {
      const b = new DataView(new ArrayBuffer(8));
      for (let i = 0; i < 8; i++) b.setUint8(i, below(256));
      const v = b.getFloat64(0);
      return Number.isFinite(v) && !Number.isInteger(v) ? v : 1.1;
    }
  }
}
function randText() {
  const pieces = ['a', 'Z', '0', ' ', 'ü', '€', '😀', '"', '\\', '\n', 'key', '\u0000', '\u07ff', '\uffff'];
  let s = '';
  const n = below(10);
  for (let i = 0; i < n; i++) s += pieces[below(pieces.length)];
  return s;
}
function randBytes() {
  const n = below(3) === 0 ? below(300) : below(40);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = below(256);
  return b;
}

// A value plus whether it is in the subset cborg round-trips
// (no tags, no simple values, no undefined).
function gen(depth, rich) {
  const k = below(depth < 4 ? (rich ? 13 : 10) : (rich ? 9 : 6));
  switch (k) {
    case 0: return randInt();
    case 1: return randBytes();
    case 2: return randText();
    case 3: return below(2) === 1;
    case 4: return null;
    case 5: { const f = randFloat(); return Number.isInteger(f) ? f + 0.5 : f; }
    case 6: if (rich) return new cbor2.Tag(1000 + below(50000), gen(depth + 1, rich));
    // falls through
    case 7: if (rich) { const s = below(236); return new cbor2.Simple(s < 20 ? s : s + 12); }
    // falls through
    case 8: if (rich) return undefined;
    // falls through
    case 9: { const n = below(6); const a = []; for (let i = 0; i < n; i++) a.push(gen(depth + 1, rich)); return a; }
    default: {
      const m = new Map();
      const seen = new Set();
      const n = below(12);
      for (let i = 0; i < n; i++) {
        const kk = [() => randInt(), () => randText(), () => randBytes().slice(0, 6)][below(3)]();
        const kh = hex(cbor2.encode(kk, { cde: true }));
        if (seen.has(kh)) continue;
        seen.add(kh);
        m.set(kk, gen(depth + 1, rich));
      }
      return m;
    }
  }
}

// Typed JSON understood by `fcp cbor _encode` (see cmd/fcp/cmd_cbor.c).
function typed(v) {
  if (v === null) return null;
  if (v === true || v === false) return v;
  if (v === undefined) return { simple: 23 };
  // JS numbers with integral values are CBOR ints when they are safe
  // integers (what cbor2 and cborg do), floats beyond that; bigints are ints
  if (typeof v === 'bigint' || (Number.isSafeInteger(v) && !Object.is(v, -0))) {
    const b = BigInt(v);
    return b >= 0n ? { u: b.toString() } : { n: (-1n - b).toString() };
  }
  if (typeof v === 'number') {
    const d = new DataView(new ArrayBuffer(8));
    d.setFloat64(0, v);
    return { f: d.getBigUint64(0).toString(16).padStart(16, '0') };
  }
  if (typeof v === 'string') return { s: v };
  if (v instanceof Uint8Array) return { b: hex(v) };
  if (v instanceof cbor2.Tag) return { tag: String(v.tag), v: typed(v.contents) };
  if (v instanceof cbor2.Simple) return { simple: v.value };
  if (Array.isArray(v)) return { a: v.map(typed) };
  if (v instanceof Map) {
    // random insertion order: our builder must sort
    const ents = [...v.entries()].map(([a, b]) => [typed(a), typed(b)]);
    for (let i = ents.length - 1; i > 0; i--) { const j = below(i + 1); [ents[i], ents[j]] = [ents[j], ents[i]]; }
    return { m: ents };
  }
  throw new Error('untypable value');
}

function same(a, b) {
  const isInt = (x) => typeof x === 'bigint' || (typeof x === 'number' && Number.isInteger(x));
  if (isInt(a) && isInt(b)) return BigInt(a) === BigInt(b);
  if (typeof a === 'number' && typeof b === 'number') return a === b || Object.is(a, b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return hex(a) === hex(b);
  if (a instanceof cbor2.Tag && b instanceof cbor2.Tag) return BigInt(a.tag) === BigInt(b.tag) && same(a.contents, b.contents);
  if (a instanceof cbor2.Simple && b instanceof cbor2.Simple) return a.value === b.value;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) {
      let found = false;
      for (const [k2, v2] of b) if (same(k, k2)) { found = same(v, v2); break; }
      if (!found) return false;
    }
    return true;
  }
  return a === b;
}

// Run one hidden fcp verb over many lines.
function fcp(verb, lines) {
  const r = spawnSync(FCP, ['cbor', verb], { input: lines.join('\n') + '\n', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`fcp cbor ${verb} exited ${r.status}: ${r.stderr}`);
  const out = r.stdout.toString().split('\n');
  out.pop();
  if (out.length !== lines.length) throw new Error(`fcp cbor ${verb}: ${out.length} answers for ${lines.length} lines`);
  return out;
}

const cbor2Dec = { cde: true, preferMap: true, rejectDuplicateKeys: true };
const cborgDec = { useMaps: true, strict: true, rejectDuplicateMapKeys: true };

// cborg 6.1.5 never writes subnormal half floats (it falls back to float32
// for them), so values holding floats below 2^-14 in magnitude are left out
// of the cborg comparisons; cbor2 and we agree on those.
function cborgCan(v) {
  if (typeof v === 'number' && !Number.isInteger(v)) return !(Math.abs(v) > 0 && Math.abs(v) < 2 ** -14);
  if (Array.isArray(v)) return v.every(cborgCan);
  if (v instanceof Map) return [...v.entries()].every(([a, b]) => cborgCan(a) && cborgCan(b));
  return true;
}

const values = [];
for (let i = 0; i < COUNT; i++) {
  const rich = i % 2 === 0;
  const v = gen(0, rich);
  values.push({ v, rich: rich || !cborgCan(v) });
}

// node -> us
const canon = values.map(({ v }) => hex(cbor2.encode(v, { cde: true })));
const checked = fcp('_check', canon);
canon.forEach((h, i) => ok(checked[i] === 'ok ' + h, `cbor2 canonical ${h} -> ${checked[i]}`));
const viaCborg = [];
values.forEach(({ v, rich }, i) => {
  if (rich) return;
  const h = hex(cborg.encode(v, cborg.rfc8949EncodeOptions));
  ok(h === canon[i], `cborg and cbor2 disagree: ${h} vs ${canon[i]}`);
  viaCborg.push(h);
});
const checkedC = fcp('_check', viaCborg);
viaCborg.forEach((h, i) => ok(checkedC[i] === 'ok ' + h, `cborg canonical ${h} -> ${checkedC[i]}`));

// us -> node
const ours = fcp('_encode', values.map(({ v }) => JSON.stringify(typed(v))));
values.forEach(({ v, rich }, i) => {
  const h = ours[i];
  ok(h === canon[i], `our encoding ${h} != cbor2 ${canon[i]}`);
  let back;
  try { back = cbor2.decode(unhex(h), cbor2Dec); } catch (e) { back = e; }
  ok(same(v, back), `cbor2 decode of our ${h}: ${back}`);
  if (!rich) {
    try { back = cborg.decode(unhex(h), cborgDec); } catch (e) { back = e; }
    ok(same(v, back), `cborg decode of our ${h}: ${back}`);
  }
});

// negatives: non-canonical encodings of the same values
const neg = [];
values.forEach(({ v }, i) => {
  for (const opts of [{ sortKeys: null }, { float64: true }, { sortKeys: null, float64: true }]) {
    let h;
    try { h = hex(cbor2.encode(v, opts)); } catch (e) { continue; }
    if (h !== canon[i]) neg.push(h);
  }
});
const negChecked = fcp('_check', neg);
neg.forEach((h, i) => ok(negChecked[i].startsWith('err '), `non-canonical ${h} accepted`));

// fixed points where FCP chose deliberately (docs/protocol/decisions.md)
// cbor2's CDE mode writes -0 as f98000; FCP follows the reference
// implementation instead (f90000, f98000 rejected): a known, recorded divergence.
const cdeNegZero = hex(cbor2.encode(-0, { cde: true }));
const fixed = fcp('_check', [cdeNegZero, hex(cbor2.encode(NaN, { cde: true })), 'f818', 'f90000']);
ok(fixed[0] === 'err FCP_ECBOR_NEG_ZERO', 'D-CBOR-1: f98000 must be rejected');
ok(fixed[1] === 'err FCP_ECBOR_NAN', 'NaN must be rejected');
ok(fixed[2] === 'err FCP_ECBOR_MALFORMED', 'D-CBOR-5: f818 must be rejected');
ok(fixed[3] === 'ok f90000' && Object.is(cbor2.decode(unhex('f90000')), 0), 'D-CBOR-1: f90000 is zero');
const fixedEnc = fcp('_encode', ['{"f":"8000000000000000"}', '{"f":"7ff8000000000000"}']);
ok(fixedEnc[0] === 'f90000', 'D-CBOR-1: -0.0 encodes as f90000');
ok(fixedEnc[1] === 'err FCP_ECBOR_NAN', 'NaN cannot be encoded');

// the user-facing verb: fcp cbor diag
function diag(args, input) {
  const r = spawnSync(FCP, ['cbor', 'diag', ...args], { input });
  return { code: r.status, out: r.stdout.toString() };
}
let r = diag(['--hex', '-'], 'a2 6161 01 6162 820203\n');
ok(r.code === 0 && r.out === '{"a": 1, "b": [2, 3]}\ncanonical: yes\n', `diag canonical: ${r.code} ${r.out}`);
r = diag(['--hex', '-'], 'a2616201616102');
ok(r.code === 1 && r.out.includes('canonical: no \u2014 unsorted map keys at byte 4'), `diag unsorted: ${r.code} ${r.out}`);
r = diag(['--hex', '-'], 'bf61610161629f0203ffff');
ok(r.code === 1 && r.out.startsWith('{_ "a": 1, "b": [_ 2, 3]}\n') && r.out.includes('indefinite length at byte 0'), `diag indefinite: ${r.out}`);
r = diag(['--hex', '--strict', '-'], 'f93e00');
ok(r.code === 1 && r.out.includes('float not allowed at byte 0'), `diag --strict: ${r.out}`);
r = diag(['--hex', '-'], 'f93e00');
ok(r.code === 0 && r.out === '1.5\ncanonical: yes\n', `diag float: ${r.out}`);
r = diag(['-'], Buffer.from([0x82, 0x01]));
ok(r.code === 1 && r.out.includes('truncated item'), `diag raw truncated: ${r.out}`);
ok(diag([], '').code === 2 && diag(['--bogus', '-'], '').code === 2, 'diag usage errors exit 2');
ok(diag(['--help'], '').code === 0, 'diag --help exits 0');

for (const f of failures) console.log('FAIL: ' + f);
console.log(`values: ${COUNT}, non-canonical variants: ${neg.length}`);
console.log(`cbor_oracle: ${pass} passed, ${fail} failed`);
process.exit(fail ? 1 : 0);
