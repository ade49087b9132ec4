/**
 * The operator listener's own routes: /readyz with every detail, and /metrics in the Prometheus
 * text format. Served on ADMIN_HOST:ADMIN_PORT only, never next to the merchants' traffic.
 */
import Router from "@koa/router";
import type { Metrics } from "../../ops/metrics";
import { checkReadiness, type ReadinessDeps } from "../../ops/readiness";
import type { Store } from "../../store/store-types";

export function adminRoutes(deps: ReadinessDeps & { store: Pick<Store, "ping" | "queueDepths">; metrics: Metrics; now: () => Date }): Router {
  const router = new Router();
  router.get("/healthz", (ctx) => {
    ctx.body = { status: "ok" };
  });
  router.get("/readyz", async (ctx) => {
    const r = await checkReadiness(deps);
    ctx.status = r.ready ? 200 : 503;
    ctx.body = { status: r.ready ? "ready" : "not_ready", checks: r.checks };
  });
  router.get("/metrics", async (ctx) => {
    try {
      const d = await deps.store.queueDepths(deps.now());
      deps.metrics.queueDepth.set({ queue: "kickbacks_pending" }, d.kickbacksPending);
      deps.metrics.queueDepth.set({ queue: "kickbacks_dead" }, d.kickbacksDead);
      // Answered failure while UnivaPay's outcome was unknown, not yet voided/refunded or proven.
      deps.metrics.queueDepth.set({ queue: "reversals_pending" }, d.reversalsPending);
      deps.metrics.queueDepth.set({ queue: "webhooks_pending" }, d.webhooksPending);
    } catch {
      // The depth gauges keep their last value; the scrape must still succeed.
    }
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  return router;
}
