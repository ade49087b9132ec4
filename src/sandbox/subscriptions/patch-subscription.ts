/**
 * PATCH /stores/{s}/subscriptions/{id} (`:13055-13072`): card token, amount, metadata,
 * termination_mode, and status (pause with `suspended`; resume with `unpaid` per the API
 * table or `current` per the guide — both accepted [CONFLICT]). Field changes are applied
 * before the status change so a resume already uses them.
 */
import { validatePatchInput } from "./subscription-schema";
import { resumeSubscription } from "./resume-subscription";
import { nextPaymentOf, withLastPayment } from "./payment-schedule";
import type { EngineRejection, SubscriptionEvent, SubscriptionState, SubscriptionStatus } from "./subscription-types";

export type PatchResult = { ok: true; sub: SubscriptionState; events: SubscriptionEvent[] } | EngineRejection;

/** Statuses in which the card token may be replaced (`:13059`). */
const TOKEN_CHANGE_STATUSES: readonly SubscriptionStatus[] = ["unconfirmed", "unpaid", "current", "suspended"];

export function patchSubscription(sub: SubscriptionState, patch: unknown, now: Date): PatchResult {
  if (sub.status === "canceled") return { ok: false, code: "CANNOT_CHANGE_CANCELED_SUBSCRIPTION" };
  const v = validatePatchInput(patch);
  if (!v.ok) return { ok: false, code: "VALIDATION_ERROR", errors: v.errors };
  const p = v.value;
  const at = now.toISOString();

  if (p.transactionTokenId !== undefined && !TOKEN_CHANGE_STATUSES.includes(sub.status)) return { ok: false, code: "CANNOT_CHANGE_TOKEN" };
  if (p.amount !== undefined) {
    // Limited plans fix every amount up front (`:307`); the SDK's code for this is reused [INFERRED].
    if (sub.subscriptionPlan || sub.installmentPlan) return { ok: false, code: "CANNOT_CHANGE_INSTALLMENT_AMOUNT" };
    if (sub.status === "completed" || sub.status === "unconfirmed") return { ok: false, code: "SUBSCRIPTION_ALREADY_ENDED" };
  }
  const statusError = p.status === undefined ? null : checkStatusChange(sub.status);
  if (statusError) return statusError;

  let next: SubscriptionState = {
    ...sub,
    transactionTokenId: p.transactionTokenId ?? sub.transactionTokenId,
    amount: p.amount ?? sub.amount,
    metadata: p.metadata ?? sub.metadata,
    scheduleSettings: { ...sub.scheduleSettings, terminationMode: p.terminationMode ?? sub.scheduleSettings.terminationMode },
    updatedOn: at,
  };
  const upcoming = nextPaymentOf(next);
  if (p.amount !== undefined && upcoming && upcoming.index > 0 && !upcoming.inFlight) {
    next = withLastPayment(next, (q) => ({ ...q, amount: p.amount ?? q.amount, updatedOn: at }));
  }
  if (p.status === undefined) return { ok: true, sub: next, events: [] };

  if (p.status === "suspended") {
    if (next.status === "suspended") return { ok: true, sub: next, events: [] };
    if (next.scheduleSettings.terminationMode === "on_next_payment") {
      return { ok: true, sub: { ...next, pendingTermination: "suspended" }, events: [] };
    }
    return {
      ok: true,
      sub: { ...next, status: "suspended", pendingTermination: null },
      events: [{ event: "subscription_suspended", subscriptionId: sub.id, paymentId: upcoming?.id ?? null, at }],
    };
  }
  // Resume. On a running subscription it only withdraws a stop that was deferred to the next run [INFERRED].
  if (next.status === "suspended") return { ok: true, sub: resumeSubscription(next, now), events: [] };
  return { ok: true, sub: { ...next, pendingTermination: null }, events: [] };
}

/** Pause/resume only make sense once the first charge has gone through and before the end. */
function checkStatusChange(status: SubscriptionStatus): EngineRejection | null {
  switch (status) {
    case "current":
    case "unpaid":
    case "suspended":
      return null;
    case "unverified":
    case "authorized":
      return { ok: false, code: "SUBSCRIPTION_PROCESSING" };
    case "completed":
      return { ok: false, code: "SUBSCRIPTION_ALREADY_ENDED" };
    case "unconfirmed":
    case "canceled":
      return { ok: false, code: "VALIDATION_ERROR", errors: [{ field: "status", reason: "NOT_ALLOWED" }] };
  }
}
