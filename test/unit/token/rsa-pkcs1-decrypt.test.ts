import { constants, createPrivateKey, generateKeyPairSync, privateEncrypt, publicEncrypt, randomBytes } from "node:crypto";
import { rsaPkcs1Decrypt } from "../../../src/token/rsa-pkcs1-decrypt";
import { decryptPayload, parseKeyMaterial } from "../../../src/token/token-cipher";

describe("rsaPkcs1Decrypt (PKCS#1 v1.5 without Node's disabled padding mode)", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });

  it("decrypts what JSEncrypt-style PKCS#1 v1.5 encryption made", () => {
    for (const len of [0, 1, 77, 117]) {
      const msg = randomBytes(len);
      const ct = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, msg);
      expect(rsaPkcs1Decrypt(privateKey, ct)?.equals(msg)).toBe(true);
    }
  });

  it("answers null, never throws, for anything else", () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey;
    const foreign = publicEncrypt({ key: other, padding: constants.RSA_PKCS1_PADDING }, Buffer.from("iv=00"));
    expect(rsaPkcs1Decrypt(privateKey, foreign)).toBeNull();
    expect(rsaPkcs1Decrypt(privateKey, Buffer.alloc(128))).toBeNull();
    expect(rsaPkcs1Decrypt(privateKey, randomBytes(64))).toBeNull();
    expect(rsaPkcs1Decrypt(privateKey, Buffer.alloc(0))).toBeNull();
    // Type 1 (signature) padding is not encryption padding.
    const signed = privateEncrypt(
      { key: createPrivateKey(privateKey.export({ type: "pkcs8", format: "pem" })), padding: constants.RSA_PKCS1_PADDING },
      Buffer.from("x"),
    );
    expect(rsaPkcs1Decrypt(privateKey, signed)).toBeNull();
    // OAEP output is not PKCS#1 v1.5.
    const oaep = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING }, Buffer.from("x"));
    expect(rsaPkcs1Decrypt(privateKey, oaep)).toBeNull();
  });

  it("key material and payload: only the exact format, never an exception", () => {
    expect(parseKeyMaterial(Buffer.from(`iv=${"a".repeat(32)}&salt=${"B".repeat(32)}`))).not.toBeNull();
    expect(parseKeyMaterial(Buffer.from(`iv=${"a".repeat(31)}&salt=${"b".repeat(32)}`))).toBeNull();
    expect(parseKeyMaterial(Buffer.from("garbage"))).toBeNull();
    expect(decryptPayload("not base64 at all!", Buffer.alloc(16), Buffer.alloc(16))).toBeNull();
    expect(decryptPayload(Buffer.alloc(32, 7).toString("base64"), Buffer.alloc(16, 1), Buffer.alloc(16, 2))).toBeNull();
  });
});
