import { isChargeClass, RateLimiter, routeTemplate, TokenBucket } from "../../../src/sandbox/rate-limit";

describe("rate-limit", () => {
  const req = (path: string, query = "", method = "GET") => ({ clientKey: "app", method, path, query });

  it("allows exactly 10 requests to one exact path, then refuses", () => {
    const t = 1_000_000;
    const limiter = new RateLimiter(() => t);
    const results = Array.from({ length: 11 }, () => limiter.check(req("/stores/s/charges/c1")));
    expect(results.slice(0, 10).every((r) => r.allowed)).toBe(true);
    expect(results[10]?.allowed).toBe(false);
    expect(results[0]?.headers).toEqual({
      "X-Remaining-Requests-Exact": "9",
      "X-Remaining-Requests-Route": "29",
      "X-Requests-Per-Minute-Exact": "120",
      "X-Requests-Per-Minute-Route": "1200",
    });
  });

  it("refills the exact bucket at 120 per minute (one token per 500 ms)", () => {
    let t = 0;
    const limiter = new RateLimiter(() => t);
    for (let i = 0; i < 10; i++) limiter.check(req("/me"));
    expect(limiter.check(req("/me")).allowed).toBe(false);
    t += 499;
    expect(limiter.check(req("/me")).allowed).toBe(false);
    t += 1;
    expect(limiter.check(req("/me")).allowed).toBe(true);
  });

  it("counts different ids of one route template against the route bucket only once each", () => {
    const limiter = new RateLimiter(() => 0);
    const ids = Array.from({ length: 31 }, (_, i) => `/stores/11ef32c2-4010-a312-aaff-4b63e4d5f9${String(i).padStart(2, "0")}`);
    const results = ids.map((p) => limiter.check(req(p)));
    expect(results.slice(0, 30).every((r) => r.allowed)).toBe(true);
    expect(results[30]?.allowed).toBe(false);
    expect(results[29]?.headers["X-Remaining-Requests-Route"]).toBe("0");
  });

  it("treats another query string as another exact path", () => {
    const limiter = new RateLimiter(() => 0);
    for (let i = 0; i < 10; i++) limiter.check(req("/charges", "limit=10"));
    expect(limiter.check(req("/charges", "limit=10")).allowed).toBe(false);
    expect(limiter.check(req("/charges", "limit=20")).allowed).toBe(true);
  });

  it("applies only the charge bucket to POST /tokens, /charges and /subscriptions", () => {
    const limiter = new RateLimiter(() => 0);
    const first = limiter.check(req("/charges", "", "POST"));
    expect(first.headers).toEqual({ "X-Remaining-Requests": "99", "X-Requests-Per-Minute": "3000" });
    for (let i = 0; i < 98; i++) limiter.check(req("/tokens", "", "POST"));
    expect(limiter.check(req("/subscriptions", "", "POST")).allowed).toBe(true);
    expect(limiter.check(req("/charges", "", "POST")).allowed).toBe(false);
    expect(isChargeClass("GET", "/charges")).toBe(false);
  });

  it("keeps buckets per client", () => {
    const limiter = new RateLimiter(() => 0);
    for (let i = 0; i < 10; i++) limiter.check(req("/me"));
    expect(limiter.check({ ...req("/me"), clientKey: "other" }).allowed).toBe(true);
  });

  it("never refills above the burst", () => {
    const b = new TokenBucket({ burst: 10, perMinute: 120 }, 0);
    expect(b.available(10 * 60_000)).toBe(10);
  });

  it("derives route templates from id-like segments", () => {
    expect(routeTemplate("/stores/11edf541-c42d-653c-8c3d-dfe0a55f95c0/charges/11ef32c2-4010-a312-aaff-4b63e4d5f92d/refunds")).toBe(
      "/stores/:id/charges/:id/refunds",
    );
    expect(routeTemplate("/heartbeat")).toBe("/heartbeat");
  });
});
