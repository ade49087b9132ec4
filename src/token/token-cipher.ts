/**
 * The old token script's payload cipher (token-js.md §3): AES-128-CBC with PKCS#7 padding, the key
 * PBKDF2-HMAC-SHA1 (100 iterations, 16 bytes) of a passphrase fixed in the script and a random
 * salt; IV and salt travel RSA-wrapped in `key`. The passphrase is public (it is in every copy of
 * the script): the secrecy is the RSA key's alone. The seal is a checksum anyone can compute, so it
 * proves the request arrived as the script built it, not who built it. Pure.
 */
import { createDecipheriv, createHash, pbkdf2Sync } from "node:crypto";

export const TOKEN_PASSPHRASE = "SecretPassphrase";
const PBKDF2_ITERATIONS = 100;
const KEY_BYTES = 16;
const HEX16 = /^[0-9a-f]{32}$/i;

/** `iv=<32 hex>&salt=<32 hex>`, the plaintext of `key`. */
export function parseKeyMaterial(plain: Buffer): { iv: Buffer; salt: Buffer } | null {
  const m = /^iv=([0-9a-fA-F]{32})&salt=([0-9a-fA-F]{32})$/.exec(plain.toString("latin1"));
  if (!m || !HEX16.test(m[1]!) || !HEX16.test(m[2]!)) return null;
  return { iv: Buffer.from(m[1]!, "hex"), salt: Buffer.from(m[2]!, "hex") };
}

export function decryptPayload(encryptedB64: string, iv: Buffer, salt: Buffer): string | null {
  const key = pbkdf2Sync(TOKEN_PASSPHRASE, salt, PBKDF2_ITERATIONS, KEY_BYTES, "sha1");
  try {
    const d = createDecipheriv("aes-128-cbc", key, iv);
    const out = Buffer.concat([d.update(Buffer.from(encryptedB64, "base64")), d.final()]);
    const text = out.toString("utf8");
    // A wrong key decrypts to noise that may still pad correctly: not text, not a payload.
    return Buffer.from(text, "utf8").equals(out) ? text : null;
  } catch {
    return null;
  }
}

/** SHA-1 hex of `sid|key|encrypted|callback`. */
export function sealOf(sid: string, key: string, encrypted: string, callback: string): string {
  return createHash("sha1").update(`${sid}|${key}|${encrypted}|${callback}`, "utf8").digest("hex");
}
