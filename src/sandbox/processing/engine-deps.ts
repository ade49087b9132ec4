/**
 * What the processing services share: state, clock, the webhook sender and the timing/limit
 * options of SandboxOptions. Kept in one type so services stay constructor-injected and testable.
 */
import type { Logger } from "pino";
import type { SandboxClock } from "../clock";
import type { SandboxState } from "../state/sandbox-state";
import type { WebhookSender } from "../webhooks/webhook-sender";
import type { CardLockScope } from "./card-lock";

export interface EngineOptions {
  /** Sandbox ms from create/capture/cancel/refund to its final state; 0 = right after the response. */
  readonly settleDelayMs: number;
  readonly chargeTooQuick: "live-only" | "always" | "off";
  /** How the 30-s duplicate rule shows: 400 CHARGE_TOO_QUICK, or a charge that fails with error 311. */
  readonly duplicateChargeAs: "error" | "failed-311";
  /** Test-mode charges per store per (JST) day; null = unlimited. */
  readonly testChargeDailyLimit: number | null;
  /** Where the §1.5 card lock applies (default "always": the doc names no mode). */
  readonly cardLock: CardLockScope;
  /** Test-mode recurring tokens are removed one month after creation (§6; default true). */
  readonly testRecurringTokenExpiry: boolean;
}

export interface EngineDeps {
  readonly state: SandboxState;
  readonly clock: SandboxClock;
  readonly sender: WebhookSender;
  readonly logger: Logger;
  readonly options: EngineOptions;
}
