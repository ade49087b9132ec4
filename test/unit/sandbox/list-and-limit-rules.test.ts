import { addUtcMonths } from "../../../src/sandbox/add-utc-months";
import { CardLock } from "../../../src/sandbox/processing/card-lock";
import { ChargeLimits, type ChargeAttempt } from "../../../src/sandbox/processing/charge-limits";
import { ChargeFilterSchema } from "../../../src/sandbox/state/charge-filters";
import { matchesMetadata, MetadataFilterSchema } from "../../../src/sandbox/state/metadata-filter";
import { phoneMatches } from "../../../src/sandbox/state/payer-of";
import { usagePeriodEnd } from "../../../src/sandbox/state/recurring-usage";

const T0 = Date.UTC(2025, 0, 31, 12, 0, 0);

describe("metadata list filter", () => {
  const parse = (s: string) => MetadataFilterSchema.safeParse(s);

  it("reads key:value (the SDK's `foo: bar`) and flat JSON objects, comparing value text", () => {
    const f = parse("foo: bar");
    expect(f.success && f.data).toEqual([["foo", "bar"]]);
    expect(matchesMetadata({ foo: "bar" }, f.success ? f.data : undefined)).toBe(true);
    expect(matchesMetadata({ foo: "baz" }, f.success ? f.data : undefined)).toBe(false);
    const n = parse('{"n":5,"ok":true}');
    expect(matchesMetadata({ n: 5, ok: true }, n.success ? n.data : undefined)).toBe(true);
    expect(matchesMetadata({ n: 5 }, n.success ? n.data : undefined)).toBe(false);
    expect(matchesMetadata({ url: "a:b" }, MetadataFilterSchema.parse("url:a:b"))).toBe(true);
  });

  it("refuses a string without a key", () => {
    expect(parse("nocolon").success).toBe(false);
    expect(parse(":v").success).toBe(false);
    expect(parse('{"nested":{"a":1}}').success).toBe(false);
  });
});

describe("charge list filter schema", () => {
  it("needs last_four, name, exp_month and exp_year together and normalises two-digit years", () => {
    const partial = ChargeFilterSchema.safeParse({ last_four: "4242" });
    expect(partial.success).toBe(false);
    expect(partial.error?.issues.map((i) => i.path[0])).toEqual(["name", "exp_month", "exp_year"]);
    const all = ChargeFilterSchema.parse({ last_four: "4242", name: "A B", exp_month: "3", exp_year: "30" });
    expect(all).toMatchObject({ exp_month: 3, exp_year: 2030 });
  });
});

describe("phoneMatches", () => {
  it("matches with or without the country code and the trunk 0", () => {
    const jp = [{ local: "09012345678", full: "8109012345678" }];
    expect(phoneMatches("090-1234-5678", jp)).toBe(true);
    expect(phoneMatches("+81 90 1234 5678", jp)).toBe(true);
    expect(phoneMatches("9012345678", jp)).toBe(true);
    expect(phoneMatches("0901234567", jp)).toBe(false);
    expect(phoneMatches("---", jp)).toBe(false);
  });
});

describe("calendar periods", () => {
  it("adds UTC months, clamping to the month's last day", () => {
    expect(new Date(addUtcMonths(T0, 1)).toISOString()).toBe("2025-02-28T12:00:00.000Z");
    expect(new Date(addUtcMonths(Date.UTC(2024, 0, 31), 1)).toISOString()).toBe("2024-02-29T00:00:00.000Z");
    expect(new Date(addUtcMonths(Date.UTC(2025, 10, 15), 3)).toISOString()).toBe("2026-02-15T00:00:00.000Z");
  });

  it("ends a bounded usage period a day, a week, a month or a year after the last charge", () => {
    expect(usagePeriodEnd(T0, "daily") - T0).toBe(86_400_000);
    expect(usagePeriodEnd(T0, "weekly") - T0).toBe(7 * 86_400_000);
    expect(new Date(usagePeriodEnd(T0, "monthly")).toISOString()).toBe("2025-02-28T12:00:00.000Z");
    expect(new Date(usagePeriodEnd(T0, "annually")).toISOString()).toBe("2026-01-31T12:00:00.000Z");
  });
});

describe("CardLock", () => {
  it("locks after the 5th failure inside 30 min, for 2 h, per card", () => {
    const lock = new CardLock("always");
    [0, 1, 2, 3].forEach((m) => lock.recordFailure("4111", "test", T0 + m * 60_000));
    expect(lock.error("4111", "test", T0 + 4 * 60_000)).toBeNull();
    lock.recordFailure("4111", "test", T0 + 29 * 60_000);
    expect(lock.error("4111", "test", T0 + 29 * 60_000)?.code).toBe("CARD_LOCKED");
    expect(lock.error("4111", "test", T0 + 29 * 60_000)?.httpStatus).toBe(403);
    expect(lock.error("4242", "test", T0 + 29 * 60_000)).toBeNull();
    expect(lock.error("4111", "test", T0 + 149 * 60_000)).toBeNull();
  });

  it("ignores test mode with the live-only scope and everything when off", () => {
    const liveOnly = new CardLock("live-only");
    const off = new CardLock("off");
    for (let i = 0; i < 5; i++) {
      liveOnly.recordFailure("4111", "test", T0 + i);
      off.recordFailure("4111", "live", T0 + i);
    }
    expect(liveOnly.error("4111", "test", T0 + 10)).toBeNull();
    expect(off.error("4111", "live", T0 + 10)).toBeNull();
  });
});

describe("ChargeLimits 30-s rule", () => {
  const attempt = (over: Partial<ChargeAttempt> = {}): ChargeAttempt => ({
    storeId: "s",
    mode: "live",
    kind: "one_off",
    cardNumber: "4000",
    recurringTokenId: null,
    amount: 100,
    currency: "JPY",
    ...over,
  });

  it("blocks same card and amount, and subscription charges of any amount on one card", () => {
    const limits = new ChargeLimits("live-only", null);
    limits.record("s", "live", attempt(), T0);
    expect(limits.isTooQuick(attempt(), T0 + 29_999)).toBe(true);
    expect(limits.isTooQuick(attempt({ amount: 200 }), T0 + 1)).toBe(false);
    expect(limits.isTooQuick(attempt(), T0 + 30_000)).toBe(false);
    limits.record("s", "live", attempt({ kind: "subscription", amount: 300 }), T0);
    expect(limits.isTooQuick(attempt({ kind: "subscription", amount: 400 }), T0 + 1)).toBe(true);
    expect(limits.isTooQuick(attempt({ kind: "subscription", amount: 400, mode: "test" }), T0 + 1)).toBe(false);
  });

  it("blocks a recurring token alternating one-off and subscription charges, not repeating one kind", () => {
    const limits = new ChargeLimits("always", null);
    const onToken = (kind: "one_off" | "subscription", amount: number) => attempt({ kind, amount, recurringTokenId: "t", cardNumber: `card-${amount}` });
    limits.record("s", "live", onToken("one_off", 100), T0);
    expect(limits.isTooQuick(onToken("one_off", 200), T0 + 1)).toBe(false);
    expect(limits.isTooQuick(onToken("subscription", 300), T0 + 1)).toBe(true);
  });
});
