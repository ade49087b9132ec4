/**
 * The old token script's wire protocol from the page's side (token-js.md §3), written for the
 * tests from the protocol description: what a merchant's self-hosted copy of the old script sends
 * once its host and public key point at the gateway. RSA PKCS#1 v1.5 (as JSEncrypt), AES-128-CBC
 * under PBKDF2-SHA1 of the fixed passphrase, SHA-1 seal.
 */
import { constants, createCipheriv, createHash, pbkdf2Sync, publicEncrypt, randomBytes } from "node:crypto";

export type WireMethod = "TokenPayment" | "MemberPayment" | "MemberTagPayment";

export interface WireOptions {
  readonly publicKeyPem: string;
  readonly sid: string;
  readonly callback?: string;
  /** In wire order: cardno|expire|securitycode|holderfirstname|holderlastname[|memberid|membercode|email|phonenumber[|tagname]]. */
  readonly fields: readonly string[];
}

export function tokenQuery(o: WireOptions): URLSearchParams {
  const iv = randomBytes(16);
  const salt = randomBytes(16);
  const aesKey = pbkdf2Sync("SecretPassphrase", salt, 100, 16, "sha1");
  const c = createCipheriv("aes-128-cbc", aesKey, iv);
  const encrypted = Buffer.concat([c.update(o.fields.join("|"), "utf8"), c.final()]).toString("base64");
  const key = publicEncrypt(
    { key: o.publicKeyPem, padding: constants.RSA_PKCS1_PADDING },
    Buffer.from(`iv=${iv.toString("hex")}&salt=${salt.toString("hex")}`),
  ).toString("base64");
  const callback = o.callback ?? "cb";
  const seal = createHash("sha1").update(`${o.sid}|${key}|${encrypted}|${callback}`).digest("hex");
  return new URLSearchParams({ key, callback, publicKey: o.sid, encrypted, seal, version: "1" });
}

/** The object a JSONP answer `cb({...});` passes to its callback. */
export function jsonpResult(body: string, callback = "cb"): Record<string, unknown> {
  const m = new RegExp(`^${callback.replace(/\$/g, "\\$")}\\((.*)\\);\\n?$`, "s").exec(body);
  if (!m) throw new Error(`not a JSONP call of ${callback}: ${body.slice(0, 80)}`);
  return JSON.parse(m[1] as string) as Record<string, unknown>;
}
