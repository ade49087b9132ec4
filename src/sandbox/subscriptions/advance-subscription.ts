/**
 * What happens when the sandbox clock reaches a subscription's run time: either the due
 * charge is handed out (and the payment marked in flight so it is never handed out twice),
 * or a stop deferred by termination_mode=on_next_payment takes effect instead of charging
 * (`:10708-10750`: "リトライ含む次回の課金実行日に、課金せず停止").
 */
import { chargeAction } from "./charge-actions";
import { nextPaymentOf, runAtOf, withLastPayment } from "./payment-schedule";
import type { EngineAction, SubscriptionEvent, SubscriptionState } from "./subscription-types";

export interface AdvanceResult {
  readonly sub: SubscriptionState;
  readonly actions: EngineAction[];
  readonly events: SubscriptionEvent[];
}

/** Only these statuses have a scheduled run; the others wait for a person or are final. */
function isRunning(sub: SubscriptionState): boolean {
  return sub.status === "current" || sub.status === "unpaid";
}

/**
 * Applies everything due at `now`. Call it from the clock at `nextWakeAt`, and after any
 * mutation (a resume can make a charge due immediately). Idempotent: calling it again
 * before the charge result arrives returns no new action.
 */
export function advanceSubscription(sub: SubscriptionState, now: Date): AdvanceResult {
  const none: AdvanceResult = { sub, actions: [], events: [] };
  if (!isRunning(sub)) return none;
  const payment = nextPaymentOf(sub);
  if (!payment || payment.inFlight) return none;
  const runAt = runAtOf(sub, payment);
  if (runAt.getTime() > now.getTime()) return none;
  const at = now.toISOString();

  if (sub.pendingTermination) {
    const status = sub.pendingTermination;
    return {
      sub: { ...sub, status, pendingTermination: null, updatedOn: at },
      actions: [],
      events: [{ event: status === "canceled" ? "subscription_canceled" : "subscription_suspended", subscriptionId: sub.id, paymentId: payment.id, at }],
    };
  }
  const next = withLastPayment({ ...sub, updatedOn: at }, (p) => ({ ...p, inFlight: true, updatedOn: at }));
  return { sub: next, actions: [chargeAction(sub, payment, runAt.toISOString(), false)], events: [] };
}

/** The actions `advanceSubscription` would hand out at `now`, without changing anything. */
export function dueActions(sub: SubscriptionState, now: Date): EngineAction[] {
  return advanceSubscription(sub, now).actions;
}

/**
 * When the clock should next call `advanceSubscription`, or null when nothing is scheduled
 * (charge in flight, suspended, final). May be in the past: run it at once.
 */
export function nextWakeAt(sub: SubscriptionState): Date | null {
  if (!isRunning(sub)) return null;
  const payment = nextPaymentOf(sub);
  if (!payment || payment.inFlight) return null;
  return runAtOf(sub, payment);
}
