// raptorq_oracle.mjs - the npm `raptorq` (1.7.24, wasm build of the Rust
// crate) side of tests/interop/raptorq_oracle.sh, plus the small byte tools
// that script needs.  Test-only; never shipped.
//
// Packet files are raw concatenations of RFC 6330 packets: FEC Payload ID
// (SBN u8, ESI u24 big-endian) followed by T symbol bytes.  Files written and
// read here always use the RFC 6330 ESI convention (repair ESIs K, K+1, ...).
//
// raptorq 1.7.x labels repair packets with their internal symbol id instead
// (ESI + K' - K; fixed upstream in raptorq 2.0, cberner/raptorq#164).  This
// tool converts at the boundary so that the three implementations can be
// compared symbol by symbol: `encode` maps node's labels to RFC ESIs and
// `decode` maps RFC ESIs back before handing packets to node.
//
//   encode IN MTU NREPAIR OUT     print "T Z K1 K1' [K2 K2' ...]"
//   decode F MTU IN OUT           exit 1 if node cannot decode
//   shuffle SEED KEEP T IN OUT    seeded shuffle, keep the first KEEP packets
//   compare T A B                 bytes of every ESI present in both files
//   wrap OTIHEX T IN OUT          raw packets -> fcp rq packet file
//   unwrap IN OUT                 fcp rq packet file -> raw packets (prints OTI hex)
//   oti F T Z N AL                print the 12-byte OTI as hex
//   gen SEED LEN OUT              LEN seeded pseudo-random bytes
//   kat F T SEED K KP A B ESI...  one known-answer JSON entry from two packet
//                                 files A and B that must agree on every ESI
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';
import { initSync, Encoder, Decoder } from './node_modules/raptorq/raptorq.js';

const here = path.dirname(fileURLToPath(import.meta.url));
initSync(fs.readFileSync(path.join(here, 'node_modules/raptorq/raptorq_bg.wasm')));

const MAGIC = Buffer.from('FCRQ', 'latin1');
const HEADER = 20;

function die(msg) { process.stderr.write(`raptorq_oracle.mjs: ${msg}\n`); process.exit(1); }

function split(buf, T) {
  const plen = 4 + T;
  if (buf.length % plen) die(`packet data is not a whole number of ${plen}-byte packets`);
  const out = [];
  for (let i = 0; i < buf.length; i += plen) out.push(buf.subarray(i, i + plen));
  return out;
}
const sbnOf = (p) => p[0];
const esiOf = (p) => (p[1] << 16) | (p[2] << 8) | p[3];
function withEsi(p, esi) {
  const q = Buffer.from(p);
  q[1] = (esi >> 16) & 255; q[2] = (esi >> 8) & 255; q[3] = esi & 255;
  return q;
}

// Node's block structure for (F, mtu): per block [K, K'] learned from an
// encoder run with one repair packet per block (its label is K').
function nodeBlocks(F, mtu) {
  const enc = Encoder.with_defaults(new Uint8Array(Number(F)), mtu);
  const pk = enc.encode(1);
  enc.free();
  const blocks = new Map();
  for (const p of pk) {
    const s = sbnOf(p), e = esiOf(p);
    if (!blocks.has(s)) blocks.set(s, { k: 0, kp: 0 });
    const b = blocks.get(s);
    b.k += 1;
    b.kp = Math.max(b.kp, e);
  }
  for (const b of blocks.values()) b.k -= 1; // the repair packet is not a source symbol
  return blocks;
}

function cmdEncode([inp, mtu, nrep, out]) {
  const data = fs.readFileSync(inp);
  const enc = Encoder.with_defaults(new Uint8Array(data), +mtu);
  const pk = enc.encode(+nrep);
  enc.free();
  const blocks = nodeBlocks(data.length, +mtu);
  const res = pk.map((p) => {
    const b = blocks.get(sbnOf(p)), e = esiOf(p);
    return e >= b.k ? withEsi(p, e - (b.kp - b.k)) : Buffer.from(p);
  });
  fs.writeFileSync(out, Buffer.concat(res));
  const T = pk[0].length - 4;
  const parts = [...blocks.values()].map((b) => `${b.k} ${b.kp}`).join(' ');
  console.log(`${T} ${blocks.size} ${parts}`);
}

function cmdDecode([F, mtu, inp, out]) {
  const T = +mtu - (+mtu % 8);
  const blocks = nodeBlocks(BigInt(F), +mtu);
  const dec = Decoder.with_defaults(BigInt(F), +mtu);
  let result;
  for (const p of split(fs.readFileSync(inp), T)) {
    const b = blocks.get(sbnOf(p));
    if (!b) die(`packet for unknown source block ${sbnOf(p)}`);
    const e = esiOf(p);
    const q = e >= b.k ? withEsi(p, e + (b.kp - b.k)) : p;
    result = dec.decode(new Uint8Array(q));
    if (result) break;
  }
  dec.free();
  if (!result) die('node could not decode from these packets');
  fs.writeFileSync(out, Buffer.from(result));
}

