/**
 * Builds the two Koa applications: the merchants' app (legacy paths, UnivaPay webhooks, health)
 * and the operator app (metrics, detailed readiness, the demo receiver), which listens elsewhere.
 * Middleware order and routers only. Legacy routes render their own errors in the legacy
 * protocol; everything else renders JSON errors.
 */
import Koa from "koa";
import type { Logger } from "../logging/logger";
import type { Metrics } from "../ops/metrics";
import type { PaymentDeps } from "../transitions/payment-deps";
import { adminAuth } from "./middleware/admin-auth";
import { jsonErrors } from "./middleware/json-errors";
import { requestId } from "./middleware/request-id";
import { adminRoutes } from "./routes/admin-routes";
import { demoRoutes, type DemoReceiver } from "./routes/demo-routes";
import { healthRoutes } from "./routes/health-routes";
import { hostedEntry, hostedRoutes } from "./routes/hosted-routes";
import type { HostedDeps } from "../hosted/hosted-deps";
import { legacyRoutes } from "./routes/legacy-routes";
import { tokenRoutes, type TokenRouteDeps } from "./routes/token-routes";
import { webhookRoutes } from "./routes/webhook-routes";

export interface AppOptions {
  readonly deps: PaymentDeps;
  /** The link method: where UnivaPay's forms are and the gateway's public address. */
  readonly hosted: Pick<HostedDeps, "checkoutUrl" | "publicUrl" | "perIp" | "perSid" | "returnsPerIp">;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly maxLegacyBytes: number;
  readonly trustProxy: boolean;
  readonly token: TokenRouteDeps;
  readonly onWebhookStored: () => void;
  /** A genuine delivery for this merchant arrived. */
  readonly onWebhookAuthenticated: (sid: string) => void;
}

function base(logger: Logger, proxy: boolean): Koa {
  const app = new Koa({ proxy });
  app.silent = true; // errors are logged by our own middleware, with the request id
  app.use(requestId(logger));
  app.use(jsonErrors());
  return app;
}

export function createApp(opts: AppOptions): Koa {
  const { deps } = opts;
  const hosted: HostedDeps = { ...deps, ...opts.hosted };
  const app = base(opts.logger, opts.trustProxy);
  const routers = [
    legacyRoutes(deps, opts.metrics, { maxBytes: opts.maxLegacyBytes, browserEntry: hostedEntry(hosted, opts.metrics) }),
    hostedRoutes(hosted, opts.metrics),
    webhookRoutes({
      store: deps.store,
      merchants: deps.merchants,
      metrics: opts.metrics,
      now: deps.now,
      onStored: opts.onWebhookStored,
      onAuthenticated: opts.onWebhookAuthenticated,
    }),
    healthRoutes({ store: deps.store, client: deps.client, merchants: deps.merchants }),
    tokenRoutes(opts.token),
  ];
  for (const r of routers) app.use(r.routes()).use(r.allowedMethods());
  return app;
}

export interface AdminAppOptions {
  readonly deps: Pick<PaymentDeps, "store" | "client" | "merchants" | "now">;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Bearer token; undefined only on a loopback listener (checked by the configuration). */
  readonly token: string | undefined;
  readonly demoReceiver?: DemoReceiver;
}

export function createAdminApp(opts: AdminAppOptions): Koa {
  const app = base(opts.logger, false);
  // The demo receiver stands in for a merchant site: our own dispatcher calls it without a token.
  app.use(adminAuth(opts.token, opts.demoReceiver ? ["/demo/kickback"] : []));
  const routers = [adminRoutes({ ...opts.deps, metrics: opts.metrics }), ...(opts.demoReceiver ? [demoRoutes(opts.demoReceiver)] : [])];
  for (const r of routers) app.use(r.routes()).use(r.allowedMethods());
  return app;
}
