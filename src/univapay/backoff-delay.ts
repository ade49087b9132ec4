/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so retries
 * from many gateway workers spread out but never collapse to ~0 ms. Pure: randomness injected.
 */

/**
 * Delay before retry number `attempt` (0 = first retry): base·2^attempt scaled into
 * [50 %, 100 %] by `random()` ∈ [0, 1), capped at `maxMs`.
 */
export function backoffDelay(attempt: number, baseMs: number, random: () => number, maxMs = 10_000): number {
  const full = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(full / 2 + (full / 2) * random());
}

/**
 * Parses a Retry-After header (delta-seconds or HTTP date) into ms from `nowMs`; undefined when
 * absent or unparseable. UnivaPay does not document one, but honouring it costs nothing.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
