/**
 * HS256 JSON Web Tokens for sandbox app tokens, with node:crypto only. Claims follow what
 * univapay-node decodes from a store token (sub "app_token", store_id → storeId, mode, domains;
 * the SDK camel-cases the keys), plus the standard iss/iat/jti. Verification is constant-time.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";

export const AppTokenClaimsSchema = z.object({
  iss: z.string(),
  sub: z.literal("app_token"),
  iat: z.number().int(),
  jti: z.string().min(1),
  merchant_id: z.string().min(1),
  store_id: z.string().min(1),
  mode: z.enum(["test", "live"]),
  domains: z.array(z.string()),
  creator_id: z.string().min(1),
  version: z.number().int(),
});
export type AppTokenClaims = z.infer<typeof AppTokenClaimsSchema>;

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString("base64url");
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

export function signJwt(claims: AppTokenClaims, key: Buffer): string {
  const head = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = base64url(JSON.stringify(claims));
  return `${head}.${body}.${base64url(hmac(key, `${head}.${body}`))}`;
}

/** Returns the claims, or null when the token is malformed, not HS256, forged or not an app token. */
export function verifyJwt(token: string, key: Buffer): AppTokenClaims | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [head, body, sig] = parts as [string, string, string];
  const header = safeJson(head);
  if (!header || header["alg"] !== "HS256") return null;
  const expected = hmac(key, `${head}.${body}`);
  const given = Buffer.from(sig, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const parsed = AppTokenClaimsSchema.safeParse(safeJson(body));
  return parsed.success ? parsed.data : null;
}

function safeJson(segment: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
