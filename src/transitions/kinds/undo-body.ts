/**
 * The body of a cancel or refund of a payment, from the mapping table: a legacy CANCEL's, and a
 * reversal's (a charge or capture whose merchant was answered "failure").
 */
import { mapFromContext } from "../../mapping";
import type { PaymentRow } from "../../store/store-types";
import type { KindContext } from "../transition-kind";

/** `currency`: the charge's own (a refund in another currency is refused); JPY by default. */
export function undoBody(ctx: KindContext, resource: "cancel" | "refund" | string, payment: PaymentRow, currency = "JPY"): Record<string, unknown> {
  const mapped = mapFromContext(ctx.table, resource === "cancel" ? "cancel" : "refund", {
    amount: payment.amount,
    currency,
    pid: payment.pid,
    sid: payment.sid,
  });
  if (!mapped.ok) throw new Error(`mappings/fields.yaml ${resource}: ${mapped.failures.map((f) => f.message).join("; ")}`);
  return mapped.value;
}
