/**
 * The link method's browser edge: the entry (payment.aspx with a browser ptype, handed over by the
 * legacy routes) and the return from UnivaPay's form. Shoppers get redirects or HTML pages, never
 * a legacy body or a stack trace; each answer logs one line (never a card number: none passes
 * here, the shopper types it on UnivaPay's form).
 */
import Router from "@koa/router";
import type { Context } from "koa";
import type { BrowserReply } from "../../hosted/browser-answer";
import { enterHostedPayment } from "../../hosted/enter-hosted-payment";
import type { HostedDeps } from "../../hosted/hosted-deps";
import { returnFromHostedPage } from "../../hosted/return-from-hosted-page";
import { RETURN_PREFIX } from "../../hosted/return-link";
import { shopperPage } from "../../hosted/shopper-page";
import type { Metrics } from "../../ops/metrics";
import { addressKey } from "../../token/token-rate-limiter";
import type { RequestState } from "../middleware/request-id";
import type { BrowserEntry } from "./legacy-routes";

function send(ctx: Context, reply: BrowserReply, what: string, metrics: Metrics, step: "entry" | "return"): void {
  metrics.hostedPages.inc({ step, outcome: reply.log.outcome });
  const state = ctx.state as RequestState;
  const a = reply.answer;
  // Results and pids are per shopper: never kept by a shared cache or shown to another page.
  ctx.set("Cache-Control", "no-store");
  ctx.set("Referrer-Policy", "no-referrer");
  ctx.set("X-Content-Type-Options", "nosniff");
  ctx.set("X-Frame-Options", "DENY");
  if (a.type === "redirect") {
    ctx.status = a.status;
    ctx.set("Location", a.location);
    ctx.body = "";
  } else {
    ctx.status = a.page.status;
    ctx.type = "text/html; charset=utf-8";
    ctx.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
    ctx.body = a.page.html;
  }
  const level = reply.log.outcome === "refused" || reply.log.outcome === "link_unknown" ? "warn" : "info";
  state.log[level]({ ...reply.log, status: ctx.status }, what);
}

function failed(ctx: Context, err: unknown, what: string, metrics: Metrics, step: "entry" | "return"): void {
  (ctx.state as RequestState).log.error({ err }, `${what} failed unexpectedly`);
  send(ctx, { answer: { type: "page", page: { ...shopperPage("rejected", { ec: undefined }), status: 500 } }, log: { outcome: "error" } }, what, metrics, step);
}

export function hostedEntry(deps: HostedDeps, metrics: Metrics): BrowserEntry {
  return {
    async enter(ctx, raw) {
      try {
        send(ctx, await enterHostedPayment(deps, raw, ctx.get("referer") || undefined, ctx.request.ip), "link-method entry", metrics, "entry");
      } catch (err) {
        failed(ctx, err, "link-method entry", metrics, "entry");
      }
    },
    refuse(ctx, f) {
      const log = { outcome: "refused", ec: f.ec, reason: `${f.key}: ${f.message}` };
      send(ctx, { answer: { type: "page", page: shopperPage("rejected", { ec: f.ec }) }, log }, "link-method entry", metrics, "entry");
    },
  };
}

export function hostedRoutes(deps: HostedDeps, metrics: Metrics): Router {
  const router = new Router();
  router.get(`${RETURN_PREFIX}/:pid/:sucd/:seal`, async (ctx) => {
    // The reload count and the failure hint only pace the processing page; nothing about the
    // payment is read from them.
    const n = Number.parseInt(typeof ctx.query["n"] === "string" ? ctx.query["n"] : "0", 10);
    const reloads = Number.isFinite(n) && n > 0 ? n : 0;
    const { pid = "", sucd = "", seal = "" } = ctx.params;
    if (!deps.returnsPerIp.take(addressKey(ctx.request.ip))) {
      return send(
        ctx,
        { answer: { type: "page", page: shopperPage("busy") }, log: { outcome: "refused", reason: "rate limit per client address" } },
        "link-method return",
        metrics,
        "return",
      );
    }
    try {
      const pace = { reloads, viaFailure: ctx.query["via"] === "failure" };
      send(ctx, await returnFromHostedPage(deps, pid, sucd, seal, pace), "link-method return", metrics, "return");
    } catch (err) {
      failed(ctx, err, "link-method return", metrics, "return");
    }
  });
  return router;
}
