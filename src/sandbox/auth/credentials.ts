/**
 * Turns an Authorization header into an authenticated store context (§1.2). Accepted forms:
 * `Bearer {secret}.{jwt}` (server calls) and `Bearer {jwt}` (secretless browser-style calls, only
 * where the route allows them). The JWT has exactly three dot-separated parts, so the secret is
 * whatever precedes the last three.
 */
import { timingSafeEqual } from "node:crypto";
import { ApiError, unauthorized } from "../errors";
import { AppTokenClaims, verifyJwt } from "./jwt";

export interface ParsedAuthorization {
  readonly secret: string | null;
  readonly jwt: string;
}

export interface AuthContext {
  readonly claims: AppTokenClaims;
  readonly storeId: string;
  readonly merchantId: string;
  readonly mode: "test" | "live";
  /** False for `Bearer {jwt}` without a secret. */
  readonly hasSecret: boolean;
}

/** Looks up the secret issued with the app token `jti`; undefined when the token was revoked. */
export type SecretLookup = (jti: string) => string | undefined;

export function parseAuthorization(header: string | undefined): ParsedAuthorization | ApiError {
  if (header === undefined || header.trim() === "") return unauthorized("AUTH_HEADER_MISSING");
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!m || m[1] === undefined) return unauthorized("INVALID_APP_TOKEN");
  const parts = m[1].split(".");
  if (parts.length < 3) return unauthorized("INVALID_APP_TOKEN");
  const jwt = parts.slice(-3).join(".");
  const secret = parts.length > 3 ? parts.slice(0, -3).join(".") : null;
  return { secret, jwt };
}

export function authenticate(header: string | undefined, key: Buffer, secretOf: SecretLookup): AuthContext | ApiError {
  const parsed = parseAuthorization(header);
  if (parsed instanceof ApiError) return parsed;
  const claims = verifyJwt(parsed.jwt, key);
  if (!claims) return unauthorized("INVALID_APP_TOKEN");
  const expected = secretOf(claims.jti);
  if (expected === undefined) return unauthorized("INVALID_APP_TOKEN");
  if (parsed.secret !== null && !sameSecret(parsed.secret, expected)) return unauthorized("INVALID_CREDENTIALS");
  return {
    claims,
    storeId: claims.store_id,
    merchantId: claims.merchant_id,
    mode: claims.mode,
    hasSecret: parsed.secret !== null,
  };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
