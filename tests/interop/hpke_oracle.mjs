// hpke_oracle.mjs - checks libfcp's RFC 9180 HPKE against an independent
// implementation, npm @hpke/core + @hpke/chacha20poly1305 (suite
// DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / ChaCha20-Poly1305, and
// export-only), in both directions, base and psk modes:
//   - DeriveKeyPair agreement;
//   - C seals a sequence of messages -> node opens them in order;
//   - node seals a sequence -> C opens them in order;
//   - with the same ephemeral ikm both produce identical enc and ciphertexts;
//   - exporter values agree (ChaCha20-Poly1305 and export-only contexts);
//   - single-shot seal/open both ways;
//   - negatives: wrong AAD / psk / psk_id / info are refused by both.
// Usage: node hpke_oracle.mjs HELPER ; prints "hpke_oracle: N passed, N failed".
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { CipherSuite, DhkemX25519HkdfSha256, ExportOnly, HkdfSha256 } from "@hpke/core";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";

const helper = process.argv[2];
let passed = 0, failed = 0;
const check = (ok, what) => {
  if (ok) passed++;
  else { failed++; console.log(`FAIL: ${what}`); }
};
const hex = (b) => (b.byteLength === 0 ? "-" : Buffer.from(b instanceof ArrayBuffer ? new Uint8Array(b) : b).toString("hex"));
const unhex = (s) => (s === "-" ? new Uint8Array(0) : new Uint8Array(Buffer.from(s, "hex")));
const c = (...args) => execFileSync(helper, args.map(String), { encoding: "utf8" }).trim().split("\n");

const kem = new DhkemX25519HkdfSha256();
const suites = {
  3: new CipherSuite({ kem, kdf: new HkdfSha256(), aead: new Chacha20Poly1305() }),
  65535: new CipherSuite({ kem, kdf: new HkdfSha256(), aead: new ExportOnly() }),
};

// message shapes: empty, short, around the 16-byte tag and 64-byte block, larger
const sizes = [0, 1, 15, 16, 17, 63, 64, 65, 1000, 4096];
const messages = sizes.map((n, i) => ({ aad: randomBytes(i % 3 === 0 ? 0 : 5 + i), pt: randomBytes(n) }));

