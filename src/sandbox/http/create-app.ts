/**
 * Builds the sandbox's Koa app. Order matters and mirrors a real API front: admin routes and the
 * link form's HTML pages (outside the API; /forms renders its own errors) → error rendering →
 * fault injection → rate limits (headers on every answer, 429 before anything else) → body →
 * authentication → idempotency → routes → 404 for unknown paths.
 */
import Koa, { type Middleware } from "koa";
import type { Router } from "@koa/router";
import { notFound } from "../errors";
import { authMiddleware } from "./auth-middleware";
import { readJsonBody } from "./body";
import type { RequestState, SandboxDeps } from "./context";
import { faultMiddleware } from "./fault-middleware";
import { idempotencyMiddleware } from "./idempotency-middleware";
import { rateLimitMiddleware } from "./rate-limit-middleware";
import { renderThrown } from "./respond";

export interface AppParts {
  readonly admin: Router<RequestState>;
  readonly api: readonly Router<RequestState>[];
  /** Everything under /forms (link-form-routes.ts); it answers every such path itself. */
  readonly linkForm: Middleware<RequestState>;
}

export function createApp(deps: SandboxDeps, parts: AppParts): Koa<RequestState> {
  const app = new Koa<RequestState>({ proxy: false });
  const logError = (err: unknown): void => deps.logger.error({ err }, "sandbox request failed");
  app.silent = true;

  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      renderThrown(ctx, err, logError);
    }
  });
  const isAdmin = (path: string): boolean => path === "/_sandbox" || path.startsWith("/_sandbox/");
  app.use(async (ctx, next) => {
    if (isAdmin(ctx.path) && (ctx.method === "POST" || ctx.method === "PATCH")) ctx.state.body = await readJsonBody(ctx.req);
    await next();
  });
  app.use(parts.admin.routes());
  app.use(parts.linkForm);
  app.use(async (ctx, next) => {
    // An unmatched /_sandbox path must not fall into the API chain (and its auth).
    if (isAdmin(ctx.path)) throw notFound();
    await next();
  });
  app.use(faultMiddleware(deps.faults));
  if (deps.rateLimiter) app.use(rateLimitMiddleware(deps.rateLimiter));
  app.use(async (ctx, next) => {
    if (ctx.method === "POST" || ctx.method === "PATCH" || ctx.method === "PUT") ctx.state.body = await readJsonBody(ctx.req);
    await next();
  });
  app.use(authMiddleware(deps.jwtKey, (jti) => deps.state.appTokens.get(jti)?.secret));
  app.use(idempotencyMiddleware(deps.idempotency, logError));
  for (const router of parts.api) {
    app.use(router.routes());
  }
  app.use(() => {
    throw notFound();
  });
  return app;
}
