/**
 * DELETE /stores/{s}/subscriptions/{id}: permanent stop (永久停止, `canceled`, `:13143`).
 * With termination_mode=on_next_payment on a running subscription the stop waits for the
 * next run date (retry dates included) and happens there instead of the charge.
 */
import { nextPaymentOf } from "./payment-schedule";
import type { EngineRejection, SubscriptionEvent, SubscriptionState } from "./subscription-types";

export type CancelResult = { ok: true; sub: SubscriptionState; events: SubscriptionEvent[] } | EngineRejection;

export function cancelSubscription(sub: SubscriptionState, now: Date): CancelResult {
  if (sub.status === "canceled") return { ok: false, code: "SUBSCRIPTION_ALREADY_CANCELED" };
  if (sub.status === "completed") return { ok: false, code: "SUBSCRIPTION_ALREADY_ENDED" };
  const at = now.toISOString();
  const running = sub.status === "current" || sub.status === "unpaid";
  if (running && sub.scheduleSettings.terminationMode === "on_next_payment") {
    return { ok: true, sub: { ...sub, pendingTermination: "canceled", updatedOn: at }, events: [] };
  }
  return {
    ok: true,
    sub: { ...sub, status: "canceled", pendingTermination: null, updatedOn: at },
    events: [{ event: "subscription_canceled", subscriptionId: sub.id, paymentId: nextPaymentOf(sub)?.id ?? null, at }],
  };
}
