/**
 * RSA PKCS#1 v1.5 decryption (the padding JSEncrypt, and so the old token script, encrypts with).
 * Node 20 refuses RSA_PKCS1_PADDING for private decryption (CVE-2023-46809, the Marvin timing
 * attack), so the raw RSA operation is done by OpenSSL and the padding is checked here without
 * early exits. Every failure is the same `null`, and the caller answers every failure of the
 * request with one code, so the answer is no padding oracle; the endpoints are also rate-limited.
 */
import { constants, privateDecrypt, type KeyObject } from "node:crypto";

/** PKCS#1 v1.5: 0x00 0x02, at least 8 non-zero padding bytes, 0x00, the message. */
const MIN_PADDING = 8;

export function rsaPkcs1Decrypt(key: KeyObject, ciphertext: Buffer): Buffer | null {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (bits === undefined || ciphertext.length !== Math.ceil(bits / 8)) return null;
  let em: Buffer;
  try {
    em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, ciphertext);
  } catch {
    return null;
  }
  let bad = em[0]! | (em[1]! ^ 0x02);
  let sep = 0;
  let found = 0;
  for (let i = 2; i < em.length; i++) {
    const zero = ((em[i]! - 1) >> 8) & 1; // 1 when em[i] is 0, without a branch
    const first = zero & (found ^ 1);
    sep = sep | (first * i);
    found = found | zero;
  }
  bad |= found ^ 1;
  bad |= sep < 2 + MIN_PADDING ? 1 : 0;
  return bad === 0 ? em.subarray(sep + 1) : null;
}
