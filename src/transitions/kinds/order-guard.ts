/**
 * How a payment's creation gets its rows: a fresh payment unless the same request was made within
 * the replay window, and — the old gateway's 重複決済防止 (P72P0D) — never a second payment for an
 * order (its `sod`, or the merchant's `orderField`) whose money an earlier payment already holds
 * or may still come to hold. The database keeps one live payment per order (a unique index,
 * store.createOrderPayment), so of two requests for one order arriving together exactly one goes
 * through; a check in code before or after the insert let both through.
 */
import type { Merchant } from "../../config/merchants";
import { ecFor } from "../../mapping";
import type { NewPayment, NewTransition, PaymentRow, TransitionRow } from "../../store/store-types";
import { ABANDON_GRACE_MS } from "../apply-resource";
import { withinReplayWindow } from "../replay-window";
import type { KindContext } from "../transition-kind";

type Made = { payment: PaymentRow; transition: TransitionRow; created: boolean; refusedFor?: string };

/**
 * createPayment (or createOrderPayment, when the guard applies), except that a payment with the
 * same request key made before the replay window is not this request's: its key is retired and
 * a new payment made. A refused payment comes back failed (duplicate_request) with `refusedFor`:
 * nothing was sent to UnivaPay and no kickback is queued.
 */
export async function createFresh(ctx: KindContext, merchant: Merchant, p: NewPayment, creation: NewTransition, openForMs?: number): Promise<Made> {
  for (let i = 0; i < 3; i++) {
    const made = await create(ctx, merchant, p, creation, openForMs);
    if (made.created || withinReplayWindow(ctx, merchant, made.payment.createdAt)) {
      if (made.refusedFor) {
        ctx.logger.warn(
          { pid: made.payment.pid, sid: merchant.sid, earlier: made.refusedFor },
          "a second payment for an order with a live payment: refused (order guard)",
        );
      }
      return made;
    }
    if (await ctx.store.retireRequestKey("payments", made.payment.pid, p.requestKey)) {
      ctx.logger.info({ pid: made.payment.pid, sid: merchant.sid }, "same request as an old payment, past its replay window: a new payment");
    }
  }
  throw new Error(`payment request key for sid ${p.sid} could not be retired`);
}

/** `openForMs`: how long a still-`requested` holder keeps its order (a link-method payment waits
 *  for its shopper that long); default the answer deadline. */
function create(ctx: KindContext, merchant: Merchant, p: NewPayment, creation: NewTransition, openForMs = ctx.answerDeadlineMs): Promise<Made> {
  const orderKey = p.orderKey;
  // Unguarded payments carry no order key: the unique index holds guarded orders only.
  if (!orderKey || merchant.orderGuard === false || ctx.orderGuardWindowMs <= 0) return ctx.store.createPayment({ ...p, orderKey: null }, creation);
  const now = ctx.now().getTime();
  return ctx.store.createOrderPayment({ ...p, orderKey }, creation, {
    since: new Date(now - ctx.orderGuardWindowMs),
    // A create older than this was answered long ago (or abandoned): it no longer holds the order.
    requestedSince: new Date(now - openForMs - ABANDON_GRACE_MS),
    errorCode: ecFor(ctx.table, "duplicate_request"),
  });
}
