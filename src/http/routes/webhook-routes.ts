/**
 * POST /webhooks/univapay. UnivaPay disables a webhook that answers 3xx at once, and after its
 * retries one that answers 4xx, 500, 501 or 502; so a genuine delivery only ever gets 200 (stored,
 * or a duplicate) or 503 (we could not store it: retried, never disabled). A caller without the
 * right token is not UnivaPay and gets 401.
 */
import Router from "@koa/router";
import type { Context } from "koa";
import type { MerchantRegistry } from "../../config/merchants";
import type { Metrics } from "../../ops/metrics";
import type { Store } from "../../store/store-types";
import { createWebhookAuthenticator, ingestWebhook } from "../../webhooks/webhook-ingest";
import { jsonError } from "../middleware/json-errors";
import type { RequestState } from "../middleware/request-id";
import { readRawBody } from "../raw-body";

const MAX_WEBHOOK_BYTES = 512 * 1024; // UnivaPay bodies are ≤ 256 KB requests; leave room.

export function webhookRoutes(deps: {
  store: Store;
  merchants: MerchantRegistry;
  metrics: Metrics;
  now: () => Date;
  onStored: () => void;
  /** A genuine delivery for this merchant arrived: its payments may wait for webhooks. */
  onAuthenticated: (sid: string) => void;
}): Router {
  const router = new Router();
  const authenticate = createWebhookAuthenticator(deps.merchants);
  router.post("/webhooks/univapay", async (ctx: Context) => {
    const state = ctx.state as RequestState;
    const merchant = authenticate(ctx.get("authorization") || undefined);
    if (!merchant) {
      deps.metrics.webhookEvents.inc({ result: "unauthenticated" });
      state.log.warn({ ip: ctx.request.ip }, "webhook with unknown authorization refused");
      jsonError(ctx, 401, "webhook_unauthenticated", "unknown webhook token");
      return;
    }
    deps.onAuthenticated(merchant.sid);
    try {
      const body = await readRawBody(ctx.req, MAX_WEBHOOK_BYTES);
      if (!body.ok && body.reason === "gone") {
        ctx.respond = false; // UnivaPay hung up; it retries the delivery
        return;
      }
      if (!body.ok) throw new Error("webhook body too large");
      const r = await ingestWebhook(deps.store, merchant, body.bytes.toString("utf8"), deps.now());
      deps.metrics.webhookEvents.inc({ result: r.stored ? "stored" : "duplicate" });
      if (!r.parsed) state.log.warn({ sid: merchant.sid }, "webhook body not understood, stored for inspection");
      if (r.stored) deps.onStored();
      ctx.status = 200;
      ctx.body = { ok: true, duplicate: !r.stored };
    } catch (err) {
      deps.metrics.webhookEvents.inc({ result: "unavailable" });
      state.log.error({ err, sid: merchant.sid }, "webhook could not be stored, answered 503 so UnivaPay retries");
      jsonError(ctx, 503, "unavailable", "try again");
    }
  });
  return router;
}
