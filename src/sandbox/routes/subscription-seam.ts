/**
 * Seam for subscriptions (§2.5, §7). The scheduling engine lives in src/sandbox/subscriptions/
 * (another owner); it plugs its routes in through a SandboxRoutePlugin passed in
 * SandboxOptions.plugins, and charges cycles through PaymentProcessor.chargeForSubscription.
 * Until a plugin is registered, subscription paths answer 404 NOT_FOUND like any unknown path.
 */
import type { Router } from "@koa/router";
import type { RequestState, SandboxDeps } from "../http/context";

export interface SandboxRoutePlugin {
  readonly name: string;
  /** Routes are mounted after authentication, rate limiting and idempotency, like built-in ones. */
  createRoutes(deps: SandboxDeps): Router<RequestState>;
  /** Called by Sandbox.close(). */
  close?(): void;
}
