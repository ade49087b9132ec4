/**
 * The replay window (REPLAY_WINDOW_MS): a request identical to one made less than this long ago is
 * that request again, answered from its result; an older one is a new request. Rows keep their
 * request key after the window until a new request with it comes: then the key is retired
 * (store.retireRequestKey) and the new request gets its own rows, pid and idempotency keys.
 */
import type { Merchant } from "../config/merchants";
import type { KindContext } from "./transition-kind";

/** Whether a row of this merchant made at `createdAt` is still in its replay window (the
 *  merchant's own `replayWindowSeconds`, else REPLAY_WINDOW_MS). */
export function withinReplayWindow(ctx: Pick<KindContext, "now" | "replayWindowMs">, merchant: Pick<Merchant, "replayWindowMs">, createdAt: Date): boolean {
  return ctx.now().getTime() - createdAt.getTime() < (merchant.replayWindowMs ?? ctx.replayWindowMs);
}
