import { addressKey, createRateLimiter } from "../../../src/token/token-rate-limiter";

describe("token endpoint rate limits", () => {
  it("groups IPv6 addresses by /64 and reads v4-mapped ones as IPv4", () => {
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
  });

  it("allows a burst of perMinute, then refills at perMinute per minute", () => {
    let t = 0;
    const l = createRateLimiter(3, () => t);
    expect([l.take("a"), l.take("a"), l.take("a"), l.take("a")]).toEqual([true, true, true, false]);
    expect(l.take("b")).toBe(true);
    t += 20_000; // one token back
    expect([l.take("a"), l.take("a")]).toEqual([true, false]);
  });

  it("stays bounded under a flood of new keys (least recently seen evicted)", () => {
    const l = createRateLimiter(1, () => 0);
    for (let i = 0; i < 150_000; i++) l.take(`k${i}`);
    // 100,000 keys are kept: the newest key is still limited, the very first was forgotten.
    expect(l.take("k149999")).toBe(false);
    expect(l.take("k0")).toBe(true);
  });
});
