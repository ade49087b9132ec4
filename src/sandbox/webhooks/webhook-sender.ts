/**
 * Delivers webhook events like UnivaPay's sender (§4.3–4.4): one delivery per (event, matching
 * active webhook), POSTed as JSON with `Authorization: <auth_token>` verbatim, retried on the
 * sandbox clock per retry-policy.ts, and every attempt logged. A webhook that is inactive when an
 * attempt falls due gets nothing (its pending retries are dropped).
 */
import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { SandboxClock } from "../clock";
import type { FaultInjector } from "../faults";
import { isoTime, newId } from "../ids";
import type { SandboxState } from "../state/sandbox-state";
import { judgeAttempt, MAX_ATTEMPTS, type AttemptResult } from "./retry-policy";
import type { WebhookPoster } from "./http-post";

export type AttemptOutcome = "delivered" | "retry_scheduled" | "disabled" | "gave_up" | "withheld" | "skipped_inactive";

export interface WebhookDeliveryAttempt {
  /** The payload's top-level `id`: constant across the retries of one delivery. */
  readonly deliveryId: string;
  readonly webhookId: string;
  readonly url: string;
  readonly event: string;
  readonly resourceId: string;
  readonly attempt: number;
  /** HTTP status received, null on timeout/network error or when nothing was sent. */
  readonly status: number | null;
  readonly error: string | null;
  readonly outcome: AttemptOutcome;
  readonly firedOn: string;
  readonly attemptedOn: string;
  readonly nextAttemptOn: string | null;
}

interface Delivery {
  readonly id: string;
  readonly webhookId: string;
  readonly event: string;
  readonly resourceId: string;
  readonly payload: string;
  readonly firedOn: string;
  attempt: number;
}

export interface WebhookSenderDeps {
  readonly state: SandboxState;
  readonly clock: SandboxClock;
  readonly faults: FaultInjector;
  readonly logger: Logger;
  readonly post: WebhookPoster;
}

export class WebhookSender {
  private readonly log: WebhookDeliveryAttempt[] = [];
  private readonly emitter = new EventEmitter();
  private stopped = false;

  constructor(private readonly deps: WebhookSenderDeps) {
    this.emitter.setMaxListeners(0);
  }

  /** Fans one event out to the store's active webhooks that subscribe to it. */
  emit(storeId: string, event: string, data: Record<string, unknown>): void {
    const now = this.deps.clock.now();
    const firedOn = isoTime(now);
    for (const hook of this.deps.state.webhooks.values()) {
      if (hook.storeId !== storeId || !hook.active || !hook.triggers.includes(event)) continue;
      const id = newId();
      const payload = JSON.stringify({ id, event, data, created_on: isoTime(this.deps.clock.now()), webhook_id: hook.id, successful: true, fired_on: firedOn });
      const d: Delivery = { id, webhookId: hook.id, event, resourceId: String(data["id"] ?? ""), payload, firedOn, attempt: 0 };
      const faults = this.deps.faults.webhooks();
      if (faults.withhold) {
        this.record(d, hook.url, null, "withheld by fault injection", "withheld", null);
        continue;
      }
      this.deps.clock.schedule(now + (faults.delayMs ?? 0), () => this.attempt(d));
    }
  }

  attempts(): readonly WebhookDeliveryAttempt[] {
    return this.log;
  }

  /** Called for every logged attempt (tests await these instead of sleeping). */
  onAttempt(listener: (a: WebhookDeliveryAttempt) => void): () => void {
    this.emitter.on("attempt", listener);
    return () => this.emitter.off("attempt", listener);
  }

  stop(): void {
    this.stopped = true;
  }

  private async attempt(d: Delivery): Promise<void> {
    if (this.stopped) return;
    const hook = this.deps.state.webhooks.get(d.webhookId);
    if (!hook) return;
    d.attempt += 1;
    if (!hook.active) {
      this.record(d, hook.url, null, "webhook inactive", "skipped_inactive", null);
      return;
    }
    const startedAt = this.deps.clock.now();
    const headers: Record<string, string> = { "Content-Type": "application/json", "User-Agent": "univapay-sandbox-webhook" };
    if (hook.authToken !== null) headers["Authorization"] = hook.authToken;
    const result = await this.deps.post(hook.url, headers, d.payload);
    if (this.stopped) return;
    const verdict = judgeAttempt(result, d.attempt);
    const status = result.kind === "status" ? result.status : null;
    const error = describe(result, hook.url);
    if (verdict.kind === "retry") {
      // Timed from the attempt's start so retries land on exact minute marks.
      const at = startedAt + verdict.delayMs;
      this.record(d, hook.url, status, error, "retry_scheduled", isoTime(at));
      this.deps.clock.schedule(at, () => this.attempt(d));
      return;
    }
    if (verdict.kind === "disable") {
      hook.active = false;
      hook.updatedAt = this.deps.clock.now();
      this.deps.state.changed(hook.id);
      this.deps.logger.warn({ webhookId: hook.id, attempt: d.attempt, status }, "webhook disabled after failed delivery");
    }
    const outcome = verdict.kind === "delivered" ? "delivered" : verdict.kind === "disable" ? "disabled" : "gave_up";
    this.record(d, hook.url, status, error, outcome, null);
  }

  private record(d: Delivery, url: string, status: number | null, error: string | null, outcome: AttemptOutcome, next: string | null): void {
    const entry: WebhookDeliveryAttempt = {
      deliveryId: d.id,
      webhookId: d.webhookId,
      url,
      event: d.event,
      resourceId: d.resourceId,
      attempt: d.attempt,
      status,
      error,
      outcome,
      firedOn: d.firedOn,
      attemptedOn: isoTime(this.deps.clock.now()),
      nextAttemptOn: next,
    };
    this.log.push(entry);
    this.deps.logger.info({ webhookId: d.webhookId, event: d.event, attempt: d.attempt, status, outcome }, "webhook attempt");
    this.emitter.emit("attempt", entry);
  }
}

function describe(r: AttemptResult, url: string): string | null {
  if (r.kind === "timeout") return `Request timeout to ${safeHost(url)} after 3 seconds`;
  if (r.kind === "network") return r.message;
  return r.status >= 200 && r.status < 300 ? null : `HTTP ${r.status}`;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export { MAX_ATTEMPTS };
