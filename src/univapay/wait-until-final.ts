/**
 * The long-polling loop behind waitForCharge/waitForCancel/waitForRefund (api doc §1.4):
 * repeat a GET until the resource is final or the deadline passes. It only sequences calls;
 * what "final" means is the caller's `isFinal` (status maps live in src/mapping).
 */
import { isAppError } from "../errors/app-error";
import type { Logger } from "../logging/logger";

/** The server holds a `?polling=true` GET for up to ~3 s; shorter remaining time → plain GET. */
export const POLL_HOLD_MS = 3_000;
/** Never poll faster than the SDK does (1 s), even if the server answers a poll at once. */
export const MIN_POLL_INTERVAL_MS = 1_000;

export interface WaitDeps {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly logger: Logger;
}

/**
 * Calls `get` at least once. Returns the first result with `isFinal`, else the last result seen
 * once `deadlineAt` has passed (possibly still pending; the caller answers "pending" and lets the
 * webhook finish the story). A retryable failure after something was seen also returns that last
 * result (the GET already retried; a pending answer is truer than an error for a charge that
 * exists). Throws when the first GET fails or UnivaPay rejects a GET.
 */
export async function waitUntilFinal<T>(get: (polling: boolean) => Promise<T>, deadlineAt: number, isFinal: (r: T) => boolean, deps: WaitDeps): Promise<T> {
  let last: T | undefined;
  for (;;) {
    const startedAt = deps.now();
    if (last !== undefined && startedAt >= deadlineAt) return last;
    try {
      last = await get(deadlineAt - startedAt >= POLL_HOLD_MS);
    } catch (err) {
      if (last === undefined || !isAppError(err) || !err.retryable) throw err;
      deps.logger.warn({ err }, "univapay poll failed, returning last state seen");
      return last;
    }
    if (isFinal(last)) return last;
    const t = deps.now();
    const pause = Math.min(MIN_POLL_INTERVAL_MS - (t - startedAt), deadlineAt - t);
    if (pause > 0) await deps.sleep(pause);
  }
}
