/**
 * /healthz: the process answers. /readyz: the database and UnivaPay both answer (a load balancer
 * should stop sending legacy requests we cannot serve). /metrics: Prometheus text format.
 */
import Router from "@koa/router";
import type { Metrics } from "../../ops/metrics";
import type { Store } from "../../store/store-types";
import type { UnivapayClient } from "../../univapay/univapay-client";

export function healthRoutes(deps: { store: Store; client: UnivapayClient; metrics: Metrics; now: () => Date }): Router {
  const router = new Router();
  router.get("/healthz", (ctx) => {
    ctx.body = { status: "ok" };
  });
  router.get("/readyz", async (ctx) => {
    const check = async (f: () => Promise<void>) => {
      try {
        await f();
        return "ok";
      } catch (err) {
        return `unavailable: ${err instanceof Error ? err.message : String(err)}`;
      }
    };
    const [database, univapay] = await Promise.all([check(() => deps.store.ping()), check(() => deps.client.heartbeat())]);
    const ready = database === "ok" && univapay === "ok";
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? "ready" : "not_ready", checks: { database, univapay } };
  });
  router.get("/metrics", async (ctx) => {
    try {
      const d = await deps.store.queueDepths(deps.now());
      deps.metrics.queueDepth.set({ queue: "kickbacks_pending" }, d.kickbacksPending);
      deps.metrics.queueDepth.set({ queue: "kickbacks_dead" }, d.kickbacksDead);
      deps.metrics.queueDepth.set({ queue: "webhooks_pending" }, d.webhooksPending);
    } catch {
      // The depth gauges keep their last value; the scrape must still succeed.
    }
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  return router;
}
