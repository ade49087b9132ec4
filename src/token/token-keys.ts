/**
 * The gateway's RSA key pair for the token wire protocol: TOKEN_RSA_PRIVATE_KEYS holds one or more
 * PEM private keys (the first is current: its public key is the one the served script embeds; the
 * others are still accepted, so pages cached with an earlier public key keep working through a
 * rotation). Without it, demo mode makes one per process; elsewhere the token endpoints are off
 * and a merchant that enables them stops start-up (fail closed).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { AppError } from "../errors/app-error";

/** The old script's key was 1024 bits; anything shorter is not a key. New keys are 2048. */
const MIN_BITS = 1024;
const NEW_KEY_BITS = 2048;
const PEM = /-----BEGIN (?:RSA )?PRIVATE KEY-----[\s\S]*?-----END (?:RSA )?PRIVATE KEY-----/g;

export interface TokenKeys {
  /** Tried in order when opening a request. */
  readonly privateKeys: readonly KeyObject[];
  /** The current public key, PEM (SPKI), as the script and `npm run ops -- token-public-key` show it. */
  readonly publicKeyPem: string;
}

function keysOf(privateKeys: KeyObject[]): TokenKeys {
  const pem = createPublicKey(privateKeys[0] as KeyObject).export({ type: "spki", format: "pem" });
  return { privateKeys, publicKeyPem: String(pem) };
}

/** Parses the variable (literal "\n" sequences are newlines, for one-line env files). */
export function parseTokenKeys(value: string): TokenKeys {
  const blocks = value.replace(/\\n/g, "\n").match(PEM) ?? [];
  if (blocks.length === 0) throw new AppError("config_invalid", "TOKEN_RSA_PRIVATE_KEYS holds no PEM private key");
  const keys = blocks.map((pem, i) => {
    let k: KeyObject;
    try {
      k = createPrivateKey(pem);
    } catch {
      throw new AppError("config_invalid", `TOKEN_RSA_PRIVATE_KEYS: key ${i + 1} cannot be read`);
    }
    const bits = k.asymmetricKeyDetails?.modulusLength ?? 0;
    if (k.asymmetricKeyType !== "rsa" || bits < MIN_BITS)
      throw new AppError("config_invalid", `TOKEN_RSA_PRIVATE_KEYS: key ${i + 1} is not an RSA key of ${MIN_BITS} bits or more`);
    return k;
  });
  return keysOf(keys);
}

/** A fresh pair, for the demo (pages loaded before a restart must be reloaded). */
export function generateTokenKeys(): TokenKeys {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: NEW_KEY_BITS });
  return keysOf([privateKey]);
}
