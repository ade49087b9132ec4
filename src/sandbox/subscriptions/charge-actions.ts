/**
 * Builds the actions the engine asks the sandbox server to perform. Kept in one place so
 * the first charge (at creation) and scheduled charges (from the clock) carry the same fields.
 */
import type { EngineAction, ScheduledPayment, SubscriptionState } from "./subscription-types";

export function firstChargeAction(sub: SubscriptionState, payment: ScheduledPayment, dueAt: string): EngineAction {
  // initial_amount = 0 registers the card only (CVV authorization required, `:6420`).
  if (payment.amount === 0) {
    return { kind: "verify_card", subscriptionId: sub.id, paymentId: payment.id, transactionTokenId: sub.transactionTokenId };
  }
  return chargeAction(sub, payment, dueAt, true);
}

export function chargeAction(sub: SubscriptionState, payment: ScheduledPayment, dueAt: string, isFirstCharge: boolean): EngineAction {
  return {
    kind: "charge",
    subscriptionId: sub.id,
    paymentId: payment.id,
    transactionTokenId: sub.transactionTokenId,
    amount: payment.amount,
    currency: sub.currency,
    dueAt,
    isFirstCharge,
    authorizationOnly: isFirstCharge && sub.firstChargeAuthorizationOnly,
    captureAfter: isFirstCharge ? sub.firstChargeCaptureAfter : null,
    installmentPlan: sub.installmentPlan,
    metadata: sub.metadata,
  };
}
