/**
 * `token-public-key`: the public key of TOKEN_RSA_PRIVATE_KEYS' current key (PEM, and the modulus
 * in hex, the one string a merchant's self-hosted copy of the old script must change besides the
 * host). `token-new-key`: a fresh 2048-bit private key (PEM) for TOKEN_RSA_PRIVATE_KEYS — put it
 * first and keep the old one after it until cached pages have reloaded.
 */
import { createPublicKey } from "node:crypto";
import type { Config } from "../config/config";
import { AppError } from "../errors/app-error";
import { generateTokenKeys, parseTokenKeys } from "../token/token-keys";

export function tokenPublicKeyCommand(config: Config, out: (line: string) => void): void {
  if (!config.TOKEN_RSA_PRIVATE_KEYS) throw new AppError("config_invalid", "TOKEN_RSA_PRIVATE_KEYS is not set (npm run ops -- token-new-key makes one)");
  const keys = parseTokenKeys(config.TOKEN_RSA_PRIVATE_KEYS);
  const jwk = createPublicKey(keys.publicKeyPem).export({ format: "jwk" });
  out(keys.publicKeyPem.trimEnd());
  out(`modulus (hex): ${Buffer.from(jwk.n as string, "base64url").toString("hex")}`);
  out(`exponent (hex): ${Buffer.from(jwk.e as string, "base64url").toString("hex")}`);
  if (keys.privateKeys.length > 1) out(`also accepted: ${keys.privateKeys.length - 1} earlier key(s)`);
}

export function tokenNewKeyCommand(out: (line: string) => void): void {
  const key = generateTokenKeys().privateKeys[0];
  out(String(key?.export({ type: "pkcs8", format: "pem" })).trimEnd());
}
