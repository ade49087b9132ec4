/**
 * Where payments fall. Cycle dates form a grid anchored at `cycleOrigin`; a payment sits on
 * a grid slot, and retries / manual dates move only its run date, never the grid, so a
 * successful retry returns to the original cycle (6/1 fail, 6/21 retry ok → 7/1, `:10681-10693`).
 */
import { addCycles, addDuration, durationDays, parseIsoDuration } from "./billing-cycle";
import { addDays, compareCivil, maxCivil, type CivilDate } from "./civil-date";
import { zonedInstantOf } from "./zoned-time";
import type { ScheduledPayment, SubscriptionState } from "./subscription-types";

/** Date of grid slot `slot`; slot 0 is the first charge, slot 1 the second (start_on). */
export function gridDate(sub: SubscriptionState, slot: number): CivilDate {
  if (sub.cycleOrigin === null) throw new Error(`subscription ${sub.id} has no cycle origin yet`);
  return addCycles(sub.cycleOrigin, sub.cycle, slot - sub.originSlot, sub.scheduleSettings.preserveEndOfMonth === true);
}

/**
 * The smallest slot ≥ `minSlot` whose date is after `date` (or on it, when `inclusive`).
 * Linear search is fine: even a daily plan only walks the days since the last payment.
 */
export function firstSlotFrom(sub: SubscriptionState, minSlot: number, date: CivilDate, inclusive: boolean): number {
  let slot = Math.max(minSlot, sub.originSlot);
  for (;;) {
    const c = compareCivil(gridDate(sub, slot), date);
    if (c > 0 || (inclusive && c === 0)) return slot;
    slot += 1;
  }
}

/** The unpaid payment the subscription is working on, if any. */
export function nextPaymentOf(sub: SubscriptionState): ScheduledPayment | null {
  const last = sub.payments[sub.payments.length - 1];
  return last && !last.isPaid ? last : null;
}

/** The last paid payment, if any. */
export function lastPaidPaymentOf(sub: SubscriptionState): ScheduledPayment | null {
  for (let i = sub.payments.length - 1; i >= 0; i -= 1) {
    const p = sub.payments[i];
    if (p?.isPaid) return p;
  }
  return null;
}

/** While waiting for a retry the run date is the later of the retry date and the (manual) due date (`:10697-10703`). */
export function runDateOf(payment: ScheduledPayment): CivilDate {
  return payment.retryDate === null ? payment.dueDate : maxCivil(payment.retryDate, payment.dueDate);
}

/** The instant a scheduled payment runs: its run date at 07:00 (or 09:00) in zone_id. */
export function runAtOf(sub: SubscriptionState, payment: ScheduledPayment): Date {
  return zonedInstantOf(runDateOf(payment), sub.runHour, sub.scheduleSettings.zoneId);
}

/**
 * Retry interval in effect: `schedule_settings.retry_interval`, else cycle days ÷ retry count
 * rounded down with a month counted as 30 days (`:209-213`). A one-day floor keeps daily
 * plans from retrying on the day that just failed [INFERRED].
 */
export function retryDateAfter(sub: SubscriptionState, failureDate: CivilDate): CivilDate {
  const explicit = sub.scheduleSettings.retryInterval === null ? null : parseIsoDuration(sub.scheduleSettings.retryInterval);
  if (explicit) return addDuration(failureDate, explicit);
  return addDays(failureDate, defaultRetryIntervalDays(durationDays(sub.cycle), sub.retryCount));
}

export function defaultRetryIntervalDays(cycleDays: number, retryCount: number): number {
  return Math.max(1, Math.floor(cycleDays / retryCount));
}

/** Returns a copy of `sub` with its last payment replaced. */
export function withLastPayment(sub: SubscriptionState, update: (p: ScheduledPayment) => ScheduledPayment): SubscriptionState {
  const last = sub.payments[sub.payments.length - 1];
  if (!last) return sub;
  return { ...sub, payments: [...sub.payments.slice(0, -1), update(last)] };
}
