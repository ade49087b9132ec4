/**
 * Types shared by the sandbox's HTTP layer: the dependencies every router receives and the
 * per-request Koa state (parsed body, authenticated store).
 */
import type { EventEmitter } from "node:events";
import type { ParameterizedContext } from "koa";
import type { Logger } from "pino";
import type { AuthContext } from "../auth/credentials";
import type { SandboxClock } from "../clock";
import type { FaultInjector } from "../faults";
import type { IdempotencyStore } from "../idempotency";
import type { PaymentProcessor } from "../processing/payment-processor";
import type { TokenService } from "../processing/token-service";
import type { RateLimiter } from "../rate-limit";
import type { SandboxState } from "../state/sandbox-state";
import type { WebhookSender } from "../webhooks/webhook-sender";

export interface SandboxDeps {
  readonly state: SandboxState;
  readonly clock: SandboxClock;
  readonly logger: Logger;
  readonly jwtKey: Buffer;
  readonly payments: PaymentProcessor;
  readonly tokens: TokenService;
  readonly sender: WebhookSender;
  readonly faults: FaultInjector;
  readonly idempotency: IdempotencyStore;
  /** Null when rate limiting is off (benchmarks). */
  readonly rateLimiter: RateLimiter | null;
  /** Aborted by close(), so held long polls return at once. */
  readonly shutdown: AbortSignal;
  /** Emits "held" (resource id) when a ?polling=true request starts waiting. */
  readonly pollEvents: EventEmitter;
  /** A made-up platform id shown on webhook objects. */
  readonly platformId: string;
}

export interface RequestState {
  body?: Record<string, unknown>;
  auth?: AuthContext;
}

export type SandboxContext = ParameterizedContext<RequestState> & { params: Record<string, string> };

/** The authenticated store of the request; the auth middleware guarantees it on API routes. */
export function authOf(ctx: { state: RequestState }): AuthContext {
  const a = ctx.state.auth;
  if (!a) throw new Error("auth middleware did not run");
  return a;
}
