/**
 * Authenticates API requests (§1.2) and enforces where a secretless `Bearer {jwt}` may be used:
 * POST /tokens from a registered Origin (the widget case; otherwise 401 INVALID_DOMAIN) and token
 * PATCH (the token route then allows only a CVV update). Everything else needs `{secret}.{jwt}`.
 */
import type { Context, Next } from "koa";
import { authenticate } from "../auth/credentials";
import { ApiError, unauthorized } from "../errors";
import type { RequestState } from "./context";

const PUBLIC_PATHS = new Set(["/heartbeat"]);
const TOKEN_PATCH = /^\/stores\/[^/]+\/tokens\/[^/]+$/;

export function authMiddleware(jwtKey: Buffer, secretOf: (jti: string) => string | undefined) {
  return async (ctx: Context & { state: RequestState }, next: Next): Promise<void> => {
    if (PUBLIC_PATHS.has(ctx.path)) return next();
    const auth = authenticate(ctx.get("Authorization") || undefined, jwtKey, secretOf);
    if (auth instanceof ApiError) throw auth;
    if (!auth.hasSecret) {
      const isTokenCreate = ctx.method === "POST" && ctx.path === "/tokens";
      const isTokenPatch = ctx.method === "PATCH" && TOKEN_PATCH.test(ctx.path);
      if (!isTokenCreate && !isTokenPatch) throw unauthorized("INVALID_CREDENTIALS");
      if (isTokenCreate && !originAllowed(ctx.get("Origin"), auth.claims.domains)) throw unauthorized("INVALID_DOMAIN");
    }
    ctx.state.auth = auth;
    await next();
  };
}

function originAllowed(origin: string, domains: readonly string[]): boolean {
  if (origin === "") return false;
  try {
    const host = new URL(origin).hostname;
    return domains.some((d) => d === host || (d.startsWith("*.") && host.endsWith(d.slice(1))));
  } catch {
    return false;
  }
}
