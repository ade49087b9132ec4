/**
 * Puts the §1.5 rate-limit headers on every API response and answers 429 with an empty body when a
 * bucket is exhausted. Clients are told apart by their app token (else by address), before
 * authentication, as a front-door limiter would.
 */
import type { Context, Next } from "koa";
import type { RateLimiter } from "../rate-limit";
import { sendEmpty } from "./respond";

export function rateLimitMiddleware(limiter: RateLimiter) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const decision = limiter.check({ clientKey: clientKey(ctx), method: ctx.method, path: ctx.path, query: ctx.querystring });
    ctx.set(decision.headers);
    if (!decision.allowed) return sendEmpty(ctx, 429);
    await next();
  };
}

function clientKey(ctx: Context): string {
  const credential = ctx.get("Authorization").replace(/^Bearer\s+/i, "");
  const jwt = credential.split(".").slice(-3).join(".");
  return jwt !== "" ? `jwt:${jwt}` : `ip:${ctx.ip}`;
}
