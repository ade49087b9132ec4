import fc from "fast-check";
import { createTokenBucket } from "../../../src/univapay/token-bucket";

function clock(start = 0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("createTokenBucket", () => {
  it("hands out the burst immediately, then asks to wait for continuous refill", () => {
    const c = clock();
    const b = createTokenBucket({ capacity: 3, perMinute: 60 }, c.now); // 1 token per 1000 ms
    expect([b.reserve(0), b.reserve(0), b.reserve(0)]).toEqual([0, 0, 0]);
    expect(b.reserve(999)).toBeNull();
    expect(b.reserve(1000)).toBe(1000);
    // The reservation above queued behind: the next caller waits one more token.
    expect(b.reserve(5000)).toBe(2000);
  });

  it("does not reserve when it refuses", () => {
    const c = clock();
    const b = createTokenBucket({ capacity: 1, perMinute: 60 }, c.now);
    b.reserve(0);
    expect(b.reserve(10)).toBeNull();
    expect(b.level()).toBe(0);
  });

  it("refills continuously but never above capacity", () => {
    const c = clock();
    const b = createTokenBucket({ capacity: 30, perMinute: 1200 }, c.now); // 0.02 per ms
    for (let i = 0; i < 30; i++) b.reserve(0);
    c.advance(50);
    expect(b.level()).toBeCloseTo(1);
    c.advance(10 * 60_000);
    expect(b.level()).toBe(30);
  });

  it("lets the server's lower remaining count win, never a higher one", () => {
    const c = clock();
    const b = createTokenBucket({ capacity: 100, perMinute: 3000 }, c.now);
    b.sync(5, undefined);
    expect(b.level()).toBe(5);
    b.sync(80, undefined);
    expect(b.level()).toBe(5);
  });

  it("adopts the server's per-minute rate", () => {
    const c = clock();
    const b = createTokenBucket({ capacity: 10, perMinute: 600 }, c.now);
    b.sync(0, 60); // 1 per second
    expect(b.reserve(10_000)).toBe(1000);
  });

  it("ignores nonsense header values", () => {
    const c = clock();
    const b = createTokenBucket({ capacity: 10, perMinute: 600 }, c.now);
    b.sync(Number.NaN, -5);
    b.sync(-1, 0);
    expect(b.level()).toBe(10);
    b.reserve(0);
    c.advance(100);
    expect(b.level()).toBe(10);
  });

  it("survives a clock stepping backwards", () => {
    const c = clock(10_000);
    const b = createTokenBucket({ capacity: 2, perMinute: 60 }, c.now);
    b.reserve(0);
    c.advance(-5_000);
    expect(b.level()).toBe(1);
  });

  it("never exceeds capacity and never promises a wait above the limit (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 3_000 })), { maxLength: 60 }),
        (capacity, perMinute, steps) => {
          const c = clock();
          const b = createTokenBucket({ capacity, perMinute }, c.now);
          for (const [dt, maxWait] of steps) {
            c.advance(dt);
            const w = b.reserve(maxWait);
            if (w !== null && (w < 0 || w > maxWait)) return false;
            if (b.level() > capacity) return false;
          }
          return true;
        },
      ),
    );
  });
});
