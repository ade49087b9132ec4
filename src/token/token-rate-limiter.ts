/**
 * Per-key token buckets for the token endpoints: a card-testing run goes through exactly such an
 * endpoint, one card per request. Per client address and per merchant, each `perMinute` with a
 * burst of the same size. In memory, per process: several instances multiply the ceiling (say so
 * in README); the limit is there to make card testing slow and loud, not to count exactly.
 */
export interface RateLimiter {
  /** Takes one token for `key`; false when it has none left. */
  take(key: string): boolean;
}

const MAX_KEYS = 100_000;

export function createRateLimiter(perMinute: number, now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const rate = perMinute / 60_000;
  return {
    take(key) {
      const t = now();
      const b = buckets.get(key) ?? { tokens: perMinute, at: t };
      b.tokens = Math.min(perMinute, b.tokens + (t - b.at) * rate);
      b.at = t;
      // Bounded memory under a flood of addresses: full buckets carry no information.
      if (!buckets.has(key) && buckets.size >= MAX_KEYS) {
        for (const [k, v] of buckets) if (v.tokens + (t - v.at) * rate >= perMinute) buckets.delete(k);
      }
      buckets.set(key, b);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
  };
}
