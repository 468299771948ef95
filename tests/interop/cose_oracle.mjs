// cose_oracle.mjs - libfcp capability tokens (COSE_Sign1 / CWT) vs independent
// code: npm cborg rebuilds the Sig_structure ["Signature1", protected, h'',
// payload] and @noble/curves ed25519 verifies it; @noble/hashes blake3
// recomputes the kid.  Both directions:
//   - tokens minted by libfcp (8 claim variants x 4 keys) decode with cborg,
//     have protected = a2 01 27 04 48 kid with kid = BLAKE3("fcp.kid.v2"||pk)[0..8],
//     verify in noble, and their claims are the ones asked for;
//   - tampered copies (payload, signature, protected header, kid) fail in
//     noble AND in libfcp;
//   - tokens built and signed here (cborg + noble) verify in libfcp, and their
//     tampered copies do not.
// Usage: node cose_oracle.mjs HELPER ; last line "cose_oracle: N passed, N failed".
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";
import { blake3 } from "@noble/hashes/blake3.js";
import { encode, decode } from "cborg";

const helper = process.argv[2];
let passed = 0, failed = 0;
const check = (ok, what) => { if (ok) passed++; else { failed++; console.log(`FAIL: ${what}`); } };
const hex = (b) => Buffer.from(b).toString("hex");
const unhex = (h) => new Uint8Array(Buffer.from(h, "hex"));
const run = (...args) => execFileSync(helper, args, { encoding: "utf8" }).trim();
const dec = (b, opts = {}) => decode(b, { useMaps: true, ...opts });

const sigStructure = (prot, payload) => encode(["Signature1", prot, new Uint8Array(0), payload]);
const nobleVerify = (tok, pk) => {
  try {
    let arr = dec(tok, { tags: { 18: (x) => x } });
    if (!Array.isArray(arr) || arr.length !== 4) return false;
    const [prot, unprot, payload, sig] = arr;
    const ph = dec(prot);
    if (ph.get(1) !== -8 || !(ph.get(4) instanceof Uint8Array) || ph.get(4).length !== 8) return false;
    if (!(unprot instanceof Map) || unprot.size !== 0) return false;
    const kid = blake3(Uint8Array.from([...Buffer.from("fcp.kid.v2"), ...pk])).slice(0, 8);
    if (hex(kid) !== hex(ph.get(4))) return false;
    return ed25519.verify(sig, sigStructure(prot, payload), pk);
  } catch (e) { return false; }
};
const tamper = (tok, i) => { const t = Uint8Array.from(tok); t[i] ^= 0x01; return t; };

// 1. libfcp -> oracle
for (let k = 0; k < 4; k++) {
  const seed = new Uint8Array(randomBytes(32));
  for (let v = 0; v < 8; v++) {
    const [pkh, tokh] = run("mint", hex(seed), String(v)).split(" ");
    const pk = unhex(pkh), tok = unhex(tokh);
    check(hex(pk) === hex(ed25519.getPublicKey(seed)), `pk ${k}/${v}`);
    const arr = dec(tok);
    check(Array.isArray(arr) && arr.length === 4, `structure ${k}/${v}`);
    const prot = arr[0], payload = arr[2];
    const kid = blake3(Uint8Array.from([...Buffer.from("fcp.kid.v2"), ...pk])).slice(0, 8);
    check(hex(prot) === "a201270448" + hex(kid), `protected header ${k}/${v}`);
    check(nobleVerify(tok, pk), `noble verifies libfcp token ${k}/${v}`);
    // the payload re-encodes canonically with cborg and has the asked-for claims
    const claims = dec(payload);
    check(hex(encode(claims)) === hex(payload), `payload canonical ${k}/${v}`);
    check(claims.get(-65538) === (v % 2 ? "z:private" : "z:work") && claims.get(3) === claims.get(-65538) &&
          claims.get(-65552) === 1 && claims.get(5) === 1700000000 + v && claims.get(4) === 1700000300 + v &&
          claims.get(-65539).length === (v % 4) + 1, `claims ${k}/${v}`);
    // tampered copies: payload byte, signature byte, protected alg, kid
    const sigAt = tok.length - 1, payAt = tok.length - 70, algAt = 4, kidAt = 8;
    for (const [at, what] of [[payAt, "payload"], [sigAt, "signature"], [algAt, "alg"], [kidAt, "kid"]]) {
      const t = tamper(tok, at);
      check(!nobleVerify(t, pk), `noble rejects ${what}-tampered libfcp token ${k}/${v}`);
      check(run("verify", pkh, hex(t)) !== "ok", `libfcp rejects ${what}-tampered token ${k}/${v}`);
    }
    check(run("verify", pkh, tokh) === "ok", `libfcp verifies its own token ${k}/${v}`);
  }
}

// 2. oracle -> libfcp: cborg-built claims, noble signature
for (let k = 0; k < 8; k++) {
  const seed = new Uint8Array(randomBytes(32));
  const pk = ed25519.getPublicKey(seed);
  const kid = blake3(Uint8Array.from([...Buffer.from("fcp.kid.v2"), ...pk])).slice(0, 8);
  const prot = encode(new Map([[1, -8], [4, kid]]));
  const claims = new Map([[1, "node:oracle"], [4, 1800000000 + k], [5, 1700000000], [-65537, "cap:oracle"],
                          [-65538, "z:work"], [-65539, ["op.a", "op.b"]], [-65543, "node:oracle.mesh.ts.net"],
                          [-65552, 1]]);
  const payload = encode(claims);
  const sig = ed25519.sign(sigStructure(prot, payload), seed);
  const tok = encode([prot, new Map(), payload, sig]);
  check(run("verify", hex(pk), hex(tok)) === "ok", `libfcp verifies noble token ${k}`);
  const tagged = Uint8Array.from([0xd2, ...tok]);
  check(run("verify", hex(pk), hex(tagged)) === "ok", `libfcp accepts tag 18 ${k}`);
  check(run("verify", hex(pk), hex(tamper(tok, tok.length - 5))) === "FCP_ETOKEN_SIGNATURE", `libfcp rejects bad sig ${k}`);
  check(run("verify", hex(pk), hex(tamper(tok, tok.length - 80))) !== "ok", `libfcp rejects bad payload ${k}`);
  // an unprotected header parameter is refused even though the signature is fine
  const withUnprot = encode([prot, new Map([[4, kid]]), payload, sig]);
  check(run("verify", hex(pk), hex(withUnprot)) === "FCP_ETOKEN_HEADER", `libfcp refuses unprotected params ${k}`);
  // a signature over a different external_aad does not verify
  const badSig = ed25519.sign(encode(["Signature1", prot, Uint8Array.from([1]), payload]), seed);
  check(run("verify", hex(pk), hex(encode([prot, new Map(), payload, badSig]))) === "FCP_ETOKEN_SIGNATURE",
        `libfcp binds empty external_aad ${k}`);
}

console.log(`cose_oracle: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
