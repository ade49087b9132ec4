/**
 * Test harness: drives the pure engine the way the sandbox server and clock will, so tests
 * read as timelines ("6/1 fails, 6/11 fails, 6/21 succeeds"). Times are explicit; nothing
 * reads the wall clock.
 */
import {
  advanceSubscription,
  applyChargeResult,
  createSubscription,
  nextWakeAt,
  toApiObject,
  type ChargeResult,
  type EngineAction,
  type SubscriptionEvent,
  type SubscriptionState,
} from "../../../src/sandbox/subscriptions";

export const SUB_ID = "11ef335e-9aa5-c54a-8313-7f9847da313a";
export const STORE_ID = "11edf541-c42d-653c-8c3d-dfe0a55f95c0";
export const TOKEN_ID = "11ef32a7-3a71-8662-803f-1bc27702eeec";

/** A Tokyo wall-clock time as an instant. */
export function tokyo(date: string, time = "10:00"): Date {
  return new Date(`${date}T${time}:00+09:00`);
}

export function body(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { transaction_token_id: TOKEN_ID, amount: 1000, currency: "JPY", period: "monthly", ...extra };
}

export function create(input: Record<string, unknown>, now: Date, retryCount?: number): { sub: SubscriptionState; actions: EngineAction[] } {
  const r = createSubscription(input, { id: SUB_ID, storeId: STORE_ID, mode: "test", now, ...(retryCount !== undefined && { retryCount }) });
  if (!r.ok) throw new Error(`create failed: ${JSON.stringify(r.errors)}`);
  return { sub: r.sub, actions: r.actions };
}

/** Creates and settles the first charge at creation time. */
export function createActive(input: Record<string, unknown>, now: Date, retryCount?: number): SubscriptionState {
  const { sub, actions } = create(input, now, retryCount);
  const first = actions[0];
  if (!first) throw new Error("no first action");
  return applyChargeResult(sub, first.paymentId, "successful", now).sub;
}

export interface RunLog {
  readonly runAt: string;
  readonly tokyoDate: string;
  readonly result: ChargeResult | "terminated";
  readonly statusAfter: string;
  readonly events: string[];
}

/**
 * Runs the clock: at each wake time up to `until`, advances and settles the charge with the
 * result `outcome` picks. Returns the final state and a log of what ran when.
 */
export function runUntil(
  start: SubscriptionState,
  until: Date,
  outcome: (tokyoDate: string) => ChargeResult,
): { sub: SubscriptionState; log: RunLog[]; events: SubscriptionEvent[] } {
  let sub = start;
  const log: RunLog[] = [];
  const all: SubscriptionEvent[] = [];
  for (let guard = 0; guard < 5000; guard += 1) {
    const wake = nextWakeAt(sub);
    if (!wake || wake.getTime() > until.getTime()) break;
    const adv = advanceSubscription(sub, wake);
    sub = adv.sub;
    all.push(...adv.events);
    const tokyoDate = toTokyoDate(wake);
    const action = adv.actions[0];
    if (!action) {
      log.push({ runAt: wake.toISOString(), tokyoDate, result: "terminated", statusAfter: sub.status, events: adv.events.map((e) => e.event) });
      continue;
    }
    const result = outcome(tokyoDate);
    const out = applyChargeResult(sub, action.paymentId, result, wake);
    sub = out.sub;
    all.push(...out.events);
    log.push({ runAt: wake.toISOString(), tokyoDate, result, statusAfter: sub.status, events: out.events.map((e) => e.event) });
  }
  return { sub, log, events: all };
}

export function toTokyoDate(d: Date): string {
  return new Date(d.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
}

export function nextDue(sub: SubscriptionState): unknown {
  const np = toApiObject(sub)["next_payment"] as Record<string, unknown> | null;
  return np === null ? null : np["due_date"];
}

export function nextRetry(sub: SubscriptionState): unknown {
  const np = toApiObject(sub)["next_payment"] as Record<string, unknown> | null;
  return np === null ? null : np["retry_date"];
}
