/**
 * Subscriptions as a SandboxRoutePlugin: builds the SubscriptionService on the sandbox's own
 * state, clock, PaymentProcessor and webhook sender, mounts its routes, guards DELETE of recurring
 * tokens its subscriptions still use, re-arms loaded subscriptions after a restart, and stops its
 * timers on close. createSandbox registers it by default.
 */
import { badRequest } from "../errors";
import { SubscriptionService, type SubscriptionServiceOptions } from "../processing/subscription-service";
import type { SandboxRoutePlugin } from "./subscription-seam";
import { createSubscriptionRoutes } from "./subscription-routes";

export function createSubscriptionPlugin(options: SubscriptionServiceOptions = {}): SandboxRoutePlugin {
  let service: SubscriptionService | null = null;
  return {
    name: "subscriptions",
    createRoutes(deps) {
      const created = new SubscriptionService({ ...deps, logger: deps.logger.child({ component: "subscriptions" }) }, options);
      service = created;
      // Subscription tokens stay deletable: the doc's DELETE says linked subscriptions stop working.
      deps.tokens.addDeleteGuard((t) => (t.type === "recurring" && created.isTokenInUse(t.id) ? badRequest("ONGOING_SUBSCRIPTIONS_EXIST_FOR_TOKEN") : null));
      return createSubscriptionRoutes(deps, created);
    },
    resumeAfterLoad() {
      service?.resumeAfterLoad();
    },
    close() {
      service?.stop();
    },
  };
}
