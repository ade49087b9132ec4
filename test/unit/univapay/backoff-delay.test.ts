import { backoffDelay, parseRetryAfter } from "../../../src/univapay/backoff-delay";

describe("backoffDelay", () => {
  it("doubles per attempt within [50 %, 100 %] of the full delay", () => {
    expect(backoffDelay(0, 200, () => 0)).toBe(100);
    expect(backoffDelay(0, 200, () => 0.999999)).toBe(200);
    expect(backoffDelay(2, 200, () => 0.5)).toBe(600);
  });

  it("caps at maxMs", () => {
    expect(backoffDelay(30, 200, () => 0.999999, 1_000)).toBe(1_000);
  });
});

describe("parseRetryAfter", () => {
  it("reads delta-seconds and HTTP dates", () => {
    expect(parseRetryAfter("2", 0)).toBe(2_000);
    const now = Date.parse("2024-01-01T00:00:00Z");
    expect(parseRetryAfter("Mon, 01 Jan 2024 00:00:03 GMT", now)).toBe(3_000);
    expect(parseRetryAfter("Sun, 31 Dec 2023 00:00:00 GMT", now)).toBe(0);
  });

  it("returns undefined for absent or garbage values", () => {
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
    expect(parseRetryAfter("", 0)).toBeUndefined();
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
  });
});
