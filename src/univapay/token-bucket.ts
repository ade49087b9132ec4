/**
 * A continuous-refill token bucket (UnivaPay's own model, api doc §1.5): `perMinute / 60 000`
 * tokens per ms, never above `capacity`. Pure apart from the injected clock: no timers, no I/O.
 * Tokens are *reserved*: a caller that must wait takes its token now (the level may go
 * negative), so concurrent waiters queue fairly instead of all waking up for the same token.
 */

export interface TokenBucketConfig {
  /** Burst size; the level never refills above it. */
  readonly capacity: number;
  readonly perMinute: number;
}

export interface TokenBucket {
  /**
   * Reserves one token. Returns how many ms the caller must wait before sending (0 = now), or
   * `null` — and reserves nothing — when that wait would exceed `maxWaitMs`.
   */
  reserve(maxWaitMs: number): number | null;
  /**
   * Resynchronises from what the server reported. The server's `remaining` wins only when
   * lower (it also counts requests we did not see, e.g. another gateway instance; a higher
   * value may predate our in-flight requests). `perMinute` replaces the refill rate.
   */
  sync(remaining: number | undefined, perMinute: number | undefined): void;
  /** Current level (may be negative while reservations are outstanding); for tests/metrics. */
  level(): number;
}

export function createTokenBucket(config: TokenBucketConfig, now: () => number): TokenBucket {
  const capacity = config.capacity;
  let perMs = config.perMinute / 60_000;
  let tokens = capacity;
  let updatedAt = now();

  const refill = (): void => {
    const t = now();
    // A clock that steps backwards must not drain the bucket.
    const elapsed = Math.max(0, t - updatedAt);
    tokens = Math.min(capacity, tokens + elapsed * perMs);
    updatedAt = t;
  };

  return {
    reserve(maxWaitMs) {
      refill();
      const after = tokens - 1;
      const waitMs = after >= 0 ? 0 : perMs > 0 ? Math.ceil(-after / perMs) : Number.POSITIVE_INFINITY;
      if (waitMs > maxWaitMs) return null;
      tokens = after;
      return waitMs;
    },
    sync(remaining, perMinute) {
      refill();
      if (perMinute !== undefined && Number.isFinite(perMinute) && perMinute > 0) perMs = perMinute / 60_000;
      if (remaining !== undefined && Number.isFinite(remaining) && remaining >= 0) tokens = Math.min(tokens, remaining);
    },
    level() {
      refill();
      return tokens;
    },
  };
}
