// ed25519_oracle.mjs - libfcp Ed25519 vs npm @noble/curves (independent code):
//   - public keys from the same seeds are equal;
//   - signatures (deterministic, RFC 8032) are byte-identical;
//   - C signatures verify in noble (strict and ZIP-215 modes), noble
//     signatures verify in C;
//   - a tampered R, S or message is rejected by both.
// The 12 ed25519-speccheck rows of both are printed for information
// (noble's acceptance rule differs from libsodium's by design).
// Usage: node ed25519_oracle.mjs HELPER ; last line "ed25519_oracle: N passed, N failed".
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { ed25519 } from "@noble/curves/ed25519.js";

const helper = process.argv[2];
let passed = 0, failed = 0;
const check = (ok, what) => { if (ok) passed++; else { failed++; console.log(`FAIL: ${what}`); } };
const hex = (b) => (b.length === 0 ? "-" : Buffer.from(b).toString("hex"));
const c = (...args) => execFileSync(helper, args, { encoding: "utf8" }).trim().split("\n");
const nobleVerify = (sig, msg, pk, zip215) => {
  try { return ed25519.verify(sig, msg, pk, { zip215 }); } catch (e) { return false; }
};

const N = 24;
const seeds = [], msgs = [];
for (let i = 0; i < N; i++) {
  seeds.push(new Uint8Array(randomBytes(32)));
  msgs.push(new Uint8Array(randomBytes([0, 1, 31, 32, 63, 64, 65, 200, 1023, 4096][i % 10])));
}
const cpks = c("pk", ...seeds.map(hex));
const csigs = c("sign", ...seeds.flatMap((s, i) => [hex(s), hex(msgs[i])]));
const npks = seeds.map((s) => ed25519.getPublicKey(s));
const nsigs = seeds.map((s, i) => ed25519.sign(msgs[i], s));

const verifyArgs = [];
for (let i = 0; i < N; i++) {
  check(cpks[i] === hex(npks[i]), `public key ${i}`);
  check(csigs[i] === hex(nsigs[i]), `signature ${i} byte-identical`);
  const csig = new Uint8Array(Buffer.from(csigs[i], "hex"));
  check(nobleVerify(csig, msgs[i], npks[i], false), `noble strict verifies C signature ${i}`);
  check(nobleVerify(csig, msgs[i], npks[i], true), `noble zip215 verifies C signature ${i}`);
  // tampered copies: R bit, S bit, message bit
  const tR = Uint8Array.from(csig); tR[3] ^= 0x10;
  const tS = Uint8Array.from(csig); tS[40] ^= 0x01;
  const tM = Uint8Array.from(msgs[i].length ? msgs[i] : [0]); if (msgs[i].length) tM[0] ^= 0x80;
  check(!nobleVerify(tR, msgs[i], npks[i], false) && !nobleVerify(tS, msgs[i], npks[i], false) &&
        !nobleVerify(csig, tM, npks[i], false), `noble rejects tampered C signature ${i}`);
  verifyArgs.push([hex(npks[i]), hex(msgs[i]), hex(nsigs[i])], [hex(npks[i]), hex(msgs[i]), hex(tR)],
                  [hex(npks[i]), hex(msgs[i]), hex(tS)], [hex(npks[i]), hex(tM), hex(csig)]);
}
const vres = c("verify", ...verifyArgs.flat());
for (let i = 0; i < N; i++) {
  check(vres[4 * i] === "ok", `C verifies noble signature ${i}`);
  check(vres[4 * i + 1] === "bad" && vres[4 * i + 2] === "bad" && vres[4 * i + 3] === "bad",
        `C rejects tampered signature ${i}`);
}

// speccheck rows (information; the C row is asserted in crypto_golden_test)
const base = process.env.FCP_SHARED ? `${process.env.FCP_SHARED}/vectors` : "../shared/vectors";
try {
  const cases = JSON.parse(readFileSync(`${base}/ed25519-speccheck/cases.json`, "utf8"));
  const crow = c("verify", ...cases.flatMap((k) => [k.pub_key, k.message || "-", k.signature]))
    .map((r) => (r === "ok" ? "V" : "X")).join("");
  const row = (zip) => cases.map((k) => (nobleVerify(Buffer.from(k.signature, "hex"), Buffer.from(k.message, "hex"),
    Buffer.from(k.pub_key, "hex"), zip) ? "V" : "X")).join("");
  check(crow === "XXXVXXXXXXXX", `C speccheck row ${crow}`);
  console.log(`speccheck rows: libfcp ${crow}  noble strict ${row(false)}  noble zip215 ${row(true)}`);
} catch (e) {
  console.log(`speccheck rows not printed: ${e.message}`);
}
console.log(`ed25519_oracle: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
