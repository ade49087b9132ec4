/**
 * Pure retry schedule for the kickback outbox (and anything else that retries on a clock):
 * capped exponential backoff with symmetric jitter, floored at half the base delay so jitter can
 * never turn a retry into a hot loop. No I/O, no clock: callers pass `now` and `random`.
 */

export interface RetryPolicy {
  /** Delay after the first failed attempt, ms. */
  readonly baseMs: number;
  /** Growth per further failure (≥ 1). */
  readonly factor: number;
  /** Cap on the delay before jitter, ms. */
  readonly maxDelayMs: number;
  /** Attempts in total, the first included; after this many the message is dead. */
  readonly maxAttempts: number;
  /** 0..1: 0.2 spreads each delay uniformly over ±20%. */
  readonly jitter: number;
}

/** 10 s doubling to a 1 h cap, 30 attempts: ≈ 21 h of retries in total (Hyperswitch: 16 tries / 24 h). */
export const DEFAULT_KICKBACK_RETRY: RetryPolicy = {
  baseMs: 10_000,
  factor: 2,
  maxDelayMs: 3_600_000,
  maxAttempts: 30,
  jitter: 0.2,
};

/** Delay before jitter after `attemptsSoFar` attempts (1 → baseMs, 2 → baseMs·factor, … ≤ maxDelayMs). */
export function baseDelayMs(attemptsSoFar: number, policy: RetryPolicy): number {
  const exponent = Math.max(0, attemptsSoFar - 1);
  return Math.min(policy.maxDelayMs, policy.baseMs * policy.factor ** exponent);
}

/** The smallest delay ever returned: half the base, whatever the jitter or cap. */
export function minDelayMs(policy: RetryPolicy): number {
  return Math.ceil(policy.baseMs / 2);
}

/**
 * When to make the next attempt after `attemptsSoFar` attempts have failed, or null when the
 * policy is exhausted (the message becomes dead). `random` returns [0, 1) like Math.random.
 */
export function nextAttemptAt(attemptsSoFar: number, policy: RetryPolicy, now: Date, random: () => number): Date | null {
  if (attemptsSoFar >= policy.maxAttempts) return null;
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  const spread = 1 + jitter * (2 * random() - 1);
  const delay = Math.max(minDelayMs(policy), Math.round(baseDelayMs(attemptsSoFar, policy) * spread));
  return new Date(now.getTime() + delay);
}
