/**
 * The drop-in UpcTokenPaymentMini.js: assets/UpcTokenPaymentMini.js with the gateway's current
 * public key (modulus and exponent, hex), the result-code table and, when PUBLIC_URL is set, the
 * gateway's address filled in (unset: the script calls the host it was loaded from, which is the
 * gateway for both gw.ccps.jp and token.ccps.jp pointed at it). Rendered once at start; its ETag
 * changes with the key, and caches keep it briefly so a rotation reaches pages within minutes.
 */
import { createHash, createPublicKey } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { TokenKeys } from "./token-keys";
import { TOKEN_RESULT_CODES } from "./token-result-codes";

export const TOKEN_SCRIPT_FILE = "UpcTokenPaymentMini.js";

export interface TokenScript {
  readonly body: string;
  readonly etag: string;
}

/** assets/ beside src/ (or dist/src/): found from this file, so the cwd does not matter. */
function assetPath(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const p = join(dir, "assets", TOKEN_SCRIPT_FILE);
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  throw new Error(`assets/${TOKEN_SCRIPT_FILE} not found above ${__dirname}`);
}

const b64urlToHex = (s: string) => Buffer.from(s, "base64url").toString("hex");

export function renderTokenScript(keys: TokenKeys, publicUrl: string | undefined): TokenScript {
  const jwk = createPublicKey(keys.publicKeyPem).export({ format: "jwk" });
  const fill: Record<string, string> = {
    "/*@RESULT_CODES@*/ {}": JSON.stringify(TOKEN_RESULT_CODES),
    '"/*@RSA_N@*/"': JSON.stringify(b64urlToHex(jwk.n as string)),
    '"/*@RSA_E@*/"': JSON.stringify(b64urlToHex(jwk.e as string)),
    '"/*@GATEWAY@*/"': JSON.stringify(publicUrl ? new URL(publicUrl).origin : ""),
  };
  let body = readFileSync(assetPath(), "utf8");
  for (const [mark, value] of Object.entries(fill)) {
    if (!body.includes(mark)) throw new Error(`${TOKEN_SCRIPT_FILE} lacks the placeholder ${mark}`);
    body = body.replace(mark, value);
  }
  return { body, etag: `"${createHash("sha1").update(body).digest("hex")}"` };
}
