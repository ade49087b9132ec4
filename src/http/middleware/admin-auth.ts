/**
 * Login for the operator listener: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant
 * time. Without a token configured the listener is loopback-only (the configuration refuses
 * anything else), so no login is asked for there.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, Next } from "koa";
import { jsonError } from "./json-errors";

const digest = (s: string) => createHash("sha256").update(s).digest();

export function adminAuth(token: string | undefined, openPaths: readonly string[]) {
  const expected = token === undefined ? undefined : digest(token);
  return async (ctx: Context, next: Next): Promise<void> => {
    if (expected && !openPaths.includes(ctx.path)) {
      const given = /^Bearer\s+(.+)$/i.exec(ctx.get("authorization"))?.[1]?.trim() ?? "";
      if (!timingSafeEqual(digest(given), expected)) {
        ctx.set("WWW-Authenticate", 'Bearer realm="ccps-gateway admin"');
        jsonError(ctx, 401, "unauthorized", "admin token required");
        return;
      }
    }
    await next();
  };
}
