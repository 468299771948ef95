// raptorq_chunked_gen.mjs - regenerate conformance/golden/raptorq/chunked_objects.json
// (decisions D-RQ-2 and D-RQ-4) from independent code: cbor2 (deterministic
// encoding, cde mode) for the bodies and @noble/hashes BLAKE3 for SchemaHash
// and payload hashes.  Checked by tests/unit/raptorq_chunked_test.c.
// Run by hand: node tests/interop/raptorq_chunked_gen.mjs
import fs from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';
import { encode } from 'cbor2';
import { blake3 } from '@noble/hashes/blake3.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '../../conformance/golden/raptorq/chunked_objects.json');
const hex = (b) => Buffer.from(b).toString('hex');

function u64le(n) { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; }
// SchemaHash (model_ids.h, D-MODEL-5): BLAKE3("FCP2-SCHEMA-V1" || u64le|ns| || ns
//   || u64le|name| || name || u64le|ver| || ver)
function schemaHash(ns, name, ver) {
  const parts = [Buffer.from('FCP2-SCHEMA-V1')];
  for (const s of [ns, name, ver]) parts.push(u64le(Buffer.byteLength(s)), Buffer.from(s));
  return blake3(Buffer.concat(parts));
}
const RAW = schemaHash('fcp.core', 'RawChunk', '1.0.0');
const MAN = schemaHash('fcp.core', 'ChunkedObjectManifest', '1.0.0');

// xorshift32 bytes, as in raptorq_kat_gen.bash
function xorshift(seed, len) {
  let x = (seed >>> 0) || 1;
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    b[i] = x & 255;
  }
  return b;
}

const cfg = { symbol_size: 1024, repair_ratio_bps: 500, max_object_size: 64 << 20,
              decode_timeout_ms: 30000, max_chunk_threshold: 256 << 10, chunk_size: 64 << 10 };
const repair = [1, 2, 19, 20, 21, 100, 256, 1000, 56403].map((k) =>
  ({ K: k, R: Math.ceil((k * cfg.repair_ratio_bps) / 10000) }));

const plans = [1, 65536, 262144, 262145, 300000, 64 << 20].map((len) => {
  const n = Math.ceil(len / cfg.chunk_size);
  return { total_len: len, requires_chunking: len > cfg.max_chunk_threshold, n_chunks: n,
           last_chunk_len: len - (n - 1) * cfg.chunk_size };
});

const rawBodies = [[], Buffer.from('abc'), xorshift(5, 1000)].map((bytes) => ({
  bytes_hex: hex(bytes),
  body_hex: hex(Buffer.concat([RAW, encode({ bytes: new Uint8Array(bytes) }, { cde: true })])),
}));

const payload = xorshift(7, 300000);
const ids = [0x11, 0x22, 0x33, 0x44, 0x55].map((v) => Buffer.alloc(32, v));
const payload_hash = blake3(payload);
const manifest = {
  payload: { xorshift32_seed: 7, len: payload.length },
  payload_hash_hex: hex(payload_hash),
  chunk_ids_hex: ids.map(hex),
  body_hex: hex(Buffer.concat([MAN, encode({
    total_len: payload.length, chunk_size: cfg.chunk_size,
    chunks: ids.map((b) => new Uint8Array(b)), payload_hash: payload_hash,
  }, { cde: true })])),
};

const doc = {
  description: 'D-RQ-2 / D-RQ-4: RaptorQConfig defaults, repair counts R = ceil(K*bps/10000), chunk plans, RawChunk and ChunkedObjectManifest bodies (SchemaHash || canonical CBOR) and payload_hash = BLAKE3(payload). Independent generator: cbor2 (cde) + @noble/hashes; tests/interop/raptorq_chunked_gen.mjs.',
  config: cfg,
  repair_counts: repair,
  chunk_plans: plans,
  raw_chunk_bodies: rawBodies,
  manifest,
};
fs.writeFileSync(out, JSON.stringify(doc, null, 1) + '\n');
console.log(`wrote ${out}`);
