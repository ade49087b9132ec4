/**
 * The old gw.ccps.jp paths. GET (query string) and POST (form body, plus any query string) are
 * both accepted. Every answer is HTTP 200 with a legacy body, business failures included, as the
 * old gateway did; refusals log one WARN line with the reason, never a stack trace.
 */
import Router from "@koa/router";
import type { Context } from "koa";
import { legacyFailure, type LegacyFailure } from "../../mapping";
import { handleLegacyRequest, refuseLegacyRequest, type LegacyReply } from "../../payments/handle-legacy-request";
import type { LegacyEndpoint } from "../../transitions/legacy-request";
import type { PaymentDeps } from "../../transitions/payment-deps";
import type { Metrics } from "../../ops/metrics";
import type { RequestState } from "../middleware/request-id";
import { isFormContentType, rawQuery, readRawBody } from "../raw-body";
import { peekAsciiParam, readLegacyForm } from "../../legacy/legacy-form";

export const LEGACY_PATHS = [
  ["/memberpay.aspx", "memberpay"],
  ["/payment.aspx", "payment"],
] as const;

/** Whether a request target is one of the legacy paths (case-insensitive, as on the old IIS host). */
export function isLegacyPath(target: string): boolean {
  const path = (target.split("?")[0] ?? "").toLowerCase();
  return LEGACY_PATHS.some(([p]) => p === path);
}

/**
 * Whether a legacy request comes from a shopper's browser (the link method): its ptype is one of
 * operations.yaml's browser rows, and no server row takes its job with that ptype (a SALES sent
 * with ptype=8 is still the shop's server). A browser job without a row (Alipay's REQUEST) stays
 * a browser request, so the shopper gets a page, not a legacy body.
 */
export function isBrowserRequest(deps: Pick<PaymentDeps, "table">, endpoint: LegacyEndpoint, raw: Buffer): boolean {
  const ops = deps.table.operations;
  if (ops.browserPtypes[endpoint].size === 0) return false;
  const split = readLegacyForm(raw);
  const ptype = peekAsciiParam(split, "ptype");
  if (ptype === undefined || !ops.browserPtypes[endpoint].has(ptype)) return false;
  const job = peekAsciiParam(split, "job")?.toUpperCase();
  return !ops.rows.some((r) => r.endpoint === endpoint && r.channel === "server" && r.job === job && (r.ptype === undefined || r.ptype === ptype));
}

/** Answers browser requests (src/http/routes/hosted-routes.ts): in full, or refused before their
 *  body could be read (too large, not a form) with a shopper page instead of a legacy body. */
export interface BrowserEntry {
  enter(ctx: Context, raw: Buffer): Promise<void>;
  refuse(ctx: Context, failure: LegacyFailure): void;
}

export function legacyRoutes(deps: PaymentDeps, metrics: Metrics, opts: { maxBytes: number; browserEntry: BrowserEntry }): Router {
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
    let reply: LegacyReply | "gone";
    try {
      const read = await readRequest(deps, ctx, opts.maxBytes);
      if (Buffer.isBuffer(read) && isBrowserRequest(deps, endpoint, read)) return await opts.browserEntry.enter(ctx, read);
      const refused = read !== "gone" && !Buffer.isBuffer(read) ? read.failures?.[0] : undefined;
      if (refused && isBrowserRequest(deps, endpoint, rawQuery(ctx.req.url))) return opts.browserEntry.refuse(ctx, refused);
      reply = Buffer.isBuffer(read) ? await handleLegacyRequest(deps, endpoint, read, ctx.request.ip) : read;
    } catch (err) {
      // A bug, not a business failure: still a legacy answer, never a stack trace or a 500.
      state.log.error({ err, endpoint }, "legacy request failed unexpectedly");
      reply = refuseLegacyRequest(deps, legacyFailure(deps.table, "internal", "internal error"));
    }
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (reply === "gone") {
      // The client closed before its body arrived: nobody to answer, nothing was started.
      state.log.debug({ endpoint, durationMs }, "client went away before the request was complete");
      ctx.respond = false;
      return;
    }
    const r = reply.result;
    if (reply.failures) {
      const f = reply.failures;
      state.log.warn(
        {
          endpoint,
          sid: reply.sid,
          pid: r.pid,
          job: r.job,
          rst: deps.table.layout.rst[r.outcome],
          ec: r.ec,
          durationMs,
          reasons: f.map((x) => ({ key: x.key, field: x.field, message: x.message })),
        },
        "legacy request refused",
      );
    } else {
      state.log.info(
        { endpoint, sid: reply.sid, pid: r.pid, job: r.job, rst: deps.table.layout.rst[r.outcome], ec: r.ec, durationMs },
        "legacy request answered",
      );
    }
    ctx.status = 200;
    ctx.type = `text/plain; charset=${reply.charset}`;
    ctx.body = reply.body;
    metrics.legacyRequests.inc({ endpoint, rst: deps.table.layout.rst[reply.result.outcome] });
    metrics.legacyDuration.observe({ endpoint }, durationMs / 1000);
  };
  for (const [path, endpoint] of LEGACY_PATHS) {
    router.get(path, handler(endpoint));
    router.post(path, handler(endpoint));
  }
  return router;
}

/** The request's bytes (query string, and form body for POST), or the answer refusing it. */
async function readRequest(deps: PaymentDeps, ctx: Context, maxBytes: number): Promise<Buffer | LegacyReply | "gone"> {
  const query = rawQuery(ctx.req.url);
  let raw = query;
  if (ctx.method === "POST") {
    const type = ctx.get("content-type");
    if (!isFormContentType(type)) {
      ctx.set("Connection", "close");
      return refuseLegacyRequest(deps, legacyFailure(deps.table, "content_type_unsupported", `Content-Type ${type.slice(0, 80)} is not a form`));
    }
    const body = await readRawBody(ctx.req, maxBytes);
    if (!body.ok && body.reason === "gone") return "gone";
    if (!body.ok) {
      ctx.set("Connection", "close");
      return refuseLegacyRequest(deps, legacyFailure(deps.table, "request_too_large", `body larger than ${maxBytes} bytes`));
    }
    // ASP.NET's Request[] merged the query string and the form; body fields come first here.
    raw = query.length === 0 ? body.bytes : body.bytes.length === 0 ? query : Buffer.concat([body.bytes, Buffer.from("&"), query]);
  }
  if (raw.length > maxBytes) return refuseLegacyRequest(deps, legacyFailure(deps.table, "request_too_large", `request larger than ${maxBytes} bytes`));
  return raw;
}
