/**
 * A token endpoint's query (token-js.md §3: key, callback, publicKey = the sid, encrypted, seal,
 * version) → the card fields, or the result code to answer. Every way the envelope can be wrong
 * — seal, RSA, IV/salt, AES, field count — is the same 901, and the RSA step runs whether or not
 * the seal holds, so the answer tells an attacker nothing about which step failed (no padding
 * oracle; a mauled key never decodes to the IV/salt format, so the AES step adds no signal). Several private
 * keys are tried in turn, so a key rotation does not break pages that still carry the old public
 * key. Pure apart from the RSA operation.
 */
import { timingSafeEqual, type KeyObject } from "node:crypto";
import { rsaPkcs1Decrypt } from "./rsa-pkcs1-decrypt";
import { decryptPayload, parseKeyMaterial, sealOf } from "./token-cipher";
import { splitPayload, type TokenMethod } from "./token-fields";
import type { TokenResultCode } from "./token-result-codes";

/** A JSONP callback we will call: a plain identifier, so the answer cannot carry a script. */
const CALLBACK = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;
/** Long enough for a 4096-bit key and the longest payload; anything longer is not the script's. */
const MAX_PARAM = 4096;

export type OpenedTokenRequest =
  | { readonly ok: true; readonly sid: string; readonly callback: string; readonly fields: string[] }
  | { readonly ok: false; readonly code: TokenResultCode; readonly sid?: string; readonly callback: string | null };

export function isCallbackName(s: string): boolean {
  return CALLBACK.test(s);
}

function sealMatches(expected: string, got: string): boolean {
  const a = Buffer.from(expected, "latin1");
  const b = Buffer.from(got.toLowerCase(), "latin1");
  return a.length === b.length && timingSafeEqual(a, b);
}

export function openTokenRequest(method: TokenMethod, query: URLSearchParams, keys: readonly KeyObject[]): OpenedTokenRequest {
  const rawCallback = query.get("callback") ?? "";
  const callback = isCallbackName(rawCallback) ? rawCallback : null;
  if (!callback) return { ok: false, code: "901", callback: null };
  const sid = query.get("publicKey") ?? "";
  if (sid === "") return { ok: false, code: "300", callback };
  if (!/^\d+$/.test(sid)) return { ok: false, code: "301", callback };
  if (sid.length !== 6) return { ok: false, code: "302", callback };
  const key = query.get("key") ?? "";
  const encrypted = query.get("encrypted") ?? "";
  const seal = query.get("seal") ?? "";
  const unreadable = { ok: false, code: "901", sid, callback } as const;
  if (query.get("version") !== "1" || key.length > MAX_PARAM || encrypted.length > MAX_PARAM) return unreadable;
  const sealOk = sealMatches(sealOf(sid, key, encrypted, rawCallback), seal);
  // Decrypted even when the seal is wrong: the seal says nothing about the RSA step's result.
  const wrapped = Buffer.from(key, "base64");
  let material: { iv: Buffer; salt: Buffer } | null = null;
  for (const k of keys) {
    const plain = rsaPkcs1Decrypt(k, wrapped);
    const m = plain && parseKeyMaterial(plain);
    if (m && !material) material = m;
  }
  const payload = material ? decryptPayload(encrypted, material.iv, material.salt) : null;
  const fields = payload === null ? null : splitPayload(method, payload);
  if (!sealOk || !fields) return unreadable;
  return { ok: true, sid, callback, fields };
}
