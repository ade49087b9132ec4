import { createSubscription, validatePatchInput } from "../../../src/sandbox/subscriptions";
import { body, STORE_ID, SUB_ID, tokyo } from "./engine-harness";

const NOW = tokyo("2024-06-26");
const ctx = { id: SUB_ID, storeId: STORE_ID, mode: "test" as const, now: NOW };

function errorsOf(input: unknown): Array<{ field: string; reason: string }> {
  const r = createSubscription(input, ctx);
  if (r.ok) throw new Error("expected a validation error");
  expect(r.code).toBe("VALIDATION_ERROR");
  return r.errors;
}

describe("create validation", () => {
  it("accepts the doc's example body and fills the defaults", () => {
    const r = createSubscription({ ...body({ amount: 1250, currency: "usd", period: "daily" }), metadata: { ServiceId: 78435694 } }, ctx);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.sub.currency).toBe("USD");
    expect(r.sub.scheduleSettings).toEqual({
      startOn: null,
      zoneId: "Asia/Tokyo",
      preserveEndOfMonth: null,
      retryInterval: null,
      terminationMode: "immediate",
    });
  });

  it("lists every bad field at once", () => {
    const errors = errorsOf({
      transaction_token_id: "not-a-uuid",
      amount: -5,
      currency: "YEN!",
      period: "hourly",
      initial_amount: 1.5,
      schedule_settings: { start_on: "2024-02-30", zone_id: "Mars/Olympus", preserve_end_of_month: "yes", retry_interval: "P1Y", termination_mode: "later" },
      first_charge_authorization_only: "no",
      first_charge_capture_after: "P7D",
      metadata: [1, 2],
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        { field: "transaction_token_id", reason: "INVALID_FORMAT_UUID" },
        { field: "amount", reason: "INVALID_AMOUNT" },
        { field: "currency", reason: "INVALID_FORMAT_CURRENCY" },
        { field: "period", reason: "INVALID_SUBSCRIPTION_PERIOD" },
        { field: "initial_amount", reason: "INVALID_SUBSCRIPTION_INITIAL_AMOUNT" },
        { field: "schedule_settings.start_on", reason: "INVALID_FORMAT_DATE" },
        { field: "schedule_settings.zone_id", reason: "INVALID_TIME_ZONE" },
        { field: "schedule_settings.preserve_end_of_month", reason: "INVALID_FORMAT" },
        { field: "schedule_settings.retry_interval", reason: "INVALID_DURATION" },
        { field: "schedule_settings.termination_mode", reason: "INVALID_FORMAT" },
        { field: "first_charge_authorization_only", reason: "INVALID_FORMAT" },
        { field: "first_charge_capture_after", reason: "INVALID_DURATION" },
        { field: "metadata", reason: "INVALID_FORMAT_OBJECT" },
      ]),
    );
    expect(errors).toHaveLength(13);
  });

  it("requires the token, amount, currency and a period", () => {
    expect(errorsOf({})).toEqual([
      { field: "transaction_token_id", reason: "REQUIRED_VALUE" },
      { field: "amount", reason: "REQUIRED_VALUE" },
      { field: "currency", reason: "REQUIRED_VALUE" },
      { field: "period", reason: "REQUIRED_VALUE" },
    ]);
  });

  it.each([
    ["period and cyclical_period together", body({ cyclical_period: "P10D" }), "cyclical_period", "NOT_ALLOWED"],
    ["cyclical_period under a day", body({ period: undefined, cyclical_period: "PT12H" }), "cyclical_period", "INVALID_SUBSCRIPTION_PERIOD"],
    [
      "start_on today (it is the 2nd payment)",
      body({ schedule_settings: { start_on: "2024-06-26" } }),
      "schedule_settings.start_on",
      "INVALID_SUBSCRIPTION_START_ON",
    ],
    ["start_on over 999 days ahead", body({ schedule_settings: { start_on: "2027-03-23" } }), "schedule_settings.start_on", "INVALID_SUBSCRIPTION_START_ON"],
    [
      "preserve_end_of_month on a weekly plan",
      body({ period: "weekly", schedule_settings: { preserve_end_of_month: true } }),
      "schedule_settings.preserve_end_of_month",
      "MUST_BE_MONTH_BASED_TO_SET",
    ],
    [
      "retry_interval not shorter than the cycle",
      body({ period: "weekly", schedule_settings: { retry_interval: "P1W" } }),
      "schedule_settings.retry_interval",
      "INVALID_DURATION",
    ],
    [
      "retry_interval in years",
      body({ period: "annually", schedule_settings: { retry_interval: "P1Y" } }),
      "schedule_settings.retry_interval",
      "INVALID_DURATION",
    ],
    [
      "installment count 4",
      body({ installment_plan: { plan_type: "fixed_cycles", fixed_cycles: 4 } }),
      "installment_plan.fixed_cycles",
      "INSTALLMENT_INVALID_CYCLES_COUNT",
    ],
    ["installment plan type", body({ installment_plan: { plan_type: "bonus" } }), "installment_plan.plan_type", "INSTALLMENT_INVALID_PLAN_TYPE"],
    [
      "installments on a weekly plan",
      body({ period: "weekly", installment_plan: { plan_type: "revolving" } }),
      "period",
      "INSTALLMENT_PROCESSOR_PERIOD_NOT_SUPPORTED",
    ],
    ["fixed_cycles missing", body({ subscription_plan: { plan_type: "fixed_cycles" } }), "subscription_plan.fixed_cycles", "REQUIRED_VALUE"],
    [
      "one fixed cycle",
      body({ subscription_plan: { plan_type: "fixed_cycles", fixed_cycles: 1 } }),
      "subscription_plan.fixed_cycles",
      "NEED_AT_LEAST_TWO_CYCLES",
    ],
    [
      "more cycles than yen",
      body({ amount: 3, subscription_plan: { plan_type: "fixed_cycles", fixed_cycles: 5 } }),
      "subscription_plan.fixed_cycles",
      "INVALID_SUBSCRIPTION_CYCLES",
    ],
    [
      "per-charge amount ≥ total",
      body({ subscription_plan: { plan_type: "fixed_cycle_amount", fixed_cycle_amount: 1000 } }),
      "subscription_plan.fixed_cycle_amount",
      "NEED_AT_LEAST_TWO_CYCLES",
    ],
    [
      "both plan kinds",
      body({ subscription_plan: { plan_type: "fixed_cycles", fixed_cycles: 2 }, installment_plan: { plan_type: "revolving" } }),
      "installment_plan",
      "NOT_ALLOWED",
    ],
    ["capture_after without auth-only", body({ first_charge_capture_after: "P3D" }), "first_charge_capture_after", "NOT_ALLOWED"],
  ])("rejects %s", (_name, input, field, reason) => {
    expect(errorsOf(input)).toContainEqual({ field, reason });
  });

  it.each([["P1D"], ["P6D"]])("accepts first_charge_capture_after %s with auth-only", (v) => {
    expect(createSubscription(body({ first_charge_authorization_only: true, first_charge_capture_after: v }), ctx).ok).toBe(true);
  });

  it("treats JSON null like an absent optional field", () => {
    expect(createSubscription(body({ initial_amount: null, cyclical_period: null, schedule_settings: null, metadata: null }), ctx).ok).toBe(true);
  });

  it("judges start_on against today in zone_id, not UTC", () => {
    // 2024-06-26 01:00 UTC is already 06-26 in Tokyo but still 06-25 in New York.
    const now = new Date("2024-06-26T01:00:00Z");
    const input = body({ schedule_settings: { start_on: "2024-06-26", zone_id: "America/New_York" } });
    expect(createSubscription(input, { ...ctx, now }).ok).toBe(true);
    expect(createSubscription(body({ schedule_settings: { start_on: "2024-06-26" } }), { ...ctx, now }).ok).toBe(false);
  });
});

describe("patch validation", () => {
  it("lists every bad field and refuses fixed schedule settings", () => {
    const r = validatePatchInput({
      amount: 0,
      status: "canceled",
      transaction_token_id: 5,
      schedule_settings: { termination_mode: "x", retry_interval: "P1D" },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      { field: "transaction_token_id", reason: "INVALID_FORMAT_UUID" },
      { field: "amount", reason: "INVALID_AMOUNT" },
      { field: "status", reason: "INVALID_FORMAT" },
      { field: "schedule_settings.termination_mode", reason: "INVALID_FORMAT" },
      { field: "schedule_settings.retry_interval", reason: "NOT_ALLOWED" },
    ]);
  });
});