// xorshift32: a tiny seeded PRNG so a failing case can be replayed.
function rng(seed) {
  let x = (seed >>> 0) || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

function cmdShuffle([seed, keep, T, inp, out]) {
  const pk = split(fs.readFileSync(inp), +T);
  const r = rng(+seed);
  for (let i = pk.length - 1; i > 0; i--) {
    const j = r() % (i + 1);
    [pk[i], pk[j]] = [pk[j], pk[i]];
  }
  fs.writeFileSync(out, Buffer.concat(pk.slice(0, +keep)));
}

function cmdCompare([T, a, b]) {
  const key = (p) => `${sbnOf(p)}:${esiOf(p)}`;
  const A = new Map(split(fs.readFileSync(a), +T).map((p) => [key(p), p]));
  let same = 0, diff = 0;
  for (const p of split(fs.readFileSync(b), +T)) {
    const q = A.get(key(p));
    if (!q) continue;
    if (Buffer.compare(Buffer.from(p), Buffer.from(q)) === 0) same++;
    else { diff++; if (diff <= 3) process.stderr.write(`symbol ${key(p)} differs\n`); }
  }
  console.log(`${same} ${diff}`);
  process.exit(diff || !same ? 1 : 0);
}

function otiBytes(F, T, Z, N, Al) {
  const o = Buffer.alloc(12);
  const f = BigInt(F);
  for (let i = 0; i < 5; i++) o[4 - i] = Number((f >> BigInt(8 * i)) & 255n);
  o.writeUInt16BE(+T, 6);
  o[8] = +Z; o.writeUInt16BE(+N, 9); o[11] = +Al;
  return o;
}

function cmdWrap([otihex, T, inp, out]) {
  const oti = Buffer.from(otihex, 'hex');
  if (oti.length !== 12) die('OTI must be 12 bytes');
  split(fs.readFileSync(inp), +T);
  const hdr = Buffer.concat([MAGIC, Buffer.from([1, 0, 0, 0]), oti]);
  fs.writeFileSync(out, Buffer.concat([hdr, fs.readFileSync(inp)]));
}

function cmdUnwrap([inp, out]) {
  const b = fs.readFileSync(inp);
  if (b.length < HEADER || Buffer.compare(b.subarray(0, 4), MAGIC)) die(`${inp}: not an fcp rq packet file`);
  fs.writeFileSync(out, b.subarray(HEADER));
  console.log(b.subarray(8, 20).toString('hex'));
}

function cmdKat([F, T, seed, K, KP, a, b, ...esis]) {
  const key = (p) => esiOf(p);
  const A = new Map(split(fs.readFileSync(a), +T).map((p) => [key(p), p]));
  const B = new Map(split(fs.readFileSync(b), +T).map((p) => [key(p), p]));
  const data = genBytes(+seed, +F);
  const symbols = esis.map((e) => {
    const p = A.get(+e), q = B.get(+e);
    if (!p || !q) die(`ESI ${e} missing from an oracle's output`);
    if (Buffer.compare(Buffer.from(p), Buffer.from(q))) die(`oracles disagree on ESI ${e}`);
    return { esi: +e, hex: Buffer.from(p.subarray(4)).toString('hex') };
  });
  const entry = {
    name: `F${F}_T${T}`,
    oti_hex: otiBytes(F, T, 1, 1, 4).toString('hex'),
    K: +K, Kprime: +KP,
    data: { xorshift32_seed: +seed, len: +F,
            sha256: crypto.createHash('sha256').update(data).digest('hex') },
    symbols,
  };
  console.log(JSON.stringify(entry));
}

function genBytes(seed, len) {
  const r = rng(seed), b = Buffer.alloc(len);
  for (let i = 0; i < b.length; i++) b[i] = r() & 255;
  return b;
}

const [cmd, ...args] = process.argv.slice(2);
const table = {
  encode: cmdEncode, decode: cmdDecode, shuffle: cmdShuffle, compare: cmdCompare,
  wrap: cmdWrap, unwrap: cmdUnwrap,
  oti: (a) => console.log(otiBytes(...a).toString('hex')),
  gen: ([seed, len, out]) => fs.writeFileSync(out, genBytes(+seed, +len)),
  kat: cmdKat,
};
if (!table[cmd]) die(`unknown command ${cmd}`);
table[cmd](args);
