/**
 * The reverse slot of the kinds whose resource is a charge (its creation, a capture): the merchant
 * was answered "failure" while the outcome was unknown, so whatever the charge holds now is given
 * back — voided while authorised, refunded in full once captured — under one Idempotency-Key per
 * transition, so a pass after a crash replays the same undo instead of making a second one.
 */
import type { Merchant } from "../../config/merchants";
import { cancelOutcome, chargeOutcome, refundOutcome } from "../../mapping";
import { deriveIdempotencyKey } from "../../univapay/idempotency-key";
import { CreateCancelBodySchema, CreateRefundBodySchema, type Charge } from "../../univapay/univapay-types";
import type { KindContext, Reversal, Subject } from "../transition-kind";
import { undoBody } from "./undo-body";

export async function reverseCharge(ctx: KindContext, merchant: Merchant, { payment, transition }: Subject, charge: Charge): Promise<Reversal> {
  if (charge.status === "canceled") return "reversed";
  // The AUTH table says whether the charge holds money at all (authorised or captured).
  const holds = chargeOutcome(ctx.table, "AUTH", charge.status);
  // Not final yet (a 3-D Secure charge may still complete): looked at again later.
  if (holds === "pending" || holds === "unknown") return "pending";
  if (holds === "failure") return "nothing_moved";
  const c = merchant.credentials;
  const key = deriveIdempotencyKey(transition.id, "reversal");
  let outcome: string;
  if (charge.status === "authorized") {
    const made = await ctx.client.createCancel(c, charge.id, CreateCancelBodySchema.parse(undoBody(ctx, "cancel", payment, charge.requested_currency)), key);
    // A replayed answer is the first one: read the cancel as it is now.
    const now = cancelOutcome(ctx.table, made.status) === "pending" ? await ctx.client.getCancel(c, charge.id, made.id) : made;
    outcome = cancelOutcome(ctx.table, now.status);
  } else {
    const made = await ctx.client.createRefund(c, charge.id, CreateRefundBodySchema.parse(undoBody(ctx, "refund", payment, charge.requested_currency)), key);
    const now = refundOutcome(ctx.table, made.status) === "pending" ? await ctx.client.getRefund(c, charge.id, made.id) : made;
    outcome = refundOutcome(ctx.table, now.status);
  }
  if (outcome === "success") return "reversed";
  if (outcome === "failure") throw new Error(`the reversal of charge ${charge.id} (pid ${payment.pid}) failed at UnivaPay: an operator must void or refund it`);
  return "pending";
}
