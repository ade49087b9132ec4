/**
 * UnivaPay's link form (§11.2.2, §17.2.1) served by the sandbox: `GET|POST /forms/{formId}?appId=…`,
 * plus the sandbox's own `POST /forms/{formId}/three-ds` (challenge answer) and
 * `GET /forms/{formId}/cancel` (the cancel link without a failureRedirectUrl). Mounted before
 * the API chain: no app-token header, no rate limits, no JSON. Everything under /forms answers
 * HTML — a refusal or a sandbox bug is a Japanese page, never JSON or a stack trace.
 */
import { Router } from "@koa/router";
import type { Middleware, ParameterizedContext } from "koa";
import type { RequestState, SandboxDeps } from "../http/context";
import { param } from "../http/scope";
import { LinkFormFlow } from "./link-form-flow";
import { messagePage } from "./link-form-pages";
import { htmlReply, openLinkForm, type FormReply } from "./open-link-form";
import { FormBodyTooLarge, readFormBody } from "./read-form-body";

type Ctx = ParameterizedContext<RequestState>;

// No script may run and no site may frame the page (the real form cannot be put in an iframe either).
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'";

export function isLinkFormPath(path: string): boolean {
  return path === "/forms" || path.startsWith("/forms/");
}

export function createLinkFormMiddleware(deps: SandboxDeps): Middleware<RequestState> {
  const flow = new LinkFormFlow(deps);
  const router = new Router<RequestState>({ prefix: "/forms" });
  const opened = (ctx: Ctx & { params: Record<string, string> }) => openLinkForm(deps, param(ctx, "formId"), ctx.querystring);

  router.get("/:formId", (ctx) => {
    const o = opened(ctx);
    send(ctx, o.ok ? flow.show(o.form) : o.reply);
  });
  router.post("/:formId", async (ctx) => {
    const o = opened(ctx);
    send(ctx, o.ok ? await flow.submitCard(o.form, await readFormBody(ctx.req), ctx.ip || null) : o.reply);
  });
  router.post("/:formId/three-ds", async (ctx) => {
    const o = opened(ctx);
    send(ctx, o.ok ? await flow.submitThreeDs(o.form, await readFormBody(ctx.req)) : o.reply);
  });
  router.get("/:formId/cancel", (ctx) => {
    const o = opened(ctx);
    send(ctx, o.ok ? flow.canceled(o.form) : o.reply);
  });
  // The router's own context type adds params/router, which it sets itself on the way in.
  const routes = router.routes() as unknown as Middleware<RequestState>;

  return async (ctx, next) => {
    if (!isLinkFormPath(ctx.path)) return next();
    try {
      await routes(ctx, async () => {
        send(ctx, htmlReply(404, messagePage({ title: "ページが見つかりません", lines: ["URL をご確認ください。"] })));
      });
    } catch (err) {
      if (err instanceof FormBodyTooLarge)
        return send(ctx, htmlReply(413, messagePage({ title: "送信内容が大きすぎます", lines: ["もう一度お試しください。"] })));
      deps.logger.error({ err }, "sandbox link form failed");
      send(ctx, htmlReply(500, messagePage({ title: "エラーが発生しました", lines: ["しばらくしてからもう一度お試しください。"] })));
    }
  };
}

function send(ctx: Ctx, reply: FormReply): void {
  ctx.set("Cache-Control", "no-store");
  ctx.set("Referrer-Policy", "no-referrer");
  if (reply.kind === "redirect") {
    ctx.status = 303;
    ctx.set("Location", reply.location);
    ctx.body = "";
    return;
  }
  ctx.status = reply.status;
  ctx.set("Content-Security-Policy", CSP);
  ctx.set("X-Frame-Options", "DENY");
  ctx.set("X-Content-Type-Options", "nosniff");
  ctx.type = "text/html; charset=utf-8";
  ctx.body = reply.html;
}
