/**
 * UnivaPay's webhook retry and auto-disable rules (§4.4) as pure functions: retries after 1, 2, 4,
 * 8 minutes then every 15, at most 10 attempts including the first; 3xx disables at once; 4xx, 500,
 * 501, 502 disable once the attempts are used up; other 5xx, timeouts and network errors never do.
 */
export const MAX_ATTEMPTS = 10;
export const DELIVERY_TIMEOUT_MS = 3000;
const MINUTE = 60_000;

export type AttemptResult =
  { readonly kind: "status"; readonly status: number } | { readonly kind: "timeout" } | { readonly kind: "network"; readonly message: string };

export type AttemptVerdict =
  | { readonly kind: "delivered" }
  | { readonly kind: "retry"; readonly delayMs: number }
  /** Attempts used up or a 3xx: the webhook becomes inactive. */
  | { readonly kind: "disable" }
  /** Attempts used up on a non-disabling failure: the delivery is dropped, the webhook stays on. */
  | { readonly kind: "give_up" };

/** Delay before attempt `failedAttempt + 1` (attempts are numbered from 1). */
export function retryDelayMs(failedAttempt: number): number {
  return Math.min(2 ** (failedAttempt - 1), 15) * MINUTE;
}

export function isDisablingStatus(status: number): boolean {
  return (status >= 400 && status < 500) || status === 500 || status === 501 || status === 502;
}

export function judgeAttempt(result: AttemptResult, attempt: number): AttemptVerdict {
  if (result.kind === "status" && result.status >= 200 && result.status < 300) return { kind: "delivered" };
  if (result.kind === "status" && result.status >= 300 && result.status < 400) return { kind: "disable" };
  if (attempt < MAX_ATTEMPTS) return { kind: "retry", delayMs: retryDelayMs(attempt) };
  return result.kind === "status" && isDisablingStatus(result.status) ? { kind: "disable" } : { kind: "give_up" };
}
