/**
 * Client-side view of UnivaPay's rate limits (api doc §1.5), one pair of token buckets per
 * store (= per merchant): "charge" for POST /tokens|/charges|/subscriptions and "standard" for
 * everything else. It only decides how long to wait; it never sleeps or sends anything itself.
 */
import { createTokenBucket, TokenBucket, TokenBucketConfig } from "./token-bucket";

export type RateClass = "charge" | "standard";

/** Documented defaults (§1.5): charge 100 burst / 3 000 per min; route 30 burst / 1 200 per min. */
export const RATE_DEFAULTS: Readonly<Record<RateClass, TokenBucketConfig>> = {
  charge: { capacity: 100, perMinute: 3_000 },
  standard: { capacity: 30, perMinute: 1_200 },
};

const CHARGE_CLASS_PATHS = new Set(["/tokens", "/charges", "/subscriptions"]);

/** The charge-rate class covers only the three un-scoped creates; it never overlaps standard. */
export function rateClassOf(method: string, path: string): RateClass {
  return method.toUpperCase() === "POST" && CHARGE_CLASS_PATHS.has(path) ? "charge" : "standard";
}

export type HeaderReader = (name: string) => string | undefined;

export interface RateLimiter {
  /** Reserves a slot; ms to wait before sending, or null when that exceeds `maxWaitMs`. */
  acquire(storeId: string, cls: RateClass, maxWaitMs: number): number | null;
  /** Applies the rate-limit headers of a response (429s included) to the store's bucket. */
  syncFromHeaders(storeId: string, cls: RateClass, header: HeaderReader): void;
}

export function createRateLimiter(now: () => number): RateLimiter {
  const buckets = new Map<string, TokenBucket>();
  const bucketFor = (storeId: string, cls: RateClass): TokenBucket => {
    const key = `${cls}\u0000${storeId}`;
    let b = buckets.get(key);
    if (b === undefined) {
      b = createTokenBucket(RATE_DEFAULTS[cls], now);
      buckets.set(key, b);
    }
    return b;
  };

  return {
    acquire(storeId, cls, maxWaitMs) {
      return bucketFor(storeId, cls).reserve(maxWaitMs);
    },
    syncFromHeaders(storeId, cls, header) {
      const { remaining, perMinute } = readLimits(cls, header);
      bucketFor(storeId, cls).sync(remaining, perMinute);
    },
  };
}

/**
 * Standard requests count against both the route and the exact bucket. Our one standard bucket
 * per store takes the lower *remaining* of the two (so an exhausted exact path pauses us), but
 * refills at the *route* rate: the exact rate (120/min) is per exact path, and applying it to
 * every path of the store would throttle concurrent polls of different charges for no reason.
 */
function readLimits(cls: RateClass, header: HeaderReader): { remaining?: number; perMinute?: number } {
  if (cls === "charge") {
    return { remaining: num(header("x-remaining-requests")), perMinute: num(header("x-requests-per-minute")) };
  }
  const route = num(header("x-remaining-requests-route"));
  const exact = num(header("x-remaining-requests-exact"));
  const remaining = route === undefined ? exact : exact === undefined ? route : Math.min(route, exact);
  return { remaining, perMinute: num(header("x-requests-per-minute-route")) };
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
