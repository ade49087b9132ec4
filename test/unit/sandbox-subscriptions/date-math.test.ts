import { addCycles, cycleOfPeriod, parseIsoDuration } from "../../../src/sandbox/subscriptions/billing-cycle";
import { addMonths, parseCivilDate, type CivilDate } from "../../../src/sandbox/subscriptions/civil-date";
import { defaultRetryIntervalDays } from "../../../src/sandbox/subscriptions/payment-schedule";
import { zonedDateOf, zonedInstantOf } from "../../../src/sandbox/subscriptions/zoned-time";

const d = (s: string): CivilDate => {
  const v = parseCivilDate(s);
  if (!v) throw new Error(s);
  return v;
};

describe("civil dates", () => {
  it.each([["2024-02-30"], ["2023-02-29"], ["2024-13-01"], ["2024-6-01"], ["x"]])("rejects %s", (s) => {
    expect(parseCivilDate(s)).toBeNull();
  });

  it.each([
    ["2024-01-31", 1, false, "2024-02-29"],
    ["2023-01-31", 1, false, "2023-02-28"],
    ["2024-06-30", 1, false, "2024-07-30"],
    ["2024-06-30", 1, true, "2024-07-31"],
    ["2024-11-15", 3, false, "2025-02-15"],
  ])("adds months: %s + %i (end of month %s) = %s", (from, n, stick, want) => {
    expect(addMonths(d(from), n, stick)).toBe(want);
  });
});

describe("addCycles", () => {
  const monthly = cycleOfPeriod("monthly");

  it("keeps month-ends with preserve_end_of_month (doc: 06-30 → 07-31 if true, 07-30 if false)", () => {
    expect(addCycles(d("2018-06-30"), monthly, 1, true)).toBe("2018-07-31");
    expect(addCycles(d("2018-06-30"), monthly, 1, false)).toBe("2018-07-30");
    expect(addCycles(d("2018-06-30"), monthly, 2, true)).toBe("2018-08-31");
  });

  it("ignores preserve_end_of_month when the origin is not a month-end", () => {
    expect(addCycles(d("2018-06-29"), monthly, 1, true)).toBe("2018-07-29");
  });

  it("counts from the origin so a 31st comes back after a short month", () => {
    expect([1, 2, 3].map((n) => addCycles(d("2024-01-31"), monthly, n, false))).toEqual(["2024-02-29", "2024-03-31", "2024-04-30"]);
  });

  it.each([
    ["weekly", "2024-06-26", "2024-07-03"],
    ["biweekly", "2024-06-26", "2024-07-10"],
    ["bimonthly", "2024-06-26", "2024-08-26"],
    ["quarterly", "2024-06-26", "2024-09-26"],
    ["semiannually", "2024-06-26", "2024-12-26"],
    ["annually", "2024-02-29", "2025-02-28"],
    ["daily", "2024-12-31", "2025-01-01"],
  ] as const)("%s: %s → %s", (period, from, want) => {
    expect(addCycles(d(from), cycleOfPeriod(period), 1, false)).toBe(want);
  });

  it.each([
    ["P10D", { count: 10, unit: "day" }],
    ["P2W", { count: 2, unit: "week" }],
    ["P2M", { count: 2, unit: "month" }],
    ["P1Y", { count: 1, unit: "year" }],
  ])("parses %s", (s, want) => expect(parseIsoDuration(s)).toEqual(want));

  it.each([["P0D"], ["P1M15D"], ["PT1H"], ["1D"], ["P-1D"]])("rejects %s", (s) => expect(parseIsoDuration(s)).toBeNull());
});

describe("defaultRetryIntervalDays", () => {
  it.each([
    [30, 3, 10], // doc example: monthly, 3 retries → 10 days
    [30, 4, 7], // doc example: 30 ÷ 4 = 7.5 → 7
    [7, 3, 2],
    [365, 3, 121],
    [1, 3, 1], // daily: never 0 days
  ])("cycle %i days, retry count %i → %i days", (days, count, want) => {
    expect(defaultRetryIntervalDays(days, count)).toBe(want);
  });
});

describe("zoned time", () => {
  it("puts 07:00 Tokyo on the previous UTC day", () => {
    expect(zonedInstantOf(d("2024-06-01"), 7, "Asia/Tokyo").toISOString()).toBe("2024-05-31T22:00:00.000Z");
  });

  it("follows DST in New York", () => {
    expect(zonedInstantOf(d("2024-01-15"), 7, "America/New_York").toISOString()).toBe("2024-01-15T12:00:00.000Z");
    expect(zonedInstantOf(d("2024-07-15"), 7, "America/New_York").toISOString()).toBe("2024-07-15T11:00:00.000Z");
    expect(zonedInstantOf(d("2024-03-10"), 9, "America/New_York").toISOString()).toBe("2024-03-10T13:00:00.000Z");
  });

  it("gives the zone's calendar date, not UTC's", () => {
    expect(zonedDateOf(new Date("2024-06-25T15:30:00Z"), "Asia/Tokyo")).toBe("2024-06-26");
    expect(zonedDateOf(new Date("2024-06-25T15:30:00Z"), "UTC")).toBe("2024-06-25");
  });
});
