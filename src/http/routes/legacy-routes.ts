/**
 * The old gw.ccps.jp paths. GET (query string) and POST (form body, plus any query string) are
 * both accepted. Every answer is HTTP 200 with a legacy body, business failures included, as the
 * old gateway did; refusals log one WARN line with the reason, never a stack trace.
 */
import Router from "@koa/router";
import type { Context } from "koa";
import { failure } from "../../payments/legacy-request";
import { handleLegacyRequest, refuseLegacyRequest, type LegacyReply } from "../../payments/handle-legacy-request";
import type { LegacyEndpoint } from "../../payments/legacy-request";
import type { PaymentDeps } from "../../payments/payment-deps";
import type { Metrics } from "../../ops/metrics";
import type { RequestState } from "../middleware/request-id";
import { rawQuery, readRawBody } from "../raw-body";

const RST = { success: "1", failure: "2", pending: "0" } as const;

export function legacyRoutes(deps: PaymentDeps, metrics: Metrics, opts: { maxBytes: number }): Router {
  const router = new Router();
  const handler = (endpoint: LegacyEndpoint) => async (ctx: Context) => {
    if (ctx.method === "HEAD") {
      // The router answers HEAD with the GET handler; a link checker must never start a payment.
      ctx.status = 405;
      ctx.set("Allow", "GET, POST");
      return;
    }
    const state = ctx.state as RequestState;
    const started = process.hrtime.bigint();
    let reply: LegacyReply;
    try {
      reply = await answer(deps, endpoint, ctx, opts.maxBytes);
    } catch (err) {
      // A bug, not a business failure: still a legacy answer, never a stack trace or a 500.
      state.log.error({ err, endpoint }, "legacy request failed unexpectedly");
      reply = refuseLegacyRequest(deps, failure(deps.table, "internal", "internal error"));
    }
    if (reply.failures) {
      const f = reply.failures;
      state.log.warn({ endpoint, sid: reply.sid, ec: reply.result.ec, reasons: f.map((x) => ({ key: x.key, field: x.field, message: x.message })) }, "legacy request refused");
    } else {
      state.log.info({ endpoint, sid: reply.sid, pid: reply.result.pid, job: reply.result.job, rst: RST[reply.result.outcome] }, "legacy request answered");
    }
    ctx.status = 200;
    ctx.type = `text/plain; charset=${reply.charset}`;
    ctx.body = reply.body;
    metrics.legacyRequests.inc({ endpoint, rst: RST[reply.result.outcome] });
    metrics.legacyDuration.observe({ endpoint }, Number(process.hrtime.bigint() - started) / 1e9);
  };
  for (const [path, endpoint] of [["/memberpay.aspx", "memberpay"], ["/payment.aspx", "payment"]] as const) {
    router.get(path, handler(endpoint));
    router.post(path, handler(endpoint));
  }
  return router;
}

async function answer(deps: PaymentDeps, endpoint: LegacyEndpoint, ctx: Context, maxBytes: number): Promise<LegacyReply> {
  const query = rawQuery(ctx.req.url);
  let raw = query;
  if (ctx.method === "POST") {
    const body = await readRawBody(ctx.req, maxBytes);
    if (!body.ok) {
      ctx.set("Connection", "close");
      return refuseLegacyRequest(deps, failure(deps.table, "request_too_large", `body larger than ${maxBytes} bytes`));
    }
    // ASP.NET's Request[] merged the query string and the form; body fields come first here.
    raw = query.length === 0 ? body.bytes : body.bytes.length === 0 ? query : Buffer.concat([body.bytes, Buffer.from("&"), query]);
  }
  if (raw.length > maxBytes) return refuseLegacyRequest(deps, failure(deps.table, "request_too_large", `request larger than ${maxBytes} bytes`));
  return handleLegacyRequest(deps, endpoint, raw, ctx.request.ip);
}
