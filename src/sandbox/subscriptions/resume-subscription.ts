/**
 * Resume rules of §7 (`:10751-10803`), applied when a `suspended` subscription is PATCHed
 * back to `unpaid`/`current`:
 * - next payment date in the future → charge on it;
 * - it is today → charge at once, unless a charge already ran today;
 * - it is past → no immediate charge; move to the nearest cycle date from today on, so
 *   missed cycles are skipped. Fixed-count plans keep their payment numbers, so unpaid
 *   cycles end up appended after the original last date (8/1 plan paused 8/15, resumed
 *   10/2 → 11/1, 12/1, 1/1, 2/1);
 * - a date set manually while the last charge had failed follows the retry rule (later of
 *   failure + interval and that date); otherwise no retry date is kept (`:10705`).
 * The retry counter restarts and the status becomes `unpaid` (リトライ待ち, `:7342`).
 */
import { compareCivil, maxCivil, type CivilDate } from "./civil-date";
import { firstSlotFrom, gridDate, lastPaidPaymentOf, nextPaymentOf, retryDateAfter, withLastPayment } from "./payment-schedule";
import type { ScheduledPayment, SubscriptionState } from "./subscription-types";
import { zonedDateOf } from "./zoned-time";

export function resumeSubscription(sub: SubscriptionState, now: Date): SubscriptionState {
  const at = now.toISOString();
  const zone = sub.scheduleSettings.zoneId;
  const today = zonedDateOf(now, zone);
  const resumed: SubscriptionState = { ...sub, status: "unpaid", failedAttempts: 0, pendingTermination: null, updatedOn: at };
  const payment = nextPaymentOf(sub);
  if (!payment) return resumed;

  const chargedToday = sub.payments.some((p) => p.attempts.some((a) => zonedDateOf(new Date(a.at), zone) === today));
  const lastAttempt = payment.attempts[payment.attempts.length - 1];
  if (payment.dueDateSetManually && lastAttempt?.result === "failed") {
    const retryDate = retryDateAfter(sub, zonedDateOf(new Date(lastAttempt.at), zone));
    if (isStillAhead(maxCivil(retryDate, payment.dueDate), today, chargedToday)) {
      return withLastPayment(resumed, (p) => ({ ...p, retryDate, updatedOn: at }));
    }
  }
  if (isStillAhead(payment.dueDate, today, chargedToday)) {
    return withLastPayment(resumed, (p) => ({ ...p, retryDate: null, updatedOn: at }));
  }
  const minSlot = (lastPaidPaymentOf(sub)?.slot ?? 0) + 1;
  const slot = firstSlotFrom(sub, minSlot, today, !chargedToday);
  const moved: ScheduledPayment = { ...payment, slot, dueDate: gridDate(sub, slot), dueDateSetManually: false, retryDate: null, updatedOn: at };
  return withLastPayment(resumed, () => moved);
}

/** A date still to come, or today when nothing was charged today (the "same day" rule). */
function isStillAhead(date: CivilDate, today: CivilDate, chargedToday: boolean): boolean {
  const c = compareCivil(date, today);
  return c > 0 || (c === 0 && !chargedToday);
}
