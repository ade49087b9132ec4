/**
 * Applies the outcome of a charge the engine asked for: success moves the subscription on to
 * the next cycle (or completes a fixed plan), failure of the first charge makes it
 * `unconfirmed`, later failures wait for a retry (`unpaid`) until the store's retry count,
 * which includes the first attempt, is used up and it is suspended at once (`:10672-10693`).
 */
import { derivePaymentId } from "./payment-id";
import { firstSlotFrom, gridDate, nextPaymentOf, retryDateAfter, withLastPayment } from "./payment-schedule";
import { isLastPaymentIndex, paymentAmount } from "./plan-amounts";
import type { ChargeResult, ScheduledPayment, SubscriptionEvent, SubscriptionState } from "./subscription-types";
import { zonedDateOf } from "./zoned-time";

export interface ChargeOutcome {
  readonly sub: SubscriptionState;
  readonly events: SubscriptionEvent[];
}

/**
 * `paymentId` must be the payment of an action this engine handed out and whose result has
 * not been applied yet; anything else is a wiring bug in the caller and throws.
 * "authorized" is only valid for an auth-only first charge; its capture is reported later
 * as "successful" (or "failed" when the authorization is voided or expires).
 */
export function applyChargeResult(sub: SubscriptionState, paymentId: string, result: ChargeResult, now: Date): ChargeOutcome {
  const payment = nextPaymentOf(sub);
  if (!payment || payment.id !== paymentId || !payment.inFlight) {
    throw new Error(`subscription ${sub.id}: payment ${paymentId} has no charge in flight`);
  }
  const at = now.toISOString();
  const attempts = [...payment.attempts, { at, result }];
  if (result === "authorized") {
    if (payment.index !== 0 || !sub.firstChargeAuthorizationOnly) {
      throw new Error(`subscription ${sub.id}: only an auth-only first charge can be authorized`);
    }
    const next = withLastPayment(sub, (p) => ({ ...p, attempts, updatedOn: at }));
    return { sub: { ...next, status: sub.status === "unverified" ? "authorized" : sub.status, updatedOn: at }, events: [] };
  }
  return result === "successful" ? onSuccess(sub, payment, attempts, now) : onFailure(sub, attempts, now);
}

function onSuccess(sub: SubscriptionState, payment: ScheduledPayment, attempts: ScheduledPayment["attempts"], now: Date): ChargeOutcome {
  const at = now.toISOString();
  const today = zonedDateOf(now, sub.scheduleSettings.zoneId);
  const paid: ScheduledPayment = {
    ...payment,
    isPaid: true,
    inFlight: false,
    retryDate: null,
    attempts,
    successfulPaymentDate: today,
    updatedOn: at,
  };
  const stopped = sub.status === "suspended" || sub.status === "canceled";
  let next: SubscriptionState = {
    ...withLastPayment(sub, () => paid),
    // Without start_on the cycle counts from the day the first charge succeeded; for an
    // auth-only first charge that is the capture day ("キャプチャされた後に定期課金が開始").
    cycleOrigin: sub.cycleOrigin ?? today,
    failedAttempts: 0,
    updatedOn: at,
  };
  // A registration-only first payment (amount 0) moves no money, so no subscription_payment [INFERRED].
  const events: SubscriptionEvent[] = payment.amount > 0 ? [event("subscription_payment", sub, payment, at)] : [];

  if (payment.isLastPayment) {
    const status = sub.status === "canceled" ? "canceled" : "completed";
    if (status === "completed") events.push(event("subscription_completed", sub, payment, at));
    return { sub: { ...next, status, pendingTermination: null }, events };
  }
  // Back to the original grid: the first cycle date after today that follows the paid slot.
  const slot = firstSlotFrom(next, payment.slot + 1, today, false);
  const index = payment.index + 1;
  const upcoming: ScheduledPayment = {
    id: derivePaymentId(sub.id, index),
    index,
    slot,
    dueDate: gridDate(next, slot),
    dueDateSetManually: false,
    amount: paymentAmount(next, index),
    isPaid: false,
    isLastPayment: isLastPaymentIndex(next, index),
    retryDate: null,
    inFlight: false,
    attempts: [],
    successfulPaymentDate: null,
    createdOn: at,
    updatedOn: at,
  };
  next = { ...next, payments: [...next.payments, upcoming], status: stopped ? sub.status : "current" };
  return { sub: next, events };
}

function onFailure(sub: SubscriptionState, attempts: ScheduledPayment["attempts"], now: Date): ChargeOutcome {
  const at = now.toISOString();
  const failed = withLastPayment(sub, (p) => ({ ...p, inFlight: false, attempts, updatedOn: at }));
  const payment = nextPaymentOf(failed);
  const paymentId = payment?.id ?? null;
  if (sub.status === "unverified" || sub.status === "authorized") {
    return { sub: { ...failed, status: "unconfirmed", updatedOn: at }, events: [eventOf("subscription_failure", sub.id, paymentId, at)] };
  }
  // Stopped while the charge was in flight: record the attempt, keep the stop.
  if (sub.status !== "current" && sub.status !== "unpaid") return { sub: { ...failed, updatedOn: at }, events: [] };

  const failedAttempts = sub.failedAttempts + 1;
  if (failedAttempts >= sub.retryCount) {
    // Exhausted: suspended immediately whatever termination_mode says (`:10750`).
    const suspended = withLastPayment(failed, (p) => ({ ...p, retryDate: null }));
    return {
      sub: { ...suspended, status: "suspended", failedAttempts, pendingTermination: null, updatedOn: at },
      events: [eventOf("subscription_suspended", sub.id, paymentId, at)],
    };
  }
  const retryDate = retryDateAfter(sub, zonedDateOf(now, sub.scheduleSettings.zoneId));
  const waiting = withLastPayment(failed, (p) => ({ ...p, retryDate }));
  return {
    sub: { ...waiting, status: "unpaid", failedAttempts, updatedOn: at },
    events: [eventOf("subscription_failure", sub.id, paymentId, at)],
  };
}

function event(name: SubscriptionEvent["event"], sub: SubscriptionState, payment: ScheduledPayment, at: string): SubscriptionEvent {
  return eventOf(name, sub.id, payment.id, at);
}

function eventOf(name: SubscriptionEvent["event"], subscriptionId: string, paymentId: string | null, at: string): SubscriptionEvent {
  return { event: name, subscriptionId, paymentId, at };
}
