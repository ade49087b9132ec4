/**
 * Builds the Koa application: middleware order and routers only. Legacy routes render their own
 * errors in the legacy protocol; everything else renders JSON errors.
 */
import Koa from "koa";
import type { Logger } from "../logging/logger";
import type { Metrics } from "../ops/metrics";
import type { PaymentDeps } from "../payments/payment-deps";
import { jsonErrors } from "./middleware/json-errors";
import { requestId } from "./middleware/request-id";
import { demoRoutes, type DemoReceiver } from "./routes/demo-routes";
import { healthRoutes } from "./routes/health-routes";
import { legacyRoutes } from "./routes/legacy-routes";
import { webhookRoutes } from "./routes/webhook-routes";

export interface AppOptions {
  readonly deps: PaymentDeps;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly maxLegacyBytes: number;
  readonly trustProxy: boolean;
  readonly onWebhookStored: () => void;
  readonly demoReceiver?: DemoReceiver;
}

export function createApp(opts: AppOptions): Koa {
  const app = new Koa({ proxy: opts.trustProxy });
  const { deps } = opts;
  app.silent = true; // errors are logged by our own middleware, with the request id
  app.use(requestId(opts.logger));
  app.use(jsonErrors());
  const routers = [
    legacyRoutes(deps, opts.metrics, { maxBytes: opts.maxLegacyBytes }),
    webhookRoutes({ store: deps.store, merchants: deps.merchants, metrics: opts.metrics, now: deps.now, onStored: opts.onWebhookStored }),
    healthRoutes({ store: deps.store, client: deps.client, metrics: opts.metrics, now: deps.now }),
    ...(opts.demoReceiver ? [demoRoutes(opts.demoReceiver)] : []),
  ];
  for (const r of routers) app.use(r.routes()).use(r.allowedMethods());
  return app;
}
