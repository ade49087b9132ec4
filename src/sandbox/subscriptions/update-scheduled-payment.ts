/**
 * PATCH .../subscriptions/{id}/payments/{paymentId} (SDK `ScheduledPayments.update`): moves
 * the next payment to another date, the API twin of the admin UI's "次回課金日" edit. Only
 * `due_date` is supported. While a retry is pending the run date becomes the later of the
 * retry date and this date (`:10697-10703`).
 */
import { z } from "zod";
import { addDays, compareCivil, parseCivilDate } from "./civil-date";
import { nextPaymentOf, withLastPayment } from "./payment-schedule";
import { MAX_DAYS_AHEAD } from "./subscription-schema";
import type { EngineRejection, SubscriptionState } from "./subscription-types";
import { zonedDateOf } from "./zoned-time";

export type PaymentUpdateResult = { ok: true; sub: SubscriptionState } | EngineRejection;

const BodySchema = z.object({ due_date: z.string() });

export function updateScheduledPayment(sub: SubscriptionState, paymentId: string, patch: unknown, now: Date): PaymentUpdateResult {
  if (sub.status === "canceled") return { ok: false, code: "CANNOT_CHANGE_CANCELED_SUBSCRIPTION" };
  if (!sub.payments.some((p) => p.id === paymentId)) return { ok: false, code: "NOT_FOUND" };
  const payment = nextPaymentOf(sub);
  if (!payment || payment.id !== paymentId || !["current", "unpaid", "suspended"].includes(sub.status)) {
    return { ok: false, code: "VALIDATION_ERROR", errors: [{ field: "due_date", reason: "NOT_ALLOWED" }] };
  }
  if (payment.inFlight) return { ok: false, code: "SUBSCRIPTION_PROCESSING" };
  const body = BodySchema.safeParse(patch);
  const date = body.success ? parseCivilDate(body.data.due_date) : null;
  if (!date) return { ok: false, code: "VALIDATION_ERROR", errors: [{ field: "due_date", reason: "INVALID_FORMAT_DATE" }] };
  const today = zonedDateOf(now, sub.scheduleSettings.zoneId);
  if (compareCivil(date, today) < 0) return { ok: false, code: "VALIDATION_ERROR", errors: [{ field: "due_date", reason: "MUST_BE_FUTURE_OR_TODAY" }] };
  if (compareCivil(date, addDays(today, MAX_DAYS_AHEAD)) > 0) {
    return { ok: false, code: "VALIDATION_ERROR", errors: [{ field: "due_date", reason: "INVALID_TIME_PERIOD" }] };
  }
  const at = now.toISOString();
  const next = withLastPayment(sub, (p) => ({ ...p, dueDate: date, dueDateSetManually: true, updatedOn: at }));
  return { ok: true, sub: { ...next, updatedOn: at } };
}
