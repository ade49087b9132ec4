/**
 * The replay window (REPLAY_WINDOW_MS): a request identical to one made less than this long ago is
 * that request again, answered from its result; an older one is a new request. Rows keep their
 * request key after the window until a new request with it comes: then the key is retired
 * (store.retireRequestKey) and the new request gets its own rows, pid and idempotency keys.
 */
import type { KindContext } from "./transition-kind";

export function withinReplayWindow(ctx: Pick<KindContext, "now" | "replayWindowMs">, createdAt: Date): boolean {
  return ctx.now().getTime() - createdAt.getTime() < ctx.replayWindowMs;
}
