import { createRateLimiter, RATE_DEFAULTS, rateClassOf } from "../../../src/univapay/rate-limiter";

const headers = (h: Record<string, string>) => (name: string) => h[name.toLowerCase()];

describe("rateClassOf", () => {
  it("puts only the three un-scoped creates in the charge class", () => {
    expect(rateClassOf("POST", "/tokens")).toBe("charge");
    expect(rateClassOf("POST", "/charges")).toBe("charge");
    expect(rateClassOf("post", "/subscriptions")).toBe("charge");
    expect(rateClassOf("GET", "/charges")).toBe("standard");
    expect(rateClassOf("POST", "/stores/s/charges/c/refunds")).toBe("standard");
    expect(rateClassOf("POST", "/stores/s/charges/c/capture")).toBe("standard");
  });
});

describe("createRateLimiter", () => {
  it("seeds each class with the documented burst", () => {
    const l = createRateLimiter(() => 0);
    for (let i = 0; i < RATE_DEFAULTS.standard.capacity; i++) expect(l.acquire("s1", "standard", 0)).toBe(0);
    expect(l.acquire("s1", "standard", 0)).toBeNull();
    expect(l.acquire("s1", "charge", 0)).toBe(0);
    expect(l.acquire("s2", "standard", 0)).toBe(0);
  });

  it("reads charge-class headers for charges", () => {
    const l = createRateLimiter(() => 0);
    l.syncFromHeaders("s", "charge", headers({ "x-remaining-requests": "0", "x-requests-per-minute": "60" }));
    expect(l.acquire("s", "charge", 5_000)).toBe(1000);
  });

  it("takes the lower of route and exact remaining but the route rate", () => {
    const l = createRateLimiter(() => 0);
    l.syncFromHeaders(
      "s",
      "standard",
      headers({
        "x-remaining-requests-route": "12",
        "x-remaining-requests-exact": "0",
        "x-requests-per-minute-route": "1200",
        "x-requests-per-minute-exact": "120",
      }),
    );
    expect(l.acquire("s", "standard", 1_000)).toBe(50);
  });

  it("uses whichever standard header is present and ignores absent ones", () => {
    const l = createRateLimiter(() => 0);
    l.syncFromHeaders("s", "standard", headers({ "x-remaining-requests-exact": "0" }));
    expect(l.acquire("s", "standard", 0)).toBeNull();
    const l2 = createRateLimiter(() => 0);
    l2.syncFromHeaders("s", "standard", headers({}));
    expect(l2.acquire("s", "standard", 0)).toBe(0);
  });
});
