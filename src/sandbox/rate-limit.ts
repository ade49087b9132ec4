/**
 * The three rate-limit buckets of §1.5 as continuous-refill token buckets on the sandbox clock.
 * POST /tokens|/charges|/subscriptions count only against the charge bucket; every other request
 * counts against both its route bucket (method + path template) and its exact bucket (method +
 * path + query). Pure: no I/O, time is injected.
 */
export interface BucketSpec {
  readonly burst: number;
  readonly perMinute: number;
}

export const RATE_LIMITS = {
  charge: { burst: 100, perMinute: 3000 },
  route: { burst: 30, perMinute: 1200 },
  exact: { burst: 10, perMinute: 120 },
} as const satisfies Record<string, BucketSpec>;

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  constructor(
    readonly spec: BucketSpec,
    now: number,
  ) {
    this.tokens = spec.burst;
    this.updatedAt = now;
  }
  /** Tokens available at `now`; refill is perMinute/60000 per ms, capped at the burst. */
  available(now: number): number {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.spec.burst, this.tokens + (elapsed * this.spec.perMinute) / 60_000);
    this.updatedAt = Math.max(this.updatedAt, now);
    return this.tokens;
  }
  take(now: number): void {
    this.tokens = this.available(now) - 1;
  }
}

export interface RateRequest {
  /** Who is limited: the app token (jti) or, without one, the client address. */
  readonly clientKey: string;
  readonly method: string;
  readonly path: string;
  /** Raw query string without "?", "" when none. */
  readonly query: string;
}

export interface RateDecision {
  readonly allowed: boolean;
  readonly headers: Readonly<Record<string, string>>;
}

const CHARGE_CLASS_PATHS = new Set(["/tokens", "/charges", "/subscriptions"]);
const ID_SEGMENT = /^(?=.*\d)[0-9a-fA-F-]{8,}$/;

export function isChargeClass(method: string, path: string): boolean {
  return method.toUpperCase() === "POST" && CHARGE_CLASS_PATHS.has(path.replace(/\/+$/, ""));
}

/** "/stores/<uuid>/charges/<uuid>" → "/stores/:id/charges/:id": the route bucket's key. */
export function routeTemplate(path: string): string {
  return path
    .split("/")
    .map((seg) => (ID_SEGMENT.test(seg) ? ":id" : seg))
    .join("/");
}

export type RateLimitSpecs = { readonly [K in keyof typeof RATE_LIMITS]: BucketSpec };

/** The §1.5 limits × factor, bursts and rates alike (benchmarks at a higher ceiling; the headers
 *  say the scaled figures, so a client pacing by them sees a store with bigger limits). */
export function scaledRateLimits(factor: number): RateLimitSpecs {
  const scale = (b: BucketSpec): BucketSpec => ({ burst: Math.round(b.burst * factor), perMinute: Math.round(b.perMinute * factor) });
  return { charge: scale(RATE_LIMITS.charge), route: scale(RATE_LIMITS.route), exact: scale(RATE_LIMITS.exact) };
}

export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  constructor(
    private readonly now: () => number,
    private readonly limits: RateLimitSpecs = RATE_LIMITS,
  ) {}

  check(req: RateRequest): RateDecision {
    const t = this.now();
    const method = req.method.toUpperCase();
    if (isChargeClass(method, req.path)) {
      const b = this.bucket(`charge|${req.clientKey}`, this.limits.charge, t);
      const allowed = b.available(t) >= 1;
      if (allowed) b.take(t);
      return { allowed, headers: { "X-Remaining-Requests": remaining(b, t), "X-Requests-Per-Minute": String(this.limits.charge.perMinute) } };
    }
    const route = this.bucket(`route|${req.clientKey}|${method} ${routeTemplate(req.path)}`, this.limits.route, t);
    const exact = this.bucket(`exact|${req.clientKey}|${method} ${req.path}?${req.query}`, this.limits.exact, t);
    // Both must have a token; a refused request consumes neither.
    const allowed = route.available(t) >= 1 && exact.available(t) >= 1;
    if (allowed) {
      route.take(t);
      exact.take(t);
    }
    return {
      allowed,
      headers: {
        "X-Remaining-Requests-Exact": remaining(exact, t),
        "X-Remaining-Requests-Route": remaining(route, t),
        "X-Requests-Per-Minute-Exact": String(this.limits.exact.perMinute),
        "X-Requests-Per-Minute-Route": String(this.limits.route.perMinute),
      },
    };
  }

  private bucket(key: string, spec: BucketSpec, t: number): TokenBucket {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size > 50_000) this.pruneFull(t);
      b = new TokenBucket(spec, t);
      this.buckets.set(key, b);
    }
    return b;
  }

  /** A full bucket carries no state, so forgetting it changes nothing. */
  private pruneFull(t: number): void {
    for (const [k, b] of this.buckets) if (b.available(t) >= b.spec.burst) this.buckets.delete(k);
  }
}

function remaining(b: TokenBucket, t: number): string {
  return String(Math.max(0, Math.floor(b.available(t))));
}
