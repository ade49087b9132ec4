/**
 * Subscriptions as a SandboxRoutePlugin: builds the SubscriptionService on the sandbox's own
 * state, clock, PaymentProcessor and webhook sender, mounts its routes, and stops its timers on
 * close. createSandbox registers it by default.
 */
import { SubscriptionService, type SubscriptionServiceOptions } from "../processing/subscription-service";
import type { SandboxRoutePlugin } from "./subscription-seam";
import { createSubscriptionRoutes } from "./subscription-routes";

export function createSubscriptionPlugin(options: SubscriptionServiceOptions = {}): SandboxRoutePlugin {
  let service: SubscriptionService | null = null;
  return {
    name: "subscriptions",
    createRoutes(deps) {
      service = new SubscriptionService({ ...deps, logger: deps.logger.child({ component: "subscriptions" }) }, options);
      return createSubscriptionRoutes(deps, service);
    },
    close() {
      service?.stop();
    },
  };
}
