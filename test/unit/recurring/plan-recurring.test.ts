import { join } from "node:path";

import { ecFor, loadMappingTable, type GatewayErrorKey } from "../../../src/mapping";
import { isRecurringRequest, planRecurring, type RecurringPlan } from "../../../src/recurring/plan-recurring";
import { paramsOf } from "../mapping/param-source-of";

const table = loadMappingTable(join(__dirname, "../../../mappings"));

/** Noon in Tokyo on `date`, so D is `date` whatever the host's zone. */
const noonJst = (date: string) => new Date(`${date}T03:00:00Z`);

function plan(params: Record<string, string>, now: Date | string = "2027-03-10", initialAmount = 1500): RecurringPlan {
  const r = planRecurring(table, paramsOf({ acam1: "1000", ...params }), { now: typeof now === "string" ? noonJst(now) : now, initialAmount });
  if (!r.ok) throw new Error(`expected a plan, got ${JSON.stringify(r.failures)}`);
  return r.value;
}

const codes = (p: RecurringPlan) => p.drift.map((n) => n.code);
const note = (p: RecurringPlan, code: string) => p.drift.find((n) => n.code === code)?.message;

describe("planRecurring", () => {
  describe("cycle codes (D = 2027-03-10)", () => {
    it.each([
      ["2", {}, { period: "weekly" }, undefined, ["2027-03-17", "2027-03-24"]],
      ["3", {}, { period: "biweekly" }, undefined, ["2027-03-24", "2027-04-07"]],
      ["4", {}, { period: "monthly" }, undefined, ["2027-04-10", "2027-05-10"]],
      ["5", {}, { period: "bimonthly" }, undefined, ["2027-05-10", "2027-07-10"]],
      ["6", {}, { period: "quarterly" }, undefined, ["2027-06-10", "2027-09-10"]],
      ["7", {}, { period: "semiannually" }, undefined, ["2027-09-10", "2028-03-10"]],
      ["8", {}, { period: "annually" }, undefined, ["2028-03-10", "2029-03-10"]],
      ["20", { acdc1: "10" }, { cyclical_period: "P10D" }, "2027-03-20", ["2027-03-20", "2027-03-30"]],
      ["21", { acdc1: "15", acmc1: "1" }, { cyclical_period: "P1M" }, "2027-03-15", ["2027-03-15", "2027-04-15"]],
      ["21", { acdc1: "5", acmc1: "2" }, { cyclical_period: "P2M" }, "2027-04-05", ["2027-04-05", "2027-06-05"]],
      ["21", { acdc1: "10", acmc1: "1" }, { cyclical_period: "P1M" }, "2027-04-10", ["2027-04-10", "2027-05-10"]],
      ["22", { acdc1: "5", acmc1: "2" }, { cyclical_period: "P2M" }, "2027-03-15", ["2027-03-15", "2027-05-15"]],
      ["23", { acdc1: "14", acmc1: "3" }, { cyclical_period: "P14D" }, "2027-03-13", ["2027-03-13", "2027-03-27"]],
      ["24", { acdc1: "5", acmc1: "1" }, { cyclical_period: "P1M" }, "2027-04-05", ["2027-04-05", "2027-05-05"]],
      ["24", { acdc1: "20", acmc1: "3" }, { cyclical_period: "P3M" }, "2027-04-20", ["2027-04-20", "2027-07-20"]],
    ])("maps actp1=%s %j to %j, start_on %s, charges on %j in both systems", (actp1, extra, field, startOn, dates) => {
      const p = plan({ actp1, ...extra });
      expect(p.actp).toBe(actp1);
      expect(p.body).toMatchObject(field);
      expect(p.body.period === undefined).toBe(p.body.cyclical_period !== undefined);
      expect(p.body.schedule_settings.zone_id).toBe("Asia/Tokyo");
      expect(p.body.schedule_settings.start_on).toBe(startOn);
      expect(p.body.schedule_settings.preserve_end_of_month).toBeUndefined();
      expect(p.legacyDueDates).toEqual(dates);
      expect(p.univapayDueDates).toEqual(dates);
      expect(codes(p)).not.toContain("dates");
    });

    it("reads acdc1 as the day cycle and acmc1 as the start offset for 23 (seed 003), the reverse of 22", () => {
      expect(plan({ actp1: "23", acdc1: "3", acmc1: "14" }).body).toMatchObject({ cyclical_period: "P3D", schedule_settings: { start_on: "2027-03-24" } });
      expect(plan({ actp1: "22", acdc1: "3", acmc1: "1" }).body).toMatchObject({ cyclical_period: "P1M", schedule_settings: { start_on: "2027-03-13" } });
    });

    it("keeps a one-day cycle as P1D starting tomorrow, charged at 09:00", () => {
      const p = plan({ actp1: "20", acdc1: "1" });
      expect(p.body).toMatchObject({ cyclical_period: "P1D", schedule_settings: { start_on: "2027-03-11" } });
      expect(p.body.period).toBeUndefined();
      expect(p.univapayDueDates).toEqual(["2027-03-11", "2027-03-12"]);
      expect(note(p, "charge_time")).toMatch(/00:30 JST.*09:00 JST/);
    });

    it("reports acdc1/acmc1 only where the code uses them, ignoring them (even malformed) elsewhere", () => {
      expect(plan({ actp1: "4", acdc1: "abc", acmc1: "99" })).toMatchObject({ acdc: null, acmc: null });
      expect(plan({ actp1: "20", acdc1: "07", acmc1: "junk" })).toMatchObject({ acdc: "07", acmc: null, body: { cyclical_period: "P7D" } });
      expect(plan({ actp1: "21", acdc1: "15", acmc1: "1" })).toMatchObject({ acdc: "15", acmc: "1" });
    });
  });

  describe("month ends", () => {
    it("keeps a monthly plan started on 01-31 on month ends: 02-28 then 03-31", () => {
      const p = plan({ actp1: "4" }, "2027-01-31");
      expect(p.body.schedule_settings).toEqual({ zone_id: "Asia/Tokyo", start_on: "2027-02-28", preserve_end_of_month: true, retry_interval: "P7D" });
      expect(p.legacyDueDates).toEqual(["2027-02-28", "2027-03-31"]);
      expect(p.univapayDueDates).toEqual(["2027-02-28", "2027-03-31"]);
      expect(codes(p)).not.toContain("dates");
    });

    it("lands on 02-29 in a leap year, and an annual plan from 02-29 on 02-28", () => {
      expect(plan({ actp1: "4" }, "2028-01-31").univapayDueDates).toEqual(["2028-02-29", "2028-03-31"]);
      const yearly = plan({ actp1: "8" }, "2028-02-29");
      expect(yearly.body.schedule_settings).toMatchObject({ start_on: "2029-02-28", preserve_end_of_month: true });
      expect(yearly.univapayDueDates).toEqual(["2029-02-28", "2030-02-28"]);
      expect(yearly.legacyDueDates).toEqual(["2029-02-28", "2030-02-28"]);
    });

    it("notes the dates when a 30-day month end moves to the 31st (old system kept day 30)", () => {
      const p = plan({ actp1: "4" }, "2027-04-30");
      expect(p.body.schedule_settings).toMatchObject({ start_on: "2027-05-31", preserve_end_of_month: true });
      expect(p.legacyDueDates).toEqual(["2027-05-30", "2027-06-30"]);
      expect(p.univapayDueDates).toEqual(["2027-05-31", "2027-06-30"]);
      expect(note(p, "dates")).toBe(
        "The old system would have charged automatically on 2027-05-30 and 2027-06-30; UnivaPay will charge on 2027-05-31 and 2027-06-30.",
      );
    });

    it("sends no start_on for week cycles on a month end", () => {
      expect(plan({ actp1: "2" }, "2027-01-31").body.schedule_settings.start_on).toBeUndefined();
    });

    it.each([
      ["21", "2027-01-31", "2027-02-28", ["2027-02-28", "2027-03-31"]],
      ["21", "2027-01-15", "2027-01-31", ["2027-01-31", "2027-02-28"]],
      ["24", "2027-01-05", "2027-02-28", ["2027-02-28", "2027-03-31"]],
    ])("actp1=%s with day 31 from %s: start_on %s on month ends with preserve_end_of_month", (actp1, d, startOn, dates) => {
      const p = plan({ actp1, acdc1: "31", acmc1: "1" }, d);
      expect(p.body.schedule_settings).toMatchObject({ start_on: startOn, preserve_end_of_month: true });
      expect(p.legacyDueDates).toEqual(dates);
      expect(p.univapayDueDates).toEqual(dates);
      expect(codes(p)).not.toContain("day_clamped");
      expect(codes(p)).not.toContain("dates");
    });

    it.each([
      ["21", "30", "2027-02-10", ["2027-02-28", "2027-03-30"], ["2027-02-28", "2027-03-28"]],
      ["21", "29", "2027-02-10", ["2027-02-28", "2027-03-29"], ["2027-02-28", "2027-03-28"]],
      ["21", "30", "2028-02-10", ["2028-02-29", "2028-03-30"], ["2028-02-29", "2028-03-29"]],
      ["24", "30", "2027-01-20", ["2027-02-28", "2027-03-30"], ["2027-02-28", "2027-03-28"]],
    ])("actp1=%s day %s from %s is clamped to February's end: old %j, UnivaPay %j", (actp1, day, d, legacy, univapay) => {
      const p = plan({ actp1, acdc1: day, acmc1: "1" }, d);
      expect(p.body.schedule_settings.start_on).toBe(legacy[0]);
      expect(p.body.schedule_settings.preserve_end_of_month).toBeUndefined();
      expect(p.legacyDueDates).toEqual(legacy);
      expect(p.univapayDueDates).toEqual(univapay);
      expect(note(p, "day_clamped")).toContain(`acdc1=${day} falls on ${legacy[0]}`);
      expect(codes(p)).toContain("dates");
    });

    it("does not clamp day 29 in February of a leap year", () => {
      const p = plan({ actp1: "21", acdc1: "29", acmc1: "1" }, "2028-02-10");
      expect(p.univapayDueDates).toEqual(["2028-02-29", "2028-03-29"]);
      expect(p.legacyDueDates).toEqual(["2028-02-29", "2028-03-29"]);
      expect(codes(p)).not.toContain("day_clamped");
    });
  });

  describe("the request's day is the Tokyo date", () => {
    it("treats 2027-01-31T15:30Z as 2027-02-01 (no month-end handling)", () => {
      const p = plan({ actp1: "4" }, new Date("2027-01-31T15:30:00Z"));
      expect(p.body.schedule_settings.start_on).toBeUndefined();
      expect(p.univapayDueDates).toEqual(["2027-03-01", "2027-04-01"]);
      expect(plan({ actp1: "20", acdc1: "1" }, new Date("2027-01-31T15:30:00Z")).body.schedule_settings.start_on).toBe("2027-02-02");
    });

    it("still treats 2027-01-31T14:59Z as the month end 2027-01-31", () => {
      expect(plan({ actp1: "4" }, new Date("2027-01-31T14:59:00Z")).body.schedule_settings).toMatchObject({
        start_on: "2027-02-28",
        preserve_end_of_month: true,
      });
    });
  });

  describe("amounts", () => {
    it.each([[{}], [{ acrm1: "0" }], [{ acrm1: "" }]])("is unlimited with %j: amount = acam1, no subscription_plan", (extra) => {
      const p = plan({ actp1: "4", acam1: "1000.00", ...extra });
      expect(p).toMatchObject({ cycleAmount: 1000, automaticCharges: null });
      expect(p.body).toMatchObject({ amount: 1000, initial_amount: 1500 });
      expect(p.body.subscription_plan).toBeUndefined();
    });

    it("turns acrm1=3 into fixed_cycles 4 whose amount is the total incl. the first charge", () => {
      const p = plan({ actp1: "4", acam1: "1000", acrm1: "3" });
      expect(p.automaticCharges).toBe(3);
      expect(p.body).toMatchObject({ amount: 1500 + 3 * 1000, initial_amount: 1500, subscription_plan: { plan_type: "fixed_cycles", fixed_cycles: 4 } });
    });

    it("refuses an initialAmount that is not whole yen (the caller's bug)", () => {
      const r = planRecurring(table, paramsOf({ actp1: "4", acam1: "1000" }), { now: noonJst("2027-03-10"), initialAmount: 10.5 });
      expect(r.ok || r.failures.map((f) => f.key)).toEqual(["internal"]);
    });
  });

  describe("retries", () => {
    it.each([
      ["4", {}, "29", "P29D"],
      ["4", {}, "30", undefined],
      ["4", {}, "45", undefined],
      ["20", { acdc1: "10" }, "9", "P9D"],
      ["20", { acdc1: "10" }, "10", undefined],
      ["20", { acdc1: "10" }, "11", undefined],
    ])("actp1=%s %j with acrd1=%s sends retry_interval %s", (actp1, extra, acrd1, sent) => {
      const p = plan({ actp1, ...extra, acrd1 });
      expect(p.body.schedule_settings.retry_interval).toBe(sent);
      expect(codes(p).includes("retry_interval")).toBe(sent === undefined);
    });

    it("sends the legacy default of 7 days when acrd1 is omitted and it fits the cycle", () => {
      const p = plan({ actp1: "4" });
      expect(p.body.schedule_settings.retry_interval).toBe("P7D");
      expect(codes(p)).not.toContain("retry_interval");
    });

    it("omits the 7-day default for a weekly plan, with a note giving UnivaPay's own interval", () => {
      const p = plan({ actp1: "2" });
      expect(p.body.schedule_settings.retry_interval).toBeUndefined();
      expect(note(p, "retry_interval")).toBe(
        "The old system retried after 7 days (its default), which is not shorter than the 7-day cycle, so no retry_interval is sent and UnivaPay retries after cycle ÷ retry count (2 days at its default 3).",
      );
    });

    it("never sends acrt1, noting the legacy count against UnivaPay's store setting", () => {
      expect(note(plan({ actp1: "4", acrt1: "5" }), "retry_count")).toMatch(
        /^The old system retried a failed charge 5 times; .*default 3 attempts including the first, i\.e\. 2 retries/,
      );
      expect(note(plan({ actp1: "4" }), "retry_count")).toMatch(/retried a failed charge 3 times/);
      expect(plan({ actp1: "4", acrt1: "0" }).body).not.toHaveProperty("retry_count");
    });
  });

  describe("drift notes", () => {
    it("always carries charge time, resume and retry count, in English with the values", () => {
      const p = plan({ actp1: "4" });
      expect(codes(p)).toEqual(["charge_time", "resume", "retry_count"]);
      expect(note(p, "charge_time")).toBe("The old system ran automatic charges from 00:30 JST; UnivaPay runs them at 07:00 JST.");
      expect(note(p, "resume")).toMatch(/next day.*nearest future cycle date/);
      for (const n of p.drift) expect(n.code).toMatch(/^[a-z]+(_[a-z]+)*$/);
    });

    it("says 09:00 when start_on is the day after the first charge", () => {
      expect(note(plan({ actp1: "21", acdc1: "11", acmc1: "1" }), "charge_time")).toMatch(
        /09:00 JST, as start_on 2027-03-11 is the day after the first charge/,
      );
    });
  });

  describe("failures", () => {
    it.each<[Record<string, string>, GatewayErrorKey, string]>([
      [{}, "recurring_period_invalid", "actp1"],
      [{ actp1: "9" }, "recurring_period_invalid", "actp1"],
      [{ actp1: "04" }, "recurring_period_invalid", "actp1"],
      [{ actp1: "20" }, "recurring_day_invalid", "acdc1"],
      [{ actp1: "20", acdc1: "" }, "recurring_day_invalid", "acdc1"],
      [{ actp1: "20", acdc1: "0" }, "recurring_day_invalid", "acdc1"],
      [{ actp1: "20", acdc1: "1000" }, "recurring_day_invalid", "acdc1"],
      [{ actp1: "20", acdc1: "1.5" }, "recurring_day_invalid", "acdc1"],
      [{ actp1: "20", acdc1: "+3" }, "recurring_day_invalid", "acdc1"],
      [{ actp1: "21", acdc1: "32", acmc1: "1" }, "recurring_day_invalid", "acdc1"],
      [{ actp1: "21", acdc1: "0", acmc1: "1" }, "recurring_day_invalid", "acdc1"],
      [{ actp1: "21", acdc1: "15" }, "recurring_interval_invalid", "acmc1"],
      [{ actp1: "21", acdc1: "15", acmc1: "13" }, "recurring_interval_invalid", "acmc1"],
      [{ actp1: "22", acdc1: "5", acmc1: "0" }, "recurring_interval_invalid", "acmc1"],
      [{ actp1: "22", acdc1: "0", acmc1: "1" }, "recurring_day_invalid", "acdc1"],
      [{ actp1: "23", acdc1: "7", acmc1: "0" }, "recurring_interval_invalid", "acmc1"],
      [{ actp1: "23", acdc1: "7", acmc1: "1000" }, "recurring_interval_invalid", "acmc1"],
      [{ actp1: "24", acdc1: "32", acmc1: "1" }, "recurring_day_invalid", "acdc1"],
      [{ actp1: "4", acam1: "" }, "recurring_amount_invalid", "acam1"],
      [{ actp1: "4", acam1: "abc" }, "recurring_amount_invalid", "acam1"],
      [{ actp1: "4", acam1: "0" }, "recurring_amount_invalid", "acam1"],
      [{ actp1: "4", acam1: "10000000" }, "recurring_amount_invalid", "acam1"],
      [{ actp1: "4", acam1: "1000.50" }, "recurring_amount_invalid", "acam1"],
      [{ actp1: "4", acam1: "-100" }, "recurring_amount_invalid", "acam1"],
      [{ actp1: "4", acrm1: "-1" }, "recurring_count_invalid", "acrm1"],
      [{ actp1: "4", acrm1: "1000" }, "recurring_count_invalid", "acrm1"],
      [{ actp1: "4", acrm1: "1.5" }, "recurring_count_invalid", "acrm1"],
      [{ actp1: "4", acrt1: "10" }, "recurring_retry_invalid", "acrt1"],
      [{ actp1: "4", acrt1: "x" }, "recurring_retry_invalid", "acrt1"],
      [{ actp1: "4", acrd1: "0" }, "recurring_retry_invalid", "acrd1"],
      [{ actp1: "4", acrd1: "366" }, "recurring_retry_invalid", "acrd1"],
    ])("refuses %j with %s on %s", (params, key, field) => {
      const r = planRecurring(table, paramsOf({ acam1: "1000", ...params }), { now: noonJst("2027-03-10"), initialAmount: 1500 });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.failures).toEqual([{ key, ec: ecFor(table, key), field, message: expect.stringContaining(field) }]);
    });

    it("collects every failure of one request", () => {
      const params = { actp1: "21", acdc1: "32", acmc1: "0", acam1: "x", acrm1: "-1", acrt1: "10", acrd1: "0" };
      const r = planRecurring(table, paramsOf(params), { now: noonJst("2027-03-10"), initialAmount: 1500 });
      expect(r.ok || r.failures.map((f) => [f.key, f.field])).toEqual([
        ["recurring_day_invalid", "acdc1"],
        ["recurring_interval_invalid", "acmc1"],
        ["recurring_amount_invalid", "acam1"],
        ["recurring_count_invalid", "acrm1"],
        ["recurring_retry_invalid", "acrt1"],
        ["recurring_retry_invalid", "acrd1"],
      ]);
    });

    it("still checks the other parameters when actp1 is unknown", () => {
      const r = planRecurring(table, paramsOf({ actp1: "1", acrm1: "x" }), { now: noonJst("2027-03-10"), initialAmount: 1500 });
      expect(r.ok || r.failures.map((f) => f.field)).toEqual(["actp1", "acam1", "acrm1"]);
    });
  });
});

describe("isRecurringRequest", () => {
  it("is true only when actp1 is present and non-empty", () => {
    expect(isRecurringRequest(paramsOf({ actp1: "4" }))).toBe(true);
    expect(isRecurringRequest(paramsOf({ actp1: "" }))).toBe(false);
    expect(isRecurringRequest(paramsOf({ siam1: "100" }))).toBe(false);
  });
});