async function run(mode) {
  const info = randomBytes(mode === 0 ? 9 : 0); // empty info in psk mode, non-empty in base
  const pskKey = randomBytes(32), pskId = randomBytes(7);
  const psk = mode === 1 ? { key: pskKey, id: pskId } : undefined;
  const cpsk = mode === 1 ? [hex(pskKey), hex(pskId)] : ["-", "-"];
  const tag = mode === 0 ? "base" : "psk";
  const suite = suites[3];

  // DeriveKeyPair agreement
  const ikmR = randomBytes(32);
  const [skR, pkR] = c("keypair", hex(ikmR))[0].split(" ");
  const rkp = await suite.kem.deriveKeyPair(ikmR);
  check(hex(await suite.kem.serializePublicKey(rkp.publicKey)) === pkR, `${tag}: DeriveKeyPair pk`);
  check(hex(await suite.kem.serializePrivateKey(rkp.privateKey)) === skR, `${tag}: DeriveKeyPair sk`);
  const recipientKey = await suite.kem.importKey("raw", unhex(skR).buffer, false);
  const recipientPublicKey = await suite.kem.importKey("raw", unhex(pkR).buffer, true);

  // C seals -> node opens (random ephemeral)
  {
    const args = messages.flatMap((m) => [hex(m.aad), hex(m.pt)]);
    const out = c("seal", mode, 3, pkR, hex(info), ...cpsk, "rand", ...args);
    const r = await suite.createRecipientContext({ recipientKey, enc: unhex(out[0]), info, psk });
    for (let i = 0; i < messages.length; i++) {
      let ok = false;
      try {
        const pt = await r.open(unhex(out[i + 1]), messages[i].aad);
        ok = Buffer.compare(Buffer.from(pt), messages[i].pt) === 0;
      } catch (e) { ok = false; }
      check(ok, `${tag}: C seal -> node open, message ${i} (${sizes[i]} bytes)`);
    }
  }

  // node seals -> C opens (random ephemeral); then the same with a wrong AAD
  {
    const s = await suite.createSenderContext({ recipientPublicKey, info, psk });
    const cts = [];
    for (const m of messages) cts.push(await s.seal(m.pt, m.aad));
    const args = messages.flatMap((m, i) => [hex(m.aad), hex(cts[i])]);
    const out = c("open", mode, 3, skR, hex(s.enc), hex(info), ...cpsk, ...args);
    for (let i = 0; i < messages.length; i++)
      check(out[i] === hex(messages[i].pt), `${tag}: node seal -> C open, message ${i} (${sizes[i]} bytes)`);
    const bad = c("open", mode, 3, skR, hex(s.enc), hex(info), ...cpsk, hex(Buffer.concat([messages[0].aad, Buffer.from([1])])), hex(cts[0]));
    check(bad[0] === "ERR FCP_EDECRYPT", `${tag}: C refuses node ciphertext under a wrong AAD`);
    if (mode === 1) {
      const wrongKey = Buffer.from(pskKey); wrongKey[0] ^= 1;
      const o1 = c("open", mode, 3, skR, hex(s.enc), hex(info), hex(wrongKey), hex(pskId), hex(messages[0].aad), hex(cts[0]));
      check(o1[0] === "ERR FCP_EDECRYPT", `psk: C refuses node ciphertext under a wrong psk`);
      const o2 = c("open", mode, 3, skR, hex(s.enc), hex(info), hex(pskKey), hex(randomBytes(7)), hex(messages[0].aad), hex(cts[0]));
      check(o2[0] === "ERR FCP_EDECRYPT", `psk: C refuses node ciphertext under a wrong psk_id`);
    } else {
      const o3 = c("open", mode, 3, skR, hex(s.enc), hex(randomBytes(9)), "-", "-", hex(messages[0].aad), hex(cts[0]));
      check(o3[0] === "ERR FCP_EDECRYPT", `base: C refuses node ciphertext under a wrong info`);
    }
  }

  // identical ephemeral ikm -> identical enc and ciphertexts
  {
    const ikmE = randomBytes(32);
    const args = messages.flatMap((m) => [hex(m.aad), hex(m.pt)]);
    const out = c("seal", mode, 3, pkR, hex(info), ...cpsk, hex(ikmE), ...args);
    const s = await suite.createSenderContext({ recipientPublicKey, info, psk, ekm: ikmE });
    check(hex(s.enc) === out[0], `${tag}: deterministic enc equal`);
    let same = true;
    for (let i = 0; i < messages.length; i++)
      same = same && hex(await s.seal(messages[i].pt, messages[i].aad)) === out[i + 1];
    check(same, `${tag}: deterministic ciphertexts equal (${messages.length} sequential messages)`);
    // a wrong psk on the node side must fail to open C's message
    if (mode === 1) {
      const wrong = { key: randomBytes(32), id: pskId };
      const r = await suite.createRecipientContext({ recipientKey, enc: unhex(out[0]), info, psk: wrong });
      let refused = false;
      try { await r.open(unhex(out[1]), messages[0].aad); } catch (e) { refused = true; }
      check(refused, `psk: node refuses C ciphertext under a wrong psk`);
    }
  }

  // exporter agreement, both AEAD choices, both directions
  for (const aead of [3, 65535]) {
    const st = suites[aead];
    const ikmE = randomBytes(32);
    const exps = [[randomBytes(0), 32], [randomBytes(5), 1], [randomBytes(40), 64], [randomBytes(3), 255]];
    const args = exps.flatMap(([ctx, L]) => [hex(ctx), L]);
    const sOut = c("sexport", mode, aead, pkR, hex(info), ...cpsk, hex(ikmE), ...args);
    const r = await st.createRecipientContext({ recipientKey, enc: unhex(sOut[0]), info, psk });
    const s = await st.createSenderContext({ recipientPublicKey, info, psk, ekm: ikmE });
    const rOut = c("rexport", mode, aead, skR, hex(s.enc), hex(info), ...cpsk, ...args);
    for (let i = 0; i < exps.length; i++) {
      const [ctx, L] = exps[i];
      check(hex(await r.export(ctx, L)) === sOut[i + 1], `${tag}/aead ${aead}: C sender export == node recipient export (L=${L})`);
      check(hex(await s.export(ctx, L)) === rOut[i], `${tag}/aead ${aead}: node sender export == C recipient export (L=${L})`);
    }
    if (aead === 65535) {
      const o = c("open", mode, aead, skR, hex(s.enc), hex(info), ...cpsk, "-", hex(randomBytes(16)));
      check(o[0] === "ERR FCP_EHPKE_EXPORT_ONLY", `${tag}: C export-only context refuses open`);
    }
  }

  // single-shot both ways
  {
    const aad = randomBytes(11), pt = randomBytes(48);
    const [enc, ct] = c("sseal", mode, 3, pkR, hex(info), ...cpsk, hex(aad), hex(pt))[0].split(" ");
    let ok = false;
    try {
      ok = Buffer.compare(Buffer.from(await suite.open({ recipientKey, enc: unhex(enc), info, psk }, unhex(ct), aad)), pt) === 0;
    } catch (e) { ok = false; }
    check(ok, `${tag}: C single-shot seal -> node single-shot open`);
    const sealed = await suite.seal({ recipientPublicKey, info, psk }, pt, aad);
    const out = c("sopen", mode, 3, skR, hex(sealed.enc), hex(info), ...cpsk, hex(aad), hex(sealed.ct));
    check(out[0] === hex(pt), `${tag}: node single-shot seal -> C single-shot open`);
    const tampered = Buffer.from(new Uint8Array(sealed.ct)); tampered[tampered.length - 1] ^= 0x80;
    const out2 = c("sopen", mode, 3, skR, hex(sealed.enc), hex(info), ...cpsk, hex(aad), hex(tampered));
    check(out2[0] === "ERR FCP_EDECRYPT", `${tag}: C refuses a node ciphertext with a modified tag`);
  }
}

try {
  await run(0);
  await run(1);
} catch (e) {
  console.log(`FAIL: exception ${e && e.stack ? e.stack : e}`);
  failed++;
}
console.log(`hpke_oracle: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
