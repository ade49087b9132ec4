/**
 * Seam for extra API routes. Subscriptions (§2.5, §7) use it: the pure engine in
 * src/sandbox/subscriptions/ is wired by routes/subscription-plugin.ts, which createSandbox
 * registers by default (SandboxOptions.subscriptions), and charges cycles through
 * PaymentProcessor.chargeForSubscription. Other plugins go in SandboxOptions.plugins.
 */
import type { Router } from "@koa/router";
import type { RequestState, SandboxDeps } from "../http/context";

export interface SandboxRoutePlugin {
  readonly name: string;
  /** Routes are mounted after authentication, rate limiting and idempotency, like built-in ones. */
  createRoutes(deps: SandboxDeps): Router<RequestState>;
  /**
   * Called once after createRoutes when the sandbox was loaded from a state file, before it serves
   * requests: re-arm the timers and listeners the plugin's loaded state was waiting for.
   */
  resumeAfterLoad?(): void;
  /** Called by Sandbox.close(). */
  close?(): void;
}
