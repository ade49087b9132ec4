import { deriveIdempotencyKey } from "../../../src/univapay/idempotency-key";

describe("deriveIdempotencyKey", () => {
  it("is deterministic for the same legacy request", () => {
    expect(deriveIdempotencyKey("store", "charge", "order-1")).toBe(deriveIdempotencyKey("store", "charge", "order-1"));
  });

  it("is prefixed, hex and at most 64 chars", () => {
    expect(deriveIdempotencyKey("a")).toMatch(/^ccps-[0-9a-f]{59}$/);
  });

  it("differs when any part differs, including how the parts are split", () => {
    const keys = new Set([
      deriveIdempotencyKey("ab", "c"),
      deriveIdempotencyKey("a", "bc"),
      deriveIdempotencyKey("a\u0000b", "c"),
      deriveIdempotencyKey("a", "b\u0000c"),
      deriveIdempotencyKey("abc"),
      deriveIdempotencyKey("store", "refund", "order-1"),
      deriveIdempotencyKey("store", "charge", "order-1"),
    ]);
    expect(keys.size).toBe(7);
  });

  it("refuses to derive a key from nothing", () => {
    expect(() => deriveIdempotencyKey()).toThrow();
  });
});
