/**
 * How a payment's creation gets its rows: a fresh payment unless the same request was made within
 * the replay window, and — the old gateway's 重複決済防止 (P72P0D) — never a second payment for an
 * order (`sod`) whose money an earlier payment already holds or may still come to hold.
 *
 * The guard checks after its own insert, not before: two requests for one order arriving together
 * both insert, both look, and only the later one (by created_at, then pid) sees an earlier live
 * payment and refuses itself. Checking first would let both through.
 */
import type { Merchant } from "../../config/merchants";
import { ecFor } from "../../mapping";
import type { NewPayment, NewTransition, PaymentRow, TransitionRow } from "../../store/store-types";
import { ABANDON_GRACE_MS } from "../apply-resource";
import { withinReplayWindow } from "../replay-window";
import type { KindContext, Subject } from "../transition-kind";

type Made = { payment: PaymentRow; transition: TransitionRow; created: boolean };

/** createPayment, except that a payment with the same request key made before the replay window
 *  is not this request's: its key is retired and a new payment made. */
export async function createFresh(ctx: KindContext, p: NewPayment, creation: NewTransition): Promise<Made> {
  for (let i = 0; i < 3; i++) {
    const made = await ctx.store.createPayment(p, creation);
    if (made.created || withinReplayWindow(ctx, made.payment.createdAt)) return made;
    if (await ctx.store.retireRequestKey("payments", made.payment.pid, p.requestKey)) {
      ctx.logger.info({ pid: made.payment.pid, sid: p.sid }, "same request as an old payment, past its replay window: a new payment");
    }
  }
  throw new Error(`payment request key for sid ${p.sid} could not be retired`);
}

/**
 * For a payment just made: refused (its creation failed with duplicate_request, nothing sent to
 * UnivaPay, no kickback) if an earlier payment for the same order is live; undefined otherwise.
 */
export async function guardOrder(ctx: KindContext, merchant: Merchant, made: Subject): Promise<Subject | undefined> {
  const { payment } = made;
  if (!payment.sod || merchant.orderGuard === false || ctx.orderGuardWindowMs <= 0) return undefined;
  const now = ctx.now().getTime();
  const live = await ctx.store.listLiveOrderPayments(
    merchant.sid,
    payment.sod,
    new Date(now - ctx.orderGuardWindowMs),
    // A create older than this was answered long ago (or abandoned): it no longer holds the order.
    new Date(now - ctx.answerDeadlineMs - ABANDON_GRACE_MS),
  );
  const mine = payment.createdAt.getTime();
  const earlier = live.find((p) => p.pid !== payment.pid && (p.createdAt.getTime() < mine || (p.createdAt.getTime() === mine && p.pid < payment.pid)));
  if (!earlier) return undefined;
  const ec = ecFor(ctx.table, "duplicate_request");
  const refused = await ctx.store.moveTransition(made.transition.id, ["requested"], { state: "failed", errorCode: ec }, { state: "failed" });
  ctx.logger.warn(
    { pid: payment.pid, sid: merchant.sid, earlier: earlier.pid, ec },
    "a second payment for an order with a live payment: refused (order guard)",
  );
  return refused ?? made;
}
