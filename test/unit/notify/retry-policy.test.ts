import fc from "fast-check";
import { baseDelayMs, DEFAULT_KICKBACK_RETRY, minDelayMs, nextAttemptAt, type RetryPolicy } from "../../../src/notify/retry-policy";

const NOW = new Date("2030-01-01T00:00:00.000Z");
const delayOf = (d: Date | null): number => (d === null ? NaN : d.getTime() - NOW.getTime());

const policyArb: fc.Arbitrary<RetryPolicy> = fc.record({
  baseMs: fc.integer({ min: 1, max: 60_000 }),
  factor: fc.double({ min: 1, max: 4, noNaN: true }),
  maxDelayMs: fc.integer({ min: 1, max: 86_400_000 }),
  maxAttempts: fc.integer({ min: 1, max: 60 }),
  jitter: fc.double({ min: 0, max: 1, noNaN: true }),
});
const randomArb = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe("nextAttemptAt", () => {
  it("doubles from 10 s to the 1 h cap with the default policy (no jitter at random = 0.5)", () => {
    const delays = [1, 2, 3, 9, 10, 29].map((n) => delayOf(nextAttemptAt(n, DEFAULT_KICKBACK_RETRY, NOW, () => 0.5)));
    expect(delays).toEqual([10_000, 20_000, 40_000, 2_560_000, 3_600_000, 3_600_000]);
  });

  it("is exhausted (null) at maxAttempts: the 30th failure is final", () => {
    expect(nextAttemptAt(30, DEFAULT_KICKBACK_RETRY, NOW, () => 0.5)).toBeNull();
    expect(nextAttemptAt(31, DEFAULT_KICKBACK_RETRY, NOW, () => 0.5)).toBeNull();
  });

  it("spreads the default schedule over roughly a day", () => {
    let total = 0;
    for (let n = 1; n < DEFAULT_KICKBACK_RETRY.maxAttempts; n++) total += baseDelayMs(n, DEFAULT_KICKBACK_RETRY);
    expect(total / 3_600_000).toBeGreaterThan(20);
    expect(total / 3_600_000).toBeLessThan(26);
  });

  it("applies ±jitter at the extremes of random", () => {
    expect(delayOf(nextAttemptAt(1, DEFAULT_KICKBACK_RETRY, NOW, () => 0))).toBe(8_000);
    expect(delayOf(nextAttemptAt(1, DEFAULT_KICKBACK_RETRY, NOW, () => 0.999999))).toBe(12_000);
  });

  it("never goes below half the base delay, even with full jitter", () => {
    const p: RetryPolicy = { ...DEFAULT_KICKBACK_RETRY, jitter: 1 };
    expect(delayOf(nextAttemptAt(1, p, NOW, () => 0))).toBe(5_000);
  });

  it("property: delays stay within the jitter bounds and the floor", () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 0, max: 80 }), randomArb, (policy, n, r) => {
        const d = nextAttemptAt(n, policy, NOW, () => r);
        if (n >= policy.maxAttempts) return d === null;
        const raw = baseDelayMs(n, policy);
        const lo = Math.max(minDelayMs(policy), Math.floor(raw * (1 - policy.jitter)));
        const hi = Math.max(minDelayMs(policy), Math.ceil(raw * (1 + policy.jitter)));
        const delay = delayOf(d);
        return delay >= lo && delay <= hi && delay >= policy.baseMs / 2;
      }),
    );
  });

  it("property: delays before jitter never decrease and never exceed the cap", () => {
    fc.assert(
      fc.property(policyArb, (policy) => {
        let prev = 0;
        for (let n = 1; n < policy.maxAttempts; n++) {
          const raw = baseDelayMs(n, policy);
          if (raw < prev || raw > policy.maxDelayMs) return false;
          prev = raw;
        }
        return true;
      }),
    );
  });

  it("property: every schedule ends in null after exactly maxAttempts - 1 retries", () => {
    fc.assert(
      fc.property(policyArb, randomArb, (policy, r) => {
        let retries = 0;
        for (let n = 1; nextAttemptAt(n, policy, NOW, () => r) !== null; n++) retries++;
        return retries === policy.maxAttempts - 1;
      }),
    );
  });
});
